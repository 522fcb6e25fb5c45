/**
 * JobberConnector reads against the Jobber sandbox: get, paging across many pages, changes since a cursor (clients
 * by updatedAt filter, jobs by UPDATED_AT sort, properties in full), find by match key with exact comparison,
 * schema discovery, and what each costs in API calls.
 *
 * Jobber's real limits apply (10,000-point bucket restoring 500 points/s): reading 3,000 clients costs ~150,000
 * points, about five minutes of real time. The sandbox and the connector run 25× faster vendor time (both sides
 * scale the same windows), so the pacing is real but the suite is quick.
 */
import { collect, startHarness, type Harness } from './helpers';
import { ConnectorError } from '../../../connectors/core/errors';

jest.setTimeout(120_000);

let h: Harness;
beforeAll(async () => {
	h = await startHarness({ timeScale: 25 });
	await h.admin('POST', '/_sandbox/seed', { count: 3000, seed: 11 });
});
afterAll(() => h.stop());
// Every test starts a fresh connector, which assumes a full cost bucket (as after a process start); earlier
// tests may have spent the sandbox's points, and a refused first call would add one to the counted calls.
beforeEach(() => h.admin('PUT', '/_sandbox/jobber/throttle', { currentlyAvailable: 10_000 }));

async function clientIds(offset: number, limit: number): Promise<string[]> {
	const recs = (await h.admin('GET', `/_sandbox/records/clients?offset=${offset}&limit=${limit}`)) as Array<{ id: string }>;
	return recs.map((r) => r.id);
}

