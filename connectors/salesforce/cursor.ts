/**
 * The incremental-sync cursor for SystemModstamp: the checkpoint (newest stamp processed) plus the
 * versions (Id@stamp) already delivered inside the overlap window, so re-reading the window for late
 * commits never delivers a version twice. Where it is kept is behind `CursorStore`, so it can move from
 * n8n's workflow static data to the durable sync store without touching the sync logic.
 */

export interface ChangeCursor {
	/** ISO 8601 UTC: every version stamped before `checkpoint - overlap` has been delivered. */
	checkpoint: string;
	/** `Id@epochMs` of versions delivered with a stamp inside the overlap window. */
	seen: string[];
}

const PREFIX = 'sfc1.';

/** An opaque, URL-safe token for node outputs (a plain ISO date is also accepted back). */
export function encodeCursor(c: ChangeCursor): string {
	return PREFIX + Buffer.from(JSON.stringify({ c: c.checkpoint, s: c.seen })).toString('base64url');
}

/** Reads a token from encodeCursor, or an ISO date/time (no de-duplication state); undefined when empty. */
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
			// fall through to the error below
		}
		throw new Error(`Not a valid Salesforce change cursor: ${text.slice(0, 40)}…`);
	}
	const ms = Date.parse(text.replace(/([+-])(\d{2})(\d{2})$/, '$1$2:$3'));
	if (Number.isNaN(ms)) throw new Error(`Not a date/time or change cursor: ${JSON.stringify(text.slice(0, 60))}`);
	return { checkpoint: new Date(ms).toISOString(), seen: [] };
}

/** Where cursors live. Same shape as the durable store's cursor API (sync/store), so an adapter is one line per method. */
export interface CursorStore {
	get(key: string): Promise<{ value: string } | null>;
	set(key: string, value: string): Promise<void>;
}

/** In memory (tests, and a fallback when nothing durable is configured). */
export class MemoryCursorStore implements CursorStore {
	readonly values = new Map<string, string>();
	async get(key: string): Promise<{ value: string } | null> {
		const value = this.values.get(key);
		return value === undefined ? null : { value };
	}
	async set(key: string, value: string): Promise<void> {
		this.values.set(key, value);
	}
}

/** The versions worth remembering after a run: those stamped at or after `checkpoint - overlap`, newest first, bounded. */
export function pruneSeen(seen: Iterable<string>, checkpointMs: number, overlapMs: number, max = 20_000): string[] {
	const floor = checkpointMs - overlapMs;
	const kept: Array<[string, number]> = [];
	for (const key of seen) {
		const at = Number(key.slice(key.lastIndexOf('@') + 1));
		if (Number.isFinite(at) && at >= floor) kept.push([key, at]);
	}
	// Bounded: beyond `max`, the oldest are dropped (at worst a re-delivery, never a loss).
	kept.sort((a, b) => b[1] - a[1]);
	return kept.slice(0, max).map(([k]) => k);
}
