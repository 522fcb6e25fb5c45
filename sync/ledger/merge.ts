import type { ClassifiedError } from '../../errors/taxonomy';
import { differsFrom, getAt, hasAt, overlay, sameValue, setAt, type CompiledPath, type FieldModel } from './fields';
import type { ConflictField, ConflictStrategy, Side, SnapshotEntry } from './types';

/**
 * The three-way merge of one record pair: each side's current values against its own snapshot (the base).
 * Changes are compared in target terms (the source through the mapping, forward), field by field, so that
 * disjoint edits merge and only a field changed on both sides to different values is a conflict.
 */

export interface Resolver {
	strategy: ConflictStrategy;
	/** Field (target or source path, canonical) → side that always wins it. */
	priority: Map<string, Side>;
	hub: Side;
}

export interface MergeInput {
	model: FieldModel;
	/** Present, fresh records of each side (fields only); undefined = not part of this run. */
	source?: Record<string, unknown>;
	target?: Record<string, unknown>;
	/** The stored snapshots; null for a first pairing (nothing was ever synced: every value is new). */
	base: { source: Record<string, unknown> | null; target: Record<string, unknown> | null } | null;
	updatedAt: { source: string | null; target: string | null };
	resolver: Resolver;
}

export interface Bucket {
	/** The fields to write (nested, in the written side's terms). */
	payload: Record<string, unknown>;
	/** Paths of `payload`. */
	written: string[];
	entries: { source: SnapshotEntry[]; target: SnapshotEntry[] };
	conflicts: ConflictField[];
}

export interface MergeResult {
	/** A side whose mapping failed: it is treated as absent (its snapshot stays) and reported Invalid. */
	invalid: Array<{ side: Side; errors: ClassifiedError[]; mapped: Record<string, unknown> }>;
	warnings: { source: ClassifiedError[]; target: ClassifiedError[] };
	toTarget: Bucket | null;
	toSource: Bucket | null;
	/** Snapshot fields that moved but need no write (both sides agree, or the field does not flow back). */
	common: { source: SnapshotEntry[]; target: SnapshotEntry[] };
	/** Conflicts left to a person: nothing is written for these fields and their snapshots stay. */
	manual: ConflictField[];
	/** Whether either side differed from its snapshot at all (before mapping). */
	changed: boolean;
}

function emptyBucket(): Bucket {
	return { payload: {}, written: [], entries: { source: [], target: [] }, conflicts: [] };
}

function timeOf(value: string | null): number {
	if (!value) return NaN;
	return Date.parse(value);
}

/** Who wins a field changed on both sides to different values. */
export function resolveConflict(
	resolver: Resolver,
	field: string,
	sourceFields: readonly string[],
	updatedAt: { source: string | null; target: string | null },
): { resolution: ConflictField['resolution']; rule: ConflictField['rule'] } {
	const byPriority = resolver.priority.get(field) ?? sourceFields.map((s) => resolver.priority.get(s)).find((x) => x !== undefined);
	if (byPriority) return { resolution: byPriority, rule: 'priority' };
	switch (resolver.strategy) {
		case 'source_wins':
			return { resolution: 'source', rule: 'strategy' };
		case 'target_wins':
			return { resolution: 'target', rule: 'strategy' };
		case 'manual':
			return { resolution: 'manual', rule: 'manual' };
		default: {
			const s = timeOf(updatedAt.source);
			const t = timeOf(updatedAt.target);
			if (Number.isFinite(s) && Number.isFinite(t) && s !== t) return { resolution: s > t ? 'source' : 'target', rule: 'newer' };
			// Equal or unknown times: the hub side wins, so every run and every worker decides the same way.
			return { resolution: resolver.hub, rule: 'tie_break' };
		}
	}
}

function overlaps(a: string, b: string): boolean {
	if (a === b) return true;
	const [short, long] = a.length < b.length ? [a, b] : [b, a];
	return long.startsWith(short) && (long[short.length] === '.' || long[short.length] === '[');
}

function entry(path: CompiledPath, value: unknown, base: Record<string, unknown> | null): SnapshotEntry {
	const out: SnapshotEntry = { path: path.text, value: value === undefined ? null : value };
	const b = base ? getAt(base, path.segments) : undefined;
	if (b !== undefined) out.base = b;
	return out;
}

