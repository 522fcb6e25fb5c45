import { createHash } from 'node:crypto';
import type { ClassifiedError } from '../../errors/taxonomy';
import type { ReviewItem, ReviewItemInput, SyncStore } from '../store';
import type { ClassifiedFailure } from './classify';
import { chooseStrategy, decide, DEFAULT_POLICY, planRetry, policyConfig, type Decision, type PolicyConfig } from './policy';
import { redactSecrets } from './redact';

/**
 * Applies decisions to the store: parks retry-later and review records as review items (deduplicated by
 * mapping + record + code), records every failed attempt, and records what a retry worker reports back.
 */

/** What of the policy a parked item remembers, so the retry worker reschedules it the same way. */
export type StoredPolicy = Pick<PolicyConfig, 'autoRetry' | 'maxRetries' | 'retryDelay' | 'fixedDelaySeconds' | 'schedule'>;

export function storedPolicy(config: PolicyConfig): StoredPolicy {
	const { autoRetry, maxRetries, retryDelay, fixedDelaySeconds, schedule } = config;
	return { autoRetry, maxRetries, retryDelay, fixedDelaySeconds, schedule };
}

export function policyOfItem(item: ReviewItem, fallback: PolicyConfig = DEFAULT_POLICY): PolicyConfig {
	const meta = item.meta && typeof item.meta === 'object' ? (item.meta as Record<string, unknown>) : {};
	const stored = meta.policy && typeof meta.policy === 'object' ? (meta.policy as Partial<StoredPolicy>) : {};
	try {
		return policyConfig({ ...fallback, ...stored, byCode: fallback.byCode, byCategory: fallback.byCategory });
	} catch {
		return fallback;
	}
}

function stableJson(value: unknown): string {
	if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
	if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
	const obj = value as Record<string, unknown>;
	return `{${Object.keys(obj)
		.sort()
		.map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
		.join(',')}}`;
}

/** One active review item per mapping + record + code: the same failure again bumps its occurrences. */
export function dedupeKeyFor(failure: ClassifiedFailure, mappingId: string | null, code: string | null): string {
	const mapping = mappingId ?? '-';
	if (failure.kind === 'conflict') {
		const c = failure.conflict;
		const side = (r: unknown) => (r && typeof r === 'object' ? [(r as Record<string, unknown>).system, (r as Record<string, unknown>).id].join(':') : '-');
		return `conflict|${mapping}|${side(c?.source)}|${side(c?.target)}|${c?.reason ?? ''}`;
	}
	const ref = failure.recordRef;
	let record: string;
	if (ref?.id) record = `${ref.system ?? '-'}:${ref.object ?? '-'}:${ref.id}`;
	else if (failure.source === 'error_trigger' && !failure.recordRef) record = `workflow:${failure.workflow?.id ?? '-'}:${failure.node ?? '-'}`;
	else record = `sha256:${createHash('sha256').update(stableJson(failure.record)).digest('hex').slice(0, 24)}`;
	return `error|${mapping}|${record}|${code ?? '-'}`;
}

export interface ParkOptions {
	policy: PolicyConfig;
	/** Overrides the mapping the failure names (the node's Mapping ID parameter). */
	mappingId?: string | null;
	now?: Date;
	/** Where it failed: workflow, execution, node (never node parameters or credentials). */
	context?: Record<string, unknown>;
	workerId?: string | null;
}

export interface ParkResult {
	decision: Decision;
	/** The review item now holding the record (retry later and review), null for skipped and stopped. */
	item: ReviewItem | null;
	created: boolean;
}

function itemInput(failure: ClassifiedFailure, decision: Decision, opts: ParkOptions, mappingId: string | null): ReviewItemInput {
	const ref = failure.recordRef;
	const meta: Record<string, unknown> = {
		policy: storedPolicy(opts.policy),
		source: failure.source,
		node: failure.node,
		stage: failure.stage,
		summary: failure.summary,
		reason: decision.reason,
		...(failure.workflow ? { workflow: failure.workflow } : {}),
		...(failure.execution ? { execution: failure.execution } : {}),
		...(failure.conflict ? { conflict: failure.conflict } : {}),
		...(opts.context ?? {}),
	};
	return {
		kind: failure.kind,
		mappingId,
		system: ref?.system ?? null,
		object: ref?.object ?? null,
		recordId: ref?.id ?? null,
		data: redactSecrets(failure.record ?? null),
		errors: failure.errors.map((e) => redactSecrets(e)),
		...(decision.code ? { code: decision.code, category: decision.category } : {}),
		dedupeKey: dedupeKeyFor(failure, mappingId, decision.code),
		status: decision.status === 'retry_scheduled' ? 'retry_scheduled' : 'open',
		nextRetryAt: decision.status === 'retry_scheduled' ? decision.nextRetryAt : null,
		meta: redactSecrets(meta),
	};
}

