/**
 * Two templates in a REAL n8n 2.x with the packed package (run `npm run build` first), against the Pipedrive,
 * Jobber and HubSpot sandboxes: pipedrive-jobber-clients.json and hub-and-spoke.json (historical-migration.json,
 * run in chunks of executions, has its own suite: historical-migration.e2e.test.ts).
 *
 * Each template is posted to /workflows exactly as it is in templates/ (credentials resolved by name: the test creates
 * them over REST with the names the templates reference). No trigger is swapped: each run is started the way the
 * editor's "Execute workflow" button starts it, POST /rest/workflows/:id/run from the template's own trigger (the
 * Schedule Trigger of the two syncs), and the saved execution is read back.
 * `settings.errorWorkflow` stays `fxErrorWorkflow1`: n8n starts error workflows for production runs only, and these
 * runs are manual.
 */
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox';
import { stats } from '../../sync/ledger';
import { closeAllStores, openStore, type SyncStore } from '../../sync/store';
import { importTemplate, outputOf, runManually, saveNodes, startN8nWithPackage, stopN8n, template, vendorCall } from '../e2e/support';
import { createCredentials } from './support';

jest.setTimeout(900_000);

let n8n: Awaited<ReturnType<typeof startN8nWithPackage>>;
let sandbox: Sandbox;
let store: SyncStore;

