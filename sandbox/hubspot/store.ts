/**
 * In-memory record storage built for 100,000+ records per object: records in a Map by numeric id, live and
 * archived ids in ascending arrays (ids only grow, so appends keep them sorted and a page is a binary search
 * plus a slice), and unique-value indexes (email, custom `hasUniqueValue` properties) keyed case-insensitively.
 */
import type { ObjectKey, ObjectTypeInfo } from './schema';

/** Where a record's last write came from; drives `hs_object_source` and webhook `changeSource`. */
export type RecordSource = 'INTEGRATION' | 'CRM_UI' | 'IMPORT' | 'API';

/** The state the (lagging) search index holds for a record. */
export interface IndexedState {
	props: Record<string, string>;
	createdAt: number;
	updatedAt: number;
}

export interface StoredRecord {
	id: number;
	/** Stored property values (derived ones like hs_object_id are computed on read). Never holds "" or null. */
	props: Record<string, string>;
	createdAt: number;
	updatedAt: number;
	archived: boolean;
	archivedAt?: number;
	source: RecordSource;
	sourceId: string;
	/** Eventual-consistency support: until `visibleAt`, search sees `indexed` (null = not yet indexed). */
	visibleAt?: number;
	indexed?: IndexedState | null;
}

/** Leftmost index whose value is >= target in an ascending array. */
export function lowerBound(arr: number[], target: number): number {
	let lo = 0;
	let hi = arr.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (arr[mid] < target) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}

function removeSorted(arr: number[], value: number): void {
	const i = lowerBound(arr, value);
	if (arr[i] === value) arr.splice(i, 1);
}

function insertSorted(arr: number[], value: number): void {
	if (arr.length === 0 || arr[arr.length - 1] < value) arr.push(value);
	else {
		const i = lowerBound(arr, value);
		if (arr[i] !== value) arr.splice(i, 0, value);
	}
}

export class ObjectStore {
	readonly byId = new Map<number, StoredRecord>();
	/** Live ids, ascending. */
	readonly live: number[] = [];
	/** Archived ids, ascending. */
	readonly archivedIds: number[] = [];
	/** Records whose deletion the lagging search index has not seen yet. */
	readonly pendingArchived = new Set<number>();
	/** propertyName → lower-cased value → record id, for live records only. */
	readonly unique = new Map<string, Map<string, number>>();
	private nextId: number;

	constructor(readonly info: ObjectTypeInfo) {
		this.nextId = info.idBase;
		if (info.key === 'contacts') this.unique.set('email', new Map());
	}

	get key(): ObjectKey {
		return this.info.key;
	}

	allocateId(): number {
		return this.nextId++;
	}

	/** How many ids were handed out (seeds continue the people sequence from here). */
	allocatedCount(): number {
		return this.nextId - this.info.idBase;
	}

	addUniqueIndex(prop: string): void {
		if (this.unique.has(prop)) return;
		const index = new Map<string, number>();
		for (const id of this.live) {
			const v = this.byId.get(id)!.props[prop];
			if (v !== undefined) index.set(v.toLowerCase(), id);
		}
		this.unique.set(prop, index);
	}

	dropUniqueIndex(prop: string): void {
		if (prop !== 'email') this.unique.delete(prop);
	}

	findUnique(prop: string, value: string): StoredRecord | undefined {
		const id = this.unique.get(prop)?.get(value.trim().toLowerCase());
		return id === undefined ? undefined : this.byId.get(id);
	}

	/** Id of the live record (other than `exceptId`) that already holds this unique value. */
	uniqueOwner(prop: string, value: string, exceptId?: number): number | undefined {
		const id = this.unique.get(prop)?.get(value.trim().toLowerCase());
		return id === exceptId ? undefined : id;
	}

	get(id: number): StoredRecord | undefined {
		return this.byId.get(id);
	}

	getLive(id: number): StoredRecord | undefined {
		const r = this.byId.get(id);
		return r && !r.archived ? r : undefined;
	}

	insert(record: StoredRecord): void {
		this.byId.set(record.id, record);
		insertSorted(this.live, record.id);
		this.indexUnique(record, undefined);
	}

