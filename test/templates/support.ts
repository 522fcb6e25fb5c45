/**
 * Helpers for the real-n8n template suites: import a template as it is (credentials resolved by name), read
 * executions and their node outputs, wait for an end state. The n8n itself comes from test/e2e/support.ts.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { RunningN8n } from '../../scripts/n8n/runtime';

export const TEMPLATES_DIR = path.resolve(__dirname, '../../templates');

/** A template as the file holds it (a fresh copy each call, so a test may change its copy). */
export function template(file: string): any {
	return JSON.parse(fs.readFileSync(path.join(TEMPLATES_DIR, file), 'utf8'));
}

/** Polls `fn` until it returns something other than undefined/false; the error names what was awaited. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 400): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		const v = await fn();
		if (v !== undefined && v !== false) return v as T;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
		await new Promise((r) => setTimeout(r, everyMs));
	}
}

/**
 * Creates a workflow from a template over n8n's REST API (what an import does), checks that every credential
 * reference `{ id: null, name }` was resolved to an existing credential by its name, and activates it when asked.
 */
export async function importTemplate(n8n: RunningN8n, wf: any, activate: boolean): Promise<{ id: string; versionId: string }> {
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

/** Waits until the workflow has at least `count` executions and none is still running; returns them. */
export async function settledExecutions(n8n: RunningN8n, workflowId: string, count: number, timeoutMs = 90_000): Promise<ExecutionSummary[]> {
	return waitFor(
		`${count} finished execution(s) of workflow ${workflowId}`,
		async () => {
			const runs = await executions(n8n, workflowId);
			return runs.length >= count && runs.every((r) => !['running', 'new', 'waiting'].includes(r.status)) ? runs : undefined;
		},
		timeoutMs,
	);
}

/** An execution's run data (n8n stores it with `flatted`, which ships with n8n). */
export async function runData(n8n: RunningN8n, executionId: string): Promise<any> {
	const detail = await n8n.rest('GET', `/executions/${executionId}`);
	const { parse } = require(require.resolve('flatted', { paths: [path.resolve(__dirname, '../../.cache/n8n-2.40.7/node_modules')] }));
	return parse(detail.data.data).resultData;
}

/** The items a node emitted on one output, over all of its runs in the execution. */
export async function nodeOutput(n8n: RunningN8n, executionId: string, node: string, output = 0): Promise<any[]> {
	const data = await runData(n8n, executionId);
	const runs = (data.runData[node] ?? []) as Array<{ data?: { main?: Array<Array<{ json: unknown }> | null> } }>;
	return runs.flatMap((r) => (r.data?.main?.[output] ?? []).map((i) => i.json));
}

/** Why executions failed, for a test's failure message: the last node and its error, per failed run. */
export async function failures(n8n: RunningN8n, runs: ExecutionSummary[]): Promise<string[]> {
	const out: string[] = [];
	for (const r of runs.filter((x) => x.status !== 'success')) {
		const data = await runData(n8n, r.id);
		const e = data.error ?? {};
		out.push(`execution ${r.id} (${r.status}) at ${data.lastNodeExecuted}: ${e.message ?? ''} ${e.description ?? ''}`.trim());
	}
	return out;
}