describe('get', () => {
	it('reads one client as an envelope with Jobber field names, ISO UTC times and links', async () => {
		const c = h.connector();
		const [id] = await clientIds(0, 1);
		const rec = await c.get('clients', id);
		expect(rec).toMatchObject({ system: 'jobber', object: 'clients', id });
		expect(rec!.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
		expect(rec!.fields).toEqual(expect.objectContaining({ firstName: expect.any(String), emails: expect.any(Array), billingAddress: expect.objectContaining({ city: expect.any(String) }) }));
		expect((rec!.links!.properties as string[]).length).toBeGreaterThan(0);
	});

	it('answers null for an id Jobber does not know, and refuses a malformed id without calling', async () => {
		const c = h.connector();
		expect(await c.get('clients', Buffer.from('gid://Jobber/Client/999999').toString('base64'))).toBeNull();
		await h.resetCounters();
		await expect(c.get('clients', '1')).rejects.toMatchObject({ classified: { code: 'INVALID_FORMAT', field: 'id' } });
		expect((await h.counters()).total).toBe(0);
	});

	it('reads several ids in one aliased document', async () => {
		const c = h.connector();
		const ids = await clientIds(10, 30);
		await h.resetCounters();
		const got = await c.getMany('clients', ids);
		expect(got.map((g) => (g && !(g instanceof ConnectorError) ? g.id : g))).toEqual(ids);
		expect((await h.counters()).total).toBe(1);
	});
});

describe('list', () => {
	it('pages through 3,000 clients with first/after, 100 per page, one call per page', async () => {
		const c = h.connector();
		await h.resetCounters();
		const pages = await collect(c.list('clients'));
		const all = pages.flat();
		expect(pages.length).toBe(30);
		expect(new Set(all.map((r) => r.id)).size).toBe(3000);
		const counters = await h.counters();
		expect(counters.byRoute['graphql.query.clients']).toBe(30);
		expect(c.stats.throttled).toBe(0);
	});

	it('stops at the limit and honours filters and search terms', async () => {
		const c = h.connector();
		const pages = await collect(c.list('clients', { limit: 150, filter: { isCompany: true } }));
		const all = pages.flat();
		expect(all.length).toBe(150);
		expect(all.every((r) => r.fields.isCompany === true)).toBe(true);
	});

	it('lowers the page size when 100 records would cost more than one request may', async () => {
		const c = h.connector();
		const q = 'query($first: Int!) { jobs(first: $first) { nodes { id lineItems(first: 100) { nodes { name description quantity unitPrice totalPrice } } } } }';
		expect(c.transport.costOf(q, { first: 100 })).toBeGreaterThan(10_000);
		// The connector's own job selection fits 100 per page; a heavier one would be cut to fit (pageSizeFor).
		expect((c as any).pageSizeFor(q, {}, 100)).toBeLessThan(100);
	});
});

describe('changes since a cursor', () => {
	it('clients: updatedAt filter, ascending, with overlap; the checkpoint is the newest updatedAt', async () => {
		const c = h.connector();
		const before = new Date((await h.vendorNow()) - 1000).toISOString();
		const ids = await clientIds(100, 3);
		for (const id of ids) await h.admin('POST', '/_sandbox/jobber/edit', { op: 'update', type: 'Client', id, input: { lastName: `Changed-${id.slice(-6)}` } });
		const pages = await collect(c.changes('clients', { since: before, overlapMs: 0 }));
		const changed = pages.flatMap((p) => p.records);
		expect(changed.map((r) => r.id).sort()).toEqual([...ids].sort());
		const last = pages[pages.length - 1];
		expect(last.done).toBe(true);
		expect(Date.parse(last.checkpoint!)).toBeGreaterThanOrEqual(Date.parse(before));
		expect(last.checkpoint).toBe(changed.map((r) => r.updatedAt).sort().pop());
	});

	it('clients: a full sync reads everything, de-duplicated, every page checkpointed', async () => {
		const c = h.connector();
		const pages = await collect(c.changes('clients', {}));
		const all = pages.flatMap((p) => p.records);
		expect(new Set(all.map((r) => r.id)).size).toBe(all.length);
		expect(all.length).toBe(3000);
		const cps = pages.map((p) => p.checkpoint!);
		expect([...cps].sort()).toEqual(cps); // never goes backwards
	});

	it('jobs: no updatedAt filter, so UPDATED_AT descending until the first job older than the cursor', async () => {
		await h.admin('POST', '/_sandbox/seed', { object: 'jobs', count: 600, seed: 4 });
		const c = h.connector();
		const jobs = (await h.admin('GET', '/_sandbox/records/jobs?offset=0&limit=600')) as Array<{ id: string }>;
		// Seeding stamps many jobs with "now": let a few vendor seconds pass so they are older than the cursor.
		await new Promise((r) => setTimeout(r, 200));
		const since = new Date((await h.vendorNow()) - 500).toISOString();
		const picked = [jobs[5].id, jobs[300].id];
		for (const id of picked) await h.admin('POST', '/_sandbox/jobber/edit', { op: 'update', type: 'Job', id, input: { title: `Retitled ${id.slice(-4)}` } });
		await h.resetCounters();
		const pages = await collect(c.changes('jobs', { since, overlapMs: 0 }));
		expect(pages.flatMap((p) => p.records.map((r) => r.id)).sort()).toEqual([...picked].sort());
		// One page was enough: the read stopped at the cursor instead of paging through 600 jobs. (A fresh connector
		// does not know what earlier tests left in the account's bucket: a THROTTLED first answer is waited out.)
		expect((await h.counters()).byRoute['graphql.query.jobs'] - c.stats.throttled).toBe(1);
		expect(pages[pages.length - 1]).toMatchObject({ done: true });
		const full = await collect(c.changes('jobs', {}));
		expect(full.flatMap((p) => p.records).length).toBe(600);
		expect(full.slice(0, -1).every((p) => p.checkpoint === undefined)).toBe(true); // stored only at the end of a descending read
	});

	it('properties carry no timestamp: a full read, checkpointed with the time it started', async () => {
		const c = h.connector();
		const started = Date.now();
		const pages = await collect(c.changes('properties', { pageSize: 100 }));
		expect(pages.flatMap((p) => p.records).length).toBe(3000);
		// Our own clock: the time the read started is what the next read must cover.
		expect(Date.parse(pages[pages.length - 1].checkpoint!)).toBeGreaterThanOrEqual(started - 1000);
		expect(pages[0].records[0].links?.client).toEqual(expect.any(String));
	});

	it('refuses a cursor that is not a timestamp', async () => {
		const c = h.connector();
		await expect(collect(c.changes('clients', { since: 'yesterday' }))).rejects.toMatchObject({ classified: { code: 'INVALID_FORMAT' } });
	});
});

describe('find by match key', () => {
	let ids: string[];
	beforeAll(async () => {
		const c = h.connector();
		const res = await c.write('clients', [
			{ op: 'create', fields: { firstName: 'Ann', lastName: 'Exact', emails: [{ address: 'ann.exact@example.com' }], phones: [{ number: '(217) 555-0143' }] } },
			{ op: 'create', fields: { firstName: 'Jo', lastName: 'Ann', emails: [{ address: 'joann.exact@example.com' }] } },
			{ op: 'create', fields: { firstName: 'Ann', lastName: 'Au', emails: [{ address: 'ann.exact@example.com.au' }], phones: [{ number: '217-555-0144' }] } },
			{ op: 'create', fields: { firstName: 'Twin', lastName: 'One', emails: [{ address: 'twin@example.com' }] } },
			{ op: 'create', fields: { firstName: 'Twin', lastName: 'Two', emails: [{ address: 'TWIN@example.com' }] } },
		]);
		ids = res.map((r) => (r.ok ? r.record.id : ''));
	});

	it('email: Jobber searches substrings; only the exact address (case-insensitive) matches', async () => {
		const c = h.connector();
		const [hit, miss] = await c.findClients('email', ['Ann.Exact@Example.com', 'nobody.exact@example.com']);
		expect(hit.matches.map((m) => m.id)).toEqual([ids[0]]);
		expect(hit.error).toBeUndefined();
		expect(miss).toEqual({ matches: [] });
	});

	it('phone: compared in E.164, never by substring', async () => {
		const c = h.connector();
		const [a, b] = await c.findClients('phone', ['+1 217 555 0143', '2175550145']);
		expect(a.matches.map((m) => m.id)).toEqual([ids[0]]);
		expect(b.matches).toEqual([]);
	});

	it('name: the full name, exactly', async () => {
		const c = h.connector();
		const [a, b] = await c.findClients('name', ['ann  exact', 'Ann']);
		expect(a.matches.map((m) => m.id)).toEqual([ids[0]]);
		expect(b.matches).toEqual([]);
	});

	it('two clients with the same email: DUPLICATE_RECORD naming both, never a guess', async () => {
		const c = h.connector();
		const [dup] = await c.findClients('email', ['twin@example.com']);
		expect(dup.error).toMatchObject({ code: 'DUPLICATE_RECORD', field: 'email' });
		expect(dup.error!.message).toContain(ids[3]);
		expect(dup.error!.message).toContain(ids[4]);
	});

	it('finds many values in one call', async () => {
		const c = h.connector();
		await h.resetCounters();
		const found = await c.findClients('email', ['ann.exact@example.com', 'joann.exact@example.com', 'twin@example.com', 'x@y.z']);
		expect(found.map((f) => f.matches.length)).toEqual([1, 1, 2, 0]);
		expect((await h.counters()).total).toBe(1);
	});
});

describe('schema discovery and raw GraphQL', () => {
	it('describes fields, custom fields (by name, with dropdown options) and enum values', async () => {
		const c = h.connector();
		const fields = await c.describe('clients');
		expect(fields.map((f) => f.name)).toEqual(expect.arrayContaining(['firstName', 'emails', 'billingAddress', 'customFields.External ID', 'customFields.Preferred contact']));
		expect(fields.find((f) => f.name === 'customFields.Preferred contact')).toMatchObject({ custom: true, type: 'enum', options: [{ value: 'Email', label: 'Email' }, { value: 'Phone', label: 'Phone' }, { value: 'Text', label: 'Text' }] });
		expect(await c.enumValues('BillingStrategy')).toEqual(expect.arrayContaining(['FIXED_PRICE', 'VISIT_BASED']));
	});

	it('runs a raw query with variables', async () => {
		const c = h.connector();
		const [id] = await clientIds(0, 1);
		const res = await c.raw('query One($id: EncodedId!) { client(id: $id) { id firstName } }', { id });
		expect(res.errors).toEqual([]);
		expect(res.data!.client.id).toBe(id);
		expect(res.cost).toMatchObject({ requestedQueryCost: 3 });
	});
});
