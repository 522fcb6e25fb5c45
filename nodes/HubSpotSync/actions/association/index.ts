import type { INodeProperties } from 'n8n-workflow';
import * as create from './create.operation';
import * as get from './get.operation';

export { create, get };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['association'] } },
		options: [
			{ name: 'Create', value: 'create', description: 'Associate two records (deal ↔ contact or company, contact ↔ company)', action: 'Create an association' },
			{ name: 'Get', value: 'get', description: 'Get the records associated with a record', action: 'Get associations' },
		],
		default: 'create',
	},
	...create.description,
	...get.description,
];
