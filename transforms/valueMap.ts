import { z } from 'zod';
import { defineTransform, OptionProblem } from './definition';
import { fail, kindOf, ok, textOf } from './util';

const scalarKey = z.union([z.string(), z.number(), z.boolean()]);
const entry = z.object({ from: scalarKey, to: z.unknown() }).strict();

const MAX_LISTED = 10;

export const valueMap = defineTransform({
	name: 'value_map',
	displayName: 'Value Map',
	description:
		'Translates values through a table (picklists, stages, statuses): {"Lead": "lead"}. Unmatched values pass through, take the fallback, or fail in strict mode.',
	options: z
		.object({
			map: z.union([z.record(z.string(), z.unknown()), z.array(entry)]),
			caseInsensitive: z.boolean().default(true),
			fallback: z.unknown().optional(),
			strict: z.boolean().default(false),
		})
		.strict(),
	optionFields: [
		{
			name: 'map',
			displayName: 'Map',
			type: 'json',
			description: 'Object from input value to output value, e.g. {"Lead": "lead", "Customer": "client"}, or a list of {"from", "to"}',
			allowed: 'an object {"input": output} or an array of {"from": input, "to": output}',
		},
		{
			name: 'caseInsensitive',
			displayName: 'Case Insensitive',
			type: 'boolean',
			description: 'Whether lookups ignore case and surrounding whitespace',
		},
		{
			name: 'fallback',
			displayName: 'Fallback',
			type: 'json',
			description: 'Value used when no entry matches (leave unset to pass unmatched values through)',
			allowed: 'any JSON value',
		},
		{
			name: 'strict',
			displayName: 'Strict',
			type: 'boolean',
			description: 'Whether an unmatched value is an Invalid Format error (when no fallback is set)',
		},
	],
	compile: ({ map, caseInsensitive, fallback, strict }) => {
		const entries: Array<[string, unknown]> = Array.isArray(map)
			? map.map((e) => [String(e.from), e.to])
			: Object.entries(map);
		const keyOf = caseInsensitive ? (s: string) => s.trim().toLowerCase() : (s: string) => s;
		const table = new Map<string, unknown>();
		const firstKey = new Map<string, string>();
		for (const [from, to] of entries) {
			const key = keyOf(from);
			if (table.has(key) && JSON.stringify(table.get(key)) !== JSON.stringify(to)) {
				// Thrown at compile time; the registry turns it into a TransformConfigError naming "map".
				throw new OptionProblem('map', `entries "${firstKey.get(key)}" and "${from}" are the same key${caseInsensitive ? ' when case is ignored' : ''} but map to different values`);
			}
			table.set(key, to);
			if (!firstKey.has(key)) firstKey.set(key, from);
		}
		const hasFallback = fallback !== undefined;
		const listed = [...firstKey.values()].slice(0, MAX_LISTED).map((k) => JSON.stringify(k)).join(', ');
		const more = firstKey.size > MAX_LISTED ? ` and ${firstKey.size - MAX_LISTED} more` : '';
		const allowedText = firstKey.size === 0 ? 'the map is empty' : `allowed: ${listed}${more}`;

		return (value, field) => {
			if (value === null || value === undefined) return ok(value);
			const text = textOf(value);
			if (text === undefined) return fail('INVALID_FORMAT', field, value, `is ${kindOf(value)}, which a value map cannot look up`);
			const key = keyOf(text);
			if (table.has(key)) return ok(table.get(key));
			if (hasFallback) return ok(fallback);
			if (strict) return fail('INVALID_FORMAT', field, value, `is not one of the mapped values (${allowedText})`);
			return ok(value);
		};
	},
});
