import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { WriteInput, WriteOperation } from '../../../../connectors/core/types';
import { isFatal, type SalesforceConnector } from '../../../../connectors/salesforce';
import { fieldsSource, Outputs, recordIdOf, writeOptions } from '../common';
import { sObjectFor } from '../resources';
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
		],
		default: 'upsert',
		description: 'What to do with every input item, 200 records per API call (sObject Collections)',
		displayOptions: { show },
	},
	externalIdField(['batchWrite'], { batchOperation: ['upsert'] }),
	...fieldsSource(['batchWrite']).map((p) => ({ ...p, displayOptions: { show: { ...p.displayOptions!.show, batchOperation: ['create', 'update', 'upsert'] } } })),
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
		],
	),
];

export async function execute(this: IExecuteFunctions, connector: SalesforceConnector): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const object = sObjectFor(this, 0);
	const out = new Outputs(this, object, 'batchWrite');
	if (items.length === 0) return out.result();
	const op = this.getNodeParameter('batchOperation', 0) as WriteOperation;
	const ext = op === 'upsert' ? String(this.getNodeParameter('externalIdField', 0)).trim() : undefined;
	const raw = this.getNodeParameter('writeOptions', 0, {}) as IDataObject;

	// Items whose fields cannot even be read fail alone; the rest travel together.
	const inputs: WriteInput[] = [];
	const itemOf: number[] = [];
	for (let i = 0; i < items.length; i++) {
		try {
			const { fields } = await writeParams(this, connector, i, object, op);
			const id = op === 'update' || op === 'delete' ? recordIdOf(this, i, items[i].json) : undefined;
			inputs.push(id ? { id, fields } : { fields });
			itemOf.push(i);
		} catch (err) {
			out.error(i, err);
		}
	}
	const results = await connector.batch(op, object, inputs, {
		externalIdField: ext,
		batchSize: Number(raw.batchSize ?? 200),
		createIfMissing: raw.createIfMissing === true,
		readBack: raw.readBack === true,
		allowDuplicateSave: raw.allowDuplicateSave === true,
	});
	// A whole-request failure stops the node only if nothing was written: otherwise the written records
	// must reach the output (a re-run would create them twice), and the rest are parked on Failed.
	const anyWritten = results.some((r) => r.ok);
	for (const r of results) {
		const i = itemOf[r.index];
		if (r.ok) out.wrote(i, r);
		else if (isFatal(r.error) && !anyWritten) out.stop(i, r.error);
		else out.fail(i, r.error);
	}
	return out.result();
}