	/** Replaces a record's props, keeping the unique indexes in step. */
	setProps(record: StoredRecord, props: Record<string, string>): void {
		const before = record.props;
		record.props = props;
		this.indexUnique(record, before);
	}

	private indexUnique(record: StoredRecord, before: Record<string, string> | undefined): void {
		for (const [prop, index] of this.unique) {
			const old = before?.[prop];
			const now = record.props[prop];
			if (old === now) continue;
			if (old !== undefined && index.get(old.toLowerCase()) === record.id) index.delete(old.toLowerCase());
			if (now !== undefined && !index.has(now.toLowerCase())) index.set(now.toLowerCase(), record.id);
		}
	}

	archive(record: StoredRecord, at: number): void {
		record.archived = true;
		record.archivedAt = at;
		removeSorted(this.live, record.id);
		insertSorted(this.archivedIds, record.id);
		for (const [prop, index] of this.unique) {
			const v = record.props[prop];
			if (v !== undefined && index.get(v.toLowerCase()) === record.id) index.delete(v.toLowerCase());
		}
	}

	/** Removes every trace (GDPR delete, merge loser). */
	purge(record: StoredRecord): void {
		if (!record.archived) this.archive(record, record.updatedAt);
		removeSorted(this.archivedIds, record.id);
		this.pendingArchived.delete(record.id);
		this.byId.delete(record.id);
	}

	clear(): void {
		this.byId.clear();
		this.live.length = 0;
		this.archivedIds.length = 0;
		this.pendingArchived.clear();
		for (const index of this.unique.values()) index.clear();
		this.nextId = this.info.idBase;
	}

	/** Ids of one page: `limit` ids from the first id >= after. */
	page(ids: number[], after: number, limit: number): { ids: number[]; next?: number } {
		const start = lowerBound(ids, after);
		const slice = ids.slice(start, start + limit);
		const next = start + limit < ids.length ? ids[start + limit] : undefined;
		return { ids: slice, next };
	}
}

/** A record's targets: a flat `[toId, typeSet, …]` array while small, a Map once it grows. */
type Targets = number[] | Map<number, number>;
const SMALL_TARGETS = 16;

/**
 * Associations between records, stored both ways per (from type, to type) so reads from either side are
 * O(1). Memory matters at 100,000 contacts: most records have one or two targets, kept in a flat number
 * array, and association type-id lists are interned (a handful of distinct sets exist).
 */
export class AssociationStore {
	private readonly maps = new Map<string, Map<number, Targets>>();
	private readonly sets: number[][] = [];
	private readonly setIndex = new Map<string, number>();

	private intern(types: number[]): number {
		const sorted = [...new Set(types)].sort((a, b) => a - b);
		const key = sorted.join(',');
		let i = this.setIndex.get(key);
		if (i === undefined) {
			i = this.sets.length;
			this.sets.push(sorted);
			this.setIndex.set(key, i);
		}
		return i;
	}

	private map(from: ObjectKey, to: ObjectKey): Map<number, Targets> {
		const key = `${from}>${to}`;
		let m = this.maps.get(key);
		if (!m) {
			m = new Map();
			this.maps.set(key, m);
		}
		return m;
	}

	private static read(t: Targets, toId: number): number | undefined {
		if (t instanceof Map) return t.get(toId);
		for (let i = 0; i < t.length; i += 2) if (t[i] === toId) return t[i + 1];
		return undefined;
	}

	/** Writes (or with set -1, deletes) one target; returns the container to keep. */
	private static write(t: Targets, toId: number, set: number): Targets {
		if (t instanceof Map) {
			if (set < 0) t.delete(toId);
			else t.set(toId, set);
			return t;
		}
		for (let i = 0; i < t.length; i += 2) {
			if (t[i] === toId) {
				if (set < 0) t.splice(i, 2);
				else t[i + 1] = set;
				return t;
			}
		}
		if (set < 0) return t;
		// A literal keeps a one-target array at its exact size (push would reserve 17 slots).
		if (t.length === 0) return [toId, set];
		t.push(toId, set);
		if (t.length / 2 > SMALL_TARGETS) {
			const m = new Map<number, number>();
			for (let i = 0; i < t.length; i += 2) m.set(t[i], t[i + 1]);
			return m;
		}
		return t;
	}

