/**
 * HubSpot's rate limits (crm-apis.md §1.10): a 10-second rolling window per account for private apps
 * (tier 100/190) and per installing account for OAuth apps (110), a daily private-app budget that resets at
 * midnight in the account's time zone, and the search API's own 5 requests/second. Search responses carry no
 * `X-HubSpot-RateLimit-*` headers; OAuth responses carry no daily ones.
 */
import type { Clock } from '../core/clock';
import { RollingWindow } from '../core/ratelimit';
import { correlationId } from './errors';
import type { ResolvedOptions } from './options';
import type { SandboxResponse } from '../core/server';

const TEN_SECONDS = 10_000;

/** Daily budget keyed on the account-local calendar day (the core DailyCounter uses UTC midnight). */
class LocalDailyCounter {
	private day = -1;
	used = 0;
	constructor(
		private readonly clock: Clock,
		readonly limit: number,
		private readonly offsetMinutes: number,
	) {}
	private roll(): void {
		const day = Math.floor((this.clock.now() + this.offsetMinutes * 60_000) / 86_400_000);
		if (day !== this.day) {
			this.day = day;
			this.used = 0;
		}
	}
	tryUse(): boolean {
		this.roll();
		if (this.used >= this.limit) return false;
		this.used++;
		return true;
	}
	remaining(): number {
		this.roll();
		return Math.max(0, this.limit - this.used);
	}
}

export type LimitKind = 'standard' | 'search';
export type LimitResult = { ok: true; headers: Record<string, string> } | { ok: false; response: SandboxResponse };

export class HubspotLimits {
	private privateWindow!: RollingWindow;
	private oauthWindow!: RollingWindow;
	private searchWindow!: RollingWindow;
	private daily!: LocalDailyCounter;

	constructor(
		private readonly clock: Clock,
		private readonly options: ResolvedOptions,
	) {
		this.reset();
	}

	reset(): void {
		const o = this.options;
		this.privateWindow = new RollingWindow(this.clock, o.tenSecondLimit, TEN_SECONDS);
		this.oauthWindow = new RollingWindow(this.clock, o.oauthTenSecondLimit, TEN_SECONDS);
		this.searchWindow = new RollingWindow(this.clock, o.searchPerSecond, 1000);
		this.daily = new LocalDailyCounter(this.clock, o.dailyLimit, o.utcOffsetMinutes);
	}

	/** Counts one request; returns the headers to send or the 429. */
	take(kind: LimitKind, principal: 'private' | 'oauth'): LimitResult {
		if (principal === 'private' && this.daily.remaining() <= 0) return { ok: false, response: this.dailyExceeded(kind, principal) };
		if (kind === 'search') {
			if (!this.searchWindow.tryHit()) return { ok: false, response: this.secondlyExceeded() };
			if (principal === 'private') this.daily.tryUse();
			return { ok: true, headers: {} };
		}
		const window = principal === 'private' ? this.privateWindow : this.oauthWindow;
		if (!window.tryHit()) return { ok: false, response: this.tenSecondlyExceeded(principal) };
		if (principal === 'private') this.daily.tryUse();
		return { ok: true, headers: this.headers(principal) };
	}

	headers(principal: 'private' | 'oauth'): Record<string, string> {
		const window = principal === 'private' ? this.privateWindow : this.oauthWindow;
		const h: Record<string, string> = {
			'X-HubSpot-RateLimit-Interval-Milliseconds': String(TEN_SECONDS),
			'X-HubSpot-RateLimit-Max': String(window.limit),
			'X-HubSpot-RateLimit-Remaining': String(window.remaining()),
		};
		if (principal === 'private') {
			h['X-HubSpot-RateLimit-Daily'] = String(this.daily.limit);
			h['X-HubSpot-RateLimit-Daily-Remaining'] = String(this.daily.remaining());
		}
		return h;
	}

	tenSecondlyExceeded(principal: 'private' | 'oauth'): SandboxResponse {
		const cid = correlationId();
		const group =
			principal === 'private'
				? `publicapi:private_app-api-calls-ten-secondly:${this.options.credentials.appId}:${this.options.credentials.portalId}`
				: `publicapi:app-api-calls-ten-secondly:${this.options.credentials.appId}:${this.options.credentials.portalId}`;
		return {
			status: 429,
			headers: { ...this.headers(principal), 'x-hubspot-correlation-id': cid },
			body: {
				status: 'error',
				message: 'You have reached your ten_secondly_rolling limit.',
				errorType: 'RATE_LIMIT',
				correlationId: cid,
				policyName: 'TEN_SECONDLY_ROLLING',
				groupName: group,
			},
		};
	}

	secondlyExceeded(): SandboxResponse {
		const cid = correlationId();
		return {
			status: 429,
			headers: { 'x-hubspot-correlation-id': cid },
			body: { status: 'error', message: 'You have reached your secondly limit.', errorType: 'RATE_LIMIT', correlationId: cid, policyName: 'SECONDLY' },
		};
	}

	dailyExceeded(kind: LimitKind, principal: 'private' | 'oauth'): SandboxResponse {
		const cid = correlationId();
		return {
			status: 429,
			headers: { ...(kind === 'search' ? {} : this.headers(principal)), 'x-hubspot-correlation-id': cid },
			body: { status: 'error', message: 'You have reached your daily limit.', errorType: 'RATE_LIMIT', correlationId: cid, policyName: 'DAILY', requestId: correlationId() },
		};
	}

	/** The answer to an injected (forced) 429 for a route of this kind. */
	forced(kind: LimitKind, principal: 'private' | 'oauth'): SandboxResponse {
		if (kind === 'search') return this.secondlyExceeded();
		const r = this.tenSecondlyExceeded(principal);
		return { ...r, headers: { ...r.headers, 'X-HubSpot-RateLimit-Remaining': '0' } };
	}

	snapshot(): Record<string, number> {
		return {
			tenSecondRemaining: this.privateWindow.remaining(),
			oauthTenSecondRemaining: this.oauthWindow.remaining(),
			searchRemaining: this.searchWindow.remaining(),
			dailyRemaining: this.daily.remaining(),
		};
	}
}
