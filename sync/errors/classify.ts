import { classifiedError, describeValue, ERROR_CODES, isErrorCode, type ClassifiedError, type ErrorCode } from '../../errors/taxonomy';
import { redactSecrets } from './redact';

/**
 * Turns any failure that reaches the Error Policy into classified errors of the taxonomy (SPEC §6):
 *  - this package's failed items (`failedItem()`: already classified),
 *  - n8n's "continue (using error output)" items of any node (`json.error` as a string or an error object,
 *    NodeApiError shapes with `httpCode`, HTTP Request `details`, Node.js socket codes),
 *  - the Error Trigger payload (`execution.error`, `execution.lastNodeExecuted`, `workflow`),
 *  - the Sync Ledger's conflict items (kind `conflict`, for a person),
 *  - a thrown ConnectorError (it carries its ClassifiedError).
 * Pure: no n8n imports, so it is unit-tested in milliseconds.
 */

export type FailureSource = 'failed_item' | 'error_output' | 'error_trigger' | 'conflict' | 'connector_error' | 'classified_error' | 'unknown';

export interface RecordRef {
	system?: string;
	object?: string;
	id?: string;
}

export interface ClassifiedFailure {
	source: FailureSource;
	kind: 'error' | 'conflict';
	/** At least one error for kind `error`; conflicts may have none (both sides changed a field). */
	errors: ClassifiedError[];
	/** The record to park and retry (secret-looking keys hidden). */
	record: unknown;
	recordRef: RecordRef | null;
	/** The node that failed, when known. */
	node: string | null;
	stage: string | null;
	mappingId: string | null;
	/** One line for logs and lists. */
	summary: string;
	/** Error Trigger payloads: which workflow and execution failed. */
	workflow?: { id?: string; name?: string };
	execution?: { id?: string; url?: string; mode?: string; lastNodeExecuted?: string; retryOf?: string };
	/** Ledger conflicts: why, and the fields nobody won. */
	conflict?: { reason: string; message: string; fields: unknown[]; source: unknown; target: unknown; candidates?: unknown };
	/** Set when the item came out of a retry worker (the Review Queue Trigger's `review` info). */
	reviewItemId?: string;
}

