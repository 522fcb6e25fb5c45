import type { Clock } from './clock';
import { Rng } from './rng';

/** How a vendor's outgoing webhooks misbehave, set through the admin API to test receivers. */
export interface WebhookBehaviour {
	/** Share (0..1) of events delivered twice. */
	duplicateRate?: number;
	/** Extra random delay up to this many real ms per delivery, so events can arrive out of order. */
	reorderWindowMs?: number;
	/** Sign with a wrong secret. */
	badSignature?: boolean;
	/** Stamp requests this many vendor ms in the past (for replay-window checks). */
	timestampSkewMs?: number;
	seed?: number;
}

export interface DeliveryAttempt {
	at: number;
	status?: number;
	error?: string;
	/** Real milliseconds the receiver took to answer (or to fail). */
	ms?: number;
	/** Answered later than the policy's deadline (Jobber wants an answer within one second). */
	late?: boolean;
}

export interface Delivery {
	id: number;
	url: string;
	body: string;
	headers: Record<string, string>;
	attempts: DeliveryAttempt[];
	delivered: boolean;
	duplicate: boolean;
}

export interface RetryPolicy {
	/** Vendor-time delays before each retry (length = number of retries). */
	retryDelaysMs: number[];
	/** Receiver statuses after which the vendor gives up at once. */
	noRetryStatuses?: number[];
	/** Real ms to wait for the receiver before counting the attempt as failed. */
	timeoutMs?: number;
	/** Real ms within which the vendor wants an answer; slower answers are marked `late`. */
	deadlineMs?: number;
	/** A late answer counts as a failed attempt (the request is cut at the deadline and retried). */
	enforceDeadline?: boolean;
	/** A receiver's 429 with Retry-After sets the wait before the next attempt (HubSpot does this). */
	honourRetryAfter?: boolean;
}

/**
 * The body of one attempt: fixed, or rebuilt per attempt (HubSpot and Pipedrive number attempts inside the
 * payload). `attempt` counts from 0; `timestampMs` is the attempt's vendor time.
 */
export type AttemptBody = string | ((attempt: number, timestampMs: number) => string);
/** Told after every attempt, e.g. to keep a vendor's ban or last-status bookkeeping. */
export type AttemptHook = (attempt: number, outcome: DeliveryAttempt, delivered: boolean) => void;
export type Signer = (body: string, timestampMs: number) => Record<string, string>;

/** Delivers signed webhook requests with the vendor's retry policy and optional misbehaviour. */
export class WebhookSender {
	readonly deliveries: Delivery[] = [];
	private readonly pending = new Set<Promise<void>>();
	private nextId = 1;
	behaviour: WebhookBehaviour = {};
	private rng = new Rng(1);

	constructor(
		private readonly clock: Clock,
		private readonly policy: RetryPolicy,
	) {}

	setBehaviour(behaviour: WebhookBehaviour): void {
		this.behaviour = { ...behaviour };
		this.rng = new Rng(behaviour.seed ?? 1);
	}

	/**
	 * Queues one event for delivery. `sign` builds the headers for the exact body and timestamp sent; it is
	 * called again for every retry, since a vendor's retry is a fresh request with a fresh timestamp.
	 */
	send(url: string, body: AttemptBody, sign: Signer, onAttempt?: AttemptHook): void {
		const copies = this.rng.chance(this.behaviour.duplicateRate ?? 0) ? 2 : 1;
		for (let i = 0; i < copies; i++) {
			const delivery: Delivery = {
				id: this.nextId++,
				url,
				body: typeof body === 'string' ? body : '',
				headers: {},
				attempts: [],
				delivered: false,
				duplicate: i > 0,
			};
			this.deliveries.push(delivery);
			const extra = this.behaviour.reorderWindowMs ? this.rng.int(0, this.behaviour.reorderWindowMs) : 0;
			const job = this.run(delivery, body, sign, extra, onAttempt).finally(() => this.pending.delete(job));
			this.pending.add(job);
		}
	}

	private async run(delivery: Delivery, body: AttemptBody, sign: Signer, initialDelay: number, onAttempt?: AttemptHook): Promise<void> {
		if (initialDelay) await sleep(initialDelay);
		const policy = this.policy;
		let wait = 0;
		for (let attempt = 0; attempt <= policy.retryDelaysMs.length; attempt++) {
			if (attempt > 0) await sleep(this.clock.toReal(wait));
			wait = policy.retryDelaysMs[attempt] ?? 0;
			const timestamp = this.clock.now() - (this.behaviour.timestampSkewMs ?? 0);
			// The delivery record shows the latest attempt's exact request.
			delivery.body = typeof body === 'string' ? body : body(attempt, timestamp);
			delivery.headers = { 'Content-Type': 'application/json', ...sign(delivery.body, timestamp) };
			const record: DeliveryAttempt = { at: this.clock.now() };
			delivery.attempts.push(record);
			const started = performance.now();
			const timeout = policy.enforceDeadline && policy.deadlineMs ? policy.deadlineMs : (policy.timeoutMs ?? 10_000);
			try {
				const res = await fetch(delivery.url, { method: 'POST', headers: delivery.headers, body: delivery.body, signal: AbortSignal.timeout(timeout) });
				await res.arrayBuffer();
				record.status = res.status;
				if (res.status >= 200 && res.status < 300) {
					delivery.delivered = true;
					return;
				}
				if (policy.noRetryStatuses?.includes(res.status)) return;
				const retryAfter = Number(res.headers.get('retry-after'));
				if (policy.honourRetryAfter && res.status === 429 && Number.isFinite(retryAfter) && retryAfter > 0) wait = retryAfter * 1000;
			} catch (err) {
				record.error = (err as Error).message;
			} finally {
				record.ms = performance.now() - started;
				if (policy.deadlineMs !== undefined) record.late = record.ms > policy.deadlineMs;
				onAttempt?.(attempt, record, delivery.delivered);
			}
		}
	}

	/** Receiver response times over every attempt so far (real ms). */
	timing(): { attempts: number; late: number; medianMs: number | null; maxMs: number | null; deadlineMs: number | null } {
		const ms = this.deliveries.flatMap((d) => d.attempts.map((a) => a.ms).filter((x): x is number => x !== undefined)).sort((a, b) => a - b);
		const deadline = this.policy.deadlineMs;
		return {
			attempts: ms.length,
			late: deadline === undefined ? 0 : ms.filter((x) => x > deadline).length,
			medianMs: ms.length ? ms[Math.floor(ms.length / 2)] : null,
			maxMs: ms.length ? ms[ms.length - 1] : null,
			deadlineMs: deadline ?? null,
		};
	}

	/** Called by settle() first, so a vendor can flush events still waiting in a batching window. */
	beforeSettle?: () => void;

	/** Resolves when every queued delivery has succeeded or given up. */
	async settle(): Promise<void> {
		this.beforeSettle?.();
		while (this.pending.size > 0) await Promise.all([...this.pending]);
	}

	reset(): void {
		this.deliveries.length = 0;
		this.behaviour = {};
	}
}

function sleep(ms: number): Promise<void> {
	return new Promise((r) => setTimeout(r, ms));
}
