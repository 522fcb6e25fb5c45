/**
 * Salesforce REST connector: sObject CRUD and upsert by external id, SOQL reads with query locators,
 * incremental changes on SystemModstamp, sObject Collections for batch writes, describe for schema.
 * Talks HTTP only through the injected HttpClient (n8n's authenticated requests in nodes, fetch in tests).
 */
import { classifiedError, type ClassifiedError } from '../../errors/taxonomy';
import { ConnectorError } from '../core/errors';
import { TransportError, type HttpClient, type HttpRequest, type HttpResponse } from '../core/http';
import { concurrencyBudget, sharedLimiter, type BudgetBackend, type ConcurrencyBudget } from '../core/limiter';
import { withRetry, type RetryOptions } from '../core/retry';
import type { ChangesOptions, ChangesPage, FieldInfo, ObjectInfo, RecordEnvelope, WriteInput, WriteOperation, WriteResult } from '../core/types';
import { readableFields, toFieldInfo, toObjectInfo, type SfDescribe, type SfDescribeField, type SfGlobalObject } from './describe';
import { classifySalesforceError, errorEntries, fieldFromMessage, RECORD_MISSING_CODES, responseError, saveResultError, vendorCodeOf, type ErrorContext, type SalesforceErrorEntry } from './errors';
import { ApiBudget, parseLimitInfo } from './limits';
import { SALESFORCE_ID, SYSTEM_FIELDS, toEnvelope, versionKey, type SfRecord } from './records';
import { buildSelect, soqlCondition, soqlDateTime, soqlIdent, type SoqlCondition } from './soql';

export const DEFAULT_API_VERSION = '62.0';
/** sObject Collections accept at most 200 records per call. */
export const COLLECTION_LIMIT = 200;
/** Salesforce refuses URIs (plus headers) over 16,384 bytes; stay well under for the query string. */
const MAX_QUERY_URL = 15_000;

export interface SalesforceConnectorOptions {
	http: HttpClient;
	/** `https://MyDomain.my.salesforce.com`: the token response's instance_url (or an override). */
	instanceUrl: string;
	/** `62.0` or `v62.0`. */
	apiVersion?: string;
	/** Identity of the credential (never the secret) for the process-wide limiter, budget and describe cache. */
	credentialKey?: string;
	/** API calls to leave unused: a share when < 1 (default 0.05), an absolute count when ≥ 1. */
	apiReserve?: number;
	/** Requests in flight per credential (default 5: the Developer Edition cap on long-running requests). */
	maxConcurrency?: number;
	/** Where the cap on requests in flight is shared with other processes (n8n queue mode); absent: this process's. */
	budgets?: BudgetBackend;
	retry?: RetryOptions;
	/** Per-request timeout (default 60 s). */
	timeoutMs?: number;
	/** Called once on 401 INVALID_SESSION_ID: refresh the token and answer true to retry the request. */
	onAuthFailure?: () => Promise<boolean>;
	/** How long a describe stays cached (default 10 min). */
	describeTtlMs?: number;
	/** Rows per query batch, 200..2000 (Sforce-Query-Options). */
	queryBatchSize?: number;
}

export interface ReadOptions {
	fields?: string[];
}

export interface GetManyOptions extends ReadOptions {
	conditions?: SoqlCondition[];
	orderBy?: Array<{ field: string; direction?: 'ASC' | 'DESC' }>;
	limit?: number;
	includeDeleted?: boolean;
	pageSize?: number;
}

export interface SalesforceChangesOptions extends ChangesOptions {
	/** Read soft-deleted rows too (queryAll); they come back with `deleted: true`. */
	includeDeleted?: boolean;
	/** Versions (`Id@epochMs`) already delivered: skipped (the overlap window re-reads them). */
	seen?: Iterable<string>;
	/** Stop after this many records (the checkpoint then stops at the last one delivered). */
	maxRecords?: number;
	/** Extra conditions ANDed with the SystemModstamp bound. */
	conditions?: SoqlCondition[];
}

export interface SalesforceWriteOptions {
	/** Upsert: the external-id field (or `Id`). */
	externalIdField?: string;
	/** Update: a target that was deleted or never existed is created instead ("Create if missing"). */
	createIfMissing?: boolean;
	/** Read every written record back (one extra call per 200) so `fields` and `updatedAt` are the server's. */
	readBack?: boolean;
	/** Save despite duplicate-rule alerts (`Sforce-Duplicate-Rule-Header: allowSave=true`). */
	allowDuplicateSave?: boolean;
	/** Records per Collections call (1..200, default 200). */
	batchSize?: number;
}

/** Marks an error that must not be retried within this run (daily allocation spent, a create that may have landed). */
class NoRetry extends Error {
	constructor(readonly inner: ConnectorError) {
		super(inner.message);
	}
}

interface SendOptions {
	ctx?: ErrorContext;
	/** Safe to send twice (reads, PATCH by id or external id, DELETE). Creates are not: a timeout may hide a success. */
	idempotent: boolean;
	/** A 2xx answer should carry JSON (false for DELETE's empty 204): text instead means a truncated answer. */
	expectJson?: boolean;
}

interface CacheEntry<T> {
	at: number;
	value: Promise<T>;
}
const describeCache = new Map<string, CacheEntry<SfDescribe>>();
const globalCache = new Map<string, CacheEntry<SfGlobalObject[]>>();

const nowIso = () => new Date().toISOString();

/** Whole-request failures: every further call would fail the same way (the node stops, or parks every item). */
export const FATAL_CODES = new Set(['AUTHENTICATION_FAILED', 'RATE_LIMIT_EXCEEDED', 'PERMISSION_DENIED', 'OBJECT_TYPE_CHANGED']);

export function isFatal(error: ClassifiedError): boolean {
	return FATAL_CODES.has(error.code);
}
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function findKey(obj: Record<string, unknown>, name: string): string | undefined {
	const lower = name.toLowerCase();
	return Object.keys(obj).find((k) => k.toLowerCase() === lower);
}

