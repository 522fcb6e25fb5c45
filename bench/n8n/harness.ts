/**
 * The stage every scenario runs on: the vendor sandboxes (in this process, on a compressed clock) and a REAL n8n
 * (scripts/n8n/runtime.ts) with this package packed and installed the way n8n installs a community package.
 *
 * Every scenario gets a fresh n8n process and user folder (its own database, sync store and limiter state), so
 * the peak resident memory read from /proc/<pid>/status belongs to that scenario alone. The package is packed
 * and installed once per bench run; each user folder gets a copy of that install.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ensureN8n, freePort, installPackage, packProject, ROOT, startN8n, type RunningN8n } from '../../scripts/n8n/runtime';
import { startSandbox, type Sandbox, type SandboxOptions, type VendorName } from '../../sandbox';

export type Json = Record<string, any>;

function log(message: string): void {
	process.stderr.write(`[bench] ${message}\n`);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** dist/ must hold every file package.json's n8n section lists (another build may be rewriting it right now). */
async function waitForCompleteDist(): Promise<void> {
	for (let attempt = 0; ; attempt++) {
		const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
		const files: string[] = [...manifest.n8n.nodes, ...manifest.n8n.credentials];
		const missing = files.filter((f) => !fs.existsSync(path.join(ROOT, f)));
		if (!missing.length) return;
		if (attempt >= 60) throw new Error(`dist/ is incomplete (${missing.slice(0, 3).join(', ')}…): run \`npm run build\` first`);
		if (attempt === 0) log(`dist/ is incomplete (${missing.length} files missing); waiting for a build to finish`);
		await sleep(2000);
	}
}

/** Packs the package once and installs it into a prepared user folder; returns that folder. */
export async function preparePackage(workDir: string): Promise<string> {
	ensureN8n();
	await waitForCompleteDist();
	const prepared = path.join(workDir, 'prepared');
	fs.mkdirSync(prepared, { recursive: true });
	const tarball = packProject(path.join(workDir, 'pack'));
	installPackage(prepared, tarball);
	log(`packed ${path.basename(tarball)} and installed it as a community package`);
	return prepared;
}

