import type { INodeProperties } from 'n8n-workflow';
import * as batchWrite from './batchWrite.operation';
import * as create from './create.operation';
import * as deleteRecord from './delete.operation';
import * as find from './find.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as getChanges from './getChanges.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';
import { RECORD_RESOURCES } from '../common.description';

/** Contacts, companies and deals share every operation: one implementation, the object from the resource. */
export { batchWrite, create, deleteRecord as delete, find, get, getAll, getChanges, update, upsert };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: RECORD_RESOURCES } },
		options: [
			{ name: 'Batch Write', value: 'batchWrite', description: 'Create, update, upsert or delete many records, 100 per call, with a result per record', action: 'Batch write records' },
			{ name: 'Create', value: 'create', description: 'Create a record', action: 'Create a record' },
			{ name: 'Create or Update', value: 'upsert', description: 'Create a new record, or update the current one if it already exists (upsert)', action: 'Create or update records' },
			{ name: 'Delete', value: 'delete', description: 'Delete (archive) a record', action: 'Delete a record' },
			{ name: 'Find', value: 'find', description: 'Find records by a match key such as email', action: 'Find records by match key' },
			{ name: 'Get', value: 'get', description: 'Get a record', action: 'Get a record' },
			{ name: 'Get Changes', value: 'getChanges', description: 'Get records changed since a checkpoint (incremental) or all (full)', action: 'Get changed records' },
			{ name: 'Get Many', value: 'getAll', description: 'Get many records', action: 'Get many records' },
			{ name: 'Update', value: 'update', description: 'Update a record', action: 'Update a record' },
		],
		default: 'upsert',
	},
	...batchWrite.description,
	...create.description,
	...deleteRecord.description,
	...find.description,
	...get.description,
	...getAll.description,
	...getChanges.description,
	...update.description,
	...upsert.description,
];
