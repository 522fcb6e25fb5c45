/**
 * The Pipedrive connector: persons, organizations and deals over API v2 (v1 only where v2 has no
 * equivalent: users, webhooks, and field definitions on accounts without the v2 Fields API).
 *
 * - Reads: get, get many (cursor paging, ≤ 500 per page), changes since a cursor (`updated_since`, sorted by
 *   update_time ascending, every page, overlap window and de-duplication), find by match key.
 * - Writes: create (POST, 200 in v2), update (PATCH), upsert as find-then-write (two candidates →
 *   DUPLICATE_RECORD, never a guess), delete. Pipedrive has no batch endpoint: `write` sends one request per
 *   record, paced by the credential's shared limiter, and returns one result per input.
 * - Custom fields by readable name both ways (schema.ts); every failure classified (errors.ts).
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import type { ClassifiedError } from '../../errors/taxonomy';
import { ConnectorError } from '../core/errors';
import type { HttpClient } from '../core/http';
import type { RetryOptions } from '../core/retry';
import type { ChangesOptions, ChangesPage, FieldInfo, ObjectInfo, RecordEnvelope, WriteInput, WriteOperation, WriteOptions, WriteResult } from '../core/types';
import { decodeCursor, encodeCursor, pruneSeen, updatedSince, versionKey } from './cursor';
import { isNotFound, localError, type ErrorContext } from './errors';
import type { BudgetBackend } from '../core/limiter';
import { pipedriveLimits, TOKEN_COST, type AuthKind } from './limits';
import { FIELDS_PATH, LABEL, nameField, objectInfo, OBJECTS, toObject, type PipedriveObject } from './objects';
import { buildWriteBody, matchSource, toEnvelope, wouldChange, type Raw } from './records';
import { buildSchema, customSearchTerm, customToApi, fieldInfos, resolveCustom, SEARCHABLE_TYPES, type CustomField, type ObjectSchema, type RawFieldDef } from './schema';
import { PipedriveTransport, type CallResult } from './transport';

export interface PipedriveConnectorOptions {
	http: HttpClient;
	/** Credential identity (type + id, or base URL + user): keys the shared limiter and schema cache. Never the secret. */
	key: string;
	authKind?: AuthKind;
	/** Burst limit to start from until Pipedrive's headers tell (default: the lowest plan's). */
	burstLimit?: number;
	/** Vendor time per real time (sandbox benchmarks); defaults to FLUX_VENDOR_TIME_SCALE or 1. */
	timeScale?: number;
	/** Daily-budget tokens never spent by this integration (default 1,000). */
	dailyReserve?: number;
	retry?: RetryOptions;
	timeoutMs?: number;
	/** How long field definitions are cached per credential (default 10 min). */
	schemaTtlMs?: number;
	/** Country for phone numbers written without +country code (phone match key). Default US. */
	defaultCountry?: string;
	/** Where the burst windows are shared with other processes (n8n queue mode); absent: this process's. */
	budgets?: BudgetBackend;
}

export interface PipedriveWriteOptions extends WriteOptions {
	/** Parallel requests for many records (default 1); the shared limiter paces them either way. */
	concurrency?: number;
	/** Read the record before an update and skip the write when nothing would change (action `unchanged`). */
	skipUnchanged?: boolean;
	/** Upsert of a record without a match value: fail it (default) or create it. */
	missingMatchValue?: 'fail' | 'create';
	unknownFields?: 'error' | 'ignore';
	/**
	 * How upsert finds existing records: one search per record (`search`, 20 tokens and a Search API slot
	 * each), or every record of the object read once into an index (`index`, 10 tokens per 500 records), which
	 * is the cheaper way for large batches. `auto` (default) indexes from `indexThreshold` records on.
	 */
	matchLookup?: 'auto' | 'search' | 'index';
	/** Batch size from which `auto` reads all records first (default 100). */
	indexThreshold?: number;
}

/** Per-input overrides (n8n parameters may differ per item). */
export interface PipedriveWriteInput extends WriteInput {
	matchKey?: string;
	createIfMissing?: boolean;
}

export interface ListOptions {
	/** Stop after this many records (default: all). */
	limit?: number;
	pageSize?: number;
	filters?: Record<string, string | number | boolean | undefined>;
	sortBy?: 'id' | 'update_time' | 'add_time';
	sortDirection?: 'asc' | 'desc';
}

export interface PipedriveChangesOptions extends ChangesOptions {
	/** Deals only: include deleted deals (listed for 30 days) as `deleted: true`. */
	includeDeleted?: boolean;
}

