import type { INodeProperties } from 'n8n-workflow';
import * as get from './get.operation';
import * as getMany from './getMany.operation';
import * as getChanges from './getChanges.operation';
import * as create from './create.operation';
import * as update from './update.operation';
import * as close from './close.operation';
import * as batchWrite from './batchWrite.operation';

export const operations = { get, getMany, getChanges, create, update, close, batchWrite };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['job'] } },
		options: [
			{ name: 'Batch Write', value: 'batchWrite', action: 'Write many jobs', description: 'Create, update or upsert many items, chosen per item, with one result per item' },
			{ name: 'Close', value: 'close', action: 'Close a job', description: 'Close jobs' },
			{ name: 'Create', value: 'create', action: 'Create a job', description: 'Create jobs (many items go in cost-paced batches)' },
			{ name: 'Get', value: 'get', action: 'Get a job', description: 'Get a job by ID, from a list or by its Jobber address' },
			{ name: 'Get Changes', value: 'getChanges', action: 'Get changed jobs', description: 'Jobs changed since a checkpoint, with the next checkpoint in the output' },
			{ name: 'Get Many', value: 'getMany', action: 'Get many jobs', description: 'Get jobs, every page (Relay first/after)' },
			{ name: 'Update', value: 'update', action: 'Update a job', description: 'Update jobs: only what changed is sent' },
		],
		default: 'get',
	},
	...get.description,
	...getMany.description,
	...getChanges.description,
	...create.description,
	...update.description,
	...close.description,
	...batchWrite.description,
];
