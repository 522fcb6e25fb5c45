/**
 * Alert channels against a local HTTP sink: the signed webhook (verified with an independent HMAC over the
 * documented string), its retries at 1 s / 2 s / 4 s, Slack's Block Kit payload, items for n8n's own nodes, and a
 * digest that arrives as one message. Plus redaction: no secret reaches any payload.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
	alertItem,
	AlertEngine,
	deliverSlack,
	deliverWebhook,
	eventsFromItems,
	redactDeep,
	redactText,
	verifySignature,
	type AlertConfig,
	type AlertMessage,
} from '../../sync/alerts';
import { openSqliteStore, type SqlStore } from '../../sync/store';
import { ERROR_CODES } from '../../errors/taxonomy';
import { TestClock } from '../store/harness';
import { err, failed, startSink, type Sink } from './support';

jest.setTimeout(30_000);

let sink: Sink;
let dir: string;
let store: SqlStore;
let clock: TestClock;

beforeAll(async () => {
	sink = await startSink();
});
afterAll(async () => {
	await sink.close();
});
beforeEach(async () => {
	sink.requests.length = 0;
	sink.respond = [];
	dir = mkdtempSync(join(tmpdir(), 'fluxcascade-alerts-'));
	clock = new TestClock('2025-03-10T09:00:00.000Z');
	store = await openSqliteStore({ kind: 'sqlite', path: join(dir, 'state.sqlite') }, { clock: clock.now });
});
afterEach(async () => {
	await store.close();
	rmSync(dir, { recursive: true, force: true });
});

const SECRET = 'whsec_4f1c9a7e2b6d8e0f';

/** An alert for one failed record, through the engine. */
async function oneAlert(config: Partial<AlertConfig> = {}, items = [failed('501', [err('INVALID_EMAIL', 'Invalid email "ann@"', { field: 'email' })])]): Promise<AlertMessage> {
	const engine = new AlertEngine(store, { rule: { kind: 'every_error' }, dashboardUrl: 'https://n8n.example.com/webhook/sync-errors', ...config } as AlertConfig, { now: clock.now });
	const { alerts } = await engine.process(eventsFromItems(items));
	expect(alerts).toHaveLength(1);
	return alerts[0].message;
}

/** What a receiver does, written independently of the package: HMAC-SHA256 over "<timestamp>.<raw body>". */
function receiverAccepts(req: Sink['requests'][number], secret = SECRET): boolean {
	const timestamp = String(req.headers['x-fluxcascade-timestamp']);
	const expected = 'sha256=' + createHmac('sha256', secret).update(timestamp + '.' + req.raw).digest('hex');
	return req.headers['x-fluxcascade-signature'] === expected;
}

