/**
 * Shared set-up of the reliability suite's end-to-end files: a real n8n with the packed package (as
 * test/e2e/support.ts installs it), the Salesforce ⇄ HubSpot template imported with the credentials it names, a
 * sink for alerts, reading executions back, killing n8n hard (SIGKILL, the crash test) and restarting it on the
 * same user folder, and the secrets scan over everything a run left behind.
 */
import { createServer, type Server } from 'node:http';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { N8N_DIR, startN8n, type RunningN8n } from '../../scripts/n8n/runtime';
import type { Sandbox, VendorName } from '../../sandbox';
import { freePort, importTemplate as importWorkflow, startN8nWithPackage, type Run } from '../e2e/support';
import { createCredentials } from '../templates/support';

export { outputOf, template, TEMPLATES_DIR as TEMPLATES } from '../e2e/support';

export type N8n = RunningN8n & { userFolder: string; port: number };

export const STORE_FILE = (n8n: { userFolder: string }) => path.join(n8n.userFolder, '.n8n', 'fluxcascade.sqlite');

export async function startReliabilityN8n(name: string): Promise<N8n> {
	const n8n = await startN8nWithPackage(`reliability-${name}`);
	return { ...n8n, port: Number(new URL(n8n.url).port) };
}

/** SIGKILL to n8n's whole process group (n8n and its task runner): no shutdown hooks, no flush, as a power cut. */
export async function killN8n(n8n: RunningN8n): Promise<void> {
	const child = n8n.process;
	if (child.exitCode !== null || child.signalCode !== null) return;
	const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
	process.kill(-child.pid!, 'SIGKILL');
	await exited;
}

/** Starts n8n again on the same user folder and port (its database, the package and the sync store are kept). */
export async function restartN8n(previous: N8n): Promise<N8n> {
	const n8n = await startN8n({ userFolder: previous.userFolder, port: previous.port, logFile: previous.logFile });
	return { ...n8n, userFolder: previous.userFolder, port: previous.port };
}

/** Polls until `fn` answers; a poll that throws (n8n resetting a connection while it settles after a start) is retried. */
export async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000, everyMs = 300): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	for (;;) {
		let v: T | undefined | false;
		try {
			v = await fn();
		} catch (err) {
			lastError = err;
			v = undefined;
		}
		if (v !== undefined && v !== false) return v as T;
		if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? ` (last error: ${String(lastError)})` : ''}`);
		await new Promise((r) => setTimeout(r, everyMs));
	}
}

/** A sandbox admin or API call; the parsed JSON answer (text when it is not JSON). */
export async function vendor(sandbox: Sandbox, name: VendorName, method: string, route: string, body?: unknown): Promise<any> {
	const res = await fetch(`${sandbox.url(name)}${route}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await res.text();
	try {
		return text ? JSON.parse(text) : undefined;
	} catch {
		return text;
	}
}

export interface Execution {
	id: string;
	status: string;
	mode: string;
	startedAt: string;
	stoppedAt: string | null;
}

/**
 * A REST read, sent again when the connection dropped before an answer (undici reusing a keep-alive socket that
 * n8n closed a moment earlier answers "other side closed" / ECONNRESET now and then). Reads only: safe to repeat.
 */
async function restRead<T = any>(n8n: RunningN8n, route: string): Promise<T> {
	for (let attempt = 1; ; attempt++) {
		try {
			return await n8n.rest<T>('GET', route);
		} catch (err) {
			if (attempt >= 4 || !/fetch failed|other side closed|ECONNRESET|socket/i.test(`${(err as Error).message} ${String((err as { cause?: unknown }).cause ?? '')}`)) throw err;
			await new Promise((r) => setTimeout(r, 200 * attempt));
		}
	}
}

export async function executions(n8n: RunningN8n, workflowId?: string): Promise<Execution[]> {
	const filter = workflowId ? `?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=200` : '?limit=200';
	const list = await restRead(n8n, `/executions${filter}`);
	return (list.data.results ?? list.data) as Execution[];
}

function flatted(): { parse(text: string): any } {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	return require(require.resolve('flatted', { paths: [path.join(N8N_DIR, 'node_modules')] }));
}

export interface RunData {
	id: string;
	status: string;
	/** The stored execution as n8n's REST API returns it (text, for the secrets scan). */
	raw: string;
	runData: Run['runData'];
	error?: { message?: string; description?: string; node?: { name?: string } };
	lastNodeExecuted?: string;
}

export async function readExecution(n8n: RunningN8n, id: string): Promise<RunData> {
	const detail = (await restRead(n8n, `/executions/${id}`)).data;
	const data = detail.data ? flatted().parse(detail.data) : { resultData: { runData: {} } };
	return { id: String(id), status: detail.status, raw: JSON.stringify(detail), runData: data.resultData?.runData ?? {}, error: data.resultData?.error, lastNodeExecuted: data.resultData?.lastNodeExecuted };
}


/** Posts a template (as it is, plus the caller's test-only changes) and activates it when asked; returns its id. */
export async function importTemplate(n8n: RunningN8n, wf: any, activate: boolean): Promise<string> {
	return (await importWorkflow(n8n, wf, activate)).id;
}

