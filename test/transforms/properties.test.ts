import fc from 'fast-check';
import { compileTransform, splitName, type CompiledTransform, type TransformSpec } from '../../transforms';

const ctx = { field: 'p' };
// FC_RUNS=20000 for a deeper search than the default run.
const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 300) };

/** f(f(x)) = f(x) wherever f(x) succeeds. */
function idempotent(spec: TransformSpec, arb: fc.Arbitrary<unknown>): void {
	const t = compileTransform(spec);
	fc.assert(
		fc.property(arb, (input) => {
			const once = t(input, ctx);
			if (!once.ok) return;
			const twice = t(once.value, ctx);
			expect(twice).toEqual({ ok: true, value: once.value });
		}),
		RUNS,
	);
}

const anyText = fc.oneof(
	fc.string({ unit: 'binary', maxLength: 40 }),
	fc.string({ unit: 'grapheme', maxLength: 40 }),
	fc.string({ unit: fc.constantFrom(' ', '\t', '\u00a0', '\n', 'a', 'B', 'é', '👩‍🔧', 'ß', 'İ', 'ﬁ'), maxLength: 30 }),
);

describe('idempotence', () => {
	it('trim', () => {
		idempotent({ name: 'trim' }, anyText);
		idempotent({ name: 'trim', options: { collapseWhitespace: false } }, anyText);
	});

	it('lowercase', () => idempotent({ name: 'lowercase' }, anyText));

	it('uppercase', () => idempotent({ name: 'uppercase' }, anyText));

	it('truncate', () => {
		fc.assert(
			fc.property(anyText, fc.integer({ min: 1, max: 30 }), fc.constantFrom('', '…', '...'), (text, maxLength, ellipsis) => {
				fc.pre(ellipsis.length < maxLength);
				const t = compileTransform({ name: 'truncate', options: { maxLength, ellipsis } });
				const once = t(text, ctx);
				expect(once.ok).toBe(true);
				if (once.ok) expect(t(once.value, ctx)).toEqual(once);
			}),
			RUNS,
		);
	});

	it('email_validate', () => {
		const local = fc.stringMatching(/^[A-Za-z0-9._%+-]{1,20}$/);
		const domain = fc.stringMatching(/^[A-Za-z0-9-]{1,15}\.[A-Za-z]{2,6}$/);
		const email = fc.tuple(local, domain, fc.constantFrom('', ' ', '  ')).map(([l, d, pad]) => `${pad}${l}@${d}${pad}`);
		idempotent({ name: 'email_validate' }, fc.oneof(email, anyText));
		idempotent({ name: 'email_validate', options: { lowercase: false } }, email);
	});

	it('phone_e164 on its valid outputs', () => {
		const digits = fc.stringMatching(/^\d{10}$/);
		const formatted = fc.tuple(digits, fc.constantFrom('plain', 'dashes', 'parens', 'intl', '00')).map(([d, style]) => {
			switch (style) {
				case 'dashes':
					return `${d.slice(0, 3)}-${d.slice(3, 6)}-${d.slice(6)}`;
				case 'parens':
					return `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}`;
				case 'intl':
					return `+44 ${d}`;
				case '00':
					return `00 33 ${d.slice(1)}`;
				default:
					return d;
			}
		});
		// Valid NANP numbers appear often enough with area codes 2-9xx and exchanges 2-9xx.
		const nanp = fc.tuple(fc.integer({ min: 200, max: 989 }), fc.integer({ min: 200, max: 999 }), fc.integer({ min: 0, max: 9999 })).map(
			([a, b, c]) => `(${a}) ${b}-${String(c).padStart(4, '0')}`,
		);
		idempotent({ name: 'phone_e164' }, fc.oneof(formatted, nanp, anyText));
		idempotent({ name: 'phone_e164', options: { extension: 'keep' } }, nanp.map((n) => `${n} x12`));
	});

	it('date_iso on its output', () => {
		const when = fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2200-01-01T00:00:00Z'), noInvalidDate: true });
		const input = fc.oneof(
			when.map((d) => d.toISOString()),
			when.map((d) => d.getTime()),
			when.map((d) => `${d.getUTCMonth() + 1}/${d.getUTCDate()}/${d.getUTCFullYear()}`),
			when.map((d) => d.toUTCString()),
			anyText,
		);
		for (const output of ['datetime', 'date', 'datetime_local']) {
			for (const zone of ['UTC', 'America/Chicago', 'Asia/Kolkata']) {
				idempotent({ name: 'date_iso', options: { output, zone } }, input);
			}
		}
	});

	it('country_code', () => {
		const names = fc.constantFrom('United States', 'usa', 'Canada', 'GBR', 'uk', 'England', 'Deutschland', 'fr', 'Mexico', 'Japan');
		idempotent({ name: 'country_code' }, fc.oneof(names, anyText, fc.stringMatching(/^[A-Za-z]{2,3}$/)));
	});
});

