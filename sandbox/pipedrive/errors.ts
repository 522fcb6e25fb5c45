import type { SandboxResponse } from '../core/server';

/** The `error_info` Pipedrive puts in API error envelopes. */
export const ERROR_INFO = 'Please check developers.pipedrive.com for more information about Pipedrive API.';
/** The shorter `error_info` of the gateway's 401/403 answers. */
export const GATEWAY_ERROR_INFO = 'Please check developers.pipedrive.com';

/** Thrown by handlers and validators; the route wrapper turns it into the vendor response. */
export class PipedriveHttpError extends Error {
	constructor(
		readonly status: number,
		readonly body: unknown,
		readonly headers: Record<string, string | number> = {},
	) {
		super(typeof body === 'object' && body && 'error' in body ? String((body as { error: unknown }).error) : `HTTP ${status}`);
	}

	toResponse(): SandboxResponse {
		return { status: this.status, headers: this.headers, body: this.body };
	}
}

/** `{success:false,error,error_info,data:null,additional_data:null}` — every API error except auth and webhooks. */
export function envelope(error: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
	return { success: false, error, error_info: ERROR_INFO, data: null, additional_data: null, ...extra };
}

export function apiError(status: number, error: string, extra: Record<string, unknown> = {}): PipedriveHttpError {
	return new PipedriveHttpError(status, envelope(error, extra));
}

/**
 * v2 strict validation failure. The message form `Validation failed: <field>: <reason>` and the
 * `ERR_SCHEMA_VALIDATION_FAILED` code are taken from errors seen on the live v2 API (exact texts per field are
 * not published; treat the reason wording as approximate).
 */
export function validationError(field: string, reason: string): PipedriveHttpError {
	return new PipedriveHttpError(400, envelope(`Validation failed: ${field}: ${reason}`, { code: 'ERR_SCHEMA_VALIDATION_FAILED' }));
}

/** A plain 400 in the envelope (v1 style messages such as `Name must be given.`). */
export function badRequest(error: string): PipedriveHttpError {
	return apiError(400, error);
}

export function notFound(entityLabel: string): PipedriveHttpError {
	return apiError(404, `${entityLabel} not found`);
}

/** 401 for a missing or wrong API token, as the gateway sends it (header `x-401-by-gw: true`). */
export function unauthorizedApiToken(correlationId: string): PipedriveHttpError {
	return new PipedriveHttpError(
		401,
		{ success: false, error: 'unauthorized access', errorCode: 401, error_info: GATEWAY_ERROR_INFO },
		{ 'x-401-by-gw': 'true', 'x-correlation-id': correlationId },
	);
}

/** 401 for an unknown, expired or revoked OAuth access token. */
export function unauthorizedOAuth(correlationId: string): PipedriveHttpError {
	return new PipedriveHttpError(
		401,
		{ success: false, error: 'Invalid token: access_token is invalid', errorCode: 401, error_info: GATEWAY_ERROR_INFO },
		{ 'x-401-by-gw': 'true', 'x-correlation-id': correlationId },
	);
}

export function malformedAuthHeader(): PipedriveHttpError {
	return new PipedriveHttpError(400, { success: false, error: 'Invalid request: malformed authorization header', errorCode: 400, error_info: GATEWAY_ERROR_INFO });
}

export function scopeMismatch(): PipedriveHttpError {
	return new PipedriveHttpError(403, { success: false, error: 'Scope and URL mismatch', errorCode: 403, error_info: GATEWAY_ERROR_INFO });
}

/** Cloudflare's block page: HTML, not JSON — clients that JSON.parse every 403 break here, as they do live. */
export function cloudflareBlockPage(rayId: string): string {
	return `<!DOCTYPE html>
<html lang="en-US">
<head><title>Attention Required! | Cloudflare</title><meta charset="UTF-8" /></head>
<body>
<div id="cf-wrapper">
  <div id="cf-error-details" class="cf-error-details-wrapper">
    <h1 data-translate="block_headline">Sorry, you have been blocked</h1>
    <h2 class="cf-subheadline"><span data-translate="unable_to_access">You are unable to access</span> pipedrive.com</h2>
    <p>Error 1015: You are being rate limited.</p>
    <p>Cloudflare Ray ID: <strong class="font-semibold">${rayId}</strong></p>
  </div>
</div>
</body>
</html>
`;
}
