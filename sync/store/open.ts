import { resolve } from 'node:path';
import { StoreError } from './errors';
import type { PostgresStoreConfig } from './postgres';
import type { SqliteStoreConfig } from './sqlite';
import { SqlStore, type StoreCore } from './store';
import type { SyncStore } from './types';

export type StoreConfig = SqliteStoreConfig | PostgresStoreConfig;

interface Entry {
	core: Promise<StoreCore>;
	refs: number;
}

/**
 * n8n runs many executions in one process: every execution that opens the same config gets its own handle
 * over one shared connection (SQLite) or pool (PostgreSQL), opened and migrated once. The connection closes
 * when its last handle does.
 */
const registry = new Map<string, Entry>();

/** Identity of a config: the file, or the connection settings and schema (kept in memory only). */
export function storeKey(config: StoreConfig): string | null {
	if (config.kind === 'sqlite') return config.path === ':memory:' ? null : `sqlite:${resolve(config.path)}`;
	const { pool, connectionString, schema } = config;
	const plain = Object.entries(pool ?? {})
		.filter(([, v]) => typeof v !== 'function')
		.sort(([a], [b]) => a.localeCompare(b));
	return `postgres:${JSON.stringify([connectionString ?? null, plain, schema ?? null])}`;
}

async function openCore(config: StoreConfig): Promise<StoreCore> {
	const clock = () => new Date();
	if (config.kind === 'sqlite') {
		const { openSqliteDriver, sqliteCore } = await import('./sqlite');
		return sqliteCore(openSqliteDriver(config, clock), config, clock);
	}
	if (config.kind === 'postgres') {
		const { openPostgresDriver, postgresCore } = await import('./postgres');
		const { driver, schema } = await openPostgresDriver(config, clock);
		return postgresCore(driver, schema, clock);
	}
	throw new StoreError('INVALID_INPUT', `Unknown store kind: ${String((config as { kind?: unknown }).kind)}`);
}

/**
 * Opens the store for a config, sharing the connection with other open handles of the same config.
 * `:memory:` SQLite stores are never shared (each open is a fresh database).
 */
export async function openStore(config: StoreConfig): Promise<SyncStore> {
	const key = storeKey(config);
	if (key === null) {
		const core = await openCore(config);
		return new SqlStore(core, () => core.driver.close());
	}
	let entry = registry.get(key);
	if (!entry) {
		const created: Entry = { core: openCore(config), refs: 0 };
		registry.set(key, created);
		// A failed open must not poison later attempts (the database may come up).
		created.core.catch(() => {
			if (registry.get(key) === created) registry.delete(key);
		});
		entry = created;
	}
	entry.refs++;
	const opened = entry;
	let core: StoreCore;
	try {
		core = await opened.core;
	} catch (err) {
		opened.refs--;
		throw err;
	}
	return new SqlStore(core, async () => {
		if (--opened.refs > 0) return;
		if (registry.get(key) === opened) registry.delete(key);
		await core.driver.close();
	});
}

/** Closes every shared connection, whatever handles are still open (process shutdown, test teardown). */
export async function closeAllStores(): Promise<void> {
	const entries = [...registry.values()];
	registry.clear();
	await Promise.all(
		entries.map(async (entry) => {
			entry.refs = 0;
			try {
				await (await entry.core).driver.close();
			} catch {
				// it never opened
			}
		}),
	);
}

/** How many shared connections are open (for tests and diagnostics). */
export function openStoreCount(): number {
	return registry.size;
}
