/**
 * Rate limits and transient failures, against the sandbox's real limiters: the query-cost bucket (drained from
 * outside: the connector waits it out; paced from inside: THROTTLED never happens), the 2,500 / 5 min DDoS guard
 * (429), injected 5xx and timeouts (retried, then success), and what is never retried (401, schema changes).
 */
import { collect, recording, startHarness, type Harness } from './helpers';

jest.setTimeout(120_000);

const isThrottled = (body: any) => Array.isArray(body?.errors) && body.errors.some((e: any) => e?.extensions?.code === 'THROTTLED');

describe('query cost', () => {
	let h: Harness;
	beforeAll(async () => {
		h = await startHarness();
		await h.admin('POST', '/_sandbox/seed', { count: 300, seed: 9 });
	});
	afterAll(() => h.stop());

	it('a bucket drained by someone else is waited out with Jobber\'s own figures: no error surfaces', async () => {
		const rec = recording(h.http());
		const c = h.connector({}, rec);
		await c.account();
		await h.admin('PUT', '/_sandbox/jobber/throttle', { currentlyAvailable: 0 });
		const started = Date.now();
		const pages = await collect(c.list('clients', { limit: 20 }));
		const elapsed = Date.now() - started;
		expect(pages.flat()).toHaveLength(20);
		const answers = rec.answers.slice(1);
		// One refused answer, then the wait, then one successful answer: no hammering while the bucket refills.
		expect(answers.map((a) => isThrottled(a.res.body))).toEqual([true, false]);
		const requested = (answers[0].res.body as any).extensions.cost.requestedQueryCost as number;
		expect(elapsed).toBeGreaterThanOrEqual((requested / 500) * 1000 * 0.9);
		expect(c.stats).toMatchObject({ throttled: 1, retries: 1 });
	});

	it('once it knows the bucket, the connector waits before sending instead of being throttled', async () => {
		// 25× vendor time: the bucket restores 12,500 points per real second, so 12 pages take seconds, not minutes.
		const fast = await startHarness({ timeScale: 25 });
		try {
			await fast.admin('POST', '/_sandbox/seed', { count: 1200, seed: 9 });
			const rec = recording(fast.http());
			const c = fast.connector({ timeScale: 25 }, rec);
			const pages = await collect(c.list('clients'));
			expect(pages.flat()).toHaveLength(1200);
			const actual = rec.answers.reduce((sum, a) => sum + ((a.res.body as any).extensions?.cost?.actualQueryCost ?? 0), 0);
			expect(actual).toBeGreaterThan(20_000); // more than two full buckets: pacing was needed
			expect(rec.answers.filter((a) => isThrottled(a.res.body))).toHaveLength(0);
			expect(c.stats.throttled).toBe(0);
			expect(c.stats.waitedMs).toBeGreaterThan(0);
		} finally {
			await fast.stop();
		}
	});

	it('refuses, without sending, a document costlier than the whole bucket', async () => {
		const c = h.connector();
		await h.resetCounters();
		await expect(c.raw('{ clients(first: 100) { nodes { id tags(first: 100) { nodes { id label } } } } }')).rejects.toMatchObject({ classified: { code: 'RATE_LIMIT_EXCEEDED', retryable: false } });
		expect((await h.counters()).total).toBe(0);
	});
});

