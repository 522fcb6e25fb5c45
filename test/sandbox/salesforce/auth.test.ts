/** OAuth: code (with PKCE), refresh (with and without rotation), client credentials, revoke; session expiry. */
import { createHash, createHmac } from 'node:crypto';
import { startSf, raw, type Sf } from './helpers';

const form = (params: Record<string, string>) => ({
	method: 'POST',
	headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
	body: new URLSearchParams(params).toString(),
});

describe('Salesforce OAuth and sessions', () => {
	let sf: Sf;
	beforeAll(async () => {
		sf = await startSf();
	});
	afterAll(() => sf.close());
	beforeEach(async () => {
		await sf.admin('POST', '/_sandbox/reset');
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { refreshTokenRotation: false, sessionTimeoutMs: 7_200_000 });
	});

	const token = (params: Record<string, string>) => raw(`${sf.url}/services/oauth2/token`, form(params));

	it('authorization_code with PKCE: redirect with an encoded code, exchange, documented response fields and signature', async () => {
		const verifier = 'a'.repeat(43) + 'verifier';
		const challenge = createHash('sha256').update(verifier).digest('base64url');
		const redirect = sf.info.redirectUris[0];
		const auth = await raw(
			`${sf.url}/services/oauth2/authorize?response_type=code&client_id=${encodeURIComponent(sf.info.clientId)}&redirect_uri=${encodeURIComponent(redirect)}&scope=${encodeURIComponent('api refresh_token offline_access')}&state=xyz&code_challenge=${challenge}&code_challenge_method=S256`,
		);
		expect(auth.status).toBe(302);
		const location = new URL(auth.headers.get('location')!);
		expect(location.searchParams.get('state')).toBe('xyz');
		const code = location.searchParams.get('code')!;
		expect(code.endsWith('==')).toBe(true);
		expect(auth.headers.get('location')).toContain('%3D%3D');

		const wrongVerifier = await token({ grant_type: 'authorization_code', code, client_id: sf.info.clientId, client_secret: sf.info.clientSecret, redirect_uri: redirect, code_verifier: 'wrong' });
		expect(wrongVerifier.status).toBe(400);
		expect(wrongVerifier.body.error).toBe('invalid_grant');

		const r = await token({ grant_type: 'authorization_code', code, client_id: sf.info.clientId, client_secret: sf.info.clientSecret, redirect_uri: redirect, code_verifier: verifier });
		expect(r.status).toBe(200);
		expect(Object.keys(r.body)).toEqual(['access_token', 'refresh_token', 'signature', 'scope', 'instance_url', 'id', 'token_type', 'issued_at']);
		expect(r.body).not.toHaveProperty('expires_in');
		expect(r.body.instance_url).toBe(sf.url);
		expect(r.body.token_type).toBe('Bearer');
		expect(r.body.id).toBe(`${sf.url}/id/${sf.info.organizationId}/${sf.info.integrationUserId}`);
		expect(r.body.issued_at).toMatch(/^\d{13}$/);
		expect(r.body.signature).toBe(createHmac('sha256', sf.info.clientSecret).update(r.body.id + r.body.issued_at).digest('base64'));
		const api = await raw(`${r.body.instance_url}/services/data/${sf.v}/limits`, { headers: { Authorization: `Bearer ${r.body.access_token}` } });
		expect(api.status).toBe(200);
		// Codes are single-use.
		const reuse = await token({ grant_type: 'authorization_code', code, client_id: sf.info.clientId, client_secret: sf.info.clientSecret, redirect_uri: redirect, code_verifier: verifier });
		expect(reuse.body.error).toBe('invalid_grant');
	});

	it('rejects bad clients, redirect URIs and grant types with OAuth error bodies', async () => {
		expect((await token({ grant_type: 'client_credentials', client_id: 'nope', client_secret: 'x' })).body).toEqual({ error: 'invalid_client_id', error_description: 'client identifier invalid' });
		expect((await token({ grant_type: 'client_credentials', client_id: sf.info.clientId, client_secret: 'wrong' })).body).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
		expect((await token({ grant_type: 'magic', client_id: sf.info.clientId })).body.error).toBe('unsupported_grant_type');
		const bad = await raw(`${sf.url}/services/oauth2/authorize?response_type=code&client_id=${encodeURIComponent(sf.info.clientId)}&redirect_uri=${encodeURIComponent('http://evil.example/cb')}`);
		expect(bad.status).toBe(400);
		expect(bad.body.error).toBe('redirect_uri_mismatch');
	});

	it('refresh_token: new access token, no refresh_token in the answer; bad token → invalid_grant', async () => {
		const r = await token({ grant_type: 'refresh_token', refresh_token: sf.info.refreshToken, client_id: sf.info.clientId, client_secret: sf.info.clientSecret });
		expect(r.status).toBe(200);
		expect(r.body).not.toHaveProperty('refresh_token');
		expect(r.body.access_token).not.toBe(sf.info.accessToken);
		const bad = await token({ grant_type: 'refresh_token', refresh_token: 'nope', client_id: sf.info.clientId, client_secret: sf.info.clientSecret });
		expect(bad.status).toBe(400);
		expect(bad.body).toEqual({ error: 'invalid_grant', error_description: 'expired access/refresh token' });
	});

	it('refresh-token rotation: a new refresh token each time, the old one invalid at once', async () => {
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { refreshTokenRotation: true });
		const code = new URL(
			(await raw(`${sf.url}/services/oauth2/authorize?response_type=code&client_id=${encodeURIComponent(sf.info.clientId)}&redirect_uri=${encodeURIComponent(sf.info.redirectUris[0])}`)).headers.get('location')!,
		).searchParams.get('code')!;
		const first = await token({ grant_type: 'authorization_code', code, client_id: sf.info.clientId, client_secret: sf.info.clientSecret, redirect_uri: sf.info.redirectUris[0] });
		const r1 = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id: sf.info.clientId, client_secret: sf.info.clientSecret });
		expect(r1.body.refresh_token).toBeDefined();
		expect(r1.body.refresh_token).not.toBe(first.body.refresh_token);
		const old = await token({ grant_type: 'refresh_token', refresh_token: first.body.refresh_token, client_id: sf.info.clientId, client_secret: sf.info.clientSecret });
		expect(old.body.error).toBe('invalid_grant');
		const r2 = await token({ grant_type: 'refresh_token', refresh_token: r1.body.refresh_token, client_id: sf.info.clientId, client_secret: sf.info.clientSecret });
		expect(r2.status).toBe(200);
	});

	it('client_credentials (Basic auth) and password grants; no refresh token', async () => {
		const basic = Buffer.from(`${sf.info.clientId}:${sf.info.clientSecret}`).toString('base64');
		const r = await raw(`${sf.url}/services/oauth2/token`, {
			method: 'POST',
			headers: { Authorization: `Basic ${basic}`, 'Content-Type': 'application/x-www-form-urlencoded' },
			body: 'grant_type=client_credentials',
		});
		expect(r.status).toBe(200);
		expect(r.body).not.toHaveProperty('refresh_token');
		const p = await token({ grant_type: 'password', client_id: sf.info.clientId, client_secret: sf.info.clientSecret, username: sf.info.username, password: 'wrong' });
		expect(p.body).toEqual({ error: 'invalid_grant', error_description: 'authentication failure' });
	});

	it('a session times out after 2 h without use (401 INVALID_SESSION_ID), use slides it, refresh-and-retry works', async () => {
		const fresh = (await token({ grant_type: 'refresh_token', refresh_token: sf.info.refreshToken, client_id: sf.info.clientId, client_secret: sf.info.clientSecret })).body.access_token;
		const call = (t: string) => raw(`${sf.url}/services/data/${sf.v}/sobjects`, { headers: { Authorization: `Bearer ${t}` } });
		await sf.admin('POST', '/_sandbox/clock/advance', { ms: 90 * 60_000 });
		expect((await call(fresh)).status).toBe(200); // used at 1.5 h: expiry slides
		await sf.admin('POST', '/_sandbox/clock/advance', { ms: 90 * 60_000 });
		expect((await call(fresh)).status).toBe(200);
		await sf.admin('POST', '/_sandbox/clock/advance', { ms: 2 * 3_600_000 + 1_000 });
		const expired = await call(fresh);
		expect(expired.status).toBe(401);
		expect(expired.body).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
		expect(expired.headers.get('sforce-limit-info')).toBeNull();
		const renewed = await token({ grant_type: 'refresh_token', refresh_token: sf.info.refreshToken, client_id: sf.info.clientId, client_secret: sf.info.clientSecret });
		expect((await call(renewed.body.access_token)).status).toBe(200);
	});

	it('revoking tokens: fault revokes access tokens (refresh still works); /revoke ends a refresh token and its sessions', async () => {
		const t1 = (await token({ grant_type: 'refresh_token', refresh_token: sf.info.refreshToken, client_id: sf.info.clientId, client_secret: sf.info.clientSecret })).body.access_token;
		await sf.admin('PUT', '/_sandbox/faults', { revokeTokens: true });
		await sf.admin('DELETE', '/_sandbox/faults');
		expect((await sf.call('GET', '/limits', undefined, { Authorization: `Bearer ${t1}` })).status).toBe(401);
		const t2 = (await token({ grant_type: 'refresh_token', refresh_token: sf.info.refreshToken, client_id: sf.info.clientId, client_secret: sf.info.clientSecret })).body.access_token;
		expect((await sf.call('GET', '/limits', undefined, { Authorization: `Bearer ${t2}` })).status).toBe(200);
		const rv = await raw(`${sf.url}/services/oauth2/revoke`, form({ token: sf.info.refreshToken }));
		expect(rv.status).toBe(200);
		expect((await sf.call('GET', '/limits', undefined, { Authorization: `Bearer ${t2}` })).status).toBe(401);
		expect((await token({ grant_type: 'refresh_token', refresh_token: sf.info.refreshToken, client_id: sf.info.clientId, client_secret: sf.info.clientSecret })).body.error).toBe('invalid_grant');
	});

	it('accepts the older "OAuth <token>" scheme and rejects missing auth', async () => {
		expect((await raw(`${sf.url}/services/data/${sf.v}/limits`, { headers: { Authorization: `OAuth ${sf.info.accessToken}` } })).status).toBe(200);
		const none = await raw(`${sf.url}/services/data/${sf.v}/limits`);
		expect(none.status).toBe(401);
		expect(none.body[0].errorCode).toBe('INVALID_SESSION_ID');
		const userinfo = await raw(`${sf.url}/services/oauth2/userinfo`, { headers: { Authorization: 'Bearer nope' } });
		expect(userinfo.status).toBe(403);
	});
});
