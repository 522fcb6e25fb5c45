/** Rate limits, auth and transient failures: Sforce-Limit-Info reserve, 403 limit, 401 → refresh, 5xx/timeouts retried. */
import type { HttpClient, HttpRequest, HttpResponse } from '../../../connectors/core/http';
import { ApiBudget, parseLimitInfo, SalesforceConnector } from '../../../connectors/salesforce';
import { all, startSalesforce, type SfEnv } from './helpers';

let sf: SfEnv;
beforeAll(async () => {
	sf = await startSalesforce();
});
afterAll(() => sf.close());
beforeEach(() => sf.reset());

describe('the daily API allocation (Sforce-Limit-Info)', () => {
	it('parses api-usage=used/max (with or without api-bursts)', () => {
		expect(parseLimitInfo('api-usage=18/5000')).toEqual({ used: 18, max: 5000 });
		expect(parseLimitInfo('api-usage=18/5000; api-bursts=1/750')).toEqual({ used: 18, max: 5000 });
		expect(parseLimitInfo(undefined)).toBeUndefined();
		expect(parseLimitInfo('garbage')).toBeUndefined();
	});

	it('stops before the allocation is spent: below the reserve, calls fail fast with RATE_LIMIT_EXCEEDED and are not sent', async () => {
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { dailyApiLimit: 100, apiUsage: 80 });
		const c = sf.connector({ apiReserve: 10 });
		await sf.resetCounters();
		let done = 0;
		let error: any;
		try {
			for (let i = 0; i < 50; i++) {
				await c.limits();
				done++;
			}
		} catch (err) {
			error = err;
		}
		// 80 used + 10 calls = 90: the remaining 10 are the reserve.
		expect(done).toBe(10);
		expect(error.classified).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', category: 'Connection', vendor: { code: 'API_BUDGET_RESERVE', message: 'api-usage=90/100' } });
		expect(error.message).toMatch(/90 of 100 calls used .* last 10 are kept in reserve/);
		expect((await sf.counters()).total).toBe(10);
		expect(c.budget.current).toMatchObject({ used: 90, max: 100, remaining: 10, reserveCalls: 10 });
	});

	it('the default reserve is 5 % of the allocation, shared by every connector of the same credential', async () => {
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { dailyApiLimit: 200, apiUsage: 185 });
		const a = sf.connector({ credentialKey: 'shared-cred' });
		const b = sf.connector({ credentialKey: 'shared-cred' });
		await a.limits(); // 186/200; 5 % = 10 reserved → 4 calls left
		await b.limits();
		await a.limits();
		await b.limits();
		await a.limits(); // 190/200
		await expect(b.limits()).rejects.toMatchObject({ classified: { code: 'RATE_LIMIT_EXCEEDED' } });
	});

	it('a stale observation lets one call through to read the figure again (the window is rolling)', async () => {
		let now = 1_000_000;
		const budget = new ApiBudget({ reserve: 10, staleAfterMs: 60_000, now: () => now });
		budget.observe({ used: 95, max: 100 });
		expect(() => budget.take()).toThrow(/nearly spent/);
		now += 61_000;
		expect(() => budget.take()).not.toThrow();
	});

	it('403 REQUEST_LIMIT_EXCEEDED from Salesforce → RATE_LIMIT_EXCEEDED, not repeated within the run', async () => {
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { dailyApiLimit: 100, apiUsage: 100 });
		const c = sf.connector({ apiReserve: 0 });
		await sf.resetCounters();
		await expect(c.limits()).rejects.toMatchObject({ classified: { code: 'RATE_LIMIT_EXCEEDED', vendor: { status: 403, code: 'REQUEST_LIMIT_EXCEEDED' } } });
		expect((await sf.counters()).total).toBe(1);
		// Batch writes: the first refused call parks every record with the error, nothing more is sent.
		await sf.resetCounters();
		const results = await c.batch('create', 'Contact', Array.from({ length: 450 }, (_, i) => ({ fields: { LastName: `L${i}` } })));
		expect(results.every((r) => !r.ok && r.error.code === 'RATE_LIMIT_EXCEEDED')).toBe(true);
		expect((await sf.counters()).total).toBe(0); // the header of the first refusal already said 100/100
	});

	it('the concurrent long-running request cap (also REQUEST_LIMIT_EXCEEDED) is retried: it clears in seconds', async () => {
		let calls = 0;
		const http: HttpClient = {
			async request(): Promise<HttpResponse> {
				calls++;
				if (calls === 1) return { status: 403, headers: {}, body: [{ message: 'ConcurrentPerOrgLongTxn Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }] };
				return { status: 200, headers: { 'sforce-limit-info': 'api-usage=2/15000' }, body: { DailyApiRequests: { Max: 15000, Remaining: 14998 } } };
			},
		};
		const c = new SalesforceConnector({ http, instanceUrl: 'https://fake.my.salesforce.com', credentialKey: 'fake-concurrent', retry: { baseDelayMs: 1 } });
		await expect(c.limits()).resolves.toMatchObject({ DailyApiRequests: { Max: 15000 } });
		expect(calls).toBe(2);
	});

	it('at most maxConcurrency requests are in flight per credential', async () => {
		let active = 0;
		let peak = 0;
		const http: HttpClient = {
			async request() {
				active++;
				peak = Math.max(peak, active);
				await new Promise((r) => setTimeout(r, 10));
				active--;
				return { status: 200, headers: {}, body: {} };
			},
		};
		const c = new SalesforceConnector({ http, instanceUrl: 'https://fake.my.salesforce.com', credentialKey: 'fake-concurrency', maxConcurrency: 3 });
		await Promise.all(Array.from({ length: 12 }, () => c.limits()));
		expect(peak).toBe(3);
	});
});

describe('authentication', () => {
	it('401 INVALID_SESSION_ID → AUTHENTICATION_FAILED when nobody can refresh', async () => {
		const c = sf.connector({ onAuthFailure: undefined });
		await sf.admin('PUT', '/_sandbox/faults', { revokeTokens: true });
		await sf.admin('DELETE', '/_sandbox/faults');
		await sf.resetCounters();
		await expect(c.limits()).rejects.toMatchObject({
			classified: { code: 'AUTHENTICATION_FAILED', category: 'Connection', retryable: false, vendor: { status: 401, code: 'INVALID_SESSION_ID', message: 'Session expired or invalid' } },
		});
		expect((await sf.counters()).byStatus).toEqual({ '401': 1 });
	});

	it('token expiry → refresh → success: the request is sent once more with the new token', async () => {
		const c = sf.connector();
		await sf.admin('PUT', '/_sandbox/faults', { revokeTokens: true });
		await sf.admin('DELETE', '/_sandbox/faults');
		const before = sf.token;
		await sf.resetCounters();
		const created = await c.create('Contact', { LastName: 'After refresh' });
		expect(created.ok).toBe(true);
		expect(sf.token).not.toBe(before);
		const counters = await sf.counters();
		expect(counters.byRoute).toEqual({ 'sobjects.create': 2, 'oauth.token': 1 });
		expect(counters.byStatus).toEqual({ '201': 1, '401': 1, '200': 1 });
		expect(await sf.admin('GET', '/_sandbox/records/Contact')).toHaveLength(1);
	});

	it('a refresh that does not help ends in AUTHENTICATION_FAILED after one extra try (no loop)', async () => {
		let refreshes = 0;
		const c = sf.connector({
			onAuthFailure: async () => {
				refreshes++;
				return true; // claims success but the token stays dead
			},
		});
		sf.token = 'dead-token';
		await sf.resetCounters();
		await expect(c.limits()).rejects.toMatchObject({ classified: { code: 'AUTHENTICATION_FAILED' } });
		expect(refreshes).toBe(1);
		expect((await sf.counters()).total).toBe(2);
	});
});

describe('transient failures: bounded retries with backoff', () => {
	it('injected 503s are retried, then the call succeeds', async () => {
		const c = sf.connector();
		await sf.admin('PUT', '/_sandbox/faults', { force5xx: 2, routePrefix: 'query' });
		await sf.resetCounters();
		await sf.seed('Contact', 10);
		const rows = await all(c.getMany('Contact', { fields: ['Id'] }));
		expect(rows).toHaveLength(10);
		expect((await sf.counters()).byStatus).toEqual({ '200': 1, '503': 2 });
	});

	it('a 503 on a create is retried too (refused before any work); the record exists once', async () => {
		const c = sf.connector();
		await sf.admin('PUT', '/_sandbox/faults', { force5xx: 1, routePrefix: 'composite' });
		await sf.resetCounters();
		const results = await c.batch('create', 'Contact', [{ fields: { LastName: 'Once' } }]);
		expect(results[0].ok).toBe(true);
		expect(await sf.admin('GET', '/_sandbox/records/Contact')).toHaveLength(1);
		expect((await sf.counters()).byStatus).toEqual({ '200': 1, '503': 1 });
	});

	it('retries are bounded: after 4 attempts the error is CONNECTION_TIMEOUT, retryable (for the Error Policy)', async () => {
		const c = sf.connector();
		await sf.admin('PUT', '/_sandbox/faults', { force5xx: 10, routePrefix: 'limits' });
		await sf.resetCounters();
		await expect(c.limits()).rejects.toMatchObject({ classified: { code: 'CONNECTION_TIMEOUT', retryable: true, vendor: { status: 503, code: 'SERVER_UNAVAILABLE' } } });
		expect((await sf.counters()).total).toBe(4);
		await sf.admin('DELETE', '/_sandbox/faults');
	});

	it('a timeout on a read is retried and succeeds', async () => {
		const retried: string[] = [];
		const c = sf.connector({
			timeoutMs: 300,
			retry: {
				baseDelayMs: 100,
				random: () => 1,
				onRetry: (e) => {
					retried.push(e.classified.code);
					void sf.admin('DELETE', '/_sandbox/faults');
				},
			},
		});
		await c.describe('Contact');
		await sf.seed('Contact', 3);
		await sf.admin('PUT', '/_sandbox/faults', { timeoutRate: 1, routePrefix: 'query' });
		const rows = await all(c.getMany('Contact', { fields: ['Id'] }));
		expect(rows).toHaveLength(3);
		expect(retried).toEqual(['CONNECTION_TIMEOUT']);
	});

	it('a timeout on a create is not repeated (it may have landed): the record comes back retryable, flagged', async () => {
		const c = sf.connector({ timeoutMs: 300 });
		await sf.admin('PUT', '/_sandbox/faults', { timeoutRate: 1, routePrefix: 'sobjects.create' });
		await sf.resetCounters();
		const r = await c.create('Contact', { LastName: 'Maybe' });
		expect(r).toMatchObject({ ok: false, error: { code: 'CONNECTION_TIMEOUT', retryable: true, message: expect.stringContaining('may have been applied') } });
		expect((await sf.counters()).total).toBe(1);
		await sf.admin('DELETE', '/_sandbox/faults');
	});

	it('a truncated JSON answer is retried on reads', async () => {
		const c = sf.connector({ retry: { baseDelayMs: 50, random: () => 1, onRetry: () => void sf.admin('DELETE', '/_sandbox/faults') } });
		await sf.admin('PUT', '/_sandbox/faults', { malformedRate: 1 });
		await expect(c.limits()).resolves.toHaveProperty('DailyApiRequests');
	});

	it('UNABLE_TO_LOCK_ROW on a single write is retried (nothing was written), then succeeds', async () => {
		const c = sf.connector();
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { lockRows: 2 });
		await sf.resetCounters();
		const r = await c.create('Contact', { LastName: 'Locked' });
		expect(r.ok).toBe(true);
		expect((await sf.counters()).byStatus).toEqual({ '201': 1, '400': 2 });
	});
});

describe('the HttpClient seam', () => {
	it('sends paths under /services/data/vXX.X of the instance, JSON bodies, and the query batch size header', async () => {
		const seen: HttpRequest[] = [];
		const http: HttpClient = {
			async request(req) {
				seen.push(req);
				return { status: 200, headers: {}, body: { totalSize: 0, done: true, records: [] } };
			},
		};
		const c = new SalesforceConnector({ http, instanceUrl: 'https://acme.my.salesforce.com', apiVersion: '61.0', credentialKey: 'fake-seam', queryBatchSize: 500 });
		await all(c.getMany('Contact', { fields: ['Id', 'Email'], conditions: [{ field: 'Email', op: '=', value: "a'b@example.com", type: 'email' }] }));
		expect(seen[0].url).toBe(`/services/data/v61.0/query?q=${encodeURIComponent("SELECT Id, Email FROM Contact WHERE Email = 'a\\'b@example.com' ORDER BY Id ASC")}`);
		expect(seen[0].headers).toEqual({ 'Sforce-Query-Options': 'batchSize=500' });
		expect(() => new SalesforceConnector({ http, instanceUrl: 'x', apiVersion: 'latest' })).toThrow(/API version/);
	});
});
