/**
 * Rate limits and transient faults against the sandbox: the burst window (small limit, time-scaled), the
 * search window, the daily token budget and its reserve, forced 429s, injected 5xx, timeouts and bad JSON.
 */
import { startHarness, type Harness } from './helpers';

/** Sandbox and connector run 10× faster than real time: a 2-s vendor window is 200 ms here. */
const SCALE = 10;

describe('burst window', () => {
	let h: Harness;
	beforeAll(async () => {
		h = await startHarness({ pipedrive: { burstLimit: 5 }, timeScale: SCALE });
	});
	afterAll(() => h.stop());

	test('60 creates at a burst limit of 5 per 2 s: zero 429s, the limiter waited', async () => {
		const c = h.connector();
		await c.schema('persons');
		await h.resetCounters();
		const started = Date.now();
		const inputs = Array.from({ length: 60 }, (_, i) => ({ fields: { name: `Burst ${i}` } }));
		const results = await c.write('persons', 'create', inputs, { concurrency: 4 });
		const elapsed = Date.now() - started;
		expect(results.every((r) => r.ok)).toBe(true);
		const counters = await h.counters();
		expect(counters.byStatus['429']).toBeUndefined();
		expect(counters.byRoute['v2.persons.create']).toBe(60);
		// 60 requests at 5 per 200 ms cannot take less than 11 windows.
		expect(elapsed).toBeGreaterThanOrEqual(11 * (2000 / SCALE) - 50);
		expect(c.transport.limits.burst.limit).toBe(5);
	});

	test('two executions on the same credential share one budget: still zero 429s', async () => {
		const a = h.connector({ key: 'shared-credential' });
		const b = h.connector({ key: 'shared-credential' });
		expect(a.transport.limits).toBe(b.transport.limits);
		await Promise.all([a.schema('persons'), b.schema('persons')]);
		await h.resetCounters();
		const batch = (p: string) => Array.from({ length: 20 }, (_, i) => ({ fields: { name: `${p}${i}` } }));
		const [ra, rb] = await Promise.all([a.write('persons', 'create', batch('A'), { concurrency: 3 }), b.write('persons', 'create', batch('B'), { concurrency: 3 })]);
		expect([...ra, ...rb].every((r) => r.ok)).toBe(true);
		expect((await h.counters()).byStatus['429']).toBeUndefined();
	});
});

describe('search window (10 per 2 s) and forced 429s', () => {
	let h: Harness;
	beforeAll(async () => {
		h = await startHarness({ pipedrive: { burstLimit: 100 }, timeScale: SCALE });
		await h.admin('POST', '/_sandbox/seed', { object: 'persons', count: 40 });
	});
	afterAll(() => h.stop());

	test('35 upserts by email (one search each): the search window paces them, zero 429s', async () => {
		const c = h.connector({ burstLimit: 100 });
		const people = await c.getMany('persons', { limit: 35 });
		await h.resetCounters();
		const started = Date.now();
		const results = await c.write(
			'persons',
			'upsert',
			people.map((p) => ({ fields: { emails: p.fields.emails, job_title: 'Synced' } })),
			{ matchKey: 'email', concurrency: 8 },
		);
		expect(results.map((r) => r.ok && r.action)).toEqual(Array(35).fill('updated'));
		const counters = await h.counters();
		expect(counters.byRoute).toEqual({ 'v2.persons.search': 35, 'v2.persons.update': 35 });
		expect(counters.byStatus['429']).toBeUndefined();
		expect(Date.now() - started).toBeGreaterThanOrEqual(3 * (2000 / SCALE) - 50);
	});

	test('a forced 429 is retried after the vendor window and succeeds; everyone waited', async () => {
		const c = h.connector({ burstLimit: 100 });
		await c.schema('persons');
		await h.admin('PUT', '/_sandbox/faults', { force429: 2, routePrefix: 'v2.persons.get' });
		await h.resetCounters();
		const started = Date.now();
		const p = await c.get('persons', '3');
		expect(p.id).toBe('3');
		const counters = await h.counters();
		expect(counters.byStatus).toEqual({ '200': 1, '429': 2 });
		expect(c.transport.stats).toMatchObject({ rateLimited: 2, retries: 2 });
		// x-ratelimit-reset: 2 vendor seconds = 200 ms here, twice.
		expect(Date.now() - started).toBeGreaterThanOrEqual(2 * (2000 / SCALE) - 20);
		await h.admin('DELETE', '/_sandbox/faults');
	});
});

