/** The HubSpot sandbox and a connector talking to it over plain fetch, for the connector suites. */
import { HubSpotConnector, type HubSpotConnectorOptions } from '../../../connectors/hubspot';
import { fetchClient } from '../../../connectors/core/http';
import { createContext, startVendor, type StartedVendor } from '../../../sandbox/core/vendor';
import type { FaultConfig } from '../../../sandbox/core/faults';
import { createHubspot, type HubspotDefinition, type HubspotOptions } from '../../../sandbox/hubspot';

export interface Sandbox {
	server: StartedVendor;
	def: HubspotDefinition;
	url: string;
	token: string;
	timeScale: number;
	/** A connector with its own limiter budget (unique key), unless `limiterKey` is given. */
	connector(extra?: Partial<HubSpotConnectorOptions> & { token?: string }): HubSpotConnector;
	/** API calls per route since the last reset. */
	calls(route?: string): number;
	byStatus(status: number): number;
	resetCounters(): void;
	faults(config: FaultConfig): void;
	/** A raw authenticated call (for setting up state the connector does not do, e.g. custom properties). */
	raw(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }>;
	close(): Promise<void>;
}

let keys = 0;

export async function startSandbox(options: HubspotOptions = {}, timeScale = 1): Promise<Sandbox> {
	const ctx = createContext({ timeScale });
	const def = createHubspot(ctx, options);
	const server = await startVendor(def, ctx);
	const token = String(def.info().privateAppToken);
	return {
		server,
		def,
		url: server.url,
		token,
		timeScale,
		connector(extra = {}) {
			const auth = extra.token ?? token;
			return new HubSpotConnector({
				http: fetchClient({ baseUrl: server.url, headers: () => ({ authorization: `Bearer ${auth}` }), timeoutMs: 10_000 }),
				limiterKey: `test-${process.pid}-${++keys}`,
				timeScale,
				...extra,
			});
		},
		calls(route) {
			const c = ctx.log.counters();
			return route === undefined ? c.total : (c.byRoute[route] ?? 0);
		},
		byStatus(status) {
			return ctx.log.counters().byStatus[String(status)] ?? 0;
		},
		resetCounters() {
			ctx.log.reset();
		},
		faults(config) {
			ctx.faults.set(config);
		},
		async raw(method, path, body) {
			const res = await fetch(server.url + path, {
				method,
				headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const text = await res.text();
			return { status: res.status, body: text ? JSON.parse(text) : undefined };
		},
		close: () => server.close(),
	};
}

/** Every stored record of an object as the sandbox holds it (live ones only). */
export function liveRecords(sb: Sandbox, object: string): Array<{ id: string; properties: Record<string, string>; updatedAt: string; archived: boolean }> {
	return (sb.def.records(object) as Array<{ id: string; properties: Record<string, string>; updatedAt: string; archived: boolean }>).filter((r) => !r.archived);
}
