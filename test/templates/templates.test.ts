/**
 * Static checks over every workflow template in templates/: valid JSON that n8n can import as it is —
 * FluxCascade node types the package declares, connections between existing nodes, fixed webhook ids,
 * credentials referenced by name only, sticky notes that explain the setup, the v1 execution order.
 * (n8n-nodes-base types are checked against a real n8n's /types/nodes.json in templates.e2e.test.ts.)
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const ROOT = path.resolve(__dirname, '../..');
const DIR = path.join(ROOT, 'templates');
const FILES = fs.readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
const ERROR_WORKFLOW_ID = 'fxErrorWorkflow1';

interface TemplateNode {
	id: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters: Record<string, unknown>;
	webhookId?: string;
	credentials?: Record<string, { id: string | null; name: string }>;
}
interface Template {
	id?: string;
	name: string;
	nodes: TemplateNode[];
	connections: Record<string, Record<string, Array<Array<{ node: string; type: string; index: number }>>>>;
	settings: { executionOrder?: string; errorWorkflow?: string };
}

const load = (file: string): Template => JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as Template;

/**
 * The node types the package declares: package.json `n8n.nodes` → the built node classes (run `npm run build`
 * first) → `n8n-nodes-fluxcascade.<description.name>`, as n8n names them. A node another helper is still
 * building (and that no template uses) may fail to load: it is left out rather than failing every template.
 */
function declaredFluxTypes(): Set<string> {
	const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; n8n: { nodes: string[] } };
	const names = new Set<string>();
	for (const file of pkg.n8n.nodes) {
		try {
			const exported = require(path.join(ROOT, file)) as Record<string, new () => { description: { name: string } }>;
			names.add(`${pkg.name}.${new (Object.values(exported)[0])().description.name}`);
		} catch {
			// not built (yet)
		}
	}
	return names;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
const SECRET_KEYS = /^(accessToken|access_token|refreshToken|refresh_token|clientSecret|apiKey|apiToken|password|secret|privateAppToken|oauthTokenData|value|data)$/;

test('the expected templates are there, and the README describes each of them', () => {
	expect(FILES).toEqual(expect.arrayContaining(['error-workflow.json', 'retry-worker.json', 'error-dashboard.json', 'salesforce-hubspot-contacts.json']));
	const readme = fs.readFileSync(path.join(DIR, 'README.md'), 'utf8');
	for (const file of FILES) expect(readme).toContain(file);
	expect(readme).toMatch(/import:workflow/);
	expect(readme).toMatch(/Import from file/);
});

test('the package declares the FluxCascade node types the templates use', () => {
	expect([...declaredFluxTypes()]).toEqual(
		expect.arrayContaining(['errorPolicy', 'reviewQueue', 'reviewQueueTrigger', 'syncAlert', 'syncLedger', 'hubSpotSync', 'salesforceSync', 'jobberSync'].map((n) => `n8n-nodes-fluxcascade.${n}`)),
	);
});

