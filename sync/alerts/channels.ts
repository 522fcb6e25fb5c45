/**
 * Alert channels: Slack incoming webhook, a generic webhook signed with HMAC-SHA256, and items for n8n's own
 * Email/Slack/Teams nodes. HTTP goes through an injected `send` so the node can use n8n's request helper and
 * tests a plain fetch against a local server.
 *
 * Signed webhook (documented in README.md):
 *   X-FluxCascade-Timestamp: <unix seconds>
 *   X-FluxCascade-Signature: sha256=<lower-case hex of HMAC-SHA256(secret, `${timestamp}.${rawBody}`)>
 * Each attempt is signed afresh (new timestamp, same body and X-FluxCascade-Delivery id).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { renderHtml, renderSlack, renderText, webhookBody, type SlackBlock } from './message';
import { redactDeep, redactText } from './redact';
import type { AlertMessage, DeliveryAttempt, DeliveryResult } from './types';

export interface HttpRequest {
	url: string;
	method: 'POST';
	headers: Record<string, string>;
	/** The exact bytes to send (the signature covers them). */
	body: string;
	timeoutMs: number;
}

export interface HttpResponse {
	status: number;
	headers?: Record<string, string>;
	body?: string;
}

/** Sends one request; resolves with any HTTP status, rejects only when there is no answer (network, timeout). */
export type HttpSend = (req: HttpRequest) => Promise<HttpResponse>;

export const SIGNATURE_HEADER = 'X-FluxCascade-Signature';
export const TIMESTAMP_HEADER = 'X-FluxCascade-Timestamp';
export const DELIVERY_HEADER = 'X-FluxCascade-Delivery';
export const ATTEMPT_HEADER = 'X-FluxCascade-Attempt';

/** Waits before attempts 2, 3 and 4. */
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [1000, 2000, 4000];

export interface DeliveryOptions {
	send?: HttpSend;
	retryDelaysMs?: readonly number[];
	sleep?: (ms: number) => Promise<void>;
	now?: () => Date;
	timeoutMs?: number;
}

/** A plain fetch with a timeout; the body is sent as the given string. */
export const fetchSend: HttpSend = async (req) => {
	const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(req.timeoutMs) });
	const headers: Record<string, string> = {};
	res.headers.forEach((v, k) => (headers[k] = v));
	return { status: res.status, headers, body: await res.text() };
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The string the signature covers: `${timestamp}.${rawBody}`. */
export function signedPayload(timestamp: string, body: string): string {
	return `${timestamp}.${body}`;
}

/** `sha256=<hex>` for the timestamp and raw body. */
export function sign(secret: string, timestamp: string, body: string): string {
	return `sha256=${createHmac('sha256', secret).update(signedPayload(timestamp, body), 'utf8').digest('hex')}`;
}

/**
 * For receivers: checks the signature header (with or without the `sha256=` prefix) in constant time and that
 * the timestamp is within `toleranceSeconds` of now (replay window, default 5 minutes).
 */
export function verifySignature(secret: string, timestamp: string, body: string, signature: string, options: { toleranceSeconds?: number; now?: Date } = {}): boolean {
	const ts = Number(timestamp);
	const now = (options.now ?? new Date()).getTime() / 1000;
	if (!Number.isFinite(ts) || Math.abs(now - ts) > (options.toleranceSeconds ?? 300)) return false;
	const expected = Buffer.from(sign(secret, timestamp, body).slice('sha256='.length), 'hex');
	const given = Buffer.from(signature.replace(/^sha256=/, ''), 'hex');
	return given.length === expected.length && timingSafeEqual(given, expected);
}

interface PostPlan {
	channel: 'slack' | 'webhook';
	url: string;
	body: string;
	secrets: string[];
	headers: (attempt: number, now: Date) => Record<string, string>;
	/** Whether a non-2xx answer is worth another attempt. */
	retryStatus: (status: number) => boolean;
}

