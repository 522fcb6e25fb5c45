import { classifiedError, type ClassifiedError, type ErrorCode } from '../../errors/taxonomy';
import type { HttpResponse } from './http';

/**
 * A vendor failure, classified. Connectors throw it for whole-request failures; per-record failures of
 * batch writes are returned as data (one bad record never fails its batch-mates).
 */
export class ConnectorError extends Error {
	constructor(
		readonly classified: ClassifiedError,
		/** Real milliseconds the vendor asked us to wait before trying again, when it said. */
		readonly waitMs?: number,
	) {
		super(classified.message);
		this.name = 'ConnectorError';
	}
}

/** Seconds from a Retry-After header (delta seconds or HTTP date); undefined when absent or unreadable. */
export function retryAfterSeconds(headers: Record<string, string>, now = Date.now()): number | undefined {
	const raw = headers['retry-after'];
	if (!raw) return undefined;
	if (/^\d+(\.\d+)?$/.test(raw.trim())) return Number(raw);
	const at = Date.parse(raw);
	return Number.isNaN(at) ? undefined : Math.max(0, (at - now) / 1000);
}

/**
 * The taxonomy code for an HTTP status when the vendor's body says nothing more specific.
 * Vendor modules refine it (HubSpot 409 with an existing id, Salesforce 403 REQUEST_LIMIT_EXCEEDED…).
 */
export function codeForStatus(status: number): ErrorCode {
	if (status === 401) return 'AUTHENTICATION_FAILED';
	if (status === 403) return 'PERMISSION_DENIED';
	if (status === 404) return 'FIELD_NOT_FOUND';
	if (status === 408 || status === 504 || status === 524) return 'CONNECTION_TIMEOUT';
	if (status === 409) return 'DUPLICATE_RECORD';
	if (status === 429) return 'RATE_LIMIT_EXCEEDED';
	if (status >= 500) return 'CONNECTION_TIMEOUT';
	return 'INVALID_FORMAT';
}

/** Server errors are transient: the taxonomy calls them Connection Timeout, and they are retried. */
export function isTransientStatus(status: number): boolean {
	return status === 408 || status === 423 || status === 429 || status >= 500;
}

export function vendorError(
	code: ErrorCode,
	message: string,
	extra: { response?: HttpResponse; vendorCode?: string; vendorMessage?: string; field?: string; value?: unknown; record?: ClassifiedError['record']; waitMs?: number; retryable?: boolean } = {},
): ConnectorError {
	const classified = classifiedError(code, {
		message,
		field: extra.field,
		value: extra.value,
		record: extra.record,
		vendor: extra.response || extra.vendorCode || extra.vendorMessage ? { status: extra.response?.status, code: extra.vendorCode, message: extra.vendorMessage } : undefined,
		retryAfter: extra.waitMs !== undefined ? Math.ceil(extra.waitMs / 1000) : undefined,
	});
	// A 5xx is transient whatever code it maps to; a 404 "not found" never is.
	if (extra.retryable !== undefined) classified.retryable = extra.retryable;
	return new ConnectorError(classified, extra.waitMs);
}
