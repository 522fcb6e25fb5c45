import type { ClassifiedError } from '../../errors/taxonomy';
import { StoreError } from './errors';
import { attemptFromRow, reviewFromRow, type Ctx } from './rows';
import { all, asArray, decodeCursor, encodeCursor, exec, first, iso, num, oneOf, pageLimit, Params, text, toJson, toJsonValue, type Op } from './sql';
import {
	CLOSED_REVIEW_STATUSES,
	REVIEW_KINDS,
	REVIEW_STATUSES,
	type AddReviewResult,
	type AttemptOutcome,
	type Page,
	type RecordAttemptResult,
	type RetryAttempt,
	type ReviewFilter,
	type ReviewItem,
	type ReviewItemInput,
	type ReviewKind,
	type ReviewListRequest,
	type ReviewMetrics,
	type ReviewStatus,
	type SetReviewStatusOptions,
	type Timestamp,
} from './types';

const CLOSED_SQL = `('resolved', 'discarded')`;

function isClosed(status: ReviewStatus): boolean {
	return CLOSED_REVIEW_STATUSES.includes(status);
}

function* getItemRow(c: Ctx, id: string, lock = ''): Op<ReviewItem | null> {
	const row = yield* first(`SELECT * FROM ${c.d.t('review_items')} WHERE id = $1${lock}`, [text('id', id)]);
	return row ? reviewFromRow(row) : null;
}

export function* getReviewItem(c: Ctx, id: string): Op<ReviewItem | null> {
	return yield* getItemRow(c, id);
}

export function* getReviewItems(c: Ctx, ids: readonly string[]): Op<ReviewItem[]> {
	if (ids.length === 0) return [];
	const rows = yield* all(`SELECT * FROM ${c.d.t('review_items')} WHERE ${c.d.inList('id', '$1')} ORDER BY created_at, id`, [[...new Set(ids)]]);
	return rows.map(reviewFromRow);
}

export function* addReviewItem(c: Ctx, input: ReviewItemInput): Op<AddReviewResult> {
	const kind = oneOf<ReviewKind>('kind', input.kind, REVIEW_KINDS);
	const status = oneOf('status', input.status ?? 'open', ['open', 'retry_scheduled'] as const);
	const errors: ClassifiedError[] = Array.isArray(input.errors) ? input.errors : [];
	const firstError = errors[0];
	const category = input.category !== undefined ? input.category : (firstError?.category ?? null);
	const code = input.code !== undefined ? input.code : (firstError?.code ?? null);
	const lastError = errors.length > 0 ? errors[errors.length - 1] : null;
	const nextRetryAt = status === 'retry_scheduled' ? iso(input.nextRetryAt ?? c.now()) : null;
	const dedupeKey = input.dedupeKey === undefined || input.dedupeKey === '' ? null : input.dedupeKey;
	const now = c.now();
	const t = c.d.t('review_items');
	for (let round = 0; round < 5; round++) {
		const id = `rev_${c.newId()}`;
		const row = yield* first(
			`INSERT INTO ${t} (id, created_at, updated_at, status, kind, mapping_id, system, object, record_id, data, errors, category, code,
				dedupe_key, occurrences, attempts, next_retry_at, last_error, meta)
			VALUES ($1, $2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1, 0, $14, $15, $16)
			ON CONFLICT DO NOTHING RETURNING *`,
			[
				id,
				now,
				status,
				kind,
				input.mappingId ?? null,
				input.system ?? null,
				input.object ?? null,
				input.recordId ?? null,
				toJsonValue(input.data),
				toJsonValue(errors),
				category,
				code,
				dedupeKey,
				nextRetryAt,
				toJson(lastError),
				toJson(input.meta),
			],
		);
		if (row) return { item: reviewFromRow(row), created: true };
		if (dedupeKey === null) continue;
		// The same failure is already parked: count it and refresh its errors, but keep the (maybe edited) data.
		const existing = yield* first(
			`UPDATE ${t} SET occurrences = occurrences + 1, updated_at = $2, errors = $3, last_error = COALESCE($4, last_error),
				category = COALESCE($5, category), code = COALESCE($6, code)
			WHERE dedupe_key = $1 AND status NOT IN ${CLOSED_SQL} RETURNING *`,
			[dedupeKey, now, toJsonValue(errors), toJson(lastError), category, code],
		);
		if (existing) return { item: reviewFromRow(existing), created: false };
	}
	throw new StoreError('CONFLICT', `Could not add review item${dedupeKey ? ` ${dedupeKey}` : ''}: it kept changing`);
}

