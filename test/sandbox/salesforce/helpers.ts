/** Starts a Salesforce sandbox on a free port and talks to it over real HTTP. */
import { createContext, startVendor, type StartedVendor } from '../../../sandbox/core/vendor';
import { createSalesforce, type SalesforceOptions } from '../../../sandbox/salesforce';

export interface Sf {
	server: StartedVendor;
	url: string;
	token: string;
	v: string;
	info: Record<string, any>;
	/** Authenticated REST call under /services/data/vXX.X (or an absolute path starting with /services or /_sandbox). */
	call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<Res>;
	get(path: string, headers?: Record<string, string>): Promise<Res>;
	query(soql: string, headers?: Record<string, string>): Promise<Res>;
	admin(method: string, path: string, body?: unknown): Promise<Res>;
	close(): Promise<void>;
}

export interface Res {
	status: number;
	headers: Headers;
	body: any;
	text: string;
}

export async function raw(url: string, init: RequestInit = {}): Promise<Res> {
	const r = await fetch(url, { redirect: 'manual', ...init });
	const text = await r.text();
	let body: any = text;
	try {
		body = text ? JSON.parse(text) : null;
	} catch {
		/* not JSON */
	}
	return { status: r.status, headers: r.headers, body, text };
}

export async function startSf(options: SalesforceOptions = {}, ctxOptions: { timeScale?: number } = {}): Promise<Sf> {
	const ctx = createContext(ctxOptions);
	const server = await startVendor(createSalesforce(ctx, options), ctx);
	const info = (await raw(`${server.url}/_sandbox/info`)).body;
	const sf: Sf = {
		server,
		url: server.url,
		token: info.accessToken,
		v: `v${info.apiVersion}`,
		info,
		async call(method, path, body, headers = {}) {
			const full = path.startsWith('/services') || path.startsWith('/_sandbox') || path.startsWith('/id/') ? path : `/services/data/${sf.v}${path}`;
			const h: Record<string, string> = { Authorization: `Bearer ${sf.token}`, ...headers };
			let payload: string | undefined;
			if (body !== undefined) {
				payload = typeof body === 'string' ? body : JSON.stringify(body);
				h['Content-Type'] = h['Content-Type'] ?? 'application/json';
			}
			return raw(`${server.url}${full}`, { method, headers: h, body: payload });
		},
		get: (path, headers) => sf.call('GET', path, undefined, headers),
		query: (soql, headers) => sf.call('GET', `/query?q=${encodeURIComponent(soql)}`, undefined, headers),
		admin: (method, path, body) =>
			raw(`${server.url}${path}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) }),
		close: () => server.close(),
	};
	return sf;
}
