/**
 * HubSpot webhooks (crm-apis.md §1.11): app-level settings and subscriptions (webhooks v3 API), and an
 * emitter that POSTs JSON arrays of up to 100 events, signed with v1 or v2 (`X-HubSpot-Signature`) and v3
 * (`X-HubSpot-Signature-v3` + `X-HubSpot-Request-Timestamp`). Each retry is a fresh request, as HubSpot's are:
 * new timestamp, new signature, `attemptNumber` incremented; no retry after 400/401/403/404/405; a receiver's
 * 429 is retried after its Retry-After.
 */
import { createHash, createHmac } from 'node:crypto';
import type { Clock } from '../core/clock';
import { WebhookSender, type WebhookBehaviour } from '../core/webhooks';
import type { ResolvedOptions } from './options';
import type { ObjectKey } from './schema';
import { instant, OBJECT_TYPES } from './schema';

// ---------------------------------------------------------------- signatures

export function signatureV1(secret: string, body: string): string {
	return createHash('sha256').update(secret + body, 'utf8').digest('hex');
}

export function signatureV2(secret: string, method: string, uri: string, body: string): string {
	return createHash('sha256').update(secret + method + uri + body, 'utf8').digest('hex');
}

/** The escapes HubSpot decodes in the URI before signing v3 (and receivers must decode the same way). */
const V3_DECODE: Array<[RegExp, string]> = [
	[/%3A/gi, ':'],
	[/%2F/gi, '/'],
	[/%3F/gi, '?'],
	[/%40/gi, '@'],
	[/%21/gi, '!'],
	[/%24/gi, '$'],
	[/%27/gi, "'"],
	[/%28/gi, '('],
	[/%29/gi, ')'],
	[/%2A/gi, '*'],
	[/%2C/gi, ','],
	[/%3B/gi, ';'],
];

export function decodeV3Uri(uri: string): string {
	return V3_DECODE.reduce((s, [re, ch]) => s.replace(re, ch), uri);
}

export function signatureV3(secret: string, method: string, uri: string, body: string, timestamp: number | string): string {
	return createHmac('sha256', secret)
		.update(method + decodeV3Uri(uri) + body + String(timestamp), 'utf8')
		.digest('base64');
}

// ---------------------------------------------------------------- settings and subscriptions

export interface WebhookSettings {
	targetUrl: string;
	maxConcurrentRequests: number;
	createdAt: number;
	updatedAt: number;
}

export interface Subscription {
	id: number;
	eventType: string;
	propertyName?: string;
	active: boolean;
	createdAt: number;
	updatedAt: number;
}

export const EVENT_TYPES = [
	'company.associationChange', 'company.creation', 'company.deletion', 'company.merge', 'company.propertyChange', 'company.restore',
	'contact.associationChange', 'contact.creation', 'contact.deletion', 'contact.merge', 'contact.privacyDeletion', 'contact.propertyChange', 'contact.restore',
	'conversation.creation', 'conversation.deletion', 'conversation.newMessage', 'conversation.privacyDeletion', 'conversation.propertyChange',
	'deal.associationChange', 'deal.creation', 'deal.deletion', 'deal.merge', 'deal.propertyChange', 'deal.restore', 'event.completed',
	'line_item.associationChange', 'line_item.creation', 'line_item.deletion', 'line_item.merge', 'line_item.propertyChange', 'line_item.restore',
	'object.associationChange', 'object.creation', 'object.deletion', 'object.merge', 'object.propertyChange', 'object.restore',
	'product.creation', 'product.deletion', 'product.merge', 'product.propertyChange', 'product.restore',
	'ticket.associationChange', 'ticket.creation', 'ticket.deletion', 'ticket.merge', 'ticket.propertyChange', 'ticket.restore',
];

