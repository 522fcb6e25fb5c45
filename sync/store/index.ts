/**
 * The durable sync state store (ARCHITECTURE "State"), pure TypeScript with no n8n imports.
 *
 * - `openStore({ kind: 'sqlite', path })`: embedded default on Node's built-in node:sqlite (WAL, busy timeout).
 * - `openStore({ kind: 'postgres', connectionString | pool, schema? })`: queue mode with several workers.
 *
 * Both backends share one schema (versioned migrations, applied under a lock on open) and one implementation
 * of every operation, so their semantics are the same. No credentials are ever stored: tables hold record
 * data, ids, timestamps, classified errors and counters; connection settings live only in process memory.
 */
export * from './types';
export {
	checkpointTime,
	notOlder,
	DEFAULT_MAX_PENDING_AGE_SECONDS,
	type CheckpointState,
	type ConfirmCheckpointsOptions,
	type PendingCheckpoint,
	type PendingCheckpointInput,
	type SyncCheckpoint,
} from './checkpoints';
export { StoreError, type StoreErrorCode } from './errors';
export { openStore, closeAllStores, openStoreCount, storeKey, type StoreConfig } from './open';
export { openSqliteStore, type SqliteStoreConfig } from './sqlite';
export { openPostgresStore, DEFAULT_SCHEMA, type PostgresStoreConfig } from './postgres';
export { SqlStore, type StoreOptions } from './store';
export { MIGRATIONS, LATEST_VERSION, STORE_TABLES, type Migration } from './migrations';
