/**
 * The Jobber connector: reads (get, list, changes since a cursor, find by match key), writes (create, update,
 * upsert as find-then-write, archive/delete) and schema discovery over Jobber's GraphQL API.
 *
 * Several reads or writes go in one document as aliased root fields (`a0: clientEdit(…) a1: clientEdit(…)`): a
 * batch costs one request of the 2,500 / 5 min window instead of one per record, while each record keeps its own
 * `userErrors`. Documents are built from constant selections and generated variable names only; every value
 * travels in `variables`.
 */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { classifiedError, type ClassifiedError } from '../../errors/taxonomy';
import { ConnectorError } from '../core/errors';
import { keyLocks, type KeyLocks } from '../core/limiter';
import type { ChangesOptions, ChangesPage, FieldInfo, ObjectInfo, RecordEnvelope } from '../core/types';
import { classifyGraphqlError, classifyUserError, variableOf, type GraphqlError, type UserError } from './errors';
import {
	InputProblems,
	buildClientCreate,
	buildClientEdit,
	buildInvoiceCreate,
	buildJobCreate,
	buildJobEdit,
	buildPropertyCreate,
	buildPropertyEdit,
	buildQuoteCreate,
	buildRequestCreate,
	type BuildOptions,
	type Built,
	type Current,
	type CustomFieldConfig,
} from './inputs';
import { JOBBER_OBJECTS, OBJECTS, objectInfo, objectSpec, returnSelection, selectionFor, writtenFields, type JobberObject, type ObjectSpec, type ReturnFields } from './objects';
import { isEncodedId, toEnvelope } from './records';
import { JobberTransport, throwIfErrors, type GraphqlResponse, type JobberTransportOptions } from './transport';

export interface JobberConnectorOptions extends JobberTransportOptions {
	/** Records per list page (Jobber's maximum is 100; lowered automatically when a page would cost too much). */
	pageSize?: number;
	/** Points one aliased batch document may request (default 5,000: half the bucket, so a batch never monopolises it). */
	batchCostBudget?: number;
	/** Records per aliased write batch (default 20). */
	maxPerBatch?: number;
	/** Default country for phone match keys (E.164 comparison). */
	defaultCountry?: string;
}

export type MatchKey = 'email' | 'phone' | 'name' | 'id';
export type WriteOp = 'create' | 'update' | 'upsert' | 'delete';

export interface JobberWriteItem {
	op: WriteOp;
	/** Jobber id for update/delete (and upsert when known). */
	id?: string;
	fields: Record<string, unknown>;
	/** Relations of an envelope (client, property…), used where the input lacks clientId/propertyId. */
	links?: Record<string, string | string[]>;
	/** Upsert/update by match key: the value to look for (default: read from the fields). */
	matchValue?: string;
}

export interface JobberWriteOptions extends BuildOptions {
	/** How upsert (and update without id) finds the record: clients by email (default), phone, name or id. */
	matchKey?: MatchKey;
	/** An update whose record does not exist creates it instead ("Create if missing"). */
	createIfMissing?: boolean;
	/** jobClose: what happens to incomplete visits (default COMPLETE_PAST_DESTROY_FUTURE). */
	closeVisits?: 'DESTROY_ALL' | 'COMPLETE_PAST_DESTROY_FUTURE';
	/** What each written record comes back with (default `all`); below `all`, the reads a write needs shrink too. */
	returnFields?: ReturnFields;
}

export type JobberWriteResult =
	| { index: number; ok: true; action: 'created' | 'updated' | 'unchanged' | 'deleted'; record: RecordEnvelope; warnings: string[] }
	| {
			index: number;
			ok: false;
			error: ClassifiedError;
			errors: ClassifiedError[];
			input: JobberWriteItem;
			warnings: string[];
			/** The whole request failed (authentication, rate limit, timeout…), not this record's data. */
			requestLevel?: boolean;
	  };

export interface FindResult {
	matches: RecordEnvelope[];
	/** Set when the key matched more than one record (never a guess: DUPLICATE_RECORD). */
	error?: ClassifiedError;
}

export interface ListOptions {
	limit?: number;
	fields?: string[];
	filter?: Record<string, unknown>;
	searchTerm?: string;
	sort?: unknown;
	pageSize?: number;
}

interface AliasedOp {
	field: string;
	args: Array<{ name: string; type: string; value: unknown }>;
	/** Selection inside the field's braces. */
	body: string;
}

interface AliasedResult {
	data?: any;
	error?: ClassifiedError;
	/** A problem in one variable: mapped to the record's field by the caller. */
	variableProblem?: { variable: string; error: GraphqlError };
	requestLevel?: boolean;
}

interface MutationSpec {
	field: string;
	args: Array<[string, string]>;
	payload: string;
	list?: boolean;
}

const MUTATIONS: Record<JobberObject, { create: MutationSpec; edit?: MutationSpec; delete?: MutationSpec }> = {
	clients: {
		create: { field: 'clientCreate', args: [['input', 'ClientCreateInput!']], payload: 'client' },
		edit: { field: 'clientEdit', args: [['clientId', 'EncodedId!'], ['input', 'ClientEditInput!']], payload: 'client' },
		delete: { field: 'clientArchive', args: [['clientId', 'EncodedId!']], payload: 'client' },
	},
	properties: {
		create: { field: 'propertyCreate', args: [['clientId', 'EncodedId!'], ['input', 'PropertyCreateInput!']], payload: 'properties', list: true },
		edit: { field: 'propertyEdit', args: [['propertyId', 'EncodedId!'], ['input', 'PropertyEditInput!']], payload: 'property' },
		delete: { field: 'propertyDelete', args: [['propertyId', 'EncodedId!']], payload: 'deletedProperty' },
	},
	requests: {
		create: { field: 'requestCreate', args: [['input', 'RequestCreateInput!']], payload: 'request' },
		delete: { field: 'requestArchive', args: [['requestId', 'EncodedId!']], payload: 'request' },
	},
	quotes: {
		create: { field: 'quoteCreate', args: [['attributes', 'QuoteCreateAttributes!']], payload: 'quote' },
		delete: { field: 'quoteArchive', args: [['id', 'EncodedId!']], payload: 'quote' },
	},
	jobs: {
		create: { field: 'jobCreate', args: [['input', 'JobCreateAttributes!']], payload: 'job' },
		edit: { field: 'jobEdit', args: [['jobId', 'EncodedId!'], ['input', 'JobEditInput!']], payload: 'job' },
		delete: { field: 'jobClose', args: [['jobId', 'EncodedId!'], ['input', 'JobCloseInput!']], payload: 'job' },
	},
	invoices: {
		create: { field: 'invoiceCreateFromJob', args: [['jobId', 'EncodedId!'], ['origin', 'InvoiceOrigin!']], payload: 'invoice' },
	},
};