describe.each(FILES)('%s', (file) => {
	const wf = load(file);
	const names = new Set(wf.nodes.map((n) => n.name));

	test('is an importable workflow: name, unique node names and ids, positions, v1 execution order', () => {
		expect(typeof wf.name).toBe('string');
		expect(wf.name).toMatch(/^FluxCascade: /);
		expect(names.size).toBe(wf.nodes.length);
		expect(new Set(wf.nodes.map((n) => n.id)).size).toBe(wf.nodes.length);
		for (const n of wf.nodes) {
			expect(n.position).toHaveLength(2);
			expect(typeof n.typeVersion).toBe('number');
			expect(n.parameters).toBeInstanceOf(Object);
		}
		expect(wf.settings.executionOrder).toBe('v1');
	});

	test('uses only node types of this package or n8n-nodes-base; FluxCascade ones are declared', () => {
		const declared = declaredFluxTypes();
		for (const n of wf.nodes) {
			expect(n.type).toMatch(/^n8n-nodes-(base|fluxcascade)\.[A-Za-z0-9]+$/);
			if (n.type.startsWith('n8n-nodes-fluxcascade.')) {
				expect(declared).toContain(n.type);
			}
		}
	});

	test('connections join existing nodes, and every non-sticky node is connected', () => {
		const connected = new Set<string>();
		for (const [from, byType] of Object.entries(wf.connections)) {
			expect(names).toContain(from);
			connected.add(from);
			for (const outputs of Object.values(byType))
				for (const output of outputs)
					for (const c of output) {
						expect(names).toContain(c.node);
						expect(c.type).toBe('main');
						connected.add(c.node);
					}
		}
		for (const n of wf.nodes.filter((x) => x.type !== 'n8n-nodes-base.stickyNote')) expect(connected).toContain(n.name);
	});

	test('webhook nodes have fixed webhook ids (UUIDs, unique across all templates)', () => {
		for (const n of wf.nodes.filter((x) => /webhook$/i.test(x.type) && x.type !== 'n8n-nodes-base.respondToWebhook')) {
			expect(n.webhookId).toMatch(UUID);
			const others = FILES.filter((f) => f !== file).flatMap((f) => load(f).nodes.map((x) => x.webhookId));
			expect(others).not.toContain(n.webhookId);
		}
	});

	test('credentials are referenced by name only (id null, resolved by name on import); no credential values anywhere', () => {
		for (const n of wf.nodes) {
			for (const [type, ref] of Object.entries(n.credentials ?? {})) {
				expect(Object.keys(ref).sort()).toEqual(['id', 'name']);
				expect(ref.id).toBeNull();
				expect(ref.name).toMatch(/\(FluxCascade\)$/);
				expect(type).toMatch(/^(flux[A-Za-z0-9]+Api|httpHeaderAuth|httpBasicAuth)$/);
			}
		}
		const text = JSON.stringify(wf);
		expect(text).not.toMatch(/pat-na1-|Bearer\s+[A-Za-z0-9]|00D[A-Za-z0-9]{12}!|-----BEGIN/);
		const walk = (v: unknown, key = ''): void => {
			if (Array.isArray(v)) v.forEach((x) => walk(x));
			else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
			else if (typeof v === 'string' && SECRET_KEYS.test(key) && key !== 'value' && key !== 'data') throw new Error(`${file}: a value under "${key}"`);
		};
		walk(wf.nodes.map((n) => n.parameters));
	});

	test('has a sticky note that explains the setup in plain words', () => {
		const notes = wf.nodes.filter((n) => n.type === 'n8n-nodes-base.stickyNote');
		expect(notes.length).toBeGreaterThan(0);
		const content = notes.map((n) => String(n.parameters.content)).join('\n');
		expect(content.length).toBeGreaterThan(200);
		for (const ref of wf.nodes.flatMap((n) => Object.values(n.credentials ?? {}))) expect(content).toContain(ref.name);
	});

	test('the error workflow setting is wired where a run can fail (and the error workflow itself has a fixed id)', () => {
		if (file === 'error-workflow.json') {
			expect(wf.id).toBe(ERROR_WORKFLOW_ID);
			expect(wf.nodes.some((n) => n.type === 'n8n-nodes-base.errorTrigger')).toBe(true);
			expect(wf.settings.errorWorkflow).toBeUndefined();
		} else if (file === 'error-dashboard.json') {
			expect(wf.settings.errorWorkflow).toBeUndefined();
		} else {
			expect(wf.settings.errorWorkflow).toBe(ERROR_WORKFLOW_ID);
		}
	});
});

test('the dashboard webhook is authenticated and answers through Respond to Webhook', () => {
	const wf = load('error-dashboard.json');
	const hook = wf.nodes.find((n) => n.type === 'n8n-nodes-base.webhook')!;
	expect(hook.parameters).toMatchObject({ authentication: 'headerAuth', responseMode: 'responseNode', multipleMethods: true, httpMethod: ['GET', 'POST'] });
	expect(wf.nodes.find((n) => n.type === 'n8n-nodes-fluxcascade.reviewQueue')!.parameters).toMatchObject({ operation: 'handleDashboard' });
});
