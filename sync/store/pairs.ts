import { StoreError } from './errors';
import { pairFromRow, runFromRow, type Ctx } from './rows';
import { all, decodeCursor, encodeCursor, first, exec, iso, isoOrNull, jsonRows, num, oneOf, pageLimit, Params, slices, str, text, toJson, tsOrNull, withRows, type Op } from './sql';
import {
	REVIEW_STATUSES,
	type Page,
	type PageRequest,
	type Pair,
	type PairInput,
	type PairPatch,
	type PairResult,
	type PairStats,
	type PairUpdate,
	type PairUpdateResult,
	type ReviewStatus,
	type Side,
} from './types';

const SIDES: readonly Side[] = ['source', 'target'];

function sideColumn(side: Side): string {
	return `${oneOf('side', side, SIDES)}_id`;
}

/** Conflicting concurrent pairings settle in one round; the bound only guards against a pathological unlink race. */
const PAIR_ROUNDS = 5;

export function* pairRecord(c: Ctx, input: PairInput): Op<PairResult> {
	const mappingId = text('mappingId', input.mappingId);
	const values = [
		mappingId,
		text('source.system', input.source?.system),
		text('source.object', input.source?.object),
		text('source.id', input.source?.id),
		text('target.system', input.target?.system),
		text('target.object', input.target?.object),
		text('target.id', input.target?.id),
		toJson(input.sourceSnapshot),
		toJson(input.targetSnapshot),
		isoOrNull(input.sourceUpdatedAt),
		isoOrNull(input.targetUpdatedAt),
		input.syncedAt === undefined ? c.now() : iso(input.syncedAt),
		c.now(),
	];
	const t = c.d.t('pairs');
	for (let round = 0; round < PAIR_ROUNDS; round++) {
		// No conflict target: either unique key (source or target side) makes this a no-op, and PostgreSQL waits for
		// a concurrent insert of the same key to commit first, so the select below sees the winner.
		const inserted = yield* first(
			`INSERT INTO ${t} (mapping_id, source_system, source_object, source_id, target_system, target_object, target_id,
				source_snapshot, target_snapshot, source_updated_at, target_updated_at, last_synced_at, created_at, version)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1)
			ON CONFLICT DO NOTHING RETURNING *`,
			values,
		);
		if (inserted) return { pair: pairFromRow(inserted), created: true, conflict: false };
		const existing = yield* all(`SELECT * FROM ${t} WHERE mapping_id = $1 AND (source_id = $2 OR target_id = $3)`, [
			mappingId,
			input.source.id,
			input.target.id,
		]);
		if (existing.length > 0) {
			const row = existing.find((r) => r.source_id === input.source.id) ?? existing[0];
			const pair = pairFromRow(row);
			const conflict = existing.length > 1 || pair.source.id !== input.source.id || pair.target.id !== input.target.id;
			return { pair, created: false, conflict };
		}
		// The conflicting pair was unlinked between the two statements: try again.
	}
	throw new StoreError('CONFLICT', `Could not pair ${input.source.id} ↔ ${input.target.id}: the pair kept changing`);
}

const PAIR_ROW = {
	i: 'int',
	mapping_id: 'text',
	source_system: 'text',
	source_object: 'text',
	source_id: 'text',
	target_system: 'text',
	target_object: 'text',
	target_id: 'text',
	source_snapshot: 'json',
	target_snapshot: 'json',
	source_updated_at: 'ts',
	target_updated_at: 'ts',
	last_synced_at: 'ts',
	created_at: 'ts',
} as const;
const PAIR_INSERT_COLUMNS = Object.keys(PAIR_ROW).filter((c) => c !== 'i');

/**
 * Many pairings in one transaction (a ledger commit after a vendor batch), a few statements for any number: one
 * multi-row insert per BATCH_ROWS records, sorted by source id so concurrent batches lock in one order. The rare
 * record that meets an existing pair (a replay, a concurrent run, a duplicate within the batch) is settled the way
 * pairRecord settles it, so the results are those of pairing the records one by one in source-id order.
 */
