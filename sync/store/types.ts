import type { ClassifiedError, ErrorCategory, ErrorCode } from '../../errors/taxonomy';
import type { CheckpointState, ConfirmCheckpointsOptions, PendingCheckpoint, PendingCheckpointInput, SyncCheckpoint } from './checkpoints';

/**
 * The durable sync state (ARCHITECTURE "State"): pairings and snapshots, write intents, cursors, processed
 * webhook event ids, review items with their retry schedule, runs and alert state.
 *
 * The store never holds credentials: callers pass record data, vendor ids, timestamps and classified errors,
 * none of which may carry a token or secret. Connection settings (a PostgreSQL password) stay in memory in the
 * registry and are never written to a table or returned by `info()`.
 */

/** A point in time as input: a Date or anything `new Date()` parses. Outputs are always ISO strings (UTC, ms). */
export type Timestamp = Date | string | number;

export type JsonObject = Record<string, unknown>;

export type Side = 'source' | 'target';

export interface RecordRef {
	system: string;
	object: string;
	id: string;
}

export interface PageRequest {
	/** Default 100, at most 1000. */
	limit?: number;
	/** The `next` of the previous page. */
	cursor?: string | null;
}

export interface Page<T> {
	items: T[];
	/** Pass as `cursor` for the next page; null on the last page. */
	next: string | null;
}

// ---------------------------------------------------------------------------------------------- pairings

export interface Pair {
	mappingId: string;
	source: RecordRef;
	target: RecordRef;
	/** Mapped values as last synced, per side: the base for change detection and echo suppression. */
	sourceSnapshot: JsonObject | null;
	targetSnapshot: JsonObject | null;
	/** The vendor's own `updatedAt` of each side at the last sync. */
	sourceUpdatedAt: string | null;
	targetUpdatedAt: string | null;
	lastSyncedAt: string;
	createdAt: string;
	/** Starts at 1, +1 on every update; use as `expectedVersion` for optimistic concurrency. */
	version: number;
}

export interface PairInput {
	mappingId: string;
	source: RecordRef;
	target: RecordRef;
	sourceSnapshot?: JsonObject | null;
	targetSnapshot?: JsonObject | null;
	sourceUpdatedAt?: Timestamp | null;
	targetUpdatedAt?: Timestamp | null;
	syncedAt?: Timestamp;
}

export interface PairResult {
	pair: Pair;
	/** False when a pair already existed (this call changed nothing). */
	created: boolean;
	/** True when the existing pair links the source or the target to a different partner than requested. */
	conflict: boolean;
}

export interface PairPatch {
	/** Replaces the side's snapshot (undefined leaves it alone). */
	sourceSnapshot?: JsonObject | null;
	targetSnapshot?: JsonObject | null;
	sourceUpdatedAt?: Timestamp | null;
	targetUpdatedAt?: Timestamp | null;
	/** Defaults to now. */
	syncedAt?: Timestamp;
	/** Only update when the pair is still at this version. */
	expectedVersion?: number;
}

export interface PairUpdate {
	side: Side;
	id: string;
	patch: PairPatch;
}

export type PairUpdateResult =
	| { ok: true; pair: Pair }
	| { ok: false; reason: 'not_found' }
	| { ok: false; reason: 'version_mismatch'; pair: Pair };

export interface PairStats {
	mappingId: string;
	pairs: number;
	lastSyncedAt: string | null;
	openIntents: number;
	review: Record<ReviewStatus, number>;
	lastRun: Run | null;
}

// ---------------------------------------------------------------------------------------------- write intents

export const INTENT_OPERATIONS = ['create', 'update', 'delete'] as const;
export type IntentOperation = (typeof INTENT_OPERATIONS)[number];
export const INTENT_STATUSES = ['open', 'done', 'abandoned'] as const;
export type IntentStatus = (typeof INTENT_STATUSES)[number];

