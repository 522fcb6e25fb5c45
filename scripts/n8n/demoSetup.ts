/**
 * What `npm start` sets up in its n8n, so the demo opens with everything loaded, and what a second start finds
 * again instead of duplicating:
 *  - an API key for the owner (n8n's public API, the CLI-less way to script the demo);
 *  - one credential for every (type, name) pair the templates reference, pointing at the vendor sandboxes:
 *    token credentials with the sandbox tokens, OAuth2 credentials connected through n8n's own OAuth2 flow
 *    (n8n's /rest/oauth2-credential/auth → the sandbox's consent → n8n's callback, as the Connect button does),
 *    the alert webhook to a local signed-webhook sink, the dashboard's header auth with a generated key;
 *  - every template in templates/*.json, error workflows first (a template's fixed `id` is kept, as
 *    `n8n import:workflow` keeps it, so the others' `settings.errorWorkflow` point at it), credentials
 *    resolved by name on import, and activated when it has a trigger that can run and nothing unresolved.
 * Generated secrets (API key, dashboard key, alert signing secret, dashboard form secret) are kept in a small
 * state file in the demo's user folder, so they stay the same from one start to the next.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import * as path from 'node:path';
import type { Sandbox, SandboxOptions, VendorName } from '../../sandbox';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER, verifySignature } from '../../sync/alerts/channels';
import { ROOT, type RunningN8n } from './runtime';

export const TEMPLATES_DIR = path.join(ROOT, 'templates');
export const API_KEY_LABEL = 'FluxCascade demo';
/** The header the dashboard's Header Auth credential checks (the name the template's sticky note suggests). */
export const DASHBOARD_HEADER = 'X-Dashboard-Key';
/** runtime.ts logs in with this browser id; n8n binds the session cookie to it. */
const BROWSER_ID = 'fluxcascade-runtime';
const ERROR_TRIGGER = 'n8n-nodes-base.errorTrigger';
/** Triggers that never start a workflow on their own: a workflow with only these is not activated. */
const PASSIVE_TRIGGERS = new Set([ERROR_TRIGGER, 'n8n-nodes-base.manualTrigger', 'n8n-nodes-base.executeWorkflowTrigger']);

// ------------------------------------------------------------------------------------------------ templates

export interface TemplateNode {
	id?: string;
	name: string;
	type: string;
	typeVersion: number;
	position: [number, number];
	parameters?: Record<string, unknown>;
	credentials?: Record<string, { id: string | null; name: string }>;
	webhookId?: string;
	disabled?: boolean;
}

export interface TemplateWorkflow {
	id?: string;
	name: string;
	nodes: TemplateNode[];
	connections: Record<string, unknown>;
	settings?: Record<string, unknown>;
	[key: string]: unknown;
}

export interface Template {
	/** File name inside the templates folder, e.g. `error-workflow.json`. */
	file: string;
	workflow: TemplateWorkflow;
}

export const isErrorWorkflow = (w: TemplateWorkflow): boolean => w.nodes.some((n) => n.type === ERROR_TRIGGER);

/** Every templates/*.json, error workflows first (others point at them), then by file name. */
export function loadTemplates(dir: string = TEMPLATES_DIR): Template[] {
	const templates = fs
		.readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((file) => ({ file, workflow: JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as TemplateWorkflow }));
	return [...templates.filter((t) => isErrorWorkflow(t.workflow)), ...templates.filter((t) => !isErrorWorkflow(t.workflow))];
}

export interface CredentialReference {
	type: string;
	name: string;
	/** Template files that reference it. */
	usedBy: string[];
}

/** The distinct (type, name) credential references of the templates. */
export function credentialReferences(templates: Template[]): CredentialReference[] {
	const refs = new Map<string, CredentialReference>();
	for (const { file, workflow } of templates)
		for (const node of workflow.nodes)
			for (const [type, ref] of Object.entries(node.credentials ?? {})) {
				const key = `${type}\u0000${ref.name}`;
				const entry = refs.get(key) ?? { type, name: ref.name, usedBy: [] };
				if (!entry.usedBy.includes(file)) entry.usedBy.push(file);
				refs.set(key, entry);
			}
	return [...refs.values()];
}

// ------------------------------------------------------------------------------------------------ state

export interface DemoState {
	apiKey?: { id: string; label: string; rawApiKey: string };
	dashboardKey: string;
	alertSecret: string;
	formSecret: string;
	/** Template file → id of the workflow imported from it. */
	workflows: Record<string, string>;
}

