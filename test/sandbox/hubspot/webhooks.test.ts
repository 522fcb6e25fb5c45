/**
 * Webhooks: the signature algorithms against HubSpot's documented test vectors, and deliveries received by a
 * local HTTP server (batching, event fields, change sources, retries, no-retry statuses, misbehaviour).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { signatureV1, signatureV2, signatureV3 } from '../../../sandbox/hubspot';
import type { HubspotOptions } from '../../../sandbox/hubspot';
import { dev, startHub, startReceiver, type Hub, type ReceivedRequest, type Receiver } from './helpers';

// HubSpot's own documentation vectors (crm-apis.md §1.11). The v1 body is the docs' example body, whose
// `appId` comes last; the v3 vector is the reference's own.
const DOC_SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const DOC_BODY =
	'[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';

/** A receiver's own v3 check, written from the documented algorithm (not the sandbox's code). */
function verifyV3(secret: string, req: ReceivedRequest, publicUrl: string, nowMs: number): boolean {
	const timestamp = Number(req.headers['x-hubspot-request-timestamp']);
	if (!Number.isFinite(timestamp) || nowMs - timestamp > 5 * 60_000) return false;
	const expected = createHmac('sha256', secret).update(`${req.method}${publicUrl}${req.body}${timestamp}`).digest();
	const given = Buffer.from(String(req.headers['x-hubspot-signature-v3']), 'base64');
	return given.length === expected.length && timingSafeEqual(given, expected);
}

describe('HubSpot webhook signatures', () => {
	test('v1, v2 and v3 match the documented test vectors', () => {
		expect(signatureV1(DOC_SECRET, DOC_BODY)).toBe('232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de');
		expect(signatureV2(DOC_SECRET, 'GET', 'https://www.example.com/webhook_uri', '')).toBe('eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e');
		expect(signatureV2(DOC_SECRET, 'POST', 'https://www.example.com/webhook_uri', '{"example_field":"example_value"}')).toBe('9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900');
		expect(signatureV3('test_client_secret', 'POST', 'https://example.com/webhooks/hubspot', DOC_BODY, 1700000000000)).toBe('+7YzAITlYZzZAElOfplAVb8PJyBC4hh1Cyl3+esZLt0=');
		// v3 signs the URI with the listed percent-escapes decoded.
		expect(signatureV3('s', 'POST', 'https://example.com/hook?a=b%3Ac%40d', '[]', 1)).toBe(signatureV3('s', 'POST', 'https://example.com/hook?a=b:c@d', '[]', 1));
	});
});