export interface WriteIntent {
	/** The idempotency key (also sent to vendors that accept one). */
	key: string;
	mappingId: string;
	sourceId: string;
	operation: IntentOperation;
	targetSystem: string | null;
	targetObject: string | null;
	/** The field used to find the record again after a crash (e.g. `email`) and its normalised value. */
	matchKey: string | null;
	matchValue: string | null;
	status: IntentStatus;
	/** Known target id (updates, deletes) or the created one once done. */
	targetId: string | null;
	note: string | null;
	createdAt: string;
	updatedAt: string;
	completedAt: string | null;
}

export interface IntentInput {
	key: string;
	mappingId: string;
	sourceId: string;
	operation: IntentOperation;
	targetSystem?: string | null;
	targetObject?: string | null;
	matchKey?: string | null;
	matchValue?: string | null;
	targetId?: string | null;
}

export interface BeginIntentResult {
	/**
	 * The intent now open for this source record and operation. When `created` is false this is either the
	 * same key begun before (a replay) or another open intent for the same record: compare `intent.key`.
	 */
	intent: WriteIntent;
	created: boolean;
}

export interface CompleteIntentInput {
	targetId?: string | null;
	/** Pair the records in the same transaction, so a crash cannot leave a done intent without its pair. */
	pair?: PairInput;
}

// ---------------------------------------------------------------------------------------------- pair leases

/**
 * A short lease on one pair of a mapping (keyed by its source id), held by one token (one Plan call) from the
 * Plan that routes an update of the pair until the Commit of that write, or until it expires.
 */
export interface PairLease {
	mappingId: string;
	sourceId: string;
	token: string;
	acquiredAt: string;
	expiresAt: string;
}

export interface AcquirePairLeasesOptions {
	/** How long the leases live unless released or renewed (re-acquired by the same token). */
	ttlSeconds: number;
	/** Ids whose live lease of another token is taken over anyway (its holder waited out its bound). */
	takeOver?: readonly string[];
}

export interface AcquirePairLeasesResult {
	/**
	 * The ids now leased to the token. Ids are taken in one fixed order (sorted by code unit), and never past the
	 * first one another token holds, so two callers waiting for each other cannot deadlock.
	 */
	acquired: string[];
	/** The live lease of another token that stopped the acquisition (the caller waits, then calls again), or null. */
	blocked: PairLease | null;
	/** The live leases of other tokens that were taken over (from `takeOver`), as they were before. */
	takenOver: PairLease[];
}

// ---------------------------------------------------------------------------------------------- cursors

export interface Cursor {
	key: string;
	value: string;
	extra: unknown;
	version: number;
	updatedAt: string;
}

export interface CasResult<T> {
	ok: boolean;
	/** The stored value after the call: the new one when ok, the current one (or null) when not. */
	current: T | null;
}

// ---------------------------------------------------------------------------------------------- review items

export const REVIEW_STATUSES = ['open', 'retry_scheduled', 'approved', 'resolved', 'discarded', 'failed'] as const;
export type ReviewStatus = (typeof REVIEW_STATUSES)[number];
/** Statuses that end an item; the others are active (and count for de-duplication). */
export const CLOSED_REVIEW_STATUSES: readonly ReviewStatus[] = ['resolved', 'discarded'];
export const REVIEW_KINDS = ['error', 'conflict'] as const;
export type ReviewKind = (typeof REVIEW_KINDS)[number];

export interface ReviewItem {
	id: string;
	createdAt: string;
	updatedAt: string;
	status: ReviewStatus;
	kind: ReviewKind;
	mappingId: string | null;
	system: string | null;
	object: string | null;
	recordId: string | null;
	/** The record as it should be retried; a person may edit it. */
	data: unknown;
	errors: ClassifiedError[];
	category: ErrorCategory | null;
	code: ErrorCode | null;
	dedupeKey: string | null;
	/** How many times the same failure (same dedupe key) was added while this item was active. */
	occurrences: number;
	attempts: number;
	nextRetryAt: string | null;
	lease: { owner: string; until: string } | null;
	lastError: ClassifiedError | null;
	resolutionNote: string | null;
	/** Set when the item is resolved or discarded. */
	resolvedAt: string | null;
	/** Context that is not edited: run id, execution id, both sides of a conflict… */
	meta: unknown;
}