export function renderSubscription(s: Subscription): Record<string, unknown> {
	const out: Record<string, unknown> = { eventType: s.eventType };
	if (s.propertyName !== undefined) out.propertyName = s.propertyName;
	out.active = s.active;
	out.id = String(s.id);
	out.createdAt = instant(s.createdAt);
	out.updatedAt = instant(s.updatedAt);
	return out;
}

// ---------------------------------------------------------------- sender

export type HubspotEvent = Record<string, unknown> & { attemptNumber: number };

/** HubSpot's delivery policy on the core sender: its retry schedule, no retry after 4xx verdicts, Retry-After on 429. */
function hubspotSender(clock: Clock, opts: ResolvedOptions): WebhookSender {
	return new WebhookSender(clock, {
		retryDelaysMs: opts.webhookRetryDelaysMs,
		noRetryStatuses: [400, 401, 403, 404, 405],
		timeoutMs: opts.webhookTimeoutMs,
		honourRetryAfter: true,
	});
}

/** The request headers of one attempt: v1 or v2 signature, and v3 over the attempt's timestamp. */
function signedHeaders(opts: ResolvedOptions, behaviour: WebhookBehaviour, url: string, body: string, timestamp: number): Record<string, string> {
	const secret = behaviour.badSignature ? `${opts.credentials.clientSecret}-wrong` : opts.credentials.clientSecret;
	const v = opts.webhookSignatureVersion;
	return {
		'User-Agent': 'HubSpot Connect 2.0 (http://dev.hubspot.com/) - WebhooksExecutorDaemon-executor',
		'X-HubSpot-Signature': v === 'v1' ? signatureV1(secret, body) : signatureV2(secret, 'POST', url, body),
		'X-HubSpot-Signature-Version': v,
		'X-HubSpot-Signature-v3': signatureV3(secret, 'POST', url, body, timestamp),
		'X-HubSpot-Request-Timestamp': String(timestamp),
		'X-HubSpot-Timeout-Millis': String(opts.webhookTimeoutMs),
	};
}

// ---------------------------------------------------------------- emitter

export interface ChangeOrigin {
	changeSource: string;
	sourceId: string;
}

export class HubspotWebhooks {
	settings?: WebhookSettings;
	readonly subscriptions = new Map<number, Subscription>();
	private nextSubscriptionId = 1;
	private nextEventId = 1;
	private queue: HubspotEvent[] = [];
	private timer?: NodeJS.Timeout;
	readonly sender: WebhookSender;

	constructor(
		private readonly clock: Clock,
		private readonly opts: ResolvedOptions,
	) {
		this.sender = hubspotSender(clock, opts);
		this.sender.beforeSettle = () => this.flush();
	}

	reset(): void {
		this.settings = undefined;
		this.subscriptions.clear();
		this.nextSubscriptionId = 1;
		this.queue = [];
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
	}

	createSubscription(eventType: string, propertyName: string | undefined, active: boolean): Subscription {
		const now = this.clock.now();
		const s: Subscription = { id: this.nextSubscriptionId++, eventType, propertyName, active, createdAt: now, updatedAt: now };
		this.subscriptions.set(s.id, s);
		return s;
	}

	private matching(eventType: string, propertyName?: string): Subscription[] {
		if (!this.settings) return [];
		const out: Subscription[] = [];
		for (const s of this.subscriptions.values()) {
			if (!s.active || s.eventType !== eventType) continue;
			if (propertyName !== undefined && s.propertyName !== propertyName) continue;
			out.push(s);
		}
		return out;
	}

	/** True when any subscription could receive an event of this object type (lets writes skip work). */
	listening(key: ObjectKey): boolean {
		if (!this.settings) return false;
		const prefix = `${OBJECT_TYPES[key].singular}.`;
		for (const s of this.subscriptions.values()) if (s.active && s.eventType.startsWith(prefix)) return true;
		return false;
	}

	private base(s: Subscription, occurredAt: number): HubspotEvent {
		return {
			eventId: this.nextEventId++,
			subscriptionId: s.id,
			portalId: this.opts.credentials.portalId,
			appId: this.opts.credentials.appId,
			occurredAt,
			subscriptionType: s.eventType,
			attemptNumber: 0,
		};
	}