export function* pairRecords(c: Ctx, inputs: readonly PairInput[]): Op<PairResult[]> {
	const key = (input: PairInput) => String(input.source?.id ?? '');
	const order = inputs.map((input, index) => ({ input, index })).sort((a, b) => (key(a.input) < key(b.input) ? -1 : key(a.input) > key(b.input) ? 1 : 0));
	const out: PairResult[] = new Array(inputs.length);
	const now = c.now();
	const rows = order.map(({ input }, i) => ({
		i,
		mapping_id: text('mappingId', input.mappingId),
		source_system: text('source.system', input.source?.system),
		source_object: text('source.object', input.source?.object),
		source_id: text('source.id', input.source?.id),
		target_system: text('target.system', input.target?.system),
		target_object: text('target.object', input.target?.object),
		target_id: text('target.id', input.target?.id),
		source_snapshot: toJson(input.sourceSnapshot),
		target_snapshot: toJson(input.targetSnapshot),
		source_updated_at: isoOrNull(input.sourceUpdatedAt),
		target_updated_at: isoOrNull(input.targetUpdatedAt),
		last_synced_at: input.syncedAt === undefined ? now : iso(input.syncedAt),
		created_at: now,
	}));
	const t = c.d.t('pairs');
	const columns = PAIR_INSERT_COLUMNS.join(', ');
	const rest: number[] = [];
	for (const part of slices(rows)) {
		const inserted = yield* all(
			`${withRows(c.d, '$1', PAIR_ROW)} INSERT INTO ${t} (${columns}, version)
			SELECT ${PAIR_INSERT_COLUMNS.map((col) => `u.${col}`).join(', ')}, 1 FROM u WHERE true ORDER BY u.i
			ON CONFLICT DO NOTHING RETURNING *`,
			[jsonRows(part)],
		);
		// Which record each new row is: the first of the batch with its ids (a later duplicate met this row instead).
		const waiting = new Map<string, number[]>();
		for (const r of part) {
			const k = `${r.mapping_id}\u0000${r.source_id}\u0000${r.target_id}`;
			const list = waiting.get(k);
			if (list) list.push(r.i);
			else waiting.set(k, [r.i]);
		}
		const done = new Set<number>();
		for (const row of inserted) {
			const i = waiting.get(`${str(row.mapping_id)}\u0000${str(row.source_id)}\u0000${str(row.target_id)}`)?.shift();
			if (i === undefined) continue;
			done.add(i);
			out[order[i].index] = { pair: pairFromRow(row), created: true, conflict: false };
		}
		for (const r of part) if (!done.has(r.i)) rest.push(r.i);
	}
	for (const i of rest) out[order[i].index] = yield* pairRecord(c, order[i].input);
	return out;
}

const UPDATE_ROW = {
	id: 'text',
	source_snapshot: 'json',
	target_snapshot: 'json',
	source_updated_at: 'ts',
	target_updated_at: 'ts',
	last_synced_at: 'ts',
	expected_version: 'int',
} as const;

/**
 * updatePair for many pairs of one mapping (one transaction), with the results of applying them one by one in order:
 * the updates are cut into runs of one side without a repeated id (a run touches each pair at most once, so its
 * order does not matter), and each run is one UPDATE … FROM per BATCH_ROWS updates of one shape, plus one SELECT for
 * those it did not change. A Commit's updates (source side, each pair once) are a single run.
 */
export function* updatePairs(c: Ctx, mappingId: string, updates: readonly PairUpdate[]): Op<PairUpdateResult[]> {
	text('mappingId', mappingId);
	const out: PairUpdateResult[] = new Array(updates.length);
	const now = c.now();
	let run: Array<{ u: PairUpdate; index: number }> = [];
	let seen = new Set<string>();
	const flush = function* (): Op<void> {
		// One statement shape per set of patched columns.
		const shapes = new Map<string, typeof run>();
		for (const p of run) {
			const patch = p.u.patch;
			const shape = [patch.sourceSnapshot, patch.targetSnapshot, patch.sourceUpdatedAt, patch.targetUpdatedAt, patch.expectedVersion].map((v) => v !== undefined).join();
			const list = shapes.get(shape);
			if (list) list.push(p);
			else shapes.set(shape, [p]);
		}
		for (const group of shapes.values()) for (const part of slices(group)) yield* updateGroup(c, mappingId, part, now, out);
		run = [];
		seen = new Set();
	};
	for (let index = 0; index < updates.length; index++) {
		const u = updates[index];
		oneOf('side', u.side, SIDES);
		text('id', u.id);
		if (run.length && (u.side !== run[0].u.side || seen.has(u.id))) yield* flush();
		run.push({ u, index });
		seen.add(u.id);
	}
	if (run.length) yield* flush();
	return out;
}

