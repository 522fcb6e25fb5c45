import type { Clock } from './clock';

/** Counts events in a rolling window (HubSpot's 10-second rolling limit, Pipedrive's 2-second burst). */
export class RollingWindow {
	private hits: number[] = [];

	constructor(
		private readonly clock: Clock,
		readonly limit: number,
		readonly windowMs: number,
	) {}

	private prune(now: number): void {
		const cutoff = now - this.windowMs;
		let i = 0;
		while (i < this.hits.length && this.hits[i] <= cutoff) i++;
		if (i > 0) this.hits.splice(0, i);
	}

	/** Records a hit if the window has room; returns false (and records nothing) when it is full. */
	tryHit(): boolean {
		const now = this.clock.now();
		this.prune(now);
		if (this.hits.length >= this.limit) return false;
		this.hits.push(now);
		return true;
	}

	remaining(): number {
		this.prune(this.clock.now());
		return Math.max(0, this.limit - this.hits.length);
	}

	/** Vendor milliseconds until the oldest hit leaves the window. */
	resetInMs(): number {
		const now = this.clock.now();
		this.prune(now);
		if (this.hits.length === 0) return 0;
		return Math.max(0, this.hits[0] + this.windowMs - now);
	}
}

/** A leaky bucket of points (Jobber's query-cost bucket: maximum, restore rate per second). */
export class LeakyBucket {
	private available: number;
	private updatedAt: number;

	constructor(
		private readonly clock: Clock,
		readonly maximum: number,
		readonly restorePerSecond: number,
	) {
		this.available = maximum;
		this.updatedAt = clock.now();
	}

	current(): number {
		const now = this.clock.now();
		this.available = Math.min(this.maximum, this.available + ((now - this.updatedAt) / 1000) * this.restorePerSecond);
		this.updatedAt = now;
		return this.available;
	}

	/** Takes the points if available; returns false when the bucket holds fewer than asked. */
	tryTake(points: number): boolean {
		if (this.current() < points) return false;
		this.available -= points;
		return true;
	}

	/** Gives back points (Jobber refunds the difference between requested and actual cost). */
	refund(points: number): void {
		this.available = Math.min(this.maximum, this.current() + points);
	}
}

/** A counter that resets at vendor-time midnight (daily API budgets), in UTC or an account's UTC offset. */
export class DailyCounter {
	private day = '';
	used = 0;

	constructor(
		private readonly clock: Clock,
		public limit: number,
		/** HubSpot resets at midnight in the account's time zone; Pipedrive at server midnight (UTC). */
		private readonly utcOffsetMinutes = 0,
	) {}

	private roll(): void {
		const today = new Date(this.clock.now() + this.utcOffsetMinutes * 60_000).toISOString().slice(0, 10);
		if (today !== this.day) {
			this.day = today;
			this.used = 0;
		}
	}

	/** Adds cost if within the budget; returns false (adding nothing) when it would exceed it. */
	tryUse(cost = 1): boolean {
		this.roll();
		if (this.used + cost > this.limit) return false;
		this.used += cost;
		return true;
	}

	remaining(): number {
		this.roll();
		return Math.max(0, this.limit - this.used);
	}
}
