/** Pipedrive time formats: v2 RFC 3339 (`2024-01-01T00:00:00Z`), v1 `YYYY-MM-DD HH:MM:SS` UTC without zone. */

export function v2Time(ms: number): string;
export function v2Time(ms: number | null): string | null;
export function v2Time(ms: number | null): string | null {
	if (ms === null) return null;
	return new Date(ms).toISOString().slice(0, 19) + 'Z';
}

export function v1Time(ms: number): string;
export function v1Time(ms: number | null): string | null;
export function v1Time(ms: number | null): string | null {
	if (ms === null) return null;
	return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

const RFC3339_WHOLE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(Z|[+-]\d{2}:\d{2})$/i;
const RFC3339_ANY = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i;

/**
 * `updated_since`/`updated_until` parser. The live v2 API rejects fractional seconds there
 * ("not a valid datetime"), so only whole-second RFC 3339 is accepted.
 */
export function parseQueryTime(value: string): number | null {
	if (!RFC3339_WHOLE.test(value)) return null;
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? null : ms;
}

/** Timestamps in v2 bodies (add_time, won_time, …): RFC 3339, fractions allowed. */
export function parseBodyTime(value: string): number | null {
	if (!RFC3339_ANY.test(value)) return null;
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? null : ms;
}

const V1_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** v1 `YYYY-MM-DD HH:MM:SS` (UTC). */
export function parseV1Time(value: string): number | null {
	if (!V1_TIME.test(value)) return null;
	const ms = Date.parse(value.replace(' ', 'T') + 'Z');
	return Number.isNaN(ms) ? null : ms;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isDate(value: unknown): value is string {
	if (typeof value !== 'string' || !DATE.test(value)) return false;
	const d = new Date(value + 'T00:00:00Z');
	return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value;
}

const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?$/;
export function isTimeOfDay(value: unknown): value is string {
	return typeof value === 'string' && TIME_OF_DAY.test(value);
}
