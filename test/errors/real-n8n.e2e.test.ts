/**
 * The error half in a REAL n8n 2.x with the packed package installed (run `npm run build` first):
 *  - fail fast fires n8n's own error workflow: Webhook → Split Out → Error Policy (Stop on Error), with
 *    settings.errorWorkflow pointing at Error Trigger → Error Policy (Manual Review Mode) → HTTP Request to a
 *    local sink. The sink receives the record the run stopped on, and the store holds it for review.
 *  - the error dashboard (Webhook with header auth → Review Queue → Respond to Webhook) driven in a real
 *    headless Chromium (Debian's chromium through playwright-core): list, filter, open a record, bulk retry.
 */
import * as fs from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import * as path from 'node:path';
import { classifiedError } from '../../errors/taxonomy';
import { failedItem } from '../../nodes/shared/records';
import { classify, decide, park, policyConfig } from '../../sync/errors';
import { closeAllStores, openStore, type SyncStore } from '../../sync/store';
import { freePort } from '../../scripts/n8n/runtime';
import { createActiveWorkflow, postWebhook, startN8nWithPackage, stopN8n } from '../e2e/support';
import { isCI } from '../support/services';
import { chromiumAvailable, launchBrowser } from '../support/chromium';

jest.setTimeout(600_000);

const ARTIFACTS = path.resolve(__dirname, '../../artifacts');
const DASHBOARD_KEY = 'flux-dashboard-test-key-7c1f';
const FORM_SECRET = 'form-secret-for-the-e2e-test-2b9d';

let n8n: Awaited<ReturnType<typeof startN8nWithPackage>>;
let storePath: string;
let store: SyncStore;

beforeAll(async () => {
	n8n = await startN8nWithPackage('errors');
	storePath = path.join(n8n.userFolder, 'fluxcascade-errors.sqlite');
	store = await openStore({ kind: 'sqlite', path: storePath });
});

afterAll(async () => {
	await store?.close();
	await closeAllStores();
	await stopN8n(n8n, 'errors');
});

const storeParams = () => ({ store: 'sqlite', sqlitePath: storePath });
let nodeSeq = 0;
const node = (name: string, type: string, typeVersion: number, parameters: object, extra: object = {}) => ({
	id: `n${++nodeSeq}`,
	name,
	type,
	typeVersion,
	position: [nodeSeq * 220, 0],
	parameters,
	...extra,
});

// ------------------------------------------------------------------------------------------------ fail fast

interface Sink {
	server: Server;
	url: string;
	received: Array<{ path: string; body: unknown }>;
	waitFor(n: number, timeoutMs: number): Promise<void>;
}

async function startSink(): Promise<Sink> {
	const received: Sink['received'] = [];
	const server = createServer((req: IncomingMessage, res) => {
		let data = '';
		req.on('data', (c) => (data += c));
		req.on('end', () => {
			let body: unknown = data;
			try {
				body = JSON.parse(data);
			} catch {
				// keep text
			}
			received.push({ path: req.url ?? '', body });
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"ok":true}');
		});
	});
	const port = await freePort();
	await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
	return {
		server,
		url: `http://127.0.0.1:${port}`,
		received,
		async waitFor(n, timeoutMs) {
			const deadline = Date.now() + timeoutMs;
			while (received.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
		},
	};
}