function* updateGroup(
	c: Ctx,
	mappingId: string,
	part: ReadonlyArray<{ u: PairUpdate; index: number }>,
	now: string,
	out: PairUpdateResult[],
): Op<void> {
	const { side, patch } = part[0].u;
	const column = sideColumn(side);
	const sets: string[] = [];
	if (patch.sourceSnapshot !== undefined) sets.push('source_snapshot = u.source_snapshot');
	if (patch.targetSnapshot !== undefined) sets.push('target_snapshot = u.target_snapshot');
	if (patch.sourceUpdatedAt !== undefined) sets.push('source_updated_at = u.source_updated_at');
	if (patch.targetUpdatedAt !== undefined) sets.push('target_updated_at = u.target_updated_at');
	sets.push('last_synced_at = u.last_synced_at', 'version = p.version + 1');
	const versioned = patch.expectedVersion !== undefined;
	const rows = part.map(({ u }) => ({
		id: u.id,
		source_snapshot: toJson(u.patch.sourceSnapshot),
		target_snapshot: toJson(u.patch.targetSnapshot),
		source_updated_at: isoOrNull(u.patch.sourceUpdatedAt),
		target_updated_at: isoOrNull(u.patch.targetUpdatedAt),
		last_synced_at: u.patch.syncedAt === undefined ? now : iso(u.patch.syncedAt),
		expected_version: u.patch.expectedVersion ?? null,
	}));
	const t = c.d.t('pairs');
	const changed = yield* all(
		`${withRows(c.d, '$2', UPDATE_ROW)} UPDATE ${t} AS p SET ${sets.join(', ')} FROM u
		WHERE p.mapping_id = $1 AND p.${column} = u.id${versioned ? ' AND p.version = u.expected_version' : ''}
		RETURNING ${c.d.returningAll('p')}`,
		[mappingId, jsonRows(rows)],
	);
	const byId = new Map(changed.map((row) => [str(row[column]), pairFromRow(row)]));
	const missed = part.filter(({ u }) => !byId.has(u.id));
	const current = new Map<string, Pair>();
	if (missed.length) {
		for (const pair of yield* getPairs(c, mappingId, side, missed.map(({ u }) => u.id))) current.set(pair[side].id, pair);
	}
	for (const { u, index } of part) {
		const pair = byId.get(u.id);
		if (pair) {
			out[index] = { ok: true, pair };
			continue;
		}
		const latest = current.get(u.id);
		out[index] = latest ? { ok: false, reason: 'version_mismatch', pair: latest } : { ok: false, reason: 'not_found' };
	}
}

export function* getPair(c: Ctx, mappingId: string, side: Side, id: string): Op<Pair | null> {
	const row = yield* first(`SELECT * FROM ${c.d.t('pairs')} WHERE mapping_id = $1 AND ${sideColumn(side)} = $2`, [
		text('mappingId', mappingId),
		text('id', id),
	]);
	return row ? pairFromRow(row) : null;
}

export function* getPairs(c: Ctx, mappingId: string, side: Side, ids: readonly string[]): Op<Pair[]> {
	const column = sideColumn(side);
	const unique = [...new Set(ids)];
	if (unique.length === 0) return [];
	const rows = yield* all(`SELECT * FROM ${c.d.t('pairs')} WHERE mapping_id = $1 AND ${c.d.inList(column, '$2')}`, [
		text('mappingId', mappingId),
		unique,
	]);
	return rows.map(pairFromRow);
}

