/**
 * Versioned schema migrations, one SQL list per backend with the same tables and columns. `{S}` stands for
 * the table prefix: the quoted schema and a dot on PostgreSQL, nothing on SQLite.
 *
 * Rules: never edit a released migration, add a new one; each runs in one transaction with its version row.
 * Types differ only where the backends differ: timestamps are ISO text on SQLite and timestamptz on
 * PostgreSQL, JSON is text / jsonb, booleans are 0/1 / boolean. Both are read back as ISO strings and values.
 */

export interface Migration {
	version: number;
	name: string;
	sqlite: readonly string[];
	postgres: readonly string[];
}

const REVIEW_STATUS_CHECK = `status IN ('open', 'retry_scheduled', 'approved', 'resolved', 'discarded', 'failed')`;
const RUN_STATUS_CHECK = `status IN ('pending', 'running', 'completed', 'partial', 'failed', 'cancelled')`;

/**
 * Column lists shared by both backends; `T` timestamp, `J` JSON, `B` boolean and `K` key types are filled per
 * backend. Keys are compared bytewise on both (`COLLATE "C"` on PostgreSQL) so that paging orders agree.
 */
function initial(T: string, J: string, B: string, K: string): string[] {
	return [
		`CREATE TABLE {S}pairs (
			mapping_id ${K} NOT NULL,
			source_system text NOT NULL,
			source_object text NOT NULL,
			source_id ${K} NOT NULL,
			target_system text NOT NULL,
			target_object text NOT NULL,
			target_id ${K} NOT NULL,
			source_snapshot ${J},
			target_snapshot ${J},
			source_updated_at ${T},
			target_updated_at ${T},
			last_synced_at ${T} NOT NULL,
			created_at ${T} NOT NULL,
			version integer NOT NULL DEFAULT 1,
			PRIMARY KEY (mapping_id, source_id),
			CONSTRAINT pairs_target_unique UNIQUE (mapping_id, target_id)
		)`,

		`CREATE TABLE {S}write_intents (
			idempotency_key ${K} PRIMARY KEY,
			mapping_id ${K} NOT NULL,
			source_id ${K} NOT NULL,
			operation text NOT NULL CHECK (operation IN ('create', 'update', 'delete')),
			target_system text,
			target_object text,
			match_key text,
			match_value text,
			status text NOT NULL CHECK (status IN ('open', 'done', 'abandoned')),
			target_id text,
			note text,
			created_at ${T} NOT NULL,
			updated_at ${T} NOT NULL,
			completed_at ${T}
		)`,
		// One open intent per record and operation: a second worker about to create the same record sees the first.
		`CREATE UNIQUE INDEX write_intents_open_unique ON {S}write_intents (mapping_id, source_id, operation) WHERE status = 'open'`,
		`CREATE INDEX write_intents_open_age ON {S}write_intents (mapping_id, created_at) WHERE status = 'open'`,

		`CREATE TABLE {S}cursors (
			key ${K} PRIMARY KEY,
			value text NOT NULL,
			extra ${J},
			version integer NOT NULL,
			updated_at ${T} NOT NULL
		)`,

		`CREATE TABLE {S}processed_events (
			source ${K} NOT NULL,
			event_id ${K} NOT NULL,
			processed_at ${T} NOT NULL,
			expires_at ${T} NOT NULL,
			PRIMARY KEY (source, event_id)
		)`,
		`CREATE INDEX processed_events_expiry ON {S}processed_events (expires_at)`,

		`CREATE TABLE {S}review_items (
			id ${K} PRIMARY KEY,
			created_at ${T} NOT NULL,
			updated_at ${T} NOT NULL,
			status text NOT NULL CHECK (${REVIEW_STATUS_CHECK}),
			kind text NOT NULL CHECK (kind IN ('error', 'conflict')),
			mapping_id text,
			system text,
			object text,
			record_id text,
			data ${J},
			errors ${J} NOT NULL,
			category text,
			code text,
			dedupe_key text,
			occurrences integer NOT NULL DEFAULT 1,
			attempts integer NOT NULL DEFAULT 0,
			next_retry_at ${T},
			lease_owner text,
			lease_until ${T},
			last_error ${J},
			resolution_note text,
			resolved_at ${T},
			meta ${J}
		)`,
		// De-duplication only among active items: a record that fails again after its item was resolved gets a new one.
		`CREATE UNIQUE INDEX review_items_dedupe ON {S}review_items (dedupe_key)
			WHERE dedupe_key IS NOT NULL AND status NOT IN ('resolved', 'discarded')`,
		`CREATE INDEX review_items_created ON {S}review_items (created_at, id)`,
		`CREATE INDEX review_items_status ON {S}review_items (status, created_at)`,
		`CREATE INDEX review_items_mapping ON {S}review_items (mapping_id, created_at)`,
		`CREATE INDEX review_items_code ON {S}review_items (category, code)`,
		`CREATE INDEX review_items_due ON {S}review_items (next_retry_at) WHERE status IN ('retry_scheduled', 'approved')`,

		`CREATE TABLE {S}review_attempts (
			item_id ${K} NOT NULL REFERENCES {S}review_items (id) ON DELETE CASCADE,
			attempt integer NOT NULL,
			outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed')),
			error ${J},
			worker_id text,
			at ${T} NOT NULL,
			PRIMARY KEY (item_id, attempt)
		)`,

		`CREATE TABLE {S}runs (
			id ${K} PRIMARY KEY,
			mapping_id ${K} NOT NULL,
			run_trigger text NOT NULL,
			dry_run ${B} NOT NULL,
			status text NOT NULL CHECK (${RUN_STATUS_CHECK}),
			fetched integer NOT NULL DEFAULT 0,
			created integer NOT NULL DEFAULT 0,
			updated integer NOT NULL DEFAULT 0,
			skipped integer NOT NULL DEFAULT 0,
			failed integer NOT NULL DEFAULT 0,
			unchanged integer NOT NULL DEFAULT 0,
			conflicts integer NOT NULL DEFAULT 0,
			parked integer NOT NULL DEFAULT 0,
			started_at ${T} NOT NULL,
			updated_at ${T} NOT NULL,
			finished_at ${T},
			error text,
			meta ${J}
		)`,
		`CREATE INDEX runs_started ON {S}runs (started_at, id)`,
		`CREATE INDEX runs_mapping ON {S}runs (mapping_id, started_at)`,

		`CREATE TABLE {S}alert_state (
			key ${K} PRIMARY KEY,
			value ${J} NOT NULL,
			version integer NOT NULL,
			updated_at ${T} NOT NULL
		)`,
	];
}

