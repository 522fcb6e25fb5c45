/**
 * JobberConnector writes against the Jobber sandbox: creates from the Field Mapper's Jobber presets, clientEdit
 * email/phone diffs, upsert as find-then-write (idempotent), userErrors and refused variables per record (nothing
 * written for them, everything else written), custom fields, properties, requests, quotes, jobs, invoices, archive.
 */
import { compileMapping, getPreset } from '../../../sync/mapping';
import { startHarness, type Harness } from './helpers';

jest.setTimeout(60_000);

let h: Harness;
beforeAll(async () => {
	h = await startHarness();
	await h.admin('POST', '/_sandbox/seed', { count: 20, seed: 2 });
});
afterAll(() => h.stop());

async function stored(id: string): Promise<any> {
	const all = (await h.admin('GET', '/_sandbox/records/clients')) as any[];
	return all.find((c) => c.id === id);
}

const hubspotContact = (n: number, extra: Record<string, unknown> = {}) => ({
	firstname: ` Pat${n} `,
	lastname: 'Example',
	email: `Pat${n}@Example.com`,
	phone: `(217) 555-${1000 + n}`,
	address: '12 Elm St',
	city: 'Springfield',
	state: 'IL',
	zip: '62701',
	country: 'United States',
	...extra,
});

function mapped(preset: string, source: Record<string, unknown>): Record<string, unknown> {
	const result = compileMapping(getPreset(preset).mapping).apply(source, 'forward');
	expect(result.valid).toBe(true);
	return result.fields as Record<string, unknown>;
}