const secret = (bytes = 24) => randomBytes(bytes).toString('base64url');

/** The demo's state; generated (and saved at once, so every reader agrees) on the first start. */
export function readState(file: string): DemoState {
	const saved = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<DemoState>) : {};
	const state: DemoState = { dashboardKey: secret(), alertSecret: secret(), formSecret: secret(32), workflows: {}, ...saved };
	if (!fs.existsSync(file)) writeState(file, state);
	return state;
}

function writeState(file: string, state: DemoState): void {
	fs.mkdirSync(path.dirname(file), { recursive: true });
	fs.writeFileSync(file, JSON.stringify(state, null, 2), { mode: 0o600 });
}

// ------------------------------------------------------------------------------------------------ sandbox

/**
 * Sandbox options for the demo: Salesforce and Pipedrive only accept registered OAuth redirect URIs, so n8n's
 * callback on this host and port is registered next to the default (localhost:5678) one.
 */
export function demoSandboxOptions(n8nUrl: string): Pick<SandboxOptions, 'salesforce' | 'pipedrive'> {
	const callbacks = [...new Set(['http://localhost:5678/rest/oauth2-credential/callback', `${n8nUrl.replace(/\/+$/, '')}/rest/oauth2-credential/callback`])];
	return { salesforce: { credentials: { redirectUris: callbacks } }, pipedrive: { credentials: { oauthRedirectUris: callbacks } } };
}

// ------------------------------------------------------------------------------------------------ alert sink

export interface ReceivedAlert {
	path: string;
	signatureValid: boolean;
	body: Record<string, unknown> | string;
}

export interface AlertSink {
	url: string;
	received: ReceivedAlert[];
	close(): Promise<void>;
}

/**
 * A local receiver for the Sync Alert node's signed webhook: checks the HMAC signature with the demo's secret
 * and prints one line per alert. It stands in for your own endpoint (or Slack) in the demo.
 */
