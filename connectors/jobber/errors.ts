/**
 * Jobber failures → the taxonomy of SPEC §6. Three places errors come from:
 *  - HTTP statuses (401 token, 429 DDoS guard, 5xx) — whole request;
 *  - GraphQL `errors[]` (HTTP 200): THROTTLED, validation (unknown field/argument/type), variable coercion with
 *    graphql-ruby's `problems[]`, permission ("hidden due to permissions") — whole document;
 *  - mutation `userErrors[{message, path}]` (HTTP 200, nothing written) — one record.
 */
import { classifiedError, type ClassifiedError, type ErrorCode } from '../../errors/taxonomy';
import { ConnectorError, vendorError } from '../core/errors';

export interface GraphqlError {
	message: string;
	path?: Array<string | number>;
	locations?: Array<{ line: number; column: number }>;
	extensions?: { code?: string; value?: unknown; problems?: Array<{ path?: Array<string | number>; explanation?: string; message?: string }>; [k: string]: unknown };
}

export interface UserError {
	message: string;
	path?: string[];
}

type RecordRef = ClassifiedError['record'];

/** `['emails','0','address']` → `emails[0].address` (the Field Mapper's path syntax). */
export function pathToField(path: ReadonlyArray<string | number> | undefined): string | undefined {
	if (!path || path.length === 0) return undefined;
	let out = '';
	for (const part of path) {
		const s = String(part);
		if (/^\d+$/.test(s)) out += `[${s}]`;
		else out += out ? `.${s}` : s;
	}
	return out;
}

/** The taxonomy code for a mutation userError, from its wording (Jobber's messages are Rails-style). */
export function codeForUserError(message: string, field?: string): ErrorCode {
	const m = message.toLowerCase();
	if (/e-?mail/.test(m) && /invalid|not valid|format/.test(m)) return 'INVALID_EMAIL';
	if (/too long|maximum is|is too big/.test(m)) return 'VALUE_TOO_LONG';
	if (/already (been )?taken|already exists|duplicate/.test(m)) return 'DUPLICATE_RECORD';
	if (/can't be blank|cannot be blank|is required|must be provided|must have|must not be empty|at least one/.test(m)) return 'REQUIRED_FIELD_MISSING';
	if (/not found|could not be found|does not exist|doesn't exist/.test(m)) return 'FIELD_NOT_FOUND';
	if (/hidden due to permissions|not authori[sz]ed|permission|access denied/.test(m)) return 'PERMISSION_DENIED';
	if (field && /email/i.test(field) && /invalid/.test(m)) return 'INVALID_EMAIL';
	return 'INVALID_FORMAT';
}

export function classifyUserError(error: UserError, extra: { record?: RecordRef; field?: string; value?: unknown } = {}): ClassifiedError {
	const field = extra.field ?? pathToField(error.path);
	return classifiedError(codeForUserError(error.message, field), {
		message: error.message,
		field,
		value: extra.value,
		record: extra.record,
		vendor: { code: 'userErrors', message: error.message },
	});
}

/** The variable a coercion error is about (`Variable $i3 of type … was provided invalid value` → `i3`). */
export function variableOf(error: GraphqlError): string | undefined {
	return /^Variable \$(\w+) of type/.exec(error.message)?.[1];
}

/** One GraphQL error (not THROTTLED) → taxonomy. `fieldPrefix` maps a variable's problem paths to a field name. */
export function classifyGraphqlError(error: GraphqlError, extra: { record?: RecordRef; fieldPrefix?: (variable: string, path: Array<string | number>) => string | undefined } = {}): ClassifiedError {
	const message = error.message ?? 'Unknown GraphQL error';
	const vendor = { code: typeof error.extensions?.code === 'string' ? error.extensions.code : 'graphql', message };
	const variable = variableOf(error);
	if (variable) {
		const problem = error.extensions?.problems?.[0];
		const explanation = problem?.explanation ?? problem?.message ?? message;
		const path = problem?.path ?? [];
		const field = extra.fieldPrefix?.(variable, path) ?? pathToField(path.length ? path : [variable]);
		const code: ErrorCode = /to not be null|expected value to not be null|required/i.test(explanation)
			? 'REQUIRED_FIELD_MISSING'
			: /is not defined on|field is not defined/i.test(explanation)
				? 'FIELD_NOT_FOUND'
				: 'INVALID_FORMAT';
		return classifiedError(code, { message: `${field ?? variable}: ${explanation}`, field, value: error.extensions?.value, record: extra.record, vendor });
	}
	let m: RegExpExecArray | null;
	if ((m = /Field '([^']+)' doesn't exist on type '([^']+)'/.exec(message)) || (m = /Cannot query field "([^"]+)" on type "([^"]+)"/.exec(message))) {
		return classifiedError('FIELD_NOT_FOUND', { message: `Jobber has no field "${m[1]}" on ${m[2]} (in the API version this credential uses)`, field: m[1], record: extra.record, vendor });
	}
	if ((m = /Field "([^"]+)" is not defined by type "([^"]+)"/.exec(message)) || (m = /InputObject '([^']+)' doesn't accept argument '([^']+)'/.exec(message))) {
		return classifiedError('FIELD_NOT_FOUND', { message: `Jobber does not accept "${m[1]}" in ${m[2]}`, field: m[1], record: extra.record, vendor });
	}
	if (/hidden due to permissions/i.test(message)) {
		return classifiedError('PERMISSION_DENIED', { message: `${message} (the app lacks the scope for it)`, record: extra.record, vendor });
	}
	if (/Unknown argument|Unknown type|Unknown enum|on type ".*" must|Abstract type|Fragment .* cannot be spread|Expected type/i.test(message)) {
		return classifiedError('OBJECT_TYPE_CHANGED', { message, record: extra.record, vendor });
	}
	if (/Invalid input|not a valid EncodedId|could not coerce/i.test(message)) {
		return classifiedError('INVALID_FORMAT', { message, record: extra.record, vendor });
	}
	// Anything else that fails a whole document is a schema mismatch between this package and the API version.
	return classifiedError(error.locations && !error.path ? 'OBJECT_TYPE_CHANGED' : 'INVALID_FORMAT', { message, record: extra.record, vendor });
}

export function connectorErrorOf(classified: ClassifiedError, waitMs?: number): ConnectorError {
	return new ConnectorError(classified, waitMs);
}

export { vendorError };
