/**
 * Where the webhook triggers remember the events they have already accepted, so an at-least-once redelivery
 * or a replayed request starts nothing. One interface for every vendor, the same shape as the sync store's
 * `markEventProcessed` (sync/store), so the durable store plugs in as it is; the in-memory LRU below is the
 * fallback when no store can be opened (one process, forgets on restart).
 */

export interface ProcessedEvents {
	/** True the first time (source, eventId) is seen within its time to live, false for a repeat. */
	markEventProcessed(source: string, eventId: string, ttlSeconds: number): Promise<boolean>;
	/** The same for several ids at once (one round trip to a store); the ids seen for the first time. */
	markEventsProcessed?(source: string, eventIds: readonly string[], ttlSeconds: number): Promise<Set<string>>;
}

/** Marks every id, in one call when the store can; returns the ids seen for the first time. */
export async function markAll(store: ProcessedEvents, source: string, eventIds: readonly string[], ttlSeconds: number): Promise<Set<string>> {
	const unique = [...new Set(eventIds)];
	if (store.markEventsProcessed) return await store.markEventsProcessed(source, unique, ttlSeconds);
	const fresh = new Set<string>();
	for (const id of unique) if (await store.markEventProcessed(source, id, ttlSeconds)) fresh.add(id);
	return fresh;
}

/** A bounded in-memory LRU of processed event ids. */
export class MemoryProcessedEvents implements ProcessedEvents {
	private readonly entries = new Map<string, number>();

	constructor(
		readonly capacity = 100_000,
		private readonly now: () => number = Date.now,
	) {}

	async markEventProcessed(source: string, eventId: string, ttlSeconds: number): Promise<boolean> {
		const key = `${source}\u0000${eventId}`;
		const now = this.now();
		const expires = this.entries.get(key);
		if (expires !== undefined && expires > now) {
			// Refresh its place in the LRU: a repeat is evidence the sender is still retrying.
			this.entries.delete(key);
			this.entries.set(key, expires);
			return false;
		}
		this.entries.delete(key);
		this.entries.set(key, now + ttlSeconds * 1000);
		while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value as string);
		return true;
	}

	get size(): number {
		return this.entries.size;
	}
}

/** The process-wide in-memory store (sources keep the triggers apart). */
export const memoryProcessedEvents: ProcessedEvents = new MemoryProcessedEvents();