const schemaCache = new Map<string, { at: number; schema: ObjectSchema }>();

/** Errors that say nothing about one record: the rest of a batch would fail the same way, so it stops. */
export function isWholeRequestError(e: ClassifiedError): boolean {
	if (e.code === 'AUTHENTICATION_FAILED' || e.code === 'RATE_LIMIT_EXCEEDED' || e.code === 'CONNECTION_TIMEOUT') return true;
	if (e.code === 'PERMISSION_DENIED') return !e.field && !(e.vendor?.code ?? '').startsWith('feature_capping') && e.vendor?.status !== 422;
	return false;
}

type Action = 'created' | 'updated' | 'unchanged' | 'deleted';

interface BatchState {
	/** Match value → id of records written in this batch (search indexes lag behind writes). */
	memo: Map<string, string>;
	locks: Map<string, Promise<unknown>>;
	options: PipedriveWriteOptions;
	/** Match key → normalised value → ids, when the batch read every record first. */
	index?: Map<string, Map<string, string[]>>;
}

export class PipedriveConnector {
	readonly transport: PipedriveTransport;
	private readonly defaultCountry: CountryCode;

	constructor(private readonly options: PipedriveConnectorOptions) {
		const limits = pipedriveLimits(options.key, { authKind: options.authKind, burstLimit: options.burstLimit, timeScale: options.timeScale, budgets: options.budgets });
		this.transport = new PipedriveTransport({
			http: options.http,
			limits,
			retry: options.retry,
			dailyReserve: options.dailyReserve,
			timeScale: options.timeScale,
			timeoutMs: options.timeoutMs,
		});
		this.defaultCountry = (options.defaultCountry || 'US').toUpperCase() as CountryCode;
	}

	objects(): ObjectInfo[] {
		return OBJECTS.map(objectInfo);
	}

	// ---- schema --------------------------------------------------------------------------------------------

	async schema(objectName: string, refresh = false): Promise<ObjectSchema> {
		const object = toObject(objectName);
		const cacheKey = `${this.options.key}:${object}`;
		const hit = schemaCache.get(cacheKey);
		if (!refresh && hit && Date.now() - hit.at < (this.options.schemaTtlMs ?? 600_000)) return hit.schema;
		const schema = buildSchema(object, await this.fieldDefinitions(object));
		schemaCache.set(cacheKey, { at: Date.now(), schema });
		return schema;
	}

	/** v2 Fields API (10 tokens a page); v1 `/personFields` (20) where the account has no v2 Fields API. */
	private async fieldDefinitions(object: PipedriveObject): Promise<RawFieldDef[]> {
		const out: RawFieldDef[] = [];
		try {
			for await (const page of this.pages<RawFieldDef>(`/api/v2/${FIELDS_PATH[object]}`, { limit: 500 }, TOKEN_COST.fieldsList)) out.push(...page);
			return out;
		} catch (err) {
			if (!isNotFound(err)) throw err;
		}
		for (let start = 0; ; ) {
			const r = await this.transport.call<RawFieldDef[] | null>({ method: 'GET', path: `/api/v1/${FIELDS_PATH[object]}`, query: { start, limit: 500 }, cost: TOKEN_COST.v1FieldsList });
			out.push(...(r.data ?? []));
			const p = (r.additional?.pagination ?? {}) as { more_items_in_collection?: boolean; next_start?: number };
			if (!p.more_items_in_collection || p.next_start === undefined) return out;
			start = p.next_start;
		}
	}

	async fields(objectName: string): Promise<FieldInfo[]> {
		return fieldInfos(await this.schema(objectName));
	}

	private errorContext(schema: ObjectSchema | undefined, object: PipedriveObject, id?: string, input?: Raw): ErrorContext {
		return { object, id, input, fieldName: (key) => schema?.byKey.get(key)?.readable };
	}

	// ---- reads ---------------------------------------------------------------------------------------------

	private async *pages<T = Raw>(path: string, query: Record<string, string | number | boolean | undefined>, cost: number, error?: ErrorContext): AsyncGenerator<T[]> {
		let cursor: string | undefined;
		do {
			const r: CallResult<T[] | null> = await this.transport.call<T[] | null>({ method: 'GET', path, query: { ...query, cursor }, cost, error });
			yield r.data ?? [];
			const next = r.additional?.next_cursor;
			cursor = typeof next === 'string' && next ? next : undefined;
		} while (cursor);
	}

