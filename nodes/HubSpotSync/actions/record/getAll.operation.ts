import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { handleItemError, recordItem, type Outputs } from '../../helpers';
import { hubspotConnector } from '../../transport';
import { forOperations, linksOption, propertiesOption, withDisplay } from '../common.description';
import { objectAt, readOptionsAt } from './shared';

const properties: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { returnAll: [false] } },
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Deleted Records',
				name: 'archived',
				type: 'boolean',
				default: false,
				description: 'Whether to read archived (deleted) records instead of live ones, for delete sync',
			},
			linksOption,
			propertiesOption,
		],
	},
];

export const description = withDisplay(forOperations(['getAll']), properties);

/** Every record (or the first N), 100 per call, following HubSpot's `after` cursor. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], out: Outputs): Promise<void> {
	const hs = await hubspotConnector(this);
	for (let i = 0; i < items.length; i++) {
		try {
			const object = objectAt(this, i);
			const returnAll = this.getNodeParameter('returnAll', i) as boolean;
			const limit = returnAll ? undefined : (this.getNodeParameter('limit', i) as number);
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			for await (const page of hs.pages(object, { ...readOptionsAt(this, i), archived: options.archived === true, limit })) {
				for (const record of page) out.success.push(recordItem(record, i));
			}
		} catch (err) {
			handleItemError(this, out, err, items[i].json, i);
		}
	}
}
