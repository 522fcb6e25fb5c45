/** Injected faults (5xx, timeouts, malformed answers, removed fields, latency) and seeding with dirty data. */
import { startHub, type Hub } from './helpers';

const faults = (hub: Hub, config: unknown) => fetch(`${hub.url}/_sandbox/faults`, { method: 'PUT', body: JSON.stringify(config) });
const clearFaults = (hub: Hub) => fetch(`${hub.url}/_sandbox/faults`, { method: 'DELETE' });

describe('HubSpot injected faults', () => {
	let hub: Hub;
	beforeAll(async () => {
		hub = await startHub({ tenSecondLimit: 100_000, searchPerSecond: 100_000 });
	});
	afterAll(() => hub.close());
	afterEach(() => clearFaults(hub));

	test('forced 5xx answers in HubSpot JSON; the Cloudflare style answers HTML 502', async () => {
		await faults(hub, { force5xx: 1 });
		const res = await hub.call('GET', '/crm/v3/objects/contacts');
		expect(res.status).toBe(503);
		expect(res.body).toMatchObject({ status: 'error', correlationId: expect.any(String) });
		expect((await hub.call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
		const edge = await startHub({ unavailableStyle: 'cloudflare' });
		try {
			await faults(edge, { force5xx: 1 });
			const html = await edge.call('GET', '/crm/v3/objects/contacts');
			expect(html.status).toBe(502);
			expect(html.headers.get('content-type')).toMatch(/text\/html/);
			expect(html.text).toContain('502 Bad Gateway');
		} finally {
			await edge.close();
		}
	});

	test('timeouts hold the connection without an answer', async () => {
		await faults(hub, { timeoutRate: 1 });
		await expect(fetch(`${hub.url}/crm/v3/objects/contacts`, { headers: { Authorization: `Bearer ${hub.token}` }, signal: AbortSignal.timeout(200) })).rejects.toThrow();
		await clearFaults(hub);
		expect((await hub.call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
	});

	test('faults can target one route family; error rates are seeded', async () => {
		await faults(hub, { errorRate: 1, routePrefix: 'contacts.search' });
		expect((await hub.call('POST', '/crm/v3/objects/contacts/search', {})).status).toBe(503);
		expect((await hub.call('GET', '/crm/v3/objects/contacts')).status).toBe(200);
		const run = async () => {
			await faults(hub, { errorRate: 0.5, seed: 9 });
			const statuses: number[] = [];
			for (let i = 0; i < 12; i++) statuses.push((await hub.call('GET', '/crm/v3/owners')).status);
			return statuses;
		};
		const first = await run();
		expect(first).toContain(503);
		expect(first).toContain(200);
		expect(await run()).toEqual(first);
	});

	test('malformed JSON answers', async () => {
		await faults(hub, { malformedRate: 1 });
		const res = await hub.call('GET', '/crm/v3/owners');
		expect(res.status).toBe(200);
		expect(() => JSON.parse(res.text)).toThrow();
	});

	test('a field removed from the schema: writes fail as unknown, reads and the registry omit it', async () => {
		const c = await hub.call('POST', '/crm/v3/objects/contacts', { properties: { firstname: 'Has', phone: '555-0101' } });
		await faults(hub, { removedFields: { contacts: ['phone'] } });
		const write = await hub.call('PATCH', `/crm/v3/objects/contacts/${c.body.id}`, { properties: { phone: '555-0102' } });
		expect(write.status).toBe(400);
		expect(write.body.errors[0]).toMatchObject({ code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: ['phone'] } });
		const read = await hub.call('GET', `/crm/v3/objects/contacts/${c.body.id}?properties=phone,firstname`);
		expect(read.body.properties.phone).toBeUndefined();
		expect(read.body.properties.firstname).toBe('Has');
		const registry = await hub.call('GET', '/crm/v3/properties/contacts');
		expect(registry.body.results.some((p: any) => p.name === 'phone')).toBe(false);
		expect((await hub.call('GET', '/crm/v3/properties/contacts/phone')).status).toBe(404);
		await clearFaults(hub);
		expect((await hub.call('GET', `/crm/v3/objects/contacts/${c.body.id}?properties=phone`)).body.properties.phone).toBe('555-0101');
	});

	test('a locked record answers 423 to writes until the lock expires', async () => {
		const c = await hub.call('POST', '/crm/v3/objects/contacts', { properties: { firstname: 'Lock' } });
		await fetch(`${hub.url}/_sandbox/hubspot/locks`, { method: 'POST', body: JSON.stringify({ object: 'contacts', id: c.body.id }) });
		const locked = await hub.call('PATCH', `/crm/v3/objects/contacts/${c.body.id}`, { properties: { firstname: 'X' } });
		expect(locked.status).toBe(423);
		expect(locked.body).toMatchObject({ status: 'error', category: 'LOCKED' });
		expect((await hub.call('POST', '/crm/v3/objects/contacts/batch/update', { inputs: [{ id: c.body.id, properties: { firstname: 'Y' } }] })).status).toBe(423);
		expect((await hub.call('GET', `/crm/v3/objects/contacts/${c.body.id}`)).status).toBe(200);
		hub.server.context.clock.advance(2000);
		expect((await hub.call('PATCH', `/crm/v3/objects/contacts/${c.body.id}`, { properties: { firstname: 'Z' } })).status).toBe(200);
	});

	test('latency delays answers', async () => {
		await faults(hub, { latencyMs: 120 });
		const t = performance.now();
		await hub.call('GET', '/crm/v3/owners');
		expect(performance.now() - t).toBeGreaterThanOrEqual(100);
	});

	test('the request log counts API calls per route, admin calls excluded', async () => {
		await fetch(`${hub.url}/_sandbox/requests/reset`, { method: 'POST' });
		await hub.call('GET', '/crm/v3/objects/contacts');
		await hub.call('POST', '/crm/v3/objects/contacts/batch/upsert', { inputs: [{ idProperty: 'email', id: 'count@example.com', properties: {} }] });
		await hub.call('POST', '/crm/v3/objects/contacts/search', {});
		const counters = (await (await fetch(`${hub.url}/_sandbox/counters`)).json()) as any;
		expect(counters.byRoute).toEqual({ 'contacts.list': 1, 'contacts.batch.upsert': 1, 'contacts.search': 1 });
	});
});

describe('HubSpot seeding', () => {
	let hub: Hub;
	beforeAll(async () => {
		hub = await startHub({ tenSecondLimit: 100_000 });
	});
	afterAll(() => hub.close());
	beforeEach(() => hub.def.reset());

	test('seeds deterministic contacts with dirty data, companies, deals and associations', async () => {
		const summary = hub.def.seed({ count: 2000, dirtyShare: 0.3, seed: 11 });
		expect(summary.object).toBe('contacts');
		expect(summary.created).toBe(2000);
		expect(Object.values(summary.dirty).reduce((a, b) => a + b, 0)).toBeGreaterThan(450);
		const contacts = hub.def.records('contacts') as any[];
		expect(contacts).toHaveLength(2000);
		const props = contacts.map((c) => c.properties);
		// HubSpot's own rules still hold: emails are lower-case and unique.
		const emails = props.map((p) => p.email).filter(Boolean);
		expect(new Set(emails.map((e: string) => e.toLowerCase())).size).toBe(emails.length);
		expect(emails.filter((e: string) => e !== e.toLowerCase())).toEqual([]);
		// The dirt the generator put in is visible through the API.
		expect(props.some((p) => p.phone && /[a-z]/i.test(p.phone))).toBe(true);
		expect(props.filter((p) => !p.email).length).toBeGreaterThan(summary.dirty.missing_email ?? 0);
		expect(props.some((p) => p.email && !/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/.test(p.email))).toBe(true);
		expect(props.some((p) => p.firstname && p.firstname !== p.firstname.trim())).toBe(true);
		expect(props.some((p) => (p.company ?? '').length > 200)).toBe(true);
		expect(props.some((p) => /[^\u0000-\u007f]/.test(`${p.firstname}${p.lastname}`))).toBe(true);
		// Spread stamps make modified-since searches meaningful.
		expect(new Set(props.map((p) => p.lastmodifieddate.slice(0, 10))).size).toBeGreaterThan(100);
		expect(contacts.every((c) => Date.parse(c.updatedAt) >= Date.parse(c.createdAt))).toBe(true);

		const companies = hub.def.records('companies') as any[];
		expect(companies.length).toBeGreaterThanOrEqual(10);
		expect(contacts.every((c) => c.associations?.companies?.results.some((r: any) => r.type === 'contact_to_company'))).toBe(true);
		const deals = hub.def.records('deals') as any[];
		expect(deals.length).toBeGreaterThan(100);
		expect(deals.every((d) => d.associations.contacts && d.associations.companies)).toBe(true);
		const total = companies.reduce((n, c) => n + Number(c.properties.num_associated_contacts), 0);
		expect(total).toBe(2000);

		// Same seed, same data.
		const other = await startHub();
		try {
			other.def.seed({ count: 2000, dirtyShare: 0.3, seed: 11 });
			const strip = (rs: any[]) => rs.map((r) => ({ ...r.properties, createdate: undefined, lastmodifieddate: undefined, hs_lastmodifieddate: undefined, hs_lifecyclestage_lead_date: undefined }));
			expect(strip(other.def.records('contacts') as any[])).toEqual(strip(contacts));
		} finally {
			await other.close();
		}
	});

	test('seeding companies and deals on their own; further seeds do not repeat emails', async () => {
		hub.def.seed({ count: 50, seed: 1 });
		const again = hub.def.seed({ count: 50, seed: 1 });
		expect(again.created).toBe(50);
		const emails = (hub.def.records('contacts') as any[]).map((c) => c.properties.email);
		expect(new Set(emails).size).toBe(100);
		expect(hub.def.seed({ object: 'companies', count: 5, seed: 2 }).created).toBe(5);
		const deals = hub.def.seed({ object: 'deals', count: 7, seed: 2 });
		expect(deals.object).toBe('deals');
		const d = await hub.call('GET', `/crm/v3/objects/deals/${deals.ids[0]}?associations=contacts`);
		expect(d.body.associations.contacts.results[0].type).toBe('deal_to_contact');
	});

	test('reset clears data and keeps credentials', async () => {
		const before = hub.def.info();
		hub.def.seed({ count: 10, seed: 1 });
		await fetch(`${hub.url}/_sandbox/reset`, { method: 'POST' });
		expect(hub.def.info()).toEqual(before);
		expect((await hub.call('GET', '/crm/v3/objects/contacts')).body.results).toEqual([]);
		expect((await hub.call('GET', '/crm/v3/owners')).body.results).toHaveLength(3);
		const seeded = (await (await fetch(`${hub.url}/_sandbox/seed`, { method: 'POST', body: JSON.stringify({ count: 5, seed: 3 }) })).json()) as any;
		expect(seeded.ids[0]).toBe('170000000001');
		const records = (await (await fetch(`${hub.url}/_sandbox/records/contacts`)).json()) as any[];
		expect(records).toHaveLength(5);
	});
});
