/**
 * What `npm start` loads (scripts/n8n/demoSetup.ts), run against a REAL n8n 2.x with the packed package (run
 * `npm run build` first) and the four vendor sandboxes, then run again the way a second `npm start` does:
 * n8n restarted on the same user folder, fresh sandboxes (their tokens from the first run are gone).
 * Asserted as a user would see it: an API key that works, one credential per (type, name) the templates
 * reference, OAuth2 ones connected, credential tests passing, every template imported with every credential
 * reference resolved, the error workflow wired, workflows with a trigger active, the dashboard answering with
 * its key — and on the second start nothing added, everything still connected and active.
 */
import * as path from 'node:path';
import { credentialContext, credentialReferences, demoSandboxOptions, ensureCredentials, isErrorWorkflow, loadTemplates, readState, setupDemo, startAlertSink, type AlertSink, type DemoSetupReport } from '../../scripts/n8n/demoSetup';
import { startN8n } from '../../scripts/n8n/runtime';
import { startSandbox, type Sandbox } from '../../sandbox';
import { startN8nWithPackage, stopN8n } from '../e2e/support';

jest.setTimeout(900_000);

const TEMPLATES = loadTemplates();
const REFERENCES = credentialReferences(TEMPLATES);
const NO_TEST = 'No testing function found for this credential.';

type N8n = Awaited<ReturnType<typeof startN8nWithPackage>>;
let n8n: N8n;
let sandbox: Sandbox;
let sink: AlertSink;
let stateFile: string;
let first: DemoSetupReport;

interface Inventory {
	credentials: Array<{ id: string; name: string; type: string }>;
	workflows: Array<{ id: string; name: string; active: boolean }>;
	apiKeys: Array<{ id: string; label: string }>;
}

async function inventory(): Promise<Inventory> {
	const credentials = (await n8n.rest('GET', '/credentials')).data;
	const workflows = (await n8n.rest('GET', '/workflows')).data;
	const keys = (await n8n.rest('GET', '/api-keys')).data;
	return { credentials, workflows, apiKeys: Array.isArray(keys) ? keys : keys.items };
}

/** n8n's own credential test (public API, with the demo's API key). */
async function credentialTest(apiKey: string, id: string): Promise<{ status: string; message: string }> {
	const res = await fetch(`${n8n.url}/api/v1/credentials/${id}/test`, { method: 'POST', headers: { 'X-N8N-API-KEY': apiKey } });
	expect(res.status).toBe(200);
	return (await res.json()) as { status: string; message: string };
}

async function setup(): Promise<DemoSetupReport> {
	return setupDemo({ n8n, sandbox, stateFile, alertSinkUrl: sink.url });
}

async function startSandboxes(): Promise<void> {
	sandbox = await startSandbox(demoSandboxOptions(n8n.url));
	for (const v of Object.values(sandbox.vendors)) v!.definition.seed({ count: 5, dirtyShare: 0.2, seed: 3 });
}

beforeAll(async () => {
	n8n = await startN8nWithPackage('demo');
	stateFile = path.join(n8n.userFolder, 'fluxcascade-demo.json');
	await startSandboxes();
	sink = await startAlertSink({ port: 0, secret: readState(stateFile).alertSecret });
	first = await setup();
});

afterAll(async () => {
	await sink?.close();
	await stopN8n(n8n, 'demo');
	await sandbox?.stop();
});

test('the API key works against n8n’s public API and lists the imported workflows', async () => {
	expect(first.apiKey.action).toBe('created');
	const res = await fetch(`${n8n.url}/api/v1/workflows?limit=100`, { headers: { 'X-N8N-API-KEY': first.apiKey.rawApiKey } });
	expect(res.status).toBe(200);
	const names = ((await res.json()) as { data: Array<{ name: string }> }).data.map((w) => w.name);
	expect(names.sort()).toEqual(TEMPLATES.map((t) => t.workflow.name).sort());
	const inv = await inventory();
	expect(inv.apiKeys.map((k) => k.label)).toEqual(['FluxCascade demo']);
});

