import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { WriteOperation } from '../../../connectors/core/types';
import type { PipedriveConnector } from '../../../connectors/pipedrive';
import { PLANNED, plannedOption, plannedWrite } from '../../shared/plannedWrite';
import { fieldsParameters, matchKeyParameters, perItem, writeItems, writeOptionsParameter, writeOptions, type Outputs } from './common';

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
			plannedOption,
		],
		default: 'upsert',
		description: 'Pipedrive has no batch endpoint: every record is one request, paced by the rate limiter, with its own result',
	},
	...matchKeyParameters({ ...show, writeMode: ['upsert', PLANNED] }),
	...fieldsParameters({ ...show, writeMode: ['create', 'update', 'upsert', PLANNED] }),
	writeOptionsParameter(show),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: PipedriveConnector, out: Outputs): Promise<void> {
	const mode = this.getNodeParameter('writeMode', 0) as WriteOperation | typeof PLANNED;
	const concurrency = writeOptions(this).concurrency ?? 4;
	if (mode !== PLANNED) return await writeItems(this, items, connector, out, mode, concurrency);
	// As Planned: each Sync Ledger decision's own operation, one group per operation.
	const groups = new Map<WriteOperation, number[]>();
	for (let i = 0; i < items.length; i++) {
		await perItem(this, out, i, items[i], { operation: 'batchWrite' }, async () => {
			const op = plannedWrite(items[i].json, { canUpsert: true });
			groups.set(op, [...(groups.get(op) ?? []), i]);
		});
	}
	for (const [op, only] of groups) await writeItems(this, items, connector, out, op, concurrency, only);
}
