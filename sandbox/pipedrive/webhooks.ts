/**
 * Pipedrive webhooks: subscriptions managed through `/v1/webhooks`, and the emitter that posts v2
 * (`meta/data/previous`) or v1 (`current/previous/meta/retry/event`) payloads with optional HTTP Basic auth,
 * retrying after 3 s, 30 s and 150 s of vendor time, 10-s timeout, and the 30-minute ban after 10 consecutive
 * failed first attempts.
 */
import type { Clock } from '../core/clock';
import { WebhookSender } from '../core/webhooks';
import type { ChangeEvent, Company, EntityName, Json } from './company';
import type { ResolvedOptions } from './options';

export interface WebhookSub {
	id: number;
	ownerId: number;
	userId: number;
	eventAction: string;
	eventObject: string;
	subscriptionUrl: string;
	version: '1.0' | '2.0';
	addTime: number;
	type: 'general' | 'application';
	httpAuthUser: string | null;
	httpAuthPassword: string | null;
	lastDeliveryTime: number | null;
	lastHttpStatus: number | null;
	name: string;
	/** Failed first attempts in a row; 10 bans the webhook for 30 minutes (events are lost meanwhile). */
	firstAttemptFailures: number;
	bannedUntil: number | null;
}

export const V1_ACTIONS: Record<ChangeEvent['action'], string> = { create: 'added', change: 'updated', delete: 'deleted' };
const ACTION_ALIASES: Record<string, ChangeEvent['action']> = { added: 'create', updated: 'change', deleted: 'delete', create: 'create', change: 'change', delete: 'delete' };
const BAN_AFTER = 10;
const BAN_MS = 30 * 60 * 1000;

export function renderWebhook(sub: WebhookSub, companyId: number): Json {
	return {
		id: sub.id,
		company_id: companyId,
		owner_id: sub.ownerId,
		user_id: sub.userId,
		event_action: sub.eventAction,
		event_object: sub.eventObject,
		subscription_url: sub.subscriptionUrl,
		version: sub.version,
		is_active: 1,
		add_time: new Date(sub.addTime).toISOString(),
		remove_time: null,
		type: sub.type,
		http_auth_user: sub.httpAuthUser,
		http_auth_password: sub.httpAuthPassword,
		remove_reason: null,
		last_delivery_time: sub.lastDeliveryTime === null ? null : new Date(sub.lastDeliveryTime).toISOString(),
		last_http_status: sub.lastHttpStatus,
		admin_id: sub.ownerId,
		name: sub.name,
	};
}

/** Top-level fields that differ between two v2 renderings (custom fields compared key by key). */
export function changedFields(before: Json, after: Json): Json {
	const out: Json = {};
	for (const key of Object.keys(before)) {
		if (key === 'update_time') continue;
		if (key === 'custom_fields') {
			const b = (before.custom_fields ?? {}) as Json;
			const a = (after.custom_fields ?? {}) as Json;
			const diff: Json = {};
			for (const k of new Set([...Object.keys(b), ...Object.keys(a)])) if (JSON.stringify(b[k] ?? null) !== JSON.stringify(a[k] ?? null)) diff[k] = b[k] ?? null;
			if (Object.keys(diff).length) out.custom_fields = diff;
			continue;
		}
		if (JSON.stringify(before[key]) !== JSON.stringify(after[key])) out[key] = before[key];
	}
	return out;
}

/**
 * Pipedrive's delivery on the core sender: per-attempt bodies (`meta.attempt` / `retry` change on every try),
 * optional Basic auth, and the ban after repeated first-attempt failures.
 */
export class PipedriveWebhookSender {
	readonly core: WebhookSender;

	constructor(
		private readonly vendorClock: Clock,
		retryDelaysMs: number[],
		timeoutVendorMs: number,
		minRealTimeoutMs: number,
	) {
		// The timeout is vendor time, with a real-time floor so a large time scale cannot shrink it to nothing.
		this.core = new WebhookSender(vendorClock, { retryDelaysMs, timeoutMs: Math.max(vendorClock.toReal(timeoutVendorMs), minRealTimeoutMs) });
	}

	/** Queues one event for one subscription; `build(attempt)` (counting from 1) renders the body for that attempt. */
	deliver(sub: WebhookSub, build: (attempt: number, timestampMs: number) => string): void {
		if (sub.bannedUntil !== null && sub.bannedUntil > this.vendorClock.now()) return;
		const headers: Record<string, string> = { 'User-Agent': 'Pipedrive Webhooks' };
		this.core.send(
			sub.subscriptionUrl,
			(attempt, timestamp) => build(attempt + 1, timestamp),
			() => {
				if (sub.httpAuthUser === null) return headers;
				// "badSignature" for a vendor without signatures: wrong Basic credentials.
				const password = this.core.behaviour.badSignature ? `${sub.httpAuthPassword ?? ''}-wrong` : (sub.httpAuthPassword ?? '');
				return { ...headers, Authorization: `Basic ${Buffer.from(`${sub.httpAuthUser}:${password}`).toString('base64')}` };
			},
			(attempt, outcome, delivered) => {
				if (outcome.status !== undefined) sub.lastHttpStatus = outcome.status;
				sub.lastDeliveryTime = this.vendorClock.now();
				if (attempt === 0) {
					sub.firstAttemptFailures = delivered ? 0 : sub.firstAttemptFailures + 1;
					if (sub.firstAttemptFailures >= BAN_AFTER) sub.bannedUntil = this.vendorClock.now() + BAN_MS;
				}
			},
		);
	}
}

