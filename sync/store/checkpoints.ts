import type { Ctx } from './rows';
import { all, exec, first, num, oneOf, str, strOrNull, text, tsOrNull, type Op, type Row } from './sql';
import type { Side } from './types';

/**
 * Read checkpoints of incremental syncs (sync/ledger/checkpoint.ts), kept per mapping and side.
 *
 * - **confirmed** (`checkpoints`): the newest checkpoint of each side that is safe to read from: every change the
 *   vendor stamped before it has been planned *and finished* (written and committed, or parked for review).
 * - **pending** (`checkpoint_runs`): what one run's reads reached, recorded by its Plan, with the run's outstanding
 *   writes (`checkpoint_work`, one row per write decision, deleted by Commit whether the write succeeded or failed).
 *
 * `confirmCheckpoints` promotes each pending run whose work is all done, in one write transaction; a run that never
 * finished (n8n killed after Plan) keeps its rows and the older confirmed checkpoint stays, so the next run reads the
 * overlap again. Deleting a pending run is always safe (it only means the checkpoint does not advance to it).
 */

export type CheckpointSide = Side;

export interface SyncCheckpoint {
	mappingId: string;
	side: Side;
	/** The vendor node's checkpoint as it output it: an ISO time or a vendor cursor token (`pdc1.…`). */
	value: string;
	/** The run whose reads reached it (null when set by hand). */
	runId: string | null;
	confirmedAt: string;
}

export interface PendingCheckpoint {
	mappingId: string;
	runId: string;
	source: string | null;
	target: string | null;
	/** Writes of the run not committed yet (neither succeeded nor failed). */
	openWork: number;
	createdAt: string;
	updatedAt: string;
}

export interface PendingCheckpointInput {
	mappingId: string;
	/** The run (n8n execution id) whose reads reached these checkpoints. */
	runId: string;
	source?: string | null;
	target?: string | null;
	/** Keys of the run's write decisions; the checkpoint is confirmed once Commit has finished every one. */
	work?: readonly string[];
	/** Pending runs of the mapping older than this are dropped meanwhile. Default 7 days. */
	maxPendingAgeSeconds?: number;
}

export interface CheckpointState {
	mappingId: string;
	source: SyncCheckpoint | null;
	target: SyncCheckpoint | null;
	/** Runs promoted by this call (confirmCheckpoints only). */
	promoted: string[];
	/** Runs still pending after the call, oldest first. */
	pending: PendingCheckpoint[];
}

export interface ConfirmCheckpointsOptions {
	/** Pending runs older than this are dropped (never finished: a crash, a lost Commit). Default 7 days. */
	maxPendingAgeSeconds?: number;
}

export const DEFAULT_MAX_PENDING_AGE_SECONDS = 7 * 86_400;

/** Keys per statement (three parameters per row at most, within every driver's limit). */
const CHUNK = 500;

/**
 * The time a checkpoint stands for, in ms: an ISO time, or a vendor cursor token `<prefix>.<base64url JSON>` whose
 * `c` is the ISO checkpoint (connectors/core/changeCursor.ts). NaN when neither.
 */
export function checkpointTime(value: string | null | undefined): number {
	if (value === null || value === undefined) return NaN;
	const text = String(value).trim();
	if (text === '') return NaN;
	const token = /^[a-z][a-z0-9]*\.([A-Za-z0-9_-]+)$/.exec(text);
	if (token) {
		try {
			const parsed = JSON.parse(Buffer.from(token[1], 'base64url').toString('utf8')) as { c?: unknown };
			return typeof parsed.c === 'string' ? Date.parse(parsed.c) : NaN;
		} catch {
			return NaN;
		}
	}
	return Date.parse(text.replace(/([+-])(\d{2})(\d{2})$/, '$1$2:$3'));
}

/**
 * Whether `candidate` may replace `current`: it is not older. Values that cannot be read as a time replace each other
 * (a vendor's own format, taken as it comes: the candidate is the newer run's).
 */
export function notOlder(candidate: string, current: string | null | undefined): boolean {
	if (current === null || current === undefined || current === '') return true;
	const a = checkpointTime(candidate);
	const b = checkpointTime(current);
	if (!Number.isFinite(a) || !Number.isFinite(b)) return true;
	return a >= b;
}

function optValue(name: string, value: string | null | undefined): string | null {
	if (value === undefined || value === null) return null;
	if (typeof value !== 'string') throw new TypeError(`${name} must be a string`);
	return value.trim() === '' ? null : value;
}

function confirmedFromRow(r: Row): SyncCheckpoint {
	return { mappingId: str(r.mapping_id), side: str(r.side) as Side, value: str(r.value), runId: strOrNull(r.run_id), confirmedAt: str(r.confirmed_at) };
}

function pendingFromRow(r: Row): PendingCheckpoint {
	return {
		mappingId: str(r.mapping_id),
		runId: str(r.run_id),
		source: strOrNull(r.source_value),
		target: strOrNull(r.target_value),
		openWork: num(r.open_work),
		createdAt: str(r.created_at),
		updatedAt: tsOrNull(r.updated_at) ?? str(r.created_at),
	};
}

