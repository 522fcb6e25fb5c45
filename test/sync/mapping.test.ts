import fc from 'fast-check';
import { compileMapping, getPreset, MappingConfigError, PRESETS, suggestPairs } from '../../sync/mapping';
import { getAt, parsePath, setAt } from '../../sync/mapping/path';

describe('field paths', () => {
	test('dotted, indexed and quoted paths read and write nested records', () => {
		expect(parsePath('billing_address.postal_code')).toEqual(['billing_address', 'postal_code']);
		expect(parsePath('emails[0].address')).toEqual(['emails', 0, 'address']);
		expect(parsePath('custom["a.b"]')).toEqual(['custom', 'a.b']);
		const rec: Record<string, unknown> = {};
		setAt(rec, parsePath('emails[1].address'), 'x@y.com');
		expect(rec).toEqual({ emails: [undefined, { address: 'x@y.com' }] });
		expect(getAt(rec, parsePath('emails[1].address'))).toBe('x@y.com');
		expect(getAt(rec, parsePath('emails[5].address'))).toBeUndefined();
	});

	test('bad paths and prototype keys are refused', () => {
		expect(() => parsePath('a..b')).toThrow(/empty segment/);
		expect(() => parsePath('a[')).toThrow(/never closed/);
		expect(() => parsePath('')).toThrow(/empty/);
		expect(() => setAt({}, parsePath('__proto__.polluted'), 1)).toThrow(/not allowed/);
		expect(({} as any).polluted).toBeUndefined();
	});
});

