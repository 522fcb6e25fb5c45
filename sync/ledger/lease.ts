import { randomUUID } from 'node:crypto';
import type { PairLease, SyncStore } from '../store';

/**
 * Pair leases in the ledger (no lost update under concurrent executions): a Plan that routes an update, delete or
 * archive of a paired record leases the pair until the Commit of that write. Another Plan of the same pair waits
 * for the lease, then plans against the snapshot that Commit stored, so an older record version comes out stale
 * instead of overwriting a newer one that was written meanwhile.
 */

export const DEFAULT_LEASE_TTL_SECONDS = 120;
export const DEFAULT_LEASE_WAIT_SECONDS = 30;

export interface LeaseSettings {
	/** How long a lease lives when its Commit never comes (a crash, or a write that never reached Commit). */
	ttlSeconds: number;
	/** How long one Plan waits, in all, for leases held by others before taking them over. */
	waitSeconds: number;
}

export interface LeaseHooks {
	/** Real time in ms (the wait bound); default Date.now. */
	now?: () => number;
	sleep?: (ms: number) => Promise<void>;
	/** Called whenever the Plan starts to wait for another holder (tests interleave Plans with it). */
	onWait?: (blocked: PairLease) => void;
}

export interface LeaseHold {
	token: string;
	ids: Set<string>;
	/** Ids whose live lease was taken over after the wait bound, with the holder it was taken from. */
	takenOver: Map<string, PairLease>;
	/** Ids this Plan had to wait for (another Plan held them). */
	waitedFor: Set<string>;
	waitedMs: number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Acquires leases on every id (in the store's one order), waiting with a growing poll interval while another token
 * holds one, and taking over what still blocks once `waitSeconds` have passed in all.
 */
export async function leasePairs(store: SyncStore, mappingId: string, sourceIds: readonly string[], settings: LeaseSettings, hooks: LeaseHooks = {}): Promise<LeaseHold> {
	const now = hooks.now ?? Date.now;
	const sleep = hooks.sleep ?? defaultSleep;
	const token = randomUUID();
	const started = now();
	const deadline = started + settings.waitSeconds * 1000;
	const hold: LeaseHold = { token, ids: new Set(), takenOver: new Map(), waitedFor: new Set(), waitedMs: 0 };
	const takeOver: string[] = [];
	let pause = 20;
	try {
		for (;;) {
			const res = await store.acquirePairLeases(mappingId, token, sourceIds, { ttlSeconds: settings.ttlSeconds, takeOver });
			for (const id of res.acquired) hold.ids.add(id);
			for (const lease of res.takenOver) hold.takenOver.set(lease.sourceId, lease);
			if (!res.blocked) break;
			hold.waitedFor.add(res.blocked.sourceId);
			if (now() >= deadline) {
				// Waited long enough: the holder is stuck (a crash, a lost Commit). Take its lease over and say so.
				takeOver.push(res.blocked.sourceId);
				continue;
			}
			hooks.onWait?.(res.blocked);
			await sleep(Math.max(1, Math.min(pause, deadline - now())));
			pause = Math.min(pause * 2, 500);
		}
	} catch (err) {
		await store.releasePairLeases(mappingId, token).catch(() => undefined);
		throw err;
	}
	hold.waitedMs = now() - started;
	return hold;
}
