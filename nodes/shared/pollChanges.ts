/**
 * One poll of a vendor polling trigger (HubSpot, Pipedrive, Jobber): the changes since the durable cursor,
 * re-reading an overlap window before it for late commits, without the versions already delivered (the
 * cursor's `seen` list), and the cursor moved past what was read. The vendor part is only the change reader.
 */
import type { INodeProperties } from 'n8n-workflow';
import { cursorCodec, pruneSeen, type ChangeCursor, type CursorStore } from '../../connectors/core/changeCursor';
import type { ChangesPage, RecordEnvelope } from '../../connectors/core/types';

const codec = cursorCodec('fxp1.', 'FluxCascade poll');

export type ChangeEvent = 'created' | 'updated' | 'deleted';

export interface PollReader {
	/** The connector's change reader from `since` (inclusive) minus `overlapMs`, oldest first (or pages whose checkpoints say so). */
	changes(since: string | undefined, overlapMs: number): AsyncIterable<ChangesPage>;
	/**
	 * True when the reader takes and returns its own cursor token with de-duplication inside (Pipedrive): the
	 * token is then stored as is. Otherwise the cursor is `{checkpoint, seen}` with `id@epochMs` version keys.
	 */
	ownsCursor?: boolean;
	/** Vendors that stamp whole seconds keep a second more of the seen list. */
	slackMs?: number;
}

export interface PollOptions {
	key: string;
	store: CursorStore;
	reader: PollReader;
	overlapMs: number;
	/** First poll without a cursor: `now` (only later changes), `beginning` (everything), or an ISO date. */
	startAt?: string;
	/** Stop after the page that reaches this many records; the rest comes next poll. */
	maxRecords?: number;
	/** Epoch ms after which no further page is fetched. */
	deadline?: number;
	now?: () => number;
}

export interface PollResult {
	records: RecordEnvelope[];
	initialized: boolean;
	more: boolean;
}

export function versionKey(record: RecordEnvelope): string {
	return `${record.id}@${Date.parse(record.updatedAt)}`;
}

export async function pollChanges(opts: PollOptions): Promise<PollResult> {
	const now = opts.now ?? Date.now;
	const stored = (await opts.store.get(opts.key))?.value;
	const start = opts.startAt ?? 'now';
	// Starting now: the changes already inside the overlap window count as delivered (read once, not emitted).
	const initializing = stored === undefined && start === 'now';
	const startCursor = start === 'beginning' ? undefined : start === 'now' ? new Date(now()).toISOString() : new Date(start).toISOString();
	const records: RecordEnvelope[] = [];
	let more = false;
	const stop = (page: ChangesPage) => {
		more = !page.done;
		return more && ((opts.maxRecords !== undefined && records.length >= opts.maxRecords) || (opts.deadline !== undefined && now() >= opts.deadline));
	};

	if (opts.reader.ownsCursor) {
		let token = stored ?? startCursor;
		for await (const page of opts.reader.changes(token, opts.overlapMs)) {
			records.push(...page.records);
			if (page.checkpoint) token = page.checkpoint;
			if (stop(page)) break;
		}
		if (token !== undefined && token !== stored) await opts.store.set(opts.key, token);
		return initializing ? { records: [], initialized: true, more: false } : { records, initialized: false, more };
	}

	const cursor: ChangeCursor | undefined = stored !== undefined ? codec.decode(stored) : startCursor ? { checkpoint: startCursor, seen: [] } : undefined;
	const seen = new Set(cursor?.seen ?? []);
	let checkpoint = cursor?.checkpoint;
	for await (const page of opts.reader.changes(checkpoint, opts.overlapMs)) {
		for (const record of page.records) {
			const key = versionKey(record);
			if (seen.has(key)) continue;
			seen.add(key);
			records.push(record);
		}
		if (page.checkpoint) checkpoint = page.checkpoint;
		if (stop(page)) break;
	}
	const checkpointMs = Math.max(checkpoint ? Date.parse(checkpoint) : 0, initializing && startCursor ? Date.parse(startCursor) : 0);
	const next: ChangeCursor = { checkpoint: new Date(checkpointMs).toISOString(), seen: pruneSeen(seen, checkpointMs, opts.overlapMs, { slackMs: opts.reader.slackMs }) };
	await opts.store.set(opts.key, codec.encode(next));
	return initializing ? { records: [], initialized: true, more: false } : { records, initialized: false, more };
}

/**
 * Created or updated from the record's own stamps: a first save leaves the modified stamp at (or within
 * `toleranceMs` of) the created stamp; a missing modified stamp means never modified.
 */
export function changeEventOf(record: RecordEnvelope, createdField: string, modifiedField: string | undefined, toleranceMs = 0): ChangeEvent {
	if (record.deleted) return 'deleted';
	const created = Date.parse(String(record.fields[createdField] ?? ''));
	const rawModified = modifiedField ? record.fields[modifiedField] : record.updatedAt;
	if (rawModified === null || rawModified === undefined || rawModified === '') return Number.isNaN(created) ? 'updated' : 'created';
	const modified = Date.parse(String(rawModified));
	if (Number.isNaN(created) || Number.isNaN(modified)) return 'updated';
	return Math.abs(modified - created) <= toleranceMs ? 'created' : 'updated';
}

/**
 * The trigger parameters every vendor poll trigger shares, after its object choice. `extraOptions` are a
 * vendor's own entries of the Options collection (kept alphabetical, before Max Records and Overlap).
 */
export function pollProperties(extraOptions: INodeProperties[] = []): INodeProperties[] {
	return [
		{
			displayName: 'Trigger On',
			name: 'event',
			type: 'options',
			options: [
				{ name: 'New or Updated Records', value: 'all' },
				{ name: 'New Records Only', value: 'created' },
				{ name: 'Updated Records Only', value: 'updated' },
			],
			default: 'all',
		},
		{
			displayName: 'Start From',
			name: 'startFrom',
			type: 'options',
			options: [
				{ name: 'Now', value: 'now', description: 'Only changes made after the workflow is activated' },
				{ name: 'The Beginning', value: 'beginning', description: 'Every existing record first (a backfill), then changes' },
				{ name: 'A Date', value: 'date' },
			],
			default: 'now',
			description: 'Where the first poll starts; later polls continue from the stored cursor',
		},
		{
			displayName: 'Start Date',
			name: 'startDate',
			type: 'dateTime',
			default: '',
			required: true,
			displayOptions: { show: { startFrom: ['date'] } },
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			options: [
				...extraOptions,
				{
					displayName: 'Max Records per Poll',
					name: 'maxRecords',
					type: 'number',
					typeOptions: { minValue: 1 },
					default: 10000,
					description: 'Reading stops after the page that reaches this many; the rest comes on the next poll, nothing is skipped',
				},
				{
					displayName: 'Overlap (Seconds)',
					name: 'overlapSeconds',
					type: 'number',
					typeOptions: { minValue: 0 },
					default: 60,
					description: 'Re-read this many seconds before the cursor for late commits and clock skew; changes already delivered are not repeated',
				},
			],
		},
	];
}
