/**
 * Jobber webhooks without n8n: signature check, payload parsing, topic → object, and de-duplication of
 * at-least-once deliveries (crm-apis.md §4.7).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { JobberObject } from './objects';

export const SIGNATURE_HEADER = 'x-jobber-hmac-sha256';

/** base64(HMAC-SHA256(client secret, raw body)): what Jobber sends in X-Jobber-Hmac-SHA256. */
export function jobberSignature(secret: string, rawBody: Buffer | string): string {
	return createHmac('sha256', secret).update(rawBody).digest('base64');
}

/**
 * Verifies the signature over the exact bytes received (never a re-serialisation), in constant time. A missing,
 * malformed or wrong signature is false; so is an empty secret.
 */
export function verifyJobberSignature(secret: string, rawBody: Buffer | string, header: string | string[] | undefined): boolean {
	if (!secret) return false;
	const given = Array.isArray(header) ? header[0] : header;
	if (typeof given !== 'string' || given.trim() === '') return false;
	const expected = createHmac('sha256', secret).update(rawBody).digest();
	let provided: Buffer;
	try {
		provided = Buffer.from(given.trim(), 'base64');
	} catch {
		return false;
	}
	// Node's decoder skips characters outside the alphabet and stops at padding ("<signature>=AAAA" decodes to the
	// signature): only the canonical encoding of a MAC counts (padding optional). This reads the header alone, never the secret.
	const unpadded = (b64: string) => b64.replace(/=+$/, '');
	const canonical = unpadded(provided.toString('base64')) === unpadded(given.trim());
	// timingSafeEqual needs equal lengths; comparing against a same-length buffer keeps the check constant-time.
	if (!canonical || provided.length !== expected.length) {
		timingSafeEqual(expected, expected);
		return false;
	}
	return timingSafeEqual(provided, expected);
}

export interface JobberWebhookEvent {
	topic: string;
	appId?: string;
	accountId?: string;
	itemId: string;
	/** As Jobber sent it (account offset); apps created before 2023-12-08 receive it spelled `occuredAt`. */
	occurredAt: string;
}

/** The event of a parsed webhook body, or undefined when the body is not a Jobber webhook. */
export function parseJobberEvent(body: unknown): JobberWebhookEvent | undefined {
	const event = (body as { data?: { webHookEvent?: Record<string, unknown> } } | undefined)?.data?.webHookEvent;
	if (!event || typeof event.topic !== 'string' || typeof event.itemId !== 'string') return undefined;
	const occurred = event.occurredAt ?? event.occuredAt;
	return {
		topic: event.topic,
		appId: typeof event.appId === 'string' ? event.appId : undefined,
		accountId: typeof event.accountId === 'string' ? event.accountId : undefined,
		itemId: event.itemId,
		occurredAt: typeof occurred === 'string' ? occurred : '',
	};
}

const TOPIC_OBJECTS: Array<[RegExp, JobberObject]> = [
	[/^CLIENT_/, 'clients'],
	[/^PROPERTY_/, 'properties'],
	[/^REQUEST_/, 'requests'],
	[/^QUOTE_/, 'quotes'],
	[/^JOB_/, 'jobs'],
	[/^INVOICE_/, 'invoices'],
];

/** The object a topic is about (QUOTE_SENT → quotes, JOB_CLOSED → jobs); undefined for visits, payments, apps… */
export function objectOfTopic(topic: string): JobberObject | undefined {
	return TOPIC_OBJECTS.find(([re]) => re.test(topic))?.[1];
}

export function isDestroyTopic(topic: string): boolean {
	return /_DESTROY$/.test(topic);
}

/** Topics the trigger offers (WebHookTopicEnum, live 2025-01-20), grouped by object. */
export const JOBBER_TOPICS = [
	'CLIENT_CREATE',
	'CLIENT_UPDATE',
	'CLIENT_DESTROY',
	'PROPERTY_CREATE',
	'PROPERTY_UPDATE',
	'PROPERTY_DESTROY',
	'REQUEST_CREATE',
	'REQUEST_UPDATE',
	'REQUEST_DESTROY',
	'QUOTE_CREATE',
	'QUOTE_UPDATE',
	'QUOTE_DESTROY',
	'QUOTE_SENT',
	'QUOTE_APPROVED',
	'JOB_CREATE',
	'JOB_UPDATE',
	'JOB_DESTROY',
	'JOB_CLOSED',
	'INVOICE_CREATE',
	'INVOICE_UPDATE',
	'INVOICE_DESTROY',
	'VISIT_CREATE',
	'VISIT_UPDATE',
	'VISIT_DESTROY',
	'VISIT_COMPLETE',
	'APP_DISCONNECT',
] as const;

/** The de-duplication key of an at-least-once delivery. */
export function eventKey(e: JobberWebhookEvent): string {
	return `${e.topic}|${e.itemId}|${e.occurredAt}`;
}

import type { ProcessedEvents } from '../core/processedEvents';
export { MemoryProcessedEvents, type ProcessedEvents } from '../core/processedEvents';

export type WebhookDecision =
	| { accept: true; event: JobberWebhookEvent; body: unknown }
	| { accept: false; status: 401 | 400 | 200; reason: 'signature' | 'malformed' | 'duplicate' | 'stale' | 'topic'; event?: JobberWebhookEvent };

/**
 * Everything the trigger decides about one delivery, before any execution: signature (401), body (400), age
 * (an event older than the replay window: 401, not executed — Jobber signs no timestamp, so age is the only
 * bound on replaying a captured request), topic filter (200, no execution) and
 * repeats of an event already received (401, no execution: Jobber signs only the body, so a replayed request
 * and a redelivery look the same, and the first one was processed).
 */
export async function decideWebhook(input: {
	secret: string;
	rawBody: Buffer | string | undefined;
	signature: string | string[] | undefined;
	topics?: readonly string[];
	processed: ProcessedEvents;
	/** Namespace of the remembered keys (the trigger: workflow and node). */
	scope: string;
	/** Events older than this are not executed (0: no limit). */
	maxAgeMs?: number;
	/** How long a key is remembered (default 24 h). */
	dedupeTtlMs?: number;
	now?: number;
}): Promise<WebhookDecision> {
	const raw = input.rawBody ?? '';
	if (!verifyJobberSignature(input.secret, raw, input.signature)) return { accept: false, status: 401, reason: 'signature' };
	let body: unknown;
	try {
		body = JSON.parse(Buffer.isBuffer(raw) ? raw.toString('utf8') : raw);
	} catch {
		return { accept: false, status: 400, reason: 'malformed' };
	}
	const event = parseJobberEvent(body);
	if (!event) return { accept: false, status: 400, reason: 'malformed' };
	if (input.topics && input.topics.length && !input.topics.includes(event.topic)) return { accept: false, status: 200, reason: 'topic', event };
	const at = Date.parse(event.occurredAt);
	if (input.maxAgeMs && !Number.isNaN(at) && (input.now ?? Date.now()) - at > input.maxAgeMs) return { accept: false, status: 401, reason: 'stale', event };
	if (!(await input.processed.markEventProcessed(input.scope, eventKey(event), Math.ceil((input.dedupeTtlMs ?? 24 * 3_600_000) / 1000)))) {
		return { accept: false, status: 401, reason: 'duplicate', event };
	}
	return { accept: true, event, body };
}
