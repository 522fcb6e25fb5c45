import { ERROR_CODES, isErrorCode, type ClassifiedError, type ErrorCategory, type ErrorCode } from '../../errors/taxonomy';

/**
 * The policy engine of SPEC §6: which strategy a failure gets, and when its next retry is due.
 * Decisions are data; the Error Policy node and the Review Queue apply them.
 *
 * Retry with backoff follows the FluxCascade schedule: attempt 1 is the sync itself (immediate), attempt 2 waits
 * 1 minute, attempt 3 five minutes, attempt 4 thirty minutes, then the record is marked failed. That is three
 * retries, the default Max Retries. A vendor's Retry-After wins when it asks for longer.
 */

export const STRATEGIES = ['skip', 'retry', 'review', 'fail_fast'] as const;
export type Strategy = (typeof STRATEGIES)[number];

export const CATEGORIES: readonly ErrorCategory[] = ['Connection', 'Data', 'Mapping'];

export type RetryDelayMode = 'exponential' | 'fixed' | 'schedule';

export interface PolicyConfig {
	/** Transient errors (timeouts, 429, 5xx) are retried automatically. Default true. */
	autoRetry: boolean;
	/** Retries after the first attempt. Default 3. */
	maxRetries: number;
	retryDelay: RetryDelayMode;
	/** `fixed`: seconds between attempts. */
	fixedDelaySeconds: number;
	/** `schedule`: waits before retry 1, 2, 3… in seconds; the last one repeats. */
	schedule: number[];
	/** Overrides, the most specific first: code, then category. */
	byCode: Partial<Record<ErrorCode, Strategy>>;
	byCategory: Partial<Record<ErrorCategory, Strategy>>;
	/** Stop on Error: every error no override covers fails the run. */
	stopOnError: boolean;
	/** Manual Review Mode: every error that is not retried automatically goes to review. */
	manualReviewMode: boolean;
	/** What happens to the rest. Default skip (skip and continue). */
	defaultStrategy: Strategy;
}

/** Waits before retries 1, 2, 3 of the FluxCascade schedule (attempts 2, 3, 4). */
export const FLUXCASCADE_SCHEDULE: readonly number[] = [60, 300, 1800];
/** Waits past the documented schedule keep growing ×6, up to a day. */
const EXPONENTIAL_FACTOR = 6;
const MAX_DELAY_SECONDS = 24 * 3600;

export const DEFAULT_POLICY: PolicyConfig = {
	autoRetry: true,
	maxRetries: 3,
	retryDelay: 'exponential',
	fixedDelaySeconds: 60,
	schedule: [...FLUXCASCADE_SCHEDULE],
	byCode: {},
	byCategory: {},
	stopOnError: false,
	manualReviewMode: false,
	defaultStrategy: 'skip',
};

export function policyConfig(partial: Partial<PolicyConfig> = {}): PolicyConfig {
	const config = { ...DEFAULT_POLICY, ...partial };
	if (!Number.isInteger(config.maxRetries) || config.maxRetries < 0) throw new PolicyConfigError(`Max Retries must be a whole number ≥ 0 (got ${String(config.maxRetries)})`);
	if (config.retryDelay === 'schedule' && config.schedule.length === 0) throw new PolicyConfigError('The retry schedule is empty: list at least one wait, e.g. "1m, 5m, 30m"');
	for (const s of [...Object.values(config.byCode), ...Object.values(config.byCategory), config.defaultStrategy]) {
		if (!STRATEGIES.includes(s as Strategy)) throw new PolicyConfigError(`Unknown strategy "${String(s)}" (${STRATEGIES.join(', ')})`);
	}
	return config;
}

export class PolicyConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'PolicyConfigError';
	}
}

/**
 * Parses a schedule written the way the FluxCascade docs write it: "immediately, 1m, 5m, 30m" or seconds
 * ("0, 60, 300"). Units: s, m/min, h. The list gives the wait before each attempt; a leading "immediately"
 * (or 0) is the first attempt itself and is dropped, so the rest are the waits before retries 1, 2, 3.
 */
