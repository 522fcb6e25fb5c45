/**
 * Pipedrive's limits, per credential and shared by every execution in the process (or, with a budget backend,
 * the burst windows by every process: n8n queue mode):
 * - the rolling 2-second burst window per token (API token 20–120, OAuth 80–480 by plan), fed by
 *   `x-ratelimit-limit/-remaining/-reset` on every answer;
 * - the Search API's own 10 per 2 s (a search also counts against the burst window);
 * - the company's daily token budget: each route costs tokens (`x-token-cost` in the spec), and
 *   `x-daily-requests-left` (API-token writes only) says what is left. We keep an estimate between
 *   readings and stop before the budget runs dry, keeping a reserve for people using Pipedrive.
 */
import { sharedLimiter, vendorTimeScale, windowBudget, type BudgetBackend, type RequestWindow } from '../core/limiter';

export type AuthKind = 'api_token' | 'oauth';

/** Lowest plan's burst per auth kind: the safe start until the first answer tells the real limit. */
export const INITIAL_BURST: Record<AuthKind, number> = { api_token: 20, oauth: 80 };
export const SEARCH_BURST = 10;
export const BURST_WINDOW_MS = 2000;
/** Tokens per route (v2 unless named v1), from the official specs' `x-token-cost`. */
export const TOKEN_COST = {
	get: 1,
	list: 10,
	create: 5,
	update: 5,
	delete: 3,
	search: 20,
	stagesList: 5,
	pipelinesList: 5,
	fieldsList: 10,
	v1FieldsList: 20,
	v1Users: 20,
	v1UsersMe: 2,
	v1WebhooksList: 10,
	v1WebhooksCreate: 10,
	v1WebhooksDelete: 6,
} as const;

export class DailyBudget {
	/** Tokens left at the last reading (undefined: never told; OAuth never is). */
	private left: number | undefined;
	/** Tokens we spent since that reading. */
	private spent = 0;
	private readDay = '';

	constructor(private readonly now: () => number = Date.now) {}

	private day(): string {
		// Pipedrive resets at midnight server time, which we do not know; a new UTC day forgets the reading
		// (at worst one call meets a 429, classified as the daily limit, and the run stops).
		return new Date(this.now()).toISOString().slice(0, 10);
	}

	/** Estimated tokens left, or undefined when unknown. */
	estimate(): number | undefined {
		if (this.left === undefined) return undefined;
		if (this.day() !== this.readDay) {
			this.left = undefined;
			return undefined;
		}
		return this.left - this.spent;
	}

	/** True when a request of `cost` would leave less than `reserve`. */
	wouldExhaust(cost: number, reserve: number): boolean {
		const est = this.estimate();
		return est !== undefined && est - cost < reserve;
	}

	charge(cost: number): void {
		this.spent += cost;
	}

	observe(left: number): void {
		this.left = left;
		this.spent = 0;
		this.readDay = this.day();
	}
}

export interface PipedriveLimits {
	burst: RequestWindow;
	search: RequestWindow;
	budget: DailyBudget;
}

/**
 * The limits of one credential (key = credential identity, never the secret). The daily budget is this process's
 * estimate between Pipedrive's own readings (`x-daily-requests-left`, which count every process's calls).
 */
export function pipedriveLimits(key: string, options: { authKind?: AuthKind; burstLimit?: number; timeScale?: number; budgets?: BudgetBackend } = {}): PipedriveLimits {
	const scale = options.timeScale ?? vendorTimeScale();
	const { budgets } = options;
	return sharedLimiter(`pipedrive:${key}${budgets ? `|${budgets.id}` : ''}`, () => ({
		burst: windowBudget(`pipedrive:burst:${key}`, { limit: options.burstLimit ?? INITIAL_BURST[options.authKind ?? 'api_token'], windowMs: BURST_WINDOW_MS, scale }, budgets),
		search: windowBudget(`pipedrive:search:${key}`, { limit: SEARCH_BURST, windowMs: BURST_WINDOW_MS, scale }, budgets),
		budget: sharedLimiter(`pipedrive:daily:${key}`, () => new DailyBudget()),
	}));
}

/** Reads the burst headers of one answer. */
export function burstSignal(headers: Record<string, string>): { max?: number; remaining?: number; resetInMs?: number } | undefined {
	const max = Number(headers['x-ratelimit-limit']);
	const remaining = Number(headers['x-ratelimit-remaining']);
	const reset = Number(headers['x-ratelimit-reset']);
	if (!Number.isFinite(max) && !Number.isFinite(remaining)) return undefined;
	return {
		max: Number.isFinite(max) && max > 0 ? max : undefined,
		remaining: Number.isFinite(remaining) && headers['x-ratelimit-remaining'] !== undefined ? remaining : undefined,
		resetInMs: Number.isFinite(reset) && headers['x-ratelimit-reset'] !== undefined ? reset * 1000 : undefined,
	};
}
