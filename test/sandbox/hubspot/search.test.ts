/** Paging (list and search), modified-since searches, operators, caps and the lagging search index. */
import { startHub, type Hub } from './helpers';

const search = (hub: Hub, type: string, body: unknown) => hub.call('POST', `/crm/v3/objects/${type}/search`, body);

describe('HubSpot sandbox paging and search', () => {
	let hub: Hub;
	beforeAll(async () => {
		hub = await startHub({ tenSecondLimit: 1_000_000, searchPerSecond: 1_000_000 });
	});
	afterAll(() => hub.close());
	beforeEach(() => hub.def.reset());

	test('list pages through every record once, in id order, with paging.next until the end', async () => {
		const seeded = hub.def.seed({ count: 1050, seed: 3 });
		const seen: string[] = [];
		let after: string | undefined;
		let pages = 0;
		do {
			const res = await hub.call('GET', `/crm/v3/objects/contacts?limit=100&properties=email${after ? `&after=${after}` : ''}`);
			expect(res.status).toBe(200);
			seen.push(...res.body.results.map((r: any) => r.id));
			after = res.body.paging?.next?.after;
			if (after) {
				expect(res.body.paging.next.link).toBe(`${hub.url}/crm/v3/objects/contacts?limit=100&properties=email&after=${after}`);
			}
			pages++;
		} while (after);
		expect(pages).toBe(11);
		expect(seen).toEqual(seeded.ids);
		expect(new Set(seen).size).toBe(1050);
		expect((await hub.call('GET', '/crm/v3/objects/contacts?limit=101')).status).toBe(400);
	});

	test('search pages with integer-string after offsets and reports the total', async () => {
		hub.def.seed({ count: 450, seed: 4 });
		const ids: string[] = [];
		let after: string | undefined = '0';
		while (after !== undefined) {
			const res = await search(hub, 'contacts', { filterGroups: [], sorts: [{ propertyName: 'hs_object_id', direction: 'ASCENDING' }], limit: 200, after, properties: ['email'] });
			expect(res.status).toBe(200);
			expect(res.body.total).toBe(450);
			ids.push(...res.body.results.map((r: any) => r.id));
			after = res.body.paging?.next?.after;
			if (after) expect(after).toMatch(/^\d+$/);
		}
		expect(ids).toHaveLength(450);
		expect([...ids].sort()).toEqual(ids);
		expect((await search(hub, 'contacts', { limit: 201 })).status).toBe(400);
	});

	test('paging past 10,000 results answers 400', async () => {
		hub.def.seed({ count: 10_050, seed: 5 });
		const last = await search(hub, 'contacts', { limit: 200, after: '9800' });
		expect(last.status).toBe(200);
		expect(last.body.total).toBe(10_050);
		expect(last.body.paging.next.after).toBe('10000');
		const beyond = await search(hub, 'contacts', { limit: 200, after: last.body.paging.next.after });
		expect(beyond.status).toBe(400);
		expect(beyond.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });
	});

	test('modified-since: lastmodifieddate GTE finds exactly the records written after the cursor', async () => {
		hub.def.seed({ count: 300, seed: 6 });
		const clock = hub.server.context.clock;
		clock.advance(60_000);
		const cursor = clock.now();
		const list = (await hub.call('GET', '/crm/v3/objects/contacts?limit=100')).body.results;
		const touched = [list[3].id, list[40].id, list[77].id];
		for (const id of touched) {
			clock.advance(1000);
			await hub.call('PATCH', `/crm/v3/objects/contacts/${id}`, { properties: { jobtitle: 'Changed' } });
		}
		const iso = new Date(cursor).toISOString();
		for (const value of [iso, String(cursor), iso.replace('Z', '+00:00')]) {
			const res = await search(hub, 'contacts', {
				filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value }] }],
				sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
				properties: ['jobtitle'],
				limit: 200,
			});
			expect(res.body.total).toBe(3);
			expect(res.body.results.map((r: any) => r.id)).toEqual(touched);
			expect(res.body.results.every((r: any) => r.properties.jobtitle === 'Changed')).toBe(true);
		}
		// The window form (GTE + LTE) and companies' hs_lastmodifieddate.
		const until = new Date(cursor + 1500).toISOString();
		const window = await search(hub, 'contacts', { filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: iso }, { propertyName: 'lastmodifieddate', operator: 'LTE', value: until }] }] });
		expect(window.body.results.map((r: any) => r.id)).toEqual([touched[0]]);
		clock.advance(1000);
		const co = await hub.call('POST', '/crm/v3/objects/companies', { properties: { name: 'Fresh Co' } });
		const companies = await search(hub, 'companies', { filterGroups: [{ filters: [{ propertyName: 'hs_lastmodifieddate', operator: 'GT', value: String(cursor) }] }] });
		expect(companies.body.results.map((r: any) => r.id)).toEqual([co.body.id]);
	});

	test('operators, OR-ed groups, query and sorting', async () => {
		const mk = (properties: Record<string, string>) => hub.call('POST', '/crm/v3/objects/contacts', { properties }).then((r) => r.body.id as string);
		const a = await mk({ email: 'alice@acme.com', firstname: 'Alice', lastname: 'Smith', city: 'Austin' });
		const b = await mk({ email: 'bob@globex.com', firstname: 'Bob', lastname: 'Jones', city: 'Boston' });
		const c = await mk({ email: 'carol@acme.com', firstname: 'Carol', city: 'austin' });
		const d = await mk({ firstname: 'Dan', lastname: 'Smith' });
		const ids = async (body: unknown) => (await search(hub, 'contacts', body)).body.results.map((r: any) => r.id);
		const f = (propertyName: string, operator: string, extra: Record<string, unknown> = {}) => ({ filterGroups: [{ filters: [{ propertyName, operator, ...extra }] }] });
		expect(await ids(f('city', 'EQ', { value: 'AUSTIN' }))).toEqual([a, c]);
		expect(await ids(f('city', 'NEQ', { value: 'austin' }))).toEqual([b, d]);
		expect(await ids(f('lastname', 'IN', { values: ['smith', 'jones'] }))).toEqual([a, b, d]);
		expect(await ids(f('lastname', 'NOT_IN', { values: ['smith'] }))).toEqual([b, c]);
		expect(await ids(f('email', 'HAS_PROPERTY'))).toEqual([a, b, c]);
		expect(await ids(f('email', 'NOT_HAS_PROPERTY'))).toEqual([d]);
		expect(await ids(f('email', 'CONTAINS_TOKEN', { value: '*@acme.com' }))).toEqual([a, c]);
		expect(await ids(f('email', 'NOT_CONTAINS_TOKEN', { value: 'acme' }))).toEqual([b, d]);
		expect(await ids({ filterGroups: [{ filters: [{ propertyName: 'city', operator: 'EQ', value: 'boston' }] }, { filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'dan' }] }] })).toEqual([b, d]);
		expect(await ids({ query: 'smith' })).toEqual([a, d]);
		expect(await ids({ query: 'acme carol' })).toEqual([c]);
		expect(await ids({ sorts: [{ propertyName: 'firstname', direction: 'DESCENDING' }] })).toEqual([d, c, b, a]);
		expect(await ids({ sorts: ['-firstname'] })).toEqual([d, c, b, a]);

		const deal = (amount: string) => hub.call('POST', '/crm/v3/objects/deals', { properties: { dealname: `d${amount}`, amount } }).then((r) => r.body.id as string);
		const d1 = await deal('50');
		const d2 = await deal('500');
		const d3 = await deal('5000');
		const dealIds = async (body: unknown) => (await search(hub, 'deals', body)).body.results.map((r: any) => r.id);
		expect(await dealIds(f('amount', 'GT', { value: '100' }))).toEqual([d2, d3]);
		expect(await dealIds(f('amount', 'LT', { value: '500' }))).toEqual([d1]);
		expect(await dealIds(f('amount', 'BETWEEN', { value: '50', highValue: '500' }))).toEqual([d1, d2]);
		expect(await dealIds({ sorts: [{ propertyName: 'amount', direction: 'DESCENDING' }] })).toEqual([d3, d2, d1]);
	});

	test('filter caps, unknown properties and archived records', async () => {
		const filter = { propertyName: 'firstname', operator: 'HAS_PROPERTY' };
		const groups = (n: number, per: number) => ({ filterGroups: Array.from({ length: n }, () => ({ filters: Array.from({ length: per }, () => filter) })) });
		expect((await search(hub, 'contacts', groups(5, 3))).status).toBe(200);
		expect((await search(hub, 'contacts', groups(6, 1))).status).toBe(400);
		expect((await search(hub, 'contacts', groups(1, 7))).status).toBe(400);
		expect((await search(hub, 'contacts', groups(4, 5))).status).toBe(400);
		const unknown = await search(hub, 'contacts', { filterGroups: [{ filters: [{ propertyName: 'nope', operator: 'EQ', value: 'x' }] }] });
		expect(unknown.status).toBe(400);
		const c = await hub.call('POST', '/crm/v3/objects/contacts', { properties: { firstname: 'Gone' } });
		await hub.call('DELETE', `/crm/v3/objects/contacts/${c.body.id}`);
		expect((await search(hub, 'contacts', { query: 'gone' })).body.total).toBe(0);
	});

	test('optional eventual consistency: search sees writes only after the configured lag', async () => {
		const lagged = await startHub({ searchConsistencyDelayMs: 30_000, tenSecondLimit: 100_000, searchPerSecond: 100_000 });
		try {
			const clock = lagged.server.context.clock;
			const c = await lagged.call('POST', '/crm/v3/objects/contacts', { properties: { email: 'lag@example.com', firstname: 'Before' } });
			const byEmail = { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'lag@example.com' }] }], properties: ['firstname'] };
			expect((await lagged.call('POST', '/crm/v3/objects/contacts/search', byEmail)).body.total).toBe(0);
			// The classic race: search says "not found", yet create answers 409.
			expect((await lagged.call('POST', '/crm/v3/objects/contacts', { properties: { email: 'lag@example.com' } })).status).toBe(409);
			clock.advance(30_000);
			expect((await lagged.call('POST', '/crm/v3/objects/contacts/search', byEmail)).body.results[0].properties.firstname).toBe('Before');
			await lagged.call('PATCH', `/crm/v3/objects/contacts/${c.body.id}`, { properties: { firstname: 'After' } });
			expect((await lagged.call('POST', '/crm/v3/objects/contacts/search', byEmail)).body.results[0].properties.firstname).toBe('Before');
			expect((await lagged.call('GET', `/crm/v3/objects/contacts/${c.body.id}?properties=firstname`)).body.properties.firstname).toBe('After');
			await lagged.call('DELETE', `/crm/v3/objects/contacts/${c.body.id}`);
			expect((await lagged.call('POST', '/crm/v3/objects/contacts/search', byEmail)).body.total).toBe(1);
			clock.advance(30_000);
			expect((await lagged.call('POST', '/crm/v3/objects/contacts/search', byEmail)).body.total).toBe(0);
		} finally {
			await lagged.close();
		}
	});
});
