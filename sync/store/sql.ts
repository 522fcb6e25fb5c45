import { randomBytes } from 'node:crypto';
import { StoreError } from './errors';
import type { Timestamp } from './types';

/**
 * Store logic is written once as generators that yield SQL and receive rows ("sans-IO"), so each backend
 * runs the same steps its own way: SQLite runs a whole generator synchronously inside one transaction
 * (a `DatabaseSync` transaction must never span an await: another handle in the same process would block
 * the event loop in its busy wait and the lock holder could never finish), PostgreSQL awaits each step on
 * one pooled client.
 */

export type Row = Record<string, unknown>;

export interface Query {
	sql: string;
	params: readonly unknown[];
}

export interface QueryResult {
	rows: Row[];
	rowCount: number;
}

export type Op<T> = Generator<Query, T, QueryResult>;

/** `write`: a write transaction (SQLite BEGIN IMMEDIATE); `read`: a consistent read; `none`: autocommit statements. */
export type TxMode = 'write' | 'read' | 'none';

export type BackendName = 'sqlite' | 'postgres';

export interface Driver {
	readonly dialect: Dialect;
	run<T>(op: () => Op<T>, mode: TxMode): Promise<T>;
	close(): Promise<void>;
}

/** The few places where the SQL differs between backends. Parameters are written `$1`, `$2`… everywhere. */
export interface Dialect {
	readonly name: BackendName;
	/** Table name, schema-qualified on PostgreSQL. */
	t(table: string): string;
	/** `col IN (list)` for a parameter bound to a string array. */
	inList(column: string, param: string): string;
	/** Row locks that skip rows another transaction holds (PG); empty on SQLite, whose writers are serialised. */
	readonly lockSkipLocked: string;
	/** Row lock for read-modify-write (PG); empty on SQLite. */
	readonly lockForUpdate: string;
	/** Milliseconds between two timestamp columns, as a number expression. */
	msBetween(from: string, to: string): string;
	/** A timestamp parameter where PostgreSQL could not infer the type (COALESCE, row comparisons). */
	ts(param: string): string;
	/**
	 * The rows of a JSON array of objects bound to `param` (see `jsonRows`), as a subquery with these columns: one
	 * statement for a whole batch instead of one per row.
	 */
	rows(param: string, columns: Readonly<Record<string, ColumnType>>): string;
	/** RETURNING every column of the table an `UPDATE … AS alias … FROM` changed (and none of the FROM item's). */
	returningAll(alias: string): string;
}

/**
 * `WITH u AS MATERIALIZED (rows)`: the batch as a CTE named `u`, to put before the INSERT or UPDATE that reads it.
 * Materialized, because SQLite would otherwise plan an UPDATE … FROM as a scan of the JSON per table row (seconds
 * for 1,000 rows instead of milliseconds); PostgreSQL (12+) takes it as it is.
 */
export function withRows(d: Dialect, param: string, columns: Readonly<Record<string, ColumnType>>): string {
	return `WITH u AS MATERIALIZED ${d.rows(param, columns)}`;
}

/** Column types of `Dialect.rows`: JSON columns travel as JSON text (`toJson`), timestamps as ISO text. */
export type ColumnType = 'text' | 'int' | 'ts' | 'json';

/** Rows per batch statement (`Dialect.rows`): a 10,000-record batch is a handful of statements. */
export const BATCH_ROWS = 1000;

/** The parameter value for `Dialect.rows`: the rows as one JSON text (both drivers bind it as a string). */
export function jsonRows(rows: readonly object[]): string {
	return JSON.stringify(rows);
}

/** `list` in slices of `size`. */
export function slices<T>(list: readonly T[], size = BATCH_ROWS): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += size) out.push(list.slice(i, i + size));
	return out;
}

export function* exec(sql: string, params: readonly unknown[] = []): Op<QueryResult> {
	return yield { sql, params };
}

export function* all(sql: string, params: readonly unknown[] = []): Op<Row[]> {
	return (yield* exec(sql, params)).rows;
}

export function* first(sql: string, params: readonly unknown[] = []): Op<Row | undefined> {
	return (yield* exec(sql, params)).rows[0];
}

// ---------------------------------------------------------------------------------------------- values

