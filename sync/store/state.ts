import { StoreError } from './errors';
import { alertFromRow, cursorFromRow, type Ctx } from './rows';
import { all, exec, first, iso, text, toJson, toJsonValue, type Op } from './sql';
import type { AlertStateEntry, CasResult, Cursor, Timestamp } from './types';

// ---------------------------------------------------------------------------------------------- cursors

export function* getCursor(c: Ctx, key: string): Op<Cursor | null> {
	const row = yield* first(`SELECT * FROM ${c.d.t('cursors')} WHERE key = $1`, [text('key', key)]);
	return row ? cursorFromRow(row) : null;
}

export function* setCursor(c: Ctx, key: string, value: string, extra: unknown): Op<Cursor> {
	const row = yield* first(
		`INSERT INTO ${c.d.t('cursors')} AS cur (key, value, extra, version, updated_at) VALUES ($1, $2, $3, 1, $4)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, extra = excluded.extra, version = cur.version + 1,
			updated_at = excluded.updated_at
		RETURNING *`,
		[text('key', key), text('value', value), toJson(extra), c.now()],
	);
	return cursorFromRow(row!);
}

export function* advanceCursor(c: Ctx, key: string, value: string, expected: string | null, extra: unknown): Op<CasResult<Cursor>> {
	const t = c.d.t('cursors');
	text('key', key);
	text('value', value);
	const now = c.now();
	let row;
	if (expected === null) {
		row = yield* first(
			`INSERT INTO ${t} (key, value, extra, version, updated_at) VALUES ($1, $2, $3, 1, $4) ON CONFLICT DO NOTHING RETURNING *`,
			[key, value, toJson(extra), now],
		);
	} else {
		// Extra left undefined keeps the stored one.
		const setExtra = extra === undefined ? '' : ', extra = $5';
		const params = [key, value, expected, now];
		if (extra !== undefined) params.push(toJson(extra) as string);
		row = yield* first(
			`UPDATE ${t} SET value = $2, version = version + 1, updated_at = $4${setExtra} WHERE key = $1 AND value = $3 RETURNING *`,
			params,
		);
	}
	if (row) return { ok: true, current: cursorFromRow(row) };
	const current = yield* getCursor(c, key);
	// A replay of a move that already happened is a success, not a conflict.
	return { ok: current !== null && current.value === value, current };
}

export function* deleteCursor(c: Ctx, key: string): Op<boolean> {
	return (yield* exec(`DELETE FROM ${c.d.t('cursors')} WHERE key = $1`, [text('key', key)])).rowCount > 0;
}

function prefixWhere(prefix: string | undefined): [string, unknown[]] {
	if (prefix === undefined || prefix === '') return ['', []];
	// substr instead of LIKE: no escaping of % and _ in keys.
	return [' WHERE substr(key, 1, $1) = $2', [prefix.length, prefix]];
}

export function* listCursors(c: Ctx, prefix: string | undefined): Op<Cursor[]> {
	const [where, params] = prefixWhere(prefix);
	return (yield* all(`SELECT * FROM ${c.d.t('cursors')}${where} ORDER BY key`, params)).map(cursorFromRow);
}

// ---------------------------------------------------------------------------------------------- webhook events

export function* markEventProcessed(c: Ctx, source: string, eventId: string, ttlSeconds: number, now: Timestamp | undefined): Op<boolean> {
	if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) throw new StoreError('INVALID_INPUT', 'ttlSeconds must be a positive number');
	const at = now === undefined ? c.now() : iso(now);
	const expires = new Date(Date.parse(at) + ttlSeconds * 1000).toISOString();
	// Insert, or take over an expired entry that was not pruned yet; a live duplicate returns no row.
	const row = yield* first(
		`INSERT INTO ${c.d.t('processed_events')} AS e (source, event_id, processed_at, expires_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (source, event_id) DO UPDATE SET processed_at = excluded.processed_at, expires_at = excluded.expires_at
		WHERE e.expires_at <= excluded.processed_at
		RETURNING event_id`,
		[text('source', source), text('eventId', eventId), at, expires],
	);
	return row !== undefined;
}

