/**
 * HubSpot errors → the taxonomy (errors/taxonomy.ts). HubSpot answers `{status:"error", message,
 * correlationId, category, subCategory?, errors?, context?}` (crm-apis.md §1.9); property problems are listed
 * twice, as JSON inside `message` (complete) and in `errors[]` (sometimes shorter, as recorded), and batch
 * envelopes carry per-item errors with `context.objectWriteTraceId` / `context.ids`.
 */
import { classifiedError, describeValue, type ClassifiedError, type ErrorCode } from '../../errors/taxonomy';
import { codeForStatus, ConnectorError, isTransientStatus, retryAfterSeconds } from '../core/errors';
import type { HttpResponse } from '../core/http';
import { OBJECT_FACTS, type HubSpotObject } from './objects';

export interface HubSpotErrorBody {
	status?: string;
	message?: string;
	correlationId?: string;
	category?: string;
	subCategory?: string;
	policyName?: string;
	errorType?: string;
	errors?: Array<{ message?: string; code?: string; context?: Record<string, unknown> }>;
	context?: Record<string, unknown>;
}

/** One invalid property value, as HubSpot lists it. */
export interface PropertyProblem {
	name: string;
	code: string;
	message: string;
}

/** Property error code → taxonomy code; any other code (`INVALID_*` and the like) is Invalid Format. */
const PROPERTY_CODES: Record<string, ErrorCode> = {
	PROPERTY_DOESNT_EXIST: 'FIELD_NOT_FOUND',
	// A read-only or calculated property cannot be a sync target: the mapping has to change, not the data.
	READ_ONLY_VALUE: 'FIELD_NOT_FOUND',
	INVALID_EMAIL: 'INVALID_EMAIL',
	INVALID_OPTION: 'INVALID_FORMAT',
	INVALID_DATE: 'INVALID_FORMAT',
	INVALID_DATETIME: 'INVALID_FORMAT',
	INVALID_LONG: 'INVALID_FORMAT',
	INVALID_INTEGER: 'INVALID_FORMAT',
	INVALID_DOUBLE: 'INVALID_FORMAT',
	INVALID_DECIMAL: 'INVALID_FORMAT',
	INVALID_BOOLEAN: 'INVALID_FORMAT',
	INVALID_TYPE: 'INVALID_FORMAT',
	INVALID_DOMAIN: 'INVALID_FORMAT',
	INVALID_URL: 'INVALID_FORMAT',
	INVALID_PHONE_NUMBER: 'INVALID_FORMAT',
	INVALID_STRING_LENGTH: 'VALUE_TOO_LONG',
	STRING_TOO_LONG: 'VALUE_TOO_LONG',
	VALUE_TOO_LONG: 'VALUE_TOO_LONG',
	REQUIRED_PROPERTY: 'REQUIRED_FIELD_MISSING',
	MISSING_REQUIRED_PROPERTY: 'REQUIRED_FIELD_MISSING',
	UNIQUE_VALUE_CONFLICT: 'DUPLICATE_RECORD',
};

export function taxonomyCodeForProperty(code: string): ErrorCode {
	return PROPERTY_CODES[code] ?? 'INVALID_FORMAT';
}

export function errorBody(res: HttpResponse): HubSpotErrorBody {
	return res.body && typeof res.body === 'object' && !Array.isArray(res.body) ? (res.body as HubSpotErrorBody) : {};
}

/**
 * Every property problem of a 400 VALIDATION_ERROR. The JSON list inside `message` is complete (a recorded
 * response listed four there and three in `errors[]`); `errors[]` fills in when the message cannot be parsed.
 */
export function propertyProblems(body: HubSpotErrorBody): PropertyProblem[] {
	const out: PropertyProblem[] = [];
	const m = /^Property values were not valid: (\[.*\])\s*$/s.exec(body.message ?? '');
	if (m) {
		try {
			const list = JSON.parse(m[1]) as Array<{ name?: unknown; error?: unknown; message?: unknown }>;
			for (const p of list) if (typeof p.name === 'string') out.push({ name: p.name, code: String(p.error ?? 'INVALID_VALUE'), message: String(p.message ?? '') });
		} catch {
			// Fall through to errors[].
		}
	}
	if (out.length === 0) {
		for (const e of body.errors ?? []) {
			const names = e.context?.propertyName;
			const name = Array.isArray(names) && typeof names[0] === 'string' ? names[0] : undefined;
			if (name && e.code) out.push({ name, code: e.code, message: e.message ?? e.code });
		}
	}
	return out;
}

export interface ErrorContext {
	object?: HubSpotObject;
	/** Record id the request was about (get, update, delete). */
	id?: string;
	/** The properties sent, to name the offending value. */
	input?: Record<string, unknown>;
	/** What a 404 means here: a missing record (default) or a missing object type / endpoint. */
	about?: 'record' | 'endpoint';
}

