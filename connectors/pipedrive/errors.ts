/**
 * Pipedrive answers → the taxonomy (errors/taxonomy.ts). Pipedrive wraps every API error in
 * `{success:false, error, error_info, data:null, additional_data:null}` (+ `code` for feature capping,
 * `errorCode` at the gateway); webhook endpoints answer `{status:"error", success:false, errors:{field:[…]}}`;
 * Cloudflare's abuse block is an HTML 403. v2 validation messages read `Validation failed: <field>: <reason>`.
 */
import type { ClassifiedError, ErrorCode } from '../../errors/taxonomy';
import { ConnectorError, retryAfterSeconds, vendorError } from '../core/errors';
import type { HttpResponse, TransportError } from '../core/http';
import { LABEL, type PipedriveObject } from './objects';

export interface ErrorContext {
	object?: PipedriveObject;
	/** The record the request was about (404 → "Person 12 not found"). */
	id?: string;
	/** Hash key → readable custom field name, so errors name fields as users see them. */
	fieldName?: (key: string) => string | undefined;
	/** The fields that were sent, to report the offending value. */
	input?: Record<string, unknown>;
	/** Vendor milliseconds → real milliseconds (sandbox time scale). */
	toRealMs?: (vendorMs: number) => number;
}

/** What Pipedrive said, whatever the shape. */
export function vendorMessage(body: unknown): { message: string; code?: string } {
	if (typeof body === 'string') {
		if (/<html/i.test(body)) {
			const title = /<title>([^<]*)<\/title>/i.exec(body)?.[1]?.trim();
			return { message: title ? `HTML page: ${title}` : 'HTML page instead of JSON', code: 'html' };
		}
		return { message: body.slice(0, 300) };
	}
	if (body && typeof body === 'object') {
		const b = body as Record<string, unknown>;
		const code = typeof b.code === 'string' ? b.code : b.errorCode !== undefined ? String(b.errorCode) : undefined;
		if (typeof b.error === 'string') return { message: b.error, code };
		if (b.errors && typeof b.errors === 'object') {
			const parts = Object.entries(b.errors as Record<string, unknown>).map(([k, v]) => `${k}: ${Array.isArray(v) ? v.join(', ') : String(v)}`);
			return { message: parts.join('; '), code };
		}
		if (typeof b.message === 'string') return { message: b.message, code };
	}
	return { message: 'no error message' };
}

/** Seconds to wait after a 429: Retry-After when sent, else what is left of the burst window. */
export function rateLimitWaitSeconds(res: HttpResponse): number {
	const retryAfter = retryAfterSeconds(res.headers);
	if (retryAfter !== undefined) return retryAfter;
	const reset = Number(res.headers['x-ratelimit-reset']);
	return Number.isFinite(reset) && reset > 0 ? reset : 2;
}

function pickValue(input: Record<string, unknown> | undefined, field: string | undefined): unknown {
	if (!input || !field) return undefined;
	return Object.prototype.hasOwnProperty.call(input, field) ? input[field] : undefined;
}

/** `custom_fields.<hash>` → the readable name; array paths stay as they are (`emails[0].value`). */
function readableField(raw: string, ctx: ErrorContext): string {
	const m = /^custom_fields\.([0-9a-f]{40})(.*)$/.exec(raw);
	if (m) return (ctx.fieldName?.(m[1]) ?? m[1]) + m[2];
	if (/^[0-9a-f]{40}$/.test(raw)) return ctx.fieldName?.(raw) ?? raw;
	return raw;
}

interface Parsed {
	code: ErrorCode;
	field?: string;
}

/** A 400 answer: which field, and which kind of data error. */
function classify400(message: string, body: unknown, ctx: ErrorContext): Parsed {
	if (/malformed authorization header/i.test(message)) return { code: 'AUTHENTICATION_FAILED' };
	const v = /^Validation failed: ([^:]+): (.*)$/s.exec(message);
	if (v) {
		const field = readableField(v[1].trim(), ctx);
		const reason = v[2];
		if (/is required/i.test(reason)) return { code: 'REQUIRED_FIELD_MISSING', field };
		if (/at most \d+ characters|too long/i.test(reason)) return { code: 'VALUE_TOO_LONG', field };
		if (/is not allowed|not a valid custom field/i.test(reason)) return { code: 'FIELD_NOT_FOUND', field };
		return { code: 'INVALID_FORMAT', field };
	}
	// v1 wording: "Name must be given.", "Title must be given."
	const given = /^(\w+) must be given/i.exec(message);
	if (given) return { code: 'REQUIRED_FIELD_MISSING', field: given[1].toLowerCase() };
	const errors = body && typeof body === 'object' ? (body as { errors?: unknown }).errors : undefined;
	if (errors && typeof errors === 'object') {
		const first = Object.keys(errors as object)[0];
		return { code: 'INVALID_FORMAT', field: first };
	}
	return { code: 'INVALID_FORMAT' };
}