export interface ReviewItemInput {
	kind: ReviewKind;
	mappingId?: string | null;
	system?: string | null;
	object?: string | null;
	recordId?: string | null;
	data: unknown;
	errors?: ClassifiedError[];
	/** Default: from the first error. */
	category?: ErrorCategory | null;
	code?: ErrorCode | null;
	/** One active item per key: adding it again bumps `occurrences` and refreshes the errors. */
	dedupeKey?: string | null;
	/** Default `open`; `retry_scheduled` needs `nextRetryAt`. */
	status?: 'open' | 'retry_scheduled';
	nextRetryAt?: Timestamp | null;
	meta?: unknown;
}

export interface AddReviewResult {
	item: ReviewItem;
	created: boolean;
}

export interface ReviewFilter {
	status?: ReviewStatus | readonly ReviewStatus[];
	kind?: ReviewKind;
	category?: ErrorCategory | readonly ErrorCategory[];
	code?: ErrorCode | readonly ErrorCode[];
	mappingId?: string;
	system?: string;
	object?: string;
	recordId?: string;
	/** Created at or after. */
	from?: Timestamp;
	/** Created before. */
	to?: Timestamp;
}

export interface ReviewListRequest extends PageRequest {
	/** Default `newest` (created at, then id, descending). */
	order?: 'newest' | 'oldest';
}

export interface SetReviewStatusOptions {
	note?: string | null;
	/** For `retry_scheduled` and `approved` (default now). */
	nextRetryAt?: Timestamp;
	/** Only change the item while it has this status (or one of these). */
	expectedStatus?: ReviewStatus | readonly ReviewStatus[];
}

export interface ReviewMetrics {
	total: number;
	/** Items not resolved or discarded. */
	open: number;
	byStatus: Record<ReviewStatus, number>;
	byCategory: Record<string, number>;
	byCode: Record<string, number>;
	byKind: Record<ReviewKind, number>;
	/** Mean created → resolved time of resolved items, in milliseconds. */
	meanResolutionMs: number | null;
	retry: {
		/** Items with at least one recorded attempt. */
		attemptedItems: number;
		/** Of those, the ones that ended resolved. */
		resolvedItems: number;
		attempts: number;
		/** resolvedItems / attemptedItems, null before any attempt. */
		successRate: number | null;
	};
}

// ---------------------------------------------------------------------------------------------- retries

export interface RetryAttempt {
	itemId: string;
	attempt: number;
	outcome: 'succeeded' | 'failed';
	error: ClassifiedError | null;
	workerId: string | null;
	at: string;
}

export type AttemptOutcome = {
	/** 1-based; default: the item's attempts + 1. Recording the same attempt twice is a no-op. */
	attempt?: number;
	workerId?: string | null;
	at?: Timestamp;
} & (
	| { outcome: 'succeeded'; note?: string | null }
	| {
			outcome: 'failed';
			error?: ClassifiedError | null;
			/** Schedules the next attempt; without it the item ends in `status` (default `failed`). */
			nextRetryAt?: Timestamp | null;
			status?: 'open' | 'failed';
	  }
);

export interface RecordAttemptResult {
	/** False when this attempt number was already recorded. */
	recorded: boolean;
	item: ReviewItem;
}

// ---------------------------------------------------------------------------------------------- runs

export const RUN_STATUSES = ['pending', 'running', 'completed', 'partial', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];
export const RUN_COUNT_KEYS = ['fetched', 'created', 'updated', 'skipped', 'failed', 'unchanged', 'conflicts', 'parked'] as const;
export type RunCountKey = (typeof RUN_COUNT_KEYS)[number];
export type RunCounts = Record<RunCountKey, number>;

