import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { executeGraphql } from '../common';

const show = { show: { resource: ['graphql'], operation: ['execute'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Query',
		name: 'query',
		type: 'string',
		typeOptions: { rows: 8 },
		default: 'query Clients($first: Int!) {\n  clients(first: $first) {\n    nodes { id name updatedAt }\n  }\n}',
		required: true,
		description: 'A GraphQL document. Put every value in Variables: nothing from items should be written into the query text.',
		displayOptions: show,
	},
	{
		displayName: 'Variables',
		name: 'variables',
		type: 'json',
		default: '{\n  "first": 10\n}',
		description: 'Values for the query variables, as JSON (expressions allowed)',
		displayOptions: show,
	},
	{
		displayName: 'Operation Name',
		name: 'operationName',
		type: 'string',
		default: '',
		description: 'Which operation to run when the document holds several',
		displayOptions: show,
	},
];

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await executeGraphql.call(this);
}
