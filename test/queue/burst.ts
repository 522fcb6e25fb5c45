/**
 * The webhook burst of the queue-mode scenario, planned up front from a seed: two changes per record (the second
 * made while the burst is under way), each announced by one HubSpot `contact.propertyChange` event; events
 * delivered in HubSpot-style batches, some out of order (a record's second event before its first) and some
 * delivered again as HubSpot redelivers them (same event id, next `attemptNumber`), alone or inside other batches.
 * Pure: the e2e runs the plan against the sandbox and n8n; burst.test.ts checks the plan itself.
 */
import { Rng } from '../../sandbox/core/rng';

export interface PlannedEvent {
	eventId: number;
	record: number;
	/** 1: the change made before the burst, 2: the one made during it. */
	step: 1 | 2;
	attemptNumber: number;
}

export interface PlannedChange {
	/** Real ms after the burst starts. */
	at: number;
	record: number;
	step: 2;
}

export interface PlannedDelivery {
	at: number;
	events: PlannedEvent[];
	/** Every event in it was delivered before (HubSpot resending a whole batch). */
	redelivery: boolean;
}

export interface BurstPlan {
	/** Second changes, in time order (first changes are made before the burst). */
	changes: PlannedChange[];
	deliveries: PlannedDelivery[];
	/** Distinct events (two per record). */
	events: number;
	/** Extra deliveries of events already delivered. */
	duplicates: number;
	/** Records whose second event is delivered before their first. */
	outOfOrder: number;
}

export interface BurstOptions {
	records: number;
	seed: number;
	/** Real ms over which events are delivered. */
	durationMs: number;
	/** Share of events HubSpot sends again. */
	duplicateShare: number;
	/** Share of records whose second event is forced ahead of the first. */
	reorderShare: number;
	/** HubSpot sends at most 100 events per request. */
	maxBatch: number;
	/** Deliveries due within this many ms go out together (one request per batch). */
	tickMs: number;
	/** First event id (HubSpot's are large integers). */
	firstEventId?: number;
}

export function planBurst(o: BurstOptions): BurstPlan {
	const rng = new Rng(o.seed);
	const span = (from: number, to: number) => from + rng.next() * (to - from);
	const changes: PlannedChange[] = [];
	const due: Array<{ at: number; event: PlannedEvent }> = [];
	let nextId = o.firstEventId ?? 9_000_000;
	let outOfOrder = 0;
	for (let record = 0; record < o.records; record++) {
		const changedAt = span(0, o.durationMs / 2);
		changes.push({ at: changedAt, record, step: 2 });
		const second = { at: changedAt + span(20, o.durationMs / 2), event: { eventId: nextId + 1, record, step: 2 as const, attemptNumber: 0 } };
		let firstAt = span(0, o.durationMs);
		if (rng.chance(o.reorderShare)) firstAt = second.at + span(50, 1000);
		if (firstAt > second.at) outOfOrder++;
		due.push({ at: firstAt, event: { eventId: nextId, record, step: 1, attemptNumber: 0 } }, second);
		nextId += 2;
	}
	// Redeliveries: HubSpot retries an event it counts as failed; the same id comes back with the next attempt number.
	const again: Array<{ at: number; event: PlannedEvent }> = [];
	for (const d of due) if (rng.chance(o.duplicateShare)) again.push({ at: d.at + span(200, 3000), event: { ...d.event, attemptNumber: d.event.attemptNumber + 1 } });
	const deliveries: PlannedDelivery[] = [];
	const byTick = new Map<number, PlannedEvent[]>();
	for (const d of [...due, ...again].sort((a, b) => a.at - b.at)) {
		const tick = Math.floor(d.at / o.tickMs) * o.tickMs;
		byTick.set(tick, [...(byTick.get(tick) ?? []), d.event]);
	}
	for (const [at, events] of [...byTick].sort((a, b) => a[0] - b[0])) {
		for (let i = 0; i < events.length; i += o.maxBatch) {
			const batch = events.slice(i, i + o.maxBatch);
			deliveries.push({ at, events: batch, redelivery: batch.every((e) => e.attemptNumber > 0) });
		}
	}
	// A whole batch sent again, as HubSpot does when an answer was too slow: the trigger answers it 401 (a replay).
	const resend = deliveries.filter((d) => !d.redelivery && rng.chance(0.05));
	for (const d of resend) deliveries.push({ at: d.at + span(200, 2000), events: d.events.map((e) => ({ ...e, attemptNumber: e.attemptNumber + 1 })), redelivery: true });
	deliveries.sort((a, b) => a.at - b.at);
	return {
		changes: changes.sort((a, b) => a.at - b.at),
		deliveries,
		events: due.length,
		duplicates: again.length + resend.reduce((s, d) => s + d.events.length, 0),
		outOfOrder,
	};
}