async function post(plan: PostPlan, options: DeliveryOptions): Promise<DeliveryResult> {
	const send = options.send ?? fetchSend;
	const sleep = options.sleep ?? defaultSleep;
	const now = options.now ?? (() => new Date());
	const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
	const attempts: DeliveryAttempt[] = [];
	for (let attempt = 1; ; attempt++) {
		const at = now();
		const started = Date.now();
		let retry = true;
		try {
			const res = await send({ url: plan.url, method: 'POST', headers: plan.headers(attempt, at), body: plan.body, timeoutMs: options.timeoutMs ?? 10_000 });
			const record: DeliveryAttempt = { attempt, at: at.toISOString(), status: res.status, durationMs: Date.now() - started };
			if (res.status >= 200 && res.status < 300) {
				attempts.push(record);
				return { channel: plan.channel, ok: true, status: 'sent', attempts, httpStatus: res.status };
			}
			record.error = redactText(`HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 200)}` : ''}`, plan.secrets);
			attempts.push(record);
			retry = plan.retryStatus(res.status);
		} catch (err) {
			// Network errors can quote the URL, which is itself a secret for webhooks: scrub them.
			attempts.push({ attempt, at: at.toISOString(), error: redactText((err as Error).message ?? String(err), plan.secrets), durationMs: Date.now() - started });
		}
		if (!retry || attempt > delays.length) {
			const last = attempts[attempts.length - 1];
			return { channel: plan.channel, ok: false, status: 'failed', attempts, ...(last.status ? { httpStatus: last.status } : {}), error: last.error ?? 'delivery failed' };
		}
		await sleep(delays[attempt - 1]);
	}
}

export interface WebhookTarget {
	url: string;
	secret: string;
}

/** The body exactly as sent: the redacted message as JSON. */
export function webhookPayload(m: AlertMessage, secrets: readonly string[] = []): string {
	return JSON.stringify(redactDeep(webhookBody(m), secrets));
}

/** POSTs the alert as signed JSON; retried 1 s / 2 s / 4 s on any non-2xx answer or network error. */
export async function deliverWebhook(m: AlertMessage, target: WebhookTarget, options: DeliveryOptions = {}): Promise<DeliveryResult> {
	const secrets = [target.url, target.secret];
	const body = webhookPayload(m, secrets);
	return post(
		{
			channel: 'webhook',
			url: target.url,
			body,
			secrets,
			headers: (attempt, at) => {
				const timestamp = String(Math.floor(at.getTime() / 1000));
				return {
					'content-type': 'application/json',
					'user-agent': 'n8n-nodes-fluxcascade (Sync Alert)',
					[TIMESTAMP_HEADER]: timestamp,
					[SIGNATURE_HEADER]: sign(target.secret, timestamp, body),
					[DELIVERY_HEADER]: m.id,
					[ATTEMPT_HEADER]: String(attempt),
				};
			},
			retryStatus: () => true,
		},
		options,
	);
}

export function slackPayload(m: AlertMessage, secrets: readonly string[] = []): { text: string; blocks: SlackBlock[] } {
	return redactDeep(renderSlack(m), secrets);
}

/**
 * POSTs Block Kit to a Slack incoming webhook. Retried like the signed webhook on 429, 5xx and network errors;
 * Slack's 4xx answers (invalid_payload, no_service, channel_is_archived…) are final.
 */
export async function deliverSlack(m: AlertMessage, webhookUrl: string, options: DeliveryOptions = {}): Promise<DeliveryResult> {
	const secrets = [webhookUrl];
	return post(
		{
			channel: 'slack',
			url: webhookUrl,
			body: JSON.stringify(slackPayload(m, secrets)),
			secrets,
			headers: () => ({ 'content-type': 'application/json; charset=utf-8' }),
			retryStatus: (s) => s === 429 || s >= 500,
		},
		options,
	);
}

export interface AlertItem {
	subject: string;
	text: string;
	html: string;
	/** Slack Block Kit blocks, for n8n's Slack node (Blocks: `{{ JSON.stringify($json.blocks) }}`). */
	blocks: SlackBlock[];
	alert: AlertMessage;
}

/** The alert as fields for n8n's own Email (subject, text, html), Slack (text, blocks) and Teams (html) nodes. */
export function alertItem(m: AlertMessage, secrets: readonly string[] = []): AlertItem {
	const clean = redactDeep(m, secrets);
	return redactDeep({ subject: clean.title, text: renderText(clean), html: renderHtml(clean), blocks: renderSlack(clean).blocks, alert: clean }, secrets);
}
