import * as countries from 'i18n-iso-countries/index';
import english from 'i18n-iso-countries/langs/en.json';
import { z } from 'zod';
import { defineTransform } from './definition';
import { fail, foldKey, isBlank, notText, ok, textOf } from './util';

// Only English is registered: the package's default entry point loads ~80 locales (several MB) we never use.
countries.registerLocale(english);

/**
 * Names the English locale lacks but CRM data is full of. England, Scotland, Wales and Northern Ireland
 * have no ISO 3166-1 code of their own; they map to GB, the country they belong to.
 */
const ALIASES: Record<string, string> = {
	England: 'GB',
	Scotland: 'GB',
	Wales: 'GB',
	'Northern Ireland': 'GB',
	Britain: 'GB',
	'United Kingdom of Great Britain and Northern Ireland': 'GB',
	'U.K.': 'GB',
	'United States of America': 'US',
	'U.S. of A.': 'US',
	'Estados Unidos': 'US',
	'Vereinigte Staaten': 'US',
	'Etats-Unis': 'US',
	Deutschland: 'DE',
	'Federal Republic of Germany': 'DE',
	España: 'ES',
	Italia: 'IT',
	Nederland: 'NL',
	Holland: 'NL',
	Brasil: 'BR',
	Schweiz: 'CH',
	Suisse: 'CH',
	Svizzera: 'CH',
	Österreich: 'AT',
	Polska: 'PL',
	Sverige: 'SE',
	Norge: 'NO',
	Danmark: 'DK',
	Suomi: 'FI',
	Éire: 'IE',
	'Republic of Ireland': 'IE',
	Belgique: 'BE',
	België: 'BE',
	México: 'MX',
	Türkiye: 'TR',
	UAE: 'AE',
	Emirates: 'AE',
	'South Korea': 'KR',
	Laos: 'LA',
	Syria: 'SY',
	'Viet Nam': 'VN',
	Vatican: 'VA',
	'Vatican City': 'VA',
	Burma: 'MM',
	Macedonia: 'MK',
	Swaziland: 'SZ',
	'Cabo Verde': 'CV',
	'East Timor': 'TL',
	Micronesia: 'FM',
	Moldova: 'MD',
	'Czech': 'CZ',
	'Hong Kong SAR': 'HK',
	'Puerto Rico': 'PR',
};

/** Spelling-insensitive key: accents, dots, apostrophes, "&" vs "and", a leading "The" and punctuation do not matter. */
function nameKey(text: string): string {
	return foldKey(text)
		.replace(/[.'’`]/g, '')
		.replace(/&/g, ' and ')
		.replace(/[\s,()\-/]+/g, ' ')
		.trim()
		.replace(/^the /, '');
}

/** name key → alpha-2, or null where a name belongs to two countries ("Congo"): refused rather than guessed. */
const BY_NAME = new Map<string, string | null>();

function addName(name: string, alpha2: string, override = false): void {
	const key = nameKey(name);
	if (key === '') return;
	const known = BY_NAME.get(key);
	if (override || known === undefined) BY_NAME.set(key, alpha2);
	else if (known !== alpha2) BY_NAME.set(key, null);
}

for (const [alpha2, names] of Object.entries(countries.getNames('en', { select: 'all' }))) {
	for (const name of names) {
		addName(name, alpha2);
		// "Moldova, Republic of" is also written "Republic of Moldova".
		const comma = /^(.*), (.*)$/.exec(name);
		if (comma) addName(`${comma[2]} ${comma[1]}`, alpha2);
		// "Holy See (Vatican City State)": either half alone names it too.
		const paren = /^(.*) \((.*)\)$/.exec(name);
		if (paren) {
			addName(paren[1], alpha2);
			addName(paren[2], alpha2);
		}
	}
}
for (const [name, alpha2] of Object.entries(ALIASES)) addName(name, alpha2, true);

const ALPHA2 = new Set(Object.keys(countries.getAlpha2Codes()));
const TWO_LETTERS = /^[a-z]{2}$/i;
const THREE_LETTERS = /^[a-z]{3}$/i;
const MAX_INPUT = 80;

/** ISO 3166-1 alpha-2 for a country name, alpha-3 or alpha-2 code; undefined when unknown or ambiguous. */
export function toCountryCode(input: string): string | undefined {
	const text = input.trim();
	if (text.length > MAX_INPUT) return undefined;
	if (TWO_LETTERS.test(text)) {
		const code = text.toUpperCase();
		if (ALPHA2.has(code)) return code;
	} else if (THREE_LETTERS.test(text)) {
		const code = countries.alpha3ToAlpha2(text.toUpperCase());
		if (code) return code;
	}
	return BY_NAME.get(nameKey(text)) ?? undefined;
}

export const countryCode = defineTransform({
	name: 'country_code',
	displayName: 'Country Code',
	description:
		'Converts a country name (English, common variants such as USA, UK, Deutschland), an ISO alpha-3 or alpha-2 code to the upper-case ISO 3166-1 alpha-2 code. England, Scotland, Wales and Northern Ireland give GB.',
	options: z.object({}).strict(),
	optionFields: [],
	compile: () => (value, field) => {
		if (value === null || value === undefined) return ok(value);
		const text = textOf(value);
		if (text === undefined) return notText(field, value);
		if (isBlank(text)) return ok('');
		const code = toCountryCode(text);
		if (code !== undefined) return ok(code);
		const ambiguous = text.length <= MAX_INPUT * 2 && BY_NAME.get(nameKey(text)) === null;
		return fail(
			'INVALID_FORMAT',
			field,
			value,
			ambiguous ? 'names more than one country; use an ISO code instead' : 'is not a recognised country name or ISO 3166-1 code',
		);
	},
});
