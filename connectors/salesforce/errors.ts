/**
 * Salesforce errors → the taxonomy (errors/taxonomy.ts). Salesforce answers REST errors as a JSON array
 * of `{message, errorCode, fields}`; SaveResults (collections, composite) carry the same facts under
 * `statusCode`. Every code met in the reference or the sandbox has a row here; unknown codes fall back
 * to the HTTP status.
 */
import type { ClassifiedError, ErrorCode } from '../../errors/taxonomy';
import { classifiedError, describeValue } from '../../errors/taxonomy';
import { codeForStatus, ConnectorError } from '../core/errors';
import type { HttpResponse } from '../core/http';

export interface SalesforceErrorEntry {
	message: string;
	/** Top-level REST arrays use errorCode, SaveResults use statusCode. */
	errorCode?: string;
	statusCode?: string;
	fields?: string[];
	[extra: string]: unknown;
}

interface Rule {
	code: ErrorCode;
	/** Transient: retried within the run (5xx, row locks). Default: the taxonomy's own flag. */
	retryable?: boolean;
}

/** Vendor code → taxonomy code. */
const RULES: Record<string, Rule> = {
	// Connection
	INVALID_SESSION_ID: { code: 'AUTHENTICATION_FAILED' },
	INVALID_AUTH_HEADER: { code: 'AUTHENTICATION_FAILED' },
	INVALID_OPERATION_WITH_EXPIRED_PASSWORD: { code: 'AUTHENTICATION_FAILED' },
	REQUEST_LIMIT_EXCEEDED: { code: 'RATE_LIMIT_EXCEEDED' },
	INSUFFICIENT_ACCESS_OR_READONLY: { code: 'PERMISSION_DENIED' },
	INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY: { code: 'PERMISSION_DENIED' },
	INSUFFICIENT_ACCESS: { code: 'PERMISSION_DENIED' },
	API_DISABLED_FOR_ORG: { code: 'PERMISSION_DENIED' },
	API_CURRENTLY_DISABLED: { code: 'PERMISSION_DENIED' },
	FUNCTIONALITY_NOT_ENABLED: { code: 'PERMISSION_DENIED' },
	INSUFFICIENT_ACCESS_ON_OBJECT: { code: 'PERMISSION_DENIED' },
	UNABLE_TO_LOCK_ROW: { code: 'CONNECTION_TIMEOUT', retryable: true },
	SERVER_UNAVAILABLE: { code: 'CONNECTION_TIMEOUT', retryable: true },
	UNKNOWN_EXCEPTION: { code: 'CONNECTION_TIMEOUT', retryable: true },
	QUERY_TIMEOUT: { code: 'CONNECTION_TIMEOUT', retryable: true },
	INVALID_QUERY_LOCATOR: { code: 'CONNECTION_TIMEOUT', retryable: true },
	// Data
	REQUIRED_FIELD_MISSING: { code: 'REQUIRED_FIELD_MISSING' },
	MISSING_ARGUMENT: { code: 'REQUIRED_FIELD_MISSING' },
	STRING_TOO_LONG: { code: 'VALUE_TOO_LONG' },
	INVALID_EMAIL_ADDRESS: { code: 'INVALID_EMAIL' },
	DUPLICATE_VALUE: { code: 'DUPLICATE_RECORD' },
	DUPLICATES_DETECTED: { code: 'DUPLICATE_RECORD' },
	DUPLICATE_EXTERNAL_ID: { code: 'DUPLICATE_RECORD' },
	DUPLICATE_USERNAME: { code: 'DUPLICATE_RECORD' },
	DUPLICATE_ID: { code: 'DUPLICATE_RECORD' },
	MULTIPLE_CHOICES: { code: 'DUPLICATE_RECORD' },
	INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: { code: 'INVALID_FORMAT' },
	NUMBER_OUTSIDE_VALID_RANGE: { code: 'INVALID_FORMAT' },
	FIELD_INTEGRITY_EXCEPTION: { code: 'INVALID_FORMAT' },
	FIELD_CUSTOM_VALIDATION_EXCEPTION: { code: 'INVALID_FORMAT' },
	FIELD_FILTER_VALIDATION_EXCEPTION: { code: 'INVALID_FORMAT' },
	INVALID_CROSS_REFERENCE_KEY: { code: 'INVALID_FORMAT' },
	MALFORMED_ID: { code: 'INVALID_FORMAT' },
	JSON_PARSER_ERROR: { code: 'INVALID_FORMAT' },
	MALFORMED_QUERY: { code: 'INVALID_FORMAT' },
	INVALID_QUERY_FILTER_OPERATOR: { code: 'INVALID_FORMAT' },
	INVALID_INPUT: { code: 'INVALID_FORMAT' },
	INVALID_TYPE_ON_FIELD_IN_RECORD: { code: 'INVALID_FORMAT' },
	CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY: { code: 'INVALID_FORMAT' },
	EXCEEDED_ID_LIMIT: { code: 'INVALID_FORMAT' },
	REQUEST_ENTITY_TOO_LARGE: { code: 'INVALID_FORMAT' },
	METHOD_NOT_ALLOWED: { code: 'INVALID_FORMAT' },
	PROCESSING_HALTED: { code: 'INVALID_FORMAT' },
	LIMIT_EXCEEDED: { code: 'INVALID_FORMAT' },
	INVALID_REPLICATION_DATE: { code: 'INVALID_FORMAT' },
	// A batch-mate failed under allOrNone: this record itself was fine and can be sent again.
	ALL_OR_NONE_OPERATION_ROLLED_BACK: { code: 'INVALID_FORMAT', retryable: true },
	// Mapping
	INVALID_FIELD: { code: 'FIELD_NOT_FOUND' },
	INVALID_FIELD_FOR_INSERT_UPDATE: { code: 'FIELD_NOT_FOUND' },
	INVALID_TYPE: { code: 'OBJECT_TYPE_CHANGED' },
	NOT_FOUND: { code: 'FIELD_NOT_FOUND' },
	ENTITY_IS_DELETED: { code: 'FIELD_NOT_FOUND' },
};

