/** Auth: API token header/query, OAuth code → token → refresh (same refresh token), expiry, revocation, scopes. */
import { DEFAULT_CREDENTIALS } from '../../../sandbox/pipedrive';
import { startPipedrive, TOKEN, type Sandbox } from './helpers';

const C = DEFAULT_CREDENTIALS;
const basic = (id = C.oauthClientId, secret = C.oauthClientSecret) => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
const form = (o: Record<string, string>) => new URLSearchParams(o).toString();
const FORM = 'application/x-www-form-urlencoded';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startPipedrive({ rateLimiting: false });
});
afterAll(() => sb.close());

async function authorize(redirect = C.oauthRedirectUris[0]): Promise<string> {
	const res = await sb.call('GET', `/oauth/authorize?client_id=${C.oauthClientId}&redirect_uri=${encodeURIComponent(redirect)}&state=xyz`, undefined, {});
	expect(res.status).toBe(302);
	const location = new URL(res.headers.get('location')!);
	expect(location.searchParams.get('state')).toBe('xyz');
	return location.searchParams.get('code')!;
}

async function exchange(code: string) {
	return sb.call('POST', '/oauth/token', form({ grant_type: 'authorization_code', code, redirect_uri: C.oauthRedirectUris[0] }), { authorization: basic(), 'content-type': FORM });
}

