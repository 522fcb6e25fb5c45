import type { INodeProperties } from 'n8n-workflow';
import * as execute from './execute.operation';

export const operations = { execute };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['graphql'] } },
		options: [{ name: 'Execute', value: 'execute', action: 'Run a query or mutation', description: 'Run any query or mutation, paced by its query cost like every other call' }],
		default: 'execute',
	},
	...execute.description,
];