describe('fail fast in n8n', () => {
	test("Stop on Error stops the run and n8n's error workflow fires with the record (Error Trigger → Error Policy → Review)", async () => {
		const sink = await startSink();
		try {
			// The error workflow: parks what it is given for review, and tells the sink.
			const errorWorkflowId = await createActiveWorkflow(n8n, {
				name: 'e2e: error workflow',
				nodes: [
					node('Error Trigger', 'n8n-nodes-base.errorTrigger', 1, {}),
					node('Error Policy', 'n8n-nodes-fluxcascade.errorPolicy', 1, { ...storeParams(), manualReviewMode: true, mappingId: 'e2e-failfast' }),
					node('Tell Sink', 'n8n-nodes-base.httpRequest', 4.2, {
						method: 'POST',
						url: `${sink.url}/parked`,
						sendBody: true,
						specifyBody: 'json',
						jsonBody: '={{ JSON.stringify($json) }}',
					}),
				],
				connections: {
					'Error Trigger': { main: [[{ node: 'Error Policy', type: 'main', index: 0 }]] },
					'Error Policy': { main: [[{ node: 'Tell Sink', type: 'main', index: 0 }], [{ node: 'Tell Sink', type: 'main', index: 0 }], [{ node: 'Tell Sink', type: 'main', index: 0 }]] },
				},
			});
			// The sync workflow: its Error Policy has Stop on Error.
			await createActiveWorkflow(n8n, {
				name: 'e2e: sync with Stop on Error',
				nodes: [
					node('Webhook', 'n8n-nodes-base.webhook', 2, { httpMethod: 'POST', path: 'flux-e2e-failfast', responseMode: 'onReceived' }, { webhookId: 'b3f1c0de-0000-4000-8000-0000000000f1' }),
					node('Split Out', 'n8n-nodes-base.splitOut', 1, { fieldToSplitOut: 'body.records' }),
					node('Error Policy', 'n8n-nodes-fluxcascade.errorPolicy', 1, { ...storeParams(), stopOnError: true, mappingId: 'e2e-failfast' }),
				],
				connections: {
					Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
					'Split Out': { main: [[{ node: 'Error Policy', type: 'main', index: 0 }]] },
				},
				settings: { executionOrder: 'v1', errorWorkflow: errorWorkflowId },
			});

			const bad = failedItem('mapping', 'Field Mapper', { system: 'hubspot', object: 'contacts', id: '501', fields: { firstname: 'Bob', email: 'bob@@example' } }, [
				classifiedError('INVALID_EMAIL', { field: 'email', value: 'bob@@example', message: 'Invalid Email: "bob@@example"' }),
			]);
			const slow = failedItem('hubspot', 'HubSpot', { system: 'hubspot', object: 'contacts', id: '502', fields: { firstname: 'Cy' } }, [
				classifiedError('CONNECTION_TIMEOUT', { message: 'HubSpot did not answer in 30 s' }),
			]);
			const res = await postWebhook(n8n, 'flux-e2e-failfast', { records: [bad, slow] });
			expect(res.status).toBe(200);

			// The error workflow parks both records of the stopped batch: one for review, one for a retry later.
			await sink.waitFor(2, 60_000);
			expect(sink.received).toHaveLength(2);
			const bodies = sink.received.map((r) => r.body as Record<string, any>);
			const parked = bodies.find((b) => b.record?.id === '501')!;
			expect(bodies.find((b) => b.record?.id === '502')).toMatchObject({ errors: [{ code: 'CONNECTION_TIMEOUT' }], decision: { strategy: 'retry', reviewStatus: 'retry_scheduled' } });
			expect(parked).toMatchObject({
				source: 'error_trigger',
				record: { system: 'hubspot', id: '501' },
				errors: [{ code: 'INVALID_EMAIL', field: 'email' }],
				workflow: { name: 'e2e: sync with Stop on Error' },
				execution: { lastNodeExecuted: 'Error Policy' },
				decision: { strategy: 'review', reviewStatus: 'open' },
			});

			// The failed execution is n8n's own record of the stop, naming the record.
			const executions = await n8n.rest('GET', '/executions?limit=20');
			const rows = (executions.data?.results ?? executions.data ?? []) as Array<{ status: string; mode: string; workflowName?: string }>;
			expect(rows.some((e) => e.status === 'error')).toBe(true);
			expect(rows.some((e) => e.mode === 'error' && e.status === 'success')).toBe(true);

			// And the record is in the Review Queue for a person.
			const items = (await store.listReviewItems({ mappingId: 'e2e-failfast' })).items;
			expect(items.map((i) => [i.recordId, i.code, i.status]).sort()).toEqual([
				['501', 'INVALID_EMAIL', 'open'],
				['502', 'CONNECTION_TIMEOUT', 'retry_scheduled'],
			]);
		} finally {
			sink.server.close();
		}
	});
});

// ------------------------------------------------------------------------------------------------ dashboard in Chromium

const chromium = chromiumAvailable();
if (!chromium.ok) {
	const message = `\n*** SKIPPING the Chromium dashboard test: ${chromium.reason} ***\n`;
	process.stderr.write(message);
	if (isCI()) throw new Error(`CI: the dashboard must be tested in Chromium, but ${chromium.reason}`);
}
const describeChromium = chromium.ok ? describe : describe.skip;

