import type { IdFactory } from './ids';
import type { ObjectMeta } from './schema';

/** Stored field value. Datetimes are epoch ms (formatted on output), dates `YYYY-MM-DD`. */
export type Value = string | number | boolean | null;
export type Rec = Record<string, Value>;

/**
 * Records built by assigning 30+ keys one by one fall into V8's slow dictionary mode (over 2 KB each at
 * 100,000 records). A generated constructor that assigns every field by name gives each object's records one
 * compact hidden class instead (field names are API names: plain identifiers, checked below).
 */
function recordFactory(names: string[]): [() => Rec, (rec: Rec) => Rec] {
	for (const n of names) if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(n)) throw new Error(`bad field name ${n}`);
	const ctor = new Function(`return function Rec() { ${names.map((n) => `this.${n} = null;`).join(' ')} };`)() as new () => Rec;
	const copy = new Function('Rec', `return function clone(s) { const o = new Rec(); ${names.map((n) => `o.${n} = s.${n};`).join(' ')} return o; };`)(ctor) as (rec: Rec) => Rec;
	return [() => new ctor(), copy];
}

/**
 * One object's records: a Map by id plus the ids in creation order (which is also Id order), so queries scan
 * without sorting and pages slice without copying. Unique/external-id/email values are indexed
 * (case-insensitive, live records only) for upsert matching, DUPLICATE_VALUE and fast `Field = 'x'` lookups.
 */
export class ObjectStore {
	readonly byId = new Map<string, Rec>();
	readonly order: string[] = [];
	/** field name → lower-cased value → id, or ids when several share it (live records). One id is the common case. */
	readonly indexes = new Map<string, Map<string, string | string[]>>();
	/** Deletions, in time order, for /deleted. */
	readonly deletions: Array<{ id: string; at: number }> = [];
	live = 0;
	/** Allocates a record with every stored field as an in-object property (see recordFactory). */
	readonly blank: () => Rec;
	readonly clone: (rec: Rec) => Rec;

	constructor(readonly meta: ObjectMeta) {
		for (const f of meta.fields) {
			if (f.unique || f.externalId || f.type === 'email') this.indexes.set(f.name, new Map());
		}
		const names = meta.fields.filter((f) => f.type !== 'address').map((f) => f.name);
		[this.blank, this.clone] = recordFactory(names);
	}

	get(id: string): Rec | undefined {
		return this.byId.get(id);
	}

	/** Ids whose indexed field equals value (case-insensitive), live records only. */
	lookup(field: string, value: string): string[] {
		const hit = this.indexes.get(field)?.get(value.toLowerCase());
		// A copy: callers often write while holding the result, and writes re-index.
		return hit === undefined ? [] : typeof hit === 'string' ? [hit] : hit.slice();
	}

	hasIndex(field: string): boolean {
		return this.indexes.has(field);
	}

	private index(rec: Rec, add: boolean): void {
		if (rec.IsDeleted === true) return;
		for (const [field, idx] of this.indexes) {
			const v = rec[field];
			if (typeof v !== 'string' || v === '') continue;
			const key = v.toLowerCase();
			const id = rec.Id as string;
			const ids = idx.get(key);
			if (add) {
				if (ids === undefined) idx.set(key, id);
				else if (typeof ids === 'string') idx.set(key, [ids, id]);
				else ids.push(id);
			} else if (ids !== undefined) {
				if (typeof ids === 'string') {
					if (ids === id) idx.delete(key);
				} else {
					const i = ids.indexOf(id);
					if (i >= 0) ids.splice(i, 1);
					if (ids.length === 1) idx.set(key, ids[0]);
					else if (ids.length === 0) idx.delete(key);
				}
			}
		}
	}

	insert(rec: Rec): void {
		this.byId.set(rec.Id as string, rec);
		this.order.push(rec.Id as string);
		this.index(rec, true);
		if (rec.IsDeleted !== true) this.live++;
	}

	/** Replaces a record (copy-on-write: callers build a new object, so an undo can put the old one back). */
	replace(next: Rec): void {
		const prev = this.byId.get(next.Id as string);
		if (prev) {
			this.index(prev, false);
			if (prev.IsDeleted !== true) this.live--;
		}
		this.byId.set(next.Id as string, next);
		this.index(next, true);
		if (next.IsDeleted !== true) this.live++;
	}

	/** Undo of insert: only ever called in reverse order of inserts, so the id is at (or near) the end. */
	removeInserted(id: string): void {
		const rec = this.byId.get(id);
		if (!rec) return;
		this.index(rec, false);
		if (rec.IsDeleted !== true) this.live--;
		this.byId.delete(id);
		const i = this.order.lastIndexOf(id);
		if (i >= 0) this.order.splice(i, 1);
	}

	clear(): void {
		this.byId.clear();
		this.order.length = 0;
		for (const idx of this.indexes.values()) idx.clear();
		this.deletions.length = 0;
		this.live = 0;
	}
}

/**
 * All objects, plus a journal so a request with allOrNone (collections, composite) can roll back every write
 * it made. Handlers are synchronous, so one transaction is open at a time.
 */
export class Database {
	readonly stores = new Map<string, ObjectStore>();
	private journal: Array<() => void> | null = null;

	constructor(
		metas: ObjectMeta[],
		readonly ids: IdFactory,
	) {
		for (const m of metas) this.stores.set(m.name.toLowerCase(), new ObjectStore(m));
	}

	store(name: string): ObjectStore | undefined {
		return this.stores.get(name.toLowerCase());
	}

	/** The store whose key prefix matches an id. */
	storeForId(id: string): ObjectStore | undefined {
		const prefix = id.slice(0, 3);
		for (const s of this.stores.values()) if (s.meta.def.keyPrefix === prefix) return s;
		return undefined;
	}

	insert(store: ObjectStore, rec: Rec): void {
		store.insert(rec);
		this.journal?.push(() => store.removeInserted(rec.Id as string));
	}

	replace(store: ObjectStore, next: Rec): void {
		const prev = store.get(next.Id as string);
		store.replace(next);
		if (prev) this.journal?.push(() => store.replace(prev));
	}

	markDeleted(store: ObjectStore, id: string, at: number, deleted: Rec): void {
		this.replace(store, deleted);
		store.deletions.push({ id, at });
		this.journal?.push(() => {
			const i = store.deletions.findIndex((d) => d.id === id && d.at === at);
			if (i >= 0) store.deletions.splice(i, 1);
		});
	}

	/** Runs fn in a transaction; rolls every write back if fn returns false or throws. */
	transaction<T>(fn: () => T, commit: (result: T) => boolean = () => true): T {
		const outer = this.journal;
		const journal: Array<() => void> = [];
		this.journal = journal;
		let result: T;
		try {
			result = fn();
		} catch (err) {
			this.journal = outer;
			for (let i = journal.length - 1; i >= 0; i--) journal[i]();
			throw err;
		}
		this.journal = outer;
		if (!commit(result)) {
			for (let i = journal.length - 1; i >= 0; i--) journal[i]();
		} else if (outer) outer.push(...journal);
		return result;
	}

	/** Explicit savepoint API for composite: begin, then rollback() or commit(). */
	begin(): { rollback(): void; commit(): void } {
		const outer = this.journal;
		const journal: Array<() => void> = [];
		this.journal = journal;
		return {
			rollback: () => {
				this.journal = outer;
				for (let i = journal.length - 1; i >= 0; i--) journal[i]();
			},
			commit: () => {
				this.journal = outer;
				if (outer) outer.push(...journal);
			},
		};
	}

	clear(): void {
		for (const s of this.stores.values()) s.clear();
		this.ids.reset();
	}
}
