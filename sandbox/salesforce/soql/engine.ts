/**
 * Resolves a parsed SOQL query against the schema (INVALID_TYPE / INVALID_FIELD / type-checked literals) and
 * compiles it into closures: a predicate, a sort, and a projection that builds the API's record JSON.
 */
import type { Condition, FieldPath, Literal, OrderItem, Query } from './ast';
import { SoqlError } from './errors';
import { parseSoql } from './parser';
import { MSG } from '../errors';
import { normalizeId } from '../ids';
import { isLongText, NUMBER_TYPES, type FieldDef, type ObjectMeta } from '../schema';
import type { Database, ObjectStore, Rec, Value } from '../store';
import { dateToMs, formatDateTime } from '../values';

export interface QueryEnv {
	db: Database;
	now: number;
	isFieldRemoved(object: string, field: string): boolean;
}

/** A field reached from the queried object, possibly through lookups (`Account.Owner.Name`). */
interface Resolved {
	/** Reference fields walked, each with the object it points to. */
	hops: Array<{ ref: FieldDef; target: ObjectStore }>;
	field: FieldDef;
	owner: ObjectMeta;
	get(rec: Rec): Value;
}

type Kind = 'text' | 'id' | 'boolean' | 'number' | 'datetime' | 'date' | 'address';

function kindOf(f: FieldDef): Kind {
	if (f.type === 'id' || f.type === 'reference') return 'id';
	if (f.type === 'boolean') return 'boolean';
	if (NUMBER_TYPES.has(f.type)) return 'number';
	if (f.type === 'datetime') return 'datetime';
	if (f.type === 'date') return 'date';
	if (f.type === 'address') return 'address';
	return 'text';
}

export interface OutputNode {
	entries: Array<{ kind: 'field'; key: string; field: FieldDef } | { kind: 'rel'; key: string; ref: FieldDef; target: ObjectStore; node: OutputNode }>;
}

export interface CompiledQuery {
	store: ObjectStore;
	countOnly: boolean;
	predicate?: (rec: Rec) => boolean;
	/** Candidate ids from an index, when the WHERE clause pins an indexed field. */
	candidates?: (store: ObjectStore) => string[] | undefined;
	order?: Array<{ get(rec: Rec): Value; kind: Kind; descending: boolean; nullsLast: boolean }>;
	limit?: number;
	offset: number;
	output: OutputNode;
}

/** Builds an address object from its component fields, as compound fields are read. */
export function compoundAddress(rec: Rec, prefix: string): Record<string, unknown> | null {
	const street = rec[`${prefix}Street`] ?? null;
	const city = rec[`${prefix}City`] ?? null;
	const state = rec[`${prefix}State`] ?? null;
	const postalCode = rec[`${prefix}PostalCode`] ?? null;
	const country = rec[`${prefix}Country`] ?? null;
	if (street === null && city === null && state === null && postalCode === null && country === null) return null;
	return { city, country, geocodeAccuracy: null, latitude: null, longitude: null, postalCode, state, street };
}

/** A stored value in its JSON form. */
export function outputValue(rec: Rec, f: FieldDef): unknown {
	if (f.type === 'address') return compoundAddress(rec, f.addressPrefix ?? '');
	const v = rec[f.name];
	if (v === undefined || v === null) return null;
	if (f.type === 'datetime') return formatDateTime(v as number);
	return v;
}

export function attributes(type: string, id: string, version: string): { type: string; url: string } {
	return { type, url: `/services/data/v${version}/sobjects/${type}/${id}` };
}

export function project(node: OutputNode, store: ObjectStore, rec: Rec, version: string, db: Database): Record<string, unknown> {
	const out: Record<string, unknown> = { attributes: attributes(store.meta.name, rec.Id as string, version) };
	for (const e of node.entries) {
		if (e.kind === 'field') out[e.key] = outputValue(rec, e.field);
		else {
			const parentId = rec[e.ref.name];
			const parent = typeof parentId === 'string' ? e.target.get(parentId) : undefined;
			out[e.key] = parent && parent.IsDeleted !== true ? project(e.node, e.target, parent, version, db) : null;
		}
	}
	return out;
}

