/** Classification table: this package's failed items, n8n error-output items of several shapes, Error Trigger payloads. */
import { classifiedError } from '../../errors/taxonomy';
import { ConnectorError } from '../../connectors/core/errors';
import { classify, classifyError, redactSecrets } from '../../sync/errors';
import { failedItem } from '../../nodes/shared/records';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const contact = { system: 'hubspot', object: 'contacts', id: '42', fields: { firstname: 'Ann', email: 'bob@@example' } };

describe('our failed items keep their classification', () => {
	test('Field Mapper invalid item', () => {
		const item = failedItem('mapping', 'Field Mapper', contact, [
			classifiedError('INVALID_EMAIL', { field: 'email', value: 'bob@@example', message: 'Invalid Email', now: NOW }),
			classifiedError('INVALID_FORMAT', { field: 'phone', value: 'call me maybe', message: 'Not a phone number', now: NOW }),
		]);
		const f = classify(item, { now: NOW });
		expect(f.source).toBe('failed_item');
		expect(f.kind).toBe('error');
		expect(f.errors.map((e) => e.code)).toEqual(['INVALID_EMAIL', 'INVALID_FORMAT']);
		expect(f.errors[0]).toMatchObject({ category: 'Data', field: 'email', value: 'bob@@example', retryable: false });
		expect(f.recordRef).toEqual({ system: 'hubspot', object: 'contacts', id: '42' });
		expect(f.record).toEqual(contact);
		expect(f.node).toBe('Field Mapper');
		expect(f.stage).toBe('mapping');
	});

	test('a vendor failed item with a rate limit and Retry-After', () => {
		const item = failedItem('hubspot', 'HubSpot', contact, [classifiedError('RATE_LIMIT_EXCEEDED', { message: '429', retryAfter: 90, now: NOW })]);
		const f = classify(item, { now: NOW });
		expect(f.errors[0]).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', retryable: true, retryAfter: 90 });
	});

	test('a failed item without errors is classified from its message', () => {
		const f = classify({ ...failedItem('pipedrive', 'Pipedrive', contact, []), message: 'Request timed out after 30s' }, { now: NOW });
		expect(f.errors[0].code).toBe('CONNECTION_TIMEOUT');
	});

	test('a ledger conflict item is a conflict for a person', () => {
		const f = classify(
			{
				route: 'conflict',
				reason: 'conflict',
				message: 'Both sides changed email',
				mappingId: 'm1',
				source: { system: 'hubspot', object: 'contacts', id: '1' },
				target: { system: 'jobber', object: 'clients', id: 'c1' },
				conflicts: [{ field: 'emails[0].address', sourceField: 'email', sourceValue: 'a@x.io', targetValue: 'b@x.io', resolution: 'manual', rule: 'manual' }],
				records: { source: { id: '1' }, target: { id: 'c1' } },
			},
			{ now: NOW },
		);
		expect(f).toMatchObject({ source: 'conflict', kind: 'conflict', mappingId: 'm1', recordRef: { system: 'hubspot', id: '1' } });
		expect(f.errors).toEqual([]);
		expect(f.conflict?.fields).toHaveLength(1);
		expect(classify({ route: 'conflict', reason: 'ambiguous_match', message: 'two candidates' }).errors[0].code).toBe('DUPLICATE_RECORD');
		expect(classify({ route: 'conflict', reason: 'missing_match_key', message: 'no email' }).errors[0].code).toBe('REQUIRED_FIELD_MISSING');
	});

	test('a ConnectorError caught and passed along keeps its classification', () => {
		const err = new ConnectorError(classifiedError('PERMISSION_DENIED', { message: 'missing scope crm.objects.contacts.write', now: NOW }));
		expect(classify({ classified: err.classified }, { now: NOW }).errors[0]).toMatchObject({ code: 'PERMISSION_DENIED', category: 'Connection' });
	});
});

