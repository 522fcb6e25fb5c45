/**
 * Reads whatever arrives at the Sync Alert node, by shape, into events:
 *
 * - failed items (`failedItem()`: `{ failed: true, errors[], record, stage, node }`), items carrying one classified
 *   `error` object, and n8n's "continue (using error output)" items (`{ error: 'message' }`) → failure;
 * - Error Policy items: a failed item plus a decision (`decision: { strategy, nextRetryAt, attempt, exhausted }`,
 *   or the same keys at the top level) → failure, with the retry state;
 * - Review Queue items (`status`, `errors[]`, `nextRetryAt`, `recordId`) → failure (open, retry_scheduled, failed)
 *   or success (resolved);
 * - n8n's Error Trigger payload (`{ execution: { error, url }, workflow }`) → failure of the workflow;
 * - run summaries (`{ status, counts: { fetched, failed, … } }`, or under `run`) → run;
 * - record envelopes and written records (`action: created | updated | unchanged`) → success;
 * - anything else → ignored (a Schedule Trigger's tick must not reset a failure streak).
 */
import { ERROR_CODES, isErrorCode } from '../../errors/taxonomy';
import type { AlertError, AlertEvent, AlertLink, RecordRef, RetryInfo } from './types';

type Obj = Record<string, unknown>;

const RUN_STATUSES = ['pending', 'running', 'completed', 'partial', 'failed', 'cancelled'];
const SUCCESS_ACTIONS = ['created', 'updated', 'unchanged', 'upserted', 'deleted', 'archived', 'unlinked', 'skipped_unchanged'];

function isObj(v: unknown): v is Obj {
	return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
	if (typeof v === 'string' && v.trim() !== '') return v;
	if (typeof v === 'number' && Number.isFinite(v)) return String(v);
	return undefined;
}

function num(v: unknown): number {
	const n = typeof v === 'string' ? Number(v) : v;
	return typeof n === 'number' && Number.isFinite(n) ? n : 0;
}

function isoOrUndefined(v: unknown): string | undefined {
	if (typeof v !== 'string' && typeof v !== 'number' && !(v instanceof Date)) return undefined;
	const t = new Date(v as string).getTime();
	return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
}

function recordRef(v: unknown): RecordRef | undefined {
	if (!isObj(v)) return undefined;
	const ref: RecordRef = {};
	const system = str(v.system);
	const object = str(v.object);
	const id = str(v.id) ?? str(v.recordId);
	if (system) ref.system = system;
	if (object) ref.object = object;
	if (id) ref.id = id;
	return Object.keys(ref).length ? ref : undefined;
}

/** The mapping an item belongs to: its own mapping id or name, else the fallback. */
export function mappingOf(json: Obj, fallback: string): string {
	const sync = isObj(json.sync) ? json.sync : undefined;
	const decision = isObj(json.decision) ? json.decision : undefined;
	const run = isObj(json.run) ? json.run : undefined;
	return (
		str(json.mappingId) ??
		str(sync?.mappingId) ??
		str(decision?.mappingId) ??
		str(run?.mappingId) ??
		(typeof json.mapping === 'string' ? str(json.mapping) : isObj(json.mapping) ? (str(json.mapping.id) ?? str(json.mapping.name)) : undefined) ??
		fallback
	);
}

/** One error object of any of our shapes (classified or not) as an AlertError. */
export function toAlertError(raw: unknown, fallbackRecord?: RecordRef): AlertError {
	if (typeof raw === 'string') return unclassified(raw, fallbackRecord);
	if (!isObj(raw)) return unclassified('Unknown error', fallbackRecord);
	const code = str(raw.code);
	const message = str(raw.message) ?? str(raw.description) ?? str(raw.error) ?? 'Unknown error';
	const info = code && isErrorCode(code) ? ERROR_CODES[code] : undefined;
	const out: AlertError = {
		category: str(raw.category) ?? info?.category ?? 'Unknown',
		code: code ?? 'UNCLASSIFIED',
		label: (typeof raw.error === 'string' && info ? raw.error : undefined) ?? info?.label ?? str(raw.label) ?? str(raw.name) ?? 'Error',
		message,
	};
	const field = str(raw.field);
	if (field) out.field = field;
	const record = recordRef(raw.record) ?? fallbackRecord;
	if (record) out.record = record;
	const fix = str(raw.suggestedFix) ?? info?.suggestedFix;
	if (fix) out.suggestedFix = fix;
	const ts = isoOrUndefined(raw.timestamp);
	if (ts) out.timestamp = ts;
	if (typeof raw.retryable === 'boolean') out.retryable = raw.retryable;
	else if (info) out.retryable = info.retryable;
	return out;
}

