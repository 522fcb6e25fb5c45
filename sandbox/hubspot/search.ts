/**
 * POST /crm/v3/objects/{type}/search (crm-apis.md §1.5): filterGroups OR-ed, filters AND-ed, the documented
 * operators, one sort, free-text `query`, limit ≤ 200, an integer-string `after` offset, `total`, a 400 when
 * paging reaches 10,000 results, its own 5/s limit with no rate-limit headers, archived records never shown,
 * and (optionally) an index that lags writes.
 */
import type { Router, SandboxResponse } from '../core/server';
import { api, isRecord, objectBody, selectionOf, type Call } from './api';
import { validationError } from './errors';
import { parseDateTime } from './properties';
import { OBJECT_TYPES, type ObjectKey, type PropertyDef } from './schema';
import type { HubspotState, RecordView } from './state';
import type { StoredRecord } from './store';

export const SEARCH_MAX_LIMIT = 200;
export const SEARCH_RESULT_CAP = 10_000;
const MAX_GROUPS = 5;
const MAX_FILTERS_PER_GROUP = 6;
const MAX_FILTERS = 18;
const MAX_BODY_CHARS = 3000;

const OPERATORS = new Set(['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN']);

type Comparable = number | string;
type Test = (view: RecordView) => boolean;

/** Reads a property as a comparable value; stamps and ids straight from the record (no ISO round trip). */
function accessor(state: HubspotState, key: ObjectKey, def: PropertyDef): (view: RecordView) => Comparable | undefined {
	const info = OBJECT_TYPES[key];
	if (def.name === info.modifiedProp) return (v) => v.updatedAt;
	if (def.name === 'createdate') return (v) => v.createdAt;
	if (def.name === 'hs_object_id') return (v) => v.id;
	const numeric = def.type === 'number';
	const temporal = def.type === 'datetime' || def.type === 'date';
	return (v) => {
		const raw = state.value(key, v, def.name);
		if (raw === undefined) return undefined;
		if (numeric) return Number(raw);
		if (temporal) return def.type === 'date' ? Date.parse(`${raw}T00:00:00Z`) : Date.parse(raw);
		return raw.toLowerCase();
	};
}

function operand(def: PropertyDef, raw: unknown, filter: string): Comparable {
	if (raw === undefined || raw === null) validationError(`Filter ${filter} requires a value`);
	const s = String(raw);
	if (def.type === 'number' || def.name === 'hs_object_id') {
		const n = Number(s);
		if (!Number.isFinite(n)) validationError(`${s} is not a valid number for property ${def.name}`);
		return n;
	}
	if (def.type === 'datetime' || def.type === 'date') {
		const t = /^\d{4}-\d{2}-\d{2}$/.test(s) ? Date.parse(`${s}T00:00:00Z`) : parseDateTime(s);
		if (t === undefined || Number.isNaN(t)) validationError(`${s} is not a valid date for property ${def.name}`);
		return t;
	}
	return s.toLowerCase();
}

