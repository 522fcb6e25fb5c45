import type { Pair, PairInput, PairResult, PairUpdate, SyncStore } from '../store';
import { finishCheckpointWork } from './checkpoint';
import { applyEntries, getAt, hasAt, parsePath } from './fields';
import { chunks, fetchPairs, later } from './plan';
import type { CommitItemResult, CommitResult, RecordRef, Side, SnapshotEntry, SyncContext, WriteOutcome } from './types';

/**
 * Commit persists what the vendor confirmed: new pairs (completing their write intents in the same
 * transaction), field snapshots and each side's updatedAt. Failed writes are never committed, so the next Plan
 * finds the same difference and tries again.
 */

export interface CommitOptions {
	/** Adds created/updated/failed counts to this run (the n8n execution id). */
	runId?: string;
	/** Commit nothing (the writes were a dry run). */
	dryRun?: boolean;
}

export function isSyncContext(value: unknown): value is SyncContext {
	const s = value as SyncContext | null | undefined;
	return (
		!!s &&
		typeof s === 'object' &&
		s.v === 1 &&
		typeof s.mappingId === 'string' &&
		(s.direction === 'to_target' || s.direction === 'to_source') &&
		['create', 'update', 'delete', 'archive'].includes(s.action) &&
		!!s.snapshot &&
		Array.isArray(s.snapshot.source) &&
		Array.isArray(s.snapshot.target)
	);
}

/** A failure the vendor will repeat (bad data, permissions): the create certainly did not happen. */
function certainFailure(error: unknown): boolean {
	if (!error || typeof error !== 'object') return false;
	const e = error as { retryable?: unknown; errors?: unknown; error?: unknown };
	if (e.retryable === false) return true;
	if (Array.isArray(e.errors) && e.errors.length > 0) return e.errors.every((x) => (x as { retryable?: unknown })?.retryable === false);
	if (e.error && typeof e.error === 'object') return certainFailure(e.error);
	return false;
}

const writtenSide = (sync: SyncContext): Side => (sync.direction === 'to_target' ? 'target' : 'source');

/** The snapshot entries to store, with the vendor's own answer for the fields we wrote (it may normalise them). */
function entriesWithAnswer(sync: SyncContext, outcome: WriteOutcome): { source: SnapshotEntry[]; target: SnapshotEntry[] } {
	const side = writtenSide(sync);
	const answer = outcome.fields && typeof outcome.fields === 'object' ? outcome.fields : null;
	if (!answer || sync.written.length === 0) return sync.snapshot;
	const written = new Set(sync.written);
	const replaced = sync.snapshot[side].map((e) => {
		if (!written.has(e.path)) return e;
		const segments = parsePath(e.path);
		return hasAt(answer, segments) ? { ...e, value: getAt(answer, segments) } : e;
	});
	return side === 'target' ? { source: sync.snapshot.source, target: replaced } : { source: replaced, target: sync.snapshot.target };
}

function updatedAtOf(sync: SyncContext, outcome: WriteOutcome): { source: string | null; target: string | null } {
	const side = writtenSide(sync);
	const out = { ...sync.updatedAt };
	// Our write's own timestamp: the vendor's echo of it carries the same one, and anything older is stale.
	if (outcome.updatedAt) out[side] = later(out[side], outcome.updatedAt);
	return out;
}

interface Work {
	index: number;
	sync: SyncContext;
	outcome: WriteOutcome;
	sourceId: string;
}

