import type { ClassifiedError, ErrorCategory, ErrorCode } from '../../errors/taxonomy';
import { fromJson, num, str, strOrNull, tsOrNull, type Dialect, type Row } from './sql';
import type {
	AlertStateEntry,
	Cursor,
	IntentOperation,
	IntentStatus,
	JsonObject,
	Pair,
	RetryAttempt,
	ReviewItem,
	ReviewKind,
	ReviewStatus,
	Run,
	RunStatus,
	WriteIntent,
} from './types';

/** What every operation gets: the SQL dialect and the clock (injected so tests control time). */
export interface Ctx {
	readonly d: Dialect;
	/** Now, as the stored ISO string. */
	now(): string;
	/** A new time-ordered id. */
	newId(): string;
}

export function pairFromRow(r: Row): Pair {
	return {
		mappingId: str(r.mapping_id),
		source: { system: str(r.source_system), object: str(r.source_object), id: str(r.source_id) },
		target: { system: str(r.target_system), object: str(r.target_object), id: str(r.target_id) },
		sourceSnapshot: fromJson<JsonObject>(r.source_snapshot),
		targetSnapshot: fromJson<JsonObject>(r.target_snapshot),
		sourceUpdatedAt: tsOrNull(r.source_updated_at),
		targetUpdatedAt: tsOrNull(r.target_updated_at),
		lastSyncedAt: str(r.last_synced_at),
		createdAt: str(r.created_at),
		version: num(r.version),
	};
}

export function intentFromRow(r: Row): WriteIntent {
	return {
		key: str(r.idempotency_key),
		mappingId: str(r.mapping_id),
		sourceId: str(r.source_id),
		operation: str(r.operation) as IntentOperation,
		targetSystem: strOrNull(r.target_system),
		targetObject: strOrNull(r.target_object),
		matchKey: strOrNull(r.match_key),
		matchValue: strOrNull(r.match_value),
		status: str(r.status) as IntentStatus,
		targetId: strOrNull(r.target_id),
		note: strOrNull(r.note),
		createdAt: str(r.created_at),
		updatedAt: str(r.updated_at),
		completedAt: tsOrNull(r.completed_at),
	};
}

export function cursorFromRow(r: Row): Cursor {
	return {
		key: str(r.key),
		value: str(r.value),
		extra: fromJson(r.extra),
		version: num(r.version),
		updatedAt: str(r.updated_at),
	};
}

export function reviewFromRow(r: Row): ReviewItem {
	const leaseOwner = strOrNull(r.lease_owner);
	const leaseUntil = tsOrNull(r.lease_until);
	return {
		id: str(r.id),
		createdAt: str(r.created_at),
		updatedAt: str(r.updated_at),
		status: str(r.status) as ReviewStatus,
		kind: str(r.kind) as ReviewKind,
		mappingId: strOrNull(r.mapping_id),
		system: strOrNull(r.system),
		object: strOrNull(r.object),
		recordId: strOrNull(r.record_id),
		data: fromJson(r.data),
		errors: fromJson<ClassifiedError[]>(r.errors) ?? [],
		category: strOrNull(r.category) as ErrorCategory | null,
		code: strOrNull(r.code) as ErrorCode | null,
		dedupeKey: strOrNull(r.dedupe_key),
		occurrences: num(r.occurrences),
		attempts: num(r.attempts),
		nextRetryAt: tsOrNull(r.next_retry_at),
		lease: leaseOwner !== null && leaseUntil !== null ? { owner: leaseOwner, until: leaseUntil } : null,
		lastError: fromJson<ClassifiedError>(r.last_error),
		resolutionNote: strOrNull(r.resolution_note),
		resolvedAt: tsOrNull(r.resolved_at),
		meta: fromJson(r.meta),
	};
}

export function attemptFromRow(r: Row): RetryAttempt {
	return {
		itemId: str(r.item_id),
		attempt: num(r.attempt),
		outcome: str(r.outcome) as RetryAttempt['outcome'],
		error: fromJson<ClassifiedError>(r.error),
		workerId: strOrNull(r.worker_id),
		at: str(r.at),
	};
}

export function runFromRow(r: Row): Run {
	return {
		id: str(r.id),
		mappingId: str(r.mapping_id),
		trigger: str(r.run_trigger),
		// SQLite hands booleans back as 0/1.
		dryRun: r.dry_run === true || r.dry_run === 1 || r.dry_run === 1n,
		status: str(r.status) as RunStatus,
		counts: {
			fetched: num(r.fetched),
			created: num(r.created),
			updated: num(r.updated),
			skipped: num(r.skipped),
			failed: num(r.failed),
			unchanged: num(r.unchanged),
			conflicts: num(r.conflicts),
			parked: num(r.parked),
		},
		startedAt: str(r.started_at),
		updatedAt: str(r.updated_at),
		finishedAt: tsOrNull(r.finished_at),
		error: strOrNull(r.error),
		meta: fromJson(r.meta),
	};
}

export function alertFromRow<T>(r: Row): AlertStateEntry<T> {
	return {
		key: str(r.key),
		value: fromJson<T>(r.value) as T,
		version: num(r.version),
		updatedAt: str(r.updated_at),
	};
}
