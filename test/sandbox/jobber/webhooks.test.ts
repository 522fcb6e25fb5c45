/**
 * Webhooks: endpoints registered with webhookEndpointCreate (and an app-level URL) receive
 * {"data":{"webHookEvent":{topic,appId,accountId,itemId,occurredAt}}} signed with X-Jobber-Hmac-SHA256 over the raw
 * body; duplicates, bad signatures and the one-second answer deadline can be exercised.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { jobberSignature } from '../../../sandbox/jobber/webhooks';
import { encodeId } from '../../../sandbox/jobber/ids';
import { startJobber, startReceiver, type Harness } from './helpers';

/** The receiver side, written from crm-apis.md §4.7: base64 HMAC-SHA256 of the raw body, constant-time compare. */
function verify(secret: string, raw: Buffer, header: string | string[] | undefined): boolean {
	if (typeof header !== 'string') return false;
	const expected = createHmac('sha256', secret).update(raw).digest();
	const given = Buffer.from(header, 'base64');
	return given.length === expected.length && timingSafeEqual(given, expected);
}

const CREATE_ENDPOINT = `mutation Create($topic: WebHookTopicEnum!, $url: String!) {
	webhookEndpointCreate(input: { topic: $topic, url: $url }) { webhookEndpoint { id topic url createdAt } userErrors { message path } }
}`;
const CLIENT_CREATE = 'mutation($input: ClientCreateInput!) { clientCreate(input: $input) { client { id } userErrors { message path } } }';
const CLIENT_EDIT = 'mutation($id: EncodedId!, $input: ClientEditInput!) { clientEdit(clientId: $id, input: $input) { client { id updatedAt } userErrors { message path } } }';

let h: Harness;
beforeEach(async () => {
	h = await startJobber();
});
afterEach(() => h.close());

async function subscribe(topic: string, url: string) {
	const res = await h.gql(CREATE_ENDPOINT, { topic, url }, { era2025: true });
	return res.body.data.webhookEndpointCreate;
}

it('signs with the documented test vector', () => {
	const body = '{"data":{"webHookEvent":{"topic":"CLIENT_CREATE","appId":"3ef22a50-072d-430c-a78f-b7646657560b","accountId":"MQ==","itemId":"MQ==","occurredAt":"2021-08-12T16:31:36-06:00"}}}';
	expect(jobberSignature('test_client_secret', body)).toBe('EI44cjYMI9RY+65CYx+SQWDEAr0edMHJQgakaoF1UMo=');
});

it('delivers CLIENT_CREATE / PROPERTY_CREATE / CLIENT_UPDATE to registered endpoints, signed over the raw body', async () => {
	const rx = await startReceiver();
	try {
		for (const topic of ['CLIENT_CREATE', 'CLIENT_UPDATE', 'PROPERTY_CREATE']) {
			const created = await subscribe(topic, rx.url);
			expect(created).toMatchObject({ webhookEndpoint: { id: expect.any(String), topic, url: rx.url }, userErrors: [] });
		}
		const res = await h.gql(CLIENT_CREATE, { input: { firstName: 'Hook', lastName: 'Test', properties: [{ address: { street1: '1 Main St', city: 'Denver' } }] } });
		const id = res.body.data.clientCreate.client.id;
		await rx.waitFor(2);
		const [clientEvent, propertyEvent] = rx.received;
		expect(clientEvent.body).toEqual({
			data: { webHookEvent: { topic: 'CLIENT_CREATE', appId: h.info.appId, accountId: h.info.accountId, itemId: id, occurredAt: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}-06:00$/) } },
		});
		expect(Object.keys(clientEvent.body.data.webHookEvent)).toEqual(['topic', 'appId', 'accountId', 'itemId', 'occurredAt']);
		expect(propertyEvent.body.data.webHookEvent).toMatchObject({ topic: 'PROPERTY_CREATE', itemId: encodeId('Property', 1) });
		expect(clientEvent.headers['content-type']).toBe('application/json');
		for (const r of rx.received) expect(verify(h.info.clientSecret, r.raw, r.headers['x-jobber-hmac-sha256'])).toBe(true);

		await h.gql(CLIENT_EDIT, { id, input: { lastName: 'Tested' } });
		await rx.waitFor(3);
		expect(rx.received[2].body.data.webHookEvent).toMatchObject({ topic: 'CLIENT_UPDATE', itemId: id });
		// An edit that changes nothing is not an update: no webhook.
		await h.gql(CLIENT_EDIT, { id, input: { lastName: 'Tested' } });
		await h.admin('POST', '/_sandbox/webhooks/settle');
		expect(rx.received).toHaveLength(3);
		const timing = (await h.admin('GET', '/_sandbox/jobber/webhooks/timing')).body;
		expect(timing).toMatchObject({ attempts: 3, late: 0, deadlineMs: 1000 });
	} finally {
		await rx.close();
	}
});

