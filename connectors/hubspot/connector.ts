/**
 * The HubSpot connector: contacts, companies and deals (+ associations v4) over the HttpClient seam, with
 * the credential's rate limiters, retries of transient failures, HubSpot errors classified into the
 * taxonomy, and records normalised to the envelope. No n8n imports: nodes, tests and benchmarks share it.
 *
 * API calls (with 100-record batches and 200-record search pages):
 *   get 1 · get many ⌈n/100⌉ · changes ⌈n/200⌉ (+1 per 10,000) · find 1 · create/update/delete 1 per record ·
 *   upsert / batch create, update, archive ⌈n/100⌉ (+1 per batch with an invalid value, to send the rest again)
 */
import { classifiedError, type ClassifiedError } from '../../errors/taxonomy';
import { ConnectorError } from '../core/errors';
import { TransportError, type HttpClient, type HttpResponse } from '../core/http';
import type { ChangesPage, FieldInfo, ObjectInfo, RecordEnvelope, WriteInput } from '../core/types';
import { batchWrite, BATCH_LIMIT, type BatchOperation, type BatchOptions, type HubSpotWriteResult } from './batch';
import { changes, type HubSpotChangesOptions } from './changes';
import { HubSpotClient, type ClientOptions } from './client';
import { classifyAll, classifyResponse, duplicateError, errorBody, existingIdOf, isWholeRequestError, notFoundError, type ErrorContext } from './errors';
import { associationTypeId, HUBSPOT_OBJECTS, OBJECT_FACTS, type HubSpotObject } from './objects';
import { matchValue, toEnvelope, toProperties, type HubSpotRecord } from './records';
import { toFieldInfo, type HubSpotProperty, type Owner, type Pipeline } from './schema';

export interface HubSpotConnectorOptions extends Omit<ClientOptions, 'http'> {
	http: HttpClient;
	/** Record path prefix: `/crm/v3/objects` (classic, default) or a date-based `/crm/objects/2026-03`. */
	objectsPath?: string;
	/** How long property definitions, pipelines and owners are reused (real ms, default 5 min). */
	schemaTtlMs?: number;
	now?: () => number;
}

export interface ReadOptions {
	/** Properties to read (default: the object's sync properties). */
	properties?: string[];
	/** Objects whose associated record ids go into `links`. */
	links?: HubSpotObject[];
	/** Read archived (deleted) records instead of live ones. */
	archived?: boolean;
}

export interface GetOptions extends ReadOptions {
	/** Look the record up by a unique property (`email`) instead of its id. */
	idProperty?: string;
}

export interface ListOptions extends ReadOptions {
	/** Records per call (≤100). */
	pageSize?: number;
	/** Stop after this many records. */
	limit?: number;
}

export interface AssociationPair {
	fromId: string;
	toId: string;
}

export type AssociationResult = { index: number; ok: true; fromId: string; toId: string; typeIds: number[] } | { index: number; ok: false; fromId: string; toId: string; error: ClassifiedError };

interface Paths {
	objects: string;
	properties: string;
	pipelines: string;
	owners: string;
	associations: string;
	recordAssociations: string;
}

/** The other API families follow the record path's versioning (`v3` ⇒ v3/v4 paths, a date ⇒ that date). */
export function pathsFor(objectsPath = '/crm/v3/objects'): Paths {
	const objects = objectsPath.replace(/\/$/, '');
	const dated = /^\/crm\/objects\/(\d{4}-\d{2})$/.exec(objects);
	if (dated) {
		const v = dated[1];
		return {
			objects,
			properties: `/crm/properties/${v}`,
			pipelines: `/crm/pipelines/${v}`,
			owners: `/crm/owners/${v}`,
			associations: `/crm/associations/${v}`,
			recordAssociations: objects,
		};
	}
	return { objects, properties: '/crm/v3/properties', pipelines: '/crm/v3/pipelines', owners: '/crm/v3/owners', associations: '/crm/v4/associations', recordAssociations: '/crm/v4/objects' };
}

/**
 * A 2xx answer whose JSON is cut off (the body stays text: see parseBody) is a connection that broke mid-answer,
 * not an empty result: read as one it would end a Get Changes after an "empty" page and leave batch results
 * unknown. It is reported like a timeout, so reads are retried and a create is never sent twice blindly.
 */