/** Filter conditions shared by list, count and metrics. */
function reviewWhere(c: Ctx, filter: ReviewFilter, p: Params): string[] {
	const where: string[] = [];
	const statuses = asArray(filter.status);
	if (statuses) {
		statuses.forEach((s) => oneOf('status', s, REVIEW_STATUSES));
		where.push(statuses.length === 0 ? '1 = 0' : c.d.inList('status', p.add([...statuses])));
	}
	if (filter.kind !== undefined) where.push(`kind = ${p.add(oneOf('kind', filter.kind, REVIEW_KINDS))}`);
	const categories = asArray(filter.category);
	if (categories) where.push(categories.length === 0 ? '1 = 0' : c.d.inList('category', p.add([...categories])));
	const codes = asArray(filter.code);
	if (codes) where.push(codes.length === 0 ? '1 = 0' : c.d.inList('code', p.add([...codes])));
	if (filter.mappingId !== undefined) where.push(`mapping_id = ${p.add(filter.mappingId)}`);
	if (filter.system !== undefined) where.push(`system = ${p.add(filter.system)}`);
	if (filter.object !== undefined) where.push(`object = ${p.add(filter.object)}`);
	if (filter.recordId !== undefined) where.push(`record_id = ${p.add(filter.recordId)}`);
	if (filter.from !== undefined) where.push(`created_at >= ${p.add(iso(filter.from))}`);
	if (filter.to !== undefined) where.push(`created_at < ${p.add(iso(filter.to))}`);
	return where;
}

function whereSql(where: string[]): string {
	return where.length === 0 ? '' : ` WHERE ${where.join(' AND ')}`;
}

export function* listReviewItems(c: Ctx, filter: ReviewFilter = {}, page: ReviewListRequest = {}): Op<Page<ReviewItem>> {
	const limit = pageLimit(page.limit);
	const order = oneOf('order', page.order ?? 'newest', ['newest', 'oldest'] as const);
	const p = new Params();
	const where = reviewWhere(c, filter, p);
	if (page.cursor) {
		const [createdAt, id] = decodeCursor(page.cursor, 2);
		const cmp = order === 'newest' ? '<' : '>';
		where.push(`(created_at, id) ${cmp} (${c.d.ts(p.add(createdAt))}, ${p.add(id)})`);
	}
	const dir = order === 'newest' ? 'DESC' : 'ASC';
	const rows = yield* all(
		`SELECT * FROM ${c.d.t('review_items')}${whereSql(where)} ORDER BY created_at ${dir}, id ${dir} LIMIT ${p.add(limit + 1)}`,
		p.values,
	);
	const items = rows.slice(0, limit).map(reviewFromRow);
	const last = items[items.length - 1];
	return { items, next: rows.length > limit ? encodeCursor([last.createdAt, last.id]) : null };
}

export function* countReviewItems(c: Ctx, filter: ReviewFilter = {}): Op<number> {
	const p = new Params();
	const row = yield* first(`SELECT count(*) AS n FROM ${c.d.t('review_items')}${whereSql(reviewWhere(c, filter, p))}`, p.values);
	return num(row?.n);
}

export function* editReviewData(c: Ctx, id: string, data: unknown, note: string | null | undefined): Op<ReviewItem | null> {
	const setNote = note === undefined ? '' : ', resolution_note = $4';
	const params: unknown[] = [text('id', id), toJsonValue(data), c.now()];
	if (note !== undefined) params.push(note);
	const row = yield* first(
		`UPDATE ${c.d.t('review_items')} SET data = $2, updated_at = $3${setNote} WHERE id = $1 AND status NOT IN ${CLOSED_SQL} RETURNING *`,
		params,
	);
	if (row) return reviewFromRow(row);
	const current = yield* getItemRow(c, id);
	if (current) throw new StoreError('INVALID_STATE', `Review item ${id} is ${current.status}; reopen it before editing its data`);
	return null;
}

/** SET clauses for a status change; `now` and `due` are parameter placeholders. */
function statusSets(c: Ctx, status: ReviewStatus, p: Params, options: SetReviewStatusOptions): string[] {
	const now = p.add(c.now());
	const sets = [`status = ${p.add(status)}`, `updated_at = ${now}`, 'lease_owner = NULL', 'lease_until = NULL'];
	if (options.note !== undefined) sets.push(`resolution_note = ${p.add(options.note)}`);
	if (isClosed(status)) {
		// Keep the first closing time when an item is closed twice (resolved, then discarded).
		sets.push('next_retry_at = NULL', `resolved_at = COALESCE(resolved_at, ${c.d.ts(now)})`);
	} else if (status === 'retry_scheduled' || status === 'approved') {
		const due = options.nextRetryAt === undefined ? now : p.add(iso(options.nextRetryAt));
		sets.push(`next_retry_at = ${due}`, 'resolved_at = NULL');
	} else {
		sets.push('next_retry_at = NULL', 'resolved_at = NULL');
	}
	return sets;
}

