import { error, value } from './helpers';

describe('trim', () => {
	it.each([
		['  Jane  Doe  ', 'Jane Doe'],
		['\u00a0Jane\u00a0\u00a0Doe\u00a0', 'Jane Doe'],
		['\tline one\n\nline two\r\n', 'line one line two'],
		['\u3000全角\u3000', '全角'],
		['', ''],
		['   ', ''],
		['already clean', 'already clean'],
	])('%j → %j', (input, expected) => {
		expect(value('trim', undefined, input)).toBe(expected);
	});

	it('keeps internal whitespace when collapseWhitespace is false', () => {
		expect(value('trim', { collapseWhitespace: false }, '  a \t b  ')).toBe('a \t b');
	});

	it('coerces numbers and booleans to text', () => {
		expect(value('trim', undefined, 42)).toBe('42');
		expect(value('trim', undefined, 0)).toBe('0');
		expect(value('trim', undefined, true)).toBe('true');
	});

	it('passes null and undefined through', () => {
		expect(value('trim', undefined, null)).toBeNull();
		expect(value('trim', undefined, undefined)).toBeUndefined();
	});

	it('refuses objects and arrays with Invalid Format naming the type', () => {
		const e = error('trim', undefined, { a: 1 });
		expect(e.code).toBe('INVALID_FORMAT');
		expect(e.message).toBe('Field "field_x": {"a":1} is an object, not text');
		expect(error('trim', undefined, ['a']).message).toContain('is an array');
		expect(error('trim', undefined, Number.NaN).message).toContain('NaN');
	});

	it('keeps injection-looking text as data', () => {
		expect(value('trim', undefined, " '; DROP TABLE users; -- ")).toBe("'; DROP TABLE users; --");
		expect(value('trim', undefined, '<script>alert(1)</script>')).toBe('<script>alert(1)</script>');
		expect(value('trim', undefined, '{{ $json.secret }}')).toBe('{{ $json.secret }}');
	});
});

describe('lowercase / uppercase', () => {
	it('converts case without locale rules', () => {
		expect(value('lowercase', undefined, 'JOHN@EXAMPLE.COM')).toBe('john@example.com');
		expect(value('lowercase', undefined, 'TITLE')).toBe('title'); // never a Turkish dotless ı
		expect(value('uppercase', undefined, 'title')).toBe('TITLE');
		expect(value('uppercase', undefined, 'straße')).toBe('STRASSE');
		expect(value('lowercase', undefined, 'ÉCOLE Montréal')).toBe('école montréal');
	});

	it('keeps RTL and emoji text intact', () => {
		expect(value('uppercase', undefined, 'שלום עולם')).toBe('שלום עולם');
		expect(value('lowercase', undefined, '👩‍🔧🚐 VAN')).toBe('👩‍🔧🚐 van');
	});

	it('coerces numbers, passes null', () => {
		expect(value('uppercase', undefined, 12.5)).toBe('12.5');
		expect(value('lowercase', undefined, null)).toBeNull();
	});
});

describe('truncate', () => {
	it('cuts to maxLength UTF-16 code units', () => {
		expect(value('truncate', { maxLength: 5 }, 'Hello world')).toBe('Hello');
		expect(value('truncate', { maxLength: 40 }, 'short')).toBe('short');
		expect(value('truncate', { maxLength: 5 }, 'exact')).toBe('exact');
	});

	it('counts the ellipsis in the limit', () => {
		expect(value('truncate', { maxLength: 8, ellipsis: '…' }, 'Hello world')).toBe('Hello w…');
		expect(value('truncate', { maxLength: 8, ellipsis: '...' }, 'Hello world')).toBe('Hello...');
	});

	it('never splits an emoji, a ZWJ sequence, a flag or an accent', () => {
		// 👩‍🔧 is 5 code units; cutting at 4 would leave half of it.
		expect(value('truncate', { maxLength: 4 }, '👩‍🔧🚐')).toBe('');
		expect(value('truncate', { maxLength: 6 }, '👩‍🔧🚐')).toBe('👩‍🔧');
		expect(value('truncate', { maxLength: 7 }, '👩‍🔧🚐')).toBe('👩‍🔧🚐');
		expect(value('truncate', { maxLength: 3 }, 'ab🇨🇦')).toBe('ab');
		expect(value('truncate', { maxLength: 2 }, 'ae\u0301')).toBe('a');
		expect(value('truncate', { maxLength: 1 }, '\r\n')).toBe('');
	});

	it('handles a 1 MB string quickly', () => {
		const big = 'x'.repeat(1_000_000);
		expect(value('truncate', { maxLength: 255 }, big)).toBe('x'.repeat(255));
		expect((value('truncate', { maxLength: 999_999 }, `😀${big}`) as string).length).toBe(999_999);
	});

	it('coerces numbers, passes null', () => {
		expect(value('truncate', { maxLength: 3 }, 123456)).toBe('123');
		expect(value('truncate', { maxLength: 3 }, null)).toBeNull();
	});
});

describe('default', () => {
	it('fills null, undefined, empty and whitespace-only values with an empty string by default', () => {
		for (const missing of [null, undefined, '', '   ', '\u00a0\t']) expect(value('default', undefined, missing)).toBe('');
	});

	it('fills with any JSON value and leaves present values alone', () => {
		expect(value('default', { value: 'US' }, null)).toBe('US');
		expect(value('default', { value: 0 }, '')).toBe(0);
		expect(value('default', { value: null }, undefined)).toBeNull();
		expect(value('default', { value: 'US' }, 'CA')).toBe('CA');
		expect(value('default', { value: 'x' }, 0)).toBe(0);
		expect(value('default', { value: 'x' }, false)).toBe(false);
		expect(value('default', { value: 'x' }, { a: 1 })).toEqual({ a: 1 });
	});

	it('gives each record its own copy of an object default', () => {
		const a = value('default', { value: { tags: [] } }, null) as { tags: string[] };
		a.tags.push('changed');
		expect(value('default', { value: { tags: [] } }, null)).toEqual({ tags: [] });
	});
});

describe('concatenate', () => {
	it('joins a list with a space by default, skipping empty parts', () => {
		expect(value('concatenate', undefined, ['John', null, '', '  ', 'Smith'])).toBe('John Smith');
		expect(value('concatenate', undefined, [' John ', 'Smith '])).toBe('John Smith');
	});

	it('uses the separator without doubling it', () => {
		expect(value('concatenate', { separator: ', ' }, ['123 Main St', '', 'Springfield', undefined, 'IL'])).toBe('123 Main St, Springfield, IL');
		expect(value('concatenate', { separator: '-' }, [2024, 3, 5])).toBe('2024-3-5');
	});

	it('keeps empty parts when skipEmpty is false', () => {
		expect(value('concatenate', { separator: ',', skipEmpty: false }, ['a', null, 'b'])).toBe('a,,b');
	});

	it('keeps parts untrimmed when trimParts is false', () => {
		expect(value('concatenate', { trimParts: false }, [' a ', 'b'])).toBe(' a  b');
	});

	it('treats a scalar as one part and null as no parts', () => {
		expect(value('concatenate', undefined, 'alone')).toBe('alone');
		expect(value('concatenate', undefined, null)).toBe('');
		expect(value('concatenate', undefined, [])).toBe('');
	});

	it('refuses a part that is an object', () => {
		const e = error('concatenate', undefined, ['a', { b: 1 }]);
		expect(e.code).toBe('INVALID_FORMAT');
		expect(e.message).toContain('part 2 is an object');
	});
});
