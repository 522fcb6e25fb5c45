import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
	type JsonObject,
} from 'n8n-workflow';
import { ConnectorError } from '../../connectors/core/errors';
import { JOBBER_TOPICS, SIGNATURE_HEADER, decideWebhook, isDestroyTopic, objectOfTopic, type JobberWebhookEvent } from '../../connectors/jobber';
import { isoUtc } from '../../connectors/jobber/records';
import { eventStoreProperties, webhookEventStore } from '../shared/webhookEvents';
import { jobberConnector } from '../JobberSync/transport';

interface HookData {
	/** Jobber webhook endpoint id per topic, as webhookEndpointCreate returned it. */
	endpoints?: Record<string, string>;
	url?: string;
}

const REASONS: Record<string, string> = {
	signature: 'Invalid signature',
	malformed: 'Not a Jobber webhook',
	duplicate: 'Replayed event: already received',
	stale: 'Event older than the replay window',
	topic: 'Topic not selected',
};

function label(topic: string): string {
	return topic
		.toLowerCase()
		.split('_')
		.map((w) => w[0].toUpperCase() + w.slice(1))
		.join(' ');
}

/**
 * Jobber webhooks → one item per event. Each request is checked before anything runs: the X-Jobber-Hmac-SHA256
 * signature over the raw body (401 and no execution when wrong), the replay window, and repeats of an event
 * already received (remembered in the sync store; 401, not executed). Jobber is answered at once (it wants < 1 s); the record is fetched
 * afterwards and emitted as an envelope with the event under `event`.
 */
