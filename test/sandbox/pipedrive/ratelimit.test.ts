/** Every rate-limit signal, and the injected faults. */
import { startPipedrive, TOKEN, type Sandbox } from './helpers';

describe('burst window (rolling 2 s per token)', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startPipedrive({ plan: 'lite' });
	});
	afterAll(() => sb.close());

	test('lite API token: 20 per 2 s with x-ratelimit-* headers, then 429 envelope; the window reopens', async () => {
		let last;
		for (let i = 0; i < 20; i++) {
			last = await sb.call('GET', '/api/v2/persons/1');
			expect(last.headers.get('x-ratelimit-limit')).toBe('20');
			expect(last.headers.get('x-ratelimit-remaining')).toBe(String(19 - i));
			expect(Number(last.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(1);
		}
		const limited = await sb.call('GET', '/api/v2/persons');
		expect(limited.status).toBe(429);
		expect(limited.body).toEqual({ success: false, error: 'Request over limit', error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.', data: null, additional_data: null });
		expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
		expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThanOrEqual(1);
		sb.server.context.clock.advance(2_000);
		expect((await sb.call('GET', '/api/v2/persons')).status).toBe(200);
		const counters = (await sb.call('GET', '/_sandbox/counters')).body;
		expect(counters.byStatus['429']).toBe(1);
	});

	test('OAuth tokens get the OAuth burst limit (lite: 80)', async () => {
		const code = (await sb.call('POST', '/_sandbox/pipedrive/oauth/code', {})).body.code;
		const info = (await sb.call('GET', '/_sandbox/info')).body;
		const tok = await sb.call('POST', '/oauth/token', new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: info.auth.oauth.redirectUris[0] }).toString(), {
			authorization: `Basic ${Buffer.from(`${info.auth.oauth.clientId}:${info.auth.oauth.clientSecret}`).toString('base64')}`,
			'content-type': 'application/x-www-form-urlencoded',
		});
		const res = await sb.call('GET', '/api/v2/persons', undefined, { authorization: `Bearer ${tok.body.access_token}` });
		expect(res.headers.get('x-ratelimit-limit')).toBe('80');
	});

	test('search has its own 10 per 2 s window', async () => {
		sb.server.context.clock.advance(2_000);
		for (let i = 0; i < 10; i++) {
			const r = await sb.call('GET', '/api/v2/persons/search?term=ab');
			expect(r.status).toBe(200);
			expect(r.headers.get('x-ratelimit-limit')).toBe('10');
		}
		expect((await sb.call('GET', '/api/v2/persons/search?term=ab')).status).toBe(429);
		expect((await sb.call('GET', '/api/v2/persons')).status).toBe(200);
	});

	test('a large timeScale compresses the window: real 2 ms ≈ vendor 2 s', async () => {
		const fast = await startPipedrive({ plan: 'lite' }, { timeScale: 1000 });
		try {
			for (let i = 0; i < 25; i++) await fast.call('GET', '/api/v2/persons');
			await new Promise((r) => setTimeout(r, 10));
			expect((await fast.call('GET', '/api/v2/persons')).status).toBe(200);
		} finally {
			await fast.close();
		}
	});
});

describe('daily token budget', () => {
	test('costs per endpoint are charged; exhausted budget answers 429 until midnight; x-daily-requests-left on writes', async () => {
		const sb = await startPipedrive({ dailyTokenBudget: 30, burstLimit: 1000 });
		try {
			const w = await sb.call('POST', '/api/v2/persons', { name: 'Budget' });
			expect(w.headers.get('x-daily-requests-left')).toBe('25');
			expect((await sb.call('GET', '/api/v2/persons')).headers.get('x-daily-requests-left')).toBeNull();
			expect((await sb.call('GET', '/api/v2/persons')).status).toBe(200); // 25 → 15 → 5
			const out = await sb.call('GET', '/api/v2/persons'); // list costs 10 > 5 left
			expect(out.status).toBe(429);
			expect(out.body.error).toBe('Request over limit');
			expect((await sb.call('GET', '/api/v2/persons/1')).status).toBe(200); // 1 token still fits
			const usage = (await sb.call('GET', '/_sandbox/pipedrive/usage')).body;
			expect(usage).toMatchObject({ dailyTokenBudget: 30, dailyTokensUsed: 26 });
			const now = new Date(sb.server.context.clock.now());
			const midnight = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1);
			sb.server.context.clock.advance(midnight - now.getTime() + 1);
			expect((await sb.call('GET', '/api/v2/persons')).status).toBe(200);
		} finally {
			await sb.close();
		}
	});

	test('default budget = 30,000 × plan multiplier × seats', async () => {
		const sb = await startPipedrive({ plan: 'premium', seats: 3 });
		try {
			expect((await sb.call('GET', '/_sandbox/pipedrive/usage')).body).toMatchObject({ dailyTokenBudget: 450_000, burstLimitApiToken: 100, burstLimitOAuth: 400 });
		} finally {
			await sb.close();
		}
	});
});

