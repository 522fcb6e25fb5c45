/**
 * historical-migration.json in a REAL n8n 2.x with the packed package (run `npm run build` first), against the
 * HubSpot and Jobber sandboxes. The template is posted to /workflows exactly as it is in templates/ (credentials
 * resolved by name) and started the way the editor's "Execute workflow" button starts it (POST
 * /rest/workflows/:id/run from its Manual Trigger). The run is chunked: the controller execution runs the chunk
 * part of the same workflow once per Chunk Size contacts, each chunk its own execution (Run Chunk, waiting for
 * it); the chunks' executions are read back through the workflow's execution list. The only edits are the ones a
 * user makes in Migration Settings (Dry Run, Chunk Size), each said where it is made.
 */
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox';
import { stats } from '../../sync/ledger';
import { closeAllStores, openStore, type SyncStore } from '../../sync/store';
import { executions, importTemplate, outputOf, readExecution, runManually, runsOf, saveNodes, startN8nWithPackage, stopN8n, template, vendorCall, type Run } from '../e2e/support';
import { createCredentials } from './support';

jest.setTimeout(900_000);

let n8n: Awaited<ReturnType<typeof startN8nWithPackage>>;
let sandbox: Sandbox;
let store: SyncStore;

// The mapping ID of hubspot-jobber-clients.json too: the ongoing sync carries on from the migration's pairs.
const MAPPING = 'hubspot-jobber-clients';
const call = (vendor: 'hubspot' | 'jobber', method: string, route: string, body?: unknown) => vendorCall(sandbox, vendor, method, route, body);
const jbClients = async (): Promise<any[]> => (await call('jobber', 'GET', '/_sandbox/records/clients')) as any[];
const jbEdit = (op: 'create' | 'update', input: Record<string, unknown>, id?: string) => call('jobber', 'POST', '/_sandbox/jobber/edit', { op, type: 'Client', id, input });
const emailOf = (r: any): string | undefined => (r.emails?.[0]?.value ?? r.emails?.[0]?.address ?? r.email)?.toLowerCase();
const byEmail = <T>(list: T[]): Record<string, T> => Object.fromEntries(list.map((r) => [emailOf(r), r]));
const reviewItems = async () => (await store.listReviewItems({ mappingId: MAPPING }, { limit: 1000 })).items;
const hsContacts = async (): Promise<any[]> => ((await call('hubspot', 'GET', '/_sandbox/records/contacts')) as any[]).filter((r) => !r.archived).map((r) => ({ id: String(r.id), ...(r.properties ?? r) }));
const hsCreate = async (properties: Record<string, unknown>) => {
	const created = await call('hubspot', 'POST', '/_sandbox/hubspot/ui/contacts', { properties });
	// Distinct modification times, so the order of the chunks is known (the sandbox stamps in milliseconds).
	await new Promise((r) => setTimeout(r, 5));
	return created;
};
const jbMutations = async () => {
	const counters = await call('jobber', 'GET', '/_sandbox/counters');
	return Object.entries(counters.byRoute as Record<string, number>).filter(([route]) => route.startsWith('graphql.mutation'));
};
async function allPairs() {
	const pairs = [];
	for (let cursor: string | null = null; ; ) {
		const page = await store.listPairs(MAPPING, { limit: 1000, cursor });
		pairs.push(...page.items);
		if (!page.next) return pairs;
		cursor = page.next;
	}
}

/** A migration run: the controller execution and its chunks' executions, oldest first. */
interface Migration {
	controller: Run;
	chunks: Run[];
	/** The items a node emitted on one output over every chunk. */
	out(node: string, output?: number): any[];
	/** How many times a node ran over every chunk. */
	runs(node: string): number;
	summary: any;
}

