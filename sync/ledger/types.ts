import type { ClassifiedError } from '../../errors/taxonomy';
import type { CompiledMapping, MappingSpec } from '../mapping';
import type { PlanCheckpoints } from './checkpoint';
import type { JsonObject, Pair, PairLease, PairStats, RecordRef, RunTotals, Side } from '../store';

/**
 * The Sync Ledger's vocabulary. A ledger works on one mapping between a source system (the mapping's source
 * side) and a target system. It receives raw record envelopes from both sides, maps them itself and compares
 * each side with its own snapshot, so change detection never depends on the other system's formatting.
 */

export type { Side, RecordRef };

export const CONFLICT_STRATEGIES = ['newest_wins', 'source_wins', 'target_wins', 'manual'] as const;
export type ConflictStrategy = (typeof CONFLICT_STRATEGIES)[number];

export const DELETE_POLICIES = ['ignore', 'archive', 'delete'] as const;
export type DeletePolicy = (typeof DELETE_POLICIES)[number];

export const MATCH_NORMALISATIONS = ['email', 'phone', 'exact'] as const;
export type MatchNormalisation = (typeof MATCH_NORMALISATIONS)[number];

export type Direction = 'to_target' | 'to_source';
export type WriteAction = 'create' | 'update' | 'delete' | 'archive';

export interface MatchKeyConfig {
	/** Path of the key in source records (raw vendor field names). */
	source: string;
	/** Path of the key in target records. */
	target: string;
	normalise: MatchNormalisation;
	/** For `phone`: country of numbers written without a country code (default US). */
	defaultCountry?: string;
}

export interface LedgerConfig {
	/** Stable id of this sync (pairs, intents and runs are kept per mapping id). */
	mappingId: string;
	mapping: MappingSpec | CompiledMapping;
	/** The systems and objects of both sides: where creates go, and the refs of new pairs. */
	source: { system: string; object: string };
	target: { system: string; object: string };
	/** Default `newest_wins`. */
	strategy?: ConflictStrategy;
	/** Field (target path or source path) → the side that always wins it; overrides the strategy. */
	fieldPriority?: Record<string, Side>;
	/** The hub side wins ties of `newest_wins` (equal or unknown updatedAt). Default `source`. */
	hub?: Side;
	/** First pairing (migration) and crash-safe creates. Without it every unpaired record is created. */
	matchKey?: MatchKeyConfig | null;
	/** Unpaired records that lack the match key: `review` (default, to Conflict) or `create`. */
	missingKey?: 'review' | 'create';
	/** Records marked `deleted: true`: default `ignore`. */
	deletes?: DeletePolicy;
	/** Route and count only: no intents, no pairs, no runs, no leases are written. */
	dryRun?: boolean;
	/**
	 * Pair leases (no lost update when executions overlap): a Plan that writes a paired record holds its pair until
	 * the Commit of that write, at most `ttlSeconds` (default 120); another Plan of the pair waits for it, at most
	 * `waitSeconds` in all (default 30), then takes it over.
	 */
	lease?: { ttlSeconds?: number; waitSeconds?: number };
}

/** A record as the ledger reads it: the envelope of connectors/core (system, object, id, updatedAt, fields). */
export interface LedgerRecord {
	system?: string;
	object?: string;
	id?: string | number | null;
	updatedAt?: string | null;
	fields?: Record<string, unknown> | null;
	deleted?: boolean;
}

/** Which input item(s) a routed item comes from (n8n paired items). */
export interface InputRef {
	side: Side;
	index: number;
}

/** One field of a snapshot to store on commit; `base` is the stored value it was planned against. */
export interface SnapshotEntry {
	path: string;
	value?: unknown;
	base?: unknown;
}

export interface MatchKeyValue {
	/** The field on the system being written (its path in that system's records). */
	field: string;
	/** The normalised value (lower-cased email, E.164 phone, or the exact value). */
	value: string;
	normalise: MatchNormalisation;
}

/**
 * What travels with a write through the vendor node and back into Commit: enough to persist the pair and the
 * snapshots from the vendor's answer without re-reading anything.
 */
export interface SyncContext {
	v: 1;
	mappingId: string;
	action: WriteAction;
	direction: Direction;
	/** Both records; the side being created is null until the vendor answers with its id. */
	source: RecordRef | null;
	target: RecordRef | null;
	/** The system and object this write goes to. */
	writeTo: { system: string; object: string };
	/** Version of the pair this was planned against; null when the write creates the pairing. */
	pairVersion: number | null;
	/** Snapshot fields to store on commit, per side. For a pairing they are the whole snapshot. */
	snapshot: { source: SnapshotEntry[]; target: SnapshotEntry[] };
	/** Paths of the payload (on the written side): their snapshot takes the vendor's answer when it has them. */
	written: string[];
	/** The vendor `updatedAt` of each side as seen by Plan. */
	updatedAt: { source: string | null; target: string | null };
	/** Creates: the write intent that makes them crash-safe. */
	intent?: { key: string; resumed: boolean; note?: string };
	/** Updates, deletes, archives of a pair: the lease this Plan holds on the pair until Commit releases it. */
	lease?: { token: string; note?: string };
	/** The run (n8n execution id) whose pending read checkpoints wait for this write's Commit (checkpoint.ts). */
	run?: string;
	dryRun?: boolean;
}

