/** A Salesforce sandbox on a free port and connectors that talk to it over real HTTP (fetchClient). */
import { fetchClient, type HttpClient } from '../../../connectors/core/http';
import { SalesforceConnector, type SalesforceConnectorOptions } from '../../../connectors/salesforce';
import { createContext, startVendor, type StartedVendor } from '../../../sandbox/core/vendor';
import { createSalesforce, type SalesforceOptions } from '../../../sandbox/salesforce';

let keys = 0;

export interface Counters {
	total: number;
	byRoute: Record<string, number>;
	byStatus: Record<string, number>;
}

export interface SfEnv {
	server: StartedVendor;
	url: string;
	info: Record<string, any>;
	token: string;
	admin<T = any>(method: string, path: string, body?: unknown): Promise<T>;
	connector(options?: Partial<SalesforceConnectorOptions>): SalesforceConnector;
	/** Calls counted by the sandbox since the last reset (admin routes are not counted). */
	counters(): Promise<Counters>;
	resetCounters(): Promise<void>;
	/** A full reset of the org (data, counters, faults, settings that live in the org). */
	reset(): Promise<void>;
	seed(object: string, count: number, extra?: Record<string, unknown>): Promise<{ ids: string[] }>;
	/** Refreshes the access token with the refresh-token grant, as n8n does for OAuth2 credentials. */
	refresh(): Promise<void>;
	close(): Promise<void>;
}

export async function startSalesforce(options: SalesforceOptions = {}): Promise<SfEnv> {
	const ctx = createContext();
	const server = await startVendor(createSalesforce(ctx, options), ctx);
	const info = (await (await fetch(`${server.url}/_sandbox/info`)).json()) as Record<string, any>;
	const admin = async (method: string, path: string, body?: unknown) => {
		const res = await fetch(`${server.url}${path}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		try {
			return text ? JSON.parse(text) : undefined;
		} catch {
			return text; // the malformed-JSON fault also cuts admin answers short (sandbox quirk)
		}
	};
	const env: SfEnv = {
		server,
		url: server.url,
		info,
		token: info.accessToken,
		admin,
		connector(extra = {}) {
			const http: HttpClient = fetchClient({ baseUrl: server.url, headers: () => ({ authorization: `Bearer ${env.token}` }) });
			return new SalesforceConnector({
				http,
				instanceUrl: server.url,
				apiVersion: 'v62.0',
				credentialKey: `test-${server.port}-${++keys}`,
				retry: { baseDelayMs: 5, maxDelayMs: 40 },
				timeoutMs: 5_000,
				onAuthFailure: async () => {
					await env.refresh();
					return true;
				},
				...extra,
			});
		},
		counters: () => admin('GET', '/_sandbox/counters'),
		resetCounters: () => admin('POST', '/_sandbox/requests/reset'),
		async reset() {
			await admin('POST', '/_sandbox/reset');
			await admin('PUT', '/_sandbox/salesforce/settings', { dailyApiLimit: options.dailyApiLimit ?? 15_000, duplicateRule: options.duplicateRule ?? false, lockRows: 0, lockRowRate: 0 });
			env.token = info.accessToken;
		},
		seed: (object, count, extra = {}) => admin('POST', '/_sandbox/seed', { object, count, seed: 7, ...extra }),
		async refresh() {
			const res = await fetch(`${server.url}/services/oauth2/token`, {
				method: 'POST',
				headers: { 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: info.refreshToken, client_id: info.clientId, client_secret: info.clientSecret }).toString(),
			});
			const body = (await res.json()) as { access_token?: string };
			if (!body.access_token) throw new Error(`refresh failed: ${JSON.stringify(body)}`);
			env.token = body.access_token;
		},
		close: () => server.close(),
	};
	return env;
}

/** Drains an async generator of pages into one array. */
export async function all<T>(gen: AsyncGenerator<T[]>): Promise<T[]> {
	const out: T[] = [];
	for await (const page of gen) out.push(...page);
	return out;
}
