import type { INodeProperties } from 'n8n-workflow';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as getChanges from './getChanges.operation';
import * as find from './find.operation';
import * as create from './create.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';
import * as archive from './archive.operation';
import * as batchWrite from './batchWrite.operation';

export const operations = { get, getMany, getChanges, find, create, update, upsert, archive, batchWrite };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['client'] } },
		options: [
			{ name: 'Archive', value: 'archive', action: 'Archive a client', description: 'Archive clients' },
			{ name: 'Batch Write', value: 'batchWrite', action: 'Write many clients', description: 'Create, update or upsert many items, chosen per item, with one result per item' },
			{ name: 'Create', value: 'create', action: 'Create a client', description: 'Create clients (many items go in cost-paced batches)' },
			{ name: 'Create or Update', value: 'upsert', action: 'Create or update a client', description: 'Create a new record, or update the current one if it already exists (upsert)' },
			{ name: 'Find', value: 'find', action: 'Find a client', description: 'Find a client by email, phone or name (exact; two matches is a Duplicate Record)' },
			{ name: 'Get', value: 'get', action: 'Get a client', description: 'Get a client by ID, from a list or by its Jobber address' },
			{ name: 'Get Changes', value: 'getChanges', action: 'Get changed clients', description: 'Clients changed since a checkpoint, with the next checkpoint in the output' },
			{ name: 'Get Many', value: 'getMany', action: 'Get many clients', description: 'Get clients, every page (Relay first/after)' },
			{ name: 'Update', value: 'update', action: 'Update a client', description: 'Update clients: only what changed is sent' },
		],
		default: 'upsert',
	},
	...get.description,
	...getMany.description,
	...getChanges.description,
	...find.description,
	...create.description,
	...update.description,
	...upsert.description,
	...archive.description,
	...batchWrite.description,
];
