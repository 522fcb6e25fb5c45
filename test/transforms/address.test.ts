import { parseAddress, type AddressParts } from '../../transforms';
import { error, value } from './helpers';

const addr = (p: Partial<AddressParts>): AddressParts => ({
	street1: '',
	street2: '',
	city: '',
	province: '',
	postalCode: '',
	country: '',
	...p,
});

describe('parseAddress', () => {
	it.each<[string, Partial<AddressParts>]>([
		[
			'123 Main St, Apt 4, Springfield, IL 62704, US',
			{ street1: '123 Main St', street2: 'Apt 4', city: 'Springfield', province: 'IL', postalCode: '62704', country: 'US' },
		],
		[
			'123 Main St Apt 4, Springfield, IL 62704',
			{ street1: '123 Main St', street2: 'Apt 4', city: 'Springfield', province: 'IL', postalCode: '62704', country: 'US' },
		],
		[
			'123 Main St Apt 4 Springfield IL 62704',
			{ street1: '123 Main St', street2: 'Apt 4', city: 'Springfield', province: 'IL', postalCode: '62704', country: 'US' },
		],
		[
			'500 Market Street Suite 200, San Francisco, California 94105-1234, United States',
			{ street1: '500 Market Street', street2: 'Suite 200', city: 'San Francisco', province: 'CA', postalCode: '94105-1234', country: 'US' },
		],
		[
			'77 Elm Ave #5, Austin, TX 78701 USA',
			{ street1: '77 Elm Ave', street2: '#5', city: 'Austin', province: 'TX', postalCode: '78701', country: 'US' },
		],
		[
			'9 Oak Rd Ste. 3, Charleston, West Virginia 25301',
			{ street1: '9 Oak Rd', street2: 'Ste. 3', city: 'Charleston', province: 'WV', postalCode: '25301', country: 'US' },
		],
		[
			'Suite 300, 1 Infinite Loop, Cupertino, CA 95014',
			{ street1: '1 Infinite Loop', street2: 'Suite 300', city: 'Cupertino', province: 'CA', postalCode: '95014', country: 'US' },
		],
		[
			'350 5th Ave, New York, New York 10118',
			{ street1: '350 5th Ave', city: 'New York', province: 'NY', postalCode: '10118', country: 'US' },
		],
		[
			'500 Park Ave Park City UT 84060',
			{ street1: '500 Park Ave', city: 'Park City', province: 'UT', postalCode: '84060', country: 'US' },
		],
		[
			'PO Box 12, Springfield, Illinois 627041234',
			{ street1: 'PO Box 12', city: 'Springfield', province: 'IL', postalCode: '62704-1234', country: 'US' },
		],
		['Springfield, IL', { city: 'Springfield', province: 'IL', country: 'US' }],
		['Springfield, IL 62704', { city: 'Springfield', province: 'IL', postalCode: '62704', country: 'US' }],
		['Los Angeles, CA', { city: 'Los Angeles', province: 'CA', country: 'US' }],
		[
			'1200 Rue Sainte-Catherine O, Montréal, QC H3B 1A7, Canada',
			{ street1: '1200 Rue Sainte-Catherine O', city: 'Montréal', province: 'QC', postalCode: 'H3B 1A7', country: 'CA' },
		],
		[
			'12-345 Main St, Toronto, ON m5v2t6',
			{ street1: '345 Main St', street2: 'Unit 12', city: 'Toronto', province: 'ON', postalCode: 'M5V 2T6', country: 'CA' },
		],
		[
			'45 Rue Jacques-Cartier, Saint-Jean-sur-Richelieu, Québec J3B 1A1',
			{ street1: '45 Rue Jacques-Cartier', city: 'Saint-Jean-sur-Richelieu', province: 'QC', postalCode: 'J3B 1A1', country: 'CA' },
		],
		[
			'100 Queen St W, Toronto, Ontario M5H 2N2, CA',
			{ street1: '100 Queen St W', city: 'Toronto', province: 'ON', postalCode: 'M5H 2N2', country: 'CA' },
		],
		[
			'1055 W Georgia St, Vancouver, British Columbia V6E 3P3',
			{ street1: '1055 W Georgia St', city: 'Vancouver', province: 'BC', postalCode: 'V6E 3P3', country: 'CA' },
		],
		[
			'123-45 Queens Blvd, Forest Hills, NY 11375',
			{ street1: '123-45 Queens Blvd', city: 'Forest Hills', province: 'NY', postalCode: '11375', country: 'US' },
		],
		[
			'  123   Main St ,  Springfield ,IL   62704 ',
			{ street1: '123 Main St', city: 'Springfield', province: 'IL', postalCode: '62704', country: 'US' },
		],
	])('%j', (input, expected) => {
		expect(parseAddress(input)).toEqual(addr(expected));
	});

	it.each([
		'hello world',
		'123 Main St',
		'Springfield 62704',
		'Springfield IL',
		'123 Main St, Toronto, ON 62704',
		'123 Main St, Springfield, IL H3B 1A7',
		'123 Main St, Springfield, IL 62704, Canada',
		'10 Downing Street, London SW1A 2AA, UK',
		'IL 62704',
		'',
		'x'.repeat(10_000),
	])('%j is not an address: null, never a guess', (input) => {
		expect(parseAddress(input)).toBeNull();
	});

	it('returns a fresh object each time', () => {
		const a = parseAddress('Springfield, IL 62704') as AddressParts;
		a.city = 'changed';
		expect(parseAddress('Springfield, IL 62704')?.city).toBe('Springfield');
	});
});