function recordRef(ctx: ErrorContext, id = ctx.id): ClassifiedError['record'] | undefined {
	if (!ctx.object && !id) return undefined;
	return { system: 'hubspot', ...(ctx.object ? { object: ctx.object } : {}), ...(id ? { id } : {}) };
}

function valueIn(input: Record<string, unknown> | undefined, name: string): unknown {
	if (!input) return undefined;
	if (name in input) return input[name];
	const key = Object.keys(input).find((k) => k.toLowerCase() === name.toLowerCase());
	return key === undefined ? undefined : input[key];
}

/** One property problem → a field-level ClassifiedError naming the property and the value sent. */
export function classifyPropertyProblem(p: PropertyProblem, ctx: ErrorContext, status = 400): ClassifiedError {
	const code = taxonomyCodeForProperty(p.code);
	const value = valueIn(ctx.input, p.name);
	const shown = value === undefined ? '' : ` (value ${describeValue(value)})`;
	let message: string;
	if (p.code === 'PROPERTY_DOESNT_EXIST') message = `HubSpot ${ctx.object ?? 'object'} has no property "${p.name}"${shown}`;
	else if (p.code === 'READ_ONLY_VALUE') message = `HubSpot property "${p.name}" is read-only and cannot be written${shown}`;
	else message = `${p.name}: ${p.message || p.code}${shown}`;
	return classifiedError(code, {
		message,
		field: p.name,
		value,
		record: recordRef(ctx),
		vendor: { status, code: p.code, message: p.message },
	});
}

/** `Contact already exists. Existing ID: 501` → "501". */
export function existingIdOf(message: string | undefined, context?: Record<string, unknown>): string | undefined {
	const fromContext = context?.existingId;
	if (Array.isArray(fromContext) && fromContext.length) return String(fromContext[0]);
	return /Existing ID:\s*(\d+)/i.exec(message ?? '')?.[1];
}

export function duplicateError(message: string, ctx: ErrorContext, existingId: string | undefined, status = 409): ClassifiedError {
	const noun = ctx.object ? OBJECT_FACTS[ctx.object].singular : 'record';
	const key = ctx.object === 'contacts' ? 'email' : undefined;
	const value = key ? valueIn(ctx.input, key) : undefined;
	return classifiedError('DUPLICATE_RECORD', {
		message: existingId ? `A HubSpot ${noun} with this ${key ?? 'unique value'} already exists (existing id ${existingId})` : `A HubSpot ${noun} with this ${key ?? 'unique value'} already exists`,
		field: key,
		value,
		// The existing record is the one to pair with or update instead.
		record: existingId ? { system: 'hubspot', ...(ctx.object ? { object: ctx.object } : {}), id: existingId } : recordRef(ctx),
		vendor: { status, code: 'CONFLICT', message },
	});
}

export function notFoundError(ctx: ErrorContext, id = ctx.id, vendorMessage = 'resource not found', status = 404): ClassifiedError {
	const noun = ctx.object ? OBJECT_FACTS[ctx.object].singular : 'record';
	return classifiedError('FIELD_NOT_FOUND', {
		message: `HubSpot ${noun} ${id ?? ''} does not exist or was deleted`.replace('  ', ' '),
		record: recordRef(ctx, id),
		vendor: { status, code: 'OBJECT_NOT_FOUND', message: vendorMessage },
	});
}

/** Real milliseconds to wait after a 429, by policy (HubSpot's own SDK: 10 s rolling, 1 s secondly). */
export function rateLimitWaitMs(res: HttpResponse): number | undefined {
	const body = errorBody(res);
	const after = retryAfterSeconds(res.headers);
	if (after !== undefined) return after * 1000;
	const policy = (body.policyName ?? '').toUpperCase();
	if (policy === 'DAILY') return undefined;
	if (policy === 'SECONDLY' || /secondly limit/i.test(body.message ?? '')) return 1000;
	return 10_000;
}

export function isDailyLimit(res: HttpResponse): boolean {
	const body = errorBody(res);
	return res.status === 429 && ((body.policyName ?? '').toUpperCase() === 'DAILY' || /daily limit/i.test(body.message ?? ''));
}

/**
 * A whole-request error from a non-2xx response. Per-field problems of a single-record write come back as
 * separate errors through `classifyAll`; this returns the first (the ConnectorError carries one).
 */
export function classifyResponse(res: HttpResponse, ctx: ErrorContext = {}, scale = 1): ConnectorError {
	return classifyAll(res, ctx, scale)[0];
}

