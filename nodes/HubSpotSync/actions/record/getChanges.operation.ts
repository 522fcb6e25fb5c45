import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { handleItemError, nodeError, recordItem, type Outputs } from '../../helpers';
import { hubspotConnector } from '../../transport';
import { forOperations, linksOption, propertiesOption, withDisplay } from '../common.description';
import { objectAt, readOptionsAt } from './shared';

const properties: INodeProperties[] = [
	{
		displayName: 'Sync Mode',
		name: 'syncMode',
		type: 'options',
		options: [
			{ name: 'Incremental', value: 'incremental', description: 'Records modified since a checkpoint' },
			{ name: 'Full', value: 'full', description: 'Every record (a first sync or a re-sync)' },
		],
		default: 'incremental',
	},
	{
		displayName: 'Since (Checkpoint)',
		name: 'since',
		type: 'string',
		default: '',
		placeholder: 'e.g. 2026-03-01T00:00:00.000Z',
		description:
			'The `checkpoint` of the previous run (ISO date). Records modified at or after it are read; empty reads everything.',
		displayOptions: { show: { syncMode: ['incremental'] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Emit Checkpoint When Nothing Changed',
				name: 'emitEmpty',
				type: 'boolean',
				default: false,
				description: 'Whether to output one item with the checkpoint (and `count: 0`) when no record changed',
			},
			linksOption,
			{
				displayName: 'Max Records (Test Sync)',
				name: 'maxRecords',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 50,
				description: 'Read only this many records, oldest change first; the checkpoint then covers what was read',
			},
			{
				displayName: 'Overlap (Seconds)',
				name: 'overlapSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 60,
				description: "Re-read this many seconds before the checkpoint: HubSpot's search index lags writes by a few seconds",
			},
			propertiesOption,
		],
	},
];

export const description = withDisplay(forOperations(['getChanges']), properties);

/**
 * Records changed since the checkpoint, every page, in modification order (a full read: every record, in list
 * order). Each item carries `checkpoint`:
 * the newest modification read, to store and pass as Since next time.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], out: Outputs): Promise<void> {
	const hs = await hubspotConnector(this);
	for (let i = 0; i < items.length; i++) {
		try {
			const object = objectAt(this, i);
			const mode = this.getNodeParameter('syncMode', i) as string;
			const since = mode === 'incremental' ? String(this.getNodeParameter('since', i, '') ?? '').trim() : '';
			if (since && Number.isNaN(Date.parse(since))) throw new Error(`Since "${since}" is not a date: pass the checkpoint of the previous run`);
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			const read = readOptionsAt(this, i);
			const records: INodeExecutionData[] = [];
			let checkpoint: string | undefined = since || undefined;
			for await (const page of hs.changes(object, {
				since: since || undefined,
				overlapMs: since ? Number(options.overlapSeconds ?? 60) * 1000 : 0,
				fields: read.properties,
				links: read.links,
				maxRecords: options.maxRecords !== undefined ? Number(options.maxRecords) : undefined,
				// The whole read is output at once, so its order does not matter: HubSpot lists it unpaced.
				order: 'any',
			})) {
				checkpoint = page.checkpoint ?? checkpoint;
				for (const record of page.records) records.push(recordItem(record, i));
			}
			const cursor = { mode, since: since || null, checkpoint: checkpoint ?? null, count: records.length };
			for (const r of records) r.json.checkpoint = cursor.checkpoint;
			if (records.length) records[records.length - 1].json.cursor = cursor;
			out.success.push(...records);
			if (!records.length && options.emitEmpty) out.success.push({ json: { system: 'hubspot', object, ...cursor }, pairedItem: { item: i } });
		} catch (err) {
			// A read that failed (even a transient error after its retries) is no record's failure: a sync planned
			// on the other side's records alone would create duplicates and overwrite newer changes on this side.
			// The run stops (its error workflow parks the failure) unless the node is set to continue.
			if (!this.continueOnFail()) throw nodeError(this, err, i);
			handleItemError(this, out, err, items[i].json, i);
		}
	}
}
