import { z } from 'zod';
import { defineTransform } from './definition';
import type { NameParts } from './types';
import { isBlank, notText, ok, textOf } from './util';

/** Tokens are compared lower-cased without dots, so "Dr", "dr." and "DR." are the same prefix. */
const bare = (token: string): string => token.toLowerCase().replace(/[.,]/g, '');

const PREFIXES = new Set(['dr', 'mr', 'mrs', 'ms', 'miss', 'mx', 'prof', 'rev', 'fr', 'sir', 'dame', 'hon', 'capt', 'sgt', 'lt', 'col', 'gen', 'judge']);
const SUFFIXES = new Set(['jr', 'sr', 'ii', 'iii', 'iv', 'phd', 'md', 'esq', 'dds', 'dvm', 'cpa', 'rn', 'mba', 'jd', 'do', 'pe']);
/** Words that start a surname ("van der Berg", "de la Cruz"); matched case-insensitively ("De Niro"). */
const PARTICLES = new Set(['van', 'von', 'de', 'da', 'del', 'della', 'der', 'den', 'di', 'du', 'des', 'la', 'le', 'ter', 'ten', 'dos', 'das', 'st', 'ste', 'mac', 'bin', 'ibn']);
/** Words that make a name a business ("Acme Plumbing LLC", "Smith & Sons"). */
const COMPANY_WORDS = new Set([
	'llc', 'inc', 'incorporated', 'ltd', 'limited', 'corp', 'corporation', 'co', 'company', 'llp', 'lp', 'pllc', 'gmbh',
	'plumbing', 'services', 'service', 'group', 'holdings', 'enterprises', 'enterprise', 'solutions', 'industries',
	'associates', 'partners', 'contractors', 'contracting', 'construction', 'electric', 'electrical', 'heating', 'cooling',
	'hvac', 'landscaping', 'roofing', 'cleaning', 'consulting', 'bros', 'brothers', 'sons', 'realty', 'properties',
	'management', 'systems', 'technologies', 'agency', 'international', 'foundation', 'restoration', 'remodeling',
	'painting', 'pest', 'lawn', 'pools', 'repair', 'maintenance', 'supply',
]);

const WHITESPACE = /\s+/;
// "DDS" and friends are suffixes; "Do" is also a given name, so "do"/"pe" count only after a comma.
const SPACE_SUFFIXES = new Set([...SUFFIXES].filter((s) => s !== 'do' && s !== 'pe'));

function isCompanyName(tokens: string[]): boolean {
	for (const token of tokens) {
		if (token.includes('&')) return true;
		if (COMPANY_WORDS.has(bare(token))) return true;
	}
	return false;
}

const empty = (): NameParts => ({ prefix: '', firstName: '', middleName: '', lastName: '', suffix: '', isCompany: false });

/** Moves trailing suffix tokens out, keeping at least one name token. */
function takeSuffixes(tokens: string[]): string[] {
	const suffixes: string[] = [];
	while (tokens.length > 1 && SPACE_SUFFIXES.has(bare(tokens[tokens.length - 1]))) suffixes.unshift(tokens.pop() as string);
	return suffixes;
}

/** Moves leading prefix tokens out, keeping at least one name token. */
function takePrefixes(tokens: string[]): string[] {
	const prefixes: string[] = [];
	while (tokens.length > 1 && PREFIXES.has(bare(tokens[0]))) prefixes.push(tokens.shift() as string);
	return prefixes;
}

const words = (text: string): string[] => text.split(WHITESPACE).filter((t) => t.length > 0);

