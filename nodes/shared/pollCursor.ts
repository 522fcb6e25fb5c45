/**
 * The durable cursor of the polling triggers: kept in the sync store (the embedded SQLite file or PostgreSQL),
 * so it survives restarts and is shared by queue-mode workers. A cursor that silently reset would re-deliver
 * (or, with "start from now", lose) records, so a store that cannot be opened fails the poll instead of
 * falling back to anything.
 *
 * Writes are compare-and-set against the value this poll read: when another worker moved the cursor in
 * between, this poll fails rather than delivering records the other worker already delivered.
 */
import { NodeOperationError, type IPollFunctions } from 'n8n-workflow';
import type { CursorStore } from '../../connectors/core/changeCursor';
import type { SyncStore } from '../../sync/store';
import { openNodeStore } from './store';

export class SyncStoreCursorStore implements CursorStore {
	/** The value each key had when read (null: absent), for the compare-and-set on write. */
	private readonly read = new Map<string, string | null>();

	constructor(private readonly store: SyncStore) {}

	async get(key: string): Promise<{ value: string } | null> {
		const cursor = await this.store.getCursor(key);
		this.read.set(key, cursor?.value ?? null);
		return cursor ? { value: cursor.value } : null;
	}

	async set(key: string, value: string): Promise<void> {
		if (!this.read.has(key)) {
			await this.store.setCursor(key, value);
		} else {
			const result = await this.store.advanceCursor(key, value, this.read.get(key) ?? null);
			if (!result.ok) throw new Error(`The poll cursor ${key} was moved by another poll in the meantime; this poll's records are left to it`);
		}
		this.read.set(key, value);
	}
}

/** The store key of one trigger's cursor: vendor, workflow, node and what it watches. */
export function pollCursorKey(ctx: IPollFunctions, vendor: string, watched: string): string {
	const workflowId = ctx.getWorkflow().id ?? 'unsaved';
	const node = ctx.getNode();
	return `poll:${vendor}:${workflowId}:${node.id ?? node.name}:${watched}`;
}

/**
 * Opens the node's store (its Store / SQLite File parameters) and the cursor store over it. Close the returned
 * handle when the poll is done.
 */
export async function openPollCursorStore(ctx: IPollFunctions): Promise<{ cursors: SyncStoreCursorStore; close(): Promise<void> }> {
	let store: SyncStore;
	try {
		store = await openNodeStore(ctx);
	} catch (err) {
		throw new NodeOperationError(ctx.getNode(), `The poll cursor store could not be opened: ${(err as Error).message}`, {
			description: 'The trigger keeps its position in the sync store so it neither repeats nor skips records; check the Store and SQLite File parameters (or the Sync Store credential)',
		});
	}
	return { cursors: new SyncStoreCursorStore(store), close: () => store.close() };
}
