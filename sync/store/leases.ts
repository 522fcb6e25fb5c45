import { StoreError } from './errors';
import type { Ctx } from './rows';
import { all, exec, str, text, type Op, type Row } from './sql';
import type { AcquirePairLeasesOptions, AcquirePairLeasesResult, PairLease } from './types';

/**
 * Pair leases: one row per leased pair (mapping id, source id) with the holder's token and an expiry. Taking a
 * lease is one upsert that only overwrites an expired lease or the caller's own, so of any number of concurrent
 * callers exactly one gets it; releasing deletes only the caller's own rows.
 */

/** Ids per statement (two parameters each, well within every driver's limit). */
const CHUNK = 500;

function leaseFromRow(r: Row): PairLease {
	return { mappingId: str(r.mapping_id), sourceId: str(r.source_id), token: str(r.token), acquiredAt: str(r.acquired_at), expiresAt: str(r.expires_at) };
}

/** The one order every caller takes leases in: sorted by UTF-16 code unit, duplicates removed. */
export function leaseOrder(ids: readonly string[]): string[] {
	return [...new Set(ids.map((id) => text('sourceId', id)))].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function* acquirePairLeases(
	c: Ctx,
	mappingId: string,
	token: string,
	sourceIds: readonly string[],
	options: AcquirePairLeasesOptions,
): Op<AcquirePairLeasesResult> {
	text('mappingId', mappingId);
	text('token', token);
	const ttl = options.ttlSeconds;
	if (!(ttl > 0) || !Number.isFinite(ttl)) throw new StoreError('INVALID_INPUT', 'ttlSeconds must be a positive number');
	const ids = leaseOrder(sourceIds);
	const result: AcquirePairLeasesResult = { acquired: [], blocked: null, takenOver: [] };
	if (ids.length === 0) return result;
	const t = c.d.t('pair_leases');
	const now = c.now();
	const expires = new Date(Date.parse(now) + ttl * 1000).toISOString();
	const takeOver = new Set(options.takeOver ?? []);

	for (let i = 0; i < ids.length; i += CHUNK) {
		const chunk = ids.slice(i, i + CHUNK);
		const forced = chunk.filter((id) => takeOver.has(id));
		if (forced.length) {
			const held = yield* all(`SELECT * FROM ${t} WHERE mapping_id = $1 AND token <> $2 AND expires_at > $3 AND ${c.d.inList('source_id', '$4')}`, [
				mappingId,
				token,
				now,
				forced,
			]);
			result.takenOver.push(...held.map(leaseFromRow));
		}
		const params: unknown[] = [mappingId, token, now, expires, forced];
		const values = chunk.map((id) => `($1, $${params.push(id)}, $2, $3, $4)`).join(', ');
		const rows = yield* all(
			`INSERT INTO ${t} AS l (mapping_id, source_id, token, acquired_at, expires_at) VALUES ${values}
			ON CONFLICT (mapping_id, source_id) DO UPDATE SET token = excluded.token, acquired_at = excluded.acquired_at, expires_at = excluded.expires_at
			WHERE l.token = excluded.token OR l.expires_at <= excluded.acquired_at OR ${c.d.inList('l.source_id', '$5')}
			RETURNING source_id`,
			params,
		);
		const got = new Set(rows.map((r) => str(r.source_id)));
		const stop = chunk.findIndex((id) => !got.has(id));
		if (stop < 0) {
			result.acquired.push(...chunk);
			continue;
		}
		result.acquired.push(...chunk.slice(0, stop));
		// Never hold anything past the first lease another token holds: give back what this statement took after it
		// (it is taken again, in order, once the blocking lease is free).
		const after = chunk.slice(stop + 1).filter((id) => got.has(id));
		if (after.length) yield* exec(`DELETE FROM ${t} WHERE mapping_id = $1 AND token = $2 AND ${c.d.inList('source_id', '$3')}`, [mappingId, token, after]);
		const blocker = yield* all(`SELECT * FROM ${t} WHERE mapping_id = $1 AND source_id = $2`, [mappingId, chunk[stop]]);
		// Rows are locked by the upsert; the blocker cannot vanish within this transaction on PostgreSQL, and SQLite
		// serialises writers. Should it have anyway, the caller simply asks again.
		result.blocked = blocker[0]
			? leaseFromRow(blocker[0])
			: { mappingId, sourceId: chunk[stop], token: '', acquiredAt: now, expiresAt: now };
		break;
	}
	return result;
}

export function* releasePairLeases(c: Ctx, mappingId: string, token: string, sourceIds: readonly string[] | undefined): Op<number> {
	const t = c.d.t('pair_leases');
	if (sourceIds === undefined) {
		return (yield* exec(`DELETE FROM ${t} WHERE mapping_id = $1 AND token = $2`, [text('mappingId', mappingId), text('token', token)])).rowCount;
	}
	const ids = leaseOrder(sourceIds);
	let released = 0;
	for (let i = 0; i < ids.length; i += CHUNK) {
		released += (yield* exec(`DELETE FROM ${t} WHERE mapping_id = $1 AND token = $2 AND ${c.d.inList('source_id', '$3')}`, [
			text('mappingId', mappingId),
			text('token', token),
			ids.slice(i, i + CHUNK),
		])).rowCount;
	}
	return released;
}

export function* listPairLeases(c: Ctx, mappingId: string, sourceIds: readonly string[] | undefined): Op<PairLease[]> {
	const t = c.d.t('pair_leases');
	if (sourceIds !== undefined && sourceIds.length === 0) return [];
	const rows =
		sourceIds === undefined
			? yield* all(`SELECT * FROM ${t} WHERE mapping_id = $1 ORDER BY source_id`, [text('mappingId', mappingId)])
			: yield* all(`SELECT * FROM ${t} WHERE mapping_id = $1 AND ${c.d.inList('source_id', '$2')} ORDER BY source_id`, [
					text('mappingId', mappingId),
					leaseOrder(sourceIds),
				]);
	return rows.map(leaseFromRow);
}
