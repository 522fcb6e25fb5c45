/**
 * The incremental-sync cursor for SystemModstamp (the shared change cursor of connectors/core): versions are
 * `Id@epochMs`. Where it is kept is behind `CursorStore`, so it can move from n8n's workflow static data to
 * the durable sync store without touching the sync logic.
 */
import { cursorCodec, pruneSeen as prune } from '../core/changeCursor';

export { MemoryCursorStore, type ChangeCursor, type CursorStore } from '../core/changeCursor';

const codec = cursorCodec('sfc1.', 'Salesforce');
export const encodeCursor = codec.encode;
export const decodeCursor = codec.decode;

export function pruneSeen(seen: Iterable<string>, checkpointMs: number, overlapMs: number, max = 20_000): string[] {
	return prune(seen, checkpointMs, overlapMs, { max });
}
