/** The node's parameters: resources, one operation list per resource, then the operations' own fields. */
import type { INodeProperties } from 'n8n-workflow';
import { description as recordFields } from './record';
import { RESOURCES } from './resources';
import { rateLimitProperty } from '../../shared/rateLimits';

function operationList(resource: (typeof RESOURCES)[number]): INodeProperties {
	const { singular: one, plural: many } = resource;
	return {
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: [resource.value] } },
		options: [
			{ name: 'Batch Write', value: 'batchWrite', description: `Create, update, upsert or delete many ${many}, 200 per API call`, action: `Batch write ${many}` },
			{ name: 'Create', value: 'create', description: `Create a ${one}`, action: `Create a ${one}` },
			{
				name: 'Create or Update',
				value: 'upsert',
				description: 'Create a new record, or update the current one if it already exists (upsert)',
				action: `Create or update a ${one} by external ID`,
			},
			{ name: 'Delete', value: 'delete', description: `Delete a ${one}`, action: `Delete a ${one}` },
			{ name: 'Find', value: 'find', description: `Find ${many} by a match key such as email or an external ID`, action: `Find ${many} by match key` },
			{ name: 'Get', value: 'get', description: `Get a ${one} by ID`, action: `Get a ${one}` },
			{ name: 'Get Changes', value: 'getChanges', description: `Get ${many} changed since a cursor (or all of them)`, action: `Get changed ${many}` },
			{ name: 'Get Many', value: 'getAll', description: `Get many ${many}`, action: `Get many ${many}` },
			{ name: 'Update', value: 'update', description: `Update a ${one}`, action: `Update a ${one}` },
		],
		default: 'upsert',
	};
}

export const properties: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: RESOURCES.map((r) => ({ name: r.name, value: r.value })),
		default: 'contact',
	},
	{
		displayName: 'Object Name or ID',
		name: 'sObject',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getSObjects' },
		default: '',
		required: true,
		description:
			'Any sObject of the org by API name (custom ones end in __c). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show: { resource: ['customObject'] } },
	},
	...RESOURCES.map(operationList),
	...recordFields,
	rateLimitProperty,
];