export interface Run {
	id: string;
	mappingId: string;
	trigger: string;
	dryRun: boolean;
	status: RunStatus;
	counts: RunCounts;
	startedAt: string;
	updatedAt: string;
	finishedAt: string | null;
	error: string | null;
	meta: unknown;
}

export interface StartRunInput {
	/** Optional (e.g. the n8n execution id): starting the same id twice returns the first run. */
	id?: string;
	mappingId: string;
	trigger: string;
	dryRun?: boolean;
	status?: 'pending' | 'running';
	meta?: unknown;
	startedAt?: Timestamp;
}

export interface RunUpdate {
	status?: RunStatus;
	/** Absolute values (idempotent). */
	counts?: Partial<RunCounts>;
	/** Added to the stored values (for batches counted as they finish). */
	increment?: Partial<RunCounts>;
	error?: string | null;
	meta?: unknown;
}

export interface RunFilter {
	mappingId?: string;
	status?: RunStatus | readonly RunStatus[];
	/** Started at or after / before. */
	from?: Timestamp;
	to?: Timestamp;
	dryRun?: boolean;
}

export interface RunTotals {
	runs: number;
	counts: RunCounts;
	/** failed / fetched over the runs, null when nothing was fetched. */
	errorRate: number | null;
	byStatus: Record<RunStatus, number>;
}

// ---------------------------------------------------------------------------------------------- alert state

export interface AlertStateEntry<T = unknown> {
	key: string;
	value: T;
	version: number;
	updatedAt: string;
}

// ---------------------------------------------------------------------------------------------- the store

export interface PruneOptions {
	now?: Timestamp;
	/** Done and abandoned intents completed before this. */
	intentsBefore?: Timestamp;
	/** Resolved and discarded review items closed before this. */
	reviewClosedBefore?: Timestamp;
	/** Finished runs started before this. */
	runsBefore?: Timestamp;
}

export interface PruneResult {
	events: number;
	/** Expired pair leases (their holders crashed or never committed). */
	leases: number;
	intents: number;
	reviewItems: number;
	runs: number;
}

export interface StoreInfo {
	backend: 'sqlite' | 'postgres';
	schemaVersion: number;
	/** The SQLite file or the PostgreSQL schema name (never a connection string). */
	location: string;
}

export interface SyncStore {
	info(): Promise<StoreInfo>;

	// pairings
	pairRecord(input: PairInput): Promise<PairResult>;
	/** pairRecord for many records in one transaction; results in input order. */
	pairRecords(inputs: readonly PairInput[]): Promise<PairResult[]>;
	getPair(mappingId: string, side: Side, id: string): Promise<Pair | null>;
	/** Batch lookup (any number of ids); missing ids are simply absent from the answer. */
	getPairs(mappingId: string, side: Side, ids: readonly string[]): Promise<Pair[]>;
	updatePair(mappingId: string, side: Side, id: string, patch: PairPatch): Promise<PairUpdateResult>;
	/** updatePair for many pairs of one mapping in one transaction; results in input order. */
	updatePairs(mappingId: string, updates: readonly PairUpdate[]): Promise<PairUpdateResult[]>;
	unlinkPair(mappingId: string, side: Side, id: string): Promise<boolean>;
	/** unlinkPair for many ids in one transaction; per id whether its pair was removed, in input order. */
	unlinkPairs(mappingId: string, side: Side, ids: readonly string[]): Promise<boolean[]>;
	/** Deletes every pair of a mapping; returns how many. */
	forgetMapping(mappingId: string): Promise<number>;
	/** Ordered by source id. */
	listPairs(mappingId: string, page?: PageRequest): Promise<Page<Pair>>;
	pairStats(mappingId: string): Promise<PairStats>;

