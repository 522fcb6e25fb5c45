import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { WriteOperation } from '../../../connectors/core/types';
import type { PipedriveConnector } from '../../../connectors/pipedrive';
import { fieldsParameters, matchKeyParameters, writeItems, writeOptionsParameter, writeOptions, type Outputs } from './common';

const show = { operation: ['batchWrite'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Write Mode',
		name: 'writeMode',
		type: 'options',
		displayOptions: { show },
		options: [
			{ name: 'Create', value: 'create' },
			{ name: 'Create or Update', value: 'upsert', description: 'Create a new record, or update the current one if it already exists (upsert)' },
			{ name: 'Delete', value: 'delete', description: 'Each item is an envelope (or has an ID)' },
			{ name: 'Update', value: 'update', description: 'Each item is an envelope (or has an ID)' },
		],
		default: 'upsert',
		description: 'Pipedrive has no batch endpoint: every record is one request, paced by the rate limiter, with its own result',
	},
	...matchKeyParameters({ ...show, writeMode: ['upsert'] }),
	...fieldsParameters({ ...show, writeMode: ['create', 'update', 'upsert'] }),
	writeOptionsParameter(show),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: PipedriveConnector, out: Outputs): Promise<void> {
	const mode = this.getNodeParameter('writeMode', 0) as WriteOperation;
	await writeItems(this, items, connector, out, mode, writeOptions(this).concurrency ?? 4);
}
