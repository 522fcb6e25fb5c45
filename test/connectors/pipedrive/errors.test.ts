/** Every Pipedrive error the connector maps, against the sandbox where it can produce it, else from the vendor's shapes. */
import { fetchClient, type HttpResponse } from '../../../connectors/core/http';
import { classifyResponse } from '../../../connectors/pipedrive';
import { startHarness, type Harness } from './helpers';

let h: Harness;

beforeAll(async () => {
	h = await startHarness({ timeScale: 20 });
});
afterAll(() => h.stop());
beforeEach(async () => {
	await h.admin('POST', '/_sandbox/reset');
});

async function oauthToken(scopes: string[]): Promise<string> {
	const { code, redirect_uri } = await h.admin('POST', '/_sandbox/pipedrive/oauth/code', { scopes });
	const o = h.info.auth.oauth;
	const res = await fetch(`${h.url}/oauth/token`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}` },
		body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri }).toString(),
	});
	const body = (await res.json()) as { access_token: string; api_domain: string };
	expect(body.api_domain).toBe(h.url);
	return body.access_token;
}

describe('connection errors', () => {
	test('401 wrong API token → AUTHENTICATION_FAILED, not retried, the batch stops', async () => {
		const c = h.connector({ token: '0'.repeat(40) });
		await expect(c.get('persons', '1')).rejects.toMatchObject({ classified: { code: 'AUTHENTICATION_FAILED', category: 'Connection', retryable: false, vendor: { status: 401, message: 'unauthorized access' } } });
		expect(c.transport.stats.requests).toBe(1);
		const results = await c.write('persons', 'create', [{ fields: { name: 'A' } }, { fields: { name: 'B' } }]);
		expect(results.every((r) => !r.ok && r.error.code === 'AUTHENTICATION_FAILED')).toBe(true);
	});

	test('401 expired OAuth token → AUTHENTICATION_FAILED with the vendor message', async () => {
		const token = await oauthToken(['contacts:full']);
		await h.admin('POST', '/_sandbox/pipedrive/oauth/expire', { access_token: token });
		const c = h.connector({ http: fetchClient({ baseUrl: h.url, headers: () => ({ authorization: `Bearer ${token}` }) }), authKind: 'oauth' });
		await expect(c.get('persons', '1')).rejects.toMatchObject({ classified: { code: 'AUTHENTICATION_FAILED', vendor: { message: 'Invalid token: access_token is invalid' } } });
	});

	test('403 scope mismatch → PERMISSION_DENIED, a whole-request error', async () => {
		await h.admin('POST', '/_sandbox/seed', { object: 'persons', count: 2 });
		const token = await oauthToken(['contacts:read']);
		const c = h.connector({ http: fetchClient({ baseUrl: h.url, headers: () => ({ authorization: `Bearer ${token}` }) }), authKind: 'oauth' });
		expect((await c.get('persons', '1')).id).toBe('1');
		const results = await c.write('persons', 'create', [{ fields: { name: 'A' } }, { fields: { name: 'B' } }]);
		expect(results[0]).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED', vendor: { status: 403, message: 'Scope and URL mismatch' } } });
		expect(!results[1].ok && results[1].error.message).toMatch(/^Not attempted: /);
	});

	test('402 account not open → PERMISSION_DENIED with the vendor message', async () => {
		await h.admin('PUT', '/_sandbox/pipedrive/account', { open: false });
		const c = h.connector();
		await expect(c.getMany('persons')).rejects.toMatchObject({ classified: { code: 'PERMISSION_DENIED', vendor: { status: 402 } } });
		await h.admin('PUT', '/_sandbox/pipedrive/account', { open: true });
	});
});

describe('plan limits', () => {
	test('403 feature capping (open deals limit) → PERMISSION_DENIED for that record only, with the vendor code', async () => {
		const capped = await startHarness({ pipedrive: { openDealsLimit: 1 } });
		try {
			const c = capped.connector();
			const results = await c.write('deals', 'create', [{ fields: { title: 'One' } }, { fields: { title: 'Two' } }, { fields: { title: 'Lost one', status: 'lost' } }]);
			expect(results.map((r) => (r.ok ? r.action : r.error.code))).toEqual(['created', 'PERMISSION_DENIED', 'created']);
			expect(!results[1].ok && results[1].error).toMatchObject({ vendor: { status: 403, code: 'feature_capping_deals_limit', message: "Couldn't add the deal. Open deals limit reached." } });
			expect(!results[1].ok && results[1].error.message).toContain('Pipedrive plan limit');
		} finally {
			await capped.stop();
		}
	});

	test('422 webhook limit → PERMISSION_DENIED', async () => {
		const limited = await startHarness({ pipedrive: { webhookLimitPerUser: 1 } });
		try {
			const c = limited.connector();
			await c.createWebhook({ subscription_url: 'http://127.0.0.1:9/a', event_action: '*', event_object: 'person' });
			await expect(c.createWebhook({ subscription_url: 'http://127.0.0.1:9/b', event_action: '*', event_object: 'person' })).rejects.toMatchObject({
				classified: { code: 'PERMISSION_DENIED', vendor: { status: 422 } },
			});
			await expect(c.createWebhook({ subscription_url: 'not a url', event_action: '*', event_object: 'person' })).rejects.toMatchObject({
				classified: { code: 'INVALID_FORMAT', field: 'subscription_url', vendor: { status: 400 } },
			});
		} finally {
			await limited.stop();
		}
	});
});

describe('data and mapping errors from Pipedrive', () => {
	test('400 validation names the field (INVALID_FORMAT), 404 names the record', async () => {
		await h.admin('POST', '/_sandbox/seed', { object: 'persons', count: 1 });
		const c = h.connector();
		const r = await c.update('persons', '1', { name: '   ' });
		expect(r).toMatchObject({ ok: false, error: { code: 'INVALID_FORMAT', field: 'name', vendor: { status: 400, code: 'ERR_SCHEMA_VALIDATION_FAILED' } } });
		const d = await c.create('deals', { title: 'x', stage_id: 999 });
		expect(d).toMatchObject({ ok: false, error: { code: 'INVALID_FORMAT', field: 'stage_id', value: 999 } });
		await expect(c.get('deals', '77')).rejects.toMatchObject({ classified: { code: 'FIELD_NOT_FOUND', record: { object: 'deals', id: '77' }, vendor: { status: 404, message: 'Deal not found' } } });
	});

	test('a custom field deleted in Pipedrive after the schema was read → FIELD_NOT_FOUND by its name', async () => {
		const c = h.connector();
		await c.schema('persons');
		await h.admin('PUT', '/_sandbox/faults', { removedFields: { persons: ['Jobber Client ID'] } });
		const r = await c.create('persons', { name: 'Zed', 'Jobber Client ID': 'JC-9' });
		expect(r).toMatchObject({ ok: false, error: { code: 'FIELD_NOT_FOUND', category: 'Mapping', field: 'Jobber Client ID', vendor: { status: 400 } } });
		// A fresh schema no longer has it: the error comes before any call.
		const fresh = h.connector();
		expect(await fresh.create('persons', { name: 'Zed', 'Jobber Client ID': 'JC-9' })).toMatchObject({ ok: false, error: { code: 'FIELD_NOT_FOUND', field: 'Jobber Client ID' } });
		await h.admin('DELETE', '/_sandbox/faults');
	});

	test('contact-sync-only fields without Contact Sync → PERMISSION_DENIED naming the field', async () => {
		const plain = await startHarness({ pipedrive: { contactSync: false } });
		try {
			const r = await plain.connector().create('persons', { name: 'Q', job_title: 'Boss' });
			expect(r).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED', field: 'job_title', vendor: { status: 403 } } });
		} finally {
			await plain.stop();
		}
	});

	test('the vendor shapes the sandbox does not produce here map as documented', () => {
		const res = (status: number, body: unknown, headers: Record<string, string> = {}): HttpResponse => ({ status, headers, body });
		const hash = 'dcf558aac1ae4e8c4f849ba5e668430d8df9be12';
		const ctx = { object: 'persons' as const, fieldName: (k: string) => (k === hash ? 'Customer Type' : undefined) };
		const cases: Array<[HttpResponse, string, string | undefined]> = [
			[res(400, { success: false, error: 'Validation failed: title: is required', code: 'ERR_SCHEMA_VALIDATION_FAILED' }), 'REQUIRED_FIELD_MISSING', 'title'],
			[res(400, { success: false, error: 'Name must be given.' }), 'REQUIRED_FIELD_MISSING', 'name'],
			[res(400, { success: false, error: 'Validation failed: name: must be at most 255 characters' }), 'VALUE_TOO_LONG', 'name'],
			[res(400, { success: false, error: `Validation failed: custom_fields.${hash}: is not a valid custom field` }), 'FIELD_NOT_FOUND', 'Customer Type'],
			[res(400, { success: false, error: 'Validation failed: emails[0].value: is required and must be a string' }), 'REQUIRED_FIELD_MISSING', 'emails[0].value'],
			[res(400, { success: false, error: 'Invalid request: malformed authorization header', errorCode: 400 }), 'AUTHENTICATION_FAILED', undefined],
			[res(403, '<!DOCTYPE html><html><head><title>Attention Required! | Cloudflare</title></head></html>'), 'RATE_LIMIT_EXCEEDED', undefined],
			[res(409, { success: false, error: 'Conflict' }), 'DUPLICATE_RECORD', undefined],
			[res(410, { success: false, error: 'Gone' }), 'FIELD_NOT_FOUND', undefined],
			[res(415, { success: false, error: 'Feature not enabled' }), 'PERMISSION_DENIED', undefined],
			[res(429, { success: false, error: 'Request over limit' }, { 'retry-after': '3' }), 'RATE_LIMIT_EXCEEDED', undefined],
			[res(500, { success: false, error: 'Internal server error' }), 'CONNECTION_TIMEOUT', undefined],
			[res(503, { success: false, error: 'Requested service is not available' }), 'CONNECTION_TIMEOUT', undefined],
		];
		for (const [response, code, field] of cases) {
			const e = classifyResponse(response, ctx).classified;
			expect([response.status, e.code, e.field]).toEqual([response.status, code, field]);
			expect(e.suggestedFix).toBeTruthy();
		}
		expect(classifyResponse(res(429, {}, { 'retry-after': '3' })).waitMs).toBe(3000);
		expect(classifyResponse(res(429, {}, { 'x-ratelimit-reset': '2' })).waitMs).toBe(2000);
		expect(classifyResponse(res(503, {})).classified.retryable).toBe(true);
		expect(classifyResponse(res(403, '<html></html>')).classified.retryable).toBe(false);
	});
});