/** The credentials the Salesforce ⇄ HubSpot template, the error workflow and the dashboard name. Returns every secret value. */
export async function createTemplateCredentials(n8n: RunningN8n, sandbox: Sandbox, sinkUrl: string, dashboardKey: string): Promise<Record<string, string>> {
	await createCredentials(n8n, sandbox, ['hubspot', 'salesforce']);
	const hs = await vendor(sandbox, 'hubspot', 'GET', '/_sandbox/info');
	const sf = await vendor(sandbox, 'salesforce', 'GET', '/_sandbox/info');
	const alertSecret = 'reliability-alert-signing-secret-7c1d9e';
	await n8n.rest('POST', '/credentials', { name: 'Sync Alert Webhook (FluxCascade)', type: 'fluxAlertWebhookApi', data: { url: `${sinkUrl}/alerts`, secret: alertSecret } });
	// As templates/README.md suggests: a custom header name and a long random value.
	await n8n.rest('POST', '/credentials', { name: 'Dashboard Header Auth (FluxCascade)', type: 'httpHeaderAuth', data: { name: 'X-Dashboard-Key', value: dashboardKey } });
	return {
		'HubSpot private app token': hs.privateAppToken,
		'HubSpot client secret': hs.clientSecret,
		'HubSpot developer API key': hs.developerApiKey,
		'Salesforce client secret': sf.clientSecret,
		'Salesforce access token': sf.accessToken,
		'Salesforce refresh token': sf.refreshToken,
		'alert signing secret': alertSecret,
		'dashboard header key': dashboardKey,
	};
}

/** An HTTP sink that keeps every request (alerts, dashboards' outgoing calls). */
export interface Sink {
	server: Server;
	url: string;
	received: Array<{ path: string; headers: Record<string, unknown>; body: string }>;
	close(): Promise<void>;
}

export async function startSink(): Promise<Sink> {
	const received: Sink['received'] = [];
	const server = createServer((req, res) => {
		let data = '';
		req.on('data', (c) => (data += c));
		req.on('end', () => {
			received.push({ path: req.url ?? '', headers: req.headers, body: data });
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"ok":true}');
		});
	});
	const port = await freePort();
	await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
	return { server, url: `http://127.0.0.1:${port}`, received, close: () => new Promise<void>((r) => server.close(() => r())) };
}

/** Every row of every table of the FluxCascade store file, as text (read-only: n8n may still have it open). */
export function storeDump(file: string): Array<{ where: string; text: string }> {
	if (!fs.existsSync(file)) return [];
	const db = new DatabaseSync(file, { readOnly: true });
	try {
		const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>;
		return tables.map(({ name }) => ({ where: `store table ${name}`, text: JSON.stringify(db.prepare(`SELECT * FROM "${name}"`).all()) }));
	} finally {
		db.close();
	}
}

export interface ScanSource {
	where: string;
	text: string;
}

/**
 * Everything one n8n left behind that a user, a log shipper or an alert receiver can read: the n8n log, every
 * execution with its node outputs (through the REST API, as the editor shows them), every row of the sync store
 * (review items, runs, pairs, alert state), plus what the caller adds (alert sink bodies, dashboard pages).
 */
export async function scanSources(n8n: RunningN8n & { userFolder: string }, extra: ScanSource[] = []): Promise<ScanSource[]> {
	const sources: ScanSource[] = [];
	if (fs.existsSync(n8n.logFile)) sources.push({ where: 'n8n log', text: fs.readFileSync(n8n.logFile, 'utf8') });
	for (const e of await executions(n8n)) sources.push({ where: `execution ${e.id}`, text: (await readExecution(n8n, e.id)).raw });
	sources.push(...storeDump(STORE_FILE(n8n)));
	return [...sources, ...extra];
}

/**
 * Where any of the secret values (verbatim, base64 or URL-encoded) appears, or anything shaped like a token of a
 * kind (`patterns`: e.g. every Salesforce access token the org ever issued, refreshed ones included).
 */
export function findSecrets(sources: ScanSource[], secrets: Record<string, string>, patterns: Record<string, RegExp> = {}): Array<{ secret: string; where: string; context: string }> {
	const found: Array<{ secret: string; where: string; context: string }> = [];
	for (const [label, re] of Object.entries(patterns)) {
		for (const s of sources) {
			const m = new RegExp(re.source, re.flags.replace('g', '')).exec(s.text);
			if (m) found.push({ secret: label, where: s.where, context: s.text.slice(Math.max(0, m.index - 80), m.index + m[0].length + 40) });
		}
	}
	for (const [label, value] of Object.entries(secrets)) {
		if (!value || value.length < 8) throw new Error(`secret "${label}" is too short to scan for reliably: ${JSON.stringify(value)}`);
		const needles = [value, Buffer.from(value).toString('base64').replace(/=+$/, ''), encodeURIComponent(value)];
		for (const s of sources) {
			for (const needle of new Set(needles)) {
				const at = s.text.indexOf(needle);
				if (at >= 0) found.push({ secret: label, where: s.where, context: s.text.slice(Math.max(0, at - 80), at + needle.length + 40) });
			}
		}
	}
	return found;
}

/**
 * Anything shaped like a Salesforce access token (`<15-character org id>!AQ…`, which is how the org — and the
 * sandbox — issues them) or refresh token (`5Aep861…`): refreshed tokens are new values the test never saw.
 */
export function salesforceTokenPatterns(): Record<string, RegExp> {
	return {
		'a Salesforce access token (any issued)': /[A-Za-z0-9]{15}!AQ[A-Za-z0-9._-]{20,}/,
		'a Salesforce refresh token (any issued)': /5Aep861[A-Za-z0-9._-]{20,}/,
	};
}