export async function startAlertSink(options: { port: number; secret: string; log?: (line: string) => void }): Promise<AlertSink> {
	const received: ReceivedAlert[] = [];
	const server: Server = createServer((req: IncomingMessage, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks).toString('utf8');
			let body: Record<string, unknown> | string = raw;
			try {
				body = JSON.parse(raw) as Record<string, unknown>;
			} catch {
				// not JSON: kept as text
			}
			const timestamp = String(req.headers[TIMESTAMP_HEADER.toLowerCase()] ?? '');
			const signature = String(req.headers[SIGNATURE_HEADER.toLowerCase()] ?? '');
			const signatureValid = !!signature && verifySignature(options.secret, timestamp, raw, signature);
			received.push({ path: req.url ?? '/', signatureValid, body });
			if (options.log) {
				const b = typeof body === 'object' ? body : {};
				const what = [b.severity, b.title, b.summary].filter((v) => typeof v === 'string' && v).join(' · ') || raw.slice(0, 160);
				options.log(`alert received (${signatureValid ? 'signature valid' : 'SIGNATURE INVALID'}): ${what}`);
			}
			res.writeHead(signatureValid ? 200 : 401, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ ok: signatureValid }));
		});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port, '127.0.0.1', () => resolve());
	});
	const port = (server.address() as { port: number }).port;
	return {
		url: `http://127.0.0.1:${port}`,
		received,
		close: () => new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

// ------------------------------------------------------------------------------------------------ credentials

export interface BuildContext {
	sandbox: Sandbox;
	/** The sandbox's /_sandbox/info (its sandbox-only credentials), fetched once per vendor. */
	info(vendor: VendorName): Promise<Record<string, any>>;
	state: Pick<DemoState, 'alertSecret' | 'dashboardKey'>;
	alertSinkUrl?: string;
}

/** What the credential recipes read: the running sandboxes, the demo's generated secrets, the alert sink. */
export function credentialContext(sandbox: Sandbox, state: BuildContext['state'], alertSinkUrl?: string): BuildContext {
	const infos = new Map<VendorName, Promise<Record<string, any>>>();
	const info = (vendor: VendorName) => {
		if (!infos.has(vendor)) infos.set(vendor, fetch(`${sandbox.url(vendor)}/_sandbox/info`).then((r) => r.json() as Promise<Record<string, any>>));
		return infos.get(vendor)!;
	};
	return { sandbox, info, state, alertSinkUrl };
}

interface CredentialRecipe {
	/** The sandbox it points at (skipped when that vendor is not running). */
	vendor?: VendorName;
	/** Connected through n8n's OAuth2 flow after it is saved. */
	oauth2?: boolean;
	/** Points at the local alert sink (skipped without one). */
	sink?: boolean;
	/** What the credential points at, for the printout. */
	describe(ctx: BuildContext): string;
	data(ctx: BuildContext): Promise<Record<string, unknown>>;
}

/** How to make each credential type the templates may reference, against the sandboxes. */
const RECIPES: Record<string, CredentialRecipe> = {
	fluxHubSpotApi: {
		vendor: 'hubspot',
		describe: (c) => `HubSpot sandbox ${c.sandbox.url('hubspot')} (private app token)`,
		data: async (c) => ({ accessToken: (await c.info('hubspot')).privateAppToken, baseUrl: c.sandbox.url('hubspot'), apiVersion: 'v3' }),
	},
	fluxHubSpotAppApi: {
		vendor: 'hubspot',
		describe: (c) => `HubSpot sandbox ${c.sandbox.url('hubspot')} (app id, client secret, developer key)`,
		data: async (c) => {
			const i = await c.info('hubspot');
			return { appId: String(i.appId), clientSecret: i.clientSecret, developerApiKey: i.developerApiKey, baseUrl: c.sandbox.url('hubspot') };
		},
	},
	fluxHubSpotOAuth2Api: {
		vendor: 'hubspot',
		oauth2: true,
		describe: (c) => `HubSpot sandbox ${c.sandbox.url('hubspot')} (OAuth2)`,
		data: async (c) => {
			const i = await c.info('hubspot');
			const url = c.sandbox.url('hubspot');
			return { clientId: i.clientId, clientSecret: i.clientSecret, baseUrl: url, authBaseUrl: url, apiVersion: 'v3' };
		},
	},
	fluxPipedriveApi: {
		vendor: 'pipedrive',
		describe: (c) => `Pipedrive sandbox ${c.sandbox.url('pipedrive')} (API token)`,
		data: async (c) => ({ apiToken: (await c.info('pipedrive')).auth.apiToken, companyDomain: '', baseUrl: c.sandbox.url('pipedrive') }),
	},
	fluxPipedriveOAuth2Api: {
		vendor: 'pipedrive',
		oauth2: true,
		describe: (c) => `Pipedrive sandbox ${c.sandbox.url('pipedrive')} (OAuth2)`,
		data: async (c) => {
			const o = (await c.info('pipedrive')).auth.oauth;
			return { clientId: o.clientId, clientSecret: o.clientSecret, authUrl: o.authorizeUrl, accessTokenUrl: o.tokenUrl, baseUrl: '' };
		},
	},
	fluxSalesforceOAuth2Api: {
		vendor: 'salesforce',
		oauth2: true,
		describe: (c) => `Salesforce sandbox ${c.sandbox.url('salesforce')} (OAuth2)`,
		data: async (c) => {
			const i = await c.info('salesforce');
			return { clientId: i.clientId, clientSecret: i.clientSecret, environment: 'custom', customLoginUrl: c.sandbox.url('salesforce'), apiVersion: '62.0', apiReserve: 5 };
		},
	},
	fluxJobberOAuth2Api: {
		vendor: 'jobber',
		oauth2: true,
		describe: (c) => `Jobber sandbox ${c.sandbox.url('jobber')} (OAuth2)`,
		data: async (c) => {
			const i = await c.info('jobber');
			return { clientId: i.clientId, clientSecret: i.clientSecret, baseUrl: c.sandbox.url('jobber'), apiVersion: i.apiVersion };
		},
	},
	fluxJobberAppApi: {
		vendor: 'jobber',
		describe: (c) => `Jobber sandbox ${c.sandbox.url('jobber')} (webhook signing secret)`,
		data: async (c) => ({ clientSecret: (await c.info('jobber')).clientSecret }),
	},
	fluxAlertWebhookApi: {
		sink: true,
		describe: (c) => `local alert sink ${c.alertSinkUrl}/alerts (HMAC-signed)`,
		data: async (c) => ({ url: `${c.alertSinkUrl}/alerts`, secret: c.state.alertSecret }),
	},
	fluxSlackWebhookApi: {
		sink: true,
		describe: (c) => `local alert sink ${c.alertSinkUrl}/slack (stands in for Slack)`,
		data: async (c) => ({ webhookUrl: `${c.alertSinkUrl}/slack/services/T0DEMO/B0DEMO/demo` }),
	},
	httpHeaderAuth: {
		describe: () => `header ${DASHBOARD_HEADER} with a generated key`,
		data: async (c) => ({ name: DASHBOARD_HEADER, value: c.state.dashboardKey }),
	},
};

export interface CredentialResult {
	type: string;
	name: string;
	id?: string;
	/** created: new; updated: existed, pointed at this start's sandbox again; skipped: no recipe or its vendor is not running. */
	action: 'created' | 'updated' | 'skipped';
	target?: string;
	/** OAuth2 only: whether n8n holds a token after the connect flow. */
	connected?: boolean;
	note?: string;
}

interface N8nCredential {
	id: string;
	name: string;
	type: string;
}

/** Drives n8n's OAuth2 "Connect" without a browser: auth URL from n8n, the sandbox consents, n8n's callback stores the token. */
export async function connectOAuth2(n8n: Pick<RunningN8n, 'url' | 'cookie' | 'rest'>, credentialId: string): Promise<{ connected: boolean; note?: string }> {
	const headers = { cookie: n8n.cookie, 'browser-id': BROWSER_ID };
	// Forget any token a previous start stored: the sandbox that issued it is gone.
	await fetch(`${n8n.url}/rest/credentials/${credentialId}/oauth-token`, { method: 'DELETE', headers }).then((r) => r.arrayBuffer());
	const auth = await fetch(`${n8n.url}/rest/oauth2-credential/auth?id=${encodeURIComponent(credentialId)}`, { headers });
	if (!auth.ok) return { connected: false, note: `n8n refused to start the OAuth2 flow (${auth.status}): ${(await auth.text()).slice(0, 200)}` };
	const bound = auth.headers.getSetCookie().map((c) => c.split(';')[0]);
	const authorizeUrl = ((await auth.json()) as { data: string }).data;
	const consent = await fetch(authorizeUrl, { redirect: 'manual' });
	const callback = consent.headers.get('location');
	if (consent.status !== 302 || !callback) return { connected: false, note: `the sandbox did not consent (${consent.status}): ${(await consent.text()).slice(0, 200)}` };
	const done = await fetch(callback, { headers: { cookie: [n8n.cookie, ...bound].join('; '), 'browser-id': BROWSER_ID } });
	const page = await done.text();
	const stored = await n8n.rest('GET', `/credentials/${credentialId}?includeData=true`);
	if (stored?.data?.data?.oauthTokenData) return { connected: true };
	const reason = page.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 300);
	return { connected: false, note: `n8n's OAuth2 callback did not store a token (${done.status}): ${reason}` };
}

