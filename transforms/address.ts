import { z } from 'zod';
import { defineTransform } from './definition';
import type { AddressParts, TransformResult } from './types';
import { fail, foldKey, isBlank, kindOf, Memo, notText, ok, textOf } from './util';

type Country = 'US' | 'CA';

const US_STATES: Record<string, string[]> = {
	AL: ['Alabama'], AK: ['Alaska'], AZ: ['Arizona'], AR: ['Arkansas'], CA: ['California'], CO: ['Colorado'],
	CT: ['Connecticut'], DE: ['Delaware'], DC: ['District of Columbia', 'Washington DC', 'Washington D.C.'], FL: ['Florida'],
	GA: ['Georgia'], HI: ['Hawaii'], ID: ['Idaho'], IL: ['Illinois'], IN: ['Indiana'], IA: ['Iowa'], KS: ['Kansas'],
	KY: ['Kentucky'], LA: ['Louisiana'], ME: ['Maine'], MD: ['Maryland'], MA: ['Massachusetts'], MI: ['Michigan'],
	MN: ['Minnesota'], MS: ['Mississippi'], MO: ['Missouri'], MT: ['Montana'], NE: ['Nebraska'], NV: ['Nevada'],
	NH: ['New Hampshire'], NJ: ['New Jersey'], NM: ['New Mexico'], NY: ['New York'], NC: ['North Carolina'],
	ND: ['North Dakota'], OH: ['Ohio'], OK: ['Oklahoma'], OR: ['Oregon'], PA: ['Pennsylvania'], RI: ['Rhode Island'],
	SC: ['South Carolina'], SD: ['South Dakota'], TN: ['Tennessee'], TX: ['Texas'], UT: ['Utah'], VT: ['Vermont'],
	VA: ['Virginia'], WA: ['Washington'], WV: ['West Virginia'], WI: ['Wisconsin'], WY: ['Wyoming'],
	PR: ['Puerto Rico'], VI: ['Virgin Islands', 'U.S. Virgin Islands', 'US Virgin Islands'], GU: ['Guam'],
	AS: ['American Samoa'], MP: ['Northern Mariana Islands'],
	AA: ['Armed Forces Americas'], AE: ['Armed Forces Europe'], AP: ['Armed Forces Pacific'],
};

const CA_PROVINCES: Record<string, string[]> = {
	AB: ['Alberta'], BC: ['British Columbia', 'Colombie-Britannique'], MB: ['Manitoba'],
	NB: ['New Brunswick', 'Nouveau-Brunswick'],
	NL: ['Newfoundland and Labrador', 'Newfoundland', 'Terre-Neuve-et-Labrador'],
	NS: ['Nova Scotia', 'Nouvelle-Écosse'], NT: ['Northwest Territories', 'Territoires du Nord-Ouest'], NU: ['Nunavut'],
	ON: ['Ontario'], PE: ['Prince Edward Island', 'Île-du-Prince-Édouard'], QC: ['Quebec', 'Québec', 'PQ'],
	SK: ['Saskatchewan'], YT: ['Yukon', 'Yukon Territory'],
};

/** Key for province and country words: case, accents, dots and hyphens do not matter ("Québec" = "quebec"). */
function placeKey(text: string): string {
	return foldKey(text).replace(/\./g, '').replace(/[\s-]+/g, ' ').trim();
}

const PROVINCES = new Map<string, { code: string; country: Country }>();
for (const [table, country] of [[US_STATES, 'US'], [CA_PROVINCES, 'CA']] as const) {
	for (const [code, names] of Object.entries(table)) {
		PROVINCES.set(placeKey(code), { code, country });
		for (const name of names) PROVINCES.set(placeKey(name), { code, country });
	}
}

const COUNTRY_WORDS = new Map<string, Country>([
	['us', 'US'], ['usa', 'US'], ['united states', 'US'], ['united states of america', 'US'], ['america', 'US'],
	['ca', 'CA'], ['can', 'CA'], ['canada', 'CA'],
]);