function unclassified(message: string, record?: RecordRef): AlertError {
	const out: AlertError = { category: 'Unknown', code: 'UNCLASSIFIED', label: 'Error', message };
	if (record) out.record = record;
	return out;
}

/** Retry state of an Error Policy decision or a review item; undefined when the item says nothing about retries. */
export function retryInfo(json: Obj): RetryInfo | undefined {
	const d = isObj(json.decision) ? json.decision : json;
	const strategy = str(d.strategy) ?? str(d.action);
	const status = str(d.status) ?? str(json.status);
	const nextRetryAt = isoOrUndefined(d.nextRetryAt ?? json.nextRetryAt);
	const attempts = d.attempt ?? d.attempts ?? json.attempts;
	// Error Policy decisions count retries after the first attempt (maxRetries); attempts = retries + 1.
	const maxAttempts = typeof d.maxAttempts === 'number' ? d.maxAttempts : typeof d.maxRetries === 'number' ? d.maxRetries + 1 : undefined;
	const exhaustedFlag = d.exhausted === true || d.retryExhausted === true || status === 'failed' || status === 'exhausted';
	const retryish = (strategy !== undefined && /retry/i.test(strategy)) || status === 'retry_scheduled' || nextRetryAt !== undefined;
	if (!retryish && !exhaustedFlag) return undefined;
	const exhausted = exhaustedFlag || (retryish && nextRetryAt === undefined && status !== 'retry_scheduled');
	const info: RetryInfo = { pending: retryish && !exhausted, exhausted };
	if (strategy) info.strategy = strategy;
	if (typeof attempts === 'number') info.attempts = attempts;
	if (typeof maxAttempts === 'number') info.maxAttempts = maxAttempts;
	if (nextRetryAt) info.nextRetryAt = nextRetryAt;
	return info;
}