it('announces requests, quotes, jobs and invoices, and counts calls per operation in the request log', async () => {
	const rx = await startReceiver();
	try {
		await h.admin('PUT', '/_sandbox/jobber/app-webhooks', { url: rx.url });
		const client = (await h.gql(CLIENT_CREATE, { input: { firstName: 'Work', properties: [{ address: { street1: '2 Oak Ave' } }] } })).body.data.clientCreate.client;
		const propertyId = encodeId('Property', 1);
		await h.gql('mutation($input: RequestCreateInput!) { requestCreate(input: $input) { request { id } userErrors { message path } } }', { input: { clientId: client.id, title: 'Mow' } });
		const quote = await h.gql('mutation($a: QuoteCreateAttributes!) { quoteCreate(attributes: $a) { quote { id } userErrors { message path } } }', {
			a: { clientId: client.id, propertyId, lineItems: [{ name: 'Mow', unitPrice: 40, quantity: 1, saveToProductsAndServices: false }] },
		});
		const job = await h.gql('mutation($input: JobCreateAttributes!) { jobCreate(input: $input) { job { id } userErrors { message path } } }', {
			input: { propertyId, quoteId: quote.body.data.quoteCreate.quote.id, invoicing: { invoicingType: 'FIXED_PRICE', invoicingSchedule: 'ON_COMPLETION' }, lineItems: [{ name: 'Mow', unitPrice: 40, quantity: 1, saveToProductsAndServices: false }] },
		});
		await h.gql('mutation($id: EncodedId!, $origin: InvoiceOrigin!) { invoiceCreateFromJob(jobId: $id, origin: $origin) { invoice { id } userErrors { message path } } }', { id: job.body.data.jobCreate.job.id, origin: 'INTEGRATIONS' });
		await h.admin('POST', '/_sandbox/webhooks/settle');
		expect(rx.received.map((r) => r.body.data.webHookEvent.topic)).toEqual([
			'CLIENT_CREATE',
			'PROPERTY_CREATE',
			'REQUEST_CREATE',
			'QUOTE_CREATE',
			'JOB_CREATE',
			'QUOTE_UPDATE',
			'INVOICE_CREATE',
			'JOB_UPDATE',
		]);
		const counters = (await h.admin('GET', '/_sandbox/counters')).body.byRoute;
		expect(counters).toMatchObject({ 'graphql.mutation.clientCreate': 1, 'graphql.mutation.jobCreate': 1, 'graphql.mutation.invoiceCreateFromJob': 1 });
	} finally {
		await rx.close();
	}
});

it('keeps one endpoint per topic and stops delivering after webhookEndpointDelete', async () => {
	const rx = await startReceiver();
	try {
		const first = await subscribe('CLIENT_CREATE', rx.url);
		const again = await subscribe('CLIENT_CREATE', rx.url);
		expect(again).toEqual({ webhookEndpoint: null, userErrors: [{ message: 'Topic has already been taken', path: ['topic'] }] });
		const bad = await subscribe('CLIENT_UPDATE', 'not a url');
		expect(bad.userErrors[0].path).toEqual(['url']);
		const del = await h.gql('mutation($ids: [EncodedId!]!) { webhookEndpointDelete(webhookEndpointsIds: $ids) { deletedWebhookEndpoints { id topic url } userErrors { message path } } }', { ids: [first.webhookEndpoint.id] }, { era2025: true });
		expect(del.body.data.webhookEndpointDelete).toEqual({ deletedWebhookEndpoints: [{ id: first.webhookEndpoint.id, topic: 'CLIENT_CREATE', url: rx.url }], userErrors: [] });
		await h.gql(CLIENT_CREATE, { input: { firstName: 'Quiet' } });
		await h.admin('POST', '/_sandbox/webhooks/settle');
		expect(rx.received).toHaveLength(0);
		expect((await h.admin('GET', '/_sandbox/records/webhookEndpoints')).body).toEqual([]);
	} finally {
		await rx.close();
	}
});

