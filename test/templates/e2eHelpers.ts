/**
 * Helpers for driving templates in a real n8n (see pipedrive-migration-hub.e2e.test.ts): vendor sandbox admin calls,
 * the credentials the templates name, importing a template as it is, and running it the way the editor's
 * "Execute workflow" button does (POST /rest/workflows/:id/run from its trigger), then reading each node's output.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { N8N_DIR, type RunningN8n } from '../../scripts/n8n/runtime';
import type { Sandbox, VendorName } from '../../sandbox';

const TEMPLATES = path.resolve(__dirname, '../../templates');

/** A template file as parsed JSON (a fresh copy each call). */
export function template(file: string): any {
	return JSON.parse(fs.readFileSync(path.join(TEMPLATES, file), 'utf8'));
}

/** A call to a sandbox's API or admin routes (`/_sandbox/...`); the parsed JSON answer. */
export async function vendorCall(sandbox: Sandbox, vendor: VendorName, method: string, route: string, body?: unknown): Promise<any> {
	const res = await fetch(`${sandbox.url(vendor)}${route}`, {
		method,
		headers: body === undefined ? {} : { 'content-type': 'application/json' },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	if (res.status >= 400) throw new Error(`${vendor} ${method} ${route} → ${res.status}: ${text.slice(0, 500)}`);
	return text ? JSON.parse(text) : undefined;
}

export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v !== undefined && v !== false) return v as T;
		if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
		await new Promise((r) => setTimeout(r, 300));
	}
}

/** The credential names the templates reference, created over REST against the sandboxes. */
export const CREDENTIAL_NAMES = { hubspot: 'HubSpot (FluxCascade)', pipedrive: 'Pipedrive (FluxCascade)', jobber: 'Jobber (FluxCascade)' } as const;

export async function createCredentials(n8n: RunningN8n, sandbox: Sandbox, vendors: Array<keyof typeof CREDENTIAL_NAMES>): Promise<void> {
	for (const vendor of vendors) {
		const info = await vendorCall(sandbox, vendor, 'GET', '/_sandbox/info');
		const url = sandbox.url(vendor);
		if (vendor === 'hubspot') {
			await n8n.rest('POST', '/credentials', { name: CREDENTIAL_NAMES.hubspot, type: 'fluxHubSpotApi', data: { accessToken: info.privateAppToken, baseUrl: url, apiVersion: 'v3' } });
		} else if (vendor === 'pipedrive') {
			await n8n.rest('POST', '/credentials', { name: CREDENTIAL_NAMES.pipedrive, type: 'fluxPipedriveApi', data: { apiToken: info.auth.apiToken, companyDomain: '', baseUrl: url } });
		} else {
			// An OAuth2 credential that is already connected: the token answer n8n would have stored after "Connect".
			await n8n.rest('POST', '/credentials', {
				name: CREDENTIAL_NAMES.jobber,
				type: 'fluxJobberOAuth2Api',
				data: {
					clientId: info.clientId,
					clientSecret: info.clientSecret,
					baseUrl: url,
					apiVersion: info.apiVersion,
					oauthTokenData: { access_token: info.accessToken, refresh_token: info.refreshToken, token_type: 'bearer' },
				},
			});
		}
	}
}

/**
 * Posts a template to /workflows as it is (the fields n8n's import does not take are left out) and checks that every
 * credential reference was resolved by its name. Returns the new workflow's id.
 */
export async function importTemplate(n8n: RunningN8n, wf: any): Promise<string> {
	const { id: _id, active: _active, meta: _meta, pinData: _pin, tags: _tags, ...body } = wf;
	const created = await n8n.rest('POST', '/workflows', { ...body, active: false });
	const unresolved = (created.data.nodes as Array<{ name: string; credentials?: Record<string, { id: string | null }> }>).flatMap((node) =>
		Object.values(node.credentials ?? {})
			.filter((ref) => typeof ref.id !== 'string')
			.map(() => node.name),
	);
	if (unresolved.length) throw new Error(`credentials not resolved by name in: ${unresolved.join(', ')}`);
	return created.data.id as string;
}

/** Replaces the saved workflow's nodes (a user editing a node and saving). */
export async function saveNodes(n8n: RunningN8n, workflowId: string, edit: (nodes: any[]) => void): Promise<void> {
	const current = (await n8n.rest('GET', `/workflows/${workflowId}`)).data;
	edit(current.nodes);
	await n8n.rest('PATCH', `/workflows/${workflowId}`, { nodes: current.nodes, connections: current.connections, versionId: current.versionId });
}

export interface Run {
	id: string;
	status: string;
	/** runData of the execution: node name → runs → outputs. */
	runData: Record<string, Array<{ data?: { main: Array<Array<{ json: any }> | null> }; error?: { message?: string; description?: string } }>>;
	error?: { message?: string; description?: string; node?: { name?: string } };
	lastNodeExecuted?: string;
}

function flatted(): { parse(text: string): any } {
	return require(require.resolve('flatted', { paths: [path.join(N8N_DIR, 'node_modules')] }));
}

/** Reads an execution with its run data (n8n stores it with `flatted`). */
export async function readExecution(n8n: RunningN8n, executionId: string): Promise<Run & { finished: boolean }> {
	const detail = (await n8n.rest('GET', `/executions/${executionId}`)).data;
	const data = detail.data ? flatted().parse(detail.data) : { resultData: { runData: {} } };
	return {
		id: String(executionId),
		status: detail.status,
		finished: detail.status !== 'running' && detail.status !== 'new' && detail.status !== 'waiting',
		runData: data.resultData?.runData ?? {},
		error: data.resultData?.error,
		lastNodeExecuted: data.resultData?.lastNodeExecuted,
	};
}

/**
 * Runs the saved workflow from `trigger` as the editor's "Execute workflow" button does (a manual execution, saved
 * like any other) and waits for it to end. Throws with n8n's error when the run fails.
 */
export async function runManually(n8n: RunningN8n, workflowId: string, trigger: string, timeoutMs = 240_000): Promise<Run> {
	const started = await n8n.rest('POST', `/workflows/${workflowId}/run`, { triggerToStartFrom: { name: trigger } });
	const executionId = started.data?.executionId;
	if (!executionId) throw new Error(`n8n did not start a run: ${JSON.stringify(started).slice(0, 300)}`);
	const run = await waitFor(
		`execution ${executionId}`,
		async () => {
			try {
				const r = await readExecution(n8n, executionId);
				return r.finished ? r : undefined;
			} catch {
				return undefined; // not saved yet
			}
		},
		timeoutMs,
	);
	if (run.status !== 'success') {
		const e = run.error ?? {};
		throw new Error(`run ${executionId} ended ${run.status}: ${run.lastNodeExecuted ?? e.node?.name}: ${e.message ?? ''} ${e.description ?? ''}`);
	}
	return run;
}

/** The items a node emitted on one output, over all its runs in the execution (a node in a loop runs once per batch). */
export function outputOf(run: Run, node: string, output = 0): any[] {
	const runs = run.runData[node];
	if (!runs) return [];
	return runs.flatMap((r) => (r.data?.main?.[output] ?? []).map((i) => i.json));
}

/** How many times a node ran in the execution (0 when it never ran). */
export function runsOf(run: Run, node: string): number {
	return run.runData[node]?.length ?? 0;
}
