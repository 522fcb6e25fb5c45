/** A minimal IPollFunctions for the poll-trigger suites: parameters, mode, credentials, and an HTTP helper that adds the auth header n8n's credential would. */
import type { IDataObject, IHttpRequestOptions, INodeType, IPollFunctions } from 'n8n-workflow';

export interface PollHarness {
	node: INodeType;
	credentials: () => IDataObject;
	authHeader: () => Record<string, string>;
}

export function pollContext(h: PollHarness, params: IDataObject, mode: 'trigger' | 'manual' = 'trigger'): IPollFunctions {
	return {
		getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
		getMode: () => mode,
		getNode: () => ({ id: `node-${h.node.description.name}`, name: 'Poll', type: h.node.description.name, typeVersion: 1, position: [0, 0], parameters: {} }),
		getWorkflow: () => ({ id: `wf-${h.node.description.name}`, name: 'Poll test', active: true }),
		getCredentials: async () => h.credentials(),
		logger: { warn() {}, info() {}, debug() {}, error() {} },
		helpers: {
			async httpRequestWithAuthentication(_type: string, o: IHttpRequestOptions) {
				const res = await fetch(o.url, { method: o.method ?? 'GET', headers: { ...(o.headers as Record<string, string>), ...h.authHeader() }, body: o.body as string | undefined });
				return { statusCode: res.status, headers: Object.fromEntries(res.headers.entries()), body: await res.text() };
			},
		},
	} as unknown as IPollFunctions;
}

/** Runs one poll and returns the emitted items' json ([] when the trigger emitted nothing). */
export async function pollOnce(h: PollHarness, params: IDataObject, mode: 'trigger' | 'manual' = 'trigger'): Promise<IDataObject[]> {
	const out = await h.node.poll!.call(pollContext(h, params, mode));
	return out ? out[0].map((i) => i.json) : [];
}

export const ids = (items: IDataObject[]) => items.map((i) => String(i.id));
