/**
 * Conformance: sandbox responses validated against Pipedrive's official OpenAPI files (v2 and v1), and the
 * recorded real responses' shapes (keys, types, envelopes) reproduced.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TOKEN_COSTS } from '../../../sandbox/pipedrive';
import { missingKeys, recorded, shapeOf, SPECS_DIR, validateRequest } from '../openapi';
import { specErrors, startPipedrive, type Sandbox } from './helpers';

const V2 = 'pipedrive/openapi-v2.yaml';
const V1 = 'pipedrive/openapi-v1.yaml';

let sb: Sandbox;
let personId: number;
let orgId: number;
let dealId: number;
let keys: Record<string, Array<{ key: string; name: string; options: Array<{ id: number }> | null }>>;

beforeAll(async () => {
	sb = await startPipedrive({ rateLimiting: false });
	sb.server.definition.seed({ count: 30, seed: 7 });
	sb.server.definition.seed({ object: 'deals', count: 10, seed: 7 });
	keys = (await sb.call('GET', '/_sandbox/pipedrive/fields')).body;
	const org = await sb.call('POST', '/api/v2/organizations', { name: 'Conformance Org', address: { value: '1 Main St, Austin, TX' } });
	orgId = org.body.data.id;
	const person = await sb.call('POST', '/api/v2/persons', {
		name: 'Conny Formance',
		org_id: orgId,
		emails: [{ value: 'conny@example.com', label: 'work', primary: true }],
		phones: [{ value: '+1 512 555 0101' }],
		job_title: 'Owner',
		birthday: '1980-02-03',
		notes: 'Prefers mornings',
		im: [{ value: 'conny.f', label: 'skype' }],
		postal_address: { value: '1 Main St, Austin, TX 78701', locality: 'Austin', country: 'United States', admin_area_level_1: 'TX', admin_area_level_2: 'Travis', sublocality: 'Downtown', route: 'Main St', street_number: '1', postal_code: '78701' },
		label_ids: [1],
	});
	personId = person.body.data.id;
	const deal = await sb.call('POST', '/api/v2/deals', { title: 'Conformance deal', person_id: personId, org_id: orgId, value: 1200, currency: 'USD', expected_close_date: '2030-01-31', probability: 50 });
	dealId = deal.body.data.id;
});

afterAll(() => sb.close());

describe('v2 responses validate against openapi-v2.yaml', () => {
	const cases: Array<[string, () => string, string, string]> = [
		['GET', () => '/api/v2/persons?limit=5', '/persons', 'list persons'],
		['GET', () => `/api/v2/persons/${personId}`, '/persons/{id}', 'get person'],
		['GET', () => '/api/v2/organizations?limit=5', '/organizations', 'list organizations'],
		['GET', () => `/api/v2/organizations/${orgId}`, '/organizations/{id}', 'get organization'],
		['GET', () => '/api/v2/deals?limit=5', '/deals', 'list deals'],
		['GET', () => `/api/v2/deals/${dealId}`, '/deals/{id}', 'get deal'],
		['GET', () => '/api/v2/deals/archived', '/deals/archived', 'archived deals'],
		['GET', () => '/api/v2/stages?limit=2', '/stages', 'list stages'],
		['GET', () => '/api/v2/stages/1', '/stages/{id}', 'get stage'],
		['GET', () => '/api/v2/pipelines', '/pipelines', 'list pipelines'],
		['GET', () => '/api/v2/pipelines/1', '/pipelines/{id}', 'get pipeline'],
		['GET', () => '/api/v2/persons/search?term=conny', '/persons/search', 'search persons'],
		['GET', () => '/api/v2/organizations/search?term=conformance', '/organizations/search', 'search organizations'],
		['GET', () => '/api/v2/deals/search?term=conformance', '/deals/search', 'search deals'],
		['GET', () => '/api/v2/itemSearch?term=conformance', '/itemSearch', 'item search'],
	];
	test.each(cases)('%s %s (%s)', async (method, url, template) => {
		const res = await sb.call(method, url());
		expect(res.status).toBe(200);
		expect(specErrors(V2, method, template, 200, res.body)).toEqual([]);
	});

	test('a populated person matches every spec property type, including contact-sync fields', async () => {
		const res = await sb.call('GET', `/api/v2/persons/${personId}`);
		const props = ['id', 'name', 'first_name', 'last_name', 'owner_id', 'org_id', 'add_time', 'update_time', 'emails', 'phones', 'is_deleted', 'visible_to', 'label_ids', 'picture_id', 'postal_address', 'notes', 'im', 'birthday', 'job_title', 'custom_fields'];
		expect(Object.keys(res.body.data).sort()).toEqual([...props].sort());
		expect(res.body.data.update_time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
	});

	test('writes: POST 200, PATCH 200, DELETE 200 {id}', async () => {
		const created = await sb.call('POST', '/api/v2/persons', { name: 'Spec Writer', emails: [{ value: 'w@example.com' }] });
		expect(created.status).toBe(200);
		expect(specErrors(V2, 'POST', '/persons', 200, created.body)).toEqual([]);
		const patched = await sb.call('PATCH', `/api/v2/persons/${created.body.data.id}`, { name: 'Spec Writer II' });
		expect(specErrors(V2, 'PATCH', '/persons/{id}', 200, patched.body)).toEqual([]);
		const del = await sb.call('DELETE', `/api/v2/persons/${created.body.data.id}`);
		expect(del.body).toEqual({ success: true, data: { id: created.body.data.id } });
		expect(specErrors(V2, 'DELETE', '/persons/{id}', 200, del.body)).toEqual([]);

		const org = await sb.call('POST', '/api/v2/organizations', { name: 'Spec Org' });
		expect(specErrors(V2, 'POST', '/organizations', 200, org.body)).toEqual([]);
		expect(specErrors(V2, 'PATCH', '/organizations/{id}', 200, (await sb.call('PATCH', `/api/v2/organizations/${org.body.data.id}`, { name: 'Spec Org 2' })).body)).toEqual([]);
		expect(specErrors(V2, 'DELETE', '/organizations/{id}', 200, (await sb.call('DELETE', `/api/v2/organizations/${org.body.data.id}`)).body)).toEqual([]);

		const deal = await sb.call('POST', '/api/v2/deals', { title: 'Spec deal', value: 10 });
		expect(specErrors(V2, 'POST', '/deals', 200, deal.body)).toEqual([]);
		expect(specErrors(V2, 'PATCH', '/deals/{id}', 200, (await sb.call('PATCH', `/api/v2/deals/${deal.body.data.id}`, { status: 'won' })).body)).toEqual([]);
		expect(specErrors(V2, 'DELETE', '/deals/{id}', 200, (await sb.call('DELETE', `/api/v2/deals/${deal.body.data.id}`)).body)).toEqual([]);

		const pipeline = await sb.call('POST', '/api/v2/pipelines', { name: 'Spec pipeline' });
		expect(specErrors(V2, 'POST', '/pipelines', 200, pipeline.body)).toEqual([]);
		const stage = await sb.call('POST', '/api/v2/stages', { name: 'Spec stage', pipeline_id: pipeline.body.data.id, deal_probability: 30 });
		expect(specErrors(V2, 'POST', '/stages', 200, stage.body)).toEqual([]);
		expect(specErrors(V2, 'PATCH', '/stages/{id}', 200, (await sb.call('PATCH', `/api/v2/stages/${stage.body.data.id}`, { days_to_rotten: 3, is_deal_rot_enabled: true })).body)).toEqual([]);
		expect(specErrors(V2, 'PATCH', '/pipelines/{id}', 200, (await sb.call('PATCH', `/api/v2/pipelines/${pipeline.body.data.id}`, { is_deal_probability_enabled: true })).body)).toEqual([]);
		expect(specErrors(V2, 'DELETE', '/stages/{id}', 200, (await sb.call('DELETE', `/api/v2/stages/${stage.body.data.id}`)).body)).toEqual([]);
		expect(specErrors(V2, 'DELETE', '/pipelines/{id}', 200, (await sb.call('DELETE', `/api/v2/pipelines/${pipeline.body.data.id}`)).body)).toEqual([]);
	});

	test('request bodies the tests send are valid per the spec (deal, org, pipeline, stage)', () => {
		expect(validateRequest(V2, 'POST', '/deals', { title: 'x', value: 10, currency: 'USD', person_id: 1 })).toEqual([]);
		expect(validateRequest(V2, 'POST', '/organizations', { name: 'x', title: 'spec requires "title" by mistake' })).toEqual([]);
		expect(validateRequest(V2, 'POST', '/pipelines', { name: 'x' })).toEqual([]);
		expect(validateRequest(V2, 'POST', '/stages', { name: 'x', pipeline_id: 1 })).toEqual([]);
	});
});

describe('v1 responses validate against openapi-v1.yaml', () => {
	test('POST /v1/persons answers 201 with flat custom keys', async () => {
		const ct = keys.person.find((k) => k.name === 'Customer Type')!;
		const res = await sb.call('POST', '/v1/persons', { name: 'Vee One', email: [{ value: 'vee@example.com', primary: true, label: 'work' }], phone: '555-0100', org_id: orgId, [ct.key]: ct.options![0].id });
		expect(res.status).toBe(201);
		expect(specErrors(V1, 'POST', '/persons', 201, res.body)).toEqual([]);
		expect(res.body.data[ct.key]).toBe(String(ct.options![0].id));
		expect(res.body.data.visible_to).toBe('3');
	});

	const cases: Array<[string, string, string]> = [
		['GET', '/v1/personFields', '/personFields'],
		['GET', '/api/v1/organizationFields', '/organizationFields'],
		['GET', '/v1/dealFields', '/dealFields'],
		['GET', '/v1/persons/search?term=conny&fields=name', '/persons/search'],
		['GET', '/v1/users/me', '/users/me'],
		['GET', '/v1/webhooks', '/webhooks'],
		['GET', '/v1/persons?limit=3', '/persons'],
		['GET', '/v1/organizations?limit=3', '/organizations'],
		['GET', '/v1/deals?limit=3', '/deals'],
	];
	test.each(cases)('%s %s', async (method, url, template) => {
		const res = await sb.call(method, url);
		expect(res.status).toBe(200);
		expect(specErrors(V1, method, template, 200, res.body)).toEqual([]);
	});

	test('recents deal items carry the keys of the spec example (its schema contradicts its own example: visible_to "1")', async () => {
		const doc = parseYaml(fs.readFileSync(path.join(SPECS_DIR, V1), 'utf8'));
		const example = doc.paths['/recents'].get.responses['200'].content['application/json'].example;
		const exDeal = example.data.find((d: { item: string }) => d.item === 'deal');
		const res = await sb.call('GET', '/v1/recents?since_timestamp=2000-01-01%2000:00:00&items=deal&limit=5');
		expect(res.status).toBe(200);
		const ours = res.body.data[0];
		const optional = ['next_activity_subject', 'next_activity_type', 'next_activity_duration', 'next_activity_note'];
		expect(missingKeys(shapeOf(exDeal), shapeOf(ours)).filter((k) => !optional.some((o) => k.endsWith(o)))).toEqual([]);
		for (const k of ['id', 'creator_user_id', 'user_id', 'person_id', 'stage_id', 'pipeline_id', 'value']) expect(typeof ours.data[k]).toBe('number');
		expect(typeof ours.data.visible_to).toBe('string');
	});

	test('recents person items use the flat v1 form (the spec schema for them is an unsatisfiable allOf)', async () => {
		const res = await sb.call('GET', '/v1/recents?since_timestamp=2000-01-01%2000:00:00&items=person&limit=5');
		const item = res.body.data[0];
		expect(item.item).toBe('person');
		expect(typeof item.data.owner_id).toBe('number');
		expect(Array.isArray(item.data.email)).toBe(true);
		expect(typeof item.data.visible_to).toBe('string');
		expect(res.body.additional_data).toEqual(expect.objectContaining({ since_timestamp: '2000-01-01 00:00:00', pagination: expect.objectContaining({ start: 0, limit: 5 }) }));
	});

	test('GET /v1/persons/{id}, PUT and DELETE', async () => {
		expect(specErrors(V1, 'GET', '/persons/{id}', 200, (await sb.call('GET', `/v1/persons/${personId}`)).body)).toEqual([]);
		const put = await sb.call('PUT', `/v1/persons/${personId}`, { job_title: 'Director' });
		expect(put.status).toBe(200);
		expect(specErrors(V1, 'PUT', '/persons/{id}', 200, put.body)).toEqual([]);
		const tmp = await sb.call('POST', '/v1/persons', { name: 'Delete Me' });
		expect(specErrors(V1, 'DELETE', '/persons/{id}', 200, (await sb.call('DELETE', `/v1/persons/${tmp.body.data.id}`)).body)).toEqual([]);
	});

	test('webhooks: 201 create, 400 validation shape, delete and 404 shape', async () => {
		const created = await sb.call('POST', '/v1/webhooks', { subscription_url: 'https://example.com/hook', event_action: '*', event_object: 'person', name: 'spec' });
		expect(created.status).toBe(201);
		expect(specErrors(V1, 'POST', '/webhooks', 201, created.body)).toEqual([]);
		const bad = await sb.call('POST', '/v1/webhooks', { subscription_url: 'not a url', event_action: 'create', event_object: 'person', name: 'x' });
		expect(bad.status).toBe(400);
		expect(specErrors(V1, 'POST', '/webhooks', 400, bad.body)).toEqual([]);
		expect(bad.body).toEqual({ status: 'error', success: false, errors: { subscription_url: ['invalid or non-reachable URL'] } });
		const del = await sb.call('DELETE', `/v1/webhooks/${created.body.data.id}`);
		expect(specErrors(V1, 'DELETE', '/webhooks/{id}', 200, del.body)).toEqual([]);
		const missing = await sb.call('DELETE', `/v1/webhooks/${created.body.data.id}`);
		expect(missing.status).toBe(404);
		expect(specErrors(V1, 'DELETE', '/webhooks/{id}', 404, missing.body)).toEqual([]);
	});

	test('401 matches the documented unauthorized response', async () => {
		const res = await sb.call('GET', '/v1/users/me', undefined, { 'x-api-token': 'wrong' });
		expect(res.status).toBe(401);
		expect(specErrors(V1, 'GET', '/users/me', 401, res.body)).toEqual([]);
		expect(res.body).toEqual({ success: false, error: 'unauthorized access', errorCode: 401, error_info: 'Please check developers.pipedrive.com' });
	});
});

describe('recorded real responses: shapes reproduced', () => {
	test('v2 dealFields list = recorded v2-deal-fields-trimmed (keys, types, cursor envelope)', async () => {
		const rec = recorded('pipedrive/v2-deal-fields-trimmed.json');
		const res = await sb.call('GET', '/api/v2/dealFields?limit=500');
		expect(missingKeys(shapeOf(rec), shapeOf(res.body))).toEqual([]);
		const title = res.body.data.find((f: { field_code: string }) => f.field_code === 'title');
		expect(shapeOf(title)).toEqual(shapeOf(rec.data[0]));
		expect(res.body.additional_data).toEqual({ next_cursor: null });
	});

	test('v1 field definitions carry every key of the recorded /activityFields item', async () => {
		const rec = recorded('pipedrive/activity-fields-list.json');
		const res = await sb.call('GET', '/v1/personFields?limit=500');
		const enumField = res.body.data.find((f: { field_type: string }) => f.field_type === 'enum');
		const { options: recOptions, ...recRest } = rec.data[0];
		const { options, ...rest } = enumField;
		expect(missingKeys(shapeOf(recRest), shapeOf(rest))).toEqual([]);
		expect(missingKeys(shapeOf({ id: recOptions[0].id, label: recOptions[0].label }), shapeOf(options[0]))).toEqual([]);
		expect(shapeOf(res.body.additional_data)).toEqual(shapeOf(rec.additional_data));
		expect(enumField.key).toMatch(/^[0-9a-f]{40}$/);
	});

	test('v1 offset-pagination envelope = recorded leads list', async () => {
		const rec = recorded('pipedrive/leads-list.json');
		const res = await sb.call('GET', '/v1/persons?limit=500');
		expect(shapeOf(res.body.additional_data)).toEqual(shapeOf(rec.additional_data));
		expect(res.body.success).toBe(true);
	});

	test('v1 create response: related_objects.user entry = recorded activity create', async () => {
		const rec = recorded('pipedrive/activity-create-response.json');
		const res = await sb.call('POST', '/v1/persons', { name: 'Related Objects' });
		const recUser = Object.values(rec.related_objects.user)[0];
		const user = Object.values(res.body.related_objects.user)[0];
		expect(shapeOf(user)).toEqual(shapeOf(recUser));
		expect(typeof res.body.data.add_time).toBe('string');
		expect(res.body.data.add_time).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
	});

	test('error envelopes: 404 and validation keep {success,error,error_info,data,additional_data}', async () => {
		const nf = await sb.call('GET', '/api/v2/persons/987654');
		expect(nf.status).toBe(404);
		expect(nf.body).toEqual({ success: false, error: 'Person not found', error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.', data: null, additional_data: null });
		const bad = await sb.call('POST', '/api/v2/persons', { name: 42 });
		expect(bad.status).toBe(400);
		expect(Object.keys(bad.body).sort()).toEqual(['additional_data', 'code', 'data', 'error', 'error_info', 'success']);
	});
});

describe('token costs equal the specs x-token-cost', () => {
	const load = (file: string) => parseYaml(fs.readFileSync(path.join(SPECS_DIR, 'pipedrive', file), 'utf8')) as { paths: Record<string, Record<string, { 'x-token-cost'?: number }>> };
	const v2 = load('openapi-v2.yaml');
	const v1 = load('openapi-v1.yaml');
	const routes: Array<[string, 'v1' | 'v2', string, string]> = [];
	for (const [name] of Object.entries(TOKEN_COSTS)) {
		const [ver, object, op] = name.split('.');
		if (object.endsWith('Fields') && ver === 'v2') continue; // v2 Fields API is not in the stored spec
		const base = `/${object}`;
		const map: Record<string, [string, string]> = {
			list: ['get', base],
			get: ['get', `${base}/{id}`],
			create: ['post', base],
			update: [ver === 'v2' ? 'patch' : 'put', `${base}/{id}`],
			delete: ['delete', `${base}/{id}`],
			search: ['get', `${base}/search`],
			archived: ['get', `${base}/archived`],
			merge: ['put', `${base}/{id}/merge`],
			me: ['get', '/users/me'],
			// v1.users.list is GET /users (the generic list mapping).
		};
		if (object === 'recents') routes.push([name, ver as 'v1', 'get', '/recents']);
		else if (object === 'itemSearch') routes.push([name, ver as 'v2', 'get', '/itemSearch']);
		else if (map[op]) routes.push([name, ver as 'v1' | 'v2', map[op][0], map[op][1]]);
	}
	test.each(routes)('%s', (name, ver, method, p) => {
		const spec = ver === 'v2' ? v2 : v1;
		const op = spec.paths[p]?.[method];
		expect(op).toBeDefined();
		expect(TOKEN_COSTS[name]).toBe(op!['x-token-cost']);
	});
});