	private push(events: HubspotEvent[]): void {
		if (events.length === 0) return;
		this.queue.push(...events);
		// Gather events briefly so one batch write arrives as one request, as HubSpot batches them.
		if (!this.timer) this.timer = setTimeout(() => this.flush(), this.opts.webhookBatchWindowMs);
	}

	flush(): void {
		if (this.timer) clearTimeout(this.timer);
		this.timer = undefined;
		if (!this.settings || this.queue.length === 0) {
			this.queue = [];
			return;
		}
		const all = this.queue;
		this.queue = [];
		for (let i = 0; i < all.length; i += this.opts.webhookMaxBatch) {
			const url = this.settings.targetUrl;
			const batch = all.slice(i, i + this.opts.webhookMaxBatch);
			// Each attempt is a fresh request: events renumbered, newly signed.
			this.sender.send(
				url,
				(attempt) => JSON.stringify(batch.map((e) => ({ ...e, attemptNumber: attempt }))),
				(body, timestamp) => signedHeaders(this.opts, this.sender.behaviour, url, body, timestamp),
			);
		}
	}

	creation(key: ObjectKey, objectId: number, origin: ChangeOrigin, at: number): void {
		const type = `${OBJECT_TYPES[key].singular}.creation`;
		this.push(this.matching(type).map((s) => ({ ...this.base(s, at), objectId, changeFlag: 'NEW', changeSource: origin.changeSource, sourceId: origin.sourceId })));
	}

	deletion(key: ObjectKey, objectId: number, origin: ChangeOrigin, at: number, privacy = false): void {
		const type = privacy ? 'contact.privacyDeletion' : `${OBJECT_TYPES[key].singular}.deletion`;
		this.push(this.matching(type).map((s) => ({ ...this.base(s, at), objectId, changeFlag: 'DELETED', changeSource: origin.changeSource, sourceId: origin.sourceId })));
	}

	propertyChanges(key: ObjectKey, objectId: number, changes: Map<string, string | null>, origin: ChangeOrigin, at: number): void {
		const type = `${OBJECT_TYPES[key].singular}.propertyChange`;
		const events: HubspotEvent[] = [];
		for (const [propertyName, value] of changes) {
			for (const s of this.matching(type, propertyName)) {
				events.push({ ...this.base(s, at), objectId, propertyName, propertyValue: value ?? '', changeSource: origin.changeSource, sourceId: origin.sourceId });
			}
		}
		this.push(events);
	}

	merge(key: ObjectKey, primaryObjectId: number, mergedObjectIds: number[], moved: number, origin: ChangeOrigin, at: number): void {
		const type = `${OBJECT_TYPES[key].singular}.merge`;
		this.push(
			this.matching(type).map((s) => ({
				...this.base(s, at),
				objectId: primaryObjectId,
				changeFlag: 'MERGED',
				changeSource: origin.changeSource,
				sourceId: origin.sourceId,
				primaryObjectId,
				mergedObjectIds,
				newObjectId: primaryObjectId,
				numberOfPropertiesMoved: moved,
			})),
		);
	}

	associationChange(from: ObjectKey, fromId: number, to: ObjectKey, toId: number, primary: boolean, removed: boolean, origin: ChangeOrigin, at: number): void {
		const type = `${OBJECT_TYPES[from].singular}.associationChange`;
		this.push(
			this.matching(type).map((s) => ({
				...this.base(s, at),
				changeSource: origin.changeSource,
				sourceId: origin.sourceId,
				associationType: `${OBJECT_TYPES[from].upper}_TO_${OBJECT_TYPES[to].upper}`,
				fromObjectId: fromId,
				toObjectId: toId,
				associationRemoved: removed,
				isPrimaryAssociation: primary,
			})),
		);
	}
}
