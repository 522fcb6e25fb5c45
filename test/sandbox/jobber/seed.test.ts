/**
 * Seeding (deterministic per seed, with the shared dirty-data kinds), records() dumps and reset().
 */
import { CLIENT_FIELDS, startJobber, type Harness } from './helpers';

let h: Harness;
beforeEach(async () => {
	h = await startJobber();
});
afterEach(() => h.close());

function withoutTimes(records: any[]): any[] {
	return records.map(({ createdAt: _c, updatedAt: _u, ...rest }) => rest);
}

it('is deterministic for a seed', async () => {
	const other = await startJobber();
	try {
		const a = (await h.admin('POST', '/_sandbox/seed', { count: 50, seed: 77, dirtyShare: 0.3 })).body;
		const b = (await other.admin('POST', '/_sandbox/seed', { count: 50, seed: 77, dirtyShare: 0.3 })).body;
		expect(a).toEqual(b);
		const ra = withoutTimes((await h.admin('GET', '/_sandbox/records/clients')).body);
		const rb = withoutTimes((await other.admin('GET', '/_sandbox/records/clients')).body);
		expect(ra).toEqual(rb);
		const c = (await h.admin('POST', '/_sandbox/seed', { count: 50, seed: 78, dirtyShare: 0.3 })).body;
		expect(c.ids).not.toEqual(a.ids);
	} finally {
		await other.close();
	}
});

it('carries a controlled share of dirty data, visible through the API', async () => {
	const summary = (await h.admin('POST', '/_sandbox/seed', { count: 400, seed: 4, dirtyShare: 0.25 })).body;
	expect(summary).toMatchObject({ object: 'clients', created: 400 });
	expect(summary.ids[0]).toBe('Z2lkOi8vSm9iYmVyL0NsaWVudC8x');
	const dirty = Object.values(summary.dirty as Record<string, number>).reduce((a, b) => a + b, 0);
	expect(dirty).toBeGreaterThan(60);
	expect(dirty).toBeLessThan(140);
	const records = (await h.admin('GET', '/_sandbox/records/clients')).body as any[];
	expect(records.some((r) => r.emails.length === 0)).toBe(true);
	expect(records.some((r) => r.emails.some((e: any) => !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(e.address)))).toBe(true);
	expect(records.some((r) => (r.companyName ?? '').length > 255)).toBe(true);
	expect(records.some((r) => r.firstName !== r.firstName.trim())).toBe(true);
	expect(records.some((r) => /[^\x00-\x7F]/.test(r.firstName))).toBe(true);
	const emails = records.flatMap((r) => r.emails.map((e: any) => e.address.trim().toLowerCase()));
	expect(new Set(emails).size).toBeLessThan(emails.length);
	// Every seeded client has a billing address and one property, as a real account imported from a CRM would.
	expect(records.every((r) => r.billingAddress && r.clientProperties.length === 1)).toBe(true);
	const page = await h.gql(`{ clients(first: 100) { nodes { ${CLIENT_FIELDS} } } }`);
	expect(page.body.errors).toBeUndefined();
	expect(page.body.data.clients.nodes).toHaveLength(100);
});

it('seeds work objects on existing clients and dumps every object', async () => {
	await h.admin('POST', '/_sandbox/seed', { count: 10, seed: 1 });
	for (const object of ['properties', 'requests', 'quotes', 'jobs', 'invoices']) {
		const summary = (await h.admin('POST', '/_sandbox/seed', { object, count: 5, seed: 1 })).body;
		expect(summary).toMatchObject({ object, created: 5 });
		const dump = (await h.admin('GET', `/_sandbox/records/${object}`)).body;
		expect(dump.length).toBeGreaterThanOrEqual(5);
		expect(dump[0].id).toMatch(/^[A-Za-z0-9+/]+=*$/);
	}
	expect((await h.admin('GET', '/_sandbox/records/customFieldConfigurations')).body.length).toBeGreaterThan(0);
	expect((await h.admin('GET', '/_sandbox/records/nonsense')).status).toBe(404);
});

it('reset clears data but keeps credentials and the account settings', async () => {
	await h.admin('POST', '/_sandbox/seed', { count: 10, seed: 1 });
	const configs = (await h.admin('GET', '/_sandbox/records/customFieldConfigurations')).body;
	await h.admin('POST', '/_sandbox/reset');
	expect((await h.admin('GET', '/_sandbox/records/clients')).body).toEqual([]);
	const res = await h.gql('{ clients(first: 5) { nodes { id } totalCount } }');
	expect(res.status).toBe(200);
	expect(res.body.data.clients.totalCount).toBe(0);
	expect((await h.admin('GET', '/_sandbox/info')).body.accessToken).toBe(h.info.accessToken);
	expect((await h.admin('GET', '/_sandbox/records/customFieldConfigurations')).body).toEqual(configs);
	// Ids start again from 1 after a reset.
	await h.admin('POST', '/_sandbox/seed', { count: 1, seed: 1 });
	expect((await h.admin('GET', '/_sandbox/records/clients')).body[0].id).toBe('Z2lkOi8vSm9iYmVyL0NsaWVudC8x');
});
