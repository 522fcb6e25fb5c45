import { Pool, types as pgTypes, type PoolClient, type PoolConfig } from 'pg';
import { StoreError } from './errors';
import { migrate } from './migrate';
import { SqlStore, type StoreCore, type StoreOptions } from './store';
import { newId, type ColumnType, type Dialect, type Driver, type Op, type TxMode } from './sql';

export interface PostgresStoreConfig {
	kind: 'postgres';
	connectionString?: string;
	/** node-postgres pool options (host, port, user, password, database, ssl, max…); `types` is ours. */
	pool?: Omit<PoolConfig, 'types'>;
	/** Schema holding the tables; created on first open. Default `fluxcascade`. */
	schema?: string;
}

export const DEFAULT_SCHEMA = 'fluxcascade';

export function postgresDialect(schema: string): Dialect {
	const prefix = `${quoteIdent(schema)}.`;
	return {
		name: 'postgres',
		t: (table) => `${prefix}${table}`,
		inList: (column, param) => `${column} = ANY(${param}::text[])`,
		lockSkipLocked: ' FOR UPDATE SKIP LOCKED',
		lockForUpdate: ' FOR UPDATE',
		msBetween: (from, to) => `(EXTRACT(EPOCH FROM (${to} - ${from})) * 1000)::float8`,
		ts: (param) => `${param}::timestamptz`,
		rows: (param, columns) => {
			const names = Object.keys(columns);
			const select = names.map((c) => (columns[c] === 'json' ? `r.${c}::jsonb AS ${c}` : `r.${c}`)).join(', ');
			const defs = names.map((c) => `${c} ${PG_COLUMN_TYPES[columns[c]]}`).join(', ');
			return `(SELECT ${select} FROM json_to_recordset(${param}::json) AS r(${defs}))`;
		},
		returningAll: (alias) => `${alias}.*`,
	};
}

const PG_COLUMN_TYPES: Record<ColumnType, string> = { text: 'text', int: 'bigint', ts: 'timestamptz', json: 'text' };

export function validSchemaName(schema: string): string {
	if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(schema)) {
		throw new StoreError('INVALID_INPUT', `Invalid PostgreSQL schema name: ${JSON.stringify(schema)} (letters, digits, _)`);
	}
	return schema;
}

function quoteIdent(name: string): string {
	return `"${name.replace(/"/g, '""')}"`;
}

const OID = { int8: 20, json: 114, timestamptz: 1184, numeric: 1700, jsonb: 3802 } as const;
const parseTimestamptz = pgTypes.getTypeParser(OID.timestamptz) as (value: string) => Date;

/**
 * Read values the way the SQLite driver does: timestamps as ISO strings (we only ever write millisecond
 * precision), JSON as text for the shared parser, counts and averages as numbers.
 */
const TYPES = {
	getTypeParser(oid: number, format?: 'text' | 'binary') {
		switch (oid) {
			case OID.timestamptz:
				return (value: string) => parseTimestamptz(value).toISOString();
			case OID.int8:
			case OID.numeric:
				return (value: string) => Number(value);
			case OID.json:
			case OID.jsonb:
				return (value: string) => value;
			default:
				return pgTypes.getTypeParser(oid, format ?? 'text');
		}
	},
};

/** Serialization failures and deadlocks are safe to retry: the whole operation re-runs from its start. */
const RETRYABLE = new Set(['40001', '40P01']);

function translate(err: unknown): unknown {
	if (err instanceof StoreError) return err;
	const e = err as { code?: string; message?: string };
	if (e?.code === '23505') return new StoreError('CONFLICT', e.message ?? 'unique constraint failed', { cause: err });
	if (e?.code === 'ECONNREFUSED' || e?.code === 'ENOTFOUND' || e?.code === '57P01') {
		return new StoreError('UNAVAILABLE', `PostgreSQL store unavailable: ${e.message}`, { cause: err });
	}
	return err;
}

export class PostgresDriver implements Driver {
	private closed = false;

	constructor(
		readonly pool: Pool,
		readonly dialect: Dialect,
	) {}

	async run<T>(op: () => Op<T>, mode: TxMode): Promise<T> {
		if (this.closed) throw new StoreError('CLOSED', 'The PostgreSQL store is closed');
		for (let attempt = 0; ; attempt++) {
			let client: PoolClient;
			try {
				client = await this.pool.connect();
			} catch (err) {
				throw translate(err);
			}
			let broken: Error | undefined;
			try {
				return await this.runOn(client, op, mode);
			} catch (err) {
				if (mode !== 'none') {
					try {
						await client.query('ROLLBACK');
					} catch (rollbackError) {
						broken = rollbackError as Error;
					}
				}
				if (RETRYABLE.has((err as { code?: string }).code ?? '') && attempt < 4) continue;
				throw translate(err);
			} finally {
				// A client whose rollback failed is in an unknown state: drop it instead of returning it to the pool.
				client.release(broken);
			}
		}
	}

	private async runOn<T>(client: PoolClient, op: () => Op<T>, mode: TxMode): Promise<T> {
		if (mode === 'write') await client.query('BEGIN');
		else if (mode === 'read') await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
		const gen = op();
		let step = gen.next();
		while (!step.done) {
			const res = await client.query(step.value.sql, step.value.params as unknown[]);
			step = gen.next({ rows: res.rows, rowCount: res.rowCount ?? 0 });
		}
		if (mode !== 'none') await client.query('COMMIT');
		return step.value;
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		await this.pool.end();
	}
}

export function createPool(config: PostgresStoreConfig): Pool {
	const pool = new Pool({
		application_name: 'n8n-nodes-fluxcascade',
		...config.pool,
		...(config.connectionString !== undefined ? { connectionString: config.connectionString } : {}),
		types: TYPES,
	});
	// An idle client that loses its connection emits on the pool; without a listener that would crash n8n.
	// The pool drops the client and the next query opens a new one, so there is nothing else to do.
	pool.on('error', () => undefined);
	return pool;
}

export async function openPostgresDriver(config: PostgresStoreConfig, now: () => Date): Promise<{ driver: PostgresDriver; schema: string }> {
	const schema = validSchemaName(config.schema ?? DEFAULT_SCHEMA);
	const dialect = postgresDialect(schema);
	const driver = new PostgresDriver(createPool(config), dialect);
	try {
		await driver.run(() => migrate(dialect, { name: schema, quoted: quoteIdent(schema) }, now().toISOString()), 'write');
	} catch (err) {
		await driver.close();
		throw err;
	}
	return { driver, schema };
}

/** A private (unshared) PostgreSQL store with its own pool. Most callers want `openStore`. */
export async function openPostgresStore(config: PostgresStoreConfig, options: StoreOptions = {}): Promise<SqlStore> {
	const clock = options.clock ?? (() => new Date());
	const { driver, schema } = await openPostgresDriver(config, clock);
	return new SqlStore(postgresCore(driver, schema, clock), () => driver.close());
}

export function postgresCore(driver: PostgresDriver, schema: string, clock: () => Date): StoreCore {
	return {
		driver,
		backend: 'postgres',
		location: schema,
		ctx: { d: driver.dialect, now: () => clock().toISOString(), newId: () => newId(clock().getTime()) },
		eventsSincePrune: 0,
	};
}