function withCompleteJson(http: HttpClient): HttpClient {
	return {
		async request(req) {
			const res = await http.request(req);
			const json = (res.headers['content-type'] ?? '').includes('json');
			if (res.status >= 200 && res.status < 300 && json && typeof res.body === 'string' && res.body !== '') {
				throw new TransportError(`HubSpot's answer ended before its JSON did (${res.body.length} bytes): the connection was cut`, 'timeout', req.url);
			}
			return res;
		},
	};
}

export class HubSpotConnector {
	readonly system = 'hubspot' as const;
	readonly client: HubSpotClient;
	readonly paths: Paths;
	private readonly now: () => number;
	private readonly ttl: number;
	private readonly cache = new Map<string, { at: number; value: unknown }>();

	constructor(options: HubSpotConnectorOptions) {
		this.client = new HubSpotClient({ ...options, http: withCompleteJson(options.http) });
		this.paths = pathsFor(options.objectsPath);
		this.now = options.now ?? Date.now;
		this.ttl = options.schemaTtlMs ?? 300_000;
	}

	objectPath(object: HubSpotObject): string {
		return `${this.paths.objects}/${object}`;
	}

	objects(): ObjectInfo[] {
		return HUBSPOT_OBJECTS.map((name) => ({ name, label: OBJECT_FACTS[name].plural, incremental: true, maxBatch: BATCH_LIMIT }));
	}

	// ------------------------------------------------------------------ reads

	async get(object: HubSpotObject, id: string, options: GetOptions = {}): Promise<RecordEnvelope> {
		const idProperty = options.idProperty && options.idProperty !== 'hs_object_id' ? options.idProperty : undefined;
		const lookup = idProperty ? matchValue(idProperty, id) : String(id).trim();
		const ctx: ErrorContext = { object, id: lookup };
		const res = await this.client.call({
			method: 'GET',
			url: `${this.objectPath(object)}/${encodeURIComponent(lookup)}`,
			query: {
				properties: this.propertyList(object, options.properties),
				associations: options.links?.length ? options.links.join(',') : undefined,
				archived: options.archived ? 'true' : undefined,
				idProperty,
			},
			idempotent: true,
			ctx,
		});
		if (res.status !== 200) throw classifyResponse(res, ctx, this.client.scale);
		return toEnvelope(object, res.body as HubSpotRecord, this.emptyLinks(options.links));
	}

	/** Every record (or the first `limit`), one array per page of ≤100, following `paging.next.after`. */
	async *pages(object: HubSpotObject, options: ListOptions = {}): AsyncGenerator<RecordEnvelope[]> {
		let after: string | undefined;
		let count = 0;
		const size = Math.max(1, Math.min(100, options.pageSize ?? 100));
		for (;;) {
			const want = options.limit !== undefined ? Math.min(size, options.limit - count) : size;
			if (want <= 0) return;
			const res = await this.client.call({
				method: 'GET',
				url: this.objectPath(object),
				query: {
					limit: want,
					after,
					properties: this.propertyList(object, options.properties),
					associations: options.links?.length ? options.links.join(',') : undefined,
					archived: options.archived ? 'true' : undefined,
				},
				idempotent: true,
				ctx: { object, about: 'endpoint' },
			});
			if (res.status !== 200) throw classifyResponse(res, { object, about: 'endpoint' }, this.client.scale);
			const body = res.body as { results?: HubSpotRecord[]; paging?: { next?: { after?: string } } };
			const records = (body.results ?? []).map((r) => toEnvelope(object, r, this.emptyLinks(options.links)));
			count += records.length;
			yield records;
			after = body.paging?.next?.after;
			if (!after || records.length === 0) return;
		}
	}

	async list(object: HubSpotObject, options: ListOptions = {}): Promise<RecordEnvelope[]> {
		const out: RecordEnvelope[] = [];
		for await (const page of this.pages(object, options)) out.push(...page);
		return out;
	}

