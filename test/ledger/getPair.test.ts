/**
 * Sync Ledger "Get Pair" in n8n's own WorkflowExecute: the partner of a record in a mapping, looked up in the
 * store by either side's id (how the HubSpot Deals → Jobber Jobs template finds the Jobber client of a deal's
 * contact), and a record without a pair on the Not Paired output as a failed item a person can act on.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { SyncLedger } from '../../nodes/SyncLedger/SyncLedger.node';
import { classify } from '../../sync/errors';
import { closeAllStores, openStore } from '../../sync/store';
import { runWorkflow, TestNodeTypes } from '../engine/harness';

const types = new TestNodeTypes({ 'n8n-nodes-fluxcascade.syncLedger': new SyncLedger() });

let dir: string;
let sqlitePath: string;

beforeEach(async () => {
	dir = mkdtempSync(join(tmpdir(), 'fluxcascade-getpair-'));
	sqlitePath = join(dir, 'state.sqlite');
	const store = await openStore({ kind: 'sqlite', path: sqlitePath });
	await store.pairRecord({
		mappingId: 'contacts',
		source: { system: 'hubspot', object: 'contacts', id: '101' },
		target: { system: 'jobber', object: 'clients', id: 'Z2lkOi8vSm9iYmVyL0NsaWVudC83' },
	});
	await store.close();
});
afterEach(async () => {
	await closeAllStores();
	rmSync(dir, { recursive: true, force: true });
});

function getPair(parameters: Record<string, unknown>) {
	return {
		name: 'Find Client',
		type: 'n8n-nodes-fluxcascade.syncLedger',
		parameters: {
			operation: 'getPair',
			mappingSource: 'preset',
			preset: 'hubspot_contact_to_jobber_client',
			mappingId: 'contacts',
			side: 'source',
			recordId: '={{ $json.links.contacts[0] }}',
			store: 'sqlite',
			sqlitePath,
			...parameters,
		},
	};
}

const deal = (id: string, contacts: string[]) => ({ system: 'hubspot', object: 'deals', id, fields: { dealname: `Deal ${id}` }, links: { contacts } });

test('a paired record comes out on Paired with its partner; an unpaired one on Not Paired with the reason, as the review queue reads it', async () => {
	const res = await runWorkflow(types, {
		items: [deal('d1', ['101']), deal('d2', ['202']), deal('d3', ['101'])],
		nodes: [getPair({})],
	});
	expect(res.error()).toBeUndefined();
	const paired = res.output('Find Client', 0);
	expect(paired.map((i) => [i.json.id, (i.json.pair as IDataObject).partner])).toEqual([
		['d1', { system: 'jobber', object: 'clients', id: 'Z2lkOi8vSm9iYmVyL0NsaWVudC83' }],
		['d3', { system: 'jobber', object: 'clients', id: 'Z2lkOi8vSm9iYmVyL0NsaWVudC83' }],
	]);
	// The input item is kept whole next to the pair, and paired items point back at it.
	expect(paired[0].json).toMatchObject({ fields: { dealname: 'Deal d1' }, pair: { mappingId: 'contacts', side: 'source', id: '101', version: 1 } });
	expect(paired.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);

	const notPaired = res.output('Find Client', 1);
	expect(notPaired).toHaveLength(1);
	expect(notPaired[0].pairedItem).toEqual({ item: 1 });
	expect(notPaired[0].json).toMatchObject({ failed: true, stage: 'ledger', node: 'Find Client', reason: 'not_paired', id: '202', record: { id: 'd2' } });
	const failure = classify(notPaired[0].json);
	expect(failure.recordRef).toEqual({ system: 'hubspot', object: 'deals', id: 'd2' });
	expect(failure.errors).toEqual([expect.objectContaining({ code: 'REQUIRED_FIELD_MISSING', field: 'pair', value: '202', message: expect.stringContaining('202 has no pair in mapping "contacts"') })]);
});

test('the other side looks up the source; a custom reason (an expression) and an empty id go to Not Paired', async () => {
	const res = await runWorkflow(types, {
		items: [
			{ system: 'jobber', object: 'clients', id: 'Z2lkOi8vSm9iYmVyL0NsaWVudC83', fields: {} },
			{ system: 'jobber', object: 'clients', id: 'Z2lkOi8vSm9iYmVyL0NsaWVudC85', fields: {} },
			{ system: 'jobber', object: 'clients', id: '', fields: {} },
		],
		nodes: [getPair({ side: 'target', recordId: '={{ $json.id }}', pairOptions: { notPairedMessage: '={{ "Client " + $json.id + " was never synced" }}' } })],
	});
	expect(res.output('Find Client', 0).map((i) => (i.json.pair as IDataObject).partner)).toEqual([{ system: 'hubspot', object: 'contacts', id: '101' }]);
	const notPaired = res.output('Find Client', 1).map((i) => classify(i.json).errors[0].message);
	expect(notPaired).toEqual(['Client Z2lkOi8vSm9iYmVyL0NsaWVudC85 was never synced', 'Client  was never synced']);
	expect(res.output('Find Client', 1).map((i) => i.json.reason)).toEqual(['not_paired', 'no_record_id']);
});

test('the default message names the missing id', async () => {
	const res = await runWorkflow(types, { items: [deal('d4', [])], nodes: [getPair({})] });
	const [item] = res.output('Find Client', 1);
	expect(classify(item.json).errors[0]).toMatchObject({ code: 'REQUIRED_FIELD_MISSING', message: expect.stringMatching(/Record ID is empty/) });
});
