/**
 * The request pipeline every HubSpot API route shares: bearer auth (401), rate limits (429, headers),
 * scopes (403), then the handler; HubSpot errors thrown by handlers become responses, and every answer
 * carries `x-hubspot-correlation-id`. Also the small parsers for query parameters and JSON bodies.
 */
import { BodyParseError, type Handler, type SandboxRequest, type SandboxResponse } from '../core/server';
import type { Principal } from './auth';
import { correlationId, errorResponse, HubspotHttpError, invalidJsonMessage, validationError } from './errors';
import type { LimitKind } from './limits';
import type { HubspotState, PropertySelection } from './state';

export interface Call {
	req: SandboxRequest;
	cid: string;
	principal: Principal;
}

export interface Access {
	/** Any one of these scopes suffices (empty: none needed). */
	scopes: string[];
	limit: LimitKind;
}

export type ApiHandler = (call: Call) => SandboxResponse | Promise<SandboxResponse>;

export function badJsonResponse(req: SandboxRequest, err: Error): SandboxResponse {
	if (err.message.startsWith('Request body larger than')) {
		return errorResponse(413, { message: 'Request entity too large', category: 'VALIDATION_ERROR' });
	}
	return errorResponse(400, { message: invalidJsonMessage(req.rawBody.toString('utf8'), err.message), category: 'VALIDATION_ERROR' });
}

export function api(state: HubspotState, access: Access, handler: ApiHandler): Handler {
	return async (req) => {
		const cid = correlationId();
		const auth = state.auth.authenticate(req, cid);
		if (!auth.ok) return auth.response;
		const principal = auth.principal;
		const limited = state.limits.take(access.limit, principal.kind);
		if (!limited.ok) return limited.response;
		const missing = state.auth.missingScopes(principal, access.scopes, cid);
		let response: SandboxResponse;
		if (missing) response = missing;
		else {
			try {
				response = await handler({ req, cid, principal });
			} catch (err) {
				if (err instanceof HubspotHttpError) response = err.response;
				else if (err instanceof BodyParseError) response = badJsonResponse(req, err);
				else throw err;
			}
		}
		// The limiter's headers reflect this request; search responses carry none.
		return { ...response, headers: { ...limited.headers, 'x-hubspot-correlation-id': cid, ...(response.headers ?? {}) } };
	};
}

// ---------------------------------------------------------------- request parsing

/** Comma-separated and/or repeated list parameter (`properties=a,b&properties=c`). */
export function listParam(req: SandboxRequest, name: string): string[] | undefined {
	const all = req.query.getAll(name);
	if (all.length === 0) return undefined;
	return all
		.flatMap((v) => v.split(','))
		.map((v) => v.trim())
		.filter(Boolean);
}

export function boolParam(req: SandboxRequest, name: string): boolean {
	return (req.query.get(name) ?? '').toLowerCase() === 'true';
}

/** An integer query parameter within [1, max]; HubSpot answers 400 for values it cannot use. */
export function intParam(req: SandboxRequest, name: string, fallback: number, max: number): number {
	const raw = req.query.get(name);
	if (raw === null || raw === '') return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n)) validationError(`Unable to parse value "${raw}" for query parameter ${name}`);
	if (n < 1 || n > max) validationError(`${name} must be between 1 and ${max}, was ${n}`);
	return n;
}

const JAVA_TYPE: Record<string, string> = {
	object: 'java.util.LinkedHashMap<java.lang.String,java.lang.Object>',
	array: 'java.util.ArrayList<java.lang.Object>',
	string: 'java.lang.String',
};

function jsonKind(v: unknown): string {
	if (v === null) return 'Null';
	if (Array.isArray(v)) return 'Array';
	if (typeof v === 'object') return 'Object';
	if (typeof v === 'string') return 'String';
	if (typeof v === 'number') return 'Number';
	return 'Boolean';
}

/** Jackson's wording for a value of the wrong JSON type. */
export function wrongType(req: SandboxRequest, expected: 'object' | 'array' | 'string', value: unknown): never {
	validationError(
		`Invalid input JSON on line 1, column ${Math.max(1, req.rawBody.length)}: Cannot deserialize value of type \`${JAVA_TYPE[expected]}\` from ${jsonKind(value)} value`,
	);
}

/** The JSON body as an object (HubSpot rejects arrays and scalars where an object is expected). */
export function objectBody(req: SandboxRequest): Record<string, unknown> {
	const body = req.json<unknown>();
	if (body === null || typeof body !== 'object' || Array.isArray(body)) wrongType(req, 'object', body);
	return body as Record<string, unknown>;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
	return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Requested properties, or HubSpot's default set when none are named. */
export function selectionOf(names: string[] | undefined): PropertySelection {
	return names && names.length ? { mode: 'list', names } : { mode: 'default' };
}