const call = (vendor: 'hubspot' | 'pipedrive' | 'jobber', method: string, route: string, body?: unknown) => vendorCall(sandbox, vendor, method, route, body);
const pdPersons = async (): Promise<any[]> => ((await call('pipedrive', 'GET', '/_sandbox/records/persons')) as any[]).filter((p) => !p.is_deleted);
const jbClients = async (): Promise<any[]> => (await call('jobber', 'GET', '/_sandbox/records/clients')) as any[];
const pdEdit = (changes: Record<string, unknown>, id?: number) => call('pipedrive', 'POST', '/_sandbox/pipedrive/edit', { entity: 'person', ...(id === undefined ? { action: 'create' } : { id }), changes });
const jbEdit = (op: 'create' | 'update', input: Record<string, unknown>, id?: string) => call('jobber', 'POST', '/_sandbox/jobber/edit', { op, type: 'Client', id, input });
const advanceVendors = async (ms: number) => {
	for (const v of ['pipedrive', 'jobber', 'hubspot'] as const) await call(v, 'POST', '/_sandbox/clock/advance', { ms });
};
const emailOf = (r: any): string | undefined => (r.emails?.[0]?.value ?? r.emails?.[0]?.address ?? r.email)?.toLowerCase();
/** The emails of the records a Get Changes node read in an execution. */
const readEmails = (exec: Parameters<typeof outputOf>[0], node: string): Array<string | undefined> => outputOf(exec, node).map((r: any) => emailOf(r.fields));
const byEmail = <T>(list: T[]): Record<string, T> => Object.fromEntries(list.map((r) => [emailOf(r), r]));
const reviewItems = async (mappingId: string) => (await store.listReviewItems({ mappingId })).items;
const hsContacts = async (): Promise<any[]> => ((await call('hubspot', 'GET', '/_sandbox/records/contacts')) as any[]).filter((r) => !r.archived).map((r) => ({ id: String(r.id), ...(r.properties ?? r) }));
const hsCreate = (properties: Record<string, unknown>) => call('hubspot', 'POST', '/_sandbox/hubspot/ui/contacts', { properties });
async function allPairs(mappingId: string) {
	const pairs = [];
	for (let cursor: string | null = null; ; ) {
		const page = await store.listPairs(mappingId, { limit: 1000, cursor });
		pairs.push(...page.items);
		if (!page.next) return pairs;
		cursor = page.next;
	}
}

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

		id = (await importTemplate(n8n, template('pipedrive-jobber-clients.json'))).id;
		const first = await run();
		// No checkpoint yet: both sides are read in full.
		expect(outputOf(first, 'Sync Ledger: Get Checkpoints')[0]).toMatchObject({ source: '', target: '' });
		expect(readEmails(first, 'Jobber: Get Changes')).toHaveLength(2);
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
		// The next scheduled round, 15 minutes later in vendor time (the reads re-read 60 s before the checkpoint).
		await advanceVendors(15 * 60_000);
		await pdEdit({ last_name: 'Lee-Park', phones: [{ value: '217-555-0199', primary: true }] }, pdAnn.id);
		await jbEdit('update', { firstName: 'Carla' }, jbCara.id);

		const third = await run();
		// Incremental: each side reads from the checkpoint the ledger confirmed, i.e. only the record edited there.
		const since = outputOf(third, 'Sync Ledger: Get Checkpoints')[0];
		expect(since).toMatchObject({ mappingId: MAPPING, source: expect.stringMatching(/^pdc1\./), target: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), fullResync: false });
		// Pipedrive's cursor also remembers the versions it delivered inside the overlap: only the edited person comes.
		expect(readEmails(third, 'Pipedrive: Get Changes')).toEqual(['ann@example.com']);
		// Jobber re-reads the 60 s before the checkpoint (Since is inclusive, minus the overlap): the edited client, and
		// no client older than that window (those the first runs wrote sit inside it, and are judged unchanged).
		expect(readEmails(third, 'Jobber: Get Changes')).toContain('cara@example.com');
		for (const r of outputOf(third, 'Jobber: Get Changes')) expect(Date.parse(r.updatedAt)).toBeGreaterThanOrEqual(Date.parse(since.target) - 60_000);
		// Jobber was asked only for the fields the mapping uses (fewer query points than a whole client).
		const jbRead = outputOf(third, 'Jobber: Get Changes')[0];
		expect(Object.keys(jbRead.fields).sort()).toEqual(['billingAddress', 'emails', 'firstName', 'isArchived', 'lastName', 'phones']);
		expect(outputOf(third, 'Sync Ledger: Plan', 5)[0]).toMatchObject({ create: { to_target: 0, to_source: 0 }, update: { to_target: 1, to_source: 1 } });
		const jb = byEmail(await jbClients());
		const pd = byEmail(await pdPersons());
		expect(jb['ann@example.com']).toMatchObject({ lastName: 'Lee-Park', phones: [expect.objectContaining({ number: '+12175550199' })] });
		expect(pd['cara@example.com']).toMatchObject({ first_name: 'Carla', last_name: 'Moss' });
		expect(Object.keys(jb)).toHaveLength(3);
		expect(Object.keys(pd)).toHaveLength(4);

		const fourth = await run();
		expect(outputOf(fourth, 'Sync Ledger: Plan', 5)[0]).toMatchObject({ create: { to_target: 0, to_source: 0 }, update: { to_target: 0, to_source: 0 } });
		// The third run's edits and writes are read back once (inside the overlap) and judged echoes; Bob, untouched for
		// 15 minutes, is not read at all.
		expect(readEmails(fourth, 'Pipedrive: Get Changes')).not.toContain('bob@example.com');
		expect(readEmails(fourth, 'Jobber: Get Changes')).not.toContain('bob@example.com');
	});

	test('Full Re-Sync reads both sides in full for one run, writes nothing new; switched off, the reads are incremental again', async () => {
		await advanceVendors(15 * 60_000);
		await saveNodes(n8n, id, (nodes) => {
			nodes.find((n) => n.name === 'Sync Ledger: Get Checkpoints').parameters.fullResync = true;
		});
		const full = await run();
		expect(outputOf(full, 'Sync Ledger: Get Checkpoints')[0]).toMatchObject({ source: '', target: '', fullResync: true });
		expect(readEmails(full, 'Pipedrive: Get Changes').sort()).toEqual(['ann@example.com', 'bob@example.com', 'cara@example.com', 'dee@example.com']);
		expect(readEmails(full, 'Jobber: Get Changes').sort()).toEqual(['ann@example.com', 'bob@example.com', 'cara@example.com']);
		expect(outputOf(full, 'Sync Ledger: Plan', 5)[0]).toMatchObject({ create: { to_target: 0, to_source: 0 }, update: { to_target: 0, to_source: 0 } });
		// The dirty person is read again and found parked already: still one review item.
		expect((await reviewItems(MAPPING)).map((i) => [i.code, i.status])).toEqual([['INVALID_FORMAT', 'open']]);

		await saveNodes(n8n, id, (nodes) => {
			nodes.find((n) => n.name === 'Sync Ledger: Get Checkpoints').parameters.fullResync = false;
		});
		await advanceVendors(15 * 60_000);
		const after = await run();
		expect(readEmails(after, 'Pipedrive: Get Changes')).toEqual([]);
		// Jobber re-reads the overlap before the checkpoint (the records the third run touched), nothing older.
		expect(readEmails(after, 'Jobber: Get Changes')).not.toContain('bob@example.com');
		expect(outputOf(after, 'Sync Ledger: Plan', 5)[0] ?? { update: { to_target: 0, to_source: 0 } }).toMatchObject({ update: { to_target: 0, to_source: 0 } });
	});
});

