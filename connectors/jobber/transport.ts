/**
 * One GraphQL call to Jobber: `POST /api/graphql` with `X-JOBBER-GRAPHQL-VERSION`, paced by the credential's two
 * process-wide limiters (the query-cost bucket and the 2,500 requests / 5 minutes window), with bounded retries of
 * what Jobber refused without running it (THROTTLED, 429, 502/503) and of read timeouts and 5xx.
 *
 * Cost: before sending, the document's requested cost (cost.ts, corrected by what Jobber reported for the same
 * document) is reserved in the credential's points bucket, as Jobber itself does; once Jobber has priced the call
 * (`extensions.cost`), the unused part of the reservation (requested − actual) comes back, and Jobber's own
 * `throttleStatus` corrects the bucket when someone else spent the account's points. So a THROTTLED answer only
 * happens then; it is waited out with the exact figures Jobber sent, and retried. The bucket and the request
 * window are this process's, or shared by every process through `budgets` (n8n queue mode).
 */
import { ConnectorError, codeForStatus, retryAfterSeconds, vendorError } from '../core/errors';
import { TransportError, type HttpClient, type HttpResponse } from '../core/http';
import { bucketBudget, vendorTimeScale, windowBudget, type BudgetBackend, type PointsBudget, type RequestWindow } from '../core/limiter';
import { withRetry, type RetryOptions } from '../core/retry';
import { estimateCost } from './cost';
import { classifyGraphqlError, type GraphqlError } from './errors';

/** A current version the sandbox and Jobber serve; it is a credential setting, never hard-wired elsewhere. */
export const JOBBER_DEFAULT_VERSION = '2026-05-12';

export const JOBBER_LIMITS = {
	/** Query-cost leaky bucket (crm-apis.md §4.6); Jobber's throttleStatus replaces these after the first call. */
	maximumAvailable: 10_000,
	restoreRate: 500,
	/** DDoS guard per app and account. */
	requestsPerWindow: 2_500,
	windowMs: 300_000,
};

export interface CostInfo {
	requestedQueryCost: number;
	actualQueryCost: number;
	throttleStatus?: { maximumAvailable: number; currentlyAvailable: number; restoreRate: number };
}

export interface GraphqlResponse<T = Record<string, any>> {
	data: T | null;
	errors: GraphqlError[];
	cost?: CostInfo;
}

export interface OperationStats {
	calls: number;
	requestedCost: number;
	actualCost: number;
}

export interface TransportStats {
	calls: number;
	requestedCost: number;
	actualCost: number;
	/** THROTTLED answers received (waited out and retried, never surfaced unless retries ran out). */
	throttled: number;
	/** HTTP 429 answers received. */
	rateLimited: number;
	retries: number;
	/** Real milliseconds spent waiting for points or request slots before sending. */
	waitedMs: number;
	byOperation: Record<string, OperationStats>;
}

export interface JobberTransportOptions {
	http: HttpClient;
	/** X-JOBBER-GRAPHQL-VERSION (a credential setting). */
	apiVersion?: string;
	/** Identity of the credential (never the secret): all executions with the same key share one budget. */
	limiterKey?: string;
	/** Where the budgets are shared with other processes (n8n queue mode); absent: by this process's executions. */
	budgets?: BudgetBackend;
	retry?: RetryOptions;
	timeoutMs?: number;
	/** Vendor milliseconds per real millisecond (benchmarks against a time-compressed sandbox). */
	timeScale?: number;
	/** Jobber's `extensions.versioning.warning` (version close to removal, or upgraded). */
	onWarning?: (message: string) => void;
}

export interface RequestOptions {
	/** Mutations are only retried when Jobber provably did not run them (THROTTLED, 429, 502, 503). */
	mutation?: boolean;
	/** Name for the per-operation statistics. */
	operation?: string;
	operationName?: string;
}

/** Points taken from the bucket for a request that Jobber has not priced yet (0: none). */
interface Reservation {
	held: number;
}

/** Raised inside the retry loop for an error that must not be retried here (an ambiguous mutation failure). */
class NoRetry extends Error {
	constructor(readonly inner: ConnectorError) {
		super(inner.message);
	}
}

function messageOf(body: unknown): string | undefined {
	if (typeof body === 'string') return body.trim().slice(0, 300) || undefined;
	if (body && typeof body === 'object') {
		const b = body as Record<string, any>;
		if (typeof b.message === 'string') return b.message;
		if (typeof b.error === 'string') return typeof b.error_description === 'string' ? `${b.error}: ${b.error_description}` : b.error;
		if (b.error && typeof b.error.message === 'string') return b.error.message;
		if (Array.isArray(b.errors) && typeof b.errors[0]?.message === 'string') return b.errors[0].message;
	}
	return undefined;
}

