/** Every Salesforce error met → its taxonomy entry, with field, value, vendor details and a suggested fix. */
import { ERROR_CODES } from '../../../errors/taxonomy';
import { classifySalesforceError, errorEntries, responseError } from '../../../connectors/salesforce';
import type { WriteResult } from '../../../connectors/core/types';
import { all, startSalesforce, type SfEnv } from './helpers';

describe('the mapping table', () => {
	const cases: Array<[string, string, boolean]> = [
		['INVALID_SESSION_ID', 'AUTHENTICATION_FAILED', false],
		// Retryable later (Error Policy); the connector never repeats it within the run (see limits.test.ts).
		['REQUEST_LIMIT_EXCEEDED', 'RATE_LIMIT_EXCEEDED', true],
		['INSUFFICIENT_ACCESS_OR_READONLY', 'PERMISSION_DENIED', false],
		['INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY', 'PERMISSION_DENIED', false],
		['API_DISABLED_FOR_ORG', 'PERMISSION_DENIED', false],
		['UNABLE_TO_LOCK_ROW', 'CONNECTION_TIMEOUT', true],
		['SERVER_UNAVAILABLE', 'CONNECTION_TIMEOUT', true],
		['UNKNOWN_EXCEPTION', 'CONNECTION_TIMEOUT', true],
		['QUERY_TIMEOUT', 'CONNECTION_TIMEOUT', true],
		['REQUIRED_FIELD_MISSING', 'REQUIRED_FIELD_MISSING', false],
		['MISSING_ARGUMENT', 'REQUIRED_FIELD_MISSING', false],
		['STRING_TOO_LONG', 'VALUE_TOO_LONG', false],
		['INVALID_EMAIL_ADDRESS', 'INVALID_EMAIL', false],
		['DUPLICATE_VALUE', 'DUPLICATE_RECORD', false],
		['DUPLICATES_DETECTED', 'DUPLICATE_RECORD', false],
		['DUPLICATE_EXTERNAL_ID', 'DUPLICATE_RECORD', false],
		['INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', 'INVALID_FORMAT', false],
		['NUMBER_OUTSIDE_VALID_RANGE', 'INVALID_FORMAT', false],
		['FIELD_INTEGRITY_EXCEPTION', 'INVALID_FORMAT', false],
		['FIELD_CUSTOM_VALIDATION_EXCEPTION', 'INVALID_FORMAT', false],
		['MALFORMED_ID', 'INVALID_FORMAT', false],
		['JSON_PARSER_ERROR', 'INVALID_FORMAT', false],
		['MALFORMED_QUERY', 'INVALID_FORMAT', false],
		['INVALID_CROSS_REFERENCE_KEY', 'INVALID_FORMAT', false],
		['INVALID_FIELD', 'FIELD_NOT_FOUND', false],
		['INVALID_FIELD_FOR_INSERT_UPDATE', 'FIELD_NOT_FOUND', false],
		['INVALID_TYPE', 'OBJECT_TYPE_CHANGED', false],
		['ENTITY_IS_DELETED', 'FIELD_NOT_FOUND', false],
		['NOT_FOUND', 'FIELD_NOT_FOUND', false],
	];

	it.each(cases)('%s → %s', (vendorCode, code, retryable) => {
		const e = classifySalesforceError({ errorCode: vendorCode, message: 'No such column \'X\' on sobject of type Contact', fields: [] }, { object: 'Contact', status: 400 });
		expect(e.code).toBe(code);
		expect(e.category).toBe(ERROR_CODES[e.code as keyof typeof ERROR_CODES].category);
		expect(e.suggestedFix).toBe(ERROR_CODES[e.code as keyof typeof ERROR_CODES].suggestedFix);
		expect(e.vendor).toMatchObject({ code: vendorCode, status: 400 });
		expect(e.record).toEqual({ system: 'salesforce', object: 'Contact' });
		expect(e.retryable).toBe(retryable);
	});

	it('names the field (from `fields`, else from the message) and the value that was sent', () => {
		const e = classifySalesforceError(
			{ statusCode: 'STRING_TOO_LONG', message: 'Last Name: data value too large: xxxx (max length=80)', fields: ['LastName'] },
			{ object: 'Contact', input: { lastname: 'xxxx' } },
		);
		expect(e).toMatchObject({ code: 'VALUE_TOO_LONG', field: 'LastName', value: 'xxxx', error: 'Value Too Long' });
		expect(classifySalesforceError({ errorCode: 'INVALID_FIELD', message: "No such column 'Emial' on sobject of type Contact" }).field).toBe('Emial');
		expect(classifySalesforceError({ errorCode: 'INVALID_FIELD_FOR_INSERT_UPDATE', message: 'Unable to create/update fields: MasterRecordId. Please check…', fields: ['MasterRecordId'] }).field).toBe('MasterRecordId');
		expect(classifySalesforceError({ errorCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [Name, StageName]', fields: ['Name', 'StageName'] })).toMatchObject({
			field: 'Name',
			message: expect.stringContaining('fields: Name, StageName'),
		});
		expect(classifySalesforceError({ statusCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: [] }).field).toBe('Id');
	});

	it('INVALID_FIELD that is not a missing column is bad data; the concurrent-request cap is retryable, the daily one is not (in-run)', () => {
		expect(classifySalesforceError({ errorCode: 'INVALID_FIELD', message: 'cannot specify Id in an insert call' }).code).toBe('INVALID_FORMAT');
		expect(classifySalesforceError({ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'ConcurrentPerOrgLongTxn Limit exceeded.' }).retryable).toBe(true);
		expect(classifySalesforceError({ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }, { object: 'Accout', about: 'object' }).code).toBe('OBJECT_TYPE_CHANGED');
	});

	it('reads REST arrays, SaveResult errors and OAuth errors; unknown codes fall back to the HTTP status', () => {
		expect(errorEntries([{ message: 'm', errorCode: 'X' }])).toHaveLength(1);
		expect(errorEntries({ success: false, errors: [{ statusCode: 'Y', message: 'm', fields: [] }] })).toHaveLength(1);
		expect(responseError({ status: 400, headers: {}, body: { error: 'invalid_grant', error_description: 'expired access/refresh token' } }).classified.code).toBe('AUTHENTICATION_FAILED');
		expect(responseError({ status: 409, headers: {}, body: [{ errorCode: 'SOMETHING_NEW', message: 'version conflict' }] }).classified.code).toBe('DUPLICATE_RECORD');
		expect(responseError({ status: 502, headers: {}, body: '<html>Bad gateway</html>' }).classified).toMatchObject({ code: 'CONNECTION_TIMEOUT', retryable: true });
	});
});

describe('real answers from the sandbox, mapped', () => {
	let sf: SfEnv;
	beforeAll(async () => {
		sf = await startSalesforce({ dailyApiLimit: 1_000_000 });
	});
	afterAll(() => sf.close());
	beforeEach(() => sf.reset());

	const code = (r: WriteResult) => (r.ok ? 'ok' : r.error.code);

	it('single-record writes: each vendor code becomes its taxonomy code with field and value named', async () => {
		const c = sf.connector();
		const missing = await c.create('Contact', { FirstName: 'A' });
		expect(missing).toMatchObject({ ok: false, error: { code: 'REQUIRED_FIELD_MISSING', field: 'LastName', vendor: { status: 400, code: 'REQUIRED_FIELD_MISSING' } } });
		const long = await c.create('Contact', { LastName: 'L', Title: 't'.repeat(129) });
		expect(long).toMatchObject({ ok: false, error: { code: 'VALUE_TOO_LONG', field: 'Title', value: 't'.repeat(129) } });
		const email = await c.create('Contact', { LastName: 'L', Email: 'not an email' });
		expect(email).toMatchObject({ ok: false, error: { code: 'INVALID_EMAIL', field: 'Email', value: 'not an email', category: 'Data' } });
		await c.create('Contact', { LastName: 'L', Ext_Id__c: 'E1' });
		const dup = await c.create('Contact', { LastName: 'L2', Ext_Id__c: 'E1' });
		expect(dup).toMatchObject({ ok: false, error: { code: 'DUPLICATE_RECORD', vendor: { code: 'DUPLICATE_VALUE' }, message: expect.stringContaining('Ext_Id__c duplicates value') } });
		const unknown = await c.create('Contact', { LastName: 'L', Shoe_Size__c: 44 });
		expect(unknown).toMatchObject({ ok: false, error: { code: 'FIELD_NOT_FOUND', field: 'Shoe_Size__c', category: 'Mapping' } });
		const readOnly = await c.create('Contact', { LastName: 'L', Name: 'Full Name' });
		expect(readOnly).toMatchObject({ ok: false, error: { code: 'FIELD_NOT_FOUND', field: 'Name', vendor: { code: 'INVALID_FIELD_FOR_INSERT_UPDATE' } } });
		const picklist = await c.create('Lead', { LastName: 'L', Company: 'C', Status: 'Bogus' });
		expect(picklist).toMatchObject({ ok: false, error: { code: 'INVALID_FORMAT', field: 'Status', value: 'Bogus', vendor: { code: 'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST' } } });
		const range = await c.create('Opportunity', { Name: 'O', StageName: 'Prospecting', CloseDate: '2030-01-01', Amount: 1e20 });
		expect(range).toMatchObject({ ok: false, error: { code: 'INVALID_FORMAT', field: 'Amount', vendor: { code: 'NUMBER_OUTSIDE_VALID_RANGE' } } });
		const integrity = await c.create('Contact', { LastName: 'L', AccountId: (missing.ok ? '' : '003ak000000zzzzAAA') });
		expect(integrity).toMatchObject({ ok: false, error: { code: 'INVALID_FORMAT', field: 'AccountId', vendor: { code: 'FIELD_INTEGRITY_EXCEPTION' } } });
		const unparseable = await c.create('Account', { Name: 'A', NumberOfEmployees: 'many' });
		expect(unparseable).toMatchObject({ ok: false, error: { code: 'INVALID_FORMAT', vendor: { code: 'JSON_PARSER_ERROR' } } });
		const noObject = await c.create('Accout', { Name: 'A' });
		expect(noObject).toMatchObject({ ok: false, error: { code: 'OBJECT_TYPE_CHANGED' } });
		const readOnlyObject = await c.create('User', { LastName: 'U' });
		expect(readOnlyObject).toMatchObject({ ok: false, error: { code: 'PERMISSION_DENIED', vendor: { code: 'INSUFFICIENT_ACCESS_OR_READONLY' } } });
		for (const r of [missing, long, email, dup, unknown, readOnly, picklist, range, unparseable]) {
			expect(r.ok ? undefined : r.error.suggestedFix).toBeTruthy();
			expect(r.ok ? undefined : r.error.timestamp).toMatch(/Z$/);
		}
	});

	it('collections: per-record statusCode errors map the same way; INVALID_TYPE and MALFORMED_ID included', async () => {
		const c = sf.connector();
		const wrongType = await c.batch('create', 'Accout', [{ fields: { Name: 'x' } }]);
		expect(wrongType.map(code)).toEqual(['OBJECT_TYPE_CHANGED']);
		const acct = await c.create('Account', { Name: 'Acme' });
		const malformed = await c.batch('update', 'Contact', [{ id: acct.ok ? acct.record.id : '', fields: { LastName: 'x' } }]);
		expect(malformed[0]).toMatchObject({ ok: false, error: { code: 'INVALID_FORMAT', vendor: { code: 'MALFORMED_ID' } } });
		const users = await c.batch('create', 'User', [{ fields: { LastName: 'U' } }, { fields: { LastName: 'V' } }]);
		expect(users.map(code)).toEqual(['PERMISSION_DENIED', 'PERMISSION_DENIED']);
	});

	it('SOQL: unknown object → OBJECT_TYPE_CHANGED, unknown field → FIELD_NOT_FOUND', async () => {
		const c = sf.connector();
		await expect(all(c.getMany('Accout', { fields: ['Id'] }))).rejects.toMatchObject({ classified: { code: 'OBJECT_TYPE_CHANGED', vendor: { code: 'INVALID_TYPE' } } });
		await expect(c.find('Contact', 'Shoe_Size__c', 44, { fields: ['Id'] })).rejects.toMatchObject({ classified: { code: 'FIELD_NOT_FOUND', field: 'Shoe_Size__c' } });
	});

	it('a field removed from the org after the mapping was made → FIELD_NOT_FOUND, and the describe cache is refreshed', async () => {
		const c = sf.connector();
		expect((await c.fields('Contact')).some((f) => f.name === 'Title')).toBe(true);
		await sf.admin('PUT', '/_sandbox/faults', { removedFields: { Contact: ['Title'] } });
		const r = await c.batch('create', 'Contact', [{ fields: { LastName: 'a', Title: 'x' } }, { fields: { LastName: 'b' } }]);
		expect(r.map(code)).toEqual(['FIELD_NOT_FOUND', 'ok']);
		expect((await c.fields('Contact')).some((f) => f.name === 'Title')).toBe(false);
		await sf.admin('DELETE', '/_sandbox/faults');
	});
});
