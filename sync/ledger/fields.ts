import { CompiledMapping, compileMapping, formatPath, getAt, hasAt, parsePath, setAt, type PathSegment } from '../mapping';
import type { LedgerConfig } from './types';

/**
 * What the ledger needs to know about a mapping beyond `apply`: which paths each side reads and writes, and
 * which pairs flow in which direction, so that a change can be traced from a target field back to the source
 * field(s) it came from and the other way round.
 */

export interface CompiledPath {
	text: string;
	segments: PathSegment[];
}

/** One field pair of the mapping, as the ledger sees it. */
export interface FieldLink {
	label: string;
	/** Runs source → target: reads `sources`, writes `targets`. */
	forward: boolean;
	/** Runs target → source: reads `targets[0]`, writes `sources[0]` (the engine allows only 1:1 pairs back). */
	reverse: boolean;
	sources: CompiledPath[];
	targets: CompiledPath[];
}

export class FieldModel {
	readonly links: FieldLink[] = [];
	/** Every source path the mapping reads or writes: what a source snapshot holds. */
	readonly sourcePaths: CompiledPath[];
	readonly targetPaths: CompiledPath[];
	/** Target path → the forward link writing it. */
	readonly forwardByTarget = new Map<string, FieldLink>();
	/** Target path → the reverse links reading it. */
	readonly reverseByTarget = new Map<string, FieldLink[]>();
	readonly hasForward: boolean;
	readonly hasReverse: boolean;

	constructor(readonly mapping: CompiledMapping) {
		const direction = mapping.direction;
		const sources = new Map<string, CompiledPath>();
		const targets = new Map<string, CompiledPath>();
		const path = (text: string, into: Map<string, CompiledPath>): CompiledPath => {
			const segments = parsePath(text);
			const canonical = formatPath(segments);
			let p = into.get(canonical);
			if (!p) into.set(canonical, (p = { text: canonical, segments }));
			return p;
		};
		mapping.spec.pairs.forEach((pair, index) => {
			const pairDirection = pair.direction ?? 'bidirectional';
			const link: FieldLink = {
				label: `#${index + 1}`,
				forward: direction !== 'target_to_source' && pairDirection !== 'target_only',
				reverse: direction !== 'source_to_target' && pairDirection !== 'source_only',
				sources: (pair.source === undefined ? [] : Array.isArray(pair.source) ? pair.source : [pair.source]).map((s) => path(s, sources)),
				targets: (pair.targets ? Object.values(pair.targets) : pair.target !== undefined ? [pair.target] : []).map((t) => path(t, targets)),
			};
			this.links.push(link);
			if (link.forward) for (const t of link.targets) this.forwardByTarget.set(t.text, link);
			if (link.reverse) {
				const t = link.targets[0].text;
				const list = this.reverseByTarget.get(t) ?? [];
				list.push(link);
				this.reverseByTarget.set(t, list);
			}
		});
		this.sourcePaths = [...sources.values()];
		this.targetPaths = [...targets.values()];
		this.hasForward = this.links.some((l) => l.forward);
		this.hasReverse = this.links.some((l) => l.reverse);
	}

	paths(side: 'source' | 'target'): CompiledPath[] {
		return side === 'source' ? this.sourcePaths : this.targetPaths;
	}
}

const models = new WeakMap<object, FieldModel>();
const specCache = new Map<string, FieldModel>();

/** Compiles (once per mapping) and analyses the mapping of a ledger config. */
export function fieldModel(config: LedgerConfig): FieldModel {
	const m = config.mapping;
	if (m instanceof CompiledMapping) {
		let model = models.get(m);
		if (!model) models.set(m, (model = new FieldModel(m)));
		return model;
	}
	const key = JSON.stringify(m);
	let model = specCache.get(key);
	if (!model) {
		model = new FieldModel(compileMapping(m));
		// Workflows use a handful of mappings; the bound only protects against a mapping built per item.
		if (specCache.size > 200) specCache.clear();
		specCache.set(key, model);
	}
	return model;
}

export function canonicalPath(text: string): string {
	return formatPath(parsePath(text));
}