/**
 * Pair leases (version 2): while one Plan's update of a pair is on its way to the vendor, another Plan of the same
 * pair waits for its Commit instead of planning against the same, soon outdated snapshot (no lost update).
 */
function pairLeases(T: string, K: string): string[] {
	return [
		`CREATE TABLE {S}pair_leases (
			mapping_id ${K} NOT NULL,
			source_id ${K} NOT NULL,
			token ${K} NOT NULL,
			acquired_at ${T} NOT NULL,
			expires_at ${T} NOT NULL,
			PRIMARY KEY (mapping_id, source_id)
		)`,
		`CREATE INDEX pair_leases_token ON {S}pair_leases (mapping_id, token)`,
		`CREATE INDEX pair_leases_expiry ON {S}pair_leases (expires_at)`,
	];
}

/**
 * Sync checkpoints (version 3): per mapping and side the last confirmed read checkpoint of an incremental sync, and
 * per run the checkpoints its reads reached with the writes it still owes (see checkpoints.ts).
 */
function syncCheckpoints(T: string, K: string): string[] {
	return [
		`CREATE TABLE {S}checkpoints (
			mapping_id ${K} NOT NULL,
			side text NOT NULL CHECK (side IN ('source', 'target')),
			value text NOT NULL,
			run_id text,
			confirmed_at ${T} NOT NULL,
			PRIMARY KEY (mapping_id, side)
		)`,
		`CREATE TABLE {S}checkpoint_runs (
			mapping_id ${K} NOT NULL,
			run_id ${K} NOT NULL,
			source_value text,
			target_value text,
			created_at ${T} NOT NULL,
			updated_at ${T} NOT NULL,
			PRIMARY KEY (mapping_id, run_id)
		)`,
		`CREATE TABLE {S}checkpoint_work (
			mapping_id ${K} NOT NULL,
			run_id ${K} NOT NULL,
			work_key ${K} NOT NULL,
			PRIMARY KEY (mapping_id, run_id, work_key)
		)`,
	];
}

export const MIGRATIONS: readonly Migration[] = [
	{
		version: 1,
		name: 'initial schema',
		sqlite: initial('text', 'text', 'integer', 'text'),
		postgres: initial('timestamptz', 'jsonb', 'boolean', 'text COLLATE "C"'),
	},
	{
		version: 2,
		name: 'pair leases',
		sqlite: pairLeases('text', 'text'),
		postgres: pairLeases('timestamptz', 'text COLLATE "C"'),
	},
	{
		version: 3,
		name: 'sync checkpoints',
		sqlite: syncCheckpoints('text', 'text'),
		postgres: syncCheckpoints('timestamptz', 'text COLLATE "C"'),
	},
];

export const LATEST_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export const MIGRATIONS_TABLE_SQL = (T: string) => `CREATE TABLE IF NOT EXISTS {S}schema_migrations (
	version integer PRIMARY KEY,
	name text NOT NULL,
	applied_at ${T} NOT NULL
)`;

/** Every table the store owns, children before parents (the order to empty them in). */
export const STORE_TABLES = [
	'review_attempts',
	'review_items',
	'pairs',
	'write_intents',
	'cursors',
	'processed_events',
	'runs',
	'alert_state',
	'pair_leases',
	'checkpoint_work',
	'checkpoint_runs',
	'checkpoints',
] as const;
