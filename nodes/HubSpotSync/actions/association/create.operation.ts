import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { ASSOCIATION_TYPES, type HubSpotObject } from '../../../../connectors/hubspot';
import { classifiedError } from '../../../../errors/taxonomy';
import { failed, handleBatchError, type Outputs } from '../../helpers';
import { hubspotConnector } from '../../transport';
import { withDisplay } from '../common.description';
import { idParam, objectParam } from './common';

const properties: INodeProperties[] = [
	objectParam('fromObject', 'From', 'deals'),
	idParam('fromId', 'From Record ID', 'ID of the record to associate from'),
	objectParam('toObject', 'To', 'contacts'),
	idParam('toId', 'To Record ID', 'ID of the record to associate with'),
	{
		displayName: 'Primary',
		name: 'primary',
		type: 'boolean',
		default: false,
		description: "Whether this is the record's primary company (contact → company and deal → company only)",
	},
];

export const description = withDisplay({ show: { resource: ['association'], operation: ['create'] } }, properties);

/** Associations of all items in batch calls (≤100 pairs each), grouped by object pair; one result per item. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], out: Outputs): Promise<void> {
	const hs = await hubspotConnector(this);
	const groups = new Map<string, { from: HubSpotObject; to: HubSpotObject; primary: boolean; members: Array<{ json: IDataObject; index: number; fromId: string; toId: string }> }>();
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		const from = this.getNodeParameter('fromObject', i) as HubSpotObject;
		const to = this.getNodeParameter('toObject', i) as HubSpotObject;
		const primary = this.getNodeParameter('primary', i, false) as boolean;
		const fromId = String(this.getNodeParameter('fromId', i) ?? '').trim();
		const toId = String(this.getNodeParameter('toId', i) ?? '').trim();
		const pair = ASSOCIATION_TYPES[`${from}->${to}`];
		const problem = !pair
			? `HubSpot Sync associates deals with contacts or companies, and contacts with companies; not ${from} with ${to}`
			: primary && pair.primary === undefined
				? `A ${from} → ${to} association has no Primary label`
				: !fromId || !toId
					? 'Both record IDs are needed'
					: undefined;
		if (problem) {
			out.failed.push(failed(this, json, [classifiedError(!fromId || !toId ? 'REQUIRED_FIELD_MISSING' : 'INVALID_FORMAT', { message: problem })], i, { operation: 'associate' }));
			continue;
		}
		const key = `${from}|${to}|${primary}`;
		const group = groups.get(key) ?? { from, to, primary, members: [] };
		group.members.push({ json, index: i, fromId, toId });
		groups.set(key, group);
	}
	for (const g of groups.values()) {
		try {
			const results = await hs.associateMany(g.from, g.to, g.members, { primary: g.primary });
			results.forEach((r, k) => {
				const m = g.members[k];
				if (r.ok) {
					out.success.push({
						json: { system: 'hubspot', object: g.from, id: r.fromId, links: { [g.to]: [r.toId] }, associationTypeIds: r.typeIds, primary: g.primary, action: 'created' },
						pairedItem: { item: m.index },
					});
				} else {
					out.failed.push(failed(this, m.json, [r.error], m.index, { operation: 'associate' }));
				}
			});
		} catch (err) {
			handleBatchError(this, out, err, g.members);
		}
	}
}
