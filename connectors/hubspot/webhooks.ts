/**
 * HubSpot webhooks (crm-apis.md §1.11), without n8n: v3 signature verification over the raw body with a
 * constant-time compare and a 5-minute replay window, event de-duplication by `eventId` (within a delivery
 * and across deliveries, behind a small store interface), echo suppression by `changeSource`/`sourceId`, and
 * the webhooks v3 settings/subscriptions API (developer API key) that registers the target URL.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { classifiedError } from '../../errors/taxonomy';
import { ConnectorError } from '../core/errors';
import type { HttpClient, HttpResponse } from '../core/http';
import { markAll, memoryProcessedEvents, type ProcessedEvents } from '../core/processedEvents';
import { classifyResponse } from './errors';
import { hubspotObject, type HubSpotObject } from './objects';

// ---------------------------------------------------------------- signatures

/** Percent-escapes HubSpot decodes in the URI before signing v3 (and so must the receiver). */
const V3_ESCAPES: Record<string, string> = {
	'%3A': ':',
	'%2F': '/',
	'%3F': '?',
	'%40': '@',
	'%21': '!',
	'%24': '$',
	'%27': "'",
	'%28': '(',
	'%29': ')',
	'%2A': '*',
	'%2C': ',',
	'%3B': ';',
};

export function decodeSignedUri(uri: string): string {
	return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => V3_ESCAPES[m.toUpperCase()] ?? m);
}

function bytes(body: string | Buffer): Buffer {
	return typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
}

/** base64(HMAC-SHA256(client secret, method + uri + rawBody + timestamp)). */
export function signatureV3(secret: string, method: string, uri: string, rawBody: string | Buffer, timestamp: string | number): string {
	return createHmac('sha256', secret)
		.update(Buffer.from(method.toUpperCase() + decodeSignedUri(uri), 'utf8'))
		.update(bytes(rawBody))
		.update(Buffer.from(String(timestamp), 'utf8'))
		.digest('base64');
}

/** v1: hex(SHA-256(client secret + rawBody)). No timestamp, so no replay protection: verified only as a fallback check. */
export function signatureV1(secret: string, rawBody: string | Buffer): string {
	return createHash('sha256').update(Buffer.from(secret, 'utf8')).update(bytes(rawBody)).digest('hex');
}

/** v2: hex(SHA-256(client secret + method + uri + rawBody)). */
export function signatureV2(secret: string, method: string, uri: string, rawBody: string | Buffer): string {
	return createHash('sha256').update(Buffer.from(secret + method.toUpperCase() + uri, 'utf8')).update(bytes(rawBody)).digest('hex');
}

/** Equal-time comparison of two signatures; unequal lengths compare a value with itself so timing says nothing. */
export function safeEqual(a: string, b: string): boolean {
	const x = Buffer.from(a, 'utf8');
	const y = Buffer.from(b, 'utf8');
	if (x.length !== y.length) {
		timingSafeEqual(x, x);
		return false;
	}
	return timingSafeEqual(x, y);
}

export const REPLAY_WINDOW_MS = 5 * 60_000;

export interface VerifyInput {
	clientSecret: string;
	method: string;
	/** The URL HubSpot called, as registered (several candidates when a proxy may have rewritten it). */
	uris: string[];
	rawBody: string | Buffer | undefined;
	signature: string | undefined;
	timestamp: string | undefined;
	now?: number;
	maxAgeMs?: number;
}

export type VerifyResult = { ok: true; uri: string } | { ok: false; reason: 'missing_signature' | 'missing_timestamp' | 'stale_timestamp' | 'bad_signature' | 'missing_body' };

/**
 * Checks `X-HubSpot-Signature-v3` against the raw body: the timestamp must be within 5 minutes (either
 * side: a future stamp is as suspicious as an old one), and the signature must match in constant time.
 */
