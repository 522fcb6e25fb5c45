/**
 * Jobber OAuth: authorization codes, JWT access tokens (life read from `exp`, no `expires_in`), refresh tokens that
 * rotate on every use with the old one dead at once, and app disconnection. All times read the vendor clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock';
import type { Faults } from '../core/faults';

export interface TokenSettings {
	clientId: string;
	clientSecret: string;
	appId: string;
	accountId: string;
	/** Key the sandbox signs its JWTs with (sandbox-only; never the client secret). */
	signingKey: string;
	lifetimeSeconds: number;
	rotateRefreshTokens: boolean;
	initialAccessToken: string;
	initialRefreshToken: string;
	/** Accepted redirect URIs; empty accepts any http(s) URI. */
	redirectUris: string[];
}

export interface AccessClaims {
	iss: string;
	sub: string;
	aud: string;
	app_id: string;
	account_id: string;
	scope: string;
	iat: number;
	exp: number;
	jti: string;
	/** Connection epoch: appDisconnect moves it on, killing every older token. */
	epoch: number;
	/** Fault generation the token was minted in (Faults.tokenGeneration). */
	gen: number;
}

export type VerifyResult = { ok: true; claims: AccessClaims } | { ok: false; reason: 'missing' | 'invalid' | 'expired' | 'disconnected' };

export type TokenResponse = { status: number; body: Record<string, unknown> };

const SCOPE = 'read_clients write_clients read_requests write_requests read_quotes write_quotes read_jobs write_jobs read_invoices write_invoices';

function b64url(data: Buffer | string): string {
	return Buffer.from(data).toString('base64url');
}

/** Doorkeeper's (Rails OAuth provider) standard error bodies, which Jobber's token endpoint is built on [U]. */
const OAUTH_ERRORS = {
	invalid_client: 'Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.',
	invalid_grant: 'The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.',
	invalid_request: 'The request is missing a required parameter, includes an unsupported parameter value, or is otherwise malformed.',
	unsupported_grant_type: 'The authorization grant type is not supported by the authorization server.',
};

/** Far-future expiry of the fixed initial token, so the printed sandbox credential is stable run after run. */
export const INITIAL_TOKEN_EXP = 4_102_444_800; // 2100-01-01T00:00:00Z

export class TokenService {
	private epoch = 0;
	private connected = true;
	private counter = 0;
	private readonly refreshTokens = new Map<string, { epoch: number }>();
	private readonly codes = new Map<string, { redirectUri: string; expiresAt: number; used: boolean }>();

	constructor(
		readonly settings: TokenSettings,
		private readonly clock: Clock,
		private readonly faults: Faults,
	) {
		this.refreshTokens.set(settings.initialRefreshToken, { epoch: 0 });
	}

	/** A fixed JWT for the initial credential: same key and claims give the same string every run. */
	static initialAccessToken(settings: Omit<TokenSettings, 'initialAccessToken'>): string {
		return TokenService.sign(settings.signingKey, {
			iss: 'https://api.getjobber.com',
			sub: '1',
			aud: settings.clientId,
			app_id: settings.appId,
			account_id: settings.accountId,
			scope: SCOPE,
			iat: 1_735_689_600, // 2025-01-01
			exp: INITIAL_TOKEN_EXP,
			jti: 'initial',
			epoch: 0,
			gen: 0,
		});
	}

	private static sign(key: string, claims: AccessClaims): string {
		const head = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
		const body = b64url(JSON.stringify(claims));
		const sig = createHmac('sha256', key).update(`${head}.${body}`).digest('base64url');
		return `${head}.${body}.${sig}`;
	}

	/** Deterministic opaque values (codes, refresh tokens): the same sequence every run. */
	private opaque(kind: string): string {
		this.counter++;
		return createHmac('sha256', this.settings.signingKey).update(`${kind}:${this.counter}`).digest('hex').slice(0, 32);
	}

	mintAccessToken(): { token: string; claims: AccessClaims } {
		const iat = Math.floor(this.clock.now() / 1000);
		const claims: AccessClaims = {
			iss: 'https://api.getjobber.com',
			sub: '1',
			aud: this.settings.clientId,
			app_id: this.settings.appId,
			account_id: this.settings.accountId,
			scope: SCOPE,
			iat,
			exp: iat + this.settings.lifetimeSeconds,
			jti: this.opaque('jti'),
			epoch: this.epoch,
			gen: this.faults.tokenGeneration,
		};
		return { token: TokenService.sign(this.settings.signingKey, claims), claims };
	}