/** Memory of one process from /proc (Linux): resident now and the high-water mark. */
export function procMemory(pid: number): { rssKb: number; hwmKb: number } | undefined {
	try {
		const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
		const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)\\s+kB`, 'm').exec(status)?.[1] ?? NaN);
		return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
	} catch {
		return undefined;
	}
}

/**
 * Peak RSS of a process over a span: resets the kernel's high-water mark at the start (clear_refs 5, where
 * allowed) and also samples VmRSS every 200 ms, so the figure holds even where the reset is refused.
 */
export class RssSampler {
	private peakKb = 0;
	private timer: NodeJS.Timeout | undefined;
	private hwmReset = false;
	readonly startKb: number;

	constructor(private readonly pid: number) {
		try {
			fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
			this.hwmReset = true;
		} catch {
			this.hwmReset = false;
		}
		this.startKb = procMemory(pid)?.rssKb ?? 0;
		this.peakKb = this.startKb;
		this.timer = setInterval(() => this.sample(), 200);
		this.timer.unref();
	}

	private sample(): void {
		const m = procMemory(this.pid);
		if (m && m.rssKb > this.peakKb) this.peakKb = m.rssKb;
	}

	/** Peak resident set in MB over the span. */
	stop(): number {
		if (this.timer) clearInterval(this.timer);
		this.sample();
		const m = procMemory(this.pid);
		const peak = Math.max(this.peakKb, this.hwmReset && m ? m.hwmKb : 0);
		return peak / 1024;
	}
}

export interface StackOptions {
	name: string;
	timeScale: number;
	vendors: VendorName[];
	sandbox?: Omit<SandboxOptions, 'timeScale' | 'vendors'>;
	/** Extra environment for n8n. */
	env?: NodeJS.ProcessEnv;
}

export interface ExecutionResult {
	id: string;
	status: string;
	/** n8n's own start and stop of the execution (ms since epoch). */
	startedAt: number;
	stoppedAt: number;
	wallS: number;
	error?: string;
}

export class Stack {
	readonly credentials = new Map<string, string>();
	private constructor(
		readonly name: string,
		readonly timeScale: number,
		readonly sandbox: Sandbox,
		readonly n8n: RunningN8n,
		readonly userFolder: string,
	) {}

	static async start(prepared: string, workDir: string, options: StackOptions): Promise<Stack> {
		const sandbox = await startSandbox({ ...options.sandbox, timeScale: options.timeScale, vendors: options.vendors });
		const userFolder = fs.mkdtempSync(path.join(workDir, `${options.name}-`));
		try {
			fs.cpSync(path.join(prepared, '.n8n', 'nodes'), path.join(userFolder, '.n8n', 'nodes'), { recursive: true });
			const n8n = await startN8n({
				userFolder,
				port: await freePort(),
				env: {
					FLUX_VENDOR_TIME_SCALE: String(options.timeScale),
					N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? 'warn',
					// Profiling: FLUX_BENCH_N8N_NODE_OPTIONS="--cpu-prof --cpu-prof-dir=/tmp/prof" reaches the n8n process (README).
					...(process.env.FLUX_BENCH_N8N_NODE_OPTIONS ? { NODE_OPTIONS: process.env.FLUX_BENCH_N8N_NODE_OPTIONS } : {}),
					...options.env,
				},
			});
			return new Stack(options.name, options.timeScale, sandbox, n8n, userFolder);
		} catch (err) {
			await sandbox.stop();
			throw err;
		}
	}

	get pid(): number {
		return this.n8n.process.pid!;
	}

	async stop(keep = false): Promise<void> {
		await this.n8n.stop();
		await this.sandbox.stop();
		const artifacts = path.join(ROOT, 'artifacts');
		fs.mkdirSync(artifacts, { recursive: true });
		if (fs.existsSync(this.n8n.logFile)) fs.copyFileSync(this.n8n.logFile, path.join(artifacts, `bench-n8n-${this.name}.log`));
		if (!keep) fs.rmSync(this.userFolder, { recursive: true, force: true });
	}

	/** The sandbox's admin API (/_sandbox/…): never counted as API calls. */
	async admin<T = any>(vendor: VendorName, method: string, route: string, body?: unknown): Promise<T> {
		const res = await fetch(`${this.sandbox.url(vendor)}${route}`, {
			method,
			headers: body === undefined ? {} : { 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`${vendor} ${method} ${route} → ${res.status}: ${text.slice(0, 300)}`);
		return (text ? JSON.parse(text) : undefined) as T;
	}

	/** Every stored record of one object, paged through the admin API. */
	async records<T = any>(vendor: VendorName, object: string): Promise<T[]> {
		const out: T[] = [];
		for (let offset = 0; ; offset += 5000) {
			const page = await this.admin<T[]>(vendor, 'GET', `/_sandbox/records/${object}?offset=${offset}&limit=5000`);
			out.push(...page);
			if (page.length < 5000) return out;
		}
	}

	async resetCounters(vendors: VendorName[]): Promise<void> {
		for (const v of vendors) await this.admin(v, 'POST', '/_sandbox/requests/reset');
	}

	async counters(vendor: VendorName): Promise<{ total: number; byRoute: Record<string, number>; byStatus: Record<string, number> }> {
		return this.admin(vendor, 'GET', '/_sandbox/counters');
	}

	/** Creates a credential once per name (n8n resolves the workflows' `{ id: null, name }` references by name and type). */
	async credential(type: string, name: string, data: Json): Promise<void> {
		const key = `${type}\u0000${name}`;
		if (this.credentials.has(key)) return;
		const created = await this.n8n.rest('POST', '/credentials', { name, type, data });
		this.credentials.set(key, created.data.id);
	}

	/** Posts a workflow and (unless told not to) activates it; returns its id and version. */
	async importWorkflow(wf: Json, activate = true): Promise<{ id: string; versionId: string }> {
		const { id: _id, active: _active, meta: _meta, pinData: _pin, tags: _tags, versionId: _v, ...body } = wf;
		const created = await this.n8n.rest('POST', '/workflows', { ...body, active: false });
		for (const node of created.data.nodes as Array<{ name: string; credentials?: Record<string, { id: string | null; name: string }> }>) {
			for (const [type, ref] of Object.entries(node.credentials ?? {})) {
				if (!ref.id) throw new Error(`${wf.name}: node "${node.name}" has no ${type} credential named "${ref.name}" in this n8n`);
			}
		}
		if (activate) await this.n8n.rest('POST', `/workflows/${created.data.id}/activate`, { versionId: created.data.versionId });
		return { id: created.data.id as string, versionId: created.data.versionId as string };
	}

	/**
	 * Drives a workflow whose run trigger is a poll trigger the way its schedule would, back to back: n8n polls
	 * once when a workflow is activated (inside the activation request) and emits what the poll found as an
	 * execution, so each round is activate → wait for that execution → deactivate. The poll cursor is durable
	 * (sync store), so every round continues where the previous one stopped. Ends when `done()` says so, when
	 * a poll finds nothing (no execution follows the activation), or after `maxRounds`.
	 * Wall time = first activation request → last execution stop: the poll (the source read) is inside it.
	 */
	async runPolls(workflow: { id: string; versionId: string }, done: () => Promise<boolean>, maxRounds: number): Promise<{ executions: ExecutionResult[]; wallS: number; startedAt: number; stoppedAt: number }> {
		const executions: ExecutionResult[] = [];
		const seen = new Set((await this.executions(workflow.id)).map((e) => e.id));
		const t0 = Date.now();
		let last = t0;
		for (let round = 0; round < maxRounds; round++) {
			const mark = this.logMark();
			if (round > 0) await this.write('POST', `/workflows/${workflow.id}/deactivate`, {});
			await this.write('POST', `/workflows/${workflow.id}/activate`, { versionId: workflow.versionId });
			const appearBy = Date.now() + 10_000;
			let started: { id: string } | undefined;
			while (!started) {
				started = (await this.executions(workflow.id)).find((e) => !seen.has(e.id));
				if (!started && Date.now() > appearBy) break;
				if (!started) await sleep(250);
			}
			if (!started) break;
			seen.add(started.id);
			const result = await this.waitForExecution(started.id, undefined, mark);
			executions.push(result);
			last = result.stoppedAt;
			log(`  round ${round + 1}: execution ${result.status} in ${result.wallS.toFixed(1)} s`);
			if (result.status !== 'success' || (await done())) break;
		}
		await this.write('POST', `/workflows/${workflow.id}/deactivate`, {}).catch(() => undefined);
		return { executions, wallS: (last - t0) / 1000, startedAt: t0, stoppedAt: last };
	}

	/** Waits for one execution to finish; n8n's own start and stop times. */
	async waitForExecution(id: string, timeoutMs = 6 * 3_600_000, mark = 0): Promise<ExecutionResult> {
		const end = Date.now() + timeoutMs;
		for (;;) {
			const unsaved = this.unsavedExecution(mark);
			if (unsaved) return { id, status: 'unsaved', startedAt: NaN, stoppedAt: Date.now(), wallS: NaN, error: unsaved };
			const detail = await this.read(`/executions/${id}`);
			const status = detail.data.status as string;
			if (!['running', 'new', 'waiting', 'unknown'].includes(status) && detail.data.stoppedAt) {
				const startedAt = Date.parse(detail.data.startedAt);
				const stoppedAt = Date.parse(detail.data.stoppedAt);
				const result: ExecutionResult = { id, status, startedAt, stoppedAt, wallS: (stoppedAt - startedAt) / 1000 };
				if (status !== 'success') result.error = this.errorOf(detail.data.data);
				return result;
			}
			if (Date.now() > end) throw new Error(`execution ${id} did not finish in ${timeoutMs / 1000} s`);
			await sleep(1000);
		}
	}

	/**
	 * A read from n8n's REST API, retried on connection errors: while an execution keeps n8n's event loop busy,
	 * a kept-alive connection can be reset under the client (ECONNRESET); the read itself is idempotent.
	 */
	async read<T = any>(route: string): Promise<T> {
		for (let attempt = 1; ; attempt++) {
			try {
				return await this.n8n.rest<T>('GET', route);
			} catch (err) {
				const network = err instanceof TypeError || /ECONNRESET|socket|fetch failed/i.test(String((err as Error).cause ?? (err as Error).message));
				// n8n answers 503 "Database is not ready!" while its own database does not answer its health ping
				// (a large execution being written, say): a state that passes, so the read is tried again.
				const busy = /→ 503: .*Database is not ready/.test((err as Error).message);
				if (busy && attempt === 1) log(`n8n's database is not ready (503); waiting for it`);
				if ((!network && !busy) || attempt >= (busy ? 120 : 20)) throw new Error(`GET /rest${route}: ${(err as Error).message} (${String((err as Error).cause ?? '')})`);
				await sleep(busy ? 5000 : 500 * attempt);
			}
		}
	}

	/** A write to n8n's REST API, tried again while n8n refuses it with 503 "Database is not ready!" (refused before it runs). */
	async write<T = any>(method: string, route: string, body: unknown): Promise<T> {
		for (let attempt = 1; ; attempt++) {
			try {
				return await this.n8n.rest<T>(method, route, body);
			} catch (err) {
				if (!/→ 503: .*Database is not ready/.test((err as Error).message) || attempt >= 120) throw err;
				if (attempt === 1) log(`n8n's database is not ready (503); waiting for it`);
				await sleep(5000);
			}
		}
	}

	async executions(workflowId: string): Promise<Array<{ id: string; status: string; startedAt?: string; stoppedAt?: string }>> {
		const list = await this.read(`/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`);
		return (list.data.results ?? list.data) as Array<{ id: string; status: string }>;
	}

	/**
	 * Triggers a workflow through its webhook and waits for that execution to finish. The wall time is n8n's own
	 * (execution startedAt → stoppedAt).
	 */
	/** Where n8n's log ends now: problems logged after this belong to what runs next. */
	logMark(): number {
		try {
			return fs.statSync(this.n8n.logFile).size;
		} catch {
			return 0;
		}
	}

	/**
	 * An execution n8n ran but could not save: its after-execution hook failed (for example `RangeError: Invalid
	 * string length` when the run data no longer fits one string). The execution then stays "running" in n8n's
	 * database for ever, so the bench reads n8n's log for it.
	 */
	unsavedExecution(mark: number): string | undefined {
		let text: string;
		try {
			const fd = fs.openSync(this.n8n.logFile, 'r');
			try {
				const size = fs.fstatSync(fd).size;
				const buf = Buffer.alloc(Math.max(0, Math.min(size - mark, 4_000_000)));
				fs.readSync(fd, buf, 0, buf.length, mark);
				text = buf.toString('utf8');
			} finally {
				fs.closeSync(fd);
			}
		} catch {
			return undefined;
		}
		const hook = /There was a problem running hook "workflowExecuteAfter"[^\n]*/.exec(text);
		if (!hook) return undefined;
		const causes = [...new Set(text.match(/^[A-Za-z]*Error: [^\n]+/gm) ?? [])].slice(0, 3);
		return `n8n ran the execution but could not save it (${hook[0]}${causes.length ? `; logged: ${causes.join(' / ')}` : ''})`;
	}

	async runWebhook(workflowId: string, webhookPath: string, body: unknown = {}, timeoutMs = 6 * 3_600_000): Promise<ExecutionResult> {
		const mark = this.logMark();
		const before = new Set((await this.executions(workflowId)).map((e) => e.id));
		const deadline = Date.now() + 30_000;
		for (;;) {
			const res = await fetch(`${this.n8n.url}/webhook/${webhookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
			await res.arrayBuffer();
			if (res.ok) break;
			if (res.status !== 404 || Date.now() > deadline) throw new Error(`webhook ${webhookPath} → ${res.status}`);
			await sleep(300);
		}
		const end = Date.now() + timeoutMs;
		for (;;) {
			const runs = (await this.executions(workflowId)).filter((e) => !before.has(e.id));
			const done = runs.find((r) => !['running', 'new', 'waiting', 'unknown'].includes(r.status));
			if (done) {
				const detail = await this.read(`/executions/${done.id}`);
				const startedAt = Date.parse(detail.data.startedAt);
				const stoppedAt = Date.parse(detail.data.stoppedAt);
				const result: ExecutionResult = { id: done.id, status: done.status, startedAt, stoppedAt, wallS: (stoppedAt - startedAt) / 1000 };
				if (done.status !== 'success') result.error = this.errorOf(detail.data.data);
				return result;
			}
			const unsaved = this.unsavedExecution(mark);
			if (unsaved) {
				const running = runs[0];
				const startedAt = running?.startedAt ? Date.parse(running.startedAt) : NaN;
				const stoppedAt = Date.now();
				return { id: running?.id ?? '', status: 'unsaved', startedAt, stoppedAt, wallS: (stoppedAt - startedAt) / 1000, error: unsaved };
			}
			if (Date.now() > end) throw new Error(`execution of ${workflowId} did not finish in ${timeoutMs / 1000} s`);
			await sleep(500);
		}
	}

	/** The error of a failed execution (n8n stores run data with `flatted`). */
	private errorOf(data: string | undefined): string {
		if (!data) return 'no execution data';
		try {
			const { parse } = require(require.resolve('flatted', { paths: [path.join(ROOT, '.cache', 'n8n-2.40.7', 'node_modules')] }));
			const run = parse(data);
			const e = run.resultData?.error ?? {};
			return `${run.resultData?.lastNodeExecuted}: ${e.message ?? ''} ${e.description ?? ''}`.trim();
		} catch (err) {
			return `unreadable execution data (${(err as Error).message})`;
		}
	}

	/** Time n8n spent in each node of an execution (summed over its runs) and the items it emitted. */
	async nodeTimes(executionId: string): Promise<Array<{ node: string; ms: number; runs: number; items: number }>> {
		const detail = await this.read(`/executions/${executionId}`);
		const { parse } = require(require.resolve('flatted', { paths: [path.join(ROOT, '.cache', 'n8n-2.40.7', 'node_modules')] }));
		const runData = parse(detail.data.data).resultData?.runData ?? {};
		return Object.entries(runData as Record<string, Array<{ executionTime?: number; data?: { main?: Array<unknown[] | null> } }>>)
			.map(([node, runs]) => ({
				node,
				ms: runs.reduce((a, r) => a + (r.executionTime ?? 0), 0),
				runs: runs.length,
				items: runs.reduce((a, r) => a + (r.data?.main ?? []).reduce((b, out) => b + (out?.length ?? 0), 0), 0),
			}))
			.sort((a, b) => b.ms - a.ms);
	}

	/** Items one node emitted in an execution (first run, given output). */
	async nodeOutput(executionId: string, node: string, output = 0): Promise<Json[]> {
		const detail = await this.read(`/executions/${executionId}`);
		const { parse } = require(require.resolve('flatted', { paths: [path.join(ROOT, '.cache', 'n8n-2.40.7', 'node_modules')] }));
		const run = parse(detail.data.data);
		const runs = run.resultData.runData[node] ?? [];
		return runs.flatMap((r: any) => (r.data?.main?.[output] ?? []).map((i: { json: Json }) => i.json));
	}
}

export function benchWorkDir(): string {
	return fs.mkdtempSync(path.join(os.tmpdir(), 'flux-bench-n8n-'));
}

export { log, sleep };