function withoutKeys(obj: Record<string, unknown>, drop: (key: string) => boolean): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(obj)) if (!drop(k) && v !== undefined) out[k] = v;
	return out;
}

/** The body Salesforce accepts for a write: no Id, no system stamps, no `attributes`. */
export function writableBody(fields: Record<string, unknown>): Record<string, unknown> {
	return withoutKeys(fields, (k) => SYSTEM_FIELDS.has(k.toLowerCase()));
}

function localError(code: ClassifiedError['code'], message: string, extra: { field?: string; value?: unknown; object?: string; id?: string } = {}): ClassifiedError {
	return classifiedError(code, {
		message,
		field: extra.field,
		value: extra.value,
		record: { system: 'salesforce', ...(extra.object ? { object: extra.object } : {}), ...(extra.id ? { id: extra.id } : {}) },
	});
}

export class SalesforceConnector {
	readonly version: string;
	readonly budget: ApiBudget;
	private readonly concurrency: ConcurrencyBudget;
	private readonly key: string;
	private readonly timeoutMs: number;
	private readonly describeTtlMs: number;
	private readonly batchSize: number;

	constructor(private readonly options: SalesforceConnectorOptions) {
		const v = String(options.apiVersion ?? DEFAULT_API_VERSION).trim().replace(/^v/i, '');
		if (!/^\d{2,3}\.0$/.test(v)) throw new Error(`API version must look like 62.0 (got ${JSON.stringify(options.apiVersion)})`);
		this.version = v;
		this.key = options.credentialKey ?? options.instanceUrl;
		this.budget = sharedLimiter(`salesforce:budget:${this.key}`, () => new ApiBudget({ reserve: options.apiReserve }));
		if (options.apiReserve !== undefined) this.budget.reserve = options.apiReserve;
		this.concurrency = concurrencyBudget(`salesforce:concurrency:${this.key}`, { limit: options.maxConcurrency ?? 5 }, options.budgets);
		this.timeoutMs = options.timeoutMs ?? 60_000;
		this.describeTtlMs = options.describeTtlMs ?? 10 * 60_000;
		this.batchSize = Math.min(2000, Math.max(200, options.queryBatchSize ?? 2000));
	}

	get instanceUrl(): string {
		return this.options.instanceUrl.replace(/\/+$/, '');
	}

	/** `/services/data/v62.0` + path. */
	path(p: string): string {
		return `/services/data/v${this.version}${p}`;
	}

	// ------------------------------------------------------------------ transport

	/**
	 * One API call with the budget check, the per-credential concurrency cap, one token refresh on 401 and
	 * bounded retries of transient failures. Returns every answer the caller can classify per record (2xx,
	 * 3xx, 4xx); throws ConnectorError for whole-request failures (401, limit, 5xx after retries, network).
	 */
	async send(req: HttpRequest, opts: SendOptions): Promise<HttpResponse> {
		let refreshed = false;
		try {
			return await withRetry(
				async () => {
					for (;;) {
						const res = await this.attempt(req, opts);
						if (res.status === 401) {
							if (!refreshed && this.options.onAuthFailure) {
								refreshed = true;
								if (await this.options.onAuthFailure()) continue;
							}
							throw new NoRetry(responseError(res, { ...opts.ctx, status: 401 }));
						}
						return res;
					}
				},
				{ ...this.options.retry },
			);
		} catch (err) {
			if (err instanceof NoRetry) throw err.inner;
			throw err;
		}
	}

	private async attempt(req: HttpRequest, opts: SendOptions): Promise<HttpResponse> {
		// The budget is checked before sending: nothing goes out once only the reserve is left.
		try {
			this.budget.take();
		} catch (err) {
			throw new NoRetry(err as ConnectorError);
		}
		let res: HttpResponse;
		try {
			res = await this.concurrency.run(() => this.options.http.request({ ...req, timeoutMs: req.timeoutMs ?? this.timeoutMs }));
		} catch (err) {
			if (!(err instanceof TransportError)) throw err;
			const e = new ConnectorError(
				classifiedError('CONNECTION_TIMEOUT', {
					message: `Salesforce: ${err.message}${opts.idempotent ? '' : ' (the request may have been applied; it was not repeated)'}`,
					record: opts.ctx?.object ? { system: 'salesforce', object: opts.ctx.object, ...(opts.ctx.id ? { id: opts.ctx.id } : {}) } : undefined,
					vendor: { code: err.kind === 'timeout' ? 'TIMEOUT' : 'NETWORK' },
				}),
			);
			throw opts.idempotent ? e : new NoRetry(e);
		} finally {
			this.budget.release();
		}
		this.budget.observe(parseLimitInfo(res.headers['sforce-limit-info']));
		if (res.status === 400 || res.status === 403 || res.status >= 500) {
			const entries = errorEntries(res.body);
			if (entries[0] && vendorCodeOf(entries[0]) === 'UNABLE_TO_LOCK_ROW') {
				// Another transaction holds the row: nothing was written, so even a create can be sent again.
				throw responseError(res, opts.ctx);
			}
			const code = entries[0] ? vendorCodeOf(entries[0]) : '';
			if (res.status >= 500) {
				const e = responseError(res, opts.ctx);
				// 503 means the request was refused before any work: safe to repeat even for a create.
				throw opts.idempotent || res.status === 503 ? e : new NoRetry(e);
			}
			if (code === 'REQUEST_LIMIT_EXCEEDED') {
				const e = responseError(res, opts.ctx);
				// The daily allocation will not come back within this run; the concurrency cap will, in seconds.
				throw /concurrent/i.test(entries[0].message ?? '') ? e : new NoRetry(e);
			}
		}
		if (opts.expectJson !== false && res.status >= 200 && res.status < 300 && res.status !== 204 && typeof res.body === 'string' && res.body !== '') {
			// A JSON answer cut off mid-way: the connection broke, the data did not.
			const e = new ConnectorError(
				classifiedError('CONNECTION_TIMEOUT', { message: 'Salesforce: the response ended before the JSON did (truncated answer)', vendor: { status: res.status, code: 'MALFORMED_RESPONSE' } }),
			);
			throw opts.idempotent ? e : new NoRetry(e);
		}
		return res;
	}