/** Every error a response describes (several for a 400 with several invalid properties). */
export function classifyAll(res: HttpResponse, ctx: ErrorContext = {}, scale = 1): ConnectorError[] {
	const body = errorBody(res);
	const status = res.status;
	const vendorMessage = body.message ?? (typeof res.body === 'string' ? res.body.slice(0, 200) : `HTTP ${status}`);
	const category = body.category ?? '';
	const base = { response: res, vendorCode: category || undefined, vendorMessage, record: recordRef(ctx) };

	if (status === 401) {
		return [vendorErr('AUTHENTICATION_FAILED', `HubSpot rejected the credential: ${vendorMessage}`, base)];
	}
	if (status === 403) {
		const scopes = body.context?.requiredGranularScopes ?? body.context?.requiredScopes;
		const list = Array.isArray(scopes) && scopes.length ? ` (needs ${scopes.join(', ')})` : '';
		return [vendorErr('PERMISSION_DENIED', `HubSpot denied access${list}: ${vendorMessage}`, base)];
	}
	if (status === 429) {
		if (isDailyLimit(res)) {
			return [vendorErr('RATE_LIMIT_EXCEEDED', "HubSpot's daily API limit is used up; it resets at midnight in the account's time zone", { ...base, vendorCode: body.policyName ?? 'DAILY', retryable: false })];
		}
		const waitMs = rateLimitWaitMs(res);
		return [vendorErr('RATE_LIMIT_EXCEEDED', `HubSpot rate limit reached (${body.policyName ?? 'RATE_LIMIT'}): ${vendorMessage}`, { ...base, vendorCode: body.policyName ?? category, waitMs: waitMs === undefined ? undefined : waitMs / scale })];
	}
	if (status === 409) {
		const existing = existingIdOf(body.message, body.context);
		return [new ConnectorError({ ...duplicateError(vendorMessage, ctx, existing, status) })];
	}
	if (status === 404) {
		if (ctx.about === 'endpoint') return [vendorErr('OBJECT_TYPE_CHANGED', `HubSpot does not know this endpoint or object type: ${vendorMessage}`, base)];
		return [new ConnectorError(notFoundError(ctx, ctx.id, vendorMessage, status))];
	}
	if (isTransientStatus(status)) {
		// 423 locked, 477 migration, 5xx and gateway pages: transient, retried.
		const after = retryAfterSeconds(res.headers);
		const waitMs = after !== undefined ? (after * 1000) / scale : status === 423 ? 2000 / scale : undefined;
		return [vendorErr('CONNECTION_TIMEOUT', `HubSpot is temporarily unavailable (HTTP ${status}): ${vendorMessage}`, { ...base, waitMs, retryable: true })];
	}
	if (status === 477) {
		const after = retryAfterSeconds(res.headers);
		return [vendorErr('CONNECTION_TIMEOUT', `HubSpot account migration in progress: ${vendorMessage}`, { ...base, waitMs: after !== undefined ? (after * 1000) / scale : 10_000 / scale, retryable: true })];
	}
	if (status === 400) {
		const problems = propertyProblems(body);
		if (problems.length) return problems.map((p) => new ConnectorError(classifyPropertyProblem(p, ctx, status)));
		if (/Unable to infer object type/i.test(vendorMessage)) return [vendorErr('OBJECT_TYPE_CHANGED', `HubSpot does not know this object type: ${vendorMessage}`, base)];
		const propName = body.context?.propertyName;
		if (/does not exist/i.test(vendorMessage) && Array.isArray(propName)) {
			return [vendorErr('FIELD_NOT_FOUND', `HubSpot: ${vendorMessage}`, { ...base, field: String(propName[0]) })];
		}
	}
	return [vendorErr(codeForStatus(status), `HubSpot answered HTTP ${status}: ${vendorMessage}`, base)];
}

function vendorErr(
	code: ErrorCode,
	message: string,
	extra: { response?: HttpResponse; vendorCode?: string; vendorMessage?: string; record?: ClassifiedError['record']; waitMs?: number; retryable?: boolean; field?: string },
): ConnectorError {
	const classified = classifiedError(code, {
		message,
		field: extra.field,
		record: extra.record,
		vendor: { status: extra.response?.status, code: extra.vendorCode, message: extra.vendorMessage },
		retryAfter: extra.waitMs !== undefined ? Math.ceil(extra.waitMs / 1000) : undefined,
	});
	if (extra.retryable !== undefined) classified.retryable = extra.retryable;
	return new ConnectorError(classified, extra.waitMs);
}

/** A classified error for a network failure (no HTTP answer). */
export function transportError(message: string, kind: 'timeout' | 'network'): ConnectorError {
	const classified = classifiedError('CONNECTION_TIMEOUT', { message: kind === 'timeout' ? `HubSpot did not answer in time: ${message}` : `Could not reach HubSpot: ${message}` });
	return new ConnectorError(classified);
}

/** Errors that concern the whole request (credential, scopes, the daily budget), never a single record. */
export function isWholeRequestError(e: ClassifiedError): boolean {
	return e.code === 'AUTHENTICATION_FAILED' || e.code === 'PERMISSION_DENIED' || (e.code === 'RATE_LIMIT_EXCEEDED' && !e.retryable) || e.code === 'OBJECT_TYPE_CHANGED';
}
