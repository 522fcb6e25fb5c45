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

export interface ChangeCursor {
	/** ISO 8601 UTC. */
	checkpoint: string;
	seen: string[];
}

const PREFIX = 'pdc1.';

export function encodeCursor(c: ChangeCursor): string {
	return PREFIX + Buffer.from(JSON.stringify({ c: c.checkpoint, s: c.seen })).toString('base64url');
}

export function decodeCursor(raw: string | undefined | null): ChangeCursor | undefined {
	if (raw === undefined || raw === null) return undefined;
	const text = String(raw).trim();
	if (text === '') return undefined;
	if (text.startsWith(PREFIX)) {
		try {
			const parsed = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8')) as { c?: unknown; s?: unknown };
			if (typeof parsed.c === 'string' && !Number.isNaN(Date.parse(parsed.c))) {
				return { checkpoint: new Date(parsed.c).toISOString(), seen: Array.isArray(parsed.s) ? parsed.s.filter((x): x is string => typeof x === 'string') : [] };
			}
		} catch {
			// reported below
		}
		throw new Error(`Not a valid Pipedrive change cursor: ${text.slice(0, 40)}…`);
	}
	const ms = Date.parse(text);
	if (Number.isNaN(ms)) throw new Error(`Not a date/time or Pipedrive change cursor: ${JSON.stringify(text.slice(0, 60))}`);
	return { checkpoint: new Date(ms).toISOString(), seen: [] };
}

/** The key of one delivered version: id, update_time and a short hash of the record's content. */
export function versionKey(id: unknown, updateMs: number, raw: unknown): string {
	return `${String(id)}@${updateMs}~${createHash('sha1').update(JSON.stringify(raw)).digest('hex').slice(0, 10)}`;
}

/** `updated_since` as the v2 API wants it: RFC 3339 in UTC, whole seconds (fractions are refused). */
export function updatedSince(ms: number): string {
	return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The versions worth remembering: those stamped at or after `checkpoint - overlap`, newest first, bounded. */
export function pruneSeen(seen: Iterable<string>, checkpointMs: number, overlapMs: number, max = 20_000): string[] {
	const floor = checkpointMs - overlapMs - 1000;
	const kept: Array<[string, number]> = [];
	for (const key of seen) {
		const m = /@(\d+)(?:~|$)/.exec(key);
		const at = m ? Number(m[1]) : NaN;
		if (Number.isFinite(at) && at >= floor) kept.push([key, at]);
	}
	// Beyond `max` the oldest go: at worst a re-delivery, never a loss.
	kept.sort((a, b) => b[1] - a[1]);
	return kept.slice(0, max).map(([k]) => k);
}
