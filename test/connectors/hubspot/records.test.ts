/** Reads and single-record writes of the HubSpot connector against the sandbox. */
import { ConnectorError } from '../../../connectors/core/errors';
import { liveRecords, startSandbox, type Sandbox } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ tenSecondLimit: 100_000, searchPerSecond: 1000 });
});
afterAll(() => sb.close());
beforeEach(() => {
	sb.def.reset();
	sb.resetCounters();
});

async function thrown(p: Promise<unknown>): Promise<ConnectorError> {
	try {
		await p;
	} catch (err) {
		if (err instanceof ConnectorError) return err;
		throw err;
	}
	throw new Error('expected a ConnectorError');
}

describe('reads', () => {
	test('get many pages through thousands of contacts with `after`, one call per 100, every record once', async () => {
		sb.def.seed({ object: 'contacts', count: 2500, seed: 7 });
		sb.resetCounters();
		const hs = sb.connector();
		const pages: number[] = [];
		const ids = new Set<string>();
		for await (const page of hs.pages('contacts')) {
			pages.push(page.length);
			for (const r of page) ids.add(r.id);
		}
		expect(pages.length).toBe(25);
		expect(pages.every((n) => n === 100)).toBe(true);
		expect(ids.size).toBe(2500);
		expect(sb.calls('contacts.list')).toBe(25);
		const limited = await hs.list('contacts', { limit: 250, properties: ['email', 'city'] });
		expect(limited).toHaveLength(250);
		expect(Object.keys(limited[0].fields)).toEqual(expect.arrayContaining(['email', 'city', 'lastmodifieddate', 'hs_object_id']));
	});

	test('envelope: HubSpot property names and string values, id, updatedAt, links from associations', async () => {
		const hs = sb.connector();
		const company = await hs.create('companies', { name: 'Acme Plumbing', domain: 'acme.example.com' });
		const contact = await hs.create('contacts', { email: 'Ann@Example.com', firstname: 'Ann', lastname: 'Lee' });
		expect(company.ok && contact.ok).toBe(true);
		if (!company.ok || !contact.ok) return;
		await hs.associate('contacts', contact.record.id, 'companies', company.record.id, { primary: true });
		const got = await hs.get('contacts', contact.record.id, { links: ['companies', 'deals'] });
		expect(got).toMatchObject({ system: 'hubspot', object: 'contacts', id: contact.record.id, fields: { email: 'ann@example.com', firstname: 'Ann', lastname: 'Lee' } });
		expect(got.updatedAt).toBe(got.fields.lastmodifieddate);
		expect(got.links).toEqual({ companies: [company.record.id], deals: [] });
		expect(got.fields.phone).toBeNull();
		// Looked up by email instead of id, in any case.
		expect((await hs.get('contacts', 'ANN@example.COM', { idProperty: 'email' })).id).toBe(contact.record.id);
	});

	test('a missing record is Field Not Found naming the record, not retried', async () => {
		const hs = sb.connector();
		const err = await thrown(hs.get('contacts', '999999999'));
		expect(err.classified).toMatchObject({ code: 'FIELD_NOT_FOUND', category: 'Mapping', retryable: false, record: { system: 'hubspot', object: 'contacts', id: '999999999' }, vendor: { status: 404 } });
		expect(sb.calls('contacts.get')).toBe(1);
	});

	test('find by match key: email lower-cased, EQ search, no match is an empty list', async () => {
		const hs = sb.connector();
		await hs.create('contacts', { email: 'bob@example.com', firstname: 'Bob' });
		const found = await hs.find('contacts', 'email', '  BOB@Example.COM ');
		expect(found).toHaveLength(1);
		expect(found[0].fields.email).toBe('bob@example.com');
		expect(await hs.find('contacts', 'email', 'nobody@example.com')).toEqual([]);
		expect(await hs.find('contacts', 'firstname', 'Bob')).toHaveLength(1);
		expect(sb.calls('contacts.search')).toBe(3);
	});

	test('archived records are read as deleted envelopes', async () => {
		const hs = sb.connector();
		const c = await hs.create('deals', { dealname: 'Gone' });
		if (!c.ok) throw new Error('create failed');
		expect(await hs.delete('deals', c.record.id)).toMatchObject({ ok: true, action: 'deleted' });
		const archived = await hs.list('deals', { archived: true });
		expect(archived.map((r) => [r.id, r.deleted])).toEqual([[c.record.id, true]]);
	});

	test('batch read by ids (the trigger’s record fetch): 150 ids in 2 calls, missing ids absent, by email too', async () => {
		const hs = sb.connector();
		const made = await hs.write('contacts', 'create', Array.from({ length: 150 }, (_, i) => ({ fields: { email: `r${i}@example.com`, firstname: `R${i}` } })));
		const ids = made.map((r) => (r.ok ? r.record.id : ''));
		sb.resetCounters();
		const got = await hs.read('contacts', [...ids, '170000099999'], { properties: ['email', 'firstname'] });
		expect(got.size).toBe(150);
		expect(got.get(ids[7])?.fields).toMatchObject({ email: 'r7@example.com', firstname: 'R7' });
		expect(sb.calls('contacts.batch.read')).toBe(2);
		const byEmail = await hs.read('contacts', ['R3@example.com', 'r4@example.com'], { idProperty: 'email' });
		expect([...byEmail.keys()].sort()).toEqual(['r3@example.com', 'r4@example.com']);
	});

	test('free-text search for record pickers, paged', async () => {
		const hs = sb.connector();
		await hs.write('companies', 'create', [{ fields: { name: 'Summit Roofing' } }, { fields: { name: 'Summit Pools' } }, { fields: { name: 'Other' } }]);
		const first = await hs.search('companies', 'summit', { limit: 1 });
		expect(first.records).toHaveLength(1);
		expect(first.next).toBe('1');
		const second = await hs.search('companies', 'summit', { limit: 1, after: first.next });
		expect([first.records[0].fields.name, second.records[0].fields.name].sort()).toEqual(['Summit Pools', 'Summit Roofing']);
		expect(second.next).toBeUndefined();
	});

	test('the date-based path prefix reaches the same API', async () => {
		const hs = sb.connector({ objectsPath: '/crm/objects/2026-03' });
		const c = await hs.create('contacts', { email: 'dated@example.com' });
		expect(c.ok).toBe(true);
		expect((await hs.list('contacts')).map((r) => r.fields.email)).toEqual(['dated@example.com']);
		expect((await hs.fields('contacts')).some((f) => f.name === 'email')).toBe(true);
		expect((await hs.pipelines('deals'))[0].id).toBe('default');
		expect(sb.server.context.log.list().every((e) => !e.path.startsWith('/crm/v3') && !e.path.startsWith('/crm/v4'))).toBe(true);
	});
});

