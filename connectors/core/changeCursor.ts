/**
 * The incremental-sync cursor shared by the vendor connectors: the checkpoint (newest modified stamp delivered)
 * plus the versions (`id@epochMs`, optionally `~contentHash`) already delivered inside the overlap window, so
 * re-reading the window for late commits never delivers a version twice. Outputs carry it as an opaque,
 * URL-safe token `<prefix><base64url JSON>`; a plain ISO date is accepted back (a first incremental run).
 */

export interface ChangeCursor {
	/** ISO 8601 UTC: every version stamped before `checkpoint - overlap` has been delivered. */
	checkpoint: string;
	/** Keys of versions delivered with a stamp inside the overlap window. */
	seen: string[];
}

export interface CursorCodec {
	encode(cursor: ChangeCursor): string;
	/** Reads a token or an ISO date/time (no de-duplication state); undefined when empty; throws for garbage. */
	decode(raw: string | undefined | null): ChangeCursor | undefined;
}

/** A codec whose tokens start with `prefix` (`sfc1.`, `pdc1.`): a cursor of one vendor is refused by another. */
export function cursorCodec(prefix: string, vendor: string): CursorCodec {
	return {
		encode: (c) => prefix + Buffer.from(JSON.stringify({ c: c.checkpoint, s: c.seen })).toString('base64url'),
		decode(raw) {
			if (raw === undefined || raw === null) return undefined;
			const text = String(raw).trim();
			if (text === '') return undefined;
			if (text.startsWith(prefix)) {
				try {
					const parsed = JSON.parse(Buffer.from(text.slice(prefix.length), 'base64url').toString('utf8')) as { c?: unknown; s?: unknown };
					if (typeof parsed.c === 'string' && !Number.isNaN(Date.parse(parsed.c))) {
						return { checkpoint: new Date(parsed.c).toISOString(), seen: Array.isArray(parsed.s) ? parsed.s.filter((x): x is string => typeof x === 'string') : [] };
					}
				} catch {
					// reported below
				}
				throw new Error(`Not a valid ${vendor} change cursor: ${text.slice(0, 40)}…`);
			}
			// Salesforce writes offsets without a colon (+0000); Date.parse wants +00:00.
			const ms = Date.parse(text.replace(/([+-])(\d{2})(\d{2})$/, '$1$2:$3'));
			if (Number.isNaN(ms)) throw new Error(`Not a date/time or ${vendor} change cursor: ${JSON.stringify(text.slice(0, 60))}`);
			return { checkpoint: new Date(ms).toISOString(), seen: [] };
		},
	};
}

/**
 * The versions worth remembering after a run: those stamped at or after `checkpoint - overlap - slack`,
 * newest first, at most `max` (beyond that the oldest go: at worst a re-delivery, never a loss).
 * `slackMs` covers vendors that stamp whole seconds.
 */
export function pruneSeen(seen: Iterable<string>, checkpointMs: number, overlapMs: number, options: { max?: number; slackMs?: number } = {}): string[] {
	const floor = checkpointMs - overlapMs - (options.slackMs ?? 0);
	const kept: Array<[string, number]> = [];
	for (const key of seen) {
		const m = /@(\d+)(?:~|$)/.exec(key);
		const at = m ? Number(m[1]) : NaN;
		if (Number.isFinite(at) && at >= floor) kept.push([key, at]);
	}
	kept.sort((a, b) => b[1] - a[1]);
	return kept.slice(0, options.max ?? 20_000).map(([k]) => k);
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
