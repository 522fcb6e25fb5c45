/**
 * A real n8n for the demo and the end-to-end tests, installed the way users get it:
 *  - n8n itself from the npm registry into .cache/n8n-<version> (the offline recipe in ARCHITECTURE.md:
 *    --ignore-scripts, then the native SQLite driver rebuilt against Node 24's headers);
 *  - this package packed with `npm pack` and installed under <user folder>/.n8n/nodes exactly as n8n's
 *    community-package installer does, so node types register as `n8n-nodes-fluxcascade.<name>`.
 * Everything is idempotent: a second start reuses the cache.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');
export const N8N_VERSION = process.env.FLUX_N8N_VERSION ?? '2.40.7';
const CACHE = process.env.FLUX_CACHE ?? path.join(ROOT, '.cache');
export const N8N_DIR = path.join(CACHE, `n8n-${N8N_VERSION}`);
const N8N_BIN = path.join(N8N_DIR, 'node_modules', 'n8n', 'bin', 'n8n');
const SQLITE_BINARY = path.join(N8N_DIR, 'node_modules', 'sqlite3', 'build', 'Release', 'node_sqlite3.node');
const PACKAGE_NAME = 'n8n-nodes-fluxcascade';

export const OWNER = { email: 'owner@fluxcascade.test', firstName: 'Flux', lastName: 'Owner', password: 'FluxCascade-demo-1' };

function log(message: string): void {
	process.stderr.write(`[n8n-runtime] ${message}\n`);
}

/** Node 24's folder (bin/node and include/): this script runs on it, and native builds need its headers. */
function nodeDir(): string {
	return path.resolve(path.dirname(process.execPath), '..');
}

/**
 * Runs npm in another folder with a clean npm configuration: under `npm test` the parent npm exports this
 * project's settings as npm_config_* variables (ignore-scripts among them), which would silently skip the
 * native SQLite build of n8n.
 */
function npm(args: string[], cwd: string, extraEnv: NodeJS.ProcessEnv = {}): void {
	const env: NodeJS.ProcessEnv = {};
	for (const [key, value] of Object.entries(process.env)) if (!key.toLowerCase().startsWith('npm_')) env[key] = value;
	execFileSync('npm', args, {
		cwd,
		stdio: ['ignore', 'ignore', 'inherit'],
		env: { ...env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}`, ...extraEnv },
	});
}

/**
 * Runs `fn` holding a lock folder next to the cache: test files, the demo and benchmarks may start n8n at
 * the same moment, and two concurrent installs or native rebuilds corrupt each other's output.
 */
function withInstallLock<T>(fn: () => T): T {
	fs.mkdirSync(CACHE, { recursive: true });
	const lock = path.join(CACHE, `n8n-${N8N_VERSION}.lock`);
	const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
	for (;;) {
		try {
			fs.mkdirSync(lock);
			break;
		} catch (err) {
			if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
			// A holder that died leaves the folder behind; an install never takes 20 minutes.
			if (Date.now() - fs.statSync(lock, { throwIfNoEntry: false })!.mtimeMs > 20 * 60_000) fs.rmSync(lock, { recursive: true, force: true });
			else sleep(500);
		}
	}
	try {
		return fn();
	} finally {
		fs.rmSync(lock, { recursive: true, force: true });
	}
}

function n8nReady(): boolean {
	return fs.existsSync(path.join(N8N_DIR, '.ready')) && fs.existsSync(N8N_BIN) && fs.existsSync(SQLITE_BINARY);
}

/** Installs n8n into the cache once; returns the path of its executable script. */
export function ensureN8n(): string {
	if (n8nReady()) return N8N_BIN;
	return withInstallLock(installN8n);
}

function installN8n(): string {
	const ready = path.join(N8N_DIR, '.ready');
	// Another process may have finished the install while this one waited for the lock.
	if (n8nReady()) return N8N_BIN;
	if (!process.version.startsWith('v24.')) throw new Error(`n8n ${N8N_VERSION} needs Node 24; this is ${process.version} (run through scripts/with-node24.sh)`);
	fs.mkdirSync(N8N_DIR, { recursive: true });
	fs.writeFileSync(path.join(N8N_DIR, 'package.json'), JSON.stringify({ name: 'flux-n8n-runtime', private: true }));
	if (!fs.existsSync(N8N_BIN)) {
		log(`installing n8n@${N8N_VERSION} into ${N8N_DIR} (first run only, a few minutes)`);
		npm(['install', `n8n@${N8N_VERSION}`, '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], N8N_DIR);
	}
	log('building the SQLite driver against Node 24 headers');
	npm(['rebuild', 'sqlite3', '--ignore-scripts=false', '--loglevel=error'], N8N_DIR, { npm_config_nodedir: nodeDir() });
	if (!fs.existsSync(SQLITE_BINARY)) {
		throw new Error('Building the SQLite driver for n8n failed (needs python3, make and g++); see the npm output above');
	}
	fs.writeFileSync(ready, new Date().toISOString());
	return N8N_BIN;
}

/** `npm pack` of the built project (dist must be current: run `npm run build` first). */
export function packProject(outDir: string): string {
	if (!fs.existsSync(path.join(ROOT, 'dist', 'nodes'))) throw new Error('dist/ is missing: run `npm run build` first');
	fs.mkdirSync(outDir, { recursive: true });
	const out = execFileSync('npm', ['pack', '--pack-destination', outDir, '--loglevel=error'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` } });
	return path.join(outDir, out.trim().split('\n').pop()!);
}