	async get(objectName: string, id: string | number): Promise<RecordEnvelope> {
		const object = toObject(objectName);
		const schema = await this.schema(object);
		const r = await this.transport.call<Raw>({ method: 'GET', path: `/api/v2/${object}/${encodeURIComponent(String(id))}`, cost: TOKEN_COST.get, error: this.errorContext(schema, object, String(id)) });
		return toEnvelope(object, r.data, schema);
	}

	/** Raw v2 records of many ids, one list call per 100 ids (`ids` filter). */
	private async rawByIds(object: PipedriveObject, ids: string[], extra: Record<string, string> = {}): Promise<Raw[]> {
		const out: Raw[] = [];
		for (let i = 0; i < ids.length; i += 100) {
			const chunk = ids.slice(i, i + 100);
			for await (const page of this.pages<Raw>(`/api/v2/${object}`, { ids: chunk.join(','), limit: 500, ...extra }, TOKEN_COST.list)) out.push(...page);
		}
		return out;
	}

	async *listPages(objectName: string, options: ListOptions = {}): AsyncGenerator<RecordEnvelope[]> {
		const object = toObject(objectName);
		const schema = await this.schema(object);
		const pageSize = Math.min(500, Math.max(1, options.pageSize ?? 500));
		let left = options.limit ?? Infinity;
		const query = { limit: Math.min(pageSize, left), sort_by: options.sortBy, sort_direction: options.sortDirection, ...options.filters };
		for await (const page of this.pages<Raw>(`/api/v2/${object}`, query, TOKEN_COST.list, this.errorContext(schema, object))) {
			const records = page.slice(0, left).map((r) => toEnvelope(object, r, schema));
			left -= records.length;
			yield records;
			if (left <= 0) return;
		}
	}

	async getMany(objectName: string, options: ListOptions = {}): Promise<RecordEnvelope[]> {
		const out: RecordEnvelope[] = [];
		for await (const page of this.listPages(objectName, options)) out.push(...page);
		return out;
	}

	/**
	 * Records changed since a cursor (or all, without one), oldest change first, page by page. Each page's
	 * checkpoint may be stored once its records are processed. Versions already delivered (id, update_time and
	 * content, in the cursor or earlier in this run) are dropped.
	 */
	async *changes(objectName: string, options: PipedriveChangesOptions = {}): AsyncGenerator<ChangesPage> {
		const object = toObject(objectName);
		const schema = await this.schema(object);
		const overlapMs = Math.max(0, options.overlapMs ?? 60_000);
		const cursor = decodeCursor(options.since);
		const seen = new Set(cursor?.seen ?? []);
		let newest = cursor ? Date.parse(cursor.checkpoint) : -Infinity;
		const query: Record<string, string | number | undefined> = {
			limit: Math.min(500, Math.max(1, options.pageSize ?? 500)),
			sort_by: 'update_time',
			sort_direction: 'asc',
			updated_since: cursor ? updatedSince(newest - overlapMs) : undefined,
		};
		if (object === 'deals' && options.includeDeleted) query.status = 'open,won,lost,deleted';
		const token = () => (newest === -Infinity ? options.since : encodeCursor({ checkpoint: new Date(newest).toISOString(), seen: pruneSeen(seen, newest, overlapMs) }));
		for await (const page of this.pages<Raw>(`/api/v2/${object}`, query, TOKEN_COST.list, this.errorContext(schema, object))) {
			const records: RecordEnvelope[] = [];
			for (const raw of page) {
				const at = Date.parse(String(raw.update_time));
				const version = versionKey(raw.id, at, raw);
				if (seen.has(version)) continue;
				seen.add(version);
				if (at > newest) newest = at;
				records.push(toEnvelope(object, raw, schema));
			}
			yield { records, checkpoint: token(), done: false };
		}
		yield { records: [], checkpoint: token(), done: true };
	}

	/** Every change since the cursor, and the checkpoint to store once they are processed. */
	async readChanges(objectName: string, options: PipedriveChangesOptions = {}): Promise<{ records: RecordEnvelope[]; checkpoint: string | undefined }> {
		const records: RecordEnvelope[] = [];
		let checkpoint: string | undefined = options.since;
		for await (const page of this.changes(objectName, options)) {
			records.push(...page.records);
			checkpoint = page.checkpoint;
		}
		return { records, checkpoint };
	}

	// ---- find by match key ---------------------------------------------------------------------------------

