import type { INodeProperties } from 'n8n-workflow';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as getChanges from './getChanges.operation';
import * as create from './create.operation';

export const operations = { get, getMany, getChanges, create };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['invoice'] } },
		options: [
			{ name: 'Create', value: 'create', action: 'Create a invoice', description: 'Create invoices (many items go in cost-paced batches)' },
			{ name: 'Get', value: 'get', action: 'Get a invoice', description: 'Get a invoice by ID, from a list or by its Jobber address' },
			{ name: 'Get Changes', value: 'getChanges', action: 'Get changed invoices', description: 'Invoices changed since a checkpoint, with the next checkpoint in the output' },
			{ name: 'Get Many', value: 'getMany', action: 'Get many invoices', description: 'Get invoices, every page (Relay first/after)' },
		],
		default: 'get',
	},
	...get.description,
	...getMany.description,
	...getChanges.description,
	...create.description,
];
