/** Backend factories for the store suites: the same tests run on SQLite (always) and PostgreSQL (when reachable). */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { openPostgresStore, openSqliteStore, STORE_TABLES, type SqlStore, type StoreConfig, type StoreOptions } from '../../sync/store';
import type { Op, TxMode } from '../../sync/store/sql';
import { isCI, POSTGRES_URL, postgresAvailableSync, requireService, type ServiceCheck } from '../support/services';

export class TestClock {
	private t: number;
	constructor(start = '2025-01-01T00:00:00.000Z') {
		this.t = Date.parse(start);
	}
	readonly now = (): Date => new Date(this.t);
	set(iso: string): void {
		this.t = Date.parse(iso);
	}
	advance(ms: number): string {
		this.t += ms;
		return this.iso();
	}
	iso(): string {
		return new Date(this.t).toISOString();
	}
}

/** One database (a SQLite file or a PostgreSQL schema) that tests open handles on. */
export interface StoreTarget {
	backend: 'sqlite' | 'postgres';
	/** Config for `openStore` (the shared registry). */
	config: StoreConfig;
	/** A new handle with its own connection (SQLite) or pool (PostgreSQL) on the same database. */
	open(options?: StoreOptions): Promise<SqlStore>;
	/** Empties every table. */
	reset(): Promise<void>;
	/** Deletes the database. */
	dispose(): Promise<void>;
}

export interface BackendFactory {
	name: 'sqlite' | 'postgres';
	/** Null when the backend needs no service. */
	check: ServiceCheck | null;
	create(label: string): Promise<StoreTarget>;
}

function uniqueLabel(label: string): string {
	return `${label}_${process.pid}_${Math.random().toString(36).slice(2, 8)}`.replace(/[^a-zA-Z0-9_]/g, '_').toLowerCase();
}

export const sqliteBackend: BackendFactory = {
	name: 'sqlite',
	check: null,
	async create(label) {
		const dir = mkdtempSync(join(tmpdir(), 'fluxcascade-store-'));
		const path = join(dir, `${uniqueLabel(label)}.sqlite`);
		const config = { kind: 'sqlite' as const, path };
		return {
			backend: 'sqlite',
			config,
			open: (options) => openSqliteStore(config, options),
			async reset() {
				const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
				const db = new DatabaseSync(path, { timeout: 5000 });
				try {
					const existing = new Set(
						(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Array<{ name: string }>).map((r) => r.name),
					);
					for (const table of STORE_TABLES) if (existing.has(table)) db.exec(`DELETE FROM ${table}`);
				} finally {
					db.close();
				}
			},
			async dispose() {
				rmSync(dir, { recursive: true, force: true });
			},
		};
	},
};

export async function withPgClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
	const client = new Client({ connectionString: POSTGRES_URL });
	await client.connect();
	try {
		return await fn(client);
	} finally {
		await client.end();
	}
}

export async function dropSchema(schema: string): Promise<void> {
	await withPgClient((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
}

export const postgresBackend: BackendFactory = {
	name: 'postgres',
	check: postgresAvailableSync(),
	async create(label) {
		const schema = `t_${uniqueLabel(label)}`;
		const config = { kind: 'postgres' as const, connectionString: POSTGRES_URL, schema, pool: { max: 25 } };
		return {
			backend: 'postgres',
			config,
			open: (options) => openPostgresStore(config, options),
			async reset() {
				await withPgClient(async (c) => {
					const exists = await c.query(`SELECT 1 FROM pg_namespace WHERE nspname = $1`, [schema]);
					if (exists.rowCount) await c.query(`TRUNCATE ${STORE_TABLES.map((t) => `"${schema}".${t}`).join(', ')}`);
				});
			},
			dispose: () => dropSchema(schema),
		};
	},
};

export const BACKENDS: readonly BackendFactory[] = [sqliteBackend, postgresBackend];

/**
 * Splits the backends into those to run and those to skip (with the reason). Under CI an unreachable
 * service throws here, which fails the test file.
 */
export function backendMatrix(): { run: BackendFactory[]; skipped: Array<{ name: string; reason: string }> } {
	const run: BackendFactory[] = [];
	const skipped: Array<{ name: string; reason: string }> = [];
	for (const backend of BACKENDS) {
		if (backend.check === null || requireService(backend.check)) run.push(backend);
		else skipped.push({ name: backend.name, reason: backend.check.reason });
	}
	return { run, skipped };
}

/** Registers visibly skipped placeholders for backends that could not run. */
export function describeSkipped(title: string, skipped: Array<{ name: string; reason: string }>): void {
	for (const s of skipped) {
		describe.skip(`${title}: ${s.name} — skipped: ${s.reason}`, () => {
			it('needs the service', () => undefined);
		});
	}
}

// ---------------------------------------------------------------------------------------------- child processes

export const ROOT = resolve(__dirname, '../..');
const WORKER = join(__dirname, 'fixtures', 'worker.ts');

export interface ChildRun {
	code: number | null;
	signal: NodeJS.Signals | null;
	stdout: string;
	stderr: string;
}

/** Runs the store worker fixture in a separate Node process (TypeScript through tsx). */
export function runWorker(args: unknown, options: { killOn?: string; timeoutMs?: number } = {}): Promise<ChildRun> {
	return new Promise((done, fail) => {
		const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(args)], {
			cwd: ROOT,
			env: { ...process.env, NODE_NO_WARNINGS: '1' },
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
		child.stdout.on('data', (d: Buffer) => {
			stdout += d.toString('utf8');
			// Simulated crash: SIGKILL as soon as the worker reports it reached the point of interest.
			if (options.killOn && stdout.includes(options.killOn)) child.kill('SIGKILL');
		});
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
		child.on('error', fail);
		child.on('close', (code, signal) => {
			clearTimeout(timer);
			done({ code, signal, stdout, stderr });
		});
	});
}

/** The JSON result line a worker prints last. */
export function workerResult<T>(run: ChildRun): T {
	const line = run.stdout
		.trim()
		.split('\n')
		.reverse()
		.find((l) => l.startsWith('RESULT '));
	if (!line) throw new Error(`worker printed no result (code ${run.code}, signal ${run.signal}):\n${run.stdout}\n${run.stderr}`);
	return JSON.parse(line.slice('RESULT '.length)) as T;
}

export { isCI };

// ---------------------------------------------------------------------------------------------- statement counts

export interface StatementCounter {
	/** SQL statements sent (BEGIN/COMMIT not included). */
	statements: number;
	/** Store operations, i.e. transactions (or autocommit batches) started. */
	operations: number;
	reset(): void;
}

/**
 * Counts what a store handle sends to its database from now on: every operation is a generator that yields its SQL
 * statements (sql.ts), so wrapping the driver sees each one, on either backend.
 */
export function countStatements(store: SqlStore): StatementCounter {
	const core = (store as unknown as { core: { driver: { run: (op: () => Op<unknown>, mode: TxMode) => Promise<unknown> } } }).core;
	const driver = core.driver;
	const original = driver.run.bind(driver);
	const counter: StatementCounter = {
		statements: 0,
		operations: 0,
		reset() {
			this.statements = 0;
			this.operations = 0;
		},
	};
	function* counting(gen: Op<unknown>): Op<unknown> {
		let step = gen.next();
		while (!step.done) {
			counter.statements++;
			step = gen.next(yield step.value);
		}
		return step.value;
	}
	driver.run = (op, mode) => {
		counter.operations++;
		return original(() => counting(op()), mode);
	};
	return counter;
}
