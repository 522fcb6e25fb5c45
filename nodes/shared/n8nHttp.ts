import type {
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IPollFunctions,
	IWebhookFunctions,
	IN8nHttpFullResponse,
} from 'n8n-workflow';
import { buildUrl, parseBody, TransportError, type HttpClient } from '../../connectors/core/http';

type Context = IExecuteFunctions | IPollFunctions | IHookFunctions | ILoadOptionsFunctions | IWebhookFunctions;

/**
 * The connectors' HttpClient over n8n's httpRequestWithAuthentication: n8n adds the credential (and
 * refreshes OAuth2 tokens), the connector reads statuses and headers itself (no exception on 4xx/5xx).
 */
export function n8nHttpClient(ctx: Context, credentialType: string, baseUrl: string): HttpClient {
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
				const e = err as Error & { code?: string; httpCode?: string; statusCode?: number; response?: { status?: number; headers?: Record<string, unknown>; body?: unknown; data?: unknown } };
				if (e.httpCode === '401' || e.statusCode === 401 || e.response?.status === 401) {
					// Still 401 after n8n's refresh (or a token credential): the connector classifies it.
					const headers: Record<string, string> = {};
					for (const [k, v] of Object.entries(e.response?.headers ?? {})) headers[k.toLowerCase()] = String(v);
					const raw = e.response?.body ?? e.response?.data;
					return { status: 401, headers, body: typeof raw === 'string' ? parseBody(raw, headers['content-type']) : (raw ?? { message: e.message }) };
				}
				const timeout = e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || /timeout/i.test(e.message);
				throw new TransportError(timeout ? `No answer from ${new URL(options.url).host} within the timeout` : `Could not reach ${new URL(options.url).host}: ${e.message}`, timeout ? 'timeout' : 'network', options.url);
			}
			const headers: Record<string, string> = {};
			for (const [k, v] of Object.entries(res.headers ?? {})) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
			const text = typeof res.body === 'string' ? res.body : Buffer.isBuffer(res.body) ? res.body.toString('utf8') : res.body === undefined ? '' : JSON.stringify(res.body);
			return { status: res.statusCode, headers, body: parseBody(text, headers['content-type']) };
		},
	};
}