	/** Many records by id (batch read, ≤100 per call); ids HubSpot does not have are absent from the map. */
	async read(object: HubSpotObject, ids: string[], options: ReadOptions & { idProperty?: string } = {}): Promise<Map<string, RecordEnvelope>> {
		const out = new Map<string, RecordEnvelope>();
		const unique = [...new Set(ids.map((id) => String(id).trim()).filter(Boolean))];
		for (let start = 0; start < unique.length; start += BATCH_LIMIT) {
			const chunk = unique.slice(start, start + BATCH_LIMIT);
			const res = await this.client.call({
				method: 'POST',
				url: `${this.objectPath(object)}/batch/read`,
				query: { archived: options.archived ? 'true' : undefined },
				body: { properties: this.propertyList(object, options.properties).split(','), inputs: chunk.map((id) => ({ id })), ...(options.idProperty ? { idProperty: options.idProperty } : {}) },
				idempotent: true,
				ctx: { object },
			});
			if (res.status !== 200 && res.status !== 207) throw classifyResponse(res, { object, about: 'endpoint' }, this.client.scale);
			for (const r of (res.body as { results?: HubSpotRecord[] }).results ?? []) {
				const env = toEnvelope(object, r, this.emptyLinks(options.links));
				out.set(options.idProperty ? matchValue(options.idProperty, r.properties?.[options.idProperty] ?? env.id) : env.id, env);
			}
		}
		if (options.links?.length && out.size) {
			const links = await this.readLinks(object, [...out.values()].map((e) => e.id), options.links);
			for (const env of out.values()) env.links = links.get(env.id) ?? env.links;
		}
		return out;
	}

	/** Records changed since a cursor (or all, for a full sync), page by page, each page with its checkpoint. */
	changes(object: HubSpotObject, options: HubSpotChangesOptions = {}): AsyncGenerator<ChangesPage> {
		return changes(
			{
				client: this.client,
				objectPath: (o) => this.objectPath(o),
				readLinks: (o, ids, to) => this.readLinks(o, ids, to),
				listPages: (o, opts) => this.pages(o, opts),
			},
			object,
			options,
		);
	}

	/** Records whose match key equals the value (emails compared lower-cased, as HubSpot stores them). */
	async find(object: HubSpotObject, matchKey: string, value: unknown, options: ReadOptions & { limit?: number } = {}): Promise<RecordEnvelope[]> {
		const v = matchValue(matchKey, value);
		if (!v) return [];
		const res = await this.client.call({
			method: 'POST',
			url: `${this.objectPath(object)}/search`,
			kind: 'search',
			idempotent: true,
			body: {
				filterGroups: [{ filters: [{ propertyName: matchKey, operator: 'EQ', value: v }] }],
				sorts: [{ propertyName: OBJECT_FACTS[object].modifiedProperty, direction: 'DESCENDING' }],
				properties: this.propertyList(object, [...(options.properties ?? []), matchKey]).split(','),
				limit: Math.max(1, Math.min(200, options.limit ?? 10)),
			},
			ctx: { object },
		});
		if (res.status !== 200) throw classifyResponse(res, { object, about: 'endpoint' }, this.client.scale);
		const records = ((res.body as { results?: HubSpotRecord[] }).results ?? []).map((r) => toEnvelope(object, r));
		if (options.links?.length && records.length) {
			const links = await this.readLinks(object, records.map((r) => r.id), options.links);
			for (const r of records) r.links = links.get(r.id) ?? this.emptyLinks(options.links);
		}
		return records;
	}

	/** Free-text search for pickers (resource locators): the object's searchable properties, newest first. */
	async search(object: HubSpotObject, query: string | undefined, options: { limit?: number; after?: string; properties?: string[] } = {}): Promise<{ records: RecordEnvelope[]; next?: string }> {
		const res = await this.client.call({
			method: 'POST',
			url: `${this.objectPath(object)}/search`,
			kind: 'search',
			idempotent: true,
			body: {
				...(query?.trim() ? { query: query.trim() } : {}),
				filterGroups: [],
				sorts: [{ propertyName: OBJECT_FACTS[object].modifiedProperty, direction: 'DESCENDING' }],
				properties: this.propertyList(object, options.properties).split(','),
				limit: Math.max(1, Math.min(200, options.limit ?? 50)),
				...(options.after ? { after: options.after } : {}),
			},
			ctx: { object },
		});
		if (res.status !== 200) throw classifyResponse(res, { object, about: 'endpoint' }, this.client.scale);
		const body = res.body as { results?: HubSpotRecord[]; paging?: { next?: { after?: string } } };
		return { records: (body.results ?? []).map((r) => toEnvelope(object, r)), next: body.paging?.next?.after };
	}