export class JobberTransport {
	readonly apiVersion: string;
	readonly bucket: PointsBudget;
	readonly window: RequestWindow;
	readonly stats: TransportStats = { calls: 0, requestedCost: 0, actualCost: 0, throttled: 0, rateLimited: 0, retries: 0, waitedMs: 0, byOperation: {} };
	/** requested/estimated per document: corrects the estimate when Jobber prices a document differently. */
	private readonly costRatio = new Map<string, number>();

	constructor(private readonly options: JobberTransportOptions) {
		this.apiVersion = options.apiVersion?.trim() || JOBBER_DEFAULT_VERSION;
		const key = options.limiterKey ?? 'default';
		const scale = options.timeScale ?? vendorTimeScale();
		this.bucket = bucketBudget(`jobber:cost:${key}`, { maximum: JOBBER_LIMITS.maximumAvailable, restorePerSecond: JOBBER_LIMITS.restoreRate, scale }, options.budgets);
		// 4 % headroom: other apps' calls do not count against us, but webhook fetches and retries of this one do.
		this.window = windowBudget(`jobber:window:${key}`, { limit: JOBBER_LIMITS.requestsPerWindow, windowMs: JOBBER_LIMITS.windowMs, scale, headroom: 0.04 }, options.budgets);
	}

	/** The points one sending of this document will take from the bucket. */
	costOf(query: string, variables: Record<string, unknown>, operationName?: string): number {
		const estimate = estimateCost(query, variables, operationName) ?? 100;
		return Math.ceil(estimate * (this.costRatio.get(query) ?? 1));
	}

	/** The most points one document may request (Jobber refuses anything above the bucket's size). */
	get maxCost(): number {
		return this.bucket.maximum;
	}

	async request<T = Record<string, any>>(query: string, variables: Record<string, unknown> = {}, options: RequestOptions = {}): Promise<GraphqlResponse<T>> {
		const operation = options.operation ?? 'graphql';
		const retry = this.options.retry ?? {};
		// Points taken for an attempt that Jobber never priced (429, 5xx, timeout) stay reserved for the next attempt.
		const reservation: Reservation = { held: 0 };
		try {
			return await withRetry(() => this.once<T>(query, variables, options, operation, reservation), {
				maxAttempts: retry.maxAttempts ?? 5,
				baseDelayMs: retry.baseDelayMs ?? 500,
				maxDelayMs: retry.maxDelayMs ?? 30_000,
				random: retry.random,
				onRetry: (err, attempt, delay) => {
					this.stats.retries++;
					retry.onRetry?.(err, attempt, delay);
				},
			});
		} catch (err) {
			if (err instanceof NoRetry) throw err.inner;
			throw err;
		} finally {
			// Given up without Jobber pricing the last attempt: it may have run (a timeout), so nothing comes back,
			// but the points are no longer in flight.
			if (reservation.held) this.bucket.settle(reservation.held, reservation.held);
		}
	}

