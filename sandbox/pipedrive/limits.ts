/**
 * Pipedrive rate limiting: a rolling 2-second burst window per token (plan- and auth-kind-dependent, 10 per
 * 2 s for search), plus the company's daily token budget charged per endpoint cost. Signals: `x-ratelimit-*`
 * headers on every answer, `x-daily-requests-left` on API-token writes, 429 in the error envelope, and (when
 * configured) Cloudflare's HTML 403 for API-token clients that keep hammering after 429s.
 */
import type { VendorContext } from '../core/vendor';
import { DailyCounter, RollingWindow } from '../core/ratelimit';
import type { SandboxResponse } from '../core/server';
import type { AuthContext } from './auth';
import { cloudflareBlockPage, envelope } from './errors';
import { BURST_LIMITS, type ResolvedOptions } from './options';

export interface RouteLimits {
	cost: number;
	search: boolean;
	method: string;
}

export type LimitOutcome = { ok: true; headers: Record<string, string> } | { ok: false; response: SandboxResponse };

export class Limits {
	private readonly burst = new Map<string, RollingWindow>();
	private readonly searchBurst = new Map<string, RollingWindow>();
	readonly daily: DailyCounter;
	private readonly consecutive429 = new Map<string, number>();
	private readonly blockedUntil = new Map<string, number>();

	constructor(
		private readonly ctx: VendorContext,
		private readonly opts: ResolvedOptions,
	) {
		this.daily = new DailyCounter(ctx.clock, opts.dailyTokenBudget);
	}

	reset(): void {
		this.burst.clear();
		this.searchBurst.clear();
		this.consecutive429.clear();
		this.blockedUntil.clear();
		this.daily.used = 0;
	}

	burstLimit(kind: AuthContext['kind']): number {
		if (this.opts.burstLimit !== null) return this.opts.burstLimit;
		const plan = BURST_LIMITS[this.opts.plan];
		return kind === 'oauth' ? plan.oauth : plan.apiToken;
	}

	private window(map: Map<string, RollingWindow>, key: string, limit: number): RollingWindow {
		let w = map.get(key);
		if (!w) map.set(key, (w = new RollingWindow(this.ctx.clock, limit, this.opts.burstWindowMs)));
		return w;
	}

	private headers(w: RollingWindow, auth: AuthContext | null, method: string): Record<string, string> {
		const h: Record<string, string> = {
			'x-ratelimit-limit': String(w.limit),
			'x-ratelimit-remaining': String(w.remaining()),
			'x-ratelimit-reset': String(Math.max(1, Math.ceil(w.resetInMs() / 1000))),
		};
		// Documented for API-token POST/PUT requests only (PATCH is v2's PUT).
		if (auth?.kind === 'api_token' && (method === 'POST' || method === 'PUT' || method === 'PATCH')) {
			h['x-daily-requests-left'] = String(this.daily.remaining());
		}
		return h;
	}

	/** Charges one request; returns the headers to send, or the 429 / 403 answer. */
	check(auth: AuthContext, route: RouteLimits): LimitOutcome {
		if (!this.opts.rateLimiting) return { ok: true, headers: {} };
		const now = this.ctx.clock.now();
		const blocked = this.blockedUntil.get(auth.bucket);
		if (blocked !== undefined) {
			if (blocked > now) {
				return { ok: false, response: { status: 403, headers: { 'Content-Type': 'text/html; charset=UTF-8', server: 'cloudflare', 'cf-ray': rayId(now) }, body: cloudflareBlockPage(rayId(now)) } };
			}
			this.blockedUntil.delete(auth.bucket);
			this.consecutive429.delete(auth.bucket);
		}
		const general = this.window(this.burst, auth.bucket, this.burstLimit(auth.kind));
		const search = route.search ? this.window(this.searchBurst, auth.bucket, this.opts.searchBurstLimit) : null;
		const shown = search ?? general;
		let ok = general.tryHit();
		if (ok && search) ok = search.tryHit();
		if (ok && !this.daily.tryUse(route.cost)) ok = false;
		if (!ok) return { ok: false, response: this.tooMany(auth, shown, route.method) };
		this.consecutive429.delete(auth.bucket);
		return { ok: true, headers: this.headers(shown, auth, route.method) };
	}

	private tooMany(auth: AuthContext, w: RollingWindow, method: string): SandboxResponse {
		const n = (this.consecutive429.get(auth.bucket) ?? 0) + 1;
		this.consecutive429.set(auth.bucket, n);
		const block = this.opts.abuseBlock;
		if (block && auth.kind === 'api_token' && n >= block.after429s) this.blockedUntil.set(auth.bucket, this.ctx.clock.now() + block.blockMs);
		return { status: 429, headers: this.headers(w, auth, method), body: envelope('Request over limit') };
	}

	/** The answer to an injected (forced) 429: same body and headers, window shown as exhausted. */
	forced(): SandboxResponse {
		const limit = this.burstLimit('api_token');
		return {
			status: 429,
			headers: { 'x-ratelimit-limit': String(limit), 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(Math.ceil(this.opts.burstWindowMs / 1000)) },
			body: envelope('Request over limit'),
		};
	}

	usage(): Record<string, unknown> {
		return {
			plan: this.opts.plan,
			burstLimitApiToken: this.burstLimit('api_token'),
			burstLimitOAuth: this.burstLimit('oauth'),
			searchBurstLimit: this.opts.searchBurstLimit,
			burstWindowMs: this.opts.burstWindowMs,
			dailyTokenBudget: this.daily.limit,
			dailyTokensUsed: this.daily.used,
			dailyTokensLeft: this.daily.remaining(),
		};
	}
}

function rayId(now: number): string {
	return `${Math.floor(now).toString(16).slice(-16).padStart(16, '0')}-IAD`;
}