describe("n8n's error output items (continue using error output)", () => {
	const withInput = (error: unknown, extra: object = {}) => ({ ...contact, error, ...extra });
	const table: Array<[string, unknown, string, boolean]> = [
		['plain message string', withInput('Something went wrong with "email": invalid email address'), 'INVALID_EMAIL', false],
		['NodeApiError 401', withInput({ message: 'Authorization failed - please check your credentials', httpCode: '401', name: 'NodeApiError' }), 'AUTHENTICATION_FAILED', false],
		['NodeApiError 403', withInput({ message: 'Forbidden - perhaps check your credentials?', httpCode: '403' }), 'PERMISSION_DENIED', false],
		['NodeApiError 404 record', withInput({ message: 'The resource you are requesting could not be found', httpCode: '404' }), 'FIELD_NOT_FOUND', false],
		['NodeApiError 409', withInput({ message: 'Conflict', httpCode: '409', description: 'Contact already exists. Existing ID: 99' }), 'DUPLICATE_RECORD', false],
		['NodeApiError 429', withInput({ message: 'The service is receiving too many requests from you', httpCode: '429' }), 'RATE_LIMIT_EXCEEDED', true],
		['NodeApiError 500', withInput({ message: 'The service was not able to process your request', httpCode: '500' }), 'CONNECTION_TIMEOUT', true],
		['NodeApiError 502', withInput({ message: 'Bad gateway - the service failed to handle your request', httpCode: '502' }), 'CONNECTION_TIMEOUT', true],
		['socket ETIMEDOUT', withInput({ message: 'connect ETIMEDOUT 10.0.0.1:443', code: 'ETIMEDOUT' }), 'CONNECTION_TIMEOUT', true],
		['socket ECONNRESET', withInput({ message: 'socket hang up', code: 'ECONNRESET' }), 'CONNECTION_TIMEOUT', true],
		['HTTP Request v4.5 details', withInput({ message: 'Bad request', name: 'AxiosError' }, { details: { message: 'Bad request - please check your parameters', httpCode: '400', description: 'Property "email" is required' } }), 'REQUIRED_FIELD_MISSING', false],
		['400 too long', withInput({ message: 'Bad request', httpCode: '400', description: 'firstname: value is too long (max length 40)' }), 'VALUE_TOO_LONG', false],
		['422 invalid email', withInput({ message: 'Unprocessable', status: 422, description: 'Email address bob@@example is invalid' }), 'INVALID_EMAIL', false],
		['axios response status 503', withInput({ message: 'Request failed with status code 503', response: { status: 503 } }), 'CONNECTION_TIMEOUT', true],
		['message-only required', withInput('Email is required'), 'REQUIRED_FIELD_MISSING', false],
		['unknown', withInput('Cannot read properties of undefined (reading "x")'), 'INVALID_FORMAT', false],
	];
	test.each(table)('%s → %s', (_name, json, code, retryable) => {
		const f = classify(json, { now: NOW });
		expect(f.source).toBe('error_output');
		expect(f.errors[0].code).toBe(code);
		expect(f.errors[0].retryable).toBe(retryable);
		// The input item's own fields are the record; the error keys are not.
		expect(f.record).toMatchObject({ system: 'hubspot', id: '42' });
		expect((f.record as Record<string, unknown>).error).toBeUndefined();
	});

	test('the original message is kept for an unknown error, with a generic fix', () => {
		const e = classify({ error: 'Cannot read properties of undefined (reading "x")' }).errors[0];
		expect(e.message).toContain('Cannot read properties of undefined');
		expect(e.suggestedFix).toMatch(/did not match a known kind/);
	});

	test('404 means the record was not found: Create if missing is suggested', () => {
		const e = classifyError({ message: 'Not found', httpCode: '404' });
		expect(e.code).toBe('FIELD_NOT_FOUND');
		expect(e.suggestedFix).toMatch(/Create if missing/);
	});

	test('Retry-After from response headers (seconds and HTTP date)', () => {
		expect(classifyError({ message: 'Too Many Requests', response: { status: 429, headers: { 'Retry-After': '120' } } }, { now: NOW }).retryAfter).toBe(120);
		const date = new Date(NOW.getTime() + 45_000).toUTCString();
		expect(classifyError({ message: 'x', status: 429, headers: { 'retry-after': date } }, { now: NOW }).retryAfter).toBe(45);
	});

	test("the live item.error (NodeApiError object) adds the status the json lacks", () => {
		const f = classify({ ...contact, error: 'The service is receiving too many requests from you' }, { itemError: { httpCode: '429', message: 'x' }, now: NOW });
		expect(f.errors[0].code).toBe('RATE_LIMIT_EXCEEDED');
	});

	test('secret-looking values of a failed request never reach the record', () => {
		const f = classify({ ...contact, headers: { authorization: 'Bearer abc', 'x-api-key': 'k' }, password: 'p', error: 'boom' });
		expect(JSON.stringify(f.record)).not.toMatch(/Bearer abc|"k"|"p"/);
		expect(redactSecrets({ a: { apiKey: 'x', nested: [{ client_secret: 'y' }] } })).toEqual({ a: { apiKey: '[hidden]', nested: [{ client_secret: '[hidden]' }] } });
	});
});

