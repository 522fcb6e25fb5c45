/**
 * Webhook logic of the Pipedrive trigger, free of n8n so it is unit-tested alone:
 * - Pipedrive signs nothing; a subscription can carry HTTP Basic credentials that Pipedrive sends back on
 *   every delivery. We derive them from the credential's secret and the webhook URL (nothing secret stored,
 *   the same on every worker) and compare what arrives in constant time.
 * - De-duplication of at-least-once deliveries by `meta.id`, dropping of events older than the last one seen
 *   for the same record, and echo suppression (changes our own API user made) — `screenEvent`.
 * - v2 payload → record envelope (`eventToItem`).
 *
 * State sits behind two small interfaces. Event ids go to the sync store when the trigger has one (durable,
 * shared); the per-record marks stay in memory (`MemoryEventState`, an LRU per process): losing them on a
 * restart only lets one late event through, which the ledger's newest-wins check still catches.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { MemoryProcessedEvents, type ProcessedEvents } from '../core/processedEvents';
import type { RecordEnvelope } from '../core/types';
import { OBJECT_OF, type PipedriveEntity } from './objects';
import { isoTime, toEnvelope, type Raw } from './records';
import type { ObjectSchema } from './schema';

// ---- HTTP Basic auth ------------------------------------------------------------------------------------

export interface BasicCredentials {
	user: string;
	password: string;
}

/** Credentials for one subscription, derived from a secret only we know (API token or OAuth client secret). */
export function webhookCredentials(secret: string, webhookUrl: string): BasicCredentials {
	const mac = (label: string) => createHmac('sha256', `fluxcascade:pipedrive-webhook:${secret}`).update(`${label}\n${webhookUrl}`).digest();
	return { user: `flux-${mac('user').toString('hex').slice(0, 12)}`, password: mac('password').toString('base64url') };
}

/** True when the `Authorization: Basic …` header carries exactly these credentials (constant-time compare). */
export function checkBasicAuth(header: string | string[] | undefined, expected: BasicCredentials): boolean {
	const value = Array.isArray(header) ? header[0] : header;
	const m = /^\s*Basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(value ?? '');
	// Hash both sides so the comparison takes the same time whatever the lengths.
	const digest = (s: string) => createHash('sha256').update(s).digest();
	const given = m ? Buffer.from(m[1], 'base64').toString('utf8') : '';
	const ok = timingSafeEqual(digest(given), digest(`${expected.user}:${expected.password}`));
	return ok && m !== null;
}

// ---- event state ----------------------------------------------------------------------------------------

export type { ProcessedEvents } from '../core/processedEvents';

export interface EntityMark {
	/** meta.timestamp of the newest event seen for the record. */
	timestamp: string;
	/** data.update_time of that event (the record version), when it had data. */
	version?: string;
}

export interface EntityVersions {
	lastSeen(key: string): Promise<EntityMark | undefined>;
	remember(key: string, mark: EntityMark): Promise<void>;
}

/**
 * Per-record marks of the newest event seen (out-of-order detection), in memory, bounded (least recently used
 * out first), per process; event ids too when no store is given. Lost on restart; not shared by workers.
 */
export class MemoryEventState implements ProcessedEvents, EntityVersions {
	private readonly events: ProcessedEvents;
	private readonly marks = new Map<string, EntityMark>();

	constructor(
		private readonly capacity = 10_000,
		now: () => number = Date.now,
		events?: ProcessedEvents,
	) {
		this.events = events ?? new MemoryProcessedEvents(capacity, now);
	}

	async markEventProcessed(source: string, eventId: string, ttlSeconds: number): Promise<boolean> {
		return await this.events.markEventProcessed(source, eventId, ttlSeconds);
	}

	async lastSeen(key: string): Promise<EntityMark | undefined> {
		const mark = this.marks.get(key);
		if (mark) {
			this.marks.delete(key);
			this.marks.set(key, mark);
		}
		return mark;
	}

	async remember(key: string, mark: EntityMark): Promise<void> {
		this.marks.delete(key);
		this.marks.set(key, mark);
		while (this.marks.size > this.capacity) this.marks.delete(this.marks.keys().next().value as string);
	}
}

// ---- screening --------------------------------------------------------------------------------------------

export interface WebhookMeta {
	action: 'create' | 'change' | 'delete' | string;
	entity: string;
	entity_id: string;
	id: string;
	timestamp: string;
	change_source?: string;
	user_id?: string;
	webhook_id?: string;
	webhook_owner_id?: string;
	attempt?: number;
	version?: string;
	merged_to_id?: string;
	merged_from_id?: string;
	correlation_id?: string;
	[key: string]: unknown;
}

export interface PipedriveWebhookEvent {
	meta: WebhookMeta;
	data: Raw | null;
	previous: Raw | null;
}

export interface ScreenOptions {
	/** Drop deliveries whose meta.id was already processed (default true). */
	dedupe?: boolean;
	dedupeTtlSeconds?: number;
	/** Drop events older than the last one seen for the same record (default true). */
	dropOutOfOrder?: boolean;
	/** Drop changes our own integration user made through the API (default true). */
	suppressEcho?: boolean;
	/** Our API user's id; defaults to the webhook's owner (the user who created the subscription, i.e. us). */
	ownUserId?: string;
	/** Namespace of event ids (a webhook id or node identity). */
	source?: string;
}

export type Screening =
	| { accept: true; event: PipedriveWebhookEvent }
	| { accept: false; reason: 'malformed' | 'not_v2' | 'duplicate' | 'out_of_order' | 'echo'; detail: string };

