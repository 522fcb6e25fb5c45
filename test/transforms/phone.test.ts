import { error, value } from './helpers';

describe('phone_e164', () => {
	it.each([
		['(415) 555-2671', '+14155552671'],
		['415.555.2671', '+14155552671'],
		['1 415 555 2671', '+14155552671'],
		['+1 (650) 253-0000', '+16502530000'],
		['+16502530000', '+16502530000'],
		['(212) 555-0100', '+12125550100'],
		['00 44 20 7946 0958', '+442079460958'],
		['+44 20 7946 0958', '+442079460958'],
		['011 44 20 7946 0958', '+442079460958'],
		['+33 1 42 68 53 00', '+33142685300'],
		['tel:+1-415-555-2671', '+14155552671'],
		['  (415)\u00a0555-2671  ', '+14155552671'],
	])('%j → %s (default US)', (input, expected) => {
		expect(value('phone_e164', undefined, input)).toBe(expected);
	});

	it('accepts a number value', () => {
		expect(value('phone_e164', undefined, 6502530000)).toBe('+16502530000');
	});

	it('uses the default country for national numbers', () => {
		expect(value('phone_e164', { defaultCountry: 'GB' }, '020 7946 0958')).toBe('+442079460958');
		expect(value('phone_e164', { defaultCountry: 'gb' }, '020 7946 0958')).toBe('+442079460958');
		expect(value('phone_e164', { defaultCountry: 'CA' }, '(416) 555-0199')).toBe('+14165550199');
		// An explicit +country code wins over the default.
		expect(value('phone_e164', { defaultCountry: 'GB' }, '+1 415 555 2671')).toBe('+14155552671');
	});

	it('with an empty default country accepts only +country numbers', () => {
		expect(value('phone_e164', { defaultCountry: '' }, '+44 20 7946 0958')).toBe('+442079460958');
		expect(error('phone_e164', { defaultCountry: '' }, '(415) 555-2671').message).toContain('needs a +country code');
	});

	it('refuses letters and vanity numbers rather than guessing', () => {
		const e = error('phone_e164', undefined, '(555) ABC-1234', 'phone');
		expect(e.code).toBe('INVALID_FORMAT');
		expect(e.error).toBe('Invalid Format');
		expect(e.message).toBe('Field "phone": "(555) ABC-1234" is not a valid phone number for default country US');
		expect(e.value).toBe('(555) ABC-1234');
		expect(error('phone_e164', undefined, '1-800-FLOWERS').code).toBe('INVALID_FORMAT');
		expect(error('phone_e164', undefined, 'call me maybe').code).toBe('INVALID_FORMAT');
		expect(error('phone_e164', undefined, '415-555-2671 or 415-555-2672').code).toBe('INVALID_FORMAT');
	});

	it('refuses numbers that do not exist in the numbering plan', () => {
		expect(error('phone_e164', undefined, '555-0100').message).toContain('is not a valid phone number for default country US');
		expect(error('phone_e164', undefined, '(555) 123-4567').code).toBe('INVALID_FORMAT');
		expect(error('phone_e164', undefined, '12345').code).toBe('INVALID_FORMAT');
		expect(error('phone_e164', undefined, '+999 1234 5678').message).toBe('Field "field_x": "+999 1234 5678" is not a valid phone number');
	});

	it('drops extensions by default, keeps or rejects them on request', () => {
		expect(value('phone_e164', undefined, '415-555-2671 ext. 12')).toBe('+14155552671');
		expect(value('phone_e164', undefined, '(415) 555-2671 x12')).toBe('+14155552671');
		expect(value('phone_e164', { extension: 'keep' }, '415-555-2671 extension 12')).toBe('+14155552671;ext=12');
		expect(value('phone_e164', { extension: 'keep' }, '+14155552671;ext=12')).toBe('+14155552671;ext=12');
		expect(value('phone_e164', { extension: 'keep' }, '415-555-2671')).toBe('+14155552671');
		expect(error('phone_e164', { extension: 'reject' }, '415-555-2671 #12').message).toContain('extension');
	});

	it('passes null through and turns blank into an empty string', () => {
		expect(value('phone_e164', undefined, null)).toBeNull();
		expect(value('phone_e164', undefined, '  ')).toBe('');
	});

	it('gives the same answer from its cache', () => {
		for (let i = 0; i < 3; i++) {
			expect(value('phone_e164', undefined, '(415) 555-2671')).toBe('+14155552671');
			expect(error('phone_e164', undefined, '555-0100').code).toBe('INVALID_FORMAT');
		}
	});
});
