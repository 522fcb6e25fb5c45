/**
 * Reachability of the local services some suites need (PostgreSQL, Redis), with one rule for all of them:
 * a suite runs when its service answers and is skipped with a printed reason when it does not — except under
 * CI (`CI` set), where an unreachable service fails the suite, so CI always shows that those tests ran.
 *
 * Jest collects `describe` blocks synchronously, so the checks run synchronously (in a short-lived child
 * process) and are cached per test file. Async variants are exported for use inside tests.
 */
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { resolve } from 'node:path';

export interface ServiceCheck {
	service: 'postgres' | 'redis';
	available: boolean;
	/** Why it is unavailable (or where it answered). */
	reason: string;
}

export const POSTGRES_URL = process.env.FLUXCASCADE_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_HOST = process.env.FLUXCASCADE_TEST_REDIS_HOST ?? '127.0.0.1';
export const REDIS_PORT = Number(process.env.FLUXCASCADE_TEST_REDIS_PORT ?? 6379);

const CHECK_TIMEOUT_MS = 3000;
const ROOT = resolve(__dirname, '../..');

export function isCI(): boolean {
	const value = process.env.CI;
	return value !== undefined && value !== '' && value !== '0' && value.toLowerCase() !== 'false';
}

/** Where the URL points, without its password, for messages. */
export function describeUrl(url: string): string {
	try {
		const u = new URL(url);
		return `${u.hostname}:${u.port || 5432}/${u.pathname.replace(/^\//, '')} as ${decodeURIComponent(u.username) || '(default user)'}`;
	} catch {
		return '(unparseable URL)';
	}
}

// ---------------------------------------------------------------------------------------------- PostgreSQL

/** Connects and runs `SELECT 1`, so a wrong database or user also counts as unavailable, with the reason. */
export async function postgresAvailable(url = POSTGRES_URL): Promise<ServiceCheck> {
	const { Client } = await import('pg');
	const client = new Client({ connectionString: url, connectionTimeoutMillis: CHECK_TIMEOUT_MS });
	client.on('error', () => undefined);
	try {
		await client.connect();
		await client.query('SELECT 1');
		return { service: 'postgres', available: true, reason: `PostgreSQL at ${describeUrl(url)}` };
	} catch (err) {
		const e = err as { code?: string; message?: string };
		return { service: 'postgres', available: false, reason: `PostgreSQL not reachable at ${describeUrl(url)}: ${e.code ?? ''} ${e.message ?? err}`.trim() };
	} finally {
		await client.end().catch(() => undefined);
	}
}

const PG_CHILD = `
const { Client } = require('pg');
const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: ${CHECK_TIMEOUT_MS} });
c.on('error', () => {});
c.connect().then(() => c.query('SELECT 1')).then(
  () => { process.stdout.write('OK'); return c.end(); },
  (e) => { process.stdout.write('ERR ' + ((e && e.code) || '') + ' ' + ((e && e.message) || e)); process.exit(0); },
);`;

const cache = new Map<string, ServiceCheck>();

export function postgresAvailableSync(url = POSTGRES_URL): ServiceCheck {
	const key = `postgres:${url}`;
	let check = cache.get(key);
	if (!check) {
		const out = runChild(PG_CHILD, [url]);
		check =
			out === 'OK'
				? { service: 'postgres', available: true, reason: `PostgreSQL at ${describeUrl(url)}` }
				: { service: 'postgres', available: false, reason: `PostgreSQL not reachable at ${describeUrl(url)}: ${out.replace(/^ERR\s*/, '')}` };
		cache.set(key, check);
	}
	return check;
}

// ---------------------------------------------------------------------------------------------- Redis