async function seedDashboard(): Promise<Record<string, string>> {
	const policy = policyConfig({ manualReviewMode: true });
	const ids: Record<string, string> = {};
	const add = async (key: string, id: string, fields: Record<string, unknown>, code: Parameters<typeof classifiedError>[0], extra: { field?: string; value?: unknown } = {}) => {
		const f = classify(failedItem('hubspot', 'HubSpot', { system: 'hubspot', object: 'contacts', id, fields }, [classifiedError(code, { message: `${code} for ${id}`, ...extra })]));
		const d = decide(f.errors, code === 'CONNECTION_TIMEOUT' || code === 'RATE_LIMIT_EXCEEDED' ? policyConfig({ maxRetries: 0 }) : policy);
		const res = await park(store, f, d, { policy, mappingId: 'hubspot-jobber' });
		ids[key] = res.item!.id;
	};
	await add('evil', '901', { firstname: '<script>alert(1)</script>', lastname: '<script data-evil>alert(2)</script>', email: 'evil@@example', apiKey: 'pat-na1-should-never-show' }, 'INVALID_EMAIL', {
		field: 'email',
		value: 'evil@@example',
	});
	await add('long', '902', { firstname: 'Alexandria-Maximiliana-Theodora', lastname: 'Lee' }, 'VALUE_TOO_LONG', { field: 'firstName', value: 'Alexandria-Maximiliana-Theodora' });
	await add('missing', '903', { firstname: 'Carl', lastname: 'Diaz' }, 'REQUIRED_FIELD_MISSING', { field: 'email' });
	await add('timeout', '904', { firstname: 'Dana', lastname: 'Ito', email: 'dana@example.com' }, 'CONNECTION_TIMEOUT');
	await add('ratelimit', '905', { firstname: 'Eve', lastname: 'Moss', email: 'eve@example.com' }, 'RATE_LIMIT_EXCEEDED');
	return ids;
}