	private async getJson<T>(url: string, ctx: ErrorContext, headers?: Record<string, string>): Promise<T> {
		const res = await this.send({ method: 'GET', url, headers }, { idempotent: true, ctx });
		if (res.status !== 200) throw responseError(res, ctx);
		return res.body as T;
	}

	// ------------------------------------------------------------------ schema

	/** describeGlobal, cached per credential; `fresh` skips the cache (the editor's dropdowns). */
	async describeGlobal(opts: { fresh?: boolean } = {}): Promise<SfGlobalObject[]> {
		const key = `${this.key}|${this.version}`;
		const hit = globalCache.get(key);
		if (!opts.fresh && hit && Date.now() - hit.at < this.describeTtlMs) return hit.value;
		const value = this.getJson<{ sobjects: SfGlobalObject[] }>(this.path('/sobjects'), { about: 'query' }).then((b) => b.sobjects ?? []);
		globalCache.set(key, { at: Date.now(), value });
		value.catch(() => globalCache.delete(key));
		return value;
	}

	/** An object's describe, cached per credential (a field added in Salesforce shows up within the TTL, or at once with `fresh`). */
	async describe(object: string, opts: { fresh?: boolean } = {}): Promise<SfDescribe> {
		soqlIdent(object, 'object name');
		const key = `${this.key}|${this.version}|${object.toLowerCase()}`;
		const hit = describeCache.get(key);
		if (!opts.fresh && hit && Date.now() - hit.at < this.describeTtlMs) return hit.value;
		const value = this.getJson<SfDescribe>(this.path(`/sobjects/${object}/describe`), { object, about: 'object' });
		describeCache.set(key, { at: Date.now(), value });
		value.catch(() => describeCache.delete(key));
		return value;
	}

	/** Forget a cached describe (after a schema error: a field or the object went away). */
	invalidate(object?: string): void {
		for (const key of describeCache.keys()) if (key.startsWith(`${this.key}|`) && (!object || key.endsWith(`|${object.toLowerCase()}`))) describeCache.delete(key);
		if (!object) globalCache.delete(`${this.key}|${this.version}`);
	}

	async objects(): Promise<ObjectInfo[]> {
		return (await this.describeGlobal()).map(toObjectInfo);
	}

	async fields(object: string): Promise<FieldInfo[]> {
		return (await this.describe(object)).fields.map(toFieldInfo);
	}

	/** The field's describe entry (case-insensitive), or undefined. */
	async field(object: string, name: string): Promise<SfDescribeField | undefined> {
		const lower = name.toLowerCase();
		return (await this.describe(object)).fields.find((f) => f.name.toLowerCase() === lower);
	}

	/**
	 * Splits input fields into what can be written (create: createable, update: updateable) and what is
	 * read-only on this org (system stamps, formulas, compound names): for piping a read straight into a write.
	 */
	async writableFields(object: string, fields: Record<string, unknown>, mode: 'create' | 'update' | 'upsert'): Promise<{ fields: Record<string, unknown>; dropped: string[] }> {
		const d = await this.describe(object);
		const byName = new Map(d.fields.map((f) => [f.name.toLowerCase(), f]));
		const out: Record<string, unknown> = {};
		const dropped: string[] = [];
		for (const [k, v] of Object.entries(fields)) {
			if (k === 'attributes') continue;
			const f = byName.get(k.toLowerCase());
			// Unknown fields are kept: Salesforce names them (FIELD_NOT_FOUND), a silent drop would hide a mapping error.
			const ok = !f || (mode === 'create' ? f.createable : mode === 'update' ? f.updateable : f.createable || f.updateable);
			if (ok) out[k] = v;
			else dropped.push(k);
		}
		return { fields: out, dropped };
	}

	async limits(): Promise<{ DailyApiRequests?: { Max: number; Remaining: number } } & Record<string, unknown>> {
		return this.getJson(this.path('/limits'), {});
	}

	// ------------------------------------------------------------------ reads

	private async defaultFields(object: string, fields?: string[], must: string[] = ['Id']): Promise<string[]> {
		const base = fields?.length ? fields : readableFields(await this.describe(object));
		const set = new Map(base.map((f) => [f.toLowerCase(), f]));
		for (const m of must) if (!set.has(m.toLowerCase())) set.set(m.toLowerCase(), m);
		return [...set.values()];
	}

	/** Every page of a SOQL query (query locators followed to the end). */
	async *queryPages(soql: string, opts: { all?: boolean; pageSize?: number; object?: string } = {}): AsyncGenerator<{ records: SfRecord[]; totalSize: number; done: boolean }> {
		const ctx: ErrorContext = { object: opts.object, about: 'query' };
		const headers = { 'Sforce-Query-Options': `batchSize=${Math.min(2000, Math.max(200, opts.pageSize ?? this.batchSize))}` };
		const first = `${this.path(opts.all ? '/queryAll' : '/query')}?q=${encodeURIComponent(soql)}`;
		if (first.length > MAX_QUERY_URL) {
			throw new ConnectorError(localError('INVALID_FORMAT', `The SOQL query is ${first.length} characters long once encoded; Salesforce refuses URLs over 16,384 bytes. Choose fewer fields.`, { object: opts.object }));
		}
		let url: string | undefined = first;
		while (url) {
			const res = await this.send({ method: 'GET', url, headers }, { idempotent: true, ctx });
			if (res.status !== 200) {
				const err = responseError(res, ctx);
				if (err.classified.code === 'FIELD_NOT_FOUND' || err.classified.code === 'OBJECT_TYPE_CHANGED') this.invalidate(opts.object);
				throw err;
			}
			const body = res.body as { records?: SfRecord[]; totalSize?: number; done?: boolean; nextRecordsUrl?: string };
			const done = body.done !== false || !body.nextRecordsUrl;
			yield { records: body.records ?? [], totalSize: body.totalSize ?? 0, done };
			url = done ? undefined : body.nextRecordsUrl;
		}
	}

