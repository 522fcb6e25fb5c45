/** The Jobber Sync Poll Trigger against the sandbox: durable cursor, overlap de-duplication, restart, manual sample. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { JobberSyncPollTrigger } from '../../nodes/JobberSyncPollTrigger/JobberSyncPollTrigger.node';
import { closeAllStores } from '../../sync/store';
import { startHarness, type Harness } from '../connectors/jobber/helpers';
import { ids, pollOnce, type PollHarness } from './support';

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

const harness: PollHarness = { node: new JobberSyncPollTrigger(), credentials: () => ({ baseUrl: h.url, clientId: 'poll-test' }), authHeader: () => ({ authorization: `Bearer ${h.info.accessToken}` }) };
const poll = (params: IDataObject, mode: 'trigger' | 'manual' = 'trigger') => pollOnce(harness, params, mode);

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
