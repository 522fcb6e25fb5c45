/**
 * One poll of a polling trigger: the changes since the stored cursor, de-duplicated against the versions
 * already delivered in the overlap window, and the cursor moved past them. No n8n here: the trigger node
 * supplies the CursorStore (workflow static data today, the durable sync store later).
 */
import type { RecordEnvelope } from '../core/types';
import type { SalesforceConnector } from './connector';
import { decodeCursor, encodeCursor, pruneSeen, type ChangeCursor, type CursorStore } from './cursor';
import { versionKey } from './records';
import type { SoqlCondition } from './soql';

export interface PollOptions {
	object: string;
	/** Where this trigger's cursor is stored (workflow + node + object). */
	cursorKey: string;
	store: CursorStore;
	overlapMs: number;
	/** First poll without a cursor: `now` (only what changes from now on), `beginning` (everything), or an ISO date. */
	startAt?: string;
	fields?: string[];
	includeDeleted?: boolean;
	conditions?: SoqlCondition[];
	/** At most this many records per poll; the rest come on the next poll (the cursor stops at the last one). */
	maxRecords?: number;
	/** Epoch ms after which no further page is fetched (the engine's poll budget); the rest comes next poll. */
	deadline?: number;
	now?: () => number;
}

export interface PollResult {
	records: RecordEnvelope[];
	cursor: ChangeCursor;
	/** True on the first poll that only set the starting point. */
	initialized: boolean;
	/** More changes are waiting (maxRecords was reached). */
	more: boolean;
}

export async function pollChanges(connector: SalesforceConnector, opts: PollOptions): Promise<PollResult> {
	const now = opts.now ?? Date.now;
	const stored = await opts.store.get(opts.cursorKey);
	let cursor = decodeCursor(stored?.value);
	if (!cursor) {
		const start = opts.startAt ?? 'now';
		if (start === 'now') {
			// Changes made just before activation fall inside the next poll's overlap window: read that window
			// once and mark those versions delivered, so "from now on" means exactly that.
			const checkpointMs = now();
			const before: string[] = [];
			for await (const page of connector.changes(opts.object, { since: new Date(checkpointMs).toISOString(), overlapMs: opts.overlapMs, seen: [], fields: opts.fields, includeDeleted: opts.includeDeleted, conditions: opts.conditions })) {
				before.push(...page.records.map(versionKey));
			}
			cursor = { checkpoint: new Date(checkpointMs).toISOString(), seen: pruneSeen(before, checkpointMs, opts.overlapMs) };
			await opts.store.set(opts.cursorKey, encodeCursor(cursor));
			return { records: [], cursor, initialized: true, more: false };
		}
		cursor = start === 'beginning' ? { checkpoint: '', seen: [] } : decodeCursor(start) ?? { checkpoint: '', seen: [] };
	}
	const records: RecordEnvelope[] = [];
	let checkpoint = cursor.checkpoint || undefined;
	let more = false;
	for await (const page of connector.changes(opts.object, {
		since: checkpoint,
		overlapMs: opts.overlapMs,
		seen: cursor.seen,
		fields: opts.fields,
		includeDeleted: opts.includeDeleted,
		conditions: opts.conditions,
		maxRecords: opts.maxRecords,
	})) {
		records.push(...page.records);
		if (page.checkpoint) checkpoint = page.checkpoint;
		more = !page.done;
		if (more && opts.deadline !== undefined && now() >= opts.deadline) break;
	}
	const checkpointMs = checkpoint ? Date.parse(checkpoint) : 0;
	const next: ChangeCursor = {
		checkpoint: new Date(checkpointMs).toISOString(),
		seen: pruneSeen([...cursor.seen, ...records.map(versionKey)], checkpointMs, opts.overlapMs),
	};
	await opts.store.set(opts.cursorKey, encodeCursor(next));
	return { records, cursor: next, initialized: false, more };
}