describe('Error Trigger payloads', () => {
	test('a NodeApiError that stopped a run', () => {
		const f = classify({
			execution: {
				id: '231',
				url: 'http://localhost:5678/workflow/1/executions/231',
				error: { message: 'The service is receiving too many requests from you', httpCode: '429', node: { name: 'HubSpot', parameters: { apiKey: 'must-not-leak' } } },
				lastNodeExecuted: 'HubSpot',
				mode: 'trigger',
			},
			workflow: { id: '1', name: 'HubSpot → Jobber' },
		});
		expect(f).toMatchObject({ source: 'error_trigger', node: 'HubSpot', workflow: { id: '1', name: 'HubSpot → Jobber' }, execution: { id: '231', lastNodeExecuted: 'HubSpot' } });
		expect(f.errors[0].code).toBe('RATE_LIMIT_EXCEEDED');
		expect(JSON.stringify(f)).not.toContain('must-not-leak');
	});

	test("n8n's example payload (message only)", () => {
		const f = classify({ execution: { id: 231, error: { message: 'Example Error Message', stack: 'Stacktrace' }, lastNodeExecuted: 'Node With Error', mode: 'manual' }, workflow: { id: '1', name: 'Example Workflow' } });
		expect(f.errors).toHaveLength(1);
		expect(f.errors[0].message).toContain('Example Error Message');
		expect(f.summary).toContain('Node With Error');
	});

	test('a trigger that failed (no execution)', () => {
		const f = classify({ trigger: { error: { message: 'connect ECONNREFUSED 127.0.0.1:5432', code: 'ECONNREFUSED' }, mode: 'trigger' }, workflow: { id: '7', name: 'poller' } });
		expect(f.errors[0].code).toBe('CONNECTION_TIMEOUT');
	});

	test("our own Stop on Error carries the record and its classified errors", () => {
		const errors = [classifiedError('INVALID_EMAIL', { field: 'email', value: 'bob@@example', message: 'Invalid Email', now: NOW })];
		const f = classify({
			execution: {
				id: '9',
				error: { message: 'Stop on Error: hubspot/contacts/42: email: Invalid Email', context: { fluxcascade: { record: contact, errors, mappingId: 'm1', stage: 'mapping' } } },
				lastNodeExecuted: 'Error Policy',
			},
			workflow: { id: '3', name: 'sync' },
		});
		expect(f).toMatchObject({ source: 'error_trigger', record: contact, recordRef: { id: '42' }, mappingId: 'm1' });
		expect(f.errors[0]).toMatchObject({ code: 'INVALID_EMAIL', field: 'email' });
	});
});
