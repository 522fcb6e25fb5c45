/**
 * n8n in queue mode for the scale-out tests: one main (editor, REST, webhooks; it hands executions to Redis) and
 * N workers (`n8n worker`) that take them from Redis, all on one PostgreSQL database — a fresh one per run, dropped
 * afterwards — and one Bull prefix of their own in Redis, so parallel runs never share a queue.
 *
 * Each process gets its own user folder (n8n writes its event log and config there) with this package installed
 * the way n8n installs community packages (runtime.ts `installPackage`); the workers' `.n8n/nodes` link to the
 * main's, so every process loads the same build.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { Client } from 'pg';
import { ensureN8n, freePort, n8nEnv, startN8n, type RunningN8n } from './runtime';

export interface PostgresTarget {
	host: string;
	port: number;
	user: string;
	password?: string;
	database: string;
}

export interface RedisTarget {
	host: string;
	port: number;
	db?: number;
}

/** A PostgreSQL URL → its parts (the admin database to create the run's database from). */
export function postgresTarget(url: string): PostgresTarget {
	const u = new URL(url);
	return {
		host: u.hostname,
		port: Number(u.port || 5432),
		user: decodeURIComponent(u.username) || 'postgres',
		password: u.password ? decodeURIComponent(u.password) : undefined,
		database: u.pathname.replace(/^\//, '') || 'postgres',
	};
}

/** Creates a fresh database for one run; `drop()` removes it (and ends the connections left on it). */
export async function createRunDatabase(admin: PostgresTarget, name: string): Promise<{ target: PostgresTarget; drop(): Promise<void> }> {
	if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid database name ${JSON.stringify(name)}`);
	const run = async (sql: string) => {
		const c = new Client({ ...admin });
		c.on('error', () => undefined);
		await c.connect();
		try {
			await c.query(sql);
		} finally {
			await c.end();
		}
	};
	await run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
	await run(`CREATE DATABASE "${name}"`);
	return { target: { ...admin, database: name }, drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * The settings every process of one queue-mode n8n needs (docs/queue-mode.md). `prefix` keeps this n8n's keys
 * apart in a Redis that others use too: the Bull queue, and n8n's own keys (its cache holds the webhook
 * registrations, which a second n8n on the same prefix would take for conflicts).
 */
export function queueModeEnv(db: PostgresTarget, redis: RedisTarget, prefix: string): NodeJS.ProcessEnv {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: redis.host,
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		QUEUE_BULL_REDIS_DB: String(redis.db ?? 0),
		QUEUE_BULL_PREFIX: `${prefix}-bull`,
		N8N_REDIS_KEY_PREFIX: prefix,
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: db.host,
		DB_POSTGRESDB_PORT: String(db.port),
		DB_POSTGRESDB_DATABASE: db.database,
		DB_POSTGRESDB_USER: db.user,
		DB_POSTGRESDB_PASSWORD: db.password ?? '',
		// Executions are saved by the workers into PostgreSQL; the tests read them back through main's REST API.
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
	};
}

/** Minimal RESP over TCP (no Redis client dependency): runs the commands one after the other. */
async function redisCommands(redis: RedisTarget, commands: string[][]): Promise<unknown[]> {
	const socket = net.connect({ host: redis.host, port: redis.port });
	const encode = (args: string[]) => `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
	let buffer = Buffer.alloc(0);
	let wake: (() => void) | undefined;
	socket.on('data', (chunk: Buffer) => {
		buffer = Buffer.concat([buffer, chunk]);
		wake?.();
	});
	const closed = new Promise<never>((_, reject) => {
		socket.on('error', reject);
		socket.on('close', () => reject(new Error('Redis closed the connection')));
	});
	closed.catch(() => undefined);
	/** Parses one reply at `at`; undefined when the buffer does not hold all of it yet. */
	const parse = (at: number): { value: unknown; end: number } | undefined => {
		const eol = buffer.indexOf('\r\n', at);
		if (eol < 0) return undefined;
		const type = String.fromCharCode(buffer[at]);
		const line = buffer.toString('utf8', at + 1, eol);
		if (type === '+' || type === ':') return { value: type === ':' ? Number(line) : line, end: eol + 2 };
		if (type === '-') throw new Error(`Redis: ${line}`);
		if (type === '$') {
			const n = Number(line);
			if (n < 0) return { value: null, end: eol + 2 };
			if (buffer.length < eol + 2 + n + 2) return undefined;
			return { value: buffer.toString('utf8', eol + 2, eol + 2 + n), end: eol + 2 + n + 2 };
		}
		if (type === '*') {
			const items: unknown[] = [];
			let end = eol + 2;
			for (let i = 0; i < Number(line); i++) {
				const item = parse(end);
				if (!item) return undefined;
				items.push(item.value);
				end = item.end;
			}
			return { value: items, end };
		}
		throw new Error(`Redis: unexpected reply ${JSON.stringify(type)}`);
	};
	const out: unknown[] = [];
	try {
		await Promise.race([new Promise<void>((r) => socket.once('connect', () => r())), closed]);
		for (const command of commands) {
			socket.write(encode(command));
			for (;;) {
				const reply = parse(0);
				if (reply) {
					out.push(reply.value);
					buffer = buffer.subarray(reply.end);
					break;
				}
				await Promise.race([new Promise<void>((r) => (wake = r)), closed]);
			}
		}
	} finally {
		socket.destroy();
	}
	return out;
}

/** Deletes every key of one run (`<prefix>…`), so a test leaves the shared Redis as it found it. */
export async function deleteRedisKeys(redis: RedisTarget, prefix: string): Promise<number> {
	if (!/^[A-Za-z0-9_-]{6,}$/.test(prefix)) throw new Error(`Refusing to delete Redis keys for the prefix ${JSON.stringify(prefix)}`);
	let cursor = '0';
	let deleted = 0;
	do {
		const [reply] = (await redisCommands(redis, [['SCAN', cursor, 'MATCH', `${prefix}*`, 'COUNT', '1000']])) as [[string, string[]]];
		cursor = reply[0];
		if (reply[1].length) deleted += Number((await redisCommands(redis, [['DEL', ...reply[1]]]))[0]);
	} while (cursor !== '0');
	return deleted;
}

export interface Worker {
	name: string;
	process: ChildProcess;
	logFile: string;
	stop(): Promise<void>;
}

export interface QueueCluster {
	main: RunningN8n;
	workers: Worker[];
	userFolder: string;
	/** Executions each worker finished, from its log ("Worker finished execution …"). */
	finishedByWorker(): Record<string, number>;
	stop(): Promise<void>;
}

async function waitFor<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
	const deadline = Date.now() + timeoutMs;
	let last: unknown;
	while (Date.now() < deadline) {
		try {
			const v = await attempt();
			if (v !== undefined) return v;
		} catch (err) {
			last = err;
		}
		await new Promise((r) => setTimeout(r, 500));
	}
	throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

function stopper(child: ChildProcess): () => Promise<void> {
	let exited = child.exitCode !== null;
	child.on('exit', () => {
		exited = true;
	});
	return async () => {
		if (exited) return;
		try {
			process.kill(-child.pid!, 'SIGTERM');
		} catch {
			return;
		}
		const deadline = Date.now() + 20_000;
		while (!exited && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
		if (!exited) {
			try {
				process.kill(-child.pid!, 'SIGKILL');
			} catch {
				// gone meanwhile
			}
		}
	};
}

/** Starts `n8n worker` in its own user folder and waits until its readiness endpoint answers. */
export async function startWorker(options: { name: string; userFolder: string; mainUserFolder: string; env: NodeJS.ProcessEnv; concurrency?: number }): Promise<Worker> {
	const bin = ensureN8n();
	const nodesDir = path.join(options.userFolder, '.n8n', 'nodes');
	fs.mkdirSync(path.dirname(nodesDir), { recursive: true });
	if (!fs.existsSync(nodesDir)) fs.symlinkSync(path.join(options.mainUserFolder, '.n8n', 'nodes'), nodesDir, 'dir');
	const healthPort = await freePort();
	const env = n8nEnv({
		userFolder: options.userFolder,
		port: await freePort(),
		env: {
			...options.env,
			N8N_RUNNERS_BROKER_PORT: String(await freePort()),
			QUEUE_HEALTH_CHECK_ACTIVE: 'true',
			QUEUE_HEALTH_CHECK_PORT: String(healthPort),
			N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
		},
	});
	const logFile = path.join(options.userFolder, 'n8n-worker.log');
	const out = fs.openSync(logFile, 'a');
	const child = spawn(process.execPath, [bin, 'worker', `--concurrency=${options.concurrency ?? 10}`], { env, stdio: ['ignore', out, out], detached: true });
	fs.closeSync(out);
	const stop = stopper(child);
	try {
		await waitFor(`worker ${options.name} readiness`, 120_000, async () => {
			if (child.exitCode !== null) throw new Error(`worker ${options.name} exited; see ${logFile}`);
			const res = await fetch(`http://127.0.0.1:${healthPort}/healthz/readiness`);
			return res.ok ? true : undefined;
		});
	} catch (err) {
		await stop();
		throw err;
	}
	return { name: options.name, process: child, logFile, stop };
}

/**
 * Main, then the workers (main runs n8n's database migrations first). `userFolder` must already hold the package
 * (runtime.ts `installPackage`).
 */
export async function startQueueCluster(options: {
	userFolder: string;
	db: PostgresTarget;
	redis: RedisTarget;
	prefix: string;
	workers: number;
	concurrency?: number;
	/** More environment for every process (for example FLUX_VENDOR_TIME_SCALE). */
	env?: NodeJS.ProcessEnv;
}): Promise<QueueCluster> {
	const env = { ...queueModeEnv(options.db, options.redis, options.prefix), ...options.env };
	const main = await startN8n({ userFolder: options.userFolder, port: await freePort(), env });
	const workers: Worker[] = [];
	try {
		for (let i = 1; i <= options.workers; i++) {
			const folder = `${options.userFolder}-worker${i}`;
			fs.mkdirSync(folder, { recursive: true });
			workers.push(await startWorker({ name: `worker${i}`, userFolder: folder, mainUserFolder: options.userFolder, env, concurrency: options.concurrency }));
		}
	} catch (err) {
		await Promise.all(workers.map((w) => w.stop()));
		await main.stop();
		throw err;
	}
	return {
		main,
		workers,
		userFolder: options.userFolder,
		finishedByWorker() {
			const out: Record<string, number> = {};
			for (const w of workers) {
				const log = fs.existsSync(w.logFile) ? fs.readFileSync(w.logFile, 'utf8') : '';
				out[w.name] = (log.match(/Worker finished execution/g) ?? []).length;
			}
			return out;
		},
		async stop() {
			await Promise.all(workers.map((w) => w.stop()));
			await main.stop();
		},
	};
}
