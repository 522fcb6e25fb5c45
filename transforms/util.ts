import { classifiedError, describeValue, type ErrorCode } from '../errors/taxonomy';
import type { TransformResult } from './types';

/** A transform body after option validation: the registry wraps it so that it never throws. */
export type Impl = (value: unknown, field: string) => TransformResult;

export function ok(value: unknown): TransformResult {
	return { ok: true, value };
}

/** Renders a value for a message; describeValue alone shows NaN as "null" and chokes on bigint. */
export function show(value: unknown): string {
	switch (typeof value) {
		case 'number':
			return String(value);
		case 'bigint':
			return `${value}n`;
		case 'symbol':
			return value.toString();
		case 'function':
			return '[function]';
		case 'string':
			// Cut before stringifying so a 1 MB value costs nothing to report.
			return describeValue(value.length > 200 ? value.slice(0, 100) : value);
		default:
			if (value instanceof Date && Number.isNaN(value.getTime())) return 'Invalid Date';
			return describeValue(value);
	}
}

/** A record-level failure: names the field and the value, then says why. */
export function fail(code: ErrorCode, field: string, value: unknown, reason: string): TransformResult {
	return {
		ok: false,
		error: classifiedError(code, { message: `Field "${field}": ${show(value)} ${reason}`, field, value }),
	};
}

/** What a non-text value is, for messages ("is an object, not text"). */
export function kindOf(value: unknown): string {
	if (value === null) return 'null';
	if (Array.isArray(value)) return 'an array';
	if (value instanceof Date) return 'a date object';
	switch (typeof value) {
		case 'number':
			return Number.isNaN(value) ? 'not a number (NaN)' : Number.isFinite(value) ? 'a number' : 'an infinite number';
		case 'object':
			return 'an object';
		case 'function':
			return 'a function';
		case 'symbol':
			return 'a symbol';
		case 'boolean':
			return 'a boolean';
		default:
			return `a ${typeof value}`;
	}
}

/**
 * Scalars accepted where text is expected. Non-finite numbers are refused: "NaN" or "Infinity" as
 * text would silently write garbage into a CRM field.
 */
export function textOf(value: unknown): string | undefined {
	switch (typeof value) {
		case 'string':
			return value;
		case 'number':
			return Number.isFinite(value) ? String(value) : undefined;
		case 'boolean':
		case 'bigint':
			return String(value);
		default:
			return undefined;
	}
}

export function notText(field: string, value: unknown): TransformResult {
	return fail('INVALID_FORMAT', field, value, `is ${kindOf(value)}, not text`);
}

/** Blank means missing for default/required-style logic: '', whitespace-only. */
export function isBlank(text: string): boolean {
	return text.length === 0 || text.trim().length === 0;
}

/**
 * A bounded cache for the parsing transforms (phone, date, address): CRM data repeats values a lot and
 * these parsers cost microseconds. Cleared whole when full, which keeps it O(1) without LRU bookkeeping.
 */
export class Memo<V> {
	private readonly map = new Map<string, V>();

	constructor(
		private readonly limit = 4096,
		private readonly maxKeyLength = 256,
	) {}

	get(key: string): V | undefined {
		return key.length > this.maxKeyLength ? undefined : this.map.get(key);
	}

	set(key: string, value: V): void {
		if (key.length > this.maxKeyLength) return;
		if (this.map.size >= this.limit) this.map.clear();
		this.map.set(key, value);
	}
}

/** Lower case, accents removed, for lookups in name tables (Québec = Quebec). */
export function foldKey(text: string): string {
	return text.normalize('NFD').replace(/\p{M}+/gu, '').toLowerCase();
}