function linksOf(json: Obj, record: unknown): AlertLink[] {
	const links: AlertLink[] = [];
	const execution = isObj(json.execution) ? json.execution : undefined;
	const executionUrl = str(execution?.url);
	if (executionUrl && /^https?:\/\//.test(executionUrl)) links.push({ label: 'n8n execution', url: executionUrl });
	const recordLinks = isObj(record) && isObj(record.links) ? record.links : undefined;
	for (const [name, url] of Object.entries(recordLinks ?? {})) {
		if (typeof url === 'string' && /^https?:\/\//.test(url)) links.push({ label: name, url });
	}
	return links;
}

function runOf(json: Obj): Obj | undefined {
	const candidate = isObj(json.run) ? json.run : json;
	if (!isObj(candidate.counts) || typeof candidate.status !== 'string' || !RUN_STATUSES.includes(candidate.status)) return undefined;
	return candidate;
}

function isReviewItem(json: Obj): boolean {
	return Array.isArray(json.errors) && typeof json.status === 'string' && ('recordId' in json || 'kind' in json) && !('failed' in json);
}

/** Reads one item's JSON into an event. `mapping` is the configured mapping ('' = from the item, else 'default'). */
export function eventFromItem(json: Obj, index: number, mapping = ''): AlertEvent {
	const mappingName = mapping !== '' ? mapping : mappingOf(json, 'default');

	const run = runOf(json);
	if (run) {
		const counts = run.counts as Obj;
		const outcomes = num(counts.created) + num(counts.updated) + num(counts.unchanged) + num(counts.skipped) + num(counts.failed);
		const event: AlertEvent = {
			kind: 'run',
			index,
			mapping: mapping !== '' ? mapping : mappingOf(run, mappingName),
			status: run.status as string,
			processed: Math.max(num(counts.fetched), outcomes),
			failed: num(counts.failed),
		};
		const runId = str(run.id) ?? str(run.runId);
		if (runId) event.runId = runId;
		const error = str(run.error);
		if (error) event.error = error;
		return event;
	}

	// n8n's Error Trigger: the workflow itself failed.
	if (isObj(json.execution) && isObj(json.workflow) && (isObj(json.execution.error) || isObj(json.trigger))) {
		const execution = json.execution;
		const err = isObj(execution.error) ? execution.error : isObj(json.trigger) && isObj(json.trigger.error) ? json.trigger.error : {};
		const workflowName = str(json.workflow.name) ?? str(json.workflow.id) ?? 'workflow';
		const lastNode = str(execution.lastNodeExecuted);
		const error: AlertError = {
			category: 'Workflow',
			code: 'WORKFLOW_FAILED',
			label: 'Workflow Failed',
			message: str(err.message) ?? 'The workflow failed',
			suggestedFix: 'Open the execution in n8n to see which node failed and why.',
		};
		const ts = isoOrUndefined(err.timestamp);
		if (ts) error.timestamp = ts;
		return {
			kind: 'failure',
			index,
			mapping: mapping !== '' ? mapping : mappingOf(json, workflowName),
			errors: [error],
			record: { system: 'n8n', object: 'execution', ...(str(execution.id) ? { id: str(execution.id) } : {}) },
			...(lastNode ? { node: lastNode } : {}),
			links: linksOf(json, undefined),
		};
	}

	if (isReviewItem(json)) {
		const status = json.status as string;
		const record: RecordRef | undefined = recordRef({ system: json.system, object: json.object, id: json.recordId });
		if (status === 'resolved') return { kind: 'success', index, mapping: mappingName, ...(record ? { record } : {}) };
		if (status === 'discarded') return { kind: 'ignored', index, reason: 'discarded review item' };
		const errors = (json.errors as unknown[]).map((e) => toAlertError(e, record));
		if (errors.length === 0 && isObj(json.lastError)) errors.push(toAlertError(json.lastError, record));
		if (errors.length === 0) errors.push(unclassified('Parked for review', record));
		const retry = retryInfo(json);
		return { kind: 'failure', index, mapping: mappingName, errors, ...(record ? { record } : {}), ...(retry ? { retry } : {}), links: linksOf(json, json.data) };
	}

	const failed = json.failed === true || Array.isArray(json.errors) || isObj(json.error) || typeof json.error === 'string' || isObj(json.decision);
	if (failed) {
		const rawRecord = json.record ?? json.item;
		const record = recordRef(json.recordRef) ?? recordRef(rawRecord) ?? (isObj(json.sync) ? recordRef(json.sync.source) : undefined);
		const rawErrors: unknown[] = Array.isArray(json.errors) && json.errors.length ? json.errors : json.error !== undefined ? [json.error] : [];
		if (rawErrors.length === 0 && isObj(json.decision) && json.decision.error !== undefined) rawErrors.push(json.decision.error);
		const errors = rawErrors.map((e) => toAlertError(e, record));
		if (errors.length === 0) errors.push(unclassified(str(json.summary) ?? 'The record failed', record));
		const retry = retryInfo(json);
		const stage = str(json.stage);
		const node = str(json.node);
		return {
			kind: 'failure',
			index,
			mapping: mappingName,
			errors,
			...(record ? { record } : {}),
			...(retry ? { retry } : {}),
			...(stage ? { stage } : {}),
			...(node ? { node } : {}),
			links: linksOf(json, rawRecord),
		};
	}

	const envelope = typeof json.system === 'string' && typeof json.object === 'string';
	const action = str(json.action);
	if (envelope || (action && SUCCESS_ACTIONS.includes(action)) || json.ok === true || json.success === true) {
		const record = envelope ? recordRef(json) : undefined;
		return { kind: 'success', index, mapping: mappingName, ...(record ? { record } : {}) };
	}
	return { kind: 'ignored', index, reason: 'not a failed item, record or run summary' };
}

export function eventsFromItems(items: readonly Obj[], mapping: string | ((index: number) => string) = ''): AlertEvent[] {
	return items.map((json, i) => eventFromItem(json, i, typeof mapping === 'function' ? mapping(i) : mapping));
}
