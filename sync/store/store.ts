import * as checkpoints from './checkpoints';
import type { CheckpointState, ConfirmCheckpointsOptions, PendingCheckpoint, PendingCheckpointInput, SyncCheckpoint } from './checkpoints';
import { StoreError } from './errors';
import * as intents from './intents';
import * as leases from './leases';
import { schemaVersion } from './migrate';
import * as pairs from './pairs';
import * as review from './review';
import type { Ctx } from './rows';
import * as runs from './runs';
import type { Driver, Op, TxMode } from './sql';
import * as state from './state';
import type {
	AcquirePairLeasesOptions,
	AcquirePairLeasesResult,
	AddReviewResult,
	AlertStateEntry,
	AttemptOutcome,
	BeginIntentResult,
	CasResult,
	CompleteIntentInput,
	Cursor,
	IntentInput,
	Page,
	PageRequest,
	Pair,
	PairInput,
	PairLease,
	PairPatch,
	PairResult,
	PairStats,
	PairUpdate,
	PairUpdateResult,
	PruneOptions,
	PruneResult,
	RecordAttemptResult,
	RetryAttempt,
	ReviewFilter,
	ReviewItem,
	ReviewItemInput,
	ReviewListRequest,
	ReviewMetrics,
	ReviewStatus,
	Run,
	RunFilter,
	RunStatus,
	RunTotals,
	RunUpdate,
	SetReviewStatusOptions,
	Side,
	StartRunInput,
	StoreInfo,
	SyncStore,
	Timestamp,
	WriteIntent,
} from './types';

export interface StoreOptions {
	/** The store's notion of now (tests); default the system clock. */
	clock?: () => Date;
}

/** One open database (connection or pool) shared by every handle opened on it. */
export interface StoreCore {
	driver: Driver;
	backend: 'sqlite' | 'postgres';
	location: string;
	ctx: Ctx;
	/** Expired webhook event ids are pruned every PRUNE_EVERY marks, so the table stays small without a job. */
	eventsSincePrune: number;
}

const PRUNE_EVERY = 500;
const MUTATE_ROUNDS = 20;

/** The SyncStore over either backend; a thin layer that picks each operation's transaction mode. */
export class SqlStore implements SyncStore {
	private closed = false;

	constructor(
		private readonly core: StoreCore,
		private readonly release: () => Promise<void>,
	) {}

	private run<T>(op: (c: Ctx) => Op<T>, mode: TxMode = 'none'): Promise<T> {
		if (this.closed) return Promise.reject(new StoreError('CLOSED', 'This store handle is closed'));
		return this.core.driver.run(() => op(this.core.ctx), mode);
	}

	async info(): Promise<StoreInfo> {
		const version = await this.run((c) => schemaVersion(c.d));
		return { backend: this.core.backend, schemaVersion: version, location: this.core.location };
	}

	// pairings
	pairRecord(input: PairInput): Promise<PairResult> {
		return this.run((c) => pairs.pairRecord(c, input));
	}
	pairRecords(inputs: readonly PairInput[]): Promise<PairResult[]> {
		return this.run((c) => pairs.pairRecords(c, inputs), 'write');
	}
	updatePairs(mappingId: string, updates: readonly PairUpdate[]): Promise<PairUpdateResult[]> {
		return this.run((c) => pairs.updatePairs(c, mappingId, updates), 'write');
	}
	getPair(mappingId: string, side: Side, id: string): Promise<Pair | null> {
		return this.run((c) => pairs.getPair(c, mappingId, side, id));
	}
	getPairs(mappingId: string, side: Side, ids: readonly string[]): Promise<Pair[]> {
		return this.run((c) => pairs.getPairs(c, mappingId, side, ids));
	}
	updatePair(mappingId: string, side: Side, id: string, patch: PairPatch): Promise<PairUpdateResult> {
		return this.run((c) => pairs.updatePair(c, mappingId, side, id, patch));
	}
	unlinkPair(mappingId: string, side: Side, id: string): Promise<boolean> {
		return this.run((c) => pairs.unlinkPair(c, mappingId, side, id));
	}
	unlinkPairs(mappingId: string, side: Side, ids: readonly string[]): Promise<boolean[]> {
		return this.run((c) => pairs.unlinkPairs(c, mappingId, side, ids), 'write');
	}
	forgetMapping(mappingId: string): Promise<number> {
		return this.run((c) => pairs.forgetMapping(c, mappingId));
	}
	listPairs(mappingId: string, page?: PageRequest): Promise<Page<Pair>> {
		return this.run((c) => pairs.listPairs(c, mappingId, page));
	}
	pairStats(mappingId: string): Promise<PairStats> {
		return this.run((c) => pairs.pairStats(c, mappingId), 'read');
	}