describe('HubSpot webhook deliveries', () => {
	let hub: Hub;
	let rx: Receiver;
	let secret: string;

	async function setup(options: HubspotOptions = {}, subscriptions: Array<{ eventType: string; propertyName?: string }> = []) {
		hub = await startHub({ tenSecondLimit: 100_000, webhookRetryDelaysMs: [30, 30, 30], ...options });
		rx = await startReceiver();
		secret = String(hub.def.info().clientSecret);
		const { appId, key } = dev(hub.def);
		const put = await hub.call('PUT', `/webhooks/v3/${appId}/settings?hapikey=${key}`, { targetUrl: rx.url, throttling: { maxConcurrentRequests: 10 } });
		expect(put.status).toBe(200);
		for (const s of subscriptions) expect((await hub.call('POST', `/webhooks/v3/${appId}/subscriptions?hapikey=${key}`, { ...s, active: true })).status).toBe(201);
	}
	const settle = () => fetch(`${hub.url}/_sandbox/webhooks/settle`, { method: 'POST' });
	afterEach(async () => {
		await hub.close();
		await rx.close();
	});

	test('API writes arrive as signed JSON-array batches with changeSource INTEGRATION', async () => {
		await setup({}, [{ eventType: 'contact.creation' }, { eventType: 'contact.propertyChange', propertyName: 'email' }, { eventType: 'contact.deletion' }]);
		const created = await hub.call('POST', '/crm/v3/objects/contacts/batch/create', { inputs: [1, 2, 3].map((i) => ({ properties: { email: `w${i}@example.com`, firstname: 'W' } })) });
		await settle();
		expect(rx.received).toHaveLength(1);
		const req = rx.received[0];
		expect(req.method).toBe('POST');
		expect(req.headers['content-type']).toBe('application/json');
		expect(req.headers['user-agent']).toMatch(/^HubSpot Connect 2\.0/);
		const events = JSON.parse(req.body);
		expect(Array.isArray(events)).toBe(true);
		expect(events).toHaveLength(6);
		const info = hub.def.info() as any;
		const first = created.body.results[0].id;
		expect(events[0]).toEqual({
			eventId: expect.any(Number),
			subscriptionId: 1,
			portalId: info.portalId,
			appId: info.appId,
			occurredAt: expect.any(Number),
			subscriptionType: 'contact.creation',
			attemptNumber: 0,
			objectId: Number(first),
			changeFlag: 'NEW',
			changeSource: 'INTEGRATION',
			sourceId: String(info.appId),
		});
		expect(events.filter((e: any) => e.subscriptionType === 'contact.propertyChange').map((e: any) => e.propertyValue)).toEqual(['w1@example.com', 'w2@example.com', 'w3@example.com']);
		expect(new Set(events.map((e: any) => e.eventId)).size).toBe(6);
		// Signatures, checked the way a receiver does.
		expect(req.headers['x-hubspot-signature-version']).toBe('v1');
		expect(req.headers['x-hubspot-signature']).toBe(createHash('sha256').update(secret + req.body).digest('hex'));
		expect(verifyV3(secret, req, rx.url, hub.server.context.clock.now())).toBe(true);
		expect(req.headers['x-hubspot-timeout-millis']).toBe('5000');

		// Updates send only changed subscribed properties; deletions carry changeFlag DELETED.
		await hub.call('PATCH', `/crm/v3/objects/contacts/${first}`, { properties: { firstname: 'Other', email: 'w1@example.com' } });
		await hub.call('PATCH', `/crm/v3/objects/contacts/${first}`, { properties: { email: 'renamed@example.com' } });
		await hub.call('DELETE', `/crm/v3/objects/contacts/${first}`);
		await settle();
		const later = rx.received.slice(1).flatMap((r) => JSON.parse(r.body));
		expect(later.map((e: any) => [e.subscriptionType, e.propertyValue ?? e.changeFlag])).toEqual([
			['contact.propertyChange', 'renamed@example.com'],
			['contact.deletion', 'DELETED'],
		]);
	});

	test('edits made in the HubSpot UI carry changeSource CRM_UI (echo suppression relies on it)', async () => {
		await setup({}, [{ eventType: 'contact.propertyChange', propertyName: 'firstname' }]);
		const c = await hub.call('POST', '/crm/v3/objects/contacts', { properties: { firstname: 'Api' } });
		await fetch(`${hub.url}/_sandbox/hubspot/ui/contacts`, { method: 'POST', body: JSON.stringify({ id: c.body.id, properties: { firstname: 'Human' } }) });
		await settle();
		const events = rx.received.flatMap((r) => JSON.parse(r.body));
		expect(events.map((e: any) => [e.propertyValue, e.changeSource])).toEqual([
			['Api', 'INTEGRATION'],
			['Human', 'CRM_UI'],
		]);
		expect(events[1].sourceId).toMatch(/^userId:\d+$/);
	});

	test('more than 100 events are split into batches of at most 100', async () => {
		await setup({}, [{ eventType: 'contact.creation' }, { eventType: 'contact.propertyChange', propertyName: 'firstname' }]);
		await hub.call('POST', '/crm/v3/objects/contacts/batch/create', { inputs: Array.from({ length: 75 }, (_, i) => ({ properties: { firstname: `F${i}` } })) });
		await settle();
		expect(rx.received.map((r) => JSON.parse(r.body).length)).toEqual([100, 50]);
	});

	test('retries re-sign with a new timestamp and a higher attemptNumber until a 2xx', async () => {
		await setup({}, [{ eventType: 'company.creation' }]);
		rx.respond = (i) => (i < 2 ? 503 : 204);
		await hub.call('POST', '/crm/v3/objects/companies', { properties: { name: 'Retry' } });
		await settle();
		expect(rx.received).toHaveLength(3);
		expect(rx.received.map((r) => JSON.parse(r.body)[0].attemptNumber)).toEqual([0, 1, 2]);
		expect(new Set(rx.received.map((r) => JSON.parse(r.body)[0].eventId)).size).toBe(1);
		for (const r of rx.received) expect(verifyV3(secret, r, rx.url, hub.server.context.clock.now())).toBe(true);
		const stamps = rx.received.map((r) => Number(r.headers['x-hubspot-request-timestamp']));
		expect(stamps[1]).toBeGreaterThan(stamps[0]);
		expect(stamps[2]).toBeGreaterThan(stamps[1]);
		const deliveries = (await (await fetch(`${hub.url}/_sandbox/webhooks/deliveries`)).json()) as any[];
		expect(deliveries[0].attempts.map((a: any) => a.status)).toEqual([503, 503, 204]);
		expect(deliveries[0].delivered).toBe(true);
	});

	test.each([400, 401, 403, 404, 405])('no retry after %i', async (status) => {
		await setup({}, [{ eventType: 'deal.creation' }]);
		rx.respond = () => status;
		await hub.call('POST', '/crm/v3/objects/deals', { properties: { dealname: 'x' } });
		await settle();
		expect(rx.received).toHaveLength(1);
	});

	test('a 500 is retried through the whole schedule, a 429 after its Retry-After', async () => {
		await setup({}, [{ eventType: 'deal.creation' }]);
		rx.respond = () => 500;
		await hub.call('POST', '/crm/v3/objects/deals', { properties: { dealname: 'x' } });
		await settle();
		expect(rx.received).toHaveLength(4);
		rx.received.length = 0;
		rx.respond = (i) => (i === 0 ? { status: 429, headers: { 'Retry-After': '0.05' } } : 200);
		await hub.call('POST', '/crm/v3/objects/deals', { properties: { dealname: 'y' } });
		await settle();
		expect(rx.received).toHaveLength(2);
	});

	test('v2 signatures on request, bad signatures and stale timestamps for receiver tests', async () => {
		await setup({ webhookSignatureVersion: 'v2' }, [{ eventType: 'contact.creation' }]);
		await hub.call('POST', '/crm/v3/objects/contacts', { properties: {} });
		await settle();
		const ok = rx.received[0];
		expect(ok.headers['x-hubspot-signature-version']).toBe('v2');
		expect(ok.headers['x-hubspot-signature']).toBe(createHash('sha256').update(`${secret}POST${rx.url}${ok.body}`).digest('hex'));

		await fetch(`${hub.url}/_sandbox/webhooks/behaviour`, { method: 'PUT', body: JSON.stringify({ badSignature: true }) });
		await hub.call('POST', '/crm/v3/objects/contacts', { properties: {} });
		await settle();
		expect(verifyV3(secret, rx.received[1], rx.url, hub.server.context.clock.now())).toBe(false);

		await fetch(`${hub.url}/_sandbox/webhooks/behaviour`, { method: 'PUT', body: JSON.stringify({ timestampSkewMs: 6 * 60_000 }) });
		await hub.call('POST', '/crm/v3/objects/contacts', { properties: {} });
		await settle();
		const stale = rx.received[2];
		expect(hub.server.context.clock.now() - Number(stale.headers['x-hubspot-request-timestamp'])).toBeGreaterThan(5 * 60_000);
		expect(verifyV3(secret, stale, rx.url, hub.server.context.clock.now())).toBe(false);
	});

	test('duplicate delivery repeats the same eventIds', async () => {
		await setup({}, [{ eventType: 'contact.creation' }]);
		await fetch(`${hub.url}/_sandbox/webhooks/behaviour`, { method: 'PUT', body: JSON.stringify({ duplicateRate: 1 }) });
		await hub.call('POST', '/crm/v3/objects/contacts', { properties: {} });
		await settle();
		expect(rx.received).toHaveLength(2);
		expect(JSON.parse(rx.received[0].body)[0].eventId).toBe(JSON.parse(rx.received[1].body)[0].eventId);
	});

	test('settings and subscription validation', async () => {
		await setup();
		const { appId, key } = dev(hub.def);
		expect((await hub.call('PUT', `/webhooks/v3/${appId}/settings?hapikey=${key}`, { targetUrl: 'http://example.com/hook', throttling: { maxConcurrentRequests: 10 } })).status).toBe(400);
		expect((await hub.call('GET', `/webhooks/v3/${appId}/settings?hapikey=wrong`)).status).toBe(401);
		expect((await hub.call('GET', `/webhooks/v3/1/settings?hapikey=${key}`)).status).toBe(404);
		expect((await hub.call('POST', `/webhooks/v3/${appId}/subscriptions?hapikey=${key}`, { eventType: 'contact.propertyChange' })).status).toBe(400);
		expect((await hub.call('POST', `/webhooks/v3/${appId}/subscriptions?hapikey=${key}`, { eventType: 'contact.propertyChange', propertyName: 'nope' })).status).toBe(400);
		expect((await hub.call('POST', `/webhooks/v3/${appId}/subscriptions?hapikey=${key}`, { eventType: 'contact.sneeze' })).status).toBe(400);
		const sub = await hub.call('POST', `/webhooks/v3/${appId}/subscriptions?hapikey=${key}`, { eventType: 'contact.creation', active: false });
		await hub.call('POST', '/crm/v3/objects/contacts', { properties: {} });
		await settle();
		expect(rx.received).toHaveLength(0);
		const patched = await hub.call('PATCH', `/webhooks/v3/${appId}/subscriptions/${sub.body.id}?hapikey=${key}`, { active: true });
		expect(patched.body.active).toBe(true);
		await hub.call('POST', '/crm/v3/objects/contacts', { properties: {} });
		await settle();
		expect(rx.received).toHaveLength(1);
		expect((await hub.call('DELETE', `/webhooks/v3/${appId}/subscriptions/${sub.body.id}?hapikey=${key}`)).status).toBe(204);
	});
});