describe('transient failures', () => {
	let h: Harness;
	beforeAll(async () => {
		h = await startHarness();
		await h.admin('POST', '/_sandbox/seed', { count: 5, seed: 1 });
	});
	afterAll(() => h.stop());
	afterEach(() => h.admin('DELETE', '/_sandbox/faults'));

	it('HTTP 429 from the DDoS guard: retried with backoff, then success', async () => {
		const c = h.connector();
		await h.resetCounters();
		await h.admin('PUT', '/_sandbox/faults', { force429: 2, routePrefix: 'graphql' });
		expect((await c.account()).id).toBe(h.info.accountId);
		expect((await h.counters()).byStatus).toEqual({ '200': 1, '429': 2 });
		expect(c.stats).toMatchObject({ rateLimited: 2, retries: 2 });
	});

	it('429 on a mutation is retried too: Jobber refused it before running it', async () => {
		const c = h.connector();
		await h.admin('PUT', '/_sandbox/faults', { force429: 1, routePrefix: 'graphql' });
		const [r] = await c.write('clients', [{ op: 'create', fields: { firstName: 'Retry', lastName: 'Me' } }]);
		expect(r).toMatchObject({ ok: true, action: 'created' });
		const named = ((await h.admin('GET', '/_sandbox/records/clients')) as any[]).filter((x) => x.lastName === 'Me');
		expect(named).toHaveLength(1);
	});

	it('5xx answers: retried, then success', async () => {
		const c = h.connector();
		await h.resetCounters();
		await h.admin('PUT', '/_sandbox/faults', { force5xx: 2, routePrefix: 'graphql' });
		const pages = await collect(c.list('clients'));
		expect(pages.flat().length).toBeGreaterThan(0);
		expect((await h.counters()).byStatus).toEqual({ '200': 1, '503': 2 });
	});

	it('timeouts on reads: retried, then success', async () => {
		const c = h.connector({ timeoutMs: 300 });
		await h.resetCounters();
		// Seed 8 of the fault generator: the first request hangs, the second is answered.
		await h.admin('PUT', '/_sandbox/faults', { timeoutRate: 0.5, seed: 8, routePrefix: 'graphql' });
		expect((await c.account()).id).toBe(h.info.accountId);
		const counters = await h.counters();
		expect(counters.byStatus['-1']).toBeGreaterThanOrEqual(1);
		expect(counters.byStatus['200']).toBe(1);
	});

	it('a mutation that timed out is not re-sent blindly: the records fail retryable, nothing duplicates', async () => {
		const c = h.connector({ timeoutMs: 300 });
		await h.resetCounters();
		// A create needs no read first: the only request is the mutation, and it hangs.
		await h.admin('PUT', '/_sandbox/faults', { timeoutRate: 1, routePrefix: 'graphql' });
		const [r] = await c.write('clients', [{ op: 'create', fields: { firstName: 'Maybe' } }]);
		expect(r).toMatchObject({ ok: false, requestLevel: true, error: { code: 'CONNECTION_TIMEOUT', retryable: true } });
		expect((await h.counters()).byStatus).toEqual({ '-1': 1 });
	});

	it('retries are bounded: a vendor that keeps failing ends in a classified, retryable error', async () => {
		const c = h.connector({ retry: { maxAttempts: 3, baseDelayMs: 10 } });
		await h.admin('PUT', '/_sandbox/faults', { force5xx: 10, routePrefix: 'graphql' });
		await expect(c.account()).rejects.toMatchObject({ classified: { code: 'CONNECTION_TIMEOUT', category: 'Connection', retryable: true, vendor: { status: 503 } } });
	});
});

describe('errors that are not retried', () => {
	let h: Harness;
	beforeAll(async () => {
		h = await startHarness();
		await h.admin('POST', '/_sandbox/seed', { count: 5, seed: 1 });
	});
	afterAll(() => h.stop());

	it('a field the API version no longer has: Field Not Found naming it', async () => {
		const c = h.connector();
		await h.admin('PUT', '/_sandbox/faults', { removedFields: { Client: ['companyName'] } });
		await expect(collect(c.list('clients'))).rejects.toMatchObject({ classified: { code: 'FIELD_NOT_FOUND', category: 'Mapping', field: 'companyName' } });
		await h.admin('DELETE', '/_sandbox/faults');
	});

	it('API versions: deprecated ones warn, removed ones are upgraded with a warning, unknown ones fail', async () => {
		const warnings: string[] = [];
		await h.connector({ apiVersion: '2025-01-20', onWarning: (w) => warnings.push(w) }).account();
		await h.connector({ apiVersion: '2023-01-01', onWarning: (w) => warnings.push(w) }).account();
		expect(warnings).toEqual([expect.stringContaining('no longer supported'), expect.stringContaining('removed')]);
		await expect(h.connector({ apiVersion: '2030-01-01' }).account()).rejects.toMatchObject({ classified: { code: 'OBJECT_TYPE_CHANGED' } });
	});

	it('401 (revoked token): Authentication Failed, once, no retry (n8n\'s OAuth2 refresh handles it upstream)', async () => {
		const c = h.connector();
		await h.resetCounters();
		await h.admin('PUT', '/_sandbox/faults', { revokeTokens: true });
		await expect(c.account()).rejects.toMatchObject({ classified: { code: 'AUTHENTICATION_FAILED', retryable: false, vendor: { status: 401 } } });
		expect((await h.counters()).byStatus).toEqual({ '401': 1 });
		// A write reports it per record as a request-level failure (the node turns that into one NodeApiError).
		const [r] = await c.write('clients', [{ op: 'create', fields: { firstName: 'Nope' } }]);
		expect(r).toMatchObject({ ok: false, requestLevel: true, error: { code: 'AUTHENTICATION_FAILED' } });
	});
});
