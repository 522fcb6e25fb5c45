/** Daily API allocation signals and injected faults: 503, timeout, forced limit, UNABLE_TO_LOCK_ROW, malformed bodies. */
import { startSf, raw, type Sf } from './helpers';

describe('Salesforce limits and faults', () => {
	let sf: Sf;
	beforeAll(async () => {
		sf = await startSf({ dailyApiLimit: 50 });
	});
	afterAll(() => sf.close());
	beforeEach(async () => {
		await sf.admin('POST', '/_sandbox/reset');
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { dailyApiLimit: 50 });
	});

	it('every API response carries Sforce-Limit-Info; past the allocation 403 REQUEST_LIMIT_EXCEEDED, no Retry-After', async () => {
		const first = await sf.get('/limits');
		expect(first.headers.get('sforce-limit-info')).toBe('api-usage=1/50');
		expect(first.body.DailyApiRequests).toEqual({ Max: 50, Remaining: 49 });
		const created = await sf.call('POST', '/sobjects/Contact', { LastName: 'x' });
		expect(created.headers.get('sforce-limit-info')).toBe('api-usage=2/50');
		const failed = await sf.call('POST', '/sobjects/Contact', {});
		expect(failed.status).toBe(400);
		expect(failed.headers.get('sforce-limit-info')).toBe('api-usage=3/50');
		for (let i = 3; i < 50; i++) await sf.get('/sobjects');
		const over = await sf.get('/sobjects');
		expect(over.status).toBe(403);
		expect(over.body).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
		expect(over.headers.get('sforce-limit-info')).toBe('api-usage=50/50');
		expect(over.headers.get('retry-after')).toBeNull();
		// OAuth and the versions list are not API calls.
		expect((await raw(`${sf.url}/services/data`)).status).toBe(200);
		// The window is a rolling 24 h, not a calendar day. (A long session timeout keeps the token alive meanwhile.)
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { sessionTimeoutMs: 3 * 86_400_000 });
		await sf.admin('POST', '/_sandbox/clock/advance', { ms: 12 * 3_600_000 });
		expect((await sf.get('/sobjects')).status).toBe(403);
		await sf.admin('POST', '/_sandbox/clock/advance', { ms: 12 * 3_600_000 + 60_000 });
		const back = await sf.get('/sobjects');
		expect(back.status).toBe(200);
		expect(back.headers.get('sforce-limit-info')).toBe('api-usage=1/50');
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { sessionTimeoutMs: 2 * 3_600_000 });
	});

	it('the admin can set usage to reach the limit without making the calls', async () => {
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { dailyApiLimit: 100_000, apiUsage: 99_999 });
		expect((await sf.get('/limits')).headers.get('sforce-limit-info')).toBe('api-usage=100000/100000');
		expect((await sf.get('/limits')).status).toBe(403);
	});

	it('injected 5xx answers 503 SERVER_UNAVAILABLE in the error-array format', async () => {
		await sf.admin('PUT', '/_sandbox/faults', { force5xx: 2, routePrefix: 'sobjects' });
		const a = await sf.call('POST', '/sobjects/Contact', { LastName: 'x' });
		expect(a.status).toBe(503);
		expect(a.body).toEqual([{ errorCode: 'SERVER_UNAVAILABLE', message: expect.any(String) }]);
		expect((await sf.get('/limits')).status).toBe(200); // other routes unaffected
		expect((await sf.call('POST', '/sobjects/Contact', { LastName: 'x' })).status).toBe(503);
		expect((await sf.call('POST', '/sobjects/Contact', { LastName: 'x' })).status).toBe(201);
		await sf.admin('DELETE', '/_sandbox/faults');
	});

	it('forced throttling answers like Salesforce (403 REQUEST_LIMIT_EXCEEDED, not 429)', async () => {
		await sf.admin('PUT', '/_sandbox/faults', { force429: 1 });
		const r = await sf.get('/limits');
		expect(r.status).toBe(403);
		expect(r.body[0].errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
		await sf.admin('DELETE', '/_sandbox/faults');
	});

	it('an injected timeout leaves the request unanswered', async () => {
		await sf.admin('PUT', '/_sandbox/faults', { timeoutRate: 1 });
		const ac = new AbortController();
		const t = setTimeout(() => ac.abort(), 300);
		await expect(fetch(`${sf.url}/services/data/${sf.v}/limits`, { headers: { Authorization: `Bearer ${sf.token}` }, signal: ac.signal })).rejects.toThrow();
		clearTimeout(t);
		await sf.admin('DELETE', '/_sandbox/faults');
		expect((await sf.get('/limits')).status).toBe(200);
	});

	it('injected malformed JSON bodies are cut off mid-document', async () => {
		await sf.admin('PUT', '/_sandbox/faults', { malformedRate: 1 });
		const r = await sf.get('/limits');
		expect(r.status).toBe(200);
		expect(() => JSON.parse(r.text)).toThrow();
		await sf.admin('DELETE', '/_sandbox/faults');
	});

	it('UNABLE_TO_LOCK_ROW injection: single writes 400, collection items fail individually', async () => {
		const id = (await sf.call('POST', '/sobjects/Contact', { LastName: 'x' })).body.id;
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { lockRows: 1 });
		const locked = await sf.call('PATCH', `/sobjects/Contact/${id}`, { Title: 'y' });
		expect(locked.status).toBe(400);
		expect(locked.body).toEqual([{ message: `unable to obtain exclusive access to this record or 1 records: ${id}`, errorCode: 'UNABLE_TO_LOCK_ROW', fields: [] }]);
		expect((await sf.call('PATCH', `/sobjects/Contact/${id}`, { Title: 'y' })).status).toBe(204);
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { lockRows: 1 });
		const col = await sf.call('POST', '/composite/sobjects', {
			records: [
				{ attributes: { type: 'Contact' }, LastName: 'a' },
				{ attributes: { type: 'Contact' }, LastName: 'b' },
			],
		});
		expect(col.body[0].errors[0].statusCode).toBe('UNABLE_TO_LOCK_ROW');
		expect(col.body[1].success).toBe(true);
	});
});
