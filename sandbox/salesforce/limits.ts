import type { Clock } from '../core/clock';

/**
 * Salesforce's API allocation is a rolling 24-hour window, not a calendar day (the core DailyCounter resets at
 * midnight). Calls are counted in per-minute buckets of vendor time, so the window costs 1,440 numbers.
 */
export class RollingDailyCounter {
	private static readonly BUCKET_MS = 60_000;
	private static readonly BUCKETS = 1440;
	private readonly counts = new Float64Array(RollingDailyCounter.BUCKETS);
	private readonly stamps = new Float64Array(RollingDailyCounter.BUCKETS).fill(-1);

	constructor(
		private readonly clock: Clock,
		public limit: number,
	) {}

	private slot(now: number): number {
		const minute = Math.floor(now / RollingDailyCounter.BUCKET_MS);
		const i = minute % RollingDailyCounter.BUCKETS;
		if (this.stamps[i] !== minute) {
			this.stamps[i] = minute;
			this.counts[i] = 0;
		}
		return i;
	}

	used(): number {
		const minute = Math.floor(this.clock.now() / RollingDailyCounter.BUCKET_MS);
		let total = 0;
		for (let i = 0; i < RollingDailyCounter.BUCKETS; i++) {
			if (this.stamps[i] > minute - RollingDailyCounter.BUCKETS) total += this.counts[i];
		}
		return total;
	}

	/** Counts one call if the allocation has room; false (nothing counted) when it is used up. */
	tryUse(): boolean {
		if (this.used() >= this.limit) return false;
		this.counts[this.slot(this.clock.now())]++;
		return true;
	}

	/** Admin: pretend `n` calls were already made in this window (to reach the limit without making them). */
	setUsed(n: number): void {
		this.reset();
		this.counts[this.slot(this.clock.now())] = Math.max(0, n);
	}

	reset(): void {
		this.counts.fill(0);
		this.stamps.fill(-1);
	}
}
