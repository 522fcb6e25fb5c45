import { isSupportedCountry, parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';
import { z } from 'zod';
import { defineTransform } from './definition';
import { fail, isBlank, Memo, notText, ok, textOf } from './util';

// "max" metadata checks each number against the real numbering plan (assigned area codes, lengths per type);
// "min" only checks lengths and would accept numbers that cannot be dialled.

/** A trailing extension: "x12", "ext. 12", "extension 12", "#12", ";ext=12". */
const EXTENSION = /\s*(?:[,;]\s*)?(?:e?xt(?:ension)?\.?|x|#|ext=)\s*(\d{1,10})\s*$/i;
/** What may remain once the extension is gone. Anything else (letters, prose) is refused, never guessed at. */
const DIALLABLE = /^\+?[\d\s().\-/\u2010-\u2015\u00a0]+$/;
const TEL_PREFIX = /^tel:/i;
/** "00 44 …": 00 is the international prefix almost everywhere, but not in the default country US (011). */
const DOUBLE_ZERO = /^00\s*/;
const MAX_INPUT = 64;

type Parsed = { e164: string; ext?: string } | { reason: string };

export const phoneE164 = defineTransform({
	name: 'phone_e164',
	displayName: 'Phone (E.164)',
	description:
		'Normalises a phone number to E.164 (+15551234567). Numbers without a country code use the default country. Letters, prose and numbers that do not exist in the numbering plan are refused.',
	options: z
		.object({
			defaultCountry: z
				.string()
				.transform((s) => s.trim().toUpperCase())
				// '' means no default country: only numbers written with +country code are accepted.
				.refine((s) => s === '' || isSupportedCountry(s), { message: 'not a supported ISO 3166-1 alpha-2 country code' })
				.default('US'),
			extension: z.enum(['drop', 'keep', 'reject']).default('drop'),
		})
		.strict(),
	optionFields: [
		{
			name: 'defaultCountry',
			displayName: 'Default Country',
			type: 'string',
			description: 'ISO 3166-1 alpha-2 country (US, CA, GB…) for numbers written without a +country code; empty to accept only +country numbers',
			allowed: 'an ISO 3166-1 alpha-2 country code such as US, CA or GB, or empty',
		},
		{
			name: 'extension',
			displayName: 'Extension',
			type: 'options',
			description: 'E.164 has no extensions: drop them, keep them as ";ext=123" (RFC 3966 style), or refuse the value',
			options: [
				{ name: 'Drop', value: 'drop' },
				{ name: 'Keep (;ext=)', value: 'keep' },
				{ name: 'Reject', value: 'reject' },
			],
		},
	],
	compile: ({ defaultCountry, extension }) => {
		const country = defaultCountry === '' ? undefined : (defaultCountry as CountryCode);
		const memo = new Memo<Parsed>();

		const parse = (text: string): Parsed => {
			if (text.length > MAX_INPUT) return { reason: `is too long to be a phone number` };
			let main = text.replace(TEL_PREFIX, '');
			let ext: string | undefined;
			const m = EXTENSION.exec(main);
			if (m) {
				ext = m[1];
				main = main.slice(0, m.index);
			}
			main = main.trim();
			const where =
				main[0] === '+' || DOUBLE_ZERO.test(main)
					? ''
					: country
						? ` for default country ${country}`
						: ' (no default country is set, so it needs a +country code)';
			// Letters are refused before libphonenumber sees them: it would read "1-800-FLOWERS" as +1800.
			if (!DIALLABLE.test(main) || !/\d/.test(main)) return { reason: `is not a valid phone number${where}` };
			if (main[0] !== '+') main = main.replace(DOUBLE_ZERO, '+');
			const phone = parsePhoneNumberFromString(main, { defaultCountry: country, extract: false });
			if (!phone || !phone.isValid()) return { reason: `is not a valid phone number${where}` };
			return { e164: phone.number, ext };
		};

		return (value, field) => {
			if (value === null || value === undefined) return ok(value);
			const text = textOf(value);
			if (text === undefined) return notText(field, value);
			if (isBlank(text)) return ok('');
			let parsed = memo.get(text);
			if (parsed === undefined) {
				parsed = parse(text);
				memo.set(text, parsed);
			}
			if ('reason' in parsed) return fail('INVALID_FORMAT', field, value, parsed.reason);
			if (parsed.ext === undefined || extension === 'drop') return ok(parsed.e164);
			if (extension === 'keep') return ok(`${parsed.e164};ext=${parsed.ext}`);
			return fail('INVALID_FORMAT', field, value, `has an extension (${parsed.ext}), which E.164 cannot hold`);
		};
	},
});
