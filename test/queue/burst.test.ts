/** The burst plan of the queue-mode scenario is what the scenario claims: counts, order, duplicates, batches. */
import { planBurst } from './burst';

const plan = planBurst({ records: 500, seed: 42, durationMs: 4000, duplicateShare: 0.1, reorderShare: 0.3, maxBatch: 100, tickMs: 50 });

test('1,000 distinct events, two per record, every one delivered at least once', () => {
	expect(plan.events).toBe(1000);
	const delivered = new Map<number, number>();
	for (const d of plan.deliveries) for (const e of d.events) delivered.set(e.eventId, (delivered.get(e.eventId) ?? 0) + 1);
	expect(delivered.size).toBe(1000);
	const perRecord = new Map<number, Set<number>>();
	for (const d of plan.deliveries) for (const e of d.events) perRecord.set(e.record, (perRecord.get(e.record) ?? new Set()).add(e.step));
	expect(perRecord.size).toBe(500);
	expect([...perRecord.values()].every((s) => s.size === 2)).toBe(true);
	const extra = [...delivered.values()].reduce((s, n) => s + n - 1, 0);
	expect(extra).toBe(plan.duplicates);
	expect(plan.duplicates).toBeGreaterThan(50);
});

test('redeliveries carry the next attempt number; whole-batch redeliveries hold only events sent before', () => {
	const firstSeen = new Map<number, number>();
	for (const d of plan.deliveries) {
		for (const e of d.events) {
			if (!firstSeen.has(e.eventId)) {
				expect(e.attemptNumber).toBe(0);
				firstSeen.set(e.eventId, d.at);
			} else expect(e.attemptNumber).toBeGreaterThan(0);
		}
	}
	const whole = plan.deliveries.filter((d) => d.redelivery);
	expect(whole.length).toBeGreaterThan(0);
	for (const d of whole) for (const e of d.events) expect(firstSeen.get(e.eventId)!).toBeLessThanOrEqual(d.at);
});

test('a share of records gets its second event first; no event goes out before its change', () => {
	expect(plan.outOfOrder).toBeGreaterThan(150);
	const changedAt = new Map(plan.changes.map((c) => [c.record, c.at]));
	for (const d of plan.deliveries) for (const e of d.events) if (e.step === 2) expect(d.at).toBeGreaterThanOrEqual(Math.floor(changedAt.get(e.record)! / 50) * 50);
	expect(plan.deliveries.every((d) => d.events.length <= 100)).toBe(true);
	expect([...plan.deliveries].map((d) => d.at)).toEqual([...plan.deliveries].map((d) => d.at).sort((a, b) => a - b));
});

test('the same seed plans the same burst', () => {
	const again = planBurst({ records: 500, seed: 42, durationMs: 4000, duplicateShare: 0.1, reorderShare: 0.3, maxBatch: 100, tickMs: 50 });
	expect(again).toEqual(plan);
});
