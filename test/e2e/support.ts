/** Shared set-up of the end-to-end suites: a real n8n with this package installed from its packed tarball. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, installPackage, packProject, startN8n, type RunningN8n } from '../../scripts/n8n/runtime';

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
