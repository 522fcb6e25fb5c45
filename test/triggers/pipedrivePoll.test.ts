/** The Pipedrive Sync Poll Trigger against the sandbox: durable cursor, overlap de-duplication, restart, manual sample. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { PipedriveSyncPollTrigger } from '../../nodes/PipedriveSyncPollTrigger/PipedriveSyncPollTrigger.node';
import { closeAllStores } from '../../sync/store';
import { startHarness, type Harness } from '../connectors/pipedrive/helpers';
import { ids, pollOnce, type PollHarness } from './support';

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

const harness: PollHarness = { node: new PipedriveSyncPollTrigger(), credentials: () => ({ apiToken: h.token, baseUrl: h.url }), authHeader: () => ({ 'x-api-token': h.token }) };
const poll = (params: IDataObject, mode: 'trigger' | 'manual' = 'trigger') => pollOnce(harness, params, mode);

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