	async get(object: string, id: string, opts: ReadOptions = {}): Promise<RecordEnvelope> {
		soqlIdent(object, 'object name');
		if (!SALESFORCE_ID.test(id)) throw new ConnectorError(localError('INVALID_FORMAT', `Not a Salesforce record id: ${JSON.stringify(id)}`, { field: 'Id', value: id, object }));
		const ctx: ErrorContext = { object, id, about: 'record' };
		const qs = opts.fields?.length ? `?fields=${encodeURIComponent(opts.fields.join(','))}` : '';
		const res = await this.send({ method: 'GET', url: this.path(`/sobjects/${object}/${id}${qs}`) }, { idempotent: true, ctx });
		if (res.status !== 200) throw responseError(res, ctx);
		return toEnvelope(res.body as SfRecord, object);
	}

	/** Records matching conditions, every page (or up to `limit`). */
	async *getMany(object: string, opts: GetManyOptions = {}): AsyncGenerator<RecordEnvelope[]> {
		const fields = await this.defaultFields(object, opts.fields);
		const where = await this.conditionsSoql(object, opts.conditions);
		const soql = buildSelect({ object, fields, where, orderBy: opts.orderBy ?? [{ field: 'Id' }], limit: opts.limit });
		for await (const page of this.queryPages(soql, { all: opts.includeDeleted, pageSize: opts.pageSize, object })) {
			yield page.records.map((r) => toEnvelope(r, object));
		}
	}

	private async conditionsSoql(object: string, conditions: SoqlCondition[] = []): Promise<string[]> {
		const out: string[] = [];
		for (const c of conditions) {
			const type = c.type ?? (c.field.includes('.') ? undefined : (await this.field(object, c.field))?.type);
			out.push(soqlCondition({ ...c, type }));
		}
		return out;
	}

	/** Records whose `field` equals `value` (SOQL `=`, so text compares case-insensitively like Salesforce does). */
	async find(object: string, field: string, value: unknown, opts: ReadOptions & { limit?: number } = {}): Promise<RecordEnvelope[]> {
		const out: RecordEnvelope[] = [];
		for await (const page of this.getMany(object, { fields: opts.fields, conditions: [{ field, op: '=', value }], limit: opts.limit })) out.push(...page);
		return out;
	}

	/**
	 * Matches for many values of one field in as few calls as possible: values are grouped into `IN (…)`
	 * lists sized to the URL limit. Result i holds the records matching values[i].
	 */
	async findMany(object: string, field: string, values: unknown[], opts: ReadOptions = {}): Promise<RecordEnvelope[][]> {
		const f = await this.field(object, field);
		if (!f && !field.includes('.')) {
			throw new ConnectorError(localError('FIELD_NOT_FOUND', `Salesforce: ${object} has no field ${field}`, { field, object }));
		}
		const apiName = f?.name ?? field;
		const textual = !f || !['int', 'double', 'currency', 'percent', 'boolean', 'date', 'datetime', 'long'].includes(f.type);
		const isId = f?.type === 'id' || f?.type === 'reference';
		// Text compares case-insensitively in SOQL; ids match in their 15- or 18-character form.
		const norm = (v: unknown) => (v === null || v === undefined ? '' : isId ? String(v).slice(0, 15) : textual ? String(v).toLowerCase() : String(v));
		const fields = await this.defaultFields(object, opts.fields, ['Id', apiName]);
		const result: RecordEnvelope[][] = values.map(() => []);
		const wanted = [...new Map(values.filter((v) => v !== null && v !== undefined && v !== '').map((v) => [norm(v), v])).values()];
		const base = buildSelect({ object, fields, where: [soqlCondition({ field: apiName, op: 'IN', value: ['x'], type: f?.type })] }).length;
		const matches = new Map<string, RecordEnvelope[]>();
		let chunk: unknown[] = [];
		let size = base;
		const flush = async () => {
			if (!chunk.length) return;
			const soql = buildSelect({ object, fields, where: [soqlCondition({ field: apiName, op: 'IN', value: chunk, type: f?.type })], orderBy: [{ field: 'Id' }] });
			for await (const page of this.queryPages(soql, { object })) {
				for (const rec of page.records) {
					const env = toEnvelope(rec, object);
					const k = norm(env.fields[apiName]);
					if (!matches.has(k)) matches.set(k, []);
					matches.get(k)!.push(env);
				}
			}
			chunk = [];
			size = base;
		};
		for (const v of wanted) {
			const lit = encodeURIComponent(soqlCondition({ field: apiName, op: '=', value: v, type: f?.type })).length;
			if (size + lit > MAX_QUERY_URL - 2000 || chunk.length >= 500) await flush();
			chunk.push(v);
			size += lit + 6;
		}
		await flush();
		values.forEach((v, i) => {
			result[i] = v === null || v === undefined || v === '' ? [] : (matches.get(norm(v)) ?? []);
		});
		return result;
	}

