/**
 * Credentials: the personal API token (`x-api-token` header or legacy `?api_token=`), and OAuth 2.0 as run by
 * oauth.pipedrive.com (authorization code, refresh token — the same refresh token comes back —, and
 * exchange_api_token), with expiry on the vendor clock and revocation through the fault switchboard.
 */
import { createHash } from 'node:crypto';
import type { VendorContext } from '../core/vendor';
import type { SandboxRequest, SandboxResponse } from '../core/server';
import { malformedAuthHeader, scopeMismatch, unauthorizedApiToken, unauthorizedOAuth } from './errors';
import type { ResolvedOptions } from './options';

export type AuthKind = 'api_token' | 'oauth';

export interface AuthContext {
	kind: AuthKind;
	userId: number;
	/** Granted scopes (OAuth only; API tokens have full access). */
	scopes: Set<string> | null;
	/** Rate-limit bucket key: one burst window per token. */
	bucket: string;
}

interface AccessToken {
	token: string;
	userId: number;
	scopes: string[];
	expiresAt: number;
	generation: number;
	refreshToken: string;
}

interface RefreshToken {
	token: string;
	userId: number;
	scopes: string[];
	lastUsed: number;
}

interface AuthCode {
	code: string;
	redirectUri: string;
	scopes: string[];
	userId: number;
	expiresAt: number;
	used: boolean;
}

export class Auth {
	private readonly access = new Map<string, AccessToken>();
	private readonly refresh = new Map<string, RefreshToken>();
	private readonly codes = new Map<string, AuthCode>();
	private counter = 0;
	/** The API token works while the fault switchboard's token generation equals this. */
	private apiTokenGeneration: number;

	constructor(
		private readonly ctx: VendorContext,
		private readonly opts: ResolvedOptions,
	) {
		this.apiTokenGeneration = ctx.faults.tokenGeneration;
	}

	/** Data reset: the API token works again (credentials are kept; issued OAuth tokens stay valid). */
	rearmApiToken(): void {
		this.apiTokenGeneration = this.ctx.faults.tokenGeneration;
	}

	/** Deterministic token material (seeded), so runs repeat. */
	private mint(prefix: string): string {
		this.counter++;
		return prefix + createHash('sha256').update(`${this.opts.seed}:${prefix}:${this.counter}`).digest('hex');
	}

	/** Who is calling. Throws the vendor's 400/401 for malformed, missing, wrong, expired or revoked credentials. */
	authenticate(req: SandboxRequest): AuthContext {
		const correlation = correlationId();
		const authz = req.headers.authorization;
		const apiToken = req.headers['x-api-token'] ?? req.query.get('api_token') ?? undefined;
		// A Bearer header means OAuth; any other Authorization header is malformed unless an API token is also sent.
		const bearer = authz !== undefined && /^bearer\b/i.test(authz);
		if (authz !== undefined && (bearer || apiToken === undefined)) {
			const m = /^Bearer\s+(\S+)\s*$/i.exec(authz);
			if (!m) throw malformedAuthHeader();
			const t = this.access.get(m[1]);
			if (!t || t.expiresAt <= this.ctx.clock.now() || t.generation !== this.ctx.faults.tokenGeneration) throw unauthorizedOAuth(correlation);
			return { kind: 'oauth', userId: t.userId, scopes: new Set(t.scopes), bucket: `oauth:${t.refreshToken}` };
		}
		if (apiToken === undefined || apiToken === '') throw unauthorizedApiToken(correlation);
		if (apiToken !== this.opts.credentials.apiToken || this.apiTokenGeneration !== this.ctx.faults.tokenGeneration) throw unauthorizedApiToken(correlation);
		return { kind: 'api_token', userId: this.opts.credentials.userId, scopes: null, bucket: `api:${apiToken}` };
	}

	/** OAuth scope check: any one of the route's scopes suffices (as listed in the spec's `security`). */
	requireScopes(auth: AuthContext, anyOf: string[] | undefined): void {
		if (!auth.scopes || !anyOf || anyOf.length === 0) return;
		if (!anyOf.some((s) => auth.scopes!.has(s))) throw scopeMismatch();
	}

	/** Mints an authorization code as if the user approved the app (the sandbox's consent screen). */
	issueCode(redirectUri: string, scopes?: string[], userId = this.opts.credentials.userId): string {
		const code = this.mint('code:').slice(0, 45);
		this.codes.set(code, {
			code,
			redirectUri,
			scopes: normaliseScopes(scopes ?? this.opts.credentials.oauthScopes),
			userId,
			expiresAt: this.ctx.clock.now() + this.opts.authCodeLifetimeSec * 1000,
			used: false,
		});
		return code;
	}

	/** `GET /oauth/authorize`: approves at once and redirects back with `code` (and `state`). */
	authorize(req: SandboxRequest): SandboxResponse {
		const clientId = req.query.get('client_id');
		const redirectUri = req.query.get('redirect_uri') ?? this.opts.credentials.oauthRedirectUris[0];
		if (clientId !== this.opts.credentials.oauthClientId) return oauthError(400, 'invalid_client', 'Invalid client: client is invalid');
		if (!this.opts.credentials.oauthRedirectUris.includes(redirectUri)) return oauthError(400, 'invalid_request', 'Invalid request: redirect_uri is invalid');
		const scopeParam = req.query.get('scope');
		const code = this.issueCode(redirectUri, scopeParam ? scopeParam.split(/[ ,]+/).filter(Boolean) : undefined);
		const target = new URL(redirectUri);
		target.searchParams.set('code', code);
		const state = req.query.get('state');
		if (state !== null) target.searchParams.set('state', state);
		return { status: 302, headers: { Location: target.toString() }, body: '' };
	}