function isObj(v: unknown): v is Raw {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads a v2 webhook body; undefined (with the reason) when it is not one. */
export function parseEvent(body: unknown): PipedriveWebhookEvent | { reason: 'malformed' | 'not_v2' } {
	if (!isObj(body) || !isObj(body.meta)) return { reason: 'malformed' };
	const meta = body.meta as Raw;
	if (meta.v === 1 || body.v === 1) return { reason: 'not_v2' };
	if (typeof meta.id !== 'string' || typeof meta.entity !== 'string' || typeof meta.action !== 'string') return { reason: 'malformed' };
	return {
		meta: { ...(meta as WebhookMeta), entity_id: String(meta.entity_id ?? ''), user_id: meta.user_id === undefined ? undefined : String(meta.user_id) },
		data: isObj(body.data) ? body.data : null,
		previous: isObj(body.previous) ? body.previous : null,
	};
}

export async function screenEvent(body: unknown, state: ProcessedEvents & EntityVersions, options: ScreenOptions = {}): Promise<Screening> {
	const parsed = parseEvent(body);
	if ('reason' in parsed) return { accept: false, reason: parsed.reason, detail: parsed.reason === 'not_v2' ? 'webhooks v1 payload; this trigger pins v2' : 'not a Pipedrive webhook body' };
	const { meta } = parsed;
	if (options.suppressEcho !== false && meta.change_source === 'api') {
		const own = options.ownUserId ?? meta.webhook_owner_id;
		if (own !== undefined && String(meta.user_id) === String(own)) {
			return { accept: false, reason: 'echo', detail: `change made through the API by user ${meta.user_id} (this integration)` };
		}
	}
	const key = `${meta.entity}:${meta.entity_id}`;
	const mark: EntityMark = { timestamp: String(meta.timestamp ?? '') };
	if (typeof parsed.data?.update_time === 'string') mark.version = parsed.data.update_time;
	let last: EntityMark | undefined;
	if (options.dropOutOfOrder !== false) {
		last = await state.lastSeen(key);
		if (last && isOlder(mark, last)) {
			return { accept: false, reason: 'out_of_order', detail: `event of ${mark.timestamp} is older than the last seen for ${key} (${last.timestamp})` };
		}
	}
	if (options.dedupe !== false && !(await state.markEventProcessed(options.source ?? 'pipedrive', meta.id, options.dedupeTtlSeconds ?? 7 * 86_400))) {
		return { accept: false, reason: 'duplicate', detail: `event ${meta.id} was already processed` };
	}
	if (options.dropOutOfOrder !== false) {
		await state.remember(key, last && Date.parse(last.timestamp) > Date.parse(mark.timestamp) ? { ...mark, timestamp: last.timestamp } : mark);
	}
	return { accept: true, event: parsed };
}

function isOlder(mark: EntityMark, last: EntityMark): boolean {
	const t = Date.parse(mark.timestamp);
	const lt = Date.parse(last.timestamp);
	if (Number.isFinite(t) && Number.isFinite(lt) && t < lt) return true;
	// meta.timestamp may be the delivery time; the record's own version catches a retried older event too.
	if (mark.version && last.version) {
		const v = Date.parse(mark.version);
		const lv = Date.parse(last.version);
		if (Number.isFinite(v) && Number.isFinite(lv) && v < lv) return true;
	}
	return false;
}

// ---- event → item -----------------------------------------------------------------------------------------

export interface EventItem extends RecordEnvelope {
	event: {
		id: string;
		action: string;
		entity: string;
		timestamp: string;
		changeSource?: string;
		userId?: string;
		attempt?: number;
		webhookId?: string;
		/** The fields that changed, with their old values (change); the last state (delete); null (create). */
		previous: Raw | null;
		mergedToId?: string;
		mergedFromId?: string;
	};
}

/** One item per event: the record envelope (custom fields by name when the schema is known) plus the event. */
export function eventToItem(event: PipedriveWebhookEvent, schema?: ObjectSchema): EventItem {
	const { meta } = event;
	const object = OBJECT_OF[meta.entity as PipedriveEntity];
	const fieldsOf = (raw: Raw | null): Raw | null => {
		if (!raw) return null;
		if (!object) return { ...raw };
		return toEnvelope(object, { ...raw, id: meta.entity_id }, schema).fields;
	};
	const deleted = meta.action === 'delete';
	const source = deleted ? event.previous : event.data;
	let envelope: RecordEnvelope;
	if (object && source) {
		envelope = toEnvelope(object, { ...source, id: source.id ?? meta.entity_id }, schema);
	} else {
		envelope = { system: 'pipedrive', object: object ?? `${meta.entity}s`, id: meta.entity_id, updatedAt: isoTime(meta.timestamp), fields: source ? { ...source } : {} };
	}
	if (deleted) {
		envelope.deleted = true;
		envelope.updatedAt = isoTime(meta.timestamp);
	}
	const out: EventItem = {
		...envelope,
		event: {
			id: meta.id,
			action: meta.action,
			entity: meta.entity,
			timestamp: String(meta.timestamp),
			changeSource: meta.change_source,
			userId: meta.user_id,
			attempt: typeof meta.attempt === 'number' ? meta.attempt : undefined,
			webhookId: meta.webhook_id,
			previous: fieldsOf(event.previous),
		},
	};
	if (meta.merged_to_id) out.event.mergedToId = String(meta.merged_to_id);
	if (meta.merged_from_id) out.event.mergedFromId = String(meta.merged_from_id);
	for (const k of Object.keys(out.event) as Array<keyof EventItem['event']>) if (out.event[k] === undefined) delete out.event[k];
	return out;
}
