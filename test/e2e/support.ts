/**
 * Shared set-up of the end-to-end suites: a real n8n with this package installed from its packed tarball, and the
 * helpers every real-n8n suite uses (waiting, sandbox calls, importing templates, reading executions).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, installPackage, N8N_DIR, packProject, startN8n, type RunningN8n } from '../../scripts/n8n/runtime';
import type { Sandbox, VendorName } from '../../sandbox';

export { freePort };

/** A fresh user folder with the package installed, and n8n started on a free port. */
export async function startN8nWithPackage(name: string): Promise<RunningN8n & { userFolder: string }> {
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), `flux-e2e-${name}-`));
	installPackage(userFolder, packProject(path.join(userFolder, 'pack')));
	const n8n = await startN8n({ userFolder, port: await freePort() });
	return { ...n8n, userFolder };
}

/** Stops n8n, keeps its log under artifacts/ (CI shows it) and removes the throwaway user folder. */
export async function stopN8n(n8n: (RunningN8n & { userFolder: string }) | undefined, name: string): Promise<void> {
	if (!n8n) return;
	await n8n.stop();
	const artifacts = path.resolve(__dirname, '../../artifacts');
	fs.mkdirSync(artifacts, { recursive: true });
	if (fs.existsSync(n8n.logFile)) fs.copyFileSync(n8n.logFile, path.join(artifacts, `n8n-${name}.log`));
	if (!process.env.FLUX_KEEP_E2E) fs.rmSync(n8n.userFolder, { recursive: true, force: true });
}

/** Creates a workflow through n8n's REST API and activates (publishes) it. */
export async function createActiveWorkflow(n8n: RunningN8n, workflow: { name: string; nodes: unknown[]; connections: unknown; settings?: unknown }): Promise<string> {
	const created = await n8n.rest('POST', '/workflows', { settings: { executionOrder: 'v1' }, ...workflow, active: false });
	const { id, versionId } = created.data;
	await n8n.rest('POST', `/workflows/${id}/activate`, { versionId });
	return id;
}

