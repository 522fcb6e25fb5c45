import { StoreError } from './errors';
import { LATEST_VERSION, MIGRATIONS, MIGRATIONS_TABLE_SQL } from './migrations';
import { all, exec, num, type Dialect, type Op } from './sql';

/** Arbitrary constant that namespaces our advisory locks among other users of the database. */
const LOCK_CLASS = 0x0f1c_a5c;

/**
 * Applies missing migrations in one write transaction, which is the lock: SQLite's BEGIN IMMEDIATE, plus a
 * transaction-scoped advisory lock per schema on PostgreSQL (taken before CREATE SCHEMA, which itself races).
 * Any number of processes may open the store at once; all but the first find nothing left to do.
 */
export function* migrate(d: Dialect, schema: { name: string; quoted: string } | null, now: string): Op<number> {
	const fill = (sql: string) => sql.replaceAll('{S}', d.t(''));
	if (schema) {
		yield* exec(`SELECT pg_advisory_xact_lock(${LOCK_CLASS}, hashtext($1))`, [schema.name]);
		yield* exec(`CREATE SCHEMA IF NOT EXISTS ${schema.quoted}`);
	}
	yield* exec(fill(MIGRATIONS_TABLE_SQL(d.name === 'postgres' ? 'timestamptz' : 'text')));
	const applied = new Set((yield* all(`SELECT version FROM ${d.t('schema_migrations')}`)).map((r) => num(r.version)));
	const newest = Math.max(0, ...applied);
	if (newest > LATEST_VERSION) {
		throw new StoreError(
			'SCHEMA_TOO_NEW',
			`The store schema is at version ${newest}, newer than this package supports (${LATEST_VERSION}); update n8n-nodes-fluxcascade`,
		);
	}
	for (const m of MIGRATIONS) {
		if (applied.has(m.version)) continue;
		for (const sql of d.name === 'postgres' ? m.postgres : m.sqlite) yield* exec(fill(sql));
		yield* exec(`INSERT INTO ${d.t('schema_migrations')} (version, name, applied_at) VALUES ($1, $2, $3)`, [m.version, m.name, now]);
	}
	return LATEST_VERSION;
}

export function* schemaVersion(d: Dialect): Op<number> {
	const rows = yield* all(`SELECT max(version) AS v FROM ${d.t('schema_migrations')}`);
	return num(rows[0]?.v);
}