describe('transient faults', () => {
	let h: Harness;
	beforeAll(async () => {
		h = await startHarness({ timeScale: SCALE });
		await h.admin('POST', '/_sandbox/seed', { object: 'persons', count: 10 });
	});
	afterAll(() => h.stop());
	afterEach(async () => {
		await h.admin('DELETE', '/_sandbox/faults');
	});

	test('injected 5xx are retried, then the call succeeds', async () => {
		const c = h.connector();
		await c.schema('persons');
		await h.admin('PUT', '/_sandbox/faults', { force5xx: 3 });
		expect((await c.get('persons', '2')).id).toBe('2');
		expect(c.transport.stats).toMatchObject({ serverErrors: 3, retries: 3 });
	});

	test('too many 5xx in a row end as a classified CONNECTION_TIMEOUT (bounded retries)', async () => {
		const c = h.connector({ retry: { maxAttempts: 3, baseDelayMs: 5 } });
		await c.schema('persons');
		await h.admin('PUT', '/_sandbox/faults', { force5xx: 5 });
		await expect(c.get('persons', '2')).rejects.toMatchObject({ classified: { code: 'CONNECTION_TIMEOUT', retryable: true, vendor: { status: 503 } } });
		expect(c.transport.stats.byRoute['GET /api/v2/persons/{id}']).toBe(3);
	});

	test('timeouts (no answer) are retried until an answer comes', async () => {
		const c = h.connector({ timeoutMs: 150, retry: { maxAttempts: 10, baseDelayMs: 5, maxDelayMs: 20 } });
		await c.schema('persons');
		await h.admin('PUT', '/_sandbox/faults', { timeoutRate: 0.5, seed: 7 });
		for (let id = 1; id <= 8; id++) expect((await c.get('persons', String(id))).id).toBe(String(id));
		expect(c.transport.stats.timeouts).toBeGreaterThan(0);
	});

	test('malformed JSON answers are retried', async () => {
		const c = h.connector({ retry: { maxAttempts: 10, baseDelayMs: 5, maxDelayMs: 20 } });
		await c.schema('persons');
		await h.admin('PUT', '/_sandbox/faults', { malformedRate: 0.5, seed: 3 });
		for (let id = 1; id <= 8; id++) expect((await c.get('persons', String(id))).id).toBe(String(id));
		expect(c.transport.stats.serverErrors).toBeGreaterThan(0);
	});
});

describe('daily token budget', () => {
	test('writes stop before the budget runs dry, keeping the reserve; the rest is "not attempted", zero 429s', async () => {
		const h = await startHarness({ pipedrive: { dailyTokenBudget: 200 }, timeScale: SCALE });
		try {
			const c = h.connector({ dailyReserve: 50 });
			const results = await c.write(
				'persons',
				'create',
				Array.from({ length: 40 }, (_, i) => ({ fields: { name: `Budget ${i}` } })),
			);
			const created = results.filter((r) => r.ok).length;
			// 200 − 10 (fields) − 5 per create; the 29th would leave less than 50.
			expect(created).toBe(28);
			const refused = results[28];
			expect(!refused.ok && refused.error).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', retryable: true, vendor: { code: 'daily_budget_reserve' } });
			expect(!results[39].ok && results[39].error.message).toMatch(/^Not attempted: /);
			const usage = await h.admin('GET', '/_sandbox/pipedrive/usage');
			expect(usage.dailyTokensLeft).toBeGreaterThanOrEqual(50);
			expect((await h.counters()).byStatus['429']).toBeUndefined();
		} finally {
			await h.stop();
		}
	});

	test('without a reading (reads carry no x-daily-requests-left), the 429 of an empty budget stops at once, no retries', async () => {
		const h = await startHarness({ pipedrive: { dailyTokenBudget: 40 }, timeScale: SCALE });
		try {
			await h.admin('POST', '/_sandbox/seed', { object: 'persons', count: 5 });
			const c = h.connector({ dailyReserve: 0 });
			await c.schema('persons');
			let error: any;
			let n = 0;
			try {
				for (; n < 100; n++) await c.get('persons', '1');
			} catch (err) {
				error = err;
			}
			expect(n).toBe(30);
			expect(error.classified).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', vendor: { code: 'daily_budget', status: 429 } });
			expect(c.transport.stats.retries).toBe(0);
			expect((await h.counters()).byStatus['429']).toBe(1);
		} finally {
			await h.stop();
		}
	});
});
