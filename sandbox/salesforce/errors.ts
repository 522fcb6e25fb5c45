import type { SandboxResponse } from '../core/server';

/** One entry of a REST error array (top-level responses use `errorCode`). */
export interface RestError {
	message: string;
	errorCode: string;
	fields?: string[];
	[extra: string]: unknown;
}

/** One error inside a SaveResult (collections, composite): the same facts under `statusCode`. */
export interface SaveError {
	statusCode: string;
	message: string;
	fields: string[];
	[extra: string]: unknown;
}

/** Thrown by handlers; the API wrapper turns it into the vendor's error array. */
export class SfError extends Error {
	constructor(
		readonly status: number,
		readonly errors: RestError[],
		readonly headers: Record<string, string> = {},
	) {
		super(errors[0]?.message ?? 'error');
		this.name = 'SfError';
	}

	static of(status: number, errorCode: string, message: string, fields?: string[]): SfError {
		return new SfError(status, [fields === undefined ? { message, errorCode } : { message, errorCode, fields }]);
	}

	response(): SandboxResponse {
		return { status: this.status, headers: this.headers, body: this.errors };
	}
}

export const MSG = {
	notFound: 'The requested resource does not exist',
	sessionInvalid: 'Session expired or invalid',
	limitExceeded: 'TotalRequests Limit exceeded.',
	rolledBack: 'Record rolled back because not all records were valid and the request was using AllOrNone header',
	entityDeleted: 'entity is deleted',
	noBody: 'The HTTP entity body is required, but this request has no entity body.',
	unknownExternalIdField: (field: string) => `Provided external ID field does not exist or is not accessible: ${field}`,
	invalidType: (type: string) =>
		`sObject type '${type}' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.`,
	noSuchColumnWrite: (field: string, object: string) => `No such column '${field}' on sobject of type ${object}`,
	noSuchColumnQuery: (field: string, object: string) =>
		`No such column '${field}' on entity '${object}'. If you are attempting to use a custom field, be sure to append the '__c' after the custom field name. Please reference your WSDL or the describe call for the appropriate names.`,
};

export function notFound(message = MSG.notFound): SfError {
	return new SfError(404, [{ errorCode: 'NOT_FOUND', message }]);
}

export function entityDeleted(): SfError {
	return new SfError(404, [{ message: MSG.entityDeleted, errorCode: 'ENTITY_IS_DELETED', fields: [] }]);
}

/** REST form of SaveResult errors (statusCode → errorCode, same order of keys as the real API). */
export function toRest(errors: SaveError[]): RestError[] {
	return errors.map(({ statusCode, message, fields, ...extra }) => ({ ...extra, message, errorCode: statusCode, fields }));
}

export function saveError(statusCode: string, message: string, fields: string[] = []): SaveError {
	return { statusCode, message, fields };
}