	/**
	 * Records changed since a cursor: SOQL on SystemModstamp (indexed, and it moves on system changes
	 * too), `>=` the checkpoint minus an overlap window (late commits), ORDER BY SystemModstamp, Id, every
	 * page. Versions in `seen` and repeats within the run are skipped. An expired query locator restarts
	 * the query from the last stamp delivered.
	 */
	async *changes(object: string, opts: SalesforceChangesOptions = {}): AsyncGenerator<ChangesPage> {
		const fields = await this.defaultFields(object, opts.fields, opts.includeDeleted ? ['Id', 'SystemModstamp', 'IsDeleted'] : ['Id', 'SystemModstamp']);
		const extra = await this.conditionsSoql(object, opts.conditions);
		const sinceMs = opts.since ? Date.parse(opts.since) : undefined;
		if (opts.since && (sinceMs === undefined || Number.isNaN(sinceMs))) throw new ConnectorError(localError('INVALID_FORMAT', `Not a date/time: ${JSON.stringify(opts.since)}`, { object }));
		const overlap = Math.max(0, opts.overlapMs ?? 0);
		const seen = new Set(opts.seen ?? []);
		const delivered = new Map<string, number>();
		let checkpointMs = sinceMs;
		let lower = sinceMs === undefined ? undefined : sinceMs - overlap;
		let count = 0;
		let restarts = 0;
		const max = opts.maxRecords ?? Infinity;
		for (;;) {
			const where = [...(lower === undefined ? [] : [`SystemModstamp >= ${soqlDateTime(lower)}`]), ...extra];
			const soql = buildSelect({ object, fields, where, orderBy: [{ field: 'SystemModstamp' }, { field: 'Id' }] });
			try {
				for await (const page of this.queryPages(soql, { all: opts.includeDeleted, pageSize: opts.pageSize, object })) {
					const records: RecordEnvelope[] = [];
					let stopped = false;
					for (const rec of page.records) {
						const env = toEnvelope(rec, object);
						const at = Date.parse(env.updatedAt);
						if (seen.has(versionKey(env)) || (delivered.get(env.id) ?? -Infinity) >= at) continue;
						if (count >= max) {
							stopped = true;
							break;
						}
						delivered.set(env.id, at);
						records.push(env);
						count++;
						if (checkpointMs === undefined || at > checkpointMs) checkpointMs = at;
					}
					const done = page.done && !stopped;
					yield { records, checkpoint: checkpointMs === undefined ? undefined : new Date(checkpointMs).toISOString(), done: stopped ? false : done };
					if (stopped) return;
				}
				return;
			} catch (err) {
				// Query locators expire after ~15 min idle and at most 10 stay open per user: start again from where we were.
				const locatorGone = err instanceof ConnectorError && err.classified.vendor?.code === 'INVALID_QUERY_LOCATOR';
				if (!locatorGone || restarts++ >= 5) throw err;
				if (checkpointMs !== undefined) lower = checkpointMs;
			}
		}
	}

	// ------------------------------------------------------------------ single-record writes

	private headers(opts: SalesforceWriteOptions): Record<string, string> | undefined {
		return opts.allowDuplicateSave ? { 'Sforce-Duplicate-Rule-Header': 'allowSave=true' } : undefined;
	}

	private writtenEnvelope(object: string, id: string, fields: Record<string, unknown>): RecordEnvelope {
		return { system: 'salesforce', object, id, updatedAt: nowIso(), fields: { ...fields, Id: id } };
	}

	private async readBackOne(object: string, id: string, fallback: RecordEnvelope): Promise<RecordEnvelope> {
		try {
			return await this.get(object, id);
		} catch {
			return fallback;
		}
	}

	private fail(index: number, input: WriteInput, error: ClassifiedError): WriteResult {
		return { index, ok: false, error, input };
	}

	/** Runs a single-record write: transient failures left after retries come back as that record's result; fatal ones throw. */
	private async guarded(input: WriteInput, fn: () => Promise<WriteResult>): Promise<WriteResult> {
		try {
			return await fn();
		} catch (err) {
			if (err instanceof ConnectorError && !isFatal(err.classified)) return this.fail(0, input, err.classified);
			throw err;
		}
	}

	async create(object: string, fields: Record<string, unknown>, opts: SalesforceWriteOptions = {}): Promise<WriteResult> {
		return this.guarded({ fields }, () => this.createOne(object, fields, opts));
	}

	private async createOne(object: string, fields: Record<string, unknown>, opts: SalesforceWriteOptions): Promise<WriteResult> {
		soqlIdent(object, 'object name');
		const body = writableBody(fields);
		// A 404 on POST /sobjects/{o} can only mean the object itself.
		const ctx: ErrorContext = { object, input: body, about: 'object' };
		const res = await this.send({ method: 'POST', url: this.path(`/sobjects/${object}`), body, headers: this.headers(opts) }, { idempotent: false, ctx });
		if (res.status !== 201 && res.status !== 200) return this.fail(0, { fields }, responseError(res, ctx).classified);
		const id = String((res.body as { id: string }).id);
		const env = this.writtenEnvelope(object, id, body);
		return { index: 0, ok: true, action: 'created', record: opts.readBack ? await this.readBackOne(object, id, env) : env };
	}

	async update(object: string, id: string, fields: Record<string, unknown>, opts: SalesforceWriteOptions = {}): Promise<WriteResult> {
		return this.guarded({ id, fields }, () => this.updateOne(object, id, fields, opts));
	}

	private async updateOne(object: string, id: string, fields: Record<string, unknown>, opts: SalesforceWriteOptions): Promise<WriteResult> {
		soqlIdent(object, 'object name');
		const input: WriteInput = { id, fields };
		if (!id) return this.fail(0, input, localError('REQUIRED_FIELD_MISSING', 'An update needs the record id', { field: 'Id', object }));
		if (!SALESFORCE_ID.test(id)) return this.fail(0, input, localError('INVALID_FORMAT', `Not a Salesforce record id: ${JSON.stringify(id)}`, { field: 'Id', value: id, object }));
		const body = writableBody(fields);
		const ctx: ErrorContext = { object, id, input: body, about: 'record' };
		const res = await this.send({ method: 'PATCH', url: this.path(`/sobjects/${object}/${id}`), body, headers: this.headers(opts) }, { idempotent: true, ctx });
		if (res.status === 204 || res.status === 200) {
			const env = this.writtenEnvelope(object, id, body);
			return { index: 0, ok: true, action: 'updated', record: opts.readBack ? await this.readBackOne(object, id, env) : env };
		}
		const code = errorEntries(res.body)[0];
		if (opts.createIfMissing && res.status === 404 && code && RECORD_MISSING_CODES.has(vendorCodeOf(code))) {
			return this.create(object, fields, opts);
		}
		return this.fail(0, input, responseError(res, ctx).classified);
	}