describe('signed webhook', () => {
	test('POSTs the alert as JSON signed over "<timestamp>.<raw body>" (sha256=<hex>); a receiver verifies it independently', async () => {
		const message = await oneAlert();
		const before = Math.floor(Date.now() / 1000);
		const result = await deliverWebhook(message, { url: `${sink.url}/hooks/alerts`, secret: SECRET });
		expect(result).toMatchObject({ channel: 'webhook', ok: true, status: 'sent', httpStatus: 200 });
		expect(result.attempts).toHaveLength(1);
		expect(sink.requests).toHaveLength(1);
		const [req] = sink.requests;
		expect(req).toMatchObject({ method: 'POST', url: '/hooks/alerts' });
		expect(req.headers['content-type']).toBe('application/json');
		expect(req.headers['x-fluxcascade-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
		expect(Number(req.headers['x-fluxcascade-timestamp'])).toBeGreaterThanOrEqual(before);
		expect(req.headers['x-fluxcascade-delivery']).toBe(message.id);
		expect(receiverAccepts(req)).toBe(true);
		expect(receiverAccepts(req, 'another secret')).toBe(false);
		expect(verifySignature(SECRET, String(req.headers['x-fluxcascade-timestamp']), req.raw, String(req.headers['x-fluxcascade-signature']))).toBe(true);
		// A changed byte or an old timestamp is refused by the package's own verifier too.
		expect(verifySignature(SECRET, String(req.headers['x-fluxcascade-timestamp']), req.raw.replace('501', '502'), String(req.headers['x-fluxcascade-signature']))).toBe(false);
		expect(verifySignature(SECRET, String(req.headers['x-fluxcascade-timestamp']), req.raw, String(req.headers['x-fluxcascade-signature']), { now: new Date(Date.now() + 3600_000) })).toBe(false);
		const body = JSON.parse(req.raw);
		expect(body).toMatchObject({
			type: 'fluxcascade.sync_alert',
			version: 1,
			id: message.id,
			rule: 'every_error',
			mapping: 'people',
			title: 'Sync error in people: Invalid Email',
			dashboardUrl: 'https://n8n.example.com/webhook/sync-errors',
			errors: [{ code: 'INVALID_EMAIL', label: 'Invalid Email', field: 'email', record: { system: 'hubspot', object: 'contacts', id: '501' }, suggestedFix: expect.any(String) }],
		});
		expect(req.raw).not.toContain(SECRET);
	});

	test('retried after 1 s, 2 s and 4 s on 500s, then delivered; each attempt signed afresh', async () => {
		const message = await oneAlert();
		sink.respond = [500, 500, 500, 200];
		const result = await deliverWebhook(message, { url: sink.url, secret: SECRET });
		expect(result.ok).toBe(true);
		expect(result.attempts.map((a) => a.status)).toEqual([500, 500, 500, 200]);
		expect(sink.requests).toHaveLength(4);
		const gaps = sink.requests.slice(1).map((r, i) => r.at - sink.requests[i].at);
		[1000, 2000, 4000].forEach((expected, i) => {
			expect(gaps[i]).toBeGreaterThanOrEqual(expected - 50);
			expect(gaps[i]).toBeLessThan(expected + 600);
		});
		expect(sink.requests.every((r) => receiverAccepts(r))).toBe(true);
		expect(new Set(sink.requests.map((r) => r.raw)).size).toBe(1);
		expect(sink.requests.map((r) => r.headers['x-fluxcascade-attempt'])).toEqual(['1', '2', '3', '4']);
	});

	test('gives up after the fourth attempt; network errors are retried and never quote the URL', async () => {
		const message = await oneAlert();
		sink.respond = [503, 502, 500, 500];
		const failedResult = await deliverWebhook(message, { url: sink.url, secret: SECRET }, { retryDelaysMs: [10, 20, 40] });
		expect(failedResult).toMatchObject({ ok: false, status: 'failed', httpStatus: 500, error: 'HTTP 500: nope' });
		expect(failedResult.attempts).toHaveLength(4);

		const closed = 'http://127.0.0.1:9/hooks/T0SECRETPATH';
		const network = await deliverWebhook(message, { url: closed, secret: SECRET }, { retryDelaysMs: [10, 20, 40] });
		expect(network.ok).toBe(false);
		expect(network.attempts).toHaveLength(4);
		expect(JSON.stringify(network)).not.toContain('T0SECRETPATH');
	});
});

describe('Slack incoming webhook', () => {
	test('readable Block Kit: header, sections with fields, what to do, context with the dashboard link', async () => {
		const message = await oneAlert();
		const url = `${sink.url}/services/T000/B000/slacksecretpath`;
		const result = await deliverSlack(message, url);
		expect(result).toMatchObject({ channel: 'slack', ok: true });
		const body = JSON.parse(sink.requests[0].raw);
		expect(body.text).toBe('Sync error in people: Invalid Email: hubspot / contacts / 501 failed at the mapping stage (Field Mapper) with 1 error.');
		expect(body.blocks.map((b: { type: string }) => b.type)).toEqual(['header', 'section', 'divider', 'section', 'section', 'section', 'context']);
		expect(body.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: 'Sync error in people: Invalid Email', emoji: true } });
		const errorSection = body.blocks[3];
		expect(errorSection.text.text).toBe('Invalid email "ann@"');
		expect(errorSection.fields.map((f: { text: string }) => f.text)).toEqual(['*Error*\nInvalid Email (Data)', '*Record*\n`hubspot / contacts / 501`', '*Field*\n`email`', '*When*\n2025-03-10T09:00:00.000Z']);
		expect(body.blocks[4].text.text).toMatch(/^\*What to do:\* Fix the email at the source/);
		expect(body.blocks[6].elements[0].text).toContain('<https://n8n.example.com/webhook/sync-errors|Error dashboard>');
		expect(sink.requests[0].raw).not.toContain('slacksecretpath');
	});

	test("record data cannot inject Slack markup or mentions", async () => {
		const message = await oneAlert({}, [failed('<!channel>', [err('INVALID_FORMAT', 'Name <@U123> & <https://evil.example|click>', { id: '<!channel>' })])]);
		await deliverSlack(message, sink.url);
		const raw = sink.requests[0].raw;
		expect(raw).not.toContain('<!channel>');
		expect(raw).not.toContain('<@U123>');
		expect(raw).toContain('&lt;!channel&gt;');
	});

	test("Slack's 4xx answers are final, 429 and 5xx are retried", async () => {
		const message = await oneAlert();
		sink.respond = [400];
		const bad = await deliverSlack(message, sink.url, { retryDelaysMs: [10, 20, 40] });
		expect(bad.attempts).toHaveLength(1);
		sink.respond = [429, 503, 200];
		const later = await deliverSlack(message, sink.url, { retryDelaysMs: [10, 20, 40] });
		expect(later.attempts.map((a) => a.status)).toEqual([429, 503, 200]);
	});
});