describeChromium('the error dashboard in headless Chromium', () => {
	test('list, filter by category, open a record, bulk retry — record values stay text', async () => {
		const ids = await seedDashboard();
		const credential = await n8n.rest('POST', '/credentials', { name: 'Dashboard key', type: 'httpHeaderAuth', data: { name: 'X-Dashboard-Key', value: DASHBOARD_KEY } });
		const credentialId = credential.data.id as string;
		await createActiveWorkflow(n8n, {
			name: 'e2e: error dashboard',
			nodes: [
				node(
					'Dashboard Webhook',
					'n8n-nodes-base.webhook',
					2,
					{ multipleMethods: true, httpMethod: ['GET', 'POST'], path: 'flux-errors', authentication: 'headerAuth', responseMode: 'responseNode' },
					{ webhookId: 'c4f1c0de-0000-4000-8000-0000000000d1', credentials: { httpHeaderAuth: { id: credentialId, name: 'Dashboard key' } } },
				),
				node('Review Queue', 'n8n-nodes-fluxcascade.reviewQueue', 1, { ...storeParams(), operation: 'handleDashboard', formSecret: FORM_SECRET, dashboardOptions: { mapping: 'hubspot-jobber' } }),
				node('Respond', 'n8n-nodes-base.respondToWebhook', 1.1, {
					respondWith: 'text',
					responseBody: '={{ $json.html }}',
					options: {
						responseCode: '={{ $json.statusCode }}',
						responseHeaders: {
							entries: [
								{ name: 'content-type', value: '={{ $json.contentType }}' },
								{ name: 'cache-control', value: 'no-store' },
								{ name: 'x-frame-options', value: 'DENY' },
								{ name: 'referrer-policy', value: 'no-referrer' },
							],
						},
					},
				}),
			],
			connections: {
				'Dashboard Webhook': { main: [[{ node: 'Review Queue', type: 'main', index: 0 }], [{ node: 'Review Queue', type: 'main', index: 0 }]] },
				'Review Queue': { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
			},
		});
		const dashboardUrl = `${n8n.url}/webhook/flux-errors`;

		// Without the header n8n's webhook authentication refuses (retry briefly while the webhook registers).
		let anonymous: Response;
		for (let t = 0; ; t++) {
			anonymous = await fetch(dashboardUrl);
			if (anonymous.status !== 404 || t > 40) break;
			await new Promise((r) => setTimeout(r, 300));
		}
		expect([401, 403]).toContain(anonymous.status);
		const direct = await fetch(dashboardUrl, { headers: { 'X-Dashboard-Key': DASHBOARD_KEY } });
		expect(direct.status).toBe(200);
		expect(direct.headers.get('content-type')).toMatch(/text\/html/);
		const rawPage = await direct.text();
		expect(rawPage).not.toMatch(/pat-na1-should-never-show|form-secret-for-the-e2e-test|flux-dashboard-test-key/);
		expect(rawPage).not.toMatch(/<(script|link|img|iframe)[^>]+(src|href)=["']?(https?:)?\/\//i);

		fs.mkdirSync(ARTIFACTS, { recursive: true });
		const browser = await launchBrowser({ extraHTTPHeaders: { 'X-Dashboard-Key': DASHBOARD_KEY }, viewport: { width: 1400, height: 900 } });
		const dialogs: string[] = [];
		try {
			const { page, pageErrors } = browser;
			page.on('dialog', async (d) => {
				dialogs.push(d.message());
				await d.dismiss();
			});

			// ---- list
			await page.goto(dashboardUrl);
			await page.waitForSelector('#items');
			expect(await page.title()).toBe('FluxCascade · Sync errors');
			expect((await page.textContent('#match-count'))!.replace(/\s+/g, ' ').trim()).toBe('5 matching records');
			expect(await page.locator('#items tbody tr').count()).toBe(5);
			const evilRow = page.locator(`tr[data-id="${ids.evil}"]`);
			expect(await evilRow.locator('a.rec').textContent()).toBe('<script>alert(1)</script> <script data-evil>alert(2)</script>');
			expect(await page.evaluate('document.querySelector("script[data-evil]") === null')).toBe(true);
			expect(await page.evaluate('document.scripts.length')).toBe(1);
			expect(await page.textContent('#m-open b')).toBe('3');
			expect(await page.textContent('#m-failed b')).toBe('2');
			await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-list.png'), fullPage: true });

			// ---- filter by category
			await page.selectOption('#f-category', 'Connection');
			await Promise.all([page.waitForURL(/category=Connection/), page.click('#apply-filters')]);
			expect((await page.textContent('#match-count'))!.replace(/\s+/g, ' ').trim()).toBe('2 matching records');
			const categories = await page.locator('#items tbody tr').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-category')));
			expect(categories).toEqual(['Connection', 'Connection']);
			await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-filtered.png'), fullPage: true });

			// ---- open a record (back to all categories first)
			await page.goto(dashboardUrl);
			await Promise.all([page.waitForURL(new RegExp(`item=${ids.evil}`)), page.click(`a[data-open="${ids.evil}"]`)]);
			await page.waitForSelector('#detail');
			expect(await page.textContent('#detail-title')).toBe('<script>alert(1)</script> <script data-evil>alert(2)</script>');
			const errorRow = page.locator('#errors tbody tr').first();
			expect(await errorRow.locator('td').nth(0).textContent()).toContain('Invalid Email');
			expect(await errorRow.locator('td').nth(1).textContent()).toBe('email');
			expect(await errorRow.locator('td').nth(2).textContent()).toBe('evil@@example');
			expect(await errorRow.locator('td').nth(4).textContent()).toMatch(/Fix the email at the source/);
			const data = (await page.textContent('#data'))!;
			expect(data).toContain('"firstname": "<script>alert(1)</script>"');
			expect(data).toContain('"apiKey": "[hidden]"');
			expect(data).not.toContain('pat-na1');
			expect(await page.evaluate('document.querySelector("script[data-evil]") === null')).toBe(true);
			await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-detail.png'), fullPage: true });

			// ---- bulk retry: select the two connection errors on the list, Retry Selected
			await page.click('#back');
			await page.waitForSelector('#items');
			expect(await page.isDisabled('#retry-selected')).toBe(true);
			await page.check(`tr[data-id="${ids.timeout}"] input[name=ids]`);
			await page.check(`tr[data-id="${ids.ratelimit}"] input[name=ids]`);
			expect(await page.textContent('#selected-count')).toBe('2 selected');
			await Promise.all([page.waitForNavigation(), page.click('#retry-selected')]);
			expect(await page.textContent('#flash')).toBe('2 records queued for retry.');
			for (const key of ['timeout', 'ratelimit']) expect(await page.textContent(`tr[data-id="${ids[key]}"] .badge`)).toBe('Queued for retry');
			expect(await page.textContent(`tr[data-id="${ids.evil}"] .badge`)).toBe('Open (needs review)');
			expect(await page.textContent('#m-approved b')).toBe('2');

			// ---- Retry All on the Data filter queues the three data errors too
			await page.selectOption('#f-category', 'Data');
			await Promise.all([page.waitForURL(/category=Data/), page.click('#apply-filters')]);
			expect(await page.textContent('#retry-all')).toBe('Retry All (3 matching)');
			await Promise.all([page.waitForNavigation(), page.click('#retry-all')]);
			expect(await page.textContent('#flash')).toBe('Retry all: 3 records queued for retry.');
			const statuses = await page.locator('#items tbody tr .badge').allTextContents();
			expect(statuses).toEqual(['Queued for retry', 'Queued for retry', 'Queued for retry']);
			await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-after-retry.png'), fullPage: true });

			expect(dialogs).toEqual([]);
			expect(pageErrors).toEqual([]);
		} finally {
			await browser.close();
		}

		// A forged post (authenticated, but without a token this dashboard signed) changes nothing.
		const forged = await fetch(dashboardUrl, {
			method: 'POST',
			headers: { 'X-Dashboard-Key': DASHBOARD_KEY, 'content-type': 'application/x-www-form-urlencoded' },
			body: `action=discard&ids=${ids.evil}&token=${Date.now()}.forged`,
		});
		expect(forged.status).toBe(403);
		expect(await forged.text()).toContain('The form expired or did not come from this dashboard');

		// The store agrees with what the page showed.
		const all = await store.getReviewItems(Object.values(ids));
		expect(all.map((i) => i.status).sort()).toEqual(['approved', 'approved', 'approved', 'approved', 'approved']);
	});
});