async function listCredentials(n8n: Pick<RunningN8n, 'rest'>): Promise<N8nCredential[]> {
	const res = await n8n.rest('GET', '/credentials');
	return (res.data ?? []) as N8nCredential[];
}

/** Creates (or points again at this start's sandbox) one credential per reference. */
export async function ensureCredentials(
	n8n: Pick<RunningN8n, 'url' | 'cookie' | 'rest'>,
	refs: CredentialReference[],
	ctx: BuildContext,
): Promise<CredentialResult[]> {
	const existing = await listCredentials(n8n);
	const results: CredentialResult[] = [];
	for (const ref of refs) {
		const recipe = RECIPES[ref.type];
		if (!recipe) {
			results.push({ type: ref.type, name: ref.name, action: 'skipped', note: `no demo recipe for credential type ${ref.type}: create it in the editor` });
			continue;
		}
		if (recipe.vendor && !ctx.sandbox.vendors[recipe.vendor]) {
			results.push({ type: ref.type, name: ref.name, action: 'skipped', note: `the ${recipe.vendor} sandbox is not running` });
			continue;
		}
		if (recipe.sink && !ctx.alertSinkUrl) {
			results.push({ type: ref.type, name: ref.name, action: 'skipped', note: 'no alert sink' });
			continue;
		}
		const data = await recipe.data(ctx);
		const matches = existing.filter((c) => c.type === ref.type && c.name === ref.name);
		let id: string;
		let action: CredentialResult['action'];
		if (matches.length) {
			id = matches[0].id;
			await n8n.rest('PATCH', `/credentials/${id}`, { name: ref.name, type: ref.type, data });
			action = 'updated';
		} else {
			const created = await n8n.rest('POST', '/credentials', { name: ref.name, type: ref.type, data });
			id = created.data.id as string;
			existing.push({ id, name: ref.name, type: ref.type });
			action = 'created';
		}
		const result: CredentialResult = { type: ref.type, name: ref.name, id, action, target: recipe.describe(ctx) };
		if (matches.length > 1) result.note = `${matches.length} credentials of this type share the name: n8n cannot tell them apart on import`;
		if (recipe.oauth2) Object.assign(result, await connectOAuth2(n8n, id));
		results.push(result);
	}
	return results;
}

