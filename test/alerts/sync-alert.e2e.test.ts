/**
 * Sync Alert inside a real n8n 2.x (the package installed as users install it): credentials created over n8n's
 * REST API pointing at a local HTTP sink; Webhook → Split Out → Sync Alert → Respond sends a signed alert the
 * sink verifies independently; the dedupe window holds across executions; a digest workflow sends a day's
 * errors to Slack as one message; no secret appears in the execution data.
 * Needs `npm run build` first.
 */
import { createHmac } from 'node:crypto';
import * as path from 'node:path';
import { registeredNodeTypes } from '../../scripts/n8n/runtime';
import { createActiveWorkflow, postWebhook, startN8nWithPackage, stopN8n } from '../e2e/support';
import { err, failed, startSink, type Sink } from './support';

jest.setTimeout(300_000);

const NODE = 'n8n-nodes-fluxcascade.syncAlert';
const SECRET = 'e2e-signing-secret-7b1f';
const LEAKY = { bearer: 'Bearer abcdefghij0123456789', pat: 'pat-na1-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee', password: 'hunter2-e2e' };

let n8n: Awaited<ReturnType<typeof startN8nWithPackage>>;
let sink: Sink;
let webhookCred: { id: string; name: string };
let slackCred: { id: string; name: string };

beforeAll(async () => {
	sink = await startSink();
	n8n = await startN8nWithPackage('alerts');
	const created = await n8n.rest('POST', '/credentials', { name: 'Alert sink', type: 'fluxAlertWebhookApi', data: { url: `${sink.url}/fluxcascade/alerts`, secret: SECRET } });
	webhookCred = { id: created.data.id, name: created.data.name };
	const slack = await n8n.rest('POST', '/credentials', { name: 'Slack sink', type: 'fluxSlackWebhookApi', data: { webhookUrl: `${sink.url}/services/T0E2E/B0E2E/slackE2ePathSecret` } });
	slackCred = { id: slack.data.id, name: slack.data.name };
});

afterAll(async () => {
	await stopN8n(n8n, 'alerts');
	await sink?.close();
});

function receiverAccepts(req: Sink['requests'][number]): boolean {
	const timestamp = String(req.headers['x-fluxcascade-timestamp']);
	const expected = 'sha256=' + createHmac('sha256', SECRET).update(`${timestamp}.${req.raw}`).digest('hex');
	return req.headers['x-fluxcascade-signature'] === expected;
}

/**
 * The output of one node in the workflow's latest execution, as stored by n8n. A webhook answered by a Respond
 * node returns before n8n has saved the execution, so this waits (briefly) for the saved run to appear.
 */
