import { DateTime, FixedOffsetZone, IANAZone, type DateTimeOptions } from 'luxon';
import { z } from 'zod';
import { defineTransform } from './definition';
import { fail, isBlank, kindOf, Memo, ok } from './util';

type TokenParser = ReturnType<typeof DateTime.buildFormatParser>;

// Token parsers are built once: luxon's fromFormat rebuilds its regex on every call.
const LOCALE = { locale: 'en-US' };
const buildParsers = (formats: string[]): TokenParser[] => formats.map((f) => DateTime.buildFormatParser(f, LOCALE));

/** US style month/day/year, with the times CRM exports put after it. */
const US_PARSERS = buildParsers([
	'M/d/yyyy',
	'M/d/yyyy H:mm',
	'M/d/yyyy H:mm:ss',
	'M/d/yyyy h:mm a',
	'M/d/yyyy h:mm:ss a',
]);
/** "March 5, 2024", "Mar 5 2024", "5 March 2024". */
const MONTH_NAME_PARSERS = buildParsers(['LLLL d, yyyy', 'LLL d, yyyy', 'LLLL d yyyy', 'LLL d yyyy', 'd LLLL yyyy', 'd LLL yyyy']);

const NUMERIC = /^[-+]?\d+(?:\.\d+)?$/;
const EIGHT_DIGITS = /^\d{8}$/;
const HAS_LETTER = /[a-z]/i;
const MAX_INPUT = 200;
const AUTO_FORMATS = 'ISO 8601, RFC 2822, HTTP, SQL, epoch seconds/milliseconds or MM/dd/yyyy';

type Output = 'datetime' | 'date' | 'datetime_local';
type Parsed = { iso: string } | { reason: string };

/** Epoch numbers: ≥ 1e11 in magnitude is milliseconds (1e11 s is the year 5138), else seconds. */
function fromEpoch(n: number, opts: DateTimeOptions): DateTime {
	return DateTime.fromMillis(Math.abs(n) >= 1e11 ? n : n * 1000, opts);
}

/** Why luxon refused a date, in its own words; never the bare "Invalid DateTime". */
function reasonOf(d: DateTime): string {
	const why = d.invalidExplanation ?? d.invalidReason;
	return why ? `is not a valid date: ${why}` : 'is not a valid date (outside the supported range)';
}

/**
 * Tries every accepted format. When one recognised the shape but refused the values (2024-02-30) its
 * reason is reported, which says far more than "unparsable".
 */
function parseAuto(text: string, opts: DateTimeOptions): DateTime | { reason: string } {
	if (NUMERIC.test(text)) {
		// 20240305 is ISO 8601 basic format; as epoch seconds it would be a day in 1970, which no CRM means.
		if (EIGHT_DIGITS.test(text)) {
			const d = DateTime.fromISO(text, opts);
			if (d.isValid) return d;
		}
		return fromEpoch(Number(text), opts);
	}
	let refused: DateTime | undefined;
	const attempt = (d: DateTime): boolean => {
		if (d.isValid) return true;
		if (!refused && d.invalidReason !== 'unparsable') refused = d;
		return false;
	};
	let d = DateTime.fromISO(text, opts);
	if (attempt(d)) return d;
	d = DateTime.fromSQL(text, opts);
	if (attempt(d)) return d;
	if (HAS_LETTER.test(text)) {
		d = DateTime.fromRFC2822(text, opts);
		if (attempt(d)) return d;
		d = DateTime.fromHTTP(text, opts);
		if (attempt(d)) return d;
		for (const p of MONTH_NAME_PARSERS) {
			d = DateTime.fromFormatParser(text, p, opts);
			if (attempt(d)) return d;
		}
	}
	if (text.includes('/')) {
		for (const p of US_PARSERS) {
			d = DateTime.fromFormatParser(text, p, opts);
			if (attempt(d)) return d;
		}
	}
	return refused ?? { reason: `is not a recognised date (expected ${AUTO_FORMATS})` };
}

function isValidZone(zone: string): boolean {
	// 'local'/'system' would make the result depend on the server n8n runs on.
	if (/^(local|system)$/i.test(zone)) return false;
	return IANAZone.isValidZone(zone) || DateTime.now().setZone(zone).isValid;
}

