/** Writes: create, update, upsert by external id (201/200/300), delete, and batch writes through sObject Collections. */
import type { WriteResult } from '../../../connectors/core/types';
import { startSalesforce, type SfEnv } from './helpers';

let sf: SfEnv;
beforeAll(async () => {
	sf = await startSalesforce({ dailyApiLimit: 1_000_000 });
});
afterAll(() => sf.close());
beforeEach(() => sf.reset());

const records = (object: string) => sf.admin<any[]>('GET', `/_sandbox/records/${object}`);
const okId = (r: WriteResult) => (r.ok ? r.record.id : `failed: ${r.error.code} ${r.error.message}`);

describe('single-record writes', () => {
	it('create → 201 and an envelope of what was written; update → 204; delete → 204, then idempotent', async () => {
		const c = sf.connector();
		await sf.resetCounters();
		const created = await c.create('Contact', { LastName: 'Dyer', FirstName: 'Siena', Email: 'siena@example.com', Id: 'ignored', attributes: { type: 'Contact' } });
		expect(created).toMatchObject({ ok: true, action: 'created', record: { system: 'salesforce', object: 'Contact', fields: { LastName: 'Dyer', Email: 'siena@example.com' } } });
		const id = okId(created);
		expect(id).toMatch(/^003/);
		const updated = await c.update('Contact', id, { Title: 'Dispatcher' });
		expect(updated).toMatchObject({ ok: true, action: 'updated', record: { id, fields: { Title: 'Dispatcher', Id: id } } });
		expect((await c.get('Contact', id)).fields).toMatchObject({ Title: 'Dispatcher', LastName: 'Dyer' });
		const deleted = await c.delete('Contact', id);
		expect(deleted).toMatchObject({ ok: true, action: 'deleted', record: { id, deleted: true } });
		expect(await c.delete('Contact', id)).toMatchObject({ ok: true, action: 'deleted' });
		const counters = await sf.counters();
		expect(counters.byRoute).toMatchObject({ 'sobjects.create': 1, 'sobjects.update': 1, 'sobjects.get': 1, 'sobjects.delete': 2 });
	});

	it('readBack returns the server state (derived Name, exact SystemModstamp) for one more call', async () => {
		const c = sf.connector();
		const r = await c.create('Contact', { LastName: 'Lee', FirstName: 'Ann' }, { readBack: true });
		expect(r).toMatchObject({ ok: true, record: { fields: { Name: 'Ann Lee', IsDeleted: false } } });
		if (r.ok) expect(r.record.updatedAt).toBe(new Date(Date.parse(String(r.record.fields.SystemModstamp).replace('+0000', 'Z'))).toISOString());
	});

	it('update of a missing record fails naming Id, or creates it with createIfMissing', async () => {
		const c = sf.connector();
		const a = await c.create('Contact', { LastName: 'Short lived' });
		await c.delete('Contact', okId(a));
		const failed = await c.update('Contact', okId(a), { LastName: 'Back' });
		expect(failed).toMatchObject({ ok: false, error: { code: 'FIELD_NOT_FOUND', field: 'Id', vendor: { code: 'ENTITY_IS_DELETED' } } });
		const revived = await c.update('Contact', okId(a), { LastName: 'Back' }, { createIfMissing: true });
		expect(revived).toMatchObject({ ok: true, action: 'created' });
		expect(okId(revived)).not.toBe(okId(a));
		const never = await c.update('Contact', '003ak000000zzzzAAA', { LastName: 'Nope' });
		expect(never).toMatchObject({ ok: false, error: { code: 'FIELD_NOT_FOUND', field: 'Id', vendor: { code: 'NOT_FOUND', status: 404 } } });
	});

	it('upsert by external id: 201 created, 200 updated, 300 multiple matches → DUPLICATE_RECORD (nothing written)', async () => {
		const c = sf.connector();
		const first = await c.upsert('Contact', 'Ext_Id__c', 'HS-1', { LastName: 'Ng', Ext_Id__c: 'HS-1', Id: 'x' });
		expect(first).toMatchObject({ ok: true, action: 'created', record: { fields: { LastName: 'Ng', Ext_Id__c: 'HS-1' } } });
		const second = await c.upsert('Contact', 'Ext_Id__c', 'HS-1', { LastName: 'Ng-Lee' });
		expect(second).toMatchObject({ ok: true, action: 'updated' });
		expect(okId(second)).toBe(okId(first));
		const requests = await sf.admin<any[]>('GET', '/_sandbox/requests?route=sobjects.upsert');
		expect(requests.map((r) => r.status)).toEqual([201, 200]);

		// Legacy_Id__c is an external id without uniqueness: two records can share a value.
		await c.create('Contact', { LastName: 'Twin A', Legacy_Id__c: 'L-9' });
		await c.create('Contact', { LastName: 'Twin B', Legacy_Id__c: 'L-9' });
		const before = (await records('Contact')).length;
		const multi = await c.upsert('Contact', 'Legacy_Id__c', 'L-9', { Title: 'Which one?' });
		expect(multi).toMatchObject({ ok: false, error: { code: 'DUPLICATE_RECORD', category: 'Data', field: 'Legacy_Id__c', value: 'L-9', vendor: { status: 300 } } });
		expect(multi.ok ? '' : multi.error.message).toMatch(/2 Contact records have Legacy_Id__c = "L-9" \(003/);
		expect((await records('Contact')).length).toBe(before);
		expect((await records('Contact')).some((r) => r.Title === 'Which one?')).toBe(false);
	});

	it('upsert values are path-encoded; a value with a slash goes through the Collections form', async () => {
		const c = sf.connector();
		const spaced = await c.upsert('Contact', 'Ext_Id__c', 'A B?#&', { LastName: 'Odd' });
		expect(spaced).toMatchObject({ ok: true, action: 'created', record: { fields: { Ext_Id__c: 'A B?#&' } } });
		await sf.resetCounters();
		const slash = await c.upsert('Contact', 'Ext_Id__c', 'ACME/42', { LastName: 'Slash' });
		expect(slash).toMatchObject({ ok: true, action: 'created' });
		expect((await sf.counters()).byRoute).toEqual({ 'composite.sobjects.upsert': 1 });
		expect((await c.upsert('Contact', 'Ext_Id__c', 'ACME/42', { LastName: 'Slash 2' }))).toMatchObject({ ok: true, action: 'updated' });
	});

	it('upsert on an unknown external-id field is FIELD_NOT_FOUND naming the field', async () => {
		const r = await sf.connector().upsert('Contact', 'Hubspot_Id__c', '1', { LastName: 'X' });
		expect(r).toMatchObject({ ok: false, error: { code: 'FIELD_NOT_FOUND', field: 'Hubspot_Id__c' } });
	});
});

describe('batch writes through sObject Collections', () => {
	it('450 creates use 3 calls (200 + 200 + 50); results in input order', async () => {
		const c = sf.connector();
		await sf.resetCounters();
		const inputs = Array.from({ length: 450 }, (_, i) => ({ fields: { LastName: `Bulk ${i}`, Ext_Id__c: `B-${i}` } }));
		const results = await c.batch('create', 'Contact', inputs);
		expect(results).toHaveLength(450);
		expect(results.every((r, i) => r.ok && r.index === i && r.action === 'created' && r.record.fields.LastName === `Bulk ${i}`)).toBe(true);
		const counters = await sf.counters();
		expect(counters.total).toBe(3);
		expect(counters.byRoute).toEqual({ 'composite.sobjects.create': 3 });
		const stored = await records('Contact');
		expect(stored).toHaveLength(450);
		const byExt = new Map(stored.map((r) => [r.Ext_Id__c, r.Id]));
		results.forEach((r, i) => expect(r.ok && r.record.id).toBe(byExt.get(`B-${i}`)));
	});

	it('a mix of good and bad records: per-record results in order with the right codes; good ones are written', async () => {
		const c = sf.connector();
		await c.create('Contact', { LastName: 'Existing', Ext_Id__c: 'TAKEN' });
		await sf.resetCounters();
		const inputs = [
			{ fields: { LastName: 'Good 1' } },
			{ fields: { FirstName: 'No last name' } },
			{ fields: { LastName: 'x'.repeat(81) } },
			{ fields: { LastName: 'Bad email', Email: 'bob@@example' } },
			{ fields: { LastName: 'Dup ext', Ext_Id__c: 'TAKEN' } },
			{ fields: { LastName: 'Bad pick', LeadSource: 'Carrier pigeon' } },
			{ fields: { LastName: 'Good 2', Email: 'good2@example.com' } },
		];
		const results = await c.batch('create', 'Contact', inputs);
		expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'REQUIRED_FIELD_MISSING', 'VALUE_TOO_LONG', 'INVALID_EMAIL', 'DUPLICATE_RECORD', 'ok', 'ok']);
		const [, missing, long, email, dup] = results;
		expect(missing).toMatchObject({ ok: false, index: 1, error: { field: 'LastName', category: 'Data', retryable: false, vendor: { code: 'REQUIRED_FIELD_MISSING' } }, input: inputs[1] });
		expect(long).toMatchObject({ error: { field: 'LastName', value: 'x'.repeat(81), vendor: { code: 'STRING_TOO_LONG' } } });
		expect(email).toMatchObject({ error: { field: 'Email', value: 'bob@@example', vendor: { code: 'INVALID_EMAIL_ADDRESS' } } });
		expect(dup).toMatchObject({ error: { vendor: { code: 'DUPLICATE_VALUE' } } });
		// An unrestricted picklist takes any value, as on a real org.
		expect((await sf.counters()).total).toBe(1);
		expect((await records('Contact')).map((r) => r.LastName).sort()).toEqual(['Bad pick', 'Existing', 'Good 1', 'Good 2']);
	});

	it('an unknown field refuses the whole call: its records fail with FIELD_NOT_FOUND, the others are sent again and written', async () => {
		const c = sf.connector();
		await sf.resetCounters();
		const inputs = Array.from({ length: 10 }, (_, i) => ({ fields: { LastName: `R${i}`, ...(i % 4 === 1 ? { Favourite_Colour__c: 'teal' } : {}) } }));
		const results = await c.batch('create', 'Contact', inputs);
		expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'FIELD_NOT_FOUND', 'ok', 'ok', 'ok', 'FIELD_NOT_FOUND', 'ok', 'ok', 'ok', 'FIELD_NOT_FOUND']);
		expect(results[1]).toMatchObject({ ok: false, error: { field: 'Favourite_Colour__c', category: 'Mapping', vendor: { code: 'INVALID_FIELD' } } });
		expect((await sf.counters()).total).toBe(2);
		expect(await records('Contact')).toHaveLength(7);
	});

	it('a value that cannot be read refuses the whole call: halving isolates the record, batch-mates are written', async () => {
		const c = sf.connector();
		await sf.resetCounters();
		const inputs = Array.from({ length: 16 }, (_, i) => ({ fields: { Name: `Acme ${i}`, NumberOfEmployees: i === 11 ? 'lots' : i } }));
		const results = await c.batch('create', 'Account', inputs);
		expect(results.filter((r) => r.ok)).toHaveLength(15);
		expect(results[11]).toMatchObject({ ok: false, error: { code: 'INVALID_FORMAT', vendor: { code: 'JSON_PARSER_ERROR' } } });
		// 1 refused call + 2 per level of halving (16 → 8 → 4 → 2 → 1).
		expect((await sf.counters()).total).toBe(9);
		expect(await records('Account')).toHaveLength(15);
	});

	it('upsert collections by external id: created/updated per record; a key repeated in the input is applied in order', async () => {
		const c = sf.connector();
		await c.create('Contact', { LastName: 'Before', Ext_Id__c: 'U-1' });
		await sf.resetCounters();
		const results = await c.batch(
			'upsert',
			'Contact',
			[
				{ fields: { LastName: 'After', Ext_Id__c: 'U-1' } },
				{ fields: { LastName: 'New', Ext_Id__c: 'U-2' } },
				{ fields: { LastName: 'No key' } },
				{ fields: { LastName: 'New again', Ext_Id__c: 'u-2' } },
				{ id: 'U-3', fields: { LastName: 'Key from id' } },
			],
			{ externalIdField: 'Ext_Id__c' },
		);
		expect(results.map((r) => (r.ok ? r.action : r.error.code))).toEqual(['updated', 'created', 'REQUIRED_FIELD_MISSING', 'updated', 'created']);
		expect(results[2]).toMatchObject({ error: { field: 'Ext_Id__c' } });
		// The repeat goes into a second call so Salesforce does not reject both as DUPLICATE_EXTERNAL_ID.
		expect((await sf.counters()).byRoute).toEqual({ 'composite.sobjects.upsert': 2 });
		const stored = await records('Contact');
		expect(stored.find((r) => r.Ext_Id__c === 'U-2').LastName).toBe('New again');
		expect(stored.find((r) => r.Ext_Id__c === 'U-3').LastName).toBe('Key from id');
		expect(okId(results[1])).toBe(okId(results[3]));
	});

	it('upsert collections on a non-unique external id that matches twice → DUPLICATE_RECORD for that record only', async () => {
		const c = sf.connector();
		await c.batch('create', 'Contact', [{ fields: { LastName: 'A', Legacy_Id__c: 'L-1' } }, { fields: { LastName: 'B', Legacy_Id__c: 'L-1' } }]);
		const results = await c.batch('upsert', 'Contact', [{ fields: { Legacy_Id__c: 'L-1', Title: 'x' } }, { fields: { Legacy_Id__c: 'L-2', LastName: 'C' } }], { externalIdField: 'Legacy_Id__c' });
		expect(results.map((r) => (r.ok ? r.action : r.error.code))).toEqual(['DUPLICATE_RECORD', 'created']);
		expect(results[0]).toMatchObject({ error: { vendor: { code: 'DUPLICATE_EXTERNAL_ID' } } });
	});

	it('update and delete collections: missing ids and malformed ids fail alone; deleted targets can be recreated', async () => {
		const c = sf.connector();
		const made = await c.batch('create', 'Contact', Array.from({ length: 5 }, (_, i) => ({ fields: { LastName: `U${i}` } })));
		const ids = made.map(okId);
		await c.delete('Contact', ids[4]);
		await sf.resetCounters();
		const results = await c.batch('update', 'Contact', [
			{ id: ids[0], fields: { Title: 'T0' } },
			{ fields: { Id: ids[1], Title: 'T1' } },
			{ fields: { Title: 'no id' } },
			{ id: 'not-an-id', fields: { Title: 'bad' } },
			{ id: ids[2], fields: { Email: 'nope' } },
			{ id: ids[4], fields: { LastName: 'U4', Title: 'T4' } },
			{ id: '003ak000009zzzzAAA', fields: { Title: 'ghost' } },
		]);
		expect(results.map((r) => (r.ok ? r.action : r.error.code))).toEqual(['updated', 'updated', 'REQUIRED_FIELD_MISSING', 'INVALID_FORMAT', 'INVALID_EMAIL', 'FIELD_NOT_FOUND', 'FIELD_NOT_FOUND']);
		expect(results[5]).toMatchObject({ error: { field: 'Id', vendor: { code: 'ENTITY_IS_DELETED' } } });
		expect(results[6]).toMatchObject({ error: { field: 'Id', vendor: { code: 'INVALID_CROSS_REFERENCE_KEY' } } });
		// INVALID_CROSS_REFERENCE_KEY is ambiguous (missing target or bad lookup): one queryAll settles it.
		expect((await sf.counters()).byRoute).toEqual({ 'composite.sobjects.update': 1, queryAll: 1 });

		const again = await c.batch('update', 'Contact', [{ id: ids[4], fields: { LastName: 'U4', Title: 'T4' } }, { id: ids[3], fields: { AccountId: '001ak000009zzzzAAA' } }], { createIfMissing: true });
		expect(again.map((r) => (r.ok ? r.action : r.error.code))).toEqual(['created', 'INVALID_FORMAT']);
		expect(again[1]).toMatchObject({ error: { message: expect.stringMatching(/lookup field .* points to a record that does not exist/) } });
		expect(okId(again[0])).not.toBe(ids[4]);

		const del = await c.batch('delete', 'Contact', [{ id: ids[0], fields: {} }, { id: ids[4], fields: {} }, { id: '003ak000009zzzzAAA', fields: {} }, { fields: { Id: ids[1] } }]);
		expect(del.map((r) => (r.ok ? r.action : r.error.code))).toEqual(['deleted', 'deleted', 'FIELD_NOT_FOUND', 'deleted']);
	});

	it('UNABLE_TO_LOCK_ROW per record is sent again a moment later and succeeds', async () => {
		const c = sf.connector();
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { lockRows: 2 });
		await sf.resetCounters();
		const results = await c.batch('create', 'Contact', Array.from({ length: 5 }, (_, i) => ({ fields: { LastName: `L${i}` } })));
		expect(results.every((r) => r.ok)).toBe(true);
		expect((await sf.counters()).total).toBe(2);
		expect(await records('Contact')).toHaveLength(5);
	});

	it('readBack reads written records back in one collection call per 200', async () => {
		const c = sf.connector();
		await c.describe('Contact');
		await sf.resetCounters();
		const results = await c.batch('upsert', 'Contact', Array.from({ length: 250 }, (_, i) => ({ fields: { Ext_Id__c: `R-${i}`, LastName: `Read ${i}`, FirstName: 'X' } })), { externalIdField: 'Ext_Id__c', readBack: true });
		expect(results.every((r) => r.ok && r.record.fields.Name === `X Read ${r.index}`)).toBe(true);
		expect((await sf.counters()).byRoute).toEqual({ 'composite.sobjects.upsert': 2, 'composite.sobjects.read': 2 });
	});

	it('duplicate rules: DUPLICATES_DETECTED → DUPLICATE_RECORD; allowSave bypasses an alert rule', async () => {
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { duplicateRule: 'alert' });
		const c = sf.connector();
		await c.create('Contact', { LastName: 'Dupe', Email: 'dupe@example.com' });
		const blocked = await c.batch('create', 'Contact', [{ fields: { LastName: 'Dupe 2', Email: 'dupe@example.com' } }]);
		expect(blocked[0]).toMatchObject({ ok: false, error: { code: 'DUPLICATE_RECORD', vendor: { code: 'DUPLICATES_DETECTED' } } });
		const single = await c.create('Contact', { LastName: 'Dupe 3', Email: 'dupe@example.com' });
		expect(single).toMatchObject({ ok: false, error: { code: 'DUPLICATE_RECORD' } });
		const allowed = await c.batch('create', 'Contact', [{ fields: { LastName: 'Dupe 2', Email: 'dupe@example.com' } }], { allowDuplicateSave: true });
		expect(allowed[0].ok).toBe(true);
	});
});
