import { toCountryCode } from '../../transforms';
import { error, value } from './helpers';

describe('country_code', () => {
	it.each([
		['United States', 'US'],
		['United States of America', 'US'],
		['USA', 'US'],
		['U.S.A.', 'US'],
		['u.s.', 'US'],
		['usa', 'US'],
		['us', 'US'],
		['Canada', 'CA'],
		['CAN', 'CA'],
		['ca', 'CA'],
		['  canada  ', 'CA'],
		['GBR', 'GB'],
		['UK', 'GB'],
		['United Kingdom', 'GB'],
		['Great Britain', 'GB'],
		['England', 'GB'],
		['Scotland', 'GB'],
		['Germany', 'DE'],
		['Deutschland', 'DE'],
		['deu', 'DE'],
		['Mexico', 'MX'],
		['México', 'MX'],
		['The Netherlands', 'NL'],
		['Holland', 'NL'],
		["Côte d'Ivoire", 'CI'],
		['Cote dIvoire', 'CI'],
		['Korea, Republic of', 'KR'],
		['Republic of Korea', 'KR'],
		['South Korea', 'KR'],
		['Russia', 'RU'],
		['Bosnia & Herzegovina', 'BA'],
		['fr', 'FR'],
	])('%j → %s', (input, expected) => {
		expect(value('country_code', undefined, input)).toBe(expected);
	});

	it('refuses unknown and ambiguous names', () => {
		const e = error('country_code', undefined, 'Narnia', 'country');
		expect(e.code).toBe('INVALID_FORMAT');
		expect(e.message).toBe('Field "country": "Narnia" is not a recognised country name or ISO 3166-1 code');
		expect(error('country_code', undefined, 'Congo').message).toContain('more than one country');
		expect(error('country_code', undefined, 'ZZ').code).toBe('INVALID_FORMAT');
		expect(error('country_code', undefined, 'XYZ').code).toBe('INVALID_FORMAT');
		expect(error('country_code', undefined, 840).code).toBe('INVALID_FORMAT');
	});

	it('passes null through, blank becomes empty', () => {
		expect(value('country_code', undefined, null)).toBeNull();
		expect(value('country_code', undefined, ' ')).toBe('');
	});

	it('is exported as toCountryCode', () => {
		expect(toCountryCode('Österreich')).toBe('AT');
		expect(toCountryCode('Atlantis')).toBeUndefined();
	});
});

describe('email_validate', () => {
	it.each([
		['john@example.com', 'john@example.com'],
		['  John.Smith@Example.COM ', 'john.smith@example.com'],
		['first+tag@sub.example.co.uk', 'first+tag@sub.example.co.uk'],
		["o'neil@example.ie", "o'neil@example.ie"],
		['user@xn--bcher-kva.example', 'user@xn--bcher-kva.example'],
		['josé@exämple.de', 'josé@exämple.de'],
	])('%j → %j', (input, expected) => {
		expect(value('email_validate', undefined, input)).toBe(expected);
	});

	it('keeps the local part’s case with lowercase false (the domain is always lower-cased)', () => {
		expect(value('email_validate', { lowercase: false }, ' John@Example.COM')).toBe('John@example.com');
	});

	it.each(['john', 'john@', '@example.com', 'john@example', 'john@@example.com', 'john doe@example.com', 'john@example..com', '.john@example.com', 'john.@example.com', 'john@-example.com', 'a@b.c', 'John <john@example.com>', `${'a'.repeat(65)}@example.com`, `a@${'b'.repeat(250)}.com`])(
		'%j is an Invalid Email',
		(input) => {
			const e = error('email_validate', undefined, input, 'email');
			expect(e.code).toBe('INVALID_EMAIL');
			expect(e.error).toBe('Invalid Email');
			expect(e.category).toBe('Data');
			expect(e.message).toContain('Field "email": ');
			expect(e.message).toContain('is not a valid email address');
		},
	);

	it('names the value in the message', () => {
		expect(error('email_validate', undefined, 'bad@', 'email').message).toBe('Field "email": "bad@" is not a valid email address');
	});

	it('passes null through, blank becomes empty, objects are refused', () => {
		expect(value('email_validate', undefined, null)).toBeNull();
		expect(value('email_validate', undefined, '   ')).toBe('');
		expect(error('email_validate', undefined, { email: 'a@b.co' }).code).toBe('INVALID_FORMAT');
		expect(error('email_validate', undefined, 42).code).toBe('INVALID_EMAIL');
	});
});

describe('value_map', () => {
	const stages = { map: { Lead: 'lead', 'Closed Won': 'won', Customer: 'client' } };

	it('maps, ignoring case and surrounding whitespace by default', () => {
		expect(value('value_map', stages, 'Lead')).toBe('lead');
		expect(value('value_map', stages, '  closed won ')).toBe('won');
		expect(value('value_map', stages, 'CUSTOMER')).toBe('client');
	});

	it('is case-sensitive on request', () => {
		expect(value('value_map', { ...stages, caseInsensitive: false }, 'lead')).toBe('lead');
		expect(value('value_map', { ...stages, caseInsensitive: false }, 'LEAD')).toBe('LEAD');
	});

	it('passes unmatched values through without a fallback', () => {
		expect(value('value_map', stages, 'Partner')).toBe('Partner');
	});

	it('uses the fallback, which may be null', () => {
		expect(value('value_map', { ...stages, fallback: 'other' }, 'Partner')).toBe('other');
		expect(value('value_map', { ...stages, fallback: null }, 'Partner')).toBeNull();
		expect(value('value_map', { ...stages, fallback: 'other', strict: true }, 'Partner')).toBe('other');
	});

	it('in strict mode refuses unmatched values, listing up to 10 allowed ones', () => {
		const e = error('value_map', { ...stages, strict: true }, 'Partner', 'stage');
		expect(e.code).toBe('INVALID_FORMAT');
		expect(e.message).toBe('Field "stage": "Partner" is not one of the mapped values (allowed: "Lead", "Closed Won", "Customer")');
		const many = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`v${i}`, i]));
		const long = error('value_map', { map: many, strict: true }, 'x').message;
		expect(long).toContain('"v9"');
		expect(long).not.toContain('"v10"');
		expect(long).toContain('and 2 more');
	});

	it('accepts a list of {from, to} and non-text outputs', () => {
		const map = [
			{ from: 1, to: true },
			{ from: 'yes', to: true },
			{ from: 'no', to: false },
		];
		expect(value('value_map', { map }, 1)).toBe(true);
		expect(value('value_map', { map }, '1')).toBe(true);
		expect(value('value_map', { map }, 'YES')).toBe(true);
		expect(value('value_map', { map }, 'no')).toBe(false);
		expect(value('value_map', { map }, false)).toBe(false);
	});

	it('passes null through and refuses objects', () => {
		expect(value('value_map', stages, null)).toBeNull();
		expect(error('value_map', stages, { a: 1 }).code).toBe('INVALID_FORMAT');
	});
});
