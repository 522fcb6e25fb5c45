import { UserError, type IDataObject, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import {
	classify,
	classifyAll,
	DEFAULT_POLICY,
	handleDashboardRequest,
	humanSeconds,
	park,
	parseDashboardRequest,
	recordRetryOutcome,
	redactSecrets,
	retryPayload,
	reviewItemJson,
	type Decision,
	type DashboardQuery,
} from '../../sync/errors';
import type { ReviewFilter, ReviewItem, ReviewStatus, SyncStore } from '../../sync/store';
import { outputJson } from '../ErrorPolicy/output';

/** One function per operation of the Review Queue node: parameter reading around the engine in sync/errors. */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** Statuses a retry applies to (an approved item is already queued). */
const RETRYABLE: ReviewStatus[] = ['open', 'retry_scheduled', 'failed'];
const ACTIVE: ReviewStatus[] = ['open', 'retry_scheduled', 'approved', 'failed'];

export interface OpContext {
	ctx: IExecuteFunctions;
	store: SyncStore;
	item: INodeExecutionData;
	i: number;
	now: Date;
}

/** The review item an input item is about: the parameter, else what the trigger, a failed item or the Error Policy left on it. */
export function itemIdOf(json: Obj, param: string): string | undefined {
	if (param.trim()) return param.trim();
	const record = isObj(json.record) ? json.record : {};
	for (const holder of [json, record]) {
		if (isObj(holder.review) && str(holder.review.itemId)) return str(holder.review.itemId);
		if (isObj(holder.decision) && str(holder.decision.reviewItemId)) return str(holder.decision.reviewItemId);
		if (str(holder.reviewItemId)) return str(holder.reviewItemId);
	}
	if (typeof json.id === 'string' && json.id.startsWith('rev_')) return json.id;
	return undefined;
}

async function requireItem(op: OpContext): Promise<ReviewItem> {
	const id = itemIdOf(op.item.json, String(op.ctx.getNodeParameter('itemId', op.i, '') ?? ''));
	if (!id) throw new UserError('No Review Item ID: set it, or feed items from the Review Queue Trigger, the Error Policy or a List');
	const found = await op.store.getReviewItem(id);
	if (!found) throw new UserError(`No review item ${id} in this store`);
	return found;
}

const note = (op: OpContext) => str(op.ctx.getNodeParameter('note', op.i, '')) ?? null;

function parseValue(text: string): unknown {
	const t = text.trim();
	if (/^(-?\d+(\.\d+)?|true|false|null)$/.test(t) || /^[[{"]/.test(t)) {
		try {
			return JSON.parse(t);
		} catch {
			return text;
		}
	}
	return text;
}

/** Sets a dotted path (`fields.emails[0].address`) in a copy of `data`. */
export function setPath(data: unknown, path: string, value: unknown): unknown {
	const keys = path
		.replace(/\[(\d+)\]/g, '.$1')
		.split('.')
		.filter(Boolean);
	if (keys.length === 0) throw new UserError('A field path is empty');
	const root: Obj = isObj(data) ? structuredClone(data) : {};
	let node: Obj = root;
	keys.forEach((key, k) => {
		if (k === keys.length - 1) {
			node[key] = value;
			return;
		}
		const next = node[key];
		node[key] = isObj(next) || Array.isArray(next) ? next : /^\d+$/.test(keys[k + 1]) ? [] : {};
		node = node[key] as Obj;
	});
	return root;
}

function filterFrom(raw: IDataObject): ReviewFilter {
	const f: ReviewFilter = {};
	const arr = (v: unknown) => (Array.isArray(v) ? v : typeof v === 'string' && v ? v.split(',').map((s) => s.trim()) : []).filter(Boolean);
	if (arr(raw.status).length) f.status = arr(raw.status) as ReviewStatus[];
	if (arr(raw.category).length) f.category = arr(raw.category) as ReviewFilter['category'];
	if (arr(raw.code).length) f.code = arr(raw.code) as ReviewFilter['code'];
	if (raw.kind === 'error' || raw.kind === 'conflict') f.kind = raw.kind;
	if (str(raw.mappingId)) f.mappingId = str(raw.mappingId);
	if (str(raw.recordId)) f.recordId = str(raw.recordId);
	if (str(raw.from)) f.from = str(raw.from)!;
	if (str(raw.to)) f.to = str(raw.to)!;
	return f;
}

// ------------------------------------------------------------------------------------------------ operations

export async function add(op: OpContext): Promise<INodeExecutionData[]> {
	const { ctx, store, item, i, now } = op;
	const json = item.json;
	// Items the Error Policy already parked are not added twice.
	const parkedId = isObj(json.decision) ? str(json.decision.reviewItemId) : undefined;
	if (parkedId) {
		const existing = await store.getReviewItem(parkedId);
		if (existing) return [{ json: { ...json, reviewItem: reviewItemJson(existing) as IDataObject }, pairedItem: { item: i } }];
	}
	const mappingParam = str(ctx.getNodeParameter('mappingId', i, ''));
	const workflow = ctx.getWorkflow();
	const out: INodeExecutionData[] = [];
	for (const failure of classifyAll(json, { itemError: item.error, now })) {
		const first = failure.errors[0];
		const decision: Decision = {
			strategy: 'review',
			status: 'open',
			reason: 'manual review: added to the Review Queue',
			attempt: 1,
			nextAttempt: null,
			nextRetryAt: null,
			delaySeconds: null,
			maxRetries: DEFAULT_POLICY.maxRetries,
			code: first?.code ?? null,
			category: first?.category ?? null,
		};
		const mappingId = mappingParam ?? failure.mappingId;
		const res = await park(store, failure, decision, {
			policy: DEFAULT_POLICY,
			mappingId,
			now,
			context: { parkedBy: { node: ctx.getNode().name, workflow: { id: workflow.id, name: workflow.name }, executionId: ctx.getExecutionId() } },
		});
		out.push({ json: outputJson({ index: i, failure, decision, policy: DEFAULT_POLICY, mappingId }, res.item, res.created), pairedItem: { item: i } });
	}
	return out;
}

export async function list(op: OpContext): Promise<INodeExecutionData[]> {
	const { ctx, store, i } = op;
	const filter = filterFrom(ctx.getNodeParameter('filters', i, {}) as IDataObject);
	const returnAll = ctx.getNodeParameter('returnAll', i, false) as boolean;
	const limit = returnAll ? Infinity : Number(ctx.getNodeParameter('limit', i, 50));
	const options = ctx.getNodeParameter('listOptions', i, {}) as IDataObject;
	const order = options.order === 'oldest' ? 'oldest' : 'newest';
	let cursor = str(options.cursor) ?? null;
	const items: ReviewItem[] = [];
	do {
		const page = await store.listReviewItems(filter, { limit: Math.min(1000, limit - items.length), cursor, order });
		items.push(...page.items);
		cursor = page.next;
	} while (cursor && items.length < limit);
	const out: INodeExecutionData[] = items.map((r) => ({ json: reviewItemJson(r) as IDataObject, pairedItem: { item: i } }));
	if (out.length && cursor) out[out.length - 1].json.nextCursor = cursor;
	return out;
}

export async function get(op: OpContext): Promise<INodeExecutionData[]> {
	const found = await requireItem(op);
	const attempts = await op.store.listAttempts(found.id);
	return [{ json: { ...(reviewItemJson(found) as IDataObject), attemptLog: attempts as unknown as IDataObject[] }, pairedItem: { item: op.i } }];
}

export async function editData(op: OpContext): Promise<INodeExecutionData[]> {
	const { ctx, store, i, now } = op;
	const found = await requireItem(op);
	let data: unknown;
	if (ctx.getNodeParameter('dataSource', i, 'fields') === 'json') {
		const raw = ctx.getNodeParameter('dataJson', i, '{}') as string | IDataObject;
		try {
			data = typeof raw === 'string' ? JSON.parse(raw) : raw;
		} catch (err) {
			throw new UserError(`Data (JSON) is not valid JSON: ${(err as Error).message}`);
		}
	} else {
		data = found.data;
		const fields = ((ctx.getNodeParameter('fields', i, {}) as IDataObject).field ?? []) as Array<{ path: string; value: string }>;
		for (const f of fields) data = setPath(data, String(f.path ?? ''), parseValue(String(f.value ?? '')));
	}
	const edited = await store.editReviewData(found.id, data, { note: note(op) ?? 'Data edited' });
	let result = edited!;
	if (ctx.getNodeParameter('approveAfterEdit', i, true)) {
		result = (await store.setReviewStatus(found.id, 'approved', { nextRetryAt: now, expectedStatus: RETRYABLE, note: note(op) ?? 'Edited and approved' })) ?? result;
	}
	return [{ json: reviewItemJson(result) as IDataObject, pairedItem: { item: i } }];
}

export async function approve(op: OpContext): Promise<INodeExecutionData[]> {
	const found = await requireItem(op);
	const res = await op.store.setReviewStatus(found.id, 'approved', { nextRetryAt: op.now, expectedStatus: RETRYABLE, note: note(op) ?? 'Approved' });
	if (res && res.status !== 'approved') throw new UserError(`Review item ${found.id} is ${res.status}; only open, scheduled or failed items can be approved`);
	return [{ json: reviewItemJson(res!) as IDataObject, pairedItem: { item: op.i } }];
}

export async function discard(op: OpContext): Promise<INodeExecutionData[]> {
	const found = await requireItem(op);
	const res = await op.store.setReviewStatus(found.id, 'discarded', { expectedStatus: ACTIVE, note: note(op) ?? 'Discarded' });
	return [{ json: reviewItemJson(res!) as IDataObject, pairedItem: { item: op.i } }];
}

export async function resolveConflict(op: OpContext): Promise<INodeExecutionData[]> {
	const { ctx, store, i } = op;
	const found = await requireItem(op);
	if (found.kind !== 'conflict') throw new UserError(`Review item ${found.id} is an error, not a conflict: use Edit Data and Approve`);
	if (found.status === 'resolved' || found.status === 'discarded') throw new UserError(`Review item ${found.id} is already ${found.status}`);
	const meta = isObj(found.meta) ? found.meta : {};
	const conflict = isObj(meta.conflict) ? meta.conflict : {};
	const fields = (Array.isArray(conflict.fields) ? conflict.fields : []).filter(isObj);
	const mode = ctx.getNodeParameter('resolution', i, 'source') as 'source' | 'target' | 'perField';
	const choices = ((ctx.getNodeParameter('fieldChoices', i, {}) as IDataObject).choice ?? []) as Array<{ field: string; take: string; value?: string }>;
	const unknown = choices.filter((c) => !fields.some((f) => f.field === c.field)).map((c) => c.field);
	if (unknown.length) throw new UserError(`Not a conflicting field of ${found.id}: ${unknown.join(', ')} (conflicting: ${fields.map((f) => String(f.field)).join(', ') || 'none'})`);
	const resolution: IDataObject[] = [];
	const toTarget: IDataObject = {};
	const toSource: IDataObject = {};
	for (const f of fields) {
		const choice = mode === 'perField' ? choices.find((c) => c.field === f.field) : undefined;
		const take = mode === 'perField' ? (choice?.take ?? 'source') : mode;
		const value = take === 'value' ? parseValue(String(choice?.value ?? '')) : take === 'target' ? f.targetValue : f.sourceValue;
		const field = String(f.field);
		const sourceField = Array.isArray(f.sourceField) ? f.sourceField.join(' + ') : String(f.sourceField ?? field);
		resolution.push({ field, sourceField, take, value: value as IDataObject[string] });
		if (JSON.stringify(value) !== JSON.stringify(f.targetValue)) toTarget[field] = value as IDataObject[string];
		if (JSON.stringify(value) !== JSON.stringify(f.sourceValue)) toSource[sourceField] = value as IDataObject[string];
	}
	const data = isObj(found.data) ? { ...found.data, resolution } : { records: found.data, resolution };
	await store.editReviewData(found.id, data, { note: note(op) ?? `Conflict resolved (${mode})` });
	const closed = await store.setReviewStatus(found.id, 'resolved', { note: note(op) ?? `Conflict resolved (${mode})` });
	return [
		{
			json: {
				reviewItemId: found.id,
				status: closed?.status ?? 'resolved',
				mappingId: found.mappingId,
				source: (conflict.source ?? null) as IDataObject,
				target: (conflict.target ?? null) as IDataObject,
				resolution,
				// Values are in the target's terms (the ledger compares mapped values); map toSource back if names differ.
				toTarget,
				toSource,
			},
			pairedItem: { item: i },
		},
	];
}

export async function retry(op: OpContext): Promise<INodeExecutionData[]> {
	const { ctx, store, item, i, now } = op;
	const scope = ctx.getNodeParameter('retryScope', i, 'selected') as 'one' | 'selected' | 'all';
	const mode = ctx.getNodeParameter('retryMode', i, 'queue') as 'queue' | 'emit';
	let ids: string[];
	if (scope === 'all') {
		const filter = filterFrom(ctx.getNodeParameter('filters', i, {}) as IDataObject);
		const wanted = (filter.status === undefined ? RETRYABLE : ([] as ReviewStatus[]).concat(filter.status as ReviewStatus[])).filter((s) => RETRYABLE.includes(s));
		ids = [];
		let cursor: string | null = null;
		do {
			const page = await store.listReviewItems({ ...filter, status: wanted }, { limit: 1000, cursor });
			ids.push(...page.items.map((r) => r.id));
			cursor = page.next;
		} while (cursor);
	} else {
		const param = String(ctx.getNodeParameter('itemIds', i, '') ?? '');
		const fromItem = Array.isArray(item.json.ids) ? (item.json.ids as unknown[]).map(String) : [];
		ids = param.trim()
			? param.split(',').map((s) => s.trim()).filter(Boolean)
			: fromItem.length
				? fromItem
				: [itemIdOf(item.json, '')].filter((x): x is string => !!x);
		if (scope === 'one') ids = ids.slice(0, 1);
		if (ids.length === 0) throw new UserError('No review items to retry: set Review Item IDs or feed items that carry them');
	}
	if (mode === 'queue') {
		const changed = await store.setReviewStatusMany(ids, 'approved', { nextRetryAt: now, expectedStatus: RETRYABLE, note: 'Retry requested' });
		const items = await store.getReviewItems(changed);
		return items.map((r) => ({ json: { ...(reviewItemJson(r) as IDataObject), queued: true }, pairedItem: { item: i } }));
	}
	// Emit now: hold the records from the retry worker for a while, in case this path never reports back.
	const hold = Math.max(1, Number(ctx.getNodeParameter('holdMinutes', i, 15))) * 60_000;
	const changed = await store.setReviewStatusMany(ids, 'retry_scheduled', { nextRetryAt: new Date(now.getTime() + hold), expectedStatus: [...RETRYABLE, 'approved'] });
	const items = await store.getReviewItems(changed);
	return items.map((r) => ({ json: retryPayload(r) as IDataObject, pairedItem: { item: i } }));
}

async function recordResult(op: OpContext, ok: boolean): Promise<INodeExecutionData[]> {
	const { store, item, i, now } = op;
	const found = await requireItem(op);
	const json = item.json;
	const review = isObj(json.review) ? json.review : isObj(json.record) && isObj(json.record.review) ? json.record.review : {};
	const attempt = typeof review.attempt === 'number' ? review.attempt : undefined;
	const workerId = str(review.workerId) ?? null;
	const errors = ok ? [] : classify(json, { itemError: item.error, now }).errors;
	const res = await recordRetryOutcome(store, found.id, { ok, errors, attempt, workerId, now, note: ok ? note(op) : null });
	if (!res) throw new UserError(`Review item ${found.id} disappeared while recording the result`);
	const reviewResult: IDataObject = {
		itemId: found.id,
		recorded: res.recorded,
		next: res.next,
		reason: res.reason,
		status: res.item.status,
		attempts: res.item.attempts,
		nextRetryAt: res.nextRetryAt,
	};
	return [{ json: { ...json, reviewResult }, pairedItem: { item: i } }];
}

export const recordSuccess = (op: OpContext) => recordResult(op, true);
export const recordFailure = (op: OpContext) => recordResult(op, false);

export async function metrics(op: OpContext): Promise<INodeExecutionData[]> {
	const { ctx, store, i } = op;
	const raw = ctx.getNodeParameter('metricFilters', i, {}) as IDataObject;
	const mappingId = str(raw.mappingId);
	const from = str(raw.from);
	const to = str(raw.to);
	const [runs, review] = await Promise.all([store.runTotals({ mappingId, from, to }), store.reviewMetrics({ mappingId, from, to })]);
	return [
		{
			json: {
				...(mappingId ? { mappingId } : {}),
				errorRate: runs.errorRate,
				errorRatePercent: runs.errorRate === null ? null : Math.round(runs.errorRate * 10000) / 100,
				runs: runs.runs,
				records: runs.counts as unknown as IDataObject,
				runsByStatus: runs.byStatus as unknown as IDataObject,
				review: { total: review.total, open: review.open, byStatus: review.byStatus, byKind: review.byKind } as unknown as IDataObject,
				byCategory: review.byCategory as IDataObject,
				byCode: review.byCode as IDataObject,
				meanResolutionMs: review.meanResolutionMs,
				meanResolution: review.meanResolutionMs === null ? null : humanSeconds(review.meanResolutionMs / 1000),
				retry: review.retry as unknown as IDataObject,
				retrySuccessRate: review.retry.successRate,
			},
			pairedItem: { item: i },
		},
	];
}

export async function dashboard(op: OpContext, handle: boolean): Promise<INodeExecutionData[]> {
	const { ctx, store, item, i, now } = op;
	const options = ctx.getNodeParameter('dashboardOptions', i, {}) as IDataObject;
	const defaults: Partial<DashboardQuery> = {
		status: str(options.status) ?? 'active',
		category: str(options.category) ?? '',
		mapping: str(options.mapping) ?? '',
		limit: Number(options.pageSize) || 50,
	};
	const secret = String(ctx.getNodeParameter('formSecret', i, '') ?? '');
	// Only the query and the form body are read: never headers (they hold the webhook's credentials).
	const request = handle ? parseDashboardRequest({ query: item.json.query, body: item.json.body }, defaults) : parseDashboardRequest({}, defaults);
	const res = await handleDashboardRequest(store, request, { secret, now, title: str(options.title), readOnly: options.readOnly === true });
	return [
		{
			json: {
				html: res.html,
				contentType: res.contentType,
				statusCode: res.statusCode,
				headers: res.headers,
				...(res.action ? { action: redactSecrets(res.action) as unknown as IDataObject } : {}),
			},
			pairedItem: { item: i },
		},
	];
}