describe('mapping engine', () => {
	const hubspotToJobber = compileMapping(getPreset('hubspot_contact_to_jobber_client').mapping);

	test('the HubSpot → Jobber preset maps a clean contact into Jobber client input', () => {
		const result = hubspotToJobber.apply({
			firstname: ' Ann ',
			lastname: 'Lee',
			company: 'Acme Plumbing',
			email: 'ANN.LEE@EXAMPLE.COM',
			phone: '(217) 555-0143',
			address: '12 Main St',
			city: 'Springfield',
			state: 'IL',
			zip: '62704',
			country: 'United States',
		});
		expect(result.errors).toEqual([]);
		expect(result.fields).toEqual({
			firstName: 'Ann',
			lastName: 'Lee',
			companyName: 'Acme Plumbing',
			emails: [{ address: 'ann.lee@example.com' }],
			phones: [{ number: '+12175550143' }],
			billingAddress: { street1: '12 Main St', city: 'Springfield', province: 'IL', postalCode: '62704', country: 'US' },
		});
	});

	test('an invalid record lists all of its field errors, not only the first', () => {
		const result = hubspotToJobber.apply({ firstname: 'Bob', email: 'bob@@x', phone: 'call me maybe', country: 'Atlantis' });
		expect(result.valid).toBe(false);
		expect(result.errors.map((e) => [e.field, e.code])).toEqual([
			['email', 'INVALID_EMAIL'],
			['phone', 'INVALID_FORMAT'],
			['country', 'INVALID_FORMAT'],
		]);
	});

	test('absent fields are left out (partial records), null clears, required and defaults apply', () => {
		const m = compileMapping({
			pairs: [
				{ source: 'email', target: 'Email', required: true },
				{ source: 'title', target: 'Title', default: '' },
				{ source: 'city', target: 'City' },
				{ target: 'LeadSource', default: 'n8n' },
			],
		});
		expect(m.apply({ email: 'a@b.co', city: null }).fields).toEqual({ Email: 'a@b.co', Title: '', City: null, LeadSource: 'n8n' });
		const missing = m.apply({ email: '   ' });
		expect(missing.errors).toHaveLength(1);
		expect(missing.errors[0]).toMatchObject({ code: 'REQUIRED_FIELD_MISSING', category: 'Data', field: 'email' });
		expect(missing.errors[0].message).toContain('"Email" is required');
	});

	test('many-to-one concatenates, one-to-many splits into several targets', () => {
		const m = compileMapping({
			pairs: [
				{ source: ['firstname', 'lastname'], target: 'name', transform: 'concatenate' },
				{ source: 'contact', targets: { firstName: 'first', lastName: 'last' }, transform: 'split_name' },
			],
		});
		expect(m.apply({ firstname: 'Ann', lastname: 'Lee', contact: 'Dr. Maria del Carmen Ruiz Jr.' }).fields).toEqual({
			name: 'Ann Lee',
			first: 'Maria',
			last: expect.stringContaining('Ruiz'),
		});
	});

	test('Skip invalid drops the value and reports a warning; the record stays valid', () => {
		const m = compileMapping({ pairs: [{ source: 'phone', target: 'Phone', transform: 'phone_e164', skipInvalid: true }, { source: 'n', target: 'N' }] });
		const r = m.apply({ phone: '(555) ABC-1234', n: 1 });
		expect(r.valid).toBe(true);
		expect(r.fields).toEqual({ N: 1 });
		expect(r.warnings[0]).toMatchObject({ code: 'INVALID_FORMAT', field: 'phone' });
	});

	test('bidirectional mappings flow back with reverse transforms and honour per-field direction', () => {
		const m = compileMapping(getPreset('salesforce_contact_hubspot_contact').mapping);
		const back = m.apply({ firstname: 'A'.repeat(60), lastname: 'Lee', email: 'X@Y.COM', city: 'Québec' }, 'reverse');
		expect(back.fields).toEqual({ FirstName: 'A'.repeat(40), LastName: 'Lee', Email: 'x@y.com', MailingCity: 'Québec' });
		const pd = compileMapping(getPreset('pipedrive_person_jobber_client').mapping);
		const forward = pd.apply({ first_name: 'Ann', postal_address: { value: '456 Rue Sainte-Catherine Ouest, Suite 200, Montréal, QC H3B 1A7, Canada' } });
		expect(forward.fields.billingAddress).toMatchObject({ city: 'Montréal', province: 'QC', postalCode: 'H3B 1A7' });
		const reverse = pd.apply({ firstName: 'Ann', billingAddress: { street1: '12 Main St', city: 'Austin', province: 'TX', postalCode: '78701', country: 'US' } }, 'reverse');
		expect(reverse.fields).toEqual({ first_name: 'Ann', postal_address: { value: '12 Main St, Austin, TX 78701, US' } });
	});

	test('configuration mistakes fail at once and name the pair', () => {
		const cases: Array<[unknown, RegExp]> = [
			[{ pairs: [{ source: 'a', target: 'x', transform: 'phone_e165' }] }, /#1 \(a → x\).*phone_e165/],
			[{ pairs: [{ source: 'a', target: 'x' }, { source: 'b', target: 'x' }] }, /#2 \(b → x\).*already written by pair #1/],
			[{ pairs: [{ source: 'a', target: 'x', transform: 'truncate(maxLength=zero)' }] }, /#1 \(a → x\).*maxLength/],
			[{ direction: 'bidirectional', pairs: [{ source: 'a', target: 'x', transform: 'split_name' }] }, /#1.*only works one way/],
			[{ direction: 'bidirectional', pairs: [{ source: ['a', 'b'], target: 'x', transform: 'concatenate' }] }, /#1.*cannot flow back/],
			[{ pairs: [{ source: 'a' }] }, /#1.*no target/],
			[{ pairs: [{ target: 'x' }] }, /#1.*no source field and no default/],
			[{ pairs: [{ source: 'a', target: 'x', color: 'red' }] }, /#1 \(a → x\).*color/],
			[{ pairs: [] }, /at least one field pair/],
			[{ pairs: [{ source: 'a..b', target: 'x' }] }, /#1.*empty segment/],
		];
		for (const [spec, message] of cases) {
			expect(() => compileMapping(spec)).toThrow(MappingConfigError);
			expect(() => compileMapping(spec)).toThrow(message);
		}
	});

	test('every preset compiles and is documented', () => {
		for (const p of PRESETS) {
			expect(() => compileMapping(p.mapping)).not.toThrow();
			expect(p.mapping.pairs.length).toBeGreaterThan(3);
		}
	});

	test('property: mapping never throws on arbitrary records and accounts for every record', () => {
		fc.assert(
			fc.property(fc.dictionary(fc.constantFrom('firstname', 'lastname', 'email', 'phone', 'address', 'city', 'state', 'zip', 'country', 'company'), fc.anything()), (rec) => {
				const r = hubspotToJobber.apply(rec as Record<string, unknown>);
				expect(r.valid).toBe(r.errors.length === 0);
				for (const e of r.errors) expect(e.field).toBeTruthy();
			}),
			{ numRuns: 500 },
		);
	});
});

describe('suggested pairs', () => {
	test('pairs HubSpot contact fields with Salesforce Contact fields by meaning', () => {
		const s = suggestPairs(
			['firstname', 'lastname', 'email', 'phone', 'address', 'city', 'state', 'zip', 'country', 'jobtitle', 'hs_object_id'],
			['FirstName', 'LastName', 'Email', 'Phone', 'MailingStreet', 'MailingCity', 'MailingState', 'MailingPostalCode', 'MailingCountry', 'Title', 'Id'],
		);
		const pairs = Object.fromEntries(s.map((x) => [x.source, x.target]));
		expect(pairs).toEqual({
			firstname: 'FirstName',
			lastname: 'LastName',
			email: 'Email',
			phone: 'Phone',
			address: 'MailingStreet',
			city: 'MailingCity',
			state: 'MailingState',
			zip: 'MailingPostalCode',
			country: 'MailingCountry',
			jobtitle: 'Title',
		});
		expect(s.find((x) => x.source === 'phone')?.transform).toBe('phone_e164');
	});

	test('pairs flat fields with Jobber nested paths and never pairs different concepts', () => {
		const s = suggestPairs(['email', 'phone', 'zip', 'city'], ['emails[0].address', 'phones[0].number', 'billingAddress.postalCode', 'billingAddress.province']);
		expect(Object.fromEntries(s.map((x) => [x.source, x.target]))).toEqual({
			email: 'emails[0].address',
			phone: 'phones[0].number',
			zip: 'billingAddress.postalCode',
		});
	});
});
