import { StoreError } from './errors';
import { runFromRow, type Ctx } from './rows';
import { all, asArray, decodeCursor, encodeCursor, exec, first, iso, num, oneOf, pageLimit, Params, text, toJson, type Op } from './sql';
import {
	RUN_COUNT_KEYS,
	RUN_STATUSES,
	type Page,
	type PageRequest,
	type PruneOptions,
	type PruneResult,
	type Run,
	type RunCounts,
	type RunFilter,
	type RunStatus,
	type RunTotals,
	type RunUpdate,
	type StartRunInput,
} from './types';

const FINISHED: readonly RunStatus[] = ['completed', 'partial', 'failed', 'cancelled'];

function count(name: string, value: unknown, allowNegative: boolean): number {
	if (!Number.isInteger(value) || (!allowNegative && (value as number) < 0)) {
		throw new StoreError('INVALID_INPUT', `Run count ${name} must be ${allowNegative ? 'an integer' : 'a non-negative integer'}`);
	}
	return value as number;
}

export function* getRun(c: Ctx, id: string): Op<Run | null> {
	const row = yield* first(`SELECT * FROM ${c.d.t('runs')} WHERE id = $1`, [text('id', id)]);
	return row ? runFromRow(row) : null;
}

export function* startRun(c: Ctx, input: StartRunInput): Op<Run> {
	const id = input.id === undefined ? `run_${c.newId()}` : text('id', input.id);
	const started = input.startedAt === undefined ? c.now() : iso(input.startedAt);
	const row = yield* first(
		`INSERT INTO ${c.d.t('runs')} (id, mapping_id, run_trigger, dry_run, status, started_at, updated_at, meta)
		VALUES ($1, $2, $3, $4, $5, $6, $6, $7) ON CONFLICT DO NOTHING RETURNING *`,
		[
			id,
			text('mappingId', input.mappingId),
			text('trigger', input.trigger),
			input.dryRun === true,
			oneOf('status', input.status ?? 'running', ['pending', 'running'] as const),
			started,
			toJson(input.meta),
		],
	);
	if (row) return runFromRow(row);
	return (yield* getRun(c, id))!;
}

export function* updateRun(c: Ctx, id: string, update: RunUpdate, finish: boolean): Op<Run | null> {
	const p = new Params();
	const now = p.add(c.now());
	const sets = [`updated_at = ${now}`];
	if (update.status !== undefined) sets.push(`status = ${p.add(oneOf('status', update.status, RUN_STATUSES))}`);
	for (const key of RUN_COUNT_KEYS) {
		const abs = update.counts?.[key];
		const inc = update.increment?.[key];
		if (abs !== undefined) sets.push(`${key} = ${p.add(count(key, abs, false) + (inc === undefined ? 0 : count(key, inc, true)))}`);
		else if (inc !== undefined) sets.push(`${key} = ${key} + ${p.add(count(key, inc, true))}`);
	}
	if (update.error !== undefined) sets.push(`error = ${p.add(update.error)}`);
	if (update.meta !== undefined) sets.push(`meta = ${p.add(toJson(update.meta))}`);
	// Finishing twice keeps the first finish time.
	if (finish) sets.push(`finished_at = COALESCE(finished_at, ${c.d.ts(now)})`);
	const row = yield* first(`UPDATE ${c.d.t('runs')} SET ${sets.join(', ')} WHERE id = ${p.add(text('id', id))} RETURNING *`, p.values);
	return row ? runFromRow(row) : null;
}

export function* finishRun(c: Ctx, id: string, status: RunStatus, update: Omit<RunUpdate, 'status'>): Op<Run | null> {
	if (!FINISHED.includes(status)) throw new StoreError('INVALID_INPUT', `A run finishes as one of ${FINISHED.join(', ')}; got ${status}`);
	return yield* updateRun(c, id, { ...update, status }, true);
}