/** Serialises the checkpoint writes of one mapping (PostgreSQL; SQLite's writers are serialised already). */
function* lockMapping(c: Ctx, mappingId: string): Op<void> {
	if (c.d.name === 'postgres') yield* exec(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`fluxcascade.checkpoints:${mappingId}`]);
}

function* insertWork(c: Ctx, mappingId: string, runId: string, keys: readonly string[]): Op<void> {
	const unique = [...new Set(keys.map((k) => text('work key', k)))];
	for (let i = 0; i < unique.length; i += CHUNK) {
		const chunk = unique.slice(i, i + CHUNK);
		const params: unknown[] = [mappingId, runId];
		const values = chunk.map((k) => `($1, $2, $${params.push(k)})`).join(', ');
		yield* exec(`INSERT INTO ${c.d.t('checkpoint_work')} (mapping_id, run_id, work_key) VALUES ${values} ON CONFLICT DO NOTHING`, params);
	}
}

/**
 * Records what one run's reads reached, with its outstanding writes, in one transaction (so a crash never leaves a
 * pending checkpoint without its work). A second Plan of the same run adds its work and keeps the newer value per side.
 */
export function* recordPendingCheckpoint(c: Ctx, input: PendingCheckpointInput): Op<PendingCheckpoint> {
	const mappingId = text('mappingId', input.mappingId);
	const runId = text('runId', input.runId);
	const source = optValue('source', input.source);
	const target = optValue('target', input.target);
	yield* lockMapping(c, mappingId);
	const t = c.d.t('checkpoint_runs');
	const now = c.now();
	const existing = yield* first(`SELECT * FROM ${t} WHERE mapping_id = $1 AND run_id = $2${c.d.lockForUpdate}`, [mappingId, runId]);
	if (existing) {
		const keep = (side: string | null, stored: unknown) => (side !== null && notOlder(side, strOrNull(stored)) ? side : strOrNull(stored));
		yield* exec(`UPDATE ${t} SET source_value = $3, target_value = $4, updated_at = $5 WHERE mapping_id = $1 AND run_id = $2`, [
			mappingId,
			runId,
			keep(source, existing.source_value),
			keep(target, existing.target_value),
			now,
		]);
	} else {
		yield* exec(`INSERT INTO ${t} (mapping_id, run_id, source_value, target_value, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)`, [
			mappingId,
			runId,
			source,
			target,
			now,
		]);
	}
	yield* insertWork(c, mappingId, runId, input.work ?? []);
	// Runs that never finished, or whose mapping nobody confirms (no Get Checkpoints), do not pile up.
	const cutoff = new Date(Date.parse(now) - (input.maxPendingAgeSeconds ?? DEFAULT_MAX_PENDING_AGE_SECONDS) * 1000).toISOString();
	for (const old of yield* all(`SELECT run_id FROM ${t} WHERE mapping_id = $1 AND created_at < $2`, [mappingId, cutoff])) {
		yield* dropPending(c, mappingId, str(old.run_id));
	}
	const rows = yield* pendingRows(c, mappingId, runId);
	return pendingFromRow(rows[0]);
}

/** Marks writes of a run finished (committed, or failed and handed on for review); returns how many were open. */
export function* finishCheckpointWork(c: Ctx, mappingId: string, runId: string, keys: readonly string[]): Op<number> {
	text('mappingId', mappingId);
	text('runId', runId);
	const unique = [...new Set(keys)];
	let done = 0;
	for (let i = 0; i < unique.length; i += CHUNK) {
		done += (yield* exec(`DELETE FROM ${c.d.t('checkpoint_work')} WHERE mapping_id = $1 AND run_id = $2 AND ${c.d.inList('work_key', '$3')}`, [
			mappingId,
			runId,
			unique.slice(i, i + CHUNK),
		])).rowCount;
	}
	return done;
}

function* pendingRows(c: Ctx, mappingId: string, runId?: string): Op<Row[]> {
	const r = c.d.t('checkpoint_runs');
	const w = c.d.t('checkpoint_work');
	const params: unknown[] = [mappingId];
	const one = runId === undefined ? '' : ` AND r.run_id = $${params.push(runId)}`;
	return yield* all(
		`SELECT r.*, (SELECT count(*) FROM ${w} w WHERE w.mapping_id = r.mapping_id AND w.run_id = r.run_id) AS open_work
		FROM ${r} r WHERE r.mapping_id = $1${one} ORDER BY r.created_at, r.run_id`,
		params,
	);
}

function* confirmedRows(c: Ctx, mappingId: string): Op<Record<Side, SyncCheckpoint | null>> {
	const rows = yield* all(`SELECT * FROM ${c.d.t('checkpoints')} WHERE mapping_id = $1`, [mappingId]);
	const out: Record<Side, SyncCheckpoint | null> = { source: null, target: null };
	for (const row of rows) out[str(row.side) as Side] = confirmedFromRow(row);
	return out;
}