let id: string;
async function migrate(): Promise<Migration> {
	const before = new Set((await executions(n8n, id)).map((e) => e.id));
	let controller: Run;
	try {
		controller = await runManually(n8n, id, 'Start Migration', 600_000);
	} catch (err) {
		// Which chunk failed, and where: the controller only says that Run Chunk did.
		const failed = (await executions(n8n, id)).filter((e) => !before.has(e.id) && e.status !== 'success');
		const why = await Promise.all(
			failed.map(async (e) => {
				const r = await readExecution(n8n, e.id);
				return `execution ${e.id} ${r.status}: ${r.lastNodeExecuted}: ${r.error?.message ?? ''}`;
			}),
		);
		throw new Error(`${(err as Error).message}\n${why.join('\n')}`);
	}
	const ids = (await executions(n8n, id)).map((e) => e.id).filter((e) => !before.has(e) && e !== controller.id).sort((a, b) => Number(a) - Number(b));
	const chunks = await Promise.all(ids.map((e) => readExecution(n8n, e)));
	for (const c of chunks) expect(c.status).toBe('success');
	return {
		controller,
		chunks,
		out: (node, output = 0) => chunks.flatMap((c) => outputOf(c, node, output)),
		runs: (node) => chunks.reduce((n, c) => n + runsOf(c, node), 0),
		summary: outputOf(controller, 'Migration Summary')[0],
	};
}
const settings = (edit: Record<string, unknown>) =>
	saveNodes(n8n, id, (nodes) => {
		const node = nodes.find((n) => n.name === 'Migration Settings');
		for (const [name, value] of Object.entries(edit)) node.parameters.assignments.assignments.find((a: any) => a.name === name).value = value;
	});
/** Scratch match keys left in the store (a finished run releases its own). */
const matchKeyRows = async () => (await store.listCursors('matchkeys:')).length;

let seeded: any[];

beforeAll(async () => {
	sandbox = await startSandbox({ vendors: ['hubspot', 'jobber'] });
	n8n = await startN8nWithPackage('templates-migration');
	store = await openStore({ kind: 'sqlite', path: path.join(n8n.userFolder, '.n8n', 'fluxcascade.sqlite') });
	await createCredentials(n8n, sandbox, ['hubspot', 'jobber']);
	await call('hubspot', 'POST', '/_sandbox/seed', { object: 'contacts', count: 110, seed: 11 });
	seeded = await hsContacts();
	// Precondition: the seeded contacts are clean and distinct (own emails, own phone numbers).
	expect(seeded.every((c) => /@/.test(c.email) && c.phone)).toBe(true);
	expect(new Set(seeded.map((c) => String(c.phone).replace(/\D/g, ''))).size).toBe(110);
	// The same person entered twice: HubSpot keeps emails unique, so the twin has the phone (written another way) and no email.
	await hsCreate({ firstname: 'Phil', lastname: 'Twin', email: 'phil@example.com', phone: '(217) 555-0111' });
	await hsCreate({ firstname: 'Phil', lastname: 'Twin', phone: '+1 217-555-0111' });
	// A dirty contact: its phone is not a phone number.
	await hsCreate({ firstname: 'Ivy', lastname: 'Invalid', email: 'ivy@example.com', phone: 'call me maybe' });
	// Already in Jobber under the same email (without the phone): paired and completed, not duplicated.
	await hsCreate({ firstname: 'Jo', lastname: 'Existing', email: 'jo@example.com', phone: '512-555-0123', company: 'Bright HVAC' });
	await jbEdit('create', { firstName: 'Jo', lastName: 'Existing', companyName: 'Bright HVAC', emails: [{ description: 'MAIN', primary: true, address: 'jo@example.com' }] });
	// Only in Jobber: a one-way migration leaves it alone.
	await jbEdit('create', { firstName: 'Kim', lastName: 'Keep', emails: [{ description: 'MAIN', primary: true, address: 'kim@example.com' }] });
	await call('jobber', 'POST', '/_sandbox/requests/reset');
	id = (await importTemplate(n8n, template('historical-migration.json'))).id;
});

afterAll(async () => {
	await store?.close();
	await closeAllStores();
	await stopN8n(n8n, 'templates-migration');
	await sandbox?.stop();
});