function dateLiteralRange(lit: Extract<Literal, { kind: 'dateLiteral' }>, now: number): [number, number] {
	const day = 86_400_000;
	const today = Math.floor(now / day) * day;
	const d = new Date(today);
	const y = d.getUTCFullYear();
	const m = d.getUTCMonth();
	const weekStart = today - d.getUTCDay() * day; // weeks start on Sunday (en_US locale)
	const n = lit.n;
	switch (lit.name) {
		case 'TODAY':
			return [today, today + day];
		case 'YESTERDAY':
			return [today - day, today];
		case 'TOMORROW':
			return [today + day, today + 2 * day];
		case 'THIS_WEEK':
			return [weekStart, weekStart + 7 * day];
		case 'LAST_WEEK':
			return [weekStart - 7 * day, weekStart];
		case 'NEXT_WEEK':
			return [weekStart + 7 * day, weekStart + 14 * day];
		case 'THIS_MONTH':
			return [Date.UTC(y, m, 1), Date.UTC(y, m + 1, 1)];
		case 'LAST_MONTH':
			return [Date.UTC(y, m - 1, 1), Date.UTC(y, m, 1)];
		case 'NEXT_MONTH':
			return [Date.UTC(y, m + 1, 1), Date.UTC(y, m + 2, 1)];
		case 'THIS_YEAR':
			return [Date.UTC(y, 0, 1), Date.UTC(y + 1, 0, 1)];
		case 'LAST_YEAR':
			return [Date.UTC(y - 1, 0, 1), Date.UTC(y, 0, 1)];
		case 'NEXT_YEAR':
			return [Date.UTC(y + 1, 0, 1), Date.UTC(y + 2, 0, 1)];
		case 'LAST_90_DAYS':
			return [today - 90 * day, today + day];
		case 'NEXT_90_DAYS':
			return [today + day, today + 91 * day];
		case 'LAST_N_DAYS':
			return [today - n * day, today + day];
		case 'NEXT_N_DAYS':
			return [today + day, today + (n + 1) * day];
		case 'N_DAYS_AGO':
			return [today - n * day, today - (n - 1) * day];
		case 'LAST_N_WEEKS':
			return [weekStart - 7 * n * day, weekStart];
		case 'NEXT_N_WEEKS':
			return [weekStart + 7 * day, weekStart + 7 * (n + 1) * day];
		case 'LAST_N_MONTHS':
			return [Date.UTC(y, m - n, 1), Date.UTC(y, m, 1)];
		case 'NEXT_N_MONTHS':
			return [Date.UTC(y, m + 1, 1), Date.UTC(y, m + 1 + n, 1)];
		default:
			return [today, today + day];
	}
}

class Compiler {
	constructor(
		private readonly q: Query,
		private readonly env: QueryEnv,
		private readonly root: ObjectStore,
	) {}

	private fail(code: SoqlError['errorCode'], detail: string, pos: number): never {
		throw new SoqlError(code, detail, this.q.text, pos);
	}

	private lookupField(meta: ObjectMeta, name: string): FieldDef | undefined {
		const f = meta.field(name);
		if (!f || this.env.isFieldRemoved(meta.name, f.name)) return undefined;
		return f;
	}

