import {
	NodeOperationError,
	type IDataObject,
	type IHookFunctions,
	type ILoadOptionsFunctions,
	type INodePropertyOptions,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';
import { HubSpotWebhookApi, type DesiredSubscription } from '../../connectors/hubspot';
import { n8nHttpClient } from '../shared/n8nHttp';
import { eventStoreProperties } from '../shared/webhookEvents';
import { hubspotConnector } from '../HubSpotSync/transport';
import { EVENT_OPTIONS, handleDelivery, type TriggerSettings } from './delivery';

const PROPERTY_EVENTS: Record<string, { param: string; object: 'contacts' | 'companies' | 'deals' }> = {
	'contact.propertyChange': { param: 'contactProperties', object: 'contacts' },
	'company.propertyChange': { param: 'companyProperties', object: 'companies' },
	'deal.propertyChange': { param: 'dealProperties', object: 'deals' },
};

function propertyPicker(event: string, displayName: string, loadOptionsMethod: string): INodeTypeDescription['properties'][number] {
	return {
		displayName,
		name: PROPERTY_EVENTS[event].param,
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod },
		default: [],
		required: true,
		displayOptions: { show: { events: [event] } },
		description:
			'A property change event is sent for each of these properties (needs the CRM credential to list them). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	};
}

/** The app id, client secret and developer key credential, and the webhooks v3 API over n8n's HTTP helpers. */
async function webhookApi(ctx: IHookFunctions | IWebhookFunctions): Promise<HubSpotWebhookApi> {
	const credentials = await ctx.getCredentials('fluxHubSpotAppApi');
	const baseUrl = String(credentials.baseUrl || 'https://api.hubapi.com').replace(/\/+$/, '');
	return new HubSpotWebhookApi(n8nHttpClient(ctx, 'fluxHubSpotAppApi', baseUrl), String(credentials.appId));
}

/** The subscriptions the node's parameters ask for: creation/deletion per object, one propertyChange per property. */
function desiredSubscriptions(ctx: IHookFunctions): DesiredSubscription[] {
	const events = (ctx.getNodeParameter('events', []) as string[]) ?? [];
	const out: DesiredSubscription[] = [];
	for (const eventType of events) {
		const prop = PROPERTY_EVENTS[eventType];
		if (!prop) {
			out.push({ eventType });
			continue;
		}
		for (const propertyName of (ctx.getNodeParameter(prop.param, []) as string[]) ?? []) out.push({ eventType, propertyName });
	}
	return out;
}

/** A target URL this node owns: its production or test URL (they share the webhook id). */
function ownedBy(ctx: IHookFunctions): (url: string) => boolean {
	const id = ctx.getNode().webhookId;
	return (url) => !!id && url.includes(`/${id}/`);
}

async function propertyOptions(ctx: ILoadOptionsFunctions, object: 'contacts' | 'companies' | 'deals'): Promise<INodePropertyOptions[]> {
	const auth = ctx.getCurrentNodeParameter('authentication') === 'oAuth2' ? 'oAuth2' : 'accessToken';
	const hs = await hubspotConnector(ctx, auth);
	return (await hs.fields(object)).map((f) => ({ name: f.label, value: f.name, description: f.name })).sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * HubSpot Sync Trigger: one HubSpot developer app's webhooks. Registers this workflow's URL as the app's
 * target with the chosen subscriptions; verifies each delivery's v3 signature over the raw body, refuses
 * stale timestamps and replayed deliveries (401, no execution), drops repeated events (remembered in the sync
 * store) and the sync's own writes, answers at once and emits one record envelope per event.
 */
export class HubSpotSyncTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HubSpot Sync Trigger',
		name: 'hubSpotSyncTrigger',
		icon: 'file:hubSpotSyncTrigger.svg',
		group: ['trigger'],
		version: 1,
		subtitle: '={{($parameter["events"] || []).join(", ")}}',
		description: 'Starts the workflow on HubSpot webhook events: signature-checked, de-duplicated, without echoes of the sync’s own writes',
		defaults: { name: 'HubSpot Sync Trigger' },
		inputs: [],
		outputs: ['main'],
		credentials: [
			{ name: 'fluxHubSpotAppApi', required: true },
			{ name: 'fluxHubSpotApi', required: true, displayOptions: { show: { fetchRecord: [true], authentication: ['accessToken'] } } },
			{ name: 'fluxHubSpotOAuth2Api', required: true, displayOptions: { show: { fetchRecord: [true], authentication: ['oAuth2'] } } },
			// The sync store the event ids are kept in, when it is PostgreSQL.
			{ name: 'fluxSyncStoreApi', required: true, displayOptions: { show: { store: ['postgres'] } } },
		],
		webhooks: [{ name: 'default', httpMethod: 'POST', responseMode: 'onReceived', path: 'webhook' }],
		properties: [
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: EVENT_OPTIONS,
				default: ['contact.creation', 'contact.propertyChange'],
				required: true,
				description: 'HubSpot events to subscribe the app to (a HubSpot app sends all of its webhooks to one URL)',
			},
			propertyPicker('company.propertyChange', 'Company Properties Names or IDs', 'getCompanyProperties'),
			propertyPicker('contact.propertyChange', 'Contact Properties Names or IDs', 'getContactProperties'),
			propertyPicker('deal.propertyChange', 'Deal Properties Names or IDs', 'getDealProperties'),
			{
				displayName: 'Fetch Full Record',
				name: 'fetchRecord',
				type: 'boolean',
				default: true,
				description: "Whether to read each event's record from HubSpot (one batch call per object and 100 events) so the item carries its fields",
			},
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Access Token (Private App or Service Key)', value: 'accessToken' },
					{ name: 'OAuth2', value: 'oAuth2' },
				],
				default: 'accessToken',
				description: 'Credential used to read the records (and to list properties)',
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
						displayName: 'Ignore Own Changes',
						name: 'echo',
						type: 'options',
						options: [
							{ name: 'Made by This App', value: 'ownApp', description: "Drop integration changes whose source is this app (or the IDs below): the sync's own writes" },
							{ name: 'Made by Any Integration', value: 'anyIntegration', description: 'Drop every change made through the API' },
							{ name: 'Off', value: 'off', description: 'Keep every event' },
						],
						default: 'ownApp',
						description: 'Echo suppression: a write made by the sync must not sync back',
					},
					{
						displayName: 'Max Concurrent Requests',
						name: 'maxConcurrentRequests',
						type: 'number',
						typeOptions: { minValue: 5 },
						default: 10,
						description: 'How many webhook requests HubSpot may send at once (at least 5)',
					},
					{
						displayName: 'Own Source IDs',
						name: 'ownSourceIds',
						type: 'string',
						default: '',
						placeholder: 'e.g. 1234567',
						description: "Comma-separated `sourceId`s of the sync's writes besides this app's ID (for example the private app whose token the sync writes with)",
					},
					{
						displayName: 'Record Properties',
						name: 'properties',
						type: 'string',
						default: '',
						placeholder: 'e.g. email, firstname, lastname, phone',
						description: 'Comma-separated properties to read with Fetch Full Record; empty reads the fields a sync uses',
					},
				],
			},
		],
	};

	methods = {
		loadOptions: {
			async getContactProperties(this: ILoadOptionsFunctions) {
				return await propertyOptions(this, 'contacts');
			},
			async getCompanyProperties(this: ILoadOptionsFunctions) {
				return await propertyOptions(this, 'companies');
			},
			async getDealProperties(this: ILoadOptionsFunctions) {
				return await propertyOptions(this, 'deals');
			},
		},
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				const api = await webhookApi(this);
				return await api.isRegistered(this.getNodeWebhookUrl('default') as string, desiredSubscriptions(this));
			},
			async create(this: IHookFunctions): Promise<boolean> {
				const api = await webhookApi(this);
				const options = this.getNodeParameter('options', {}) as IDataObject;
				const url = this.getNodeWebhookUrl('default') as string;
				if (this.getMode() === 'manual') {
					// Listening for a test event would take the app's one target URL from the active workflow,
					// and stopping the test would then leave the production trigger without webhooks.
					const current = (await api.settings())?.targetUrl;
					if (current && current !== url && ownedBy(this)(current)) {
						throw new NodeOperationError(this.getNode(), 'This HubSpot app already sends its webhooks to this workflow’s production URL', {
							description: 'Deactivate the workflow to listen for test events (a HubSpot app has one target URL).',
						});
					}
				}
				await api.register(url, desiredSubscriptions(this), {
					owns: ownedBy(this),
					maxConcurrentRequests: Number(options.maxConcurrentRequests ?? 10),
				});
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				const api = await webhookApi(this);
				return await api.unregister(this.getNodeWebhookUrl('default') as string, { owns: ownedBy(this) });
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const credentials = await this.getCredentials('fluxHubSpotAppApi');
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const settings: TriggerSettings = {
			clientSecret: String(credentials.clientSecret ?? ''),
			appId: String(credentials.appId ?? ''),
			echo: (options.echo as TriggerSettings['echo']) ?? 'ownApp',
			ownSourceIds: String(options.ownSourceIds ?? ''),
			fetchRecord: this.getNodeParameter('fetchRecord', true) as boolean,
			authentication: this.getNodeParameter('authentication', 'accessToken') === 'oAuth2' ? 'oAuth2' : 'accessToken',
			properties: String(options.properties ?? ''),
		};
		return await handleDelivery(this, settings);
	}
}
