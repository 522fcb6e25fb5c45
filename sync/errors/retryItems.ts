import type { ReviewItem } from '../store';
import { redactSecrets } from './redact';

/**
 * What a retry worker receives for a parked record: the record itself at the top level (so a vendor node writes
 * it as it would have the first time) and a `review` object that says which review item and attempt this is.
 * Record Retry Success / Failure and the Error Policy read `review.itemId` back from it.
 */

export interface ReviewInfo {
	itemId: string;
	attempt: number;
	kind: ReviewItem['kind'];
	status: ReviewItem['status'];
	mappingId: string | null;
	system: string | null;
	object: string | null;
	recordId: string | null;
	category: ReviewItem['category'];
	code: ReviewItem['code'];
	errors: ReviewItem['errors'];
	lastError: ReviewItem['lastError'];
	occurrences: number;
	leaseUntil: string | null;
	workerId: string | null;
}

export function reviewInfo(item: ReviewItem, attempt = item.attempts + 1): ReviewInfo {
	return {
		itemId: item.id,
		attempt,
		kind: item.kind,
		status: item.status,
		mappingId: item.mappingId,
		system: item.system,
		object: item.object,
		recordId: item.recordId,
		category: item.category,
		code: item.code,
		errors: item.errors,
		lastError: item.lastError,
		occurrences: item.occurrences,
		leaseUntil: item.lease?.until ?? null,
		workerId: item.lease?.owner ?? null,
	};
}

/** `{ ...record, review }` for object records, `{ data, review }` for anything else (or a record with its own `review`). */
export function retryPayload(item: ReviewItem, attempt = item.attempts + 1): Record<string, unknown> {
	const review = reviewInfo(item, attempt);
	const data = redactSecrets(item.data);
	if (data !== null && typeof data === 'object' && !Array.isArray(data) && !('review' in (data as object))) return { ...(data as Record<string, unknown>), review };
	return { data, review };
}

/** The whole review item as one object (for lists, Get and the "Review Item" output format). */
export function reviewItemJson(item: ReviewItem): Record<string, unknown> {
	return redactSecrets({ ...item }) as unknown as Record<string, unknown>;
}