/** CONTAINS_TOKEN: the value or one of its word tokens matches, `*` being a wildcard. */
function tokenMatcher(pattern: string): (value: string) => boolean {
	const re = new RegExp(`^${pattern.toLowerCase().replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
	return (value) => {
		const v = value.toLowerCase();
		return re.test(v) || v.split(/[\s,;:@.\-_/]+/).some((t) => t && re.test(t));
	};
}

function compileFilter(state: HubspotState, key: ObjectKey, f: unknown): Test {
	if (!isRecord(f)) validationError('Invalid input JSON: Cannot build Filter, some of required attributes are not set [operator, propertyName]');
	const propertyName = String(f.propertyName ?? '');
	const operator = String(f.operator ?? '');
	if (!OPERATORS.has(operator)) validationError(`Invalid operator: ${operator}`);
	const def = state.registry.get(key, propertyName);
	if (!def) validationError(`Property "${propertyName}" does not exist`, { context: { propertyName: [propertyName] } });
	const get = accessor(state, key, def);
	switch (operator) {
		case 'HAS_PROPERTY':
			return (v) => get(v) !== undefined;
		case 'NOT_HAS_PROPERTY':
			return (v) => get(v) === undefined;
		case 'IN':
		case 'NOT_IN': {
			if (!Array.isArray(f.values)) validationError(`Filter ${operator} requires values`);
			const set = new Set((f.values as unknown[]).map((x) => operand(def, x, operator)));
			return operator === 'IN'
				? (v) => {
						const x = get(v);
						return x !== undefined && set.has(x);
					}
				: (v) => {
						const x = get(v);
						return x === undefined || !set.has(x);
					};
		}
		case 'CONTAINS_TOKEN':
		case 'NOT_CONTAINS_TOKEN': {
			const match = tokenMatcher(String(f.value ?? ''));
			const positive = operator === 'CONTAINS_TOKEN';
			return (v) => {
				const raw = state.value(key, v, def.name);
				if (raw === undefined) return !positive;
				return match(raw) === positive;
			};
		}
		case 'BETWEEN': {
			const lo = operand(def, f.value, operator);
			const hi = operand(def, f.highValue, operator);
			return (v) => {
				const x = get(v);
				return x !== undefined && x >= lo && x <= hi;
			};
		}
	}
	const value = operand(def, f.value, operator);
	switch (operator) {
		case 'EQ':
			return (v) => get(v) === value;
		case 'NEQ':
			return (v) => get(v) !== value;
		case 'LT':
			return (v) => {
				const x = get(v);
				return x !== undefined && x < value;
			};
		case 'LTE':
			return (v) => {
				const x = get(v);
				return x !== undefined && x <= value;
			};
		case 'GT':
			return (v) => {
				const x = get(v);
				return x !== undefined && x > value;
			};
		default:
			return (v) => {
				const x = get(v);
				return x !== undefined && x >= value;
			};
	}
}

function compileGroups(state: HubspotState, key: ObjectKey, raw: unknown): Test | undefined {
	if (raw === undefined || raw === null) return undefined;
	if (!Array.isArray(raw)) validationError('Invalid input JSON: filterGroups must be an array');
	if (raw.length > MAX_GROUPS) validationError(`Too many filter groups: ${raw.length}. The maximum is ${MAX_GROUPS}.`);
	let total = 0;
	const groups = raw.map((g) => {
		const filters = isRecord(g) && Array.isArray(g.filters) ? g.filters : [];
		if (filters.length > MAX_FILTERS_PER_GROUP) validationError(`Too many filters in a group: ${filters.length}. The maximum is ${MAX_FILTERS_PER_GROUP}.`);
		total += filters.length;
		return filters.map((f) => compileFilter(state, key, f));
	});
	if (total > MAX_FILTERS) validationError(`Too many filters: ${total}. The maximum is ${MAX_FILTERS}.`);
	const nonEmpty = groups.filter((g) => g.length > 0);
	if (nonEmpty.length === 0) return undefined;
	return (v) => nonEmpty.some((tests) => tests.every((t) => t(v)));
}

function compileQuery(state: HubspotState, key: ObjectKey, raw: unknown): Test | undefined {
	if (typeof raw !== 'string' || raw.trim() === '') return undefined;
	const tokens = raw.toLowerCase().split(/\s+/).filter(Boolean);
	const fields = OBJECT_TYPES[key].searchable.filter((n) => state.registry.get(key, n));
	return (v) => {
		const text = fields.map((n) => v.props[n] ?? '').join(' ').toLowerCase();
		return tokens.every((t) => text.includes(t));
	};
}

function intValue(raw: unknown, name: string, fallback: number): number {
	if (raw === undefined || raw === null || raw === '') return fallback;
	const n = Number(raw);
	if (!Number.isInteger(n) || n < 0) validationError(`Invalid ${name}: ${String(raw)}`);
	return n;
}

function search(state: HubspotState, key: ObjectKey, c: Call): SandboxResponse {
	const req = c.req;
	if (req.rawBody.length > MAX_BODY_CHARS) validationError(`The search request body is ${req.rawBody.length} characters long; the maximum is ${MAX_BODY_CHARS}.`);
	const body = objectBody(req);
	const limit = intValue(body.limit, 'limit', 10);
	if (limit > SEARCH_MAX_LIMIT) validationError(`Invalid limit: ${limit}. The maximum limit is ${SEARCH_MAX_LIMIT}.`);
	const after = intValue(body.after, 'after', 0);
	if (after >= SEARCH_RESULT_CAP) validationError(`Cannot page beyond ${SEARCH_RESULT_CAP} results; narrow the search.`, { context: { after: [String(after)] } });
	const filter = compileGroups(state, key, body.filterGroups);
	const query = compileQuery(state, key, body.query);
	const sortSpec = Array.isArray(body.sorts) && body.sorts.length ? body.sorts[0] : undefined;
	let sortDef: PropertyDef | undefined;
	let descending = false;
	if (sortSpec !== undefined) {
		// The spec types sorts as strings ("-createdate"); the documented form is {propertyName, direction}.
		const name = isRecord(sortSpec) ? String(sortSpec.propertyName ?? '') : String(sortSpec).replace(/^-/, '');
		descending = isRecord(sortSpec) ? String(sortSpec.direction ?? 'ASCENDING').toUpperCase() === 'DESCENDING' : String(sortSpec).startsWith('-');
		sortDef = state.registry.get(key, name);
		if (!sortDef) validationError(`Property "${name}" does not exist`, { context: { propertyName: [name] } });
	}
	const store = state.stores[key];
	const matches: RecordView[] = [];
	const consider = (rec: StoredRecord): void => {
		const view = state.indexedView(rec);
		if (!view) return;
		if (query && !query(view)) return;
		if (filter && !filter(view)) return;
		matches.push(view);
	};
	for (const id of store.live) consider(store.byId.get(id)!);
	if (store.pendingArchived.size) {
		// Deleted records stay in the lagging index until it catches up.
		for (const id of [...store.pendingArchived]) {
			const rec = store.byId.get(id);
			if (!rec || (rec.visibleAt ?? 0) <= state.now()) store.pendingArchived.delete(id);
			else consider(rec);
		}
		matches.sort((a, b) => a.id - b.id);
	}
	if (sortDef) {
		const get = accessor(state, key, sortDef);
		const dir = descending ? -1 : 1;
		const keyed = matches.map((v) => ({ v, k: get(v) }));
		keyed.sort((a, b) => {
			if (a.k === undefined || b.k === undefined) return a.k === b.k ? a.v.id - b.v.id : a.k === undefined ? 1 : -1;
			if (a.k < b.k) return -dir;
			if (a.k > b.k) return dir;
			return a.v.id - b.v.id;
		});
		matches.length = 0;
		for (const k of keyed) matches.push(k.v);
	}
	const properties = Array.isArray(body.properties) ? body.properties.map(String) : undefined;
	const selection = selectionOf(properties);
	const page = matches.slice(after, after + limit);
	const results = page.map((v) =>
		state.render(key, { id: v.id, props: v.props, createdAt: v.createdAt, updatedAt: v.updatedAt, archived: false, source: v.source, sourceId: v.sourceId }, { selection }),
	);
	const out: Record<string, unknown> = { total: matches.length, results };
	if (after + limit < matches.length) out.paging = { next: { after: String(after + limit) } };
	return { status: 200, body: out };
}

export function registerSearch(router: Router, state: HubspotState, key: ObjectKey, base: string): void {
	router.post(`${base}/search`, `${key}.search`, api(state, { scopes: [`crm.objects.${key}.read`], limit: 'search' }, (c) => search(state, key, c)));
}