	/** Normalises a phone to E.164 (default country for numbers without +code); a data error when it is not one. */
	private phone(value: unknown, field = 'phone'): { e164: string; national: string } {
		const text = String(value ?? '').trim();
		const p = text ? parsePhoneNumberFromString(text, { defaultCountry: this.defaultCountry }) : undefined;
		if (!p || !p.isValid()) throw localError('INVALID_FORMAT', `${field} ${JSON.stringify(text)} is not a valid phone number (default country ${this.defaultCountry})`, { field, value });
		return { e164: p.number, national: String(p.nationalNumber) };
	}

	private samePhone(stored: unknown, e164: string): boolean {
		const p = parsePhoneNumberFromString(String(stored ?? ''), { defaultCountry: this.defaultCountry });
		return !!p && p.number === e164;
	}

	private async search(object: PipedriveObject, field: string, term: string, exact: boolean, schema: ObjectSchema): Promise<Raw[]> {
		const r = await this.transport.call<{ items?: Array<{ item: Raw }> }>({
			method: 'GET',
			path: `/api/v2/${object}/search`,
			query: { term, fields: field, exact_match: exact, limit: 100 },
			cost: TOKEN_COST.search,
			search: true,
			error: this.errorContext(schema, object),
		});
		return (r.data?.items ?? []).map((i) => i.item);
	}

	/** The custom field a match key names, refused when Pipedrive's search cannot look into it. */
	private matchField(object: PipedriveObject, schema: ObjectSchema, matchKey: string): CustomField {
		const def = resolveCustom(schema, matchKey);
		if (!def) throw localError('FIELD_NOT_FOUND', `Match key "${matchKey}" is not a field of Pipedrive ${object}`, { field: matchKey, object });
		if (!SEARCHABLE_TYPES.has(def.type)) {
			throw localError('INVALID_FORMAT', `${def.readable} (${def.type}) cannot be a match key: Pipedrive's search does not index ${def.type} fields`, { field: def.readable, object });
		}
		return def;
	}

	/**
	 * The normalised match value of a record (what two records must share to be the same), or undefined when
	 * the record has none. Throws a data error for a value that cannot be a key (invalid phone).
	 */
	matchValue(object: PipedriveObject, schema: ObjectSchema, matchKey: string, fields: Raw): string | undefined {
		if (matchKey === 'id') return undefined;
		let raw = matchSource(object, fields, matchKey);
		if (raw === undefined && !['email', 'phone', 'name', 'title'].includes(matchKey)) {
			const def = this.matchField(object, schema, matchKey);
			raw = fields[def.readable] ?? fields[def.name] ?? fields[def.key] ?? (fields.custom_fields as Raw | undefined)?.[def.key] ?? (fields.custom_fields as Raw | undefined)?.[def.readable];
		}
		if (raw === undefined || raw === null || String(raw).trim() === '') return undefined;
		switch (matchKey) {
			case 'email':
				return String(raw).trim().toLowerCase();
			case 'phone':
				return this.phone(raw).e164;
			case 'name':
			case 'title':
				return String(raw).trim().toLowerCase();
			default: {
				const def = this.matchField(object, schema, matchKey);
				return customSearchTerm(def, customToApi(def, raw, object));
			}
		}
	}

	/** Ids of the records whose match key equals `value` (already normalised by matchValue, or raw). */
	private async candidateIds(object: PipedriveObject, schema: ObjectSchema, matchKey: string, value: string): Promise<string[]> {
		const ci = (a: unknown) => String(a ?? '').trim().toLowerCase();
		switch (matchKey) {
			case 'id':
				return [value];
			case 'email': {
				if (object !== 'persons') throw localError('FIELD_NOT_FOUND', `Pipedrive ${object} have no email; match on name or a custom field`, { field: 'email', object });
				const items = await this.search(object, 'email', value.trim(), true, schema);
				return items.filter((i) => (i.emails as unknown[] | undefined)?.some((e) => ci(e) === ci(value))).map((i) => String(i.id));
			}
			case 'phone': {
				if (object !== 'persons') throw localError('FIELD_NOT_FOUND', `Pipedrive ${object} have no phone; match on name or a custom field`, { field: 'phone', object });
				const { e164, national } = this.phone(value);
				// Phones are free text in Pipedrive: search the digits, then compare numbers in E.164.
				const items = await this.search(object, 'phone', national, false, schema);
				return items.filter((i) => (i.phones as unknown[] | undefined)?.some((p) => this.samePhone(p, e164))).map((i) => String(i.id));
			}
			case 'name':
			case 'title': {
				const field = nameField(object);
				const items = await this.search(object, field, value.trim(), true, schema);
				return items.filter((i) => ci(i[field]) === ci(value)).map((i) => String(i.id));
			}
			default: {
				const def = this.matchField(object, schema, matchKey);
				const items = await this.search(object, 'custom_fields', value, true, schema);
				if (items.length === 0) return [];
				// The search matches any custom field: keep the records where this one holds the value.
				const rows = await this.rawByIds(object, items.map((i) => String(i.id)), { custom_fields: def.key });
				return rows.filter((r) => ci(customSearchTerm(def, (r.custom_fields as Raw | undefined)?.[def.key])) === ci(value)).map((r) => String(r.id));
			}
		}
	}