	resolve(path: FieldPath): Resolved {
		let parts = path.parts;
		if (parts.length > 1) {
			const head = parts[0].toLowerCase();
			const isRel = this.root.meta.byRelationship.has(head);
			if ((this.q.alias && head === this.q.alias.toLowerCase()) || (!isRel && head === this.root.meta.name.toLowerCase())) parts = parts.slice(1);
		}
		let store = this.root;
		const hops: Resolved['hops'] = [];
		for (let i = 0; i < parts.length - 1; i++) {
			const ref = store.meta.byRelationship.get(parts[i].toLowerCase());
			const target = ref && this.env.db.store(ref.referenceTo[0]);
			if (!ref || !target || this.env.isFieldRemoved(store.meta.name, ref.name)) {
				this.fail(
					'INVALID_FIELD',
					`Didn't understand relationship '${parts[i]}' in field path. If you are attempting to use a custom relationship, be sure to append the '__r' after the custom relationship name. Please reference your WSDL or the describe call for the appropriate names.`,
					path.pos,
				);
			}
			hops.push({ ref, target });
			store = target;
		}
		const last = parts[parts.length - 1];
		const field = this.lookupField(store.meta, last);
		if (!field) this.fail('INVALID_FIELD', MSG.noSuchColumnQuery(last, store.meta.name), path.pos);
		const name = field.name;
		let get: (rec: Rec) => Value;
		const leaf = (rec: Rec): Value => (field.type === 'address' ? (compoundAddress(rec, field.addressPrefix ?? '') === null ? null : 'address') : (rec[name] ?? null));
		if (hops.length === 0) get = leaf;
		else {
			get = (rec: Rec) => {
				let cur: Rec | undefined = rec;
				for (const h of hops) {
					const id: Value = cur[h.ref.name];
					cur = typeof id === 'string' ? h.target.get(id) : undefined;
					if (!cur || cur.IsDeleted === true) return null;
				}
				return leaf(cur);
			};
		}
		return { hops, field, owner: store.meta, get };
	}

	compile(): CompiledQuery {
		const q = this.q;
		const countOnly = q.select.some((s) => s.kind === 'count');
		if (countOnly && q.select.length > 1) this.fail('MALFORMED_QUERY', `unexpected token: ','`, q.select[1].kind === 'field' ? q.select[1].path.pos : q.select[1].pos);
		if (q.offset !== undefined && q.offset > 2000) this.fail('NUMBER_OUTSIDE_VALID_RANGE', 'Maximum SOQL offset allowed is 2000', q.offsetPos ?? 0);
		const output: OutputNode = { entries: [] };
		const seen = new Set<string>();
		for (const item of q.select) {
			if (item.kind === 'count') continue;
			if (item.kind === 'fields') {
				if (item.which !== 'STANDARD' && (q.limit === undefined || q.limit > 200)) {
					this.fail('MALFORMED_QUERY', 'The SOQL FIELDS function must have a LIMIT of at most 200', item.pos);
				}
				for (const f of this.root.meta.fields) {
					if (this.env.isFieldRemoved(this.root.meta.name, f.name)) continue;
					if (item.which === 'CUSTOM' && !f.custom) continue;
					if (item.which === 'STANDARD' && f.custom) continue;
					if (seen.has(f.name.toLowerCase())) continue;
					seen.add(f.name.toLowerCase());
					output.entries.push({ kind: 'field', key: f.name, field: f });
				}
				continue;
			}
			const r = this.resolve(item.path);
			const key = [...r.hops.map((h) => h.ref.relationshipName ?? ''), r.field.name].join('.').toLowerCase();
			if (seen.has(key)) this.fail('MALFORMED_QUERY', `duplicate field selected: ${item.path.parts.join('.')}`, item.path.pos);
			seen.add(key);
			let node = output;
			for (const h of r.hops) {
				const relKey = h.ref.relationshipName ?? h.ref.name;
				let e = node.entries.find((x) => x.kind === 'rel' && x.key === relKey) as Extract<OutputNode['entries'][number], { kind: 'rel' }> | undefined;
				if (!e) {
					e = { kind: 'rel', key: relKey, ref: h.ref, target: h.target, node: { entries: [] } };
					node.entries.push(e);
				}
				node = e.node;
			}
			node.entries.push({ kind: 'field', key: r.field.name, field: r.field });
		}
		const compiled: CompiledQuery = { store: this.root, countOnly, output, limit: q.limit, offset: q.offset ?? 0 };
		if (q.where) {
			compiled.predicate = this.condition(q.where);
			compiled.candidates = this.indexPlan(q.where);
		}
		if (q.orderBy.length) {
			if (countOnly) this.fail('MALFORMED_QUERY', `unexpected token: 'ORDER'`, q.orderBy[0].path.pos);
			compiled.order = q.orderBy.map((o) => this.orderItem(o));
		}
		return compiled;
	}

