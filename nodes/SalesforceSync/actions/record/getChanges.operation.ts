import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { RecordEnvelope } from '../../../../connectors/core/types';
import { decodeCursor, encodeCursor, pruneSeen, versionKey, type SalesforceConnector } from '../../../../connectors/salesforce';
import { ConnectorError } from '../../../../connectors/core/errors';
import { SoqlInputError } from '../../../../connectors/salesforce';
import { classify, envelopeJson, fieldsOption, Outputs } from '../common';
import { sObjectFor } from '../resources';

const show = { operation: ['getChanges'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Sync Mode',
		name: 'syncMode',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Full', value: 'full', description: 'Every record, oldest change first' },
			{ name: 'Incremental', value: 'incremental', description: 'Records changed since a cursor (SystemModstamp)' },
		],
		default: 'incremental',
		displayOptions: { show },
	},
	{
		displayName: 'Since (Cursor or Date)',
		name: 'since',
		type: 'string',
		default: '',
		placeholder: '2025-01-01T00:00:00Z',
		description:
			'The `cursor` of the previous run (it also remembers what was already delivered in the overlap window), or a date/time. Empty reads everything.',
		displayOptions: { show: { ...show, syncMode: ['incremental'] } },
	},
	fieldsOption(['getChanges']),
	{
		displayName: 'Options',
		name: 'changesOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Include Deleted',
				name: 'includeDeleted',
				type: 'boolean',
				default: false,
				description: 'Whether to include records deleted since the cursor (from the recycle bin, with deleted: true)',
			},
			{
				displayName: 'Max Records',
				name: 'maxRecords',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 0,
				description: 'Stop after this many records; the cursor then points at the last one, so the next run continues there (0 = no limit)',
			},
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				options: [
					{ name: 'One Item per Record', value: 'records', description: 'Each carries the checkpoint and cursor of the run' },
					{ name: 'One Summary Item', value: 'summary', description: 'Records in a list, with the checkpoint and cursor (also when nothing changed)' },
				],
				default: 'records',
			},
			{
				displayName: 'Overlap (Seconds)',
				name: 'overlapSeconds',
				type: 'number',
				typeOptions: { minValue: 0 },
				default: 60,
				description: 'Re-read this many seconds before the cursor, for changes committed late; versions already delivered are left out',
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, connector: SalesforceConnector): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out = new Outputs(this, sObjectFor(this, 0), 'getChanges');
	for (let i = 0; i < items.length; i++) {
		if (out.fatal) {
			out.fail(i, out.fatal);
			continue;
		}
		try {
			const object = sObjectFor(this, i);
			const options = this.getNodeParameter('changesOptions', i, {}) as IDataObject;
			const mode = this.getNodeParameter('syncMode', i) as string;
			const previous = mode === 'incremental' ? decodeCursor(this.getNodeParameter('since', i, '') as string) : undefined;
			const overlapMs = Math.max(0, Number(options.overlapSeconds ?? 60)) * 1000;
			const maxRecords = Number(options.maxRecords ?? 0);
			const records: RecordEnvelope[] = [];
			let checkpoint = previous?.checkpoint;
			let done = true;
			for await (const page of connector.changes(object, {
				since: previous?.checkpoint,
				overlapMs,
				seen: previous?.seen,
				fields: this.getNodeParameter('fields', i, []) as string[],
				includeDeleted: options.includeDeleted === true,
				maxRecords: maxRecords > 0 ? maxRecords : undefined,
			})) {
				records.push(...page.records);
				checkpoint = page.checkpoint ?? checkpoint;
				done = page.done;
			}
			const checkpointMs = checkpoint ? Date.parse(checkpoint) : 0;
			const cursor = encodeCursor({
				checkpoint: new Date(checkpointMs).toISOString(),
				seen: pruneSeen([...(previous?.seen ?? []), ...records.map(versionKey)], checkpointMs, overlapMs),
			});
			const run: IDataObject = { checkpoint: new Date(checkpointMs).toISOString(), cursor, done };
			if (options.output === 'summary') {
				out.ok(i, { object, count: records.length, since: previous?.checkpoint ?? null, ...run, records: records.map((r) => envelopeJson(r)) });
			} else {
				for (const record of records) out.ok(i, envelopeJson(record, run));
			}
		} catch (err) {
			// A read that failed (even a transient error after its retries) is no record's failure: a sync planned
			// on the other side's records alone would create duplicates and overwrite newer changes on this side.
			// The run stops (its error workflow parks the failure) unless the node is set to continue.
			if (err instanceof ConnectorError || err instanceof SoqlInputError) out.stop(i, classify(err, sObjectFor(this, i)));
			else out.error(i, err);
		}
	}
	return out.result();
}
