import type { IExecuteFunctions, IN8nHttpFullResponse } from 'n8n-workflow';
import type { HttpSend } from '../../sync/alerts';

/**
 * The alert channels' HTTP over n8n's request helper (n8n's proxy and egress settings apply). The body goes out
 * as the exact string the engine signed; any status comes back (the engine decides on retries); only a missing
 * answer throws.
 */
export function n8nSend(ctx: IExecuteFunctions): HttpSend {
	return async (req) => {
		const res = (await ctx.helpers.httpRequest({
			method: req.method,
			url: req.url,
			headers: req.headers,
			body: req.body,
			json: false,
			encoding: 'text',
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			timeout: req.timeoutMs,
		})) as IN8nHttpFullResponse;
		const headers: Record<string, string> = {};
		for (const [k, v] of Object.entries(res.headers ?? {})) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : String(v);
		const body = typeof res.body === 'string' ? res.body : Buffer.isBuffer(res.body) ? res.body.toString('utf8') : res.body === undefined ? '' : JSON.stringify(res.body);
		return { status: res.statusCode, headers, body };
	};
}
