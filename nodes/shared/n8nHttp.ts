import type {
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	IWebhookFunctions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';
import { ConnectorError } from '../../connectors/core/errors';
import { buildUrl, parseBody, TransportError, type HttpClient } from '../../connectors/core/http';
import { classifiedError } from '../../errors/taxonomy';

type Context = IExecuteFunctions | IPollFunctions | IHookFunctions | ILoadOptionsFunctions | IWebhookFunctions;

interface FailedResponse {
	status?: number;
	headers?: Record<string, unknown>;
	data?: unknown;
	body?: unknown;
}

function lowerHeaders(headers: Record<string, unknown> | undefined): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of Object.entries(headers ?? {})) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
	return out;
}

function asText(body: unknown): string {
	if (typeof body === 'string') return body;
	if (Buffer.isBuffer(body)) return body.toString('utf8');
	return body === undefined || body === null ? '' : JSON.stringify(body);
}

/**
 * The connectors' HttpClient over n8n's httpRequestWithAuthentication: n8n adds the credential (and
 * refreshes OAuth2 tokens), the connector reads statuses and headers itself (no exception on 4xx/5xx).
 */
export function n8nHttpClient(
	ctx: Context,
	credentialType: string,
	baseUrl: string,
	/** Added to an OAuth2 refresh failure's message (e.g. Jobber: refresh tokens rotate on every use). */
	settings: { authFailureHint?: string } = {},
): HttpClient {
	return {
		async request(req) {
			const options: IHttpRequestOptions = {
				method: req.method,
				url: buildUrl(baseUrl, req.url, req.query),
				headers: { accept: 'application/json', ...req.headers },
				returnFullResponse: true,
				// Statuses are the connector's to read, except 401: n8n only refreshes an OAuth2 token when the
				// request fails with a 401, so that one must throw (and is turned back into a response below).
				ignoreHttpStatusErrors: { ignore: true, except: [401] },
				timeout: req.timeoutMs ?? 30_000,
				// Raw text back: the connector parses, so malformed vendor JSON is classified rather than thrown.
				json: false,
				encoding: 'text',
			};
			if (req.form) {
				options.headers!['content-type'] = 'application/x-www-form-urlencoded';
				options.body = new URLSearchParams(req.form).toString();
			} else if (req.body !== undefined) {
				options.headers!['content-type'] = 'application/json';
				options.body = JSON.stringify(req.body);
			}
			let res: IN8nHttpFullResponse;
			try {
				res = (await ctx.helpers.httpRequestWithAuthentication.call(ctx, credentialType, options)) as IN8nHttpFullResponse;
			} catch (err) {
				// The thrown error carries the vendor's answer (axios-style) when it was an HTTP status: with
				// `except: [401]` that is a 401 that survived n8n's token refresh, which the connector classifies.
				const e = err as Error & { code?: string; cause?: { response?: FailedResponse; code?: string }; response?: FailedResponse };
				const failed = e.cause?.response ?? e.response;
				if (failed && typeof failed.status === 'number') {
					const headers = lowerHeaders(failed.headers);
					return { status: failed.status, headers, body: parseBody(asText(failed.data ?? failed.body), headers['content-type']) };
				}
				if (/reconnect|not connected|refresh token|oauth/i.test(e.message)) {
					// n8n could not refresh the OAuth2 token: no request reached the vendor, the credential needs a person.
					const message = settings.authFailureHint ? `${e.message} (${settings.authFailureHint})` : e.message;
					throw new ConnectorError(classifiedError('AUTHENTICATION_FAILED', { message, vendor: { message: e.message } }));
				}
				const code = e.code ?? e.cause?.code;
				const timeout = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(e.message);
				throw new TransportError(timeout ? `No answer from ${new URL(options.url).host} within the timeout` : `Could not reach ${new URL(options.url).host}: ${e.message}`, timeout ? 'timeout' : 'network', options.url);
			}
			const headers = lowerHeaders(res.headers as Record<string, unknown>);
			return { status: res.statusCode, headers, body: parseBody(asText(res.body), headers['content-type']) };
		},
	};
}