export interface ClassifyOptions {
	now?: Date;
	/** n8n's item-level `error` (INodeExecutionData.error), when the item has one. */
	itemError?: unknown;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

// ------------------------------------------------------------------------------------------------ raw errors

/** HTTP status of an error-like value, wherever the library that produced it put it. */
export function statusOf(err: Obj): number | undefined {
	const response = isObj(err.response) ? err.response : undefined;
	const details = isObj(err.details) ? err.details : undefined;
	const cause = isObj(err.cause) ? err.cause : undefined;
	const vendor = isObj(err.vendor) ? err.vendor : undefined;
	for (const candidate of [err.httpCode, err.statusCode, err.status, response?.status, response?.statusCode, details?.httpCode, vendor?.status, cause?.httpCode, cause?.status]) {
		const n = typeof candidate === 'number' ? candidate : typeof candidate === 'string' && /^\d{3}$/.test(candidate.trim()) ? Number(candidate) : NaN;
		if (n >= 100 && n < 600) return n;
	}
	const message = str(err.message) ?? '';
	const m = /(?:status(?: code)?|^)\s*:?\s*\b([45]\d\d)\b/i.exec(message);
	return m ? Number(m[1]) : undefined;
}

/** Seconds to wait from a Retry-After header (delta seconds or an HTTP date) or a `retryAfter` field. */
export function retryAfterOf(err: Obj, now = Date.now()): number | undefined {
	if (typeof err.retryAfter === 'number' && err.retryAfter >= 0) return err.retryAfter;
	const sources = [err.headers, isObj(err.response) ? err.response.headers : undefined, isObj(err.cause) && isObj(err.cause.response) ? err.cause.response.headers : undefined];
	for (const headers of sources) {
		if (!isObj(headers)) continue;
		const key = Object.keys(headers).find((k) => k.toLowerCase() === 'retry-after');
		const raw = key ? str(headers[key]) : undefined;
		if (!raw) continue;
		if (/^\d+(\.\d+)?$/.test(raw.trim())) return Number(raw);
		const at = Date.parse(raw);
		if (!Number.isNaN(at)) return Math.max(0, Math.ceil((at - now) / 1000));
	}
	return undefined;
}

const SOCKET_CODES = new Set(['ETIMEDOUT', 'ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'ESOCKETTIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_SOCKET']);

/** The taxonomy code a message points to; null when nothing in it is recognisable. */
export function codeForMessage(message: string): ErrorCode | null {
	const m = message.toLowerCase();
	if (/rate.?limit|too many requests|quota (exceeded|reached)|throttl/.test(m)) return 'RATE_LIMIT_EXCEEDED';
	if (/timed? ?out|timeout|etimedout|econnreset|econnrefused|econnaborted|socket hang up|network error|service unavailable|bad gateway|temporarily unavailable|server error/.test(m))
		return 'CONNECTION_TIMEOUT';
	if (/unauthori[sz]ed|authentication|invalid (api )?(key|token)|expired (access )?token|token (has )?expired|invalid_grant|credentials? (are )?(invalid|wrong)/.test(m)) return 'AUTHENTICATION_FAILED';
	if (/forbidden|permission|insufficient (scope|privileges?)|missing scope|not allowed to|access denied/.test(m)) return 'PERMISSION_DENIED';
	if (/\brequired\b|is missing|missing (a |the )?(required )?(value|field)|must not be (empty|blank|null)|can(no|')t be (blank|empty)|cannot be (blank|empty)/.test(m)) return 'REQUIRED_FIELD_MISSING';
	if (/too long|exceeds? (the )?(max(imum)?|length|limit)|max(imum)? length|string_too_long|longer than \d+/.test(m)) return 'VALUE_TOO_LONG';
	if (/duplicate|already exists|unique constraint|conflict/.test(m)) return 'DUPLICATE_RECORD';
	if (/e-?mail/.test(m)) return 'INVALID_EMAIL';
	if (/transform/.test(m)) return 'TRANSFORM_FAILED';
	if (/object type|schema (has )?changed|type (has )?changed/.test(m)) return 'OBJECT_TYPE_CHANGED';
	if (/not found|does not exist|doesn't exist|no such|unknown (field|property|column)/.test(m)) return 'FIELD_NOT_FOUND';
	if (/invalid|format|malformed|could not parse|cannot parse|unparseable|must be a|expected (a|an) /.test(m)) return 'INVALID_FORMAT';
	return null;
}

/** The code for an HTTP status, refined by what the message says. */
function codeForStatusAndMessage(status: number, message: string): ErrorCode {
	const byMessage = codeForMessage(message);
	if (status === 401) return 'AUTHENTICATION_FAILED';
	if (status === 403) return byMessage === 'RATE_LIMIT_EXCEEDED' ? 'RATE_LIMIT_EXCEEDED' : 'PERMISSION_DENIED';
	if (status === 404) return 'FIELD_NOT_FOUND';
	if (status === 408 || status === 504) return 'CONNECTION_TIMEOUT';
	if (status === 409) return 'DUPLICATE_RECORD';
	if (status === 413) return 'VALUE_TOO_LONG';
	if (status === 429) return 'RATE_LIMIT_EXCEEDED';
	if (status >= 500) return 'CONNECTION_TIMEOUT';
	// 400 / 422 and friends: the body says which data problem it is.
	const dataCodes: ErrorCode[] = ['REQUIRED_FIELD_MISSING', 'VALUE_TOO_LONG', 'DUPLICATE_RECORD', 'INVALID_EMAIL', 'FIELD_NOT_FOUND', 'INVALID_FORMAT', 'TRANSFORM_FAILED', 'OBJECT_TYPE_CHANGED'];
	return byMessage && dataCodes.includes(byMessage) ? byMessage : 'INVALID_FORMAT';
}

const NOT_FOUND_FIX = 'The record was not found (deleted, or an update arrived before its create): enable Create if missing, ignore delete events from the source, or check for out-of-order operations.';
const UNKNOWN_FIX = 'This error did not match a known kind; read the message. Fix the data or the node settings, then retry the record.';

/** The longest readable message of an error-like value (n8n puts the vendor's own words in `description`). */
function messagesOf(err: Obj): { message: string; description?: string } {
	const details = isObj(err.details) ? err.details : undefined;
	const message = str(err.message) ?? str(details?.message) ?? str(err.error) ?? str(err.name) ?? 'Unknown error';
	const description = str(err.description) ?? str(details?.description);
	return { message, description };
}

/**
 * One error-like value → a ClassifiedError: a ClassifiedError (kept), a ConnectorError, an n8n error
 * (NodeApiError, NodeOperationError, serialised or not), an axios/fetch error, or a plain message.
 */
export function classifyError(raw: unknown, context: { record?: RecordRef; field?: string; now?: Date } = {}): ClassifiedError {
	const now = context.now ?? new Date();
	if (typeof raw === 'string' || typeof raw === 'number') raw = { message: String(raw) };
	if (raw instanceof Error) {
		const plain: Obj = { ...(raw as unknown as Obj), message: raw.message, name: raw.name };
		if ((raw as { cause?: unknown }).cause !== undefined) plain.cause = (raw as { cause?: unknown }).cause;
		raw = plain;
	}
	if (!isObj(raw)) return withFix(classifiedError('INVALID_FORMAT', { message: 'Unknown error (no message)', record: context.record, now }), UNKNOWN_FIX);
	const err = raw;
	if (isObj(err.classified)) return normaliseClassified(err.classified, context);
	if (isErrorCode(err.code) && (typeof err.category === 'string' || typeof err.error === 'string')) return normaliseClassified(err, context);

	const { message, description } = messagesOf(err);
	const text = [message, description].filter(Boolean).join(' — ');
	const status = statusOf(err);
	const socket = [err.code, isObj(err.cause) ? err.cause.code : undefined].map(str).find((c) => c && SOCKET_CODES.has(c.toUpperCase()));
	let code: ErrorCode | null;
	if (socket) code = 'CONNECTION_TIMEOUT';
	else if (status !== undefined) code = codeForStatusAndMessage(status, text);
	else code = codeForMessage(text);
	const known = code !== null;
	const out = classifiedError(code ?? 'INVALID_FORMAT', {
		message: text,
		field: context.field ?? str(err.field),
		record: context.record,
		retryAfter: retryAfterOf(err, now.getTime()),
		vendor: status !== undefined || str(err.code) ? { status, code: str(err.code) ?? str(err.name), message: description ?? message } : undefined,
		now,
	});
	if (status !== undefined && status >= 500) out.retryable = true;
	if (status === 404 && !/field|property|column/i.test(text)) return withFix(out, NOT_FOUND_FIX);
	return known ? out : withFix(out, UNKNOWN_FIX);
}

function withFix(e: ClassifiedError, fix: string): ClassifiedError {
	return { ...e, suggestedFix: fix };
}

/** A stored or received ClassifiedError, completed from the taxonomy table where fields are missing. */
function normaliseClassified(e: Obj, context: { record?: RecordRef; now?: Date }): ClassifiedError {
	if (!isErrorCode(e.code)) return classifyError({ ...e, code: undefined, classified: undefined }, context);
	const info = ERROR_CODES[e.code];
	const out: ClassifiedError = {
		category: info.category,
		code: e.code,
		error: typeof e.error === 'string' ? e.error : info.label,
		message: str(e.message) ?? info.label,
		retryable: typeof e.retryable === 'boolean' ? e.retryable : info.retryable,
		suggestedFix: str(e.suggestedFix) ?? info.suggestedFix,
		timestamp: str(e.timestamp) ?? (context.now ?? new Date()).toISOString(),
	};
	// A field that is not text (JSON like {"toString": "x"} makes String() throw) is shown as JSON.
	if (e.field !== undefined) out.field = typeof e.field === 'string' ? e.field : describeValue(e.field, 200);
	if (e.value !== undefined) out.value = redactSecrets(e.value);
	const record = isObj(e.record) ? (e.record as RecordRef) : context.record;
	if (record) out.record = record;
	if (isObj(e.vendor)) out.vendor = e.vendor as ClassifiedError['vendor'];
	if (typeof e.retryAfter === 'number') out.retryAfter = e.retryAfter;
	return out;
}

// ------------------------------------------------------------------------------------------------ items

/** The record ref of an envelope-ish value: `{system, object, id}` or a ledger decision's sync context. */
export function refOf(value: unknown): RecordRef | null {
	if (!isObj(value)) return null;
	const ref: RecordRef = {};
	const system = str(value.system);
	const object = str(value.object);
	const id = str(value.id) ?? str(value.targetId) ?? str(value.recordId);
	if (system) ref.system = system;
	if (object) ref.object = object;
	if (id) ref.id = id;
	if (!ref.id && isObj(value.sync) && isObj(value.sync.source)) return refOf(value.sync.source);
	if (!ref.id && isObj(value.fields) && str(value.fields.id)) ref.id = str(value.fields.id);
	return ref.system || ref.object || ref.id ? ref : null;
}

function refText(ref: RecordRef | null): string {
	if (!ref) return 'record';
	return [ref.system, ref.object, ref.id].filter(Boolean).join('/') || 'record';
}

function summaryOf(errors: ClassifiedError[], ref: RecordRef | null): string {
	const what = errors.length ? errors.map((e) => (e.field ? `${e.field}: ${e.error}` : e.error)).join('; ') : 'conflict';
	return `${refText(ref)}: ${what}`;
}

function reviewIdOf(json: Obj): string | undefined {
	for (const holder of [json, isObj(json.record) ? json.record : undefined]) {
		if (!holder) continue;
		if (isObj(holder.review) && str(holder.review.itemId)) return str(holder.review.itemId);
		if (str(holder.reviewItemId)) return str(holder.reviewItemId);
	}
	return undefined;
}

const ERROR_OUTPUT_KEYS = new Set(['error', 'details', 'message']);

/** Classifies one item (its json, plus n8n's item-level error when given). Never throws. */
export function classify(input: unknown, options: ClassifyOptions = {}): ClassifiedFailure {
	const now = options.now ?? new Date();
	const json: Obj = isObj(input) ? input : { message: typeof input === 'string' ? input : JSON.stringify(input ?? null) };
	const reviewItemId = reviewIdOf(json);
	const done = (f: ClassifiedFailure): ClassifiedFailure => {
		const out = { ...f, record: redactSecrets(f.record) };
		if (reviewItemId) out.reviewItemId = reviewItemId;
		return out;
	};

	// 1. This package's failed items: already classified.
	if (json.failed === true && (Array.isArray(json.errors) || 'record' in json)) {
		const record = 'record' in json ? json.record : json;
		const recordRef = refOf(record);
		let errors = (Array.isArray(json.errors) ? json.errors : []).filter(isObj).map((e) => normaliseClassified(e, { record: recordRef ?? undefined, now }));
		if (errors.length === 0) errors = [classifyError(str(json.message) ?? str(json.summary) ?? 'Failed without a message', { record: recordRef ?? undefined, now })];
		return done({
			source: 'failed_item',
			kind: 'error',
			errors,
			record,
			recordRef,
			node: str(json.node) ?? null,
			stage: str(json.stage) ?? null,
			mappingId: str(json.mappingId) ?? str(json.mapping) ?? null,
			summary: summaryOf(errors, recordRef),
		});
	}

	// 2. The Error Trigger's payload.
	const execution = isObj(json.execution) ? json.execution : undefined;
	const trigger = isObj(json.trigger) ? json.trigger : undefined;
	if ((execution && ('error' in execution || 'lastNodeExecuted' in execution)) || (trigger && 'error' in trigger)) {
		const rawError = execution ? execution.error : trigger!.error;
		const workflow = isObj(json.workflow) ? { id: str(json.workflow.id), name: str(json.workflow.name) } : undefined;
		const exec = execution
			? { id: str(execution.id), url: str(execution.url), mode: str(execution.mode), lastNodeExecuted: str(execution.lastNodeExecuted), retryOf: str(execution.retryOf) }
			: { mode: str(trigger!.mode) };
		const errObj = isObj(rawError) ? rawError : { message: str(rawError) ?? 'The workflow failed' };
		const node = str(exec.lastNodeExecuted) ?? (isObj(errObj.node) ? str(errObj.node.name) : undefined) ?? null;
		// Our own fail-fast error carries the record and its classified errors in its context.
		const ours = isObj(errObj.context) && isObj(errObj.context.fluxcascade) ? errObj.context.fluxcascade : undefined;
		if (ours && Array.isArray(ours.errors)) {
			const recordRef = refOf(ours.record) ?? (isObj(ours.recordRef) ? (ours.recordRef as RecordRef) : null);
			const errors = ours.errors.filter(isObj).map((e) => normaliseClassified(e, { record: recordRef ?? undefined, now }));
			return done({
				source: 'error_trigger',
				kind: 'error',
				errors,
				record: ours.record ?? null,
				recordRef,
				node,
				stage: str(ours.stage) ?? 'error_policy',
				mappingId: str(ours.mappingId) ?? null,
				summary: summaryOf(errors, recordRef),
				workflow,
				execution: exec,
			});
		}
		const error = classifyError(errObj, { now });
		return done({
			source: 'error_trigger',
			kind: 'error',
			errors: [error],
			// No single record failed: the run did. Keep what identifies it, never the node's parameters.
			record: { workflow: workflow ?? null, execution: exec },
			recordRef: null,
			node,
			stage: 'workflow',
			mappingId: null,
			summary: `${workflow?.name ?? 'workflow'} failed at ${node ?? 'an unknown node'}: ${error.error}`,
			workflow,
			execution: exec,
		});
	}

	// 3. The Sync Ledger's conflict items.
	if (json.route === 'conflict' && typeof json.reason === 'string') {
		const source = isObj(json.source) ? (json.source as RecordRef) : null;
		const target = isObj(json.target) ? (json.target as RecordRef) : null;
		const reason = json.reason;
		const message = str(json.message) ?? reason;
		const recordRef = source ?? target;
		const code: ErrorCode | null =
			reason === 'missing_match_key' ? 'REQUIRED_FIELD_MISSING' : reason === 'conflict' ? null : 'DUPLICATE_RECORD';
		const errors = code ? [classifiedError(code, { message, record: recordRef ?? undefined, now })] : [];
		const fields = Array.isArray(json.conflicts) ? json.conflicts : [];
		return done({
			source: 'conflict',
			kind: 'conflict',
			errors,
			record: json.records ?? null,
			recordRef,
			node: null,
			stage: 'ledger',
			mappingId: str(json.mappingId) ?? null,
			summary: `${refText(recordRef)}: ${message}`,
			conflict: { reason, message, fields, source, target, candidates: json.candidates },
		});
	}

	// 4. A ConnectorError (thrown and caught by a Code node, or passed along) or a bare ClassifiedError.
	if (isObj(json.classified) || (isErrorCode(json.code) && typeof json.category === 'string')) {
		const error = classifyError(json, { now });
		const recordRef = error.record ?? null;
		return done({ source: isObj(json.classified) ? 'connector_error' : 'classified_error', kind: 'error', errors: [error], record: json.record ?? null, recordRef, node: null, stage: null, mappingId: null, summary: summaryOf([error], recordRef) });
	}

	// 5. n8n's error output / continue-on-fail: `json.error` next to the input item's own fields.
	const itemError = options.itemError;
	if ((json.error !== undefined && json.error !== null && json.error !== '') || itemError !== undefined) {
		const raw: Obj = isObj(json.error) ? { ...json.error } : { message: str(json.error) ?? str(json.message) };
		if (isObj(json.details)) raw.details = json.details;
		if (isObj(itemError)) {
			// The live error object has the status and the vendor's words; the json only its message.
			for (const [k, v] of Object.entries(itemError)) if (raw[k] === undefined) raw[k] = v;
			if (raw.message === undefined && itemError instanceof Error) raw.message = itemError.message;
		} else if (itemError instanceof Error && raw.message === undefined) raw.message = itemError.message;
		const record: Obj = {};
		for (const [k, v] of Object.entries(json)) if (!ERROR_OUTPUT_KEYS.has(k)) record[k] = v;
		const recordRef = refOf(record);
		const error = classifyError(raw, { record: recordRef ?? undefined, now });
		const node = isObj(raw.node) ? (str(raw.node.name) ?? null) : null;
		return done({
			source: 'error_output',
			kind: 'error',
			errors: [error],
			record: Object.keys(record).length ? record : null,
			recordRef,
			node,
			stage: null,
			mappingId: str(record.mappingId) ?? null,
			summary: summaryOf([error], recordRef),
		});
	}

	// 6. Anything else: keep it whole, classify what its message says.
	const recordRef = refOf(json);
	const error = classifyError(str(json.message) ?? str(json.summary) ?? 'The item does not describe its failure', { record: recordRef ?? undefined, now });
	return done({ source: 'unknown', kind: 'error', errors: [error], record: json, recordRef, node: null, stage: null, mappingId: null, summary: summaryOf([error], recordRef) });
}

/**
 * Like `classify`, but an Error Trigger payload of our own Stop on Error yields every failed record of the batch
 * that stopped (the error's context lists them), so the error workflow can park them all, not only the first.
 */
export function classifyAll(input: unknown, options: ClassifyOptions = {}): ClassifiedFailure[] {
	const first = classify(input, options);
	if (first.source !== 'error_trigger' || !isObj(input)) return [first];
	const execution = isObj(input.execution) ? input.execution : undefined;
	const error = execution && isObj(execution.error) ? execution.error : undefined;
	const ours = error && isObj(error.context) && isObj(error.context.fluxcascade) ? error.context.fluxcascade : undefined;
	const batch = ours && Array.isArray(ours.batch) ? ours.batch.filter(isObj) : [];
	if (batch.length === 0) return [first];
	return batch.map((entry) => {
		const f = classify(entry, options);
		return { ...f, source: 'error_trigger' as const, workflow: first.workflow, execution: first.execution };
	});
}
