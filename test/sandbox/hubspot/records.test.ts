/** CRUD, batch, validation, properties registry, pipelines, owners and associations of the HubSpot sandbox. */
import { startHub, type Hub } from './helpers';

describe('HubSpot sandbox records', () => {
	let hub: Hub;
	beforeAll(async () => {
		hub = await startHub({ tenSecondLimit: 100_000, searchPerSecond: 100_000 });
	});
	afterAll(() => hub.close());
	beforeEach(() => hub.def.reset());

	const create = async (type: string, properties: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
		const res = await hub.call('POST', `/crm/v3/objects/${type}`, { properties, ...extra });
		if (res.status !== 201) throw new Error(`create ${type}: ${res.status} ${res.text}`);
		return res.body;
	};

	describe('single-record endpoints', () => {
		test('create answers 201 with Location, string values and server stamps', async () => {
			const res = await hub.call('POST', '/crm/v3/objects/contacts', { properties: { email: ' Ann.Lee@Example.COM ', firstname: 'Ann', hs_lead_status: 'NEW' } });
			expect(res.status).toBe(201);
			expect(res.headers.get('location')).toBe(`${hub.url}/crm/v3/objects/contacts/${res.body.id}`);
			expect(res.body.id).toMatch(/^\d+$/);
			expect(Number(res.body.id)).toBeGreaterThan(2 ** 32);
			const p = res.body.properties;
			expect(p.email).toBe('ann.lee@example.com');
			expect(p.hs_object_id).toBe(res.body.id);
			expect(p.createdate).toBe(res.body.createdAt);
			expect(p.lastmodifieddate).toBe(res.body.updatedAt);
			expect(p.hs_object_source).toBe('INTEGRATION');
			for (const v of Object.values(p)) expect(typeof v).toBe('string');
			expect(res.body.archived).toBe(false);
			expect(res.body.url).toBe(`https://app.hubspot.com/contacts/${hub.def.info().portalId}/record/0-1/${res.body.id}`);
		});

		test('numbers and booleans are stored as text; "" clears; unset requested properties are null', async () => {
			const co = await create('companies', { name: 'Acme', numberofemployees: 12, annualrevenue: 1500.5 });
			expect(co.properties.numberofemployees).toBe('12');
			expect(co.properties.annualrevenue).toBe('1500.5');
			const patched = await hub.call('PATCH', `/crm/v3/objects/companies/${co.id}`, { properties: { numberofemployees: '' } });
			expect(patched.status).toBe(200);
			expect(patched.body.properties.numberofemployees).toBeUndefined();
			const got = await hub.call('GET', `/crm/v3/objects/companies/${co.id}?properties=name,numberofemployees,not_a_property`);
			expect(got.body.properties).toEqual({
				createdate: co.properties.createdate,
				hs_lastmodifieddate: patched.body.properties.hs_lastmodifieddate,
				hs_object_id: co.id,
				name: 'Acme',
				numberofemployees: null,
			});
		});

		test('default property sets when none are requested', async () => {
			const c = await create('contacts', { email: 'd@example.com', phone: '555' });
			const co = await create('companies', { name: 'X', phone: '1' });
			const d = await create('deals', { dealname: 'D', amount: 5 });
			expect(Object.keys((await hub.call('GET', `/crm/v3/objects/contacts/${c.id}`)).body.properties)).toEqual(['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname']);
			expect(Object.keys((await hub.call('GET', `/crm/v3/objects/companies/${co.id}`)).body.properties)).toEqual(['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name']);
			expect(Object.keys((await hub.call('GET', `/crm/v3/objects/0-3/${d.id}`)).body.properties)).toEqual([
				'amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline',
			]);
		});

		test('both path prefixes and all type names reach the same records', async () => {
			const c = await create('contacts', { email: 'p@example.com' });
			for (const path of [`/crm/v3/objects/contacts/${c.id}`, `/crm/objects/2026-03/contacts/${c.id}`, `/crm/v3/objects/0-1/${c.id}`, `/crm/objects/2026-09/contact/${c.id}`]) {
				const res = await hub.call('GET', path);
				expect(res.status).toBe(200);
				expect(res.body.id).toBe(c.id);
			}
			const d = await hub.call('POST', '/crm/objects/2026-03/deals', { properties: { dealname: 'Dated' } });
			expect((await hub.call('GET', `/crm/v3/objects/0-3/${d.body.id}`)).body.properties.dealname).toBe('Dated');
		});

		test('every write moves the modified stamp (contacts lastmodifieddate, others hs_lastmodifieddate)', async () => {
			const c = await create('contacts', { email: 'm@example.com' });
			hub.server.context.clock.advance(5000);
			const u = await hub.call('PATCH', `/crm/v3/objects/contacts/${c.id}`, { properties: { firstname: 'M' } });
			expect(Date.parse(u.body.properties.lastmodifieddate) - Date.parse(c.properties.lastmodifieddate)).toBeGreaterThanOrEqual(5000);
			expect(u.body.updatedAt).toBe(u.body.properties.lastmodifieddate);
			hub.server.context.clock.advance(1000);
			const same = await hub.call('PATCH', `/crm/v3/objects/contacts/${c.id}`, { properties: { firstname: 'M' } });
			expect(Date.parse(same.body.updatedAt)).toBeGreaterThan(Date.parse(u.body.updatedAt));
			const d = await create('deals', { dealname: 'D' });
			hub.server.context.clock.advance(2000);
			const du = await hub.call('PATCH', `/crm/v3/objects/deals/${d.id}`, { properties: { amount: '10' } });
			expect(Date.parse(du.body.properties.hs_lastmodifieddate)).toBeGreaterThan(Date.parse(d.properties.hs_lastmodifieddate));
			expect(du.body.properties.lastmodifieddate).toBeUndefined();
		});

		test('idProperty=email on GET and PATCH; email uniqueness is case-insensitive (409)', async () => {
			const c = await create('contacts', { email: 'jane@example.com', firstname: 'Jane' });
			const got = await hub.call('GET', '/crm/v3/objects/contacts/JANE@example.com?idProperty=email');
			expect(got.body.id).toBe(c.id);
			const patched = await hub.call('PATCH', '/crm/v3/objects/contacts/jane@example.com?idProperty=email', { properties: { lastname: 'Doe' } });
			expect(patched.body.properties.lastname).toBe('Doe');
			const dup = await hub.call('POST', '/crm/v3/objects/contacts', { properties: { email: 'Jane@Example.com' } });
			expect(dup.status).toBe(409);
			expect(dup.body).toEqual({ status: 'error', message: `Contact already exists. Existing ID: ${c.id}`, correlationId: expect.any(String), category: 'CONFLICT' });
			const other = await create('contacts', { email: 'other@example.com' });
			const clash = await hub.call('PATCH', `/crm/v3/objects/contacts/${other.id}`, { properties: { email: 'JANE@example.com' } });
			expect(clash.status).toBe(409);
			const notUnique = await hub.call('GET', '/crm/v3/objects/contacts/Jane?idProperty=firstname');
			expect(notUnique.status).toBe(400);
		});

		test('delete answers 204, then 404; archived records are listed and read with archived=true', async () => {
			const c = await create('contacts', { email: 'gone@example.com' });
			expect((await hub.call('DELETE', `/crm/v3/objects/contacts/${c.id}`)).status).toBe(204);
			expect((await hub.call('DELETE', `/crm/v3/objects/contacts/${c.id}`)).status).toBe(204);
			const missing = await hub.call('GET', `/crm/v3/objects/contacts/${c.id}`);
			expect(missing.status).toBe(404);
			expect(missing.body.message).toBe('resource not found');
			expect(missing.body.category).toBeUndefined();
			const archived = await hub.call('GET', `/crm/v3/objects/contacts/${c.id}?archived=true`);
			expect(archived.body.archived).toBe(true);
			expect(archived.body.archivedAt).toEqual(expect.any(String));
			const list = await hub.call('GET', '/crm/v3/objects/contacts?archived=true');
			expect(list.body.results.map((r: any) => r.id)).toEqual([c.id]);
			expect((await hub.call('GET', '/crm/v3/objects/contacts')).body.results).toEqual([]);
			// The email is free again once the holder is archived.
			expect((await hub.call('POST', '/crm/v3/objects/contacts', { properties: { email: 'gone@example.com' } })).status).toBe(201);
		});

		test('non-numeric ids get the OBJECT_NOT_FOUND message', async () => {
			const res = await hub.call('GET', '/crm/v3/objects/contacts/abc');
			expect(res.status).toBe(404);
			expect(res.body).toMatchObject({ status: 'error', message: 'Object not found.  objectId are usually numeric.', category: 'OBJECT_NOT_FOUND' });
		});
	});

	describe('validation in HubSpot format', () => {
		test('PROPERTY_DOESNT_EXIST, READ_ONLY_VALUE, INVALID_OPTION, INVALID_EMAIL collected in one 400', async () => {
			const res = await hub.call('POST', '/crm/v3/objects/contacts', {
				properties: { email: 'example.lcom', first000name: 'x', lastmodifieddate: '2024-01-01T00:00:00Z', lifecyclestage: 'Lead', hs_email_domain: 'x.com' },
			});
			expect(res.status).toBe(400);
			expect(res.body.category).toBe('VALIDATION_ERROR');
			const listed = JSON.parse(res.body.message.replace(/^Property values were not valid: /, ''));
			expect(listed).toEqual([
				{ isValid: false, message: 'Email address example.lcom is invalid', error: 'INVALID_EMAIL', name: 'email' },
				{ isValid: false, message: 'Property "first000name" does not exist', error: 'PROPERTY_DOESNT_EXIST', name: 'first000name' },
				{ isValid: false, message: 'lastmodifieddate is a read only property; its value cannot be set.', error: 'READ_ONLY_VALUE', name: 'lastmodifieddate' },
				{ isValid: false, message: expect.stringMatching(/^Lead was not one of the allowed options: \[subscriber, lead,/), error: 'INVALID_OPTION', name: 'lifecyclestage' },
				{ isValid: false, message: '"hs_email_domain" is a calculated property; its value cannot be set.', error: 'READ_ONLY_VALUE', name: 'hs_email_domain' },
			]);
			expect(res.body.errors[0]).toEqual({ message: 'Email address example.lcom is invalid', code: 'INVALID_EMAIL', context: { propertyName: ['email'] } });
			expect((await hub.call('GET', '/crm/v3/objects/contacts')).body.results).toEqual([]);
		});

		test('numbers, dates and multi-select options', async () => {
			const bad = await hub.call('POST', '/crm/v3/objects/companies', { properties: { numberofemployees: '1/1/1' } });
			expect(bad.body.errors[0]).toMatchObject({ code: 'INVALID_LONG', message: '1/1/1 was not a valid long.' });
			await hub.call('POST', '/crm/v3/properties/deals', { name: 'service_date', label: 'Service date', type: 'date', fieldType: 'date', groupName: 'dealinformation' });
			await hub.call('POST', '/crm/v3/properties/deals', {
				name: 'services',
				label: 'Services',
				type: 'enumeration',
				fieldType: 'checkbox',
				groupName: 'dealinformation',
				options: [
					{ label: 'Repair', value: 'repair' },
					{ label: 'Install', value: 'install' },
				],
			});
			const notMidnight = await hub.call('POST', '/crm/v3/objects/deals', { properties: { service_date: '1579179660000' } });
			expect(notMidnight.body.errors[0]).toMatchObject({ code: 'INVALID_DATE', message: '1579179660000 is at 13:1:0.0 UTC, not midnight!' });
			const ok = await hub.call('POST', '/crm/v3/objects/deals', { properties: { service_date: '2024-03-01', services: 'repair;install', closedate: 1_700_000_000_000 } });
			expect(ok.status).toBe(201);
			expect(ok.body.properties).toMatchObject({ service_date: '2024-03-01', services: 'repair;install', closedate: '2023-11-14T22:13:20Z' });
			const badOption = await hub.call('PATCH', `/crm/v3/objects/deals/${ok.body.id}`, { properties: { services: 'repair;Paint' } });
			expect(badOption.body.errors[0].code).toBe('INVALID_OPTION');
		});

		test('dealstage must belong to the deal pipeline; pipelines created through the API count', async () => {
			const pipeline = await hub.call('POST', '/crm/v3/pipelines/deals', {
				label: 'Field Service',
				displayOrder: 1,
				stages: [
					{ label: 'Booked', displayOrder: 0, metadata: { probability: '0.5' } },
					{ label: 'Done', displayOrder: 1, metadata: { probability: '1.0', isClosed: 'true' } },
				],
			});
			expect(pipeline.status).toBe(201);
			const booked = pipeline.body.stages[0].id;
			const wrong = await hub.call('POST', '/crm/v3/objects/deals', { properties: { dealname: 'x', pipeline: pipeline.body.id, dealstage: 'closedwon' } });
			expect(wrong.status).toBe(400);
			expect(wrong.body.errors[0]).toMatchObject({ code: 'INVALID_OPTION', context: { propertyName: ['dealstage'] } });
			const right = await hub.call('POST', '/crm/v3/objects/deals', { properties: { dealname: 'x', pipeline: pipeline.body.id, dealstage: booked } });
			expect(right.status).toBe(201);
			const unknownPipeline = await hub.call('POST', '/crm/v3/objects/deals', { properties: { dealname: 'x', pipeline: 'nope' } });
			expect(unknownPipeline.body.errors[0].code).toBe('INVALID_OPTION');
			// Without a pipeline the default one is assumed.
			const dflt = await hub.call('POST', '/crm/v3/objects/deals', { properties: { dealname: 'y', dealstage: 'closedwon' } });
			expect(dflt.body.properties).toMatchObject({ pipeline: 'default', hs_is_closed: 'true', hs_is_closed_won: 'true' });
			const all = await hub.call('GET', '/crm/v3/pipelines/deals');
			expect(all.body.results.map((p: any) => p.id)).toEqual(['default', pipeline.body.id]);
			expect(all.body.results[0].stages.map((s: any) => s.id)).toEqual(['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost']);
		});

		test('hubspot_owner_id must be an owner id; owners list filters by email', async () => {
			const owners = await hub.call('GET', '/crm/v3/owners');
			expect(owners.body.results).toHaveLength(3);
			const byEmail = await hub.call('GET', `/crm/v3/owners?email=${encodeURIComponent(owners.body.results[1].email)}`);
			expect(byEmail.body.results.map((o: any) => o.id)).toEqual([owners.body.results[1].id]);
			const byUser = await hub.call('GET', `/crm/v3/owners/${owners.body.results[0].userId}?idProperty=userId`);
			expect(byUser.body.id).toBe(owners.body.results[0].id);
			expect((await hub.call('POST', '/crm/v3/objects/contacts', { properties: { hubspot_owner_id: '1' } })).body.errors[0].code).toBe('INVALID_OPTION');
			expect((await hub.call('POST', '/crm/v3/objects/contacts', { properties: { hubspot_owner_id: owners.body.results[0].id } })).status).toBe(201);
		});

		test('custom properties join the registry; hasUniqueValue properties work as idProperty', async () => {
			const created = await hub.call('POST', '/crm/v3/properties/contacts', { name: 'jobber_client_id', label: 'Jobber client id', type: 'string', fieldType: 'text', groupName: 'contactinformation', hasUniqueValue: true });
			expect(created.status).toBe(201);
			expect(created.body).toMatchObject({ name: 'jobber_client_id', hasUniqueValue: true, archived: false, modificationMetadata: { readOnlyValue: false } });
			const again = await hub.call('POST', '/crm/v3/properties/contacts', { name: 'jobber_client_id', label: 'x', type: 'string', fieldType: 'text', groupName: 'contactinformation' });
			expect(again.status).toBe(409);
			expect(again.body).toMatchObject({ category: 'OBJECT_ALREADY_EXISTS', message: "A property named 'jobber_client_id' already exists." });
			const up = await hub.call('POST', '/crm/v3/objects/contacts/batch/upsert', {
				inputs: [
					{ idProperty: 'jobber_client_id', id: 'J-1', properties: { firstname: 'One' } },
					{ idProperty: 'jobber_client_id', id: 'J-2', properties: { firstname: 'Two' } },
				],
			});
			expect(up.status).toBe(200);
			expect(up.body.results.map((r: any) => [r.properties.jobber_client_id, r.new])).toEqual([
				['J-1', true],
				['J-2', true],
			]);
			const again2 = await hub.call('POST', '/crm/v3/objects/contacts/batch/upsert', { inputs: [{ idProperty: 'jobber_client_id', id: 'j-1', properties: { firstname: 'Uno' } }] });
			expect(again2.body.results[0]).toMatchObject({ id: up.body.results[0].id, new: false });
			expect(again2.body.results[0].properties.firstname).toBe('Uno');
			const got = await hub.call('GET', '/crm/v3/objects/contacts/J-2?idProperty=jobber_client_id&properties=jobber_client_id');
			expect(got.body.properties.jobber_client_id).toBe('J-2');
			const clash = await hub.call('POST', '/crm/v3/objects/contacts', { properties: { jobber_client_id: 'J-2' } });
			expect(clash.status).toBe(409);
			// Archived properties stop validating.
			expect((await hub.call('DELETE', '/crm/v3/properties/contacts/jobber_client_id')).status).toBe(204);
			const gone = await hub.call('POST', '/crm/v3/objects/contacts', { properties: { jobber_client_id: 'J-3' } });
			expect(gone.body.errors[0].code).toBe('PROPERTY_DOESNT_EXIST');
			expect((await hub.call('DELETE', '/crm/v3/properties/contacts/email')).status).toBe(400);
		});
	});

	describe('batch endpoints', () => {
		test('more than 100 inputs and duplicate ids are rejected with 400', async () => {
			const many = await hub.call('POST', '/crm/v3/objects/contacts/batch/create', { inputs: Array.from({ length: 101 }, (_, i) => ({ properties: { firstname: `n${i}` } })) });
			expect(many.status).toBe(400);
			expect(many.body.category).toBe('VALIDATION_ERROR');
			const dup = await hub.call('POST', '/crm/v3/objects/contacts/batch/update', {
				inputs: [
					{ id: '123456', properties: { firstname: 'a' } },
					{ id: '123456', properties: { firstname: 'b' } },
				],
			});
			expect(dup.status).toBe(400);
			expect(dup.body).toEqual({
				status: 'error',
				message: 'Duplicate IDs found in batch input: [123456]. IDs must be unique',
				correlationId: expect.any(String),
				context: { ids: ['123456'] },
				category: 'VALIDATION_ERROR',
			});
			const dupEmail = await hub.call('POST', '/crm/v3/objects/contacts/batch/upsert', {
				inputs: [
					{ idProperty: 'email', id: 'a@example.com', properties: {} },
					{ idProperty: 'email', id: 'A@example.com', properties: {} },
				],
			});
			expect(dupEmail.status).toBe(400);
		});

		test('batch update reports missing ids in a 207 with numErrors', async () => {
			const c = await create('contacts', { email: 'b1@example.com' });
			const res = await hub.call('POST', '/crm/v3/objects/contacts/batch/update', {
				inputs: [
					{ id: c.id, properties: { firstname: 'B' } },
					{ id: '170999999998', properties: { firstname: 'X' } },
				],
			});
			expect(res.status).toBe(207);
			expect(res.body.results).toHaveLength(1);
			expect(res.body.numErrors).toBe(1);
			expect(res.body.errors[0]).toEqual({
				status: 'error',
				category: 'OBJECT_NOT_FOUND',
				message: 'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
				context: { ids: ['170999999998'] },
			});
		});

		test('upsert by email: new flag, normalised emails, validation of the id', async () => {
			await create('contacts', { email: 'known@example.com', firstname: 'Known' });
			const res = await hub.call('POST', '/crm/v3/objects/contacts/batch/upsert', {
				inputs: [
					{ idProperty: 'email', id: 'KNOWN@example.com', properties: { lastname: 'K' }, objectWriteTraceId: 't1' },
					{ idProperty: 'email', id: 'fresh@example.com', properties: { firstname: 'F' }, objectWriteTraceId: 't2' },
				],
			});
			expect(res.status).toBe(200);
			expect(res.body.results.map((r: any) => [r.properties.email, r.new, r.objectWriteTraceId])).toEqual([
				['known@example.com', false, 't1'],
				['fresh@example.com', true, 't2'],
			]);
			const invalid = await hub.call('POST', '/crm/v3/objects/contacts/batch/upsert', { inputs: [{ idProperty: 'email', id: 'not-an-email', properties: {} }] });
			expect(invalid.status).toBe(400);
			expect(invalid.body.errors[0].code).toBe('INVALID_EMAIL');
		});

		test('batch read by email and batch archive', async () => {
			const a = await create('contacts', { email: 'r1@example.com' });
			await create('contacts', { email: 'r2@example.com' });
			const read = await hub.call('POST', '/crm/v3/objects/contacts/batch/read', { idProperty: 'email', inputs: [{ id: 'r1@example.com' }, { id: 'R2@example.com' }], properties: ['email'], propertiesWithHistory: [] });
			expect(read.status).toBe(200);
			expect(read.body.results.map((r: any) => r.properties.email)).toEqual(['r1@example.com', 'r2@example.com']);
			expect((await hub.call('POST', '/crm/v3/objects/contacts/batch/archive', { inputs: [{ id: a.id }, { id: '1' }] })).status).toBe(204);
			expect((await hub.call('GET', `/crm/v3/objects/contacts/${a.id}`)).status).toBe(404);
		});

		test('properties validation fails the whole batch, nothing is written', async () => {
			const res = await hub.call('POST', '/crm/v3/objects/contacts/batch/create', { inputs: [{ properties: { email: 'ok@example.com' } }, { properties: { email: 'bad' } }] });
			expect(res.status).toBe(400);
			expect((await hub.call('GET', '/crm/v3/objects/contacts')).body.results).toEqual([]);
		});
	});

	describe('malformed requests and unknown routes', () => {
		test.each([
			['truncated JSON', '{"properties":{"email":'],
			['not JSON at all', 'email=a@b.c'],
			['empty body', ''],
		])('%s answers HubSpot 400', async (_name, body) => {
			const res = await hub.call('POST', '/crm/v3/objects/contacts', body, { 'Content-Type': 'application/json' });
			expect(res.status).toBe(400);
			expect(res.body).toMatchObject({ status: 'error', category: 'VALIDATION_ERROR', correlationId: expect.any(String) });
			expect(res.body.message).toMatch(/^Invalid input JSON on line \d+, column \d+: /);
		});

		test('well-formed JSON of the wrong shape', async () => {
			const missing = await hub.call('POST', '/crm/v3/objects/contacts', { props: {} });
			expect(missing.body.message).toMatch(/Cannot build SimplePublicObjectInputForCreate, some of required attributes are not set \[properties\]/);
			const array = await hub.call('POST', '/crm/v3/objects/contacts', [1, 2]);
			expect(array.status).toBe(400);
			const nested = await hub.call('POST', '/crm/v3/objects/contacts', { properties: { firstname: { a: 1 } } });
			expect(nested.status).toBe(400);
			const inputs = await hub.call('POST', '/crm/v3/objects/contacts/batch/read', { inputs: 'x' });
			expect(inputs.status).toBe(400);
			const search = await hub.call('POST', '/crm/v3/objects/contacts/search', { filterGroups: [{ filters: [{ propertyName: 'email', operator: 'LIKE', value: 'x' }] }] });
			expect(search.status).toBe(400);
			const badLimit = await hub.call('GET', '/crm/v3/objects/contacts?limit=abc');
			expect(badLimit.status).toBe(400);
		});

		test('unknown routes and object types', async () => {
			const route = await hub.call('GET', '/crm/v3/nothing/here');
			expect(route.status).toBe(404);
			expect(route.body).toEqual({ status: 'error', message: 'resource not found', correlationId: expect.any(String) });
			const type = await hub.call('GET', '/crm/v3/objects/butterflies');
			expect(type.status).toBe(400);
			expect(type.body.message).toBe('Unable to infer object type from: butterflies');
			expect((await hub.call('PUT', '/crm/v3/objects/contacts')).status).toBe(404);
		});
	});

	describe('associations', () => {
		test('inline on create, v3 association names on GET, v4 reads and labels', async () => {
			const co = await create('companies', { name: 'Acme' });
			const c = await create('contacts', { email: 'assoc@example.com' }, {
				associations: [{ to: { id: co.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }, { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] }],
			});
			const got = await hub.call('GET', `/crm/v3/objects/contacts/${c.id}?associations=companies&properties=associatedcompanyid`);
			expect(got.body.associations.companies.results).toEqual([
				{ id: co.id, type: 'contact_to_company' },
				{ id: co.id, type: 'contact_to_company_unlabeled' },
			]);
			expect(got.body.properties.associatedcompanyid).toBe(co.id);
			const back = await hub.call('GET', `/crm/v4/objects/companies/${co.id}/associations/contacts`);
			expect(back.body.results).toEqual([
				{ toObjectId: Number(c.id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 2, label: 'Primary' }, { category: 'HUBSPOT_DEFINED', typeId: 280, label: null }] },
			]);
			const company = await hub.call('GET', `/crm/v3/objects/companies/${co.id}?properties=num_associated_contacts`);
			expect(company.body.properties.num_associated_contacts).toBe('1');
			expect((await hub.call('DELETE', `/crm/v4/objects/contacts/${c.id}/associations/companies/${co.id}`)).status).toBe(204);
			const none = await hub.call('POST', '/crm/v4/associations/contacts/companies/batch/read', { inputs: [{ id: c.id }] });
			expect(none.status).toBe(207);
			expect(none.body.errors[0].subCategory).toBe('crm.associations.NO_ASSOCIATIONS_FOUND');
		});

		test('invalid inline associations and type ids are rejected', async () => {
			const co = await create('companies', { name: 'Acme' });
			const badType = await hub.call('POST', '/crm/v3/objects/contacts', { properties: {}, associations: [{ to: { id: co.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }] }] });
			expect(badType.status).toBe(400);
			const badId = await hub.call('POST', '/crm/v3/objects/contacts', { properties: {}, associations: [{ to: { id: '29999999999' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] }] });
			expect(badId.status).toBe(400);
			const c = await create('contacts', {});
			const batch = await hub.call('POST', '/crm/v4/associations/contacts/companies/batch/create', {
				inputs: [
					{ from: { id: c.id }, to: { id: 'unknown_id_123456798' }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] },
					{ from: { id: c.id }, to: { id: co.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] },
				],
			});
			expect(batch.status).toBe(207);
			expect(batch.body.errors[0]).toEqual({
				status: 'error',
				category: 'VALIDATION_ERROR',
				subCategory: 'crm.associations.INVALID_IDENTIFIER',
				message: 'unknown_id_123456798 is not a valid ID',
				context: { id: ['unknown_id_123456798'] },
			});
			expect(batch.body.results[0]).toEqual({ fromObjectTypeId: '0-1', fromObjectId: Number(c.id), toObjectTypeId: '0-2', toObjectId: Number(co.id), labels: [] });
		});

		test('one primary company per contact; archiving a record drops its associations', async () => {
			const a = await create('companies', { name: 'A' });
			const b = await create('companies', { name: 'B' });
			const c = await create('contacts', {});
			await hub.call('PUT', `/crm/v4/objects/contacts/${c.id}/associations/companies/${a.id}`, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }]);
			const second = await hub.call('PUT', `/crm/v4/objects/contacts/${c.id}/associations/companies/${b.id}`, [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 1 }]);
			expect(second.status).toBe(201);
			expect(second.body.labels).toEqual(['Primary']);
			const list = await hub.call('GET', `/crm/v4/objects/contacts/${c.id}/associations/companies`);
			expect(list.body.results).toEqual([{ toObjectId: Number(b.id), associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 1, label: 'Primary' }] }]);
			await hub.call('DELETE', `/crm/v3/objects/companies/${b.id}`);
			expect((await hub.call('GET', `/crm/v4/objects/contacts/${c.id}/associations/companies`)).body.results).toEqual([]);
		});

		test('batch associate/default creates the unlabeled type both ways', async () => {
			const d = await create('deals', { dealname: 'D' });
			const c = await create('contacts', {});
			const res = await hub.call('POST', '/crm/associations/2026-03/deals/contacts/batch/associate/default', { inputs: [{ from: { id: d.id }, to: { id: c.id } }] });
			expect(res.status).toBe(200);
			expect(res.body.results).toEqual([
				{ from: { id: d.id }, to: { id: c.id }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 } },
				{ from: { id: c.id }, to: { id: d.id }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 4 } },
			]);
			const got = await hub.call('GET', `/crm/objects/2026-03/contacts/${c.id}/associations/deals`);
			expect(got.body.results[0].associationTypes).toEqual([{ category: 'HUBSPOT_DEFINED', typeId: 4, label: null }]);
			const archived = await hub.call('POST', '/crm/v4/associations/deals/contacts/batch/archive', { inputs: [{ from: { id: d.id }, to: [{ id: c.id }] }] });
			expect(archived.status).toBe(204);
			expect((await hub.call('GET', `/crm/v4/objects/deals/${d.id}/associations/contacts`)).body.results).toEqual([]);
		});

		test('merge keeps the primary, moves missing values and associations', async () => {
			const co = await create('companies', { name: 'Acme' });
			const keep = await create('contacts', { email: 'keep@example.com', firstname: 'Keep' });
			const lose = await create('contacts', { email: 'lose@example.com', phone: '555-0100' }, { associations: [{ to: { id: co.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 279 }] }] });
			const merged = await hub.call('POST', '/crm/v3/objects/contacts/merge', { primaryObjectId: keep.id, objectIdToMerge: lose.id });
			expect(merged.status).toBe(200);
			expect(merged.body.properties).toMatchObject({ email: 'keep@example.com', firstname: 'Keep', phone: '555-0100' });
			expect((await hub.call('GET', `/crm/v3/objects/contacts/${lose.id}`)).status).toBe(404);
			expect((await hub.call('GET', `/crm/v4/objects/contacts/${keep.id}/associations/companies`)).body.results[0].toObjectId).toBe(Number(co.id));
		});
	});
});