test('one credential exists for every (type, name) the templates reference; OAuth2 ones are connected; n8n’s credential test passes', async () => {
	expect(REFERENCES.length).toBeGreaterThan(0);
	const { credentials } = await inventory();
	const have = credentials.map((c) => `${c.type} ${c.name}`).sort();
	expect(have).toEqual(REFERENCES.map((r) => `${r.type} ${r.name}`).sort());
	expect(first.credentials.filter((c) => c.action !== 'created').map((c) => `${c.name}: ${c.action} ${c.note ?? ''}`)).toEqual([]);

	const oauth = first.credentials.filter((c) => c.connected !== undefined);
	expect(oauth.filter((c) => !c.connected).map((c) => `${c.name}: ${c.note}`)).toEqual([]);
	for (const c of oauth) expect((await n8n.rest('GET', `/credentials/${c.id}?includeData=true`)).data.data.oauthTokenData).toBeTruthy();

	const tested: string[] = [];
	for (const c of first.credentials) {
		const result = await credentialTest(first.apiKey.rawApiKey, c.id!);
		if (result.message === NO_TEST) continue;
		expect({ credential: c.name, ...result }).toEqual({ credential: c.name, status: 'OK', message: expect.any(String) });
		tested.push(c.type);
	}
	// The vendor API credentials carry a test: at least those were really called against the sandboxes.
	const testable = REFERENCES.map((r) => r.type).filter((t) => ['fluxHubSpotApi', 'fluxPipedriveApi'].includes(t));
	expect(tested).toEqual(expect.arrayContaining(testable));
});

test('every template is imported once, with every credential reference resolved to the credential of that name and type', async () => {
	const { credentials, workflows } = await inventory();
	expect(workflows.map((w) => w.name).sort()).toEqual(TEMPLATES.map((t) => t.workflow.name).sort());
	const byId = new Map(credentials.map((c) => [c.id, c]));
	for (const t of TEMPLATES) {
		const result = first.workflows.find((w) => w.file === t.file)!;
		expect({ file: t.file, action: result.action, unresolved: result.unresolved }).toEqual({ file: t.file, action: 'imported', unresolved: [] });
		const stored = (await n8n.rest('GET', `/workflows/${result.id}`)).data as { nodes: Array<{ name: string; credentials?: Record<string, { id: string | null; name: string }> }> };
		for (const node of stored.nodes)
			for (const [type, ref] of Object.entries(node.credentials ?? {})) {
				expect({ node: node.name, id: ref.id }).toEqual({ node: node.name, id: expect.any(String) });
				expect({ node: node.name, credential: byId.get(ref.id!) }).toEqual({ node: node.name, credential: expect.objectContaining({ type, name: ref.name }) });
			}
	}
});

test('the error workflow is imported first with its fixed id; the others name it; workflows with a trigger of their own are active', async () => {
	const errorTemplates = TEMPLATES.filter((t) => isErrorWorkflow(t.workflow));
	expect(errorTemplates.length).toBeGreaterThan(0);
	expect(first.workflows.slice(0, errorTemplates.length).map((w) => w.file)).toEqual(errorTemplates.map((t) => t.file));
	const errorTemplate = errorTemplates[0];
	const errorWorkflow = first.workflows.find((w) => w.file === errorTemplate.file)!;
	if (errorTemplate.workflow.id) expect(errorWorkflow.id).toBe(errorTemplate.workflow.id);
	expect(errorWorkflow.active).toBe(false);

	for (const t of TEMPLATES) {
		const result = first.workflows.find((w) => w.file === t.file)!;
		const stored = (await n8n.rest('GET', `/workflows/${result.id}`)).data as { active: boolean; settings?: { errorWorkflow?: string } };
		if (t.workflow.settings?.errorWorkflow) expect({ file: t.file, errorWorkflow: stored.settings?.errorWorkflow }).toEqual({ file: t.file, errorWorkflow: errorWorkflow.id });
		// Started only by a person (Manual Trigger, e.g. the historical migration, whose chunks it runs itself through
		// an Execute Workflow Trigger) or by n8n on a failure (the error workflow): left inactive, with the reason;
		// every other template has a trigger of its own.
		const passive = new Set(['n8n-nodes-base.manualTrigger', 'n8n-nodes-base.executeWorkflowTrigger']);
		const startsOnItsOwn = !isErrorWorkflow(t.workflow) && !(t.workflow.nodes as Array<{ type: string }>).every((n) => passive.has(n.type) || !/trigger|webhook/i.test(n.type));
		expect({ file: t.file, active: stored.active, note: result.note }).toEqual({ file: t.file, active: startsOnItsOwn, note: startsOnItsOwn ? undefined : expect.any(String) });
	}
});

