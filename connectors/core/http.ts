/**
 * The one HTTP seam of every connector. Nodes implement it with n8n's httpRequestWithAuthentication (so
 * credentials, OAuth refresh and proxies stay n8n's); tests, the sandbox and benchmarks with plain fetch.
 * A request never throws for an HTTP status: vendors signal errors in bodies and headers that only the
 * connector can read. It throws TransportError for the network itself (refused, reset, timed out).
 */

export interface HttpRequest {
	method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
	/** Absolute URL, or a path joined to the client's base URL. */
	url: string;
	query?: Record<string, string | number | boolean | undefined>;
	headers?: Record<string, string>;
	/** JSON body. */
	body?: unknown;
	/** application/x-www-form-urlencoded body (OAuth token endpoints). */
	form?: Record<string, string>;
	timeoutMs?: number;
}

export interface HttpResponse {
	status: number;
	/** Header names lower-cased. */
	headers: Record<string, string>;
	/** Parsed JSON when the body is JSON, the text otherwise, undefined when empty. */
	body: unknown;
}

export interface HttpClient {
	request(req: HttpRequest): Promise<HttpResponse>;
}

export class TransportError extends Error {
	constructor(
		message: string,
		readonly kind: 'timeout' | 'network',
		readonly url: string,
	) {
		super(message);
		this.name = 'TransportError';
	}
}

export function buildUrl(base: string | undefined, url: string, query?: HttpRequest['query']): string {
	const full = /^https?:\/\//.test(url) ? new URL(url) : new URL(url.replace(/^\//, ''), (base ?? '').replace(/\/?$/, '/'));
	for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) full.searchParams.set(k, String(v));
	return full.toString();
}

export function parseBody(text: string, contentType: string | undefined): unknown {
	if (text === '') return undefined;
	if (contentType?.includes('json') || /^\s*[[{]/.test(text)) {
		try {
			return JSON.parse(text);
		} catch {
			return text; // Malformed JSON stays text: the connector classifies it, nothing crashes.
		}
	}
	return text;
}

/** An HttpClient over fetch with a fixed base URL and auth headers (tests, sandbox, benchmarks). */
export function fetchClient(options: { baseUrl: string; headers?: () => Record<string, string> | Promise<Record<string, string>>; timeoutMs?: number }): HttpClient {
	return {
		async request(req) {
			const url = buildUrl(options.baseUrl, req.url, req.query);
			const headers: Record<string, string> = { accept: 'application/json', ...(await options.headers?.()), ...req.headers };
			let body: string | undefined;
			if (req.form) {
				headers['content-type'] = 'application/x-www-form-urlencoded';
				body = new URLSearchParams(req.form).toString();
			} else if (req.body !== undefined) {
				headers['content-type'] = 'application/json';
				body = JSON.stringify(req.body);
			}
			let res: Response;
			try {
				res = await fetch(url, { method: req.method, headers, body, signal: AbortSignal.timeout(req.timeoutMs ?? options.timeoutMs ?? 30_000) });
			} catch (err) {
				const e = err as Error;
				const timeout = e.name === 'TimeoutError' || e.name === 'AbortError';
				throw new TransportError(timeout ? `No answer from ${new URL(url).host} within the timeout` : `Could not reach ${new URL(url).host}: ${e.message}`, timeout ? 'timeout' : 'network', url);
			}
			const text = await res.text();
			const out: Record<string, string> = {};
			res.headers.forEach((v, k) => {
				out[k.toLowerCase()] = v;
			});
			return { status: res.status, headers: out, body: parseBody(text, out['content-type']) };
		},
	};
}