/** Splits a person's name; every non-space character of the input lands in some part (commas aside). */
export function splitName(input: string): NameParts {
	const text = input.trim();
	const parts = empty();
	if (text === '') return parts;
	const all = words(text.replace(/,/g, ' '));
	if (isCompanyName(all)) {
		parts.isCompany = true;
		parts.lastName = words(text).join(' ');
		return parts;
	}

	const segments = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0);
	// Comma segments made only of suffixes ("John Smith, Jr., PhD") are suffixes wherever the name is.
	const commaSuffixes: string[] = [];
	while (segments.length > 1 && words(segments[segments.length - 1]).every((t) => SUFFIXES.has(bare(t)))) {
		commaSuffixes.unshift(...words(segments.pop() as string));
	}

	if (segments.length >= 2) {
		// "Last, First Middle": the surname is explicit, so no particle guessing.
		const last = words(segments[0]);
		const given = words(segments.slice(1).join(' '));
		const suffixes = [...takeSuffixes(last), ...takeSuffixes(given), ...commaSuffixes];
		parts.prefix = takePrefixesAll(given).join(' ');
		parts.lastName = last.join(' ');
		parts.firstName = given.shift() ?? '';
		parts.middleName = given.join(' ');
		parts.suffix = suffixes.join(', ');
		return parts;
	}

	const tokens = words(segments[0] ?? '');
	const suffixes = [...takeSuffixes(tokens), ...commaSuffixes];
	const prefixes = takePrefixes(tokens);
	parts.prefix = prefixes.join(' ');
	parts.suffix = suffixes.join(', ');
	if (tokens.length === 0) return parts;
	if (tokens.length === 1) {
		// "Dr. Smith" is a surname; a lone "Cher" is a given name.
		if (prefixes.length > 0) parts.lastName = tokens[0];
		else parts.firstName = tokens[0];
		return parts;
	}
	let lastStart = tokens.length - 1;
	for (let i = 1; i < tokens.length - 1; i++) {
		if (PARTICLES.has(bare(tokens[i]))) {
			lastStart = i;
			break;
		}
	}
	parts.firstName = tokens[0];
	parts.middleName = tokens.slice(1, lastStart).join(' ');
	parts.lastName = tokens.slice(lastStart).join(' ');
	return parts;
}

/** In "Smith, Dr." the given part may be only prefixes; the surname is already known, so take them all. */
function takePrefixesAll(tokens: string[]): string[] {
	const prefixes: string[] = [];
	while (tokens.length > 0 && PREFIXES.has(bare(tokens[0]))) prefixes.push(tokens.shift() as string);
	return prefixes;
}

const OUTPUTS = ['object', 'first', 'last', 'middle', 'prefix', 'suffix'] as const;
const PICK: Record<Exclude<(typeof OUTPUTS)[number], 'object'>, keyof NameParts> = {
	first: 'firstName',
	last: 'lastName',
	middle: 'middleName',
	prefix: 'prefix',
	suffix: 'suffix',
};

export const splitNameTransform = defineTransform({
	name: 'split_name',
	displayName: 'Split Name',
	description:
		'Splits a full name into prefix, first, middle, last and suffix ("Dr. Maria de la Cruz Jr.", "Smith, John"). Business names (LLC, Inc, Plumbing, &…) are kept whole as the last name with isCompany set.',
	options: z.object({ output: z.enum(OUTPUTS).default('object') }).strict(),
	optionFields: [
		{
			name: 'output',
			displayName: 'Output',
			type: 'options',
			description: 'All parts as an object, or one part as text (for one-to-many mappings: one field pair per part)',
			options: [
				{ name: 'All Parts (Object)', value: 'object' },
				{ name: 'First Name', value: 'first' },
				{ name: 'Last Name', value: 'last' },
				{ name: 'Middle Name', value: 'middle' },
				{ name: 'Prefix', value: 'prefix' },
				{ name: 'Suffix', value: 'suffix' },
			],
		},
	],
	compile: ({ output }) => {
		const key = output === 'object' ? undefined : PICK[output];
		return (value, field) => {
			if (value === null || value === undefined) return ok(value);
			const text = textOf(value);
			if (text === undefined) return notText(field, value);
			const parts = isBlank(text) ? empty() : splitName(text);
			return ok(key === undefined ? parts : parts[key]);
		};
	},
});