// ---------------------------------------------------------------------------------------------- values

/**
 * Value equality for change detection. Vendors disagree about "no value" (HubSpot sends "", others null or
 * nothing) and about types (HubSpot returns every property as a string), so: null, undefined and blank strings
 * are one value; numbers and booleans equal their string form; object keys without a value are ignored.
 */
export function sameValue(a: unknown, b: unknown): boolean {
	if (a === b) return true;
	const ea = isEmpty(a);
	const eb = isEmpty(b);
	if (ea || eb) return ea && eb;
	const ta = typeof a;
	const tb = typeof b;
	if (ta !== 'object' || tb !== 'object') {
		if (ta === 'object' || tb === 'object') return false;
		return String(a) === String(b);
	}
	if (Array.isArray(a) || Array.isArray(b)) {
		if (!Array.isArray(a) || !Array.isArray(b)) return false;
		const n = Math.max(a.length, b.length);
		for (let i = 0; i < n; i++) if (!sameValue(a[i], b[i])) return false;
		return true;
	}
	const oa = a as Record<string, unknown>;
	const ob = b as Record<string, unknown>;
	for (const k of Object.keys(oa)) if (!sameValue(oa[k], ob[k])) return false;
	for (const k of Object.keys(ob)) if (!(k in oa) && !isEmpty(ob[k])) return false;
	return true;
}

export function isEmpty(v: unknown): boolean {
	if (v === null || v === undefined) return true;
	if (typeof v === 'string') return v.trim() === '';
	if (Array.isArray(v)) return v.every(isEmpty);
	if (typeof v === 'object') return Object.values(v as object).every(isEmpty);
	return false;
}

function clone<T>(v: T): T {
	return v === null || typeof v !== 'object' ? v : structuredClone(v);
}

/** The part of a record a snapshot holds: the given paths that are present in it. */
export function pick(record: Record<string, unknown> | null | undefined, paths: readonly CompiledPath[]): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	if (!record) return out;
	for (const p of paths) if (hasAt(record, p.segments)) setAt(out, p.segments, clone(getAt(record, p.segments)));
	return out;
}

/**
 * A side's current state: its snapshot with the record's present paths laid over it. A path the record lacks
 * (a partial webhook record) keeps its snapshot value: absent means "not part of this change", never "cleared".
 */
export function overlay(
	base: Record<string, unknown> | null | undefined,
	record: Record<string, unknown> | null | undefined,
	paths: readonly CompiledPath[],
): Record<string, unknown> {
	const out = base ? structuredClone(base) : {};
	if (record) for (const p of paths) if (hasAt(record, p.segments)) setAt(out, p.segments, clone(getAt(record, p.segments)));
	return out;
}

/** True when a present path of the record differs from the snapshot. */
export function differsFrom(record: Record<string, unknown>, base: Record<string, unknown> | null | undefined, paths: readonly CompiledPath[]): boolean {
	for (const p of paths) {
		if (!hasAt(record, p.segments)) continue;
		if (!sameValue(getAt(record, p.segments), base ? getAt(base, p.segments) : undefined)) return true;
	}
	return false;
}

export { getAt, hasAt, setAt, parsePath };

/** Applies snapshot entries to a snapshot (a copy); entries whose stored value moved on are skipped when `rebase`. */
export function applyEntries(
	snapshot: Record<string, unknown> | null | undefined,
	entries: ReadonlyArray<{ path: string; value?: unknown; base?: unknown }>,
	rebase: boolean,
): { snapshot: Record<string, unknown>; applied: number; skipped: string[] } {
	const out = snapshot ? structuredClone(snapshot) : {};
	let applied = 0;
	const skipped: string[] = [];
	for (const e of entries) {
		const segments = parsePath(e.path);
		const current = getAt(out, segments);
		// Another commit changed this field since Plan read it: keep theirs; the next Plan compares again.
		if (rebase && !sameValue(current, e.base) && !sameValue(current, e.value)) {
			skipped.push(e.path);
			continue;
		}
		setAt(out, segments, e.value === undefined ? null : clone(e.value));
		applied++;
	}
	return { snapshot: out, applied, skipped };
}