	// write intents
	beginIntent(input: IntentInput): Promise<BeginIntentResult> {
		return this.run((c) => intents.beginIntent(c, input));
	}
	completeIntent(key: string, result?: CompleteIntentInput): Promise<{ intent: WriteIntent; pair?: PairResult } | null> {
		return this.run((c) => intents.completeIntent(c, key, result), 'write');
	}
	abandonIntent(key: string, note?: string | null): Promise<WriteIntent | null> {
		return this.run((c) => intents.abandonIntent(c, key, note));
	}
	beginIntents(inputs: readonly IntentInput[]): Promise<BeginIntentResult[]> {
		return this.run((c) => intents.beginIntents(c, inputs), 'write');
	}
	completeIntents(items: ReadonlyArray<{ key: string; result?: CompleteIntentInput }>): Promise<Array<{ intent: WriteIntent; pair?: PairResult } | null>> {
		return this.run((c) => intents.completeIntents(c, items), 'write');
	}
	abandonIntents(keys: readonly string[], note?: string | null): Promise<Array<WriteIntent | null>> {
		return this.run((c) => intents.abandonIntents(c, keys, note), 'write');
	}
	getIntent(key: string): Promise<WriteIntent | null> {
		return this.run((c) => intents.getIntent(c, key));
	}
	openIntents(mappingId: string, options?: { olderThan?: Timestamp; sourceIds?: readonly string[]; limit?: number }): Promise<WriteIntent[]> {
		return this.run((c) => intents.openIntents(c, mappingId, options));
	}

	// pair leases
	acquirePairLeases(mappingId: string, token: string, sourceIds: readonly string[], options: AcquirePairLeasesOptions): Promise<AcquirePairLeasesResult> {
		return this.run((c) => leases.acquirePairLeases(c, mappingId, token, sourceIds, options), 'write');
	}
	releasePairLeases(mappingId: string, token: string, sourceIds?: readonly string[]): Promise<number> {
		return this.run((c) => leases.releasePairLeases(c, mappingId, token, sourceIds), 'write');
	}
	listPairLeases(mappingId: string, sourceIds?: readonly string[]): Promise<PairLease[]> {
		return this.run((c) => leases.listPairLeases(c, mappingId, sourceIds));
	}

	// cursors
	getCursor(key: string): Promise<Cursor | null> {
		return this.run((c) => state.getCursor(c, key));
	}
	setCursor(key: string, value: string, extra?: unknown): Promise<Cursor> {
		return this.run((c) => state.setCursor(c, key, value, extra));
	}
	advanceCursor(key: string, value: string, expected: string | null, extra?: unknown): Promise<CasResult<Cursor>> {
		return this.run((c) => state.advanceCursor(c, key, value, expected, extra));
	}
	advanceCursors(moves: ReadonlyArray<{ key: string; value: string; expected: string | null }>): Promise<Array<CasResult<Cursor>>> {
		return this.run(function* (c) {
			const out: Array<CasResult<Cursor>> = [];
			for (const m of moves) out.push(yield* state.advanceCursor(c, m.key, m.value, m.expected, undefined));
			return out;
		}, 'write');
	}
	deleteCursorsWithPrefix(prefix: string): Promise<number> {
		return this.run((c) => state.deleteCursorsWithPrefix(c, prefix), 'write');
	}
	deleteCursor(key: string): Promise<boolean> {
		return this.run((c) => state.deleteCursor(c, key));
	}
	listCursors(prefix?: string): Promise<Cursor[]> {
		return this.run((c) => state.listCursors(c, prefix));
	}

