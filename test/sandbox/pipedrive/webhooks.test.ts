/** Webhook subscriptions (/v1/webhooks) and the emitter: v2 and v1 payloads, Basic auth, retries, timeout, ban. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { DEFAULT_CREDENTIALS } from '../../../sandbox/pipedrive';
import { startPipedrive, type Sandbox } from './helpers';

interface Received {
	headers: http.IncomingHttpHeaders;
	body: any;
	at: number;
}

/** A local receiver; `respond(n)` decides status (and delay) for the n-th request (1-based). */
async function receiver(respond: (n: number) => { status: number; delayMs?: number } = () => ({ status: 200 })) {
	const got: Received[] = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			got.push({ headers: req.headers, body: JSON.parse(Buffer.concat(chunks).toString('utf8')), at: Date.now() });
			const { status, delayMs } = respond(got.length);
			setTimeout(() => {
				if (!res.destroyed) res.writeHead(status).end();
			}, delayMs ?? 0);
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/pipedrive`;
	return {
		url,
		got,
		close: () =>
			new Promise<void>((r) => {
				server.closeAllConnections();
				server.close(() => r());
			}),
	};
}

const settle = (sb: Sandbox) => sb.call('POST', '/_sandbox/webhooks/settle');

describe('webhook subscriptions', () => {
	let sb: Sandbox;
	beforeAll(async () => {
		sb = await startPipedrive({ rateLimiting: false });
	});
	afterAll(() => sb.close());

	test('validation errors use the webhooks error shape', async () => {
		const res = await sb.call('POST', '/v1/webhooks', { subscription_url: 'ftp://x', event_object: 'spaceship' });
		expect(res.status).toBe(400);
		expect(res.body).toEqual({
			status: 'error',
			success: false,
			errors: { subscription_url: ['invalid or non-reachable URL'], event_action: ['is required'], event_object: ['invalid value'] },
		});
	});

	test('40 webhooks per user, the 41st is 422; GET lists them; DELETE removes', async () => {
		for (let i = 0; i < 40; i++) {
			const r = await sb.call('POST', '/v1/webhooks', { subscription_url: `https://example.com/h/${i}`, event_action: '*', event_object: '*', name: `h${i}` });
			expect(r.status).toBe(201);
			expect(r.body.data).toMatchObject({ version: '2.0', type: 'general', event_action: '*', is_active: 1 });
		}
		const over = await sb.call('POST', '/v1/webhooks', { subscription_url: 'https://example.com/h/41', event_action: '*', event_object: '*', name: 'over' });
		expect(over.status).toBe(422);
		expect(over.body.success).toBe(false);
		const list = await sb.call('GET', '/v1/webhooks');
		expect(list.body.data).toHaveLength(40);
		expect((await sb.call('DELETE', `/v1/webhooks/${list.body.data[0].id}`)).body).toEqual({ status: 'ok', success: true });
		expect((await sb.call('GET', '/v1/webhooks')).body.data).toHaveLength(39);
	});
});

