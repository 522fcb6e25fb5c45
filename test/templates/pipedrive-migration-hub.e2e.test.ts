/**
 * Three templates in a REAL n8n 2.x with the packed package (run `npm run build` first), against the Pipedrive,
 * Jobber and HubSpot sandboxes: pipedrive-jobber-clients.json, historical-migration.json and hub-and-spoke.json.
 *
 * Each template is posted to /workflows exactly as it is in templates/ (credentials resolved by name: the test creates
 * them over REST with the names the templates reference). No trigger is swapped: each run is started the way the
 * editor's "Execute workflow" button starts it, POST /rest/workflows/:id/run from the template's own trigger (the
 * Schedule Trigger of the two syncs, the Manual Trigger of the migration), and the saved execution is read back.
 * The only edits are the ones a user makes in the editor, each said where it is made (the migration's Dry Run switch).
 * `settings.errorWorkflow` stays `fxErrorWorkflow1`: n8n starts error workflows for production runs only, and these
 * runs are manual.
 */
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox';
import { stats } from '../../sync/ledger';
import { closeAllStores, openStore, type SyncStore } from '../../sync/store';
import { startN8nWithPackage, stopN8n } from '../e2e/support';
import { createCredentials, importTemplate, outputOf, runManually, template, vendorCall } from './e2eHelpers';

jest.setTimeout(900_000);

let n8n: Awaited<ReturnType<typeof startN8nWithPackage>>;
let sandbox: Sandbox;
let store: SyncStore;

const call = (vendor: 'hubspot' | 'pipedrive' | 'jobber', method: string, route: string, body?: unknown) => vendorCall(sandbox, vendor, method, route, body);
const pdPersons = async (): Promise<any[]> => ((await call('pipedrive', 'GET', '/_sandbox/records/persons')) as any[]).filter((p) => !p.is_deleted);
const jbClients = async (): Promise<any[]> => (await call('jobber', 'GET', '/_sandbox/records/clients')) as any[];
const pdEdit = (changes: Record<string, unknown>, id?: number) => call('pipedrive', 'POST', '/_sandbox/pipedrive/edit', { entity: 'person', ...(id === undefined ? { action: 'create' } : { id }), changes });
const jbEdit = (op: 'create' | 'update', input: Record<string, unknown>, id?: string) => call('jobber', 'POST', '/_sandbox/jobber/edit', { op, type: 'Client', id, input });
const emailOf = (r: any): string | undefined => (r.emails?.[0]?.value ?? r.emails?.[0]?.address)?.toLowerCase();
const byEmail = <T>(list: T[]): Record<string, T> => Object.fromEntries(list.map((r) => [emailOf(r), r]));
const reviewItems = async (mappingId: string) => (await store.listReviewItems({ mappingId })).items;

beforeAll(async () => {
	sandbox = await startSandbox({ vendors: ['hubspot', 'pipedrive', 'jobber'] });
	n8n = await startN8nWithPackage('templates-pd-mig-hub');
	store = await openStore({ kind: 'sqlite', path: path.join(n8n.userFolder, '.n8n', 'fluxcascade.sqlite') });
	await createCredentials(n8n, sandbox, ['hubspot', 'pipedrive', 'jobber']);
});

afterAll(async () => {
	await store?.close();
	await closeAllStores();
	await stopN8n(n8n, 'templates-pd-mig-hub');
	await sandbox?.stop();
});