	// ------------------------------------------------------------------ single-record writes

	/** Creates one record. A duplicate contact email comes back as Duplicate Record with the existing id. */
	async create(object: HubSpotObject, fields: Record<string, unknown>, options: { associations?: unknown[] } = {}): Promise<HubSpotWriteResult> {
		const properties = toProperties(fields);
		const input: WriteInput = { fields };
		return this.single(object, input, { object, input: properties }, 'created', {
			method: 'POST',
			url: this.objectPath(object),
			body: { properties, ...(options.associations?.length ? { associations: options.associations } : {}) },
			idempotent: false,
		});
	}

	/** Updates one record by id (or by a unique property). `createIfMissing` creates a record that is gone. */
	async update(object: HubSpotObject, id: string, fields: Record<string, unknown>, options: { idProperty?: string; createIfMissing?: boolean } = {}): Promise<HubSpotWriteResult> {
		const idProperty = options.idProperty && options.idProperty !== 'hs_object_id' ? options.idProperty : undefined;
		const lookup = idProperty ? matchValue(idProperty, id) : String(id ?? '').trim();
		const input: WriteInput = { id, fields };
		if (!lookup) {
			return { index: 0, ok: false, input, error: classifiedError('REQUIRED_FIELD_MISSING', { message: `No HubSpot ${OBJECT_FACTS[object].singular} id to update`, field: idProperty ?? 'id', record: { system: 'hubspot', object } }) };
		}
		const properties = toProperties(fields);
		const result = await this.single(object, input, { object, id: lookup, input: properties }, 'updated', {
			method: 'PATCH',
			url: `${this.objectPath(object)}/${encodeURIComponent(lookup)}`,
			query: { idProperty },
			body: { properties },
			idempotent: true,
		});
		if (!result.ok && options.createIfMissing && result.error.code === 'FIELD_NOT_FOUND' && result.error.vendor?.code === 'OBJECT_NOT_FOUND') {
			return this.create(object, idProperty && !(idProperty in fields) ? { ...fields, [idProperty]: lookup } : fields);
		}
		return result;
	}

	/** Archives one record. HubSpot answers 204 for unknown ids too: deleting is idempotent. */
	async delete(object: HubSpotObject, id: string): Promise<HubSpotWriteResult> {
		const lookup = String(id ?? '').trim();
		const input: WriteInput = { id, fields: {} };
		if (!lookup) {
			return { index: 0, ok: false, input, error: classifiedError('REQUIRED_FIELD_MISSING', { message: `No HubSpot ${OBJECT_FACTS[object].singular} id to delete`, field: 'id', record: { system: 'hubspot', object } }) };
		}
		const ctx: ErrorContext = { object, id: lookup };
		let res: HttpResponse;
		try {
			res = await this.client.call({ method: 'DELETE', url: `${this.objectPath(object)}/${encodeURIComponent(lookup)}`, idempotent: true, ctx });
		} catch (err) {
			return this.parked(err, input, ctx);
		}
		if (res.status === 204 || res.status === 200) {
			return { index: 0, ok: true, action: 'deleted', record: { system: 'hubspot', object, id: lookup, updatedAt: new Date(this.now()).toISOString(), fields: {}, deleted: true } };
		}
		return this.failure(res, input, ctx);
	}

	// ------------------------------------------------------------------ batch writes

	/** Create / update / upsert / archive many records in calls of ≤100, one result per input in order. */
	write(object: HubSpotObject, op: BatchOperation, inputs: WriteInput[], options: BatchOptions = {}): Promise<HubSpotWriteResult[]> {
		return batchWrite({ client: this.client, objectPath: (o) => this.objectPath(o), now: this.now }, object, op, inputs, options);
	}