describe('address_parse_*', () => {
	const line = '123 Main St, Apt 4, Springfield, Illinois 62704-1234, USA';

	it('each returns its component', () => {
		expect(value('address_parse_street', undefined, line)).toBe('123 Main St, Apt 4');
		expect(value('address_parse_street', { part: 'street1' }, line)).toBe('123 Main St');
		expect(value('address_parse_street', { part: 'street2' }, line)).toBe('Apt 4');
		expect(value('address_parse_city', undefined, line)).toBe('Springfield');
		expect(value('address_parse_state', undefined, line)).toBe('IL');
		expect(value('address_parse_zip', undefined, line)).toBe('62704-1234');
		expect(value('address_parse_state', undefined, '1 Rue X, Montréal, Québec h3b1a7')).toBe('QC');
		expect(value('address_parse_zip', undefined, '1 Rue X, Montréal, Québec h3b1a7')).toBe('H3B 1A7');
	});

	it('fails with Invalid Format naming the field and value', () => {
		const e = error('address_parse_city', undefined, 'somewhere over the rainbow', 'billing_address');
		expect(e.code).toBe('INVALID_FORMAT');
		expect(e.message).toMatch(/^Field "billing_address": "somewhere over the rainbow" is not a recognisable US or Canadian address/);
		expect(error('address_parse_zip', undefined, 42).code).toBe('INVALID_FORMAT');
	});

	it('reads the component of an address object', () => {
		const obj = { street: '1 Main St', unit: 'Apt 2', locality: 'Austin', region: 'Texas', zipcode: '78701', country: 'US' };
		expect(value('address_parse_street', undefined, obj)).toBe('1 Main St, Apt 2');
		expect(value('address_parse_city', undefined, obj)).toBe('Austin');
		expect(value('address_parse_state', undefined, obj)).toBe('TX');
		expect(value('address_parse_zip', undefined, { postal_code: 'h3b1a7' })).toBe('H3B 1A7');
		expect(value('address_parse_city', undefined, {})).toBe('');
	});

	it('passes null through and blank becomes empty', () => {
		expect(value('address_parse_city', undefined, null)).toBeNull();
		expect(value('address_parse_city', undefined, '  ')).toBe('');
	});
});

describe('address_single_line', () => {
	it('joins an address object, omitting empty parts', () => {
		expect(
			value('address_single_line', undefined, {
				street1: '123 Main St',
				street2: 'Apt 4',
				city: 'Springfield',
				province: 'IL',
				postalCode: '62704',
				country: 'US',
			}),
		).toBe('123 Main St, Apt 4, Springfield, IL 62704, US');
		expect(value('address_single_line', undefined, { street1: '123 Main St', street2: '', city: 'Springfield', state: 'IL' })).toBe(
			'123 Main St, Springfield, IL',
		);
		expect(value('address_single_line', undefined, { city: 'Springfield', zip: 62704 })).toBe('Springfield, 62704');
		expect(value('address_single_line', undefined, {})).toBe('');
	});

	it('accepts common key aliases (HubSpot, Salesforce, Jobber, Pipedrive)', () => {
		expect(
			value('address_single_line', undefined, { address: '1 Main St', city: 'Austin', state: 'TX', zip: '78701', country: 'USA' }),
		).toBe('1 Main St, Austin, TX 78701, USA');
		expect(
			value('address_single_line', undefined, { street: '1 Main St\nFloor 2', city: 'Austin', stateCode: 'TX', postalCode: '78701' }),
		).toBe('1 Main St, Floor 2, Austin, TX 78701');
		expect(
			value('address_single_line', undefined, {
				street_number: '1',
				route: 'Main St',
				subpremise: '2',
				locality: 'Austin',
				admin_area_level_1: 'TX',
				postal_code: '78701',
				country: 'United States',
			}),
		).toBe('1 Main St, 2, Austin, TX 78701, United States');
		expect(value('address_single_line', undefined, { address_1: '1 Main St', address_2: 'Apt 3', city: 'Austin' })).toBe(
			'1 Main St, Apt 3, Austin',
		);
	});

	it('leaves the country out with includeCountry false', () => {
		expect(value('address_single_line', { includeCountry: false }, { city: 'Toronto', province: 'ON', country: 'CA' })).toBe('Toronto, ON');
	});

	it('normalises a string: whitespace and dangling commas', () => {
		expect(value('address_single_line', undefined, '  123  Main St ,, Springfield,  IL 62704 , ')).toBe('123 Main St, Springfield, IL 62704');
	});

	it('refuses a component that is not text', () => {
		const e = error('address_single_line', undefined, { city: { name: 'Austin' } });
		expect(e.code).toBe('INVALID_FORMAT');
		expect(e.message).toContain('"city" that is an object');
		expect(error('address_single_line', undefined, ['1 Main St']).code).toBe('INVALID_FORMAT');
	});
});