export function parseSchedule(text: string): number[] {
	const parts = text
		.split(/->|=>|[,;→>\n]/)
		.map((p) => p.trim().toLowerCase())
		.filter((p) => p !== '' && p !== 'failed' && p !== 'then failed' && p !== 'fail');
	const waits = parts.map((p) => {
		if (/^(immediately|immediate|now|0)$/.test(p)) return 0;
		const m = /^(\d+(?:\.\d+)?)\s*(s|sec|secs|seconds?|m|min|mins|minutes?|h|hr|hrs|hours?)?$/.exec(p);
		if (!m) throw new PolicyConfigError(`Retry schedule: cannot read "${p}" (write waits like "immediately, 1m, 5m, 30m")`);
		const n = Number(m[1]);
		const unit = (m[2] ?? 's')[0];
		return Math.round(unit === 'h' ? n * 3600 : unit === 'm' ? n * 60 : n);
	});
	if (waits.length > 1 && waits[0] === 0) waits.shift();
	return waits;
}

/** Seconds to wait before retry number `retry` (1-based) under the config, before Retry-After. */
export function retryDelaySeconds(retry: number, config: PolicyConfig): number {
	if (retry < 1) return 0;
	if (config.retryDelay === 'fixed') return Math.max(0, config.fixedDelaySeconds);
	if (config.retryDelay === 'schedule') return config.schedule[Math.min(retry, config.schedule.length) - 1];
	if (retry <= FLUXCASCADE_SCHEDULE.length) return FLUXCASCADE_SCHEDULE[retry - 1];
	const last = FLUXCASCADE_SCHEDULE[FLUXCASCADE_SCHEDULE.length - 1];
	return Math.min(MAX_DELAY_SECONDS, last * EXPONENTIAL_FACTOR ** (retry - FLUXCASCADE_SCHEDULE.length));
}

/** The waits of every retry the config allows (for display and for the retry worker). */
export function retryPlan(config: PolicyConfig): number[] {
	return Array.from({ length: config.maxRetries }, (_, i) => retryDelaySeconds(i + 1, config));
}

// ------------------------------------------------------------------------------------------------ strategy

/** Stronger strategies win when one record has several errors: retrying cannot fix a data error beside a timeout. */
const STRENGTH: Record<Strategy, number> = { retry: 0, skip: 1, review: 2, fail_fast: 3 };

export interface StrategyChoice {
	strategy: Strategy;
	/** The error that decided it. */
	governing: ClassifiedError | null;
	/** Why, in words (shown in outputs, logs and the dashboard). */
	reason: string;
}

function isTransient(e: ClassifiedError): boolean {
	return e.retryable === true;
}

/** The strategy for one error, with the rule that chose it. */
export function strategyForError(e: ClassifiedError, config: PolicyConfig): { strategy: Strategy; rule: string } {
	if (isErrorCode(e.code) && config.byCode[e.code]) return { strategy: config.byCode[e.code]!, rule: `set for ${e.error ?? ERROR_CODES[e.code].label}` };
	if (config.byCategory[e.category]) return { strategy: config.byCategory[e.category]!, rule: `set for ${e.category} errors` };
	if (config.stopOnError) return { strategy: 'fail_fast', rule: 'Stop on Error is on' };
	if (isTransient(e) && config.autoRetry) return { strategy: 'retry', rule: `${e.error} is transient and Auto Retry is on` };
	if (config.manualReviewMode) return { strategy: 'review', rule: `Manual Review Mode is on` };
	const kind = isTransient(e) ? 'transient (Auto Retry is off)' : `a ${e.category.toLowerCase()} error`;
	return { strategy: config.defaultStrategy, rule: `${e.error} is ${kind}; the default strategy is ${config.defaultStrategy}` };
}

/** The strategy for a failed record (all its errors). Conflicts always go to a person. */
export function chooseStrategy(errors: readonly ClassifiedError[], config: PolicyConfig, kind: 'error' | 'conflict' = 'error'): StrategyChoice {
	if (kind === 'conflict') {
		return { strategy: config.stopOnError ? 'fail_fast' : 'review', governing: errors[0] ?? null, reason: config.stopOnError ? 'conflict: Stop on Error is on' : 'conflict: a person chooses the value' };
	}
	if (errors.length === 0) return { strategy: config.defaultStrategy, governing: null, reason: `no error details; the default strategy is ${config.defaultStrategy}` };
	let best: { strategy: Strategy; rule: string; error: ClassifiedError } | null = null;
	for (const e of errors) {
		const s = strategyForError(e, config);
		if (!best || STRENGTH[s.strategy] > STRENGTH[best.strategy]) best = { ...s, error: e };
	}
	const field = best!.error.field ? ` (${best!.error.field})` : '';
	return { strategy: best!.strategy, governing: best!.error, reason: `${label(best!.strategy)}: ${best!.rule}${field}` };
}