/** A raw RESP `PING` over TCP (no client library): available when the answer is `+PONG`. */
export function redisAvailable(host = REDIS_HOST, port = REDIS_PORT): Promise<ServiceCheck> {
	const where = `${host}:${port}`;
	return new Promise((done) => {
		let answer = '';
		let settled = false;
		const finish = (available: boolean, reason: string) => {
			if (settled) return;
			settled = true;
			socket.destroy();
			done({ service: 'redis', available, reason });
		};
		const socket = connect({ host, port });
		socket.setTimeout(CHECK_TIMEOUT_MS, () => finish(false, `Redis not reachable at ${where}: timeout`));
		socket.on('connect', () => socket.write('PING\r\n'));
		socket.on('data', (chunk) => {
			answer += chunk.toString('utf8');
			if (!answer.includes('\r\n')) return;
			const line = answer.split('\r\n')[0];
			if (line === '+PONG') finish(true, `Redis at ${where}`);
			else finish(false, `Redis at ${where} answered ${JSON.stringify(line)} to PING`);
		});
		socket.on('error', (err: NodeJS.ErrnoException) => finish(false, `Redis not reachable at ${where}: ${err.code ?? ''} ${err.message}`.trim()));
		socket.on('close', () => finish(false, `Redis at ${where} closed the connection`));
	});
}

const REDIS_CHILD = `
const net = require('node:net');
let answer = '';
const s = net.connect({ host: process.argv[1], port: Number(process.argv[2]) });
const end = (t) => { process.stdout.write(t); s.destroy(); process.exit(0); };
s.setTimeout(${CHECK_TIMEOUT_MS}, () => end('ERR timeout'));
s.on('connect', () => s.write('PING\\r\\n'));
s.on('data', (d) => { answer += d; if (answer.includes('\\r\\n')) { const l = answer.split('\\r\\n')[0]; end(l === '+PONG' ? 'OK' : 'ERR answered ' + JSON.stringify(l) + ' to PING'); } });
s.on('error', (e) => end('ERR ' + (e.code || '') + ' ' + e.message));`;

export function redisAvailableSync(host = REDIS_HOST, port = REDIS_PORT): ServiceCheck {
	const key = `redis:${host}:${port}`;
	let check = cache.get(key);
	if (!check) {
		const out = runChild(REDIS_CHILD, [host, String(port)]);
		const where = `${host}:${port}`;
		check =
			out === 'OK'
				? { service: 'redis', available: true, reason: `Redis at ${where}` }
				: { service: 'redis', available: false, reason: `Redis not reachable at ${where}: ${out.replace(/^ERR\s*/, '')}` };
		cache.set(key, check);
	}
	return check;
}

// ---------------------------------------------------------------------------------------------- the rule

function runChild(code: string, args: string[]): string {
	const res = spawnSync(process.execPath, ['-e', code, ...args], { cwd: ROOT, encoding: 'utf8', timeout: CHECK_TIMEOUT_MS + 2000 });
	if (res.error) return `ERR ${res.error.message}`;
	const out = (res.stdout ?? '').trim();
	return out === '' ? `ERR check exited with ${res.status ?? res.signal}: ${(res.stderr ?? '').trim().split('\n')[0]}` : out;
}

/**
 * True when the service is there. Otherwise: under CI, throws (the suite fails); elsewhere prints the reason
 * to stderr and returns false (the caller skips).
 */
export function requireService(check: ServiceCheck): boolean {
	if (check.available) return true;
	if (isCI()) {
		throw new Error(`${check.reason}. CI is set, so tests that need ${check.service} fail instead of being skipped.`);
	}
	process.stderr.write(`\n[skipped] ${check.service} tests: ${check.reason} (set up ${check.service} to run them)\n`);
	return false;
}

export function requirePostgres(url = POSTGRES_URL): boolean {
	return requireService(postgresAvailableSync(url));
}

export function requireRedis(host = REDIS_HOST, port = REDIS_PORT): boolean {
	return requireService(redisAvailableSync(host, port));
}

/** `describe` when the service is there, `describe.skip` (its title carrying the reason) when not; throws under CI. */
export function describeWith(check: ServiceCheck): (name: string, fn: () => void) => void {
	if (requireService(check)) return (name, fn) => describe(name, fn);
	return (name, fn) => describe.skip(`${name} — skipped: ${check.reason}`, fn);
}