describe('clients', () => {
	it('creates from the HubSpot → Jobber preset, filling MAIN/primary and dropping empty entries', async () => {
		const c = h.connector();
		const fields = mapped('hubspot_contact_to_jobber_client', hubspotContact(1));
		const [r] = await c.write('clients', [{ op: 'create', fields: { ...fields, phones: [...(fields.phones as any[]), { number: '  ' }] } }]);
		expect(r.ok).toBe(true);
		if (!r.ok) return;
		expect(r.action).toBe('created');
		const s = await stored(r.record.id);
		expect(s.emails).toEqual([expect.objectContaining({ address: 'pat1@example.com', description: 'MAIN', primary: true })]);
		expect(s.phones).toEqual([expect.objectContaining({ number: '+12175551001', description: 'MAIN', primary: true })]);
		expect(s.billingAddress).toMatchObject({ street1: '12 Elm St', city: 'Springfield', province: 'IL', postalCode: '62701', country: 'US' });
		expect(r.record.fields).toMatchObject({ firstName: 'Pat1', lastName: 'Example' });
	});

	it('upsert is find-then-write and idempotent: created, then unchanged (no mutation), then updated', async () => {
		const c = h.connector();
		const fields = mapped('hubspot_contact_to_jobber_client', hubspotContact(2));
		const [first] = await c.write('clients', [{ op: 'upsert', fields }]);
		expect(first).toMatchObject({ ok: true, action: 'created' });
		await h.resetCounters();
		const [again] = await c.write('clients', [{ op: 'upsert', fields }]);
		expect(again).toMatchObject({ ok: true, action: 'unchanged' });
		const counters = await h.counters();
		expect(counters.byRoute['graphql.query.clientEmails']).toBe(1);
		expect(Object.keys(counters.byRoute).filter((k) => k.startsWith('graphql.mutation'))).toEqual([]);
		const [changed] = await c.write('clients', [{ op: 'upsert', fields: { ...fields, lastName: 'Changed' } }]);
		expect(changed).toMatchObject({ ok: true, action: 'updated', record: { fields: { lastName: 'Changed' } } });
		expect(first.ok && changed.ok && first.record.id === changed.record.id).toBe(true);
	});

	it('two inputs for the same new email in one call create one client, then update it', async () => {
		const c = h.connector();
		const a = mapped('hubspot_contact_to_jobber_client', hubspotContact(3));
		const res = await c.write('clients', [
			{ op: 'upsert', fields: a },
			{ op: 'upsert', fields: { ...a, lastName: 'Second' } },
		]);
		expect(res.map((r) => (r.ok ? r.action : r.error.code))).toEqual(['created', 'updated']);
		expect(res[0].ok && res[1].ok && res[0].record.id === res[1].record.id).toBe(true);
	});

	it('clientEdit diffs emails and phones (merge): the primary edited in place, new ones added, none deleted', async () => {
		const c = h.connector();
		const [created] = await c.write('clients', [
			{ op: 'create', fields: { firstName: 'Dee', emails: [{ address: 'old@dee.test' }, { address: 'work@dee.test', description: 'WORK' }], phones: [{ number: '2175550170' }] } },
		]);
		if (!created.ok) throw new Error(created.error.message);
		const before = await stored(created.record.id);
		const [r] = await c.write('clients', [{ op: 'update', id: created.record.id, fields: { emails: [{ address: 'new@dee.test' }, { address: 'home@dee.test', description: 'personal' }], phones: [{ number: '2175550170', description: 'MOBILE' }] } }]);
		expect(r).toMatchObject({ ok: true, action: 'updated' });
		const after = await stored(created.record.id);
		const byAddress = Object.fromEntries(after.emails.map((e: any) => [e.address, e]));
		expect(Object.keys(byAddress).sort()).toEqual(['home@dee.test', 'new@dee.test', 'work@dee.test']);
		// The primary kept its id: an in-place edit, not delete + add.
		expect(byAddress['new@dee.test'].id).toBe(before.emails.find((e: any) => e.address === 'old@dee.test').id);
		expect(byAddress['new@dee.test'].primary).toBe(true);
		expect(byAddress['home@dee.test'].description).toBe('PERSONAL');
		expect(after.phones).toEqual([expect.objectContaining({ number: '2175550170', description: 'MOBILE', id: before.phones[0].id })]);
	});

	it('clientEdit in replace mode makes the lists exactly the desired ones (deletes the rest)', async () => {
		const c = h.connector();
		const [created] = await c.write('clients', [{ op: 'create', fields: { firstName: 'Rae', emails: [{ address: 'a@rae.test' }, { address: 'b@rae.test' }, { address: 'c@rae.test' }] } }]);
		if (!created.ok) throw new Error(created.error.message);
		const [r] = await c.write('clients', [{ op: 'update', id: created.record.id, fields: { emails: [{ address: 'b@rae.test' }] } }], { listMode: 'replace' });
		expect(r).toMatchObject({ ok: true, action: 'updated' });
		const after = await stored(created.record.id);
		expect(after.emails.map((e: any) => [e.address, e.primary])).toEqual([['b@rae.test', true]]);
	});

	it('userErrors fail only their record, with field and taxonomy code; nothing of it is written', async () => {
		const c = h.connector();
		const countBefore = ((await h.admin('GET', '/_sandbox/records/clients')) as any[]).length;
		const res = await c.write('clients', [
			{ op: 'create', fields: { firstName: 'Good', lastName: 'One', emails: [{ address: 'good.one@example.com' }] } },
			{ op: 'create', fields: { firstName: 'Bad', emails: [{ address: 'x@example.com' }, { address: 'bad@@example' }] } },
			{ op: 'create', fields: { firstName: 'X'.repeat(300) } },
			{ op: 'create', fields: { emails: [{ address: 'noname@example.com' }] } },
			{ op: 'create', fields: { firstName: 'Good', lastName: 'Two' } },
		]);
		expect(res.map((r) => (r.ok ? r.action : `${r.error.code}:${r.error.field}`))).toEqual([
			'created',
			'INVALID_EMAIL:emails[1].address',
			'VALUE_TOO_LONG:firstName',
			'REQUIRED_FIELD_MISSING:firstName',
			'created',
		]);
		const bad = res[1];
		if (!bad.ok) expect(bad.error).toMatchObject({ category: 'Data', retryable: false, record: { system: 'jobber', object: 'clients' }, suggestedFix: expect.any(String) });
		expect(((await h.admin('GET', '/_sandbox/records/clients')) as any[]).length).toBe(countBefore + 2);
	});

	it('a value Jobber refuses at variable coercion fails only its record; the rest of the batch is written', async () => {
		const c = h.connector();
		const [p] = (await h.admin('GET', '/_sandbox/records/properties?offset=0&limit=1')) as any[];
		const res = await c.write('jobs', [
			{ op: 'create', fields: { propertyId: p.id, title: 'Fine' } },
			{ op: 'create', fields: { propertyId: 'not-an-id', title: 'Broken' } },
			{ op: 'create', fields: { propertyId: p.id, title: 'Also fine', invoicing: { invoicingType: 'SOMETIMES' } } },
		]);
		expect(res.map((r) => (r.ok ? r.action : `${r.error.code}:${r.error.field}`))).toEqual(['created', 'INVALID_FORMAT:propertyId', 'INVALID_FORMAT:invoicing.invoicingType']);
	});

	it('stores values that look like GraphQL literally (values only ever travel in variables)', async () => {
		const c = h.connector();
		const evil = '") { __schema { types { name } } }';
		const [r] = await c.write('clients', [{ op: 'create', fields: { firstName: evil, lastName: 'mutation { appDisconnect { app { name } } }', companyName: '$input', billingAddress: { street1: '{"a":1}\\n#' } } }]);
		if (!r.ok) throw new Error(r.error.message);
		const s = await stored(r.record.id);
		expect(s).toMatchObject({ firstName: evil, lastName: 'mutation { appDisconnect { app { name } } }', companyName: '$input', billingAddress: { street1: '{"a":1}\\n#' } });
		const [found] = await c.findClients('name', [`${evil} mutation { appDisconnect { app { name } } }`]);
		expect(found.matches.map((m) => m.id)).toEqual([r.record.id]);
		// The app is still connected: nothing in the values was executed.
		expect((await c.account()).id).toBe(h.info.accountId);
	});

	it('custom fields by name: written, read back, diffed; bad values refused before sending', async () => {
		const c = h.connector();
		const [r] = await c.write('clients', [{ op: 'create', fields: { firstName: 'Cuz', customFields: { 'External ID': 'hs-42', 'Preferred contact': 'phone', 'Lifetime value': '1200.5', Website: 'https://cuz.test' } } }]);
		if (!r.ok) throw new Error(JSON.stringify(r.errors));
		expect(r.record.fields.customFields).toEqual({ 'External ID': 'hs-42', 'Preferred contact': 'Phone', 'Lifetime value': 1200.5, Website: { text: 'https://cuz.test', url: 'https://cuz.test' } });
		const [same] = await c.write('clients', [{ op: 'update', id: r.record.id, fields: { customFields: { 'External ID': 'hs-42' } } }]);
		expect(same).toMatchObject({ ok: true, action: 'unchanged' });
		const [bad] = await c.write('clients', [{ op: 'update', id: r.record.id, fields: { customFields: { 'Preferred contact': 'Pigeon', Nope: 1 } } }]);
		expect(bad.ok ? [] : bad.errors.map((e) => `${e.code}:${e.field}`)).toEqual(['INVALID_FORMAT:customFields.Preferred contact', 'FIELD_NOT_FOUND:customFields.Nope']);
	});

	it('unknown input fields are a Field Not Found error by default, or ignored with a warning', async () => {
		const c = h.connector();
		const [strict] = await c.write('clients', [{ op: 'create', fields: { firstName: 'Un', favouriteColour: 'red' } }]);
		expect(strict).toMatchObject({ ok: false, error: { code: 'FIELD_NOT_FOUND', field: 'favouriteColour' } });
		const [lenient] = await c.write('clients', [{ op: 'create', fields: { firstName: 'Un', favouriteColour: 'red' } }], { unknownFields: 'ignore' });
		expect(lenient).toMatchObject({ ok: true, action: 'created', warnings: [expect.stringContaining('favouriteColour')] });
	});

	it('update of a client that does not exist: Field Not Found, or created with createIfMissing', async () => {
		const c = h.connector();
		const ghost = Buffer.from('gid://Jobber/Client/987654').toString('base64');
		const [missing] = await c.write('clients', [{ op: 'update', id: ghost, fields: { firstName: 'Ghost' } }]);
		expect(missing).toMatchObject({ ok: false, error: { code: 'FIELD_NOT_FOUND', field: 'id' } });
		const [made] = await c.write('clients', [{ op: 'update', id: ghost, fields: { firstName: 'Ghost' } }], { createIfMissing: true });
		expect(made).toMatchObject({ ok: true, action: 'created' });
	});

	it('archives a client (delete): the envelope says deleted', async () => {
		const c = h.connector();
		const [r] = await c.write('clients', [{ op: 'create', fields: { firstName: 'Gone' } }]);
		if (!r.ok) throw new Error(r.error.message);
		const [del] = await c.write('clients', [{ op: 'delete', id: r.record.id, fields: {} }]);
		expect(del).toMatchObject({ ok: true, action: 'deleted', record: { deleted: true, fields: { isArchived: true } } });
	});

	it('upserts 60 clients in a few calls: batched finds and aliased mutations', async () => {
		const c = h.connector();
		const items = Array.from({ length: 60 }, (_, n) => ({ op: 'upsert' as const, fields: mapped('hubspot_contact_to_jobber_client', hubspotContact(100 + n)) }));
		await h.resetCounters();
		const res = await c.write('clients', items);
		expect(res.every((r) => r.ok && r.action === 'created')).toBe(true);
		const first = await h.counters();
		const again = await c.write('clients', items);
		expect(again.every((r) => r.ok && r.action === 'unchanged')).toBe(true);
		const second = await h.counters();
		// Creating: finds and creates in batches; re-running: only the finds.
		expect(first.total).toBeLessThanOrEqual(8);
		expect(second.total - first.total).toBeLessThanOrEqual(5);
		expect(c.stats.throttled).toBe(0);
	});
});