	private orderItem(o: OrderItem): NonNullable<CompiledQuery['order']>[number] {
		const r = this.resolve(o.path);
		if (isLongText(r.field) || r.field.type === 'address') {
			this.fail('INVALID_FIELD', `field '${r.field.name}' can not be sorted in a query call`, o.path.pos);
		}
		return { get: r.get, kind: kindOf(r.field), descending: o.descending, nullsLast: o.nullsLast };
	}

	/** Checks a literal against the field's type the way the API does, and returns its comparable form. */
	private literalValue(r: Resolved, lit: Literal): { value: Value; range?: [number, number] } {
		const f = r.field;
		const kind = kindOf(f);
		if (lit.kind === 'null') return { value: null };
		const typeName = kind === 'datetime' ? 'dateTime' : kind === 'number' ? (f.type === 'int' ? 'integer' : 'double') : kind === 'id' ? 'id' : kind === 'text' ? 'string' : kind;
		const wrong = (): never => {
			const quoted = kind === 'text' || kind === 'id' ? 'should be enclosed in quotes' : 'should not be enclosed in quotes';
			return this.fail('INVALID_FIELD', `value of filter criterion for field '${f.name}' must be of type ${typeName} and ${quoted}`, lit.pos);
		};
		switch (kind) {
			case 'text':
				if (lit.kind !== 'string') return wrong();
				// Salesforce stores blank text as null, so '' matches nulls.
				return { value: lit.value === '' ? null : lit.value.toLowerCase() };
			case 'id': {
				if (lit.kind !== 'string') return wrong();
				if (lit.value === '') return { value: null };
				const id = normalizeId(lit.value);
				if (!id) return this.fail('MALFORMED_QUERY', `invalid ID field: ${lit.value}`, lit.pos);
				return { value: id };
			}
			case 'boolean':
				if (lit.kind !== 'boolean') return wrong();
				return { value: lit.value };
			case 'number':
				if (lit.kind !== 'number') return wrong();
				return { value: lit.value };
			case 'datetime':
				if (lit.kind === 'datetime') return { value: lit.ms };
				if (lit.kind === 'dateLiteral') return { value: null, range: dateLiteralRange(lit, this.env.now) };
				return wrong();
			case 'date':
				if (lit.kind === 'date') return { value: dateToMs(lit.text) };
				if (lit.kind === 'dateLiteral') return { value: null, range: dateLiteralRange(lit, this.env.now) };
				return wrong();
			default:
				return this.fail('INVALID_FIELD', `field '${f.name}' can not be filtered in a query call`, lit.pos);
		}
	}

	/** Record value in comparable form: lower-cased text, ms for dates. */
	private comparable(r: Resolved): (rec: Rec) => Value {
		const kind = kindOf(r.field);
		const get = r.get;
		if (kind === 'text') return (rec) => {
			const v = get(rec);
			return typeof v === 'string' ? v.toLowerCase() : v;
		};
		if (kind === 'date') return (rec) => {
			const v = get(rec);
			return typeof v === 'string' ? dateToMs(v) : v;
		};
		return get;
	}