/**
 * The classified error for a non-2xx answer. `retryable` is true for 429 and 5xx (withRetry retries them),
 * false for data, permission and authentication errors.
 */
export function classifyResponse(res: HttpResponse, ctx: ErrorContext = {}): ConnectorError {
	const { message: said, code: vendorCode } = vendorMessage(res.body);
	const label = ctx.object ? LABEL[ctx.object] : 'Record';
	const record = ctx.object || ctx.id ? { system: 'pipedrive', object: ctx.object, id: ctx.id } : undefined;
	const base = { response: res, vendorCode, vendorMessage: said, record };
	const status = res.status;
	const toReal = ctx.toRealMs ?? ((ms: number) => ms);

	if (status === 401) return vendorError('AUTHENTICATION_FAILED', `Pipedrive rejected the credential: ${said}`, base);
	if (status === 402) {
		return vendorError('PERMISSION_DENIED', `The Pipedrive company account is not open (trial expired or payment needed): ${said}`, base);
	}
	if (status === 403) {
		if (vendorCode === 'html') {
			// Cloudflare blocks tokens that keep calling after 429s; more calls only extend the block.
			return vendorError('RATE_LIMIT_EXCEEDED', `Pipedrive's gateway blocked this token for calling too fast (${said}); wait before syncing again`, {
				...base,
				retryable: false,
			});
		}
		if (vendorCode?.startsWith('feature_capping')) {
			return vendorError('PERMISSION_DENIED', `Pipedrive plan limit: ${said}`, base);
		}
		const onlyWith = /^Field (\w+) can only be used/.exec(said);
		return vendorError('PERMISSION_DENIED', `Pipedrive denied the request: ${said}`, { ...base, field: onlyWith?.[1] });
	}
	if (status === 404) {
		const what = ctx.id ? `${label} ${ctx.id} not found in Pipedrive (deleted or merged?)` : `Pipedrive: ${said}`;
		return vendorError('FIELD_NOT_FOUND', what, { ...base, retryable: false });
	}
	if (status === 409) return vendorError('DUPLICATE_RECORD', `Pipedrive: ${said}`, base);
	if (status === 410) return vendorError('FIELD_NOT_FOUND', `Pipedrive: ${said}`, base);
	if (status === 415) return vendorError('PERMISSION_DENIED', `This Pipedrive feature is not enabled for the company: ${said}`, base);
	if (status === 422) {
		return /limit/i.test(said) ? vendorError('PERMISSION_DENIED', `Pipedrive limit reached: ${said}`, base) : vendorError('INVALID_FORMAT', `Pipedrive: ${said}`, base);
	}
	if (status === 429) {
		const seconds = rateLimitWaitSeconds(res);
		return vendorError('RATE_LIMIT_EXCEEDED', `Pipedrive rate limit: ${said}`, { ...base, waitMs: toReal(seconds * 1000) });
	}
	if (status === 408 || status >= 500) {
		return vendorError('CONNECTION_TIMEOUT', `Pipedrive answered ${status}: ${said}`, { ...base, retryable: true });
	}
	if (status === 400 || status === 405) {
		const parsed = classify400(said, res.body, ctx);
		const value = pickValue(ctx.input, parsed.field);
		const where = parsed.field ? ` (field "${parsed.field}")` : '';
		return vendorError(parsed.code, `Pipedrive refused the ${label.toLowerCase()}${where}: ${said}`, { ...base, field: parsed.field, value });
	}
	return vendorError('INVALID_FORMAT', `Pipedrive answered ${status}: ${said}`, base);
}

export function transportFailure(err: TransportError): ConnectorError {
	return vendorError('CONNECTION_TIMEOUT', err.message, { vendorMessage: err.kind, retryable: true });
}

/** A data error found before anything was sent (bad value, unknown field). */
export function localError(code: ErrorCode, message: string, extra: { field?: string; value?: unknown; object?: PipedriveObject; id?: string } = {}): ConnectorError {
	return vendorError(code, message, {
		field: extra.field,
		value: extra.value,
		record: extra.object || extra.id ? { system: 'pipedrive', object: extra.object, id: extra.id } : undefined,
	});
}

export function isNotFound(err: unknown): boolean {
	return err instanceof ConnectorError && err.classified.vendor?.status === 404;
}

export type { ClassifiedError };