	// webhook de-duplication
	async markEventProcessed(source: string, eventId: string, ttlSeconds: number, now?: Timestamp): Promise<boolean> {
		const fresh = await this.run((c) => state.markEventProcessed(c, source, eventId, ttlSeconds, now));
		if (++this.core.eventsSincePrune >= PRUNE_EVERY) {
			this.core.eventsSincePrune = 0;
			await this.pruneProcessedEvents(now);
		}
		return fresh;
	}
	async markEventsProcessed(source: string, eventIds: readonly string[], ttlSeconds: number, now?: Timestamp): Promise<Set<string>> {
		const fresh = await this.run((c) => state.markEventsProcessed(c, source, eventIds, ttlSeconds, now));
		this.core.eventsSincePrune += eventIds.length;
		if (this.core.eventsSincePrune >= PRUNE_EVERY) {
			this.core.eventsSincePrune = 0;
			await this.pruneProcessedEvents(now);
		}
		return fresh;
	}
	pruneProcessedEvents(now?: Timestamp): Promise<number> {
		return this.run((c) => state.pruneProcessedEvents(c, now));
	}

	// review items
	addReviewItem(input: ReviewItemInput): Promise<AddReviewResult> {
		return this.run((c) => review.addReviewItem(c, input));
	}
	getReviewItem(id: string): Promise<ReviewItem | null> {
		return this.run((c) => review.getReviewItem(c, id));
	}
	getReviewItems(ids: readonly string[]): Promise<ReviewItem[]> {
		return this.run((c) => review.getReviewItems(c, ids));
	}
	listReviewItems(filter?: ReviewFilter, page?: ReviewListRequest): Promise<Page<ReviewItem>> {
		return this.run((c) => review.listReviewItems(c, filter, page));
	}
	countReviewItems(filter?: ReviewFilter): Promise<number> {
		return this.run((c) => review.countReviewItems(c, filter));
	}
	editReviewData(id: string, data: unknown, options: { note?: string | null } = {}): Promise<ReviewItem | null> {
		return this.run((c) => review.editReviewData(c, id, data, options.note));
	}
	setReviewStatus(id: string, status: ReviewStatus, options?: SetReviewStatusOptions): Promise<ReviewItem | null> {
		return this.run((c) => review.setReviewStatus(c, id, status, options));
	}
	setReviewStatusMany(ids: readonly string[], status: ReviewStatus, options?: SetReviewStatusOptions): Promise<string[]> {
		return this.run((c) => review.setReviewStatusMany(c, ids, status, options));
	}
	reviewMetrics(filter?: ReviewFilter): Promise<ReviewMetrics> {
		return this.run((c) => review.reviewMetrics(c, filter), 'read');
	}

	// retry schedule
	scheduleRetry(itemId: string, dueAt: Timestamp, attempt: number): Promise<{ ok: boolean; item: ReviewItem | null }> {
		return this.run((c) => review.scheduleRetry(c, itemId, dueAt, attempt));
	}
	claimDueRetries(now: Timestamp, limit: number, workerId: string, leaseSeconds: number): Promise<ReviewItem[]> {
		return this.run((c) => review.claimDueRetries(c, now, limit, workerId, leaseSeconds));
	}
	releaseLease(itemId: string, workerId: string): Promise<boolean> {
		return this.run((c) => review.releaseLease(c, itemId, workerId));
	}
	recordAttempt(itemId: string, outcome: AttemptOutcome): Promise<RecordAttemptResult | null> {
		return this.run((c) => review.recordAttempt(c, itemId, outcome), 'write');
	}
	listAttempts(itemId: string): Promise<RetryAttempt[]> {
		return this.run((c) => review.listAttempts(c, itemId));
	}