	private async once<T>(query: string, variables: Record<string, unknown>, options: RequestOptions, operation: string, reservation: Reservation): Promise<GraphqlResponse<T>> {
		const cost = this.costOf(query, variables, options.operationName);
		if (cost > this.bucket.maximum) {
			throw new NoRetry(
				vendorError('RATE_LIMIT_EXCEEDED', `This query would cost ${cost} points; Jobber refuses any query above ${this.bucket.maximum}. Read fewer records per page or fewer fields.`, { retryable: false }),
			);
		}
		const started = Date.now();
		await this.window.acquire();
		if (!reservation.held) {
			await this.bucket.acquire(cost);
			reservation.held = Math.min(cost, this.bucket.maximum);
		}
		this.stats.waitedMs += Date.now() - started;

		let res: HttpResponse;
		try {
			res = await this.options.http.request({
				method: 'POST',
				url: '/api/graphql',
				headers: { 'X-JOBBER-GRAPHQL-VERSION': this.apiVersion },
				body: options.operationName ? { query, variables, operationName: options.operationName } : { query, variables },
				timeoutMs: this.options.timeoutMs,
			});
		} catch (err) {
			if (!(err instanceof TransportError)) throw err;
			const e = vendorError('CONNECTION_TIMEOUT', err.message, { retryable: true });
			// A mutation that timed out may have run: the caller decides (upsert re-finds before writing again).
			if (options.mutation && err.kind === 'timeout') throw new NoRetry(e);
			throw e;
		}
		this.stats.calls++;
		const op = (this.stats.byOperation[operation] ??= { calls: 0, requestedCost: 0, actualCost: 0 });
		op.calls++;

		if (res.status !== 200) throw this.httpError(res, options);

		const body = (res.body && typeof res.body === 'object' ? res.body : null) as Record<string, any> | null;
		if (!body) throw new NoRetry(vendorError('INVALID_FORMAT', `Jobber answered with something that is not JSON: ${messageOf(res.body) ?? '(empty)'}`, { response: res, retryable: false }));
		const costInfo = body.extensions?.cost as CostInfo | undefined;
		if (costInfo) {
			// Jobber priced this attempt (a THROTTLED one at nothing): what it did not use of the reservation comes back.
			this.bucket.settle(reservation.held, costInfo.actualQueryCost ?? 0, costInfo.throttleStatus);
			reservation.held = 0;
			this.stats.requestedCost += costInfo.requestedQueryCost ?? 0;
			this.stats.actualCost += costInfo.actualQueryCost ?? 0;
			op.requestedCost += costInfo.requestedQueryCost ?? 0;
			op.actualCost += costInfo.actualQueryCost ?? 0;
			// Reserve next time what Jobber asks for this document: more when it prices it higher than our estimate (or
			// it would be THROTTLED), less when lower (or the reservation would wait for points Jobber does not ask for).
			if (costInfo.requestedQueryCost > 0 && cost > 0 && costInfo.requestedQueryCost !== cost) this.costRatio.set(query, (this.costRatio.get(query) ?? 1) * (costInfo.requestedQueryCost / cost));
		}
		const warning = body.extensions?.versioning?.warning;
		if (typeof warning === 'string') this.options.onWarning?.(warning);

		const errors = (Array.isArray(body.errors) ? body.errors : []) as GraphqlError[];
		const throttled = errors.find((e) => e?.extensions?.code === 'THROTTLED');
		if (throttled) {
			this.stats.throttled++;
			const status = costInfo?.throttleStatus;
			const requested = costInfo?.requestedQueryCost ?? cost;
			if (status && requested > status.maximumAvailable) {
				throw new NoRetry(vendorError('RATE_LIMIT_EXCEEDED', `Jobber prices this query at ${requested} points, above its ${status.maximumAvailable}-point bucket`, { vendorCode: 'THROTTLED', retryable: false }));
			}
			// Exactly as long as the bucket needs to hold `requested` points again, from Jobber's own figures.
			const waitMs = status ? Math.ceil(((requested - status.currentlyAvailable) / status.restoreRate) * 1000) + 50 : 1_000;
			throw vendorError('RATE_LIMIT_EXCEEDED', 'Jobber throttled the query (cost bucket empty)', { vendorCode: 'THROTTLED', vendorMessage: throttled.message, waitMs: Math.max(0, waitMs), retryable: true });
		}
		return { data: (body.data ?? null) as T | null, errors, cost: costInfo };
	}

	private httpError(res: HttpResponse, options: RequestOptions): Error {
		const message = messageOf(res.body);
		if (res.status === 429) {
			this.stats.rateLimited++;
			const after = retryAfterSeconds(res.headers);
			const waitMs = after !== undefined ? after * 1000 : undefined;
			if (waitMs !== undefined) this.window.pause(waitMs);
			// Rack::Attack refuses before running anything: safe to retry mutations too.
			return vendorError('RATE_LIMIT_EXCEEDED', `Jobber refused the request: too many requests (${message ?? '429'})`, { response: res, waitMs, retryable: true });
		}
		if (res.status === 401) {
			return new NoRetry(
				vendorError('AUTHENTICATION_FAILED', `Jobber refused the access token${message ? `: ${message}` : ''}. Reconnect the Jobber credential.`, { response: res, vendorMessage: message, retryable: false }),
			);
		}
		if (res.status >= 500) {
			const e = vendorError('CONNECTION_TIMEOUT', `Jobber answered ${res.status}${message ? `: ${message}` : ''}`, { response: res, vendorMessage: message, retryable: true });
			// 502/503 come from the edge before the API runs anything; a 500 or 504 mutation may have been applied.
			if (options.mutation && res.status !== 502 && res.status !== 503) return new NoRetry(e);
			return e;
		}
		if (res.status === 400 && /X-JOBBER-GRAPHQL-VERSION/i.test(message ?? '')) {
			return new NoRetry(vendorError('OBJECT_TYPE_CHANGED', `${message} (change the API version in the Jobber credential)`, { response: res, vendorMessage: message, retryable: false }));
		}
		const code = codeForStatus(res.status);
		return new NoRetry(vendorError(code, `Jobber answered ${res.status}${message ? `: ${message}` : ''}`, { response: res, vendorMessage: message, retryable: false }));
	}
}

/** Throws the first document-level GraphQL error, classified (for callers that cannot attribute errors). */
export function throwIfErrors(res: GraphqlResponse, record?: { object?: string; id?: string }): void {
	if (res.errors.length === 0) return;
	if (res.data !== null && res.errors.every((e) => e.path && e.path.length > 1)) return; // field-level errors beside data
	throw new ConnectorError(classifyGraphqlError(res.errors[0], { record: record ? { system: 'jobber', ...record } : undefined }));
}