export function label(strategy: Strategy): string {
	return strategy === 'skip' ? 'skipped' : strategy === 'retry' ? 'retry later' : strategy === 'review' ? 'manual review' : 'fail fast';
}

// ------------------------------------------------------------------------------------------------ retries

export interface RetryPlan {
	/** The attempt that failed (1 = the sync itself). */
	attempt: number;
	/** False when the retries are used up: the record is marked failed. */
	scheduled: boolean;
	nextAttempt: number | null;
	nextRetryAt: string | null;
	delaySeconds: number | null;
	/** Seconds the vendor asked for (Retry-After), when it did. */
	retryAfter: number | null;
	maxRetries: number;
	reason: string;
}

/** When attempt `attempt + 1` is due, or that there is none. Retry-After wins when it is longer. */
export function planRetry(attempt: number, errors: readonly ClassifiedError[], config: PolicyConfig, now: Date): RetryPlan {
	const retryAfter = errors.reduce<number | null>((max, e) => (typeof e.retryAfter === 'number' && e.retryAfter > (max ?? -1) ? e.retryAfter : max), null);
	const retry = attempt; // the retry about to be scheduled: after attempt n comes retry n
	if (retry > config.maxRetries) {
		return {
			attempt,
			scheduled: false,
			nextAttempt: null,
			nextRetryAt: null,
			delaySeconds: null,
			retryAfter,
			maxRetries: config.maxRetries,
			reason: `failed: ${attempt} attempt${attempt === 1 ? '' : 's'} made, Max Retries (${config.maxRetries}) used up`,
		};
	}
	const scheduledWait = retryDelaySeconds(retry, config);
	const delay = Math.max(scheduledWait, retryAfter ?? 0);
	const at = new Date(now.getTime() + delay * 1000).toISOString();
	const why = retryAfter !== null && retryAfter > scheduledWait ? ` (the vendor asked to wait ${retryAfter}s)` : '';
	return {
		attempt,
		scheduled: true,
		nextAttempt: attempt + 1,
		nextRetryAt: at,
		delaySeconds: delay,
		retryAfter,
		maxRetries: config.maxRetries,
		reason: `retry ${retry} of ${config.maxRetries} ${delay === 0 ? 'immediately' : `in ${humanSeconds(delay)}`}${why}`,
	};
}

export function humanSeconds(s: number): string {
	if (s < 60) return `${Math.round(s)} s`;
	if (s < 3600) return `${+(s / 60).toFixed(1)} min`;
	if (s < 86400) return `${+(s / 3600).toFixed(1)} h`;
	return `${+(s / 86400).toFixed(1)} d`;
}

// ------------------------------------------------------------------------------------------------ decision

/** Where a failed record goes. `status` is what the record is now: it never just disappears. */
export interface Decision {
	strategy: Strategy;
	status: 'skipped' | 'retry_scheduled' | 'open' | 'failed' | 'stopped';
	reason: string;
	attempt: number;
	nextAttempt: number | null;
	nextRetryAt: string | null;
	delaySeconds: number | null;
	maxRetries: number;
	code: ErrorCode | null;
	category: ErrorCategory | null;
}

/** The whole decision for a record whose attempt `attempt` failed with `errors`. */
export function decide(errors: readonly ClassifiedError[], config: PolicyConfig, options: { attempt?: number; now?: Date; kind?: 'error' | 'conflict' } = {}): Decision {
	const attempt = options.attempt ?? 1;
	const now = options.now ?? new Date();
	const choice = chooseStrategy(errors, config, options.kind);
	const base = {
		strategy: choice.strategy,
		attempt,
		nextAttempt: null,
		nextRetryAt: null,
		delaySeconds: null,
		maxRetries: config.maxRetries,
		code: choice.governing?.code ?? null,
		category: choice.governing?.category ?? null,
	};
	if (choice.strategy === 'skip') return { ...base, status: 'skipped', reason: choice.reason };
	if (choice.strategy === 'fail_fast') return { ...base, status: 'stopped', reason: choice.reason };
	if (choice.strategy === 'review') return { ...base, status: 'open', reason: choice.reason };
	const plan = planRetry(attempt, errors, config, now);
	if (!plan.scheduled) return { ...base, status: 'failed', reason: `${choice.reason}; ${plan.reason}` };
	return { ...base, status: 'retry_scheduled', nextAttempt: plan.nextAttempt, nextRetryAt: plan.nextRetryAt, delaySeconds: plan.delaySeconds, reason: `${choice.reason}; ${plan.reason}` };
}
