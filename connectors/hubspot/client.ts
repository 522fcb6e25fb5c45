/**
 * The request pipeline every HubSpot call goes through: the credential's rate limiters (a 10-second rolling
 * window fed by `X-HubSpot-RateLimit-*`, and the search API's own 5/s, whose answers carry no headers),
 * 429 handling by `policyName`, and bounded retries of transient failures only.
 */
import { ConnectorError } from '../core/errors';
import { TransportError, type HttpClient, type HttpRequest, type HttpResponse } from '../core/http';
import { vendorTimeScale, windowBudget, type BudgetBackend, type RequestWindow } from '../core/limiter';
import { withRetry, type RetryOptions } from '../core/retry';
import { classifyResponse, isDailyLimit, rateLimitWaitMs, transportError, type ErrorContext } from './errors';

export type LimitKind = 'standard' | 'search';

export interface ClientOptions {
	http: HttpClient;
	/**
	 * Identity of the HubSpot account/credential for the process-wide limiters (for example
	 * `fluxHubSpotApi:<credential id>`), never the secret itself. Every connector with the same key shares
	 * one budget.
	 */
	limiterKey?: string;
	/** Requests per 10 s before HubSpot's headers say otherwise (100: Free/Starter private apps). */
	tenSecondLimit?: number;
	/** Search requests per second (5 per account). */
	searchPerSecond?: number;
	/** Share of the 10-s budget left to other clients of the same account (0 = use it all). */
	headroom?: number;
	/** Where the budget is shared with other processes (n8n queue mode); absent: by this process's executions. */
	budgets?: BudgetBackend;
	/** Vendor milliseconds per real millisecond (benchmarks against a time-compressed sandbox). */
	timeScale?: number;
	retry?: RetryOptions;
	/** Per-request timeout in real ms (30 s). */
	timeoutMs?: number;
}

export interface CallSpec extends HttpRequest {
	kind?: LimitKind;
	/** Safe to send again after a timeout (reads, search, upsert, update, archive); creates are not. */
	idempotent?: boolean;
	ctx?: ErrorContext;
}

export interface ClientStats {
	requests: number;
	retries: number;
	/** 429 answers received (each was waited out and retried, unless it was the daily limit). */
	rateLimited: number;
	/** Real ms spent waiting for a limiter slot. */
	limiterWaitMs: number;
}

/** Thrown through withRetry for failures that must not be retried here (a create that timed out). */
class NoRetry extends Error {
	constructor(readonly inner: ConnectorError) {
		super(inner.message);
	}
}

let anonymous = 0;

export class HubSpotClient {
	readonly standard: RequestWindow;
	readonly search: RequestWindow;
	readonly stats: ClientStats = { requests: 0, retries: 0, rateLimited: 0, limiterWaitMs: 0 };
	readonly scale: number;

	constructor(private readonly options: ClientOptions) {
		this.scale = options.timeScale ?? vendorTimeScale();
		const key = options.limiterKey ?? `anonymous-${++anonymous}`;
		this.standard = windowBudget(`hubspot:standard:${key}`, { limit: options.tenSecondLimit ?? 100, windowMs: 10_000, scale: this.scale, headroom: options.headroom ?? 0 }, options.budgets);
		this.search = windowBudget(`hubspot:search:${key}`, { limit: options.searchPerSecond ?? 5, windowMs: 1000, scale: this.scale }, options.budgets);
	}

	/**
	 * Sends a request and returns any answer that is not transient: 2xx, 207 and 4xx come back for the caller
	 * to read (batch envelopes, 404s, validation errors). 429 (except the daily limit), 423, 5xx and timeouts
	 * are retried; what stays transient after the retries is thrown classified.
	 */
	async call(spec: CallSpec): Promise<HttpResponse> {
		const kind = spec.kind ?? 'standard';
		const limiter = kind === 'search' ? this.search : this.standard;
		try {
			return await withRetry(
				async () => {
					const waited = Date.now();
					await limiter.acquire();
					this.stats.limiterWaitMs += Date.now() - waited;
					this.stats.requests++;
					let res: HttpResponse;
					try {
						res = await this.options.http.request({ method: spec.method, url: spec.url, query: spec.query, body: spec.body, headers: spec.headers, form: spec.form, timeoutMs: spec.timeoutMs ?? this.options.timeoutMs });
					} catch (err) {
						if (!(err instanceof TransportError)) throw err;
						const classified = transportError(err.message, err.kind);
						// A create that timed out may have been written: sending it again could duplicate it.
						if (err.kind === 'timeout' && spec.idempotent === false) throw new NoRetry(classified);
						throw classified;
					}
					if (kind === 'standard') this.observe(res);
					if (res.status === 429) {
						this.stats.rateLimited++;
						if (isDailyLimit(res)) throw new NoRetry(classifyResponse(res, spec.ctx, this.scale));
						const vendorWait = rateLimitWaitMs(res) ?? 10_000;
						limiter.pause(vendorWait);
						throw classifyResponse(res, spec.ctx, this.scale);
					}
					if (res.status === 423 || res.status === 477 || res.status >= 500) throw classifyResponse(res, spec.ctx, this.scale);
					return res;
				},
				{
					maxAttempts: 4,
					baseDelayMs: 500 / this.scale,
					maxDelayMs: 30_000 / this.scale,
					...this.options.retry,
					onRetry: (e, attempt, delay) => {
						this.stats.retries++;
						this.options.retry?.onRetry?.(e, attempt, delay);
					},
				},
			);
		} catch (err) {
			if (err instanceof NoRetry) throw err.inner;
			throw err;
		}
	}

	/**
	 * Feeds `X-HubSpot-RateLimit-Max/-Remaining/-Interval-Milliseconds` to the 10-second limiter. The limiter
	 * counts our own requests exactly; HubSpot's Remaining adds news only when other clients of the account
	 * spend the same budget, so it is passed on only then (the limiter then waits a whole interval, since a
	 * rolling window gives no reset time).
	 */
	private observe(res: HttpResponse): void {
		const h = res.headers;
		if (!h['x-hubspot-ratelimit-max'] && !h['x-hubspot-ratelimit-remaining']) return;
		const max = Number(h['x-hubspot-ratelimit-max']);
		const remaining = Number(h['x-hubspot-ratelimit-remaining']);
		const interval = Number(h['x-hubspot-ratelimit-interval-milliseconds']);
		const windowReal = (Number.isFinite(interval) && interval > 0 ? interval : 10_000) / this.scale;
		const sent = this.standard.recent(windowReal);
		const limit = Number.isFinite(max) && max > 0 ? max : this.standard.limit;
		// Slack of 5 %: HubSpot stamps our requests a little later than we do, so near the window's edge it
		// still counts a few that we no longer do.
		const slack = Math.max(3, Math.ceil(limit * 0.05));
		const othersSpending = Number.isFinite(remaining) && remaining < limit - sent - slack;
		this.standard.observe({
			max: Number.isFinite(max) && max > 0 ? max : undefined,
			...(othersSpending ? { remaining, resetInMs: Number.isFinite(interval) && interval > 0 ? interval : undefined } : {}),
		});
	}
}