	/** Records whose match key (`email`, `phone`, `name`/`title`, a custom field, or `id`) equals `value`. */
	async find(objectName: string, matchKey: string, value: unknown): Promise<RecordEnvelope[]> {
		const object = toObject(objectName);
		const schema = await this.schema(object);
		const normalised = matchKey === 'id' ? String(value) : this.matchValue(object, schema, matchKey, matchKey === 'email' ? { emails: value } : matchKey === 'phone' ? { phones: value } : { [matchKey === 'title' || matchKey === 'name' ? nameField(object) : matchKey]: value });
		if (normalised === undefined) throw localError('REQUIRED_FIELD_MISSING', `No value to find Pipedrive ${object} by ${matchKey}`, { field: matchKey, object });
		if (matchKey === 'id') {
			try {
				const record = await this.get(object, normalised);
				return record.deleted ? [] : [record];
			} catch (err) {
				if (isNotFound(err)) return [];
				throw err;
			}
		}
		const ids = await this.candidateIds(object, schema, matchKey, normalised);
		if (ids.length === 0) return [];
		if (ids.length === 1) return [await this.get(object, ids[0])];
		return (await this.rawByIds(object, ids)).map((r) => toEnvelope(object, r, schema));
	}

	// ---- writes --------------------------------------------------------------------------------------------

	private async post(object: PipedriveObject, schema: ObjectSchema, body: Raw): Promise<RecordEnvelope> {
		const r = await this.transport.call<Raw>({ method: 'POST', path: `/api/v2/${object}`, body, cost: TOKEN_COST.create, error: this.errorContext(schema, object, undefined, body) });
		return toEnvelope(object, r.data, schema);
	}

	private async patch(object: PipedriveObject, schema: ObjectSchema, id: string, body: Raw): Promise<RecordEnvelope> {
		const r = await this.transport.call<Raw>({
			method: 'PATCH',
			path: `/api/v2/${object}/${encodeURIComponent(id)}`,
			body,
			cost: TOKEN_COST.update,
			error: this.errorContext(schema, object, id, body),
		});
		return toEnvelope(object, r.data, schema);
	}

	/** PATCH, or read first and skip when nothing would change; 404 + createIfMissing → create. */
	private async updateExisting(object: PipedriveObject, schema: ObjectSchema, id: string, fields: Raw, opts: PipedriveWriteOptions, createIfMissing: boolean): Promise<{ action: Action; record: RecordEnvelope }> {
		const body = buildWriteBody(object, fields, schema, { mode: 'update', unknownFields: opts.unknownFields, id });
		try {
			if (opts.skipUnchanged) {
				const current = await this.transport.call<Raw>({ method: 'GET', path: `/api/v2/${object}/${encodeURIComponent(id)}`, cost: TOKEN_COST.get, error: this.errorContext(schema, object, id) });
				if (current.data?.is_deleted === true) throw localError('FIELD_NOT_FOUND', `${LABEL[object]} ${id} is deleted in Pipedrive`, { object, id });
				if (!wouldChange(body, current.data)) return { action: 'unchanged', record: toEnvelope(object, current.data, schema) };
			}
			if (Object.keys(body).length === 0) return { action: 'unchanged', record: await this.get(object, id) };
			return { action: 'updated', record: await this.patch(object, schema, id, body) };
		} catch (err) {
			const gone = isNotFound(err) || (err instanceof ConnectorError && err.classified.code === 'FIELD_NOT_FOUND' && err.classified.record?.id === id && !err.classified.field);
			if (gone && createIfMissing) {
				return { action: 'created', record: await this.post(object, schema, buildWriteBody(object, fields, schema, { mode: 'create', unknownFields: opts.unknownFields })) };
			}
			throw err;
		}
	}

