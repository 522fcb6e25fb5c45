import { error, value } from './helpers';

describe('date_iso (auto)', () => {
	it.each([
		['2024-03-05T14:30:00Z', '2024-03-05T14:30:00.000Z'],
		['2024-03-05T14:30:00.000Z', '2024-03-05T14:30:00.000Z'],
		['2024-03-05T09:30:00-05:00', '2024-03-05T14:30:00.000Z'],
		['2024-03-05', '2024-03-05T00:00:00.000Z'],
		['2024-03-05 14:30:00', '2024-03-05T14:30:00.000Z'],
		['Tue, 05 Mar 2024 14:30:00 +0000', '2024-03-05T14:30:00.000Z'],
		['Tue, 05 Mar 2024 14:30:00 GMT', '2024-03-05T14:30:00.000Z'],
		['03/05/2024', '2024-03-05T00:00:00.000Z'],
		['3/5/2024', '2024-03-05T00:00:00.000Z'],
		['3/5/2024 2:30 PM', '2024-03-05T14:30:00.000Z'],
		['March 5, 2024', '2024-03-05T00:00:00.000Z'],
		['1709649000000', '2024-03-05T14:30:00.000Z'],
		['1709649000', '2024-03-05T14:30:00.000Z'],
		['20240305', '2024-03-05T00:00:00.000Z'],
	])('%j → %s', (input, expected) => {
		expect(value('date_iso', undefined, input)).toBe(expected);
	});

	it('reads numbers as epoch milliseconds (≥ 1e11) or seconds', () => {
		expect(value('date_iso', undefined, 1709649000000)).toBe('2024-03-05T14:30:00.000Z');
		expect(value('date_iso', undefined, 1709649000)).toBe('2024-03-05T14:30:00.000Z');
		expect(value('date_iso', undefined, 0)).toBe('1970-01-01T00:00:00.000Z');
	});

	it('accepts Date objects', () => {
		expect(value('date_iso', undefined, new Date('2024-03-05T14:30:00Z'))).toBe('2024-03-05T14:30:00.000Z');
		expect(error('date_iso', undefined, new Date('nope')).code).toBe('INVALID_FORMAT');
	});

	it('reads inputs without offset in the configured zone', () => {
		expect(value('date_iso', { zone: 'America/Chicago' }, '2024-03-05 08:30:00')).toBe('2024-03-05T14:30:00.000Z');
		expect(value('date_iso', { zone: 'America/Chicago' }, '03/05/2024')).toBe('2024-03-05T06:00:00.000Z');
		// An explicit offset wins over the zone.
		expect(value('date_iso', { zone: 'America/Chicago' }, '2024-03-05T14:30:00Z')).toBe('2024-03-05T14:30:00.000Z');
	});

	it('writes a date or a local timestamp on request', () => {
		expect(value('date_iso', { output: 'date' }, '2024-03-05T14:30:00Z')).toBe('2024-03-05');
		// The calendar date is the one in the zone.
		expect(value('date_iso', { output: 'date', zone: 'America/Chicago' }, '2024-03-05T03:00:00Z')).toBe('2024-03-04');
		expect(value('date_iso', { output: 'datetime_local', zone: 'America/Chicago' }, '2024-03-05T14:30:00Z')).toBe(
			'2024-03-05T08:30:00.000-06:00',
		);
		expect(value('date_iso', { output: 'datetime_local', zone: 'America/Chicago' }, '2024-07-05T14:30:00Z')).toBe(
			'2024-07-05T09:30:00.000-05:00',
		);
	});

	it('names luxon’s reason for an impossible date, never "Invalid DateTime"', () => {
		const e = error('date_iso', undefined, '2024-02-30', 'close_date');
		expect(e.code).toBe('INVALID_FORMAT');
		expect(e.message).toBe(
			'Field "close_date": "2024-02-30" is not a valid date: you specified 30 (of type number) as a day, which is invalid',
		);
		expect(error('date_iso', undefined, '02/30/2024').message).toContain('as a day');
		expect(error('date_iso', undefined, '13/01/2024').message).toContain('as a month');
	});

	it('refuses text that is not a date', () => {
		const e = error('date_iso', undefined, 'not a date');
		expect(e.message).toBe(
			'Field "field_x": "not a date" is not a recognised date (expected ISO 8601, RFC 2822, HTTP, SQL, epoch seconds/milliseconds or MM/dd/yyyy)',
		);
		expect(error('date_iso', undefined, true).message).toContain('is a boolean, not a date');
		expect(error('date_iso', undefined, Number.NaN).code).toBe('INVALID_FORMAT');
		expect(error('date_iso', undefined, 1e20).message).not.toContain('Invalid DateTime');
	});

	it('passes null through and blank becomes empty', () => {
		expect(value('date_iso', undefined, null)).toBeNull();
		expect(value('date_iso', undefined, ' ')).toBe('');
	});
});

describe('date_iso (explicit format)', () => {
	it('parses with Luxon tokens', () => {
		expect(value('date_iso', { inputFormat: 'dd.MM.yyyy' }, '05.03.2024')).toBe('2024-03-05T00:00:00.000Z');
		expect(value('date_iso', { inputFormat: 'MM/dd/yyyy', zone: 'America/Chicago' }, '03/05/2024')).toBe('2024-03-05T06:00:00.000Z');
		expect(value('date_iso', { inputFormat: 'yyyyMMdd', output: 'date' }, 20240305)).toBe('2024-03-05');
	});

	it('treats cleared form fields as the defaults', () => {
		expect(value('date_iso', { inputFormat: '', zone: ' ' }, '03/05/2024')).toBe('2024-03-05T00:00:00.000Z');
	});

	it('still accepts its own ISO output so a chain can run twice', () => {
		expect(value('date_iso', { inputFormat: 'dd.MM.yyyy' }, '2024-03-05T00:00:00.000Z')).toBe('2024-03-05T00:00:00.000Z');
	});

	it('reports a mismatch with the format', () => {
		expect(error('date_iso', { inputFormat: 'dd.MM.yyyy' }, '2024/03/05').message).toContain('does not match the date format dd.MM.yyyy');
		expect(error('date_iso', { inputFormat: 'dd.MM.yyyy' }, '30.02.2024').message).toContain('as a day');
	});
});