/** Codes that mean "the record itself is not there" (a missing or deleted target, not a missing field). */
export const RECORD_MISSING_CODES = new Set(['NOT_FOUND', 'ENTITY_IS_DELETED']);

export function vendorCodeOf(e: SalesforceErrorEntry): string {
	return String(e.errorCode ?? e.statusCode ?? 'UNKNOWN');
}

export interface ErrorContext {
	object?: string;
	id?: string;
	/** The record body that was sent, to name the offending value. */
	input?: Record<string, unknown>;
	/** What the request was about: a missing resource means a missing object for describe, a missing record otherwise. */
	about?: 'record' | 'object' | 'query';
	status?: number;
}

/** A field named in the message when `fields` is empty: `No such column 'X'`, `Unable to create/update fields: A, B.` */
export function fieldFromMessage(message: string): string | undefined {
	const m =
		/No such column '([^']+)'/.exec(message) ??
		/Unable to create\/update fields: ([A-Za-z0-9_]+)/.exec(message) ??
		/Required fields are missing: \[([A-Za-z0-9_]+)/.exec(message) ??
		/external ID field does not exist or is not accessible: ([A-Za-z0-9_]+)/i.exec(message) ??
		/The external ID field ([A-Za-z0-9_]+) should not/i.exec(message) ??
		/Field ([A-Za-z0-9_]+) is not an external id field/i.exec(message) ??
		/^([A-Za-z0-9_]+) not specified/.exec(message) ??
		/^([A-Za-z0-9_]+): more than one record found/.exec(message);
	return m?.[1];
}

function valueOf(input: Record<string, unknown> | undefined, field: string | undefined): unknown {
	if (!input || !field) return undefined;
	const key = Object.keys(input).find((k) => k.toLowerCase() === field.toLowerCase());
	return key === undefined ? undefined : input[key];
}

