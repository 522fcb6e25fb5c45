/** Writes against the Pipedrive sandbox: create, update, upsert (find-then-write), delete, many records. */
import { startHarness, type Harness } from './helpers';

let h: Harness;
let info: { person: Array<{ key: string; name: string; options: Array<{ id: number; label: string }> | null }> };

const keyOf = (name: string) => info.person.find((f) => f.name === name)!.key;
const optionId = (name: string, label: string) => info.person.find((f) => f.name === name)!.options!.find((o) => o.label === label)!.id;
/** The stored v2 record (option ids and hash keys), as the sandbox holds it. */
const stored = async (object: string, id: string) => ((await h.admin('GET', `/_sandbox/records/${object}`)) as Array<Record<string, any>>).find((r) => String(r.id) === id)!;

beforeAll(async () => {
	h = await startHarness();
	info = await h.admin('GET', '/_sandbox/pipedrive/fields');
});
afterAll(() => h.stop());
beforeEach(async () => {
	await h.admin('POST', '/_sandbox/reset');
});

describe('custom fields by name, both ways', () => {
	test('create sends hash keys and option ids; the envelope comes back with names and labels', async () => {
		const c = h.connector();
		const r = await c.create('persons', {
			name: 'Ann Lee',
			emails: 'ann@example.com',
			phones: ['+1 217 555 0143'],
			'Customer Type': 'commercial',
			'Preferred Contact': ['Phone', 'SMS'],
			'Lifetime Value': { value: 1200, currency: 'CAD' },
			'Service Address': '12 Elm St, Springfield',
			'Property Count': '3',
			'Last Service Date': '2026-01-15T10:00:00Z',
		});
		expect(r.ok).toBe(true);
		if (!r.ok) return;
		expect(r.action).toBe('created');
		expect(r.record.fields).toMatchObject({
			'Customer Type': 'Commercial',
			'Preferred Contact': ['Phone', 'SMS'],
			'Lifetime Value': { value: 1200, currency: 'CAD' },
			'Service Address': { value: '12 Elm St, Springfield' },
			'Property Count': 3,
			'Last Service Date': '2026-01-15',
			emails: [{ value: 'ann@example.com', primary: true, label: 'work' }],
		});
		const raw = await stored('persons', r.record.id);
		expect(raw.custom_fields[keyOf('Customer Type')]).toBe(optionId('Customer Type', 'Commercial'));
		expect(raw.custom_fields[keyOf('Preferred Contact')]).toEqual([optionId('Preferred Contact', 'Phone'), optionId('Preferred Contact', 'SMS')]);
	});

	test('hash keys and a custom_fields object are accepted too; an unknown option is a classified error naming the field', async () => {
		const c = h.connector();
		const r = await c.create('persons', { name: 'Bo', [keyOf('Jobber Client ID')]: 'JC-1', custom_fields: { 'Customer Type': optionId('Customer Type', 'Residential') } });
		expect(r.ok && r.record.fields).toMatchObject({ 'Jobber Client ID': 'JC-1', 'Customer Type': 'Residential' });
		const bad = await c.create('persons', { name: 'Cy', 'Customer Type': 'Industrial' });
		expect(bad.ok).toBe(false);
		if (bad.ok) return;
		expect(bad.error).toMatchObject({ code: 'INVALID_FORMAT', category: 'Data', field: 'Customer Type', value: 'Industrial' });
		expect(bad.error.message).toContain('Residential, Commercial, Property manager');
	});

	test('an envelope read from Pipedrive can be written back unchanged (read-only keys dropped)', async () => {
		await h.admin('POST', '/_sandbox/seed', { object: 'deals', count: 3 });
		const c = h.connector();
		for (const object of ['persons', 'organizations', 'deals']) {
			const [record] = await c.getMany(object, { limit: 1 });
			const r = await c.update(object, record.id, record.fields);
			expect(r).toMatchObject({ ok: true, action: 'updated' });
		}
	});
});