test('the pre-flight groups by email as well as by phone, in the chunk and with the twins of earlier chunks', () => {
	const code = template('historical-migration.json').nodes.find((n: any) => n.name === 'Duplicate Pre-flight').parameters.jsCode;
	// Items as Claim Match Keys emits them: the normalised keys beside the fields, the earlier chunks' twins in keyTwins.
	const items = [
		{ id: '1', fields: { email: 'Ann@Example.com', _preflight: { email: 'ann@example.com', phone: '+12175550100' } }, keyTwins: [] },
		{ id: '2', fields: { email: ' ann@example.com', _preflight: { email: 'ann@example.com' } }, keyTwins: [] },
		{ id: '3', fields: { email: 'cy@example.com', _preflight: { email: 'cy@example.com', phone: '+12175550100' } }, keyTwins: [] },
		{ id: '4', fields: { email: 'dot@example.com', _preflight: { email: 'dot@example.com', phone: '+12175550199' } }, keyTwins: [] },
		{ id: '5', fields: { firstname: 'No Keys' }, keyTwins: [] },
		{ id: '6', fields: { email: 'eve@example.com', _preflight: { email: 'eve@example.com', phone: '+12175550177' } }, keyTwins: [{ field: 'phone', value: '+12175550177', ids: ['77'] }] },
	].map((json) => ({ json: { system: 'hubspot', object: 'contacts', ...json } }));
	const out = new Function('$input', code)({ all: () => items }) as Array<{ json: any; pairedItem: { item: number } }>;
	expect(out.map((o) => o.pairedItem.item)).toEqual([0, 1, 2, 3, 4, 5]);
	const errors = out.map((o) => (o.json.failed ? o.json.errors.map((e: any) => [e.code, e.field, e.value]) : null));
	expect(errors).toEqual([
		[['DUPLICATE_RECORD', 'email', 'ann@example.com'], ['DUPLICATE_RECORD', 'phone', '+12175550100']],
		[['DUPLICATE_RECORD', 'email', 'ann@example.com']],
		[['DUPLICATE_RECORD', 'phone', '+12175550100']],
		null,
		null,
		[['DUPLICATE_RECORD', 'phone', '+12175550177']],
	]);
	expect(out[1].json.errors[0].message).toContain('this one and 1');
	expect(out[5].json.errors[0]).toMatchObject({ twins: ['77'], message: expect.stringContaining('77 in an earlier chunk') });
	// Parked items carry the record without the helper keys; the others go on as they came, minus the keys.
	expect(out[0].json.record).toEqual({ system: 'hubspot', object: 'contacts', id: '1', fields: { email: 'Ann@Example.com' } });
	expect(out[3].json).toEqual({ system: 'hubspot', object: 'contacts', id: '4', fields: { email: 'dot@example.com' } });
	expect(out[4].json).toEqual({ system: 'hubspot', object: 'contacts', id: '5', fields: { firstname: 'No Keys' } });
});

test('dry run (the template default, one chunk of 5,000): reports what it would write and park, writes nothing anywhere', async () => {
	const dry = await migrate();
	expect(dry.chunks).toHaveLength(1);
	const wouldWrite = dry.out('Dry Run: Would Write');
	expect(wouldWrite.filter((w) => w.action === 'create')).toHaveLength(110);
	const jo = wouldWrite.filter((w) => w.action === 'update');
	expect(jo).toEqual([expect.objectContaining({ email: 'jo@example.com', jobberId: expect.any(String), fields: { phones: [{ number: '+15125550123' }] } })]);
	expect(wouldWrite.map((w) => w.email)).not.toEqual(expect.arrayContaining(['phil@example.com', 'ivy@example.com', 'kim@example.com']));

	// The pre-flight reports both Phils (the phone, normalised, is what they share); the dirty contact is reported too.
	const wouldPark = dry.out('Dry Run: Would Park');
	const phils = wouldPark.filter((p) => p.record?.fields?.firstname === 'Phil');
	expect(phils).toHaveLength(2);
	for (const p of phils) expect(p.errors).toEqual([expect.objectContaining({ code: 'DUPLICATE_RECORD', field: 'phone', value: '+12175550111' })]);
	expect(wouldPark.filter((p) => p.record?.fields?.email === 'ivy@example.com').flatMap((p) => p.errors)).toEqual([expect.objectContaining({ code: 'INVALID_FORMAT', field: 'phone' })]);
	expect(wouldPark).toHaveLength(3);

	expect(dry.summary).toEqual(
		expect.objectContaining({
			mode: 'dry run: nothing was written',
			chunks: 1,
			read: { hubspot: 114 },
			duplicates: { records: 2, parked: false },
			planned: expect.objectContaining({ create: 110, update: 1, invalid: 1 }),
			written: null,
		}),
	);
	// Jobber was searched only for this chunk's emails (no full read of the account).
	expect(dry.runs('Jobber: Find by Email')).toBe(1);
	// Nothing written: no Jobber mutation, no pair, no create intent, nothing parked, no scratch key left.
	expect(await jbMutations()).toEqual([]);
	expect((await jbClients()).map(emailOf).sort()).toEqual(['jo@example.com', 'kim@example.com']);
	expect(dry.runs('Jobber: Batch Write')).toBe(0);
	expect(await stats(MAPPING, store)).toMatchObject({ pairs: 0, openIntents: 0 });
	expect(await reviewItems()).toEqual([]);
	expect(await matchKeyRows()).toBe(0);
});

