/** sObject CRUD, upsert by external id, validation from metadata, collections, composite, replication, describe. */
import { startSf, raw, type Sf } from './helpers';
import { normalizeId, to18 } from '../../../sandbox/salesforce/ids';

describe('Salesforce REST API', () => {
	let sf: Sf;
	beforeAll(async () => {
		sf = await startSf();
	});
	afterAll(() => sf.close());
	beforeEach(async () => {
		await sf.admin('POST', '/_sandbox/reset');
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { duplicateRule: false });
	});

	it('lists versions without auth and answers unknown versions with NOT_FOUND', async () => {
		const versions = await raw(`${sf.url}/services/data/`);
		expect(versions.status).toBe(200);
		expect(versions.body[0]).toEqual({ label: "Summer '14", url: '/services/data/v31.0', version: '31.0' });
		expect(versions.body.find((v: any) => v.version === '60.0').label).toBe("Spring '24");
		expect(versions.headers.get('sforce-limit-info')).toBeNull();
		const old = await sf.call('GET', '/services/data/v29.0/sobjects');
		expect(old.status).toBe(404);
		expect((await sf.call('GET', '/services/data/v60.0/sobjects')).status).toBe(200);
	});

	it('ids are 18 chars with key prefix and a valid case-safe checksum', async () => {
		const r = await sf.call('POST', '/sobjects/Contact', { LastName: 'Dyer' });
		const id: string = r.body.id;
		expect(id).toMatch(/^003[A-Za-z0-9]{15}$/);
		expect(to18(id.slice(0, 15))).toBe(id);
		expect(normalizeId(id.toLowerCase())).toBe(id);
		expect(normalizeId('003ak000003dQCG')).toBe('003ak000003dQCGAA2');
		const job = await sf.call('POST', '/sobjects/Service_Job__c', { Ext_Id__c: 'J-1' });
		expect(job.body.id).toMatch(/^a0X/);
		// A 15-char id works in the URL as well.
		expect((await sf.get(`/sobjects/Contact/${id.slice(0, 15)}`)).body.Id).toBe(id);
	});

	it('create 201 → get 200 with attributes and audit fields → patch 204 → delete 204 → 404 ENTITY_IS_DELETED', async () => {
		const c = await sf.call('POST', '/sobjects/Contact', { FirstName: 'Siena', LastName: 'Dyer', Email: 'siena@example.com', MailingCity: 'Austin' });
		expect(c.status).toBe(201);
		expect(c.body).toEqual({ id: expect.any(String), success: true, errors: [] });
		expect(c.headers.get('location')).toBe(`/services/data/${sf.v}/sobjects/Contact/${c.body.id}`);
		const g = await sf.get(`/sobjects/Contact/${c.body.id}`);
		expect(g.status).toBe(200);
		expect(g.body.attributes).toEqual({ type: 'Contact', url: `/services/data/${sf.v}/sobjects/Contact/${c.body.id}` });
		for (const k of ['Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp', 'IsDeleted', 'OwnerId', 'LastModifiedById']) expect(g.body).toHaveProperty(k);
		expect(g.body.CreatedDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.000\+0000$/);
		expect(g.body.Name).toBe('Siena Dyer');
		expect(g.body.MailingAddress).toEqual({ city: 'Austin', country: null, geocodeAccuracy: null, latitude: null, longitude: null, postalCode: null, state: null, street: null });
		expect(g.body.LastModifiedById).toBe(sf.info.integrationUserId);
		const f = await sf.get(`/sobjects/Contact/${c.body.id}?fields=Id,Email`);
		expect(Object.keys(f.body)).toEqual(['attributes', 'Id', 'Email']);
		const p = await sf.call('PATCH', `/sobjects/Contact/${c.body.id}`, { Title: 'Owner', Email: '' });
		expect(p.status).toBe(204);
		expect(p.text).toBe('');
		const after = (await sf.get(`/sobjects/Contact/${c.body.id}`)).body;
		expect(after.Title).toBe('Owner');
		expect(after.Email).toBeNull(); // blank text is stored as null
		expect((await sf.call('DELETE', `/sobjects/Contact/${c.body.id}`)).status).toBe(204);
		for (const method of ['GET', 'PATCH', 'DELETE']) {
			const again = await sf.call(method, `/sobjects/Contact/${c.body.id}`, method === 'PATCH' ? { Title: 'x' } : undefined);
			expect(again.status).toBe(404);
			expect(again.body).toEqual([{ message: 'entity is deleted', errorCode: 'ENTITY_IS_DELETED', fields: [] }]);
		}
	});

	it('unknown and malformed ids, unknown objects, unknown routes, 405', async () => {
		const missing = await sf.get(`/sobjects/Contact/${to18('003ak0000zzzzzz')}`);
		expect(missing.status).toBe(404);
		expect(missing.body).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
		const malformed = await sf.get('/sobjects/Contact/not-an-id');
		expect(malformed.body).toEqual([{ errorCode: 'NOT_FOUND', message: 'Provided external ID field does not exist or is not accessible: not-an-id' }]);
		expect((await sf.get('/sobjects/Contac/describe')).status).toBe(404);
		const method = await sf.call('PUT', `/sobjects/Contact/${to18('003ak0000zzzzzz')}`, {});
		expect(method.status).toBe(405);
		expect(method.body[0].errorCode).toBe('METHOD_NOT_ALLOWED');
		const outside = await raw(`${sf.url}/totally/unknown`);
		expect(outside.status).toBe(404);
		expect(outside.body).toEqual([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
	});

	it('malformed JSON and empty bodies get JSON_PARSER_ERROR, never a crash', async () => {
		for (const body of ['{', '{"LastName": }', '[1,2', 'not json', '{"a":1}}']) {
			const r = await sf.call('POST', '/sobjects/Contact', body);
			expect(r.status).toBe(400);
			expect(r.body[0].errorCode).toBe('JSON_PARSER_ERROR');
		}
		const empty = await sf.call('POST', '/sobjects/Contact', '');
		expect(empty.body).toEqual([{ message: 'The HTTP entity body is required, but this request has no entity body.', errorCode: 'JSON_PARSER_ERROR' }]);
		const wrongType = await sf.call('POST', '/sobjects/Contact', { LastName: 'x', NumberOfEmployees: 1, Birthdate: 'yesterday' });
		expect(wrongType.status).toBe(400);
		const badDate = await sf.call('POST', '/sobjects/Contact', { LastName: 'x', Birthdate: 'yesterday' });
		expect(badDate.body[0]).toMatchObject({ errorCode: 'JSON_PARSER_ERROR', message: expect.stringContaining('Cannot deserialize instance of date') });
		expect((await sf.call('POST', '/composite/sobjects', '{"records": [}')).body[0].errorCode).toBe('JSON_PARSER_ERROR');
		expect((await sf.get('/limits')).status).toBe(200);
	});

	it('validation follows describe: required, length, email, picklist, read-only, unknown field, references', async () => {
		const describe = (await sf.get('/sobjects/Contact/describe')).body;
		const field = (n: string) => describe.fields.find((f: any) => f.name === n);
		expect(field('LastName')).toMatchObject({ nillable: false, createable: true, length: 80, type: 'string' });
		expect(field('Email')).toMatchObject({ type: 'email', length: 80 });
		expect(field('Ext_Id__c')).toMatchObject({ externalId: true, unique: true, custom: true });
		expect(field('Name')).toMatchObject({ createable: false, updateable: false });

		const req = await sf.call('POST', '/sobjects/Lead', { FirstName: 'x' });
		expect(req.body).toEqual([{ message: 'Required fields are missing: [LastName, Company]', errorCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName', 'Company'] }]);
		const long = await sf.call('POST', '/sobjects/Contact', { LastName: 'x'.repeat(81) });
		expect(long.body).toEqual([{ message: `Last Name: data value too large: ${'x'.repeat(81)} (max length=80)`, errorCode: 'STRING_TOO_LONG', fields: ['LastName'] }]);
		const email = await sf.call('POST', '/sobjects/Contact', { LastName: 'x', Email: 'jane@@example.com' });
		expect(email.body).toEqual([{ message: 'Email: invalid email address: jane@@example.com', errorCode: 'INVALID_EMAIL_ADDRESS', fields: ['Email'] }]);
		const stage = await sf.call('POST', '/sobjects/Opportunity', { Name: 'o', StageName: 'Dreaming', CloseDate: '2026-01-01' });
		expect(stage.body).toEqual([{ message: 'Stage: bad value for restricted picklist field: Dreaming', errorCode: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', fields: ['StageName'] }]);
		const restricted = (await sf.get('/sobjects/Opportunity/describe')).body.fields.find((f: any) => f.name === 'StageName');
		expect(restricted.restrictedPicklist).toBe(true);
		expect(restricted.picklistValues.map((p: any) => p.value)).toContain('Closed Won');
		const ro = await sf.call('POST', '/sobjects/Contact', { LastName: 'x', Name: 'y', CreatedDate: '2020-01-01T00:00:00Z' });
		expect(ro.body[0]).toMatchObject({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', fields: ['Name', 'CreatedDate'] });
		const unknown = await sf.call('POST', '/sobjects/Contact', { LastName: 'x', Shoe_Size__c: 9 });
		expect(unknown.body).toEqual([{ message: "No such column 'Shoe_Size__c' on sobject of type Contact", errorCode: 'INVALID_FIELD' }]);
		const badRef = await sf.call('POST', '/sobjects/Contact', { LastName: 'x', AccountId: to18('001ak0000zzzzzz') });
		expect(badRef.body[0].errorCode).toBe('INVALID_CROSS_REFERENCE_KEY');
		const wrongRef = await sf.call('POST', '/sobjects/Contact', { LastName: 'x', AccountId: to18('003ak0000zzzzzz') });
		expect(wrongRef.body[0]).toMatchObject({ errorCode: 'FIELD_INTEGRITY_EXCEPTION', message: expect.stringMatching(/^Account ID: id value of incorrect type/) });
		// Field names are case-insensitive; picklist defaults, derived fields and the custom Name default apply.
		const lead = await sf.call('POST', '/sobjects/Lead', { lastname: 'Lee', company: 'Acme' });
		expect((await sf.get(`/sobjects/Lead/${lead.body.id}`)).body.Status).toBe('Open - Not Contacted');
		const opp = await sf.call('POST', '/sobjects/Opportunity', { Name: 'o', StageName: 'Closed Won', CloseDate: '2026-01-01' });
		expect((await sf.get(`/sobjects/Opportunity/${opp.body.id}`)).body).toMatchObject({ IsClosed: true, IsWon: true, Probability: 100 });
		const job = await sf.call('POST', '/sobjects/Service_Job__c', { Status__c: 'Scheduled' });
		expect((await sf.get(`/sobjects/Service_Job__c/${job.body.id}`)).body.Name).toBe(job.body.id);
		const required = await sf.call('PATCH', `/sobjects/Lead/${lead.body.id}`, { LastName: null });
		expect(required.body[0].errorCode).toBe('REQUIRED_FIELD_MISSING');
	});

	it('a removed field (fault) disappears from describe and fails writes and queries as unknown', async () => {
		await sf.admin('PUT', '/_sandbox/faults', { removedFields: { Contact: ['Title'] } });
		try {
			const fields = (await sf.get('/sobjects/Contact/describe')).body.fields.map((f: any) => f.name);
			expect(fields).not.toContain('Title');
			const w = await sf.call('POST', '/sobjects/Contact', { LastName: 'x', Title: 'y' });
			expect(w.body).toEqual([{ message: "No such column 'Title' on sobject of type Contact", errorCode: 'INVALID_FIELD' }]);
			const q = await sf.query('SELECT Id, Title FROM Contact');
			expect(q.status).toBe(400);
			expect(q.body[0].errorCode).toBe('INVALID_FIELD');
		} finally {
			await sf.admin('DELETE', '/_sandbox/faults');
		}
		expect((await sf.call('POST', '/sobjects/Contact', { LastName: 'x', Title: 'y' })).status).toBe(201);
	});

	it('describe supports If-Modified-Since (304)', async () => {
		const d = await sf.get('/sobjects/Contact/describe');
		const lm = d.headers.get('last-modified')!;
		expect(d.headers.get('etag')).toBeTruthy();
		const again = await sf.get('/sobjects/Contact/describe', { 'If-Modified-Since': lm });
		expect(again.status).toBe(304);
		const global = await sf.get('/sobjects');
		expect(global.body.sobjects.map((o: any) => o.name)).toEqual(expect.arrayContaining(['Account', 'Contact', 'Lead', 'Opportunity', 'Service_Job__c']));
		expect(global.body.maxBatchSize).toBe(200);
	});

	it('upserts by external id: 201 created, 200 updated, 300 on several matches, updateOnly, body rules', async () => {
		const created = await sf.call('PATCH', '/sobjects/Contact/Ext_Id__c/JOB-1', { LastName: 'First' });
		expect(created.status).toBe(201);
		expect(created.body).toEqual({ id: expect.stringMatching(/^003/), success: true, errors: [], created: true });
		const updated = await sf.call('PATCH', '/sobjects/Contact/Ext_Id__c/job-1', { LastName: 'Second' });
		expect(updated.status).toBe(200);
		expect(updated.body).toEqual({ id: created.body.id, success: true, errors: [], created: false });
		const rec = (await sf.get('/sobjects/Contact/Ext_Id__c/JOB-1')).body;
		expect(rec).toMatchObject({ Id: created.body.id, LastName: 'Second', Ext_Id__c: 'JOB-1' });
		// Before v46 an update answers 204 and no body, and creates carry no `created` flag.
		expect((await sf.call('PATCH', '/services/data/v45.0/sobjects/Contact/Ext_Id__c/JOB-1', { Title: 't' })).status).toBe(204);
		expect((await sf.call('PATCH', '/services/data/v45.0/sobjects/Contact/Ext_Id__c/JOB-2', { LastName: 'x' })).body).toEqual({ id: expect.any(String), success: true, errors: [] });

		const onlyUpdate = await sf.call('PATCH', '/sobjects/Contact/Ext_Id__c/NOPE?updateOnly=true', { LastName: 'x' });
		expect(onlyUpdate.status).toBe(404);
		expect((await sf.query("SELECT Id FROM Contact WHERE Ext_Id__c = 'NOPE'")).body.totalSize).toBe(0);

		const withId = await sf.call('PATCH', '/sobjects/Contact/Ext_Id__c/JOB-3', { Id: created.body.id, LastName: 'x' });
		expect(withId.status).toBe(400);
		expect(withId.body[0].errorCode).toBe('INVALID_FIELD');
		const withExt = await sf.call('PATCH', '/sobjects/Contact/Ext_Id__c/JOB-3', { Ext_Id__c: 'JOB-3', LastName: 'x' });
		expect(withExt.status).toBe(400);

		// Legacy_Id__c is an external id that is not unique: two matches → 300 with the record URLs.
		const a = await sf.call('POST', '/sobjects/Contact', { LastName: 'A', Legacy_Id__c: 'L-1' });
		const b = await sf.call('POST', '/sobjects/Contact', { LastName: 'B', Legacy_Id__c: 'L-1' });
		const multi = await sf.call('PATCH', '/sobjects/Contact/Legacy_Id__c/L-1', { Title: 'x' });
		expect(multi.status).toBe(300);
		expect(multi.body).toEqual([`/services/data/${sf.v}/sobjects/Contact/${a.body.id}`, `/services/data/${sf.v}/sobjects/Contact/${b.body.id}`]);
		expect((await sf.get('/sobjects/Contact/Legacy_Id__c/L-1')).status).toBe(300);

		const notExternal = await sf.call('PATCH', '/sobjects/Contact/Email/a@b.com', { LastName: 'x' });
		expect(notExternal.status).toBe(404);
		expect(notExternal.body[0].message).toBe('Provided external ID field does not exist or is not accessible: Email');

		// Relationship by external id in the body.
		await sf.call('PATCH', '/sobjects/Account/Ext_Id__c/ACC-9', { Name: 'Parent' });
		const child = await sf.call('PATCH', '/sobjects/Contact/Ext_Id__c/JOB-4', { LastName: 'Kid', Account: { Ext_Id__c: 'ACC-9' } });
		expect(child.status).toBe(201);
		const q = await sf.query("SELECT Account.Ext_Id__c FROM Contact WHERE Ext_Id__c = 'JOB-4'");
		expect(q.body.records[0].Account.Ext_Id__c).toBe('ACC-9');
		expect((await sf.call('DELETE', '/sobjects/Contact/Ext_Id__c/JOB-4')).status).toBe(204);
	});

	it('duplicate rule: DUPLICATES_DETECTED unless Sforce-Duplicate-Rule-Header allowSave=true', async () => {
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { duplicateRule: 'alert' });
		await sf.call('POST', '/sobjects/Contact', { LastName: 'Twin', Email: 'twin@example.com' });
		const dup = await sf.call('POST', '/sobjects/Contact', { LastName: 'Twin2', Email: 'TWIN@example.com' });
		expect(dup.status).toBe(400);
		expect(dup.body[0]).toMatchObject({ errorCode: 'DUPLICATES_DETECTED', message: 'Use one of these records?', fields: [] });
		expect(dup.body[0].duplicateResult).toMatchObject({ allowSave: true, duplicateRule: 'Standard_Contact_Duplicate_Rule' });
		expect(dup.body[0].duplicateResult.matchResults[0].matchRecords[0].record.Id).toMatch(/^003/);
		const ok = await sf.call('POST', '/sobjects/Contact', { LastName: 'Twin2', Email: 'TWIN@example.com' }, { 'Sforce-Duplicate-Rule-Header': 'allowSave=true' });
		expect(ok.status).toBe(201);
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { duplicateRule: 'block' });
		const blocked = await sf.call('POST', '/sobjects/Contact', { LastName: 'Twin3', Email: 'twin@example.com' }, { 'Sforce-Duplicate-Rule-Header': 'allowSave=true' });
		expect(blocked.body[0].duplicateResult.allowSave).toBe(false);
	});

	it('sObject Collections: create, update (MISSING_ARGUMENT), read, delete, upsert with created flags', async () => {
		const created = await sf.call('POST', '/composite/sobjects', {
			allOrNone: false,
			records: [
				{ attributes: { type: 'Contact' }, LastName: 'One' },
				{ attributes: { type: 'Contact' }, FirstName: 'no last name' },
				{ attributes: { type: 'Account' }, Name: 'Mixed types are fine' },
			],
		});
		expect(created.body.map((r: any) => r.success)).toEqual([true, false, true]);
		expect(created.body[1]).toEqual({ success: false, errors: [{ statusCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [LastName]', fields: ['LastName'] }] });
		const [one, , acc] = created.body;
		const upd = await sf.call('PATCH', '/composite/sobjects', {
			records: [
				{ attributes: { type: 'Contact' }, id: one.id, Title: 'Boss' },
				{ attributes: { type: 'Contact' }, Title: 'no id' },
			],
		});
		expect(upd.body[0]).toEqual({ id: one.id, success: true, errors: [] });
		expect(upd.body[1]).toEqual({ success: false, errors: [{ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] }] });
		const read = await sf.get(`/composite/sobjects/Contact?ids=${one.id},${to18('003ak0000zzzzzz')}&fields=Id,Title`);
		expect(read.body).toEqual([{ attributes: expect.any(Object), Id: one.id, Title: 'Boss' }, null]);
		const tooMany = await sf.call('POST', '/composite/sobjects', { records: Array.from({ length: 201 }, () => ({ attributes: { type: 'Contact' }, LastName: 'x' })) });
		expect(tooMany.status).toBe(400);
		const noType = await sf.call('POST', '/composite/sobjects', { records: [{ LastName: 'x' }] });
		expect(noType.status).toBe(400);

		const up = await sf.call('PATCH', '/composite/sobjects/Contact/Ext_Id__c', {
			allOrNone: false,
			records: [
				{ attributes: { type: 'Contact' }, Ext_Id__c: 'U-1', LastName: 'New' },
				{ attributes: { type: 'Contact' }, Ext_Id__c: 'U-2', LastName: 'Also new' },
			],
		});
		expect(up.body).toEqual([
			{ id: expect.any(String), success: true, errors: [], created: true },
			{ id: expect.any(String), success: true, errors: [], created: true },
		]);
		const up2 = await sf.call('PATCH', '/composite/sobjects/Contact/Ext_Id__c', {
			records: [
				{ attributes: { type: 'Contact' }, Ext_Id__c: 'u-1', Title: 'Updated' },
				{ attributes: { type: 'Contact' }, Ext_Id__c: 'U-3', LastName: 'Third' },
				{ attributes: { type: 'Contact' }, LastName: 'no key' },
			],
		});
		expect(up2.body[0]).toEqual({ id: up.body[0].id, success: true, errors: [], created: false });
		expect(up2.body[1].created).toBe(true);
		expect(up2.body[2].success).toBe(false);

		const del = await sf.call('DELETE', `/composite/sobjects?ids=${one.id},${acc.id},${one.id}&allOrNone=false`);
		expect(del.body[0]).toEqual({ id: one.id, success: true, errors: [] });
		expect(del.body[1]).toEqual({ id: acc.id, success: true, errors: [] });
		expect(del.body[2]).toEqual({ id: one.id, success: false, errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }] });
	});

	it('allOrNone on collection upsert and delete rolls everything back', async () => {
		const r = await sf.call('PATCH', '/composite/sobjects/Contact/Ext_Id__c', {
			allOrNone: true,
			records: [
				{ attributes: { type: 'Contact' }, Ext_Id__c: 'R-1', LastName: 'ok' },
				{ attributes: { type: 'Contact' }, Ext_Id__c: 'R-2', LastName: 'x'.repeat(100) },
			],
		});
		expect(r.body[0].errors[0].statusCode).toBe('ALL_OR_NONE_OPERATION_ROLLED_BACK');
		expect(r.body[1].errors[0].statusCode).toBe('STRING_TOO_LONG');
		expect((await sf.query("SELECT Id FROM Contact WHERE Ext_Id__c = 'R-1'")).body.totalSize).toBe(0);
		const keep = (await sf.call('POST', '/sobjects/Contact', { LastName: 'Keep' })).body.id;
		const del = await sf.call('DELETE', `/composite/sobjects?ids=${keep},${to18('003ak0000zzzzzz')}&allOrNone=true`);
		expect(del.body[0].errors[0].statusCode).toBe('ALL_OR_NONE_OPERATION_ROLLED_BACK');
		expect((await sf.get(`/sobjects/Contact/${keep}`)).status).toBe(200);
	});

	it('composite: references between subrequests, 25 limit, allOrNone rollback with PROCESSING_HALTED', async () => {
		const ok = await sf.call('POST', '/composite', {
			allOrNone: true,
			compositeRequest: [
				{ method: 'PATCH', url: `/services/data/${sf.v}/sobjects/Account/Ext_Id__c/ID12345`, referenceId: 'NewAccount', body: { Name: 'Acme' } },
				{ method: 'POST', url: `/services/data/${sf.v}/sobjects/Contact`, referenceId: 'newContact', body: { LastName: 'Harrison', AccountId: '@{NewAccount.id}' } },
				{ method: 'GET', url: `/services/data/${sf.v}/sobjects/Contact/@{newContact.id}?fields=AccountId`, referenceId: 'readBack' },
				{ method: 'GET', url: `/services/data/${sf.v}/query?q=${encodeURIComponent("SELECT Id FROM Contact WHERE LastName = 'Harrison'")}`, referenceId: 'q' },
				{ method: 'PATCH', url: `/services/data/${sf.v}/sobjects/Contact/@{q.records[0].Id}`, referenceId: 'touch', body: { Title: 'CEO' } },
			],
		});
		expect(ok.status).toBe(200);
		const res = ok.body.compositeResponse;
		expect(res.map((x: any) => x.httpStatusCode)).toEqual([201, 201, 200, 200, 204]);
		expect(res[0]).toEqual({ body: { id: expect.any(String), success: true, errors: [], created: true }, httpHeaders: { Location: expect.any(String) }, httpStatusCode: 201, referenceId: 'NewAccount' });
		expect(res[2].body.AccountId).toBe(res[0].body.id);
		expect(res[4].body).toBeNull();
		// The composite request is one API call.
		const usage = (await sf.get('/limits')).body.DailyApiRequests;
		expect(usage.Max - usage.Remaining).toBe(2);

		const failed = await sf.call('POST', '/composite', {
			allOrNone: true,
			compositeRequest: [
				{ method: 'POST', url: `/services/data/${sf.v}/sobjects/Account`, referenceId: 'a', body: { Name: 'Rolled back' } },
				{ method: 'POST', url: `/services/data/${sf.v}/sobjects/Contact`, referenceId: 'b', body: { FirstName: 'no last name' } },
				{ method: 'POST', url: `/services/data/${sf.v}/sobjects/Contact`, referenceId: 'c', body: { LastName: 'never run' } },
			],
		});
		const fr = failed.body.compositeResponse;
		expect(fr.map((x: any) => x.httpStatusCode)).toEqual([400, 400, 400]);
		expect(fr[0].body[0].errorCode).toBe('PROCESSING_HALTED');
		expect(fr[1].body[0].errorCode).toBe('REQUIRED_FIELD_MISSING');
		expect(fr[2].body[0].errorCode).toBe('PROCESSING_HALTED');
		expect((await sf.query("SELECT Id FROM Account WHERE Name = 'Rolled back'")).body.totalSize).toBe(0);

		const partial = await sf.call('POST', '/composite', {
			compositeRequest: [
				{ method: 'POST', url: `/services/data/${sf.v}/sobjects/Contact`, referenceId: 'bad', body: {} },
				{ method: 'GET', url: `/services/data/${sf.v}/sobjects/Contact/@{bad.id}`, referenceId: 'dependent' },
				{ method: 'POST', url: `/services/data/${sf.v}/sobjects/Account`, referenceId: 'independent', body: { Name: 'Kept' } },
			],
		});
		expect(partial.body.compositeResponse.map((x: any) => x.httpStatusCode)).toEqual([400, 400, 201]);
		expect(partial.body.compositeResponse[1].body[0].errorCode).toBe('PROCESSING_HALTED');

		const many = await sf.call('POST', '/composite', {
			compositeRequest: Array.from({ length: 26 }, (_, i) => ({ method: 'GET', url: `/services/data/${sf.v}/limits`, referenceId: `r${i}` })),
		});
		expect(many.status).toBe(400);
		expect(Array.isArray(many.body)).toBe(true);
	});

	it('deleting an account cascades to its contacts; /updated and /deleted replicate changes', async () => {
		const start = new Date(Date.now() - 60_000).toISOString();
		const acc = (await sf.call('POST', '/sobjects/Account', { Name: 'Gone' })).body.id;
		const con = (await sf.call('POST', '/sobjects/Contact', { LastName: 'Child', AccountId: acc })).body.id;
		const other = (await sf.call('POST', '/sobjects/Contact', { LastName: 'Other' })).body.id;
		await sf.admin('POST', '/_sandbox/clock/advance', { ms: 120_000 });
		expect((await sf.call('DELETE', `/sobjects/Account/${acc}`)).status).toBe(204);
		expect((await sf.get(`/sobjects/Contact/${con}`)).body[0].errorCode).toBe('ENTITY_IS_DELETED');
		await sf.admin('POST', '/_sandbox/clock/advance', { ms: 120_000 });
		const end = new Date(Date.now() + 300_000).toISOString();
		const updated = await sf.get(`/sobjects/Contact/updated/?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`);
		expect(updated.status).toBe(200);
		expect(updated.body.ids).toEqual([other]);
		expect(updated.body.latestDateCovered).toMatch(/:00\.000\+0000$/);
		const deleted = await sf.get(`/sobjects/Contact/deleted/?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`);
		expect(deleted.body.deletedRecords).toEqual([{ id: con, deletedDate: expect.stringMatching(/\+0000$/) }]);
		expect(Object.keys(deleted.body)).toEqual(['deletedRecords', 'earliestDateAvailable', 'latestDateCovered']);
		const all = await sf.call('GET', `/queryAll?q=${encodeURIComponent(`SELECT Id, IsDeleted FROM Contact WHERE Id = '${con}'`)}`);
		expect(all.body.records[0].IsDeleted).toBe(true);
		expect((await sf.query(`SELECT Id FROM Contact WHERE Id = '${con}'`)).body.totalSize).toBe(0);
		const tooOld = await sf.get(`/sobjects/Contact/updated/?start=2000-01-01T00:00:00Z&end=${encodeURIComponent(end)}`);
		expect(tooOld.status).toBe(400);
		expect(tooOld.body[0].errorCode).toBe('INVALID_REPLICATION_DATE');
	});

	it('admin edit as a human user sets LastModifiedById to that user and bumps SystemModstamp', async () => {
		const id = (await sf.call('POST', '/sobjects/Contact', { LastName: 'Sync' })).body.id;
		const before = (await sf.get(`/sobjects/Contact/${id}`)).body;
		await sf.admin('POST', '/_sandbox/clock/advance', { ms: 5_000 });
		const edit = await sf.admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', id, fields: { Phone: '(512) 555-0100' } });
		expect(edit.status).toBe(200);
		const after = (await sf.get(`/sobjects/Contact/${id}`)).body;
		expect(after.LastModifiedById).toBe(sf.info.humanUserId);
		expect(after.LastModifiedById).not.toBe(before.LastModifiedById);
		expect(after.SystemModstamp > before.SystemModstamp).toBe(true);
		const q = await sf.query(`SELECT LastModifiedBy.Name FROM Contact WHERE Id = '${id}'`);
		expect(q.body.records[0].LastModifiedBy.Name).toBe('Dana Dispatcher');
		const created = await sf.admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', op: 'create', fields: { LastName: 'Typed in by hand' } });
		expect(created.body.record.CreatedById).toBe(sf.info.humanUserId);
		const bad = await sf.admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', id, fields: { Email: 'nope' } });
		expect(bad.status).toBe(400);
	});
});