/** One Salesforce error entry → a ClassifiedError naming the field and, when known, the value sent. */
export function classifySalesforceError(entry: SalesforceErrorEntry, ctx: ErrorContext = {}): ClassifiedError {
	const vendorCode = vendorCodeOf(entry);
	const rule = RULES[vendorCode];
	let code: ErrorCode = rule?.code ?? codeForStatus(ctx.status ?? 400);
	let retryable = rule?.retryable;
	const fields = Array.isArray(entry.fields) ? entry.fields.filter((f) => typeof f === 'string' && f) : [];
	let field = fields[0] ?? fieldFromMessage(entry.message ?? '');
	let message = entry.message || vendorCode;
	const record = ctx.object || ctx.id ? { system: 'salesforce', ...(ctx.object ? { object: ctx.object } : {}), ...(ctx.id ? { id: ctx.id } : {}) } : undefined;

	if (vendorCode === 'REQUEST_LIMIT_EXCEEDED' && /concurrent/i.test(message)) {
		// The concurrent long-running request cap, not the daily allocation: it clears in seconds.
		retryable = true;
	}
	if (RECORD_MISSING_CODES.has(vendorCode) && !/external ID field/i.test(message)) {
		if (ctx.about === 'object') {
			code = 'OBJECT_TYPE_CHANGED';
			message = `${ctx.object ?? 'The object'} does not exist or is not accessible: ${message}`;
		} else if (ctx.about === 'record' || ctx.id) {
			field = 'Id';
			message = `${ctx.object ?? 'Record'} ${ctx.id ?? ''} ${vendorCode === 'ENTITY_IS_DELETED' ? 'is deleted' : 'was not found'} (${message})`.replace(/\s+/g, ' ');
		}
	}
	if (vendorCode === 'INVALID_FIELD' && !/No such column/i.test(message) && !/is not an external id|external ID field/i.test(message)) {
		// INVALID_FIELD also covers "cannot specify Id in an insert call" and unresolved foreign keys: bad data, not a missing field.
		code = 'INVALID_FORMAT';
	}
	if (vendorCode === 'MISSING_ARGUMENT' && !field && /\bId\b/.test(message)) field = 'Id';
	if (fields.length > 1) message = `${message} (fields: ${fields.join(', ')})`;

	const value = valueOf(ctx.input, field);
	if (value !== undefined && !message.includes(String(value)) && ['VALUE_TOO_LONG', 'INVALID_EMAIL', 'INVALID_FORMAT'].includes(code)) {
		message = `${message} (value ${describeValue(value)})`;
	}
	const out = classifiedError(code, {
		message: `Salesforce: ${message}`,
		field,
		value,
		record,
		vendor: { status: ctx.status, code: vendorCode, message: entry.message },
	});
	if (retryable !== undefined) out.retryable = retryable;
	return out;
}

/** Error entries from a response body: the REST array, a single object, or OAuth's `{error, error_description}`. */
export function errorEntries(body: unknown): SalesforceErrorEntry[] {
	if (Array.isArray(body)) {
		return body.filter((e): e is SalesforceErrorEntry => e !== null && typeof e === 'object' && ('errorCode' in e || 'statusCode' in e || 'message' in e));
	}
	if (body && typeof body === 'object') {
		const b = body as Record<string, unknown>;
		if (typeof b.errorCode === 'string' || typeof b.statusCode === 'string') return [b as SalesforceErrorEntry];
		if (typeof b.error === 'string') return [{ errorCode: b.error === 'invalid_grant' ? 'INVALID_SESSION_ID' : b.error.toUpperCase(), message: String(b.error_description ?? b.error) }];
		if (Array.isArray(b.errors)) return errorEntries(b.errors);
	}
	return [];
}

/** A whole failed response → ConnectorError (the first error entry decides the code). */
export function responseError(res: HttpResponse, ctx: ErrorContext = {}): ConnectorError {
	const entries = errorEntries(res.body);
	const status = res.status;
	let classified: ClassifiedError;
	if (entries.length) {
		classified = classifySalesforceError(entries[0], { ...ctx, status });
		if (entries.length > 1) classified.message += ` (+${entries.length - 1} more: ${entries.slice(1).map(vendorCodeOf).join(', ')})`;
	} else {
		const text = typeof res.body === 'string' ? res.body.slice(0, 200) : '';
		classified = classifiedError(codeForStatus(status), {
			message: `Salesforce answered HTTP ${status}${text ? `: ${text}` : ''}`,
			record: ctx.object ? { system: 'salesforce', object: ctx.object, ...(ctx.id ? { id: ctx.id } : {}) } : undefined,
			vendor: { status },
		});
	}
	if (status >= 500) classified.retryable = true;
	return new ConnectorError(classified);
}

/** The errors of one SaveResult → one ClassifiedError (the first decides the code; the others are listed). */
export function saveResultError(errors: SalesforceErrorEntry[], ctx: ErrorContext): ClassifiedError {
	if (!errors.length) return classifySalesforceError({ message: 'The record was not saved and Salesforce gave no reason', statusCode: 'UNKNOWN' }, ctx);
	const first = classifySalesforceError(errors[0], ctx);
	if (errors.length > 1) first.message += ` (+${errors.length - 1} more: ${errors.slice(1).map((e) => `${vendorCodeOf(e)}: ${e.message}`).join('; ')})`;
	return first;
}