test('with Dry Run off: duplicates parked before anything is written, the rest migrated and paired', async () => {
	// The user's edit: Migration Settings → Dry Run off, save.
	await settings({ dryRun: false });
	const real = await migrate();
	expect(real.chunks).toHaveLength(1);
	expect(real.runs('Jobber: Batch Write')).toBe(1);
	const jb = await jbClients();
	expect(jb).toHaveLength(112);
	const jbBy = byEmail(jb);
	for (const c of seeded) {
		expect(jbBy[c.email]).toMatchObject({ firstName: c.firstname, lastName: c.lastname, companyName: c.company });
		expect(jbBy[c.email].phones[0].number).toBe(`+1${String(c.phone).replace(/\D/g, '')}`);
		expect(jbBy[c.email].billingAddress).toMatchObject({ street1: c.address, city: c.city, province: c.state });
	}
	expect(jbBy['jo@example.com']).toMatchObject({ firstName: 'Jo', phones: [expect.objectContaining({ number: '+15125550123' })] });
	expect(jbBy['kim@example.com']).toMatchObject({ firstName: 'Kim', lastName: 'Keep' });
	expect(jbBy['phil@example.com']).toBeUndefined();
	expect(jb.filter((c) => c.firstName === 'Phil')).toEqual([]);
	expect(jbBy['ivy@example.com']).toBeUndefined();
	// Jobber took the creates in aliased GraphQL documents of up to 20 clients, not one request per client.
	const creates = (await jbMutations()).filter(([route]) => /clientCreate/.test(route));
	expect(creates.reduce((n, [, count]) => n + count, 0)).toBeLessThanOrEqual(8);

	// Every HubSpot contact that was written is paired with the Jobber client of its own email.
	const hs = await hsContacts();
	const hsById = Object.fromEntries(hs.map((c) => [c.id, c]));
	const jbById = Object.fromEntries(jb.map((c) => [c.id, c]));
	const pairs = await allPairs();
	expect(pairs).toHaveLength(111);
	for (const p of pairs) expect(emailOf(jbById[p.target.id])).toBe(hsById[p.source.id].email);

	// Parked for review with the field named: both Phils (Duplicate Record, phone) and Ivy (Invalid Format, phone).
	const parked = await reviewItems();
	expect(parked.map((i) => [hsById[i.recordId!]?.firstname, i.code, i.errors[0]?.field, i.status]).sort()).toEqual([
		['Ivy', 'INVALID_FORMAT', 'phone', 'open'],
		['Phil', 'DUPLICATE_RECORD', 'phone', 'open'],
		['Phil', 'DUPLICATE_RECORD', 'phone', 'open'],
	]);
	expect(real.summary).toEqual(
		expect.objectContaining({
			mode: 'migration',
			duplicates: { records: 2, parked: true },
			planned: expect.objectContaining({ create: 110, update: 1 }),
			written: { created: 110, updated: 1, failed: 0 },
		}),
	);
	expect(await matchKeyRows()).toBe(0);
});

test('run again: nothing new is written, no duplicate client, the parked records stay parked once', async () => {
	const again = await migrate();
	expect(again.runs('Jobber: Batch Write')).toBe(0);
	expect(await jbClients()).toHaveLength(112);
	expect(await stats(MAPPING, store)).toMatchObject({ pairs: 111, openIntents: 0 });
	expect((await reviewItems()).map((i) => i.code).sort()).toEqual(['DUPLICATE_RECORD', 'DUPLICATE_RECORD', 'INVALID_FORMAT']);
	expect(again.summary).toEqual(expect.objectContaining({ mode: 'migration', planned: expect.objectContaining({ create: 0, update: 0 }), written: expect.objectContaining({ created: 0, updated: 0 }) }));
});