const US_ZIP = /(?:^|[\s,])(\d{5})(?:-?(\d{4}))?$/;
// Canadian postal codes never use D, F, I, O, Q or U, nor W or Z as the first letter.
const CA_POSTAL = /(?:^|[\s,])([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPR-TV-Z])[\s-]?(\d[ABCEGHJ-NPR-TV-Z]\d)$/i;
const WORD = /[^\s,]+/g;
const TRAILING_SEPARATORS = /[\s,]+$/;
const MAX_INPUT = 500;

const UNIT_WORD = '(?:apt|apartment|unit|suite|ste|room|rm|floor|fl|bldg|building|lot|dept|trlr|spc|space|app|bureau)';
// A unit id has a digit ("4", "4B", "B2") or is a single letter ("Apt B"); so "Floor St" is not a unit.
const UNIT_ID = '(?:[A-Za-z]?\\d[\\w-]*|[A-Za-z])';
const UNIT = `(?:${UNIT_WORD}\\.?\\s*#?\\s*${UNIT_ID}|#\\s*[\\w-]+)`;
const UNIT_SEGMENT = new RegExp(`^${UNIT}$`, 'i');
const INLINE_UNIT = new RegExp(`^(.*\\S)\\s+(${UNIT})$`, 'i');
const UNIT_WORDS = new Set(['apt', 'apartment', 'unit', 'suite', 'ste', 'room', 'rm', 'floor', 'fl', 'bldg', 'building', 'lot', 'dept', 'trlr', 'spc', 'space', 'app', 'bureau', '#']);
/** Canadian "12-345 Main St": unit 12 at number 345 (only for Canada: in Queens, NY "123-45" is a house number). */
const UNIT_FIRST = /^(\d+[A-Za-z]?)-(\d+[A-Za-z]?)\s+(\S.*)$/;
const PO_BOX = /^((?:p\.?\s?o\.?\s*box|post office box)\s+\S+)\s+(\S.*)$/i;

/** Street types that end a street name; used only to find where the city starts when no comma says so. */
const STREET_TYPES = new Set([
	'st', 'street', 'ave', 'av', 'avenue', 'rd', 'road', 'blvd', 'boulevard', 'dr', 'drive', 'ln', 'lane', 'way', 'ct',
	'court', 'pl', 'place', 'ter', 'terrace', 'cir', 'circle', 'pkwy', 'parkway', 'hwy', 'highway', 'sq', 'square',
	'trl', 'trail', 'cres', 'crescent', 'row', 'loop', 'aly', 'alley', 'plz', 'plaza', 'expy', 'fwy', 'tpke', 'pike',
	'cv', 'cove', 'xing', 'crossing',
]);
const DIRECTIONS = new Set(['n', 's', 'e', 'w', 'ne', 'nw', 'se', 'sw', 'north', 'south', 'east', 'west', 'o', 'ouest']);

const bare = (token: string): string => token.toLowerCase().replace(/\.$/, '');

interface WordAt {
	start: number;
}

function wordsOf(text: string): WordAt[] {
	const out: WordAt[] = [];
	WORD.lastIndex = 0;
	for (let m = WORD.exec(text); m; m = WORD.exec(text)) out.push({ start: m.index });
	return out;
}

/** The longest run of up to `max` trailing words of text that `lookup` recognises, without a comma inside. */
function matchTail<T>(text: string, max: number, lookup: (key: string) => T | undefined): { value: T; start: number } | undefined {
	const words = wordsOf(text);
	for (let k = Math.min(max, words.length); k >= 1; k--) {
		const start = words[words.length - k].start;
		const tail = text.slice(start);
		if (tail.includes(',')) continue;
		const value = lookup(placeKey(tail));
		if (value !== undefined) return { value, start };
	}
	return undefined;
}