describe('pipedrive-jobber-clients', () => {
	const MAPPING = 'pipedrive-jobber-clients';
	let id: string;
	const run = () => runManually(n8n, id, 'Every 15 Minutes');

	test('first run: creates both ways, pairs by email, fills the paired side, parks the dirty person with its field named', async () => {
		await pdEdit({ first_name: 'Ann', last_name: 'Lee', emails: [{ value: 'ann@example.com', primary: true }], phones: [{ value: '(217) 555-0143', primary: true }], postal_address: { value: '12 Main St, Springfield, IL 62701' } });
		await pdEdit({ first_name: 'Bob', last_name: 'Ray', emails: [{ value: 'Bob@Example.com', primary: true }] });
		await pdEdit({ first_name: 'Dee', last_name: 'Dirty', emails: [{ value: 'dee@example.com', primary: true }], phones: [{ value: 'call me maybe', primary: true }] });
		await jbEdit('create', {
			firstName: 'Bob',
			lastName: 'Ray',
			emails: [{ description: 'MAIN', primary: true, address: 'bob@example.com' }],
			phones: [{ description: 'MAIN', primary: true, number: '+12175550188' }],
			billingAddress: { street1: '9 Elm St', city: 'Springfield', province: 'IL', postalCode: '62702' },
		});
		await jbEdit('create', { firstName: 'Cara', lastName: 'Moss', emails: [{ description: 'MAIN', primary: true, address: 'cara@example.com' }] });

		id = await importTemplate(n8n, template('pipedrive-jobber-clients.json'));
		const first = await run();
		expect(outputOf(first, 'Sync Ledger: Plan', 5)[0]).toMatchObject({ create: { to_target: 1, to_source: 1 }, invalid: 1 });

		const jb = byEmail(await jbClients());
		const pd = byEmail(await pdPersons());
		// Pipedrive → Jobber: names, E.164 phone, the one-line address parsed into Jobber's billing address.
		expect(jb['ann@example.com']).toMatchObject({
			firstName: 'Ann',
			lastName: 'Lee',
			phones: [expect.objectContaining({ number: '+12175550143' })],
			billingAddress: expect.objectContaining({ street1: '12 Main St', city: 'Springfield', province: 'IL', postalCode: '62701' }),
		});
		// Jobber → Pipedrive: a new person with the client's email.
		expect(pd['cara@example.com']).toMatchObject({ first_name: 'Cara', last_name: 'Moss' });
		// Paired by email (case ignored), not duplicated; each side got what only the other had.
		expect(Object.keys(jb).sort()).toEqual(['ann@example.com', 'bob@example.com', 'cara@example.com']);
		expect(Object.keys(pd).sort()).toEqual(['ann@example.com', 'bob@example.com', 'cara@example.com', 'dee@example.com']);
		expect(pd['bob@example.com'].phones[0].value).toBe('+12175550188');
		expect(pd['bob@example.com'].postal_address.value).toBe('9 Elm St, Springfield, IL 62702');
		expect(await stats(MAPPING, store)).toMatchObject({ pairs: 3 });

		// The dirty person: not written to Jobber, parked for review with the field and the reason.
		const parked = await reviewItems(MAPPING);
		expect(parked.map((i) => [i.system, i.recordId, i.code, i.status])).toEqual([['pipedrive', String(pd['dee@example.com'].id), 'INVALID_FORMAT', 'open']]);
		expect(parked[0].errors).toEqual([expect.objectContaining({ code: 'INVALID_FORMAT', field: 'phones[0].value' })]);
	});

	test('second run: nothing written, nothing duplicated, the dirty person is still one review item', async () => {
		const before = { jb: await jbClients(), pd: await pdPersons() };
		const second = await run();
		expect(outputOf(second, 'Sync Ledger: Plan', 0)).toEqual([]);
		expect(outputOf(second, 'Sync Ledger: Plan', 1)).toEqual([]);
		expect(await jbClients()).toEqual(before.jb);
		expect(await pdPersons()).toEqual(before.pd);
		expect(await stats(MAPPING, store)).toMatchObject({ pairs: 3 });
		expect((await reviewItems(MAPPING)).map((i) => [i.code, i.status])).toEqual([['INVALID_FORMAT', 'open']]);
	});

	test('an edit on either side is written to the other (update, not create); the edits do not come back as echoes', async () => {
		const pdAnn = byEmail(await pdPersons())['ann@example.com'];
		const jbCara = byEmail(await jbClients())['cara@example.com'];
		await pdEdit({ last_name: 'Lee-Park', phones: [{ value: '217-555-0199', primary: true }] }, pdAnn.id);
		await jbEdit('update', { firstName: 'Carla' }, jbCara.id);

		const third = await run();
		expect(outputOf(third, 'Sync Ledger: Plan', 5)[0]).toMatchObject({ create: { to_target: 0, to_source: 0 }, update: { to_target: 1, to_source: 1 } });
		const jb = byEmail(await jbClients());
		const pd = byEmail(await pdPersons());
		expect(jb['ann@example.com']).toMatchObject({ lastName: 'Lee-Park', phones: [expect.objectContaining({ number: '+12175550199' })] });
		expect(pd['cara@example.com']).toMatchObject({ first_name: 'Carla', last_name: 'Moss' });
		expect(Object.keys(jb)).toHaveLength(3);
		expect(Object.keys(pd)).toHaveLength(4);

		const fourth = await run();
		expect(outputOf(fourth, 'Sync Ledger: Plan', 5)[0]).toMatchObject({ create: { to_target: 0, to_source: 0 }, update: { to_target: 0, to_source: 0 } });
	});
});