export const dateIso = defineTransform({
	name: 'date_iso',
	displayName: 'Date (ISO 8601)',
	description:
		'Parses a date (ISO 8601, RFC 2822, HTTP, SQL, epoch, MM/dd/yyyy, or a given format) and writes ISO 8601: a UTC timestamp, a date, or a timestamp with the offset of a time zone.',
	options: z
		.object({
			// A cleared form field ('') means the default, not an empty format.
			inputFormat: z
				.string()
				.transform((s) => (s.trim() === '' ? 'auto' : s))
				.default('auto'),
			zone: z
				.string()
				.transform((s) => s.trim() || 'UTC')
				.refine(isValidZone, { message: 'not a known IANA time zone' })
				.default('UTC'),
			output: z.enum(['datetime', 'date', 'datetime_local']).default('datetime'),
		})
		.strict(),
	optionFields: [
		{
			name: 'inputFormat',
			displayName: 'Input Format',
			type: 'string',
			description:
				'"auto" accepts ISO 8601, RFC 2822, HTTP, SQL, epoch seconds or milliseconds and MM/dd/yyyy; otherwise a Luxon format such as dd.MM.yyyy (ISO input is still accepted, so the transform can re-run on its own output)',
			allowed: '"auto" or Luxon format tokens such as MM/dd/yyyy',
		},
		{
			name: 'zone',
			displayName: 'Time Zone',
			type: 'string',
			description: 'IANA time zone (America/Chicago) of inputs that carry no offset; also the zone of Date and Date Time (Local) output',
			allowed: 'an IANA time zone such as UTC or America/Chicago',
		},
		{
			name: 'output',
			displayName: 'Output',
			type: 'options',
			description: 'Date Time: 2024-03-05T14:30:00.000Z (UTC); Date: 2024-03-05 (calendar date in the time zone); Date Time (Local): with the offset of the time zone',
			options: [
				{ name: 'Date Time (UTC)', value: 'datetime' },
				{ name: 'Date', value: 'date' },
				{ name: 'Date Time (Local)', value: 'datetime_local' },
			],
		},
	],
	compile: ({ inputFormat, zone, output }) => {
		const opts: DateTimeOptions = { zone };
		const auto = inputFormat === 'auto';
		const parser = auto ? undefined : DateTime.buildFormatParser(inputFormat, LOCALE);
		const memo = new Memo<Parsed>();

		const local = (d: DateTime): DateTime => {
			const inZone = d.setZone(zone);
			// Historical local mean time has offsets with seconds (Kolkata 1905: +05:21:10) that ISO cannot write;
			// a whole-minute offset keeps the printed time and offset consistent, so re-parsing gives the same instant.
			return Number.isInteger(inZone.offset) ? inZone : inZone.setZone(FixedOffsetZone.instance(Math.round(inZone.offset)));
		};
		const render = (d: DateTime): Parsed => {
			const out = (output as Output) === 'datetime' ? d.toUTC().toISO() : output === 'date' ? d.setZone(zone).toISODate() : local(d).toISO();
			return out === null ? { reason: 'is not a valid date (outside the supported range)' } : { iso: out };
		};

		const parseText = (text: string): Parsed => {
			if (text.length > MAX_INPUT) return { reason: 'is too long to be a date' };
			let d: DateTime | { reason: string };
			if (parser) {
				d = DateTime.fromFormatParser(text, parser, opts);
				if (!d.isValid) {
					// ISO (our own output) is always accepted so chains can run twice.
					const iso = DateTime.fromISO(text, opts);
					if (iso.isValid) d = iso;
					else if (d.invalidReason === 'unparsable') return { reason: `does not match the date format ${inputFormat}` };
				}
			} else d = parseAuto(text, opts);
			if (!(d instanceof DateTime)) return d;
			return d.isValid ? render(d) : { reason: reasonOf(d) };
		};

		return (value, field) => {
			if (value === null || value === undefined) return ok(value);
			let parsed: Parsed;
			if (typeof value === 'string') {
				if (isBlank(value)) return ok('');
				const text = value.trim();
				const hit = memo.get(text);
				if (hit) parsed = hit;
				else {
					parsed = parseText(text);
					memo.set(text, parsed);
				}
			} else if (typeof value === 'number') {
				if (!Number.isFinite(value)) return fail('INVALID_FORMAT', field, value, `is ${kindOf(value)}, not a date`);
				let d: DateTime | undefined;
				if (parser) {
					const byFormat = DateTime.fromFormatParser(String(value), parser, opts);
					if (byFormat.isValid) d = byFormat;
				}
				d ??= fromEpoch(value, opts);
				parsed = d.isValid ? render(d) : { reason: reasonOf(d) };
			} else if (value instanceof Date) {
				const d = DateTime.fromJSDate(value, opts);
				parsed = d.isValid ? render(d) : { reason: 'is an invalid Date object' };
			} else return fail('INVALID_FORMAT', field, value, `is ${kindOf(value)}, not a date`);
			return 'iso' in parsed ? ok(parsed.iso) : fail('INVALID_FORMAT', field, value, parsed.reason);
		};
	},
});
