/**
 * Every Pipedrive request goes through `call`: the daily budget check, the search and burst windows, the
 * request itself over the injected HttpClient, the limit headers read back, and bounded retries of transient
 * failures (429 after the vendor's wait, 5xx, timeouts). Whatever fails ends as a classified ConnectorError.
 */
import { ConnectorError, vendorError } from '../core/errors';
import { TransportError, type HttpClient, type HttpRequest, type HttpResponse } from '../core/http';
import { withRetry, type RetryOptions } from '../core/retry';
import { classifyResponse, transportFailure, type ErrorContext } from './errors';
import { burstSignal, type PipedriveLimits } from './limits';

export interface Call {
	method: HttpRequest['method'];
	/** Path under the company host: `/api/v2/persons`, `/api/v1/personFields`. */
	path: string;
	query?: HttpRequest['query'];
	body?: unknown;
	/** Daily-budget tokens this route costs. */
	cost: number;
	/** Search routes also take a slot of the Search API's own window. */
	search?: boolean;
	error?: ErrorContext;
}

export interface CallResult<T = unknown> {
	data: T;
	additional: Record<string, unknown> | null;
	response: HttpResponse;
}

export interface TransportStats {
	requests: number;
	/** Retried attempts, by cause. */
	retries: number;
	rateLimited: number;
	serverErrors: number;
	timeouts: number;
	/** Requests per route (`GET /api/v2/persons`). */
	byRoute: Record<string, number>;
	tokens: number;
}

/** Stops withRetry from retrying an error that is transient for the user but not within this run. */
class Abort extends Error {
	constructor(readonly inner: ConnectorError) {
		super(inner.message);
	}
}

export interface TransportOptions {
	http: HttpClient;
	limits: PipedriveLimits;
	retry?: RetryOptions;
	/** Tokens of the daily budget never spent by this integration (default 1,000). */
	dailyReserve?: number;
	/** Vendor time per real time (the sandbox's time scale); vendor waits are divided by it. */
	timeScale?: number;
	timeoutMs?: number;
}

export class PipedriveTransport {
	readonly stats: TransportStats = { requests: 0, retries: 0, rateLimited: 0, serverErrors: 0, timeouts: 0, byRoute: {}, tokens: 0 };
	readonly dailyReserve: number;
	private readonly scale: number;

	constructor(private readonly options: TransportOptions) {
		this.dailyReserve = options.dailyReserve ?? 1000;
		this.scale = options.timeScale ?? 1;
	}

	get limits(): PipedriveLimits {
		return this.options.limits;
	}

	private toRealMs = (vendorMs: number): number => vendorMs / this.scale;

	private budgetError(cost: number): ConnectorError {
		const left = this.limits.budget.estimate();
		return vendorError(
			'RATE_LIMIT_EXCEEDED',
			`Pipedrive's daily token budget is nearly used up (about ${left} tokens left, ${this.dailyReserve} kept in reserve, this call costs ${cost}); the sync stops here until the budget resets at midnight (company time)`,
			{ vendorCode: 'daily_budget_reserve' },
		);
	}

	async call<T = unknown>(c: Call): Promise<CallResult<T>> {
		const { limits } = this;
		const ctx: ErrorContext = { toRealMs: this.toRealMs, ...c.error };
		try {
			return await withRetry<CallResult<T>>(
				async () => {
					if (limits.budget.wouldExhaust(c.cost, this.dailyReserve)) throw new Abort(this.budgetError(c.cost));
					if (c.search) await limits.search.acquire();
					await limits.burst.acquire();
					limits.budget.charge(c.cost);
					this.stats.requests++;
					this.stats.tokens += c.cost;
					const route = `${c.method} ${c.path.replace(/\/\d+(?=\/|$)/g, '/{id}')}`;
					this.stats.byRoute[route] = (this.stats.byRoute[route] ?? 0) + 1;
					let res: HttpResponse;
					try {
						res = await this.options.http.request({ method: c.method, url: c.path, query: c.query, body: c.body, timeoutMs: this.options.timeoutMs });
					} catch (err) {
						if (err instanceof TransportError) {
							this.stats.timeouts++;
							throw transportFailure(err);
						}
						throw err;
					}
					this.observe(res, c);
					const body = res.body as { success?: unknown; data?: unknown; additional_data?: unknown } | undefined;
					if (res.status >= 200 && res.status < 300) {
						if (body && typeof body === 'object' && body.success !== false) {
							return { data: body.data as T, additional: (body.additional_data as Record<string, unknown> | null) ?? null, response: res };
						}
						// A 2xx that is not the JSON envelope (truncated, proxy page): unreadable, so transient.
						this.stats.serverErrors++;
						throw vendorError('CONNECTION_TIMEOUT', `Pipedrive answered ${res.status} with an unreadable body`, { response: res, retryable: true });
					}
					const error = classifyResponse(res, ctx);
					if (res.status === 429) {
						this.stats.rateLimited++;
						if (this.isDailyExhaustion(res, c)) {
							throw new Abort(
								vendorError('RATE_LIMIT_EXCEEDED', "Pipedrive's daily token budget is used up; the sync stops here until it resets at midnight (company time)", {
									response: res,
									vendorMessage: error.classified.vendor?.message,
									vendorCode: 'daily_budget',
								}),
							);
						}
						// Everyone using this credential waits, not just this call.
						(c.search ? limits.search : limits.burst).pause((error.waitMs ?? 2000) * this.scale);
					} else if (res.status >= 500) this.stats.serverErrors++;
					if (!error.classified.retryable && res.status === 403 && error.classified.code === 'RATE_LIMIT_EXCEEDED') throw new Abort(error);
					throw error;
				},
				{
					...this.options.retry,
					onRetry: (err, attempt, delay) => {
						this.stats.retries++;
						this.options.retry?.onRetry?.(err, attempt, delay);
					},
				},
			);
		} catch (err) {
			if (err instanceof Abort) throw err.inner;
			throw err;
		}
	}

	/** A 429 while the burst window still has room means the daily budget is gone (retrying cannot help). */
	private isDailyExhaustion(res: HttpResponse, c: Call): boolean {
		const left = res.headers['x-daily-requests-left'];
		if (left !== undefined && Number(left) < c.cost) return true;
		// Search answers show the search window, so room there says nothing about the burst window.
		if (c.search) return false;
		const remaining = Number(res.headers['x-ratelimit-remaining']);
		return res.headers['x-ratelimit-remaining'] !== undefined && Number.isFinite(remaining) && remaining > 0;
	}

	private observe(res: HttpResponse, c: Call): void {
		const signal = burstSignal(res.headers);
		if (signal) (c.search ? this.limits.search : this.limits.burst).observe(signal);
		const left = res.headers['x-daily-requests-left'];
		if (left !== undefined && Number.isFinite(Number(left))) this.limits.budget.observe(Number(left));
	}
}