// ------------------------------------------------------------------------------------------------ API key

export interface ApiKeyResult {
	label: string;
	rawApiKey: string;
	action: 'created' | 'reused';
}

/** An owner API key with every scope n8n offers; the raw key is only shown once by n8n, so the state file keeps it. */
export async function ensureApiKey(n8n: Pick<RunningN8n, 'url' | 'rest'>, state: DemoState): Promise<ApiKeyResult> {
	const listed = (await n8n.rest('GET', '/api-keys')).data;
	// n8n 2.40 answers { items, counts, totals }; older 2.x a plain array.
	const keys = (Array.isArray(listed) ? listed : (listed?.items ?? [])) as Array<{ id: string; label: string }>;
	const ours = keys.filter((k) => k.label === API_KEY_LABEL);
	if (state.apiKey && ours.some((k) => k.id === state.apiKey!.id)) {
		const probe = await fetch(`${n8n.url}/api/v1/workflows?limit=1`, { headers: { 'X-N8N-API-KEY': state.apiKey.rawApiKey } });
		await probe.arrayBuffer();
		if (probe.ok) return { label: API_KEY_LABEL, rawApiKey: state.apiKey.rawApiKey, action: 'reused' };
	}
	// A key of ours whose raw value is lost (or no longer works) is replaced, so there is only ever one.
	for (const k of ours) await n8n.rest('DELETE', `/api-keys/${k.id}`);
	const scopes = ((await n8n.rest('GET', '/api-keys/scopes')).data ?? []) as string[];
	const created = await n8n.rest('POST', '/api-keys', { label: API_KEY_LABEL, scopes, expiresAt: null });
	state.apiKey = { id: created.data.id, label: API_KEY_LABEL, rawApiKey: created.data.rawApiKey };
	return { label: API_KEY_LABEL, rawApiKey: created.data.rawApiKey, action: 'created' };
}

// ------------------------------------------------------------------------------------------------ workflows

export interface WorkflowResult {
	file: string;
	name: string;
	id: string;
	/** imported: new in n8n; kept: already there from an earlier start (left as it is). */
	action: 'imported' | 'kept';
	active: boolean;
	/** Credential references n8n could not resolve by name (node → credential name). */
	unresolved: string[];
	note?: string;
	/** Production webhook URLs of the workflow's Webhook nodes. */
	webhooks: string[];
}

interface N8nWorkflow {
	id: string;
	name: string;
	active: boolean;
	versionId: string;
	/** The published version n8n runs (2.x); absent on older versions. */
	activeVersionId?: string | null;
	nodes: TemplateNode[];
}

interface NodeTypeInfo {
	name: string;
	group?: string[];
}

async function nodeTypes(n8n: Pick<RunningN8n, 'url' | 'cookie'>): Promise<Map<string, NodeTypeInfo>> {
	const res = await fetch(`${n8n.url}/types/nodes.json`, { headers: { cookie: n8n.cookie } });
	if (!res.ok) throw new Error(`GET /types/nodes.json → ${res.status}`);
	const types = (await res.json()) as NodeTypeInfo[];
	return new Map(types.map((t) => [t.name, t]));
}

async function getWorkflow(n8n: Pick<RunningN8n, 'url' | 'cookie'>, id: string): Promise<N8nWorkflow | undefined> {
	const res = await fetch(`${n8n.url}/rest/workflows/${encodeURIComponent(id)}`, { headers: { cookie: n8n.cookie, 'browser-id': BROWSER_ID } });
	if (res.status === 404 || res.status === 403 || res.status === 400) {
		await res.arrayBuffer();
		return undefined;
	}
	if (!res.ok) throw new Error(`GET /rest/workflows/${id} → ${res.status}: ${(await res.text()).slice(0, 300)}`);
	return ((await res.json()) as { data: N8nWorkflow }).data;
}

