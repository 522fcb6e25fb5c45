import { createHash, createHmac } from 'node:crypto';
import type { SandboxRequest, SandboxResponse } from '../core/server';
import type { VendorContext } from '../core/vendor';

export interface Credentials {
	clientId: string;
	clientSecret: string;
	username: string;
	password: string;
	/** A refresh token that is valid from the start (as if the OAuth dance had happened). */
	refreshToken: string;
	/** An access token that is valid from the start (subject to the session timeout, like any other). */
	accessToken: string;
	/** Callback URLs registered on the connected app; authorization_code requires an exact match. */
	redirectUris: string[];
}

export interface Session {
	token: string;
	userId: string;
	issuedAt: number;
	lastUsed: number;
	generation: number;
	refreshToken?: string;
}

interface RefreshRecord {
	token: string;
	userId: string;
	scope: string;
	revoked: boolean;
}

interface CodeRecord {
	code: string;
	userId: string;
	redirectUri: string;
	scope: string;
	expiresAt: number;
	challenge?: string;
	method?: string;
	used: boolean;
}

export interface AuthSettings {
	sessionTimeoutMs: number;
	refreshTokenRotation: boolean;
}

const oauthError = (error: string, description: string, status = 400): SandboxResponse => ({
	status,
	headers: { 'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private' },
	body: { error, error_description: description },
});

/**
 * The OAuth 2.0 endpoints and session store. Access tokens carry no `expires_in`: they live as long as the
 * org's session timeout, measured from their last use (vendor clock), and die when the faults revoke tokens.
 */
export class Auth {
	private readonly sessions = new Map<string, Session>();
	private readonly refreshTokens = new Map<string, RefreshRecord>();
	private readonly codes = new Map<string, CodeRecord>();
	private counter = 0;

	constructor(
		private readonly ctx: VendorContext,
		readonly credentials: Credentials,
		readonly settings: AuthSettings,
		readonly orgId: string,
		readonly userId: string,
	) {
		this.armInitialToken();
	}

	/** (Re)validates the documented initial refresh token and access token (a fresh session). */
	armInitialToken(): void {
		const now = this.ctx.clock.now();
		this.refreshTokens.set(this.credentials.refreshToken, { token: this.credentials.refreshToken, userId: this.userId, scope: 'api refresh_token', revoked: false });
		this.sessions.set(this.credentials.accessToken, {
			token: this.credentials.accessToken,
			userId: this.userId,
			issuedAt: now,
			lastUsed: now,
			generation: this.ctx.faults.tokenGeneration,
			refreshToken: this.credentials.refreshToken,
		});
	}

	private mint(kind: string, length: number): string {
		this.counter++;
		return createHmac('sha256', this.credentials.clientSecret)
			.update(`${kind}:${this.counter}`)
			.digest('base64url')
			.replace(/[-_]/g, 'x')
			.slice(0, length);
	}

	/** The session behind a bearer token, or undefined when unknown, expired or revoked. Using it slides its expiry. */
	validate(token: string | undefined): Session | undefined {
		if (!token) return undefined;
		const s = this.sessions.get(token);
		if (!s) return undefined;
		const now = this.ctx.clock.now();
		if (s.generation < this.ctx.faults.tokenGeneration || now - s.lastUsed > this.settings.sessionTimeoutMs) {
			this.sessions.delete(token);
			return undefined;
		}
		s.lastUsed = now;
		return s;
	}

	/** `Authorization: Bearer x` (Salesforce also takes the older `OAuth x`). */
	static bearer(req: SandboxRequest): string | undefined {
		const h = req.headers.authorization;
		if (!h) return undefined;
		const m = /^(?:Bearer|OAuth)\s+(.+)$/i.exec(h.trim());
		return m ? m[1].trim() : undefined;
	}

	private issue(userId: string, scope: string, refreshToken: string | undefined, includeRefresh: boolean): SandboxResponse {
		const now = this.ctx.clock.now();
		const token = `${this.orgId.slice(0, 15)}!AQ${this.mint('access', 96)}`;
		this.sessions.set(token, { token, userId, issuedAt: now, lastUsed: now, generation: this.ctx.faults.tokenGeneration, refreshToken });
		const id = `${this.ctx.baseUrl}/id/${this.orgId}/${userId}`;
		const issuedAt = String(now);
		// Documented signature: base64 HMAC-SHA256 of id + issued_at, keyed with the client secret.
		const signature = createHmac('sha256', this.credentials.clientSecret).update(id + issuedAt).digest('base64');
		const body: Record<string, string> = { access_token: token };
		if (includeRefresh && refreshToken) body.refresh_token = refreshToken;
		Object.assign(body, { signature, scope, instance_url: this.ctx.baseUrl, id, token_type: 'Bearer', issued_at: issuedAt });
		return { status: 200, headers: { 'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private' }, body };
	}

	private newRefreshToken(userId: string, scope: string): string {
		const token = `5Aep861${this.mint('refresh', 80)}`;
		this.refreshTokens.set(token, { token, userId, scope, revoked: false });
		return token;
	}

	private params(req: SandboxRequest): URLSearchParams {
		const p = new URLSearchParams(req.query);
		const ct = req.headers['content-type'] ?? '';
		if (req.rawBody.length && !ct.includes('json')) for (const [k, v] of new URLSearchParams(req.text())) p.set(k, v);
		return p;
	}