describe('hub-and-spoke', () => {
	const J = 'hub-hubspot-jobber-clients';
	const P = 'hub-hubspot-pipedrive-persons';
	let id: string;
	const run = () => runManually(n8n, id, 'Every 15 Minutes');
	const state = async () => ({ hs: byEmail(await hsContacts()), jb: byEmail(await jbClients()), pd: byEmail(await pdPersons()) });
	const writesOf = (r: Awaited<ReturnType<typeof run>>) =>
		['Hub ⇄ Jobber: Plan', 'Hub ⇄ Pipedrive: Plan'].flatMap((plan) => [0, 1].flatMap((o) => outputOf(r, plan, o)));

	beforeAll(async () => {
		for (const vendor of ['hubspot', 'pipedrive', 'jobber'] as const) await call(vendor, 'POST', '/_sandbox/reset');
		// In the hub only.
		await hsCreate({ firstname: 'Hana', lastname: 'Hub', email: 'hana@example.com', phone: '(217) 555-0140', company: 'Acme Plumbing', address: '4 Main St', city: 'Springfield', state: 'IL', zip: '62701', jobtitle: 'Owner' });
		// In the hub and in Pipedrive under the same email: paired, not duplicated.
		await hsCreate({ firstname: 'Max', lastname: 'Match', email: 'max@example.com' });
		await pdEdit({ first_name: 'Max', last_name: 'Match', emails: [{ value: 'MAX@example.com', primary: true }], job_title: 'Manager' });
		// In one spoke only.
		await jbEdit('create', { firstName: 'Jay', lastName: 'Spoke', emails: [{ description: 'MAIN', primary: true, address: 'jay@example.com' }], phones: [{ description: 'MAIN', primary: true, number: '+15035550177' }] });
		await pdEdit({ first_name: 'Pia', last_name: 'Spoke', emails: [{ value: 'pia@example.com', primary: true }], phones: [{ value: '614-555-0161', primary: true }] });
		// Dirty, in Pipedrive: its phone is not a phone number.
		await pdEdit({ first_name: 'Dot', last_name: 'Dirty', emails: [{ value: 'dot@example.com', primary: true }], phones: [{ value: 'n/a', primary: true }] });
		id = (await importTemplate(n8n, template('hub-and-spoke.json'))).id;
	});

	test('first run: the hub reaches both spokes; a spoke reaches the hub only, never the other spoke', async () => {
		await run();
		const { hs, jb, pd } = await state();
		// Hub → each spoke, through each lane's own mapping.
		expect(jb['hana@example.com']).toMatchObject({ firstName: 'Hana', lastName: 'Hub', companyName: 'Acme Plumbing', phones: [expect.objectContaining({ number: '+12175550140' })] });
		expect(jb['hana@example.com'].billingAddress).toMatchObject({ street1: '4 Main St', city: 'Springfield', province: 'IL', postalCode: '62701' });
		expect(pd['hana@example.com']).toMatchObject({ first_name: 'Hana', last_name: 'Hub', job_title: 'Owner', phones: [expect.objectContaining({ value: '+12175550140' })] });
		// Spokes → hub.
		expect(hs['jay@example.com']).toMatchObject({ firstname: 'Jay', lastname: 'Spoke', phone: '+15035550177' });
		expect(hs['pia@example.com']).toMatchObject({ firstname: 'Pia', lastname: 'Spoke', phone: '+16145550161' });
		expect(hs['max@example.com']).toMatchObject({ jobtitle: 'Manager' });
		// …and not from one spoke to the other: that is the hub's job, in the next run.
		expect(pd['jay@example.com']).toBeUndefined();
		expect(jb['pia@example.com']).toBeUndefined();
		// Max was in the hub already: lane 1 creates him in Jobber at once; lane 2 paired him with his Pipedrive twin.
		expect(jb['max@example.com']).toMatchObject({ firstName: 'Max', lastName: 'Match' });
		expect((await pdPersons()).filter((p) => emailOf(p) === 'max@example.com')).toHaveLength(1);
	});

	test('second run: what came in through the hub goes out to the other spoke; every record exists once per system', async () => {
		await run();
		const { hs, jb, pd } = await state();
		expect(pd['jay@example.com']).toMatchObject({ first_name: 'Jay', last_name: 'Spoke', phones: [expect.objectContaining({ value: '+15035550177' })] });
		expect(jb['pia@example.com']).toMatchObject({ firstName: 'Pia', lastName: 'Spoke', phones: [expect.objectContaining({ number: '+16145550161' })] });
		const people = ['hana@example.com', 'jay@example.com', 'max@example.com', 'pia@example.com'];
		expect(Object.keys(hs).sort()).toEqual(people);
		expect(Object.keys(jb).sort()).toEqual(people);
		expect(Object.keys(pd).sort()).toEqual([...people, 'dot@example.com'].sort());
		expect((await hsContacts()).length).toBe(4);
		expect((await jbClients()).length).toBe(4);
		expect((await pdPersons()).length).toBe(5);

		// One mapping ID per hub ⇄ spoke pair; every pair has the hub on one side. A spoke's record is connected to the
		// other spoke's only through the same HubSpot contact.
		const jPairs = await allPairs(J);
		const pPairs = await allPairs(P);
		expect(jPairs).toHaveLength(4);
		expect(pPairs).toHaveLength(4);
		for (const p of jPairs) expect([p.source.system, p.target.system]).toEqual(['hubspot', 'jobber']);
		for (const p of pPairs) expect([p.source.system, p.target.system]).toEqual(['hubspot', 'pipedrive']);
		const hsIdOf = (email: string) => String(hs[email].id);
		for (const email of people) {
			expect(jPairs.find((p) => p.source.id === hsIdOf(email))?.target.id).toBe(String(jb[email].id));
			expect(pPairs.find((p) => p.source.id === hsIdOf(email))?.target.id).toBe(String(pd[email].id));
		}
		// The dirty person is parked in its lane with the field named, and went nowhere.
		expect(hs['dot@example.com']).toBeUndefined();
		const parked = await reviewItems(P);
		expect(parked.map((i) => [i.system, i.recordId, i.code, i.errors[0]?.field, i.status])).toEqual([['pipedrive', String(pd['dot@example.com'].id), 'INVALID_FORMAT', 'phones[0].value', 'open']]);
		expect(await reviewItems(J)).toEqual([]);
	});

	test('an edit in one spoke reaches the hub, then the other spoke; then nothing is written', async () => {
		const before = await state();
		await pdEdit({ phones: [{ value: '614-555-0999', primary: true }] }, before.pd['pia@example.com'].id);
		await run();
		let now = await state();
		expect(now.hs['pia@example.com'].phone).toBe('+16145550999');
		expect(now.jb['pia@example.com'].phones[0].number).toBe('+16145550161');
		await run();
		now = await state();
		expect(now.jb['pia@example.com'].phones[0].number).toBe('+16145550999');
		expect(now.pd['pia@example.com'].phones[0].value).toBe('614-555-0999');

		const quiet = await run();
		expect(writesOf(quiet)).toEqual([]);
		expect([(await hsContacts()).length, (await jbClients()).length, (await pdPersons()).length]).toEqual([4, 4, 5]);
		expect((await reviewItems(P)).map((i) => [i.code, i.status])).toEqual([['INVALID_FORMAT', 'open']]);
	});
});
