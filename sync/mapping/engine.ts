import { classifiedError, describeValue, type ClassifiedError } from '../../errors/taxonomy';
import { compileChain, parseChain } from '../../transforms';
import { TransformConfigError, type CompiledTransform, type TransformName, type TransformSpec } from '../../transforms/types';
import { deleteAt, formatPath, getAt, hasAt, parsePath, PathSyntaxError, setAt, type PathSegment } from './path';
import { describePair, mappingSchema, type FieldPair, type MappingDirection, type MappingSpec } from './spec';

/** A mistake in the mapping itself (not in a record): reported at once, naming the pair at fault. */
export class MappingConfigError extends Error {
	constructor(
		message: string,
		readonly pair?: string,
	) {
		super(pair ? `Field pair ${pair}: ${message}` : message);
		this.name = 'MappingConfigError';
	}
}

export type Flow = 'forward' | 'reverse';

export interface MappingResult {
	/** False when at least one field error makes the record unsyncable. */
	valid: boolean;
	fields: Record<string, unknown>;
	/** Every field error of the record, not only the first. */
	errors: ClassifiedError[];
	/** Values dropped by Skip invalid: the record still syncs, and the drop is reported, never silent. */
	warnings: ClassifiedError[];
}

/** Transforms whose output is a normal form of their input, so the same chain serves both flow directions. */
const SYMMETRIC: ReadonlySet<TransformName> = new Set<TransformName>([
	'trim',
	'lowercase',
	'uppercase',
	'phone_e164',
	'email_validate',
	'date_iso',
	'country_code',
	'truncate',
	'default',
]);

interface CompiledStep {
	label: string;
	from: PathSegment[][];
	fromText: string;
	/** Single destination path… */
	to?: PathSegment[];
	/** …or chain-output key → destination path (one-to-many). */
	toMany?: Array<[string, PathSegment[]]>;
	toText: string;
	chain?: CompiledTransform;
	required: boolean;
	hasDefault: boolean;
	defaultValue: unknown;
	skipInvalid: boolean;
}

function isMissing(value: unknown): boolean {
	if (value === null || value === undefined) return true;
	if (typeof value === 'string') return value.trim() === '';
	if (Array.isArray(value)) return value.every(isMissing);
	return false;
}

function tos(chain: FieldPair['transform'], label: string): TransformSpec[] {
	if (chain === undefined) return [];
	try {
		return typeof chain === 'string' ? parseChain(chain) : (chain as TransformSpec[]);
	} catch (err) {
		throw new MappingConfigError((err as Error).message, label);
	}
}

function compilePath(path: string, label: string): PathSegment[] {
	try {
		return parsePath(path);
	} catch (err) {
		if (err instanceof PathSyntaxError) throw new MappingConfigError(err.message, label);
		throw err;
	}
}

function compileSpecs(specs: TransformSpec[], label: string): CompiledTransform | undefined {
	if (specs.length === 0) return undefined;
	try {
		return compileChain(specs);
	} catch (err) {
		if (err instanceof TransformConfigError) throw new MappingConfigError(err.message, label);
		throw err;
	}
}

export class CompiledMapping {
	readonly direction: MappingDirection;
	private readonly forward: CompiledStep[] = [];
	private readonly reverse: CompiledStep[] = [];

	constructor(readonly spec: MappingSpec) {
		this.direction = spec.direction ?? 'source_to_target';
		const forwardTargets = new Map<string, string>();
		const reverseTargets = new Map<string, string>();
		spec.pairs.forEach((pair, index) => {
			const label = describePair(pair, index);
			if (pair.target === undefined && pair.targets === undefined) throw new MappingConfigError('it has no target field', label);
			if (pair.target !== undefined && pair.targets !== undefined) throw new MappingConfigError('give either target or targets, not both', label);
			if (pair.source === undefined && pair.default === undefined) throw new MappingConfigError('it has no source field and no default value', label);
			const pairDirection = pair.direction ?? 'bidirectional';
			const runsForward = this.direction !== 'target_to_source' && pairDirection !== 'target_only';
			const runsReverse = this.direction !== 'source_to_target' && pairDirection !== 'source_only';
			const sources = pair.source === undefined ? [] : Array.isArray(pair.source) ? pair.source : [pair.source];
			const specs = tos(pair.transform, label);

			if (runsForward) {
				const step = this.step(pair, label, sources, pair.targets ?? pair.target!, specs);
				this.claim(forwardTargets, step.toText, label);
				this.forward.push(step);
			}
			if (runsReverse) {
				if (pair.targets || sources.length !== 1) {
					throw new MappingConfigError(
						'a many-to-one or one-to-many pair cannot flow back on its own; set its direction to source_only and add a target_only pair for the way back',
						label,
					);
				}
				let reverseSpecs: TransformSpec[];
				if (pairDirection === 'target_only') reverseSpecs = specs;
				else if (pair.reverseTransform !== undefined) reverseSpecs = tos(pair.reverseTransform, label);
				else {
					const oneWay = specs.find((s) => !SYMMETRIC.has(s.name));
					if (oneWay) {
						throw new MappingConfigError(
							`transform "${oneWay.name}" only works one way; give the pair a reverse transform or set its direction to source_only`,
							label,
						);
					}
					reverseSpecs = specs;
				}
				const step = this.step(pair, label, [pair.target!], sources[0], reverseSpecs);
				this.claim(reverseTargets, step.toText, label);
				this.reverse.push(step);
			}
		});
	}

	private claim(seen: Map<string, string>, target: string, label: string): void {
		for (const t of target.split(', ')) {
			const other = seen.get(t);
			if (other) throw new MappingConfigError(`target "${t}" is already written by pair ${other}`, label);
			seen.set(t, label);
		}
	}