describe('v2 payloads', () => {
	let sb: Sandbox;
	let rx: Awaited<ReturnType<typeof receiver>>;
	beforeAll(async () => {
		sb = await startPipedrive({ rateLimiting: false });
		rx = await receiver();
		const res = await sb.call('POST', '/v1/webhooks', { subscription_url: rx.url, event_action: '*', event_object: 'person', name: 'sync', http_auth_user: DEFAULT_CREDENTIALS.webhookUser, http_auth_password: DEFAULT_CREDENTIALS.webhookPassword });
		expect(res.status).toBe(201);
	});
	afterAll(async () => {
		await sb.close();
		await rx.close();
	});

	test('create → change → delete from the API: meta/data/previous, change_source api, Basic auth', async () => {
		const created = (await sb.call('POST', '/api/v2/persons', { name: 'Hook Person', emails: [{ value: 'hook@example.com' }] })).body.data;
		await sb.call('PATCH', `/api/v2/persons/${created.id}`, { name: 'Hook Person Renamed', phones: [{ value: '555-0101' }] });
		await sb.call('DELETE', `/api/v2/persons/${created.id}`);
		await sb.call('POST', '/api/v2/organizations', { name: 'Not a person event' });
		await settle(sb);
		expect(rx.got).toHaveLength(3);
		const expectedAuth = `Basic ${Buffer.from(`${DEFAULT_CREDENTIALS.webhookUser}:${DEFAULT_CREDENTIALS.webhookPassword}`).toString('base64')}`;
		for (const r of rx.got) expect(r.headers.authorization).toBe(expectedAuth);
		const [c, u, d] = rx.got.map((r) => r.body);
		expect(c.meta).toMatchObject({
			action: 'create',
			entity: 'person',
			entity_id: String(created.id),
			company_id: String(DEFAULT_CREDENTIALS.companyId),
			user_id: String(DEFAULT_CREDENTIALS.userId),
			version: '2.0',
			change_source: 'api',
			attempt: 1,
			is_bulk_edit: false,
			type: 'general',
			host: `${DEFAULT_CREDENTIALS.companyDomain}.pipedrive.com`,
		});
		expect(c.meta.id).toMatch(/^[0-9a-f-]{36}$/);
		expect(c.meta.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
		expect(c.data).toMatchObject({ id: created.id, name: 'Hook Person', emails: [{ value: 'hook@example.com', primary: true, label: 'work' }], custom_fields: expect.any(Object) });
		expect(c.previous).toBeNull();
		expect(u.meta.action).toBe('change');
		expect(u.data.name).toBe('Hook Person Renamed');
		expect(u.previous).toEqual({ name: 'Hook Person', last_name: 'Person', phones: [] });
		expect(d.meta.action).toBe('delete');
		expect(d.data).toBeNull();
		expect(d.previous).toMatchObject({ id: created.id, name: 'Hook Person Renamed', is_deleted: false });
	});

	test('an edit "in the app" (admin route) arrives with change_source app and the app user', async () => {
		rx.got.length = 0;
		const p = (await sb.call('POST', '/api/v2/persons', { name: 'Human Edited' })).body.data;
		const edit = await sb.call('POST', '/_sandbox/pipedrive/edit', { entity: 'person', id: p.id, changes: { job_title: 'Dispatcher' } });
		expect(edit.status).toBe(200);
		expect(edit.body.data.job_title).toBe('Dispatcher');
		await settle(sb);
		const change = rx.got.map((r) => r.body).find((b) => b.meta.action === 'change');
		expect(change.meta).toMatchObject({ change_source: 'app', user_id: String(DEFAULT_CREDENTIALS.appUserId) });
		expect(change.previous).toEqual({ job_title: null });
		// App edits are validated like API writes.
		expect((await sb.call('POST', '/_sandbox/pipedrive/edit', { entity: 'person', id: p.id, changes: { owner_id: 'me' } })).status).toBe(400);
	});

	test('duplicate delivery behaviour sends an event twice', async () => {
		rx.got.length = 0;
		await sb.call('PUT', '/_sandbox/webhooks/behaviour', { duplicateRate: 1 });
		await sb.call('POST', '/api/v2/persons', { name: 'Twice' });
		await settle(sb);
		expect(rx.got).toHaveLength(2);
		expect(rx.got[0].body.meta.id).toBe(rx.got[1].body.meta.id);
		await sb.call('PUT', '/_sandbox/webhooks/behaviour', {});
	});
});

describe('v1 payloads', () => {
	test('version 1.0 webhooks get current/previous/meta/retry/event with v1 objects', async () => {
		const sb = await startPipedrive({ rateLimiting: false });
		const rx = await receiver();
		try {
			await sb.call('POST', '/v1/webhooks', { subscription_url: rx.url, event_action: 'updated', event_object: 'person', name: 'legacy', version: '1.0' });
			const p = (await sb.call('POST', '/api/v2/persons', { name: 'Legacy Lou' })).body.data;
			await sb.call('PATCH', `/api/v2/persons/${p.id}`, { name: 'Legacy Lou II' });
			await settle(sb);
			expect(rx.got).toHaveLength(1);
			const b = rx.got[0].body;
			expect(b).toMatchObject({ v: 1, event: 'updated.person', retry: 0, matches_filters: { current: [] } });
			expect(b.meta).toMatchObject({ v: 1, action: 'updated', object: 'person', id: p.id, company_id: DEFAULT_CREDENTIALS.companyId, change_source: 'api', is_bulk_update: false });
			expect(typeof b.meta.timestamp).toBe('number');
			expect(b.current).toMatchObject({ id: p.id, name: 'Legacy Lou II', visible_to: '3', owner_id: expect.objectContaining({ value: DEFAULT_CREDENTIALS.userId }) });
			expect(b.previous.name).toBe('Legacy Lou');
			expect(rx.got[0].headers.authorization).toBeUndefined();
		} finally {
			await sb.close();
			await rx.close();
		}
	});
});

describe('delivery policy', () => {
	test('retries after 3 s, 30 s and 150 s of vendor time; meta.attempt counts up; gives up after 4 attempts', async () => {
		const sb = await startPipedrive({ rateLimiting: false }, { timeScale: 200 });
		const rx = await receiver(() => ({ status: 500 }));
		try {
			await sb.call('POST', '/v1/webhooks', { subscription_url: rx.url, event_action: 'create', event_object: '*', name: 'failing' });
			await sb.call('POST', '/api/v2/deals', { title: 'Retry me' });
			await settle(sb);
			expect(rx.got.map((r) => r.body.meta.attempt)).toEqual([1, 2, 3, 4]);
			const deliveries = (await sb.call('GET', '/_sandbox/webhooks/deliveries')).body;
			expect(deliveries).toHaveLength(1);
			expect(deliveries[0].delivered).toBe(false);
			const at = deliveries[0].attempts.map((a: { at: number }) => a.at);
			const gaps = at.slice(1).map((t: number, i: number) => t - at[i]);
			// Vendor-time gaps (real gaps × 200); generous upper bounds for a loaded machine.
			expect(gaps[0]).toBeGreaterThanOrEqual(3000);
			expect(gaps[0]).toBeLessThan(3000 + 20_000);
			expect(gaps[1]).toBeGreaterThanOrEqual(30_000);
			expect(gaps[1]).toBeLessThan(30_000 + 20_000);
			expect(gaps[2]).toBeGreaterThanOrEqual(150_000);
			expect(gaps[2]).toBeLessThan(150_000 + 20_000);
			const hook = (await sb.call('GET', '/v1/webhooks')).body.data[0];
			expect(hook.last_http_status).toBe(500);
		} finally {
			await sb.close();
			await rx.close();
		}
	});

	test('a receiver slower than 10 s (vendor) times out and the retry succeeds', async () => {
		const sb = await startPipedrive({ rateLimiting: false, webhookMinRealTimeoutMs: 0 }, { timeScale: 100 });
		const rx = await receiver((n) => (n === 1 ? { status: 200, delayMs: 400 } : { status: 200 }));
		try {
			await sb.call('POST', '/v1/webhooks', { subscription_url: rx.url, event_action: '*', event_object: '*', name: 'slow' });
			await sb.call('POST', '/api/v2/persons', { name: 'Slow Sam' });
			await settle(sb);
			const d = (await sb.call('GET', '/_sandbox/webhooks/deliveries')).body[0];
			expect(d.attempts[0].error).toContain('timeout');
			expect(d.attempts[1].status).toBe(200);
			expect(d.delivered).toBe(true);
			expect(JSON.parse(d.body).meta.attempt).toBe(2);
		} finally {
			await sb.close();
			await rx.close();
		}
	});

	test('10 failed first attempts in a row ban the webhook for 30 minutes; events meanwhile are lost', async () => {
		const sb = await startPipedrive({ rateLimiting: false, webhookRetryDelaysMs: [] });
		const rx = await receiver(() => ({ status: 503 }));
		try {
			await sb.call('POST', '/v1/webhooks', { subscription_url: rx.url, event_action: 'create', event_object: 'person', name: 'ban' });
			for (let i = 0; i < 10; i++) {
				await sb.call('POST', '/api/v2/persons', { name: `P${i}` });
				await settle(sb);
			}
			await sb.call('POST', '/api/v2/persons', { name: 'Lost' });
			await settle(sb);
			expect(rx.got).toHaveLength(10);
			sb.server.context.clock.advance(31 * 60_000);
			await sb.call('POST', '/api/v2/persons', { name: 'Back' });
			await settle(sb);
			expect(rx.got).toHaveLength(11);
		} finally {
			await sb.close();
			await rx.close();
		}
	});
});
