/**
 * The error taxonomy of SPEC §6, shared by every layer (transforms, connectors, sync engine, nodes).
 * It sits below all of them so that a transform and a vendor connector classify errors the same way.
 */

export type ErrorCategory = 'Connection' | 'Data' | 'Mapping';

export type ErrorCode =
	| 'AUTHENTICATION_FAILED'
	| 'CONNECTION_TIMEOUT'
	| 'RATE_LIMIT_EXCEEDED'
	| 'PERMISSION_DENIED'
	| 'REQUIRED_FIELD_MISSING'
	| 'INVALID_FORMAT'
	| 'DUPLICATE_RECORD'
	| 'VALUE_TOO_LONG'
	| 'INVALID_EMAIL'
	| 'FIELD_NOT_FOUND'
	| 'TRANSFORM_FAILED'
	| 'OBJECT_TYPE_CHANGED';

interface CodeInfo {
	category: ErrorCategory;
	/** The name users see in the FluxCascade docs ("Invalid Format"). */
	label: string;
	/** Transient errors are retried automatically; data and mapping errors are not. */
	retryable: boolean;
	suggestedFix: string;
}

export const ERROR_CODES: Record<ErrorCode, CodeInfo> = {
	AUTHENTICATION_FAILED: {
		category: 'Connection',
		label: 'Authentication Failed',
		retryable: false,
		suggestedFix: 'Reconnect the credential: the token expired or was revoked.',
	},
	CONNECTION_TIMEOUT: {
		category: 'Connection',
		label: 'Connection Timeout',
		retryable: true,
		suggestedFix: 'The system did not respond; check its status. The record is retried later.',
	},
	RATE_LIMIT_EXCEEDED: {
		category: 'Connection',
		label: 'Rate Limit Exceeded',
		retryable: true,
		suggestedFix: 'Wait for the limit to reset, reduce the sync frequency or use incremental syncs.',
	},
	PERMISSION_DENIED: {
		category: 'Connection',
		label: 'Permission Denied',
		retryable: false,
		suggestedFix: 'Reconnect the credential with the scopes this operation needs.',
	},
	REQUIRED_FIELD_MISSING: {
		category: 'Data',
		label: 'Required Field Missing',
		retryable: false,
		suggestedFix: 'Add a default value to the field pair, make it optional, or fix the source record.',
	},
	INVALID_FORMAT: {
		category: 'Data',
		label: 'Invalid Format',
		retryable: false,
		suggestedFix: 'Add a transform that normalises the value, set Skip invalid on the field, or fix the source record.',
	},
	DUPLICATE_RECORD: {
		category: 'Data',
		label: 'Duplicate Record',
		retryable: false,
		suggestedFix: 'Improve the match key, enable Upsert mode, or check for duplicate source records.',
	},
	VALUE_TOO_LONG: {
		category: 'Data',
		label: 'Value Too Long',
		retryable: false,
		suggestedFix: 'Add a truncate transform to the field pair or shorten the source value.',
	},
	INVALID_EMAIL: {
		category: 'Data',
		label: 'Invalid Email',
		retryable: false,
		suggestedFix: 'Fix the email at the source, or set Skip invalid on the email field.',
	},
	FIELD_NOT_FOUND: {
		category: 'Mapping',
		label: 'Field Not Found',
		retryable: false,
		suggestedFix: 'Update the mapping with the current fields of the object.',
	},
	TRANSFORM_FAILED: {
		category: 'Mapping',
		label: 'Transform Failed',
		retryable: false,
		suggestedFix: 'Check the transform options for this field, or fix the source value.',
	},
	OBJECT_TYPE_CHANGED: {
		category: 'Mapping',
		label: 'Object Type Changed',
		retryable: false,
		suggestedFix: 'Refresh the connection and update the mapping to the new schema.',
	},
};

/** A classified, record-level error: what failed, where, why, and what to do about it. */
export interface ClassifiedError {
	category: ErrorCategory;
	code: ErrorCode;
	/** Human label of the code, e.g. "Invalid Format". */
	error: string;
	message: string;
	field?: string;
	value?: unknown;
	record?: { system?: string; object?: string; id?: string };
	retryable: boolean;
	suggestedFix: string;
	timestamp: string;
	/** What the vendor said, when the error came from an API (never contains credentials). */
	vendor?: { status?: number; code?: string; message?: string };
	/** Seconds the vendor asked us to wait (Retry-After), when it said so. */
	retryAfter?: number;
}

export interface ClassifyInput {
	message: string;
	field?: string;
	value?: unknown;
	record?: ClassifiedError['record'];
	vendor?: ClassifiedError['vendor'];
	retryAfter?: number;
	now?: Date;
}

/** Builds a ClassifiedError for a code, filling category, label, retryability and fix from the table. */
export function classifiedError(code: ErrorCode, input: ClassifyInput): ClassifiedError {
	const info = ERROR_CODES[code];
	const out: ClassifiedError = {
		category: info.category,
		code,
		error: info.label,
		message: input.message,
		retryable: info.retryable,
		suggestedFix: info.suggestedFix,
		timestamp: (input.now ?? new Date()).toISOString(),
	};
	if (input.field !== undefined) out.field = input.field;
	if (input.value !== undefined) out.value = input.value;
	if (input.record !== undefined) out.record = input.record;
	if (input.vendor !== undefined) out.vendor = input.vendor;
	if (input.retryAfter !== undefined) out.retryAfter = input.retryAfter;
	return out;
}

export function isErrorCode(value: unknown): value is ErrorCode {
	return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_CODES, value);
}

/** Renders a value for an error message: quoted, single-line, and cut so a huge value cannot flood a log. */
export function describeValue(value: unknown, max = 80): string {
	let text: string;
	if (value === undefined) return 'undefined';
	if (typeof value === 'string') text = JSON.stringify(value);
	else {
		try {
			text = JSON.stringify(value) ?? String(value);
		} catch {
			text = String(value);
		}
	}
	return text.length > max ? `${text.slice(0, max)}…` : text;
}
