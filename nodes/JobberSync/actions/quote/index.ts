import type { INodeProperties } from 'n8n-workflow';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as getChanges from './getChanges.operation';
import * as create from './create.operation';
import * as archive from './archive.operation';

export const operations = { get, getMany, getChanges, create, archive };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['quote'] } },
		options: [
			{ name: 'Archive', value: 'archive', action: 'Archive a quote', description: 'Archive quotes' },
			{ name: 'Create', value: 'create', action: 'Create a quote', description: 'Create quotes (many items go in cost-paced batches)' },
			{ name: 'Get', value: 'get', action: 'Get a quote', description: 'Get a quote by ID, from a list or by its Jobber address' },
			{ name: 'Get Changes', value: 'getChanges', action: 'Get changed quotes', description: 'Quotes changed since a checkpoint, with the next checkpoint in the output' },
			{ name: 'Get Many', value: 'getMany', action: 'Get many quotes', description: 'Get quotes, every page (Relay first/after)' },
		],
		default: 'get',
	},
	...get.description,
	...getMany.description,
	...getChanges.description,
	...create.description,
	...archive.description,
];
