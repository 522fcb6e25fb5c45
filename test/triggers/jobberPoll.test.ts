/** The Jobber Sync Poll Trigger against the sandbox: durable cursor, overlap de-duplication, restart, manual sample. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject, IHttpRequestOptions, IPollFunctions } from 'n8n-workflow';
import { JobberSyncPollTrigger } from '../../nodes/JobberSyncPollTrigger/JobberSyncPollTrigger.node';
import { closeAllStores } from '../../sync/store';
import { startHarness, type Harness } from '../connectors/jobber/helpers';

let h: Harness;
let dir: string;

beforeAll(async () => {
	h = await startHarness();
	dir = mkdtempSync(join(tmpdir(), 'fxpoll-jb-'));
});
afterAll(async () => {
	await h.stop();
	await closeAllStores();
	rmSync(dir, { recursive: true, force: true });
});

/** A poll context; `httpRequestWithAuthentication` adds the Bearer token as n8n's OAuth2 credential does. */
function pollContext(params: IDataObject, mode: 'trigger' | 'manual' = 'trigger'): IPollFunctions {
	return {
		getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
		getMode: () => mode,
		getNode: () => ({ id: 'node-jb', name: 'Poll', type: 'jobberSyncPollTrigger', typeVersion: 1, position: [0, 0], parameters: {} }),
		getWorkflow: () => ({ id: 'wf-jb', name: 'Poll test', active: true }),
		getCredentials: async () => ({ baseUrl: h.url, clientId: 'poll-test' }),
		logger: { warn() {}, info() {}, debug() {}, error() {} },
		helpers: {
			async httpRequestWithAuthentication(_type: string, o: IHttpRequestOptions) {
				const res = await fetch(o.url, { method: o.method ?? 'GET', headers: { ...(o.headers as Record<string, string>), authorization: `Bearer ${h.info.accessToken}` }, body: o.body as string | undefined });
				return { statusCode: res.status, headers: Object.fromEntries(res.headers.entries()), body: await res.text() };
			},
		},
	} as unknown as IPollFunctions;
}

async function poll(params: IDataObject, mode: 'trigger' | 'manual' = 'trigger'): Promise<IDataObject[]> {
	const out = await new JobberSyncPollTrigger().poll.call(pollContext(params, mode));
	return out ? out[0].map((i) => i.json) : [];
}

const ids = (items: IDataObject[]) => items.map((i) => String(i.id));

test('existing clients once; each later change once, with created/updated; a restart continues; manual mode samples', async () => {
	await h.admin('POST', '/_sandbox/seed', { object: 'clients', count: 25, seed: 4 });
	const params: IDataObject = { object: 'clients', startFrom: 'beginning', store: 'sqlite', sqlitePath: join(dir, 'a.sqlite'), options: { overlapSeconds: 300 } };

	const first = await poll(params);
	expect(first.length).toBe(25);
	expect(new Set(ids(first)).size).toBe(25);
	expect(await poll(params)).toEqual([]);

	const c = h.connector();
	const [made] = await c.write('clients', [{ op: 'create', fields: { firstName: 'Poll', lastName: 'New' } }]);
	const newId = made.ok ? made.record.id : '';
	const created = await poll(params);
	expect(ids(created)).toEqual([newId]);
	expect(created[0].event).toBe('created');
	expect(await poll(params)).toEqual([]);

	await h.admin('POST', '/_sandbox/clock/advance', { ms: 3_000 });
	await c.write('clients', [{ op: 'update', id: newId, fields: { lastName: 'Changed' } }]);
	const updated = await poll(params);
	expect(ids(updated)).toEqual([newId]);
	expect(updated[0].event).toBe('updated');

	const sample = await poll(params, 'manual');
	expect(sample.length).toBeGreaterThan(0);
	expect(sample.length).toBeLessThanOrEqual(5);
	expect(await poll(params)).toEqual([]);

	await closeAllStores();
	expect(await poll(params)).toEqual([]);
	await h.admin('POST', '/_sandbox/clock/advance', { ms: 3_000 });
	await c.write('clients', [{ op: 'update', id: newId, fields: { lastName: 'Again' } }]);
	expect(ids(await poll(params))).toEqual([newId]);
});