	private async withLock<T>(state: BatchState, key: string | undefined, fn: () => Promise<T>): Promise<T> {
		if (key === undefined) return fn();
		const prev = state.locks.get(key) ?? Promise.resolve();
		const run = prev.then(fn, fn);
		const tail = run.then(
			() => undefined,
			() => undefined,
		);
		state.locks.set(key, tail);
		try {
			return await run;
		} finally {
			if (state.locks.get(key) === tail) state.locks.delete(key);
		}
	}

	private async writeOne(object: PipedriveObject, schema: ObjectSchema, op: WriteOperation, input: PipedriveWriteInput, state: BatchState): Promise<{ action: Action; record: RecordEnvelope }> {
		const opts = state.options;
		const fields = (input.fields ?? {}) as Raw;
		const createIfMissing = input.createIfMissing ?? opts.createIfMissing ?? false;
		switch (op) {
			case 'create':
				return { action: 'created', record: await this.post(object, schema, buildWriteBody(object, fields, schema, { mode: 'create', unknownFields: opts.unknownFields })) };
			case 'update': {
				if (!input.id) throw localError('REQUIRED_FIELD_MISSING', `Updating a Pipedrive ${LABEL[object].toLowerCase()} needs its id`, { field: 'id', object });
				return this.updateExisting(object, schema, String(input.id), fields, opts, createIfMissing);
			}
			case 'delete': {
				if (!input.id) throw localError('REQUIRED_FIELD_MISSING', `Deleting a Pipedrive ${LABEL[object].toLowerCase()} needs its id`, { field: 'id', object });
				const id = String(input.id);
				const gone: RecordEnvelope = { system: 'pipedrive', object, id, updatedAt: new Date().toISOString(), fields: {}, deleted: true };
				try {
					await this.transport.call({ method: 'DELETE', path: `/api/v2/${object}/${encodeURIComponent(id)}`, cost: TOKEN_COST.delete, error: this.errorContext(schema, object, id) });
					return { action: 'deleted', record: gone };
				} catch (err) {
					// Already gone: the state asked for holds, so a re-run stays idempotent.
					if (isNotFound(err)) return { action: 'unchanged', record: gone };
					throw err;
				}
			}
			case 'upsert': {
				const matchKey = input.matchKey ?? opts.matchKey ?? (object === 'persons' ? 'email' : nameField(object));
				// Validate before any call: a bad record costs no search.
				buildWriteBody(object, fields, schema, { mode: 'update', unknownFields: opts.unknownFields });
				if (matchKey === 'id') {
					if (!input.id) throw localError('REQUIRED_FIELD_MISSING', 'Upsert by id needs the record id', { field: 'id', object });
					return this.updateExisting(object, schema, String(input.id), fields, opts, true);
				}
				const value = this.matchValue(object, schema, matchKey, fields);
				if (value === undefined) {
					if (opts.missingMatchValue === 'create') return this.writeOne(object, schema, 'create', input, state);
					throw localError('REQUIRED_FIELD_MISSING', `The record has no ${matchKey} to match Pipedrive ${object} on`, { field: matchKey, object });
				}
				const memoKey = `${matchKey}\u0000${value}`;
				return this.withLock(state, memoKey, async () => {
					const known = state.memo.get(memoKey);
					const indexed = state.index?.get(matchKey);
					const ids = known ? [known] : indexed ? (indexed.get(value.toLowerCase()) ?? []) : await this.candidateIds(object, schema, matchKey, value);
					if (ids.length > 1) {
						throw localError(
							'DUPLICATE_RECORD',
							`${ids.length} Pipedrive ${object} match ${matchKey} ${JSON.stringify(value)} (ids ${ids.join(', ')}); merge them in Pipedrive or use a stricter match key`,
							{ field: matchKey, value, object, id: ids.join(',') },
						);
					}
					const result =
						ids.length === 1
							? await this.updateExisting(object, schema, ids[0], fields, opts, false)
							: { action: 'created' as const, record: await this.post(object, schema, buildWriteBody(object, fields, schema, { mode: 'create', unknownFields: opts.unknownFields })) };
					state.memo.set(memoKey, result.record.id);
					return result;
				});
			}
		}
	}

