/** Reads against the Pipedrive sandbox: get, get many across pages, changes since a cursor, find by match key. */
import { buildUrl, fetchClient } from '../../../connectors/core/http';
import { decodeCursor } from '../../../connectors/pipedrive';
import { startHarness, type Harness } from './helpers';

let h: Harness;

beforeAll(async () => {
	h = await startHarness();
});
afterAll(() => h.stop());

describe('get and get many', () => {
	beforeAll(async () => {
		await h.admin('POST', '/_sandbox/reset');
		await h.admin('POST', '/_sandbox/seed', { object: 'persons', count: 3000 });
	});

	test('get: one v2 call, envelope with custom fields by name and enum labels', async () => {
		const c = h.connector();
		await c.schema('persons');
		await h.resetCounters();
		const p = await c.get('persons', '5');
		expect((await h.counters()).byRoute).toEqual({ 'v2.persons.get': 1 });
		expect(p).toMatchObject({ system: 'pipedrive', object: 'persons', id: '5' });
		expect(p.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z$/);
		expect(['Residential', 'Commercial', 'Property manager']).toContain(p.fields['Customer Type']);
		expect(p.fields['Service Address']).toMatchObject({ value: expect.any(String) });
		expect(p.fields).not.toHaveProperty('custom_fields');
		expect(Object.keys(p.fields).some((k) => /^[0-9a-f]{40}$/.test(k))).toBe(false);
		expect(p.links?.owner).toBeDefined();
	});

	test('get many: all 3,000 persons over 6 pages of 500 (one call per page, every page read)', async () => {
		const c = h.connector();
		await h.resetCounters();
		const all = await c.getMany('persons');
		expect(all).toHaveLength(3000);
		expect(new Set(all.map((r) => r.id)).size).toBe(3000);
		const counters = await h.counters();
		expect(counters.byRoute['v2.persons.list']).toBe(6);
		expect(counters.byRoute['v2.personFields.list']).toBe(1);
		expect(c.transport.stats.tokens).toBe(6 * 10 + 10);
	});

	test('get many with a limit and a small page size stops as soon as it has enough', async () => {
		const c = h.connector();
		await c.schema('persons');
		await h.resetCounters();
		const some = await c.getMany('persons', { limit: 250, pageSize: 100, sortBy: 'id', sortDirection: 'desc' });
		expect(some).toHaveLength(250);
		expect(some[0].id).toBe('3000');
		expect((await h.counters()).byRoute['v2.persons.list']).toBe(3);
	});

	test('organizations and deals read the same way; deals carry their pipeline and stage links', async () => {
		await h.admin('POST', '/_sandbox/seed', { object: 'deals', count: 30 });
		const c = h.connector();
		const orgs = await c.getMany('organizations', { limit: 5 });
		expect(orgs[0]).toMatchObject({ object: 'organizations', fields: { name: expect.any(String) } });
		expect(Object.keys(orgs[0].fields)).toContain('Industry');
		const deals = await c.getMany('deals', { filters: { status: 'open' } });
		expect(deals.length).toBeGreaterThan(0);
		expect(deals[0].links).toMatchObject({ pipeline: expect.any(String), stage: expect.any(String) });
		expect(['Installation', 'Repair', 'Maintenance', 'Inspection', null]).toContain(deals[0].fields['Job Type']);
	});

	test('pipelines, stages and users for the dropdowns', async () => {
		const c = h.connector();
		await h.resetCounters();
		const pipelines = await c.pipelines();
		expect(pipelines.length).toBeGreaterThan(0);
		const stages = await c.stages(pipelines[0].id);
		expect(stages.every((s) => s.pipelineId === pipelines[0].id)).toBe(true);
		const users = await c.users();
		expect(users.map((u) => u.id)).toContain(h.info.users[0].id);
		expect(await h.counters()).toMatchObject({ byRoute: { 'v2.pipelines.list': 1, 'v2.stages.list': 1, 'v1.users.list': 1 } });
		const fields = await c.fields('persons');
		expect(fields.find((f) => f.name === 'Customer Type')).toMatchObject({ custom: true, type: 'enum', vendorKey: expect.stringMatching(/^[0-9a-f]{40}$/) });
		expect(fields.find((f) => f.name === 'name')).toMatchObject({ required: true, custom: false });
	});
});

