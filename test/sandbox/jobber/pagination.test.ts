/**
 * Relay pagination (nodes/edges/pageInfo/totalCount with graphql-ruby offset cursors), the updatedAt filters of
 * clients/requests/quotes/invoices, and the jobs incremental pattern: sort UPDATED_AT, no updatedAt filter.
 */
import { encodeId } from '../../../sandbox/jobber/ids';
import { CLIENT_FIELDS, startJobber, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
	h = await startJobber();
	await h.admin('POST', '/_sandbox/seed', { count: 250, seed: 11, dirtyShare: 0.2 });
	await h.admin('POST', '/_sandbox/seed', { object: 'jobs', count: 60, seed: 11 });
	await h.admin('POST', '/_sandbox/seed', { object: 'quotes', count: 30, seed: 11 });
	await h.admin('POST', '/_sandbox/seed', { object: 'requests', count: 30, seed: 11 });
	await h.admin('POST', '/_sandbox/seed', { object: 'invoices', count: 30, seed: 11 });
});
afterAll(() => h.close());

const PAGE = `query Clients($first: Int, $after: String, $filter: ClientFilterAttributes) {
	clients(first: $first, after: $after, filter: $filter) {
		nodes { ${CLIENT_FIELDS} }
		pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
		totalCount
	}
}`;

async function all(filter?: Record<string, unknown>, first = 100) {
	const ids: string[] = [];
	let after: string | null = null;
	let pages = 0;
	for (;;) {
		const res = await h.gql(PAGE, { first, after, filter });
		if (res.body.errors?.[0]?.extensions?.code === 'THROTTLED') {
			// A full page of clients costs ~2,800 points: back off as Jobber's client template does, on vendor time.
			const { requestedQueryCost, throttleStatus } = res.body.extensions.cost;
			h.ctx.clock.advance(Math.ceil(((requestedQueryCost - throttleStatus.currentlyAvailable) / throttleStatus.restoreRate) * 1000) + 1);
			continue;
		}
		expect(res.body.errors).toBeUndefined();
		const conn = res.body.data.clients;
		ids.push(...conn.nodes.map((n: any) => n.id));
		pages++;
		if (!conn.pageInfo.hasNextPage) return { ids, pages, conn };
		after = conn.pageInfo.endCursor;
	}
}

describe('clients pagination', () => {
	it('walks every client exactly once across pages', async () => {
		const { ids, pages, conn } = await all();
		expect(pages).toBe(3);
		expect(ids).toHaveLength(250);
		expect(new Set(ids).size).toBe(250);
		expect(conn.totalCount).toBe(250);
		expect(ids[0]).toBe(encodeId('Client', 1));
	});

	it('uses graphql-ruby offset cursors and pageInfo', async () => {
		const res = await h.gql('query { clients(first: 3) { edges { cursor node { id } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }');
		const { edges, pageInfo } = res.body.data.clients;
		expect(edges.map((e: any) => e.cursor)).toEqual(['MQ', 'Mg', 'Mw']);
		expect(pageInfo).toEqual({ hasNextPage: true, hasPreviousPage: false, startCursor: 'MQ', endCursor: 'Mw' });
		const next = await h.gql('query($after: String) { clients(first: 2, after: $after) { nodes { id } pageInfo { hasPreviousPage startCursor } } }', { after: 'Mw' });
		expect(next.body.data.clients.nodes.map((n: any) => n.id)).toEqual([encodeId('Client', 4), encodeId('Client', 5)]);
		expect(next.body.data.clients.pageInfo).toEqual({ hasPreviousPage: true, startCursor: 'NA' });
	});

	it('supports last/before', async () => {
		const res = await h.gql('query($before: String) { clients(last: 2, before: $before) { nodes { id } pageInfo { hasPreviousPage hasNextPage } } }', { before: 'MTA' });
		expect(res.body.data.clients.nodes.map((n: any) => n.id)).toEqual([encodeId('Client', 8), encodeId('Client', 9)]);
		expect(res.body.data.clients.pageInfo).toEqual({ hasPreviousPage: true, hasNextPage: true });
	});

	it('returns at most 100 nodes without first, or with first above 100', async () => {
		const none = await h.gql('{ clients { nodes { id } pageInfo { hasNextPage } } }');
		expect(none.body.data.clients.nodes).toHaveLength(100);
		const big = await h.gql('{ clients(first: 500) { nodes { id } } }');
		expect(big.body.data.clients.nodes).toHaveLength(100);
	});

	it('refuses a cursor it did not issue', async () => {
		const res = await h.gql('query($after: String) { clients(first: 2, after: $after) { nodes { id } } }', { after: '!!not-a-cursor' });
		expect(res.body.errors[0].message).toBe('Invalid input: "!!not-a-cursor"');
		expect(res.body.data).toBeNull();
	});
});

