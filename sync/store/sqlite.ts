import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { StoreError } from './errors';
import { migrate } from './migrate';
import { SqlStore, type StoreCore, type StoreOptions } from './store';
import { iso, newId, type Dialect, type Driver, type Op, type Query, type QueryResult, type TxMode } from './sql';

export interface SqliteStoreConfig {
	kind: 'sqlite';
	/** A file path (its folder is created), or `:memory:` for a private in-memory store (never shared). */
	path: string;
	/** How long a writer waits for another connection's write lock. Default 5000 ms. */
	busyTimeoutMs?: number;
	/** `full` (default) survives power loss; `normal` only process crashes, and is faster. */
	synchronous?: 'full' | 'normal';
}

export const sqliteDialect: Dialect = {
	name: 'sqlite',
	t: (table) => table,
	inList: (column, param) => `${column} IN (SELECT value FROM json_each(${param}))`,
	lockSkipLocked: '',
	lockForUpdate: '',
	msBetween: (from, to) => `((julianday(${to}) - julianday(${from})) * 86400000.0)`,
	ts: (param) => param,
	rows: (param, columns) => `(SELECT ${Object.keys(columns).map((c) => `json_extract(value, '$.${c}') AS ${c}`).join(', ')} FROM json_each(${param}))`,
	// SQLite's RETURNING never includes the FROM item's columns, and refuses `alias.*`.
	returningAll: () => '*',
};

type SqliteModule = typeof import('node:sqlite');

function loadSqlite(): SqliteModule {
	// getBuiltinModule avoids bundlers and test runners that do not know the `node:sqlite` specifier.
	const mod = process.getBuiltinModule?.('node:sqlite') as SqliteModule | undefined;
	if (!mod?.DatabaseSync) {
		throw new StoreError(
			'UNAVAILABLE',
			`The embedded store needs Node.js with node:sqlite (Node 22.13+, 23.4+ or 24); this is ${process.version}. Use the PostgreSQL store instead.`,
		);
	}
	return mod;
}

/** node:sqlite binds strings, numbers, bigints, buffers and null; arrays go in as JSON for `json_each`. */
function bindable(value: unknown): unknown {
	if (value === undefined || value === null) return null;
	if (typeof value === 'boolean') return value ? 1 : 0;
	if (Array.isArray(value)) return JSON.stringify(value);
	if (value instanceof Date) return iso(value);
	return value;
}

function translate(err: unknown): unknown {
	if (err instanceof StoreError) return err;
	const e = err as { errcode?: number; message?: string };
	if (typeof e?.errcode === 'number') {
		const primary = e.errcode & 0xff;
		// SQLITE_BUSY / SQLITE_LOCKED: another connection held the write lock past the busy timeout.
		if (primary === 5 || primary === 6) return new StoreError('UNAVAILABLE', `SQLite store is busy: ${e.message}`, { cause: err });
		// SQLITE_CONSTRAINT_UNIQUE / _PRIMARYKEY
		if (e.errcode === 2067 || e.errcode === 1555) return new StoreError('CONFLICT', e.message ?? 'unique constraint failed', { cause: err });
	}
	return err;
}

const MAX_CACHED_STATEMENTS = 500;

export class SqliteDriver implements Driver {
	readonly dialect = sqliteDialect;
	private readonly statements = new Map<string, { stmt: StatementSync; returnsRows: boolean }>();
	private closed = false;

	constructor(private readonly db: DatabaseSync) {}

	run<T>(op: () => Op<T>, mode: TxMode): Promise<T> {
		try {
			return Promise.resolve(this.runSync(op, mode));
		} catch (err) {
			return Promise.reject(translate(err));
		}
	}

	/**
	 * The whole operation runs synchronously, so a transaction never spans an await: other executions in this
	 * process cannot interleave statements into it, and a second handle's busy wait cannot block its commit.
	 */
	runSync<T>(op: () => Op<T>, mode: TxMode): T {
		if (this.closed) throw new StoreError('CLOSED', 'The SQLite store is closed');
		const ownTx = mode !== 'none' && !this.db.isTransaction;
		if (ownTx) this.db.exec(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN');
		try {
			const gen = op();
			let step = gen.next();
			while (!step.done) step = gen.next(this.execute(step.value));
			if (ownTx) this.db.exec('COMMIT');
			return step.value;
		} catch (err) {
			if (ownTx && this.db.isTransaction) this.db.exec('ROLLBACK');
			throw err;
		}
	}

	private execute(query: Query): QueryResult {
		let cached = this.statements.get(query.sql);
		if (!cached) {
			// Filters build statements dynamically; the variants are few, but keep the cache bounded anyway.
			if (this.statements.size >= MAX_CACHED_STATEMENTS) this.statements.clear();
			// `$n` → `?n`: the same numbered parameter syntax, SQLite spelling.
			const stmt = this.db.prepare(query.sql.replace(/\$(\d+)/g, '?$1'));
			cached = { stmt, returnsRows: stmt.columns().length > 0 };
			this.statements.set(query.sql, cached);
		}
		const params = query.params.map(bindable) as Parameters<StatementSync['all']>;
		if (cached.returnsRows) {
			const rows = cached.stmt.all(...params) as Record<string, unknown>[];
			return { rows, rowCount: rows.length };
		}
		const res = cached.stmt.run(...params);
		return { rows: [], rowCount: Number(res.changes) };
	}

	close(): Promise<void> {
		if (!this.closed) {
			this.closed = true;
			this.statements.clear();
			this.db.close();
		}
		return Promise.resolve();
	}
}

/** Opens a SQLite connection, configures it for several concurrent connections, and migrates. */
export function openSqliteDriver(config: SqliteStoreConfig, now: () => Date): SqliteDriver {
	const { DatabaseSync } = loadSqlite();
	if (typeof config.path !== 'string' || config.path === '') throw new StoreError('INVALID_INPUT', 'SQLite store needs a path');
	const memory = config.path === ':memory:';
	if (!memory) mkdirSync(dirname(resolve(config.path)), { recursive: true });
	const busy = config.busyTimeoutMs ?? 5000;
	const db = new DatabaseSync(config.path, { timeout: busy });
	try {
		// Busy timeout first: switching to WAL on a fresh file waits for the other openers instead of failing.
		db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(busy))}`);
		if (!memory) db.exec('PRAGMA journal_mode = WAL');
		db.exec(`PRAGMA synchronous = ${config.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
		db.exec('PRAGMA foreign_keys = ON');
		const driver = new SqliteDriver(db);
		driver.runSync(() => migrate(sqliteDialect, null, now().toISOString()), 'write');
		return driver;
	} catch (err) {
		db.close();
		throw translate(err);
	}
}

/** A private (unshared) SQLite store. Most callers want `openStore`, which shares one connection per file. */
export async function openSqliteStore(config: SqliteStoreConfig, options: StoreOptions = {}): Promise<SqlStore> {
	const clock = options.clock ?? (() => new Date());
	const driver = openSqliteDriver(config, clock);
	return new SqlStore(sqliteCore(driver, config, clock), () => driver.close());
}

export function sqliteCore(driver: SqliteDriver, config: SqliteStoreConfig, clock: () => Date): StoreCore {
	return {
		driver,
		backend: 'sqlite',
		location: config.path === ':memory:' ? ':memory:' : resolve(config.path),
		ctx: { d: sqliteDialect, now: () => clock().toISOString(), newId: () => newId(clock().getTime()) },
		eventsSincePrune: 0,
	};
}