export function verifySignatureV3(input: VerifyInput): VerifyResult {
	if (!input.signature) return { ok: false, reason: 'missing_signature' };
	if (!input.timestamp || !/^\d+$/.test(input.timestamp.trim())) return { ok: false, reason: 'missing_timestamp' };
	if (input.rawBody === undefined) return { ok: false, reason: 'missing_body' };
	const now = input.now ?? Date.now();
	const age = now - Number(input.timestamp.trim());
	if (Math.abs(age) > (input.maxAgeMs ?? REPLAY_WINDOW_MS)) return { ok: false, reason: 'stale_timestamp' };
	let matched: string | undefined;
	// Every candidate is computed and compared, so the time taken does not depend on which one matched.
	for (const uri of input.uris) {
		const expected = signatureV3(input.clientSecret, input.method, uri, input.rawBody, input.timestamp.trim());
		if (safeEqual(expected, input.signature.trim()) && matched === undefined) matched = uri;
	}
	return matched !== undefined ? { ok: true, uri: matched } : { ok: false, reason: 'bad_signature' };
}

// ---------------------------------------------------------------- events

export interface HubSpotWebhookEvent {
	eventId: number | string;
	subscriptionId?: number;
	portalId?: number;
	appId?: number;
	occurredAt?: number;
	subscriptionType: string;
	attemptNumber?: number;
	objectId?: number | string;
	objectTypeId?: string;
	changeSource?: string;
	changeFlag?: string;
	sourceId?: string;
	propertyName?: string;
	propertyValue?: string;
	[key: string]: unknown;
}

/** The CRM object an event is about (`contact.propertyChange` → contacts; `object.*` by objectTypeId). */
export function eventObject(e: HubSpotWebhookEvent): HubSpotObject | undefined {
	const prefix = String(e.subscriptionType ?? '').split('.')[0];
	if (prefix === 'object') return e.objectTypeId ? hubspotObject(e.objectTypeId) : undefined;
	return hubspotObject(prefix);
}

/** `contact.deletion`, `deal.privacyDeletion`, `object.deletion` … */
export function isDeletion(e: HubSpotWebhookEvent): boolean {
	return /\.(deletion|privacyDeletion)$/.test(e.subscriptionType) || e.changeFlag === 'DELETED';
}

export type EchoMode = 'ownApp' | 'anyIntegration' | 'off';

export interface EchoPolicy {
	mode: EchoMode;
	/** `sourceId`s of writes made by this sync: the app id, and a private app's id when writes go through its token. */
	sourceIds: string[];
}

const INTEGRATION_SOURCES = new Set(['INTEGRATION', 'API', 'APP', 'PUBLIC_API']);

/** True when the change was written by this sync itself, so syncing it back would ping-pong. */
export function isEcho(e: HubSpotWebhookEvent, policy: EchoPolicy): boolean {
	if (policy.mode === 'off') return false;
	if (!INTEGRATION_SOURCES.has(String(e.changeSource ?? '').toUpperCase())) return false;
	if (policy.mode === 'anyIntegration') return true;
	// Older payloads carry no sourceId: the change source is all there is to go by.
	if (e.sourceId === undefined || e.sourceId === null || e.sourceId === '') return true;
	return policy.sourceIds.includes(String(e.sourceId));
}

export { MemoryProcessedEvents, type ProcessedEvents } from '../core/processedEvents';

/** HubSpot retries a delivery for about a day: ids are remembered a little longer. */
export const EVENT_TTL_SECONDS = 26 * 3600;

export interface DeliveryResult {
	events: HubSpotWebhookEvent[];
	duplicates: number;
	echoes: number;
	invalid: number;
	/** Every event of the delivery had been processed before: a replay (or a retry of a delivery already taken). */
	replayed: boolean;
}

