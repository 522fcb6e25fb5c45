/** Batch writes: ≤100 per call, per-record results in input order, bad records never failing their batch-mates. */
import type { HubSpotWriteResult } from '../../../connectors/hubspot';
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

const contact = (i: number, extra: Record<string, unknown> = {}) => ({ fields: { email: `person${i}@example.com`, firstname: `P${i}`, lastname: 'Batch', ...extra } });
const codes = (results: HubSpotWriteResult[]) => results.map((r) => (r.ok ? r.action : r.error.code));

describe('upsert', () => {
	test('450 upserts use 5 calls; created the first time, updated the second; every result in input order', async () => {
		const hs = sb.connector();
		const inputs = Array.from({ length: 450 }, (_, i) => contact(i));
		const first = await hs.upsert('contacts', inputs);
		expect(sb.calls('contacts.batch.upsert')).toBe(5);
		expect(sb.calls()).toBe(5);
		expect(first.map((r) => r.index)).toEqual(inputs.map((_, i) => i));
		expect(first.every((r) => r.ok && r.action === 'created')).toBe(true);
		expect(first.map((r) => (r.ok ? r.record.fields.email : null))).toEqual(inputs.map((i) => i.fields.email));
		expect(liveRecords(sb, 'contacts')).toHaveLength(450);

		sb.resetCounters();
		const changed = inputs.map((c, i) => (i % 2 ? { fields: { ...c.fields, email: String(c.fields.email).toUpperCase(), lastname: 'Again' } } : c));
		const second = await hs.upsert('contacts', changed);
		expect(sb.calls()).toBe(5);
		expect(second.every((r) => r.ok && r.action === 'updated')).toBe(true);
		expect(liveRecords(sb, 'contacts')).toHaveLength(450);
		expect(liveRecords(sb, 'contacts').filter((r) => r.properties.lastname === 'Again')).toHaveLength(225);
		// Same ids as the first run: nothing duplicated.
		expect(second.map((r) => (r.ok ? r.record.id : ''))).toEqual(first.map((r) => (r.ok ? r.record.id : '')));
	});

	test('a mix of good and bad records: the bad ones fail with their own codes, the good ones are written', async () => {
		const hs = sb.connector();
		const inputs = [
			contact(0),
			contact(1, { email: 'not-an-email' }),
			contact(2),
			contact(3, { lifecyclestage: 'Customer' }),
			contact(8, { lifecyclestage: 'customer' }),
			contact(4, { shoe_size: '44' }),
			{ fields: { firstname: 'No email' } },
			contact(6, { hs_object_source_label: 'x' }),
			contact(7),
		];
		const results = await hs.upsert('contacts', inputs);
		// "Customer" is not an option value, "customer" is: only the first fails.
		expect(codes(results)).toEqual(['created', 'INVALID_EMAIL', 'created', 'INVALID_FORMAT', 'created', 'FIELD_NOT_FOUND', 'REQUIRED_FIELD_MISSING', 'FIELD_NOT_FOUND', 'created']);
		const bad = results.filter((r): r is Extract<HubSpotWriteResult, { ok: false }> => !r.ok);
		expect(bad.map((r) => [r.index, r.error.field, r.error.value])).toEqual([
			[1, 'email', 'not-an-email'],
			[3, 'lifecyclestage', 'Customer'],
			[5, 'shoe_size', '44'],
			[6, 'email', undefined],
			[7, 'hs_object_source_label', 'x'],
		]);
		expect(bad[0].input).toBe(inputs[1]);
		expect(liveRecords(sb, 'contacts').map((r) => r.properties.email).sort()).toEqual(['person0@example.com', 'person2@example.com', 'person7@example.com', 'person8@example.com']);
		// One rejected call, then the rest sent again.
		expect(sb.calls('contacts.batch.upsert')).toBe(2);
	});

	test('the same email twice in one input list goes in a later call, so HubSpot never sees duplicate ids', async () => {
		const hs = sb.connector();
		const results = await hs.upsert('contacts', [contact(1), { fields: { email: 'PERSON1@example.com', lastname: 'Second' } }, contact(2)]);
		expect(codes(results)).toEqual(['created', 'updated', 'created']);
		expect(sb.calls('contacts.batch.upsert')).toBe(2);
		expect(liveRecords(sb, 'contacts').find((r) => r.properties.email === 'person1@example.com')?.properties.lastname).toBe('Second');
	});

	test('upsert by a custom unique property; a conflict on email is a Duplicate Record with the existing id', async () => {
		const created = await sb.raw('POST', '/crm/v3/properties/contacts', { name: 'external_id', label: 'External ID', type: 'string', fieldType: 'text', groupName: 'contactinformation', hasUniqueValue: true });
		expect(created.status).toBe(201);
		const hs = sb.connector();
		const owner = await hs.create('contacts', { email: 'taken@example.com' });
		if (!owner.ok) throw new Error('setup failed');
		const results = await hs.upsert(
			'contacts',
			[
				{ fields: { external_id: 'J-1', email: 'j1@example.com' } },
				{ fields: { external_id: 'J-2', email: 'taken@example.com' } },
			],
			{ matchKey: 'external_id' },
		);
		expect(codes(results)).toEqual(['created', 'DUPLICATE_RECORD']);
		const dup = results[1];
		if (dup.ok) return;
		expect(dup.existingId).toBe(owner.record.id);
		expect(dup.error.record?.id).toBe(owner.record.id);
	});
});

