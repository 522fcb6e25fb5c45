import { StoreError } from './errors';
import { pairFromRow, runFromRow, type Ctx } from './rows';
import { all, decodeCursor, encodeCursor, first, exec, iso, isoOrNull, num, oneOf, pageLimit, Params, text, toJson, tsOrNull, type Op } from './sql';
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

/** Many pairings in one transaction (a ledger commit after a vendor batch); sorted so concurrent batches lock in one order. */
export function* pairRecords(c: Ctx, inputs: readonly PairInput[]): Op<PairResult[]> {
	const key = (input: PairInput) => String(input.source?.id ?? '');
	const order = inputs.map((input, index) => ({ input, index })).sort((a, b) => (key(a.input) < key(b.input) ? -1 : key(a.input) > key(b.input) ? 1 : 0));
	const out: PairResult[] = new Array(inputs.length);
	for (const { input, index } of order) out[index] = yield* pairRecord(c, input);
	return out;
}

export function* updatePairs(c: Ctx, mappingId: string, updates: readonly PairUpdate[]): Op<PairUpdateResult[]> {
	const out: PairUpdateResult[] = [];
	for (const u of updates) out.push(yield* updatePair(c, mappingId, u.side, u.id, u.patch));
	return out;
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