describe('what a write returns (Return Fields)', () => {
	const pointsOf = (c: ReturnType<Harness['connector']>) => c.stats.actualCost;

	it('ID Only returns id and updatedAt at a fraction of the points; Written returns the fields it set, as Jobber stored them', async () => {
		const fields = mapped('hubspot_contact_to_jobber_client', hubspotContact(40));
		const all = h.connector();
		const [a] = await all.write('clients', [{ op: 'create', fields: { ...fields, emails: [{ address: 'rf-all@example.com' }] } }]);
		const idOnly = h.connector();
		const [b] = await idOnly.write('clients', [{ op: 'create', fields: { ...fields, emails: [{ address: 'rf-id@example.com' }] } }], { returnFields: 'id' });
		const written = h.connector();
		const [w] = await written.write('clients', [{ op: 'create', fields: { ...fields, emails: [{ address: 'rf-written@example.com' }] } }], { returnFields: 'written' });
		if (!a.ok || !b.ok || !w.ok) throw new Error('a create failed');

		expect(b.record.fields).toEqual({});
		expect(b.record.id).toBeTruthy();
		expect((await stored(b.record.id)).emails[0].address).toBe('rf-id@example.com');
		expect(b.record.updatedAt).toBe(new Date((await stored(b.record.id)).updatedAt).toISOString());
		// Jobber's values of what was written (the phone as Jobber stored it, E.164), nothing it was not given.
		expect(w.record.fields).toMatchObject({ firstName: 'Pat40', lastName: 'Example', phones: [expect.objectContaining({ number: '+12175551040' })] });
		expect(w.record.fields).not.toHaveProperty('tags');
		expect(w.record.fields).not.toHaveProperty('customFields');
		expect(a.record.fields).toHaveProperty('tags');

		// Points charged by the sandbox's cost accounting: the whole record costs several times what the id does.
		expect(pointsOf(idOnly)).toBeLessThanOrEqual(8);
		expect(pointsOf(written)).toBeLessThan(pointsOf(all) / 1.5);
		expect(pointsOf(all)).toBeGreaterThan(4 * pointsOf(idOnly));
	});

	it('an upsert below All reads only the fields it writes, and still edits in place (no second email, no duplicate)', async () => {
		const fields = mapped('hubspot_contact_to_jobber_client', hubspotContact(41));
		const [created] = await h.connector().write('clients', [{ op: 'create', fields }], { returnFields: 'id' });
		if (!created.ok) throw new Error('create failed');
		const c = h.connector();
		const [again] = await c.write('clients', [{ op: 'upsert', fields: { ...fields, lastName: 'Changed' } }], { returnFields: 'written' });
		expect(again).toMatchObject({ ok: true, action: 'updated' });
		if (!again.ok) return;
		expect(again.record.id).toBe(created.record.id);
		expect(again.record.fields).toMatchObject({ lastName: 'Changed' });
		const s = await stored(created.record.id);
		expect(s.lastName).toBe('Changed');
		expect(s.emails).toHaveLength(1);
		const [same] = await c.write('clients', [{ op: 'upsert', fields: { ...fields, lastName: 'Changed' } }], { returnFields: 'id' });
		expect(same).toMatchObject({ ok: true, action: 'unchanged' });
	});
});