async function lastOutput(workflowId: string, node: string): Promise<string> {
	const { parse } = require(require.resolve('flatted', { paths: [path.join(__dirname, '../../.cache/n8n-2.40.7/node_modules')] }));
	const deadline = Date.now() + 15_000;
	for (;;) {
		const list = await n8n.rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`);
		const [latest] = (list.data.results ?? list.data) as Array<{ id: string; finished?: boolean; status?: string }>;
		if (latest && latest.status !== 'running' && latest.status !== 'new') {
			const detail = await n8n.rest('GET', `/executions/${latest.id}`);
			const runData = detail.data?.data ? parse(detail.data.data).resultData?.runData : undefined;
			if (runData?.[node]) return JSON.stringify(runData[node]);
		}
		if (Date.now() > deadline) throw new Error(`No saved execution of ${workflowId} with node ${node} within 15 s`);
		await new Promise((r) => setTimeout(r, 250));
	}
}

const webhookNode = (path: string, id: string) => ({ id: `w-${id}`, name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: id, parameters: { httpMethod: 'POST', path, responseMode: 'responseNode' } });
const splitOut = { id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.items' } };
const respond = { id: 'r', name: 'Respond', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [800, 0], parameters: { respondWith: 'allIncomingItems' } };
const chain = (...names: string[]) => Object.fromEntries(names.slice(0, -1).map((n, i) => [n, { main: [[{ node: names[i + 1], type: 'main', index: 0 }]] }]));

test('Sync Alert and its two credentials are registered', async () => {
	expect(await registeredNodeTypes(n8n)).toContain(NODE);
	const creds = ((await (await fetch(`${n8n.url}/types/credentials.json`, { headers: { cookie: n8n.cookie } })).json()) as Array<{ name: string }>).map((c) => c.name);
	expect(creds).toEqual(expect.arrayContaining(['fluxAlertWebhookApi', 'fluxSlackWebhookApi']));
});

test('Webhook → Sync Alert (signed webhook) → Respond: the sink receives a correctly signed alert, once per dedupe window', async () => {
	const nodes = [
		webhookNode('alerts-e2e', 'a1e2e000-0000-4000-8000-0000000000a1'),
		splitOut,
		{
			id: 'alert',
			name: 'Sync Alert',
			type: NODE,
			typeVersion: 1,
			position: [500, 0],
			alwaysOutputData: true,
			credentials: { fluxAlertWebhookApi: webhookCred },
			parameters: { operation: 'process', rule: 'everyError', channel: 'webhook', mappingName: 'HubSpot Contacts → Jobber Clients', dashboardUrl: `${n8n.url}/webhook/sync-errors` },
		},
		respond,
	];
	const workflowId = await createActiveWorkflow(n8n, { name: 'e2e: sync alert webhook', nodes, connections: chain('Webhook', 'Split Out', 'Sync Alert', 'Respond') });
	const items = [
		failed('501', [err('INVALID_EMAIL', 'Invalid email "ann@"', { field: 'email' })]),
		failed('502', [err('AUTHENTICATION_FAILED', `401 Authorization: ${LEAKY.bearer}; token ${LEAKY.pat}`, { id: '502' })], {}, { fields: { password: LEAKY.password } }),
	];
	sink.requests.length = 0;
	const res = await postWebhook(n8n, 'alerts-e2e', { items });
	expect(res.status).toBe(200);
	const out = (await res.json()) as Array<{ alert: { title: string }; delivery: { ok: boolean; status: string; httpStatus: number } }>;
	expect(out.map((o) => [o.alert.title, o.delivery.status, o.delivery.httpStatus])).toEqual([
		['Sync error in HubSpot Contacts → Jobber Clients: Invalid Email', 'sent', 200],
		['Sync error in HubSpot Contacts → Jobber Clients: Authentication Failed', 'sent', 200],
	]);
	expect(sink.requests).toHaveLength(2);
	for (const req of sink.requests) {
		expect(req.url).toBe('/fluxcascade/alerts');
		expect(receiverAccepts(req)).toBe(true);
		expect(Math.abs(Number(req.headers['x-fluxcascade-timestamp']) - Date.now() / 1000)).toBeLessThan(60);
		for (const secret of [...Object.values(LEAKY), SECRET]) expect(req.raw).not.toContain(secret);
	}
	const bodies = sink.requests.map((r) => JSON.parse(r.raw));
	expect(bodies[0]).toMatchObject({
		type: 'fluxcascade.sync_alert',
		mapping: 'HubSpot Contacts → Jobber Clients',
		errors: [{ code: 'INVALID_EMAIL', field: 'email', record: { system: 'hubspot', object: 'contacts', id: '501' } }],
		dashboardUrl: `${n8n.url}/webhook/sync-errors`,
	});
	// The node's output keeps the alerts (redacted), never the credential or the leaked values.
	const output = await lastOutput(workflowId, 'Sync Alert');
	expect(output).toContain('Authentication Failed');
	for (const secret of [...Object.values(LEAKY), SECRET, sink.url + '/fluxcascade']) expect(output).not.toContain(secret);

	// Within the dedupe window (the state is in the store under the n8n user folder) nothing is sent again.
	sink.requests.length = 0;
	const again = await postWebhook(n8n, 'alerts-e2e', { items });
	expect(again.status).toBe(200);
	expect(sink.requests).toHaveLength(0);
});

test('a digest workflow sends a day’s errors to Slack as one message', async () => {
	const nodes = [
		webhookNode('alerts-digest-e2e', 'a1e2e000-0000-4000-8000-0000000000a2'),
		splitOut,
		{ id: 'rec', name: 'Record', type: NODE, typeVersion: 1, position: [400, 0], alwaysOutputData: true, parameters: { operation: 'process', rule: 'dailyDigest', channel: 'items', mappingName: 'digest-e2e' } },
		{
			id: 'send',
			name: 'Send Digest',
			type: NODE,
			typeVersion: 1,
			position: [600, 0],
			credentials: { fluxSlackWebhookApi: slackCred },
			parameters: { operation: 'sendDigest', channel: 'slack', mappingName: 'digest-e2e', digestTime: '00:00', timeZone: 'Asia/Kolkata', options: { digestPeriod: 'current' } },
		},
		respond,
	];
	const workflowId = await createActiveWorkflow(n8n, { name: 'e2e: sync alert digest', nodes, connections: chain('Webhook', 'Split Out', 'Record', 'Send Digest', 'Respond') });
	const items = [
		failed('1', [err('INVALID_EMAIL', 'x', { id: '1' })]),
		failed('2', [err('INVALID_EMAIL', 'x', { id: '2' }), err('INVALID_FORMAT', 'y', { id: '2', field: 'phone' })]),
		failed('3', [err('RATE_LIMIT_EXCEEDED', '429', { id: '3' })]),
	];
	sink.requests.length = 0;
	const res = await postWebhook(n8n, 'alerts-digest-e2e', { items });
	expect(res.status).toBe(200);
	const out = (await res.json()) as Array<{ alert: { digest: { errors: number; failedRecords: number; byCategory: Record<string, number> } }; delivery: { ok: boolean } }>;
	expect(out).toHaveLength(1);
	expect(out[0].delivery.ok).toBe(true);
	expect(out[0].alert.digest).toMatchObject({ errors: 4, failedRecords: 3, byCategory: { Data: 3, Connection: 1 } });
	expect(sink.requests).toHaveLength(1);
	expect(sink.requests[0].url).toBe('/services/T0E2E/B0E2E/slackE2ePathSecret');
	const slack = JSON.parse(sink.requests[0].raw);
	expect(slack.blocks[0].text.text).toMatch(/^Daily sync digest · digest-e2e: 4 errors/);
	expect(JSON.stringify(slack)).toContain('Invalid Email (Data): 2');
	expect(await lastOutput(workflowId, 'Send Digest')).not.toContain('slackE2ePathSecret');
});
