/**
 * The fastest a piece of sync work can go under the vendors' published limits, in vendor seconds.
 *
 * "The work" is counted at the API minimum, independent of how our nodes do it: reads at the vendor's largest
 * page, writes at its largest batch (one call per record where the vendor has no batch endpoint), Jobber
 * mutations at the points of the smallest selection a sync can use (the id and updatedAt back, plus
 * userErrors), measured against the sandbox's own cost accounting.
 *
 * Each vendor's limits are independent, so the work cannot finish before the slowest vendor has had time for
 * its share: the ceiling is the maximum over vendors. Two figures:
 *  - sustained: every call or point paid at the limit's steady rate (no credit for a rested account's burst);
 *  - rested: the first window's calls (HubSpot 100, Pipedrive 40, Jobber 2,500) and the full Jobber cost bucket
 *    are free at the start, as on an account nothing else is using. This is the strict (smaller) one.
 */

/** A request budget per window (HubSpot 100 / 10 s, HubSpot search 5 / 1 s, Pipedrive 40 / 2 s, Jobber 2,500 / 300 s). */
export interface WindowLimit {
	kind: 'window';
	label: string;
	limit: number;
	windowMs: number;
}

/** A points bucket (Jobber's query cost: maximumAvailable, restoreRate per second). */
export interface BucketLimit {
	kind: 'bucket';
	label: string;
	maximum: number;
	restorePerSecond: number;
}

export type Limit = WindowLimit | BucketLimit;

/** Calls (or points) a vendor must spend for the work, against one of its limits. */
export interface Demand {
	vendor: string;
	limit: Limit;
	/** Calls for a window limit, points for a bucket. */
	amount: number;
	/** What the amount stands for, for the report ("50 searches of 200", "10,000 × 6 points"). */
	what: string;
}

export interface DemandTime extends Demand {
	sustainedS: number;
	restedS: number;
}

export interface Ceiling {
	/** Least vendor seconds, every call at the sustained rate. */
	sustainedS: number;
	/** Least vendor seconds on a rested account (first window / full bucket free). */
	restedS: number;
	/** The demand that sets the sustained figure (the bottleneck). */
	binding: DemandTime | undefined;
	demands: DemandTime[];
}

export function timeFor(d: Demand): DemandTime {
	if (d.limit.kind === 'window') {
		const perS = d.limit.limit / (d.limit.windowMs / 1000);
		return { ...d, sustainedS: d.amount / perS, restedS: Math.max(0, d.amount - d.limit.limit) / perS };
	}
	return { ...d, sustainedS: d.amount / d.limit.restorePerSecond, restedS: Math.max(0, d.amount - d.limit.maximum) / d.limit.restorePerSecond };
}

/**
 * Of several ways to do the same part of the work (HubSpot: list 100 per call under 100 / 10 s, or search 200
 * per call under 5 / s), the one the limits let finish first.
 */
export function fastestOf(options: Demand[]): DemandTime {
	const times = options.map(timeFor);
	return times.reduce((best, t) => (t.sustainedS < best.sustainedS || (t.sustainedS === best.sustainedS && t.restedS < best.restedS) ? t : best));
}

/**
 * Demands on the same vendor limit add up (a read and a write against one window); different vendors or
 * different limits of one vendor run side by side, so the slowest one bounds the work.
 */
export function ceilingOf(parts: DemandTime[]): Ceiling {
	const merged = new Map<string, DemandTime>();
	for (const p of parts) {
		const key = `${p.vendor}:${p.limit.label}`;
		const prev = merged.get(key);
		if (!prev) merged.set(key, p);
		else merged.set(key, timeFor({ vendor: p.vendor, limit: p.limit, amount: prev.amount + p.amount, what: `${prev.what} + ${p.what}` }));
	}
	const demands = [...merged.values()];
	let binding: DemandTime | undefined;
	for (const d of demands) if (!binding || d.sustainedS > binding.sustainedS) binding = d;
	return {
		sustainedS: Math.max(0, ...demands.map((d) => d.sustainedS)),
		restedS: Math.max(0, ...demands.map((d) => d.restedS)),
		binding,
		demands,
	};
}

/** Records per vendor second the ceiling allows (Infinity when no limit binds). */
export function rateOf(records: number, seconds: number): number {
	return seconds > 0 ? records / seconds : Infinity;
}
