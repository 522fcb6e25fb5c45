import { checkpointTime, type CheckpointState, type SyncStore } from '../store';
import type { Side, SyncContext, WriteDecision, WriteOutcome } from './types';

/**
 * Incremental two-way rounds that never lose a change: the read checkpoints of a mapping, kept by the ledger.
 *
 * 1. **Get Checkpoints** (start of a run) promotes the pending checkpoints of earlier runs that left nothing
 *    unfinished and returns the confirmed one of each side: the vendor nodes' Get Changes read from it (empty: a full
 *    read). Since is inclusive and the vendor nodes re-read an overlap window before it, so records stamped in the
 *    checkpoint's second, late commits and a little clock skew are read again; the ledger routes a record it has
 *    already synced as Unchanged, so reading it twice costs a read, never a write.
 * 2. **Plan** records the checkpoints this run's reads reached (the `checkpoint` every Get Changes item carries: the
 *    newest modification read) as *pending* for the run (the n8n execution id), together with a key per write
 *    decision it routes. The decisions carry the run id in their sync context (`sync.run`).
 * 3. **Commit** finishes the work of each write it is handed, succeeded or failed (a failed write goes on to the
 *    Error Policy and the review queue, whose retry worker writes it again).
 *
 * A pending checkpoint is confirmed only when its run finished all its writes. When n8n dies after Plan, the run's
 * work stays open, the older confirmed checkpoint stays, and the next run reads the overlap again: no change is
 * skipped. A later run that finishes is confirmed on its own (it re-read everything the unfinished run had read).
 */

export interface PlanCheckpoints {
	/** The checkpoint the source side's read reached (null: not an incremental read, or nothing read). */
	source?: string | null;
	/** The same for the target side. */
	target?: string | null;
}

export interface CheckpointsForRun {
	mappingId: string;
	/** Pass as the source side's Since: empty reads everything. */
	source: string;
	/** Pass as the target side's Since. */
	target: string;
	/** Whether the checkpoints were ignored on purpose (a full re-sync). */
	fullResync: boolean;
	confirmedAt: { source: string | null; target: string | null };
	/** Runs whose checkpoints this call confirmed. */
	promoted: string[];
	/** Runs still waiting for their writes to finish (or that never will: a crash); their checkpoints are not used. */
	pending: Array<{ runId: string; openWrites: number; since: string }>;
}

/** The key of one write decision within its run: its direction and both record ids (unique in one Plan). */
export function workKey(sync: Pick<SyncContext, 'direction' | 'source' | 'target'>): string {
	return `${sync.direction}|${sync.source?.id ?? ''}|${sync.target?.id ?? ''}`;
}

/**
 * The checkpoint a side's read reached, from the `checkpoint` of its Get Changes items: the newest one (the vendor
 * nodes put the run's final checkpoint on every item). Null when no item carries one.
 */
export function newestCheckpoint(values: Iterable<unknown>): string | null {
	let best: string | null = null;
	let bestMs = -Infinity;
	for (const value of values) {
		if (typeof value !== 'string' || value.trim() === '') continue;
		const ms = checkpointTime(value);
		// Unreadable values (a vendor format of its own) are taken as they come, the last one winning.
		if (!Number.isFinite(ms)) {
			if (bestMs === -Infinity) best = value;
			continue;
		}
		if (ms >= bestMs) {
			best = value;
			bestMs = ms;
		}
	}
	return best;
}

/**
 * Plan's hook: records the run's pending checkpoints and one work key per write decision (in one transaction), and
 * tags every decision's sync context with the run, for Commit. Does nothing without a checkpoint or a run id.
 */
export async function recordPlanCheckpoints(
	store: SyncStore,
	mappingId: string,
	runId: string | undefined,
	checkpoints: PlanCheckpoints | undefined,
	decisions: readonly WriteDecision[],
): Promise<void> {
	const source = checkpoints?.source?.trim() || null;
	const target = checkpoints?.target?.trim() || null;
	if (!runId || (source === null && target === null)) return;
	for (const d of decisions) d.sync.run = runId;
	await store.recordPendingCheckpoint({ mappingId, runId, source, target, work: decisions.map((d) => workKey(d.sync)) });
}

/** Commit's hook: every write handed to Commit with a run (succeeded or failed) is finished for its checkpoint. */
export async function finishCheckpointWork(store: SyncStore, outcomes: readonly WriteOutcome[], valid: (sync: unknown) => sync is SyncContext): Promise<void> {
	const byRun = new Map<string, { mappingId: string; runId: string; keys: string[] }>();
	for (const outcome of outcomes) {
		const sync = outcome.sync;
		if (!valid(sync) || sync.dryRun || typeof sync.run !== 'string' || !sync.run) continue;
		const id = JSON.stringify([sync.mappingId, sync.run]);
		const entry = byRun.get(id) ?? { mappingId: sync.mappingId, runId: sync.run, keys: [] };
		entry.keys.push(workKey(sync));
		byRun.set(id, entry);
	}
	for (const { mappingId, runId, keys } of byRun.values()) await store.finishCheckpointWork(mappingId, runId, keys);
}

/**
 * Get Checkpoints: confirms what earlier runs finished and returns the Since of each side for this run. With
 * `fullResync` both are empty (everything is read; the run's own checkpoints are recorded and confirmed as usual).
 */
export async function getCheckpoints(mappingId: string, store: SyncStore, options: { fullResync?: boolean } = {}): Promise<CheckpointsForRun> {
	const state: CheckpointState = await store.confirmCheckpoints(mappingId);
	const full = options.fullResync === true;
	const since = (side: Side) => (full ? '' : (state[side]?.value ?? ''));
	return {
		mappingId,
		source: since('source'),
		target: since('target'),
		fullResync: full,
		confirmedAt: { source: state.source?.confirmedAt ?? null, target: state.target?.confirmedAt ?? null },
		promoted: state.promoted,
		pending: state.pending.map((p) => ({ runId: p.runId, openWrites: p.openWork, since: p.createdAt })),
	};
}

/** Forgets a mapping's checkpoints: the next run reads both sides in full. */
export async function resetCheckpoints(mappingId: string, store: SyncStore): Promise<{ reset: number }> {
	return { reset: await store.resetCheckpoints(mappingId) };
}
