/**
 * The editor check: every template opens in a REAL n8n 2.x editor with the packed package installed (run
 * `npm run build` first), in headless Chromium, and every node is drawn with its icon — none as n8n's
 * "node not installed" placeholder.
 *  - n8n must have registered every node and credential type the package declares (a type that fails to load
 *    fails here, whatever the templates use), and every template node's type and typeVersion must be one n8n has.
 *  - The credentials the templates reference are created first, by name (scripts/n8n/demoSetup.ts, against the
 *    sandboxes), then each templates/*.json is posted to /rest/workflows unchanged (so n8n resolves them by name)
 *    and opened on the canvas. Screenshots: artifacts/editor/<template>.png.
 *  - A negative check proves the detection: a workflow with `n8n-nodes-fluxcascade.doesNotExist` and with a known
 *    node at a version that does not exist is reported, node by node, and its valid node is not.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { credentialContext, credentialReferences, demoSandboxOptions, ensureCredentials, loadTemplates, readState, startAlertSink, type AlertSink, type CredentialResult, type Template } from '../../scripts/n8n/demoSetup';
import { declaredNodeTypes, registeredNodeTypes, ROOT } from '../../scripts/n8n/runtime';
import { startSandbox, type Sandbox } from '../../sandbox';
import { startN8nWithPackage, stopN8n } from '../e2e/support';
import { isCI } from '../support/services';
import { canvasProblems, chromiumAvailable, launchBrowser, openCanvas, PACKAGE, signIn, type Browser } from './canvas';

jest.setTimeout(900_000);

const ARTIFACTS = path.join(ROOT, 'artifacts', 'editor');
// Read when the suite is collected, so every template in the folder gets its own test.
const TEMPLATES: Template[] = loadTemplates();

const chromium = chromiumAvailable();
if (!chromium.ok) {
	process.stderr.write(`\n*** SKIPPING the editor (Chromium) checks: ${chromium.reason} ***\n`);
	if (isCI()) throw new Error(`CI: the editor must be checked in Chromium, but ${chromium.reason}`);
}
const describeChromium = chromium.ok ? describe : describe.skip;

let n8n: Awaited<ReturnType<typeof startN8nWithPackage>>;
let sandbox: Sandbox;
let sink: AlertSink;
let browser: Browser | undefined;
let credentials: CredentialResult[];
const imported = new Map<string, { id: string; nodes: Array<{ id?: string; name: string; type: string; credentials?: Record<string, { id: string | null; name: string }> }> }>();

interface NodeTypeDescription {
	name: string;
	version: number | number[];
}

async function nodeTypeDescriptions(): Promise<NodeTypeDescription[]> {
	const res = await fetch(`${n8n.url}/types/nodes.json`, { headers: { cookie: n8n.cookie } });
	expect(res.status).toBe(200);
	return (await res.json()) as NodeTypeDescription[];
}

/** Credential types as n8n names them, from package.json's `n8n.credentials` (the built dist files). */
function declaredCredentialTypes(): string[] {
	const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	return (manifest.n8n.credentials as string[]).map((file) => {
		const exported = require(path.join(ROOT, file)) as Record<string, new () => { name: string }>;
		return new (Object.values(exported)[0])().name;
	});
}

beforeAll(async () => {
	n8n = await startN8nWithPackage('editor');
	// Salesforce and Pipedrive accept only registered OAuth redirect URIs: this n8n's callback among them.
	sandbox = await startSandbox(demoSandboxOptions(n8n.url));
	const state = readState(path.join(n8n.userFolder, 'editor-state.json'));
	sink = await startAlertSink({ port: 0, secret: state.alertSecret });
	credentials = await ensureCredentials(n8n, credentialReferences(TEMPLATES), credentialContext(sandbox, state, sink.url));
	for (const t of TEMPLATES) {
		const { active: _a, meta: _m, pinData: _p, tags: _t, ...body } = t.workflow;
		const created = await n8n.rest('POST', '/workflows', { ...body, active: false });
		imported.set(t.file, { id: created.data.id, nodes: created.data.nodes });
	}
	if (chromium.ok) {
		fs.mkdirSync(ARTIFACTS, { recursive: true });
		browser = await launchBrowser();
		await signIn(browser.page, n8n.url);
	}
});

afterAll(async () => {
	await browser?.close();
	await sink?.close();
	await stopN8n(n8n, 'editor');
	await sandbox?.stop();
});

