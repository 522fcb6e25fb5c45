/**
 * The templates in a REAL n8n 2.x with the packed package (run `npm run build` first), against the Salesforce
 * and HubSpot sandboxes. Credentials are created over REST with the names the templates reference, and each
 * template is posted to /workflows as it is (n8n resolves `{ id: null, name }` credential references by name
 * and type). Test-only changes, each said where it is made:
 *  - salesforce-hubspot-contacts: the Schedule Trigger is swapped for a Webhook (same outgoing connection) so
 *    the test runs it on demand; `settings.errorWorkflow` is pointed at the id the error workflow got here.
 *  - retry-worker: `settings.errorWorkflow` likewise; its polling trigger runs as imported (every minute; n8n
 *    also polls once on activation).
 */
import type { IDataObject } from 'n8n-workflow';
import * as path from 'node:path';
import { createServer, type Server } from 'node:http';
import * as fs from 'node:fs';
import { classifiedError } from '../../errors/taxonomy';
import { failedItem } from '../../nodes/shared/records';
import { registeredNodeTypes } from '../../scripts/n8n/runtime';
import { startSandbox, type Sandbox } from '../../sandbox';
import { stats } from '../../sync/ledger';
import { closeAllStores, openStore, type SyncStore } from '../../sync/store';
import { createCredentials } from './support';
import { executions, failures, freePort, importTemplate, outputOf, postWebhook, readExecution, startN8nWithPackage, stopN8n, template, TEMPLATES_DIR, waitFor } from '../e2e/support';

jest.setTimeout(600_000);

const DASHBOARD_KEY = 'templates-e2e-dashboard-key-91b2';
const MAPPING = 'salesforce-hubspot-contacts';

let n8n: Awaited<ReturnType<typeof startN8nWithPackage>>;
let sandbox: Sandbox;
let store: SyncStore;
let sink: { server: Server; url: string; received: Array<{ headers: Record<string, unknown>; body: any }> };
let errorWorkflowId: string;

const admin = async (vendor: 'hubspot' | 'salesforce', method: string, route: string, body?: unknown): Promise<any> => {
	const res = await fetch(`${sandbox.url(vendor)}${route}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await res.text();
	return text ? JSON.parse(text) : undefined;
};
const hsContacts = async (): Promise<any[]> => ((await admin('hubspot', 'GET', '/_sandbox/records/contacts')) as any[]).filter((r) => !r.archived);
const sfContacts = async (): Promise<any[]> => (await admin('salesforce', 'GET', '/_sandbox/records/Contact')) as any[];
const hsProps = (r: any) => r.properties ?? r;





beforeAll(async () => {
	sandbox = await startSandbox({ vendors: ['hubspot', 'salesforce'], salesforce: { dailyApiLimit: 100_000 } });
	n8n = await startN8nWithPackage('templates');
	store = await openStore({ kind: 'sqlite', path: path.join(n8n.userFolder, '.n8n', 'fluxcascade.sqlite') });
	const received: typeof sink.received = [];
	const server = createServer((req, res) => {
		let data = '';
		req.on('data', (c) => (data += c));
		req.on('end', () => {
			let body: unknown = data;
			try {
				body = JSON.parse(data);
			} catch {
				// text
			}
			received.push({ headers: req.headers, body });
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"ok":true}');
		});
	});
	const port = await freePort();
	await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
	sink = { server, url: `http://127.0.0.1:${port}`, received };

	// The credentials, named as the templates reference them.
	await createCredentials(n8n, sandbox, ['hubspot', 'salesforce']);
	await n8n.rest('POST', '/credentials', { name: 'Sync Alert Webhook (FluxCascade)', type: 'fluxAlertWebhookApi', data: { url: `${sink.url}/alerts`, secret: 'templates-e2e-alert-secret' } });
	await n8n.rest('POST', '/credentials', { name: 'Dashboard Header Auth (FluxCascade)', type: 'httpHeaderAuth', data: { name: 'X-Dashboard-Key', value: DASHBOARD_KEY } });
});