const unresolvedOf = (w: { nodes: TemplateNode[] }): string[] =>
	w.nodes.flatMap((n) => Object.values(n.credentials ?? {}).filter((c) => !c.id).map((c) => `${n.name} → ${c.name}`));

/** Why a workflow cannot be activated, or undefined when it can. */
function activationBlocker(w: { nodes: TemplateNode[] }, types: Map<string, NodeTypeInfo>): string | undefined {
	const missing = w.nodes.filter((n) => !types.has(n.type)).map((n) => n.type);
	if (missing.length) return `node types not installed: ${[...new Set(missing)].join(', ')}`;
	const unresolved = unresolvedOf(w);
	if (unresolved.length) return `credentials not found: ${unresolved.join('; ')}`;
	const triggers = w.nodes.filter((n) => !n.disabled && types.get(n.type)?.group?.includes('trigger'));
	if (!triggers.some((n) => !PASSIVE_TRIGGERS.has(n.type)))
		return triggers.some((n) => n.type === ERROR_TRIGGER) ? 'error workflow: n8n starts it when a workflow that names it fails' : 'no trigger that starts it on its own';
	return undefined;
}

function webhookUrls(n8nUrl: string, w: { nodes: TemplateNode[] }): string[] {
	return w.nodes.filter((n) => n.type === 'n8n-nodes-base.webhook' && !n.disabled && typeof n.parameters?.path === 'string').map((n) => `${n8nUrl}/webhook/${n.parameters!.path as string}`);
}

/** The template as posted to n8n: demo-specific values filled in, error workflow ids mapped to the ones n8n holds. */
function prepareForImport(t: Template, state: DemoState, idMap: Map<string, string>): Record<string, unknown> {
	const { active: _a, meta: _m, pinData: _p, tags: _t, versionId: _v, ...body } = JSON.parse(JSON.stringify(t.workflow)) as TemplateWorkflow;
	const settings = (body.settings ?? {}) as Record<string, unknown>;
	if (typeof settings.errorWorkflow === 'string' && idMap.has(settings.errorWorkflow)) settings.errorWorkflow = idMap.get(settings.errorWorkflow);
	for (const node of body.nodes) {
		// The dashboard template asks for its placeholder form secret to be replaced: the demo does it.
		const p = node.parameters;
		if (p && typeof p.formSecret === 'string' && p.formSecret.startsWith('REPLACE-ME')) p.formSecret = state.formSecret;
	}
	return { ...body, settings, active: false };
}

export async function importTemplates(n8n: Pick<RunningN8n, 'url' | 'cookie' | 'rest'>, templates: Template[], state: DemoState): Promise<WorkflowResult[]> {
	const types = await nodeTypes(n8n);
	const all = ((await n8n.rest('GET', '/workflows')).data ?? []) as Array<{ id: string; name: string; active: boolean }>;
	/** Template id → id of the workflow n8n holds for it. */
	const idMap = new Map<string, string>();
	const results: WorkflowResult[] = [];
	for (const t of templates) {
		const name = t.workflow.name;
		// Found again by the id a previous start recorded, by the template's fixed id, or by name.
		let existing: N8nWorkflow | undefined;
		for (const id of [state.workflows[t.file], t.workflow.id].filter((v): v is string => !!v)) {
			existing = await getWorkflow(n8n, id);
			if (existing && (existing.id === state.workflows[t.file] || existing.name === name)) break;
			existing = undefined;
		}
		if (!existing) {
			const byName = all.find((w) => w.name === name);
			if (byName) existing = await getWorkflow(n8n, byName.id);
		}
		let result: WorkflowResult;
		if (existing) {
			result = { file: t.file, name, id: existing.id, action: 'kept', active: !!existing.active, unresolved: unresolvedOf(existing), webhooks: webhookUrls(n8n.url, existing) };
			if (!existing.active) result.note = activationBlocker(existing, types) ?? 'inactive (deactivated in the editor?)';
			else {
				// n8n activated it at startup with the credentials of the last start, before they were pointed at this
				// start's sandbox (an OAuth token from a sandbox that is gone): activate it once more if that failed.
				const failed = (await n8n.rest('GET', `/active-workflows/error/${existing.id}`))?.data;
				if (failed) {
					await n8n.rest('POST', `/workflows/${existing.id}/deactivate`, {});
					try {
						await n8n.rest('POST', `/workflows/${existing.id}/activate`, { versionId: existing.activeVersionId ?? existing.versionId });
						result.note = `activated again (activation at startup failed: ${String(failed).slice(0, 160)})`;
					} catch (err) {
						result.active = false;
						result.note = `n8n did not activate it: ${(err as Error).message}`;
					}
				}
			}
		} else {
			const body = prepareForImport(t, state, idMap);
			// A fixed template id is kept (as `n8n import:workflow` keeps it) unless another workflow already has it.
			if (t.workflow.id && (await getWorkflow(n8n, t.workflow.id))) delete body.id;
			const created = (await n8n.rest('POST', '/workflows', body)).data as N8nWorkflow;
			result = { file: t.file, name, id: created.id, action: 'imported', active: false, unresolved: unresolvedOf(created), webhooks: webhookUrls(n8n.url, created) };
			const blocker = activationBlocker(created, types);
			if (blocker) result.note = blocker;
			else {
				try {
					await n8n.rest('POST', `/workflows/${created.id}/activate`, { versionId: created.versionId });
					result.active = true;
				} catch (err) {
					result.note = `n8n did not activate it: ${(err as Error).message}`;
				}
			}
		}
		if (t.workflow.id) idMap.set(t.workflow.id, result.id);
		state.workflows[t.file] = result.id;
		results.push(result);
	}
	return results;
}