function runWhere(c: Ctx, filter: RunFilter, p: Params): string[] {
	const where: string[] = [];
	if (filter.mappingId !== undefined) where.push(`mapping_id = ${p.add(filter.mappingId)}`);
	const statuses = asArray(filter.status);
	if (statuses) {
		statuses.forEach((s) => oneOf('status', s, RUN_STATUSES));
		where.push(statuses.length === 0 ? '1 = 0' : c.d.inList('status', p.add([...statuses])));
	}
	if (filter.from !== undefined) where.push(`started_at >= ${p.add(iso(filter.from))}`);
	if (filter.to !== undefined) where.push(`started_at < ${p.add(iso(filter.to))}`);
	if (filter.dryRun !== undefined) where.push(`dry_run = ${p.add(filter.dryRun)}`);
	return where;
}

export function* listRuns(c: Ctx, filter: RunFilter = {}, page: PageRequest = {}): Op<Page<Run>> {
	const limit = pageLimit(page.limit);
	const p = new Params();
	const where = runWhere(c, filter, p);
	if (page.cursor) {
		const [startedAt, id] = decodeCursor(page.cursor, 2);
		where.push(`(started_at, id) < (${c.d.ts(p.add(startedAt))}, ${p.add(id)})`);
	}
	const sqlWhere = where.length ? ` WHERE ${where.join(' AND ')}` : '';
	const rows = yield* all(`SELECT * FROM ${c.d.t('runs')}${sqlWhere} ORDER BY started_at DESC, id DESC LIMIT ${p.add(limit + 1)}`, p.values);
	const items = rows.slice(0, limit).map(runFromRow);
	const last = items[items.length - 1];
	return { items, next: rows.length > limit ? encodeCursor([last.startedAt, last.id]) : null };
}

export function* runTotals(c: Ctx, filter: RunFilter = {}): Op<RunTotals> {
	const p = new Params();
	const where = runWhere(c, filter, p);
	const sums = RUN_COUNT_KEYS.map((k) => `sum(${k}) AS ${k}`).join(', ');
	const rows = yield* all(
		`SELECT status, count(*) AS n, ${sums} FROM ${c.d.t('runs')}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} GROUP BY status`,
		p.values,
	);
	const counts = Object.fromEntries(RUN_COUNT_KEYS.map((k) => [k, 0])) as RunCounts;
	const byStatus = Object.fromEntries(RUN_STATUSES.map((s) => [s, 0])) as Record<RunStatus, number>;
	let runs = 0;
	for (const r of rows) {
		runs += num(r.n);
		byStatus[r.status as RunStatus] += num(r.n);
		for (const k of RUN_COUNT_KEYS) counts[k] += num(r[k]);
	}
	return { runs, counts, byStatus, errorRate: counts.fetched > 0 ? counts.failed / counts.fetched : null };
}

/** Housekeeping in one transaction: expired event ids and pair leases always, old closed records when asked. */
export function* prune(c: Ctx, options: PruneOptions = {}): Op<PruneResult> {
	const now = options.now === undefined ? c.now() : iso(options.now);
	const result: PruneResult = { events: 0, leases: 0, intents: 0, reviewItems: 0, runs: 0 };
	result.events = (yield* exec(`DELETE FROM ${c.d.t('processed_events')} WHERE expires_at <= $1`, [now])).rowCount;
	result.leases = (yield* exec(`DELETE FROM ${c.d.t('pair_leases')} WHERE expires_at <= $1`, [now])).rowCount;
	if (options.intentsBefore !== undefined) {
		result.intents = (yield* exec(`DELETE FROM ${c.d.t('write_intents')} WHERE status <> 'open' AND completed_at < $1`, [
			iso(options.intentsBefore),
		])).rowCount;
	}
	if (options.reviewClosedBefore !== undefined) {
		result.reviewItems = (yield* exec(
			`DELETE FROM ${c.d.t('review_items')} WHERE status IN ('resolved', 'discarded') AND resolved_at < $1`,
			[iso(options.reviewClosedBefore)],
		)).rowCount;
	}
	if (options.runsBefore !== undefined) {
		result.runs = (yield* exec(`DELETE FROM ${c.d.t('runs')} WHERE finished_at IS NOT NULL AND started_at < $1`, [iso(options.runsBefore)]))
			.rowCount;
	}
	return result;
}
