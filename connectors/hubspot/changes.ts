/**
 * A full read in any order (no cursor, no sample limit, `order: 'any'`) lists the object instead (GET, 100 per page, following
 * paging.next.after): list calls count against the 100-per-10-s window, not search's 5 per second, so on an
 * account with room in its window the read is not paced at all, and there is no 10,000-result cap to re-issue
 * around. Its checkpoint is the newest stamp before the first page (one search, sorted descending): anything
 * changed while the pages were read is at or after it and comes again with the next incremental read.
 *
 * Changes since a cursor (crm-apis.md §1.5, §1.8): search on the object's modified stamp (`lastmodifieddate`
 * for contacts, `hs_lastmodifieddate` for companies and deals) GTE the cursor, sorted ascending, 200 per page,
 * every page. Search stops at 10,000 results per query, so the query is issued again with the last seen
 * stamp as the new lower bound (GTE, so records sharing that stamp are not skipped; the repeats are removed
 * by id and stamp). Should more than 10,000 records share one stamp, that stamp is walked by ascending id
 * and the query continues strictly after it.
 */
import type { ChangesOptions, ChangesPage, RecordEnvelope } from '../core/types';
import type { HubSpotClient } from './client';
import { classifyResponse, errorBody } from './errors';
import { OBJECT_FACTS, type HubSpotObject } from './objects';
import { toEnvelope, type HubSpotRecord } from './records';

export const SEARCH_PAGE_LIMIT = 200;
export const SEARCH_RESULT_CAP = 10_000;

export interface HubSpotChangesOptions extends ChangesOptions {
	/** Objects whose associated ids are read for every page, into `links` (one extra call per 100 records each). */
	links?: HubSpotObject[];
	/** Stop after this many records (a sample sync); the checkpoint then covers what was read. */
	maxRecords?: number;
	/** HubSpot's per-query result cap (10,000); lowered only to test the re-issue logic. */
	resultCap?: number;
	/**
	 * `any`: a full read (no cursor) may come in any order with its checkpoint on the last page only, so it lists
	 * the object; readers that stop mid-way and keep a per-page checkpoint (poll triggers) leave the default,
	 * `modified` (oldest change first, every page checkpointed).
	 */
	order?: 'modified' | 'any';
}

export interface ChangesContext {
	client: HubSpotClient;
	objectPath(object: HubSpotObject): string;
	readLinks(object: HubSpotObject, ids: string[], to: HubSpotObject[]): Promise<Map<string, Record<string, string[]>>>;
	/** Every record, page by page (the list endpoint): full reads use it when given. */
	listPages?(object: HubSpotObject, options: { properties: string[]; links?: HubSpotObject[] }): AsyncGenerator<RecordEnvelope[]>;
}

/** The newest modified stamp of the object now (undefined when it has no records). */
async function newestStamp(ctx: ChangesContext, object: HubSpotObject): Promise<string | undefined> {
	const mod = OBJECT_FACTS[object].modifiedProperty;
	const res = await ctx.client.call({
		method: 'POST',
		url: `${ctx.objectPath(object)}/search`,
		kind: 'search',
		idempotent: true,
		body: { filterGroups: [], sorts: [{ propertyName: mod, direction: 'DESCENDING' }], properties: [mod], limit: 1, after: '0' },
		ctx: { object },
	});
	if (res.status !== 200) throw classifyResponse(res, { object, about: 'endpoint' });
	const [top] = (res.body as { results?: HubSpotRecord[] }).results ?? [];
	return top ? toEnvelope(object, top).updatedAt : undefined;
}

async function* listAll(ctx: ChangesContext, object: HubSpotObject, properties: string[], links: HubSpotObject[] | undefined): AsyncGenerator<ChangesPage> {
	const checkpoint = await newestStamp(ctx, object);
	// One page held back, so the last one can say done (and carry the checkpoint) without an extra empty page.
	let held: RecordEnvelope[] | undefined;
	for await (const page of ctx.listPages!(object, { properties, links })) {
		if (held) yield { records: held, checkpoint: undefined, done: false };
		held = page;
	}
	yield { records: held ?? [], checkpoint, done: true };
}

interface Filter {
	propertyName: string;
	operator: string;
	value?: string;
}

type Bound = { op: 'GTE' | 'GT'; at: number } | undefined;

/** One search query, paged to the end or to the result cap. */
interface Query {
	filters: Filter[];
	sort: string;
	after: number;
}

