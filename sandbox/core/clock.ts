/**
 * Vendor time for the sandbox. Rate-limit windows, token expiry and timestamps all read this clock, so a
 * benchmark can compress minutes into seconds (timeScale) and a test can jump ahead (advance) without sleeping.
 */
export class Clock {
	private readonly startReal = Date.now();
	private readonly startVendor: number;
	private offset = 0;

	constructor(
		/** Vendor milliseconds per real millisecond: 10 means a 10-second window lasts one real second. */
		readonly timeScale = 1,
		start?: number,
	) {
		this.startVendor = start ?? this.startReal;
	}

	now(): number {
		return this.startVendor + (Date.now() - this.startReal) * this.timeScale + this.offset;
	}

	date(): Date {
		return new Date(this.now());
	}

	iso(): string {
		return this.date().toISOString();
	}

	advance(ms: number): void {
		this.offset += ms;
	}

	/** Real milliseconds that correspond to a span of vendor time (for Retry-After style waits). */
	toReal(vendorMs: number): number {
		return vendorMs / this.timeScale;
	}
}