	/** POST /services/oauth2/token */
	token(req: SandboxRequest): SandboxResponse {
		const p = this.params(req);
		let clientId = p.get('client_id');
		let clientSecret = p.get('client_secret');
		const basic = /^Basic\s+(.+)$/i.exec(req.headers.authorization ?? '');
		if (basic) {
			const [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':');
			clientId = clientId ?? decodeURIComponent(id ?? '');
			clientSecret = clientSecret ?? decodeURIComponent(secret ?? '');
		}
		const grant = p.get('grant_type');
		if (!grant) return oauthError('unsupported_grant_type', 'grant type not supported');
		if (!['authorization_code', 'refresh_token', 'client_credentials', 'password'].includes(grant)) {
			return oauthError('unsupported_grant_type', 'grant type not supported');
		}
		if (clientId !== this.credentials.clientId) return oauthError('invalid_client_id', 'client identifier invalid');
		// A refresh with PKCE-only public clients may omit the secret; a wrong one always fails.
		const secretOk = clientSecret === this.credentials.clientSecret;
		if (clientSecret !== null && clientSecret !== undefined && !secretOk) return oauthError('invalid_client', 'invalid client credentials');

		switch (grant) {
			case 'authorization_code': {
				const code = p.get('code') ?? '';
				const rec = this.codes.get(code);
				if (!rec) return oauthError('invalid_grant', 'invalid authorization code');
				if (rec.used || this.ctx.clock.now() > rec.expiresAt) return oauthError('invalid_grant', 'expired authorization code');
				if ((p.get('redirect_uri') ?? '') !== rec.redirectUri) return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
				if (rec.challenge) {
					const verifier = p.get('code_verifier') ?? '';
					const computed = rec.method === 'plain' ? verifier : createHash('sha256').update(verifier).digest('base64url');
					if (computed !== rec.challenge) return oauthError('invalid_grant', 'invalid code verifier');
				} else if (!secretOk) return oauthError('invalid_client', 'invalid client credentials');
				rec.used = true;
				const refresh = rec.scope.split(' ').includes('refresh_token') || rec.scope.split(' ').includes('offline_access') ? this.newRefreshToken(rec.userId, rec.scope) : undefined;
				return this.issue(rec.userId, rec.scope, refresh, true);
			}
			case 'refresh_token': {
				const rt = this.refreshTokens.get(p.get('refresh_token') ?? '');
				if (!rt || rt.revoked) return oauthError('invalid_grant', 'expired access/refresh token');
				let refresh = rt.token;
				if (this.settings.refreshTokenRotation) {
					// Rotation: a new refresh token each time; the old one stops working at once.
					rt.revoked = true;
					refresh = this.newRefreshToken(rt.userId, rt.scope);
				}
				return this.issue(rt.userId, rt.scope, refresh, this.settings.refreshTokenRotation);
			}
			case 'client_credentials':
				if (!secretOk) return oauthError('invalid_client', 'invalid client credentials');
				return this.issue(this.userId, 'api', undefined, false);
			case 'password':
				if (!secretOk) return oauthError('invalid_client', 'invalid client credentials');
				if (p.get('username') !== this.credentials.username || p.get('password') !== this.credentials.password) {
					return oauthError('invalid_grant', 'authentication failure');
				}
				return this.issue(this.userId, 'api', undefined, false);
		}
		return oauthError('unsupported_grant_type', 'grant type not supported');
	}

	/** GET /services/oauth2/authorize: the user is always logged in and approves at once. */
	authorize(req: SandboxRequest): SandboxResponse {
		const p = req.query;
		const redirectUri = p.get('redirect_uri') ?? '';
		if (p.get('client_id') !== this.credentials.clientId) return oauthError('invalid_client_id', 'client identifier invalid');
		if (!this.credentials.redirectUris.includes(redirectUri)) return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
		const target = new URL(redirectUri);
		const state = p.get('state');
		if (p.get('response_type') !== 'code') {
			target.searchParams.set('error', 'unsupported_response_type');
			target.searchParams.set('error_description', 'response type not supported');
		} else {
			// Real codes end in '==' and arrive URL-encoded: clients must decode them before the exchange.
			const code = `aPrx${this.mint('code', 60)}==`;
			this.codes.set(code, {
				code,
				userId: this.userId,
				redirectUri,
				scope: p.get('scope') ?? 'api refresh_token',
				expiresAt: this.ctx.clock.now() + 15 * 60_000,
				challenge: p.get('code_challenge') ?? undefined,
				method: p.get('code_challenge_method') ?? 'S256',
				used: false,
			});
			target.searchParams.set('code', code);
		}
		if (state !== null) target.searchParams.set('state', state);
		return { status: 302, headers: { Location: target.toString() }, body: '' };
	}

	/** POST /services/oauth2/revoke: an access token ends its session; a refresh token also ends the sessions it made. */
	revoke(req: SandboxRequest): SandboxResponse {
		const token = this.params(req).get('token') ?? '';
		if (this.sessions.delete(token)) return { status: 200, body: '' };
		const rt = this.refreshTokens.get(token);
		if (rt && !rt.revoked) {
			rt.revoked = true;
			for (const [k, s] of this.sessions) if (s.refreshToken === token) this.sessions.delete(k);
			return { status: 200, body: '' };
		}
		return oauthError('unsupported_token_type', 'this token type is not supported');
	}
}