describe('filters', () => {
	it('filters clients by updatedAt (bounds inclusive, account-offset timestamps accepted)', async () => {
		const records = (await h.admin('GET', '/_sandbox/records/clients')).body as Array<{ id: string; updatedAt: string }>;
		const since = records[40].updatedAt;
		const cutoff = Date.parse(since);
		const { ids } = await all({ updatedAt: { after: since } });
		const expected = records.filter((r) => Date.parse(r.updatedAt) >= cutoff).map((r) => r.id);
		expect(ids.sort()).toEqual(expected.sort());
		expect(ids).toContain(records[40].id);
		// Bounds compare at full precision while rendered times are cut to the second (as on the live API): a cursor
		// taken from a rendered updatedAt re-includes its own record with `after`, and may exclude it with `before`.
		const { ids: before } = await all({ updatedAt: { before: since } });
		const rendered = new Map(records.map((r) => [r.id, Date.parse(r.updatedAt)]));
		expect(before.every((id) => rendered.get(id)! <= cutoff)).toBe(true);
		expect(before.length).toBeGreaterThanOrEqual(records.filter((r) => Date.parse(r.updatedAt) < cutoff).length);
		const { ids: eq } = await all({ updatedAt: { eq: since } });
		expect(eq).toContain(records[40].id);
	});

	it('filters clients by isCompany, isLead, isArchived and searchTerm', async () => {
		const companies = await h.gql('{ clients(first: 100, filter: { isCompany: true }) { nodes { isCompany companyName } totalCount } }');
		expect(companies.body.data.clients.totalCount).toBeGreaterThan(0);
		expect(companies.body.data.clients.nodes.every((n: any) => n.isCompany)).toBe(true);
		const leads = await h.gql('{ clients(first: 100, filter: { isLead: true, isArchived: false }) { nodes { isLead isArchived } } }');
		expect(leads.body.data.clients.nodes.every((n: any) => n.isLead && !n.isArchived)).toBe(true);
		const first = (await h.gql('{ clients(first: 10) { nodes { lastName emails { address } } } }')).body.data.clients.nodes.find((n: any) => n.emails.length);
		const search = await h.gql('query($term: String) { clients(first: 100, searchTerm: $term) { nodes { lastName emails { address } } } }', { term: first.emails[0].address.toUpperCase() });
		expect(search.body.data.clients.nodes.map((n: any) => n.emails[0].address.toLowerCase())).toContain(first.emails[0].address.toLowerCase());
	});

	it('finds clients by email with clientEmails(searchTerm)', async () => {
		const first = (await h.gql('{ clients(first: 10) { nodes { id emails { address } } } }')).body.data.clients.nodes.find((n: any) => n.emails.length);
		const res = await h.gql('query($term: String) { clientEmails(searchTerm: $term, first: 10) { nodes { id address primary client { id } } totalCount } }', { term: first.emails[0].address });
		expect(res.body.data.clientEmails.nodes[0]).toMatchObject({ address: first.emails[0].address, primary: true, client: { id: first.id } });
	});

	it('filters properties by client', async () => {
		const res = await h.gql('query($c: EncodedId) { properties(first: 10, filter: { clientId: $c }) { nodes { id client { id } address { street1 city province postalCode country } } totalCount } }', { c: encodeId('Client', 3) });
		expect(res.body.data.properties.totalCount).toBe(1);
		expect(res.body.data.properties.nodes[0].client.id).toBe(encodeId('Client', 3));
	});

	it('filters requests, quotes and invoices by updatedAt', async () => {
		for (const [field, type] of [['requests', 'RequestFilterAttributes'], ['quotes', 'QuoteFilterAttributes'], ['invoices', 'InvoiceFilterAttributes']]) {
			const listed = await h.gql(`query { ${field}(first: 100) { nodes { id updatedAt } totalCount } }`);
			const nodes = listed.body.data[field].nodes as Array<{ id: string; updatedAt: string }>;
			expect(nodes.length).toBe(30);
			const since = nodes[20].updatedAt;
			const res = await h.gql(`query($f: ${type}) { ${field}(first: 100, filter: $f) { nodes { id updatedAt } } }`, { f: { updatedAt: { after: since } } });
			const got = res.body.data[field].nodes as Array<{ updatedAt: string }>;
			expect(got.length).toBe(nodes.filter((n) => Date.parse(n.updatedAt) >= Date.parse(since)).length);
			expect(got.every((n) => Date.parse(n.updatedAt) >= Date.parse(since))).toBe(true);
		}
	});
});

describe('jobs incremental pattern', () => {
	it('sorts by UPDATED_AT descending, so a sync stops at the first job older than its cursor', async () => {
		const res = await h.gql('{ jobs(first: 100, sort: [{ key: UPDATED_AT, direction: DESCENDING }]) { nodes { id jobNumber updatedAt } totalCount } }');
		const nodes = res.body.data.jobs.nodes as Array<{ updatedAt: string }>;
		expect(nodes).toHaveLength(60);
		const times = nodes.map((n) => Date.parse(n.updatedAt));
		expect([...times].sort((a, b) => b - a)).toEqual(times);
		// Seeded jobs were edited at different times: UPDATED_AT order is not creation order.
		const byCreation = await h.gql('{ jobs(first: 100) { nodes { id } } }');
		expect(byCreation.body.data.jobs.nodes.map((n: any) => n.id)).not.toEqual(res.body.data.jobs.nodes.map((n: any) => n.id));
		const asc = await h.gql('{ jobs(first: 5, sort: [{ key: UPDATED_AT, direction: ASCENDING }]) { nodes { updatedAt } } }');
		expect(Date.parse(asc.body.data.jobs.nodes[0].updatedAt)).toBe(Math.min(...times));
	});

	it('reaches a job that changed since the last sync at the top of the list', async () => {
		const job = encodeId('Job', 10);
		await h.ctx.clock.advance(60_000);
		const edited = await h.admin('POST', '/_sandbox/jobber/edit', { type: 'Job', id: job, input: { title: 'Edited by the office' } });
		expect(edited.body.ok).toBe(true);
		const res = await h.gql('{ jobs(first: 1, sort: [{ key: UPDATED_AT, direction: DESCENDING }]) { nodes { id title } } }');
		expect(res.body.data.jobs.nodes[0]).toEqual({ id: job, title: 'Edited by the office' });
	});

	it('has no updatedAt filter on jobs', async () => {
		const res = await h.gql('{ jobs(first: 5, filter: { updatedAt: { after: "2025-01-01T00:00:00Z" } }) { nodes { id } } }', undefined, { invalid: true });
		expect(res.body.errors[0].message).toMatch(/^Field "updatedAt" is not defined by type "JobFilterAttributes"\./);
	});
});