describe('create, update, delete', () => {
	test('create is one POST (200 in v2); plain values are coerced for v2 strictness', async () => {
		const c = h.connector();
		await c.schema('deals');
		await h.resetCounters();
		const r = await c.create('deals', { title: 'Boiler repair', value: '450.5', status: 'OPEN', probability: '40', owner_id: String(h.info.users[0].id) });
		expect(r).toMatchObject({ ok: true, action: 'created', record: { object: 'deals', fields: { title: 'Boiler repair', value: 450.5, status: 'open', probability: 40 } } });
		expect((await h.counters()).byRoute).toEqual({ 'v2.deals.create': 1 });
	});

	test('update is one PATCH; Create If Missing turns a 404 into a create', async () => {
		const c = h.connector();
		const created = await c.create('persons', { name: 'Dee', emails: 'dee@example.com' });
		const id = created.ok ? created.record.id : '';
		await h.resetCounters();
		expect(await c.update('persons', id, { job_title: 'Owner' })).toMatchObject({ ok: true, action: 'updated', record: { fields: { job_title: 'Owner', name: 'Dee' } } });
		expect((await h.counters()).byRoute).toEqual({ 'v2.persons.update': 1 });
		const missing = await c.update('persons', '9999', { name: 'Ghost' });
		expect(missing).toMatchObject({ ok: false, error: { code: 'FIELD_NOT_FOUND', record: { id: '9999' }, vendor: { status: 404 } } });
		const revived = await c.update('persons', '9999', { name: 'Ghost' }, { createIfMissing: true });
		expect(revived).toMatchObject({ ok: true, action: 'created', record: { fields: { name: 'Ghost' } } });
	});

	test('an address of { value: null } is no address: a create without one, an update that clears it', async () => {
		const c = h.connector();
		const created = await c.create('persons', { name: 'Fay', emails: 'fay@example.com', postal_address: { value: null } });
		expect(created).toMatchObject({ ok: true, action: 'created' });
		const id = created.ok ? created.record.id : '';
		expect((await stored('persons', id)).postal_address).toBeNull();
		await c.update('persons', id, { postal_address: '12 Main St, Springfield, IL 62701' });
		expect((await stored('persons', id)).postal_address).toMatchObject({ value: '12 Main St, Springfield, IL 62701' });
		expect(await c.update('persons', id, { postal_address: { value: null } })).toMatchObject({ ok: true, action: 'updated' });
		expect((await stored('persons', id)).postal_address).toBeNull();
		// Parts without the formatted address are still refused, naming the field.
		expect(await c.update('persons', id, { postal_address: { value: null, locality: 'Springfield' } })).toMatchObject({ ok: false, error: { code: 'INVALID_FORMAT', field: 'postal_address' } });
	});

	test('Skip Unchanged reads first and writes nothing when nothing would change', async () => {
		const c = h.connector();
		const created = await c.create('persons', { name: 'Eve', emails: 'eve@example.com', 'Customer Type': 'Residential' });
		const id = created.ok ? created.record.id : '';
		await h.resetCounters();
		const same = await c.update('persons', id, { name: 'Eve', emails: [{ value: 'eve@example.com' }], 'Customer Type': 'Residential' }, { skipUnchanged: true });
		expect(same).toMatchObject({ ok: true, action: 'unchanged' });
		expect((await h.counters()).byRoute).toEqual({ 'v2.persons.get': 1 });
		const changed = await c.update('persons', id, { 'Customer Type': 'Commercial' }, { skipUnchanged: true });
		expect(changed).toMatchObject({ ok: true, action: 'updated' });
	});

	test('delete: one DELETE; deleting again is "unchanged", not an error', async () => {
		const c = h.connector();
		const created = await c.create('organizations', { name: 'Acme Plumbing', address: '1 Main St' });
		const id = created.ok ? created.record.id : '';
		expect(await c.delete('organizations', id)).toMatchObject({ ok: true, action: 'deleted', record: { id, deleted: true } });
		expect(await c.delete('organizations', id)).toMatchObject({ ok: true, action: 'unchanged' });
	});

	test('data problems are found before any call: required name, too long, unknown field, bad number', async () => {
		const c = h.connector();
		await c.schema('persons');
		await h.resetCounters();
		const results = await c.write('persons', 'create', [
			{ fields: { emails: 'x@example.com' } },
			{ fields: { name: 'x'.repeat(300) } },
			{ fields: { name: 'Ok', favourite_colour: 'blue' } },
			{ fields: { name: 'Ok', 'Property Count': 'many' } },
			{ fields: { first_name: 'Only', last_name: 'Names' } },
		]);
		expect(results.map((r) => (r.ok ? r.action : r.error.code))).toEqual(['REQUIRED_FIELD_MISSING', 'VALUE_TOO_LONG', 'FIELD_NOT_FOUND', 'INVALID_FORMAT', 'created']);
		expect(results.map((r) => (r.ok ? undefined : r.error.field))).toEqual(['name', 'name', 'favourite_colour', 'Property Count', undefined]);
		expect((await h.counters()).byRoute).toEqual({ 'v2.persons.create': 1 });
		const lenient = await c.create('persons', { name: 'Ok', favourite_colour: 'blue' }, { unknownFields: 'ignore' });
		expect(lenient.ok).toBe(true);
	});
});