export async function commit(config: CommitOptions | null | undefined, outcomes: readonly WriteOutcome[], store: SyncStore, options: CommitOptions = {}): Promise<CommitResult> {
	const opts = { ...(config ?? {}), ...options };
	const results: CommitItemResult[] = new Array(outcomes.length);
	const counts = { committed: 0, failed: 0, created: 0, updated: 0, deleted: 0, deferred: 0 };
	const ok = (index: number, status: Extract<CommitItemResult, { ok: true }>['status'], pair: Pair | null, note?: string) => {
		results[index] = { index, ok: true, status, pair, ...(note ? { note } : {}) };
		counts.committed++;
		if (status === 'deferred') counts.deferred++;
	};
	const fail = (index: number, reason: Extract<CommitItemResult, { ok: false }>['reason'], message: string, pair?: Pair | null) => {
		results[index] = { index, ok: false, reason, message, ...(pair !== undefined ? { pair } : {}) };
		counts.failed++;
	};

	const pairings: Work[] = [];
	const updates: Work[] = [];
	const removals: Work[] = [];
	const refused: string[] = [];
	for (let index = 0; index < outcomes.length; index++) {
		const outcome = outcomes[index];
		const sync = outcome.sync;
		if (!isSyncContext(sync)) {
			fail(index, 'no_sync_context', 'The item carries no sync context: pass the Sync Ledger\'s "sync" field through the write node unchanged');
			continue;
		}
		if (!outcome.ok) {
			if (sync.action === 'create' && sync.intent && !opts.dryRun && !sync.dryRun && certainFailure(outcome.error)) refused.push(sync.intent.key);
			fail(index, 'write_failed', 'The vendor write failed; nothing was committed and the next Plan tries again');
			continue;
		}
		if (opts.dryRun || sync.dryRun) {
			ok(index, 'deferred', null, 'Dry run: nothing was stored');
			continue;
		}
		const id = outcome.id === undefined || outcome.id === null || outcome.id === '' ? null : String(outcome.id);
		if (sync.action === 'create' && id === null) {
			fail(index, 'no_id', 'The vendor answer of a create has no id: the pair cannot be stored');
			continue;
		}
		const sourceId = sync.source?.id ?? id!;
		const work: Work = { index, sync, outcome, sourceId };
		if (sync.action === 'delete' || sync.action === 'archive') removals.push(work);
		else if (sync.pairVersion === null) pairings.push(work);
		else updates.push(work);
	}

	// Creates the vendor refused for good: their intents are abandoned (the create certainly did not happen).
	for (const part of chunks(refused)) await store.abandonIntents(part, 'The vendor refused the create');

	// New pairs: creates and first pairings. Each chunk is one transaction that completes the intents together with
	// their pairs (a few statements for thousands of records, not one transaction each).
	const prepared = pairings.map((w) => {
		const { sync, outcome } = w;
		const id = outcome.id === undefined || outcome.id === null ? null : String(outcome.id);
		const side = writtenSide(sync);
		const created: RecordRef | null = id === null ? null : { system: sync.writeTo.system, object: sync.writeTo.object, id };
		const source = sync.source ?? created!;
		const target = sync.target ?? created!;
		const ent = entriesWithAnswer(sync, outcome);
		const updatedAt = updatedAtOf(sync, outcome);
		const input: PairInput = {
			mappingId: sync.mappingId,
			source,
			target,
			sourceSnapshot: applyEntries(null, ent.source, false).snapshot,
			targetSnapshot: applyEntries(null, ent.target, false).snapshot,
			sourceUpdatedAt: updatedAt.source,
			targetUpdatedAt: updatedAt.target,
		};
		return { w, side, input, writtenId: (side === 'target' ? target : source).id, res: undefined as PairResult | undefined };
	});
	const withIntent = prepared.filter((x) => x.w.sync.intent);
	for (const part of chunks(withIntent)) {
		const done = await store.completeIntents(part.map((x) => ({ key: x.w.sync.intent!.key, result: { targetId: x.writtenId, pair: x.input } })));
		part.forEach((x, k) => (x.res = done[k]?.pair));
	}
	// No intent (first pairings), or an intent the store does not know: the pair alone.
	const plain = prepared.filter((x) => !x.res);
	for (const part of chunks(plain)) {
		const res = await store.pairRecords(part.map((x) => x.input));
		part.forEach((x, k) => (x.res = res[k]));
	}
	for (const { w, side, res } of prepared) {
		const { sync } = w;
		if (res!.created) {
			ok(w.index, 'paired', res!.pair);
			if (sync.action === 'create') counts.created++;
			else counts.updated++;
		} else if (res!.conflict) {
			fail(
				w.index,
				'pair_conflict',
				`The write succeeded, but ${res!.pair.source.id} ↔ ${res!.pair.target.id} was paired by another run meanwhile: the ${side} system may now hold a duplicate`,
				res!.pair,
			);
		} else {
			// The same pair exists (a replayed commit, or a concurrent run): store our fields on top of it.
			updates.push({ ...w, sourceId: res!.pair.source.id, sync: { ...sync, pairVersion: res!.pair.version } });
		}
	}

	// Field snapshots of existing pairs; several writes to one pair (both directions) fold into one update.
	const byMapping = new Map<string, Map<string, Work[]>>();
	for (const w of updates) {
		let m = byMapping.get(w.sync.mappingId);
		if (!m) byMapping.set(w.sync.mappingId, (m = new Map()));
		const list = m.get(w.sourceId) ?? [];
		list.push(w);
		m.set(w.sourceId, list);
	}
	const fold = (pair: Pair, works: Work[]): PairUpdate => {
		let source = pair.sourceSnapshot;
		let target = pair.targetSnapshot;
		let sourceUpdatedAt = pair.sourceUpdatedAt;
		let targetUpdatedAt = pair.targetUpdatedAt;
		for (const w of works) {
			const ent = entriesWithAnswer(w.sync, w.outcome);
			source = applyEntries(source, ent.source, true).snapshot;
			target = applyEntries(target, ent.target, true).snapshot;
			const at = updatedAtOf(w.sync, w.outcome);
			sourceUpdatedAt = later(sourceUpdatedAt, at.source);
			targetUpdatedAt = later(targetUpdatedAt, at.target);
		}
		return {
			side: 'source',
			id: pair.source.id,
			patch: { sourceSnapshot: source, targetSnapshot: target, sourceUpdatedAt, targetUpdatedAt, expectedVersion: pair.version },
		};
	};
	const settle = (works: Work[], status: 'updated' | 'deferred' | 'pair_missing', pair: Pair | null, note?: string) => {
		for (const w of works) {
			if (results[w.index]) continue;
			ok(w.index, status, pair, note);
			if (status === 'updated') counts.updated++;
		}
	};
	for (const [mappingId, groups] of byMapping) {
		const pairs = await fetchPairs(store, mappingId, 'source', [...groups.keys()]);
		const batch: Array<{ works: Work[]; update: PairUpdate }> = [];
		for (const [sourceId, works] of groups) {
			const pair = pairs.get(sourceId);
			if (!pair) {
				settle(works, 'pair_missing', null, 'The pair was unlinked meanwhile; the next Plan pairs the records again by their match key');
				continue;
			}
			batch.push({ works, update: fold(pair, works) });
		}
		const retries: Array<{ works: Work[]; update: PairUpdate }> = [];
		for (const part of chunks(batch)) {
			const answers = await store.updatePairs(
				mappingId,
				part.map((b) => b.update),
			);
			for (let k = 0; k < part.length; k++) {
				const answer = answers[k];
				const { works } = part[k];
				if (answer.ok) {
					settle(works, 'updated', answer.pair);
					continue;
				}
				if (answer.reason === 'not_found') {
					settle(works, 'pair_missing', null, 'The pair was unlinked meanwhile; the next Plan pairs the records again by their match key');
					continue;
				}
				// Another run committed this pair since Plan read it: re-plan these fields on the pair as it is now
				// (a field someone else moved meanwhile keeps their value), once.
				retries.push({ works, update: fold(answer.pair, works) });
			}
		}
		for (const part of chunks(retries)) {
			const answers = await store.updatePairs(
				mappingId,
				part.map((b) => b.update),
			);
			part.forEach(({ works }, k) => {
				const again = answers[k];
				if (again.ok) settle(works, 'updated', again.pair);
				else if (again.reason === 'not_found') settle(works, 'pair_missing', null);
				else settle(works, 'deferred', again.pair, 'The pair kept changing under concurrent runs; the next Plan compares again (the write itself is done)');
			});
		}
	}

	const removed = new Map<string, Work[]>();
	for (const w of removals) {
		const list = removed.get(w.sync.mappingId);
		if (list) list.push(w);
		else removed.set(w.sync.mappingId, [w]);
	}
	for (const [mappingId, works] of removed) {
		for (const part of chunks(works)) {
			const gone = await store.unlinkPairs(
				mappingId,
				'source',
				part.map((w) => w.sync.source!.id),
			);
			part.forEach((w, k) => {
				ok(w.index, gone[k] ? 'unlinked' : 'pair_missing', null);
				counts.deleted++;
			});
		}
	}

	// The pairs' leases end with their Commit: the next Plan of a pair plans against the snapshot stored above. A write
	// that failed for certain ends its lease too; one that may still land (a timeout) keeps it until it expires.
	const leases = new Map<string, { mappingId: string; token: string; ids: Set<string> }>();
	outcomes.forEach((outcome) => {
		const sync = outcome.sync;
		if (!isSyncContext(sync) || opts.dryRun || sync.dryRun || !sync.lease || typeof sync.lease.token !== 'string' || !sync.lease.token || !sync.source?.id) return;
		if (!outcome.ok && !certainFailure(outcome.error)) return;
		const key = JSON.stringify([sync.mappingId, sync.lease.token]);
		const entry = leases.get(key) ?? { mappingId: sync.mappingId, token: sync.lease.token, ids: new Set<string>() };
		entry.ids.add(sync.source.id);
		leases.set(key, entry);
	});
	for (const { mappingId, token, ids } of leases.values()) await store.releasePairLeases(mappingId, token, [...ids]);
	// Every write handed in, committed or failed (parked for review), is finished for its run's read checkpoints.
	if (!opts.dryRun) await finishCheckpointWork(store, outcomes, isSyncContext);

	if (opts.runId && !opts.dryRun) {
		const mappingId = outcomes.map((o) => o.sync).find(isSyncContext)?.mappingId;
		if (mappingId) {
			await store.startRun({ id: opts.runId, mappingId, trigger: 'sync-ledger', status: 'running' });
			const run = await store.updateRun(opts.runId, { increment: { created: counts.created, updated: counts.updated, failed: counts.failed } });
			if (run) await store.finishRun(opts.runId, run.counts.failed > 0 ? 'partial' : 'completed');
		}
	}
	return { results, counts };
}