/**
 * Installs the packed package under <userFolder>/.n8n/nodes the way n8n 2.x installs a community package:
 * extract, drop dev/peer/optional dependencies, then a shallow install without scripts.
 */
export function installPackage(userFolder: string, tarball: string): void {
	const target = path.join(userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE_NAME);
	fs.rmSync(target, { recursive: true, force: true });
	fs.mkdirSync(target, { recursive: true });
	execFileSync('tar', ['xzf', tarball, '--strip-components=1', '-C', target]);
	const manifestPath = path.join(target, 'package.json');
	const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
	delete manifest.devDependencies;
	delete manifest.peerDependencies;
	delete manifest.optionalDependencies;
	fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
	npm(['install', '--ignore-scripts=true', '--install-strategy=shallow', '--package-lock=false', '--no-audit', '--no-fund', '--loglevel=error'], target);
	// n8n lists what lives in .n8n/nodes in that folder's package.json.
	const nodesManifest = path.join(userFolder, '.n8n', 'nodes', 'package.json');
	const deps = fs.existsSync(nodesManifest) ? JSON.parse(fs.readFileSync(nodesManifest, 'utf8')) : { name: 'installed-nodes', private: true, dependencies: {} };
	deps.dependencies = { ...(deps.dependencies ?? {}), [PACKAGE_NAME]: manifest.version };
	fs.writeFileSync(nodesManifest, JSON.stringify(deps, null, 2));
}

export interface N8nOptions {
	userFolder: string;
	port: number;
	/** Extra environment (for example queue-mode settings). */
	env?: NodeJS.ProcessEnv;
	/** Where n8n's output goes (default <userFolder>/n8n.log). */
	logFile?: string;
}

export interface RunningN8n {
	url: string;
	process: ChildProcess;
	cookie: string;
	logFile: string;
	/** A REST call to n8n's internal API with the owner's session (browser-id header included). */
	rest<T = any>(method: string, route: string, body?: unknown): Promise<T>;
	stop(): Promise<void>;
}

const BROWSER_ID = 'fluxcascade-runtime';

/** Environment for an offline, quiet n8n bound to loopback. */
export function n8nEnv(options: N8nOptions): NodeJS.ProcessEnv {
	const inherited = { ...process.env };
	// A test runner's NODE_ENV=test and worker variables change how n8n starts; n8n gets a clean slate.
	for (const key of Object.keys(inherited)) if (key === 'NODE_ENV' || key.startsWith('JEST_')) delete inherited[key];
	return {
		...inherited,
		N8N_USER_FOLDER: options.userFolder,
		N8N_PORT: String(options.port),
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_HOST: '127.0.0.1',
		WEBHOOK_URL: `http://127.0.0.1:${options.port}/`,
		N8N_EDITOR_BASE_URL: `http://127.0.0.1:${options.port}/`,
		N8N_ENCRYPTION_KEY: 'fluxcascade-local-encryption-key',
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'false',
		N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? 'info',
		...options.env,
	};
}