/** Which operations each object supports (the node builds its menus from this). */
export function supportedWrites(object: JobberObject): WriteOp[] {
	const m = MUTATIONS[object];
	const ops: WriteOp[] = ['create'];
	if (m.edit) ops.push('update');
	if (object === 'clients') ops.push('upsert');
	if (m.delete) ops.push('delete');
	return ops;
}

const USER_ERRORS = 'userErrors { message path }';
const CONFIG_TTL_MS = 5 * 60_000;
const configCache = new Map<string, { at: number; configs: CustomFieldConfig[] }>();

/** Yields each value with whether it is the last one (reads one page ahead). */
async function* withLast<T>(gen: AsyncGenerator<T>): AsyncGenerator<[T, boolean]> {
	let current = await gen.next();
	while (!current.done) {
		const next = await gen.next();
		yield [current.value, !!next.done];
		current = next;
	}
}

function iso(ms: number): string {
	return new Date(ms).toISOString();
}

function normEmail(v: string): string {
	return v.trim().toLowerCase();
}

function normName(v: unknown): string {
	return typeof v === 'string' ? v.trim().replace(/\s+/g, ' ').toLowerCase() : '';
}

export class JobberConnector {
	readonly transport: JobberTransport;
	private readonly limiterKey: string;
	/**
	 * Match values being found and written: Jobber has no native upsert, so two executions upserting one email at
	 * once (n8n queue mode: two workers) would both find nothing and both create it. Per process, or across
	 * processes with `budgets`.
	 */
	private readonly matchLocks: KeyLocks;

	constructor(private readonly options: JobberConnectorOptions) {
		this.transport = new JobberTransport(options);
		this.limiterKey = options.limiterKey ?? 'default';
		this.matchLocks = keyLocks(`jobber:match:${this.limiterKey}`, options.budgets);
	}

	get stats() {
		return this.transport.stats;
	}

	objects(): ObjectInfo[] {
		return JOBBER_OBJECTS.map((o) => objectInfo(OBJECTS[o]));
	}

	/** `query { account { id name } }`: the account a credential reaches (webhooks carry its id). */
	async account(): Promise<{ id: string; name: string }> {
		const res = await this.transport.request<{ account: { id: string; name: string } }>('query Account { account { id name } }', {}, { operation: 'account' });
		throwIfErrors(res);
		return res.data!.account;
	}

