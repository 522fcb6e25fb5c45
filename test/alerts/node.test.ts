/**
 * The Sync Alert node in n8n's own WorkflowExecute: items out for n8n's Email/Slack nodes with paired items,
 * the dedupe window across executions (state in the SQLite file), the digest recorded by one node and sent by
 * Send Digest Now, the signed webhook and Slack through n8n's request helper, and delivery failures.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ICredentialDataDecryptedObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { SyncAlert } from '../../nodes/SyncAlert/SyncAlert.node';
import { closeAllStores } from '../../sync/store';
import { runWorkflow, TestNodeTypes } from '../engine/harness';
import { decided, envelope, err, failed, startSink, type Sink } from './support';

jest.setTimeout(60_000);

const credentials: Record<string, ICredentialDataDecryptedObject> = {};

/**
 * The harness has no credential store: this test double answers getCredentials from `credentials` and runs the
 * real node's execute with everything else from n8n's context.
 */
class SyncAlertWithTestCredentials extends SyncAlert {
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const ctx = new Proxy(this, {
			get(target, prop, receiver) {
				if (prop === 'getCredentials') return async (type: string) => credentials[type] ?? Promise.reject(new Error(`no credential ${type}`));
				const value = Reflect.get(target, prop, receiver);
				return typeof value === 'function' ? value.bind(target) : value;
			},
		});
		return SyncAlert.prototype.execute.call(ctx);
	}
}

const TYPE = 'n8n-nodes-fluxcascade.syncAlert';
const types = new TestNodeTypes({ [TYPE]: new SyncAlertWithTestCredentials() });

let dir: string;
let sqlitePath: string;
let sink: Sink;

beforeAll(async () => {
	sink = await startSink();
});
afterAll(async () => {
	await sink.close();
});
beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'fluxcascade-alert-node-'));
	sqlitePath = join(dir, 'state.sqlite');
	sink.requests.length = 0;
	sink.respond = [];
});
afterEach(async () => {
	await closeAllStores();
	rmSync(dir, { recursive: true, force: true });
});

const alertNode = (parameters: Record<string, unknown>, extra: object = {}) => ({
	name: 'Alert',
	type: TYPE,
	parameters: { operation: 'process', rule: 'everyError', channel: 'items', dashboardUrl: 'https://n8n.example.com/webhook/sync-errors', store: 'sqlite', sqlitePath, ...parameters },
	...extra,
});

