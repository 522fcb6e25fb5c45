/**
 * The retry lifecycle in the store: park → due → claim (leased) → attempt → reschedule / resolve / fail; and the
 * conservation property over random error mixes: every record ends synced, skipped with a reason, or parked.
 */
import fc from 'fast-check';
import { classifiedError, ERROR_CODES, type ErrorCode } from '../../errors/taxonomy';
import { classify, decide, park, policyConfig, recordRetryOutcome, type PolicyConfig, type Strategy } from '../../sync/errors';
import { openSqliteStore, type SqlStore } from '../../sync/store';
import { failedItem } from '../../nodes/shared/records';
import { TestClock } from '../store/harness';

const CODES = Object.keys(ERROR_CODES) as ErrorCode[];

function failure(id: string, code: ErrorCode, now: Date, retryAfter?: number) {
	const record = { system: 'hubspot', object: 'contacts', id, fields: { firstname: `Name ${id}`, email: `${id}@example.com` } };
	return classify(failedItem('hubspot', 'HubSpot', record, [classifiedError(code, { message: `${code} on ${id}`, now, retryAfter })]), { now });
}

let clock: TestClock;
let store: SqlStore;

beforeEach(async () => {
	clock = new TestClock('2025-03-01T12:00:00.000Z');
	store = await openSqliteStore({ kind: 'sqlite', path: ':memory:' }, { clock: clock.now });
});
afterEach(async () => {
	await store.close();
});

test('a record that fails twice then succeeds ends resolved and counts as a retry success', async () => {
	const policy = policyConfig();
	// Attempt 1: the sync itself times out.
	const f1 = failure('42', 'CONNECTION_TIMEOUT', clock.now());
	const d1 = decide(f1.errors, policy, { now: clock.now() });
	const parked = await park(store, f1, d1, { policy, mappingId: 'm1', now: clock.now() });
	expect(parked.item).toMatchObject({ status: 'retry_scheduled', attempts: 1, nextRetryAt: '2025-03-01T12:01:00.000Z', mappingId: 'm1', recordId: '42' });

	// Not due yet.
	expect(await store.claimDueRetries(clock.now(), 10, 'worker-a', 300)).toEqual([]);
	clock.advance(60_000);
	const [claim2] = await store.claimDueRetries(clock.now(), 10, 'worker-a', 300);
	expect(claim2.id).toBe(parked.item!.id);
	// Attempt 2: times out again → the next retry 5 minutes later.
	const r2 = await recordRetryOutcome(store, claim2.id, { ok: false, errors: [classifiedError('CONNECTION_TIMEOUT', { message: 'again' })], attempt: 2, now: clock.now(), workerId: 'worker-a' });
	expect(r2).toMatchObject({ recorded: true, next: 'retry_scheduled', nextRetryAt: '2025-03-01T12:06:00.000Z' });

	clock.advance(300_000);
	const [claim3] = await store.claimDueRetries(clock.now(), 10, 'worker-a', 300);
	expect(claim3.id).toBe(parked.item!.id);
	// Attempt 3 succeeds.
	const r3 = await recordRetryOutcome(store, claim3.id, { ok: true, attempt: 3, now: clock.now(), workerId: 'worker-a' });
	expect(r3).toMatchObject({ recorded: true, next: 'resolved' });
	expect(r3!.item).toMatchObject({ status: 'resolved', attempts: 3, resolvedAt: '2025-03-01T12:06:00.000Z' });

	const attempts = await store.listAttempts(claim3.id);
	expect(attempts.map((a) => [a.attempt, a.outcome])).toEqual([
		[1, 'failed'],
		[2, 'failed'],
		[3, 'succeeded'],
	]);
	const metrics = await store.reviewMetrics({ mappingId: 'm1' });
	expect(metrics.retry).toEqual({ attemptedItems: 1, resolvedItems: 1, attempts: 3, successRate: 1 });
	expect(metrics.byStatus.resolved).toBe(1);
	expect(metrics.meanResolutionMs).toBe(360_000);

	// A replayed success report changes nothing.
	expect((await recordRetryOutcome(store, claim3.id, { ok: true, attempt: 3, now: clock.now() }))!.next).toBe('unchanged');
});

