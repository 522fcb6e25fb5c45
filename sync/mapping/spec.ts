import { z } from 'zod';
import { describeValue } from '../../errors/taxonomy';
import { TRANSFORM_NAMES } from '../../transforms/types';

/** A mapping as users write it (JSON in a node, or a preset). Validated with zod before it is compiled. */

export const MAPPING_DIRECTIONS = ['source_to_target', 'target_to_source', 'bidirectional'] as const;
export const PAIR_DIRECTIONS = ['bidirectional', 'source_only', 'target_only'] as const;

export type MappingDirection = (typeof MAPPING_DIRECTIONS)[number];
export type PairDirection = (typeof PAIR_DIRECTIONS)[number];

const transformStep = z.object({
	name: z.enum(TRANSFORM_NAMES),
	options: z.record(z.unknown()).optional(),
});

/** A chain is either the compact text form (`trim | phone_e164(defaultCountry=CA)`) or a list of steps. */
const chain = z.union([z.string(), z.array(transformStep)]);

export const fieldPairSchema = z
	.object({
		/** Source-system path; several paths make a many-to-one pair (the chain receives an array). Omit for a constant. */
		source: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
		/** Target-system path. */
		target: z.string().min(1).optional(),
		/** One-to-many: the chain yields an object; each of its keys is written to a target path. */
		targets: z.record(z.string().min(1)).optional(),
		/** Applied in the pair's flow direction (forward for bidirectional and source_only pairs). */
		transform: chain.optional(),
		/** Applied when a bidirectional pair flows target → source; defaults to `transform` when that is safe to reuse. */
		reverseTransform: chain.optional(),
		required: z.boolean().optional(),
		/** Used when the value is missing (null, empty) after the transforms; a pair without source is a constant. */
		default: z.unknown().optional(),
		direction: z.enum(PAIR_DIRECTIONS).optional(),
		/** Drop a value that fails its transforms (logged as a warning) and keep syncing the record. */
		skipInvalid: z.boolean().optional(),
	})
	.strict();

export const mappingSchema = z
	.object({
		name: z.string().optional(),
		description: z.string().optional(),
		direction: z.enum(MAPPING_DIRECTIONS).optional(),
		pairs: z.array(fieldPairSchema).min(1, 'a mapping needs at least one field pair'),
	})
	.strict();

export type FieldPair = z.infer<typeof fieldPairSchema>;
export type MappingSpec = z.infer<typeof mappingSchema>;

/** Short human name of a pair for error messages: `#3 (phone → phones[0].number)`. */
export function describePair(pair: Partial<FieldPair>, index: number): string {
	// Also called on pairs that failed validation, where any JSON may sit in place of a path ({"toString": 1} makes String() throw).
	const text = (v: unknown) => (typeof v === 'string' ? v : describeValue(v, 60));
	const from = pair.source === undefined ? 'constant' : Array.isArray(pair.source) ? pair.source.map(text).join(' + ') : text(pair.source);
	const to = pair.targets && typeof pair.targets === 'object' ? Object.values(pair.targets).map(text).join(', ') : pair.target === undefined ? '?' : text(pair.target);
	return `#${index + 1} (${from} → ${to})`;
}