describe('Cloudflare-style block after repeated 429s (API token)', () => {
	test('HTML 403 instead of JSON while blocked, then normal again', async () => {
		const sb = await startPipedrive({ plan: 'lite', abuseBlock: { after429s: 3, blockMs: 60_000 } });
		try {
			for (let i = 0; i < 20; i++) await sb.call('GET', '/api/v2/persons/1');
			for (let i = 0; i < 3; i++) expect((await sb.call('GET', '/api/v2/persons/1')).status).toBe(429);
			const blocked = await sb.call('GET', '/api/v2/persons/1');
			expect(blocked.status).toBe(403);
			expect(blocked.headers.get('content-type')).toContain('text/html');
			expect(blocked.text).toContain('Cloudflare');
			expect(() => JSON.parse(blocked.text)).toThrow();
			sb.server.context.clock.advance(61_000);
			expect((await sb.call('GET', '/api/v2/persons')).status).toBe(200);
		} finally {
			await sb.close();
		}
	});
});

describe('injected faults', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startPipedrive({ rateLimiting: false });
		sb.server.definition.seed({ count: 5, seed: 1 });
	});
	afterAll(() => sb.close());
	afterEach(() => sb.call('DELETE', '/_sandbox/faults'));

	test('force429 answers the vendor 429 with rate-limit headers', async () => {
		await sb.call('PUT', '/_sandbox/faults', { force429: 2 });
		for (let i = 0; i < 2; i++) {
			const r = await sb.call('GET', '/api/v2/persons');
			expect(r.status).toBe(429);
			expect(r.body.error).toBe('Request over limit');
			expect(r.headers.get('x-ratelimit-remaining')).toBe('0');
		}
		expect((await sb.call('GET', '/api/v2/persons')).status).toBe(200);
	});

	test('force5xx and errorRate answer 503 in the envelope; routePrefix targets routes', async () => {
		await sb.call('PUT', '/_sandbox/faults', { force5xx: 1, routePrefix: 'v2.persons.create' });
		expect((await sb.call('GET', '/api/v2/persons')).status).toBe(200);
		const r = await sb.call('POST', '/api/v2/persons', { name: 'x' });
		expect(r.status).toBe(503);
		expect(r.body).toMatchObject({ success: false, data: null });
	});

	test('timeout: no answer at all', async () => {
		await sb.call('PUT', '/_sandbox/faults', { timeoutRate: 1 });
		await expect(fetch(`${sb.url}/api/v2/persons`, { headers: { 'x-api-token': TOKEN }, signal: AbortSignal.timeout(300) })).rejects.toThrow();
	});

	test('malformed JSON answers are cut mid-body', async () => {
		await sb.call('PUT', '/_sandbox/faults', { malformedRate: 1 });
		const r = await sb.call('GET', '/api/v2/persons');
		expect(() => JSON.parse(r.text)).toThrow();
	});

	test('a custom field removed from the schema: gone from lists and records, v2 writes naming it fail, v1 ignores it', async () => {
		const fields = (await sb.call('GET', '/_sandbox/pipedrive/fields')).body.person as Array<{ key: string; name: string }>;
		const ext = fields.find((f) => f.name === 'Jobber Client ID')!;
		await sb.call('PUT', '/_sandbox/faults', { removedFields: { persons: [ext.key] } });
		const list = await sb.call('GET', '/v1/personFields?limit=500');
		expect(list.body.data.map((f: { key: string }) => f.key)).not.toContain(ext.key);
		expect((await sb.call('GET', '/api/v2/persons/1')).body.data.custom_fields).not.toHaveProperty(ext.key);
		const v2 = await sb.call('PATCH', '/api/v2/persons/1', { custom_fields: { [ext.key]: 'abc' } });
		expect(v2.status).toBe(400);
		expect(v2.body.error).toContain(ext.key);
		expect((await sb.call('PUT', '/v1/persons/1', { [ext.key]: 'abc' })).status).toBe(200);
		// By field name works too.
		await sb.call('PUT', '/_sandbox/faults', { removedFields: { person: ['Customer Type'] } });
		expect((await sb.call('GET', '/_sandbox/pipedrive/fields')).body.person.map((f: { name: string }) => f.name)).not.toContain('Customer Type');
	});

	test('latency fault delays answers', async () => {
		await sb.call('PUT', '/_sandbox/faults', { latencyMs: 80 });
		const t = performance.now();
		await sb.call('GET', '/api/v2/persons/1');
		expect(performance.now() - t).toBeGreaterThanOrEqual(70);
	});
});
