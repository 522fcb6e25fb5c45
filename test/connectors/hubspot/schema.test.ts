/** Schema discovery (properties incl. custom ones, pipelines and stages, owners) and associations v4. */
import { startSandbox, type Sandbox } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
	sb = await startSandbox({ tenSecondLimit: 100_000, searchPerSecond: 1000 });
});
afterAll(() => sb.close());
beforeEach(() => {
	sb.def.reset();
	sb.resetCounters();
});

describe('schema discovery', () => {
	test('properties → fields: types, enumeration options, read-only, unique, custom ones included; cached', async () => {
		await sb.raw('POST', '/crm/v3/properties/contacts', {
			name: 'service_plan',
			label: 'Service plan',
			type: 'enumeration',
			fieldType: 'select',
			groupName: 'contactinformation',
			options: [
				{ label: 'Gold', value: 'gold', displayOrder: 0 },
				{ label: 'Silver', value: 'silver', displayOrder: 1 },
			],
		});
		await sb.raw('POST', '/crm/v3/properties/contacts', { name: 'jobber_client_id', label: 'Jobber client id', type: 'string', fieldType: 'text', groupName: 'contactinformation', hasUniqueValue: true });
		const hs = sb.connector();
		const fields = await hs.fields('contacts');
		const by = Object.fromEntries(fields.map((f) => [f.name, f]));
		expect(by.email).toMatchObject({ type: 'email', unique: true, custom: false, readOnly: false, maxLength: 65_536 });
		expect(by.lifecyclestage.type).toBe('enum');
		expect(by.lifecyclestage.options).toEqual(expect.arrayContaining([{ value: 'customer', label: 'Customer' }]));
		expect(by.lastmodifieddate).toMatchObject({ type: 'datetime', readOnly: true });
		expect(by.hs_email_domain.readOnly).toBe(true);
		expect(by.phone.type).toBe('phone');
		expect(by.hubspot_owner_id.type).toBe('reference');
		expect(by.service_plan).toMatchObject({ type: 'enum', custom: true, options: [{ value: 'gold', label: 'Gold' }, { value: 'silver', label: 'Silver' }] });
		expect(by.jobber_client_id).toMatchObject({ custom: true, unique: true });
		expect((await hs.uniqueProperties('contacts')).map((f) => f.name).sort()).toEqual(['email', 'jobber_client_id']);
		await hs.fields('contacts');
		expect(sb.calls('properties.list')).toBe(1);
		const dealFields = Object.fromEntries((await hs.fields('deals')).map((f) => [f.name, f]));
		expect(dealFields.amount.type).toBe('number');
		expect(dealFields.closedate.type).toBe('datetime');
		expect(dealFields.dealstage.options?.length).toBeGreaterThanOrEqual(7);
	});

	test('deal pipelines with ordered stages, and owners', async () => {
		const hs = sb.connector();
		const [pipeline] = await hs.pipelines('deals');
		expect(pipeline).toMatchObject({ id: 'default', label: 'Sales Pipeline' });
		expect(pipeline.stages.map((s) => s.id)).toEqual(['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost']);
		const owners = await hs.owners();
		expect(owners.length).toBe(3);
		expect(owners[0]).toMatchObject({ id: expect.stringMatching(/^\d+$/), email: expect.stringContaining('@') });
		expect(hs.objects().map((o) => [o.name, o.maxBatch, o.incremental])).toEqual([
			['contacts', 100, true],
			['companies', 100, true],
			['deals', 100, true],
		]);
	});
});

describe('associations v4', () => {
	test('deal ↔ contact, deal ↔ company (primary), contact ↔ company; read back both ways', async () => {
		const hs = sb.connector();
		const [c, co, d] = await Promise.all([hs.create('contacts', { email: 'a@example.com' }), hs.create('companies', { name: 'Co' }), hs.create('deals', { dealname: 'Deal' })]);
		if (!c.ok || !co.ok || !d.ok) throw new Error('setup failed');
		expect(await hs.associate('deals', d.record.id, 'contacts', c.record.id)).toMatchObject({ ok: true, typeIds: [3] });
		expect(await hs.associate('deals', d.record.id, 'companies', co.record.id, { primary: true })).toMatchObject({ ok: true, typeIds: [5, 341] });
		expect(await hs.associate('contacts', c.record.id, 'companies', co.record.id)).toMatchObject({ ok: true, typeIds: [279] });
		const dealLinks = await hs.associations('deals', d.record.id, 'companies');
		expect(dealLinks).toEqual([{ id: co.record.id, typeIds: expect.arrayContaining([5, 341]), labels: ['Primary'] }]);
		expect((await hs.associations('contacts', c.record.id, 'deals')).map((a) => a.id)).toEqual([d.record.id]);
		const links = await hs.readLinks('companies', [co.record.id], ['contacts', 'deals']);
		expect(links.get(co.record.id)).toEqual({ contacts: [c.record.id], deals: [d.record.id] });
	});

	test('batch association create: a bad id fails its own pair only', async () => {
		const hs = sb.connector();
		const deals = await hs.write('deals', 'create', [{ fields: { dealname: 'A' } }, { fields: { dealname: 'B' } }]);
		const contact = await hs.create('contacts', { email: 'b@example.com' });
		if (!contact.ok) throw new Error('setup failed');
		const ids = deals.map((r) => (r.ok ? r.record.id : ''));
		const results = await hs.associateMany('deals', 'contacts', [
			{ fromId: ids[0], toId: contact.record.id },
			{ fromId: ids[1], toId: '999' },
			{ fromId: ids[1], toId: contact.record.id },
		]);
		expect(results.map((r) => r.ok)).toEqual([true, false, true]);
		expect(results[1]).toMatchObject({ ok: false, error: { code: 'FIELD_NOT_FOUND', vendor: { code: 'crm.associations.INVALID_IDENTIFIER' } } });
		expect(sb.calls('associations.batch.create')).toBe(1);
	});
});