export class JobberSyncTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Jobber Sync Trigger',
		name: 'jobberSyncTrigger',
		icon: 'file:jobberSyncTrigger.svg',
		group: ['trigger'],
		version: 1,
		subtitle: '={{($parameter["topics"] || []).join(", ")}}',
		description: 'Starts the workflow when Jobber reports a change (signed webhooks, de-duplicated, the record fetched)',
		defaults: { name: 'Jobber Sync Trigger' },
		inputs: [],
		outputs: ['main'],
		credentials: [
			{ name: 'fluxJobberAppApi', required: true },
			{ name: 'fluxJobberOAuth2Api', required: true },
			// The sync store the event ids are kept in, when it is PostgreSQL.
			{ name: 'fluxSyncStoreApi', required: true, displayOptions: { show: { store: ['postgres'] } } },
		],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			{
				displayName: 'Registration',
				name: 'registration',
				type: 'options',
				default: 'api',
				options: [
					{ name: 'Automatic (Per Account)', value: 'api', description: "Registers this workflow's URL for each topic with webhookEndpointCreate, and removes it on deactivation" },
					{ name: 'App Webhooks (Developer Center)', value: 'app', description: "Use the webhook URL set on the app in Jobber's Developer Center; nothing is registered" },
				],
				description: 'Jobber allows one endpoint per topic for an app and account',
			},
			{
				displayName: 'Topics',
				name: 'topics',
				type: 'multiOptions',
				required: true,
				default: ['CLIENT_CREATE', 'CLIENT_UPDATE'],
				options: [...JOBBER_TOPICS].sort().map((t) => ({ name: label(t), value: t })),
				description: 'Events that start the workflow; others are answered and ignored',
			},
			{
				displayName: 'Fetch Record',
				name: 'fetchRecord',
				type: 'boolean',
				default: true,
				description: 'Whether to read the changed record (webhooks carry only IDs) and emit it as an envelope; off emits only the event',
			},
			...eventStoreProperties,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Replay Window (Minutes)',
						name: 'maxAgeMinutes',
						type: 'number',
						default: 1440,
						typeOptions: { minValue: 0 },
						description: 'Events that occurred longer ago are refused (401) and not executed (0: no limit); repeats within it are recognised by topic, item and time',
					},
				],
			},
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('registration') === 'app') return true;
				const data = this.getWorkflowStaticData('node') as HookData;
				const topics = this.getNodeParameter('topics', []) as string[];
				const url = this.getNodeWebhookUrl('default');
				return !!data.endpoints && data.url === url && topics.length === Object.keys(data.endpoints).length && topics.every((t) => data.endpoints![t]);
			},

			async create(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('registration') === 'app') return true;
				const data = this.getWorkflowStaticData('node') as HookData;
				const topics = this.getNodeParameter('topics', []) as string[];
				const url = this.getNodeWebhookUrl('default')!;
				const connector = await jobberConnector(this);
				// Endpoints of an earlier activation (other topics or URL) go first: never a duplicate subscription.
				if (data.endpoints && Object.keys(data.endpoints).length) await connector.webhookEndpointDelete(Object.values(data.endpoints));
				const created: Record<string, string> = {};
				for (const topic of topics) {
					let result;
					try {
						result = await connector.webhookEndpointCreate(topic, url);
					} catch (err) {
						await connector.webhookEndpointDelete(Object.values(created)).catch(() => undefined);
						if (err instanceof ConnectorError) throw new NodeApiError(this.getNode(), err.classified as unknown as JsonObject, { message: err.classified.message });
						throw err;
					}
					if ('error' in result) {
						await connector.webhookEndpointDelete(Object.values(created)).catch(() => undefined);
						throw new NodeOperationError(this.getNode(), `Jobber refused the ${topic} webhook: ${result.error.message}`, {
							description: 'Jobber keeps one endpoint per topic for an app and account: deactivate the other workflow that uses this topic, or use App Webhooks registration.',
						});
					}
					created[topic] = result.id;
				}
				data.endpoints = created;
				data.url = url;
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				if (this.getNodeParameter('registration') === 'app') return true;
				const data = this.getWorkflowStaticData('node') as HookData;
				const ids = Object.values(data.endpoints ?? {});
				if (ids.length) {
					try {
						// "not found" means it is already gone: the goal is reached either way.
						await (await jobberConnector(this)).webhookEndpointDelete(ids);
					} catch (err) {
						if (!(err instanceof ConnectorError)) throw err;
						return false;
					}
				}
				delete data.endpoints;
				delete data.url;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		const { clientSecret } = await this.getCredentials('fluxJobberAppApi');
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const maxAgeMinutes = typeof options.maxAgeMinutes === 'number' ? options.maxAgeMinutes : 1440;
		const remembered = await webhookEventStore(this);
		let decision;
		try {
			decision = await decideWebhook({
				secret: String(clientSecret ?? ''),
				rawBody: (req as unknown as { rawBody?: Buffer }).rawBody,
				signature: req.headers[SIGNATURE_HEADER],
				topics: this.getNodeParameter('topics', []) as string[],
				processed: remembered.events,
				scope: `jobber:${this.getWorkflow().id ?? 'unsaved'}:${this.getNode().id ?? this.getNode().name}`,
				maxAgeMs: maxAgeMinutes * 60_000,
			});
		} finally {
			await remembered.close();
		}
		if (!decision.accept) {
			res.status(decision.status).json({ message: REASONS[decision.reason] });
			return { noWebhookResponse: true };
		}
		// Jobber wants an answer within a second: answer now, read the record afterwards.
		res.status(200).json({ received: true });
		const item = await eventItem(this, decision.event, this.getNodeParameter('fetchRecord', true) as boolean);
		return { noWebhookResponse: true, workflowData: [[{ json: item }]] };
	}
}

async function eventItem(ctx: IWebhookFunctions, event: JobberWebhookEvent, fetch: boolean): Promise<IDataObject> {
	const object = objectOfTopic(event.topic);
	const base: IDataObject = {
		system: 'jobber',
		object: object ?? event.topic.split('_')[0].toLowerCase(),
		id: event.itemId,
		updatedAt: isoUtc(event.occurredAt) ?? new Date().toISOString(),
		fields: {},
	};
	const eventJson = { ...event } as unknown as IDataObject;
	if (object && isDestroyTopic(event.topic)) return { ...base, deleted: true, event: eventJson };
	if (!object || !fetch) return { ...base, event: eventJson };
	try {
		const record = await (await jobberConnector(ctx)).get(object, event.itemId);
		if (!record) return { ...base, notFound: true, event: eventJson };
		return { ...(record as unknown as IDataObject), event: eventJson };
	} catch (err) {
		// The event is already acknowledged: emit it with the reason the record could not be read, never drop it.
		const classified = err instanceof ConnectorError ? err.classified : { code: 'CONNECTION_TIMEOUT', message: (err as Error).message };
		return { ...base, event: eventJson, fetchError: classified as unknown as IDataObject };
	}
}
