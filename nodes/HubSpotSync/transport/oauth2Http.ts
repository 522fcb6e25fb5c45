/**
 * n8nHttpClient for OAuth2 credentials. n8n refreshes an OAuth2 token only when the request *throws* a 401;
 * the shared client asks n8n to ignore every HTTP status, so a 401 comes back as an answer and the token
 * is never refreshed (HubSpot's last 30 minutes). This client lets 401 throw (n8n refreshes the token and
 * sends the request again) and turns a 401 that survives the refresh back into an answer for the connector.
 * A local stand-in until nodes/shared/n8nHttp.ts does the same for OAuth2 credential types.
 */
import type { IExecuteFunctions, IHookFunctions, IHttpRequestOptions, ILoadOptionsFunctions, IN8nHttpFullResponse, IWebhookFunctions } from 'n8n-workflow';
import { buildUrl, parseBody, TransportError, type HttpClient, type HttpResponse } from '../../../connectors/core/http';

type Context = IExecuteFunctions | IHookFunctions | ILoadOptionsFunctions | IWebhookFunctions;

interface FailedResponse {
	status?: number;
	headers?: Record<string, unknown>;
	data?: unknown;
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

export function oauth2HttpClient(ctx: Context, credentialType: string, baseUrl: string): HttpClient {
	return {
		async request(req): Promise<HttpResponse> {
			const options: IHttpRequestOptions = {
				method: req.method,
				url: buildUrl(baseUrl, req.url, req.query),
				headers: { accept: 'application/json', ...req.headers },
				returnFullResponse: true,
				ignoreHttpStatusErrors: { ignore: true, except: [401] },
				timeout: req.timeoutMs ?? 30_000,
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
				const e = err as Error & { code?: string; cause?: { response?: FailedResponse; code?: string }; response?: FailedResponse };
				const failed = e.cause?.response ?? e.response;
				if (failed && typeof failed.status === 'number') {
					// Still 401 after n8n's refresh: the connector classifies it (Authentication Failed).
					const headers = lowerHeaders(failed.headers);
					return { status: failed.status, headers, body: parseBody(asText(failed.data), headers['content-type']) };
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
