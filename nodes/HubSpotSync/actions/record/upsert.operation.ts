import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { Outputs } from '../../helpers';
import { fieldsMapper, fieldsSource, forOperations, setValues, uniquePropertyParam, withDisplay } from '../common.description';
import { runBatch } from './batch';

const properties: INodeProperties[] = [
	uniquePropertyParam('idProperty', 'Match On (Unique Property) Name or ID', { required: true }),
	fieldsSource,
	fieldsMapper('upsert'),
	setValues,
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
		],
	},
];

export const description = withDisplay(forOperations(['upsert']), properties);

/**
 * Create-or-update by a unique property through HubSpot's batch upsert: all items in calls of ≤100,
 * `action: created` or `updated` per record. Re-running never duplicates.
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], out: Outputs): Promise<void> {
	await runBatch(this, items, out, (i) => ({
		action: 'upsert',
		matchKey: (this.getNodeParameter('idProperty', i) as string) || undefined,
		batchSize: Number((this.getNodeParameter('options', i, {}) as IDataObject).batchSize ?? 100),
	}));
}
