/** The HubSpot Sync Poll Trigger against the sandbox: durable cursor, overlap de-duplication, restart, manual sample. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { closeAllStores } from '../../sync/store';
import { HubSpotSyncPollTrigger } from '../../nodes/HubSpotSyncPollTrigger/HubSpotSyncPollTrigger.node';
import { liveRecords, startSandbox, type Sandbox } from '../connectors/hubspot/helpers';
import { ids, pollOnce, type PollHarness } from './support';

let sb: Sandbox;
let dir: string;

beforeAll(async () => {
	sb = await startSandbox({}, 10);
	dir = mkdtempSync(join(tmpdir(), 'fxpoll-'));
});
afterAll(async () => {
	await sb.close();
	await closeAllStores();
	rmSync(dir, { recursive: true, force: true });
});

const harness: PollHarness = { node: new HubSpotSyncPollTrigger(), credentials: () => ({ accessToken: sb.token, baseUrl: sb.url }), authHeader: () => ({ authorization: `Bearer ${sb.token}` }) };
const poll = (params: IDataObject, mode: 'trigger' | 'manual' = 'trigger') => pollOnce(harness, params, mode);

test('first poll delivers every existing record once; later polls deliver each change once; a restart continues; manual mode leaves the cursor', async () => {
	const params: IDataObject = { object: 'contacts', startFrom: 'beginning', store: 'sqlite', sqlitePath: join(dir, 'a.sqlite'), options: { overlapSeconds: 300 } };
	const existing = liveRecords(sb, 'contacts').map((r) => r.id);

	const first = await poll(params);
	expect(new Set(ids(first)).size).toBe(first.length);
	expect(new Set(ids(first))).toEqual(new Set(existing));

	// Nothing changed: the overlap window is re-read, nothing is repeated.
	expect(await poll(params)).toEqual([]);

	const hs = sb.connector();
	const [made] = await hs.upsert('contacts', [{ fields: { email: 'poll-new@example.com', firstname: 'New' } }]);
	const newId = String((made as unknown as { record?: { id?: string } }).record?.id);
	const created = await poll(params);
	expect(ids(created)).toEqual([newId]);
	expect(created[0].event).toBe('created');
	expect(await poll(params)).toEqual([]);

	await new Promise((r) => setTimeout(r, 1500));
	await sb.raw('PATCH', `/crm/v3/objects/contacts/${newId}`, { properties: { firstname: 'Changed' } });
	const updated = await poll(params);
	expect(ids(updated)).toEqual([newId]);
	expect(updated[0].event).toBe('updated');

	// Manual mode: a sample, and the cursor does not move (the next real poll still has nothing new).
	const sample = await poll(params, 'manual');
	expect(sample.length).toBeGreaterThan(0);
	expect(sample.length).toBeLessThanOrEqual(5);
	// Newest first: the record just edited leads the sample.
	expect(ids(sample)[0]).toBe(newId);

	// A restart: every store handle closed, the same SQLite file opened again.
	await closeAllStores();
	expect(await poll(params)).toEqual([]);
	await sb.raw('PATCH', `/crm/v3/objects/contacts/${newId}`, { properties: { firstname: 'Again' } });
	expect(ids(await poll(params))).toEqual([newId]);
});

test('start from now delivers only later changes; manual mode before activation does not create the cursor', async () => {
	const params: IDataObject = { object: 'contacts', startFrom: 'now', store: 'sqlite', sqlitePath: join(dir, 'b.sqlite'), event: 'created' };
	expect((await poll(params, 'manual')).length).toBeGreaterThan(0);
	expect(await poll(params)).toEqual([]);
	await new Promise((r) => setTimeout(r, 20));
	const hs = sb.connector();
	const [made] = await hs.upsert('contacts', [{ fields: { email: 'poll-later@example.com' } }]);
	expect(ids(await poll(params))).toEqual([String((made as unknown as { record?: { id?: string } }).record?.id)]);
});
