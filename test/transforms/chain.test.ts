import fc from 'fast-check';
import { compileChain, formatChain, parseChain, TransformConfigError, type TransformSpec } from '../../transforms';

function chainError(text: string): TransformConfigError {
	try {
		parseChain(text);
	} catch (err) {
		expect(err).toBeInstanceOf(TransformConfigError);
		return err as TransformConfigError;
	}
	throw new Error(`expected ${JSON.stringify(text)} to be refused`);
}

describe('parseChain', () => {
	it('parses names, key=value options and JSON options', () => {
		expect(parseChain('trim | lowercase')).toEqual([{ name: 'trim' }, { name: 'lowercase' }]);
		expect(parseChain('phone_e164(defaultCountry=CA)')).toEqual([{ name: 'phone_e164', options: { defaultCountry: 'CA' } }]);
		expect(parseChain('truncate(maxLength=40)')).toEqual([{ name: 'truncate', options: { maxLength: 40 } }]);
		expect(parseChain('date_iso(inputFormat=MM/dd/yyyy, zone=America/Chicago)')).toEqual([
			{ name: 'date_iso', options: { inputFormat: 'MM/dd/yyyy', zone: 'America/Chicago' } },
		]);
		expect(parseChain('value_map({"map":{"Lead":"lead"},"fallback":"other"})')).toEqual([
			{ name: 'value_map', options: { map: { Lead: 'lead' }, fallback: 'other' } },
		]);
	});

	it('coerces numbers and booleans only for numeric and boolean options', () => {
		expect(parseChain('trim(collapseWhitespace=false)')).toEqual([{ name: 'trim', options: { collapseWhitespace: false } }]);
		expect(parseChain('default(value=0)')).toEqual([{ name: 'default', options: { value: '0' } }]);
		expect(parseChain('default(value=N/A)')).toEqual([{ name: 'default', options: { value: 'N/A' } }]);
		expect(parseChain('default({"value": 0})')).toEqual([{ name: 'default', options: { value: 0 } }]);
	});

	it('takes quoted values (commas, parentheses, pipes) and inline JSON values', () => {
		expect(parseChain('concatenate(separator=", ")')).toEqual([{ name: 'concatenate', options: { separator: ', ' } }]);
		expect(parseChain('truncate(maxLength=10, ellipsis="…") | default(value="a|b(c)")')).toEqual([
			{ name: 'truncate', options: { maxLength: 10, ellipsis: '…' } },
			{ name: 'default', options: { value: 'a|b(c)' } },
		]);
		expect(parseChain('date_iso(inputFormat="LLL d, yyyy")')).toEqual([{ name: 'date_iso', options: { inputFormat: 'LLL d, yyyy' } }]);
		expect(parseChain('value_map(map={"a": "b"}, strict=true)')).toEqual([{ name: 'value_map', options: { map: { a: 'b' }, strict: true } }]);
	});

	it('tolerates whitespace and returns [] for an empty chain', () => {
		expect(parseChain('  trim  |lowercase|  truncate ( maxLength = 5 )  ')).toEqual([
			{ name: 'trim' },
			{ name: 'lowercase' },
			{ name: 'truncate', options: { maxLength: 5 } },
		]);
		expect(parseChain('')).toEqual([]);
		expect(parseChain('   ')).toEqual([]);
		expect(parseChain('trim()')).toEqual([{ name: 'trim' }]);
	});

	it('reports the step and column at fault', () => {
		expect(chainError('trim | phone_e16').message).toMatch(/column 8: step 2: unknown transform "phone_e16"/);
		expect(chainError('trim | ').message).toMatch(/column 8: step 2 is empty/);
		expect(chainError('trim | | lowercase').message).toMatch(/step 2 is empty/);
		expect(chainError('truncate(maxLength=abc)').message).toMatch(/step 1: Transform "truncate": option "maxLength" is invalid/);
		expect(chainError('trim | truncate').option).toBe('maxLength');
		expect(chainError('trim(bogus=1)').option).toBe('bogus');
		expect(chainError('truncate(40)').message).toMatch(/expected option=value/);
		expect(chainError('truncate(maxLength=4, maxLength=5)').message).toMatch(/given twice/);
		expect(chainError('trim((').message).toMatch(/column 6: "\(" is never closed/);
		expect(chainError('trim)').message).toMatch(/column 5: unexpected "\)"/);
		expect(chainError('default(value="open)').message).toMatch(/unterminated quoted value/);
		expect(chainError('value_map({"map": })').message).toMatch(/invalid JSON/);
		expect(chainError('value_map([1])').message).toMatch(/expected option=value|must be a JSON object/);
		expect(chainError('trim lowercase').message).toMatch(/expected "\(" after trim/);
		expect(chainError('date_iso(zone=Mars/Base)').option).toBe('zone');
	});
});