	// write intents
	beginIntent(input: IntentInput): Promise<BeginIntentResult>;
	completeIntent(key: string, result?: CompleteIntentInput): Promise<{ intent: WriteIntent; pair?: PairResult } | null>;
	abandonIntent(key: string, note?: string | null): Promise<WriteIntent | null>;
	/** beginIntent for many records in one transaction (a few statements for any number); results in input order. */
	beginIntents(inputs: readonly IntentInput[]): Promise<BeginIntentResult[]>;
	/**
	 * completeIntent for many intents in one transaction: every intent with its pair, so a crash cannot leave a done
	 * intent without its pair; a few statements for any number. Results in input order, null for an unknown key.
	 */
	completeIntents(items: ReadonlyArray<{ key: string; result?: CompleteIntentInput }>): Promise<Array<{ intent: WriteIntent; pair?: PairResult } | null>>;
	/** abandonIntent for many keys in one transaction; results in input order. */
	abandonIntents(keys: readonly string[], note?: string | null): Promise<Array<WriteIntent | null>>;
	getIntent(key: string): Promise<WriteIntent | null>;
	/** Open intents, oldest first. */
	openIntents(mappingId: string, options?: { olderThan?: Timestamp; sourceIds?: readonly string[]; limit?: number }): Promise<WriteIntent[]>;

	// pair leases
	/** Leases the pairs to `token` in one fixed order (see AcquirePairLeasesResult); re-acquiring renews. */
	acquirePairLeases(mappingId: string, token: string, sourceIds: readonly string[], options: AcquirePairLeasesOptions): Promise<AcquirePairLeasesResult>;
	/** Releases the token's leases (all of them, or of these ids); another token's lease is never touched. */
	releasePairLeases(mappingId: string, token: string, sourceIds?: readonly string[]): Promise<number>;
	/** Leases of a mapping (of these ids), expired ones included until they are taken or pruned; by source id. */
	listPairLeases(mappingId: string, sourceIds?: readonly string[]): Promise<PairLease[]>;

	// cursors
	getCursor(key: string): Promise<Cursor | null>;
	setCursor(key: string, value: string, extra?: unknown): Promise<Cursor>;
	/** Moves the cursor only if its value is still `expected` (null: only if absent). Replaying a done move is ok. */
	advanceCursor(key: string, value: string, expected: string | null, extra?: unknown): Promise<CasResult<Cursor>>;
	/** Several advanceCursor moves in one write transaction (one commit for all), results in order. */
	advanceCursors(moves: ReadonlyArray<{ key: string; value: string; expected: string | null }>): Promise<Array<CasResult<Cursor>>>;
	deleteCursor(key: string): Promise<boolean>;
	/** Deletes every cursor whose key starts with `prefix` (not empty) in one statement; returns how many. */
	deleteCursorsWithPrefix(prefix: string): Promise<number>;
	listCursors(prefix?: string): Promise<Cursor[]>;

	// webhook de-duplication
	/** True the first time (source, eventId) is seen within its time to live, false for a duplicate. */
	markEventProcessed(source: string, eventId: string, ttlSeconds: number, now?: Timestamp): Promise<boolean>;
	/** The same for several ids of one source in one statement (a webhook batch); the ids seen for the first time. */
	markEventsProcessed(source: string, eventIds: readonly string[], ttlSeconds: number, now?: Timestamp): Promise<Set<string>>;
	pruneProcessedEvents(now?: Timestamp): Promise<number>;

	// review items
	addReviewItem(input: ReviewItemInput): Promise<AddReviewResult>;
	getReviewItem(id: string): Promise<ReviewItem | null>;
	getReviewItems(ids: readonly string[]): Promise<ReviewItem[]>;
	listReviewItems(filter?: ReviewFilter, page?: ReviewListRequest): Promise<Page<ReviewItem>>;
	countReviewItems(filter?: ReviewFilter): Promise<number>;
	/** Replaces the record data of an active item; throws StoreError INVALID_STATE on a closed one. */
	editReviewData(id: string, data: unknown, options?: { note?: string | null }): Promise<ReviewItem | null>;
	/** Returns the item after the call (unchanged when `expectedStatus` did not match), null if unknown. */
	setReviewStatus(id: string, status: ReviewStatus, options?: SetReviewStatusOptions): Promise<ReviewItem | null>;
	/** Same for many items; returns the ids that changed. */
	setReviewStatusMany(ids: readonly string[], status: ReviewStatus, options?: SetReviewStatusOptions): Promise<string[]>;
	reviewMetrics(filter?: ReviewFilter): Promise<ReviewMetrics>;