	/**
	 * For a large upsert batch: every record of the object read once (500 per call) and indexed by the match
	 * keys in use, instead of one search per record. Undefined when searching is cheaper.
	 */
	private async matchIndex(object: PipedriveObject, schema: ObjectSchema, inputs: PipedriveWriteInput[], options: PipedriveWriteOptions): Promise<Map<string, Map<string, string[]>> | undefined> {
		const mode = options.matchLookup ?? 'auto';
		if (mode === 'search' || (mode === 'auto' && inputs.length < (options.indexThreshold ?? 100))) return undefined;
		const defaultKey = options.matchKey ?? (object === 'persons' ? 'email' : nameField(object));
		const keys = [...new Set(inputs.map((i) => i.matchKey ?? defaultKey))].filter((k) => k !== 'id');
		if (keys.length === 0) return undefined;
		const customs = keys.filter((k) => !['email', 'phone', 'name', 'title'].includes(k)).map((k) => this.matchField(object, schema, k));
		const index = new Map(keys.map((k) => [k, new Map<string, string[]>()]));
		const add = (key: string, value: unknown, id: string) => {
			if (value === null || value === undefined || String(value).trim() === '') return;
			const bucket = index.get(key)!;
			const v = String(value).trim().toLowerCase();
			const ids = bucket.get(v) ?? [];
			if (!ids.includes(id)) ids.push(id);
			bucket.set(v, ids);
		};
		// Only the custom fields used as keys come back (the API takes ≤ 15), which keeps pages small.
		const query = { limit: 500, custom_fields: customs.length && customs.length <= 15 ? customs.map((c) => c.key).join(',') : undefined };
		for await (const page of this.pages<Raw>(`/api/v2/${object}`, query, TOKEN_COST.list, this.errorContext(schema, object))) {
			for (const raw of page) {
				const id = String(raw.id);
				for (const key of keys) {
					if (key === 'email') for (const e of (raw.emails as Array<{ value?: string }> | undefined) ?? []) add(key, e.value, id);
					else if (key === 'phone') {
						for (const p of (raw.phones as Array<{ value?: string }> | undefined) ?? []) {
							const n = parsePhoneNumberFromString(String(p.value ?? ''), { defaultCountry: this.defaultCountry });
							if (n?.isValid()) add(key, n.number, id);
						}
					} else if (key === 'name' || key === 'title') add(key, raw[nameField(object)], id);
					else {
						const def = this.matchField(object, schema, key);
						add(key, customSearchTerm(def, (raw.custom_fields as Raw | undefined)?.[def.key]), id);
					}
				}
			}
		}
		return index;
	}

	/**
	 * Writes many records, one request each (Pipedrive has no batch endpoint), `concurrency` at a time through
	 * the shared limiter. One result per input, in input order. A whole-request failure (authentication, rate
	 * limit exhausted, Pipedrive unreachable) stops the batch: the records not attempted carry that error.
	 */
	async write(objectName: string, op: WriteOperation, inputs: PipedriveWriteInput[], options: PipedriveWriteOptions = {}): Promise<WriteResult[]> {
		const object = toObject(objectName);
		const results: WriteResult[] = new Array(inputs.length);
		let schema: ObjectSchema;
		try {
			schema = await this.schema(object);
		} catch (err) {
			if (!(err instanceof ConnectorError)) throw err;
			return inputs.map((input, index) => ({ index, ok: false, error: err.classified, input }));
		}
		const state: BatchState = { memo: new Map(), locks: new Map(), options };
		if (op === 'upsert') {
			try {
				state.index = await this.matchIndex(object, schema, inputs, options);
			} catch (err) {
				if (!(err instanceof ConnectorError)) throw err;
				return inputs.map((input, index) => ({ index, ok: false, error: err.classified, input }));
			}
		}
		let fatal: ClassifiedError | undefined;
		let next = 0;
		const worker = async () => {
			for (;;) {
				const index = next++;
				if (index >= inputs.length) return;
				const input = inputs[index];
				if (fatal) {
					results[index] = { index, ok: false, error: { ...fatal, message: `Not attempted: ${fatal.message}` }, input };
					continue;
				}
				try {
					const { action, record } = await this.writeOne(object, schema, op, input, state);
					results[index] = { index, ok: true, action, record };
				} catch (err) {
					if (!(err instanceof ConnectorError)) throw err;
					const error = { ...err.classified, record: { system: 'pipedrive', object, ...err.classified.record, ...(input.id && !err.classified.record?.id ? { id: String(input.id) } : {}) } };
					results[index] = { index, ok: false, error, input };
					if (isWholeRequestError(error)) fatal ??= error;
				}
			}
		};
		const n = Math.max(1, Math.min(options.concurrency ?? 1, inputs.length));
		await Promise.all(Array.from({ length: n }, worker));
		return results;
	}

