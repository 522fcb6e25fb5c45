/**
 * The HubSpot trigger's logic without n8n: v3 signatures (documented test vectors), the replay window,
 * tampered bodies, event de-duplication and echo suppression, and the webhooks v3 subscription lifecycle.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchClient } from '../../../connectors/core/http';
import {
	acceptEvents,
	decodeSignedUri,
	HubSpotWebhookApi,
	MemoryProcessedEvents,
	parseEvents,
	signatureV1,
	signatureV2,
	signatureV3,
	verifySignatureV3,
	type HubSpotWebhookEvent,
} from '../../../connectors/hubspot';
import { startSandbox, type Sandbox } from './helpers';

const DOC_SECRET = 'yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy';
const DOC_BODY =
	'[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]';
const TS = 1_700_000_000_000;
const URI = 'https://example.com/webhooks/hubspot';
const V3 = '+7YzAITlYZzZAElOfplAVb8PJyBC4hh1Cyl3+esZLt0=';

describe('signatures', () => {
	test('the documented test vectors (v1, v2) and ours (v3)', () => {
		expect(signatureV1(DOC_SECRET, DOC_BODY)).toBe('232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de');
		expect(signatureV2(DOC_SECRET, 'GET', 'https://www.example.com/webhook_uri', '')).toBe('eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e');
		expect(signatureV2(DOC_SECRET, 'POST', 'https://www.example.com/webhook_uri', '{"example_field":"example_value"}')).toBe('9569219f8ba981ffa6f6f16aa0f48637d35d728c7e4d93d0d52efaa512af7900');
		expect(signatureV3('test_client_secret', 'POST', URI, DOC_BODY, TS)).toBe(V3);
		// Over raw bytes: a Buffer body signs the same as its UTF-8 text.
		expect(signatureV3('test_client_secret', 'POST', URI, Buffer.from(DOC_BODY, 'utf8'), String(TS))).toBe(V3);
	});

	const base = { clientSecret: 'test_client_secret', method: 'POST', uris: [URI], rawBody: DOC_BODY, signature: V3, timestamp: String(TS) };

	test('a valid signature within 5 minutes is accepted', () => {
		expect(verifySignatureV3({ ...base, now: TS + 299_000 })).toEqual({ ok: true, uri: URI });
		expect(verifySignatureV3({ ...base, now: TS - 60_000 })).toEqual({ ok: true, uri: URI });
	});

	test('a stale (or far-future) timestamp is rejected before the signature is even looked at', () => {
		expect(verifySignatureV3({ ...base, now: TS + 300_001 })).toEqual({ ok: false, reason: 'stale_timestamp' });
		expect(verifySignatureV3({ ...base, now: TS - 300_001 })).toEqual({ ok: false, reason: 'stale_timestamp' });
	});

	test('a tampered body, a wrong secret, a replayed signature with a new timestamp, missing headers: rejected', () => {
		const now = TS + 1000;
		expect(verifySignatureV3({ ...base, now, rawBody: DOC_BODY.replace('"objectId":123', '"objectId":124') })).toEqual({ ok: false, reason: 'bad_signature' });
		expect(verifySignatureV3({ ...base, now, rawBody: `${DOC_BODY} ` })).toEqual({ ok: false, reason: 'bad_signature' });
		expect(verifySignatureV3({ ...base, now, clientSecret: 'another_secret' })).toEqual({ ok: false, reason: 'bad_signature' });
		expect(verifySignatureV3({ ...base, now: TS + 61_000, timestamp: String(TS + 60_000) })).toEqual({ ok: false, reason: 'bad_signature' });
		expect(verifySignatureV3({ ...base, now, method: 'PUT' })).toEqual({ ok: false, reason: 'bad_signature' });
		expect(verifySignatureV3({ ...base, now, signature: undefined })).toEqual({ ok: false, reason: 'missing_signature' });
		expect(verifySignatureV3({ ...base, now, timestamp: undefined })).toEqual({ ok: false, reason: 'missing_timestamp' });
		expect(verifySignatureV3({ ...base, now, signature: 'short' })).toEqual({ ok: false, reason: 'bad_signature' });
	});

	test('the URI is compared with HubSpot’s percent-escapes decoded; any registered candidate may match', () => {
		const called = 'https://n8n.example.com/webhook/abc/webhook?x=a%3Ab%2Fc%40d&y=%20';
		expect(decodeSignedUri(called)).toBe('https://n8n.example.com/webhook/abc/webhook?x=a:b/c@d&y=%20');
		const signature = signatureV3('s3cret', 'POST', decodeSignedUri(called), '[]', TS);
		const res = verifySignatureV3({ clientSecret: 's3cret', method: 'POST', uris: ['http://127.0.0.1:5678/webhook/abc/webhook', called], rawBody: '[]', signature, timestamp: String(TS), now: TS });
		expect(res).toEqual({ ok: true, uri: called });
	});
});

describe('events: de-duplication and echo suppression', () => {
	const ev = (eventId: number, extra: Partial<HubSpotWebhookEvent> = {}): HubSpotWebhookEvent => ({ eventId, subscriptionType: 'contact.propertyChange', objectId: 100 + eventId, changeSource: 'CRM_UI', ...extra });
	const echo = { mode: 'ownApp' as const, sourceIds: ['4830127'] };

	test('an eventId seen in the same delivery or an earlier one is dropped (HubSpot delivers at least once)', async () => {
		const store = new MemoryProcessedEvents();
		const first = await acceptEvents([ev(1), ev(2), ev(1)], { scope: 'wf1', store, echo });
		expect(first.events.map((e) => e.eventId)).toEqual([1, 2]);
		expect(first.duplicates).toBe(1);
		const replay = await acceptEvents([ev(2), ev(3)], { scope: 'wf1', store, echo });
		expect(replay.events.map((e) => e.eventId)).toEqual([3]);
		expect(replay.duplicates).toBe(1);
		expect(replay.replayed).toBe(false);
		// Only events already taken: a replay, refused by the trigger.
		const again = await acceptEvents([ev(1), ev(3)], { scope: 'wf1', store, echo });
		expect(again).toMatchObject({ events: [], duplicates: 2, replayed: true });
		// Another workflow's trigger keeps its own ids.
		expect((await acceptEvents([ev(2)], { scope: 'wf2', store, echo })).events).toHaveLength(1);
	});

	test('our own writes are dropped as echoes: by app id, any integration, or not at all', async () => {
		const events = [
			ev(1, { changeSource: 'INTEGRATION', sourceId: '4830127' }),
			ev(2, { changeSource: 'INTEGRATION', sourceId: '999' }),
			ev(3, { changeSource: 'CRM_UI', sourceId: 'userId:76070032' }),
			ev(4, { changeSource: 'API' }),
		];
		const own = await acceptEvents(events, { scope: 'a', store: new MemoryProcessedEvents(), echo });
		expect(own.events.map((e) => e.eventId)).toEqual([2, 3]);
		expect(own.echoes).toBe(2);
		const any = await acceptEvents(events, { scope: 'a', store: new MemoryProcessedEvents(), echo: { mode: 'anyIntegration', sourceIds: [] } });
		expect(any.events.map((e) => e.eventId)).toEqual([3]);
		const off = await acceptEvents(events, { scope: 'a', store: new MemoryProcessedEvents(), echo: { mode: 'off', sourceIds: [] } });
		expect(off.events).toHaveLength(4);
	});

	test('the in-memory store is a bounded LRU with a time to live', async () => {
		let now = 0;
		const store = new MemoryProcessedEvents(3, () => now);
		for (const id of ['1', '2', '3']) expect(await store.markEventProcessed('s', id, 60)).toBe(true);
		expect(await store.markEventProcessed('s', '1', 60)).toBe(false);
		expect(await store.markEventProcessed('s', '4', 60)).toBe(true);
		expect(store.size).toBe(3);
		// "2" was the least recently seen and left the LRU.
		expect(await store.markEventProcessed('s', '2', 60)).toBe(true);
		now = 61_000;
		expect(await store.markEventProcessed('s', '4', 60)).toBe(true);
	});

	test('bodies: JSON arrays, a single object, garbage', () => {
		expect(parseEvents(DOC_BODY)?.map((e) => e.eventId)).toEqual([1]);
		expect(parseEvents(Buffer.from(DOC_BODY))).toHaveLength(1);
		expect(parseEvents({ eventId: 5, subscriptionType: 'deal.creation' })).toHaveLength(1);
		expect(parseEvents('not json')).toBeUndefined();
		expect(parseEvents([{ no: 'type' }, { eventId: 1, subscriptionType: 'x' }])).toHaveLength(1);
	});
});

describe('webhooks v3 subscriptions and signed deliveries from the sandbox', () => {
	let sb: Sandbox;
	let api: HubSpotWebhookApi;
	let appId: string;
	let secret: string;
	beforeAll(async () => {
		sb = await startSandbox({ tenSecondLimit: 100_000, webhookRetryDelaysMs: [50, 50] });
		const info = sb.def.info() as { appId: number; developerApiKey: string; clientSecret: string };
		appId = String(info.appId);
		secret = info.clientSecret;
		api = new HubSpotWebhookApi(fetchClient({ baseUrl: sb.url }), appId, info.developerApiKey);
	});
	afterAll(() => sb.close());
	beforeEach(() => sb.def.reset());

	const desired = [{ eventType: 'contact.creation' }, { eventType: 'contact.propertyChange', propertyName: 'email' }, { eventType: 'contact.deletion' }];

	test('register, check, re-register (no duplicate subscriptions), change, unregister', async () => {
		const url = 'http://127.0.0.1:9/webhook/abc/webhook';
		expect(await api.isRegistered(url, desired)).toBe(false);
		expect(await api.register(url, desired)).toEqual({ created: 3, removed: 0 });
		expect(await api.isRegistered(url, desired)).toBe(true);
		expect(await api.register(url, desired)).toEqual({ created: 0, removed: 0 });
		expect(await api.subscriptions()).toHaveLength(3);
		const changed = [{ eventType: 'contact.creation' }, { eventType: 'deal.creation' }];
		expect(await api.register(url, changed)).toEqual({ created: 1, removed: 2 });
		expect((await api.subscriptions()).map((s) => s.eventType).sort()).toEqual(['contact.creation', 'deal.creation']);
		// Another target URL that is not ours is never overwritten.
		await expect(api.register('http://127.0.0.1:9/other', changed)).rejects.toThrow(/already sends its webhooks/);
		expect(await api.register('http://127.0.0.1:9/webhook-test/abc/webhook', changed, { owns: (u) => u.includes('/abc/') })).toEqual({ created: 0, removed: 0 });
		expect(await api.unregister('http://127.0.0.1:9/webhook-test/abc/webhook')).toBe(true);
		expect(await api.settings()).toBeUndefined();
		expect(await api.subscriptions()).toEqual([]);
	});

	test('a wrong developer key is Authentication Failed', async () => {
		const bad = new HubSpotWebhookApi(fetchClient({ baseUrl: sb.url }), appId, 'wrong');
		await expect(bad.subscriptions()).rejects.toMatchObject({ classified: { code: 'AUTHENTICATION_FAILED' } });
	});

	test('a receiver built from these pieces: UI writes arrive verified, our API writes are echoes, repeats and bad signatures are refused', async () => {
		const store = new MemoryProcessedEvents();
		const accepted: HubSpotWebhookEvent[] = [];
		const statuses: number[] = [];
		const server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c: Buffer) => chunks.push(c));
			req.on('end', async () => {
				const raw = Buffer.concat(chunks);
				const verdict = verifySignatureV3({
					clientSecret: secret,
					method: req.method ?? 'POST',
					uris: [target],
					rawBody: raw,
					signature: req.headers['x-hubspot-signature-v3'] as string | undefined,
					timestamp: req.headers['x-hubspot-request-timestamp'] as string | undefined,
				});
				if (!verdict.ok) {
					statuses.push(401);
					res.writeHead(401).end();
					return;
				}
				const result = await acceptEvents(parseEvents(raw) ?? [], { scope: 'test', store, echo: { mode: 'ownApp', sourceIds: [appId] } });
				accepted.push(...result.events);
				statuses.push(200);
				res.writeHead(200).end();
			});
		});
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
		const target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/hubspot`;
		const settle = () => fetch(`${sb.url}/_sandbox/webhooks/settle`, { method: 'POST' });
		const behaviour = (b: object) => fetch(`${sb.url}/_sandbox/webhooks/behaviour`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(b) });
		const ui = (body: object) => fetch(`${sb.url}/_sandbox/hubspot/ui/contacts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		try {
			await api.register(target, [{ eventType: 'contact.creation' }]);
			// A person creates a contact in HubSpot: delivered twice (at least once), accepted once.
			await behaviour({ duplicateRate: 1 });
			expect((await ui({ properties: { email: 'ui@example.com' } })).status).toBe(201);
			await settle();
			expect(accepted.map((e) => [e.subscriptionType, e.changeSource])).toEqual([['contact.creation', 'CRM_UI']]);
			expect(statuses).toEqual([200, 200]);
			// Our own write through the API: verified, then dropped as an echo.
			await behaviour({});
			const hs = sb.connector();
			expect((await hs.create('contacts', { email: 'sync@example.com' })).ok).toBe(true);
			await settle();
			expect(accepted).toHaveLength(1);
			// A bad signature and a stale timestamp: 401, and HubSpot does not retry a 401.
			await behaviour({ badSignature: true });
			await ui({ properties: { email: 'forged@example.com' } });
			await settle();
			await behaviour({ timestampSkewMs: 6 * 60_000 });
			await ui({ properties: { email: 'stale@example.com' } });
			await settle();
			expect(statuses.slice(-2)).toEqual([401, 401]);
			expect(accepted).toHaveLength(1);
		} finally {
			await behaviour({});
			await new Promise<void>((r) => server.close(() => r()));
		}
	});
});