	// runs
	startRun(input: StartRunInput): Promise<Run> {
		return this.run((c) => runs.startRun(c, input));
	}
	updateRun(id: string, update: RunUpdate): Promise<Run | null> {
		return this.run((c) => runs.updateRun(c, id, update, false));
	}
	finishRun(id: string, status: RunStatus, update: Omit<RunUpdate, 'status'> = {}): Promise<Run | null> {
		return this.run((c) => runs.finishRun(c, id, status, update));
	}
	getRun(id: string): Promise<Run | null> {
		return this.run((c) => runs.getRun(c, id));
	}
	listRuns(filter?: RunFilter, page?: PageRequest): Promise<Page<Run>> {
		return this.run((c) => runs.listRuns(c, filter, page));
	}
	runTotals(filter?: RunFilter): Promise<RunTotals> {
		return this.run((c) => runs.runTotals(c, filter));
	}

	// alert state
	getAlertState<T = unknown>(key: string): Promise<AlertStateEntry<T> | null> {
		return this.run((c) => state.getAlertState<T>(c, key));
	}
	setAlertState<T = unknown>(key: string, value: T): Promise<AlertStateEntry<T>> {
		return this.run((c) => state.setAlertState<T>(c, key, value));
	}
	compareAndSetAlertState<T = unknown>(key: string, value: T, expectedVersion: number | null): Promise<CasResult<AlertStateEntry<T>>> {
		return this.run((c) => state.compareAndSetAlertState<T>(c, key, value, expectedVersion));
	}
	async mutateAlertState<T = unknown>(key: string, fn: (current: T | undefined) => T): Promise<AlertStateEntry<T>> {
		for (let round = 0; round < MUTATE_ROUNDS; round++) {
			const current = await this.getAlertState<T>(key);
			const res = await this.compareAndSetAlertState<T>(key, fn(current?.value), current ? current.version : null);
			if (res.ok && res.current) return res.current;
		}
		throw new StoreError('CONFLICT', `Alert state ${key} kept changing; gave up after ${MUTATE_ROUNDS} tries`);
	}
	deleteAlertState(key: string): Promise<boolean> {
		return this.run((c) => state.deleteAlertState(c, key));
	}
	listAlertState<T = unknown>(prefix?: string): Promise<AlertStateEntry<T>[]> {
		return this.run((c) => state.listAlertState<T>(c, prefix));
	}

	// read checkpoints
	recordPendingCheckpoint(input: PendingCheckpointInput): Promise<PendingCheckpoint> {
		return this.run((c) => checkpoints.recordPendingCheckpoint(c, input), 'write');
	}
	finishCheckpointWork(mappingId: string, runId: string, keys: readonly string[]): Promise<number> {
		return this.run((c) => checkpoints.finishCheckpointWork(c, mappingId, runId, keys), 'write');
	}
	confirmCheckpoints(mappingId: string, options?: ConfirmCheckpointsOptions): Promise<CheckpointState> {
		return this.run((c) => checkpoints.confirmCheckpoints(c, mappingId, options), 'write');
	}
	getCheckpoints(mappingId: string): Promise<CheckpointState> {
		return this.run((c) => checkpoints.getCheckpoints(c, mappingId), 'read');
	}
	setCheckpoint(mappingId: string, side: Side, value: string | null): Promise<SyncCheckpoint | null> {
		return this.run((c) => checkpoints.setCheckpoint(c, mappingId, side, value), 'write');
	}
	resetCheckpoints(mappingId: string): Promise<number> {
		return this.run((c) => checkpoints.resetCheckpoints(c, mappingId), 'write');
	}

	// housekeeping
	prune(options?: PruneOptions): Promise<PruneResult> {
		return this.run((c) => runs.prune(c, options), 'write');
	}

	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		await this.release();
	}
}