function expectedWhere(c: Ctx, options: SetReviewStatusOptions, p: Params): string {
	const expected = asArray(options.expectedStatus);
	if (!expected) return '';
	expected.forEach((s) => oneOf('expectedStatus', s, REVIEW_STATUSES));
	return expected.length === 0 ? ' AND 1 = 0' : ` AND ${c.d.inList('status', p.add([...expected]))}`;
}

export function* setReviewStatus(c: Ctx, id: string, status: ReviewStatus, options: SetReviewStatusOptions = {}): Op<ReviewItem | null> {
	oneOf('status', status, REVIEW_STATUSES);
	const p = new Params();
	const sets = statusSets(c, status, p, options);
	const where = `id = ${p.add(text('id', id))}${expectedWhere(c, options, p)}`;
	const row = yield* first(`UPDATE ${c.d.t('review_items')} SET ${sets.join(', ')} WHERE ${where} RETURNING *`, p.values);
	return row ? reviewFromRow(row) : yield* getItemRow(c, id);
}

export function* setReviewStatusMany(c: Ctx, ids: readonly string[], status: ReviewStatus, options: SetReviewStatusOptions = {}): Op<string[]> {
	oneOf('status', status, REVIEW_STATUSES);
	if (ids.length === 0) return [];
	const p = new Params();
	const sets = statusSets(c, status, p, options);
	const where = `${c.d.inList('id', p.add([...new Set(ids)]))}${expectedWhere(c, options, p)}`;
	const rows = yield* all(`UPDATE ${c.d.t('review_items')} SET ${sets.join(', ')} WHERE ${where} RETURNING id`, p.values);
	return rows.map((r) => String(r.id)).sort();
}

export function* reviewMetrics(c: Ctx, filter: ReviewFilter = {}): Op<ReviewMetrics> {
	const t = c.d.t('review_items');
	const p = new Params();
	const where = whereSql(reviewWhere(c, filter, p));
	const groups = yield* all(`SELECT status, kind, category, code, count(*) AS n FROM ${t}${where} GROUP BY status, kind, category, code`, p.values);
	const metrics: ReviewMetrics = {
		total: 0,
		open: 0,
		byStatus: Object.fromEntries(REVIEW_STATUSES.map((s) => [s, 0])) as Record<ReviewStatus, number>,
		byCategory: {},
		byCode: {},
		byKind: { error: 0, conflict: 0 },
		meanResolutionMs: null,
		retry: { attemptedItems: 0, resolvedItems: 0, attempts: 0, successRate: null },
	};
	for (const g of groups) {
		const n = num(g.n);
		const status = g.status as ReviewStatus;
		metrics.total += n;
		if (!isClosed(status)) metrics.open += n;
		metrics.byStatus[status] += n;
		metrics.byKind[g.kind as ReviewKind] += n;
		if (g.category !== null && g.category !== undefined) metrics.byCategory[String(g.category)] = (metrics.byCategory[String(g.category)] ?? 0) + n;
		if (g.code !== null && g.code !== undefined) metrics.byCode[String(g.code)] = (metrics.byCode[String(g.code)] ?? 0) + n;
	}
	const agg = yield* first(
		`SELECT
			avg(CASE WHEN status = 'resolved' AND resolved_at IS NOT NULL THEN ${c.d.msBetween('created_at', 'resolved_at')} END) AS mean_ms,
			sum(CASE WHEN attempts > 0 THEN 1 ELSE 0 END) AS attempted,
			sum(CASE WHEN attempts > 0 AND status = 'resolved' THEN 1 ELSE 0 END) AS resolved,
			sum(attempts) AS attempts
		FROM ${t}${where}`,
		p.values,
	);
	if (agg?.mean_ms !== null && agg?.mean_ms !== undefined) metrics.meanResolutionMs = Math.round(Number(agg.mean_ms));
	metrics.retry.attemptedItems = num(agg?.attempted);
	metrics.retry.resolvedItems = num(agg?.resolved);
	metrics.retry.attempts = num(agg?.attempts);
	if (metrics.retry.attemptedItems > 0) metrics.retry.successRate = metrics.retry.resolvedItems / metrics.retry.attemptedItems;
	return metrics;
}

// ---------------------------------------------------------------------------------------------- retry schedule

export function* scheduleRetry(c: Ctx, itemId: string, dueAt: Timestamp, attempt: number): Op<{ ok: boolean; item: ReviewItem | null }> {
	if (!Number.isInteger(attempt) || attempt < 1) throw new StoreError('INVALID_INPUT', 'attempt must be an integer ≥ 1');
	const row = yield* first(
		`UPDATE ${c.d.t('review_items')} SET status = 'retry_scheduled', next_retry_at = $2, lease_owner = NULL, lease_until = NULL,
			resolved_at = NULL, updated_at = $3
		WHERE id = $1 AND status NOT IN ${CLOSED_SQL} AND attempts < $4 RETURNING *`,
		[text('itemId', itemId), iso(dueAt), c.now(), attempt],
	);
	if (row) return { ok: true, item: reviewFromRow(row) };
	return { ok: false, item: yield* getItemRow(c, itemId) };
}

