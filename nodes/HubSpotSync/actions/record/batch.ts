/**
 * Writes many items through HubSpot's batch endpoints (≤100 per call). Items are grouped by what their
 * parameters resolve to (object, action, key), and each result goes back to its own item.
 */
import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import type { BatchOperation, HubSpotObject } from '../../../../connectors/hubspot';
import { handleBatchError, handleItemError, routeWrite, writeInput, type Outputs } from '../../helpers';
import { hubspotConnector } from '../../transport';
import { fieldsAt, objectAt } from './shared';

export interface BatchPlan {
	action: BatchOperation;
	matchKey?: string;
	createIfMissing?: boolean;
	batchSize?: number;
}

export async function runBatch(ctx: IExecuteFunctions, items: INodeExecutionData[], out: Outputs, planAt: (i: number) => BatchPlan): Promise<void> {
	const hs = await hubspotConnector(ctx);
	const groups = new Map<string, { object: HubSpotObject; plan: BatchPlan; members: Array<{ json: IDataObject; index: number; fields: IDataObject }> }>();
	for (let i = 0; i < items.length; i++) {
		let object: HubSpotObject;
		let plan: BatchPlan;
		let fields: IDataObject;
		try {
			object = objectAt(ctx, i);
			plan = planAt(i);
			fields = plan.action === 'archive' ? {} : fieldsAt(ctx, i, items[i].json);
		} catch (err) {
			// This item's own problem (e.g. no Sync Ledger decision to write as planned): Failed, the rest go on.
			handleItemError(ctx, out, err, items[i].json, i, { operation: 'batchWrite' });
			continue;
		}
		const key = JSON.stringify([object, plan.action, plan.matchKey ?? '', plan.createIfMissing ?? false, plan.batchSize ?? 100]);
		const group = groups.get(key) ?? { object, plan, members: [] };
		group.members.push({ json: items[i].json, index: i, fields });
		groups.set(key, group);
	}
	for (const { object, plan, members } of groups.values()) {
		try {
			const results = await hs.write(
				object,
				plan.action,
				members.map((m) => writeInput(m.json, m.fields, plan.action === 'update' || plan.action === 'archive')),
				{ matchKey: plan.matchKey || undefined, createIfMissing: plan.createIfMissing, batchSize: plan.batchSize },
			);
			results.forEach((r, k) => routeWrite(ctx, out, r, members[k].json, members[k].index, { operation: plan.action, object }));
		} catch (err) {
			handleBatchError(ctx, out, err, members);
		}
	}
}