describe('Sync Alert node in the n8n engine', () => {
	test('items out: one item per alert with subject, text, html and blocks, paired to its failed item; records and ticks make none', async () => {
		const res = await runWorkflow(types, {
			items: [envelope('1'), failed('2', [err('INVALID_EMAIL', 'Invalid email "x@"', { id: '2', field: 'email' })]), { timestamp: 'tick' }, failed('3', [err('VALUE_TOO_LONG', 'too long', { id: '3', field: 'notes' })])],
			nodes: [alertNode({})],
		});
		const out = res.output('Alert');
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 1 }, { item: 3 }]);
		expect(out[0].json).toMatchObject({
			subject: 'Sync error in people: Invalid Email',
			delivery: { channel: 'items', ok: true, status: 'output' },
			alert: { rule: 'every_error', mapping: 'people', errors: [{ code: 'INVALID_EMAIL', field: 'email', record: { id: '2' } }] },
		});
		expect(out[0].json.text).toContain('What to do:');
		expect(out[0].json.html).toContain('<h2>Sync error in people: Invalid Email</h2>');
		expect((out[0].json.blocks as Array<{ type: string }>)[0].type).toBe('header');
	});

	test('the dedupe window holds across executions (the state is in the store file); the mapping name parameter wins', async () => {
		const items = [failed('2', [err('INVALID_EMAIL', 'bad', { id: '2', field: 'email' })])];
		const first = await runWorkflow(types, { items, nodes: [alertNode({ mappingName: 'HubSpot → Jobber' })] });
		expect(first.output('Alert')).toHaveLength(1);
		expect(first.output('Alert')[0].json.subject).toBe('Sync error in HubSpot → Jobber: Invalid Email');
		await closeAllStores(); // as after a restart
		const second = await runWorkflow(types, { items, nodes: [alertNode({ mappingName: 'HubSpot → Jobber' })] });
		expect(second.output('Alert')).toHaveLength(0);
		const off = await runWorkflow(types, { items, nodes: [alertNode({ mappingName: 'HubSpot → Jobber', dedupeWindow: 0 })] });
		expect(off.output('Alert')).toHaveLength(1);
	});

	test('quiet while an Error Policy retry is pending; N in a row', async () => {
		const pending = decided(failed('7', [err('CONNECTION_TIMEOUT', 't', { id: '7' })]), { status: 'retry_scheduled', nextRetryAt: '2099-01-01T00:00:00Z' });
		let res = await runWorkflow(types, { items: [pending], nodes: [alertNode({})] });
		expect(res.output('Alert')).toHaveLength(0);
		const bad = (id: string) => failed(id, [err('REQUIRED_FIELD_MISSING', 'Email is required', { id, field: 'email' })]);
		res = await runWorkflow(types, { items: [bad('a'), bad('b'), bad('c')], nodes: [alertNode({ rule: 'consecutive', consecutiveCount: 3 })] });
		const out = res.output('Alert');
		expect(out).toHaveLength(1);
		expect(out[0].json.subject).toBe('3 failures in a row in people');
		expect(out[0].pairedItem).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	test('Daily Digest records silently; Send Digest Now sends one message for the day so far', async () => {
		const items = [failed('1', [err('INVALID_EMAIL', 'x', { id: '1' })]), failed('2', [err('INVALID_EMAIL', 'x', { id: '2' }), err('INVALID_FORMAT', 'y', { id: '2' })])];
		const recorded = await runWorkflow(types, { items, nodes: [alertNode({ rule: 'dailyDigest' })] });
		expect(recorded.output('Alert')).toHaveLength(0);
		const sent = await runWorkflow(types, {
			items: [{ timestamp: 'schedule tick' }],
			nodes: [alertNode({ operation: 'sendDigest', digestTime: '00:00', timeZone: 'Europe/Berlin', options: { digestPeriod: 'current' } })],
		});
		const out = sent.output('Alert');
		expect(out).toHaveLength(1);
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect(out[0].json.alert).toMatchObject({ rule: 'daily_digest', mapping: 'people', digest: { errors: 3, failedRecords: 2, timeZone: 'Europe/Berlin' } });
		expect(out[0].json.subject).toMatch(/^Daily sync digest · people: 3 errors/);
	});

	test('signed webhook through n8n’s request helper: the sink gets a valid signature; the output has the delivery, never the secret', async () => {
		credentials.fluxAlertWebhookApi = { url: `${sink.url}/alerts?key=urlsecret123`, secret: 'node-test-secret' };
		const res = await runWorkflow(types, { items: [failed('2', [err('INVALID_EMAIL', 'bad', { id: '2', field: 'email' })])], nodes: [alertNode({ channel: 'webhook' })] });
		expect(res.error()).toBeUndefined();
		expect(sink.requests).toHaveLength(1);
		const [req] = sink.requests;
		const ts = String(req.headers['x-fluxcascade-timestamp']);
		expect(req.headers['x-fluxcascade-signature']).toBe('sha256=' + createHmac('sha256', 'node-test-secret').update(`${ts}.${req.raw}`).digest('hex'));
		expect(JSON.parse(req.raw)).toMatchObject({ type: 'fluxcascade.sync_alert', errors: [{ code: 'INVALID_EMAIL' }] });
		const out = res.output('Alert');
		expect(out[0].json.delivery).toMatchObject({ channel: 'webhook', ok: true, status: 'sent', httpStatus: 200 });
		const everything = JSON.stringify(res.run.data);
		expect(everything).not.toContain('node-test-secret');
		expect(everything).not.toContain('urlsecret123');
	});

	test('Slack through n8n’s request helper', async () => {
		credentials.fluxSlackWebhookApi = { webhookUrl: `${sink.url}/services/T1/B1/slacksecret` };
		const res = await runWorkflow(types, { items: [failed('2', [err('INVALID_EMAIL', 'bad', { id: '2', field: 'email' })])], nodes: [alertNode({ channel: 'slack' })] });
		expect(res.output('Alert')[0].json.delivery).toMatchObject({ channel: 'slack', ok: true });
		expect(sink.requests[0].url).toBe('/services/T1/B1/slacksecret');
		expect(JSON.parse(sink.requests[0].raw).blocks[0].type).toBe('header');
		expect(JSON.stringify(res.run.data)).not.toContain('slacksecret');
	});

	test('a delivery that fails after every retry stops the node (nothing marked sent); with On Error continue it is an item', async () => {
		credentials.fluxSlackWebhookApi = { webhookUrl: `${sink.url}/services/T1/B1/slacksecret` };
		const items = [failed('2', [err('INVALID_EMAIL', 'bad', { id: '2', field: 'email' })])];
		sink.respond = [404];
		const res = await runWorkflow(types, { items, nodes: [alertNode({ channel: 'slack' })] });
		expect(res.error()?.message).toBe('1 of 1 alert(s) could not be delivered to Slack: HTTP 404: nope');
		expect(JSON.stringify(res.run.data)).not.toContain('slacksecret');
		// Released: the same error alerts on the next execution.
		sink.respond = [410];
		const cont = await runWorkflow(types, { items, nodes: [alertNode({ channel: 'slack' }, { onError: 'continueRegularOutput' })] });
		expect(cont.error()).toBeUndefined();
		expect(cont.output('Alert')[0].json).toMatchObject({ delivery: { ok: false, status: 'failed', httpStatus: 410 }, error: 'The alert could not be delivered: HTTP 410: nope' });
		const ok = await runWorkflow(types, { items, nodes: [alertNode({ channel: 'slack' })] });
		expect(ok.output('Alert')[0].json.delivery).toMatchObject({ ok: true });
	});

	test('configuration errors name the problem', async () => {
		const res = await runWorkflow(types, { items: [{ tick: 1 }], nodes: [alertNode({ operation: 'sendDigest', digestTime: '08:10', timeZone: 'UTC' })] });
		expect(res.error()?.message).toMatch(/quarter hour/);
		const tz = await runWorkflow(types, { items: [{ tick: 1 }], nodes: [alertNode({ operation: 'sendDigest', digestTime: '08:00', timeZone: 'Nowhere/City' })] });
		expect(tz.error()?.message).toMatch(/not a time zone/);
	});
});
