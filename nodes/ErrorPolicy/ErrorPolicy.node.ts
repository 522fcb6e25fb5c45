import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import {
	classifyAll,
	decide,
	park,
	recordRetryOutcome,
	type Decision,
	type PolicyConfig,
} from '../../sync/errors';
import type { ReviewItem, SyncStore } from '../../sync/store';
import { openNodeStore } from '../shared/store';
import { failedItem } from '../shared/records';
import { outputJson, type Planned } from './output';
import { policyProperties, readPolicy } from './params';

const RETRY = 0;
const REVIEW = 1;
const SKIPPED = 2;

/**
 * Classifies every failed item (ours, n8n's error outputs, the Error Trigger's payload) and applies the configured
 * strategy: Retry Later and Review park the record in the store, Skipped logs the reason, Stop on Error fails the
 * run so that n8n's error workflow fires. Every input item comes out exactly once, or the node fails.
 */
export class ErrorPolicy implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Error Policy',
		name: 'errorPolicy',
		icon: 'file:errorPolicy.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["stopOnError"] ? "Stop on Error" : ($parameter["autoRetry"] ? "Auto Retry, max " + $parameter["maxRetries"] : "No auto retry")}}',
		description: 'Classify failed records and apply a strategy: skip and continue, retry with backoff, fail fast, manual review',
		defaults: { name: 'Error Policy' },
		inputs: ['main'],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- three outputs: Retry Later, Review, Skipped
		outputs: ['main', 'main', 'main'],
		outputNames: ['Retry Later', 'Review', 'Skipped'],
		credentials: [{ name: 'fluxSyncStoreApi', required: true, displayOptions: { show: { store: ['postgres'] } } }],
		properties: [
			{
				displayName:
					'Takes failed items: the Invalid/Failed outputs of FluxCascade nodes, any node\'s "continue (using error output)" items, or an Error Trigger\'s payload',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			...policyProperties,
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[][] = [[], [], []];
		const now = new Date();
		const node = this.getNode();

		// 1. Decide everything first: fail fast must stop the run before anything is written.
		const planned: Planned[] = [];
		for (let i = 0; i < items.length; i++) {
			let policy: PolicyConfig;
			try {
				policy = readPolicy(this, i);
			} catch (err) {
				const error = new NodeOperationError(node, err as Error, { itemIndex: i, description: 'The Error Policy settings need fixing; no record was routed.' });
				if (!this.continueOnFail()) throw error;
				out[RETRY].push({ json: { error: error.message }, error, pairedItem: { item: i } });
				continue;
			}
			const explicit = String(this.getNodeParameter('mappingId', i, '') ?? '').trim();
			// One item is one failure, except the Error Trigger payload of a stopped batch: one per record in it.
			for (const failure of classifyAll(items[i].json, { itemError: items[i].error, now })) {
				const decision = decide(failure.errors, policy, { now, kind: failure.kind });
				planned.push({ index: i, failure, decision, policy, mappingId: explicit || failure.mappingId });
			}
		}
		const stops = planned.filter((p) => p.decision.strategy === 'fail_fast');
		if (stops.length > 0 && !this.continueOnFail()) throw failFastError(this, stops[0], stops.length, planned);

		// 2. Apply: park retry-later and review records, log skipped ones.
		const needsStore = planned.some((p) => p.decision.strategy === 'retry' || p.decision.strategy === 'review' || p.failure.reviewItemId);
		let store: SyncStore | null = null;
		if (needsStore) {
			try {
				store = await openNodeStore(this);
			} catch (err) {
				// Records must never vanish: without a store the node fails (or hands every item back as an error).
				const error = new NodeOperationError(node, err as Error, { description: 'The store for review items could not be opened; nothing was parked.' });
				if (!this.continueOnFail()) throw error;
				for (const p of planned) out[RETRY].push({ json: { ...outputJson(p, null), error: error.message }, error, pairedItem: { item: p.index } });
				return out;
			}
		}
		let skipped = 0;
		let parked = 0;
		try {
			for (const p of planned) {
				const pairedItem = { item: p.index };
				if (p.decision.strategy === 'fail_fast') {
					const error = failFastError(this, p, 1, [p]);
					out[RETRY].push({ json: { ...outputJson(p, null), error: error.message }, error, pairedItem });
					continue;
				}
				try {
					// A record a retry worker sent back: the attempt belongs to the review item it came from.
					const fromWorker = store && p.failure.reviewItemId ? await retryFailure(store, p, now) : null;
					if (fromWorker) {
						out[fromWorker.route].push({ json: outputJson(fromWorker.planned, fromWorker.item), pairedItem });
						parked++;
						continue;
					}
					if (p.decision.strategy === 'skip') {
						this.logger.info(`Error Policy: ${p.failure.summary} → ${p.decision.reason}`, { node: node.name, code: p.decision.code ?? undefined });
						out[SKIPPED].push({ json: outputJson(p, null), pairedItem });
						skipped++;
						continue;
					}
					const res = await park(store!, p.failure, p.decision, { policy: p.policy, mappingId: p.mappingId, now, context: contextOf(this) });
					const done = { ...p, decision: res.decision };
					out[routeOf(res.decision, res.item)].push({ json: outputJson(done, res.item, res.created), pairedItem });
					parked++;
				} catch (err) {
					const error = new NodeOperationError(node, err as Error, { itemIndex: p.index, description: `Could not park ${p.failure.summary}` });
					if (!this.continueOnFail()) throw error;
					out[RETRY].push({ json: { ...outputJson(p, null), error: error.message }, error, pairedItem });
				}
			}
			// The run of this execution (when a Sync Ledger started one) counts what was skipped and parked.
			const runId = this.getExecutionId();
			if (store && runId && (skipped || parked)) await store.updateRun(runId, { increment: { skipped, parked } }).catch(() => null);
		} finally {
			await store?.close();
		}
		return out;
	}
}