describe('more contacts than one chunk (Chunk Size 40: three chunks, each its own execution)', () => {
	let dana: any;
	let oldest: any;
	beforeAll(async () => {
		// A fresh Jobber account and ledger; Jo is in Jobber already again.
		await call('jobber', 'POST', '/_sandbox/reset');
		await store.forgetMapping(MAPPING);
		await jbEdit('create', { firstName: 'Jo', lastName: 'Existing', companyName: 'Bright HVAC', emails: [{ description: 'MAIN', primary: true, address: 'jo@example.com' }] });
		// The twin of the contact read first (the first chunk), entered now (the last chunk): the same phone, written another way.
		const order = (await hsContacts()).sort((a, b) => Date.parse(a.lastmodifieddate) - Date.parse(b.lastmodifieddate) || Number(a.id) - Number(b.id));
		oldest = order[0];
		const digits = String(oldest.phone).replace(/\D/g, '').slice(-10);
		await hsCreate({ firstname: 'Dana', lastname: 'Twin', email: 'dana@example.com', phone: `+1 ${digits.slice(0, 3)}-${digits.slice(3, 6)}-${digits.slice(6)}` });
		dana = (await hsContacts()).find((c) => c.email === 'dana@example.com');
		await call('jobber', 'POST', '/_sandbox/requests/reset');
	});

	test('dry run: a report per chunk and a final summary, the twin across chunks named, nothing written', async () => {
		await settings({ dryRun: true, chunkSize: 40 });
		const dry = await migrate();
		expect(dry.chunks).toHaveLength(3);
		// One summary per chunk comes back to Run Chunk; the last one says it was the last.
		const perChunk = outputOf(dry.controller, 'Run Chunk');
		expect(perChunk.map((c) => [c.chunk, c.done])).toEqual([
			[1, false],
			[2, false],
			[3, true],
		]);
		expect(perChunk.map((c) => c.report.read)).toEqual([40, 40, 35]);
		expect(dry.summary).toEqual(
			expect.objectContaining({
				mode: 'dry run: nothing was written',
				chunks: 3,
				read: { hubspot: 115 },
				duplicates: { records: 3, parked: false },
				planned: expect.objectContaining({ create: 110, update: 1, invalid: 1 }),
				written: null,
			}),
		);
		expect(dry.summary.perChunk).toHaveLength(3);
		// Each contact was read in exactly one chunk.
		const read = dry.chunks.flatMap((c) => outputOf(c, 'Chunk Border').map((r) => r.id));
		expect(read).toHaveLength(115);
		expect(new Set(read).size).toBe(115);
		// Dana is in the last chunk, her twin in the first: she is reported with the field, the value and the twin.
		const wouldPark = dry.out('Dry Run: Would Park');
		expect(wouldPark.filter((p) => p.record?.id === dana.id).flatMap((p) => p.errors)).toEqual([
			expect.objectContaining({ code: 'DUPLICATE_RECORD', field: 'phone', twins: [oldest.id], message: expect.stringContaining('earlier chunk') }),
		]);
		expect(dry.out('Dry Run: Would Write').filter((w) => w.hubspotId === oldest.id)).toHaveLength(1);
		expect(await jbMutations()).toEqual([]);
		expect((await jbClients()).map(emailOf)).toEqual(['jo@example.com']);
		expect(await stats(MAPPING, store)).toMatchObject({ pairs: 0, openIntents: 0 });
		expect(await matchKeyRows()).toBe(0);
	});

	test('for real: every contact lands in Jobber exactly once, the twin across chunks is parked with the field named', async () => {
		await settings({ dryRun: false, chunkSize: 40 });
		const real = await migrate();
		expect(real.chunks).toHaveLength(3);
		// Each chunk wrote and committed its own contacts.
		expect(real.chunks.map((c) => runsOf(c, 'Jobber: Batch Write'))).toEqual([1, 1, 1]);
		const jb = await jbClients();
		const hs = await hsContacts();
		const jbBy = byEmail(jb);
		expect(new Set(jb.map(emailOf)).size).toBe(jb.length);
		expect(jb).toHaveLength(111);
		for (const c of seeded) expect(jbBy[c.email]).toMatchObject({ firstName: c.firstname, lastName: c.lastname });
		expect(jbBy['jo@example.com'].phones).toEqual([expect.objectContaining({ number: '+15125550123' })]);
		for (const email of ['dana@example.com', 'phil@example.com', 'ivy@example.com']) expect(jbBy[email]).toBeUndefined();
		const pairs = await allPairs();
		expect(pairs).toHaveLength(111);
		const hsById = Object.fromEntries(hs.map((c) => [c.id, c]));
		const jbById = Object.fromEntries(jb.map((c) => [c.id, c]));
		for (const p of pairs) expect(emailOf(jbById[p.target.id])).toBe(hsById[p.source.id].email);
		const parkedDana = (await reviewItems()).filter((i) => i.recordId === dana.id);
		expect(parkedDana).toEqual([expect.objectContaining({ code: 'DUPLICATE_RECORD', status: 'open' })]);
		expect(parkedDana[0].errors[0]).toMatchObject({ field: 'phone', message: expect.stringContaining(oldest.id) });
		expect(real.summary).toEqual(
			expect.objectContaining({ mode: 'migration', chunks: 3, read: { hubspot: 115 }, duplicates: { records: 3, parked: true }, written: { created: 110, updated: 1, failed: 0 } }),
		);
		expect(await matchKeyRows()).toBe(0);
	});
});
