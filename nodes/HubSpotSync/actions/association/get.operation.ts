import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { HubSpotObject } from '../../../../connectors/hubspot';
import { handleItemError, type Outputs } from '../../helpers';
import { hubspotConnector } from '../../transport';
import { withDisplay } from '../common.description';
import { idParam, objectParam } from './common';

const properties: INodeProperties[] = [
	objectParam('fromObject', 'From', 'deals'),
	idParam('fromId', 'Record ID', 'ID of the record whose associations to read'),
	objectParam('toObject', 'To', 'contacts'),
];

export const description = withDisplay({ show: { resource: ['association'], operation: ['get'] } }, properties);

/** The records associated with each item's record: ids under `links`, with their association types. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], out: Outputs): Promise<void> {
	const hs = await hubspotConnector(this);
	for (let i = 0; i < items.length; i++) {
		try {
			const from = this.getNodeParameter('fromObject', i) as HubSpotObject;
			const to = this.getNodeParameter('toObject', i) as HubSpotObject;
			const id = String(this.getNodeParameter('fromId', i) ?? '').trim();
			const found = await hs.associations(from, id, to);
			out.success.push({
				json: {
					system: 'hubspot',
					object: from,
					id,
					links: { [to]: found.map((a) => a.id) },
					associations: found.map((a) => ({ id: a.id, typeIds: a.typeIds, labels: a.labels })),
				},
				pairedItem: { item: i },
			});
		} catch (err) {
			handleItemError(this, out, err, items[i].json, i);
		}
	}
}
