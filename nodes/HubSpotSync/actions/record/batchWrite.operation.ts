import { PLANNED, plannedOption, plannedWrite, type PlannedWrite } from '../../../shared/plannedWrite';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { BatchOperation } from '../../../../connectors/hubspot';
import type { Outputs } from '../../helpers';
import { fieldsMapper, fieldsSource, forOperations, setValues, uniquePropertyParam, withDisplay } from '../common.description';
import { runBatch } from './batch';

const properties: INodeProperties[] = [
	{
		displayName: 'Write As',
		name: 'writeAction',
		type: 'options',
		options: [
			{ name: 'Create', value: 'create', description: 'Create a record per item' },
			{ name: 'Update', value: 'update', description: "Update the record of each item's ID" },
			{ name: 'Create or Update', value: 'upsert', description: 'Create a new record, or update the current one if it already exists (upsert)' },
			{ name: 'Delete (Archive)', value: 'archive', description: "Archive the record of each item's ID" },
			plannedOption,
		],
		default: 'upsert',
	},
	uniquePropertyParam('idProperty', 'Match On (Unique Property) Name or ID', { displayOptions: { show: { writeAction: ['upsert', PLANNED] } } }),
	{ ...fieldsSource, displayOptions: { show: { writeAction: ['create', 'update', 'upsert', PLANNED] } } },
	{ ...fieldsMapper('upsert'), displayOptions: { show: { writeAction: ['create', 'update', 'upsert', PLANNED], fieldsSource: ['mapper'] } } },
	{ ...setValues, displayOptions: { show: { writeAction: ['create', 'update', 'upsert', PLANNED] } } },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 100 },
				default: 100,
				description: 'Records per HubSpot call (HubSpot accepts at most 100)',
			},
			{
				displayName: 'Create If Missing',
				name: 'createIfMissing',
				type: 'boolean',
				default: false,
				description: 'Whether, when updating, a record that no longer exists in HubSpot is created instead',
			},
			{
				displayName: 'Plan Saw Every Target Record',
				name: 'createsChecked',
				type: 'boolean',
				default: false,
				displayOptions: { show: { '/writeAction': [PLANNED] } },
				description:
					'Whether the Sync Ledger Plan was given every HubSpot record (a full read), so a planned create is written as a create instead of an upsert by the match property. A create the ledger flags as possibly done before is still an upsert.',
			},
		],
	},
];

const hubspotWrite = (w: PlannedWrite): BatchOperation => (w === 'delete' ? 'archive' : w);

export const description = withDisplay(forOperations(['batchWrite']), properties);

/**
 * Many items in batches of ≤100 with one result per record: written records on the first output with
 * their `action`, failed ones on Failed with a classified error. One bad record never fails its batch-mates.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], out: Outputs): Promise<void> {
	await runBatch(this, items, out, (i) => {
		const chosen = this.getNodeParameter('writeAction', i) as BatchOperation | typeof PLANNED;
		const options = this.getNodeParameter('options', i, {}) as IDataObject;
		const action: BatchOperation =
			chosen === PLANNED ? hubspotWrite(plannedWrite(items[i].json, { canUpsert: true, createsAreChecked: options.createsChecked === true })) : chosen;
		return {
			action,
			matchKey: action === 'upsert' ? (this.getNodeParameter('idProperty', i) as string) || undefined : undefined,
			createIfMissing: action === 'update' && options.createIfMissing === true,
			batchSize: Number(options.batchSize ?? 100),
		};
	});
}
