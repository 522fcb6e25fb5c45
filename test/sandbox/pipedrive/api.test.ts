/** Behaviour of the v2/v1 record endpoints: paging, updated_since, person rules, custom fields, search, v1. */
import { startPipedrive, type Sandbox } from './helpers';

let sb: Sandbox;
type FieldSummary = { key: string; name: string; field_type: string; options: Array<{ id: number; label: string }> | null };
let fields: Record<'person' | 'organization' | 'deal', FieldSummary[]>;
const field = (entity: 'person' | 'organization' | 'deal', name: string) => fields[entity].find((f) => f.name === name)!;

beforeAll(async () => {
	sb = await startPipedrive({ rateLimiting: false });
	fields = (await sb.call('GET', '/_sandbox/pipedrive/fields')).body;
});
afterAll(() => sb.close());

describe('cursor pagination', () => {
	beforeAll(async () => {
		await sb.call('POST', '/_sandbox/reset');
		sb.server.definition.seed({ count: 1234, seed: 11 });
	});

	async function all(query: string): Promise<{ ids: number[]; pages: number; lastCursor: unknown }> {
		const ids: number[] = [];
		let cursor: string | null = null;
		let pages = 0;
		let lastCursor: unknown;
		do {
			const res: { status: number; body: any } = await sb.call('GET', `/api/v2/persons?${query}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
			expect(res.status).toBe(200);
			ids.push(...res.body.data.map((p: { id: number }) => p.id));
			cursor = res.body.additional_data.next_cursor;
			lastCursor = cursor;
			pages++;
		} while (cursor);
		return { ids, pages, lastCursor };
	}

	test('default limit 100: 13 pages, every record once, in id order, next_cursor null at the end', async () => {
		const { ids, pages, lastCursor } = await all('');
		expect(pages).toBe(13);
		expect(ids).toHaveLength(1234);
		expect(new Set(ids).size).toBe(1234);
		expect(ids).toEqual([...ids].sort((a, b) => a - b));
		expect(lastCursor).toBeNull();
	});

	test('limit 500 (max), descending and by update_time', async () => {
		expect((await all('limit=500')).pages).toBe(3);
		const desc = await all('limit=500&sort_direction=desc');
		expect(desc.ids[0]).toBe(1234);
		expect(desc.ids).toEqual([...desc.ids].sort((a, b) => b - a));
		const byUpdate = await all('limit=250&sort_by=update_time');
		expect(byUpdate.ids).toHaveLength(1234);
		expect(new Set(byUpdate.ids).size).toBe(1234);
	});

	test('exactly one full page: next_cursor is null, not a cursor to an empty page', async () => {
		const res = await sb.call('GET', '/api/v2/persons?limit=500&ids=' + Array.from({ length: 100 }, (_, i) => i + 1).join(','));
		expect(res.body.data).toHaveLength(100);
		expect(res.body.additional_data.next_cursor).toBeNull();
	});

	test('cursor format mirrors Pipedrive (base64 JSON field/fieldValue/sortDirection/id)', async () => {
		const res = await sb.call('GET', '/api/v2/persons?limit=7');
		const decoded = JSON.parse(Buffer.from(res.body.additional_data.next_cursor, 'base64url').toString());
		expect(decoded).toEqual({ field: 'id', fieldValue: 7, sortDirection: 'asc', id: 7 });
	});

	test('invalid limit, sort and cursor answer 400 in the envelope', async () => {
		for (const q of ['limit=501', 'limit=0', 'limit=abc', 'sort_by=name', 'sort_direction=up', 'cursor=garbage']) {
			const res = await sb.call('GET', `/api/v2/persons?${q}`);
			expect(res.status).toBe(400);
			expect(res.body.success).toBe(false);
			expect(res.body.data).toBeNull();
		}
	});

	test('filters: ids, owner_id, org_id; deleted persons are left out', async () => {
		const byIds = await sb.call('GET', '/api/v2/persons?ids=3,5,7');
		expect(byIds.body.data.map((p: { id: number }) => p.id)).toEqual([3, 5, 7]);
		const owner = (await sb.call('GET', '/api/v2/persons/1')).body.data.owner_id;
		const owned = await sb.call('GET', `/api/v2/persons?owner_id=${owner}&limit=500`);
		expect(owned.body.data.every((p: { owner_id: number }) => p.owner_id === owner)).toBe(true);
		const withOrg = (await sb.call('GET', '/api/v2/persons?limit=50')).body.data.find((p: { org_id: number | null }) => p.org_id !== null);
		const inOrg = await sb.call('GET', `/api/v2/persons?org_id=${withOrg.org_id}&limit=500`);
		expect(inOrg.body.data.length).toBeGreaterThan(0);
		expect(inOrg.body.data.every((p: { org_id: number }) => p.org_id === withOrg.org_id)).toBe(true);
		await sb.call('DELETE', '/api/v2/persons/5');
		const after = await sb.call('GET', '/api/v2/persons?ids=3,5,7');
		expect(after.body.data.map((p: { id: number }) => p.id)).toEqual([3, 7]);
	});
});

describe('updated_since / updated_until', () => {
	beforeAll(async () => {
		await sb.call('POST', '/_sandbox/reset');
		sb.server.definition.seed({ count: 300, seed: 5 });
	});

	test('only records written at or after updated_since come back; update_time moves on every write', async () => {
		sb.server.context.clock.advance(60_000);
		const before = (await sb.call('GET', '/api/v2/persons/10')).body.data.update_time;
		const mark = new Date(sb.server.context.clock.now()).toISOString().slice(0, 19) + 'Z';
		sb.server.context.clock.advance(2_000);
		for (const id of [10, 20, 30]) await sb.call('PATCH', `/api/v2/persons/${id}`, { job_title: 'Updated' });
		const after = (await sb.call('GET', '/api/v2/persons/10')).body.data.update_time;
		expect(after > before).toBe(true);
		const res = await sb.call('GET', `/api/v2/persons?updated_since=${mark}&sort_by=update_time&sort_direction=asc`);
		expect(res.body.data.map((p: { id: number }) => p.id)).toEqual([10, 20, 30]);
		const until = await sb.call('GET', `/api/v2/persons?updated_until=${mark}&limit=500`);
		expect(until.body.data.map((p: { id: number }) => p.id)).not.toContain(10);
		expect(until.body.data).toHaveLength(297);
	});

	test('updated_since is inclusive (>=) at whole seconds; fractional seconds are rejected like the live API', async () => {
		const p = (await sb.call('GET', '/api/v2/persons/20')).body.data;
		const same = await sb.call('GET', `/api/v2/persons?updated_since=${p.update_time}&ids=20`);
		expect(same.body.data).toHaveLength(1);
		const frac = await sb.call('GET', `/api/v2/persons?updated_since=${encodeURIComponent(new Date().toISOString())}`);
		expect(frac.status).toBe(400);
		expect(frac.body.error).toContain('updated_since');
		const bad = await sb.call('GET', '/api/v2/persons?updated_since=yesterday');
		expect(bad.status).toBe(400);
	});

	test('deletions appear in an updated_since pull of deals with status=deleted', async () => {
		sb.server.definition.seed({ object: 'deals', count: 20, seed: 5 });
		sb.server.context.clock.advance(5_000);
		const mark = new Date(sb.server.context.clock.now()).toISOString().slice(0, 19) + 'Z';
		sb.server.context.clock.advance(1_000);
		await sb.call('DELETE', '/api/v2/deals/3');
		const res = await sb.call('GET', `/api/v2/deals?updated_since=${mark}&status=deleted`);
		expect(res.body.data.map((d: { id: number; is_deleted: boolean }) => [d.id, d.is_deleted])).toEqual([[3, true]]);
		const normal = await sb.call('GET', `/api/v2/deals?updated_since=${mark}`);
		expect(normal.body.data).toEqual([]);
	});
});

describe('person rules (v2 strict)', () => {
	test('name alone is split; first+last build the name; neither → 400', async () => {
		const a = await sb.call('POST', '/api/v2/persons', { name: 'Ada Lovelace King' });
		expect(a.body.data).toMatchObject({ name: 'Ada Lovelace King', first_name: 'Ada', last_name: 'Lovelace King' });
		const b = await sb.call('POST', '/api/v2/persons', { first_name: 'Grace', last_name: 'Hopper' });
		expect(b.body.data).toMatchObject({ name: 'Grace Hopper', first_name: 'Grace', last_name: 'Hopper' });
		const c = await sb.call('POST', '/api/v2/persons', { first_name: 'Only' });
		expect(c.status).toBe(400);
		expect(c.body).toMatchObject({ success: false, code: 'ERR_SCHEMA_VALIDATION_FAILED', data: null, additional_data: null });
	});

	test('emails/phones: label defaults to work, first becomes primary, one primary at most', async () => {
		const res = await sb.call('POST', '/api/v2/persons', { name: 'Mail Test', emails: [{ value: 'a@x.com' }, { value: 'b@x.com', label: 'home' }], phones: [{ value: '1', primary: false }, { value: '2', primary: true }] });
		expect(res.body.data.emails).toEqual([
			{ value: 'a@x.com', primary: true, label: 'work' },
			{ value: 'b@x.com', primary: false, label: 'home' },
		]);
		expect(res.body.data.phones.map((p: { primary: boolean }) => p.primary)).toEqual([false, true]);
		const two = await sb.call('POST', '/api/v2/persons', { name: 'Two', emails: [{ value: 'a@x.com', primary: true }, { value: 'b@x.com', primary: true }] });
		expect(two.status).toBe(400);
		const flat = await sb.call('POST', '/api/v2/persons', { name: 'Flat', emails: ['a@x.com'] });
		expect(flat.status).toBe(400);
		const v1name = await sb.call('POST', '/api/v2/persons', { name: 'V1 keys', email: 'a@x.com' });
		expect(v1name.status).toBe(400);
	});

	test('no string→number coercion and booleans only true/false', async () => {
		expect((await sb.call('POST', '/api/v2/persons', { name: 'T', owner_id: '5' })).status).toBe(400);
		expect((await sb.call('POST', '/api/v2/persons', { name: 'T', visible_to: '3' })).status).toBe(400);
		expect((await sb.call('POST', '/api/v2/persons', { name: 'T', emails: [{ value: 'a@x.com', primary: 1 }] })).status).toBe(400);
		expect((await sb.call('POST', '/api/v2/deals', { title: 'T', value: '100' })).status).toBe(400);
		expect((await sb.call('PATCH', '/api/v2/deals/1', { is_archived: 'true' })).status).toBe(400);
		expect((await sb.call('POST', '/api/v2/persons', { name: 'T', visible_to: 2 })).status).toBe(400);
	});

	test('PATCH changes only what is sent; PATCH of a missing id is 404; GET of a deleted one shows is_deleted', async () => {
		const p = (await sb.call('POST', '/api/v2/persons', { name: 'Patch Me', emails: [{ value: 'p@x.com' }], phones: [{ value: '555' }] })).body.data;
		const res = await sb.call('PATCH', `/api/v2/persons/${p.id}`, { phones: [{ value: '777', label: 'mobile' }] });
		expect(res.body.data.emails).toEqual(p.emails);
		expect(res.body.data.phones).toEqual([{ value: '777', primary: true, label: 'mobile' }]);
		expect((await sb.call('PATCH', '/api/v2/persons/99999999', { name: 'x' })).status).toBe(404);
		await sb.call('DELETE', `/api/v2/persons/${p.id}`);
		const gone = await sb.call('GET', `/api/v2/persons/${p.id}`);
		expect(gone.body.data.is_deleted).toBe(true);
		expect((await sb.call('DELETE', `/api/v2/persons/${p.id}`)).status).toBe(404);
		// Purged after 30 days.
		sb.server.context.clock.advance(31 * 24 * 3600 * 1000);
		expect((await sb.call('GET', `/api/v2/persons/${p.id}`)).status).toBe(404);
	});

	test('contact-sync fields are 403 when the company has no contact sync', async () => {
		const other = await startPipedrive({ contactSync: false, rateLimiting: false });
		try {
			const res = await other.call('POST', '/api/v2/persons', { name: 'CS', job_title: 'Owner' });
			expect(res.status).toBe(403);
			const ok = await other.call('POST', '/api/v2/persons', { name: 'CS' });
			expect(ok.body.data).not.toHaveProperty('job_title');
		} finally {
			await other.close();
		}
	});
});

describe('custom fields', () => {
	test('v1 field list: 40-hex keys, field types, enum options with ids', async () => {
		const res = await sb.call('GET', '/v1/personFields');
		const custom = res.body.data.filter((f: { edit_flag: boolean }) => f.edit_flag);
		expect(custom.length).toBeGreaterThanOrEqual(8);
		for (const f of custom) expect(f.key).toMatch(/^[0-9a-f]{40}$/);
		const ct = custom.find((f: { name: string }) => f.name === 'Customer Type');
		expect(ct.field_type).toBe('enum');
		expect(ct.options[0]).toEqual({ id: expect.any(Number), label: 'Residential' });
	});

	test('v2 custom_fields object ↔ v1 flat keys (monetary, address, enum, set, date, varchar)', async () => {
		const money = field('person', 'Lifetime Value');
		const addr = field('person', 'Service Address');
		const type = field('person', 'Customer Type');
		const pref = field('person', 'Preferred Contact');
		const date = field('person', 'Last Service Date');
		const ext = field('person', 'Jobber Client ID');
		const res = await sb.call('POST', '/api/v2/persons', {
			name: 'Custom Carl',
			custom_fields: {
				[money.key]: { value: 2300, currency: 'EUR' },
				[addr.key]: { value: '530 Fifth Avenue, New York', locality: 'New York' },
				[type.key]: type.options![1].id,
				[pref.key]: [pref.options![0].id, pref.options![2].id],
				[date.key]: '2024-05-01',
				[ext.key]: 'Z2lkOi8vSm9iYmVyL0NsaWVudC8x',
			},
		});
		expect(res.status).toBe(200);
		const cf = res.body.data.custom_fields;
		expect(cf[money.key]).toEqual({ value: 2300, currency: 'EUR' });
		expect(cf[addr.key]).toMatchObject({ value: '530 Fifth Avenue, New York', locality: 'New York', route: null });
		expect(cf[type.key]).toBe(type.options![1].id);
		expect(cf[pref.key]).toEqual([pref.options![0].id, pref.options![2].id]);
		const v1 = (await sb.call('GET', `/v1/persons/${res.body.data.id}`)).body.data;
		expect(v1[money.key]).toBe(2300);
		expect(v1[`${money.key}_currency`]).toBe('EUR');
		expect(v1[addr.key]).toBe('530 Fifth Avenue, New York');
		expect(v1[`${addr.key}_locality`]).toBe('New York');
		expect(v1[type.key]).toBe(String(type.options![1].id));
		expect(v1[pref.key]).toBe(`${pref.options![0].id},${pref.options![2].id}`);
		expect(v1[date.key]).toBe('2024-05-01');
		expect(v1[ext.key]).toBe('Z2lkOi8vSm9iYmVyL0NsaWVudC8x');
		// custom_fields= limits the object to the asked keys.
		const only = await sb.call('GET', `/api/v2/persons/${res.body.data.id}?custom_fields=${money.key},${ext.key}`);
		expect(Object.keys(only.body.data.custom_fields).sort()).toEqual([money.key, ext.key].sort());
	});

	test('v1 writes flat keys (lenient), and unknown keys are ignored in v1 but rejected in v2', async () => {
		const money = field('person', 'Lifetime Value');
		const type = field('person', 'Customer Type');
		const v1 = await sb.call('POST', '/api/v1/persons', { name: 'Flat Fran', [money.key]: '150', [`${money.key}_currency`]: 'CAD', [type.key]: String(type.options![0].id), ['0'.repeat(40)]: 'ignored' });
		expect(v1.status).toBe(201);
		const v2 = (await sb.call('GET', `/api/v2/persons/${v1.body.data.id}`)).body.data;
		expect(v2.custom_fields[money.key]).toEqual({ value: 150, currency: 'CAD' });
		expect(v2.custom_fields[type.key]).toBe(type.options![0].id);
		const unknown = await sb.call('PATCH', `/api/v2/persons/${v1.body.data.id}`, { custom_fields: { ['0'.repeat(40)]: 'x' } });
		expect(unknown.status).toBe(400);
		const topLevel = await sb.call('PATCH', `/api/v2/persons/${v1.body.data.id}`, { [money.key]: 5 });
		expect(topLevel.status).toBe(400);
	});

	test('v2 custom value validation: enum needs an option id, set [] is invalid (null clears), monetary is an object', async () => {
		const type = field('person', 'Customer Type');
		const pref = field('person', 'Preferred Contact');
		const money = field('person', 'Lifetime Value');
		const p = (await sb.call('POST', '/api/v2/persons', { name: 'Val', custom_fields: { [pref.key]: [pref.options![0].id] } })).body.data;
		expect((await sb.call('PATCH', `/api/v2/persons/${p.id}`, { custom_fields: { [type.key]: 'Residential' } })).status).toBe(400);
		expect((await sb.call('PATCH', `/api/v2/persons/${p.id}`, { custom_fields: { [type.key]: 999999 } })).status).toBe(400);
		expect((await sb.call('PATCH', `/api/v2/persons/${p.id}`, { custom_fields: { [pref.key]: [] } })).status).toBe(400);
		expect((await sb.call('PATCH', `/api/v2/persons/${p.id}`, { custom_fields: { [money.key]: 5 } })).status).toBe(400);
		const cleared = await sb.call('PATCH', `/api/v2/persons/${p.id}`, { custom_fields: { [pref.key]: null } });
		expect(cleared.body.data.custom_fields[pref.key]).toBeNull();
	});

	test('custom fields can be created via v1 and are then usable in v2', async () => {
		const created = await sb.call('POST', '/v1/dealFields', { name: 'Crew Size', field_type: 'double' });
		expect(created.status).toBe(200);
		expect(created.body.data.key).toMatch(/^[0-9a-f]{40}$/);
		const deal = await sb.call('POST', '/api/v2/deals', { title: 'With crew', custom_fields: { [created.body.data.key]: 3 } });
		expect(deal.body.data.custom_fields[created.body.data.key]).toBe(3);
		const v2list = await sb.call('GET', '/api/v2/dealFields?limit=500');
		expect(v2list.body.data.find((f: { field_code: string }) => f.field_code === created.body.data.key)).toMatchObject({ field_name: 'Crew Size', is_custom_field: true });
		await sb.call('DELETE', `/v1/dealFields/${created.body.data.id}`);
		expect((await sb.call('PATCH', `/api/v2/deals/${deal.body.data.id}`, { custom_fields: { [created.body.data.key]: 4 } })).status).toBe(400);
	});
});

describe('search', () => {
	beforeAll(async () => {
		await sb.call('POST', '/_sandbox/reset');
		await sb.call('POST', '/api/v2/organizations', { name: 'Northside Electric' });
		await sb.call('POST', '/api/v2/persons', { name: 'Jane Doe', org_id: 1, emails: [{ value: 'jane@pipedrive.com' }], phones: [{ value: '+372 555555555' }] });
		await sb.call('POST', '/api/v2/persons', { name: 'Janet Jackson', emails: [{ value: 'janet@example.com' }] });
		await sb.call('POST', '/api/v2/persons', { name: 'Bob Builder', emails: [{ value: 'JANE@pipedrive.com' }] });
		await sb.call('POST', '/api/v2/deals', { title: 'Jane Doe deal', person_id: 1, value: 100 });
	});

	test('items[].result_score/item shape with the person fields', async () => {
		const res = await sb.call('GET', '/api/v2/persons/search?term=jane');
		expect(res.body.success).toBe(true);
		const first = res.body.data.items[0];
		expect(first).toEqual({
			result_score: expect.any(Number),
			item: { id: 1, type: 'person', name: 'Jane Doe', phones: ['+372 555555555'], emails: ['jane@pipedrive.com'], visible_to: 3, owner: { id: expect.any(Number) }, organization: { id: 1, name: 'Northside Electric', address: null }, custom_fields: [], notes: [] },
		});
		expect(res.body.additional_data).toEqual({ next_cursor: null });
	});

	test('exact_match on email is whole-value and case-insensitive; fields restricts where to look', async () => {
		const res = await sb.call('GET', '/api/v2/persons/search?term=jane%40pipedrive.com&fields=email&exact_match=true');
		expect(res.body.data.items.map((i: { item: { id: number } }) => i.item.id).sort()).toEqual([1, 3]);
		const partial = await sb.call('GET', '/api/v2/persons/search?term=jane&fields=email&exact_match=true');
		expect(partial.body.data.items).toEqual([]);
		const nameOnly = await sb.call('GET', '/api/v2/persons/search?term=jane&fields=name');
		expect(nameOnly.body.data.items.map((i: { item: { id: number } }) => i.item.id).sort()).toEqual([1, 2]);
		const phone = await sb.call('GET', '/api/v2/persons/search?term=555555&fields=phone');
		expect(phone.body.data.items.map((i: { item: { id: number } }) => i.item.id)).toEqual([1]);
	});

	test('term too short → 400 (2 chars, or 1 with exact_match); bad fields → 400', async () => {
		expect((await sb.call('GET', '/api/v2/persons/search?term=j')).status).toBe(400);
		expect((await sb.call('GET', '/api/v2/persons/search?term=j&exact_match=true')).status).toBe(200);
		expect((await sb.call('GET', '/api/v2/persons/search')).status).toBe(400);
		expect((await sb.call('GET', '/api/v2/persons/search?term=jane&fields=title')).status).toBe(400);
	});

	test('itemSearch ranks persons, organizations and deals together; item_types and fields narrow it', async () => {
		const all = await sb.call('GET', '/api/v2/itemSearch?term=jane');
		expect(new Set(all.body.data.items.map((i: { item: { type: string } }) => i.item.type))).toEqual(new Set(['person', 'deal']));
		expect(all.body.data.related_items).toEqual([]);
		const deals = await sb.call('GET', '/api/v2/itemSearch?term=jane&item_types=deal');
		expect(deals.body.data.items.every((i: { item: { type: string } }) => i.item.type === 'deal')).toBe(true);
		const emails = await sb.call('GET', '/api/v2/itemSearch?term=jane%40pipedrive.com&fields=email&exact_match=true');
		expect(emails.body.data.items.map((i: { item: { id: number } }) => i.item.id).sort()).toEqual([1, 3]);
		expect((await sb.call('GET', '/api/v2/itemSearch?term=jane&item_types=spaceship')).status).toBe(400);
	});

	test('organization and deal search, v1 search with offset paging', async () => {
		const org = await sb.call('GET', '/api/v2/organizations/search?term=north');
		expect(org.body.data.items[0].item).toMatchObject({ id: 1, type: 'organization', name: 'Northside Electric' });
		const deal = await sb.call('GET', '/api/v2/deals/search?term=jane&person_id=1');
		expect(deal.body.data.items[0].item).toMatchObject({ type: 'deal', title: 'Jane Doe deal', person: { id: 1, name: 'Jane Doe' }, stage: { id: 1, name: 'Qualified' } });
		const v1 = await sb.call('GET', '/v1/persons/search?term=jane&limit=1');
		expect(v1.body.data.items).toHaveLength(1);
		expect(v1.body.additional_data.pagination).toEqual({ start: 0, limit: 1, more_items_in_collection: true, next_start: 1 });
	});
});

describe('deals, stages and pipelines', () => {
	test('deal rules: title required, status side effects, lost_reason only when lost, stage/pipeline consistency', async () => {
		expect((await sb.call('POST', '/api/v2/deals', { value: 5 })).status).toBe(400);
		const d = (await sb.call('POST', '/api/v2/deals', { title: 'Boiler', value: 500, currency: 'USD', stage_id: 2 })).body.data;
		expect(d).toMatchObject({ stage_id: 2, pipeline_id: 1, status: 'open', close_time: null });
		expect((await sb.call('PATCH', `/api/v2/deals/${d.id}`, { lost_reason: 'x' })).status).toBe(400);
		const lost = await sb.call('PATCH', `/api/v2/deals/${d.id}`, { status: 'lost', lost_reason: 'Too expensive' });
		expect(lost.body.data).toMatchObject({ status: 'lost', lost_reason: 'Too expensive', lost_time: expect.any(String), close_time: expect.any(String) });
		const won = await sb.call('PATCH', `/api/v2/deals/${d.id}`, { status: 'won' });
		expect(won.body.data).toMatchObject({ status: 'won', lost_reason: null, won_time: expect.any(String) });
		const p = (await sb.call('POST', '/api/v2/pipelines', { name: 'Service' })).body.data;
		const s = (await sb.call('POST', '/api/v2/stages', { name: 'Booked', pipeline_id: p.id })).body.data;
		expect((await sb.call('PATCH', `/api/v2/deals/${d.id}`, { stage_id: s.id, pipeline_id: 1 })).status).toBe(400);
		const moved = await sb.call('PATCH', `/api/v2/deals/${d.id}`, { stage_id: s.id });
		expect(moved.body.data).toMatchObject({ stage_id: s.id, pipeline_id: p.id, stage_change_time: expect.any(String) });
		const stages = await sb.call('GET', `/api/v2/stages?pipeline_id=${p.id}`);
		expect(stages.body.data.map((x: { name: string }) => x.name)).toEqual(['Booked']);
		const archived = await sb.call('PATCH', `/api/v2/deals/${d.id}`, { is_archived: true });
		expect(archived.body.data.is_archived).toBe(true);
		expect((await sb.call('GET', `/api/v2/deals?ids=${d.id}`)).body.data).toEqual([]);
		expect((await sb.call('GET', `/api/v2/deals/archived?ids=${d.id}`)).body.data).toHaveLength(1);
	});

	test('open-deals plan cap answers the 403 feature-capping envelope with code', async () => {
		const capped = await startPipedrive({ openDealsLimit: 1, rateLimiting: false });
		try {
			expect((await capped.call('POST', '/api/v2/deals', { title: 'one' })).status).toBe(200);
			const res = await capped.call('POST', '/api/v2/deals', { title: 'two' });
			expect(res.status).toBe(403);
			expect(res.body).toEqual({ success: false, error: "Couldn't add the deal. Open deals limit reached.", error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.', data: null, additional_data: null, code: 'feature_capping_deals_limit' });
		} finally {
			await capped.close();
		}
	});
});

describe('v1 compatibility', () => {
	beforeAll(async () => {
		await sb.call('POST', '/_sandbox/reset');
		sb.server.definition.seed({ count: 25, seed: 9 });
	});

	test('offset pagination envelope with next_start, and null data past the end', async () => {
		const p1 = await sb.call('GET', '/v1/persons?start=0&limit=10');
		expect(p1.body.data).toHaveLength(10);
		expect(p1.body.additional_data.pagination).toEqual({ start: 0, limit: 10, more_items_in_collection: true, next_start: 10 });
		const p3 = await sb.call('GET', '/v1/persons?start=20&limit=10');
		expect(p3.body.data).toHaveLength(5);
		expect(p3.body.additional_data.pagination).toEqual({ start: 20, limit: 10, more_items_in_collection: false });
		const past = await sb.call('GET', '/v1/persons?start=100&limit=10');
		expect(past.body.data).toBeNull();
	});

	test('v1 person shape: timestamps, objects for owner/org, empty phone as one blank primary entry', async () => {
		const res = await sb.call('POST', '/v1/persons', { name: 'No Phone', email: 'np@example.com' });
		expect(res.status).toBe(201);
		expect(res.body.data.phone).toEqual([{ value: '', primary: true }]);
		expect(res.body.data.email).toEqual([{ label: 'work', value: 'np@example.com', primary: true }]);
		expect(res.body.data.owner_id).toMatchObject({ id: expect.any(Number), value: expect.any(Number), name: expect.any(String) });
		expect(res.body.data.add_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
		expect((await sb.call('POST', '/v1/persons', { email: 'x@y.z' })).body).toMatchObject({ success: false, error: 'Name must be given.' });
	});

	test('v1 accepts form-encoded bodies', async () => {
		const res = await sb.call('POST', '/v1/persons', 'name=Form%20Person&email=form%40example.com', { 'x-api-token': (await sb.call('GET', '/_sandbox/info')).body.auth.apiToken, 'content-type': 'application/x-www-form-urlencoded' });
		expect(res.status).toBe(201);
		expect(res.body.data.name).toBe('Form Person');
	});

	test('/v1/recents since_timestamp returns changes oldest first', async () => {
		sb.server.context.clock.advance(10_000);
		const since = new Date(sb.server.context.clock.now()).toISOString().slice(0, 19).replace('T', ' ');
		sb.server.context.clock.advance(1_000);
		await sb.call('PUT', '/v1/persons/4', { name: 'Recent Four' });
		await sb.call('PATCH', '/api/v2/persons/2', { name: 'Recent Two' });
		const res = await sb.call('GET', `/v1/recents?since_timestamp=${encodeURIComponent(since)}&items=person`);
		expect(res.body.data.map((x: { id: number }) => x.id)).toEqual([4, 2]);
		expect(res.body.data[0]).toMatchObject({ item: 'person', id: 4, data: { name: 'Recent Four' } });
		expect((await sb.call('GET', '/v1/recents')).status).toBe(400);
	});

	test('/v1/users/me reports the company domain; person merge keeps the target and deletes the source', async () => {
		const me = await sb.call('GET', '/v1/users/me');
		expect(me.body.data).toMatchObject({ company_domain: 'fluxcascade-sandbox', is_you: true });
		const merged = await sb.call('PUT', '/v1/persons/6/merge', { merge_with_id: 7 });
		expect(merged.status).toBe(200);
		expect(merged.body.data.id).toBe(7);
		expect((await sb.call('GET', '/api/v2/persons/6')).body.data.is_deleted).toBe(true);
	});
});

describe('malformed requests never crash the server', () => {
	test('broken JSON, wrong body types, bad ids, unknown routes and methods', async () => {
		const broken = await sb.call('POST', '/api/v2/persons', '{"name": ', { 'x-api-token': (await sb.call('GET', '/_sandbox/info')).body.auth.apiToken, 'content-type': 'application/json' });
		expect(broken.status).toBe(400);
		expect(broken.body).toMatchObject({ success: false, data: null, additional_data: null });
		expect((await sb.call('POST', '/api/v2/persons', [1, 2])).status).toBe(400);
		expect((await sb.call('POST', '/api/v2/persons', 'null')).status).toBe(400);
		expect((await sb.call('GET', '/api/v2/persons/abc')).status).toBe(400);
		const unknown = await sb.call('GET', '/api/v2/widgets');
		expect(unknown.status).toBe(404);
		expect(unknown.body).toMatchObject({ success: false, error: 'Unknown method .' });
		expect((await sb.call('PUT', '/api/v2/persons/1', { name: 'x' })).status).toBe(404);
		expect((await sb.call('GET', '/api/v2/persons/%E0%A4%A')).status).toBeGreaterThanOrEqual(400);
		const account = await sb.call('PUT', '/_sandbox/pipedrive/account', { open: false });
		expect(account.status).toBe(200);
		const closed = await sb.call('GET', '/api/v2/persons');
		expect(closed.status).toBe(402);
		expect(closed.body.success).toBe(false);
		await sb.call('PUT', '/_sandbox/pipedrive/account', { open: true });
		expect((await sb.call('GET', '/api/v2/persons')).status).toBe(200);
	});
});
