/**
 * The incremental-sync cursor for Pipedrive's `update_time`: the checkpoint (newest update_time delivered)
 * plus the versions (`id@epochMs~contentHash`) already delivered inside the overlap window. Pipedrive stamps whole
 * seconds and `updated_since` is inclusive, so the next run re-reads the checkpoint's second (and the overlap
 * before it, for late commits); the seen list keeps those versions from being delivered twice. The content
 * hash matters because two writes within one second show the same update_time: the second one must not pass
 * for "already delivered".
 * Token format `pdc1.<base64url JSON>`; a plain ISO date is accepted back (a first incremental run).
 */
import { createHash } from 'node:crypto';
import { cursorCodec, pruneSeen as prune } from '../core/changeCursor';

export type { ChangeCursor } from '../core/changeCursor';

const codec = cursorCodec('pdc1.', 'Pipedrive');
export const encodeCursor = codec.encode;
export const decodeCursor = codec.decode;

/** The key of one delivered version: id, update_time and a short hash of the record's content. */
export function versionKey(id: unknown, updateMs: number, raw: unknown): string {
	return `${String(id)}@${updateMs}~${createHash('sha1').update(JSON.stringify(raw)).digest('hex').slice(0, 10)}`;
}

/** `updated_since` as the v2 API wants it: RFC 3339 in UTC, whole seconds (fractions are refused). */
export function updatedSince(ms: number): string {
	return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The versions worth remembering: Pipedrive stamps whole seconds, so one more second of slack. */
export function pruneSeen(seen: Iterable<string>, checkpointMs: number, overlapMs: number, max = 20_000): string[] {
	return prune(seen, checkpointMs, overlapMs, { max, slackMs: 1000 });
}
