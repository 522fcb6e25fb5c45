/**
 * The trigger's logic without n8n: Basic auth, replayed meta.id, out-of-order events, echo suppression,
 * event → envelope; then real deliveries from the sandbox to a local server through the same functions.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildSchema, checkBasicAuth, eventToItem, MemoryEventState, screenEvent, webhookCredentials, type PipedriveWebhookEvent } from '../../../connectors/pipedrive';
import { startHarness } from './helpers';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

function event(overrides: Partial<PipedriveWebhookEvent['meta']> = {}, data: Record<string, unknown> | null = { id: 11, name: 'Ann', update_time: '2026-01-01T10:00:00Z' }): PipedriveWebhookEvent {
	return {
		meta: {
			action: 'change',
			entity: 'person',
			entity_id: '11',
			id: 'e-1',
			timestamp: '2026-01-01T10:00:00.500Z',
			change_source: 'app',
			user_id: '200',
			webhook_id: '5',
			webhook_owner_id: '100',
			version: '2.0',
			attempt: 1,
			...overrides,
		},
		data,
		previous: { name: 'Anne' },
	};
}

describe('HTTP Basic auth', () => {
	const creds = webhookCredentials('5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b', 'wf-1:node-1');

	test('derived credentials are stable, differ per node and per secret, and carry no secret in the clear', () => {
		expect(webhookCredentials('5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b', 'wf-1:node-1')).toEqual(creds);
		expect(webhookCredentials('5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b', 'wf-1:node-2')).not.toEqual(creds);
		expect(webhookCredentials('other-token', 'wf-1:node-1')).not.toEqual(creds);
		expect(creds.user).toMatch(/^flux-[0-9a-f]{12}$/);
		expect(creds.password.length).toBeGreaterThanOrEqual(40);
		expect(creds.password).not.toContain('5a4d3c2b');
	});

	test('only the exact credentials pass', () => {
		expect(checkBasicAuth(basic(creds.user, creds.password), creds)).toBe(true);
		expect(checkBasicAuth(`basic   ${Buffer.from(`${creds.user}:${creds.password}`).toString('base64')} `, creds)).toBe(true);
		expect(checkBasicAuth(basic(creds.user, `${creds.password}-wrong`), creds)).toBe(false);
		expect(checkBasicAuth(basic(creds.user, creds.password.slice(0, -1)), creds)).toBe(false);
		expect(checkBasicAuth(basic('someone', creds.password), creds)).toBe(false);
		expect(checkBasicAuth(undefined, creds)).toBe(false);
		expect(checkBasicAuth('', creds)).toBe(false);
		expect(checkBasicAuth(`Bearer ${creds.password}`, creds)).toBe(false);
		expect(checkBasicAuth('Basic', creds)).toBe(false);
	});
});

describe('screening', () => {
	test('a replayed meta.id is dropped; a new id passes', async () => {
		const state = new MemoryEventState();
		expect(await screenEvent(event(), state)).toMatchObject({ accept: true });
		expect(await screenEvent({ ...event(), meta: { ...event().meta, attempt: 2 } }, state)).toMatchObject({ accept: false, reason: 'duplicate' });
		expect(await screenEvent(event({ id: 'e-2', timestamp: '2026-01-01T10:00:01Z' }), state)).toMatchObject({ accept: true });
	});

	test('an event older than the last one seen for the same record is dropped (option), other records unaffected', async () => {
		const state = new MemoryEventState();
		expect((await screenEvent(event({ id: 'new', timestamp: '2026-01-01T10:05:00Z' }), state)).accept).toBe(true);
		expect(await screenEvent(event({ id: 'old', timestamp: '2026-01-01T10:01:00Z' }), state)).toMatchObject({ accept: false, reason: 'out_of_order' });
		expect((await screenEvent(event({ id: 'other', entity_id: '12', timestamp: '2026-01-01T10:01:00Z' }), state)).accept).toBe(true);
		expect((await screenEvent(event({ id: 'old2', timestamp: '2026-01-01T10:01:00Z' }), state, { dropOutOfOrder: false })).accept).toBe(true);
		// A late retry whose timestamp is the delivery time still carries the older record version.
		const s2 = new MemoryEventState();
		await screenEvent(event({ id: 'v2', timestamp: '2026-01-01T10:05:00Z' }, { id: 11, update_time: '2026-01-01T10:04:00Z' }), s2);
		expect(await screenEvent(event({ id: 'v1', timestamp: '2026-01-01T10:06:00Z' }, { id: 11, update_time: '2026-01-01T10:02:00Z' }), s2)).toMatchObject({ reason: 'out_of_order' });
	});

	test('echo suppression: API changes by our own user are dropped; app changes and other API users pass', async () => {
		const state = new MemoryEventState();
		expect(await screenEvent(event({ id: 'a', change_source: 'api', user_id: '100' }), state)).toMatchObject({ accept: false, reason: 'echo' });
		expect(await screenEvent(event({ id: 'b', change_source: 'api', user_id: '100' }), state, { ownUserId: '100' })).toMatchObject({ reason: 'echo' });
		expect((await screenEvent(event({ id: 'c', change_source: 'app', user_id: '100' }), state)).accept).toBe(true);
		expect((await screenEvent(event({ id: 'd', change_source: 'api', user_id: '300', timestamp: '2026-01-01T11:00:00Z' }), state)).accept).toBe(true);
		expect((await screenEvent(event({ id: 'e', change_source: 'api', user_id: '100', timestamp: '2026-01-01T12:00:00Z' }), state, { suppressEcho: false })).accept).toBe(true);
	});

	test('v1 payloads and junk are refused', async () => {
		const state = new MemoryEventState();
		expect(await screenEvent({ v: 1, meta: { v: 1, action: 'updated', object: 'person', id: 11 }, current: {} }, state)).toMatchObject({ accept: false, reason: 'not_v2' });
		expect(await screenEvent('hello', state)).toMatchObject({ accept: false, reason: 'malformed' });
		expect(await screenEvent({ meta: {} }, state)).toMatchObject({ accept: false, reason: 'malformed' });
	});

	test('the in-memory state is bounded (least recently used go first) and ids expire', async () => {
		let now = 0;
		const state = new MemoryEventState(3, () => now);
		for (const id of ['1', '2', '3', '4']) expect(await state.markEventProcessed('s', id, 60)).toBe(true);
		expect(await state.markEventProcessed('s', '1', 60)).toBe(true);
		expect(await state.markEventProcessed('s', '4', 60)).toBe(false);
		now = 61_000;
		expect(await state.markEventProcessed('s', '4', 60)).toBe(true);
	});
});

describe('event → envelope', () => {
	const hash = 'dcf558aac1ae4e8c4f849ba5e668430d8df9be12';
	const schema = buildSchema('persons', [{ field_code: hash, field_name: 'Customer Type', field_type: 'enum', options: [{ id: 4, label: 'Commercial' }], is_custom_field: true }]);

	test('change: the record from data (custom fields by name), previous kept under event.previous', () => {
		const item = eventToItem(
			{ ...event({}, { id: 11, name: 'Ann', update_time: '2026-01-01T10:00:00Z', custom_fields: { [hash]: 4 } }), previous: { custom_fields: { [hash]: null }, name: 'Anne' } },
			schema,
		);
		expect(item).toMatchObject({
			system: 'pipedrive',
			object: 'persons',
			id: '11',
			updatedAt: '2026-01-01T10:00:00.000Z',
			fields: { name: 'Ann', 'Customer Type': 'Commercial' },
			event: { id: 'e-1', action: 'change', changeSource: 'app', userId: '200', previous: { name: 'Anne', 'Customer Type': null } },
		});
		expect(item.deleted).toBeUndefined();
	});

	test('delete: the last state from previous, deleted: true', () => {
		const item = eventToItem({ meta: event({ action: 'delete' }).meta, data: null, previous: { id: 11, name: 'Ann', update_time: '2026-01-01T09:00:00Z' } }, schema);
		expect(item).toMatchObject({ id: '11', deleted: true, updatedAt: '2026-01-01T10:00:00.500Z', fields: { name: 'Ann' }, event: { action: 'delete' } });
	});
});

describe('real deliveries from the sandbox', () => {
	test('an app edit arrives with our Basic credentials and becomes one item; our own API write is suppressed', async () => {
		const h = await startHarness();
		const received: Array<{ authorization?: string; body: unknown }> = [];
		const server = http.createServer((req, res) => {
			let text = '';
			req.on('data', (c) => (text += c));
			req.on('end', () => {
				received.push({ authorization: req.headers.authorization, body: JSON.parse(text) });
				res.end('ok');
			});
		});
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
		try {
			const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
			const creds = webhookCredentials(h.token, 'wf:node');
			const c = h.connector();
			const hook = await c.createWebhook({ subscription_url: url, event_action: '*', event_object: 'person', http_auth_user: creds.user, http_auth_password: creds.password });
			expect(hook).toMatchObject({ version: '2.0', event_object: 'person', http_auth_user: creds.user });
			expect((await c.listWebhooks()).map((w) => w.id)).toEqual([hook.id]);
			const me = await c.me();

			await h.admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', action: 'create', changes: { name: 'From App', custom_fields: {} } });
			await c.create('persons', { name: 'From API' });
			await h.admin('POST', '/_sandbox/webhooks/settle');
			expect(received).toHaveLength(2);

			const state = new MemoryEventState();
			const schema = await c.schema('persons');
			const items = [];
			for (const r of received) {
				expect(checkBasicAuth(r.authorization, creds)).toBe(true);
				const s = await screenEvent(r.body, state, { ownUserId: String(me.id) });
				if (s.accept) items.push(eventToItem(s.event, schema));
			}
			expect(items).toHaveLength(1);
			expect(items[0]).toMatchObject({ object: 'persons', fields: { name: 'From App', 'Customer Type': null }, event: { action: 'create', changeSource: 'app', previous: null } });
			// The same delivery again (a retry) is a duplicate.
			expect(await screenEvent(received[0].body, state, { ownUserId: String(me.id) })).toMatchObject({ accept: false, reason: 'duplicate' });

			// Wrong credentials as Pipedrive would send them with a misconfigured subscription.
			await h.admin('PUT', '/_sandbox/webhooks/behaviour', { badSignature: true });
			await h.admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', id: 1, changes: { name: 'Again' } });
			await h.admin('POST', '/_sandbox/webhooks/settle');
			expect(checkBasicAuth(received[2].authorization, creds)).toBe(false);
			expect(await c.deleteWebhook(hook.id as number)).toBe(true);
			expect(await c.listWebhooks()).toEqual([]);
		} finally {
			server.close();
			await h.stop();
		}
	});
});
