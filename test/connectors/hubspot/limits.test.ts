/** Rate limits, retries of transient failures, and the whole-request errors (credential, scopes, daily budget). */
import { ConnectorError } from '../../../connectors/core/errors';
import { startSandbox, type Sandbox } from './helpers';

async function thrown(p: Promise<unknown>): Promise<ConnectorError> {
	try {
		await p;
	} catch (err) {
		if (err instanceof ConnectorError) return err;
		throw err;
	}
	throw new Error('expected a ConnectorError');
}

describe('rate limits (sandbox clock 10× real time: a 10-s window lasts 1 s)', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ tenSecondLimit: 20, searchPerSecond: 5 }, 10);
	});
	afterAll(() => sb.close());
	beforeEach(() => {
		sb.def.reset();
		sb.faults({});
		sb.resetCounters();
	});

	test('a small 10-s limit: the limiter learns it from the headers and waits; zero 429s, every call succeeds', async () => {
		const hs = sb.connector();
		const made = await hs.create('contacts', { email: 'x@example.com' });
		if (!made.ok) throw new Error('setup failed');
		const started = Date.now();
		for (let i = 0; i < 60; i++) expect((await hs.get('contacts', made.record.id)).id).toBe(made.record.id);
		const elapsed = Date.now() - started;
		expect(sb.byStatus(429)).toBe(0);
		expect(sb.byStatus(200)).toBe(60);
		expect(hs.client.standard.limit).toBe(20);
		expect(hs.client.stats.limiterWaitMs).toBeGreaterThan(1000);
		// 61 calls at 20 per (10 s / 10): at least two full windows of waiting.
		expect(elapsed).toBeGreaterThanOrEqual(2000);
	});

	test('concurrent executions sharing one credential share one budget: zero 429s', async () => {
		const a = sb.connector({ limiterKey: 'shared-credential', tenSecondLimit: 20 });
		const b = sb.connector({ limiterKey: 'shared-credential', tenSecondLimit: 20 });
		expect(a.client.standard).toBe(b.client.standard);
		const made = await a.create('companies', { name: 'Shared' });
		if (!made.ok) throw new Error('setup failed');
		await Promise.all(Array.from({ length: 50 }, (_, i) => (i % 2 ? a : b).get('companies', made.record.id)));
		expect(sb.byStatus(429)).toBe(0);
		expect(sb.calls('companies.get')).toBe(50);
	});

	test('another client of the same account spends the budget: HubSpot’s Remaining header holds us back, zero 429s', async () => {
		const hs = sb.connector();
		const made = await hs.create('contacts', { email: 'other@example.com' });
		if (!made.ok) throw new Error('setup failed');
		await new Promise((r) => setTimeout(r, 1100));
		// Another integration of the account takes 15 of the 20 requests of this window.
		const other = await Promise.all(Array.from({ length: 15 }, () => fetch(`${sb.url}/crm/v3/objects/contacts?limit=1`, { headers: { authorization: `Bearer ${sb.token}` } })));
		expect(other.every((r) => r.status === 200)).toBe(true);
		for (let i = 0; i < 12; i++) expect((await hs.get('contacts', made.record.id)).id).toBe(made.record.id);
		expect(sb.byStatus(429)).toBe(0);
		expect(hs.client.stats.limiterWaitMs).toBeGreaterThan(500);
	});

	test('search has its own 5/s limiter (search answers carry no rate-limit headers): zero 429s', async () => {
		const hs = sb.connector();
		const started = Date.now();
		const found = await Promise.all(Array.from({ length: 26 }, (_, i) => hs.find('contacts', 'email', `nobody${i}@example.com`)));
		expect(found.every((r) => r.length === 0)).toBe(true);
		expect(sb.byStatus(429)).toBe(0);
		// 26 searches at 5 per (1.1 s / 10): five full windows.
		expect(Date.now() - started).toBeGreaterThanOrEqual(500);
		expect(hs.client.stats.limiterWaitMs).toBeGreaterThan(0);
		// The 10-s limiter was not charged for them.
		expect(hs.client.standard.limit).toBe(100);
	});

	test('a forced 429 (TEN_SECONDLY_ROLLING) pauses for the policy wait and is retried', async () => {
		const hs = sb.connector();
		const made = await hs.create('contacts', { email: 'r@example.com' });
		if (!made.ok) throw new Error('setup failed');
		sb.faults({ force429: 1 });
		const started = Date.now();
		expect((await hs.get('contacts', made.record.id)).id).toBe(made.record.id);
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
		expect(hs.client.stats).toMatchObject({ rateLimited: 1, retries: 1 });
		expect(sb.byStatus(429)).toBe(1);
	});

	test('a forced search 429 (secondly) waits 1 s of vendor time and is retried', async () => {
		const hs = sb.connector();
		sb.faults({ force429: 1, routePrefix: 'contacts.search' });
		expect(await hs.find('contacts', 'email', 'a@example.com')).toEqual([]);
		expect(hs.client.stats).toMatchObject({ rateLimited: 1, retries: 1 });
	});
});