export interface ConflictField {
	/** Target path (the field in the target system's terms). */
	field: string;
	/** Source path(s) of the same pair. */
	sourceField: string;
	/** The source's value after mapping forward, the target's value, and the value both had at the last sync. */
	sourceValue: unknown;
	targetValue: unknown;
	baseValue?: unknown;
	/** Who won (`manual`: nobody, nothing was written for this field). */
	resolution: 'source' | 'target' | 'manual';
	/** Why that side won: `priority`, `strategy`, `newer`, `tie_break`. */
	rule: 'priority' | 'strategy' | 'newer' | 'tie_break' | 'manual';
}

/** A write for a vendor node: create/update/delete/archive on one side. */
export interface WriteDecision {
	action: WriteAction;
	direction: Direction;
	system: string;
	object: string;
	/** Id on the written side (updates, deletes, archives); null for creates. */
	targetId: string | null;
	/** Updates: only the fields to write. Creates: the whole mapped record. Deletes: empty. */
	fields: Record<string, unknown>;
	/** Creates: find/upsert by this key so a replay never duplicates. */
	matchKey: MatchKeyValue | null;
	/** True when an earlier create may already have happened: write it as an upsert by the match key. */
	upsert: boolean;
	/** Conflicts resolved automatically for this write (for the record; manual ones go to Conflict). */
	conflicts: ConflictField[];
	warnings: ClassifiedError[];
	sync: SyncContext;
	inputs: InputRef[];
}

export type UnchangedReason =
	| 'unchanged'
	| 'stale'
	| 'duplicate_in_batch'
	| 'delete_ignored'
	| 'deleted_unpaired'
	| 'deleted_on_both_sides'
	| 'no_flow'
	| 'paired'
	| 'candidate_invalid';

export type ConflictReason =
	| 'conflict'
	| 'ambiguous_match'
	| 'candidate_already_paired'
	| 'candidate_claimed'
	| 'missing_match_key'
	| 'unconfirmed_create'
	| 'pair_conflict';

export interface RoutedItem {
	reason: UnchangedReason | ConflictReason;
	message: string;
	mappingId: string;
	source: RecordRef | null;
	target: RecordRef | null;
	/** The record(s) this item is about, as received. */
	records: { source?: LedgerRecord; target?: LedgerRecord };
	/** Conflict: the fields nobody won (manual) with both values. */
	fields?: ConflictField[];
	/** Ambiguous first pairing: every candidate. */
	candidates?: RecordRef[];
	inputs: InputRef[];
}

export interface InvalidItem {
	side: Side;
	record: LedgerRecord;
	errors: ClassifiedError[];
	/** What the mapping produced before it failed. */
	mapped: Record<string, unknown>;
	inputs: InputRef[];
}

export interface PlanSummary {
	mappingId: string;
	dryRun: boolean;
	received: { source: number; target: number };
	create: { to_target: number; to_source: number };
	update: { to_target: number; to_source: number };
	delete: number;
	archive: number;
	/** Unchanged records (echoes of our own writes included: they equal the snapshot). */
	unchanged: number;
	/** Of the unchanged: out-of-order or replayed records older than the synced version. */
	stale: number;
	conflict: number;
	invalid: number;
	/** First pairings made by Plan itself (equal records, nothing to write). */
	paired: number;
	/** Creates re-emitted as upserts because an earlier create may have happened. */
	resumedCreates: number;
}

export interface PlanResult {
	toTarget: WriteDecision[];
	toSource: WriteDecision[];
	unchanged: RoutedItem[];
	conflict: RoutedItem[];
	invalid: InvalidItem[];
	summary: PlanSummary;
}

export interface PlanOptions {
	/** Records run counts under this id (the n8n execution id); several Plans and Commits of one execution add up. */
	runId?: string;
	/** Called each time the Plan starts to wait for a pair lease another run holds. */
	onLeaseWait?: (lease: PairLease) => void;
	/**
	 * The checkpoints this run's reads reached (each side's Get Changes `checkpoint`): recorded as pending for `runId`
	 * and confirmed once its writes are all committed (checkpoint.ts). Needs `runId`; ignored in a dry run.
	 */
	checkpoints?: PlanCheckpoints;
}

/** The vendor node's answer for one write, with the sync context it carried. */
export interface WriteOutcome {
	sync: SyncContext | null | undefined;
	ok: boolean;
	/** Id of the written record (the created id for creates). */
	id?: string | null;
	updatedAt?: string | null;
	/** The record as the vendor answered it (its fields take precedence for the snapshot of written fields). */
	fields?: Record<string, unknown> | null;
	error?: unknown;
}

export type CommitStatus = 'paired' | 'updated' | 'unlinked' | 'deferred' | 'pair_missing';

export type CommitItemResult =
	| { index: number; ok: true; status: CommitStatus; pair: Pair | null; note?: string }
	| { index: number; ok: false; reason: 'write_failed' | 'no_sync_context' | 'no_id' | 'pair_conflict'; message: string; pair?: Pair | null };

export interface CommitResult {
	results: CommitItemResult[];
	counts: { committed: number; failed: number; created: number; updated: number; deleted: number; deferred: number };
}

export interface LedgerStats extends PairStats {
	runs: RunTotals;
}

export type { JsonObject };