/** POSTs JSON to a production webhook; retries briefly while n8n is still registering a just-activated workflow. */
export async function postWebhook(n8n: RunningN8n, webhookPath: string, body: unknown): Promise<Response> {
	const deadline = Date.now() + 15_000;
	for (;;) {
		const res = await fetch(`${n8n.url}/webhook/${webhookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
		if (res.status !== 404 || Date.now() > deadline) return res;
		await res.arrayBuffer();
		await new Promise((r) => setTimeout(r, 300));
	}
}

// ---------------------------------------------------------------- waiting, templates, executions

/** Polls `fn` until it returns something other than undefined/false; the error names what was awaited. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 300): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v !== undefined && v !== false) return v as T;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, everyMs));
	}
}

export const TEMPLATES_DIR = path.resolve(__dirname, '../../templates');

/** A template as the file holds it (a fresh copy each call, so a test may change its copy). */
export function template(file: string): any {
	return JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8'));
}

/** A call to a sandbox's API or admin routes (`/_sandbox/...`); the parsed JSON answer, an error on 4xx/5xx. */
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

/**
 * Creates a workflow from a template over n8n's REST API (what an import does), checks that every credential
 * reference `{ id: null, name }` was resolved to an existing credential by its name, and activates it when asked.
 */
export async function importTemplate(n8n: RunningN8n, wf: any, activate = false): Promise<{ id: string; versionId: string }> {
	const { id: _id, active: _active, meta: _meta, pinData: _pin, tags: _tags, ...body } = wf;
	const created = await n8n.rest('POST', '/workflows', { ...body, active: false });
	const { id, versionId } = created.data;
	const unresolved = (created.data.nodes as Array<{ name: string; credentials?: Record<string, { id: string | null; name: string }> }>).flatMap((node) =>
		Object.entries(node.credentials ?? {})
			.filter(([, ref]) => typeof ref.id !== 'string' || ref.id === '')
			.map(([type, ref]) => `${node.name}: ${type} "${ref.name}"`),
	);
	if (unresolved.length) throw new Error(`credentials not resolved by name on import: ${unresolved.join('; ')}`);
	if (activate) await n8n.rest('POST', `/workflows/${id}/activate`, { versionId });
	return { id, versionId };
}

export async function activate(n8n: RunningN8n, id: string): Promise<void> {
	const wf = await n8n.rest('GET', `/workflows/${id}`);
	await n8n.rest('POST', `/workflows/${id}/activate`, { versionId: wf.data.versionId });
}

export async function deactivate(n8n: RunningN8n, id: string): Promise<void> {
	await n8n.rest('POST', `/workflows/${id}/deactivate`);
}

/** Replaces the saved workflow's nodes (a user editing a node and saving). */
export async function saveNodes(n8n: RunningN8n, workflowId: string, edit: (nodes: any[]) => void): Promise<void> {
	const current = (await n8n.rest('GET', `/workflows/${workflowId}`)).data;
	edit(current.nodes);
	await n8n.rest('PATCH', `/workflows/${workflowId}`, { nodes: current.nodes, connections: current.connections, versionId: current.versionId });
}

export interface ExecutionSummary {
	id: string;
	status: string;
	mode: string;
}

/** The executions of a workflow, newest first. */
export async function executions(n8n: RunningN8n, workflowId: string): Promise<ExecutionSummary[]> {
	const list = await n8n.rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`);
	return (list.data.results ?? list.data) as ExecutionSummary[];
}

const UNFINISHED = ['running', 'new', 'waiting'];

/** Waits until the workflow has at least `count` executions and none is still running; returns them. */
export async function settledExecutions(n8n: RunningN8n, workflowId: string, count: number, timeoutMs = 90_000): Promise<ExecutionSummary[]> {
	return waitFor(
		`${count} finished execution(s) of workflow ${workflowId}`,
		async () => {
			const runs = await executions(n8n, workflowId);
			return runs.length >= count && runs.every((r) => !UNFINISHED.includes(r.status)) ? runs : undefined;
		},
		timeoutMs,
	);
}

export interface Run {
	id: string;
	status: string;
	finished: boolean;
	/** runData of the execution: node name → runs → outputs. */
	runData: Record<string, Array<{ data?: { main: Array<Array<{ json: any }> | null> }; error?: { message?: string; description?: string } }>>;
	error?: { message?: string; description?: string; node?: { name?: string } };
	lastNodeExecuted?: string;
}

/** Reads an execution with its run data (n8n stores it with `flatted`, which ships with n8n). */
export async function readExecution(n8n: RunningN8n, executionId: string): Promise<Run> {
	const detail = (await n8n.rest('GET', `/executions/${executionId}`)).data;
	const { parse } = require(require.resolve('flatted', { paths: [path.join(N8N_DIR, 'node_modules')] })) as { parse(text: string): any };
	const data = detail.data ? parse(detail.data) : { resultData: { runData: {} } };
	return {
		id: String(executionId),
		status: detail.status,
		finished: !UNFINISHED.includes(detail.status),
		runData: data.resultData?.runData ?? {},
		error: data.resultData?.error,
		lastNodeExecuted: data.resultData?.lastNodeExecuted,
	};
}

/** The items a node emitted on one output, over all its runs in the execution (a node in a loop runs once per batch). */
export function outputOf(run: Pick<Run, 'runData'>, node: string, output = 0): any[] {
	return (run.runData[node] ?? []).flatMap((r) => (r.data?.main?.[output] ?? []).map((i) => i.json));
}

/** How many times a node ran in the execution (0 when it never ran). */
export function runsOf(run: Pick<Run, 'runData'>, node: string): number {
	return run.runData[node]?.length ?? 0;
}

/** The items a node emitted on one output in a saved execution. */
export async function nodeOutput(n8n: RunningN8n, executionId: string, node: string, output = 0): Promise<any[]> {
	return outputOf(await readExecution(n8n, executionId), node, output);
}

/** Why executions failed, for a test's failure message: the last node and its error, per failed run. */
export async function failures(n8n: RunningN8n, runs: ExecutionSummary[]): Promise<string[]> {
	const out: string[] = [];
	for (const r of runs.filter((x) => x.status !== 'success')) {
		const run = await readExecution(n8n, r.id);
		const e = run.error ?? {};
		out.push(`execution ${r.id} (${r.status}) at ${run.lastNodeExecuted}: ${e.message ?? ''} ${e.description ?? ''}`.trim());
	}
	return out;
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