function routeOf(decision: Decision, item: ReviewItem | null): number {
	if (decision.strategy === 'skip') return SKIPPED;
	const status = item?.status ?? decision.status;
	return status === 'retry_scheduled' || status === 'approved' ? RETRY : REVIEW;
}

async function retryFailure(store: SyncStore, p: Planned, now: Date): Promise<{ route: number; item: ReviewItem; planned: Planned } | null> {
	const existing = await store.getReviewItem(p.failure.reviewItemId!);
	if (!existing || existing.status === 'resolved' || existing.status === 'discarded') return null;
	const res = await recordRetryOutcome(store, existing.id, { ok: false, errors: p.failure.errors, now });
	if (!res) return null;
	const status = res.item.status;
	const decision: Decision = {
		...p.decision,
		strategy: status === 'retry_scheduled' ? 'retry' : 'review',
		status: status === 'retry_scheduled' ? 'retry_scheduled' : status === 'failed' ? 'failed' : 'open',
		reason: res.reason,
		attempt: res.item.attempts,
		nextAttempt: status === 'retry_scheduled' ? res.item.attempts + 1 : null,
		nextRetryAt: res.item.nextRetryAt,
		delaySeconds: res.item.nextRetryAt ? Math.max(0, Math.round((Date.parse(res.item.nextRetryAt) - now.getTime()) / 1000)) : null,
	};
	return { route: status === 'retry_scheduled' ? RETRY : REVIEW, item: res.item, planned: { ...p, decision } };
}

/** Where the item failed, for the review item (never node parameters or credentials). */
function contextOf(ctx: IExecuteFunctions): IDataObject {
	const workflow = ctx.getWorkflow();
	return { parkedBy: { node: ctx.getNode().name, workflow: { id: workflow.id, name: workflow.name }, executionId: ctx.getExecutionId() } };
}

/**
 * Stop on Error: a NodeOperationError that names the record and its errors. Its context carries the record and
 * the classified errors so the error workflow's Error Policy can park exactly this record.
 */
function failFastError(ctx: IExecuteFunctions, p: Planned, count: number, batch: Planned[]): NodeOperationError {
	const { failure, decision } = p;
	const first = failure.errors[0];
	const value = first && first.value !== undefined ? ` (value ${JSON.stringify(first.value)?.slice(0, 60)})` : '';
	const more = count > 1 ? ` — and ${count - 1} more record${count === 2 ? '' : 's'} in this batch` : '';
	const error = new NodeOperationError(ctx.getNode(), `Stop on Error: ${failure.summary}${value}${more}`, {
		itemIndex: p.index,
		description: `${decision.reason}. ${first?.suggestedFix ?? ''} Nothing in this batch was parked or skipped: the run stopped here; the error workflow receives every failed record of it.`.trim(),
	});
	// The stopping record first, then the rest of the batch (bounded), each as a failed item of this package.
	const others = batch.filter((b) => b !== p).slice(0, MAX_BATCH_IN_ERROR - 1);
	error.context.fluxcascade = {
		record: failure.record as IDataObject,
		recordRef: failure.recordRef as IDataObject,
		errors: failure.errors as unknown as IDataObject[],
		mappingId: p.mappingId,
		stage: failure.stage,
		node: failure.node,
		batch: [p, ...others].map(asFailedItem),
		batchSize: batch.length,
	} as IDataObject;
	return error;
}

/** How many failed records of a stopped batch travel in the error (the execution keeps them all anyway). */
const MAX_BATCH_IN_ERROR = 100;

function asFailedItem(p: Planned): IDataObject {
	if (p.failure.kind === 'conflict' && p.failure.conflict) {
		const c = p.failure.conflict;
		return { route: 'conflict', reason: c.reason, message: c.message, mappingId: p.mappingId, source: c.source, target: c.target, conflicts: c.fields, records: p.failure.record } as IDataObject;
	}
	return failedItem(p.failure.stage ?? p.failure.source, p.failure.node ?? '', (p.failure.record ?? null) as IDataObject, p.failure.errors, { mappingId: p.mappingId });
}