describe('formatChain', () => {
	it('writes the compact syntax', () => {
		expect(
			formatChain([
				{ name: 'trim' },
				{ name: 'phone_e164', options: { defaultCountry: 'CA' } },
				{ name: 'truncate', options: { maxLength: 40, ellipsis: '…' } },
				{ name: 'concatenate', options: { separator: ', ' } },
				{ name: 'default', options: { value: 0 } },
				{ name: 'value_map', options: { map: { Lead: 'lead' }, fallback: 'other' } },
			]),
		).toBe(
			'trim | phone_e164(defaultCountry=CA) | truncate(maxLength=40, ellipsis=…) | concatenate(separator=", ") | default({"value":0}) | value_map(map={"Lead":"lead"}, fallback=other)',
		);
		expect(formatChain([])).toBe('');
		expect(formatChain([{ name: 'trim', options: {} }])).toBe('trim');
	});

	it('round-trips through parseChain', () => {
		const specs: TransformSpec[] = [
			{ name: 'trim', options: { collapseWhitespace: false } },
			{ name: 'date_iso', options: { inputFormat: 'LLL d, yyyy', zone: 'America/Chicago', output: 'date' } },
			{ name: 'default', options: { value: null } },
			{ name: 'default', options: { value: 'true' } },
			{ name: 'value_map', options: { map: [{ from: 1, to: 'one' }], strict: true, fallback: { x: 1 } } },
			{ name: 'split_name', options: { output: 'last' } },
			{ name: 'address_parse_street', options: { part: 'street2' } },
		];
		expect(parseChain(formatChain(specs))).toEqual(specs);
	});

	it('round-trips arbitrary option text', () => {
		const text = fc.string({ unit: 'grapheme', maxLength: 20 });
		const spec = fc.oneof(
			fc.record({ name: fc.constant('default' as const), options: fc.record({ value: fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null)) }) }),
			fc.record({ name: fc.constant('concatenate' as const), options: fc.record({ separator: text, skipEmpty: fc.boolean() }) }),
			fc.record({ name: fc.constant('truncate' as const), options: fc.record({ maxLength: fc.integer({ min: 25, max: 999 }), ellipsis: text }) }),
			fc.record({ name: fc.constant('value_map' as const), options: fc.record({ map: fc.dictionary(text, text), fallback: text }) }),
			fc.constant({ name: 'uppercase' as const }),
		);
		fc.assert(
			fc.property(fc.array(spec, { maxLength: 4 }), (specs) => {
				expect(parseChain(formatChain(specs))).toEqual(specs);
			}),
			{ numRuns: 300 },
		);
	});

	it('a parsed chain compiles and runs', () => {
		const chain = compileChain(parseChain('trim | split_name(output=last) | uppercase | truncate(maxLength=6, ellipsis=.)'));
		expect(chain('  Dr. Maria de la Cruz ', { field: 'name' })).toEqual({ ok: true, value: 'DE LA.' });
	});
});
