/**
 * Client-side rate limiting that reads each vendor's own signals, so a sync runs close to the vendor's
 * ceiling without tripping it. One limiter per credential, shared by every execution in the process
 * (see `sharedLimiter`); queue mode shares budgets across workers on top of this (issue "Scale-out").
 *
 * All waits are in real milliseconds. `timeScale` (default 1, env FLUX_VENDOR_TIME_SCALE) divides vendor
 * windows, for benchmarks against a sandbox whose clock runs faster than real time.
 */

export function vendorTimeScale(): number {
	const v = Number(process.env.FLUX_VENDOR_TIME_SCALE ?? 1);
	return Number.isFinite(v) && v > 0 ? v : 1;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A FIFO of waiters: whoever asked first is served first, so no execution starves. */
class Turnstile {
	private tail: Promise<void> = Promise.resolve();

	run<T>(fn: () => Promise<T>): Promise<T> {
		const result = this.tail.then(fn);
		this.tail = result.then(
			() => undefined,
			() => undefined,
		);
		return result;
	}
}

/**
 * At most `limit` requests in any rolling `windowMs`; the vendor's headers can tighten it
 * (remaining/reset), and a 429 pauses everyone until the vendor's wait is over.
 */
export class WindowLimiter {
	private readonly sent: number[] = [];
	private pausedUntil = 0;
	private readonly gate = new Turnstile();
	/** Known budget left in the vendor's current window, from its headers (undefined: unknown). */
	private vendorRemaining: number | undefined;
	private vendorResetAt = 0;

	constructor(
		public limit: number,
		readonly windowMs: number,
		private readonly scale = vendorTimeScale(),
		/** Keep this share of the window free for other clients of the same account (0..1). */
		private readonly headroom = 0,
	) {}

	private get realWindow(): number {
		return this.windowMs / this.scale;
	}

	private get effectiveLimit(): number {
		return Math.max(1, Math.floor(this.limit * (1 - this.headroom)));
	}

	/** Waits for a slot, then takes it. */
	acquire(): Promise<void> {
		return this.gate.run(async () => {
			for (;;) {
				const now = Date.now();
				if (this.pausedUntil > now) {
					await sleep(this.pausedUntil - now);
					continue;
				}
				while (this.sent.length && this.sent[0] <= now - this.realWindow) this.sent.shift();
				if (this.vendorRemaining !== undefined && this.vendorResetAt > now && this.vendorRemaining <= 0) {
					await sleep(this.vendorResetAt - now);
					this.vendorRemaining = undefined;
					continue;
				}
				if (this.sent.length < this.effectiveLimit) {
					this.sent.push(now);
					if (this.vendorRemaining !== undefined) this.vendorRemaining--;
					return;
				}
				await sleep(this.sent[0] + this.realWindow - now + 1);
			}
		});
	}

	/** What the vendor said about the current window (HubSpot X-HubSpot-RateLimit-*, Pipedrive x-ratelimit-*). */
	observe(signal: { max?: number; remaining?: number; resetInMs?: number }): void {
		if (signal.max !== undefined && signal.max > 0) this.limit = signal.max;
		if (signal.remaining !== undefined) {
			this.vendorRemaining = signal.remaining;
			this.vendorResetAt = Date.now() + (signal.resetInMs !== undefined ? signal.resetInMs / this.scale : this.realWindow);
		}
	}

	/** After a 429: nobody sends until the vendor's wait (Retry-After or policy) has passed. */
	pause(vendorMs: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, Date.now() + vendorMs / this.scale);
	}
}

/** A points bucket that refills continuously (Jobber's GraphQL cost: maximumAvailable, restoreRate per second). */
export class CostBucket {
	private available: number;
	private updatedAt = Date.now();
	private readonly gate = new Turnstile();

	constructor(
		public maximum: number,
		public restorePerSecond: number,
		private readonly scale = vendorTimeScale(),
	) {
		this.available = maximum;
	}

	private refill(): void {
		const now = Date.now();
		this.available = Math.min(this.maximum, this.available + ((now - this.updatedAt) / 1000) * this.restorePerSecond * this.scale);
		this.updatedAt = now;
	}

	/** Waits until `cost` points are available, then reserves them. */
	acquire(cost: number): Promise<void> {
		const need = Math.min(cost, this.maximum);
		return this.gate.run(async () => {
			for (;;) {
				this.refill();
				if (this.available >= need) {
					this.available -= need;
					return;
				}
				await sleep(Math.ceil(((need - this.available) / (this.restorePerSecond * this.scale)) * 1000) + 1);
			}
		});
	}

	/** The vendor's own accounting after a call (Jobber extensions.cost.throttleStatus) replaces our estimate. */
	observe(status: { maximumAvailable?: number; currentlyAvailable?: number; restoreRate?: number }): void {
		if (status.maximumAvailable) this.maximum = status.maximumAvailable;
		if (status.restoreRate) this.restorePerSecond = status.restoreRate;
		if (status.currentlyAvailable !== undefined) {
			this.available = status.currentlyAvailable;
			this.updatedAt = Date.now();
		}
	}
}

/** At most `limit` requests in flight (Salesforce has no burst limit, but a concurrent-request cap). */
export class ConcurrencyLimiter {
	private active = 0;
	private readonly waiting: Array<() => void> = [];

	constructor(readonly limit: number) {}

	async run<T>(fn: () => Promise<T>): Promise<T> {
		if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
		this.active++;
		try {
			return await fn();
		} finally {
			this.active--;
			this.waiting.shift()?.();
		}
	}
}

const registry = new Map<string, unknown>();

/**
 * The process-wide limiter for a key (vendor + credential identity, never the secret itself), created on
 * first use: every execution in the process that uses the same credential shares one budget.
 */
export function sharedLimiter<T>(key: string, create: () => T): T {
	let limiter = registry.get(key) as T | undefined;
	if (!limiter) {
		limiter = create();
		registry.set(key, limiter);
	}
	return limiter;
}