function* dropPending(c: Ctx, mappingId: string, runId: string): Op<void> {
	yield* exec(`DELETE FROM ${c.d.t('checkpoint_work')} WHERE mapping_id = $1 AND run_id = $2`, [mappingId, runId]);
	yield* exec(`DELETE FROM ${c.d.t('checkpoint_runs')} WHERE mapping_id = $1 AND run_id = $2`, [mappingId, runId]);
}

/** The confirmed checkpoints and the pending runs, as they are (no promotion). */
export function* getCheckpoints(c: Ctx, mappingId: string): Op<CheckpointState> {
	text('mappingId', mappingId);
	const confirmed = yield* confirmedRows(c, mappingId);
	const pending = (yield* pendingRows(c, mappingId)).map(pendingFromRow);
	return { mappingId, ...confirmed, promoted: [], pending };
}

/**
 * Promotes every pending run that left nothing unfinished (oldest first; a side's confirmed checkpoint only moves
 * forward), drops pending runs that can no longer move anything (not newer than the confirmed ones) or are older than
 * the age limit, and returns the confirmed checkpoints. One write transaction.
 */
export function* confirmCheckpoints(c: Ctx, mappingId: string, options: ConfirmCheckpointsOptions = {}): Op<CheckpointState> {
	text('mappingId', mappingId);
	yield* lockMapping(c, mappingId);
	const now = c.now();
	const maxAge = options.maxPendingAgeSeconds ?? DEFAULT_MAX_PENDING_AGE_SECONDS;
	const oldest = Date.parse(now) - maxAge * 1000;
	const confirmed = yield* confirmedRows(c, mappingId);
	const promoted: string[] = [];
	const pending: PendingCheckpoint[] = [];
	for (const run of (yield* pendingRows(c, mappingId)).map(pendingFromRow)) {
		if (run.openWork > 0) {
			pending.push(run);
			continue;
		}
		for (const side of ['source', 'target'] as const) {
			const value = run[side];
			if (value === null || !notOlder(value, confirmed[side]?.value)) continue;
			const row = yield* first(
				`INSERT INTO ${c.d.t('checkpoints')} AS cp (mapping_id, side, value, run_id, confirmed_at) VALUES ($1, $2, $3, $4, $5)
				ON CONFLICT (mapping_id, side) DO UPDATE SET value = excluded.value, run_id = excluded.run_id, confirmed_at = excluded.confirmed_at
				RETURNING *`,
				[mappingId, oneOf('side', side, ['source', 'target'] as const), value, run.runId, now],
			);
			confirmed[side] = confirmedFromRow(row!);
		}
		yield* dropPending(c, mappingId, run.runId);
		promoted.push(run.runId);
	}
	const kept: PendingCheckpoint[] = [];
	for (const run of pending) {
		const useless = (['source', 'target'] as const).every((side) => run[side] === null || (confirmed[side] !== null && !newer(run[side]!, confirmed[side]!.value)));
		if (useless || Date.parse(run.createdAt) < oldest) yield* dropPending(c, mappingId, run.runId);
		else kept.push(run);
	}
	return { mappingId, ...confirmed, promoted, pending: kept };
}

/** Strictly newer, when both read as times; unreadable values count as newer (kept, to be safe for efficiency). */
function newer(candidate: string, current: string): boolean {
	const a = checkpointTime(candidate);
	const b = checkpointTime(current);
	if (!Number.isFinite(a) || !Number.isFinite(b)) return candidate !== current;
	return a > b;
}

/** Sets a side's confirmed checkpoint by hand (tools, tests); null clears it. */
export function* setCheckpoint(c: Ctx, mappingId: string, side: Side, value: string | null): Op<SyncCheckpoint | null> {
	text('mappingId', mappingId);
	oneOf('side', side, ['source', 'target'] as const);
	yield* lockMapping(c, mappingId);
	if (value === null || value.trim() === '') {
		yield* exec(`DELETE FROM ${c.d.t('checkpoints')} WHERE mapping_id = $1 AND side = $2`, [mappingId, side]);
		return null;
	}
	const row = yield* first(
		`INSERT INTO ${c.d.t('checkpoints')} (mapping_id, side, value, run_id, confirmed_at) VALUES ($1, $2, $3, NULL, $4)
		ON CONFLICT (mapping_id, side) DO UPDATE SET value = excluded.value, run_id = NULL, confirmed_at = excluded.confirmed_at
		RETURNING *`,
		[mappingId, side, value, c.now()],
	);
	return confirmedFromRow(row!);
}

/** Forgets every checkpoint of a mapping, confirmed and pending (the next run reads everything). */
export function* resetCheckpoints(c: Ctx, mappingId: string): Op<number> {
	text('mappingId', mappingId);
	yield* lockMapping(c, mappingId);
	yield* exec(`DELETE FROM ${c.d.t('checkpoint_work')} WHERE mapping_id = $1`, [mappingId]);
	const runs = (yield* exec(`DELETE FROM ${c.d.t('checkpoint_runs')} WHERE mapping_id = $1`, [mappingId])).rowCount;
	const confirmed = (yield* exec(`DELETE FROM ${c.d.t('checkpoints')} WHERE mapping_id = $1`, [mappingId])).rowCount;
	return runs + confirmed;
}