export function merge(input: MergeInput): MergeResult {
	const { model, resolver } = input;
	const mapping = model.mapping;
	const sb = input.base?.source ?? null;
	const tb = input.base?.target ?? null;
	const first = input.base === null;
	const result: MergeResult = {
		invalid: [],
		warnings: { source: [], target: [] },
		toTarget: null,
		toSource: null,
		common: { source: [], target: [] },
		manual: [],
		changed: false,
	};

	let sChanged = input.source !== undefined && (first || differsFrom(input.source, sb, model.sourcePaths));
	let tChanged = input.target !== undefined && (first || differsFrom(input.target, tb, model.targetPaths));
	if (!sChanged && !tChanged) return result;
	result.changed = true;

	let sEff = overlay(sb, sChanged ? input.source : undefined, model.sourcePaths);
	let tEff = overlay(tb, tChanged ? input.target : undefined, model.targetPaths);

	// Map only what changed: an unchanged side needs no mapping (and its mapping was valid when it was stored).
	let forwardNow: Record<string, unknown> | null = null;
	let forwardBase: Record<string, unknown> = {};
	if (sChanged && model.hasForward) {
		const now = mapping.apply(sEff, 'forward');
		if (!now.valid) {
			result.invalid.push({ side: 'source', errors: now.errors, mapped: now.fields });
			sChanged = false;
			sEff = overlay(sb, undefined, model.sourcePaths);
		} else {
			forwardNow = now.fields;
			result.warnings.source = now.warnings;
			if (sb) forwardBase = mapping.apply(sb, 'forward').fields;
		}
	}
	let reverseNow: Record<string, unknown> | null = null;
	if (tChanged && model.hasReverse) {
		const now = mapping.apply(tEff, 'reverse');
		if (!now.valid) {
			result.invalid.push({ side: 'target', errors: now.errors, mapped: now.fields });
			tChanged = false;
			tEff = overlay(tb, undefined, model.targetPaths);
		} else {
			reverseNow = now.fields;
			result.warnings.target = now.warnings;
		}
	}

	// Target fields the source changed (in target terms) and target fields the target changed that flow back.
	const sourceChanged = new Map<string, { path: CompiledPath; value: unknown }>();
	if (forwardNow) {
		for (const link of model.links) {
			if (!link.forward) continue;
			for (const t of link.targets) {
				if (!hasAt(forwardNow, t.segments)) continue;
				const value = getAt(forwardNow, t.segments);
				if (!sameValue(value, getAt(forwardBase, t.segments))) sourceChanged.set(t.text, { path: t, value });
			}
		}
	}
	const targetChanged = new Set<string>();
	if (reverseNow) {
		for (const [t, links] of model.reverseByTarget) {
			const seg = links[0].targets[0].segments;
			if (!sameValue(getAt(tEff, seg), tb ? getAt(tb, seg) : undefined)) targetChanged.add(t);
		}
	}

	// Each side's values in canonical form (mapped there and back): "+1 217-555-0143" and "(217) 555-0143" are
	// the same phone once normalised, which is neither a conflict nor worth a write.
	let targetCanon: Record<string, unknown> | null = null;
	const canonTarget = (): Record<string, unknown> => (targetCanon ??= reverseNow ? mapping.apply(reverseNow, 'forward').fields : {});
	let sourceCanon: Record<string, unknown> | null = null;
	const canonSource = (): Record<string, unknown> => (sourceCanon ??= forwardNow && model.hasReverse ? mapping.apply(forwardNow, 'reverse').fields : {});
	const targetHas = (t: CompiledPath, value: unknown) => sameValue(value, getAt(tEff, t.segments)) || (reverseNow !== null && sameValue(value, getAt(canonTarget(), t.segments)));
	const sourceHas = (s: CompiledPath, value: unknown) => sameValue(value, getAt(sEff, s.segments)) || (forwardNow !== null && sameValue(value, getAt(canonSource(), s.segments)));

	// Fields changed on both sides.
	const decided = new Map<string, ConflictField | 'agreed'>();
	for (const [t, { path, value }] of sourceChanged) {
		if (!targetChanged.has(t)) continue;
		const targetValue = getAt(tEff, path.segments);
		if (targetHas(path, value)) {
			decided.set(t, 'agreed');
			continue;
		}
		const link = model.forwardByTarget.get(t)!;
		const sourceFields = [...link.sources.map((s) => s.text), ...(model.reverseByTarget.get(t) ?? []).map((l) => l.sources[0].text)];
		const { resolution, rule } = resolveConflict(resolver, t, sourceFields, input.updatedAt);
		const field: ConflictField = {
			field: t,
			sourceField: [...new Set(sourceFields)].join(' + '),
			sourceValue: value ?? null,
			targetValue: targetValue ?? null,
			resolution,
			rule,
		};
		const base = tb ? getAt(tb, path.segments) : undefined;
		if (base !== undefined) field.baseValue = base;
		decided.set(t, field);
		if (resolution === 'manual') result.manual.push(field);
	}

	const wins = (t: string, side: Side): boolean => {
		const d = decided.get(t);
		if (d === undefined) return true;
		return d !== 'agreed' && d.resolution === side;
	};

	// Source → target.
	const toTarget = emptyBucket();
	for (const [t, { path, value }] of sourceChanged) {
		if (!wins(t, 'source')) continue;
		if (targetHas(path, value)) continue;
		setAt(toTarget.payload, path.segments, value === undefined ? null : value);
		toTarget.written.push(t);
		toTarget.entries.target.push(entry(path, value, tb));
		for (const s of model.forwardByTarget.get(t)!.sources) toTarget.entries.source.push(entry(s, getAt(sEff, s.segments), sb));
		const d = decided.get(t);
		if (d && d !== 'agreed') toTarget.conflicts.push(d);
	}

	// Target → source.
	const toSource = emptyBucket();
	if (reverseNow) {
		for (const t of targetChanged) {
			if (!wins(t, 'target')) continue;
			for (const link of model.reverseByTarget.get(t)!) {
				const s = link.sources[0];
				if (!hasAt(reverseNow, s.segments)) continue;
				const value = getAt(reverseNow, s.segments);
				if (sourceHas(s, value)) continue;
				setAt(toSource.payload, s.segments, value === undefined ? null : value);
				toSource.written.push(s.text);
				toSource.entries.source.push(entry(s, value, sb));
				toSource.entries.target.push(entry(link.targets[0], getAt(tEff, link.targets[0].segments), tb));
			}
			const d = decided.get(t);
			if (d && d !== 'agreed' && toSource.written.length > 0) toSource.conflicts.push(d);
		}
	}

	// Everything else that moved is stored as seen, except the fields of a manual conflict: their snapshots
	// keep the base, so the conflict is found again until a person resolves it.
	const held = { source: new Set<string>(), target: new Set<string>() };
	for (const b of [toTarget, toSource]) {
		for (const e of b.entries.source) held.source.add(e.path);
		for (const e of b.entries.target) held.target.add(e.path);
	}
	const manualSource: string[] = [];
	const manualTarget: string[] = [];
	for (const m of result.manual) {
		manualTarget.push(m.field);
		const link = model.forwardByTarget.get(m.field);
		if (link) for (const s of link.sources) manualSource.push(s.text);
		for (const l of model.reverseByTarget.get(m.field) ?? []) manualSource.push(l.sources[0].text);
	}
	const collect = (
		paths: readonly CompiledPath[],
		eff: Record<string, unknown>,
		base: Record<string, unknown> | null,
		skip: Set<string>,
		manual: string[],
		into: SnapshotEntry[],
	) => {
		for (const p of paths) {
			if (skip.has(p.text) || !hasAt(eff, p.segments)) continue;
			if (manual.some((m) => overlaps(m, p.text))) continue;
			const value = getAt(eff, p.segments);
			const was = base ? getAt(base, p.segments) : undefined;
			if (sameValue(value, was)) continue;
			into.push(entry(p, value, base));
		}
	};
	collect(model.sourcePaths, sEff, sb, held.source, manualSource, result.common.source);
	collect(model.targetPaths, tEff, tb, held.target, manualTarget, result.common.target);

	if (toTarget.written.length) result.toTarget = toTarget;
	if (toSource.written.length) result.toSource = toSource;
	return result;
}
