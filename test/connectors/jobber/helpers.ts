/** Shared set-up for the Jobber connector tests: a sandbox, a fetch-based HttpClient and admin calls. */
import { fetchClient, type HttpClient, type HttpRequest, type HttpResponse } from '../../../connectors/core/http';
import { JobberConnector, type JobberConnectorOptions } from '../../../connectors/jobber';
import { startSandbox, type Sandbox } from '../../../sandbox';

export interface Harness {
	sandbox: Sandbox;
	url: string;
	info: Record<string, any>;
	admin<T = any>(method: string, path: string, body?: unknown): Promise<T>;
	/** A connector with its own limiter budget (tests must not share one). */
	connector(options?: Partial<JobberConnectorOptions>, http?: HttpClient): JobberConnector;
	http(): HttpClient;
	/** GraphQL calls the sandbox answered, per operation (`graphql.mutation.clientCreate`…), since the last reset. */
	counters(): Promise<{ total: number; byRoute: Record<string, number>; byStatus: Record<string, number> }>;
	resetCounters(): Promise<void>;
	/** The sandbox's clock (vendor time runs `timeScale` times faster than real time). */
	vendorNow(): Promise<number>;
	stop(): Promise<void>;
}

let keys = 0;

export async function startHarness(options: Parameters<typeof startSandbox>[0] = {}): Promise<Harness> {
	const sandbox = await startSandbox({ ...options, vendors: ['jobber'] });
	const url = sandbox.url('jobber');
	const admin = async (method: string, path: string, body?: unknown) => {
		const res = await fetch(`${url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
		const text = await res.text();
		return text ? JSON.parse(text) : undefined;
	};
	const info = await admin('GET', '/_sandbox/info');
	const http = () => fetchClient({ baseUrl: url, headers: () => ({ authorization: `Bearer ${info.accessToken}` }), timeoutMs: 10_000 });
	return {
		sandbox,
		url,
		info,
		admin,
		http,
		connector: (opts = {}, client) =>
			new JobberConnector({ http: client ?? http(), limiterKey: `test-${process.pid}-${++keys}-${Date.now()}`, retry: { baseDelayMs: 50, maxDelayMs: 500 }, timeScale: options.timeScale ?? 1, ...opts }),
		counters: () => admin('GET', '/_sandbox/counters'),
		resetCounters: () => admin('POST', '/_sandbox/requests/reset'),
		vendorNow: async () => Date.parse((await admin('POST', '/_sandbox/clock/advance', { ms: 0 })).now),
		stop: () => sandbox.stop(),
	};
}

/** An HttpClient that remembers every GraphQL answer body (to count THROTTLED answers the connector absorbed). */
export function recording(inner: HttpClient): HttpClient & { answers: Array<{ req: HttpRequest; res: HttpResponse }> } {
	const answers: Array<{ req: HttpRequest; res: HttpResponse }> = [];
	return {
		answers,
		async request(req) {
			const res = await inner.request(req);
			answers.push({ req, res });
			return res;
		},
	};
}

export async function collect<T>(gen: AsyncGenerator<T>): Promise<T[]> {
	const out: T[] = [];
	for await (const x of gen) out.push(x);
	return out;
}
