import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { WriteInput, WriteOperation } from '../../../../connectors/core/types';
import { isFatal, type SalesforceConnector } from '../../../../connectors/salesforce';
import { fieldsSource, Outputs, recordIdOf, writeOptions } from '../common';
import { sObjectFor } from '../resources';
import { PLANNED, plannedOption, plannedWrite } from '../../../shared/plannedWrite';
import { externalIdField } from './upsert.operation';
import { writeParams } from './write';

const show = { operation: ['batchWrite'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Write',
		name: 'batchOperation',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Create', value: 'create' },
			{ name: 'Create or Update', value: 'upsert', description: 'Create a new record, or update the current one if it already exists (upsert)' },
			{ name: 'Delete', value: 'delete', description: "By each item's Salesforce record ID" },
			{ name: 'Update', value: 'update', description: "By each item's Salesforce record ID" },
			plannedOption,
		],
		default: 'upsert',
		description: 'What to do with every input item, 200 records per API call (sObject Collections)',
		displayOptions: { show },
	},
	externalIdField(['batchWrite'], { batchOperation: ['upsert'] }),
	{
		...externalIdField(['batchWrite'], { batchOperation: [PLANNED] }),
		displayName: 'External ID Field for Creates Name or ID',
		required: false,
		description:
			'Planned creates are written as upserts by this External ID field (safe to repeat after an interruption); empty creates them as they are. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	...fieldsSource(['batchWrite']).map((p) => ({ ...p, displayOptions: { show: { ...p.displayOptions!.show, batchOperation: ['create', 'update', 'upsert', PLANNED] } } })),
	writeOptions(
		['batchWrite'],
		[
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 200 },
				default: 200,
				description: 'Records per API call (Salesforce accepts at most 200)',
			},
			{
				displayName: 'Create If Missing',
				name: 'createIfMissing',
				type: 'boolean',
				default: false,
				description: 'Whether to create records whose update target was deleted or never existed (Update only)',
			},
			{
				displayName: 'Plan Saw Every Target Record',
				name: 'createsChecked',
				type: 'boolean',
				default: false,
				description:
					'Whether the Sync Ledger Plan was given every Salesforce record (a full read), so planned creates are created even when an External ID Field for Creates is set (As Planned only). A create the ledger flags as possibly done before is still an upsert.',
			},
		],
	),
];

export async function execute(this: IExecuteFunctions, connector: SalesforceConnector): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const object = sObjectFor(this, 0);
	const out = new Outputs(this, object, 'batchWrite');
	if (items.length === 0) return out.result();
	const chosen = this.getNodeParameter('batchOperation', 0) as WriteOperation | typeof PLANNED;
	const ext = chosen === 'upsert' || chosen === PLANNED ? String(this.getNodeParameter('externalIdField', 0, '') ?? '').trim() || undefined : undefined;
	const raw = this.getNodeParameter('writeOptions', 0, {}) as IDataObject;

	// Items whose fields cannot even be read fail alone; the rest travel together, one group per operation
	// (As Planned: creates, updates and deletes of one Plan output in their own collections calls).
	const groups = new Map<WriteOperation, { inputs: WriteInput[]; itemOf: number[] }>();
	for (let i = 0; i < items.length; i++) {
		try {
			const op: WriteOperation =
				chosen === PLANNED ? plannedWrite(items[i].json, { canUpsert: ext !== undefined, createsAreChecked: raw.createsChecked === true }) : chosen;
			const { fields } = await writeParams(this, connector, i, object, op);
			const id = op === 'update' || op === 'delete' ? recordIdOf(this, i, items[i].json) : undefined;
			const group = groups.get(op) ?? { inputs: [], itemOf: [] };
			group.inputs.push(id ? { id, fields } : { fields });
			group.itemOf.push(i);
			groups.set(op, group);
		} catch (err) {
			out.error(i, err);
		}
	}
	for (const [op, { inputs, itemOf }] of groups) {
		const results = await connector.batch(op, object, inputs, {
			externalIdField: op === 'upsert' ? ext : undefined,
			batchSize: Number(raw.batchSize ?? 200),
			createIfMissing: raw.createIfMissing === true,
			readBack: raw.readBack === true,
			allowDuplicateSave: raw.allowDuplicateSave === true,
		});
		// A whole-request failure stops the node only if nothing was written: otherwise the written records
		// must reach the output (a re-run would create them twice), and the rest are parked on Failed.
		const anyWritten = results.some((r) => r.ok) || out.records.length > 0;
		for (const r of results) {
			const i = itemOf[r.index];
			if (r.ok) out.wrote(i, r);
			else if (isFatal(r.error) && !anyWritten) out.stop(i, r.error);
			else out.fail(i, r.error);
		}
	}
	return out.result();
}