afterAll(async () => {
	sink?.server.close();
	await store?.close();
	await closeAllStores();
	await stopN8n(n8n, 'templates');
	await sandbox?.stop();
});

test('every node type of every template is registered in n8n (FluxCascade and n8n-nodes-base)', async () => {
	const registered = new Set(await registeredNodeTypes(n8n));
	for (const file of fs.readdirSync(TEMPLATES_DIR).filter((f) => f.endsWith('.json'))) {
		const missing = (template(file).nodes as Array<{ type: string }>).map((n) => n.type).filter((t) => !registered.has(t));
		expect({ file, missing }).toEqual({ file, missing: [] });
	}
});

test('error-workflow: a run that fails fast fires it; the record is parked for review and a signed alert reaches the sink', async () => {
	errorWorkflowId = (await importTemplate(n8n, template('error-workflow.json'), true)).id;
	// A failing sync: its Error Policy stops the run on the first error (Stop on Error).
	const failing = await n8n.rest('POST', '/workflows', {
		name: 'e2e: failing sync',
		nodes: [
			{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'a0e2e000-0000-4000-8000-00000000e001', parameters: { httpMethod: 'POST', path: 'templates-e2e-failing', responseMode: 'onReceived' } },
			{ id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.records' } },
			{ id: 'p', name: 'Error Policy', type: 'n8n-nodes-fluxcascade.errorPolicy', typeVersion: 1, position: [400, 0], parameters: { stopOnError: true, mappingId: 'e2e-error-workflow' } },
		],
		connections: { Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] }, 'Split Out': { main: [[{ node: 'Error Policy', type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1', errorWorkflow: errorWorkflowId },
		active: false,
	});
	await n8n.rest('POST', `/workflows/${failing.data.id}/activate`, { versionId: failing.data.versionId });
	const bad = failedItem('mapping', 'Field Mapper', { system: 'hubspot', object: 'contacts', id: '701', fields: { firstname: 'Eva', email: 'eva@@example' } }, [
		classifiedError('INVALID_EMAIL', { field: 'email', value: 'eva@@example', message: 'Invalid Email: "eva@@example"' }),
	]);
	expect((await postWebhook(n8n, 'templates-e2e-failing', { records: [bad] })).status).toBe(200);

	const alert = await waitFor('the alert', async () => sink.received.find((r) => JSON.stringify(r.body).includes('701')));
	expect(alert.headers['x-fluxcascade-signature']).toEqual(expect.any(String));
	expect(JSON.stringify(alert.body)).toContain('INVALID_EMAIL');
	const items = await waitFor('the review item', async () => {
		const page = await store.listReviewItems({});
		const found = page.items.filter((i) => i.recordId === '701');
		return found.length ? found : undefined;
	});
	// Parked once (Error Policy parks; Review Queue Add recognises it and does not add it twice), open for a person.
	expect(items.map((i) => [i.code, i.status])).toEqual([['INVALID_EMAIL', 'open']]);
	const errorRuns = await waitFor('the error workflow run', async () => {
		const runs = await executions(n8n, errorWorkflowId);
		return runs.some((r) => r.status === 'success') ? runs : undefined;
	});
	expect(errorRuns.map((r) => r.status)).toEqual(['success']);
});

test('salesforce-hubspot-contacts: first run creates and pairs both ways, a second run changes nothing, the dirty record is parked for review, not written', async () => {
	await admin('hubspot', 'POST', '/_sandbox/reset');
	await admin('salesforce', 'POST', '/_sandbox/reset');
	const sfEdit = (fields: Record<string, unknown>) => admin('salesforce', 'POST', '/_sandbox/salesforce/edit', { object: 'Contact', fields });
	const hsUi = (properties: Record<string, unknown>) => admin('hubspot', 'POST', '/_sandbox/hubspot/ui/contacts', { properties });
	await sfEdit({ FirstName: 'Ann', LastName: 'Lee', Email: 'ann@example.com', Title: 'Owner', MailingCity: 'Springfield' }); // SF only → create in HubSpot
	await sfEdit({ FirstName: 'Bob', LastName: 'Ray', Email: 'bob@example.com', Title: 'Engineer' }); // both → paired, fields filled
	// The dirty record: Salesforce refuses an invalid Email on save (INVALID_EMAIL_ADDRESS, the sandbox too), so the
	// bad value sits in Phone, a free-text field in Salesforce that the mapping's phone_e164 refuses → review.
	await sfEdit({ FirstName: 'Dee', LastName: 'Dirty', Email: 'dee@example.com', Phone: 'call me maybe' });
	await hsUi({ firstname: 'Bob', lastname: 'Ray', email: 'bob@example.com', phone: '+12175550143' });
	await hsUi({ firstname: 'Cara', lastname: 'Moss', email: 'cara@example.com', city: 'Shelbyville' }); // HubSpot only → create in Salesforce
	expect((await sfContacts()).map((r) => r.Email)).toContain('dee@example.com');
	const sfBefore = (await sfContacts()).length;
	const hsBefore = (await hsContacts()).length;

	// Test copy: the Schedule Trigger becomes a Webhook (same name in the connections), error workflow → this n8n's id.
	const wf = template('salesforce-hubspot-contacts.json');
	const trigger = wf.nodes.find((n: any) => n.type === 'n8n-nodes-base.scheduleTrigger');
	Object.assign(trigger, { type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: 'a0e2e000-0000-4000-8000-00000000e002', parameters: { httpMethod: 'POST', path: 'templates-e2e-sf-hs', responseMode: 'lastNode', responseData: 'noData' } });
	wf.settings.errorWorkflow = errorWorkflowId;
	const id = (await importTemplate(n8n, wf, true)).id;

	const run = async (n: number) => {
		await postWebhook(n8n, 'templates-e2e-sf-hs', {});
		return waitFor(`run ${n}`, async () => {
			const runs = await executions(n8n, id);
			return runs.length >= n && runs.every((r) => r.status !== 'running' && r.status !== 'new') ? runs : undefined;
		});
	};
	const first = await run(1);
	if (first[0].status !== 'success') throw new Error(`run 1 failed: ${(await failures(n8n, first)).join('; ')}`);

	const hs = (await hsContacts()).map(hsProps);
	const sf = await sfContacts();
	const hsBy = Object.fromEntries(hs.map((p) => [p.email, p]));
	const sfBy = Object.fromEntries(sf.map((r) => [r.Email, r]));
	expect(hsBy['ann@example.com']).toMatchObject({ firstname: 'Ann', lastname: 'Lee', jobtitle: 'Owner', city: 'Springfield' });
	expect(sfBy['cara@example.com']).toMatchObject({ FirstName: 'Cara', LastName: 'Moss', MailingCity: 'Shelbyville' });
	expect(hsBy['bob@example.com']).toMatchObject({ jobtitle: 'Engineer' });
	expect(sfBy['bob@example.com'].Phone).toMatch(/217.*555.*0143/);
	expect(hs).toHaveLength(hsBefore + 1);
	expect(sf).toHaveLength(sfBefore + 1);
	expect(hs.some((p) => String(p.email ?? '').startsWith('dee'))).toBe(false);

	const pairs = await stats(MAPPING, store);
	expect(pairs).toMatchObject({ pairs: 3 });
	// The dirty contact is in the review queue (Plan → Invalid → Error Policy → Review Queue) with its field error.
	const dee = sf.find((r) => r.Email === 'dee@example.com');
	const dirty = async () => (await store.listReviewItems({ mappingId: MAPPING, system: 'salesforce', recordId: dee.Id })).items;
	const parked = await dirty();
	expect(parked.map((i) => [i.code, i.status])).toEqual([['INVALID_FORMAT', 'open']]);
	expect(parked[0].errors).toEqual(expect.arrayContaining([expect.objectContaining({ code: 'INVALID_FORMAT', field: expect.stringMatching(/^phone$/i) })]));

	// Second run: nothing new, nothing duplicated, the dirty record is still one review item.
	const second = await run(2);
	expect(second.map((r) => r.status)).toEqual(['success', 'success']);
	expect(await hsContacts()).toHaveLength(hsBefore + 1);
	expect(await sfContacts()).toHaveLength(sfBefore + 1);
	expect(await stats(MAPPING, store)).toMatchObject({ pairs: 3 });
	expect((await dirty()).map((i) => [i.code, i.status])).toEqual([['INVALID_FORMAT', 'open']]);
	const firstRun = await readExecution(n8n, first[0].id);
	expect(outputOf(firstRun, 'Sync Ledger: Get Checkpoints')[0]).toMatchObject({ source: '', target: '' });

	// Third run, the next scheduled round 15 minutes later (vendor time), after an edit on each side: both reads are
	// incremental from the checkpoints the ledger confirmed, so only the two edited contacts are read, and synced.
	for (const v of ['salesforce', 'hubspot'] as const) await admin(v, 'POST', '/_sandbox/clock/advance', { ms: 15 * 60_000 });
	const annSf = (await sfContacts()).find((r) => r.Email === 'ann@example.com');
	const caraHs = (await hsContacts()).find((r) => hsProps(r).email === 'cara@example.com');
	await admin('salesforce', 'POST', '/_sandbox/salesforce/edit', { object: 'Contact', op: 'update', id: annSf.Id, fields: { Title: 'Director' } });
	await admin('hubspot', 'POST', '/_sandbox/hubspot/ui/contacts', { id: caraHs.id, properties: { jobtitle: 'Dispatcher' } });
	const third = await run(3);
	expect(third.map((r) => r.status)).toEqual(['success', 'success', 'success']);
	const thirdRun = await readExecution(n8n, third[0].id);
	const since = outputOf(thirdRun, 'Sync Ledger: Get Checkpoints')[0];
	// Salesforce's Since is its cursor (the checkpoint plus the versions delivered inside the overlap window): only the
	// edited contact comes. HubSpot re-reads the 60 s before its checkpoint (search lags writes), nothing older.
	expect(since).toMatchObject({ mappingId: MAPPING, source: expect.stringMatching(/^sfc1\./), target: expect.stringMatching(/^\d{4}-/), fullResync: false });
	expect(outputOf(thirdRun, 'Salesforce: Get Changes').map((r) => r.fields.Email)).toEqual(['ann@example.com']);
	expect(outputOf(thirdRun, 'HubSpot: Get Changes').map((r) => r.fields.email)).toContain('cara@example.com');
	for (const r of outputOf(thirdRun, 'HubSpot: Get Changes')) expect(Date.parse(r.updatedAt)).toBeGreaterThanOrEqual(Date.parse(since.target) - 60_000);
	expect(outputOf(thirdRun, 'Sync Ledger: Plan', 5)[0]).toMatchObject({ update: { to_target: 1, to_source: 1 }, create: { to_target: 0, to_source: 0 } });
	expect(hsProps((await hsContacts()).find((r) => hsProps(r).email === 'ann@example.com'))).toMatchObject({ jobtitle: 'Director' });
	expect((await sfContacts()).find((r) => r.Email === 'cara@example.com')).toMatchObject({ Title: 'Dispatcher' });
	expect(await hsContacts()).toHaveLength(hsBefore + 1);
	expect(await sfContacts()).toHaveLength(sfBefore + 1);
});

test('error-dashboard: the page lists the parked records with the header; without it n8n refuses', async () => {
	await importTemplate(n8n, template('error-dashboard.json'), true);
	const url = `${n8n.url}/webhook/fluxcascade-errors`;
	const anonymous = await waitFor('the dashboard webhook', async () => {
		const res = await fetch(url);
		return res.status === 404 ? undefined : res;
	});
	expect([401, 403]).toContain(anonymous.status);
	const wrong = await fetch(url, { headers: { 'X-Dashboard-Key': 'wrong' } });
	expect([401, 403]).toContain(wrong.status);
	const page = await fetch(url, { headers: { 'X-Dashboard-Key': DASHBOARD_KEY } });
	expect(page.status).toBe(200);
	expect(page.headers.get('content-type')).toMatch(/text\/html/);
	const html = await page.text();
	expect(html).toContain('FluxCascade');
	expect(html).toContain('hubspot / contacts / 701'); // parked by the error workflow test
	expect(html).toContain('INVALID_EMAIL');
});

test('retry-worker: approved records are written again — HubSpot upsert, Salesforce update by id and Salesforce create — and their review items resolved', async () => {
	const { classify, decide, park, policyConfig } = await import('../../sync/errors');
	const policy = policyConfig({ manualReviewMode: true });
	const parkApproved = async (node: string, record: IDataObject): Promise<string> => {
		const f = classify(failedItem(String(record.system), node, record, [classifiedError('CONNECTION_TIMEOUT', { message: `${node} did not answer in 30 s` })]));
		const parked = await park(store, f, decide(f.errors, policyConfig({ maxRetries: 0 })), { policy, mappingId: 'e2e-retry' });
		await store.setReviewStatus(parked.item!.id, 'approved');
		return parked.item!.id;
	};
	const itemId = await parkApproved('HubSpot: Batch Write', { system: 'hubspot', object: 'contacts', id: 'retry-1', fields: { email: 'rita@example.com', firstname: 'Rita', lastname: 'Retry' } });
	// Salesforce: an update of an existing contact (by its id) and a create.
	const existing = await admin('salesforce', 'POST', '/_sandbox/salesforce/edit', { object: 'Contact', fields: { FirstName: 'Sam', LastName: 'Stale', Email: 'sam@example.com', Title: 'Old Title' } });
	const samId = String(existing.Id ?? existing.id);
	const sfUpdateItem = await parkApproved('Salesforce: Batch Update', { system: 'salesforce', object: 'Contact', id: samId, action: 'update', fields: { Title: 'Retried Title' } });
	const sfCreateItem = await parkApproved('Salesforce: Batch Create', { system: 'salesforce', object: 'Contact', action: 'create', fields: { FirstName: 'Cleo', LastName: 'Create', Email: 'cleo@example.com' } });

	const wf = template('retry-worker.json');
	wf.settings.errorWorkflow = errorWorkflowId;
	const wfId = (await importTemplate(n8n, wf, true)).id;
	// The trigger polls every minute, as imported; n8n also polls once right when it activates the workflow, so the
	// approved record is claimed at once. A minute covers one scheduled poll more should that first one miss it.
	let resolved;
	try {
		resolved = await waitFor('the retry', async () => {
			const item = await store.getReviewItem(itemId);
			return item && item.status === 'resolved' ? item : undefined;
		}, 75_000);
	} catch (e) {
		// For the failure message: the review item and every run of the worker with its node outputs.
		const runs = await executions(n8n, wfId);
		const dump: unknown[] = [{ item: await store.getReviewItem(itemId) }];
		for (const r of runs) dump.push({ run: r, data: await readExecution(n8n, r.id) });
		throw new Error(`${(e as Error).message}\n${JSON.stringify(dump, null, 1).slice(0, 20_000)}`);
	}
	expect(resolved.status).toBe('resolved');
	const rita = (await hsContacts()).map(hsProps).filter((p) => p.email === 'rita@example.com');
	expect(rita).toHaveLength(1);
	expect(rita[0]).toMatchObject({ firstname: 'Rita', lastname: 'Retry' });

	for (const id of [sfUpdateItem, sfCreateItem]) {
		await waitFor(`the Salesforce retry of ${id}`, async () => ((await store.getReviewItem(id))?.status === 'resolved' ? true : undefined), 75_000);
	}
	const sf = await sfContacts();
	expect(sf.filter((r) => r.Id === samId).map((r) => r.Title)).toEqual(['Retried Title']);
	expect(sf.filter((r) => r.Email === 'sam@example.com')).toHaveLength(1);
	expect(sf.filter((r) => r.Email === 'cleo@example.com').map((r) => [r.FirstName, r.LastName])).toEqual([['Cleo', 'Create']]);
});