	// retry schedule
	/** Schedules attempt number `attempt`; a no-op (ok false) when that attempt was already made or the item is closed. */
	scheduleRetry(itemId: string, dueAt: Timestamp, attempt: number): Promise<{ ok: boolean; item: ReviewItem | null }>;
	/** Due `retry_scheduled` and `approved` items, leased to `workerId`; never the same item to two live leases. */
	claimDueRetries(now: Timestamp, limit: number, workerId: string, leaseSeconds: number): Promise<ReviewItem[]>;
	releaseLease(itemId: string, workerId: string): Promise<boolean>;
	recordAttempt(itemId: string, outcome: AttemptOutcome): Promise<RecordAttemptResult | null>;
	listAttempts(itemId: string): Promise<RetryAttempt[]>;

	// runs
	startRun(input: StartRunInput): Promise<Run>;
	updateRun(id: string, update: RunUpdate): Promise<Run | null>;
	finishRun(id: string, status: RunStatus, update?: Omit<RunUpdate, 'status'>): Promise<Run | null>;
	getRun(id: string): Promise<Run | null>;
	/** Newest first. */
	listRuns(filter?: RunFilter, page?: PageRequest): Promise<Page<Run>>;
	runTotals(filter?: RunFilter): Promise<RunTotals>;

	// alert state
	getAlertState<T = unknown>(key: string): Promise<AlertStateEntry<T> | null>;
	setAlertState<T = unknown>(key: string, value: T): Promise<AlertStateEntry<T>>;
	/** Writes only if the entry is still at `expectedVersion` (null: only if absent). */
	compareAndSetAlertState<T = unknown>(key: string, value: T, expectedVersion: number | null): Promise<CasResult<AlertStateEntry<T>>>;
	/** Read-modify-write with compare-and-set, retried on contention. */
	mutateAlertState<T = unknown>(key: string, fn: (current: T | undefined) => T): Promise<AlertStateEntry<T>>;
	deleteAlertState(key: string): Promise<boolean>;
	listAlertState<T = unknown>(prefix?: string): Promise<AlertStateEntry<T>[]>;

	// read checkpoints of incremental syncs (checkpoints.ts)
	/** A run's pending checkpoints and its outstanding writes, in one transaction. */
	recordPendingCheckpoint(input: PendingCheckpointInput): Promise<PendingCheckpoint>;
	/** Marks writes of a run finished (committed or failed); returns how many were still open. */
	finishCheckpointWork(mappingId: string, runId: string, keys: readonly string[]): Promise<number>;
	/** Promotes the pending runs that left nothing unfinished, then returns the confirmed checkpoints. */
	confirmCheckpoints(mappingId: string, options?: ConfirmCheckpointsOptions): Promise<CheckpointState>;
	/** The confirmed checkpoints and pending runs as they are. */
	getCheckpoints(mappingId: string): Promise<CheckpointState>;
	/** Sets (or with null clears) a side's confirmed checkpoint by hand. */
	setCheckpoint(mappingId: string, side: Side, value: string | null): Promise<SyncCheckpoint | null>;
	/** Forgets every checkpoint of a mapping, confirmed and pending. */
	resetCheckpoints(mappingId: string): Promise<number>;

	// housekeeping
	prune(options?: PruneOptions): Promise<PruneResult>;
	/** Releases this handle; the shared connection closes with its last handle. Idempotent. */
	close(): Promise<void>;
}
