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
}

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

	/** Queues one event for delivery; `sign` builds the headers for the exact body and timestamp sent. */
	send(url: string, body: string, sign: (body: string, timestampMs: number) => Record<string, string>): void {
		const copies = this.rng.chance(this.behaviour.duplicateRate ?? 0) ? 2 : 1;
		for (let i = 0; i < copies; i++) {
			const timestamp = this.clock.now() - (this.behaviour.timestampSkewMs ?? 0);
			const delivery: Delivery = {
				id: this.nextId++,
				url,
				body,
				headers: { 'Content-Type': 'application/json', ...sign(body, timestamp) },
				attempts: [],
				delivered: false,
				duplicate: i > 0,
			};
			this.deliveries.push(delivery);
			const extra = this.behaviour.reorderWindowMs ? this.rng.int(0, this.behaviour.reorderWindowMs) : 0;
			const job = this.run(delivery, extra).finally(() => this.pending.delete(job));
			this.pending.add(job);
		}
	}

	private async run(delivery: Delivery, initialDelay: number): Promise<void> {
		if (initialDelay) await sleep(initialDelay);
		const delays = [0, ...this.policy.retryDelaysMs];
		for (let attempt = 0; attempt < delays.length; attempt++) {
			if (attempt > 0) await sleep(this.clock.toReal(delays[attempt]));
			const record: DeliveryAttempt = { at: this.clock.now() };
			delivery.attempts.push(record);
			try {
				const res = await fetch(delivery.url, {
					method: 'POST',
					headers: delivery.headers,
					body: delivery.body,
					signal: AbortSignal.timeout(this.policy.timeoutMs ?? 10_000),
				});
				await res.arrayBuffer();
				record.status = res.status;
				if (res.status >= 200 && res.status < 300) {
					delivery.delivered = true;
					return;
				}
				if (this.policy.noRetryStatuses?.includes(res.status)) return;
			} catch (err) {
				record.error = (err as Error).message;
			}
		}
	}

	/** Resolves when every queued delivery has succeeded or given up. */
	async settle(): Promise<void> {
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
