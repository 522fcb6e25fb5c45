import { hostname } from 'node:os';
import {
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
} from 'n8n-workflow';
import { retryPayload, reviewItemJson } from '../../sync/errors';
import type { ReviewItem, SyncStore } from '../../sync/store';
import { reviewStoreProperties } from '../ErrorPolicy/params';
import { openNodeStore } from '../shared/store';

/**
 * The retry worker's trigger: on every poll it claims the review items whose retry is due (and the ones a person
 * approved) with a lease, so two workers never get the same item, and emits each record for a retry path. The
 * path reports back with the Review Queue's Record Retry Success / Failure (or through the Error Policy).
 */
export class ReviewQueueTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Review Queue Trigger',
		name: 'reviewQueueTrigger',
		icon: 'file:reviewQueueTrigger.svg',
		group: ['trigger'],
		version: 1,
		subtitle: 'Due retries and approved records',
		description: 'Emits parked records whose retry is due, and records a person approved, for a retry-worker workflow',
		defaults: { name: 'Review Queue Trigger' },
		polling: true,
		inputs: [],
		outputs: ['main'],
		credentials: [{ name: 'fluxSyncStoreApi', required: true, displayOptions: { show: { store: ['postgres'] } } }],
		properties: [
			{
				displayName:
					'Connect the records to the sync node that failed, then to Review Queue → Record Retry Success (success) and Record Retry Failure (its error output)',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Batch Size',
				name: 'batchSize',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 1000 },
				default: 50,
				description: 'Most records to claim per poll',
			},
			{
				displayName: 'Lease (Seconds)',
				name: 'leaseSeconds',
				type: 'number',
				typeOptions: { minValue: 10 },
				default: 300,
				description: 'How long a claimed record is reserved for this worker; without a reported result it becomes due again afterwards',
			},
			{
				displayName: 'Mapping ID',
				name: 'mappingId',
				type: 'string',
				default: '',
				description: 'Only records of this mapping (others are left for their own worker). Empty: every mapping.',
			},
			{
				displayName: 'Output',
				name: 'output',
				type: 'options',
				options: [
					{ name: 'Record With Review Info', value: 'record', description: 'The record as it failed (fields at the top level) plus a review object' },
					{ name: 'Review Item', value: 'item', description: 'The whole review item (ID, status, data, errors, attempts)' },
				],
				default: 'record',
			},
			...reviewStoreProperties,
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const batchSize = Math.max(1, Math.min(1000, Number(this.getNodeParameter('batchSize', 50))));
		const leaseSeconds = Math.max(10, Number(this.getNodeParameter('leaseSeconds', 300)));
		const mappingId = String(this.getNodeParameter('mappingId', '') ?? '').trim();
		const output = this.getNodeParameter('output', 'record') as string;
		let store: SyncStore;
		try {
			store = await openNodeStore(this);
		} catch (err) {
			throw new NodeOperationError(this.getNode(), err as Error, { description: 'The store for review items could not be opened' });
		}
		try {
			const now = new Date();
			let items: ReviewItem[];
			if (this.getMode() === 'manual') {
				// "Fetch test event" peeks: it must not lease records away from the real worker.
				const page = await store.listReviewItems({ status: ['retry_scheduled', 'approved'], ...(mappingId ? { mappingId } : {}) }, { limit: batchSize, order: 'oldest' });
				items = page.items.filter((r) => r.nextRetryAt !== null && r.nextRetryAt <= now.toISOString());
				if (items.length === 0) items = page.items.slice(0, 1);
			} else {
				const workerId = workerIdOf(this);
				const claimed = await store.claimDueRetries(now, batchSize, workerId, leaseSeconds);
				items = [];
				for (const r of claimed) {
					// The store claims across mappings: hand other mappings' records straight back.
					if (mappingId && r.mappingId !== mappingId) await store.releaseLease(r.id, workerId);
					else items.push(r);
				}
			}
			if (items.length === 0) return null;
			const json = items.map((r) => (output === 'item' ? { ...reviewItemJson(r), attempt: r.attempts + 1 } : retryPayload(r)) as IDataObject);
			return [this.helpers.returnJsonArray(json)];
		} finally {
			await store.close();
		}
	}
}

/** One id per process and workflow: leases name their owner, and the attempts log shows who tried. */
function workerIdOf(ctx: IPollFunctions): string {
	return `${hostname()}:${process.pid}:${ctx.getWorkflow().id ?? 'workflow'}:${ctx.getNode().name}`;
}

