/** Every API call a vendor server answered: tests and benchmarks assert call counts and 429s with it. */
export interface LoggedRequest {
	/** Vendor-clock milliseconds. */
	at: number;
	method: string;
	path: string;
	route: string;
	/** HTTP status sent; -1 for an injected timeout (no answer). */
	status: number;
	ms: number;
}

export class RequestLog {
	private entries: LoggedRequest[] = [];
	/** Keeps the newest entries only, so a 100,000-record benchmark does not grow memory without bound. */
	constructor(private readonly capacity = 200_000) {}
	private total = 0;
	private readonly byRoute = new Map<string, number>();
	private readonly byStatus = new Map<number, number>();

	record(entry: LoggedRequest): void {
		this.total++;
		this.byRoute.set(entry.route, (this.byRoute.get(entry.route) ?? 0) + 1);
		this.byStatus.set(entry.status, (this.byStatus.get(entry.status) ?? 0) + 1);
		this.entries.push(entry);
		if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
	}

	list(filter: { route?: string; since?: number; status?: number } = {}): LoggedRequest[] {
		return this.entries.filter(
			(e) =>
				(filter.route === undefined || e.route === filter.route) &&
				(filter.since === undefined || e.at >= filter.since) &&
				(filter.status === undefined || e.status === filter.status),
		);
	}

	counters(): { total: number; byRoute: Record<string, number>; byStatus: Record<string, number> } {
		return {
			total: this.total,
			byRoute: Object.fromEntries(this.byRoute),
			byStatus: Object.fromEntries([...this.byStatus].map(([k, v]) => [String(k), v])),
		};
	}

	reset(): void {
		this.entries = [];
		this.total = 0;
		this.byRoute.clear();
		this.byStatus.clear();
	}
}