test('the schedule runs out: the record ends failed after Max Retries and stays in the queue', async () => {
	const policy = policyConfig({ maxRetries: 2 });
	const f = failure('7', 'RATE_LIMIT_EXCEEDED', clock.now());
	const { item } = await park(store, f, decide(f.errors, policy, { now: clock.now() }), { policy, now: clock.now() });
	clock.advance(60_000);
	expect((await recordRetryOutcome(store, item!.id, { ok: false, errors: f.errors, now: clock.now() }))!.next).toBe('retry_scheduled');
	clock.advance(300_000);
	const last = await recordRetryOutcome(store, item!.id, { ok: false, errors: f.errors, now: clock.now() });
	expect(last).toMatchObject({ next: 'failed' });
	expect(last!.reason).toMatch(/Max Retries \(2\) used up/);
	expect(last!.item).toMatchObject({ status: 'failed', attempts: 3, nextRetryAt: null });
	// The policy the record was parked with is what the worker used (maxRetries 2, not the default 3).
	expect((await store.reviewMetrics()).retry.successRate).toBe(0);
});

test('Retry-After larger than the schedule is honoured when parking', async () => {
	const policy = policyConfig();
	const f = failure('9', 'RATE_LIMIT_EXCEEDED', clock.now(), 900);
	const { item, decision } = await park(store, f, decide(f.errors, policy, { now: clock.now() }), { policy, now: clock.now() });
	expect(decision.delaySeconds).toBe(900);
	expect(item!.nextRetryAt).toBe('2025-03-01T12:15:00.000Z');
});

test('a retry that fails with a data error goes back to review (never retried automatically)', async () => {
	const policy = policyConfig();
	const f = failure('5', 'CONNECTION_TIMEOUT', clock.now());
	const { item } = await park(store, f, decide(f.errors, policy, { now: clock.now() }), { policy, now: clock.now() });
	const res = await recordRetryOutcome(store, item!.id, { ok: false, errors: [classifiedError('INVALID_EMAIL', { message: 'bad', field: 'email' })], now: clock.now() });
	expect(res).toMatchObject({ next: 'open' });
	expect(res!.item).toMatchObject({ status: 'open', lastError: { code: 'INVALID_EMAIL' } });
});

test('the same failure again is one review item: occurrences grow and it counts as the next attempt', async () => {
	const policy = policyConfig();
	const f = failure('1', 'CONNECTION_TIMEOUT', clock.now());
	const a = await park(store, f, decide(f.errors, policy, { now: clock.now() }), { policy, now: clock.now() });
	const b = await park(store, f, decide(f.errors, policy, { now: clock.now() }), { policy, now: clock.now() });
	expect(b.created).toBe(false);
	expect(b.item!.id).toBe(a.item!.id);
	expect(b.item!.occurrences).toBe(2);
	expect(a.item!.attempts).toBe(1);
	expect(b.decision.attempt).toBe(2);
	expect(b.item!.attempts).toBe(2);
	// Review items are deduplicated too, and a different code is a different item.
	const r = failure('2', 'INVALID_EMAIL', clock.now());
	const review = policyConfig({ manualReviewMode: true });
	const r1 = await park(store, r, decide(r.errors, review), { policy: review, now: clock.now() });
	const r2 = await park(store, r, decide(r.errors, review), { policy: review, now: clock.now() });
	expect([r1.created, r2.created, r2.item!.occurrences]).toEqual([true, false, 2]);
	const other = failure('2', 'VALUE_TOO_LONG', clock.now());
	expect((await park(store, other, decide(other.errors, review), { policy: review, now: clock.now() })).created).toBe(true);
});

// ------------------------------------------------------------------------------------------------ conservation

type Outcome = { ok: true } | { ok: false; code: ErrorCode; retryAfter?: number };