	private step(
		pair: FieldPair,
		label: string,
		from: string[],
		to: string | Record<string, string>,
		specs: TransformSpec[],
	): CompiledStep {
		const single = typeof to === 'string' ? compilePath(to, label) : undefined;
		const many = typeof to === 'string' ? undefined : Object.entries(to).map(([k, p]): [string, PathSegment[]] => [k, compilePath(p, label)]);
		return {
			label,
			from: from.map((p) => compilePath(p, label)),
			fromText: from.join(' + '),
			to: single,
			toMany: many,
			toText: single ? formatPath(single) : many!.map(([, p]) => formatPath(p)).join(', '),
			chain: compileSpecs(specs, label),
			required: pair.required ?? false,
			hasDefault: pair.default !== undefined,
			defaultValue: pair.default,
			skipInvalid: pair.skipInvalid ?? false,
		};
	}

	/** Maps one record. Never throws for bad data: every problem is a classified field error. */
	apply(record: Record<string, unknown>, flow: Flow = 'forward'): MappingResult {
		const steps = flow === 'forward' ? this.forward : this.reverse;
		const fields: Record<string, unknown> = {};
		const errors: ClassifiedError[] = [];
		const warnings: ClassifiedError[] = [];
		for (const step of steps) {
			let present = step.from.length === 0;
			let value: unknown;
			if (step.from.length === 1) {
				present = hasAt(record, step.from[0]);
				value = getAt(record, step.from[0]);
			} else if (step.from.length > 1) {
				value = step.from.map((p) => {
					if (hasAt(record, p)) present = true;
					return getAt(record, p);
				});
			}
			if (!isMissing(value) && step.chain) {
				const result = step.chain(value, { field: step.fromText });
				if (result.ok) value = result.value;
				else if (step.skipInvalid) {
					warnings.push({ ...result.error, message: `${result.error.message} (value dropped: Skip invalid is on)` });
					value = undefined;
					present = step.hasDefault;
				} else {
					errors.push(result.error);
					continue;
				}
			}
			if (isMissing(value) && step.hasDefault) {
				value = step.defaultValue;
				present = true;
			}
			if (isMissing(value) && step.required) {
				errors.push(
					classifiedError('REQUIRED_FIELD_MISSING', {
						field: step.fromText,
						value,
						message: `Field "${step.toText}" is required, but source "${step.fromText}" is ${value === undefined ? 'missing' : `empty (${describeValue(value)})`}`,
					}),
				);
				continue;
			}
			// An absent source is "not part of this change" (partial webhook records): write nothing.
			if (!present) continue;
			try {
				if (step.toMany) {
					const parts = step.toMany;
					if (value === null || value === undefined) {
						for (const [, path] of parts) setAt(fields, path, null);
					} else if (typeof value !== 'object' || Array.isArray(value)) {
						errors.push(
							classifiedError('TRANSFORM_FAILED', {
								field: step.fromText,
								value,
								message: `Field "${step.fromText}": pair ${step.label} writes several targets, but its transforms produced ${describeValue(value)} instead of an object`,
							}),
						);
					} else {
						for (const [key, path] of parts) setAt(fields, path, (value as Record<string, unknown>)[key] ?? null);
					}
				} else {
					setAt(fields, step.to!, value === undefined ? null : value);
				}
			} catch (err) {
				errors.push(classifiedError('FIELD_NOT_FOUND', { field: step.toText, value, message: (err as Error).message }));
			}
		}
		return { valid: errors.length === 0, fields, errors, warnings };
	}

	/**
	 * A copy of the record without the fields this flow reads ("Keep Unmapped Fields"): objects and lists a removed
	 * field leaves empty go too, so `billingAddress.city` read from `{ billingAddress: { city } }` leaves nothing behind,
	 * while an unread `billingAddress.street2` stays.
	 */
	unmapped(record: Record<string, unknown>, flow: Flow = 'forward'): Record<string, unknown> {
		const rest = structuredClone(record);
		const empty = (v: unknown): boolean =>
			v === null || v === undefined || (Array.isArray(v) ? v.every(empty) : typeof v === 'object' && Object.keys(v as object).length === 0);
		for (const step of flow === 'forward' ? this.forward : this.reverse) {
			for (const path of step.from) {
				if (!hasAt(rest, path)) continue;
				deleteAt(rest, path);
				for (let n = path.length - 1; n > 0; n--) {
					const container = getAt(rest, path.slice(0, n));
					if (typeof container !== 'object' || container === null || !empty(container)) break;
					deleteAt(rest, path.slice(0, n));
				}
			}
		}
		return rest;
	}

	/** The target paths this mapping writes in a flow (for UIs and change detection). */
	targetFields(flow: Flow = 'forward'): string[] {
		return (flow === 'forward' ? this.forward : this.reverse).flatMap((s) => s.toText.split(', '));
	}
}

/** Validates and compiles a mapping; any mistake throws MappingConfigError naming the pair. */
export function compileMapping(input: unknown): CompiledMapping {
	const parsed = mappingSchema.safeParse(input);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		const at = issue.path;
		const pairIndex = at[0] === 'pairs' && typeof at[1] === 'number' ? at[1] : undefined;
		const where = at.length ? ` at ${at.join('.')}` : '';
		const pairs = (input as { pairs?: unknown[] })?.pairs;
		const label = pairIndex !== undefined && Array.isArray(pairs) ? describePair((pairs[pairIndex] ?? {}) as FieldPair, pairIndex) : undefined;
		throw new MappingConfigError(`${issue.message}${where}`, label);
	}
	return new CompiledMapping(parsed.data);
}