describe('upsert: find by match key, then write', () => {
	test('email: search (exact) then POST, next time search then PATCH', async () => {
		const c = h.connector();
		await c.schema('persons');
		await h.resetCounters();
		const first = await c.upsert('persons', { name: 'Fay', emails: 'fay@example.com', 'Customer Type': 'Residential' }, { matchKey: 'email' });
		expect(first).toMatchObject({ ok: true, action: 'created' });
		const second = await c.upsert('persons', { name: 'Fay Jones', emails: 'FAY@example.com' }, { matchKey: 'email' });
		expect(second).toMatchObject({ ok: true, action: 'updated', record: { fields: { name: 'Fay Jones', 'Customer Type': 'Residential' } } });
		expect(second.ok && first.ok && second.record.id).toBe(first.ok && first.record.id);
		expect((await h.counters()).byRoute).toEqual({ 'v2.persons.search': 2, 'v2.persons.create': 1, 'v2.persons.update': 1 });
	});

	test('two candidates → DUPLICATE_RECORD naming both ids; nothing written', async () => {
		const c = h.connector();
		const a = await c.create('persons', { name: 'Dup A', emails: 'same@example.com' });
		const b = await c.create('persons', { name: 'Dup B', emails: [{ value: 'other@example.com' }, { value: 'same@example.com' }] });
		await h.resetCounters();
		const r = await c.upsert('persons', { name: 'Dup C', emails: 'same@example.com' }, { matchKey: 'email' });
		expect(r.ok).toBe(false);
		if (r.ok || !a.ok || !b.ok) return;
		expect(r.error).toMatchObject({ code: 'DUPLICATE_RECORD', category: 'Data', field: 'email', retryable: false });
		expect(r.error.message).toContain(`ids ${a.record.id}, ${b.record.id}`);
		expect((await h.counters()).byRoute).toEqual({ 'v2.persons.search': 1 });
	});

	test('phone after E.164, name, and a custom field as match keys', async () => {
		const c = h.connector();
		const p = await c.create('persons', { name: 'Gus', phones: '(217) 555-0199' });
		const byPhone = await c.upsert('persons', { name: 'Gus G', phones: '+12175550199' }, { matchKey: 'phone' });
		expect(byPhone).toMatchObject({ ok: true, action: 'updated', record: { id: p.ok ? p.record.id : '' } });
		const org = await c.upsert('organizations', { name: 'Northwind HVAC', 'Account Number': 'A-1' }, { matchKey: 'name' });
		const orgAgain = await c.upsert('organizations', { name: 'northwind hvac', 'Account Number': 'A-2' }, { matchKey: 'name' });
		expect(orgAgain).toMatchObject({ ok: true, action: 'updated', record: { id: org.ok ? org.record.id : '', fields: { 'Account Number': 'A-2' } } });
		const deal = await c.upsert('deals', { title: 'Job 1', 'Jobber Job ID': 'J-1', value: 100 }, { matchKey: 'Jobber Job ID' });
		const dealAgain = await c.upsert('deals', { title: 'Job 1 (renamed)', 'Jobber Job ID': 'J-1', value: 150 }, { matchKey: 'Jobber Job ID' });
		expect(deal).toMatchObject({ ok: true, action: 'created' });
		expect(dealAgain).toMatchObject({ ok: true, action: 'updated', record: { id: deal.ok ? deal.record.id : '', fields: { title: 'Job 1 (renamed)', value: 150 } } });
	});

	test('a record without the match value fails (or is created when asked); re-running is idempotent', async () => {
		const c = h.connector();
		const none = await c.upsert('persons', { name: 'No Mail' }, { matchKey: 'email' });
		expect(none).toMatchObject({ ok: false, error: { code: 'REQUIRED_FIELD_MISSING', field: 'email' } });
		expect(await c.upsert('persons', { name: 'No Mail' }, { matchKey: 'email', missingMatchValue: 'create' })).toMatchObject({ ok: true, action: 'created' });
		const batch = Array.from({ length: 5 }, (_, i) => ({ fields: { name: `P${i}`, emails: `p${i}@example.com` } }));
		const run1 = await c.write('persons', 'upsert', batch, { matchKey: 'email', concurrency: 3 });
		const run2 = await c.write('persons', 'upsert', batch, { matchKey: 'email', concurrency: 3, skipUnchanged: true });
		expect(run1.map((r) => r.ok && r.action)).toEqual(Array(5).fill('created'));
		expect(run2.map((r) => r.ok && r.action)).toEqual(Array(5).fill('unchanged'));
		const all = await c.getMany('persons');
		expect(all).toHaveLength(6);
	});

	test('the same match value twice in one batch: created once, then updated (no duplicate, even in parallel)', async () => {
		const c = h.connector();
		const results = await c.write(
			'persons',
			'upsert',
			[
				{ fields: { name: 'Hal', emails: 'hal@example.com' } },
				{ fields: { name: 'Hal Two', emails: 'HAL@example.com' } },
				{ fields: { name: 'Ivy', emails: 'ivy@example.com' } },
			],
			{ matchKey: 'email', concurrency: 3 },
		);
		expect(results.map((r) => r.ok && r.action)).toEqual(['created', 'updated', 'created']);
		expect((await c.getMany('persons')).map((p) => p.fields.name).sort()).toEqual(['Hal Two', 'Ivy']);
	});
});