// ------------------------------------------------------------------------------------------------ all of it

export interface DemoSetupOptions {
	n8n: Pick<RunningN8n, 'url' | 'cookie' | 'rest'>;
	sandbox: Sandbox;
	/** Where generated secrets and imported workflow ids are kept (inside the demo's user folder). */
	stateFile: string;
	/** Base URL of the alert sink (see startAlertSink); alert credentials are skipped without it. */
	alertSinkUrl?: string;
	templatesDir?: string;
}

export interface DemoSetupReport {
	apiKey: ApiKeyResult;
	credentials: CredentialResult[];
	workflows: WorkflowResult[];
	dashboard?: { url: string; header: string; key: string };
	state: DemoState;
}

/** Everything the demo needs in n8n; safe to run on every start (finds what exists instead of duplicating). */
export async function setupDemo(options: DemoSetupOptions): Promise<DemoSetupReport> {
	const { n8n, sandbox } = options;
	const state = readState(options.stateFile);
	try {
		const apiKey = await ensureApiKey(n8n, state);
		const templates = loadTemplates(options.templatesDir);
		const credentials = await ensureCredentials(n8n, credentialReferences(templates), credentialContext(sandbox, state, options.alertSinkUrl));
		const workflows = await importTemplates(n8n, templates, state);
		const dashboardWorkflow = workflows.find((w) => templates.find((t) => t.file === w.file)?.workflow.nodes.some((n) => n.parameters?.operation === 'handleDashboard'));
		const dashboard = dashboardWorkflow?.webhooks[0] ? { url: dashboardWorkflow.webhooks[0], header: DASHBOARD_HEADER, key: state.dashboardKey } : undefined;
		return { apiKey, credentials, workflows, dashboard, state };
	} finally {
		writeState(options.stateFile, state);
	}
}

/** The printout of what was loaded. */
export function formatReport(report: DemoSetupReport): string[] {
	const lines: string[] = [];
	lines.push(`  API key      ${report.apiKey.rawApiKey}   (label "${report.apiKey.label}", ${report.apiKey.action}; header X-N8N-API-KEY)`);
	lines.push('', '  Credentials (named as the templates reference them):');
	for (const c of report.credentials) {
		const oauth = c.connected === undefined ? '' : c.connected ? ', OAuth2 connected' : ', OAuth2 NOT connected';
		lines.push(`    ${c.action.padEnd(8)} ${c.name} [${c.type}]${c.target ? ` → ${c.target}` : ''}${oauth}${c.note ? ` — ${c.note}` : ''}`);
	}
	lines.push('', '  Workflows (templates/*.json):');
	for (const w of report.workflows) {
		lines.push(`    ${w.action.padEnd(8)} ${w.active ? 'active  ' : 'inactive'} ${w.name}  (${w.file}, id ${w.id})${w.note ? ` — ${w.note}` : ''}`);
		if (w.unresolved.length) lines.push(`             credentials not resolved: ${w.unresolved.join('; ')}`);
	}
	if (report.dashboard) lines.push('', `  Error dashboard  ${report.dashboard.url}   (send header ${report.dashboard.header}: ${report.dashboard.key})`);
	return lines;
}
