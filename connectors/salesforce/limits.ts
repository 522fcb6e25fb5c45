/**
 * The org's rolling 24-hour API allocation, read from `Sforce-Limit-Info: api-usage=used/max` on every
 * response. Salesforce has no 429 and no Retry-After: once the allocation is spent every call fails with
 * 403 REQUEST_LIMIT_EXCEEDED for hours, for every integration of the org. So we stop before that: when
 * the remaining budget would drop below a reserve, requests fail fast with RATE_LIMIT_EXCEEDED without
 * being sent, leaving the reserve to people and other integrations.
 */
import { classifiedError } from '../../errors/taxonomy';
import { ConnectorError } from '../core/errors';

export interface ApiUsage {
	used: number;
	max: number;
}

/** `api-usage=18/5000` (optionally followed by `; api-bursts=…`) → {used, max}. */
export function parseLimitInfo(header: string | undefined): ApiUsage | undefined {
	if (!header) return undefined;
	const m = /api-usage\s*=\s*(\d+)\s*\/\s*(\d+)/i.exec(header);
	if (!m) return undefined;
	const used = Number(m[1]);
	const max = Number(m[2]);
	return max > 0 ? { used, max } : undefined;
}

export interface BudgetOptions {
	/** Calls to leave unused: a share of the allocation when < 1 (0.05 = 5 %), an absolute count when ≥ 1. */
	reserve?: number;
	/**
	 * How long an observation is trusted. The window is rolling, so usage falls again as old calls age out:
	 * after this long without a fresh header, one request is let through to read the current figure.
	 */
	staleAfterMs?: number;
	now?: () => number;
}

export const DEFAULT_RESERVE = 0.05;

/** One per org credential, shared by every execution in the process (see sharedLimiter). */
export class ApiBudget {
	private usage: ApiUsage | undefined;
	private observedAt = 0;
	/** Requests sent whose response has not come back: they count against the budget already. */
	private inFlight = 0;
	reserve: number;
	private readonly staleAfterMs: number;
	private readonly now: () => number;

	constructor(options: BudgetOptions = {}) {
		this.reserve = options.reserve ?? DEFAULT_RESERVE;
		this.staleAfterMs = options.staleAfterMs ?? 5 * 60_000;
		this.now = options.now ?? Date.now;
	}

	/** The reserve in calls for an allocation of `max`. */
	reserveCalls(max: number): number {
		return this.reserve < 1 ? Math.ceil(max * this.reserve) : Math.floor(this.reserve);
	}

	get current(): (ApiUsage & { remaining: number; reserveCalls: number; inFlight: number }) | undefined {
		if (!this.usage) return undefined;
		return { ...this.usage, remaining: Math.max(0, this.usage.max - this.usage.used), reserveCalls: this.reserveCalls(this.usage.max), inFlight: this.inFlight };
	}

	/** Takes a call from the budget or throws RATE_LIMIT_EXCEEDED (nothing is sent). Pair with release(). */
	take(): void {
		const u = this.usage;
		if (u && this.now() - this.observedAt < this.staleAfterMs) {
			const remaining = u.max - u.used - this.inFlight;
			const reserve = this.reserveCalls(u.max);
			if (remaining <= reserve) {
				throw new ConnectorError(
					classifiedError('RATE_LIMIT_EXCEEDED', {
						message: `Salesforce API allocation nearly spent: ${u.used} of ${u.max} calls used in the last 24 h; the last ${reserve} are kept in reserve for the org's people and other integrations`,
						vendor: { code: 'API_BUDGET_RESERVE', message: `api-usage=${u.used}/${u.max}` },
					}),
				);
			}
		}
		this.inFlight++;
	}

	release(): void {
		if (this.inFlight > 0) this.inFlight--;
	}

	observe(usage: ApiUsage | undefined): void {
		if (!usage) return;
		this.usage = usage;
		this.observedAt = this.now();
	}
}
