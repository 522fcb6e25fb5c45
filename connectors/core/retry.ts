/**
 * Bounded retries with full-jitter exponential backoff for transient failures (429, 5xx, timeouts).
 * The vendor's own wait (Retry-After, policy) wins over the computed delay. Data and mapping errors are
 * never retried here: they go back to the caller classified.
 */
import { ConnectorError } from './errors';

export interface RetryOptions {
	/** Total attempts including the first (default 4: the first try and 3 retries). */
	maxAttempts?: number;
	baseDelayMs?: number;
	maxDelayMs?: number;
	/** Called before each wait (for logging and tests). */
	onRetry?: (error: ConnectorError, attempt: number, delayMs: number) => void;
	random?: () => number;
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions = {}): Promise<T> {
	const max = options.maxAttempts ?? 4;
	const base = options.baseDelayMs ?? 500;
	const cap = options.maxDelayMs ?? 30_000;
	const random = options.random ?? Math.random;
	for (let attempt = 1; ; attempt++) {
		try {
			return await fn(attempt);
		} catch (err) {
			if (!(err instanceof ConnectorError) || !err.classified.retryable || attempt >= max) throw err;
			const backoff = Math.min(cap, base * 2 ** (attempt - 1));
			const jittered = Math.round(random() * backoff);
			const delay = err.waitMs !== undefined ? Math.max(err.waitMs, jittered) : jittered;
			options.onRetry?.(err, attempt, delay);
			await new Promise((r) => setTimeout(r, delay));
		}
	}
}
