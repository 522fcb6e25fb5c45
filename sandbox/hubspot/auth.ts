/**
 * Authentication: the static private-app token, OAuth 2.0 (authorization code, refresh, 30-minute access
 * tokens, token metadata, introspect/revoke) and the 401/403 answers in HubSpot's shapes.
 */
import { randomBytes } from 'node:crypto';
import type { VendorContext } from '../core/vendor';
import type { SandboxRequest, SandboxResponse } from '../core/server';
import { correlationId, errorResponse } from './errors';
import type { ResolvedOptions } from './options';
import { instant } from './schema';

export interface Principal {
	kind: 'private' | 'oauth';
	scopes: Set<string>;
	token: string;
}

interface AccessTokenRecord {
	token: string;
	scopes: string[];
	expiresAt: number;
	generation: number;
	refreshToken: string;
}

interface RefreshTokenRecord {
	token: string;
	scopes: string[];
	generation: number;
	revoked: boolean;
}

interface AuthCodeRecord {
	code: string;
	scopes: string[];
	redirectUri: string;
	expiresAt: number;
	used: boolean;
}

export type AuthResult = { ok: true; principal: Principal } | { ok: false; response: SandboxResponse };

const CREDENTIALS_NOT_FOUND =
	'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

function base64url(bytes: Buffer): string {
	return bytes.toString('base64').replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** "N unit(s)" as in "The OAuth token used to make this call expired 2 minute(s) ago." */
function ago(ms: number): string {
	const s = Math.floor(ms / 1000);
	if (s < 60) return `${s} second(s)`;
	if (s < 3600) return `${Math.floor(s / 60)} minute(s)`;
	if (s < 86_400) return `${Math.floor(s / 3600)} hour(s)`;
	return `${Math.floor(s / 86_400)} day(s)`;
}

export class HubspotAuth {
	private readonly accessTokens = new Map<string, AccessTokenRecord>();
	private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
	private readonly codes = new Map<string, AuthCodeRecord>();

	constructor(
		private readonly ctx: VendorContext,
		private readonly options: ResolvedOptions,
	) {}

	/** Checks the bearer token of an API request. */
	authenticate(req: SandboxRequest, cid: string): AuthResult {
		const header = req.headers.authorization ?? '';
		const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
		const unauthenticated = (): AuthResult => ({
			ok: false,
			response: errorResponse(401, { message: CREDENTIALS_NOT_FOUND, category: 'INVALID_AUTHENTICATION', correlationId: cid }),
		});
		if (!m) return unauthenticated();
		const token = m[1];
		if (token === this.options.credentials.privateAppToken) {
			// A revoked private-app token stays dead while the fault is on; clearing faults "rotates" it back.
			if (this.ctx.faults.current.revokeTokens) return unauthenticated();
			return { ok: true, principal: { kind: 'private', scopes: new Set(this.options.privateAppScopes), token } };
		}
		const record = this.accessTokens.get(token);
		if (!record || record.generation !== this.ctx.faults.tokenGeneration) return unauthenticated();
		const now = this.ctx.clock.now();
		if (now >= record.expiresAt) {
			return {
				ok: false,
				response: errorResponse(401, {
					message: `The OAuth token used to make this call expired ${ago(now - record.expiresAt)} ago.`,
					category: 'EXPIRED_AUTHENTICATION',
					context: { 'expire time': [instant(record.expiresAt)] },
					correlationId: cid,
				}),
			};
		}
		return { ok: true, principal: { kind: 'oauth', scopes: new Set(record.scopes), token } };
	}

	missingScopes(principal: Principal, anyOf: string[], cid: string): SandboxResponse | undefined {
		if (anyOf.length === 0 || anyOf.some((s) => principal.scopes.has(s))) return undefined;
		return errorResponse(403, {
			message: 'One or more of the following scopes are required.',
			context: { requiredGranularScopes: anyOf, links: ['https://developers.hubspot.com/scopes'] },
			category: 'MISSING_SCOPES',
			correlationId: cid,
		});
	}

	/** Issues an authorization code as the consent screen would (used by /oauth/authorize and the admin API). */
	issueCode(scopes: string[], redirectUri: string): string {
		const code = [8, 4, 4, 4, 12].map((n) => randomBytes(n / 2).toString('hex')).join('-');
		this.codes.set(code, { code, scopes, redirectUri, expiresAt: this.ctx.clock.now() + this.options.authCodeLifetimeSec * 1000, used: false });
		return code;
	}

	private issueAccessToken(scopes: string[], refreshToken: string): AccessTokenRecord {
		// Opaque, base64-ish and long like the real ones (HubSpot asks clients to allow up to 512 chars).
		const token = `C${base64url(randomBytes(150))}`;
		const record: AccessTokenRecord = {
			token,
			scopes,
			expiresAt: this.ctx.clock.now() + this.options.accessTokenLifetimeSec * 1000,
			generation: this.ctx.faults.tokenGeneration,
			refreshToken,
		};
		this.accessTokens.set(token, record);
		return record;
	}

	private tokenResponse(access: AccessTokenRecord): SandboxResponse {
		return {
			status: 200,
			body: {
				token_type: 'bearer',
				refresh_token: access.refreshToken,
				access_token: access.token,
				hub_id: this.options.credentials.portalId,
				scopes: access.scopes,
				token_use: 'access_token',
				expires_in: this.options.accessTokenLifetimeSec,
			},
		};
	}

	private oauthError(status: string, error: string, message: string): SandboxResponse {
		return { status: 400, body: { status, message, correlationId: correlationId(), error, error_description: message } };
	}

	/** POST /oauth/v1/token and /oauth/{version}/token (form body). */
	token(req: SandboxRequest): SandboxResponse {
		const form = new URLSearchParams(req.text());
		const c = this.options.credentials;
		const grant = form.get('grant_type');
		if (grant !== 'authorization_code' && grant !== 'refresh_token') {
			return this.oauthError('BAD_GRANT_TYPE', 'unsupported_grant_type', 'missing or unknown grant type');
		}
		if (form.get('client_id') !== c.clientId) return this.oauthError('BAD_CLIENT_ID', 'invalid_client', 'missing or unknown client id');
		if (form.get('client_secret') !== c.clientSecret) return this.oauthError('BAD_CLIENT_SECRET', 'invalid_client', 'missing or invalid client secret');
		if (grant === 'authorization_code') {
			const code = this.codes.get(form.get('code') ?? '');
			const now = this.ctx.clock.now();
			if (!code || code.used || now >= code.expiresAt) return this.oauthError('BAD_AUTH_CODE', 'invalid_grant', 'missing or unknown auth code');
			if (form.get('redirect_uri') !== code.redirectUri) {
				return this.oauthError('BAD_REDIRECT_URI', 'invalid_request', 'redirect_uri does not match initial auth code URL');
			}
			code.used = true;
			const refresh: RefreshTokenRecord = {
				token: `na1-${[4, 4, 4, 4, 12].map((n) => randomBytes(n / 2).toString('hex')).join('-')}`,
				scopes: code.scopes,
				generation: this.ctx.faults.tokenGeneration,
				revoked: false,
			};
			this.refreshTokens.set(refresh.token, refresh);
			return this.tokenResponse(this.issueAccessToken(code.scopes, refresh.token));
		}
		const refresh = this.refreshTokens.get(form.get('refresh_token') ?? '');
		if (!refresh || refresh.revoked || refresh.generation !== this.ctx.faults.tokenGeneration) {
			return this.oauthError('BAD_REFRESH_TOKEN', 'invalid_grant', 'refresh token is invalid, expired or revoked');
		}
		// HubSpot returns the same refresh token on refresh (no rotation).
		return this.tokenResponse(this.issueAccessToken(refresh.scopes, refresh.token));
	}

	/** GET /oauth/authorize: consents at once and redirects back with a code (no login screen in a sandbox). */
	authorize(req: SandboxRequest): SandboxResponse {
		const q = req.query;
		const redirect = q.get('redirect_uri');
		if (q.get('client_id') !== this.options.credentials.clientId || !redirect) {
			return { status: 400, headers: { 'Content-Type': 'text/html;charset=utf-8' }, body: '<html><body><h1>Authorization failed</h1><p>Invalid client_id or redirect_uri</p></body></html>' };
		}
		const scopes = [...(q.get('scope') ?? '').split(/[ +]/), ...(q.get('optional_scope') ?? '').split(/[ +]/)].filter(Boolean);
		const code = this.issueCode(scopes, redirect);
		const target = new URL(redirect);
		target.searchParams.set('code', code);
		if (q.has('state')) target.searchParams.set('state', q.get('state')!);
		return { status: 302, headers: { Location: target.toString() } };
	}

	/** GET /oauth/v1/access-tokens/{token}. */
	accessTokenInfo(token: string): SandboxResponse {
		const r = this.accessTokens.get(token);
		const c = this.options.credentials;
		if (!r || r.generation !== this.ctx.faults.tokenGeneration) return errorResponse(404, { message: 'Token not found', category: 'OBJECT_NOT_FOUND' });
		return {
			status: 200,
			body: {
				token: r.token,
				user: c.userEmail,
				hub_domain: c.hubDomain,
				scopes: r.scopes,
				hub_id: c.portalId,
				app_id: c.appId,
				expires_in: Math.max(0, Math.floor((r.expiresAt - this.ctx.clock.now()) / 1000)),
				user_id: c.userId,
				token_type: 'access',
				is_private_distribution: false,
			},
		};
	}

	/** GET /oauth/v1/refresh-tokens/{token}. */
	refreshTokenInfo(token: string): SandboxResponse {
		const r = this.refreshTokens.get(token);
		const c = this.options.credentials;
		if (!r || r.revoked || r.generation !== this.ctx.faults.tokenGeneration) return errorResponse(404, { message: 'Token not found', category: 'OBJECT_NOT_FOUND' });
		return {
			status: 200,
			body: { token: r.token, user: c.userEmail, hub_domain: c.hubDomain, scopes: r.scopes, hub_id: c.portalId, client_id: c.clientId, user_id: c.userId, token_type: 'refresh' },
		};
	}

	/** DELETE /oauth/v1/refresh-tokens/{token} and POST /oauth/{v}/token/revoke: access tokens stay valid. */
	revokeRefreshToken(token: string): boolean {
		const r = this.refreshTokens.get(token);
		if (!r) return false;
		r.revoked = true;
		return true;
	}

	/** POST /oauth/{v}/token/introspect. */
	introspect(req: SandboxRequest): SandboxResponse {
		const form = new URLSearchParams(req.text());
		const c = this.options.credentials;
		if (form.get('client_id') !== c.clientId || form.get('client_secret') !== c.clientSecret) {
			return this.oauthError('BAD_CLIENT_ID', 'invalid_client', 'missing or unknown client id');
		}
		const token = form.get('token') ?? '';
		const access = this.accessTokens.get(token);
		const now = this.ctx.clock.now();
		if (access && access.generation === this.ctx.faults.tokenGeneration && now < access.expiresAt) {
			return {
				status: 200,
				body: {
					active: true,
					token,
					hub_id: c.portalId,
					user_id: c.userId,
					client_id: c.clientId,
					app_id: c.appId,
					user: c.userEmail,
					hub_domain: c.hubDomain,
					scopes: access.scopes,
					expires_in: Math.floor((access.expiresAt - now) / 1000),
					is_private_distribution: false,
					token_use: 'access_token',
					token_type: 'Bearer',
				},
			};
		}
		const refresh = this.refreshTokens.get(token);
		if (refresh && !refresh.revoked && refresh.generation === this.ctx.faults.tokenGeneration) {
			return {
				status: 200,
				body: { active: true, token, hub_id: c.portalId, user_id: c.userId, client_id: c.clientId, app_id: c.appId, user: c.userEmail, hub_domain: c.hubDomain, scopes: refresh.scopes, token_use: 'refresh_token', token_type: 'Bearer' },
			};
		}
		return { status: 200, body: { active: false } };
	}

	/** For the admin API: mint a ready token pair without the browser leg. */
	issueForTest(scopes: string[]): Record<string, unknown> {
		const code = this.issueCode(scopes, 'http://localhost/sandbox-callback');
		const fake = { text: () => new URLSearchParams({ grant_type: 'authorization_code', client_id: this.options.credentials.clientId, client_secret: this.options.credentials.clientSecret, redirect_uri: 'http://localhost/sandbox-callback', code }).toString() };
		return this.token(fake as unknown as SandboxRequest).body as Record<string, unknown>;
	}
}