export async function* changes(ctx: ChangesContext, object: HubSpotObject, options: HubSpotChangesOptions = {}): AsyncGenerator<ChangesPage> {
	const facts = OBJECT_FACTS[object];
	const mod = facts.modifiedProperty;
	const limit = Math.max(1, Math.min(SEARCH_PAGE_LIMIT, options.pageSize ?? SEARCH_PAGE_LIMIT));
	const cap = options.resultCap ?? SEARCH_RESULT_CAP;
	const properties = [...new Set([...(options.fields?.length ? options.fields : facts.syncProperties), mod])];
	const since = options.since !== undefined ? Date.parse(options.since) : undefined;
	if (since !== undefined && Number.isNaN(since)) throw new Error(`The cursor "${options.since}" is not a date`);
	if (options.order === 'any' && since === undefined && options.maxRecords === undefined && ctx.listPages) {
		yield* listAll(ctx, object, properties, options.links?.length ? options.links : undefined);
		return;
	}
	let bound: Bound = since !== undefined ? { op: 'GTE', at: since - (options.overlapMs ?? 0) } : undefined;
	let checkpoint: string | undefined = options.since;
	let checkpointMs = since ?? -Infinity;
	const seen = new Set<string>();
	let emitted = 0;
	/** Set while walking one stamp shared by more records than a query can return. */
	let tie: { at: number; afterId: string } | undefined;

	const queryFor = (): Query => {
		if (tie) {
			return {
				filters: [
					{ propertyName: mod, operator: 'EQ', value: new Date(tie.at).toISOString() },
					{ propertyName: 'hs_object_id', operator: 'GT', value: tie.afterId },
				],
				sort: 'hs_object_id',
				after: 0,
			};
		}
		return { filters: bound ? [{ propertyName: mod, operator: bound.op, value: new Date(bound.at).toISOString() }] : [], sort: mod, after: 0 };
	};

	let query = queryFor();
	let last: HubSpotRecord | undefined;
	for (;;) {
		const res = await ctx.client.call({
			method: 'POST',
			url: `${ctx.objectPath(object)}/search`,
			kind: 'search',
			idempotent: true,
			body: {
				filterGroups: query.filters.length ? [{ filters: query.filters }] : [],
				sorts: [{ propertyName: query.sort, direction: 'ASCENDING' }],
				properties,
				limit,
				after: String(query.after),
			},
			ctx: { object },
		});
		const beyondCap = res.status === 400 && /beyond|10,?000|paging/i.test(errorBody(res).message ?? '') && query.after > 0;
		if (res.status !== 200 && !beyondCap) throw classifyResponse(res, { object, about: 'endpoint' });
		const body = (beyondCap ? {} : res.body) as { results?: HubSpotRecord[]; paging?: { next?: { after?: string } } };
		const results = body.results ?? [];
		const fresh: RecordEnvelope[] = [];
		for (const raw of results) {
			const env = toEnvelope(object, raw);
			const key = `${env.id}@${env.updatedAt}`;
			if (seen.has(key)) continue;
			seen.add(key);
			fresh.push(env);
		}
		let page = fresh;
		let stop = false;
		if (options.maxRecords !== undefined && emitted + page.length >= options.maxRecords) {
			page = page.slice(0, options.maxRecords - emitted);
			stop = true;
		}
		emitted += page.length;
		for (const env of page) {
			const t = Date.parse(env.updatedAt);
			if (t > checkpointMs) {
				checkpointMs = t;
				checkpoint = env.updatedAt;
			}
		}
		if (options.links?.length && page.length) {
			const links = await ctx.readLinks(object, page.map((e) => e.id), options.links);
			for (const env of page) env.links = links.get(env.id) ?? Object.fromEntries(options.links.map((to) => [to, []]));
		}

		const next = body.paging?.next?.after;
		if (results.length) last = results[results.length - 1];
		let done = stop;
		if (!done) {
			if (next !== undefined && Number(next) < cap && !beyondCap) {
				query = { ...query, after: Number(next) };
			} else if (next !== undefined || beyondCap) {
				// The cap: ask again from where this query got to.
				if (tie) {
					tie = { at: tie.at, afterId: String(last?.id ?? tie.afterId) };
				} else {
					const lastAt = last ? Date.parse(toEnvelope(object, last).updatedAt) : NaN;
					if (Number.isNaN(lastAt)) done = true;
					else if (bound && lastAt <= bound.at && bound.op === 'GTE') {
						// A whole query's worth of records share one stamp: walk it by id.
						tie = { at: lastAt, afterId: '0' };
					} else {
						bound = { op: 'GTE', at: lastAt };
					}
				}
				query = queryFor();
			} else if (tie) {
				// The shared stamp is exhausted: continue strictly after it.
				bound = { op: 'GT', at: tie.at };
				tie = undefined;
				query = queryFor();
			} else {
				done = true;
			}
		}
		yield { records: page, checkpoint, done };
		if (done) return;
	}
}
