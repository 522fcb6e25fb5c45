/**
 * One webhook delivery: verify, de-duplicate, answer, then build the items. The answer goes out before any
 * record is read (HubSpot counts a slow answer as a failure and sends the batch again); from then on an
 * event is never dropped: a record that cannot be read still yields its event, with the error.
 */
import type { IDataObject, INodeExecutionData, INodePropertyOptions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { ConnectorError } from '../../connectors/core/errors';
import type { RecordEnvelope } from '../../connectors/core/types';
import {
	acceptEvents,
	eventObject,
	isDeletion,
	parseEvents,
	verifySignatureV3,
	type EchoMode,
	type HubSpotObject,
	type HubSpotWebhookEvent,
} from '../../connectors/hubspot';
import type { ClassifiedError } from '../../errors/taxonomy';
import { classifiedError } from '../../errors/taxonomy';
import { webhookEventStore } from '../shared/webhookEvents';
import { hubspotConnector, type Authentication } from '../HubSpotSync/transport';

export const EVENT_OPTIONS: INodePropertyOptions[] = [
	{ name: 'Company Created', value: 'company.creation' },
	{ name: 'Company Deleted', value: 'company.deletion' },
	{ name: 'Company Property Changed', value: 'company.propertyChange' },
	{ name: 'Contact Created', value: 'contact.creation' },
	{ name: 'Contact Deleted', value: 'contact.deletion' },
	{ name: 'Contact Property Changed', value: 'contact.propertyChange' },
	{ name: 'Deal Created', value: 'deal.creation' },
	{ name: 'Deal Deleted', value: 'deal.deletion' },
	{ name: 'Deal Property Changed', value: 'deal.propertyChange' },
];

export interface TriggerSettings {
	clientSecret: string;
	appId: string;
	echo: EchoMode;
	ownSourceIds: string;
	fetchRecord: boolean;
	authentication: Authentication;
	properties: string;
}

/** The URLs HubSpot may have signed: the one registered with it, and the one this request arrived at. */
function candidateUris(ctx: IWebhookFunctions): string[] {
	const req = ctx.getRequestObject();
	const registered = String(ctx.getNodeWebhookUrl('default') ?? '');
	const original = req.originalUrl ?? req.url ?? '';
	const query = original.includes('?') ? original.slice(original.indexOf('?')) : '';
	const header = (name: string) => {
		const v = req.headers[name];
		return (Array.isArray(v) ? v[0] : v)?.split(',')[0]?.trim();
	};
	const proto = header('x-forwarded-proto') ?? req.protocol ?? 'http';
	const host = header('x-forwarded-host') ?? header('host');
	const out = [registered + query];
	if (host) out.push(`${proto}://${host}${original}`);
	return [...new Set(out.filter(Boolean))];
}

export async function handleDelivery(ctx: IWebhookFunctions, s: TriggerSettings): Promise<IWebhookResponseData> {
	const req = ctx.getRequestObject();
	const res = ctx.getResponseObject();
	const headers = ctx.getHeaderData() as Record<string, string | string[] | undefined>;
	const header = (name: string) => {
		const v = headers[name];
		return Array.isArray(v) ? v[0] : v;
	};
	const raw = (req as unknown as { rawBody?: Buffer }).rawBody;
	const verdict = verifySignatureV3({
		clientSecret: s.clientSecret,
		method: req.method ?? 'POST',
		uris: candidateUris(ctx),
		rawBody: raw,
		signature: header('x-hubspot-signature-v3'),
		timestamp: header('x-hubspot-request-timestamp'),
	});
	if (!verdict.ok) {
		// 401: HubSpot does not retry it, and no execution starts.
		res.status(401).json({ status: 'error', message: `Webhook rejected: ${verdict.reason.replace(/_/g, ' ')}` });
		return { noWebhookResponse: true };
	}
	const events = parseEvents(raw);
	if (!events) {
		res.status(400).json({ status: 'error', message: 'Webhook body is not a JSON array of HubSpot events' });
		return { noWebhookResponse: true };
	}
	const remembered = await webhookEventStore(ctx);
	let accepted;
	try {
		accepted = await acceptEvents(events, {
			scope: `hubspot:${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}`,
			store: remembered.events,
			echo: { mode: s.echo, sourceIds: [s.appId, ...s.ownSourceIds.split(',').map((x) => x.trim()).filter(Boolean)] },
		});
	} finally {
		await remembered.close();
	}
	if (accepted.replayed) {
		// Every event was processed before: a replayed request (or a retry of one already taken). 401 starts
		// nothing and HubSpot does not retry it.
		res.status(401).json({ status: 'error', message: `Webhook rejected: replayed delivery (all ${accepted.duplicates} events were already received)` });
		return { noWebhookResponse: true };
	}
	res.status(200).json({ received: events.length, accepted: accepted.events.length, duplicates: accepted.duplicates, echoes: accepted.echoes });
	if (accepted.events.length === 0) return { noWebhookResponse: true };
	return { noWebhookResponse: true, workflowData: [await toItems(ctx, accepted.events, s)] };
}

function idOf(e: HubSpotWebhookEvent): string {
	const raw = e.objectId ?? e.fromObjectId;
	return raw === undefined || raw === null ? '' : String(raw);
}

/** One envelope per event, the record's fields read in one batch call per object when asked. */
async function toItems(ctx: IWebhookFunctions, events: HubSpotWebhookEvent[], s: TriggerSettings): Promise<INodeExecutionData[]> {
	const wanted = new Map<HubSpotObject, Set<string>>();
	for (const e of events) {
		const object = eventObject(e);
		const id = idOf(e);
		if (object && id && !isDeletion(e)) wanted.set(object, (wanted.get(object) ?? new Set()).add(id));
	}
	const records = new Map<string, RecordEnvelope>();
	const errors = new Map<HubSpotObject, ClassifiedError>();
	if (s.fetchRecord && wanted.size) {
		const properties = s.properties.split(',').map((p) => p.trim()).filter(Boolean);
		try {
			const hs = await hubspotConnector(ctx, s.authentication);
			for (const [object, ids] of wanted) {
				try {
					for (const [id, env] of await hs.read(object, [...ids], { properties })) records.set(`${object}:${id}`, env);
				} catch (err) {
					errors.set(object, err instanceof ConnectorError ? err.classified : classifiedError('CONNECTION_TIMEOUT', { message: (err as Error).message }));
				}
			}
		} catch (err) {
			const e = classifiedError('AUTHENTICATION_FAILED', { message: `Could not read the records: ${(err as Error).message}` });
			for (const object of wanted.keys()) errors.set(object, e);
		}
	}
	return events.map((e) => {
		const object = eventObject(e);
		const id = idOf(e);
		const record = object ? records.get(`${object}:${id}`) : undefined;
		const occurred = typeof e.occurredAt === 'number' ? new Date(e.occurredAt).toISOString() : undefined;
		const fields: IDataObject = record ? (record.fields as IDataObject) : e.propertyName ? { [e.propertyName]: e.propertyValue ?? null } : {};
		const json: IDataObject = {
			system: 'hubspot',
			object: object ?? String(e.subscriptionType).split('.')[0],
			id,
			updatedAt: record?.updatedAt ?? occurred ?? null,
			fields,
		};
		if (record?.links) json.links = record.links as IDataObject;
		if (isDeletion(e)) json.deleted = true;
		json.event = { ...(e as IDataObject), occurredAtIso: occurred ?? null };
		if (s.fetchRecord && object && !isDeletion(e) && !record) {
			const error = errors.get(object);
			json.fetchError = (error ?? classifiedError('FIELD_NOT_FOUND', { message: `HubSpot ${object} ${id} was not found when read (deleted since the event?)`, record: { system: 'hubspot', object, id } })) as unknown as IDataObject;
		}
		return { json };
	});
}
