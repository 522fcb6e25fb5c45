import type { INodeProperties, IWebhookFunctions } from 'n8n-workflow';
import { markAll, memoryProcessedEvents, type ProcessedEvents } from '../../connectors/core/processedEvents';
import { storeProperties, openNodeStore } from './store';

/**
 * The webhook triggers remember accepted event ids in the sync store, so a redelivery or a replayed request
 * starts nothing also after n8n restarts, and (on PostgreSQL) whichever n8n main received the first one.
 */

/** The Store parameters of a webhook trigger (the node lists the Sync Store credential for PostgreSQL itself: n8n's lint rules read credentials literally). */
export const eventStoreProperties: INodeProperties[] = storeProperties(
	'Where received event IDs are remembered, so a repeated or replayed delivery starts no execution (also after a restart)',
);

/**
 * The node's event store for one request. Deliveries must never be lost to a store outage: when the store
 * cannot be reached, de-duplication falls back to this process's memory (logged) and the event is processed.
 */
export async function webhookEventStore(ctx: IWebhookFunctions): Promise<{ events: ProcessedEvents; close(): Promise<void> }> {
	let store: Awaited<ReturnType<typeof openNodeStore>>;
	try {
		store = await openNodeStore(ctx);
	} catch (err) {
		ctx.logger.warn(`FluxCascade: the sync store could not be opened (${(err as Error).message}); repeated deliveries are recognised in memory only`);
		return { events: memoryProcessedEvents, close: async () => {} };
	}
	const events: ProcessedEvents = {
		async markEventProcessed(source, eventId, ttlSeconds) {
			try {
				return await store.markEventProcessed(source, eventId, ttlSeconds);
			} catch (err) {
				ctx.logger.warn(`FluxCascade: event ${eventId} could not be recorded in the sync store (${(err as Error).message}); checked in memory only`);
				return await memoryProcessedEvents.markEventProcessed(source, eventId, ttlSeconds);
			}
		},
		async markEventsProcessed(source, eventIds, ttlSeconds) {
			try {
				return await store.markEventsProcessed(source, eventIds, ttlSeconds);
			} catch (err) {
				ctx.logger.warn(`FluxCascade: ${eventIds.length} event(s) could not be recorded in the sync store (${(err as Error).message}); checked in memory only`);
				return await markAll(memoryProcessedEvents, source, eventIds, ttlSeconds);
			}
		},
	};
	return { events, close: () => store.close() };
}
