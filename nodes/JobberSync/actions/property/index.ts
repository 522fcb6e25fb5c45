import type { INodeProperties } from 'n8n-workflow';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as getChanges from './getChanges.operation';
import * as create from './create.operation';
import * as update from './update.operation';
import * as del from './delete.operation';
import * as batchWrite from './batchWrite.operation';

export const operations = { get, getMany, getChanges, create, update, delete: del, batchWrite };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['property'] } },
		options: [
			{ name: 'Batch Write', value: 'batchWrite', action: 'Write many properties', description: 'Create, update or upsert many items, chosen per item, with one result per item' },
			{ name: 'Create', value: 'create', action: 'Create a property', description: 'Create properties (many items go in cost-paced batches)' },
			{ name: 'Delete', value: 'delete', action: 'Delete a property', description: 'Delete properties (a property with work on it cannot be deleted)' },
			{ name: 'Get', value: 'get', action: 'Get a property', description: 'Get a property by ID, from a list or by its Jobber address' },
			{ name: 'Get Changes', value: 'getChanges', action: 'Get changed properties', description: 'Properties changed since a checkpoint, with the next checkpoint in the output' },
			{ name: 'Get Many', value: 'getMany', action: 'Get many properties', description: 'Get properties, every page (Relay first/after)' },
			{ name: 'Update', value: 'update', action: 'Update a property', description: 'Update properties: only what changed is sent' },
		],
		default: 'get',
	},
	...get.description,
	...getMany.description,
	...getChanges.description,
	...create.description,
	...update.description,
	...del.description,
	...batchWrite.description,
];
