import { compileTransform, TRANSFORM_NAMES, type TransformName } from '../../transforms';
import { expectClassified } from './helpers';

/** Options that make every transform compile; strict value_map exercises its failure path too. */
const CONFIGS: Array<[string, TransformName, Record<string, unknown> | undefined]> = [
	...TRANSFORM_NAMES.map((name): [string, TransformName, Record<string, unknown> | undefined] => [name, name, undefined]).filter(
		([, name]) => name !== 'truncate' && name !== 'value_map',
	),
	['truncate', 'truncate', { maxLength: 10, ellipsis: '…' }],
	['value_map', 'value_map', { map: { a: 'b' } }],
	['value_map strict', 'value_map', { map: { a: 'b' }, strict: true }],
	['split_name first', 'split_name', { output: 'first' }],
	['date_iso format', 'date_iso', { inputFormat: 'dd.MM.yyyy', zone: 'America/Chicago', output: 'date' }],
	['phone_e164 reject', 'phone_e164', { extension: 'reject', defaultCountry: 'CA' }],
	['default object', 'default', { value: { a: 1 } }],
];

const MEGA = 'a'.repeat(1_000_000);
const BAD_INPUTS: Array<[string, unknown]> = [
	['empty string', ''],
	['null', null],
	['undefined', undefined],
	['whitespace', '   '],
	['zero', 0],
	['42', 42],
	['NaN', Number.NaN],
	['Infinity', Number.POSITIVE_INFINITY],
	['true', true],
	['false', false],
	['empty object', {}],
	['empty array', []],
	['nested array', [['a'], { b: 1 }]],
	['Date', new Date('2024-03-05T00:00:00Z')],
	['invalid Date', new Date('x')],
	['bigint', BigInt(12)],
	['symbol', Symbol('s')],
	['function', () => 1],
	['1,000,000 chars', MEGA],
	['1,000,000 spaces', ' '.repeat(1_000_000)],
	['1,000,000 emoji', '😀'.repeat(500_000)],
	['1,000,000 commas', ', '.repeat(500_000)],
	['emoji', '👩‍🔧🚐'],
	['RTL Hebrew', 'שלום עולם'],
	['RTL Arabic', 'مرحبا'],
	['SQL injection', "'; DROP TABLE users; --"],
	['SQL boolean', '") OR 1=1 --'],
	['script tag', '<script>alert(1)</script>'],
	['n8n expression', '{{ $json.password }}'],
	['prototype key', '__proto__'],
	['lone surrogate', '\ud800abc'],
	['control characters', '\u0000\u0007\u001b[31m'],
	['zero-width', '\u200b\u200d\ufeff'],
	['object with toString', { toString: () => 'x' }],
];

describe.each(CONFIGS)('%s never throws on bad input', (_label, name, options) => {
	const transform = compileTransform(options === undefined ? { name } : { name, options });

	it.each(BAD_INPUTS)('%s', (_kind, input) => {
		const started = Date.now();
		let result;
		expect(() => {
			result = transform(input, { field: 'bad_field' });
		}).not.toThrow();
		expect(result).toBeDefined();
		expectClassified(result!, 'bad_field');
		// A value that breaks a transform must cost microseconds, not a stalled batch.
		expect(Date.now() - started).toBeLessThan(2000);
	});
});

describe('null and undefined', () => {
	const passThrough = TRANSFORM_NAMES.filter((n) => n !== 'default' && n !== 'concatenate');

	it.each(passThrough)('%s passes them through unchanged', (name) => {
		const options = name === 'truncate' ? { maxLength: 3 } : name === 'value_map' ? { map: {} } : undefined;
		const t = compileTransform({ name, options });
		expect(t(null, { field: 'f' })).toEqual({ ok: true, value: null });
		expect(t(undefined, { field: 'f' })).toEqual({ ok: true, value: undefined });
	});

	it('default fills them and concatenate skips them', () => {
		expect(compileTransform({ name: 'default' })(null, { field: 'f' })).toEqual({ ok: true, value: '' });
		expect(compileTransform({ name: 'concatenate' })(undefined, { field: 'f' })).toEqual({ ok: true, value: '' });
	});
});

describe('objects and arrays where a scalar is expected', () => {
	const scalarOnly = TRANSFORM_NAMES.filter((n) => !['default', 'concatenate', 'address_single_line', 'address_parse_street', 'address_parse_city', 'address_parse_state', 'address_parse_zip'].includes(n));

	it.each(scalarOnly)('%s gives Invalid Format naming the type', (name) => {
		const options = name === 'truncate' ? { maxLength: 3 } : name === 'value_map' ? { map: {} } : undefined;
		const t = compileTransform({ name, options });
		for (const [input, kind] of [
			[{ a: 1 }, 'an object'],
			[[1, 2], 'an array'],
		] as const) {
			const r = t(input, { field: 'f' });
			expect(r.ok).toBe(false);
			if (!r.ok) {
				expect(r.error.code).toBe('INVALID_FORMAT');
				expect(r.error.message).toContain(kind);
				expect(r.error.value).toBe(input);
			}
		}
	});
});

describe('a throwing value costs one record, not the batch', () => {
	it('becomes Transform Failed', () => {
		const hostile = {
			get street() {
				throw new Error('boom');
			},
		};
		const r = compileTransform({ name: 'address_single_line' })(hostile, { field: 'addr' });
		expect(r.ok).toBe(false);
		if (!r.ok) {
			expect(r.error.code).toBe('TRANSFORM_FAILED');
			expect(r.error.category).toBe('Mapping');
			expect(r.error.message).toContain('Field "addr"');
		}
	});
});