export function* claimDueRetries(c: Ctx, now: Timestamp, limit: number, workerId: string, leaseSeconds: number): Op<ReviewItem[]> {
	if (!Number.isInteger(limit) || limit < 1) throw new StoreError('INVALID_INPUT', 'limit must be an integer ≥ 1');
	if (!(leaseSeconds > 0)) throw new StoreError('INVALID_INPUT', 'leaseSeconds must be positive');
	const at = iso(now);
	const until = new Date(Date.parse(at) + leaseSeconds * 1000).toISOString();
	const t = c.d.t('review_items');
	// PostgreSQL: SKIP LOCKED lets concurrent workers take disjoint rows; SQLite serialises writers, and a row
	// leased by the first claim no longer matches the lease condition for the second.
	const rows = yield* all(
		`UPDATE ${t} SET lease_owner = $1, lease_until = $2
		WHERE id IN (
			SELECT id FROM ${t}
			WHERE status IN ('retry_scheduled', 'approved') AND next_retry_at <= $3 AND (lease_until IS NULL OR lease_until <= $3)
			ORDER BY next_retry_at, id LIMIT $4${c.d.lockSkipLocked}
		)
		RETURNING *`,
		[text('workerId', workerId), until, at, Math.min(limit, 1000)],
	);
	return rows.map(reviewFromRow).sort((a, b) => (a.nextRetryAt ?? '').localeCompare(b.nextRetryAt ?? '') || (a.id < b.id ? -1 : 1));
}

export function* releaseLease(c: Ctx, itemId: string, workerId: string): Op<boolean> {
	const res = yield* exec(`UPDATE ${c.d.t('review_items')} SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND lease_owner = $2`, [
		text('itemId', itemId),
		text('workerId', workerId),
	]);
	return res.rowCount > 0;
}

export function* recordAttempt(c: Ctx, itemId: string, outcome: AttemptOutcome): Op<RecordAttemptResult | null> {
	const kind = oneOf('outcome', outcome.outcome, ['succeeded', 'failed'] as const);
	const item = yield* getItemRow(c, itemId, c.d.lockForUpdate);
	if (!item) return null;
	const attempt = outcome.attempt ?? item.attempts + 1;
	if (!Number.isInteger(attempt) || attempt < 1) throw new StoreError('INVALID_INPUT', 'attempt must be an integer ≥ 1');
	const at = outcome.at === undefined ? c.now() : iso(outcome.at);
	const error = outcome.outcome === 'failed' ? (outcome.error ?? null) : null;
	const inserted = yield* first(
		`INSERT INTO ${c.d.t('review_attempts')} (item_id, attempt, outcome, error, worker_id, at) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT DO NOTHING RETURNING attempt`,
		[item.id, attempt, kind, toJson(error), outcome.workerId ?? null, at],
	);
	if (!inserted) return { recorded: false, item };

	const p = new Params();
	const a = p.add(attempt);
	const sets = [`attempts = CASE WHEN attempts < ${a} THEN ${a} ELSE attempts END`, `updated_at = ${p.add(c.now())}`, 'lease_owner = NULL', 'lease_until = NULL'];
	// A closed item stays closed (discarded while its retry was in flight): the attempt is only logged.
	if (!isClosed(item.status)) {
		if (outcome.outcome === 'succeeded') {
			sets.push(
				`status = 'resolved'`,
				`resolved_at = ${p.add(at)}`,
				'next_retry_at = NULL',
				`resolution_note = ${p.add(outcome.note ?? `Resolved by retry attempt ${attempt}`)}`,
			);
		} else if (outcome.nextRetryAt !== undefined && outcome.nextRetryAt !== null) {
			sets.push(`status = 'retry_scheduled'`, `next_retry_at = ${p.add(iso(outcome.nextRetryAt))}`);
		} else {
			sets.push(`status = ${p.add(oneOf('status', outcome.status ?? 'failed', ['open', 'failed'] as const))}`, 'next_retry_at = NULL');
		}
	}
	if (error) sets.push(`last_error = ${p.add(toJson(error))}`);
	const row = yield* first(`UPDATE ${c.d.t('review_items')} SET ${sets.join(', ')} WHERE id = ${p.add(item.id)} RETURNING *`, p.values);
	return { recorded: true, item: reviewFromRow(row!) };
}

export function* listAttempts(c: Ctx, itemId: string): Op<RetryAttempt[]> {
	const rows = yield* all(`SELECT * FROM ${c.d.t('review_attempts')} WHERE item_id = $1 ORDER BY attempt`, [text('itemId', itemId)]);
	return rows.map(attemptFromRow);
}