	private condition(c: Condition): (rec: Rec) => boolean {
		switch (c.kind) {
			case 'and': {
				const parts = c.items.map((i) => this.condition(i));
				return (rec) => parts.every((p) => p(rec));
			}
			case 'or': {
				const parts = c.items.map((i) => this.condition(i));
				return (rec) => parts.some((p) => p(rec));
			}
			case 'not': {
				const inner = this.condition(c.item);
				return (rec) => !inner(rec);
			}
			case 'compare':
				return this.compare(c);
			case 'like': {
				const r = this.resolve(c.field);
				if (isLongText(r.field)) this.fail('INVALID_FIELD', `field '${r.field.name}' can not be filtered in a query call`, c.field.pos);
				if (kindOf(r.field) !== 'text') this.fail('INVALID_FIELD', `invalid operator on ${kindOf(r.field)} field`, c.field.pos);
				if (c.value.kind !== 'string') return this.fail('INVALID_FIELD', `value of filter criterion for field '${r.field.name}' must be of type string and should be enclosed in quotes`, c.value.pos);
				const re = new RegExp(`^${c.value.like}$`, 'is');
				const get = r.get;
				return (rec) => {
					const v = get(rec);
					return typeof v === 'string' && re.test(v);
				};
			}
			case 'in': {
				const r = this.resolve(c.field);
				if (isLongText(r.field)) this.fail('INVALID_FIELD', `field '${r.field.name}' can not be filtered in a query call`, c.field.pos);
				const set = new Set<Value>();
				for (const lit of c.values) {
					const v = this.literalValue(r, lit);
					if (v.range) this.fail('MALFORMED_QUERY', `unexpected token: '${(lit as { text: string }).text}'`, lit.pos);
					set.add(v.value);
				}
				const get = this.comparable(r);
				return c.negate ? (rec) => !set.has(get(rec)) : (rec) => set.has(get(rec));
			}
		}
	}

	private compare(c: Extract<Condition, { kind: 'compare' }>): (rec: Rec) => boolean {
		const r = this.resolve(c.field);
		if (isLongText(r.field)) this.fail('INVALID_FIELD', `field '${r.field.name}' can not be filtered in a query call`, c.field.pos);
		const { value, range } = this.literalValue(r, c.value);
		const get = this.comparable(r);
		if (range) {
			const [a, b] = range;
			const inRange = (v: Value) => typeof v === 'number' && v >= a && v < b;
			switch (c.op) {
				case '=':
					return (rec) => inRange(get(rec));
				case '!=':
					return (rec) => !inRange(get(rec));
				case '<':
					return (rec) => {
						const v = get(rec);
						return typeof v === 'number' && v < a;
					};
				case '<=':
					return (rec) => {
						const v = get(rec);
						return typeof v === 'number' && v < b;
					};
				case '>':
					return (rec) => {
						const v = get(rec);
						return typeof v === 'number' && v >= b;
					};
				case '>=':
					return (rec) => {
						const v = get(rec);
						return typeof v === 'number' && v >= a;
					};
			}
		}
		switch (c.op) {
			case '=':
				return (rec) => get(rec) === value;
			// SOQL's != keeps rows whose value is null (unlike SQL).
			case '!=':
				return (rec) => get(rec) !== value;
			case '<':
				return (rec) => {
					const v = get(rec);
					return v !== null && value !== null && v < value;
				};
			case '<=':
				return (rec) => {
					const v = get(rec);
					return v !== null && value !== null && v <= value;
				};
			case '>':
				return (rec) => {
					const v = get(rec);
					return v !== null && value !== null && v > value;
				};
			case '>=':
				return (rec) => {
					const v = get(rec);
					return v !== null && value !== null && v >= value;
				};
		}
	}

