import type { SyncStore } from '../store';
import type { LedgerStats, Side } from './types';

/** Forgets one pair, found by either side's id. The records stay as they are in both systems. */
export async function unlink(mappingId: string, side: Side, id: string, store: SyncStore): Promise<{ unlinked: boolean }> {
	return { unlinked: await store.unlinkPair(mappingId, side, id) };
}

/** Forgets every pair and read checkpoint of a mapping (a fresh start: the next run reads all and pairs by match key again). */
export async function forget(mappingId: string, store: SyncStore): Promise<{ forgotten: number }> {
	// Without its pairs a mapping must read everything again: its read checkpoints go too.
	await store.resetCheckpoints(mappingId);
	return { forgotten: await store.forgetMapping(mappingId) };
}

/** Pairs, last sync, open intents, review items per status, the last run and run totals of a mapping. */
export async function stats(mappingId: string, store: SyncStore): Promise<LedgerStats> {
	const [pairs, runs] = await Promise.all([store.pairStats(mappingId), store.runTotals({ mappingId })]);
	return { ...pairs, runs };
}