describe('items for n8n’s own nodes', () => {
	test('subject, text, html (escaped) and blocks', async () => {
		const message = await oneAlert({}, [failed('501', [err('INVALID_FORMAT', 'Bad value <script>alert(1)</script>', { field: 'name' })])]);
		const item = alertItem(message);
		expect(item.subject).toBe('Sync error in people: Invalid Format');
		expect(item.text).toContain('What to do: Add a transform that normalises the value');
		expect(item.text).toContain('Error dashboard: https://n8n.example.com/webhook/sync-errors');
		expect(item.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(item.html).not.toContain('<script>');
		expect(item.html).toContain('<a href="https://n8n.example.com/webhook/sync-errors">Error dashboard</a>');
		expect(item.blocks[0]).toMatchObject({ type: 'header' });
	});
});

describe('daily digest delivery', () => {
	test("a digest groups a day's errors into one message: one request, counts right", async () => {
		const engine = new AlertEngine(store, { rule: { kind: 'daily_digest', time: '07:00', timeZone: 'Europe/Berlin' }, dashboardUrl: 'https://n8n.example.com/webhook/sync-errors' }, { now: clock.now });
		// 10 Mar 07:00 CET (06:00Z) → 11 Mar 07:00 CET: 12 failed records, 14 errors, over the day.
		const day: Array<[string, Array<Record<string, unknown>>]> = [
			['2025-03-10T06:00:00.000Z', [failed('1', [err('INVALID_EMAIL', 'x', { id: '1', field: 'email' }), err('INVALID_FORMAT', 'y', { id: '1', field: 'phone' })])]],
			['2025-03-10T08:15:00.000Z', [failed('2', [err('INVALID_EMAIL', 'x', { id: '2' })]), failed('3', [err('INVALID_EMAIL', 'x', { id: '3' })])]],
			['2025-03-10T13:40:00.000Z', Array.from({ length: 5 }, () => failed('4', [err('RATE_LIMIT_EXCEEDED', '429', { id: '4' })]))],
			['2025-03-10T22:59:00.000Z', [failed('5', [err('FIELD_NOT_FOUND', 'gone', { id: '5' })]), failed('6', [err('TRANSFORM_FAILED', 'nope', { id: '6' }), err('VALUE_TOO_LONG', 'long', { id: '6' })])]],
			['2025-03-11T05:59:00.000Z', [failed('7', [err('DUPLICATE_RECORD', 'dup', { id: '7' })]), failed('8', [err('INVALID_EMAIL', 'x', { id: '8' })])]],
			// 07:00 CET on 11 Mar belongs to the next digest.
			['2025-03-11T06:00:00.000Z', [failed('9', [err('INVALID_EMAIL', 'x', { id: '9' })])]],
		];
		for (const [at, items] of day) {
			clock.set(at);
			await engine.process(eventsFromItems(items));
		}
		clock.set('2025-03-11T06:00:05.000Z');
		const alerts = await engine.digest({ mappings: ['people'] });
		expect(alerts).toHaveLength(1);
		for (const a of alerts) expect((await deliverWebhook(a.message, { url: sink.url, secret: SECRET })).ok).toBe(true);
		expect(sink.requests).toHaveLength(1);
		expect(receiverAccepts(sink.requests[0])).toBe(true);
		const body = JSON.parse(sink.requests[0].raw);
		expect(body).toMatchObject({ rule: 'daily_digest', title: 'Daily sync digest · people: 14 errors (Mon 10 Mar 07:00 – Tue 11 Mar 07:00)' });
		expect(body.digest).toMatchObject({ errors: 14, failedRecords: 12, timeZone: 'Europe/Berlin' });
		expect(body.digest.byCategory).toEqual({ Data: 7, Connection: 5, Mapping: 2 });
		expect(Object.fromEntries(body.digest.byCode.map((c: { code: string; count: number }) => [c.code, c.count]))).toEqual({
			INVALID_EMAIL: 4,
			RATE_LIMIT_EXCEEDED: 5,
			INVALID_FORMAT: 1,
			FIELD_NOT_FOUND: 1,
			TRANSFORM_FAILED: 1,
			VALUE_TOO_LONG: 1,
			DUPLICATE_RECORD: 1,
		});
		expect(body.digest.topRecords[0]).toMatchObject({ id: '4', count: 5, lastLabel: 'Rate Limit Exceeded' });
		expect(body.counts).toMatchObject({ errors: 14, failedRecords: 12 });
		// Slack renders the same digest readably in one message.
		await deliverSlack(alerts[0].message, sink.url);
		const slack = JSON.parse(sink.requests[1].raw);
		expect(slack.blocks.find((b: { text?: { text: string } }) => b.text?.text?.startsWith('*By error*')).text.text).toContain('• Rate Limit Exceeded (Connection): 5');
		expect(slack.blocks.find((b: { text?: { text: string } }) => b.text?.text?.startsWith('*Top failing records*')).text.text).toContain('`hubspot / contacts / 4`: 5 errors');
	});
});

describe('redaction', () => {
	const secrets = {
		bearer: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
		pat: 'pat-na1-11111111-2222-3333-4444-555555555555',
		password: 'hunter2-Sup3r',
		apiKey: 'AbCdEf0123456789XyZ',
		basic: 'dXNlcjpzM2NyM3Q=',
		pipedrive: 'a3f1c9e2b4d6f8a0c2e4a6b8d0f2a4c6e8b0d2f4',
		slackToken: 'xoxb-123456789012-abcdefghijklmnop',
		urlPassword: 'pa55w0rdInUrl',
	};
	const nasty = () =>
		failed(
			'501',
			[
				err('AUTHENTICATION_FAILED', `401 from https://api.hubapi.com: Authorization: Bearer ${secrets.bearer}`, { field: 'email' }),
				err('PERMISSION_DENIED', `token ${secrets.pat} lacks crm.objects.contacts.write`, { field: 'owner' }),
				err('INVALID_FORMAT', `login failed: password=${secrets.password}&api_key=${secrets.apiKey}`, { field: 'phone' }),
				err('CONNECTION_TIMEOUT', `{"apiKey":"${secrets.apiKey}","headers":{"authorization":"Basic ${secrets.basic}"}} via https://admin:${secrets.urlPassword}@proxy.local`),
				err('INVALID_EMAIL', `x-api-token: ${secrets.pipedrive} and slack ${secrets.slackToken}`),
			],
			{},
			{ fields: { password: secrets.password, apiKey: secrets.apiKey, token: secrets.pat, email: 'ann@example.com' } },
		);

	test('credential-shaped text and sensitive keys are scrubbed', () => {
		expect(redactText(`Authorization: Bearer ${secrets.bearer}`)).toBe('Authorization: [redacted]');
		expect(redactText(`use ${secrets.pat} now`)).toBe('use [redacted] now');
		expect(redactText(`password=${secrets.password}&user=ann`)).toBe('password=[redacted]&user=ann');
		expect(redactText(`"client_secret": "${secrets.apiKey}"`)).toBe('"client_secret": "[redacted]"');
		expect(redactText(`https://admin:${secrets.urlPassword}@proxy.local/x`)).toBe('https://[redacted]@proxy.local/x');
		expect(redactText('https://hooks.slack.com/services/T000/B000/XXXXXXXX')).toBe('https://hooks.slack.com/[redacted]');
		expect(redactText('the exact secret s3cr3t-value appears', ['s3cr3t-value'])).toBe('the exact secret [redacted] appears');
		expect(redactDeep({ token: 'abc', nested: { Authorization: 'x', apiKey: 'y', name: 'Ann' }, list: [{ password: 'p' }] })).toEqual({
			token: '[redacted]',
			nested: { Authorization: '[redacted]', apiKey: '[redacted]', name: 'Ann' },
			list: [{ password: '[redacted]' }],
		});
		expect(redactText('password: hunter2 and Token abc123def')).toBe('password: [redacted] and Token [redacted]');
		// Ordinary messages survive, including every label and suggested fix of the taxonomy.
		for (const text of ['Invalid email "ann@" in field email (record 501)', 'Missing authorization: check the scopes', 'Basic plan limits reached']) expect(redactText(text)).toBe(text);
		for (const info of Object.values(ERROR_CODES)) {
			expect(redactText(info.label)).toBe(info.label);
			expect(redactText(info.suggestedFix)).toBe(info.suggestedFix);
		}
	});

	test('errors carrying tokens and passwords in messages and record data: none reaches any channel payload', async () => {
		const message = await oneAlert({ maxAlertsPerBatch: 20 }, [nasty()]);
		const slackUrl = `${sink.url}/services/T1/B1/slackUrlSecretPart`;
		expect((await deliverSlack(message, slackUrl)).ok).toBe(true);
		expect((await deliverWebhook(message, { url: `${sink.url}/hook`, secret: SECRET })).ok).toBe(true);
		const item = alertItem(message, [slackUrl, SECRET]);
		const payloads = [...sink.requests.map((r) => r.raw), JSON.stringify(item), JSON.stringify(redactDeep(message))];
		for (const payload of payloads) {
			for (const [name, value] of Object.entries(secrets)) expect({ name, leaked: payload.includes(value) }).toEqual({ name, leaked: false });
			expect(payload).not.toContain('slackUrlSecretPart');
			expect(payload).not.toContain(SECRET);
			expect(payload).toContain('[redacted]');
		}
		// Still useful: the error labels, record and fields are there.
		expect(sink.requests[1].raw).toContain('Authentication Failed');
		expect(sink.requests[1].raw).toContain('lacks crm.objects.contacts.write');
		// And the daily digest of the same errors.
		const digestEngine = new AlertEngine(store, { rule: { kind: 'daily_digest', time: '00:00', timeZone: 'UTC' } }, { now: clock.now });
		await digestEngine.process(eventsFromItems([nasty()]));
		clock.advance(24 * 3600_000);
		const [digest] = await digestEngine.digest({});
		sink.requests.length = 0;
		await deliverWebhook(digest.message, { url: sink.url, secret: SECRET });
		await deliverSlack(digest.message, sink.url);
		for (const r of sink.requests) for (const value of Object.values(secrets)) expect(r.raw).not.toContain(value);
	});
});