	/** Any GraphQL document with its variables (values only ever in variables). */
	async raw(query: string, variables: Record<string, unknown> = {}, operationName?: string): Promise<GraphqlResponse> {
		const mutation = /^\s*mutation\b/.test(query.replace(/^\s*(#[^\n]*\n\s*)*/, ''));
		return this.transport.request(query, variables, { mutation, operation: 'raw', operationName });
	}

	// ---------- reads ----------

	async get(object: JobberObject, id: string, fields?: string[]): Promise<RecordEnvelope | null> {
		const [result] = await this.getMany(object, [id], fields);
		if (result instanceof ConnectorError) throw result;
		return result;
	}

	/** Several records by id in one document per batch; null where Jobber knows no such record. */
	async getMany(object: JobberObject, ids: string[], fields?: string[], { links = true } = {}): Promise<Array<RecordEnvelope | null | ConnectorError>> {
		const spec = objectSpec(object);
		const sel = selectionFor(spec, fields, { links });
		const out: Array<RecordEnvelope | null | ConnectorError> = ids.map(() => null);
		const valid: number[] = [];
		ids.forEach((id, i) => {
			if (isEncodedId(id)) valid.push(i);
			else out[i] = new ConnectorError(classifiedError('INVALID_FORMAT', { message: `${JSON.stringify(id)} is not a Jobber id (an EncodedId)`, field: 'id', value: id, record: { system: 'jobber', object } }));
		});
		const ops = valid.map((i) => ({ field: spec.single, args: [{ name: 'id', type: 'EncodedId!', value: ids[i] }], body: sel }));
		const results = await this.runAliased('query', ops, `${object}.get`);
		results.forEach((r, k) => {
			const i = valid[k];
			if (r.error) out[i] = new ConnectorError(r.error);
			else out[i] = r.data ? toEnvelope(spec, r.data) : null;
		});
		return out;
	}

	private listDocument(spec: ObjectSpec, sel: string, withSort: boolean): string {
		const defs = ['$first: Int!', '$after: String', `$filter: ${spec.filterType}`, '$searchTerm: String'];
		const args = ['first: $first', 'after: $after', 'filter: $filter', 'searchTerm: $searchTerm'];
		if (withSort && spec.sortType) {
			defs.push(`$sort: ${spec.sortType}`);
			args.push('sort: $sort');
		}
		return `query List(${defs.join(', ')}) { list: ${spec.list}(${args.join(', ')}) { nodes { ${sel} } pageInfo { hasNextPage endCursor } } }`;
	}

	/** The largest page (≤ wanted) whose requested cost fits one request. */
	private pageSizeFor(query: string, variables: Record<string, unknown>, wanted: number): number {
		const one = this.transport.costOf(query, { ...variables, first: 1 });
		const two = this.transport.costOf(query, { ...variables, first: 2 });
		const perNode = Math.max(1, two - one);
		const overhead = Math.max(0, one - perNode);
		const budget = Math.floor(this.transport.maxCost * 0.95);
		return Math.max(1, Math.min(wanted, 100, Math.floor((budget - overhead) / perNode)));
	}

	/** Pages of records (Relay first/after), every page until `limit`. */
	async *list(object: JobberObject, options: ListOptions = {}): AsyncGenerator<RecordEnvelope[]> {
		const spec = objectSpec(object);
		const sel = selectionFor(spec, options.fields);
		const query = this.listDocument(spec, sel, options.sort !== undefined);
		const base: Record<string, unknown> = { filter: options.filter ?? null, searchTerm: options.searchTerm ?? null };
		if (options.sort !== undefined) base.sort = options.sort;
		const pageSize = this.pageSizeFor(query, base, options.pageSize ?? this.options.pageSize ?? 100);
		let after: string | null = null;
		let left = options.limit ?? Infinity;
		for (;;) {
			const first = Math.min(pageSize, left);
			const res: GraphqlResponse = await this.transport.request(query, { ...base, first, after }, { operation: `${object}.list` });
			throwIfErrors(res, { object });
			const conn = res.data!.list;
			const records = (conn.nodes as Array<Record<string, any>>).map((n) => toEnvelope(spec, n));
			left -= records.length;
			yield records;
			if (!conn.pageInfo.hasNextPage || !conn.pageInfo.endCursor || left <= 0) return;
			after = conn.pageInfo.endCursor;
		}
	}

	/**
	 * Records changed since `since` (inclusive, minus the overlap), page by page, de-duplicated within the run.
	 * Clients/requests/quotes/invoices use `filter:{updatedAt:{after}}`; jobs have no such filter, so they are read
	 * by UPDATED_AT descending until the first record older than the cursor; properties have no timestamp at all and
	 * are read in full. The checkpoint is only advanced when it is safe to store: after every page of an ascending
	 * read, otherwise on the last page.
	 */
	async *changes(object: JobberObject, options: ChangesOptions & { filter?: Record<string, unknown> } = {}): AsyncGenerator<ChangesPage> {
		const spec = objectSpec(object);
		const sinceMs = options.since ? Date.parse(options.since) : undefined;
		if (options.since && Number.isNaN(sinceMs)) {
			throw new ConnectorError(classifiedError('INVALID_FORMAT', { message: `The cursor ${JSON.stringify(options.since)} is not an ISO timestamp`, field: 'since', value: options.since }));
		}
		const from = sinceMs !== undefined ? sinceMs - (options.overlapMs ?? 0) : undefined;
		const startedAt = iso(Date.now());
		const seen = new Set<string>();
		let newest: number | undefined = sinceMs;
		const track = (r: RecordEnvelope) => {
			const t = Date.parse(r.updatedAt);
			if (!Number.isNaN(t) && (newest === undefined || t > newest)) newest = t;
		};
		// Overlapping pages (records moving while we page) and the overlap window can repeat a record: once per run.
		const fresh = (records: RecordEnvelope[]) =>
			records.filter((r) => {
				if (seen.has(r.id)) return false;
				seen.add(r.id);
				return true;
			});
		const listOptions: ListOptions = { fields: options.fields, pageSize: options.pageSize, filter: options.filter };

		if (spec.changes === 'fullRead') {
			let any = false;
			for await (const [page, last] of withLast(this.list(object, listOptions))) {
				any = true;
				// Properties have no updatedAt: the checkpoint is the time the read started, stored after the last page.
				yield { records: fresh(page), checkpoint: last ? startedAt : options.since, done: last };
			}
			if (!any) yield { records: [], checkpoint: startedAt, done: true };
			return;
		}

		if (spec.changes === 'updatedAtFilter') {
			const filter = { ...(options.filter ?? {}), ...(from !== undefined ? { updatedAt: { after: iso(from) } } : {}) };
			const ascending = spec.ascendingSort !== undefined;
			let any = false;
			for await (const [page, last] of withLast(this.list(object, { ...listOptions, filter, sort: ascending ? spec.ascendingSort : undefined }))) {
				any = true;
				const records = fresh(page);
				records.forEach(track);
				// Ascending reads may store the newest time after every page; unordered ones only at the end.
				const checkpoint = ascending || last ? (newest !== undefined ? iso(newest) : options.since) : options.since;
				yield { records, checkpoint, done: last };
			}
			if (!any) yield { records: [], checkpoint: options.since, done: true };
			return;
		}

		// Jobs: newest first, stop at the first record older than the cursor (minus the overlap). Jobber renders
		// times to the second, so the comparison is to the second too: a job changed in the cursor's second stays in.
		const fromSecond = from !== undefined ? Math.floor(from / 1000) * 1000 : undefined;
		const pages = this.list(object, { ...listOptions, sort: [{ key: 'UPDATED_AT', direction: 'DESCENDING' }] });
		let page = await pages.next();
		if (page.done) {
			yield { records: [], checkpoint: options.since, done: true };
			return;
		}
		while (!page.done) {
			let records = page.value;
			let reachedCursor = false;
			if (fromSecond !== undefined) {
				const cut = records.findIndex((r) => Date.parse(r.updatedAt) < fromSecond);
				if (cut >= 0) {
					records = records.slice(0, cut);
					reachedCursor = true;
				}
			}
			const out = fresh(records);
			out.forEach(track);
			const final = () => (newest !== undefined ? iso(newest) : options.since);
			if (reachedCursor) {
				await pages.return(undefined);
				yield { records: out, checkpoint: final(), done: true };
				return;
			}
			const next = await pages.next();
			yield { records: out, checkpoint: next.done ? final() : options.since, done: !!next.done };
			page = next;
		}
	}

	// ---------- find by match key ----------

	private phoneE164(value: string): string {
		const country = (this.options.defaultCountry ?? 'US').toUpperCase() as CountryCode;
		const parsed = parsePhoneNumberFromString(value, country);
		if (parsed?.isValid()) return parsed.number;
		return value.replace(/\D/g, '');
	}

	/** What goes into `searchTerm` for a match value: Jobber matches substrings, the exact test comes after. */
	private searchTermFor(key: MatchKey, value: string): string {
		if (key === 'phone') {
			const country = (this.options.defaultCountry ?? 'US').toUpperCase() as CountryCode;
			const parsed = parsePhoneNumberFromString(value, country);
			return parsed?.isValid() ? String(parsed.nationalNumber) : value.replace(/\D/g, '');
		}
		return value.trim().replace(/\s+/g, ' ');
	}

	private exact(key: MatchKey, value: string, r: RecordEnvelope): boolean {
		const f = r.fields as Record<string, any>;
		if (key === 'email') return ((f.emails as Array<{ address: string }>) ?? []).some((e) => normEmail(e.address) === normEmail(value));
		if (key === 'phone') {
			const want = this.phoneE164(value);
			return ((f.phones as Array<{ number: string }>) ?? []).some((p) => this.phoneE164(p.number) === want);
		}
		if (key === 'name') {
			const want = normName(value);
			return normName(`${f.firstName ?? ''} ${f.lastName ?? ''}`) === want || normName(f.companyName) === want || normName(f.name) === want;
		}
		return r.id === value;
	}

	/** Clients whose email / phone (E.164) / name equals the value exactly; two or more → DUPLICATE_RECORD. */
	async findClients(key: MatchKey, values: string[], fields?: string[]): Promise<FindResult[]> {
		const spec = OBJECTS.clients;
		if (key === 'id') {
			const got = await this.getMany('clients', values, fields);
			return got.map((g) => (g instanceof ConnectorError ? { matches: [], error: g.classified } : { matches: g ? [g] : [] }));
		}
		// The fields exact() compares are always read.
		const keyFields = key === 'email' ? ['emails'] : key === 'phone' ? ['phones'] : ['firstName', 'lastName', 'companyName', 'name'];
		const sel = fields ? selectionFor(spec, [...new Set([...fields, ...keyFields])], { links: false }) : selectionFor(spec);
		// Emails and phones are searched in their own lists (clientEmails/clientPhones), names in clients.
		const root = key === 'email' ? 'clientEmails' : key === 'phone' ? 'clientPhones' : spec.list;
		const body =
			key === 'email'
				? `nodes { address client { ${sel} } } pageInfo { hasNextPage endCursor }`
				: key === 'phone'
					? `nodes { number client { ${sel} } } pageInfo { hasNextPage endCursor }`
					: `nodes { ${sel} } pageInfo { hasNextPage endCursor }`;
		const args = (term: string, after: string | null) => [
			{ name: 'searchTerm', type: 'String', value: term },
			{ name: 'first', type: 'Int', value: 5 },
			{ name: 'after', type: 'String', value: after },
		];
		const found: Array<Map<string, RecordEnvelope>> = values.map(() => new Map());
		const out: FindResult[] = values.map(() => ({ matches: [] }));
		let pending = values.map((v, i) => ({ i, after: null as string | null, term: this.searchTermFor(key, v) })).filter((p) => p.term !== '');
		values.forEach((v, i) => {
			if (this.searchTermFor(key, v) === '') out[i].error = classifiedError('REQUIRED_FIELD_MISSING', { message: `No ${key} to match on`, field: key, record: { system: 'jobber', object: 'clients' } });
		});
		// Follow further pages only for values whose candidates did not fit one page (a common substring).
		for (let round = 0; pending.length && round < 20; round++) {
			const results = await this.runAliased('query', pending.map((p) => ({ field: root, args: args(p.term, p.after), body })), 'clients.find');
			const next: typeof pending = [];
			results.forEach((r, k) => {
				const p = pending[k];
				if (r.error) {
					out[p.i].error = r.error;
					return;
				}
				for (const node of r.data.nodes as Array<Record<string, any>>) {
					const client = key === 'name' ? node : node.client;
					if (!client) continue;
					const env = toEnvelope(spec, client);
					if (this.exact(key, values[p.i], env)) found[p.i].set(env.id, env);
				}
				if (r.data.pageInfo.hasNextPage && r.data.pageInfo.endCursor) next.push({ ...p, after: r.data.pageInfo.endCursor });
			});
			pending = next;
		}
		found.forEach((map, i) => {
			if (out[i].error) return;
			const list = [...map.values()];
			const active = list.filter((r) => !r.deleted);
			const candidates = active.length ? active : list;
			out[i].matches = candidates;
			if (candidates.length > 1) {
				out[i].error = classifiedError('DUPLICATE_RECORD', {
					message: `${candidates.length} Jobber clients have the ${key} ${JSON.stringify(values[i])}: ${candidates.map((c) => c.id).join(', ')}. Merge them in Jobber or match on another key.`,
					field: key,
					value: values[i],
					record: { system: 'jobber', object: 'clients' },
				});
			}
		});
		return out;
	}

	/** The match value of a client input for a key (emails[0].address, phones[0].number, first + last name). */
	matchValueOf(key: MatchKey, fields: Record<string, any>): string | undefined {
		const first = (list: unknown, k: string) => {
			const items = Array.isArray(list) ? list : list === undefined || list === null ? [] : [list];
			for (const item of items) {
				const v = typeof item === 'string' ? item : item?.[k];
				if (typeof v === 'string' && v.trim()) return v.trim();
			}
			return undefined;
		};
		if (key === 'email') return first(fields.emails, 'address');
		if (key === 'phone') return first(fields.phones, 'number');
		if (key === 'name') {
			const person = `${fields.firstName ?? ''} ${fields.lastName ?? ''}`.trim();
			return person || (typeof fields.companyName === 'string' && fields.companyName.trim() ? fields.companyName.trim() : undefined);
		}
		return undefined;
	}

	// ---------- writes ----------

	private async configsFor(object: JobberObject, items: JobberWriteItem[]): Promise<CustomFieldConfig[] | undefined> {
		if (!items.some((i) => i.fields.customFields !== undefined && i.fields.customFields !== null)) return undefined;
		const all = await this.customFieldConfigurations();
		return all.filter((c) => c.appliesTo === OBJECTS[object].appliesTo);
	}

	/**
	 * Writes records, one result per input in input order. Data problems fail only their record; a whole-request
	 * failure (authentication, rate limit after retries, timeout) marks the records it hit `requestLevel`.
	 */
	async write(object: JobberObject, items: JobberWriteItem[], options: JobberWriteOptions = {}): Promise<JobberWriteResult[]> {
		const spec = objectSpec(object);
		const results: Array<JobberWriteResult | undefined> = items.map(() => undefined);
		const warnings: string[][] = items.map(() => []);
		const fail = (i: number, errors: ClassifiedError[], requestLevel = false) => {
			const withRecord = errors.map((e) => ({ ...e, record: { system: 'jobber', object, ...(items[i].id ? { id: items[i].id } : {}), ...e.record } }));
			// Connection errors (token, rate limit, timeout, permission) are never about one record's data.
			const whole = requestLevel || withRecord.every((e) => e.category === 'Connection');
			results[i] = { index: i, ok: false, error: withRecord[0], errors: withRecord, input: items[i], warnings: warnings[i], ...(whole ? { requestLevel: true } : {}) };
		};
		const build: BuildOptions = { ...options };
		try {
			build.configs = await this.configsFor(object, items);
		} catch (err) {
			if (!(err instanceof ConnectorError)) throw err;
			items.forEach((_, i) => fail(i, [err.classified], true));
			return results as JobberWriteResult[];
		}
		const matchKey = options.matchKey ?? 'email';

		// Who needs what: a target to find, a current record to diff against, a property to resolve.
		interface Plan {
			i: number;
			op: WriteOp;
			targetId?: string;
			matchValue?: string;
		}
		const plans: Plan[] = [];
		items.forEach((item, i) => {
			const ops = supportedWrites(object);
			if (!ops.includes(item.op)) {
				fail(i, [classifiedError('OBJECT_TYPE_CHANGED', { message: `Jobber ${object} cannot be ${item.op === 'delete' ? 'deleted or archived' : `${item.op}d`} through the API`, record: { system: 'jobber', object } })]);
				return;
			}
			const plan: Plan = { i, op: item.op, targetId: item.id || undefined };
			if ((item.op === 'update' || item.op === 'delete') && !plan.targetId && !(object === 'clients' && item.op === 'update')) {
				fail(i, [classifiedError('REQUIRED_FIELD_MISSING', { message: `${item.op === 'delete' ? 'Delete' : 'Update'} needs the Jobber id of the record`, field: 'id', record: { system: 'jobber', object } })]);
				return;
			}
			if (plan.targetId && !isEncodedId(plan.targetId)) {
				fail(i, [classifiedError('INVALID_FORMAT', { message: `${JSON.stringify(plan.targetId)} is not a Jobber id (an EncodedId)`, field: 'id', value: plan.targetId, record: { system: 'jobber', object } })]);
				return;
			}
			if (object === 'clients' && (item.op === 'upsert' || (item.op === 'update' && !plan.targetId)) && !plan.targetId) {
				plan.matchValue = item.matchValue ?? this.matchValueOf(matchKey, item.fields as Record<string, any>);
				if (!plan.matchValue) {
					if (item.op === 'upsert') plan.op = 'create';
					else {
						fail(i, [classifiedError('REQUIRED_FIELD_MISSING', { message: `Update by ${matchKey} needs a ${matchKey} value`, field: matchKey, record: { system: 'jobber', object } })]);
						return;
					}
				}
			} else if (item.op === 'upsert') plan.op = plan.targetId ? 'update' : 'create';
			plans.push(plan);
		});

		// Rounds: a match value appears once per round, so two inputs for the same new client never both create it.
		let remaining = plans;
		while (remaining.length) {
			const round: Plan[] = [];
			const later: Plan[] = [];
			const taken = new Set<string>();
			for (const p of remaining) {
				const key = p.matchValue !== undefined ? `m:${matchKey}:${p.matchValue.toLowerCase()}` : p.targetId ? `id:${p.targetId}` : undefined;
				if (key && taken.has(key)) later.push(p);
				else {
					if (key) taken.add(key);
					round.push(p);
				}
			}
			// The round's match values stay locked from the find to the write, so no other upsert creates them meanwhile.
			const locked = round.filter((p) => p.matchValue !== undefined).map((p) => `${object}:${matchKey}:${p.matchValue!.toLowerCase()}`);
			await this.matchLocks.hold(locked, () => this.writeRound(spec, items, round, options, build, matchKey, warnings, results, fail));
			remaining = later;
		}
		return results.map((r, i) => {
			if (r) return r;
			const error = classifiedError('CONNECTION_TIMEOUT', { message: 'No result was produced for this record; it was not written', record: { system: 'jobber', object } });
			return { index: i, ok: false as const, error, errors: [error], input: items[i], warnings: warnings[i], requestLevel: true };
		});
	}

	private async writeRound(
		spec: ObjectSpec,
		items: JobberWriteItem[],
		round: Array<{ i: number; op: WriteOp; targetId?: string; matchValue?: string }>,
		options: JobberWriteOptions,
		build: BuildOptions,
		matchKey: MatchKey,
		warnings: string[][],
		results: Array<JobberWriteResult | undefined>,
		fail: (i: number, errors: ClassifiedError[], requestLevel?: boolean) => void,
	): Promise<void> {
		const object = spec.name;
		const current = new Map<number, RecordEnvelope>();
		const requestFailure = (err: unknown, indexes: number[]) => {
			if (!(err instanceof ConnectorError)) throw err;
			for (const i of indexes) fail(i, [err.classified], true);
		};

		// Below `all`, the current record is read with only the fields the writes set: an edit diffs just those.
		// (Clients and properties only: a job edit also compares invoicing settings it is not given.)
		const returnFields = options.returnFields ?? 'all';
		const diffFields = (plans: Array<{ i: number }>): string[] | undefined => {
			if (returnFields === 'all' || (object !== 'clients' && object !== 'properties')) return undefined;
			const names = new Set(plans.flatMap((p) => writtenFields(spec, items[p.i].fields)));
			return names.size ? [...names] : undefined;
		};

		// 1. Find by match key.
		const toFind = round.filter((p) => p.matchValue !== undefined);
		if (toFind.length) {
			try {
				const found = await this.findClients(matchKey, toFind.map((p) => p.matchValue!), diffFields(toFind));
				found.forEach((f, k) => {
					const p = toFind[k];
					if (f.error) return fail(p.i, [f.error]);
					if (f.matches.length === 1) {
						p.targetId = f.matches[0].id;
						current.set(p.i, f.matches[0]);
						p.op = p.op === 'delete' ? 'delete' : 'update';
					} else if (p.op === 'upsert' || options.createIfMissing) p.op = 'create';
					else fail(p.i, [classifiedError('FIELD_NOT_FOUND', { message: `No Jobber client has the ${matchKey} ${JSON.stringify(p.matchValue)}`, field: matchKey, value: p.matchValue, record: { system: 'jobber', object } })]);
				});
			} catch (err) {
				requestFailure(err, toFind.map((p) => p.i));
			}
		}

		// 2. Current state of records updated by id (edits are diffs; an update that changes nothing sends nothing).
		const toRead = round.filter((p) => !results[p.i] && p.op === 'update' && p.targetId && !current.has(p.i));
		if (toRead.length) {
			try {
				const got = await this.getMany(object, toRead.map((p) => p.targetId!), diffFields(toRead), { links: false });
				got.forEach((g, k) => {
					const p = toRead[k];
					if (g instanceof ConnectorError) return fail(p.i, [g.classified]);
					if (g) current.set(p.i, g);
					else if (options.createIfMissing || items[p.i].op === 'upsert') p.op = 'create';
					else fail(p.i, [classifiedError('FIELD_NOT_FOUND', { message: `Jobber has no ${spec.label.toLowerCase()} ${p.targetId} (deleted, or not visible to this app)`, field: 'id', value: p.targetId, record: { system: 'jobber', object, id: p.targetId } })]);
				});
			} catch (err) {
				requestFailure(err, toRead.map((p) => p.i));
			}
		}

		// 3. Jobs and quotes created for a client: its property, when it has exactly one.
		const needsProperty = round.filter((p) => !results[p.i] && p.op === 'create' && (object === 'jobs' || object === 'quotes') && !items[p.i].fields.propertyId && !(typeof items[p.i].links?.property === 'string'));
		const clientOf = (p: { i: number }) => {
			const item = items[p.i];
			const v = item.fields.clientId ?? item.links?.client;
			return typeof v === 'string' && v ? v : undefined;
		};
		const resolved = new Map<number, string>();
		const withClient = needsProperty.filter((p) => clientOf(p));
		if (withClient.length) {
			try {
				const ops = withClient.map((p) => ({ field: 'client', args: [{ name: 'id', type: 'EncodedId!', value: clientOf(p) }], body: 'id clientProperties(first: 2) { nodes { id } }' }));
				const res = await this.runAliased('query', ops, `${object}.resolveProperty`);
				res.forEach((r, k) => {
					const p = withClient[k];
					if (r.error) return fail(p.i, [r.error]);
					const props = (r.data?.clientProperties?.nodes ?? []) as Array<{ id: string }>;
					if (!r.data) fail(p.i, [classifiedError('FIELD_NOT_FOUND', { message: `Jobber has no client ${clientOf(p)}`, field: 'clientId', value: clientOf(p) })]);
					else if (props.length === 1) resolved.set(p.i, props[0].id);
					else fail(p.i, [classifiedError('REQUIRED_FIELD_MISSING', { message: `Client ${clientOf(p)} has ${props.length === 0 ? 'no property' : 'several properties'}: give propertyId`, field: 'propertyId' })]);
				});
			} catch (err) {
				requestFailure(err, withClient.map((p) => p.i));
			}
		}

		// 4. Inputs.
		interface Pending {
			i: number;
			action: 'created' | 'updated' | 'deleted';
			spec: MutationSpec;
			values: Record<string, unknown>;
			built?: Built;
		}
		const mutations: Pending[] = [];
		const m = MUTATIONS[object];
		for (const p of round) {
			if (results[p.i]) continue;
			const item = items[p.i];
			const fields = { ...item.fields };
			if (resolved.has(p.i)) fields.propertyId = resolved.get(p.i);
			try {
				if (p.op === 'delete') {
					const values: Record<string, unknown> = { [m.delete!.args[0][0]]: p.targetId };
					if (object === 'jobs') values.input = { modifyIncompleteVisitsBy: options.closeVisits ?? 'COMPLETE_PAST_DESTROY_FUTURE' };
					mutations.push({ i: p.i, action: 'deleted', spec: m.delete!, values });
					continue;
				}
				let built: Built;
				const cur = current.get(p.i);
				const asCurrent: Current | undefined = cur ? { id: cur.id, fields: cur.fields as Record<string, any>, links: cur.links } : undefined;
				if (p.op === 'update' && asCurrent) {
					if (object === 'clients') built = buildClientEdit(asCurrent, fields, build);
					else if (object === 'properties') built = buildPropertyEdit(asCurrent, fields, build);
					else built = buildJobEdit(asCurrent, fields, build);
					warnings[p.i].push(...built.warnings);
					if (!built.input) {
						results[p.i] = { index: p.i, ok: true, action: 'unchanged', record: cur!, warnings: warnings[p.i] };
						continue;
					}
					mutations.push({ i: p.i, action: 'updated', spec: m.edit!, values: { ...built.args, input: built.input }, built });
					continue;
				}
				switch (object) {
					case 'clients':
						built = buildClientCreate(fields, build);
						break;
					case 'properties':
						built = buildPropertyCreate(fields, item.links, build);
						break;
					case 'requests':
						built = buildRequestCreate(fields, item.links, build);
						break;
					case 'quotes':
						built = buildQuoteCreate(fields, item.links, build);
						break;
					case 'jobs':
						built = buildJobCreate(fields, item.links, build);
						break;
					default:
						built = buildInvoiceCreate(fields, build);
				}
				warnings[p.i].push(...built.warnings);
				mutations.push({ i: p.i, action: 'created', spec: m.create, values: { ...built.args, input: built.input, attributes: built.input }, built });
			} catch (err) {
				if (err instanceof InputProblems) fail(p.i, err.errors);
				else throw err;
			}
		}

		// 5. Mutations, aliased in batches.
		if (!mutations.length) return;
		const ops: AliasedOp[] = mutations.map((x) => ({
			field: x.spec.field,
			args: x.spec.args.map(([name, type]) => ({ name, type, value: x.values[name] })),
			body: `${x.spec.payload} { ${returnSelection(spec, returnFields, writtenFields(spec, items[x.i].fields))} } ${USER_ERRORS}`,
		}));
		const out = await this.runAliased('mutation', ops, `${object}.write`);
		out.forEach((r, k) => {
			const x = mutations[k];
			if (r.variableProblem) {
				const problem = r.variableProblem.error.extensions?.problems?.[0];
				const argName = r.variableProblem.variable.replace(/^a\d+_/, '');
				const path = (problem?.path ?? []).map(String);
				const field = argName === 'input' || argName === 'attributes' ? x.built?.fieldFor(path) : argName;
				return fail(x.i, [classifyGraphqlError(r.variableProblem.error, { fieldPrefix: () => field })]);
			}
			if (r.error) return fail(x.i, [r.error], r.requestLevel);
			const payload = r.data as Record<string, any> | null;
			const userErrors = (payload?.userErrors ?? []) as UserError[];
			if (userErrors.length) {
				return fail(
					x.i,
					userErrors.map((u) => classifyUserError(u, { field: x.built?.fieldFor(u.path) })),
				);
			}
			const entity = x.spec.list ? payload?.[x.spec.payload]?.[0] : payload?.[x.spec.payload];
			if (!entity) {
				return fail(x.i, [classifiedError('FIELD_NOT_FOUND', { message: `Jobber ran ${x.spec.field} but returned no ${spec.label.toLowerCase()} (the operation may not be available to this app)`, record: { system: 'jobber', object } })]);
			}
			results[x.i] = { index: x.i, ok: true, action: x.action, record: toEnvelope(spec, entity), warnings: warnings[x.i] };
		});
	}

	/**
	 * Runs root fields as one aliased document per batch (cost- and count-bounded). A variable that Jobber refuses
	 * fails only its own field: nothing ran, so the others are sent again without it.
	 */
	private async runAliased(kind: 'query' | 'mutation', ops: AliasedOp[], operation: string): Promise<AliasedResult[]> {
		const results: AliasedResult[] = ops.map(() => ({}));
		const budget = Math.min(this.options.batchCostBudget ?? 5_000, this.transport.maxCost);
		const maxPer = kind === 'mutation' ? (this.options.maxPerBatch ?? 20) : 50;
		const costOne = (op: AliasedOp) => {
			const { query, variables } = this.document(kind, [op], [0]);
			return this.transport.costOf(query, variables);
		};
		let batch: number[] = [];
		let batchCost = 0;
		const batches: number[][] = [];
		ops.forEach((op, i) => {
			const c = costOne(op);
			if (batch.length && (batchCost + c > budget || batch.length >= maxPer)) {
				batches.push(batch);
				batch = [];
				batchCost = 0;
			}
			batch.push(i);
			batchCost += c;
		});
		if (batch.length) batches.push(batch);

		for (let b = 0; b < batches.length; b++) {
			let todo = batches[b];
			while (todo.length) {
				const { query, variables } = this.document(kind, ops, todo);
				let res: GraphqlResponse;
				try {
					res = await this.transport.request(query, variables, { mutation: kind === 'mutation', operation });
				} catch (err) {
					if (!(err instanceof ConnectorError)) throw err;
					// Nothing of this batch (or the ones after it) is known to be written: mark them, keep earlier results.
					for (const rest of [todo, ...batches.slice(b + 1)]) for (const i of rest) results[i] = { error: err.classified, requestLevel: true };
					return results;
				}
				const retry: number[] = [];
				const varErrors = res.errors.filter((e) => variableOf(e));
				if (varErrors.length) {
					for (const e of varErrors) {
						const variable = variableOf(e)!;
						const k = Number(/^a(\d+)_/.exec(variable)?.[1]);
						const i = todo[k];
						if (i !== undefined) results[i] = { variableProblem: { variable, error: e } };
					}
					for (const i of todo) if (!results[i].variableProblem) retry.push(i);
					if (retry.length === todo.length) {
						// A variable error Jobber did not tie to one of ours: the document itself is wrong.
						for (const rest of [todo, ...batches.slice(b + 1)]) for (const i of rest) results[i] = { error: classifyGraphqlError(varErrors[0]), requestLevel: true };
						return results;
					}
					todo = retry;
					continue;
				}
				if (res.data === null || res.data === undefined) {
					// A whole-document error (schema, permission): not about one record, and the same for every batch.
					const error = classifyGraphqlError(res.errors[0] ?? { message: 'Jobber returned no data' });
					for (const rest of [todo, ...batches.slice(b + 1)]) for (const i of rest) results[i] = { error, requestLevel: true };
					return results;
				}
				todo.forEach((i, k) => {
					const fieldError = res.errors.find((e) => e.path?.[0] === `a${k}`);
					if (fieldError) results[i] = { error: classifyGraphqlError(fieldError) };
					else results[i] = { data: res.data![`a${k}`] };
				});
				todo = [];
			}
		}
		return results;
	}

	private document(kind: 'query' | 'mutation', ops: AliasedOp[], indexes: number[]): { query: string; variables: Record<string, unknown> } {
		const defs: string[] = [];
		const fields: string[] = [];
		const variables: Record<string, unknown> = {};
		indexes.forEach((i, k) => {
			const op = ops[i];
			const args = op.args.map((a) => {
				const name = `a${k}_${a.name}`;
				defs.push(`$${name}: ${a.type}`);
				variables[name] = a.value ?? null;
				return `${a.name}: $${name}`;
			});
			fields.push(`a${k}: ${op.field}(${args.join(', ')}) { ${op.body} }`);
		});
		const name = kind === 'mutation' ? 'Write' : 'Read';
		return { query: `${kind} ${name}(${defs.join(', ')}) { ${fields.join(' ')} }`, variables };
	}

	// ---------- schema discovery ----------

	async customFieldConfigurations(): Promise<CustomFieldConfig[]> {
		const hit = configCache.get(this.limiterKey);
		if (hit && Date.now() - hit.at < CONFIG_TTL_MS) return hit.configs;
		const query =
			'query Configs($first: Int!, $after: String) { customFieldConfigurations(first: $first, after: $after) { nodes { __typename ... on CustomFieldConfigurationInterface { id name appliesTo valueType archived readOnly } ... on CustomFieldConfigurationDropdown { dropdownOptions } } pageInfo { hasNextPage endCursor } } }';
		const configs: CustomFieldConfig[] = [];
		let after: string | null = null;
		for (let page = 0; page < 20; page++) {
			const res: GraphqlResponse = await this.transport.request(query, { first: 100, after }, { operation: 'customFieldConfigurations' });
			throwIfErrors(res);
			const conn = res.data!.customFieldConfigurations;
			for (const n of conn.nodes) configs.push({ id: n.id, name: n.name, appliesTo: n.appliesTo, valueType: n.valueType, archived: n.archived === true, readOnly: n.readOnly === true, dropdownOptions: n.dropdownOptions });
			if (!conn.pageInfo.hasNextPage) break;
			after = conn.pageInfo.endCursor;
		}
		configCache.set(this.limiterKey, { at: Date.now(), configs });
		return configs;
	}

	/** Values of a GraphQL enum of the API version in use (`__type` costs 3 points; full introspection ~45,000). */
	async enumValues(typeName: string): Promise<string[]> {
		const res = await this.transport.request<{ __type: { enumValues: Array<{ name: string }> | null } | null }>('query Enum($name: String!) { __type(name: $name) { enumValues { name } } }', { name: typeName }, { operation: 'enumValues' });
		throwIfErrors(res);
		return (res.data?.__type?.enumValues ?? []).map((v) => v.name);
	}

	/** The object's fields (catalogue) plus its custom fields, for dropdowns. */
	async describe(object: JobberObject): Promise<FieldInfo[]> {
		const spec = objectSpec(object);
		const standard: FieldInfo[] = spec.fields
			.filter((f) => !f.link && f.name !== 'customFields')
			.map((f) => ({
				name: f.name,
				label: f.label,
				type: f.type,
				required: f.required === true,
				readOnly: f.readOnly === true,
				unique: false,
				custom: false,
				options: f.options?.map((o) => ({ value: o, label: o })),
			}));
		const types: Record<string, FieldInfo['type']> = { TEXT: 'string', NUMERIC: 'number', TRUE_FALSE: 'boolean', DROPDOWN: 'enum', LINK: 'object', AREA: 'object' };
		const custom: FieldInfo[] = spec.appliesTo
			? (await this.customFieldConfigurations())
					.filter((c) => c.appliesTo === spec.appliesTo && !c.archived)
					.map((c) => ({
						name: `customFields.${c.name}`,
						label: c.name,
						type: types[c.valueType] ?? 'other',
						required: false,
						readOnly: c.readOnly || object === 'properties',
						unique: false,
						custom: true,
						vendorKey: c.id,
						options: c.dropdownOptions?.map((o) => ({ value: o, label: o })),
					}))
			: [];
		return [...standard, ...custom];
	}

	// ---------- webhooks ----------

	async webhookEndpointCreate(topic: string, url: string): Promise<{ id: string } | { error: ClassifiedError }> {
		const res = await this.transport.request<{ webhookEndpointCreate: { webhookEndpoint: { id: string } | null; userErrors: UserError[] } }>(
			'mutation Hook($input: WebhookEndpointCreateInput!) { webhookEndpointCreate(input: $input) { webhookEndpoint { id topic url } userErrors { message path } } }',
			{ input: { topic, url } },
			{ mutation: true, operation: 'webhookEndpointCreate' },
		);
		throwIfErrors(res);
		const payload = res.data!.webhookEndpointCreate;
		if (payload.userErrors.length || !payload.webhookEndpoint) return { error: classifyUserError(payload.userErrors[0] ?? { message: 'No endpoint returned' }) };
		return { id: payload.webhookEndpoint.id };
	}

	async webhookEndpointDelete(ids: string[]): Promise<UserError[]> {
		if (!ids.length) return [];
		const res = await this.transport.request<{ webhookEndpointDelete: { userErrors: UserError[] } }>(
			'mutation Unhook($ids: [EncodedId!]!) { webhookEndpointDelete(webhookEndpointsIds: $ids) { deletedWebhookEndpoints { id } userErrors { message path } } }',
			{ ids },
			{ mutation: true, operation: 'webhookEndpointDelete' },
		);
		throwIfErrors(res);
		return res.data!.webhookEndpointDelete.userErrors;
	}
}
