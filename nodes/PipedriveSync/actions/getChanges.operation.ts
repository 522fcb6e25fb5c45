import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { PipedriveConnector } from '../../../connectors/pipedrive';
import { ConnectorError } from '../../../connectors/core/errors';
import { nodeApiError, perItem, type Outputs } from './common';

const show = { operation: ['getChanges'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Sync Mode',
		name: 'syncMode',
		type: 'options',
		displayOptions: { show },
		options: [
			{ name: 'Full', value: 'full', description: 'Every record, oldest change first' },
			{ name: 'Incremental', value: 'incremental', description: 'Records changed since a cursor (or a date)' },
		],
		default: 'incremental',
	},
	{
		displayName: 'Since (Cursor or Date)',
		name: 'since',
		type: 'string',
		displayOptions: { show: { ...show, syncMode: ['incremental'] } },
		default: '',
		placeholder: '={{ $json.checkpoint }}',
		description:
			'The checkpoint of the previous run (every output item carries it as "checkpoint"), or an ISO date for a first run. Empty reads everything.',
	},
	{
		displayName: 'Options',
		name: 'changesOptions',
		type: 'collection',
		placeholder: 'Add Option',
		displayOptions: { show },
		default: {},
		options: [
			{
				displayName: 'Include Deleted Deals',
				name: 'includeDeleted',
				type: 'boolean',
				default: false,
				displayOptions: { show: { '/resource': ['deal'] } },
				description: 'Whether deals deleted in the last 30 days come too (as deleted: true)',
			},
			{
				displayName: 'Overlap (Seconds)',
				name: 'overlapSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 60,
				description: 'Re-read this much before the checkpoint to catch late writes; records already delivered are dropped',
			},
			{
				displayName: 'Page Size',
				name: 'pageSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 500 },
				default: 500,
				description: 'Records per API call (Pipedrive allows up to 500)',
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: PipedriveConnector, out: Outputs): Promise<void> {
	const resource = this.getNodeParameter('resource', 0) as string;
	for (let i = 0; i < items.length; i++) {
		await perItem(this, out, i, items[i], { operation: 'getChanges', resource }, async () => {
			const mode = this.getNodeParameter('syncMode', i, 'incremental') as string;
			const since = mode === 'incremental' ? String(this.getNodeParameter('since', i, '') ?? '').trim() || undefined : undefined;
			const o = this.getNodeParameter('changesOptions', i, {}) as IDataObject;
			let read;
			try {
				read = await connector.readChanges(resource, {
					since,
					overlapMs: (typeof o.overlapSeconds === 'number' ? o.overlapSeconds : 60) * 1000,
					pageSize: typeof o.pageSize === 'number' ? o.pageSize : 500,
					includeDeleted: o.includeDeleted === true,
				});
			} catch (err) {
				// A read that failed (even a transient error after its retries) is no record's failure: a sync planned
				// on the other side's records alone would create duplicates and overwrite newer changes on this side.
				// The run stops (its error workflow parks the failure) unless the node is set to continue.
				if (err instanceof ConnectorError && !this.continueOnFail()) throw nodeApiError(this, err.classified, i);
				throw err;
			}
			// The checkpoint rides on every item: store the last item's once it is processed.
			for (const r of read.records) out.records.push({ json: { ...(r as unknown as IDataObject), checkpoint: read.checkpoint ?? null }, pairedItem: { item: i } });
		});
	}
}
