/**
 * Jobber OAuth: authorize redirect, code exchange (JWT with `exp`, no `expires_in`), refresh-token rotation with the
 * old token dead at once, expiry on the vendor clock, revocation faults and appDisconnect.
 */
import { startJobber, type Harness } from './helpers';

let h: Harness;
beforeEach(async () => {
	h = await startJobber();
});
afterEach(() => h.close());

const REDIRECT = 'http://127.0.0.1:5678/rest/oauth2-credential/callback';

function claims(jwt: string): Record<string, any> {
	return JSON.parse(Buffer.from(jwt.split('.')[1], 'base64url').toString('utf8'));
}

async function token(params: Record<string, string>) {
	const res = await fetch(`${h.url}/api/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
	return { status: res.status, body: (await res.json()) as Record<string, any> };
}

async function authorize(extra = ''): Promise<URL> {
	const res = await fetch(`${h.url}/api/oauth/authorize?response_type=code&client_id=${h.info.clientId}&redirect_uri=${encodeURIComponent(REDIRECT)}${extra}`, { redirect: 'manual' });
	expect(res.status).toBe(302);
	return new URL(res.headers.get('location')!);
}

async function connect() {
	const code = (await authorize('&state=xyz')).searchParams.get('code')!;
	return token({ client_id: h.info.clientId, client_secret: h.info.clientSecret, grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
}

const ME = '{ account { id } }';

describe('authorization code flow', () => {
	it('redirects back with code and state, or with nothing when the user denies', async () => {
		const back = await authorize('&state=abc123');
		expect(`${back.origin}${back.pathname}`).toBe(REDIRECT);
		expect(back.searchParams.get('state')).toBe('abc123');
		expect(back.searchParams.get('code')).toMatch(/^[0-9a-f]{32}$/);
		const denied = await authorize('&state=abc123&sandbox_decision=deny');
		expect([...denied.searchParams.keys()]).toEqual([]);
		const bad = await fetch(`${h.url}/api/oauth/authorize?response_type=code&client_id=someone-else&redirect_uri=${encodeURIComponent(REDIRECT)}`, { redirect: 'manual' });
		expect(bad.status).toBe(400);
	});

	it('exchanges a code for a JWT that lives 60 minutes (read from exp) and a refresh token', async () => {
		const res = await connect();
		expect(res.status).toBe(200);
		expect(Object.keys(res.body).sort()).toEqual(['access_token', 'refresh_token']);
		const c = claims(res.body.access_token);
		expect(c.exp - c.iat).toBe(3600);
		expect(Math.abs(c.iat * 1000 - h.ctx.clock.now())).toBeLessThan(5000);
		expect((await h.gql(ME, undefined, { token: res.body.access_token })).status).toBe(200);
	});

	it('refuses a reused code, a wrong redirect URI and a wrong client secret', async () => {
		const code = (await authorize()).searchParams.get('code')!;
		const base = { client_id: h.info.clientId, client_secret: h.info.clientSecret, grant_type: 'authorization_code', code, redirect_uri: REDIRECT };
		expect((await token({ ...base, client_secret: 'nope' })).body.error).toBe('invalid_client');
		expect((await token({ ...base, redirect_uri: 'http://127.0.0.1/elsewhere' })).body.error).toBe('invalid_grant');
		expect((await token(base)).status).toBe(200);
		const again = await token(base);
		expect(again).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
	});
});

describe('refresh tokens', () => {
	it('rotates on every use; the old refresh token is invalid at once', async () => {
		const first = await token({ client_id: h.info.clientId, client_secret: h.info.clientSecret, grant_type: 'refresh_token', refresh_token: h.info.refreshToken });
		expect(first.status).toBe(200);
		expect(first.body.refresh_token).not.toBe(h.info.refreshToken);
		expect(first.body.expires_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
		expect(Date.parse(first.body.expires_at.replace(' UTC', 'Z').replace(' ', 'T'))).toBe(claims(first.body.access_token).exp * 1000);
		const reuse = await token({ client_id: h.info.clientId, client_secret: h.info.clientSecret, grant_type: 'refresh_token', refresh_token: h.info.refreshToken });
		expect(reuse).toEqual({ status: 400, body: { error: 'invalid_grant', error_description: 'The provided refresh token is not valid.' } });
		const second = await token({ client_id: h.info.clientId, client_secret: h.info.clientSecret, grant_type: 'refresh_token', refresh_token: first.body.refresh_token });
		expect(second.status).toBe(200);
		expect((await h.gql(ME, undefined, { token: second.body.access_token })).status).toBe(200);
	});

	it('keeps the refresh token and warns when rotation is off', async () => {
		const off = await startJobber({ rotateRefreshTokens: false });
		try {
			const params = { client_id: off.info.clientId, client_secret: off.info.clientSecret, grant_type: 'refresh_token', refresh_token: off.info.refreshToken };
			for (let i = 0; i < 2; i++) {
				const res = await fetch(`${off.url}/api/oauth/token`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() });
				const body = (await res.json()) as any;
				expect(body.refresh_token).toBe(off.info.refreshToken);
				expect(body.warning).toMatch(/rotation/i);
			}
		} finally {
			await off.close();
		}
	});
});

describe('access tokens', () => {
	it('expires on the vendor clock and answers 401 until refreshed', async () => {
		const { body } = await connect();
		h.ctx.clock.advance(3599_000);
		expect((await h.gql(ME, undefined, { token: body.access_token })).status).toBe(200);
		h.ctx.clock.advance(2_000);
		const expired = await h.gql(ME, undefined, { token: body.access_token });
		expect(expired.status).toBe(401);
		expect(expired.body).toEqual({ error: 'invalid_request', message: 'Invalid Token Error' });
		const refreshed = await token({ client_id: h.info.clientId, client_secret: h.info.clientSecret, grant_type: 'refresh_token', refresh_token: body.refresh_token });
		expect((await h.gql(ME, undefined, { token: refreshed.body.access_token })).status).toBe(200);
	});

	it('answers 401 for missing, malformed and tampered tokens', async () => {
		expect((await h.gql(ME, undefined, { token: null })).status).toBe(401);
		expect((await h.gql(ME, undefined, { token: 'abc' })).status).toBe(401);
		const [head, , sig] = h.info.accessToken.split('.');
		const forged = Buffer.from(JSON.stringify({ ...claims(h.info.accessToken), account_id: 'someone' })).toString('base64url');
		expect((await h.gql(ME, undefined, { token: `${head}.${forged}.${sig}` })).status).toBe(401);
	});

	it('prints a fixed initial access token (a JWT) that is the same on every run', async () => {
		const other = await startJobber();
		try {
			expect(other.info.accessToken).toBe(h.info.accessToken);
			expect(claims(h.info.accessToken)).toMatchObject({ exp: 4102444800, account_id: h.info.accountId, app_id: h.info.appId });
		} finally {
			await other.close();
		}
	});

	it('stops every issued token on the revokeTokens fault; refresh recovers', async () => {
		await h.admin('PUT', '/_sandbox/faults', { revokeTokens: true });
		expect((await h.gql(ME)).status).toBe(401);
		const refreshed = await token({ client_id: h.info.clientId, client_secret: h.info.clientSecret, grant_type: 'refresh_token', refresh_token: h.info.refreshToken });
		expect((await h.gql(ME, undefined, { token: refreshed.body.access_token })).status).toBe(200);
	});
});

describe('appDisconnect', () => {
	it('kills access and refresh tokens until the user connects again', async () => {
		const res = await h.gql('mutation { appDisconnect { app { name author } userErrors { message } } }');
		expect(res.body.data.appDisconnect).toEqual({ app: { name: 'FluxCascade Sync', author: 'FluxCascade' }, userErrors: [] });
		const after = await h.gql(ME);
		expect(after).toMatchObject({ status: 401, body: { message: 'User has disconnected this app from their account. Please delete this token' } });
		const refresh = await token({ client_id: h.info.clientId, client_secret: h.info.clientSecret, grant_type: 'refresh_token', refresh_token: h.info.refreshToken });
		expect(refresh.body.error_description).toBe('The provided refresh token is not valid.');
		const reconnected = await connect();
		expect((await h.gql(ME, undefined, { token: reconnected.body.access_token })).status).toBe(200);
	});
});