	async create(objectName: string, fields: Raw, options: PipedriveWriteOptions = {}): Promise<WriteResult> {
		return (await this.write(objectName, 'create', [{ fields }], options))[0];
	}

	async update(objectName: string, id: string, fields: Raw, options: PipedriveWriteOptions = {}): Promise<WriteResult> {
		return (await this.write(objectName, 'update', [{ id, fields }], options))[0];
	}

	async upsert(objectName: string, fields: Raw, options: PipedriveWriteOptions = {}): Promise<WriteResult> {
		return (await this.write(objectName, 'upsert', [{ fields }], options))[0];
	}

	async delete(objectName: string, id: string): Promise<WriteResult> {
		return (await this.write(objectName, 'delete', [{ id, fields: {} }]))[0];
	}

	// ---- lookups for dropdowns -----------------------------------------------------------------------------

	async pipelines(): Promise<Array<{ id: number; name: string }>> {
		const out: Array<{ id: number; name: string }> = [];
		for await (const page of this.pages<Raw>('/api/v2/pipelines', { limit: 500 }, TOKEN_COST.pipelinesList)) {
			for (const p of page) if (p.is_deleted !== true) out.push({ id: Number(p.id), name: String(p.name) });
		}
		return out;
	}

	async stages(pipelineId?: number): Promise<Array<{ id: number; name: string; pipelineId: number }>> {
		const out: Array<{ id: number; name: string; pipelineId: number }> = [];
		for await (const page of this.pages<Raw>('/api/v2/stages', { limit: 500, pipeline_id: pipelineId }, TOKEN_COST.stagesList)) {
			for (const s of page) if (s.is_deleted !== true) out.push({ id: Number(s.id), name: String(s.name), pipelineId: Number(s.pipeline_id) });
		}
		return out;
	}

	/** Active users (v1 only: v2 has no users endpoint). */
	async users(): Promise<Array<{ id: number; name: string; email: string }>> {
		const r = await this.transport.call<Raw[] | null>({ method: 'GET', path: '/api/v1/users', cost: TOKEN_COST.v1Users });
		return (r.data ?? []).filter((u) => u.active_flag !== false).map((u) => ({ id: Number(u.id), name: String(u.name), email: String(u.email ?? '') }));
	}

	async me(): Promise<{ id: number; name: string; companyDomain?: string }> {
		const r = await this.transport.call<Raw>({ method: 'GET', path: '/api/v1/users/me', cost: TOKEN_COST.v1UsersMe });
		return { id: Number(r.data.id), name: String(r.data.name), companyDomain: r.data.company_domain ? String(r.data.company_domain) : undefined };
	}

	/** Records by text for resource locators: search when a term is given, else the newest records. */
	async lookup(objectName: string, term?: string): Promise<Array<{ id: string; name: string }>> {
		const object = toObject(objectName);
		const schema = await this.schema(object);
		const field = nameField(object);
		if (term && term.trim().length >= 2) {
			const items = await this.search(object, object === 'persons' ? 'name,email' : field, term.trim(), false, schema);
			return items.map((i) => ({ id: String(i.id), name: String(i[field] ?? i.id) }));
		}
		const r = await this.transport.call<Raw[] | null>({ method: 'GET', path: `/api/v2/${object}`, query: { limit: 100, sort_by: 'update_time', sort_direction: 'desc' }, cost: TOKEN_COST.list });
		return (r.data ?? []).map((row) => ({ id: String(row.id), name: String(row[field] ?? row.id) }));
	}

	// ---- webhooks (v1 only) --------------------------------------------------------------------------------

	async listWebhooks(): Promise<Raw[]> {
		const r = await this.transport.call<Raw[] | null>({ method: 'GET', path: '/api/v1/webhooks', cost: TOKEN_COST.v1WebhooksList });
		return r.data ?? [];
	}

	async createWebhook(input: { subscription_url: string; event_action: string; event_object: string; name?: string; http_auth_user?: string; http_auth_password?: string }): Promise<Raw> {
		const r = await this.transport.call<Raw>({ method: 'POST', path: '/api/v1/webhooks', body: { ...input, version: '2.0' }, cost: TOKEN_COST.v1WebhooksCreate });
		return r.data;
	}

	async deleteWebhook(id: string | number): Promise<boolean> {
		try {
			await this.transport.call({ method: 'DELETE', path: `/api/v1/webhooks/${encodeURIComponent(String(id))}`, cost: TOKEN_COST.v1WebhooksDelete });
			return true;
		} catch (err) {
			if (isNotFound(err)) return false;
			throw err;
		}
	}
}