describe('transient failures and whole-request errors', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startSandbox({ tenSecondLimit: 100_000, searchPerSecond: 1000 }, 10);
	});
	afterAll(() => sb.close());
	beforeEach(() => {
		sb.def.reset();
		sb.faults({});
		sb.resetCounters();
	});

	test('injected 5xx are retried, then succeed', async () => {
		const hs = sb.connector();
		const made = await hs.create('contacts', { email: 'five@example.com' });
		if (!made.ok) throw new Error('setup failed');
		sb.faults({ force5xx: 2 });
		expect((await hs.get('contacts', made.record.id)).id).toBe(made.record.id);
		expect(hs.client.stats.retries).toBe(2);
		expect(sb.byStatus(503)).toBe(2);
		const results = await (async () => {
			sb.faults({ force5xx: 1, routePrefix: 'contacts.batch' });
			return hs.upsert('contacts', [{ fields: { email: 'u1@example.com' } }, { fields: { email: 'u2@example.com' } }]);
		})();
		expect(results.every((r) => r.ok)).toBe(true);
	});

	test('Cloudflare 502 pages and 423 locked records are transient too', async () => {
		const cf = await startSandbox({ unavailableStyle: 'cloudflare', tenSecondLimit: 100_000 }, 10);
		try {
			const hs = cf.connector();
			const made = await hs.create('deals', { dealname: 'Locked' });
			if (!made.ok) throw new Error('setup failed');
			cf.faults({ force5xx: 1 });
			expect((await hs.get('deals', made.record.id)).id).toBe(made.record.id);
			expect(cf.byStatus(502)).toBe(1);
			await fetch(`${cf.url}/_sandbox/hubspot/locks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ object: 'deals', id: made.record.id, ms: 2000 }) });
			const updated = await hs.update('deals', made.record.id, { dealname: 'Unlocked' });
			expect(updated).toMatchObject({ ok: true, record: { fields: { dealname: 'Unlocked' } } });
			expect(cf.byStatus(423)).toBeGreaterThanOrEqual(1);
		} finally {
			await cf.close();
		}
	});

	test('timeouts are retried for idempotent calls; a create that timed out is parked, not sent twice', async () => {
		const hs = sb.connector({ timeoutMs: 300 });
		const made = await hs.create('contacts', { email: 'slow@example.com' });
		if (!made.ok) throw new Error('setup failed');
		sb.faults({ timeoutRate: 1, routePrefix: 'contacts.get' });
		const clear = setTimeout(() => sb.faults({}), 450);
		expect((await hs.get('contacts', made.record.id)).id).toBe(made.record.id);
		clearTimeout(clear);
		expect(hs.client.stats.retries).toBeGreaterThanOrEqual(1);

		sb.faults({ timeoutRate: 1, routePrefix: 'contacts.create' });
		const before = hs.client.stats.requests;
		const parked = await hs.create('contacts', { email: 'maybe@example.com' });
		expect(parked).toMatchObject({ ok: false, error: { code: 'CONNECTION_TIMEOUT', retryable: true } });
		expect(hs.client.stats.requests - before).toBe(1);
	});

	test('still failing after the retries: reads throw Connection Timeout, batch records are parked retryable', async () => {
		const hs = sb.connector({ retry: { maxAttempts: 3, baseDelayMs: 10 } });
		sb.faults({ errorRate: 1 });
		const err = await thrown(hs.list('contacts'));
		expect(err.classified).toMatchObject({ code: 'CONNECTION_TIMEOUT', category: 'Connection', retryable: true, vendor: { status: 503 } });
		expect(sb.calls('contacts.list')).toBe(3);
		const results = await hs.upsert('contacts', [{ fields: { email: 'p1@example.com' } }, { fields: { email: 'p2@example.com' } }]);
		expect(results.map((r) => (r.ok ? 'ok' : [r.error.code, r.error.retryable]))).toEqual([
			['CONNECTION_TIMEOUT', true],
			['CONNECTION_TIMEOUT', true],
		]);
	});

	test('401 → Authentication Failed, thrown for reads and writes alike, not retried', async () => {
		const hs = sb.connector({ token: 'pat-na1-00000000-0000-0000-0000-000000000000' });
		const err = await thrown(hs.get('contacts', '1'));
		expect(err.classified).toMatchObject({ code: 'AUTHENTICATION_FAILED', category: 'Connection', retryable: false, vendor: { status: 401, code: 'INVALID_AUTHENTICATION' } });
		expect((await thrown(hs.upsert('contacts', [{ fields: { email: 'a@example.com' } }]))).classified.code).toBe('AUTHENTICATION_FAILED');
		expect((await thrown(hs.create('contacts', { email: 'a@example.com' }))).classified.code).toBe('AUTHENTICATION_FAILED');
		expect(sb.calls()).toBe(3);
	});

	test('403 MISSING_SCOPES → Permission Denied naming the scopes', async () => {
		const limited = await startSandbox({ privateAppScopes: ['crm.objects.contacts.read'] }, 10);
		try {
			const hs = limited.connector();
			expect(await hs.list('contacts')).toEqual([]);
			const err = await thrown(hs.write('deals', 'create', [{ fields: { dealname: 'No scope' } }]));
			expect(err.classified).toMatchObject({ code: 'PERMISSION_DENIED', retryable: false, vendor: { status: 403, code: 'MISSING_SCOPES' } });
			expect(err.classified.message).toContain('crm.objects.deals.write');
		} finally {
			await limited.close();
		}
	});

	test('the daily limit fails at once with Rate Limit Exceeded (not retryable within the run)', async () => {
		const daily = await startSandbox({ dailyLimit: 3 }, 10);
		try {
			const hs = daily.connector();
			for (let i = 0; i < 3; i++) await hs.list('contacts');
			const err = await thrown(hs.list('contacts'));
			expect(err.classified).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', retryable: false, vendor: { status: 429, code: 'DAILY' } });
			expect(daily.calls('contacts.list')).toBe(4);
			const write = await thrown(hs.upsert('contacts', [{ fields: { email: 'd@example.com' } }]));
			expect(write.classified.code).toBe('RATE_LIMIT_EXCEEDED');
		} finally {
			await daily.close();
		}
	});

	test('an unknown object type is Object Type Changed', async () => {
		const hs = sb.connector();
		const err = await thrown(hs.list('tickets' as never, { properties: ['subject'] }));
		expect(err.classified).toMatchObject({ code: 'OBJECT_TYPE_CHANGED', category: 'Mapping' });
	});
});