describe('properties, requests, quotes, jobs, invoices', () => {
	let clientId: string;
	let propertyId: string;
	beforeAll(async () => {
		const c = h.connector();
		const [r] = await c.write('clients', [{ op: 'create', fields: { firstName: 'Work', lastName: 'Flow' } }]);
		if (!r.ok) throw new Error(r.error.message);
		clientId = r.record.id;
	});

	it('property: create for a client (address required), update, delete', async () => {
		const c = h.connector();
		const [noAddress] = await c.write('properties', [{ op: 'create', fields: { clientId } }]);
		expect(noAddress).toMatchObject({ ok: false, error: { code: 'REQUIRED_FIELD_MISSING', field: 'address' } });
		const [created] = await c.write('properties', [{ op: 'create', fields: { clientId, address: { street1: '5 Oak Ave', city: 'Peoria', province: 'IL', postalCode: '61602', country: 'US' } } }]);
		if (!created.ok) throw new Error(created.error.message);
		propertyId = created.record.id;
		expect(created.record).toMatchObject({ object: 'properties', links: { client: clientId }, fields: { address: { street1: '5 Oak Ave' } } });
		const [edited] = await c.write('properties', [{ op: 'update', id: propertyId, fields: { street1: '7 Oak Ave' } }]);
		expect(edited).toMatchObject({ ok: true, action: 'updated', record: { fields: { address: { street1: '7 Oak Ave', city: 'Peoria' } } } });
		const [same] = await c.write('properties', [{ op: 'update', id: propertyId, fields: { address: { street1: '7 Oak Ave' } } }]);
		expect(same).toMatchObject({ ok: true, action: 'unchanged' });
		const [extra] = await c.write('properties', [{ op: 'create', fields: { clientId, address: { street1: 'Spare' } } }]);
		if (!extra.ok) throw new Error(extra.error.message);
		const [deleted] = await c.write('properties', [{ op: 'delete', id: extra.record.id, fields: {} }]);
		expect(deleted).toMatchObject({ ok: true, action: 'deleted' });
	});

	it('job: from the HubSpot deal preset; the property resolved from the client; jobEdit diffed', async () => {
		const c = h.connector();
		const fields = mapped('hubspot_deal_jobber_job', { dealname: 'Spring cleanup', description: 'Back yard', amount: '240.00', closedate: '2026-04-02T10:00:00Z' });
		const [job] = await c.write('jobs', [{ op: 'create', fields: { ...fields, clientId } }]);
		if (!job.ok) throw new Error(JSON.stringify(job.errors));
		expect(job.record).toMatchObject({ object: 'jobs', links: { client: clientId, property: propertyId }, fields: { title: 'Spring cleanup', instructions: 'Back yard', total: 240, billingType: 'FIXED_PRICE' } });
		expect(job.record.fields.lineItems).toEqual([expect.objectContaining({ name: 'Spring cleanup', quantity: 1, unitPrice: 240 })]);
		const [edit] = await c.write('jobs', [{ op: 'update', id: job.record.id, fields: { ...fields, title: 'Spring cleanup (2)' } }]);
		expect(edit).toMatchObject({ ok: true, action: 'updated', record: { fields: { title: 'Spring cleanup (2)' } } });
		expect(edit.warnings).toEqual(expect.arrayContaining([expect.stringContaining('line items')]));
		const [none] = await c.write('jobs', [{ op: 'update', id: job.record.id, fields: { title: 'Spring cleanup (2)', instructions: 'Back yard' } }]);
		expect(none).toMatchObject({ ok: true, action: 'unchanged' });
		const [noProperty] = await c.write('jobs', [{ op: 'create', fields: { title: 'Nowhere' } }]);
		expect(noProperty).toMatchObject({ ok: false, error: { code: 'REQUIRED_FIELD_MISSING', field: 'propertyId' } });
	});

	it('request and quote: create for a client; invoice: created from a job', async () => {
		const c = h.connector();
		const [req] = await c.write('requests', [{ op: 'create', fields: { clientId, title: 'Gutters' } }]);
		expect(req).toMatchObject({ ok: true, action: 'created', record: { object: 'requests', links: { client: clientId }, fields: { title: 'Gutters', requestStatus: 'new' } } });
		const [quote] = await c.write('quotes', [{ op: 'create', fields: { clientId, propertyId, title: 'Gutters', lineItems: [{ name: 'Gutter cleaning', unitPrice: '180', quantity: 2 }] } }]);
		expect(quote).toMatchObject({ ok: true, action: 'created', record: { object: 'quotes', fields: { quoteStatus: 'draft', amounts: { total: 360 } } } });
		const [job] = await c.write('jobs', [{ op: 'create', fields: { propertyId, title: 'Bill me', lineItems: [{ name: 'Visit', unitPrice: 99 }] } }]);
		if (!job.ok) throw new Error(job.error.message);
		const [inv] = await c.write('invoices', [{ op: 'create', fields: { jobId: job.record.id } }]);
		expect(inv).toMatchObject({ ok: true, action: 'created', record: { object: 'invoices', links: { client: clientId, jobs: [job.record.id] }, fields: { amounts: { total: 99 } } } });
		const [again] = await c.write('invoices', [{ op: 'create', fields: { jobId: job.record.id } }]);
		expect(again).toMatchObject({ ok: false, error: { code: 'INVALID_FORMAT', vendor: { code: 'userErrors' } } });
	});

	it('refuses operations Jobber has no mutation for', async () => {
		const c = h.connector();
		const [r] = await c.write('invoices', [{ op: 'update', id: clientId, fields: {} }]);
		expect(r).toMatchObject({ ok: false, error: { code: 'OBJECT_TYPE_CHANGED' } });
	});
});