describe('changes since a cursor', () => {
	beforeAll(async () => {
		await h.admin('POST', '/_sandbox/reset');
		await h.admin('POST', '/_sandbox/seed', { object: 'persons', count: 1200 });
	});

	test('full read: every page, oldest change first, and a checkpoint at the newest update_time', async () => {
		const c = h.connector();
		await c.schema('persons');
		await h.resetCounters();
		const pages = [];
		for await (const page of c.changes('persons', { pageSize: 100 })) pages.push(page);
		const records = pages.flatMap((p) => p.records);
		expect(records).toHaveLength(1200);
		expect((await h.counters()).byRoute['v2.persons.list']).toBe(12);
		const times = records.map((r) => Date.parse(r.updatedAt));
		expect(times).toEqual([...times].sort((a, b) => a - b));
		const last = pages[pages.length - 1];
		expect(last.done).toBe(true);
		expect(decodeCursor(last.checkpoint)!.checkpoint).toBe(records[records.length - 1].updatedAt);
	});

	test('incremental: only what changed after the checkpoint; the overlap re-read is de-duplicated', async () => {
		const c = h.connector();
		const first = await c.readChanges('persons', { overlapMs: 120_000 });
		expect(first.records).toHaveLength(1200);
		// Nothing changed: the overlap window re-reads the newest records, none is delivered again.
		await h.resetCounters();
		const again = await c.readChanges('persons', { since: first.checkpoint, overlapMs: 120_000 });
		expect(again.records).toEqual([]);
		const calls = (await h.counters()).byRoute['v2.persons.list'];
		expect(calls).toBe(1);
		// Edits in the app (and one through the API) come through once each.
		h.sandbox.vendors.pipedrive!.context.clock.advance(1500);
		await h.admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', id: 7, changes: { name: 'Edited Seven' } });
		await h.admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', id: 900, changes: { job_title: 'Dispatcher' } });
		const created = await c.create('persons', { name: 'Fresh Person', emails: 'fresh@example.com' });
		expect(created.ok).toBe(true);
		const next = await c.readChanges('persons', { since: again.checkpoint, overlapMs: 120_000 });
		expect(next.records.map((r) => r.id).sort()).toEqual(['1201', '7', '900'].sort());
		expect(next.records.find((r) => r.id === '7')!.fields.name).toBe('Edited Seven');
		// The cursor moved on: the next read is empty again.
		expect((await c.readChanges('persons', { since: next.checkpoint, overlapMs: 120_000 })).records).toEqual([]);
	});

	test('a second write within the same second (same update_time) is not mistaken for the delivered one', async () => {
		const c = h.connector();
		const base = await c.readChanges('persons', {});
		h.sandbox.vendors.pipedrive!.context.clock.advance(3000);
		await h.admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', id: 11, changes: { job_title: 'First' } });
		const one = await c.readChanges('persons', { since: base.checkpoint });
		expect(one.records.map((r) => [r.id, r.fields.job_title])).toEqual([['11', 'First']]);
		// Same vendor second: update_time does not move.
		await h.admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', id: 11, changes: { job_title: 'Second' } });
		const two = await c.readChanges('persons', { since: one.checkpoint });
		expect(two.records.map((r) => [r.id, r.fields.job_title])).toEqual([['11', 'Second']]);
		expect(two.records[0].updatedAt).toBe(one.records[0].updatedAt);
	});

	test('a plain ISO date works as the first cursor; updated_since is sent in whole seconds', async () => {
		const urls: string[] = [];
		const base = fetchClient({ baseUrl: h.url, headers: () => ({ 'x-api-token': h.token }) });
		const c = h.connector({
			http: {
				request: (req) => {
					urls.push(buildUrl(h.url, req.url, req.query));
					return base.request(req);
				},
			},
		});
		const all = await c.readChanges('persons', {});
		const mid = all.records[600].updatedAt;
		const from = await c.readChanges('persons', { since: new Date(Date.parse(mid) + 400).toISOString(), overlapMs: 0 });
		expect(from.records.length).toBeGreaterThan(0);
		expect(from.records.every((r) => Date.parse(r.updatedAt) >= Date.parse(mid))).toBe(true);
		const listed = new URL(urls.filter((u) => u.includes('/api/v2/persons?')).pop()!);
		expect(listed.searchParams.get('updated_since')).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
		expect(listed.searchParams.get('updated_since')).toBe(mid.replace('.000Z', 'Z'));
		expect(listed.searchParams.get('sort_by')).toBe('update_time');
		expect(listed.searchParams.get('sort_direction')).toBe('asc');
	});
});

