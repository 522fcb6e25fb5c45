/**
 * The poll() of the vendor polling triggers: parameters, the durable cursor, the event filter, manual mode
 * ("Fetch Test Event": a sample of recent records, the cursor untouched) and vendor errors as NodeApiError.
 */
import { NodeApiError, type IDataObject, type INodeExecutionData, type IPollFunctions, type JsonObject } from 'n8n-workflow';
import { ConnectorError } from '../../connectors/core/errors';
import type { RecordEnvelope } from '../../connectors/core/types';
import { pollChanges, type ChangeEvent, type PollReader } from './pollChanges';
import { openPollCursorStore, pollCursorKey } from './pollCursor';

export const SAMPLE_SIZE = 5;

export interface PollTriggerSpec {
	vendor: string;
	/** What is watched (object name), part of the cursor key. */
	watched: string;
	reader: PollReader;
	/** Up to SAMPLE_SIZE recent records, for manual mode. */
	sample(): Promise<RecordEnvelope[]>;
	changeEvent(record: RecordEnvelope): ChangeEvent;
}

export async function runPollTrigger(ctx: IPollFunctions, spec: () => Promise<PollTriggerSpec>): Promise<INodeExecutionData[][] | null> {
	const event = ctx.getNodeParameter('event', 'all') as 'all' | ChangeEvent;
	const options = ctx.getNodeParameter('options', {}) as IDataObject;
	const toItem = (record: RecordEnvelope, change: ChangeEvent): INodeExecutionData => ({ json: { ...(record as unknown as IDataObject), event: change } });
	try {
		const s = await spec();
		if (ctx.getMode() === 'manual') {
			const items = (await s.sample()).slice(0, SAMPLE_SIZE).map((r) => toItem(r, s.changeEvent(r)));
			return items.length ? [items] : null;
		}
		const startFrom = ctx.getNodeParameter('startFrom', 'now') as string;
		const startAt = startFrom === 'date' ? String(ctx.getNodeParameter('startDate', '')) : startFrom;
		const { cursors, close } = await openPollCursorStore(ctx);
		try {
			const result = await pollChanges({
				key: pollCursorKey(ctx, s.vendor, s.watched),
				store: cursors,
				reader: s.reader,
				overlapMs: Math.max(0, Number(options.overlapSeconds ?? 60)) * 1000,
				startAt,
				maxRecords: Number(options.maxRecords ?? 10000) || undefined,
				deadline: typeof ctx.getPollBudgetMs === 'function' ? Date.now() + ctx.getPollBudgetMs() * 0.8 : undefined,
			});
			const items = result.records
				.map((record) => ({ record, change: s.changeEvent(record) }))
				.filter(({ change }) => event === 'all' || change === event || change === 'deleted')
				.map(({ record, change }) => toItem(record, change));
			return items.length ? [items] : null;
		} finally {
			await close();
		}
	} catch (err) {
		if (err instanceof ConnectorError) {
			throw new NodeApiError(ctx.getNode(), err.classified as unknown as JsonObject, { message: `${err.classified.error}: ${err.classified.message}`, description: err.classified.suggestedFix });
		}
		throw err;
	}
}