	/**
	 * PATCH /sobjects/{o}/{field}/{value}: 201 created, 200 updated (204 before API 46), 300 when several
	 * records carry the value (DUPLICATE_RECORD, nothing written). The body must not repeat the key.
	 */
	async upsert(object: string, externalIdField: string, value: string, fields: Record<string, unknown>, opts: SalesforceWriteOptions = {}): Promise<WriteResult> {
		return this.guarded({ id: value, fields }, () => this.upsertOne(object, externalIdField, value, fields, opts));
	}

	private async upsertOne(object: string, externalIdField: string, value: string, fields: Record<string, unknown>, opts: SalesforceWriteOptions): Promise<WriteResult> {
		soqlIdent(object, 'object name');
		soqlIdent(externalIdField, 'external id field');
		const input: WriteInput = { id: value, fields };
		if (value === undefined || value === null || String(value) === '') {
			return this.fail(0, input, localError('REQUIRED_FIELD_MISSING', `Upsert needs a value for the external id field ${externalIdField}`, { field: externalIdField, object }));
		}
		const key = String(value);
		if (key.includes('/')) {
			// A slash cannot travel in the URL path on the real API: the Collections form carries the value in the body.
			const [r] = await this.batch('upsert', object, [input], { ...opts, externalIdField });
			return { ...r, index: 0 };
		}
		const body = withoutKeys(writableBody(fields), (k) => k.toLowerCase() === externalIdField.toLowerCase());
		const ctx: ErrorContext = { object, input: { ...body, [externalIdField]: key } };
		const res = await this.send(
			{ method: 'PATCH', url: this.path(`/sobjects/${object}/${externalIdField}/${encodeURIComponent(key)}`), body, headers: this.headers(opts) },
			{ idempotent: true, ctx },
		);
		if (res.status === 201 || res.status === 200 || res.status === 204) {
			const b = (res.body ?? {}) as { id?: string; created?: boolean };
			const created = res.status === 201 || b.created === true;
			let id = b.id;
			if (!id) {
				// API < 46 answers 204 without a body on update: look the id up.
				id = (await this.find(object, externalIdField, key, { fields: ['Id'], limit: 1 }))[0]?.id ?? '';
			}
			const env = this.writtenEnvelope(object, id, { ...body, [externalIdField]: key });
			return { index: 0, ok: true, action: created ? 'created' : 'updated', record: opts.readBack && id ? await this.readBackOne(object, id, env) : env };
		}
		if (res.status === 300) {
			const urls = Array.isArray(res.body) ? (res.body as unknown[]).map(String) : [];
			const ids = urls.map((u) => u.split('/').pop());
			const err = classifiedError('DUPLICATE_RECORD', {
				message: `Salesforce: ${ids.length || 'several'} ${object} records have ${externalIdField} = ${JSON.stringify(key)}${ids.length ? ` (${ids.join(', ')})` : ''}; nothing was written`,
				field: externalIdField,
				value: key,
				record: { system: 'salesforce', object },
				vendor: { status: 300, code: 'MULTIPLE_CHOICES', message: urls.join(', ') },
			});
			return this.fail(0, input, err);
		}
		return this.fail(0, input, responseError(res, ctx).classified);
	}

	async delete(object: string, id: string): Promise<WriteResult> {
		return this.guarded({ id, fields: {} }, () => this.deleteOne(object, id));
	}

	private async deleteOne(object: string, id: string): Promise<WriteResult> {
		soqlIdent(object, 'object name');
		const input: WriteInput = { id, fields: {} };
		if (!id || !SALESFORCE_ID.test(id)) return this.fail(0, input, localError(id ? 'INVALID_FORMAT' : 'REQUIRED_FIELD_MISSING', `Not a Salesforce record id: ${JSON.stringify(id)}`, { field: 'Id', value: id, object }));
		const ctx: ErrorContext = { object, id, about: 'record' };
		const res = await this.send({ method: 'DELETE', url: this.path(`/sobjects/${object}/${id}`) }, { idempotent: true, ctx, expectJson: false });
		const entry = errorEntries(res.body)[0];
		// Deleting what is already in the recycle bin is a success: the sync wanted it gone, and it is.
		if (res.status === 204 || (res.status === 404 && entry && vendorCodeOf(entry) === 'ENTITY_IS_DELETED')) {
			return { index: 0, ok: true, action: 'deleted', record: { system: 'salesforce', object, id, updatedAt: nowIso(), fields: { Id: id }, deleted: true } };
		}
		return this.fail(0, input, responseError(res, ctx).classified);
	}

	// ------------------------------------------------------------------ batch writes (sObject Collections)