describe('find by match key', () => {
	beforeAll(async () => {
		await h.admin('POST', '/_sandbox/reset');
		await h.admin('POST', '/_sandbox/seed', { object: 'persons', count: 50 });
	});

	test('email: exact, case-insensitive, one search call then one get', async () => {
		const c = h.connector();
		await c.schema('persons');
		const target = await c.get('persons', '12');
		const email = (target.fields.emails as Array<{ value: string }>)[0].value;
		await h.resetCounters();
		const found = await c.find('persons', 'email', email.toUpperCase());
		expect(found.map((r) => r.id)).toEqual(['12']);
		expect((await h.counters()).byRoute).toEqual({ 'v2.persons.search': 1, 'v2.persons.get': 1 });
		expect(await c.find('persons', 'email', 'nobody@example.com')).toEqual([]);
	});

	test('phone: normalised to E.164 on both sides', async () => {
		const c = h.connector();
		const created = await c.create('persons', { name: 'Phone Person', phones: [{ value: '(217) 555-0143', label: 'mobile' }] });
		expect(created.ok).toBe(true);
		const id = created.ok ? created.record.id : '';
		expect((await c.find('persons', 'phone', '+1 217 555 0143')).map((r) => r.id)).toEqual([id]);
		expect((await c.find('persons', 'phone', '217.555.0143')).map((r) => r.id)).toEqual([id]);
		await expect(c.find('persons', 'phone', 'call me')).rejects.toMatchObject({ classified: { code: 'INVALID_FORMAT', field: 'phone' } });
	});

	test('name and custom field (by its name); several matches come back as several records', async () => {
		const c = h.connector();
		await c.create('persons', { name: 'Twin Name', 'Jobber Client ID': 'JC-77' });
		await c.create('persons', { name: 'Twin Name', 'Jobber Client ID': 'JC-78' });
		const byName = await c.find('persons', 'name', 'twin name');
		expect(byName).toHaveLength(2);
		await h.resetCounters();
		const byCustom = await c.find('persons', 'Jobber Client ID', 'JC-78');
		expect(byCustom).toHaveLength(1);
		expect(byCustom[0].fields['Jobber Client ID']).toBe('JC-78');
		// search, then a list by ids to check which custom field holds the value, then the record
		expect((await h.counters()).byRoute).toEqual({ 'v2.persons.search': 1, 'v2.persons.list': 1, 'v2.persons.get': 1 });
		await expect(c.find('persons', 'Customer Type', 'Residential')).rejects.toMatchObject({ classified: { code: 'INVALID_FORMAT', field: 'Customer Type' } });
	});

	test('by id: found, or nothing when deleted', async () => {
		const c = h.connector();
		expect((await c.find('persons', 'id', '3')).map((r) => r.id)).toEqual(['3']);
		await c.delete('persons', '3');
		expect(await c.find('persons', 'id', '3')).toEqual([]);
	});
});
