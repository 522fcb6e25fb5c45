/** Every rate-limit signal, and authentication: 401s, scopes, OAuth code flow, expiry and refresh, revocation. */
import { startHub, type Hub } from './helpers';

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function oauthToken(hub: Hub, path: string, fields: Record<string, string>) {
	const res = await fetch(hub.url + path, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: form(fields) });
	return { status: res.status, body: (await res.json()) as any };
}

describe('HubSpot rate limits', () => {
	test('10-second rolling window: headers count down, then 429 TEN_SECONDLY_ROLLING, then recovery', async () => {
		const hub = await startHub({ tenSecondLimit: 5, dailyLimit: 1000 });
		try {
			for (let i = 0; i < 5; i++) {
				const res = await hub.call('GET', '/crm/v3/objects/contacts');
				expect(res.status).toBe(200);
				expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('5');
				expect(res.headers.get('x-hubspot-ratelimit-remaining')).toBe(String(4 - i));
				expect(res.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
				expect(res.headers.get('x-hubspot-ratelimit-daily')).toBe('1000');
				expect(res.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe(String(999 - i));
			}
			const limited = await hub.call('GET', '/crm/v3/objects/contacts');
			expect(limited.status).toBe(429);
			expect(limited.body).toEqual({
				status: 'error',
				message: 'You have reached your ten_secondly_rolling limit.',
				errorType: 'RATE_LIMIT',
				correlationId: expect.any(String),
				policyName: 'TEN_SECONDLY_ROLLING',
				groupName: expect.stringMatching(/^publicapi:private_app-api-calls-ten-secondly:/),
			});
			expect(limited.headers.get('x-hubspot-ratelimit-remaining')).toBe('0');
			hub.server.context.clock.advance(10_000);
			expect((await hub.call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
		} finally {
			await hub.close();
		}
	});

	test('a large time scale compresses the window into real milliseconds', async () => {
		const hub = await startHub({ tenSecondLimit: 3 }, { timeScale: 1000 });
		try {
			for (let i = 0; i < 3; i++) await hub.call('GET', '/crm/v3/owners');
			// 10 vendor seconds pass in ~10 real ms at timeScale 1000.
			await new Promise((r) => setTimeout(r, 30));
			expect((await hub.call('GET', '/crm/v3/owners')).status).toBe(200);
		} finally {
			await hub.close();
		}
	});

	test('daily budget: 429 DAILY until midnight in the account time zone', async () => {
		const offset = -300; // US/Eastern winter time
		const hub = await startHub({ dailyLimit: 3, tenSecondLimit: 100, utcOffsetMinutes: offset });
		try {
			const clock = hub.server.context.clock;
			for (let i = 0; i < 3; i++) expect((await hub.call('GET', '/crm/v3/owners')).status).toBe(200);
			const limited = await hub.call('GET', '/crm/v3/owners');
			expect(limited.status).toBe(429);
			expect(limited.body).toMatchObject({ message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT', policyName: 'DAILY' });
			expect(limited.headers.get('x-hubspot-ratelimit-daily-remaining')).toBe('0');
			const local = clock.now() + offset * 60_000;
			const toMidnight = 86_400_000 - (local % 86_400_000);
			clock.advance(toMidnight - 1000);
			expect((await hub.call('GET', '/crm/v3/owners')).status).toBe(429);
			clock.advance(2000);
			expect((await hub.call('GET', '/crm/v3/owners')).status).toBe(200);
		} finally {
			await hub.close();
		}
	});

	test('search has its own 5/s limit, no rate-limit headers, and does not use the 10-second window', async () => {
		const hub = await startHub({ tenSecondLimit: 50 });
		try {
			const before = await hub.call('GET', '/crm/v3/owners');
			const remaining = Number(before.headers.get('x-hubspot-ratelimit-remaining'));
			for (let i = 0; i < 5; i++) {
				const res = await hub.call('POST', '/crm/v3/objects/contacts/search', { limit: 1 });
				expect(res.status).toBe(200);
				expect([...res.headers.keys()].filter((k) => k.startsWith('x-hubspot-ratelimit'))).toEqual([]);
			}
			const limited = await hub.call('POST', '/crm/v3/objects/contacts/search', { limit: 1 });
			expect(limited.status).toBe(429);
			expect(limited.body).toMatchObject({ status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT' });
			expect([...limited.headers.keys()].filter((k) => k.startsWith('x-hubspot-ratelimit'))).toEqual([]);
			const after = await hub.call('GET', '/crm/v3/owners');
			expect(Number(after.headers.get('x-hubspot-ratelimit-remaining'))).toBe(remaining - 1);
			hub.server.context.clock.advance(1000);
			expect((await hub.call('POST', '/crm/v3/objects/contacts/search', { limit: 1 })).status).toBe(200);
		} finally {
			await hub.close();
		}
	});

	test('OAuth apps: 110 per 10 s by default, no daily headers', async () => {
		const hub = await startHub({ oauthTenSecondLimit: 2 });
		try {
			const tokens = (await (await fetch(`${hub.url}/_sandbox/hubspot/oauth/token`, { method: 'POST' })).json()) as any;
			const auth = { Authorization: `Bearer ${tokens.access_token}` };
			const first = await hub.call('GET', '/crm/v3/owners', undefined, auth);
			expect(first.headers.get('x-hubspot-ratelimit-max')).toBe('2');
			expect(first.headers.get('x-hubspot-ratelimit-daily')).toBeNull();
			await hub.call('GET', '/crm/v3/owners', undefined, auth);
			const limited = await hub.call('GET', '/crm/v3/owners', undefined, auth);
			expect(limited.status).toBe(429);
			expect(limited.body.policyName).toBe('TEN_SECONDLY_ROLLING');
			// The private app has its own bucket.
			expect((await hub.call('GET', '/crm/v3/owners')).status).toBe(200);
		} finally {
			await hub.close();
		}
		const defaults = await startHub();
		try {
			const tokens = (await (await fetch(`${defaults.url}/_sandbox/hubspot/oauth/token`, { method: 'POST' })).json()) as any;
			const res = await defaults.call('GET', '/crm/v3/owners', undefined, { Authorization: `Bearer ${tokens.access_token}` });
			expect(res.headers.get('x-hubspot-ratelimit-max')).toBe('110');
			expect((await defaults.call('GET', '/crm/v3/owners')).headers.get('x-hubspot-ratelimit-max')).toBe('100');
			const pro = await startHub({ tier: 'professional' });
			expect((await pro.call('GET', '/crm/v3/owners')).headers.get('x-hubspot-ratelimit-max')).toBe('190');
			expect((await pro.call('GET', '/crm/v3/owners')).headers.get('x-hubspot-ratelimit-daily')).toBe('650000');
			await pro.close();
		} finally {
			await defaults.close();
		}
	});

	test('an injected 429 looks like the real one for the route kind', async () => {
		const hub = await startHub();
		try {
			await fetch(`${hub.url}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ force429: 2 }) });
			const list = await hub.call('GET', '/crm/v3/objects/contacts');
			expect(list.status).toBe(429);
			expect(list.body.policyName).toBe('TEN_SECONDLY_ROLLING');
			const s = await hub.call('POST', '/crm/v3/objects/contacts/search', {});
			expect(s.status).toBe(429);
			expect(s.body.message).toBe('You have reached your secondly limit.');
			expect((await hub.call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
		} finally {
			await hub.close();
		}
	});
});

describe('HubSpot authentication', () => {
	let hub: Hub;
	beforeEach(async () => {
		hub = await startHub();
	});
	afterEach(() => hub.close());

	test('missing, unknown and hapikey credentials answer 401 INVALID_AUTHENTICATION', async () => {
		for (const headers of [{ Authorization: '' }, { Authorization: 'Bearer pat-na1-00000000-0000-0000-0000-000000000000' }, { Authorization: 'Basic abc' }]) {
			const res = await hub.call('GET', '/crm/v3/objects/contacts', undefined, headers);
			expect(res.status).toBe(401);
			expect(res.body).toEqual({
				status: 'error',
				message: expect.stringMatching(/^Authentication credentials not found\./),
				correlationId: expect.any(String),
				category: 'INVALID_AUTHENTICATION',
			});
		}
		const hapikey = await fetch(`${hub.url}/crm/v3/objects/contacts?hapikey=${hub.token}`);
		expect(hapikey.status).toBe(401);
	});

	test('authorization code flow, 30-minute expiry, refresh on both token endpoints', async () => {
		const info = hub.def.info() as any;
		const redirect = 'https://n8n.example.com/rest/oauth2-credential/callback';
		const authorize = await fetch(`${hub.url}/oauth/authorize?client_id=${info.clientId}&redirect_uri=${encodeURIComponent(redirect)}&scope=oauth%20crm.objects.contacts.read&state=xyz`, { redirect: 'manual' });
		expect(authorize.status).toBe(302);
		const location = new URL(authorize.headers.get('location')!);
		expect(location.origin + location.pathname).toBe(redirect);
		expect(location.searchParams.get('state')).toBe('xyz');
		const code = location.searchParams.get('code')!;

		const exchange = await oauthToken(hub, '/oauth/v1/token', { grant_type: 'authorization_code', client_id: info.clientId, client_secret: info.clientSecret, redirect_uri: redirect, code });
		expect(exchange.status).toBe(200);
		expect(exchange.body).toEqual({
			token_type: 'bearer',
			refresh_token: expect.stringMatching(/^na1-[0-9a-f]{4}-/),
			access_token: expect.any(String),
			hub_id: info.portalId,
			scopes: ['oauth', 'crm.objects.contacts.read'],
			token_use: 'access_token',
			expires_in: 1800,
		});
		expect(exchange.body.access_token.length).toBeGreaterThan(150);
		const reused = await oauthToken(hub, '/oauth/v1/token', { grant_type: 'authorization_code', client_id: info.clientId, client_secret: info.clientSecret, redirect_uri: redirect, code });
		expect(reused.body.status).toBe('BAD_AUTH_CODE');

		const auth = { Authorization: `Bearer ${exchange.body.access_token}` };
		expect((await hub.call('GET', '/crm/v3/objects/contacts', undefined, auth)).status).toBe(200);
		// Scopes are per token: this one cannot write.
		const write = await hub.call('POST', '/crm/v3/objects/contacts', { properties: {} }, auth);
		expect(write.status).toBe(403);
		expect(write.body.context.requiredGranularScopes).toEqual(['crm.objects.contacts.write']);

		hub.server.context.clock.advance(30 * 60_000);
		const expired = await hub.call('GET', '/crm/v3/objects/contacts', undefined, auth);
		expect(expired.status).toBe(401);
		expect(expired.body).toMatchObject({ category: 'EXPIRED_AUTHENTICATION', message: 'The OAuth token used to make this call expired 0 second(s) ago.' });
		hub.server.context.clock.advance(2 * 60_000);
		expect((await hub.call('GET', '/crm/v3/objects/contacts', undefined, auth)).body.message).toBe('The OAuth token used to make this call expired 2 minute(s) ago.');

		for (const path of ['/oauth/2026-03/token', '/oauth/v1/token']) {
			const refreshed = await oauthToken(hub, path, { grant_type: 'refresh_token', client_id: info.clientId, client_secret: info.clientSecret, refresh_token: exchange.body.refresh_token });
			expect(refreshed.status).toBe(200);
			expect(refreshed.body.refresh_token).toBe(exchange.body.refresh_token);
			expect(refreshed.body.expires_in).toBe(1800);
			expect(refreshed.body.access_token).not.toBe(exchange.body.access_token);
			expect((await hub.call('GET', '/crm/v3/objects/contacts', undefined, { Authorization: `Bearer ${refreshed.body.access_token}` })).status).toBe(200);
		}
		expect((await hub.call('GET', '/crm/v3/objects/contacts', undefined, auth)).status).toBe(401);
	});

	test('token endpoint errors in HubSpot shape', async () => {
		const info = hub.def.info() as any;
		const badRefresh = await oauthToken(hub, '/oauth/v1/token', { grant_type: 'refresh_token', client_id: info.clientId, client_secret: info.clientSecret, refresh_token: 'na1-nope' });
		expect(badRefresh.status).toBe(400);
		expect(badRefresh.body).toMatchObject({ status: 'BAD_REFRESH_TOKEN', error: 'invalid_grant', message: 'refresh token is invalid, expired or revoked', error_description: 'refresh token is invalid, expired or revoked' });
		expect((await oauthToken(hub, '/oauth/v1/token', { grant_type: 'refresh_token', client_id: 'x', client_secret: info.clientSecret, refresh_token: 'r' })).body.status).toBe('BAD_CLIENT_ID');
		expect((await oauthToken(hub, '/oauth/v1/token', { grant_type: 'refresh_token', client_id: info.clientId, client_secret: 'x', refresh_token: 'r' })).body.status).toBe('BAD_CLIENT_SECRET');
		expect((await oauthToken(hub, '/oauth/v1/token', { grant_type: 'password', client_id: info.clientId, client_secret: info.clientSecret })).body.status).toBe('BAD_GRANT_TYPE');
	});

	test('token metadata, introspection and non-cascading refresh-token revocation', async () => {
		const info = hub.def.info() as any;
		const tokens = (await (await fetch(`${hub.url}/_sandbox/hubspot/oauth/token`, { method: 'POST' })).json()) as any;
		const meta = (await (await fetch(`${hub.url}/oauth/v1/access-tokens/${tokens.access_token}`)).json()) as any;
		expect(meta).toMatchObject({ token: tokens.access_token, hub_id: info.portalId, app_id: info.appId, token_type: 'access' });
		expect(meta.expires_in).toBeGreaterThan(1790);
		const introspect = await oauthToken(hub, '/oauth/2026-09/token/introspect', { client_id: info.clientId, client_secret: info.clientSecret, token: tokens.refresh_token, token_type_hint: 'refresh_token' });
		expect(introspect.body).toMatchObject({ active: true, token_use: 'refresh_token' });
		expect((await fetch(`${hub.url}/oauth/v1/refresh-tokens/${tokens.refresh_token}`, { method: 'DELETE' })).status).toBe(204);
		const refresh = await oauthToken(hub, '/oauth/v1/token', { grant_type: 'refresh_token', client_id: info.clientId, client_secret: info.clientSecret, refresh_token: tokens.refresh_token });
		expect(refresh.body.status).toBe('BAD_REFRESH_TOKEN');
		// Revoking the refresh token leaves the issued access token working until it expires.
		expect((await hub.call('GET', '/crm/v3/owners', undefined, { Authorization: `Bearer ${tokens.access_token}` })).status).toBe(200);
	});

	test('revoked-token fault: every issued token answers 401, the static token until faults clear', async () => {
		const info = hub.def.info() as any;
		const tokens = (await (await fetch(`${hub.url}/_sandbox/hubspot/oauth/token`, { method: 'POST' })).json()) as any;
		await fetch(`${hub.url}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify({ revokeTokens: true }) });
		expect((await hub.call('GET', '/crm/v3/owners', undefined, { Authorization: `Bearer ${tokens.access_token}` })).status).toBe(401);
		expect((await hub.call('GET', '/crm/v3/owners')).status).toBe(401);
		const refresh = await oauthToken(hub, '/oauth/v1/token', { grant_type: 'refresh_token', client_id: info.clientId, client_secret: info.clientSecret, refresh_token: tokens.refresh_token });
		expect(refresh.body.status).toBe('BAD_REFRESH_TOKEN');
		await fetch(`${hub.url}/_sandbox/faults`, { method: 'DELETE' });
		expect((await hub.call('GET', '/crm/v3/owners')).status).toBe(200);
		expect((await hub.call('GET', '/crm/v3/owners', undefined, { Authorization: `Bearer ${tokens.access_token}` })).status).toBe(401);
		const fresh = (await (await fetch(`${hub.url}/_sandbox/hubspot/oauth/token`, { method: 'POST' })).json()) as any;
		expect((await hub.call('GET', '/crm/v3/owners', undefined, { Authorization: `Bearer ${fresh.access_token}` })).status).toBe(200);
	});
});
