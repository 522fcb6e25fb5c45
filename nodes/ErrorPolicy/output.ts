import type { IDataObject } from 'n8n-workflow';
import type { ClassifiedFailure, Decision, PolicyConfig } from '../../sync/errors';
import type { ReviewItem } from '../../sync/store';
import { failedItem } from '../shared/records';

/** A failed input item with its decision, before it is applied. */
export interface Planned {
	index: number;
	failure: ClassifiedFailure;
	decision: Decision;
	policy: PolicyConfig;
	mappingId: string | null;
}

/** The failed-item shape of this package, plus the decision (and the review item that now holds the record). */
export function outputJson(p: Planned, item: ReviewItem | null, created?: boolean): IDataObject {
	const { failure, decision } = p;
	const extra: IDataObject = {
		mappingId: p.mappingId,
		source: failure.source,
		decision: {
			...decision,
			// The retries are used up: the record is parked as failed (Sync Alert reads this).
			exhausted: decision.status === 'failed',
			...(item ? { reviewItemId: item.id, reviewStatus: item.status, created: created ?? false, occurrences: item.occurrences, attempts: item.attempts } : {}),
		} as unknown as IDataObject,
	};
	if (failure.kind === 'conflict') extra.conflict = failure.conflict as unknown as IDataObject;
	if (failure.workflow) extra.workflow = failure.workflow as IDataObject;
	if (failure.execution) extra.execution = failure.execution as IDataObject;
	return failedItem(failure.stage ?? failure.source, failure.node ?? '', (failure.record ?? null) as IDataObject, failure.errors, extra);
}