	/**
	 * Many writes through sObject Collections: ≤200 records per call, allOrNone=false, one result per
	 * input in input order. A bad record never fails its batch-mates: per-record errors come back as
	 * data, and a whole-call rejection caused by one record's data is narrowed down to that record.
	 * Inputs with the same key go to different calls, in input order, so the last one wins.
	 */
	async batch(op: WriteOperation, object: string, inputs: WriteInput[], opts: SalesforceWriteOptions = {}): Promise<WriteResult[]> {
		soqlIdent(object, 'object name');
		const size = Math.min(COLLECTION_LIMIT, Math.max(1, opts.batchSize ?? COLLECTION_LIMIT));
		const results: Array<WriteResult | undefined> = new Array(inputs.length);
		const ext = op === 'upsert' ? soqlIdent(opts.externalIdField ?? '', 'external id field') : undefined;
		const items: Array<{ index: number; key: string; body: Record<string, unknown>; id?: string }> = [];

		inputs.forEach((input, index) => {
			const fields = input.fields ?? {};
			if (op === 'create') {
				items.push({ index, key: `#${index}`, body: writableBody(fields) });
				return;
			}
			if (op === 'upsert') {
				const fk = findKey(fields, ext!);
				const value = input.id ?? (fk ? fields[fk] : undefined);
				if (value === undefined || value === null || String(value) === '') {
					results[index] = this.fail(index, input, localError('REQUIRED_FIELD_MISSING', `Upsert needs a value for the external id field ${ext}`, { field: ext, object }));
					return;
				}
				const body = withoutKeys(writableBody(fields), (k) => k.toLowerCase() === ext!.toLowerCase());
				body[ext!] = value;
				items.push({ index, key: String(value).toLowerCase(), body });
				return;
			}
			const idKey = findKey(fields, 'Id');
			const id = String(input.id ?? (idKey ? fields[idKey] : '') ?? '');
			if (!id) {
				results[index] = this.fail(index, input, localError('REQUIRED_FIELD_MISSING', `${op === 'delete' ? 'A delete' : 'An update'} needs the record id`, { field: 'Id', object }));
				return;
			}
			if (!SALESFORCE_ID.test(id)) {
				results[index] = this.fail(index, input, localError('INVALID_FORMAT', `Not a Salesforce record id: ${JSON.stringify(id)}`, { field: 'Id', value: id, object }));
				return;
			}
			items.push({ index, key: id.slice(0, 15), id, body: op === 'update' ? writableBody(fields) : {} });
		});

		// Chunks of ≤ size; a key appears once per chunk, and a repeat lands in a later chunk than the one before it.
		const chunks: Array<typeof items> = [];
		const keyChunk = new Map<string, number>();
		let open = 0;
		for (const item of items) {
			let c = Math.max(open, (keyChunk.get(item.key) ?? -1) + 1);
			while (chunks[c] && (chunks[c].length >= size || chunks[c].some((x) => x.key === item.key))) c++;
			(chunks[c] ??= []).push(item);
			keyChunk.set(item.key, c);
			while (chunks[open] && chunks[open].length >= size) open++;
		}

		let fatal: ClassifiedError | undefined;
		for (const chunk of chunks) {
			if (!chunk?.length) continue;
			if (fatal) {
				for (const item of chunk) results[item.index] = this.fail(item.index, inputs[item.index], { ...fatal, record: { system: 'salesforce', object, ...(item.id ? { id: item.id } : {}) } });
				continue;
			}
			try {
				await this.sendChunk(op, object, chunk, inputs, results, opts, 0);
			} catch (err) {
				if (!(err instanceof ConnectorError)) throw err;
				const e = err.classified;
				const note = op === 'create' && e.code === 'CONNECTION_TIMEOUT' ? ' (these records may have been created; check before retrying)' : '';
				for (const item of chunk) results[item.index] = this.fail(item.index, inputs[item.index], { ...e, message: e.message + note, record: { system: 'salesforce', object, ...(item.id ? { id: item.id } : {}) } });
				// Auth, spent allocation, missing permission: the next calls would fail the same way.
				if (isFatal(e)) fatal = e;
			}
		}

		if (op === 'update') await this.settleMissing(object, results);
		if (op === 'update' && opts.createIfMissing) await this.createMissing(object, results, opts);
		if (opts.readBack && op !== 'delete') await this.readBackMany(object, results);
		return results.map((r, i) => r ?? this.fail(i, inputs[i], localError('INVALID_FORMAT', 'No result for this record (internal error)', { object })));
	}

	private collectionRequest(op: WriteOperation, object: string, chunk: Array<{ body: Record<string, unknown>; id?: string }>, ext: string | undefined, opts: SalesforceWriteOptions): HttpRequest {
		const headers = this.headers(opts);
		if (op === 'delete') {
			return { method: 'DELETE', url: this.path(`/composite/sobjects?ids=${chunk.map((c) => c.id).join(',')}&allOrNone=false`), headers };
		}
		const records = chunk.map((c) => ({ attributes: { type: object }, ...(op === 'update' ? { Id: c.id } : {}), ...c.body }));
		if (op === 'upsert') return { method: 'PATCH', url: this.path(`/composite/sobjects/${object}/${ext}`), body: { allOrNone: false, records }, headers };
		return { method: op === 'create' ? 'POST' : 'PATCH', url: this.path('/composite/sobjects'), body: { allOrNone: false, records }, headers };
	}