/** Several event ids of one source in one statement; returns the ids seen for the first time. */
export function* markEventsProcessed(c: Ctx, source: string, eventIds: readonly string[], ttlSeconds: number, now: Timestamp | undefined): Op<Set<string>> {
	if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) throw new StoreError('INVALID_INPUT', 'ttlSeconds must be a positive number');
	// A row may be affected once per statement: repeats within the batch are left to the caller.
	const ids = [...new Set(eventIds.map((id) => text('eventId', id)))];
	if (ids.length === 0) return new Set();
	const at = now === undefined ? c.now() : iso(now);
	const expires = new Date(Date.parse(at) + ttlSeconds * 1000).toISOString();
	const params: unknown[] = [text('source', source), at, expires];
	const values = ids.map((id) => `($1, $${params.push(id)}, $2, $3)`).join(', ');
	const rows = yield* all(
		`INSERT INTO ${c.d.t('processed_events')} AS e (source, event_id, processed_at, expires_at) VALUES ${values}
		ON CONFLICT (source, event_id) DO UPDATE SET processed_at = excluded.processed_at, expires_at = excluded.expires_at
		WHERE e.expires_at <= excluded.processed_at
		RETURNING event_id`,
		params,
	);
	return new Set(rows.map((r) => String(r.event_id)));
}

export function* pruneProcessedEvents(c: Ctx, now: Timestamp | undefined): Op<number> {
	const at = now === undefined ? c.now() : iso(now);
	return (yield* exec(`DELETE FROM ${c.d.t('processed_events')} WHERE expires_at <= $1`, [at])).rowCount;
}

// ---------------------------------------------------------------------------------------------- alert state

export function* getAlertState<T>(c: Ctx, key: string): Op<AlertStateEntry<T> | null> {
	const row = yield* first(`SELECT * FROM ${c.d.t('alert_state')} WHERE key = $1`, [text('key', key)]);
	return row ? alertFromRow<T>(row) : null;
}

export function* setAlertState<T>(c: Ctx, key: string, value: T): Op<AlertStateEntry<T>> {
	const row = yield* first(
		`INSERT INTO ${c.d.t('alert_state')} AS a (key, value, version, updated_at) VALUES ($1, $2, 1, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = a.version + 1, updated_at = excluded.updated_at
		RETURNING *`,
		[text('key', key), toJsonValue(value), c.now()],
	);
	return alertFromRow<T>(row!);
}

export function* compareAndSetAlertState<T>(c: Ctx, key: string, value: T, expectedVersion: number | null): Op<CasResult<AlertStateEntry<T>>> {
	const t = c.d.t('alert_state');
	const now = c.now();
	const row =
		expectedVersion === null
			? yield* first(`INSERT INTO ${t} (key, value, version, updated_at) VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING RETURNING *`, [
					text('key', key),
					toJsonValue(value),
					now,
				])
			: yield* first(`UPDATE ${t} SET value = $2, version = version + 1, updated_at = $3 WHERE key = $1 AND version = $4 RETURNING *`, [
					text('key', key),
					toJsonValue(value),
					now,
					expectedVersion,
				]);
	if (row) return { ok: true, current: alertFromRow<T>(row) };
	return { ok: false, current: yield* getAlertState<T>(c, key) };
}

export function* deleteAlertState(c: Ctx, key: string): Op<boolean> {
	return (yield* exec(`DELETE FROM ${c.d.t('alert_state')} WHERE key = $1`, [text('key', key)])).rowCount > 0;
}

export function* listAlertState<T>(c: Ctx, prefix: string | undefined): Op<AlertStateEntry<T>[]> {
	const [where, params] = prefixWhere(prefix);
	return (yield* all(`SELECT * FROM ${c.d.t('alert_state')}${where} ORDER BY key`, params)).map((r) => alertFromRow<T>(r));
}

/** Deletes every cursor whose key starts with the prefix (one statement); returns how many. */
export function* deleteCursorsWithPrefix(c: Ctx, prefix: string): Op<number> {
	if (!prefix) throw new StoreError('INVALID_INPUT', 'A prefix is needed to delete cursors');
	const [where, params] = prefixWhere(prefix);
	return (yield* exec(`DELETE FROM ${c.d.t('cursors')}${where}`, params)).rowCount;
}