/** Normalises a timestamp input to the stored form: an ISO string with milliseconds, in UTC. */
export function iso(value: Timestamp): string {
	const date = value instanceof Date ? value : new Date(value);
	const time = date.getTime();
	if (Number.isNaN(time)) throw new StoreError('INVALID_INPUT', `Not a valid timestamp: ${String(value)}`);
	return date.toISOString();
}

export function isoOrNull(value: Timestamp | null | undefined): string | null {
	return value === null || value === undefined ? null : iso(value);
}

/** JSON for a column; undefined and null both become SQL NULL. */
export function toJson(value: unknown): string | null {
	if (value === undefined || value === null) return null;
	const text = JSON.stringify(value);
	if (text === undefined) throw new StoreError('INVALID_INPUT', 'Value is not JSON-serialisable');
	return text;
}

/** JSON for a column that holds any value, null included (stored as JSON `null`, not SQL NULL). */
export function toJsonValue(value: unknown): string {
	return toJson(value === undefined ? null : value) ?? 'null';
}

/** Both drivers hand JSON columns back as text (see postgres.ts type parsers). */
export function fromJson<T = unknown>(value: unknown): T | null {
	if (value === null || value === undefined) return null;
	if (typeof value !== 'string') return value as T;
	return JSON.parse(value) as T;
}

/** Ids, keys and names must be non-empty strings: an empty id would pair unrelated records. */
export function text(name: string, value: unknown): string {
	if (typeof value !== 'string' || value === '') throw new StoreError('INVALID_INPUT', `${name} must be a non-empty string`);
	return value;
}

export function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
	if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
		throw new StoreError('INVALID_INPUT', `${name} must be one of ${allowed.join(', ')}; got ${String(value)}`);
	}
	return value as T;
}

export function str(value: unknown): string {
	return String(value);
}

export function strOrNull(value: unknown): string | null {
	return value === null || value === undefined ? null : String(value);
}

export function num(value: unknown): number {
	return value === null || value === undefined ? 0 : Number(value);
}

/** Timestamps come back as ISO strings from both drivers already; this only guards nulls. */
export function tsOrNull(value: unknown): string | null {
	return value === null || value === undefined ? null : String(value);
}

let lastMs = -1;
let counter = 0;

/**
 * A time-ordered id (UUID version 7 layout: 48-bit milliseconds, a 12-bit counter, random bits), so that id
 * order follows creation order and keyset paging by (created_at, id) is stable. Within one process ids are
 * strictly increasing, also for ids made in the same millisecond or when the clock steps back.
 */
export function newId(now = Date.now()): string {
	const bytes = randomBytes(16);
	if (now > lastMs) {
		lastMs = now;
		// Start low in the counter space so a burst within one millisecond rarely overflows it.
		counter = ((bytes[6] & 0x03) << 8) | bytes[7];
	} else if (++counter > 0xfff) {
		lastMs++;
		counter = 0;
	}
	let ms = lastMs;
	for (let i = 5; i >= 0; i--) {
		bytes[i] = ms % 256;
		ms = Math.floor(ms / 256);
	}
	bytes[6] = 0x70 | (counter >> 8);
	bytes[7] = counter & 0xff;
	bytes[8] = (bytes[8] & 0x3f) | 0x80;
	const hex = bytes.toString('hex');
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Opaque keyset cursors: the sort key of the last row of a page. */
export function encodeCursor(parts: readonly string[]): string {
	return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, size: number): string[] {
	try {
		const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
		if (Array.isArray(parts) && parts.length === size && parts.every((p) => typeof p === 'string')) return parts as string[];
	} catch {
		// fall through
	}
	throw new StoreError('INVALID_INPUT', 'Invalid page cursor');
}

export function pageLimit(limit: number | undefined): number {
	if (limit === undefined) return 100;
	if (!Number.isInteger(limit) || limit < 1) throw new StoreError('INVALID_INPUT', `Invalid page limit: ${limit}`);
	return Math.min(limit, 1000);
}

/** Collects positional parameters while a statement is assembled: `p.add(v)` returns `$n`. */
export class Params {
	readonly values: unknown[] = [];
	add(value: unknown): string {
		this.values.push(value);
		return `$${this.values.length}`;
	}
}

export function asArray<T>(value: T | readonly T[] | undefined): readonly T[] | undefined {
	if (value === undefined) return undefined;
	return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}
