/**
 * HubSpot's error envelopes (crm-apis.md §1.9): `{status:"error", message, correlationId, [context], category}`
 * with key order as captured, plus the per-item `StandardError` of batch responses (which, unlike the spec,
 * carries no `errors`/`links` keys in real responses).
 */
import { randomUUID } from 'node:crypto';
import type { SandboxResponse } from '../core/server';

export class HubspotHttpError extends Error {
	constructor(readonly response: SandboxResponse) {
		super(typeof (response.body as { message?: unknown })?.message === 'string' ? (response.body as { message: string }).message : 'HubSpot error');
	}
}

export function correlationId(): string {
	return randomUUID();
}

export interface ErrorFields {
	message: string;
	category?: string;
	subCategory?: string;
	context?: Record<string, unknown>;
	errors?: unknown[];
	correlationId?: string;
}

/** The envelope; `category` is left out when undefined (the 404 for numeric ids has none). */
export function errorBody(fields: ErrorFields): Record<string, unknown> {
	const body: Record<string, unknown> = {
		status: 'error',
		message: fields.message,
		correlationId: fields.correlationId ?? correlationId(),
	};
	if (fields.errors) body.errors = fields.errors;
	if (fields.context) body.context = fields.context;
	if (fields.category) body.category = fields.category;
	if (fields.subCategory) body.subCategory = fields.subCategory;
	return body;
}

export function errorResponse(status: number, fields: ErrorFields): SandboxResponse {
	const body = errorBody(fields);
	return { status, headers: { 'x-hubspot-correlation-id': String(body.correlationId) }, body };
}

/** Throws out of a handler; the API wrapper turns it into the response. */
export function fail(status: number, fields: ErrorFields): never {
	throw new HubspotHttpError(errorResponse(status, fields));
}

export const notFound = (cid?: string): SandboxResponse => errorResponse(404, { message: 'resource not found', correlationId: cid });

export function validationError(message: string, extra: Omit<ErrorFields, 'message'> = {}): never {
	fail(400, { message, category: 'VALIDATION_ERROR', ...extra });
}

/** Jackson-style message HubSpot gives for bodies that parse but miss required attributes. */
export function missingAttributes(rawLength: number, typeName: string, missing: string[]): never {
	validationError(`Invalid input JSON on line 1, column ${Math.max(1, rawLength)}: Cannot build ${typeName}, some of required attributes are not set [${missing.join(', ')}]`);
}

/** One property problem, as listed in `message` ("Property values were not valid: [...]") and `errors[]`. */
export interface PropertyProblem {
	name: string;
	error: string;
	message: string;
}

export function propertyValidationError(problems: PropertyProblem[]): never {
	const listed = problems.map((p) => ({ isValid: false, message: p.message, error: p.error, name: p.name }));
	fail(400, {
		message: `Property values were not valid: ${JSON.stringify(listed)}`,
		errors: problems.map((p) => ({ message: p.message, code: p.error, context: { propertyName: [p.name] } })),
		category: 'VALIDATION_ERROR',
	});
}

/** Per-item error inside a batch envelope (no correlationId, as captured). */
export function standardError(category: string, message: string, context: Record<string, unknown>, subCategory?: string): Record<string, unknown> {
	const e: Record<string, unknown> = { status: 'error', category };
	if (subCategory) e.subCategory = subCategory;
	e.message = message;
	e.context = context;
	return e;
}

/** Converts the parser's message to HubSpot's "Invalid input JSON on line L, column C: …" form. */
export function invalidJsonMessage(raw: string, parserMessage: string): string {
	if (raw.trim().length === 0 || parserMessage === 'Request body is empty') {
		return 'Invalid input JSON on line 1, column 0: No content to map due to end-of-input';
	}
	let position = raw.length;
	const lc = /line (\d+) column (\d+)/.exec(parserMessage);
	if (lc) return `Invalid input JSON on line ${lc[1]}, column ${lc[2]}: ${stripPosition(parserMessage)}`;
	const pos = /position (\d+)/.exec(parserMessage);
	if (pos) position = Number(pos[1]);
	const before = raw.slice(0, position).split('\n');
	return `Invalid input JSON on line ${before.length}, column ${before[before.length - 1].length + 1}: ${stripPosition(parserMessage)}`;
}

function stripPosition(message: string): string {
	return message.replace(/\s*\(line \d+ column \d+\)/, '').replace(/ in JSON at position \d+.*$/, '');
}