	/** Batch upsert by a unique property (`email` for contacts): `new` → created, otherwise updated. */
	upsert(object: HubSpotObject, inputs: WriteInput[], options: BatchOptions = {}): Promise<HubSpotWriteResult[]> {
		return this.write(object, 'upsert', inputs, options);
	}

	// ------------------------------------------------------------------ associations (v4)

	/** Associates two records with HubSpot's default type, or as Primary (contact → company, deal → company). */
	async associate(from: HubSpotObject, fromId: string, to: HubSpotObject, toId: string, options: { primary?: boolean } = {}): Promise<AssociationResult> {
		const [result] = await this.associateMany(from, to, [{ fromId, toId }], options);
		return result;
	}

	/** Batch association create (≤100 pairs per call), one result per pair. */
	async associateMany(from: HubSpotObject, to: HubSpotObject, pairs: AssociationPair[], options: { primary?: boolean } = {}): Promise<AssociationResult[]> {
		const typeIds = options.primary ? [associationTypeId(from, to, true), associationTypeId(from, to)] : [associationTypeId(from, to)];
		const types = typeIds.map((associationTypeId) => ({ associationCategory: 'HUBSPOT_DEFINED', associationTypeId }));
		const out: AssociationResult[] = new Array(pairs.length);
		for (let start = 0; start < pairs.length; start += BATCH_LIMIT) {
			const chunk = pairs.slice(start, start + BATCH_LIMIT).map((p, i) => ({ ...p, fromId: String(p.fromId).trim(), toId: String(p.toId).trim(), index: start + i }));
			const res = await this.client.call({
				method: 'POST',
				url: `${this.paths.associations}/${from}/${to}/batch/create`,
				body: { inputs: chunk.map((p) => ({ from: { id: p.fromId }, to: { id: p.toId }, types })) },
				idempotent: true,
				ctx: { object: from },
			});
			if (res.status >= 300 && res.status !== 207) {
				const errors = classifyAll(res, { object: from }, this.client.scale);
				const whole = errors.find((e) => isWholeRequestError(e.classified));
				if (whole) throw whole;
				if (chunk.length === 1) {
					const p = chunk[0];
					out[p.index] = { index: p.index, ok: false, fromId: p.fromId, toId: p.toId, error: errors[0].classified };
					continue;
				}
				// A batch-wide rejection: associate the pairs one by one so each gets its own answer.
				const singles = await Promise.all(chunk.map((p) => this.associateMany(from, to, [p], options)));
				singles.forEach(([r], i) => (out[chunk[i].index] = { ...r, index: chunk[i].index }));
				continue;
			}
			const body = (res.body ?? {}) as { errors?: Array<{ category?: string; subCategory?: string; message?: string; context?: Record<string, unknown> }> };
			const failed = new Map<number, ClassifiedError>();
			for (const e of body.errors ?? []) {
				const ids = [...asStrings(e.context?.id), ...asStrings(e.context?.fromObjectId)];
				const code = e.subCategory?.endsWith('INVALID_IDENTIFIER') ? 'FIELD_NOT_FOUND' : 'INVALID_FORMAT';
				for (const p of chunk) {
					if (failed.has(p.index)) continue;
					if (ids.length === 0 || ids.includes(p.fromId) || ids.includes(p.toId)) {
						failed.set(
							p.index,
							classifiedError(code, {
								message: `HubSpot could not associate ${OBJECT_FACTS[from].singular} ${p.fromId} with ${OBJECT_FACTS[to].singular} ${p.toId}: ${e.message ?? e.category}`,
								record: { system: 'hubspot', object: from, id: p.fromId },
								vendor: { status: res.status, code: e.subCategory ?? e.category, message: e.message },
							}),
						);
					}
				}
			}
			for (const p of chunk) {
				const error = failed.get(p.index);
				out[p.index] = error ? { index: p.index, ok: false, fromId: p.fromId, toId: p.toId, error } : { index: p.index, ok: true, fromId: p.fromId, toId: p.toId, typeIds };
			}
		}
		return out;
	}