/** Subscriptions plus the translation of store changes into deliveries. */
export class Webhooks {
	readonly subs = new Map<number, WebhookSub>();
	private nextId = 1;
	readonly sender: PipedriveWebhookSender;

	constructor(
		private readonly company: Company,
		clock: Clock,
		private readonly opts: ResolvedOptions,
	) {
		this.sender = new PipedriveWebhookSender(clock, opts.webhookRetryDelaysMs, opts.webhookTimeoutMs, opts.webhookMinRealTimeoutMs);
		company.listener = (event) => this.onChange(event);
	}

	reset(): void {
		this.subs.clear();
		this.nextId = 1;
	}

	add(sub: Omit<WebhookSub, 'id' | 'firstAttemptFailures' | 'bannedUntil' | 'lastDeliveryTime' | 'lastHttpStatus'>): WebhookSub {
		const full: WebhookSub = { ...sub, id: this.nextId++, firstAttemptFailures: 0, bannedUntil: null, lastDeliveryTime: null, lastHttpStatus: null };
		this.subs.set(full.id, full);
		return full;
	}

	countForUser(userId: number): number {
		let n = 0;
		for (const s of this.subs.values()) if (s.userId === userId) n++;
		return n;
	}

	private matches(sub: WebhookSub, entity: EntityName, action: ChangeEvent['action']): boolean {
		if (sub.eventObject !== '*' && sub.eventObject !== entity) return false;
		return sub.eventAction === '*' || ACTION_ALIASES[sub.eventAction] === action;
	}

	private onChange(event: ChangeEvent): void {
		if (this.subs.size === 0) return;
		const targets = [...this.subs.values()].filter((s) => this.matches(s, event.entity, event.action));
		if (targets.length === 0) return;
		const c = this.opts.credentials;
		const correlation = globalThis.crypto.randomUUID();
		const eventId = globalThis.crypto.randomUUID();
		// Render once per event; only the attempt counter differs between tries.
		let v2: { data: Json | null; previous: Json | null } | null = null;
		let v1: { current: Json | null; previous: Json | null } | null = null;
		for (const sub of targets) {
			if (sub.version === '1.0') {
				v1 ??= {
					current: event.after ? this.company.renderV1(event.entity, event.after) : null,
					previous: event.before ? this.company.renderV1(event.entity, event.before) : null,
				};
				const payload = v1;
				const action = event.mergedFromId !== undefined ? 'merged' : V1_ACTIONS[event.action];
				this.sender.deliver(sub, (attempt, ts) =>
					JSON.stringify({
						v: 1,
						matches_filters: { current: [] },
						meta: {
							v: 1,
							action,
							object: event.entity,
							id: event.id,
							company_id: c.companyId,
							user_id: event.userId,
							host: `${c.companyDomain}.pipedrive.com`,
							timestamp: Math.floor(ts / 1000),
							timestamp_micro: ts * 1000,
							permitted_user_ids: this.company.users.map((u) => u.id),
							trans_pending: false,
							is_bulk_update: false,
							pipedrive_service_name: false,
							change_source: event.source,
							matches_filters: { current: [] },
							webhook_id: String(sub.id),
						},
						current: payload.current,
						previous: payload.previous,
						retry: attempt - 1,
						event: `${action}.${event.entity}`,
					}),
				);
				continue;
			}
			if (!v2) {
				const after = event.after ? this.company.renderV2(event.entity, event.after) : null;
				const before = event.before ? this.company.renderV2(event.entity, event.before) : null;
				v2 = {
					data: after,
					// create: null; delete: the last state; change: only the fields that changed.
					previous: event.action === 'create' ? null : event.action === 'delete' ? before : before && after ? changedFields(before, after) : null,
				};
			}
			const payload = v2;
			this.sender.deliver(sub, (attempt, ts) =>
				JSON.stringify({
					meta: {
						action: event.action,
						entity: event.entity,
						company_id: String(c.companyId),
						correlation_id: correlation,
						entity_id: String(event.id),
						id: eventId,
						is_bulk_edit: false,
						timestamp: new Date(ts).toISOString(),
						type: sub.type,
						user_id: String(event.userId),
						version: '2.0',
						webhook_id: String(sub.id),
						webhook_owner_id: String(sub.ownerId),
						change_source: event.source,
						permitted_user_ids: this.company.users.map((u) => String(u.id)),
						attempt,
						host: `${c.companyDomain}.pipedrive.com`,
						...(event.mergedToId !== undefined ? { merged_to_id: String(event.mergedToId) } : {}),
						...(event.mergedFromId !== undefined ? { merged_from_id: String(event.mergedFromId) } : {}),
					},
					data: payload.data,
					previous: payload.previous,
				}),
			);
		}
	}
}