test('n8n registered every node and credential type the package declares', async () => {
	const registered = new Set(await registeredNodeTypes(n8n));
	const declared = declaredNodeTypes();
	expect(declared.length).toBeGreaterThanOrEqual(18);
	expect(declared.filter((t) => !registered.has(t))).toEqual([]);
	// Nothing registers under the package's prefix that the package does not declare (a stale or renamed node);
	// n8n adds a `<name>Tool` variant of each node that is usable as an AI tool.
	const undeclared = [...registered].filter((t) => t.startsWith(`${PACKAGE}.`) && !declared.includes(t) && !declared.includes(t.replace(/Tool$/, '')));
	expect(undeclared).toEqual([]);

	const res = await fetch(`${n8n.url}/types/credentials.json`, { headers: { cookie: n8n.cookie } });
	const credentialTypes = new Set(((await res.json()) as Array<{ name: string }>).map((c) => c.name));
	expect(declaredCredentialTypes().filter((t) => !credentialTypes.has(t))).toEqual([]);
});

test('every template node is a type and typeVersion that n8n has', async () => {
	const versions = new Map<string, Set<number>>();
	for (const d of await nodeTypeDescriptions()) {
		const set = versions.get(d.name) ?? new Set<number>();
		for (const v of Array.isArray(d.version) ? d.version : [d.version]) set.add(v);
		versions.set(d.name, set);
	}
	const unknown: string[] = [];
	for (const { file, workflow } of TEMPLATES)
		for (const node of workflow.nodes) {
			if (!versions.has(node.type)) unknown.push(`${file}: ${node.name} is ${node.type}, which n8n does not know`);
			else if (!versions.get(node.type)!.has(node.typeVersion)) unknown.push(`${file}: ${node.name} is ${node.type} v${node.typeVersion}; n8n has v${[...versions.get(node.type)!].join(', v')}`);
		}
	expect(unknown).toEqual([]);
});

test('the credentials the templates reference exist and every reference resolved on import', () => {
	expect(credentials.filter((c) => c.action === 'skipped' || !c.id).map((c) => `${c.name} [${c.type}]: ${c.note}`)).toEqual([]);
	const unresolved = [...imported].flatMap(([file, w]) => w.nodes.flatMap((n) => Object.values(n.credentials ?? {}).filter((c) => !c.id).map((c) => `${file}: ${n.name} → ${c.name}`)));
	expect(unresolved).toEqual([]);
});

describeChromium('each template on the canvas', () => {
	test.each(TEMPLATES.map((t) => [t.file, t] as const))('%s: every node drawn with its icon, none "not installed"', async (file, t) => {
		const { id } = imported.get(file)!;
		const canvas = await openCanvas(browser!.page, n8n.url, id, t.workflow.nodes.length);
		await browser!.page.screenshot({ path: path.join(ARTIFACTS, `${file.replace(/\.json$/, '')}.png`) });
		expect(canvasProblems(canvas, t.workflow)).toEqual([]);
		// Positively: as many nodes drawn as the template has, and each FluxCascade node with the package's icon, loaded.
		expect(canvas).toHaveLength(t.workflow.nodes.length);
		const flux = t.workflow.nodes.filter((n) => n.type.startsWith(`${PACKAGE}.`));
		const fluxIcons = canvas.filter((c) => c.type?.startsWith(`${PACKAGE}.`) && c.iconImage?.loaded && c.iconImage.src.includes(`/icons/${PACKAGE}/`));
		expect(fluxIcons.map((c) => c.name).sort()).toEqual(flux.map((n) => n.name).sort());
	});

	test('the check itself: an unknown FluxCascade node type and an unknown version are reported; a valid node is not', async () => {
		const workflow = {
			name: 'editor check: not installed',
			nodes: [
				{ id: 'e0000000-0000-4000-8000-000000000001', name: 'Ghost', type: `${PACKAGE}.doesNotExist`, typeVersion: 1, position: [0, 0] as [number, number], parameters: {} },
				{ id: 'e0000000-0000-4000-8000-000000000002', name: 'From the Future', type: `${PACKAGE}.errorPolicy`, typeVersion: 99, position: [300, 0] as [number, number], parameters: {} },
				{ id: 'e0000000-0000-4000-8000-000000000003', name: 'Error Policy', type: `${PACKAGE}.errorPolicy`, typeVersion: 1, position: [600, 0] as [number, number], parameters: {} },
			],
			connections: {},
			settings: { executionOrder: 'v1' },
		};
		const created = await n8n.rest('POST', '/workflows', { ...workflow, active: false });
		const canvas = await openCanvas(browser!.page, n8n.url, created.data.id, workflow.nodes.length);
		await browser!.page.screenshot({ path: path.join(ARTIFACTS, 'negative-not-installed.png') });
		expect(canvas.find((c) => c.name === 'Ghost')).toMatchObject({ notInstalled: true, iconPlaceholder: true, iconImage: null });
		const problems = canvasProblems(canvas, workflow);
		expect(problems).toEqual(
			expect.arrayContaining([
				`Ghost: n8n shows "node not installed" for ${PACKAGE}.doesNotExist`,
				'Ghost: "?" placeholder instead of an icon',
				expect.stringMatching(/^From the Future: icon .*errorPolicy\.svg does not load$/),
			]),
		);
		expect(problems.filter((p) => p.startsWith('Error Policy:'))).toEqual([]);
	});
});
