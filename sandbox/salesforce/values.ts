/** Salesforce wire formats for dates and datetimes. */

/** `2013-05-20T20:49:32.000+0000`, the format every datetime field is serialised in. */
export function formatDateTime(ms: number): string {
	return new Date(ms).toISOString().replace('Z', '+0000');
}

/** Salesforce stores datetimes to the second: stamps set in the same second tie (the reason sync needs `>=` + Id). */
export function truncateToSecond(ms: number): number {
	return ms - (((ms % 1000) + 1000) % 1000);
}

const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function validDate(y: number, m: number, d: number): boolean {
	const t = new Date(Date.UTC(y, m - 1, d));
	return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

/**
 * Parses a datetime as the REST API accepts it in a JSON body (`2024-01-02T03:04:05.000+0000`, `…Z`, `…+01:00`,
 * or a bare date). Returns ms, or undefined when the value would fail deserialisation.
 */
export function parseDateTimeValue(value: string): number | undefined {
	const m = ISO_DATETIME.exec(value);
	if (!m) {
		const d = ISO_DATE.exec(value);
		if (!d || !validDate(+d[1], +d[2], +d[3])) return undefined;
		return Date.UTC(+d[1], +d[2] - 1, +d[3]);
	}
	const [, y, mo, d, h, mi, s, frac, tz] = m;
	if (!validDate(+y, +mo, +d) || +h > 23 || +mi > 59 || +(s ?? 0) > 59) return undefined;
	let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +(s ?? 0), frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0);
	if (tz && tz !== 'Z') {
		const sign = tz[0] === '-' ? -1 : 1;
		const digits = tz.slice(1).replace(':', '');
		ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
	}
	return ms;
}

export function parseDateValue(value: string): string | undefined {
	const d = ISO_DATE.exec(value);
	return d && validDate(+d[1], +d[2], +d[3]) ? value : undefined;
}

/** `YYYY-MM-DD` to ms at UTC midnight. */
export function dateToMs(value: string): number {
	return Date.UTC(Number(value.slice(0, 4)), Number(value.slice(5, 7)) - 1, Number(value.slice(8, 10)));
}

export function msToDate(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

/** RFC 1123, for Last-Modified / If-Modified-Since. */
export function httpDate(ms: number): string {
	return new Date(ms).toUTCString();
}
