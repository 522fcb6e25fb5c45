/**
 * Client-side rate limiting that reads each vendor's own signals, so a sync runs close to the vendor's
 * ceiling without tripping it. One limiter per credential, shared by every execution in the process
 * (`sharedLimiter`), or — with a `BudgetBackend` such as the PostgreSQL one in `postgresBudget.ts` — by every
 * process that uses the credential (n8n queue mode: main and workers). The `*Budget` factories below pick one
 * or the other; without a backend they build exactly the in-process limiters.
 *
 * All waits are in real milliseconds. `timeScale` (default 1, env FLUX_VENDOR_TIME_SCALE) divides vendor
 * windows, for benchmarks against a sandbox whose clock runs faster than real time.
 */

export function vendorTimeScale(): number {
	const v = Number(process.env.FLUX_VENDOR_TIME_SCALE ?? 1);
	return Number.isFinite(v) && v > 0 ? v : 1;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------- latency margin

/** Bounds of the default latency margin, in real milliseconds (see `latencyMarginMs`). */
export const MARGIN_MIN_MS = 40;
export const MARGIN_MAX_MS = 100;
/** Share of the window the default margin may take between those bounds. */
export const MARGIN_SHARE = 0.05;

/**
 * Real milliseconds added to a rolling window. A vendor stamps a request when it arrives, we when we send it:
 * a request that travels faster than one sent a window earlier lands in the vendor's window while ours has
 * already moved on. The margin absorbs that spread of latency (network, and pauses of a busy Node process).
 * Latency does not shrink with a compressed sandbox clock, so the margin is in real time.
 *
 * `marginMs` given (or env FLUX_LIMITER_MARGIN_MS): that. Otherwise 5 % of the real window, at least 40 ms
 * (a garbage-collection pause of a busy process) and at most 100 ms (a public-internet path): the margin
 * never costs more than 5 % of the throughput unless the window is shorter than 800 real ms.
 */
export function latencyMarginMs(realWindowMs: number, marginMs?: number): number {
	if (marginMs !== undefined && Number.isFinite(marginMs) && marginMs >= 0) return marginMs;
	const env = process.env.FLUX_LIMITER_MARGIN_MS;
	if (env !== undefined && env.trim() !== '' && Number.isFinite(Number(env)) && Number(env) >= 0) return Number(env);
	return Math.min(MARGIN_MAX_MS, Math.max(MARGIN_MIN_MS, realWindowMs * MARGIN_SHARE));
}

// ---------------------------------------------------------------------------------------------- contracts

/** What a vendor said about its current window (HubSpot X-HubSpot-RateLimit-*, Pipedrive x-ratelimit-*). */
export interface WindowSignal {
	max?: number;
	remaining?: number;
	/** Vendor ms until the window resets. */
	resetInMs?: number;
}

/** At most `limit` requests in any rolling window: in one process (WindowLimiter) or shared by several. */
export interface RequestWindow {
	/** Requests per window; a vendor header (`observe({ max })`) may change it. */
	limit: number;
	/** Waits for a slot, then takes it. */
	acquire(): Promise<void>;
	observe(signal: WindowSignal): void;
	/** After a 429: nobody sends until the vendor's wait (vendor ms) has passed. */
	pause(vendorMs: number): void;
	/** Requests granted in the last `realMs` by every holder of this budget, as far as this process knows. */
	recent(realMs: number): number;
}

/** Jobber's cost accounting after a call (`extensions.cost.throttleStatus`). */
export interface BucketStatus {
	maximumAvailable?: number;
	currentlyAvailable?: number;
	restoreRate?: number;
}

/** A points bucket that refills continuously: in one process (CostBucket) or shared by several. */
export interface PointsBudget {
	maximum: number;
	restorePerSecond: number;
	/** Waits until `cost` points are available, then reserves them. */
	acquire(cost: number): Promise<void>;
	/**
	 * The vendor priced a call whose `reserved` points we took: the unused part (`reserved - actual`) comes
	 * back (or the overrun is charged), and the vendor's figures correct ours — downwards only, since points
	 * reserved by calls still in flight are not in the vendor's figure yet.
	 */
	settle(reserved: number, actual: number, status?: BucketStatus): void;
	/** The vendor's figures without a call of ours (a THROTTLED answer, which spends nothing). */
	observe(status: BucketStatus): void;
}

/** At most `limit` calls in flight. */
export interface ConcurrencyBudget {
	readonly limit: number;
	run<T>(fn: () => Promise<T>): Promise<T>;
}

export interface WindowSpec {
	limit: number;
	/** Vendor milliseconds. */
	windowMs: number;
	scale?: number;
	/** Keep this share of the window free for other clients of the same account (0..1). */
	headroom?: number;
	/** Real ms added to the window for latency (default: `latencyMarginMs`). */
	marginMs?: number;
}

export interface BucketSpec {
	maximum: number;
	restorePerSecond: number;
	scale?: number;
}

export interface ConcurrencySpec {
	limit: number;
	/**
	 * Real ms after which a slot taken by a process that stopped answering is given to someone else (shared
	 * budgets only; a live holder renews its slot). Longer than any request takes.
	 */
	leaseMs?: number;
}

/**
 * Mutual exclusion per key (for example a match value: two upserts of one email must not both find nothing and
 * both create). `hold` takes every key or waits, runs `fn`, then lets them go.
 */
export interface KeyLocks {
	hold<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T>;
}

/**
 * Where budgets shared by several processes live. `id` names the place (host, database, schema — never a
 * password); limiters are cached per id and key.
 */
export interface BudgetBackend {
	readonly id: string;
	window(key: string, spec: WindowSpec): RequestWindow;
	bucket(key: string, spec: BucketSpec): PointsBudget;
	concurrency(key: string, spec: ConcurrencySpec): ConcurrencyBudget;
	/** Locks of one scope (a vendor credential), held across processes. */
	locks(scope: string): KeyLocks;
}

// ---------------------------------------------------------------------------------------------- in-process

/** A FIFO of waiters: whoever asked first is served first, so no execution starves. */
export class Turnstile {
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
export class WindowLimiter implements RequestWindow {
	private readonly sent: number[] = [];
	private pausedUntil = 0;
	private readonly gate = new Turnstile();
	/** Known budget left in the vendor's current window, from its headers (undefined: unknown). */
	private vendorRemaining: number | undefined;
	private vendorResetAt = 0;
	/** Real ms added to the window for latency. */
	readonly marginMs: number;

	constructor(
		public limit: number,
		readonly windowMs: number,
		private readonly scale = vendorTimeScale(),
		/** Keep this share of the window free for other clients of the same account (0..1). */
		private readonly headroom = 0,
		marginMs?: number,
	) {
		this.marginMs = latencyMarginMs(windowMs / scale, marginMs);
	}

	/** The window in real ms, latency margin included. */
	get realWindow(): number {
		return this.windowMs / this.scale + this.marginMs;
	}

	private get effectiveLimit(): number {
		return effectiveLimit(this.limit, this.headroom);
	}

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

	observe(signal: WindowSignal): void {
		if (signal.max !== undefined && signal.max > 0) this.limit = signal.max;
		if (signal.remaining !== undefined) {
			this.vendorRemaining = signal.remaining;
			this.vendorResetAt = Date.now() + (signal.resetInMs !== undefined ? signal.resetInMs / this.scale : this.realWindow);
		}
	}

	pause(vendorMs: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, Date.now() + vendorMs / this.scale);
	}

	recent(realMs: number): number {
		const cutoff = Date.now() - realMs;
		let n = 0;
		for (let i = this.sent.length - 1; i >= 0 && this.sent[i] > cutoff; i--) n++;
		return n;
	}
}

/** The limit less the headroom, never below one request. */
export function effectiveLimit(limit: number, headroom = 0): number {
	return Math.max(1, Math.floor(limit * (1 - headroom)));
}

/**
 * A points bucket that refills continuously (Jobber's GraphQL cost: maximumAvailable, restoreRate per second).
 * A call reserves what the vendor will ask for it before running it (its requested cost); once the vendor has
 * priced it, the unused part comes back (`settle`).
 */
export class CostBucket implements PointsBudget {
	private available: number;
	private updatedAt = Date.now();
	private readonly gate = new Turnstile();
	/** Points reserved by calls the vendor has not priced yet. */
	private inFlight = 0;
	/** Wakes the call waiting for points. */
	private wake: (() => void) | undefined;

	constructor(
		public maximum: number,
		public restorePerSecond: number,
		private readonly scale = vendorTimeScale(),
	) {
		this.available = maximum;
	}

	/** Points available now, by our own accounting. */
	get current(): number {
		this.refill();
		return this.available;
	}

	private refill(): void {
		const now = Date.now();
		this.available = Math.min(this.maximum, this.available + ((now - this.updatedAt) / 1000) * this.restorePerSecond * this.scale);
		this.updatedAt = now;
	}

	acquire(cost: number): Promise<void> {
		const need = Math.min(cost, this.maximum);
		return this.gate.run(async () => {
			for (;;) {
				this.refill();
				if (this.available >= need) {
					this.available -= need;
					this.inFlight += need;
					return;
				}
				// Until the refill would cover it, or until points come back from a call the vendor priced.
				await new Promise<void>((done) => {
					const timer = setTimeout(done, Math.ceil(((need - this.available) / (this.restorePerSecond * this.scale)) * 1000) + 1);
					this.wake = () => {
						clearTimeout(timer);
						done();
					};
				});
				this.wake = undefined;
			}
		});
	}

	settle(reserved: number, actual: number, status?: BucketStatus): void {
		const held = Math.min(reserved, this.maximum);
		this.inFlight = Math.max(0, this.inFlight - held);
		this.refill();
		this.available = Math.min(this.maximum, this.available + held - actual);
		if (status) this.observe(status);
		this.wake?.();
	}

	observe(status: BucketStatus): void {
		if (status.maximumAvailable) this.maximum = status.maximumAvailable;
		if (status.restoreRate) this.restorePerSecond = status.restoreRate;
		this.refill();
		// The vendor's figure counts what reached it; points reserved by our calls still on their way are not in
		// it yet, so ours is lower by those. With nothing in flight it is exact (also upwards: points we reserved
		// for a call that never reached the vendor come back); otherwise it may only lower ours (someone else
		// spends this account's points).
		if (status.currentlyAvailable !== undefined) {
			const vendor = Math.min(this.maximum, status.currentlyAvailable);
			if (this.inFlight === 0 || vendor < this.available) this.available = vendor;
		}
		this.wake?.();
	}
}

/** At most `limit` requests in flight (Salesforce has no burst limit, but a concurrent-request cap). */
export class ConcurrencyLimiter implements ConcurrencyBudget {
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

/** Key locks of one process: a waiter per key, served in order. */
export class LocalKeyLocks implements KeyLocks {
	private readonly held = new Map<string, Promise<void>>();

	async hold<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
		// One order for everyone, so two holders of overlapping keys never wait for each other.
		const sorted = [...new Set(keys)].sort();
		const releases: Array<() => void> = [];
		try {
			for (const key of sorted) {
				const before = this.held.get(key) ?? Promise.resolve();
				let release!: () => void;
				const mine = new Promise<void>((r) => (release = r));
				const tail = before.then(() => mine);
				this.held.set(key, tail);
				releases.push(() => {
					release();
					if (this.held.get(key) === tail) this.held.delete(key);
				});
				await before;
			}
			return await fn();
		} finally {
			for (const release of releases) release();
		}
	}
}

// ---------------------------------------------------------------------------------------------- registry

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

/** The credential's request window: this process's, or the backend's shared by every process. */
export function windowBudget(key: string, spec: WindowSpec, backend?: BudgetBackend): RequestWindow {
	if (backend) return sharedLimiter(`${backend.id}|window|${key}`, () => backend.window(key, spec));
	return sharedLimiter(key, () => new WindowLimiter(spec.limit, spec.windowMs, spec.scale, spec.headroom, spec.marginMs));
}

/** The credential's points bucket: this process's, or the backend's shared by every process. */
export function bucketBudget(key: string, spec: BucketSpec, backend?: BudgetBackend): PointsBudget {
	if (backend) return sharedLimiter(`${backend.id}|bucket|${key}`, () => backend.bucket(key, spec));
	return sharedLimiter(key, () => new CostBucket(spec.maximum, spec.restorePerSecond, spec.scale));
}

/** Locks per key of one scope (vendor + credential): this process's, or the backend's held across processes. */
export function keyLocks(scope: string, backend?: BudgetBackend): KeyLocks {
	if (backend) return sharedLimiter(`${backend.id}|locks|${scope}`, () => backend.locks(scope));
	return sharedLimiter(`locks|${scope}`, () => new LocalKeyLocks());
}

/** The credential's cap on calls in flight: this process's, or the backend's shared by every process. */
export function concurrencyBudget(key: string, spec: ConcurrencySpec, backend?: BudgetBackend): ConcurrencyBudget {
	if (backend) return sharedLimiter(`${backend.id}|concurrency|${key}`, () => backend.concurrency(key, spec));
	return sharedLimiter(key, () => new ConcurrencyLimiter(spec.limit));
}