test('the error dashboard answers with the printed key and refuses without it', async () => {
	expect(first.dashboard).toBeDefined();
	const { url, header, key } = first.dashboard!;
	let anonymous: Response;
	for (let t = 0; ; t++) {
		anonymous = await fetch(url);
		if (anonymous.status !== 404 || t > 40) break;
		await new Promise((r) => setTimeout(r, 300));
	}
	expect([401, 403]).toContain(anonymous.status);
	const page = await fetch(url, { headers: { [header]: key } });
	expect(page.status).toBe(200);
	expect(await page.text()).toContain('FluxCascade');
});

test('a second start (n8n restarted, fresh sandboxes) adds nothing, finds everything again, reconnects OAuth2 and keeps the workflows active', async () => {
	const before = await inventory();
	const port = Number(new URL(n8n.url).port);
	await n8n.stop();
	await sandbox.stop();
	const restarted = await startN8n({ userFolder: n8n.userFolder, port });
	n8n = { ...restarted, userFolder: n8n.userFolder };
	await startSandboxes();

	const second = await setup();
	const after = await inventory();
	expect(after.credentials.map((c) => c.id).sort()).toEqual(before.credentials.map((c) => c.id).sort());
	expect(after.workflows.map((w) => w.id).sort()).toEqual(before.workflows.map((w) => w.id).sort());
	expect(after.apiKeys.map((k) => k.id)).toEqual(before.apiKeys.map((k) => k.id));

	expect(second.apiKey).toEqual({ ...first.apiKey, action: 'reused' });
	expect(second.credentials.map((c) => [c.name, c.id, c.action])).toEqual(first.credentials.map((c) => [c.name, c.id, 'updated']));
	expect(second.credentials.filter((c) => c.connected === false).map((c) => `${c.name}: ${c.note}`)).toEqual([]);
	expect(second.workflows.map((w) => [w.file, w.id, w.action, w.active])).toEqual(first.workflows.map((w) => [w.file, w.id, 'kept', w.active]));
	expect(second.dashboard).toEqual(first.dashboard);

	// The tokens stored in the first run came from sandboxes that are gone: the credentials work again.
	for (const c of second.credentials) {
		const result = await credentialTest(second.apiKey.rawApiKey, c.id!);
		if (result.message !== NO_TEST) expect({ credential: c.name, status: result.status }).toEqual({ credential: c.name, status: 'OK' });
	}
	for (const w of second.workflows.filter((x) => x.active)) expect({ workflow: w.name, activationError: (await n8n.rest('GET', `/active-workflows/error/${w.id}`)).data ?? null }).toEqual({ workflow: w.name, activationError: null });
});

test('the demo can also connect HubSpot and Pipedrive OAuth2 credentials (for templates that use them) through n8n’s OAuth2 flow', async () => {
	const refs = [
		{ type: 'fluxHubSpotOAuth2Api', name: 'HubSpot OAuth2 (demo check)', usedBy: [] },
		{ type: 'fluxPipedriveOAuth2Api', name: 'Pipedrive OAuth2 (demo check)', usedBy: [] },
	];
	const results = await ensureCredentials(n8n, refs, credentialContext(sandbox, readState(stateFile), sink.url));
	expect(results.map((r) => [r.type, r.action, r.connected, r.note])).toEqual([
		['fluxHubSpotOAuth2Api', 'created', true, undefined],
		['fluxPipedriveOAuth2Api', 'created', true, undefined],
	]);
	const key = readState(stateFile).apiKey!.rawApiKey;
	for (const r of results) {
		const result = await credentialTest(key, r.id!);
		if (result.message !== NO_TEST) expect({ credential: r.name, status: result.status }).toEqual({ credential: r.name, status: 'OK' });
	}
});