it('delivers human edits made through the admin API, including deletes', async () => {
	const rx = await startReceiver();
	try {
		await h.admin('PUT', '/_sandbox/jobber/app-webhooks', { url: rx.url });
		const created = await h.admin('POST', '/_sandbox/jobber/edit', { op: 'create', type: 'Client', input: { firstName: 'Walk', lastName: 'In', emails: [{ address: 'walk.in@example.com' }] } });
		expect(created.status).toBe(200);
		const id = created.body.id;
		const edited = await h.admin('POST', '/_sandbox/jobber/edit', { id, input: { firstName: 'Walker' } });
		expect(edited.body).toEqual({ ok: true, id });
		const rejected = await h.admin('POST', '/_sandbox/jobber/edit', { id, input: { emailsToAdd: [{ address: 'nope' }] } });
		expect(rejected.status).toBe(422);
		expect((await h.admin('POST', '/_sandbox/jobber/edit', { op: 'destroy', id })).body.ok).toBe(true);
		await rx.waitFor(3);
		expect(rx.received.map((r) => r.body.data.webHookEvent.topic)).toEqual(['CLIENT_CREATE', 'CLIENT_UPDATE', 'CLIENT_DESTROY']);
		expect(new Set(rx.received.map((r) => r.body.data.webHookEvent.itemId))).toEqual(new Set([id]));
		const gone = await h.gql('query($id: EncodedId!) { client(id: $id) { id } }', { id });
		expect(gone.body.data.client).toBeNull();
		const lead = (await h.admin('GET', '/_sandbox/records/clients')).body;
		expect(lead).toEqual([]);
	} finally {
		await rx.close();
	}
});

it('can deliver duplicates and bad signatures, and flags receivers slower than one second', async () => {
	const slow = await startReceiver({ delayMs: 1200 });
	try {
		await subscribe('CLIENT_CREATE', slow.url);
		await h.admin('PUT', '/_sandbox/webhooks/behaviour', { duplicateRate: 1, badSignature: true });
		await h.gql(CLIENT_CREATE, { input: { firstName: 'Twice' } });
		await h.admin('POST', '/_sandbox/webhooks/settle');
		expect(slow.received).toHaveLength(2);
		expect(slow.received[0].raw.equals(slow.received[1].raw)).toBe(true);
		for (const r of slow.received) expect(verify(h.info.clientSecret, r.raw, r.headers['x-jobber-hmac-sha256'])).toBe(false);
		const deliveries = (await h.admin('GET', '/_sandbox/webhooks/deliveries')).body;
		expect(deliveries.map((d: any) => d.duplicate)).toEqual([false, true]);
		expect(deliveries[0].attempts[0]).toMatchObject({ status: 200, late: true });
		expect(deliveries[0].attempts[0].ms).toBeGreaterThan(1000);
		expect((await h.admin('GET', '/_sandbox/jobber/webhooks/timing')).body.late).toBe(2);
	} finally {
		await slow.close();
	}
});

it('sends APP_DISCONNECT on appDisconnect and nothing else until reconnected', async () => {
	const rx = await startReceiver();
	try {
		await h.admin('PUT', '/_sandbox/jobber/app-webhooks', { url: rx.url, topics: ['APP_DISCONNECT', 'CLIENT_CREATE'] });
		await h.gql('mutation { appDisconnect { app { name } userErrors { message } } }');
		await rx.waitFor(1);
		expect(rx.received[0].body.data.webHookEvent).toMatchObject({ topic: 'APP_DISCONNECT', accountId: h.info.accountId });
		await h.admin('POST', '/_sandbox/jobber/edit', { op: 'create', type: 'Client', input: { firstName: 'Unseen' } });
		await h.admin('POST', '/_sandbox/webhooks/settle');
		expect(rx.received).toHaveLength(1);
	} finally {
		await rx.close();
	}
});

it('uses the pre-2023-12-08 `occuredAt` spelling when configured', async () => {
	const legacy = await startJobber({ legacyOccuredAt: true });
	const rx = await startReceiver();
	try {
		await legacy.admin('PUT', '/_sandbox/jobber/app-webhooks', { url: rx.url });
		await legacy.admin('POST', '/_sandbox/jobber/edit', { op: 'create', type: 'Client', input: { firstName: 'Old' } });
		await rx.waitFor(1);
		expect(Object.keys(rx.received[0].body.data.webHookEvent)).toEqual(['topic', 'appId', 'accountId', 'itemId', 'occuredAt']);
	} finally {
		await rx.close();
		await legacy.close();
	}
});