	/** Associated record ids of many records (batch read, ≤100 per call per target object). */
	async readLinks(object: HubSpotObject, ids: string[], to: HubSpotObject[]): Promise<Map<string, Record<string, string[]>>> {
		const out = new Map<string, Record<string, string[]>>();
		for (const id of ids) out.set(id, Object.fromEntries(to.map((t) => [t, [] as string[]])));
		for (const target of to) {
			let pending: Array<{ id: string; after?: string }> = ids.map((id) => ({ id }));
			while (pending.length) {
				const next: Array<{ id: string; after?: string }> = [];
				for (let start = 0; start < pending.length; start += BATCH_LIMIT) {
					const chunk = pending.slice(start, start + BATCH_LIMIT);
					const res = await this.client.call({
						method: 'POST',
						url: `${this.paths.associations}/${object}/${target}/batch/read`,
						body: { inputs: chunk.map((c) => (c.after ? { id: c.id, after: c.after } : { id: c.id })) },
						idempotent: true,
						ctx: { object },
					});
					if (res.status !== 200 && res.status !== 207) throw classifyResponse(res, { object, about: 'endpoint' }, this.client.scale);
					const body = res.body as { results?: Array<{ from: { id: string | number }; to?: Array<{ toObjectId: string | number }>; paging?: { next?: { after?: string } } }> };
					for (const r of body.results ?? []) {
						const links = out.get(String(r.from.id));
						if (!links) continue;
						for (const t of r.to ?? []) if (!links[target].includes(String(t.toObjectId))) links[target].push(String(t.toObjectId));
						// More than one page of associations for this record: read the rest in the next round.
						if (r.paging?.next?.after) next.push({ id: String(r.from.id), after: r.paging.next.after });
					}
				}
				pending = next;
			}
		}
		return out;
	}

	/** Associations of one record to one object type, with their type ids. */
	async associations(from: HubSpotObject, id: string, to: HubSpotObject): Promise<Array<{ id: string; typeIds: number[]; labels: string[] }>> {
		const out: Array<{ id: string; typeIds: number[]; labels: string[] }> = [];
		let after: string | undefined;
		for (;;) {
			const res = await this.client.call({
				method: 'GET',
				url: `${this.paths.recordAssociations}/${from}/${encodeURIComponent(String(id).trim())}/associations/${to}`,
				query: { limit: 500, after },
				idempotent: true,
				ctx: { object: from, id },
			});
			if (res.status !== 200) throw classifyResponse(res, { object: from, id }, this.client.scale);
			const body = res.body as { results?: Array<{ toObjectId: string | number; associationTypes?: Array<{ typeId: number; label?: string | null }> }>; paging?: { next?: { after?: string } } };
			for (const r of body.results ?? []) {
				out.push({
					id: String(r.toObjectId),
					typeIds: (r.associationTypes ?? []).map((t) => t.typeId),
					labels: (r.associationTypes ?? []).map((t) => t.label).filter((l): l is string => typeof l === 'string'),
				});
			}
			after = body.paging?.next?.after;
			if (!after) return out;
		}
	}

	// ------------------------------------------------------------------ schema

	/** Raw property definitions (custom ones included), cached for schemaTtlMs. */
	async properties(object: HubSpotObject): Promise<HubSpotProperty[]> {
		return this.cached(`properties:${object}`, async () => {
			const res = await this.client.call({ method: 'GET', url: `${this.paths.properties}/${object}`, idempotent: true, ctx: { object, about: 'endpoint' } });
			if (res.status !== 200) throw classifyResponse(res, { object, about: 'endpoint' }, this.client.scale);
			return ((res.body as { results?: HubSpotProperty[] }).results ?? []).filter((p) => !p.archived);
		});
	}

	async fields(object: HubSpotObject): Promise<FieldInfo[]> {
		return (await this.properties(object)).map((p) => toFieldInfo(object, p));
	}

	/** Properties that can serve as an upsert `idProperty`: `email` on contacts and any hasUniqueValue property. */
	async uniqueProperties(object: HubSpotObject): Promise<FieldInfo[]> {
		return (await this.fields(object)).filter((f) => f.unique && f.name !== 'hs_object_id');
	}

