/**
 * Jobber webhook logic without n8n: the HMAC test vector of crm-apis.md §4.7, tampered bodies and wrong secrets
 * (401, nothing executed), replays and at-least-once repeats (401, nothing executed), stale events (401), legacy
 * `occuredAt`, and the sandbox's own signed deliveries.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryProcessedEvents, decideWebhook, eventKey, jobberSignature, objectOfTopic, parseJobberEvent, verifyJobberSignature } from '../../../connectors/jobber';
import { startHarness } from './helpers';

const VECTOR_BODY = '{"data":{"webHookEvent":{"topic":"CLIENT_CREATE","appId":"3ef22a50-072d-430c-a78f-b7646657560b","accountId":"MQ==","itemId":"MQ==","occurredAt":"2021-08-12T16:31:36-06:00"}}}';
const VECTOR_SIGNATURE = 'EI44cjYMI9RY+65CYx+SQWDEAr0edMHJQgakaoF1UMo=';

describe('signature', () => {
	it('matches the documented test vector', () => {
		expect(jobberSignature('test_client_secret', VECTOR_BODY)).toBe(VECTOR_SIGNATURE);
		expect(verifyJobberSignature('test_client_secret', Buffer.from(VECTOR_BODY), VECTOR_SIGNATURE)).toBe(true);
	});

	it('refuses a tampered body, a wrong secret, a missing or malformed header', () => {
		const tampered = VECTOR_BODY.replace('CLIENT_CREATE', 'CLIENT_DESTROY');
		expect(verifyJobberSignature('test_client_secret', tampered, VECTOR_SIGNATURE)).toBe(false);
		// The same JSON re-serialised with a space is a different body: only the raw bytes count.
		expect(verifyJobberSignature('test_client_secret', JSON.stringify(JSON.parse(VECTOR_BODY), null, 1), VECTOR_SIGNATURE)).toBe(false);
		expect(verifyJobberSignature('another_secret', VECTOR_BODY, VECTOR_SIGNATURE)).toBe(false);
		expect(verifyJobberSignature('test_client_secret', VECTOR_BODY, undefined)).toBe(false);
		expect(verifyJobberSignature('test_client_secret', VECTOR_BODY, 'not base64 at all!')).toBe(false);
		expect(verifyJobberSignature('test_client_secret', VECTOR_BODY, VECTOR_SIGNATURE.slice(0, 20))).toBe(false);
		expect(verifyJobberSignature('', VECTOR_BODY, VECTOR_SIGNATURE)).toBe(false);
	});
});

describe('decideWebhook', () => {
	const base = () => ({ secret: 'test_client_secret', rawBody: Buffer.from(VECTOR_BODY), signature: VECTOR_SIGNATURE, processed: new MemoryProcessedEvents(), scope: 'jobber:wf:node' });

	it('accepts a signed event once, then refuses its replays with 401 without executing', async () => {
		const input = base();
		const first = await decideWebhook(input);
		expect(first).toMatchObject({ accept: true, event: { topic: 'CLIENT_CREATE', itemId: 'MQ==', accountId: 'MQ==', occurredAt: '2021-08-12T16:31:36-06:00' } });
		expect(await decideWebhook(input)).toMatchObject({ accept: false, status: 401, reason: 'duplicate' });
		// Another trigger (scope) has not seen it.
		expect(await decideWebhook({ ...input, scope: 'jobber:wf:other' })).toMatchObject({ accept: true });
	});

	it('401 for a tampered body or a wrong secret, before the body is even parsed', async () => {
		expect(await decideWebhook({ ...base(), rawBody: Buffer.from(VECTOR_BODY.replace('MQ==', 'Mg==')) })).toEqual({ accept: false, status: 401, reason: 'signature' });
		expect(await decideWebhook({ ...base(), secret: 'wrong' })).toEqual({ accept: false, status: 401, reason: 'signature' });
		expect(await decideWebhook({ ...base(), rawBody: Buffer.from('not json'), signature: jobberSignature('test_client_secret', 'not json') })).toEqual({ accept: false, status: 400, reason: 'malformed' });
	});

	it('a repeat is a repeat by topic + item + time: another time of the same item is a new event', async () => {
		const input = base();
		await decideWebhook(input);
		const later = VECTOR_BODY.replace('16:31:36', '16:31:37');
		expect(await decideWebhook({ ...input, rawBody: Buffer.from(later), signature: jobberSignature('test_client_secret', later) })).toMatchObject({ accept: true });
	});

	it('stale events (older than the replay window) are refused with 401; unselected topics answered 200; neither executed', async () => {
		expect(await decideWebhook({ ...base(), maxAgeMs: 60_000 })).toMatchObject({ accept: false, status: 401, reason: 'stale' });
		expect(await decideWebhook({ ...base(), topics: ['JOB_UPDATE'] })).toMatchObject({ accept: false, status: 200, reason: 'topic' });
	});

	it('reads the legacy `occuredAt` spelling', () => {
		const legacy = JSON.parse(VECTOR_BODY.replace('occurredAt', 'occuredAt'));
		expect(parseJobberEvent(legacy)?.occurredAt).toBe('2021-08-12T16:31:36-06:00');
		expect(eventKey(parseJobberEvent(legacy)!)).toBe('CLIENT_CREATE|MQ==|2021-08-12T16:31:36-06:00');
	});

	it('maps topics to objects', () => {
		expect(['CLIENT_UPDATE', 'PROPERTY_DESTROY', 'QUOTE_APPROVED', 'JOB_CLOSED', 'INVOICE_CREATE', 'VISIT_COMPLETE', 'APP_DISCONNECT'].map(objectOfTopic)).toEqual(['clients', 'properties', 'quotes', 'jobs', 'invoices', undefined, undefined]);
	});

	it('the in-memory store forgets the oldest keys beyond its capacity', async () => {
		const store = new MemoryProcessedEvents(3);
		for (const k of ['a', 'b', 'c', 'd']) expect(await store.markEventProcessed('s', k, 60)).toBe(true);
		expect(store.size).toBe(3);
		expect(await store.markEventProcessed('s', 'a', 60)).toBe(true);
		expect(await store.markEventProcessed('s', 'd', 60)).toBe(false);
	});
});

describe('against the sandbox\'s deliveries', () => {
	it('verifies what the sandbox signs, and refuses what it signs with a wrong secret', async () => {
		const h = await startHarness();
		const received: Array<{ raw: Buffer; signature: string | undefined }> = [];
		const server = http.createServer((req, res) => {
			const chunks: Buffer[] = [];
			req.on('data', (c) => chunks.push(c));
			req.on('end', () => {
				received.push({ raw: Buffer.concat(chunks), signature: req.headers['x-jobber-hmac-sha256'] as string | undefined });
				res.end('ok');
			});
		});
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		try {
			const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
			const c = h.connector();
			const hook = await c.webhookEndpointCreate('CLIENT_CREATE', url);
			expect(hook).toEqual({ id: expect.any(String) });
			await c.write('clients', [{ op: 'create', fields: { firstName: 'Hooked' } }]);
			await h.admin('PUT', '/_sandbox/webhooks/behaviour', { badSignature: true });
			await c.write('clients', [{ op: 'create', fields: { firstName: 'Forged' } }]);
			await h.admin('POST', '/_sandbox/webhooks/settle');
			const processed = new MemoryProcessedEvents();
			const decisions = [];
			for (const r of received) decisions.push(await decideWebhook({ secret: h.info.clientSecret, rawBody: r.raw, signature: r.signature, processed, scope: 'jobber:sandbox' }));
			expect(decisions.map((d) => (d.accept ? d.event.topic : d.reason))).toEqual(['CLIENT_CREATE', 'signature']);
			expect(await c.webhookEndpointDelete([(hook as { id: string }).id])).toEqual([]);
		} finally {
			server.close();
			await h.stop();
		}
	});
});
