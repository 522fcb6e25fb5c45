import { z } from 'zod';
import { defineTransform } from './definition';
import { fail, isBlank, kindOf, notText, ok, textOf } from './util';

// JS \s and String.prototype.trim use the same Unicode White_Space set (NBSP, U+3000, …), which keeps trim idempotent.
const WHITESPACE_RUN = /\s+/g;
// Cheap test so that already-clean strings skip the allocation of replace().
const NEEDS_COLLAPSE = /\s\s|[^\S ]/;

export const trim = defineTransform({
	name: 'trim',
	displayName: 'Trim',
	description: 'Removes leading and trailing whitespace (including non-breaking spaces) and, by default, collapses internal runs of whitespace to one space.',
	options: z.object({ collapseWhitespace: z.boolean().default(true) }).strict(),
	optionFields: [
		{
			name: 'collapseWhitespace',
			displayName: 'Collapse Whitespace',
			type: 'boolean',
			description: 'Whether to replace internal runs of whitespace (tabs, new lines, double spaces) with a single space',
		},
	],
	compile: ({ collapseWhitespace }) =>
		(value, field) => {
			if (value === null || value === undefined) return ok(value);
			const text = textOf(value);
			if (text === undefined) return notText(field, value);
			const trimmed = text.trim();
			return ok(collapseWhitespace && NEEDS_COLLAPSE.test(trimmed) ? trimmed.replace(WHITESPACE_RUN, ' ') : trimmed);
		},
});

export const lowercase = defineTransform({
	name: 'lowercase',
	displayName: 'Lowercase',
	description: 'Converts text to lower case (locale-independent, so "I" never becomes a dotless "ı").',
	options: z.object({}).strict(),
	optionFields: [],
	compile: () => (value, field) => {
		if (value === null || value === undefined) return ok(value);
		const text = textOf(value);
		return text === undefined ? notText(field, value) : ok(text.toLowerCase());
	},
});

export const uppercase = defineTransform({
	name: 'uppercase',
	displayName: 'Uppercase',
	description: 'Converts text to upper case (locale-independent).',
	options: z.object({}).strict(),
	optionFields: [],
	compile: () => (value, field) => {
		if (value === null || value === undefined) return ok(value);
		const text = textOf(value);
		return text === undefined ? notText(field, value) : ok(text.toUpperCase());
	},
});

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });

/** The largest index ≤ limit that is a grapheme boundary of text (limit < text.length). */
function graphemeCut(text: string, limit: number): number {
	if (limit <= 0) return 0;
	const before = text.charCodeAt(limit - 1);
	const after = text.charCodeAt(limit);
	// Two ASCII characters always have a boundary between them, except CR LF: the common case needs no segmenter.
	if (before < 0x80 && after < 0x80 && !(before === 13 && after === 10)) return limit;
	// A boundary at i depends only on what lies left of i and the character at i, so segmenting
	// the prefix up to limit+1 finds the same boundaries as segmenting a 1 MB string.
	let cut = 0;
	for (const { index } of graphemes.segment(text.slice(0, limit + 1))) {
		if (index > limit) break;
		cut = index;
	}
	return cut;
}

export const truncate = defineTransform({
	name: 'truncate',
	displayName: 'Truncate',
	description:
		'Cuts text to a maximum length in UTF-16 code units (what JavaScript and most CRM APIs count), never splitting an emoji or accented letter.',
	options: z
		.object({
			maxLength: z.number().int().positive(),
			ellipsis: z.string().default(''),
		})
		.strict()
		.superRefine((o, ctx) => {
			if (o.ellipsis.length >= o.maxLength) {
				ctx.addIssue({
					code: z.ZodIssueCode.custom,
					path: ['ellipsis'],
					message: `must be shorter than maxLength (${o.maxLength})`,
				});
			}
		}),
	optionFields: [
		{
			name: 'maxLength',
			displayName: 'Max Length',
			type: 'number',
			description: 'Maximum length of the result in UTF-16 code units (an emoji counts 2 or more), ellipsis included',
			allowed: 'a positive integer',
		},
		{
			name: 'ellipsis',
			displayName: 'Ellipsis',
			type: 'string',
			description: 'Text appended when the value is cut, e.g. "…"; counted in Max Length',
			allowed: 'text shorter than maxLength',
		},
	],
	compile: ({ maxLength, ellipsis }) => {
		const budget = maxLength - ellipsis.length;
		return (value, field) => {
			if (value === null || value === undefined) return ok(value);
			const text = textOf(value);
			if (text === undefined) return notText(field, value);
			if (text.length <= maxLength) return ok(text);
			return ok(text.slice(0, graphemeCut(text, budget)) + ellipsis);
		};
	},
});

/** Missing for `default`: null, undefined, blank text, and NaN (which JSON turns into null anyway). */
function isMissing(value: unknown): boolean {
	if (value === null || value === undefined) return true;
	if (typeof value === 'string') return isBlank(value);
	return typeof value === 'number' && Number.isNaN(value);
}

export const defaultValue = defineTransform({
	name: 'default',
	displayName: 'Default',
	description: 'Replaces a missing value (null, empty or whitespace-only text) with a fallback; the default fallback is an empty string.',
	options: z.object({ value: z.unknown().default('') }).strict(),
	optionFields: [
		{
			name: 'value',
			displayName: 'Value',
			type: 'json',
			description: 'Value used when the input is missing (any JSON: text, number, true/false, object)',
			allowed: 'any JSON value',
		},
	],
	compile: ({ value: fallback }) => {
		// Objects are copied per use so one record editing its default cannot change the next record's.
		const shared = fallback === null || typeof fallback !== 'object';
		const frozen = shared ? fallback : JSON.stringify(fallback);
		return (value) => {
			if (!isMissing(value)) return ok(value);
			return ok(shared ? frozen : JSON.parse(frozen as string));
		};
	},
});

export const concatenate = defineTransform({
	name: 'concatenate',
	displayName: 'Concatenate',
	description: 'Joins several values (a list, for many-to-one mappings) into one text with a separator, skipping empty parts.',
	options: z
		.object({
			separator: z.string().default(' '),
			skipEmpty: z.boolean().default(true),
			trimParts: z.boolean().default(true),
		})
		.strict(),
	optionFields: [
		{ name: 'separator', displayName: 'Separator', type: 'string', description: 'Text placed between parts' },
		{
			name: 'skipEmpty',
			displayName: 'Skip Empty',
			type: 'boolean',
			description: 'Whether to drop null, empty and whitespace-only parts so no separator is doubled',
		},
		{
			name: 'trimParts',
			displayName: 'Trim Parts',
			type: 'boolean',
			description: 'Whether to trim each part before joining ("John " + "Smith" gives "John Smith")',
		},
	],
	compile: ({ separator, skipEmpty, trimParts }) =>
		(value, field) => {
			const parts = value === null || value === undefined ? [] : Array.isArray(value) ? value : [value];
			const out: string[] = [];
			for (let i = 0; i < parts.length; i++) {
				const part: unknown = parts[i];
				let text: string | undefined;
				if (part === null || part === undefined) text = '';
				else {
					text = textOf(part);
					if (text === undefined) {
						return fail('INVALID_FORMAT', field, value, `cannot be joined: part ${i + 1} is ${kindOf(part)}, not text`);
					}
					if (trimParts) text = text.trim();
				}
				if (skipEmpty && isBlank(text)) continue;
				out.push(text);
			}
			return ok(out.join(separator));
		},
});