	/** `POST /oauth/token`. Errors use the messages of Pipedrive's OAuth status-code table. */
	token(req: SandboxRequest, apiDomain: string): SandboxResponse {
		const ct = req.headers['content-type'] ?? '';
		if (!ct.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
			return oauthError(400, 'invalid_request', 'Invalid request: content must be application/x-www-form-urlencoded');
		}
		const form = new URLSearchParams(req.text());
		let clientId = form.get('client_id');
		let clientSecret = form.get('client_secret');
		const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
		if (basic) {
			const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
			const i = decoded.indexOf(':');
			if (i >= 0) {
				clientId = decodeURIComponent(decoded.slice(0, i));
				clientSecret = decodeURIComponent(decoded.slice(i + 1));
			}
		}
		if (!clientId || !clientSecret) return oauthError(400, 'invalid_client', 'Invalid client: cannot retrieve client credentials');
		if (clientId !== this.opts.credentials.oauthClientId || clientSecret !== this.opts.credentials.oauthClientSecret) {
			return oauthError(400, 'invalid_client', 'Invalid client: client is invalid');
		}
		const grant = form.get('grant_type');
		if (!grant) return oauthError(400, 'invalid_request', 'Missing parameter: grant_type');
		const now = this.ctx.clock.now();
		if (grant === 'authorization_code') {
			const redirectUri = form.get('redirect_uri');
			if (!redirectUri || !isUri(redirectUri)) return oauthError(400, 'invalid_request', 'Invalid request: redirect_uri is not a valid URI');
			const code = this.codes.get(form.get('code') ?? '');
			if (!code || code.used) return oauthError(400, 'invalid_grant', 'Invalid grant: authorization_code is invalid');
			if (code.expiresAt <= now) return oauthError(400, 'invalid_grant', 'Invalid grant: authorization_code has expired');
			if (code.redirectUri !== redirectUri) return oauthError(400, 'invalid_request', 'Invalid request: redirect_uri is invalid');
			code.used = true;
			const refresh: RefreshToken = { token: this.mint(`${this.opts.credentials.companyId}:${code.userId}:`), userId: code.userId, scopes: code.scopes, lastUsed: now };
			this.refresh.set(refresh.token, refresh);
			return this.grantResponse(refresh, apiDomain);
		}
		if (grant === 'refresh_token') {
			const refresh = this.refresh.get(form.get('refresh_token') ?? '');
			if (!refresh || refresh.lastUsed + this.opts.refreshTokenIdleDays * 86_400_000 <= now) {
				return oauthError(400, 'invalid_grant', 'Invalid grant: refresh_token is invalid');
			}
			// Using the refresh token restarts its 60-day idle window; the same token is returned.
			refresh.lastUsed = now;
			return this.grantResponse(refresh, apiDomain);
		}
		if (grant === 'exchange_api_token') {
			if (form.get('api_token') !== this.opts.credentials.apiToken) return oauthError(400, 'invalid_grant', 'Invalid grant: api_token is invalid');
			const refresh: RefreshToken = {
				token: this.mint(`${this.opts.credentials.companyId}:${this.opts.credentials.userId}:`),
				userId: this.opts.credentials.userId,
				scopes: normaliseScopes(this.opts.credentials.oauthScopes),
				lastUsed: now,
			};
			this.refresh.set(refresh.token, refresh);
			return this.grantResponse(refresh, apiDomain);
		}
		return oauthError(400, 'unsupported_grant_type', 'Unsupported grant type: grant_type is invalid');
	}

	private grantResponse(refresh: RefreshToken, apiDomain: string): SandboxResponse {
		const token: AccessToken = {
			token: this.mint(`v1u:`),
			userId: refresh.userId,
			scopes: refresh.scopes,
			expiresAt: this.ctx.clock.now() + this.opts.accessTokenLifetimeSec * 1000,
			generation: this.ctx.faults.tokenGeneration,
			refreshToken: refresh.token,
		};
		this.access.set(token.token, token);
		return {
			status: 200,
			body: {
				access_token: token.token,
				token_type: 'Bearer',
				expires_in: this.opts.accessTokenLifetimeSec,
				refresh_token: refresh.token,
				scope: refresh.scopes.join(','),
				api_domain: apiDomain,
			},
		};
	}

	/** `POST /oauth/revoke`: `token` + optional `token_type_hint` (access_token | refresh_token). */
	revoke(req: SandboxRequest): SandboxResponse {
		const form = new URLSearchParams(req.text());
		const token = form.get('token') ?? '';
		if (this.refresh.delete(token)) {
			// Revoking a refresh token ends every access token minted from it.
			for (const [k, a] of this.access) if (a.refreshToken === token) this.access.delete(k);
		} else this.access.delete(token);
		return { status: 200, body: { success: true } };
	}

	/** Expires one access token now (admin: test refresh without waiting an hour). */
	expire(token: string): boolean {
		const t = this.access.get(token);
		if (!t) return false;
		t.expiresAt = this.ctx.clock.now();
		return true;
	}
}

function normaliseScopes(scopes: string[]): string[] {
	const set = new Set(scopes);
	set.add('base');
	return [...set];
}

function isUri(v: string): boolean {
	try {
		new URL(v);
		return true;
	} catch {
		return false;
	}
}

/**
 * OAuth server errors. The message texts are Pipedrive's documented ones; the body shape follows RFC 6749
 * (`error` + `error_description`) as the node-oauth2-server family that produces those texts answers.
 */
function oauthError(status: number, error: string, description: string): SandboxResponse {
	return { status, body: { error, error_description: description } };
}

export function correlationId(): string {
	return globalThis.crypto.randomUUID();
}