describe('upsert of a large batch: every record read once instead of one search each', () => {
	test('150 upserts over 1,200 persons: 3 list calls, no search, then one write per record', async () => {
		await h.admin('POST', '/_sandbox/seed', { object: 'persons', count: 1200 });
		const c = h.connector();
		const existing = (await c.getMany('persons', { limit: 100 })).map((p) => (p.fields.emails as Array<{ value: string }>)[0]?.value).filter(Boolean);
		const inputs = [
			...existing.map((email, i) => ({ fields: { emails: email.toUpperCase(), job_title: `Synced ${i}` } })),
			...Array.from({ length: 150 - existing.length }, (_, i) => ({ fields: { name: `New ${i}`, emails: `new${i}@example.com` } })),
		];
		await h.resetCounters();
		const tokensBefore = c.transport.stats.tokens;
		const results = await c.write('persons', 'upsert', inputs, { matchKey: 'email', concurrency: 4 });
		expect(results.filter((r) => r.ok && r.action === 'updated')).toHaveLength(existing.length);
		expect(results.filter((r) => r.ok && r.action === 'created')).toHaveLength(150 - existing.length);
		const counters = await h.counters();
		expect(counters.byRoute['v2.persons.search']).toBeUndefined();
		expect(counters.byRoute['v2.persons.list']).toBe(3);
		expect(counters.byRoute['v2.persons.update'] + counters.byRoute['v2.persons.create']).toBe(150);
		// 3 × 10 + 150 × 5 tokens, against 150 × 25 with a search per record.
		expect(c.transport.stats.tokens - tokensBefore).toBe(3 * 10 + 150 * 5);
	});

	test('the index finds duplicates, phones in E.164 and custom keys just as search does', async () => {
		const c = h.connector();
		await c.create('persons', { name: 'Dup 1', emails: 'dup@example.com', phones: '(217) 555-0111', 'Jobber Client ID': 'JC-1' });
		await c.create('persons', { name: 'Dup 2', emails: 'DUP@example.com' });
		const byEmail = await c.write('persons', 'upsert', [{ fields: { name: 'X', emails: 'dup@example.com' } }], { matchKey: 'email', matchLookup: 'index' });
		expect(byEmail[0]).toMatchObject({ ok: false, error: { code: 'DUPLICATE_RECORD' } });
		const byPhone = await c.write('persons', 'upsert', [{ fields: { name: 'By Phone', phones: '+1 217-555-0111' } }], { matchKey: 'phone', matchLookup: 'index' });
		expect(byPhone[0]).toMatchObject({ ok: true, action: 'updated', record: { fields: { name: 'By Phone' } } });
		await h.resetCounters();
		const byCustom = await c.write('persons', 'upsert', [{ fields: { name: 'By Key', 'Jobber Client ID': 'jc-1' } }, { fields: { name: 'Other', 'Jobber Client ID': 'JC-2' } }], {
			matchKey: 'Jobber Client ID',
			matchLookup: 'index',
		});
		expect(byCustom.map((r) => r.ok && r.action)).toEqual(['updated', 'created']);
		expect((await h.counters()).byRoute).toEqual({ 'v2.persons.list': 1, 'v2.persons.update': 1, 'v2.persons.create': 1 });
	});
});

describe('many records: one request each, a result per record', () => {
	test('a bad record never fails its batch-mates; results keep input order', async () => {
		const c = h.connector();
		const inputs = [
			{ fields: { name: 'A1', emails: 'a1@example.com' } },
			{ fields: { name: 'A2', owner_id: 424242 } },
			{ fields: { name: 'A3', 'Customer Type': 'nope' } },
			{ fields: { name: 'A4' } },
		];
		const results = await c.write('persons', 'create', inputs, { concurrency: 4 });
		expect(results.map((r) => r.index)).toEqual([0, 1, 2, 3]);
		expect(results.map((r) => (r.ok ? r.action : r.error.code))).toEqual(['created', 'INVALID_FORMAT', 'INVALID_FORMAT', 'created']);
		const vendorSide = results[1];
		expect(!vendorSide.ok && vendorSide.error).toMatchObject({ field: 'owner_id', vendor: { status: 400 }, value: 424242 });
		expect((await c.getMany('persons')).length).toBe(2);
	});
});