/** "123 Main St Apt 4 Springfield" → street and city, when a street type shows where the street ends. */
function splitStreetCity(text: string): [string, string] | undefined {
	const box = PO_BOX.exec(text);
	if (box) return [box[1], box[2]];
	const tokens = text.split(' ');
	let end = -1;
	// Index 0 is the house number and index 1 the start of the name ("123 Court St"), so types count from 2.
	for (let i = 2; i < tokens.length - 1; i++) {
		if (STREET_TYPES.has(bare(tokens[i]))) {
			end = i + 1;
			break;
		}
	}
	if (end < 0) return undefined;
	if (end < tokens.length - 1 && DIRECTIONS.has(bare(tokens[end]))) end++;
	if (end < tokens.length - 2 && UNIT_WORDS.has(bare(tokens[end]))) end += 2;
	else if (end < tokens.length - 1 && /^#[\w-]+$/.test(tokens[end])) end++;
	return [tokens.slice(0, end).join(' '), tokens.slice(end).join(' ')];
}

const looksLikeStreet = (text: string): boolean => /^\d/.test(text) || PO_BOX.test(text);

function parseStructured(text: string, countryHint: Country | undefined): AddressParts | null {
	let rest = text;
	let postalCode = '';
	let postalCountry: Country | undefined;
	const ca = CA_POSTAL.exec(rest);
	const us = ca ? null : US_ZIP.exec(rest);
	if (ca) {
		postalCode = `${ca[1]} ${ca[2]}`.toUpperCase();
		postalCountry = 'CA';
		rest = rest.slice(0, ca.index);
	} else if (us) {
		postalCode = us[2] ? `${us[1]}-${us[2]}` : us[1];
		postalCountry = 'US';
		rest = rest.slice(0, us.index);
	}
	rest = rest.replace(TRAILING_SEPARATORS, '');

	const province = matchTail(rest, 5, (key) => PROVINCES.get(key));
	if (!province) return null;
	const country = province.value.country;
	if ((postalCountry && postalCountry !== country) || (countryHint && countryHint !== country)) return null;

	const between = rest.slice(0, province.start);
	const before = between.replace(TRAILING_SEPARATORS, '');
	// Without a postal code only an explicit comma ("Springfield, IL") says where the city ends.
	if (!postalCode && !between.slice(before.length).includes(',')) return null;

	const segments = before
		.split(',')
		.map((s) => s.trim())
		.filter((s) => s.length > 0);
	let city = segments.pop();
	if (city === undefined) return null;
	if (looksLikeStreet(city)) {
		const split = splitStreetCity(city);
		if (!split) return null;
		segments.push(split[0]);
		city = split[1];
	}
	if (!/\p{L}/u.test(city) || /^\d/.test(city) || UNIT_SEGMENT.test(city)) return null;

	const street1List: string[] = [];
	const street2List: string[] = [];
	for (const segment of segments) (UNIT_SEGMENT.test(segment) ? street2List : street1List).push(segment);
	let street1 = street1List.join(', ');
	const inline = INLINE_UNIT.exec(street1);
	if (inline) {
		street1 = inline[1];
		street2List.unshift(inline[2]);
	}
	const unitFirst = country === 'CA' ? UNIT_FIRST.exec(street1) : null;
	if (unitFirst) {
		street1 = `${unitFirst[2]} ${unitFirst[3]}`;
		street2List.unshift(`Unit ${unitFirst[1]}`);
	}
	return { street1, street2: street2List.join(', '), city, province: province.value.code, postalCode, country };
}

const addressMemo = new Memo<AddressParts | null>(4096, MAX_INPUT);

function parseCached(input: string): AddressParts | null {
	const cached = addressMemo.get(input);
	if (cached !== undefined) return cached;
	const parsed = parseUncached(input);
	addressMemo.set(input, parsed);
	return parsed;
}

function parseUncached(input: string): AddressParts | null {
	if (input.length > MAX_INPUT) return null;
	const text = input
		.replace(/\s+/g, ' ')
		.replace(/\s*,[\s,]*/g, ', ')
		.replace(/[\s,.;]+$/, '')
		.trim();
	if (text === '') return null;
	const country = matchTail(text, 4, (key) => COUNTRY_WORDS.get(key));
	if (country) {
		const parsed = parseStructured(text.slice(0, country.start).replace(TRAILING_SEPARATORS, ''), country.value);
		if (parsed) return parsed;
	}
	// "Los Angeles, CA" : the trailing word was the state, not Canada.
	return parseStructured(text, undefined);
}

/**
 * Parses a one-line US or Canadian address ("123 Main St, Apt 4, Springfield, IL 62704, USA").
 * Needs a recognisable state or province and a city (and, without a postal code, a comma before the state);
 * returns null rather than guess.
 */
export function parseAddress(text: string): AddressParts | null {
	const parsed = parseCached(text);
	return parsed ? { ...parsed } : null;
}

/** Normalised key → component; covers Jobber, HubSpot, Salesforce compound, Pipedrive and Google-style names. */
const ALIASES: Record<string, keyof AddressParts> = {};
const aliasKey = (key: string): string => key.toLowerCase().replace(/[^a-z0-9]/g, '');
for (const [part, names] of Object.entries({
	street1: ['street1', 'street', 'address1', 'line1', 'streetaddress', 'addressline1', 'streetline1', 'address', 'streetaddress1'],
	street2: ['street2', 'address2', 'line2', 'unit', 'addressline2', 'streetline2', 'subpremise', 'apartment', 'suite', 'streetaddress2'],
	city: ['city', 'locality', 'town'],
	province: ['province', 'state', 'region', 'adminarealevel1', 'statecode', 'provincecode', 'stateorprovince'],
	postalCode: ['postalcode', 'zip', 'zipcode', 'postcode', 'postal'],
	country: ['country', 'countrycode'],
}) as Array<[keyof AddressParts, string[]]>) {
	for (const name of names) ALIASES[name] = part;
}
const PRIORITY: Record<string, number> = {};
Object.keys(ALIASES).forEach((k, i) => (PRIORITY[k] = i));

type ObjectRead = { parts: AddressParts } | { error: string };

/** Reads an address object; a component that is an object or array is reported rather than stringified. */
function readAddressObject(obj: Record<string, unknown>): ObjectRead {
	const parts: AddressParts = { street1: '', street2: '', city: '', province: '', postalCode: '', country: '' };
	const rank: Partial<Record<keyof AddressParts, number>> = {};
	let streetNumber = '';
	let route = '';
	for (const [key, raw] of Object.entries(obj)) {
		const norm = aliasKey(key);
		const isNumber = norm === 'streetnumber';
		const isRoute = norm === 'route';
		const part = ALIASES[norm];
		if (!part && !isNumber && !isRoute) continue;
		if (raw === null || raw === undefined) continue;
		const text = textOf(raw);
		if (text === undefined) return { error: `has "${key}" that is ${kindOf(raw)}, not text` };
		// Multi-line streets (Salesforce) become comma-separated.
		const clean = text
			.split(/\r?\n/)
			.map((l) => l.replace(/\s+/g, ' ').trim())
			.filter((l) => l.length > 0)
			.join(', ');
		if (clean === '') continue;
		if (isNumber) streetNumber = clean;
		else if (isRoute) route = clean;
		else if (part && (rank[part] === undefined || PRIORITY[norm] < (rank[part] as number))) {
			parts[part] = clean;
			rank[part] = PRIORITY[norm];
		}
	}
	if (parts.street1 === '' && route !== '') parts.street1 = streetNumber ? `${streetNumber} ${route}` : route;
	return { parts };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

function normaliseProvince(text: string): string {
	return PROVINCES.get(placeKey(text))?.code ?? text;
}

function normalisePostal(text: string): string {
	const padded = ` ${text.trim()}`;
	const ca = CA_POSTAL.exec(padded);
	if (ca && ca.index === 0) return `${ca[1]} ${ca[2]}`.toUpperCase();
	const us = US_ZIP.exec(padded);
	if (us && us.index === 0) return us[2] ? `${us[1]}-${us[2]}` : us[1];
	return text.trim();
}

export const addressSingleLine = defineTransform({
	name: 'address_single_line',
	displayName: 'Address to Single Line',
	description:
		'Joins an address object (street1/street/address1, street2/unit, city, state/province, zip/postalCode, country, and common aliases) into one line: "123 Main St, Apt 4, Springfield, IL 62704, US".',
	options: z.object({ includeCountry: z.boolean().default(true) }).strict(),
	optionFields: [
		{ name: 'includeCountry', displayName: 'Include Country', type: 'boolean', description: 'Whether to end the line with the country' },
	],
	compile: ({ includeCountry }) =>
		(value, field) => {
			if (value === null || value === undefined) return ok(value);
			if (isPlainObject(value)) {
				const read = readAddressObject(value);
				if ('error' in read) return fail('INVALID_FORMAT', field, value, read.error);
				const p = read.parts;
				const region = [p.province, p.postalCode].filter((s) => s !== '').join(' ');
				const line = [p.street1, p.street2, p.city, region, includeCountry ? p.country : ''];
				return ok(line.filter((s) => s !== '').join(', '));
			}
			const text = textOf(value);
			if (text === undefined) return notText(field, value);
			return ok(
				text
					.split(',')
					.map((s) => s.replace(/\s+/g, ' ').trim())
					.filter((s) => s.length > 0)
					.join(', '),
			);
		},
});

type Component = 'street' | 'city' | 'province' | 'postalCode';

function componentOf(parts: AddressParts, component: Component, streetPart: string): string {
	switch (component) {
		case 'street':
			if (streetPart === 'street1') return parts.street1;
			if (streetPart === 'street2') return parts.street2;
			return [parts.street1, parts.street2].filter((s) => s !== '').join(', ');
		case 'province':
			return normaliseProvince(parts.province);
		case 'postalCode':
			return normalisePostal(parts.postalCode);
		default:
			return parts[component];
	}
}

/** Shared body of the four address_parse_* transforms. */
function parseComponent(component: Component, streetPart: string) {
	return (value: unknown, field: string): TransformResult => {
		if (value === null || value === undefined) return ok(value);
		if (isPlainObject(value)) {
			const read = readAddressObject(value);
			if ('error' in read) return fail('INVALID_FORMAT', field, value, read.error);
			return ok(componentOf(read.parts, component, streetPart));
		}
		const text = textOf(value);
		if (text === undefined) return notText(field, value);
		if (isBlank(text)) return ok('');
		const parts = parseCached(text);
		if (!parts) {
			return fail(
				'INVALID_FORMAT',
				field,
				value,
				'is not a recognisable US or Canadian address (expected "street, city, state ZIP", e.g. "123 Main St, Springfield, IL 62704")',
			);
		}
		return ok(componentOf(parts, component, streetPart));
	};
}

export const addressParseStreet = defineTransform({
	name: 'address_parse_street',
	displayName: 'Address: Street',
	description: 'Takes the street (with the unit: Apt, Unit, Suite, #) from a one-line US or Canadian address, or from an address object.',
	options: z.object({ part: z.enum(['full', 'street1', 'street2']).default('full') }).strict(),
	optionFields: [
		{
			name: 'part',
			displayName: 'Part',
			type: 'options',
			description: 'Street and unit joined with ", ", the street line alone, or the unit alone',
			options: [
				{ name: 'Street and Unit', value: 'full' },
				{ name: 'Street Line 1', value: 'street1' },
				{ name: 'Street Line 2 (Unit)', value: 'street2' },
			],
		},
	],
	compile: ({ part }) => parseComponent('street', part),
});

export const addressParseCity = defineTransform({
	name: 'address_parse_city',
	displayName: 'Address: City',
	description: 'Takes the city from a one-line US or Canadian address, or from an address object.',
	options: z.object({}).strict(),
	optionFields: [],
	compile: () => parseComponent('city', 'full'),
});

export const addressParseState = defineTransform({
	name: 'address_parse_state',
	displayName: 'Address: State / Province',
	description: 'Takes the state or province as a 2-letter code (Illinois → IL, Québec → QC) from a one-line US or Canadian address, or from an address object.',
	options: z.object({}).strict(),
	optionFields: [],
	compile: () => parseComponent('province', 'full'),
});

export const addressParseZip = defineTransform({
	name: 'address_parse_zip',
	displayName: 'Address: ZIP / Postal Code',
	description: 'Takes the ZIP (62704, 62704-1234) or Canadian postal code (H3B 1A7) from a one-line address, or from an address object.',
	options: z.object({}).strict(),
	optionFields: [],
	compile: () => parseComponent('postalCode', 'full'),
});
