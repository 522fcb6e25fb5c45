import { splitName, type NameParts } from '../../transforms';
import { error, value } from './helpers';

const parts = (p: Partial<NameParts>): NameParts => ({
	prefix: '',
	firstName: '',
	middleName: '',
	lastName: '',
	suffix: '',
	isCompany: false,
	...p,
});

describe('split_name', () => {
	it.each<[string, Partial<NameParts>]>([
		['John Smith', { firstName: 'John', lastName: 'Smith' }],
		['  John   Smith  ', { firstName: 'John', lastName: 'Smith' }],
		['John Michael Smith', { firstName: 'John', middleName: 'Michael', lastName: 'Smith' }],
		['J. R. R. Tolkien', { firstName: 'J.', middleName: 'R. R.', lastName: 'Tolkien' }],
		['Smith, John', { firstName: 'John', lastName: 'Smith' }],
		['Smith, John Michael', { firstName: 'John', middleName: 'Michael', lastName: 'Smith' }],
		['de la Cruz, Maria', { firstName: 'Maria', lastName: 'de la Cruz' }],
		['Dr. Jane Doe', { prefix: 'Dr.', firstName: 'Jane', lastName: 'Doe' }],
		['Mrs Jane Doe', { prefix: 'Mrs', firstName: 'Jane', lastName: 'Doe' }],
		['Prof. Dr. Hans Müller', { prefix: 'Prof. Dr.', firstName: 'Hans', lastName: 'Müller' }],
		['Dr. Smith', { prefix: 'Dr.', lastName: 'Smith' }],
		['John Smith Jr.', { firstName: 'John', lastName: 'Smith', suffix: 'Jr.' }],
		['John Smith, Jr.', { firstName: 'John', lastName: 'Smith', suffix: 'Jr.' }],
		['John Smith III', { firstName: 'John', lastName: 'Smith', suffix: 'III' }],
		['Jane Doe, PhD, MD', { firstName: 'Jane', lastName: 'Doe', suffix: 'PhD, MD' }],
		['Smith Jr., John', { firstName: 'John', lastName: 'Smith', suffix: 'Jr.' }],
		['Mr. John Q. Public Esq.', { prefix: 'Mr.', firstName: 'John', middleName: 'Q.', lastName: 'Public', suffix: 'Esq.' }],
		['Ludwig van Beethoven', { firstName: 'Ludwig', lastName: 'van Beethoven' }],
		['Vincent van der Berg', { firstName: 'Vincent', lastName: 'van der Berg' }],
		['Maria de la Cruz', { firstName: 'Maria', lastName: 'de la Cruz' }],
		['Juan Carlos de la Vega', { firstName: 'Juan', middleName: 'Carlos', lastName: 'de la Vega' }],
		['Leonardo da Vinci', { firstName: 'Leonardo', lastName: 'da Vinci' }],
		['Robert De Niro', { firstName: 'Robert', lastName: 'De Niro' }],
		['Otto von Bismarck', { firstName: 'Otto', lastName: 'von Bismarck' }],
		['Shaun O\'Neil', { firstName: 'Shaun', lastName: "O'Neil" }],
		['Ronald McDonald', { firstName: 'Ronald', lastName: 'McDonald' }],
		['Mary-Jane Smith-Jones', { firstName: 'Mary-Jane', lastName: 'Smith-Jones' }],
		['Cher', { firstName: 'Cher' }],
		['José Álvarez', { firstName: 'José', lastName: 'Álvarez' }],
	])('%j', (input, expected) => {
		expect(value('split_name', undefined, input)).toEqual(parts(expected));
	});

	it.each([
		'Acme Plumbing LLC',
		'Acme Plumbing',
		'Smith & Sons',
		'Globex Inc.',
		'Initech, Inc.',
		'Northwind Traders Ltd',
		'Contoso Corp',
		'Bob’s Heating & Cooling Co.',
		'Green Lawn Services',
		'Summit Group',
		'Riverside Company',
	])('%j is a company, kept whole as the last name', (input) => {
		expect(value('split_name', undefined, input)).toEqual(parts({ lastName: input.trim(), isCompany: true }));
	});

	it('returns one part as text with output', () => {
		expect(value('split_name', { output: 'first' }, 'Dr. Jane Q. Doe')).toBe('Jane');
		expect(value('split_name', { output: 'last' }, 'Dr. Jane Q. Doe')).toBe('Doe');
		expect(value('split_name', { output: 'middle' }, 'Dr. Jane Q. Doe')).toBe('Q.');
		expect(value('split_name', { output: 'prefix' }, 'Dr. Jane Q. Doe')).toBe('Dr.');
		expect(value('split_name', { output: 'last' }, 'Acme Plumbing LLC')).toBe('Acme Plumbing LLC');
		expect(value('split_name', { output: 'first' }, 'Acme Plumbing LLC')).toBe('');
	});

	it('passes null through, blank gives empty parts, objects are refused', () => {
		expect(value('split_name', undefined, null)).toBeNull();
		expect(value('split_name', undefined, '   ')).toEqual(parts({}));
		expect(value('split_name', { output: 'first' }, '')).toBe('');
		expect(error('split_name', undefined, { first: 'a' }).code).toBe('INVALID_FORMAT');
	});

	it('is exported as splitName for reuse', () => {
		expect(splitName('Smith, Jane')).toEqual(parts({ firstName: 'Jane', lastName: 'Smith' }));
	});
});