describe('single-record writes', () => {
	test('create, update, delete: one call each, actions and envelopes', async () => {
		const hs = sb.connector();
		const created = await hs.create('contacts', { email: 'c@example.com', firstname: 'C', lastmodifieddate: 'ignored: server-managed', age: undefined });
		expect(created).toMatchObject({ ok: true, action: 'created', record: { object: 'contacts', fields: { email: 'c@example.com', firstname: 'C' } } });
		if (!created.ok) return;
		const updated = await hs.update('contacts', created.record.id, { firstname: 'Cee', phone: 5551234, lifecyclestage: 'customer' });
		expect(updated).toMatchObject({ ok: true, action: 'updated', record: { id: created.record.id, fields: { firstname: 'Cee', phone: '5551234', lifecyclestage: 'customer' } } });
		const byEmail = await hs.update('contacts', 'C@EXAMPLE.COM', { lastname: 'By Email' }, { idProperty: 'email' });
		expect(byEmail).toMatchObject({ ok: true, record: { id: created.record.id, fields: { lastname: 'By Email' } } });
		expect(await hs.delete('contacts', created.record.id)).toMatchObject({ ok: true, action: 'deleted', record: { id: created.record.id, deleted: true } });
		expect(liveRecords(sb, 'contacts')).toHaveLength(0);
		expect(sb.calls()).toBe(4);
	});

	test('409 "Contact already exists. Existing ID: N" → Duplicate Record with the existing id', async () => {
		const hs = sb.connector();
		const first = await hs.create('contacts', { email: 'dup@example.com' });
		if (!first.ok) throw new Error('create failed');
		const again = await hs.create('contacts', { email: 'DUP@example.com', firstname: 'Twin' });
		expect(again.ok).toBe(false);
		if (again.ok) return;
		expect(again.existingId).toBe(first.record.id);
		expect(again.error).toMatchObject({
			code: 'DUPLICATE_RECORD',
			category: 'Data',
			field: 'email',
			value: 'DUP@example.com',
			retryable: false,
			record: { system: 'hubspot', object: 'contacts', id: first.record.id },
			vendor: { status: 409, code: 'CONFLICT', message: `Contact already exists. Existing ID: ${first.record.id}` },
		});
		expect(again.error.message).toContain(first.record.id);
	});

	test('every invalid property of a record is reported, each with its field, value and code', async () => {
		const hs = sb.connector();
		const r = await hs.create('contacts', {
			email: 'example.lcom',
			first000name: 'X',
			lifecyclestage: 'Customer',
			hs_object_source_label: 'mine',
			hs_lead_status: 'NEW',
		});
		expect(r.ok).toBe(false);
		if (r.ok) return;
		const byField = Object.fromEntries((r.errors ?? []).map((e) => [e.field, e]));
		expect(byField.email).toMatchObject({ code: 'INVALID_EMAIL', category: 'Data', value: 'example.lcom', vendor: { code: 'INVALID_EMAIL' } });
		expect(byField.first000name).toMatchObject({ code: 'FIELD_NOT_FOUND', category: 'Mapping', value: 'X', vendor: { code: 'PROPERTY_DOESNT_EXIST' } });
		expect(byField.lifecyclestage).toMatchObject({ code: 'INVALID_FORMAT', value: 'Customer', vendor: { code: 'INVALID_OPTION' } });
		expect(byField.hs_object_source_label).toMatchObject({ code: 'FIELD_NOT_FOUND', vendor: { code: 'READ_ONLY_VALUE' } });
		expect(r.errors).toHaveLength(4);
		expect(byField.lifecyclestage.message).toContain('Customer');
	});

	test('number, date and length problems: INVALID_LONG / INVALID_DATE → Invalid Format, too long → Value Too Long', async () => {
		const hs = sb.connector();
		const r = await hs.create('deals', { dealname: 'x'.repeat(70_000), amount: 'twelve', closedate: 'next tuesday' });
		expect(r.ok).toBe(false);
		if (r.ok) return;
		const codes = Object.fromEntries((r.errors ?? []).map((e) => [e.field, [e.code, e.vendor?.code]]));
		expect(codes).toEqual({ dealname: ['VALUE_TOO_LONG', 'INVALID_STRING_LENGTH'], amount: ['INVALID_FORMAT', 'INVALID_LONG'], closedate: ['INVALID_FORMAT', 'INVALID_DATE'] });
	});

	test('update of a deleted record: Field Not Found, or created with Create if missing', async () => {
		const hs = sb.connector();
		const missing = await hs.update('companies', '29000000999', { name: 'Ghost' });
		expect(missing).toMatchObject({ ok: false, error: { code: 'FIELD_NOT_FOUND', record: { id: '29000000999' }, vendor: { code: 'OBJECT_NOT_FOUND' } } });
		const created = await hs.update('companies', '29000000999', { name: 'Ghost' }, { createIfMissing: true });
		expect(created).toMatchObject({ ok: true, action: 'created', record: { fields: { name: 'Ghost' } } });
		const noId = await hs.update('companies', '', { name: 'x' });
		expect(noId).toMatchObject({ ok: false, error: { code: 'REQUIRED_FIELD_MISSING', field: 'id' } });
	});

	test('values in JavaScript types are sent in HubSpot wire form', async () => {
		const hs = sb.connector();
		const r = await hs.create('deals', { dealname: 'Typed', amount: 1250.5, closedate: new Date('2026-01-15T00:00:00Z'), pipeline: 'default', dealstage: 'closedwon' });
		expect(r).toMatchObject({ ok: true, record: { fields: { amount: '1250.5', closedate: '2026-01-15T00:00:00Z', dealstage: 'closedwon' } } });
	});
});