describe('create, update and archive in batches', () => {
	test('batch create with objectWriteTraceId: each duplicate reported per input with its existing id', async () => {
		const hs = sb.connector();
		const existing = await hs.create('contacts', { email: 'person3@example.com' });
		if (!existing.ok) throw new Error('setup failed');
		const inputs = Array.from({ length: 150 }, (_, i) => contact(i));
		const results = await hs.write('contacts', 'create', inputs);
		expect(sb.calls('contacts.batch.create')).toBe(2);
		expect(results.filter((r) => r.ok)).toHaveLength(149);
		expect(results[3]).toMatchObject({ ok: false, existingId: existing.record.id, error: { code: 'DUPLICATE_RECORD', field: 'email', value: 'person3@example.com' } });
		expect(results.map((r) => r.index)).toEqual(inputs.map((_, i) => i));
	});

	test('batch update: a missing id fails alone; an invalid value fails alone; Create if missing creates the gone one', async () => {
		const hs = sb.connector();
		const made = await hs.write('companies', 'create', [{ fields: { name: 'A' } }, { fields: { name: 'B' } }, { fields: { name: 'C' } }]);
		const ids = made.map((r) => (r.ok ? r.record.id : ''));
		const updates = [
			{ id: ids[0], fields: { name: 'A2' } },
			{ id: '29000099999', fields: { name: 'Ghost' } },
			{ id: ids[1], fields: { numberofemployees: 'many' } },
			{ id: ids[2], fields: { name: 'C2' } },
			{ fields: { name: 'no id' } },
		];
		const results = await hs.write('companies', 'update', updates);
		expect(codes(results)).toEqual(['updated', 'FIELD_NOT_FOUND', 'INVALID_FORMAT', 'updated', 'REQUIRED_FIELD_MISSING']);
		expect(results[1]).toMatchObject({ ok: false, error: { record: { id: '29000099999' }, vendor: { code: 'OBJECT_NOT_FOUND' } } });
		expect(results[2]).toMatchObject({ ok: false, error: { field: 'numberofemployees', value: 'many', vendor: { code: 'INVALID_LONG' } } });
		const again = await hs.write('companies', 'update', [{ id: '29000099999', fields: { name: 'Ghost' } }, { id: ids[0], fields: { name: 'A3' } }], { createIfMissing: true });
		expect(codes(again)).toEqual(['created', 'updated']);
		expect(liveRecords(sb, 'companies').map((r) => r.properties.name).sort()).toEqual(['A3', 'B', 'C2', 'Ghost']);
	});

	test('values HubSpot names by length only, and problems it does not pin to a value, are isolated (halving when needed)', async () => {
		const hs = sb.connector();
		// A too-long name is named by its length; a bad number by its value.
		const inputs = Array.from({ length: 8 }, (_, i) => ({ fields: { dealname: i === 5 ? 'x'.repeat(70_000) : `Deal ${i}`, amount: i === 2 ? 'abc' : '100' } }));
		const results = await hs.write('deals', 'create', inputs);
		expect(codes(results)).toEqual(['created', 'created', 'INVALID_FORMAT', 'created', 'created', 'VALUE_TOO_LONG', 'created', 'created']);
		expect(sb.calls('deals.batch.create')).toBe(2);
		// An object where a string belongs: HubSpot's message quotes no value, every input sends `description`.
		sb.resetCounters();
		const typed = Array.from({ length: 8 }, (_, i) => ({ fields: { dealname: `T${i}`, description: i === 6 ? { rich: 'text' } : 'plain' } }));
		const halved = await hs.write('deals', 'create', typed);
		expect(codes(halved)).toEqual(['created', 'created', 'created', 'created', 'created', 'created', 'INVALID_FORMAT', 'created']);
		expect(halved[6]).toMatchObject({ ok: false, error: { field: 'description', vendor: { code: 'INVALID_TYPE' } } });
		// 8 (rejected) → 4 ok + 4 (rejected) → 2 ok + 2 (rejected) → 1 rejected + 1 ok: 7 calls, log2(n) extra pairs.
		expect(sb.calls('deals.batch.create')).toBe(7);
		expect(liveRecords(sb, 'deals')).toHaveLength(13);
	});

	test('batch archive: 250 ids in 3 calls, every one reported deleted; unknown ids too (idempotent)', async () => {
		const hs = sb.connector();
		const made = await hs.write('deals', 'create', Array.from({ length: 249 }, (_, i) => ({ fields: { dealname: `D${i}` } })));
		sb.resetCounters();
		const ids = made.map((r) => (r.ok ? r.record.id : ''));
		const results = await hs.write('deals', 'archive', [...ids.map((id) => ({ id, fields: {} })), { id: '999', fields: {} }]);
		expect(sb.calls('deals.batch.archive')).toBe(3);
		expect(results.every((r) => r.ok && r.action === 'deleted')).toBe(true);
		expect(liveRecords(sb, 'deals')).toHaveLength(0);
	});

	test('inline associations on batch create', async () => {
		const hs = sb.connector();
		const company = await hs.create('companies', { name: 'Linked' });
		if (!company.ok) throw new Error('setup failed');
		const results = await hs.write('deals', 'create', [{ fields: { dealname: 'With company' } }], {
			associations: () => [{ to: { id: company.record.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 341 }] }],
		});
		if (!results[0].ok) throw new Error('create failed');
		expect((await hs.get('deals', results[0].record.id, { links: ['companies'] })).links).toEqual({ companies: [company.record.id] });
	});
});