	verify(authorization: string | undefined): VerifyResult {
		const m = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
		if (!m) return { ok: false, reason: 'missing' };
		const parts = m[1].split('.');
		if (parts.length !== 3) return { ok: false, reason: 'invalid' };
		const expected = createHmac('sha256', this.settings.signingKey).update(`${parts[0]}.${parts[1]}`).digest();
		const given = Buffer.from(parts[2], 'base64url');
		if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
		let claims: AccessClaims;
		try {
			claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as AccessClaims;
		} catch {
			return { ok: false, reason: 'invalid' };
		}
		if (claims.epoch < this.epoch || !this.connected) return { ok: false, reason: 'disconnected' };
		if (claims.gen < this.faults.tokenGeneration) return { ok: false, reason: 'invalid' };
		if (claims.exp * 1000 <= this.clock.now()) return { ok: false, reason: 'expired' };
		return { ok: true, claims };
	}

	/** Issues an authorization code for the authorize redirect (the sandbox user always consents). */
	issueCode(redirectUri: string): string {
		const code = this.opaque('code');
		this.codes.set(code, { redirectUri, expiresAt: this.clock.now() + 10 * 60_000, used: false });
		return code;
	}

	redirectAllowed(uri: string): boolean {
		if (this.settings.redirectUris.length > 0) return this.settings.redirectUris.includes(uri);
		try {
			return /^https?:$/.test(new URL(uri).protocol);
		} catch {
			return false;
		}
	}

	private error(status: number, error: keyof typeof OAUTH_ERRORS, description = OAUTH_ERRORS[error]): TokenResponse {
		return { status, body: { error, error_description: description } };
	}

	/** POST /api/oauth/token. `onConnect` runs after a successful code exchange (APP_CONNECT webhook). */
	exchange(params: Record<string, string | undefined>, onConnect: () => void): TokenResponse {
		const grant = params.grant_type;
		if (!grant) return this.error(400, 'invalid_request');
		if (params.client_id !== this.settings.clientId || params.client_secret !== this.settings.clientSecret) return this.error(401, 'invalid_client');
		if (grant === 'authorization_code') {
			const code = params.code ? this.codes.get(params.code) : undefined;
			// The redirect_uri must repeat the one the code was issued for (the token request documents it as a parameter).
			if (!code || code.used || code.expiresAt <= this.clock.now() || params.redirect_uri !== code.redirectUri) {
				return this.error(400, 'invalid_grant');
			}
			code.used = true;
			this.connected = true;
			const { token } = this.mintAccessToken();
			const refresh = this.opaque('refresh');
			this.refreshTokens.set(refresh, { epoch: this.epoch });
			onConnect();
			return { status: 200, body: { access_token: token, refresh_token: refresh } };
		}
		if (grant === 'refresh_token') {
			const presented = params.refresh_token ?? '';
			const known = this.refreshTokens.get(presented);
			if (!known || known.epoch < this.epoch || !this.connected) {
				// Jobber's wording for a rotated-away, revoked or unknown refresh token (crm-apis.md §4.1).
				return this.error(400, 'invalid_grant', 'The provided refresh token is not valid.');
			}
			const { token, claims } = this.mintAccessToken();
			const body: Record<string, unknown> = { access_token: token };
			if (this.settings.rotateRefreshTokens) {
				// Rotation: the presented token dies at once (apps created after 2024-01-02).
				this.refreshTokens.delete(presented);
				const next = this.opaque('refresh');
				this.refreshTokens.set(next, { epoch: this.epoch });
				body.refresh_token = next;
			} else {
				body.refresh_token = presented;
				body.warning = 'Refresh token rotation is disabled for this app. Enable refresh token rotation in the Developer Center.';
			}
			body.expires_at = `${new Date(claims.exp * 1000).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
			return { status: 200, body };
		}
		return this.error(400, 'unsupported_grant_type');
	}

	/** appDisconnect / Marketplace "Disconnect": every access and refresh token of the app dies. */
	disconnect(): void {
		this.epoch++;
		this.connected = false;
		this.refreshTokens.clear();
	}

	get isConnected(): boolean {
		return this.connected;
	}
}