const outcomeArb: fc.Arbitrary<Outcome> = fc.oneof(
	{ weight: 1, arbitrary: fc.constant<Outcome>({ ok: true }) },
	{ weight: 3, arbitrary: fc.record({ ok: fc.constant(false as const), code: fc.constantFrom(...CODES), retryAfter: fc.option(fc.integer({ min: 0, max: 4000 }), { nil: undefined }) }) },
);
const strategyArb = fc.constantFrom<Strategy>('skip', 'retry', 'review');
const policyArb: fc.Arbitrary<PolicyConfig> = fc
	.record({
		autoRetry: fc.boolean(),
		maxRetries: fc.integer({ min: 0, max: 4 }),
		manualReviewMode: fc.boolean(),
		defaultStrategy: fc.constantFrom<Strategy>('skip', 'review'),
		byCode: fc.dictionary(fc.constantFrom(...CODES), strategyArb, { maxKeys: 3 }),
		retryDelay: fc.constantFrom('exponential' as const, 'fixed' as const),
	})
	.map((p) => policyConfig({ ...p, byCode: p.byCode as PolicyConfig['byCode'] }));

test('conservation: over random error mixes every record ends synced, skipped with a reason, or parked — none disappears', async () => {
	await fc.assert(
		fc.asyncProperty(fc.array(fc.array(outcomeArb, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 25 }), policyArb, async (scripts, policy) => {
			const c = new TestClock('2025-03-01T00:00:00.000Z');
			const s = await openSqliteStore({ kind: 'sqlite', path: ':memory:' }, { clock: c.now });
			try {
				const synced = new Set<string>();
				const skipped = new Map<string, string>();
				const itemOf = new Map<string, string>();
				const script = (id: string, attempt: number): Outcome => scripts[Number(id)][attempt - 1] ?? { ok: true };
				// The sync run: attempt 1 of every record.
				for (let r = 0; r < scripts.length; r++) {
					const id = String(r);
					const o = script(id, 1);
					if (o.ok) {
						synced.add(id);
						continue;
					}
					const f = failure(id, o.code, c.now(), o.retryAfter);
					const d = decide(f.errors, policy, { now: c.now() });
					if (d.strategy === 'skip') {
						expect(d.reason.length).toBeGreaterThan(10);
						skipped.set(id, d.reason);
						continue;
					}
					const res = await park(s, f, d, { policy, mappingId: 'prop', now: c.now() });
					itemOf.set(id, res.item!.id);
				}
				// The retry worker, until nothing is due any more.
				for (let round = 0; round < 50; round++) {
					const due = await s.listReviewItems({ status: ['retry_scheduled', 'approved'] }, { limit: 1000 });
					if (due.items.length === 0) break;
					const next = due.items.map((i) => Date.parse(i.nextRetryAt!)).reduce((a, b) => Math.min(a, b));
					c.set(new Date(Math.max(next, c.now().getTime())).toISOString());
					for (const item of await s.claimDueRetries(c.now(), 1000, 'worker', 300)) {
						const attempt = item.attempts + 1;
						const o = script(item.recordId!, attempt);
						const errors = o.ok ? [] : [classifiedError(o.code, { message: o.code, retryAfter: o.retryAfter, now: c.now() })];
						await recordRetryOutcome(s, item.id, { ok: o.ok, errors, attempt, now: c.now(), workerId: 'worker' });
					}
				}
				// Every record is in exactly one place.
				const finalStatus = new Map<string, string>();
				for (const [id, itemId] of itemOf) finalStatus.set(id, (await s.getReviewItem(itemId))!.status);
				for (let r = 0; r < scripts.length; r++) {
					const id = String(r);
					const places = [synced.has(id), skipped.has(id), itemOf.has(id)].filter(Boolean).length;
					expect(places).toBe(1);
				}
				const resolved = [...finalStatus.values()].filter((st) => st === 'resolved').length;
				const parkedNow = [...finalStatus.values()].filter((st) => st === 'open' || st === 'failed').length;
				// Nothing is left in flight, and the counts add up to the input.
				expect([...finalStatus.values()].every((st) => ['resolved', 'open', 'failed'].includes(st))).toBe(true);
				expect(synced.size + resolved + skipped.size + parkedNow).toBe(scripts.length);
				expect(await s.countReviewItems({ mappingId: 'prop' })).toBe(itemOf.size);
			} finally {
				await s.close();
			}
		}),
		{ numRuns: 100 },
	);
});