async function waitFor<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let lastError: unknown;
	while (Date.now() < deadline) {
		try {
			const value = await attempt();
			if (value !== undefined) return value;
		} catch (err) {
			lastError = err;
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
}

/** A TCP port free on loopback right now. */
export function freePort(): Promise<number> {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as net.AddressInfo;
			server.close(() => resolve(port));
		});
	});
}

/** Starts n8n, creates the owner (first start) and logs in. */
export async function startN8n(options: N8nOptions): Promise<RunningN8n> {
	const bin = ensureN8n();
	// Every instance needs its own task-runner broker port (n8n's default 5679 clashes between instances).
	if (!options.env?.N8N_RUNNERS_BROKER_PORT) options = { ...options, env: { ...options.env, N8N_RUNNERS_BROKER_PORT: String(await freePort()) } };
	fs.mkdirSync(options.userFolder, { recursive: true });
	const logFile = options.logFile ?? path.join(options.userFolder, 'n8n.log');
	const out = fs.openSync(logFile, 'a');
	const child = spawn(process.execPath, [bin, 'start'], { env: n8nEnv(options), stdio: ['ignore', out, out], detached: true });
	fs.closeSync(out);
	const url = `http://127.0.0.1:${options.port}`;
	let exited = false;
	child.on('exit', () => {
		exited = true;
	});
	const stop = async () => {
		if (exited) return;
		try {
			process.kill(-child.pid!, 'SIGTERM');
		} catch {
			return;
		}
		const deadline = Date.now() + 15_000;
		while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
		if (!exited) process.kill(-child.pid!, 'SIGKILL');
	};
	try {
		await waitFor('n8n /healthz', 120_000, async () => {
			if (exited) throw new Error(`n8n exited; see ${logFile}`);
			const res = await fetch(`${url}/healthz`);
			return res.ok ? true : undefined;
		});
		// /healthz answers before the REST routes exist, and "n8n is starting up" comes with a 200:
		// retry owner setup until it answers with data (or says an owner exists, on a later start).
		await waitFor('owner setup', 90_000, async () => {
			const res = await fetch(`${url}/rest/owner/setup`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OWNER) });
			const text = await res.text();
			if (res.ok && text.startsWith('{') && JSON.parse(text).data) return true;
			if (res.status === 400 && /already (been )?set ?up/i.test(text)) return true;
			return undefined;
		});
		const cookie = await waitFor('login', 30_000, async () => {
			const res = await fetch(`${url}/rest/login`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', 'browser-id': BROWSER_ID },
				body: JSON.stringify({ emailOrLdapLoginId: OWNER.email, password: OWNER.password }),
			});
			if (!res.ok) return undefined;
			const set = res.headers.getSetCookie().find((c) => c.startsWith('n8n-auth='));
			return set?.split(';')[0];
		});
		const rest = async (method: string, route: string, body?: unknown) => {
			const res = await fetch(`${url}/rest${route}`, {
				method,
				headers: { cookie, 'browser-id': BROWSER_ID, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const text = await res.text();
			if (!res.ok) throw new Error(`n8n ${method} /rest${route} → ${res.status}: ${text.slice(0, 500)}`);
			return text ? JSON.parse(text) : undefined;
		};
		return { url, process: child, cookie, logFile, rest, stop };
	} catch (err) {
		await stop();
		throw err;
	}
}

/** Every node type n8n registered (GET /types/nodes.json, written a few seconds after start). */
export async function registeredNodeTypes(n8n: RunningN8n): Promise<string[]> {
	return waitFor('/types/nodes.json', 30_000, async () => {
		const res = await fetch(`${n8n.url}/types/nodes.json`, { headers: { cookie: n8n.cookie } });
		if (!res.ok) return undefined;
		const types = (await res.json()) as Array<{ name: string }>;
		return types.length ? types.map((t) => t.name) : undefined;
	});
}

/** The node types this package declares (package.json `n8n.nodes`), as n8n names them. */
export function declaredNodeTypes(): string[] {
	const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
	return (manifest.n8n.nodes as string[]).map((file) => {
		const exported = require(path.join(ROOT, file)) as Record<string, new () => { description: { name: string } }>;
		const NodeClass = Object.values(exported)[0];
		return `${PACKAGE_NAME}.${new NodeClass().description.name}`;
	});
}
