/** A Pipedrive sandbox and a connector over fetchClient for the connector tests. */
import { fetchClient } from '../../../connectors/core/http';
import { PipedriveConnector, type PipedriveConnectorOptions } from '../../../connectors/pipedrive';
import { startSandbox, type Sandbox } from '../../../sandbox';
import type { PipedriveOptions } from '../../../sandbox/pipedrive';

export interface Harness {
	sandbox: Sandbox;
	url: string;
	token: string;
	info: any;
	/** Admin API of the sandbox (JSON in, JSON out). */
	admin<T = any>(method: string, path: string, body?: unknown): Promise<T>;
	/** A connector with its own limiter key (tests do not share budgets unless they ask to). */
	connector(options?: Partial<PipedriveConnectorOptions> & { token?: string }): PipedriveConnector;
	/** Sandbox request counters since the last reset: total, and per route name. */
	counters(): Promise<{ total: number; byRoute: Record<string, number>; byStatus: Record<string, number> }>;
	resetCounters(): Promise<void>;
	stop(): Promise<void>;
}

let seq = 0;

export async function startHarness(options: { pipedrive?: PipedriveOptions; timeScale?: number } = {}): Promise<Harness> {
	const sandbox = await startSandbox({ vendors: ['pipedrive'], pipedrive: options.pipedrive, timeScale: options.timeScale });
	const url = sandbox.url('pipedrive');
	const admin = async (method: string, path: string, body?: unknown) => {
		const res = await fetch(url + path, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
		const text = await res.text();
		return text ? JSON.parse(text) : undefined;
	};
	const info = await admin('GET', '/_sandbox/info');
	const token = info.auth.apiToken as string;
	return {
		sandbox,
		url,
		token,
		info,
		admin,
		connector(o = {}) {
			const t = o.token ?? token;
			return new PipedriveConnector({
				http: fetchClient({ baseUrl: url, headers: () => ({ 'x-api-token': t }) }),
				key: `test-${++seq}`,
				timeScale: options.timeScale ?? 1,
				retry: { baseDelayMs: 5, maxDelayMs: 50 },
				...o,
			});
		},
		async counters() {
			const c = await admin('GET', '/_sandbox/counters');
			return c;
		},
		async resetCounters() {
			await admin('POST', '/_sandbox/requests/reset');
		},
		stop: () => sandbox.stop(),
	};
}