describe('truncate length bound', () => {
	it('never exceeds maxLength code units and never leaves a lone surrogate', () => {
		fc.assert(
			fc.property(
				fc.string({ unit: 'grapheme-composite', maxLength: 60 }),
				fc.integer({ min: 1, max: 40 }),
				fc.constantFrom('', '…', '...'),
				(text, maxLength, ellipsis) => {
					fc.pre(ellipsis.length < maxLength);
					const r = compileTransform({ name: 'truncate', options: { maxLength, ellipsis } })(text, ctx);
					expect(r.ok).toBe(true);
					if (!r.ok) return;
					const out = r.value as string;
					expect(out.length).toBeLessThanOrEqual(maxLength);
					expect(out).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/);
					if (text.length <= maxLength) expect(out).toBe(text);
					else expect(text.startsWith(out.slice(0, out.length - ellipsis.length))).toBe(true);
				},
			),
			RUNS,
		);
	});
});

describe('concatenate with skipEmpty', () => {
	it('never doubles the separator', () => {
		const separators = [' ', ', ', ' - ', '|', '/'];
		fc.assert(
			fc.property(fc.constantFrom(...separators), fc.array(fc.oneof(fc.constant(null), fc.constant(undefined), fc.constant(''), fc.constant('  '), fc.stringMatching(/^[A-Za-z0-9]{1,8}$/), fc.integer()), { maxLength: 10 }), (separator, parts) => {
				const t: CompiledTransform = compileTransform({ name: 'concatenate', options: { separator } });
				const r = t(parts, ctx);
				expect(r.ok).toBe(true);
				if (!r.ok) return;
				const out = r.value as string;
				expect(out).not.toContain(separator + separator);
				expect(out.startsWith(separator)).toBe(false);
				expect(out.endsWith(separator)).toBe(false);
			}),
			RUNS,
		);
	});
});

describe('split_name keeps every character', () => {
	const token = fc.oneof(
		fc.stringMatching(/^[A-Z][a-z]{1,8}$/),
		fc.stringMatching(/^[A-Z][a-z]{1,5}-[A-Z][a-z]{1,5}$/),
		fc.stringMatching(/^O'[A-Z][a-z]{2,6}$/),
		fc.stringMatching(/^[A-Z]\.$/),
		fc.constantFrom('Dr.', 'Mr', 'Mrs.', 'Jr.', 'III', 'PhD', 'van', 'de', 'la', 'der', 'von', 'Ms.', 'José', 'Zoë', 'Núñez'),
	);
	const name = fc.tuple(fc.array(token, { minLength: 1, maxLength: 6 }), fc.array(fc.constantFrom(' ', ', ', '  ', ','), { minLength: 6, maxLength: 6 })).map(
		([tokens, seps]) => tokens.map((t, i) => (i === 0 ? t : `${seps[i - 1]}${t}`)).join(''),
	);
	/** Multiset of the characters that carry information: spaces and commas only separate. */
	const chars = (s: string) => [...s.replace(/[\s,]/g, '')].sort().join('');

	it('output parts hold exactly the non-space, non-comma characters of the input', () => {
		fc.assert(
			fc.property(name, (input) => {
				const parts = splitName(input);
				fc.pre(!parts.isCompany);
				const out = parts.prefix + parts.firstName + parts.middleName + parts.lastName + parts.suffix;
				expect(chars(out)).toBe(chars(input));
			}),
			{ numRuns: RUNS.numRuns * 2 },
		);
	});
});