describe('API token', () => {
	test('x-api-token header and the legacy api_token query parameter both work', async () => {
		expect((await sb.call('GET', '/api/v2/persons')).status).toBe(200);
		expect((await sb.call('GET', `/api/v2/persons?api_token=${TOKEN}`, undefined, {})).status).toBe(200);
		expect((await sb.call('GET', `/v1/users/me?api_token=${TOKEN}`, undefined, {})).status).toBe(200);
	});

	test('missing or wrong token: 401 unauthorized access from the gateway', async () => {
		for (const headers of [{}, { 'x-api-token': 'nope' }] as Array<Record<string, string>>) {
			const res = await sb.call('GET', '/api/v2/persons', undefined, headers);
			expect(res.status).toBe(401);
			expect(res.body).toEqual({ success: false, error: 'unauthorized access', errorCode: 401, error_info: 'Please check developers.pipedrive.com' });
			expect(res.headers.get('x-401-by-gw')).toBe('true');
			expect(res.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
		}
	});

	test('revoked by the fault switchboard, working again after a sandbox reset', async () => {
		await sb.call('PUT', '/_sandbox/faults', { revokeTokens: true });
		expect((await sb.call('GET', '/api/v2/persons')).status).toBe(401);
		await sb.call('POST', '/_sandbox/reset');
		expect((await sb.call('GET', '/api/v2/persons')).status).toBe(200);
	});
});

describe('OAuth', () => {
	test('authorization code → token: Bearer, 3600 s, scope, api_domain pointing at this server', async () => {
		const res = await exchange(await authorize());
		expect(res.status).toBe(200);
		expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 3600, refresh_token: expect.any(String), scope: expect.stringContaining('base'), api_domain: sb.url });
		const me = await sb.call('GET', '/v1/users/me', undefined, { authorization: `Bearer ${res.body.access_token}` });
		expect(me.status).toBe(200);
		expect(me.body.data.id).toBe(C.userId);
	});

	test('a code works once and expires after 5 minutes', async () => {
		const code = await authorize();
		expect((await exchange(code)).status).toBe(200);
		const again = await exchange(code);
		expect(again.status).toBe(400);
		expect(again.body.error_description).toBe('Invalid grant: authorization_code is invalid');
		const late = await authorize();
		sb.server.context.clock.advance(5 * 60_000 + 1);
		expect((await exchange(late)).body.error_description).toBe('Invalid grant: authorization_code has expired');
	});

	test('access token expires after 60 min (vendor clock); refresh returns a new access token and the same refresh token', async () => {
		const first = (await exchange(await authorize())).body;
		const bearer = { authorization: `Bearer ${first.access_token}` };
		expect((await sb.call('GET', '/api/v2/persons', undefined, bearer)).status).toBe(200);
		sb.server.context.clock.advance(3600_000);
		const expired = await sb.call('GET', '/api/v2/persons', undefined, bearer);
		expect(expired.status).toBe(401);
		expect(expired.body).toEqual({ success: false, error: 'Invalid token: access_token is invalid', errorCode: 401, error_info: 'Please check developers.pipedrive.com' });
		const refreshed = await sb.call('POST', '/oauth/token', form({ grant_type: 'refresh_token', refresh_token: first.refresh_token }), { authorization: basic(), 'content-type': FORM });
		expect(refreshed.status).toBe(200);
		expect(refreshed.body.refresh_token).toBe(first.refresh_token);
		expect(refreshed.body.access_token).not.toBe(first.access_token);
		expect((await sb.call('GET', '/api/v2/persons', undefined, { authorization: `Bearer ${refreshed.body.access_token}` })).status).toBe(200);
	});

	test('refresh token dies after 60 idle days; each use restarts the window', async () => {
		const t = (await exchange(await authorize())).body;
		const refresh = () => sb.call('POST', '/oauth/token', form({ grant_type: 'refresh_token', refresh_token: t.refresh_token }), { authorization: basic(), 'content-type': FORM });
		sb.server.context.clock.advance(59 * 86_400_000);
		expect((await refresh()).status).toBe(200);
		sb.server.context.clock.advance(59 * 86_400_000);
		expect((await refresh()).status).toBe(200);
		sb.server.context.clock.advance(60 * 86_400_000);
		const dead = await refresh();
		expect(dead.status).toBe(400);
		expect(dead.body.error_description).toBe('Invalid grant: refresh_token is invalid');
	});

	test('token endpoint errors: content type, client credentials, grant type', async () => {
		const json = await sb.call('POST', '/oauth/token', { grant_type: 'refresh_token' }, { authorization: basic(), 'content-type': 'application/json' });
		expect(json.body.error_description).toBe('Invalid request: content must be application/x-www-form-urlencoded');
		expect((await sb.call('POST', '/oauth/token', form({ grant_type: 'refresh_token' }), { 'content-type': FORM })).body.error_description).toBe('Invalid client: cannot retrieve client credentials');
		expect((await sb.call('POST', '/oauth/token', form({ grant_type: 'refresh_token' }), { authorization: basic(C.oauthClientId, 'wrong'), 'content-type': FORM })).body.error_description).toBe('Invalid client: client is invalid');
		expect((await sb.call('POST', '/oauth/token', form({}), { authorization: basic(), 'content-type': FORM })).body.error_description).toBe('Missing parameter: grant_type');
		expect((await sb.call('POST', '/oauth/token', form({ grant_type: 'password' }), { authorization: basic(), 'content-type': FORM })).body.error_description).toBe('Unsupported grant type: grant_type is invalid');
		// client_id/client_secret in the body are accepted as well.
		const exchangeApi = await sb.call('POST', '/oauth/token', form({ grant_type: 'exchange_api_token', api_token: TOKEN, client_id: C.oauthClientId, client_secret: C.oauthClientSecret }), { 'content-type': FORM });
		expect(exchangeApi.status).toBe(200);
	});

	test('revoked tokens (fault) answer 401; refresh issues a working token again', async () => {
		const t = (await exchange(await authorize())).body;
		await sb.call('PUT', '/_sandbox/faults', { revokeTokens: true });
		expect((await sb.call('GET', '/api/v2/persons', undefined, { authorization: `Bearer ${t.access_token}` })).status).toBe(401);
		await sb.call('DELETE', '/_sandbox/faults');
		const r = await sb.call('POST', '/oauth/token', form({ grant_type: 'refresh_token', refresh_token: t.refresh_token }), { authorization: basic(), 'content-type': FORM });
		expect((await sb.call('GET', '/api/v2/persons', undefined, { authorization: `Bearer ${r.body.access_token}` })).status).toBe(200);
		await sb.call('POST', '/_sandbox/reset');
	});

	test('scope mismatch → 403; malformed Authorization header → 400', async () => {
		const code = (await sb.call('POST', '/_sandbox/pipedrive/oauth/code', { scopes: ['contacts:read'] })).body.code;
		const t = (await exchange(code)).body;
		expect(t.scope).toBe('contacts:read,base');
		const h = { authorization: `Bearer ${t.access_token}` };
		expect((await sb.call('GET', '/api/v2/persons', undefined, h)).status).toBe(200);
		const deals = await sb.call('GET', '/api/v2/deals', undefined, h);
		expect(deals.status).toBe(403);
		expect(deals.body).toEqual({ success: false, error: 'Scope and URL mismatch', errorCode: 403, error_info: 'Please check developers.pipedrive.com' });
		expect((await sb.call('POST', '/api/v2/persons', { name: 'x' }, h)).status).toBe(403);
		const malformed = await sb.call('GET', '/api/v2/persons', undefined, { authorization: 'Token abc' });
		expect(malformed.status).toBe(400);
		expect(malformed.body.error).toBe('Invalid request: malformed authorization header');
	});

	test('admin expire forces a 401 without waiting', async () => {
		const t = (await exchange(await authorize())).body;
		await sb.call('POST', '/_sandbox/pipedrive/oauth/expire', { access_token: t.access_token });
		expect((await sb.call('GET', '/api/v2/persons', undefined, { authorization: `Bearer ${t.access_token}` })).status).toBe(401);
	});
});