	/** When the WHERE clause (or one AND branch) pins Id or an indexed field to literals, only those rows are scanned. */
	private indexPlan(c: Condition): CompiledQuery['candidates'] {
		const pin = (x: Condition): { field: string; values: string[] } | undefined => {
			if (x.kind === 'compare' && x.op === '=' && x.value.kind === 'string' && x.field.parts.length === 1) {
				return { field: x.field.parts[0], values: [x.value.value] };
			}
			if (x.kind === 'in' && !x.negate && x.field.parts.length === 1 && x.values.every((v) => v.kind === 'string')) {
				return { field: x.field.parts[0], values: x.values.map((v) => (v as { value: string }).value) };
			}
			return undefined;
		};
		const options = c.kind === 'and' ? c.items.map(pin) : [pin(c)];
		for (const p of options) {
			// '' means null in SOQL, and nulls are not indexed: scan instead.
			if (!p || p.values.includes('')) continue;
			const f = this.root.meta.field(p.field);
			if (!f) continue;
			if (f.type === 'id') {
				const ids = p.values.map((v) => normalizeId(v)).filter((v): v is string => !!v);
				return (store) => ids.filter((id) => store.byId.has(id)).sort();
			}
			if (this.root.hasIndex(f.name)) {
				const name = f.name;
				return (store) => [...new Set(p.values.flatMap((v) => (v === '' ? [] : store.lookup(name, v))))].sort();
			}
		}
		return undefined;
	}
}

export function compileQuery(text: string, env: QueryEnv): CompiledQuery {
	const q = parseSoql(text);
	const store = env.db.store(q.from.name);
	if (!store) throw new SoqlError('INVALID_TYPE', MSG.invalidType(q.from.name), text, q.from.pos);
	return new Compiler(q, env, store).compile();
}

function compareValues(a: Value, b: Value, kind: Kind): number {
	if (kind === 'text') {
		const x = (a as string).toLowerCase();
		const y = (b as string).toLowerCase();
		return x < y ? -1 : x > y ? 1 : 0;
	}
	if (kind === 'boolean') return (a ? 1 : 0) - (b ? 1 : 0);
	return a! < b! ? -1 : a! > b! ? 1 : 0;
}

/** Runs the filter and sort; returns the matching ids in result order (offset and limit applied). */
export function execute(c: CompiledQuery, includeDeleted: boolean): string[] {
	const store = c.store;
	let ids: string[] = [];
	const candidates = !includeDeleted ? c.candidates?.(store) : undefined;
	const pred = c.predicate;
	// Without ORDER BY, rows come in creation order and totalSize is capped by LIMIT: stop once enough matched.
	const enough = !c.order && c.limit !== undefined ? c.offset + c.limit : Infinity;
	if (candidates) {
		for (const id of candidates) {
			const rec = store.byId.get(id);
			if (!rec || rec.IsDeleted === true || (pred && !pred(rec))) continue;
			ids.push(id);
			if (ids.length >= enough) break;
		}
	} else {
		// The Map iterates in insertion order, which is the creation order kept in store.order.
		for (const rec of store.byId.values()) {
			if (!includeDeleted && rec.IsDeleted === true) continue;
			if (pred && !pred(rec)) continue;
			ids.push(rec.Id as string);
			if (ids.length >= enough) break;
		}
	}
	if (c.order) {
		const order = c.order;
		const keyed = ids.map((id) => {
			const rec = store.byId.get(id)!;
			return { id, keys: order.map((o) => o.get(rec)) };
		});
		keyed.sort((x, y) => {
			for (let k = 0; k < order.length; k++) {
				const o = order[k];
				const a = x.keys[k];
				const b = y.keys[k];
				if (a === null || b === null) {
					if (a === b) continue;
					const nullFirst = o.nullsLast ? 1 : -1;
					return a === null ? nullFirst : -nullFirst;
				}
				const cmp = compareValues(a, b, o.kind);
				if (cmp !== 0) return o.descending ? -cmp : cmp;
			}
			return 0;
		});
		ids = keyed.map((k) => k.id);
	}
	if (c.offset) ids = ids.slice(c.offset);
	if (c.limit !== undefined && ids.length > c.limit) ids = ids.slice(0, c.limit);
	return ids;
}