	private static size(t: Targets): number {
		return t instanceof Map ? t.size : t.length / 2;
	}

	/** Type ids between two records (one way). */
	get(from: ObjectKey, fromId: number, to: ObjectKey, toId: number): readonly number[] | undefined {
		const t = this.maps.get(`${from}>${to}`)?.get(fromId);
		const set = t && AssociationStore.read(t, toId);
		return set === undefined ? undefined : this.sets[set];
	}

	/** Adds type ids one way; returns true when something changed. */
	add(from: ObjectKey, fromId: number, to: ObjectKey, toId: number, typeIds: number[]): boolean {
		if (typeIds.length === 0) return false;
		const m = this.map(from, to);
		const t = m.get(fromId) ?? [];
		const current = AssociationStore.read(t, toId);
		const before = current === undefined ? [] : this.sets[current];
		if (typeIds.every((x) => before.includes(x))) return false;
		m.set(fromId, AssociationStore.write(t, toId, this.intern([...before, ...typeIds])));
		return true;
	}

	/** Removes the given type ids (all when omitted) one way; returns the removed ids. */
	remove(from: ObjectKey, fromId: number, to: ObjectKey, toId: number, typeIds?: number[]): number[] {
		const m = this.map(from, to);
		const t = m.get(fromId);
		const current = t && AssociationStore.read(t, toId);
		if (!t || current === undefined) return [];
		const types = this.sets[current];
		const removed = typeIds ? types.filter((x) => typeIds.includes(x)) : [...types];
		const left = types.filter((x) => !removed.includes(x));
		const next = AssociationStore.write(t, toId, left.length ? this.intern(left) : -1);
		if (AssociationStore.size(next) === 0) m.delete(fromId);
		else m.set(fromId, next);
		return removed;
	}

	/** All targets of a record (one way), ascending by id; materialised, so callers may mutate freely. */
	targets(from: ObjectKey, fromId: number, to: ObjectKey): Map<number, readonly number[]> | undefined {
		const t = this.maps.get(`${from}>${to}`)?.get(fromId);
		if (!t) return undefined;
		const out = new Map<number, readonly number[]>();
		if (t instanceof Map) {
			for (const id of [...t.keys()].sort((a, b) => a - b)) out.set(id, this.sets[t.get(id)!]);
		} else {
			const pairs: Array<[number, number]> = [];
			for (let i = 0; i < t.length; i += 2) pairs.push([t[i], t[i + 1]]);
			pairs.sort((a, b) => a[0] - b[0]);
			for (const [id, set] of pairs) out.set(id, this.sets[set]);
		}
		return out;
	}

	count(from: ObjectKey, fromId: number, to: ObjectKey): number {
		const t = this.maps.get(`${from}>${to}`)?.get(fromId);
		return t ? AssociationStore.size(t) : 0;
	}

	/** Drops every association of a record, both ways; returns what was removed (for events). */
	dropRecord(key: ObjectKey, id: number): Array<{ to: ObjectKey; toId: number; types: readonly number[] }> {
		// Every association is stored both ways, so the record's own side lists exactly the inverse
		// entries to delete: no scan over other records.
		const removed: Array<{ to: ObjectKey; toId: number; types: readonly number[] }> = [];
		for (const [pair, m] of this.maps) {
			const [from, to] = pair.split('>') as [ObjectKey, ObjectKey];
			if (from !== key) continue;
			const targets = this.targets(from, id, to);
			if (!targets) continue;
			for (const [toId, types] of targets) {
				removed.push({ to, toId, types });
				const back = this.maps.get(`${to}>${from}`);
				const t = back?.get(toId);
				if (back && t) {
					const next = AssociationStore.write(t, id, -1);
					if (AssociationStore.size(next) === 0) back.delete(toId);
					else back.set(toId, next);
				}
			}
			m.delete(id);
		}
		return removed;
	}

	clear(): void {
		this.maps.clear();
	}
}