export function* updatePair(c: Ctx, mappingId: string, side: Side, id: string, patch: PairPatch): Op<PairUpdateResult> {
	const column = sideColumn(side);
	const p = new Params();
	const sets: string[] = [];
	if (patch.sourceSnapshot !== undefined) sets.push(`source_snapshot = ${p.add(toJson(patch.sourceSnapshot))}`);
	if (patch.targetSnapshot !== undefined) sets.push(`target_snapshot = ${p.add(toJson(patch.targetSnapshot))}`);
	if (patch.sourceUpdatedAt !== undefined) sets.push(`source_updated_at = ${p.add(isoOrNull(patch.sourceUpdatedAt))}`);
	if (patch.targetUpdatedAt !== undefined) sets.push(`target_updated_at = ${p.add(isoOrNull(patch.targetUpdatedAt))}`);
	sets.push(`last_synced_at = ${p.add(patch.syncedAt === undefined ? c.now() : iso(patch.syncedAt))}`, 'version = version + 1');
	let where = `mapping_id = ${p.add(text('mappingId', mappingId))} AND ${column} = ${p.add(text('id', id))}`;
	if (patch.expectedVersion !== undefined) where += ` AND version = ${p.add(patch.expectedVersion)}`;
	const row = yield* first(`UPDATE ${c.d.t('pairs')} SET ${sets.join(', ')} WHERE ${where} RETURNING *`, p.values);
	if (row) return { ok: true, pair: pairFromRow(row) };
	const current = yield* getPair(c, mappingId, side, id);
	return current ? { ok: false, reason: 'version_mismatch', pair: current } : { ok: false, reason: 'not_found' };
}

export function* unlinkPair(c: Ctx, mappingId: string, side: Side, id: string): Op<boolean> {
	const res = yield* exec(`DELETE FROM ${c.d.t('pairs')} WHERE mapping_id = $1 AND ${sideColumn(side)} = $2`, [
		text('mappingId', mappingId),
		text('id', id),
	]);
	return res.rowCount > 0;
}

/** unlinkPair for many ids of one side (one statement per BATCH_ROWS ids); true for each id whose pair was removed. */
export function* unlinkPairs(c: Ctx, mappingId: string, side: Side, ids: readonly string[]): Op<boolean[]> {
	const column = sideColumn(side);
	text('mappingId', mappingId);
	for (const id of ids) text('id', id);
	const removed = new Set<string>();
	for (const part of slices([...new Set(ids)])) {
		const rows = yield* all(`DELETE FROM ${c.d.t('pairs')} WHERE mapping_id = $1 AND ${c.d.inList(column, '$2')} RETURNING ${column}`, [mappingId, part]);
		for (const r of rows) removed.add(str(r[column]));
	}
	// As one by one: an id that comes twice was removed the first time only.
	return ids.map((id) => removed.delete(id));
}

export function* forgetMapping(c: Ctx, mappingId: string): Op<number> {
	const res = yield* exec(`DELETE FROM ${c.d.t('pairs')} WHERE mapping_id = $1`, [text('mappingId', mappingId)]);
	return res.rowCount;
}

export function* listPairs(c: Ctx, mappingId: string, page: PageRequest = {}): Op<Page<Pair>> {
	const limit = pageLimit(page.limit);
	const p = new Params();
	let where = `mapping_id = ${p.add(text('mappingId', mappingId))}`;
	if (page.cursor) where += ` AND source_id > ${p.add(decodeCursor(page.cursor, 1)[0])}`;
	const rows = yield* all(`SELECT * FROM ${c.d.t('pairs')} WHERE ${where} ORDER BY source_id LIMIT ${p.add(limit + 1)}`, p.values);
	const items = rows.slice(0, limit).map(pairFromRow);
	const next = rows.length > limit ? encodeCursor([items[items.length - 1].source.id]) : null;
	return { items, next };
}

export function* pairStats(c: Ctx, mappingId: string): Op<PairStats> {
	text('mappingId', mappingId);
	const pairs = yield* first(`SELECT count(*) AS n, max(last_synced_at) AS last FROM ${c.d.t('pairs')} WHERE mapping_id = $1`, [mappingId]);
	const intents = yield* first(`SELECT count(*) AS n FROM ${c.d.t('write_intents')} WHERE mapping_id = $1 AND status = 'open'`, [
		mappingId,
	]);
	const review = Object.fromEntries(REVIEW_STATUSES.map((s) => [s, 0])) as Record<ReviewStatus, number>;
	for (const r of yield* all(`SELECT status, count(*) AS n FROM ${c.d.t('review_items')} WHERE mapping_id = $1 GROUP BY status`, [
		mappingId,
	])) {
		review[r.status as ReviewStatus] = num(r.n);
	}
	const run = yield* first(`SELECT * FROM ${c.d.t('runs')} WHERE mapping_id = $1 ORDER BY started_at DESC, id DESC LIMIT 1`, [mappingId]);
	return {
		mappingId,
		pairs: num(pairs?.n),
		lastSyncedAt: tsOrNull(pairs?.last),
		openIntents: num(intents?.n),
		review,
		lastRun: run ? runFromRow(run) : null,
	};
}
