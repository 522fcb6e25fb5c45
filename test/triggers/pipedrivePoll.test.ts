/** The Pipedrive Sync Poll Trigger against the sandbox: durable cursor, overlap de-duplication, restart, manual sample. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject, IHttpRequestOptions, IPollFunctions } from 'n8n-workflow';
import { PipedriveSyncPollTrigger } from '../../nodes/PipedriveSyncPollTrigger/PipedriveSyncPollTrigger.node';
import { closeAllStores } from '../../sync/store';
import { startHarness, type Harness } from '../connectors/pipedrive/helpers';

let h: Harness;
let dir: string;

beforeAll(async () => {
	h = await startHarness();
	dir = mkdtempSync(join(tmpdir(), 'fxpoll-pd-'));
});
afterAll(async () => {
	await h.stop();
	await closeAllStores();
	rmSync(dir, { recursive: true, force: true });
});

/** A poll context; `httpRequestWithAuthentication` adds the x-api-token header as the credential's `authenticate` does. */
function pollContext(params: IDataObject, mode: 'trigger' | 'manual' = 'trigger'): IPollFunctions {
	return {
		getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
		getMode: () => mode,
		getNode: () => ({ id: 'node-pd', name: 'Poll', type: 'pipedriveSyncPollTrigger', typeVersion: 1, position: [0, 0], parameters: {} }),
		getWorkflow: () => ({ id: 'wf-pd', name: 'Poll test', active: true }),
		getCredentials: async () => ({ apiToken: h.token, baseUrl: h.url }),
		logger: { warn() {}, info() {}, debug() {}, error() {} },
		helpers: {
			async httpRequestWithAuthentication(_type: string, o: IHttpRequestOptions) {
				const res = await fetch(o.url, { method: o.method ?? 'GET', headers: { ...(o.headers as Record<string, string>), 'x-api-token': h.token }, body: o.body as string | undefined });
				return { statusCode: res.status, headers: Object.fromEntries(res.headers.entries()), body: await res.text() };
			},
		},
	} as unknown as IPollFunctions;
}

async function poll(params: IDataObject, mode: 'trigger' | 'manual' = 'trigger'): Promise<IDataObject[]> {
	const out = await new PipedriveSyncPollTrigger().poll.call(pollContext(params, mode));
	return out ? out[0].map((i) => i.json) : [];
}

const ids = (items: IDataObject[]) => items.map((i) => String(i.id));

test('existing persons once; each later change once, with created/updated; a restart continues; manual mode samples', async () => {
	await h.admin('POST', '/_sandbox/seed', { object: 'persons', count: 30, seed: 3 });
	const params: IDataObject = { object: 'persons', startFrom: 'beginning', store: 'sqlite', sqlitePath: join(dir, 'a.sqlite'), options: { overlapSeconds: 300 } };

	const first = await poll(params);
	expect(first.length).toBe(30);
	expect(new Set(ids(first)).size).toBe(30);
	// Nothing changed: the overlap window is re-read, nothing is repeated.
	expect(await poll(params)).toEqual([]);

	const c = h.connector();
	const [made] = await c.write('persons', 'create', [{ fields: { name: 'Poll New', emails: [{ value: 'poll-new@example.com' }] } }]);
	const newId = made.ok ? made.record.id : '';
	const created = await poll(params);
	expect(ids(created)).toEqual([newId]);
	expect(created[0].event).toBe('created');
	expect(await poll(params)).toEqual([]);

	// Pipedrive stamps whole seconds: move the sandbox clock on so the edit is a later version.
	await h.admin('POST', '/_sandbox/clock/advance', { ms: 3_000 });
	await c.write('persons', 'update', [{ id: newId, fields: { name: 'Poll Changed' } }]);
	const updated = await poll(params);
	expect(ids(updated)).toEqual([newId]);
	expect(updated[0].event).toBe('updated');

	const sample = await poll(params, 'manual');
	expect(sample.length).toBeGreaterThan(0);
	expect(sample.length).toBeLessThanOrEqual(5);
	expect(await poll(params)).toEqual([]);

	// A restart: every store handle closed, the same SQLite file opened again.
	await closeAllStores();
	expect(await poll(params)).toEqual([]);
	await h.admin('POST', '/_sandbox/clock/advance', { ms: 3_000 });
	await c.write('persons', 'update', [{ id: newId, fields: { name: 'Poll Again' } }]);
	expect(ids(await poll(params))).toEqual([newId]);
});