	async pipelines(object: HubSpotObject = 'deals'): Promise<Pipeline[]> {
		return this.cached(`pipelines:${object}`, async () => {
			const res = await this.client.call({ method: 'GET', url: `${this.paths.pipelines}/${object}`, idempotent: true, ctx: { object, about: 'endpoint' } });
			if (res.status !== 200) throw classifyResponse(res, { object, about: 'endpoint' }, this.client.scale);
			return ((res.body as { results?: Pipeline[] }).results ?? [])
				.filter((p) => !p.archived)
				.sort((a, b) => (a.displayOrder ?? 0) - (b.displayOrder ?? 0))
				.map((p) => ({ ...p, stages: (p.stages ?? []).filter((s) => !s.archived).sort((a, b) => (a.displayOrder ?? 0) - (b.displayOrder ?? 0)) }));
		});
	}

	async owners(): Promise<Owner[]> {
		return this.cached('owners', async () => {
			const out: Owner[] = [];
			let after: string | undefined;
			for (;;) {
				const res = await this.client.call({ method: 'GET', url: this.paths.owners, query: { limit: 500, after }, idempotent: true, ctx: { about: 'endpoint' } });
				if (res.status !== 200) throw classifyResponse(res, { about: 'endpoint' }, this.client.scale);
				const body = res.body as { results?: Owner[]; paging?: { next?: { after?: string } } };
				out.push(...(body.results ?? []).filter((o) => !o.archived));
				after = body.paging?.next?.after;
				if (!after) return out;
			}
		});
	}

	// ------------------------------------------------------------------ helpers

	private propertyList(object: HubSpotObject, properties?: string[]): string {
		const list = properties?.length ? properties : OBJECT_FACTS[object].syncProperties;
		return [...new Set(list.map((p) => p.trim()).filter(Boolean))].join(',');
	}

	private emptyLinks(links?: HubSpotObject[]): Record<string, string[]> | undefined {
		return links?.length ? Object.fromEntries(links.map((l) => [l, []])) : undefined;
	}

	private async cached<T>(key: string, load: () => Promise<T>): Promise<T> {
		const hit = this.cache.get(key);
		if (hit && Date.now() - hit.at < this.ttl) return hit.value as T;
		const value = await load();
		this.cache.set(key, { at: Date.now(), value });
		return value;
	}

	private async single(object: HubSpotObject, input: WriteInput, ctx: ErrorContext, action: 'created' | 'updated', spec: Parameters<HubSpotClient['call']>[0]): Promise<HubSpotWriteResult> {
		let res: HttpResponse;
		try {
			res = await this.client.call({ ...spec, ctx });
		} catch (err) {
			return this.parked(err, input, ctx);
		}
		if (res.status === 200 || res.status === 201) return { index: 0, ok: true, action, record: toEnvelope(object, res.body as HubSpotRecord) };
		return this.failure(res, input, ctx);
	}

	/** A record-level failure from an error answer; whole-request errors are thrown. */
	private failure(res: HttpResponse, input: WriteInput, ctx: ErrorContext): HubSpotWriteResult {
		const errors = classifyAll(res, ctx, this.client.scale);
		const whole = errors.find((e) => isWholeRequestError(e.classified));
		if (whole) throw whole;
		if (res.status === 409) {
			const body = errorBody(res);
			const existing = existingIdOf(body.message, body.context);
			const error = duplicateError(body.message ?? '', ctx, existing);
			return { index: 0, ok: false, input, error, errors: [error], existingId: existing };
		}
		if (res.status === 404 && !ctx.id) errors.splice(0, errors.length, new ConnectorError(notFoundError(ctx)));
		const list = errors.map((e) => e.classified);
		return { index: 0, ok: false, input, error: list[0], errors: list };
	}

	/** Still transient after the retries: the record is parked with a retryable error, not lost. */
	private parked(err: unknown, input: WriteInput, ctx: ErrorContext): HubSpotWriteResult {
		if (!(err instanceof ConnectorError) || isWholeRequestError(err.classified)) throw err;
		const error = { ...err.classified, record: { system: 'hubspot', ...(ctx.object ? { object: ctx.object } : {}), ...(ctx.id ? { id: ctx.id } : {}) } };
		return { index: 0, ok: false, input, error, errors: [error] };
	}
}

function asStrings(v: unknown): string[] {
	return Array.isArray(v) ? v.map(String) : [];
}