/** Parses a delivery's body into events: a JSON array (HubSpot batches up to 100), a single object is tolerated. */
export function parseEvents(body: unknown): HubSpotWebhookEvent[] | undefined {
	let value = body;
	if (Buffer.isBuffer(value)) value = value.toString('utf8');
	if (typeof value === 'string') {
		try {
			value = JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	if (value && typeof value === 'object' && !Array.isArray(value)) value = [value];
	if (!Array.isArray(value)) return undefined;
	return value.filter((e): e is HubSpotWebhookEvent => !!e && typeof e === 'object' && typeof (e as HubSpotWebhookEvent).subscriptionType === 'string');
}

/**
 * The events of one verified delivery that should start work: repeats of an `eventId` (in this delivery or
 * an earlier one) and, per the policy, our own writes are dropped. Every accepted or echoed id is marked.
 * A delivery made only of events already processed is `replayed`: the trigger refuses it (401, which HubSpot
 * does not retry) rather than acknowledging it.
 */
export async function acceptEvents(events: HubSpotWebhookEvent[], options: { scope: string; store?: ProcessedEvents; echo: EchoPolicy; ttlSeconds?: number }): Promise<DeliveryResult> {
	const store = options.store ?? memoryProcessedEvents;
	const out: DeliveryResult = { events: [], duplicates: 0, echoes: 0, invalid: 0, replayed: false };
	const valid = events.filter((e) => e.eventId !== undefined && e.eventId !== null && e.eventId !== '');
	out.invalid = events.length - valid.length;
	// One round trip for the whole batch (HubSpot sends up to 100 events per request).
	const fresh = await markAll(store, options.scope, valid.map((e) => String(e.eventId)), options.ttlSeconds ?? EVENT_TTL_SECONDS);
	const inBatch = new Set<string>();
	for (const e of valid) {
		const id = String(e.eventId);
		if (inBatch.has(id) || !fresh.has(id)) {
			out.duplicates++;
			continue;
		}
		inBatch.add(id);
		if (isEcho(e, options.echo)) {
			out.echoes++;
			continue;
		}
		out.events.push(e);
	}
	out.replayed = out.duplicates > 0 && out.duplicates + out.invalid === events.length;
	return out;
}

// ---------------------------------------------------------------- webhooks v3 API

export interface WebhookSettings {
	targetUrl: string;
	throttling?: { maxConcurrentRequests?: number };
}

export interface WebhookSubscription {
	id: string;
	eventType: string;
	propertyName?: string;
	active: boolean;
}

export interface DesiredSubscription {
	eventType: string;
	propertyName?: string;
}

export function subscriptionKey(s: DesiredSubscription): string {
	return `${s.eventType}|${s.propertyName ?? ''}`;
}

/** The app-level settings and subscriptions API (`/webhooks/v3/{appId}/…`, developer API key). */
export class HubSpotWebhookApi {
	private readonly base: string;

	constructor(
		private readonly http: HttpClient,
		readonly appId: string,
		/** Added as `?hapikey=` when the HttpClient does not authenticate by itself (tests). */
		private readonly developerApiKey?: string,
	) {
		this.base = `/webhooks/v3/${encodeURIComponent(String(appId).trim())}`;
	}

	private async send(method: 'GET' | 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<HttpResponse> {
		const res = await this.http.request({ method, url: `${this.base}${path}`, body, query: this.developerApiKey ? { hapikey: this.developerApiKey } : undefined });
		return res;
	}

	private fail(res: HttpResponse): never {
		throw classifyResponse(res, { about: 'endpoint' });
	}

	async settings(): Promise<WebhookSettings | undefined> {
		const res = await this.send('GET', '/settings');
		if (res.status === 404) return undefined;
		if (res.status !== 200) this.fail(res);
		return res.body as WebhookSettings;
	}

	async setTargetUrl(targetUrl: string, maxConcurrentRequests = 10): Promise<void> {
		const res = await this.send('PUT', '/settings', { targetUrl, throttling: { maxConcurrentRequests } });
		if (res.status !== 200 && res.status !== 201) this.fail(res);
	}

	async deleteSettings(): Promise<void> {
		const res = await this.send('DELETE', '/settings');
		if (res.status !== 204 && res.status !== 200 && res.status !== 404) this.fail(res);
	}

	async subscriptions(): Promise<WebhookSubscription[]> {
		const res = await this.send('GET', '/subscriptions');
		if (res.status !== 200) this.fail(res);
		return ((res.body as { results?: WebhookSubscription[] }).results ?? []).map((s) => ({ ...s, id: String(s.id) }));
	}

	async subscribe(s: DesiredSubscription): Promise<WebhookSubscription> {
		const res = await this.send('POST', '/subscriptions', { eventType: s.eventType, ...(s.propertyName ? { propertyName: s.propertyName } : {}), active: true });
		if (res.status !== 200 && res.status !== 201) this.fail(res);
		return res.body as WebhookSubscription;
	}

	async unsubscribe(id: string): Promise<void> {
		const res = await this.send('DELETE', `/subscriptions/${encodeURIComponent(id)}`);
		if (res.status !== 204 && res.status !== 200 && res.status !== 404) this.fail(res);
	}

	async activate(id: string): Promise<void> {
		const res = await this.http.request({ method: 'PATCH', url: `${this.base}/subscriptions/${encodeURIComponent(id)}`, body: { active: true }, query: this.developerApiKey ? { hapikey: this.developerApiKey } : undefined });
		if (res.status !== 200) this.fail(res);
	}

	/** Whether the app already sends exactly these subscriptions to this URL (nothing to change). */
	async isRegistered(targetUrl: string, desired: DesiredSubscription[]): Promise<boolean> {
		const settings = await this.settings();
		if (!settings || settings.targetUrl !== targetUrl) return false;
		const current = await this.subscriptions();
		const active = new Set(current.filter((s) => s.active).map(subscriptionKey));
		return desired.every((d) => active.has(subscriptionKey(d))) && current.length === new Set(desired.map(subscriptionKey)).size;
	}

	/**
	 * Points the app at `targetUrl` and makes its subscriptions exactly `desired`: missing ones are created,
	 * inactive ones activated, others removed. Never creates a subscription that already exists.
	 * `owns(url)` says whether a current target URL is ours to replace; any other target is left alone.
	 */
	async register(targetUrl: string, desired: DesiredSubscription[], options: { owns?: (url: string) => boolean; maxConcurrentRequests?: number } = {}): Promise<{ created: number; removed: number }> {
		const settings = await this.settings();
		if (settings?.targetUrl && settings.targetUrl !== targetUrl && !(options.owns?.(settings.targetUrl) ?? false)) {
			throw new ConnectorError(
				classifiedError('PERMISSION_DENIED', {
					message: `HubSpot app ${this.appId} already sends its webhooks to ${settings.targetUrl}. A HubSpot app has one target URL: clear it in the app's settings or use another app for this trigger.`,
				}),
			);
		}
		if (settings?.targetUrl !== targetUrl) await this.setTargetUrl(targetUrl, options.maxConcurrentRequests);
		const wanted = new Map(desired.map((d) => [subscriptionKey(d), d]));
		const current = await this.subscriptions();
		let created = 0;
		let removed = 0;
		const have = new Set<string>();
		for (const s of current) {
			const k = subscriptionKey(s);
			if (!wanted.has(k) || have.has(k)) {
				await this.unsubscribe(s.id);
				removed++;
				continue;
			}
			have.add(k);
			if (!s.active) await this.activate(s.id);
		}
		for (const [k, d] of wanted) {
			if (have.has(k)) continue;
			await this.subscribe(d);
			created++;
		}
		return { created, removed };
	}

	/** Removes every subscription and the target URL, when the target is ours. */
	async unregister(targetUrl: string, options: { owns?: (url: string) => boolean } = {}): Promise<boolean> {
		const settings = await this.settings();
		if (!settings) return true;
		if (settings.targetUrl !== targetUrl && !(options.owns?.(settings.targetUrl) ?? false)) return false;
		for (const s of await this.subscriptions()) await this.unsubscribe(s.id);
		await this.deleteSettings();
		return true;
	}
}
