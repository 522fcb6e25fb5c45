/**
 * In-memory tables sized for 100,000+ rows per object: a Map by id plus ordered indexes (id, update_time,
 * add_time), so a cursor page starts with a binary search instead of a scan from the top.
 */
export interface Row {
	id: number;
	addTime: number;
	updateTime: number;
	deleted: boolean;
	deleteTime: number | null;
}

export type SortField = 'id' | 'update_time' | 'add_time' | 'order_nr';
export type SortDirection = 'asc' | 'desc';

/** Decoded v2 cursor: the sort key of the last row on the previous page (same fields as Pipedrive's cursors). */
export interface CursorKey {
	field: SortField;
	fieldValue: number | string;
	sortDirection: SortDirection;
	id: number;
}

export function encodeCursor(key: CursorKey): string {
	return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorKey | null {
	try {
		const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorKey;
		if (typeof parsed !== 'object' || parsed === null || typeof parsed.id !== 'number') return null;
		if (!['id', 'update_time', 'add_time', 'order_nr'].includes(parsed.field)) return null;
		if (parsed.sortDirection !== 'asc' && parsed.sortDirection !== 'desc') return null;
		return parsed;
	} catch {
		return null;
	}
}

function cmp(aKey: number, aId: number, bKey: number, bId: number): number {
	return aKey !== bKey ? aKey - bKey : aId - bId;
}

/** A sorted array of rows by (key, id) with binary-search insert and remove. */
class SortedIndex<T extends Row> {
	rows: T[] = [];
	constructor(private readonly keyOf: (row: T) => number) {}

	/** First index whose (key, id) is >= (key, id). */
	lowerBound(key: number, id: number): number {
		let lo = 0;
		let hi = this.rows.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			const r = this.rows[mid];
			if (cmp(this.keyOf(r), r.id, key, id) < 0) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	insert(row: T): void {
		const key = this.keyOf(row);
		const last = this.rows[this.rows.length - 1];
		// Writes nearly always carry the newest time: append without searching.
		if (!last || cmp(this.keyOf(last), last.id, key, row.id) < 0) {
			this.rows.push(row);
			return;
		}
		this.rows.splice(this.lowerBound(key, row.id), 0, row);
	}

	remove(row: T): void {
		const i = this.lowerBound(this.keyOf(row), row.id);
		if (this.rows[i] === row) this.rows.splice(i, 1);
		else {
			const j = this.rows.indexOf(row);
			if (j >= 0) this.rows.splice(j, 1);
		}
	}
}

export interface PageQuery<T> {
	sortBy: SortField;
	direction: SortDirection;
	cursor: CursorKey | null;
	limit: number;
	filter: (row: T) => boolean;
	/** update_time range [since, until): used to jump straight to the range when sorting by update_time. */
	since?: number;
	until?: number;
}

export interface Page<T> {
	rows: T[];
	next: CursorKey | null;
}

export class Table<T extends Row> {
	readonly byId = new Map<number, T>();
	/** Ids in ascending order (ids only grow, so new rows are appended). */
	private ids: number[] = [];
	private readonly byUpdate = new SortedIndex<T>((r) => r.updateTime);
	private readonly byAdd = new SortedIndex<T>((r) => r.addTime);
	private lastId = 0;

	constructor(private readonly firstId = 1) {
		this.lastId = firstId - 1;
	}

	get size(): number {
		return this.byId.size;
	}

	allocateId(): number {
		return ++this.lastId;
	}

	get(id: number): T | undefined {
		return this.byId.get(id);
	}

	insert(row: T): T {
		if (row.id > this.lastId) this.lastId = row.id;
		this.byId.set(row.id, row);
		const last = this.ids[this.ids.length - 1];
		if (last === undefined || row.id > last) this.ids.push(row.id);
		else this.ids.splice(lowerBoundNum(this.ids, row.id), 0, row.id);
		this.byUpdate.insert(row);
		this.byAdd.insert(row);
		return row;
	}

	/** Moves a row in the update_time index; every write goes through here. */
	touch(row: T, updateTime: number): void {
		if (row.updateTime === updateTime) return;
		this.byUpdate.remove(row);
		row.updateTime = updateTime;
		this.byUpdate.insert(row);
	}

	setAddTime(row: T, addTime: number): void {
		if (row.addTime === addTime) return;
		this.byAdd.remove(row);
		row.addTime = addTime;
		this.byAdd.insert(row);
	}

	/** Drops a row for good (purge after the 30-day soft-delete window). */
	purge(row: T): void {
		if (!this.byId.delete(row.id)) return;
		const i = lowerBoundNum(this.ids, row.id);
		if (this.ids[i] === row.id) this.ids.splice(i, 1);
		this.byUpdate.remove(row);
		this.byAdd.remove(row);
	}

	clear(): void {
		this.byId.clear();
		this.ids = [];
		this.byUpdate.rows = [];
		this.byAdd.rows = [];
		this.lastId = this.firstId - 1;
	}

	/** All rows in id order (for admin dumps and scans). */
	*values(): IterableIterator<T> {
		for (const id of this.ids) {
			const row = this.byId.get(id);
			if (row) yield row;
		}
	}

	/** Rows ordered by update_time, oldest first (v1 /recents). */
	byUpdateTime(): readonly T[] {
		return this.byUpdate.rows;
	}

	updateLowerBound(since: number): number {
		return this.byUpdate.lowerBound(since, -Infinity);
	}

	/** One page in the requested order, starting after the cursor. Reads limit+1 matches to know if more exist. */
	page(q: PageQuery<T>, keyOf?: (row: T) => number): Page<T> {
		const asc = q.direction === 'asc';
		let at: (i: number) => T | undefined;
		let n: number;
		let key: (row: T) => number;
		let lower: (k: number, id: number) => number;
		if (q.sortBy === 'id') {
			const ids = this.ids;
			n = ids.length;
			at = (i) => this.byId.get(ids[i]);
			key = (r) => r.id;
			// The sort key is the id itself, so (key, id) bounds reduce to id bounds.
			lower = (k, id) => lowerBoundNum(ids, id === -Infinity ? k : id);
		} else if (q.sortBy === 'update_time' || q.sortBy === 'add_time') {
			const index = q.sortBy === 'update_time' ? this.byUpdate : this.byAdd;
			n = index.rows.length;
			at = (i) => index.rows[i];
			key = q.sortBy === 'update_time' ? (r) => r.updateTime : (r) => r.addTime;
			lower = (k, id) => index.lowerBound(k, id);
		} else {
			// order_nr: small tables (stages, pipelines); sort on demand.
			const k = keyOf ?? ((r: T) => r.id);
			const rows = [...this.byId.values()].sort((a, b) => cmp(k(a), a.id, k(b), b.id));
			n = rows.length;
			at = (i) => rows[i];
			key = k;
			lower = (kk, id) => {
				let i = 0;
				while (i < rows.length && cmp(k(rows[i]), rows[i].id, kk, id) < 0) i++;
				return i;
			};
		}

		let i: number;
		if (q.cursor) {
			const ck = cursorNumeric(q.cursor);
			// asc: first row strictly after the cursor row; desc: last row strictly before it.
			i = asc ? lower(ck, q.cursor.id + 1) : lower(ck, q.cursor.id) - 1;
		} else if (asc) {
			i = q.sortBy === 'update_time' && q.since !== undefined ? lower(q.since, -Infinity) : 0;
		} else {
			i = q.sortBy === 'update_time' && q.until !== undefined ? lower(q.until, -Infinity) - 1 : n - 1;
		}

		const rows: T[] = [];
		let more = false;
		for (; asc ? i < n : i >= 0; asc ? i++ : i--) {
			const row = at(i);
			if (!row) continue;
			if (q.sortBy === 'update_time') {
				// Past the range in the scan direction: nothing further can match.
				if (asc && q.until !== undefined && row.updateTime >= q.until) break;
				if (!asc && q.since !== undefined && row.updateTime < q.since) break;
			}
			if (!q.filter(row)) continue;
			if (rows.length === q.limit) {
				more = true;
				break;
			}
			rows.push(row);
		}
		const lastRow = rows[rows.length - 1];
		const next: CursorKey | null =
			more && lastRow
				? {
						field: q.sortBy,
						fieldValue: q.sortBy === 'update_time' || q.sortBy === 'add_time' ? new Date(key(lastRow)).toISOString() : key(lastRow),
						sortDirection: q.direction,
						id: lastRow.id,
					}
				: null;
		return { rows, next };
	}
}

function cursorNumeric(c: CursorKey): number {
	if (typeof c.fieldValue === 'number') return c.fieldValue;
	const ms = Date.parse(c.fieldValue);
	return Number.isNaN(ms) ? 0 : ms;
}

function lowerBoundNum(arr: number[], value: number): number {
	let lo = 0;
	let hi = arr.length;
	while (lo < hi) {
		const mid = (lo + hi) >>> 1;
		if (arr[mid] < value) lo = mid + 1;
		else hi = mid;
	}
	return lo;
}
