/**
 * Salesforce record ids: 15 case-sensitive characters (3-char key prefix, 2-char pod, 1 reserved, 9 base-62
 * counter) plus a 3-character case-safe checksum. Generated ids validate like real ones, and 15-char ids sent by
 * clients are accepted and widened to 18, as the real API does.
 */

const CHECKSUM_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
// ASCII order (digits < upper < lower) so fixed-width counters sort like numbers: `ORDER BY Id` = creation order.
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ID15 = /^[a-zA-Z0-9]{15}$/;
const ID18 = /^[a-zA-Z0-9]{18}$/;

/** The 3-char suffix: one bit per upper-case letter in each 5-char chunk, mapped to A-Z0-5. */
export function checksum(id15: string): string {
	let out = '';
	for (let chunk = 0; chunk < 3; chunk++) {
		let bits = 0;
		for (let i = 0; i < 5; i++) {
			const c = id15.charCodeAt(chunk * 5 + i);
			if (c >= 65 && c <= 90) bits |= 1 << i;
		}
		out += CHECKSUM_ALPHABET[bits];
	}
	return out;
}

export function to18(id15: string): string {
	return id15 + checksum(id15);
}

/**
 * Normalises a 15- or 18-char id to 18 chars; undefined when it is not a well-formed id. An 18-char id whose
 * letters lost their case (a case-insensitive system in between) is restored from the suffix, like the real API.
 */
export function normalizeId(value: string): string | undefined {
	if (ID15.test(value)) return to18(value);
	if (!ID18.test(value)) return undefined;
	const body = value.slice(0, 15);
	const suffix = value.slice(15).toUpperCase();
	if (checksum(body) === suffix) return body + suffix;
	let restored = '';
	for (let chunk = 0; chunk < 3; chunk++) {
		const bits = CHECKSUM_ALPHABET.indexOf(suffix[chunk]);
		if (bits < 0) return undefined;
		for (let i = 0; i < 5; i++) {
			const c = body[chunk * 5 + i];
			restored += bits & (1 << i) ? c.toUpperCase() : c.toLowerCase();
		}
	}
	return checksum(restored) === suffix ? restored + suffix : undefined;
}

export function isValidId(value: string): boolean {
	return normalizeId(value) !== undefined;
}

function base62(n: number, width: number): string {
	let s = '';
	while (n > 0) {
		s = BASE62[n % 62] + s;
		n = Math.floor(n / 62);
	}
	return s.padStart(width, '0');
}

/** Deterministic ids per key prefix; `reset()` restarts the counters so the same seed yields the same ids. */
export class IdFactory {
	private readonly counters = new Map<string, number>();

	constructor(
		/** Two characters naming the "pod" (instance), as `ak` in `003ak000003dQCGAA2`. */
		private readonly pod = 'ak',
		private readonly start = 2_000_000,
	) {}

	next(prefix: string): string {
		const n = (this.counters.get(prefix) ?? this.start) + 1;
		this.counters.set(prefix, n);
		return to18(`${prefix}${this.pod}0${base62(n, 9)}`);
	}

	reset(): void {
		this.counters.clear();
	}
}

/** Query locators look like record ids with key prefix 01g, followed by `-<rows already returned>`. */
export function locatorId(n: number): string {
	return to18(`01gak0${base62(n + 100_000, 9)}`);
}