	private async sendChunk(
		op: WriteOperation,
		object: string,
		chunk: Array<{ index: number; key: string; body: Record<string, unknown>; id?: string }>,
		inputs: WriteInput[],
		results: Array<WriteResult | undefined>,
		opts: SalesforceWriteOptions,
		lockRound: number,
	): Promise<void> {
		const ext = op === 'upsert' ? opts.externalIdField : undefined;
		const req = this.collectionRequest(op, object, chunk, ext, opts);
		const res = await this.send(req, { idempotent: op !== 'create', ctx: { object }, expectJson: true });

		if (res.status === 200 && Array.isArray(res.body) && res.body.length === chunk.length) {
			const locked: typeof chunk = [];
			(res.body as Array<{ id?: string; success?: boolean; created?: boolean; errors?: SalesforceErrorEntry[] }>).forEach((r, i) => {
				const item = chunk[i];
				const input = inputs[item.index];
				if (r.success) {
					const id = String(r.id ?? item.id ?? '');
					const action = op === 'create' ? 'created' : op === 'delete' ? 'deleted' : op === 'update' ? 'updated' : r.created ? 'created' : 'updated';
					const record: RecordEnvelope = op === 'delete' ? { system: 'salesforce', object, id, updatedAt: nowIso(), fields: { Id: id }, deleted: true } : this.writtenEnvelope(object, id, item.body);
					results[item.index] = { index: item.index, ok: true, action, record };
					return;
				}
				const errors = r.errors ?? [];
				const code = errors[0] ? vendorCodeOf(errors[0]) : '';
				if (op === 'delete' && code === 'ENTITY_IS_DELETED') {
					results[item.index] = { index: item.index, ok: true, action: 'deleted', record: { system: 'salesforce', object, id: item.id!, updatedAt: nowIso(), fields: { Id: item.id }, deleted: true } };
					return;
				}
				if (code === 'UNABLE_TO_LOCK_ROW' && lockRound < 3) {
					locked.push(item);
					return;
				}
				const about = op === 'update' || op === 'delete' ? 'record' : undefined;
				const err = saveResultError(errors, { object, id: item.id ?? r.id, input: item.body, about, status: 200 });
				if ((op === 'update' || op === 'delete') && code === 'INVALID_CROSS_REFERENCE_KEY' && !(errors[0]?.fields ?? []).length) {
					// On a collection update/delete this is how a target that does not exist is reported.
					err.code = 'FIELD_NOT_FOUND';
					err.category = 'Mapping';
					err.error = 'Field Not Found';
					err.field = 'Id';
					err.message = `Salesforce: ${object} ${item.id} was not found: ${errors[0]?.message ?? ''}`;
				}
				results[item.index] = this.fail(item.index, input, err);
			});
			if (locked.length) {
				// Row locks clear when the other transaction commits: send those records again, a little later.
				await sleep(Math.min(2000, 200 * 2 ** lockRound));
				await this.sendChunk(op, object, locked, inputs, results, opts, lockRound + 1);
			}
			return;
		}

		// The whole call was refused (400): one record's data can do that (an unknown field, a value that cannot be read).
		const entries = errorEntries(res.body);
		const first = entries[0];
		if (res.status >= 400 && first) {
			const vc = vendorCodeOf(first);
			const badField = vc === 'INVALID_FIELD' ? fieldFromMessage(first.message ?? '') : undefined;
			if (badField && /No such column/i.test(first.message ?? '')) {
				const lower = badField.toLowerCase();
				const hit = chunk.filter((c) => Object.keys(c.body).some((k) => k.toLowerCase() === lower));
				if (hit.length) {
					this.invalidate(object);
					for (const item of hit) {
						results[item.index] = this.fail(item.index, inputs[item.index], classifySalesforceError(first, { object, id: item.id, input: item.body, status: res.status }));
					}
					const rest = chunk.filter((c) => !hit.includes(c));
					if (rest.length) await this.sendChunk(op, object, rest, inputs, results, opts, lockRound);
					return;
				}
			}
			if (chunk.length === 1) {
				const item = chunk[0];
				results[item.index] = this.fail(item.index, inputs[item.index], classifySalesforceError(first, { object, id: item.id, input: item.body, status: res.status }));
				return;
			}
			if (['JSON_PARSER_ERROR', 'INVALID_FIELD', 'INVALID_TYPE_ON_FIELD_IN_RECORD', 'MALFORMED_ID', 'INVALID_FIELD_FOR_INSERT_UPDATE', 'STRING_TOO_LONG', 'INVALID_INPUT'].includes(vc)) {
				// Halve until the record that breaks the call is alone; its batch-mates are written.
				const mid = Math.ceil(chunk.length / 2);
				await this.sendChunk(op, object, chunk.slice(0, mid), inputs, results, opts, lockRound);
				await this.sendChunk(op, object, chunk.slice(mid), inputs, results, opts, lockRound);
				return;
			}
		}
		throw responseError(res, { object });
	}

	/**
	 * On a collection update, INVALID_CROSS_REFERENCE_KEY means either "this record does not exist" or "a
	 * lookup value points nowhere". One query (queryAll, so deleted rows count as gone) tells them apart.
	 */
	private async settleMissing(object: string, results: Array<WriteResult | undefined>): Promise<void> {
		const ambiguous = results.filter((r): r is Extract<WriteResult, { ok: false }> => !!r && !r.ok && r.error.field === 'Id' && r.error.vendor?.code === 'INVALID_CROSS_REFERENCE_KEY');
		if (!ambiguous.length) return;
		const ids = ambiguous.map((r) => String(r.input.id ?? r.input.fields.Id ?? r.input.fields.id));
		const present = new Set<string>();
		for (let i = 0; i < ids.length; i += 200) {
			const soql = buildSelect({ object, fields: ['Id', 'IsDeleted'], where: [soqlCondition({ field: 'Id', op: 'IN', value: ids.slice(i, i + 200) })] });
			for await (const page of this.queryPages(soql, { all: true, object })) for (const r of page.records) if (r.IsDeleted !== true) present.add(String(r.Id).slice(0, 15));
		}
		ambiguous.forEach((r, i) => {
			if (!present.has(ids[i].slice(0, 15))) return;
			const vendor = r.error.vendor;
			r.error = classifiedError('INVALID_FORMAT', {
				message: `Salesforce: a lookup field of ${object} ${ids[i]} points to a record that does not exist (${vendor?.message ?? 'invalid cross reference id'})`,
				record: { system: 'salesforce', object, id: ids[i] },
				vendor,
			});
		});
	}

	/** Update targets that do not exist (deleted, or never were) are created instead ("Create if missing"). */
	private async createMissing(object: string, results: Array<WriteResult | undefined>, opts: SalesforceWriteOptions): Promise<void> {
		const toCreate = results.filter((r): r is Extract<WriteResult, { ok: false }> => !!r && !r.ok && r.error.field === 'Id' && r.error.code === 'FIELD_NOT_FOUND');
		if (!toCreate.length) return;
		const created = await this.batch('create', object, toCreate.map((r) => ({ fields: r.input.fields })), { ...opts, createIfMissing: false, readBack: false });
		toCreate.forEach((r, i) => {
			const c = created[i];
			results[r.index] = c.ok ? { ...c, index: r.index } : { ...c, index: r.index, input: r.input };
		});
	}

	private async readBackMany(object: string, results: Array<WriteResult | undefined>): Promise<void> {
		const ok = results.filter((r): r is Extract<WriteResult, { ok: true }> => !!r && r.ok);
		if (!ok.length) return;
		const fields = readableFields(await this.describe(object));
		for (let i = 0; i < ok.length; i += COLLECTION_LIMIT) {
			const slice = ok.slice(i, i + COLLECTION_LIMIT);
			const res = await this.send({ method: 'POST', url: this.path(`/composite/sobjects/${object}`), body: { ids: slice.map((r) => r.record.id), fields } }, { idempotent: true, ctx: { object } });
			if (res.status !== 200 || !Array.isArray(res.body)) continue; // the writes stand; only the echo is missing
			(res.body as Array<SfRecord | null>).forEach((rec, j) => {
				if (rec) slice[j].record = toEnvelope(rec, object);
			});
		}
		for (const r of ok) results[r.index] = r;
	}
}

