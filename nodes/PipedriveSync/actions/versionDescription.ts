import type { INodeProperties } from 'n8n-workflow';
import * as batchWrite from './batchWrite.operation';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as find from './find.operation';
import * as get from './get.operation';
import * as getChanges from './getChanges.operation';
import * as getMany from './getMany.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';
import { rateLimitProperty } from '../../shared/rateLimits';

const operation: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Batch Write', value: 'batchWrite', action: 'Write many records', description: 'Create, update, upsert or delete many records with a result per record' },
		{ name: 'Create', value: 'create', action: 'Create a record' },
		{ name: 'Create or Update', value: 'upsert', action: 'Create or update a record', description: 'Create a new record, or update the current one if it already exists (upsert)' },
		{ name: 'Delete', value: 'delete', action: 'Delete a record' },
		{ name: 'Find', value: 'find', action: 'Find records by match key', description: 'By email, phone, name or a custom field' },
		{ name: 'Get', value: 'get', action: 'Get a record' },
		{ name: 'Get Changes', value: 'getChanges', action: 'Get changed records', description: 'Full, or incremental since a cursor; the next cursor comes with the records' },
		{ name: 'Get Many', value: 'getMany', action: 'Get many records' },
		{ name: 'Update', value: 'update', action: 'Update a record' },
	],
	default: 'upsert',
};

/** The credential choice; the Pipedrive triggers offer the same one. */
export const authenticationProperty: INodeProperties = {
	displayName: 'Authentication',
	name: 'authentication',
	type: 'options',
	options: [
		{ name: 'API Token', value: 'apiToken' },
		{ name: 'OAuth2', value: 'oAuth2' },
	],
	default: 'apiToken',
};

/** Every parameter of the node: authentication, resource, operation, then each operation's own. */
export const properties: INodeProperties[] = [
	authenticationProperty,
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Deal', value: 'deal' },
			{ name: 'Organization', value: 'organization' },
			{ name: 'Person', value: 'person' },
		],
		default: 'person',
	},
	operation,
	...get.description,
	...getMany.description,
	...getChanges.description,
	...find.description,
	...create.description,
	...update.description,
	...upsert.description,
	...del.description,
	...batchWrite.description,
	rateLimitProperty,
];
