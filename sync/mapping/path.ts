/**
 * Dotted and indexed field paths (`billing_address.postal_code`, `emails[0].address`, `["odd.key"]`),
 * compiled once into segment lists so reading and writing a record costs no parsing per call.
 */
export type PathSegment = string | number;

export class PathSyntaxError extends Error {
	constructor(readonly path: string, reason: string) {
		super(`Invalid field path "${path}": ${reason}`);
		this.name = 'PathSyntaxError';
	}
}

export function parsePath(path: string): PathSegment[] {
	const segments: PathSegment[] = [];
	let i = 0;
	const n = path.length;
	if (n === 0) throw new PathSyntaxError(path, 'it is empty');
	let expectSegment = true;
	while (i < n) {
		const ch = path[i];
		if (ch === '[') {
			const close = path.indexOf(']', i);
			if (close < 0) throw new PathSyntaxError(path, `"[" at position ${i} is never closed`);
			const inner = path.slice(i + 1, close).trim();
			if (/^\d+$/.test(inner)) segments.push(Number(inner));
			else if (/^(["']).*\1$/.test(inner)) segments.push(inner.slice(1, -1));
			else throw new PathSyntaxError(path, `"[${inner}]" is neither an index nor a quoted key`);
			i = close + 1;
			expectSegment = false;
		} else if (ch === '.') {
			if (expectSegment) throw new PathSyntaxError(path, `empty segment at position ${i}`);
			i++;
			expectSegment = true;
		} else {
			let j = i;
			while (j < n && path[j] !== '.' && path[j] !== '[') j++;
			const key = path.slice(i, j).trim();
			if (!key) throw new PathSyntaxError(path, `empty segment at position ${i}`);
			segments.push(key);
			i = j;
			expectSegment = false;
		}
	}
	if (expectSegment) throw new PathSyntaxError(path, 'it ends with "."');
	return segments;
}

/** Reads a value; a missing step anywhere gives undefined. */
export function getAt(record: unknown, segments: readonly PathSegment[]): unknown {
	let cur: unknown = record;
	for (const seg of segments) {
		if (cur === null || cur === undefined || typeof cur !== 'object') return undefined;
		cur = (cur as Record<string | number, unknown>)[seg];
	}
	return cur;
}

/** True when the path exists in the record (even if its value is null). */
export function hasAt(record: unknown, segments: readonly PathSegment[]): boolean {
	let cur: unknown = record;
	for (const seg of segments) {
		if (cur === null || cur === undefined || typeof cur !== 'object') return false;
		if (!Object.prototype.hasOwnProperty.call(cur, seg)) return false;
		cur = (cur as Record<string | number, unknown>)[seg];
	}
	return true;
}

const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Writes a value, creating objects and arrays on the way (an index segment creates an array). */
export function setAt(record: Record<string, unknown>, segments: readonly PathSegment[], value: unknown): void {
	let cur: Record<string | number, unknown> = record;
	for (let k = 0; k < segments.length; k++) {
		const seg = segments[k];
		// Field names come from users and vendors: never let one reach an object's prototype.
		if (typeof seg === 'string' && FORBIDDEN.has(seg)) throw new PathSyntaxError(segments.join('.'), `"${seg}" is not allowed as a key`);
		if (k === segments.length - 1) {
			cur[seg] = value;
			return;
		}
		let next = cur[seg];
		if (next === null || next === undefined || typeof next !== 'object') {
			next = typeof segments[k + 1] === 'number' ? [] : {};
			cur[seg] = next;
		}
		cur = next as Record<string | number, unknown>;
	}
}

export function formatPath(segments: readonly PathSegment[]): string {
	let out = '';
	for (const seg of segments) {
		if (typeof seg === 'number') out += `[${seg}]`;
		else if (/^[^.[\]"']+$/.test(seg)) out += out ? `.${seg}` : seg;
		else out += `[${JSON.stringify(seg)}]`;
	}
	return out;
}

/** Removes a value (Skip invalid drops a bad value rather than writing null, which would clear the target). */
export function deleteAt(record: Record<string, unknown>, segments: readonly PathSegment[]): void {
	const parent = getAt(record, segments.slice(0, -1));
	if (parent === null || parent === undefined || typeof parent !== 'object') return;
	const last = segments[segments.length - 1];
	if (Array.isArray(parent) && typeof last === 'number') parent[last] = null;
	else delete (parent as Record<string | number, unknown>)[last];
}
