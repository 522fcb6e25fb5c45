import {
	NodeOperationError,
	type IDataObject,
	type IHookFunctions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import type { PipedriveConnector } from '../../connectors/pipedrive';
import { eventToItem, MemoryEventState, screenEvent, toObject, webhookCredentials, checkBasicAuth, type BasicCredentials, type EntityVersions } from '../../connectors/pipedrive';
import type { ProcessedEvents } from '../../connectors/core/processedEvents';
import { eventStoreProperties, webhookEventStore } from '../shared/webhookEvents';
import { connectorFor, credentialSecret } from '../PipedriveSync/transport';
import { authenticationProperty } from '../PipedriveSync/actions/versionDescription';

/** Per-record marks of the newest event seen, per trigger node (workflow id + node id), in this process. */
const states = new Map<string, MemoryEventState>();

function stateFor(workflowId: string, nodeId: string, events: ProcessedEvents): ProcessedEvents & EntityVersions {
	const key = `${workflowId}:${nodeId}`;
	let state = states.get(key);
	if (!state) states.set(key, (state = new MemoryEventState()));
	const marks = state;
	// Event ids in the sync store (durable, shared), the marks in memory.
	return {
		markEventProcessed: (source, id, ttl) => events.markEventProcessed(source, id, ttl),
		lastSeen: (k) => marks.lastSeen(k),
		remember: (k, m) => marks.remember(k, m),
	};
}

type Ctx = IHookFunctions | IWebhookFunctions;

/** Basic credentials of this node's subscription, derived from the credential secret (never stored). */
async function expectedCredentials(ctx: Ctx): Promise<BasicCredentials> {
	return webhookCredentials(await credentialSecret(ctx), `${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}`);
}

function subscriptionUrl(ctx: IHookFunctions): string {
	const url = ctx.getNodeWebhookUrl('default');
	if (!url) throw new NodeOperationError(ctx.getNode(), 'n8n has no URL for this webhook');
	return url;
}

async function ourSubscriptions(connector: PipedriveConnector, url: string): Promise<IDataObject[]> {
	return (await connector.listWebhooks()).filter((h) => h.subscription_url === url) as IDataObject[];
}

export class PipedriveSyncTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pipedrive Sync Trigger',
		name: 'pipedriveSyncTrigger',
		icon: 'file:pipedriveSyncTrigger.svg',
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["action"] + ": " + $parameter["entity"]}}',
		description: 'Starts the workflow when persons, organizations or deals change in Pipedrive (webhooks v2, Basic auth, de-duplicated)',
		defaults: { name: 'Pipedrive Sync Trigger' },
		inputs: [],
		outputs: ['main'],
		credentials: [
			{ name: 'fluxPipedriveApi', required: true, displayOptions: { show: { authentication: ['apiToken'] } } },
			{ name: 'fluxPipedriveOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
			// The sync store the event ids are kept in, when it is PostgreSQL.
			{ name: 'fluxSyncStoreApi', required: true, displayOptions: { show: { store: ['postgres'] } } },
		],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			authenticationProperty,
			{
				displayName: 'Object',
				name: 'entity',
				type: 'options',
				options: [
					{ name: 'All', value: '*' },
					{ name: 'Deal', value: 'deal' },
					{ name: 'Organization', value: 'organization' },
					{ name: 'Person', value: 'person' },
				],
				default: 'person',
				description: 'Which Pipedrive object to listen to',
			},
			{
				displayName: 'Action',
				name: 'action',
				type: 'options',
				options: [
					{ name: 'All', value: '*' },
					{ name: 'Change', value: 'change' },
					{ name: 'Create', value: 'create' },
					{ name: 'Delete', value: 'delete' },
				],
				default: '*',
				description: 'Which kind of change to listen to',
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
						displayName: 'Drop Out-of-Order Events',
						name: 'dropOutOfOrder',
						type: 'boolean',
						default: true,
						description: 'Whether to drop an event older than the last one seen for the same record (a late retry)',
					},
					{
						displayName: 'Ignore Delete Events',
						name: 'ignoreDeletes',
						type: 'boolean',
						default: false,
						description: 'Whether deletions start no execution',
					},
					{
						displayName: 'Ignore Own API Changes',
						name: 'suppressEcho',
						type: 'boolean',
						default: true,
						description: "Whether to drop changes made through the API by this credential's user (the sync's own writes), so they never sync back",
					},
				],
			},
		],
	};

	webhookMethods = {
		default: {
			/** True when Pipedrive already has our subscription for this URL, events and credentials. */
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const connector = await connectorFor(this);
				const url = subscriptionUrl(this);
				const expected = await expectedCredentials(this);
				const entity = this.getNodeParameter('entity') as string;
				const action = this.getNodeParameter('action') as string;
				const match = (await ourSubscriptions(connector, url)).find(
					(h) => h.event_object === entity && h.event_action === action && String(h.version) === '2.0' && h.http_auth_user === expected.user,
				);
				if (!match) return false;
				this.getWorkflowStaticData('node').webhookId = match.id as number;
				return true;
			},

			/** Subscribes (webhooks v2, Basic auth), after removing stale subscriptions to the same URL: never two. */
			async create(this: IHookFunctions): Promise<boolean> {
				const connector = await connectorFor(this);
				const url = subscriptionUrl(this);
				const expected = await expectedCredentials(this);
				for (const stale of await ourSubscriptions(connector, url)) await connector.deleteWebhook(stale.id as number);
				const created = await connector.createWebhook({
					subscription_url: url,
					event_object: this.getNodeParameter('entity') as string,
					event_action: this.getNodeParameter('action') as string,
					name: `n8n ${this.getWorkflow().name ?? this.getWorkflow().id ?? ''}`.trim().slice(0, 100),
					http_auth_user: expected.user,
					http_auth_password: expected.password,
				});
				const data = this.getWorkflowStaticData('node');
				data.webhookId = created.id as number;
				// Our API user: its changes are the sync's own writes (echo suppression). Not a secret.
				try {
					data.ownUserId = String((await connector.me()).id);
				} catch {
					delete data.ownUserId;
				}
				return true;
			},

			async delete(this: IHookFunctions): Promise<boolean> {
				const connector = await connectorFor(this);
				const data = this.getWorkflowStaticData('node');
				try {
					if (data.webhookId !== undefined) await connector.deleteWebhook(data.webhookId as number);
					const url = this.getNodeWebhookUrl('default');
					if (url) for (const other of await ourSubscriptions(connector, url)) await connector.deleteWebhook(other.id as number);
				} catch {
					return false;
				}
				delete data.webhookId;
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const req = this.getRequestObject();
		const res = this.getResponseObject();
		// Whatever happens here must not throw: n8n would start an execution for the error.
		let expected: BasicCredentials;
		try {
			expected = await expectedCredentials(this);
		} catch {
			res.status(500).json({ message: 'The Pipedrive credential of this trigger cannot be read' });
			return { noWebhookResponse: true };
		}
		if (!checkBasicAuth(req.headers.authorization, expected)) {
			res.status(401).setHeader('WWW-Authenticate', 'Basic realm="Webhook"');
			res.json({ message: 'Authorization is required' });
			return { noWebhookResponse: true };
		}
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const staticData = this.getWorkflowStaticData('node');
		const remembered = await webhookEventStore(this);
		let screening;
		try {
			screening = await screenEvent(this.getBodyData(), stateFor(String(this.getWorkflow().id ?? ''), this.getNode().id, remembered.events), {
				dropOutOfOrder: options.dropOutOfOrder !== false,
				suppressEcho: options.suppressEcho !== false,
				ownUserId: typeof staticData.ownUserId === 'string' ? staticData.ownUserId : undefined,
				source: `pipedrive:${String(this.getWorkflow().id ?? '')}:${this.getNode().id}`,
			});
		} finally {
			await remembered.close();
		}
		if (!screening.accept && screening.reason === 'duplicate') {
			// An event already received: a replay, or a redelivery of one processed. Nothing starts.
			res.status(401).json({ message: `Replayed event: ${screening.detail}` });
			return { noWebhookResponse: true };
		}
		if (!screening.accept) return { webhookResponse: { received: true, ignored: screening.reason } };
		const { event } = screening;
		if (options.ignoreDeletes === true && event.meta.action === 'delete') return { webhookResponse: { received: true, ignored: 'delete' } };
		let schema;
		try {
			schema = await (await connectorFor(this)).schema(toObject(event.meta.entity));
		} catch {
			// Custom fields stay under their hash keys rather than losing the event.
			schema = undefined;
		}
		return { workflowData: [[{ json: eventToItem(event, schema) as unknown as IDataObject }]] };
	}
}