/**
 * Parks a failure the policy sent to retry or review and returns the decision as it now stands (a failure
 * already parked counts as its next attempt). Skip and fail fast write nothing.
 */
export async function park(store: SyncStore, failure: ClassifiedFailure, decision: Decision, opts: ParkOptions): Promise<ParkResult> {
	if (decision.strategy === 'skip' || decision.strategy === 'fail_fast') return { decision, item: null, created: false };
	const now = opts.now ?? new Date();
	const mappingId = opts.mappingId ?? failure.mappingId ?? null;
	const { item, created } = await store.addReviewItem(itemInput(failure, decision, opts, mappingId));
	if (decision.strategy === 'review') return { decision, item, created };

	// Retry: the failure is an attempt. A record already parked has made item.attempts attempts before this one.
	const attempt = created ? decision.attempt : item.attempts + 1;
	const current = created ? decision : decide(failure.errors, opts.policy, { attempt, now, kind: failure.kind });
	const error = lastOf(failure.errors);
	const res = await store.recordAttempt(item.id, {
		attempt,
		outcome: 'failed',
		error,
		workerId: opts.workerId ?? null,
		at: now,
		...(current.status === 'retry_scheduled' ? { nextRetryAt: current.nextRetryAt } : { status: 'failed' as const }),
	});
	return { decision: current, item: res?.item ?? item, created };
}

function lastOf(errors: readonly ClassifiedError[]): ClassifiedError | null {
	return errors.length ? errors[errors.length - 1] : null;
}

export interface RetryOutcomeInput {
	ok: boolean;
	/** The classified errors of a failed retry. */
	errors?: ClassifiedError[];
	note?: string | null;
	/** The attempt this was (the trigger's `review.attempt`); default the item's attempts + 1. */
	attempt?: number;
	workerId?: string | null;
	now?: Date;
	/** Overrides the policy the item was parked with. */
	policy?: PolicyConfig;
}

export interface RetryOutcomeResult {
	item: ReviewItem;
	/** False when this attempt number was already recorded (a replayed report). */
	recorded: boolean;
	/** What happens next: resolved, another retry, back to review, or failed for good. */
	next: 'resolved' | 'retry_scheduled' | 'open' | 'failed' | 'unchanged';
	reason: string;
	nextRetryAt: string | null;
}

/**
 * Records a retry worker's result: success resolves the item; a transient failure schedules the next retry
 * (or marks the item failed when the schedule is used up); a data or mapping failure goes back to review.
 */
export async function recordRetryOutcome(store: SyncStore, itemId: string, input: RetryOutcomeInput): Promise<RetryOutcomeResult | null> {
	const item = await store.getReviewItem(itemId);
	if (!item) return null;
	const now = input.now ?? new Date();
	const attempt = input.attempt ?? item.attempts + 1;
	if (input.ok) {
		const res = await store.recordAttempt(itemId, { attempt, outcome: 'succeeded', workerId: input.workerId ?? null, at: now, note: input.note ?? undefined });
		if (!res) return null;
		return { item: res.item, recorded: res.recorded, next: res.recorded ? 'resolved' : 'unchanged', reason: `attempt ${attempt} succeeded`, nextRetryAt: null };
	}
	const errors = input.errors?.length ? input.errors : item.lastError ? [item.lastError] : [];
	const policy = input.policy ?? policyOfItem(item);
	// Stop on Error and Manual Review Mode are about a run, not a retry: a retry that failed for good goes to a person.
	const choice = chooseStrategy(errors, { ...policy, stopOnError: false, manualReviewMode: false, defaultStrategy: 'review' }, item.kind);
	const error = lastOf(errors);
	let next: RetryOutcomeResult['next'];
	let reason: string;
	let nextRetryAt: string | null = null;
	let res;
	if (choice.strategy === 'retry') {
		const plan = planRetry(attempt, errors, policy, now);
		next = plan.scheduled ? 'retry_scheduled' : 'failed';
		reason = `attempt ${attempt} failed: ${error?.error ?? 'error'}; ${plan.reason}`;
		nextRetryAt = plan.nextRetryAt;
		res = await store.recordAttempt(itemId, {
			attempt,
			outcome: 'failed',
			error,
			workerId: input.workerId ?? null,
			at: now,
			...(plan.scheduled ? { nextRetryAt: plan.nextRetryAt } : { status: 'failed' as const }),
		});
	} else {
		next = 'open';
		reason = `attempt ${attempt} failed: ${error?.error ?? 'error'} is not transient; back to review`;
		res = await store.recordAttempt(itemId, { attempt, outcome: 'failed', error, workerId: input.workerId ?? null, at: now, status: 'open' });
	}
	if (!res) return null;
	return { item: res.item, recorded: res.recorded, next: res.recorded ? next : 'unchanged', reason: res.recorded ? reason : `attempt ${attempt} was already recorded`, nextRetryAt: res.recorded ? nextRetryAt : null };
}
