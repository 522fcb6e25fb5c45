/** SOQL over HTTP: pagination with nextRecordsUrl, batch sizes, SystemModstamp polling, queryAll, seed with dirty data. */
import { startSf, type Sf } from './helpers';

describe('Salesforce SOQL over REST', () => {
	let sf: Sf;
	beforeAll(async () => {
		sf = await startSf({ dailyApiLimit: 100_000 });
	});
	afterAll(() => sf.close());

	it('seeds deterministically with the requested share of dirty data, stored as a real org would hold it', async () => {
		await sf.admin('POST', '/_sandbox/reset');
		const a = await sf.admin('POST', '/_sandbox/seed', { object: 'Contact', count: 3000, dirtyShare: 0.2, seed: 7 });
		expect(a.body.created).toBe(3000);
		expect(a.body.ids).toHaveLength(3000);
		const dirtyTotal = Object.values(a.body.dirty as Record<string, number>).reduce((x, y) => x + y, 0);
		expect(dirtyTotal).toBeGreaterThan(450);
		expect(dirtyTotal).toBeLessThan(750);
		// Stamps are relative to the (moving) clock; everything else must repeat exactly.
		const timeless = (rs: any[]) => rs.map(({ CreatedDate, LastModifiedDate, SystemModstamp, ...rest }) => rest);
		const first = timeless((await sf.admin('GET', '/_sandbox/records/Contact')).body.slice(0, 50));
		await sf.admin('POST', '/_sandbox/reset');
		const b = await sf.admin('POST', '/_sandbox/seed', { object: 'Contact', count: 3000, dirtyShare: 0.2, seed: 7 });
		expect(b.body.ids).toEqual(a.body.ids);
		expect(timeless((await sf.admin('GET', '/_sandbox/records/Contact')).body.slice(0, 50))).toEqual(first);

		const contacts: any[] = (await sf.admin('GET', '/_sandbox/records/Contact')).body;
		// Invalid emails cannot live in a Salesforce email field: the seed moves them to Description.
		expect(contacts.every((c) => c.Email === null || /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(c.Email))).toBe(true);
		expect(contacts.some((c) => c.Description?.startsWith('Email on the paper form'))).toBe(true);
		expect(contacts.every((c) => c.Title === null || c.Title.length <= 128)).toBe(true);
		expect(contacts.some((c) => c.Email === null)).toBe(true);
		expect(contacts.some((c) => /[^\x00-\x7f]/.test(`${c.FirstName}${c.LastName}`))).toBe(true);
		expect(contacts.some((c) => c.Phone && !/\d{3}.*\d{4}/.test(c.Phone))).toBe(true);
		// Duplicates: the same email in another case.
		const emails = contacts.filter((c) => c.Email).map((c) => c.Email.toLowerCase());
		expect(new Set(emails).size).toBeLessThan(emails.length);
		// Every contact belongs to a seeded account, and seeded data was last touched by a person.
		expect(contacts.every((c) => /^001/.test(c.AccountId))).toBe(true);
		expect(contacts[0].LastModifiedById).toBe(sf.info.humanUserId);
		const jobs = await sf.admin('POST', '/_sandbox/seed', { object: 'Service_Job__c', count: 20 });
		expect(jobs.body.object).toBe('Service_Job__c');
		const q = await sf.query('SELECT Name, Status__c, Contact__r.Email, Account__r.Name FROM Service_Job__c LIMIT 5');
		expect(q.body.records[0].Contact__r.attributes.type).toBe('Contact');
	});

	it('follows nextRecordsUrl across many pages with batchSize=200; totals and done flags are right', async () => {
		const headers = { 'Sforce-Query-Options': 'batchSize=200' };
		const first = await sf.query('SELECT Id, Email, Account.Name FROM Contact ORDER BY Id', headers);
		expect(first.body).toMatchObject({ totalSize: 3000, done: false });
		expect(first.body.records).toHaveLength(200);
		expect(first.body.nextRecordsUrl).toMatch(new RegExp(`^/services/data/${sf.v.replace('.', '\\.')}/query/01g[A-Za-z0-9]{15}-200$`));
		const seen = new Set<string>(first.body.records.map((r: any) => r.Id));
		let next = first.body.nextRecordsUrl;
		let pages = 1;
		let last: any;
		while (next) {
			last = await sf.get(next, headers);
			expect(last.status).toBe(200);
			expect(last.body.totalSize).toBe(3000);
			for (const r of last.body.records) seen.add(r.Id);
			next = last.body.nextRecordsUrl;
			pages++;
		}
		expect(pages).toBe(15);
		expect(last.body.done).toBe(true);
		expect(last.body).not.toHaveProperty('nextRecordsUrl');
		expect(seen.size).toBe(3000);
		// Default batch is 2,000; out-of-range batch sizes are clamped to 200..2000.
		expect((await sf.query('SELECT Id FROM Contact')).body.records).toHaveLength(2000);
		expect((await sf.query('SELECT Id FROM Contact', { 'Sforce-Query-Options': 'batchSize=5' })).body.records).toHaveLength(200);
		// A finished cursor is gone; an unknown locator is INVALID_QUERY_LOCATOR.
		const gone = await sf.get(`/query/${first.body.nextRecordsUrl.split('/').pop()!.replace(/-\d+$/, '-2800')}`);
		expect(gone.status).toBe(400);
		expect(gone.body[0].errorCode).toBe('INVALID_QUERY_LOCATOR');
		// LIMIT caps totalSize; COUNT() counts.
		const limited = await sf.query('SELECT Id FROM Contact LIMIT 450', headers);
		expect(limited.body.totalSize).toBe(450);
		expect((await sf.get(limited.body.nextRecordsUrl)).body.records).toHaveLength(200);
		expect((await sf.query('SELECT COUNT() FROM Contact')).body).toEqual({ totalSize: 3000, done: true, records: [] });
	});

	it('locators expire after 15 idle minutes, and at most 10 cursors stay open', async () => {
		const headers = { 'Sforce-Query-Options': 'batchSize=200' };
		const r = await sf.query('SELECT Id FROM Contact', headers);
		await sf.admin('POST', '/_sandbox/clock/advance', { ms: 16 * 60_000 });
		expect((await sf.get(r.body.nextRecordsUrl)).body[0].errorCode).toBe('INVALID_QUERY_LOCATOR');
		const urls: string[] = [];
		for (let i = 0; i < 11; i++) urls.push((await sf.query('SELECT Id FROM Contact', headers)).body.nextRecordsUrl);
		expect((await sf.get(urls[0])).status).toBe(400);
		expect((await sf.get(urls[10])).status).toBe(200);
	});

	it('polls incrementally on SystemModstamp (whole-second stamps) and tells human edits apart by LastModifiedById', async () => {
		await sf.admin('POST', '/_sandbox/reset');
		const now = () => sf.admin('GET', '/_sandbox/info').then(() => undefined);
		await now();
		const created: string[] = [];
		for (let i = 0; i < 5; i++) created.push((await sf.call('POST', '/sobjects/Contact', { LastName: `C${i}` })).body.id);
		const all = await sf.query('SELECT Id, SystemModstamp FROM Contact ORDER BY SystemModstamp, Id');
		const cursor = all.body.records[all.body.records.length - 1].SystemModstamp as string;
		// Stamps have whole seconds: several records share one, so the next poll uses >= and skips seen ids.
		expect(cursor).toMatch(/\.000\+0000$/);
		await sf.admin('POST', '/_sandbox/clock/advance', { ms: 2_000 });
		await sf.call('PATCH', `/sobjects/Contact/${created[1]}`, { Title: 'changed' });
		await sf.admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', id: created[3], fields: { Title: 'by a person' } });
		const literal = cursor.replace('+0000', 'Z');
		const poll = await sf.query(`SELECT Id, LastModifiedById FROM Contact WHERE SystemModstamp > ${literal} ORDER BY SystemModstamp, Id`);
		expect(poll.body.records.map((r: any) => r.Id)).toEqual([created[1], created[3]]);
		expect(poll.body.records[1].LastModifiedById).toBe(sf.info.humanUserId);
		// A quoted datetime fails the way the real API fails.
		const quoted = await sf.query(`SELECT Id FROM Contact WHERE SystemModstamp > '${literal}'`);
		expect(quoted.status).toBe(400);
		expect(quoted.body[0].errorCode).toBe('INVALID_FIELD');
		// A raw '+' in the URL decodes to a space: the offset is lost and the query is malformed, as on the real API.
		const plus = await sf.call('GET', `/query?q=${encodeURIComponent('SELECT Id FROM Contact WHERE SystemModstamp > 2025-01-01T00:00:00').replace(/%20/g, '+')}+00:00`);
		expect(plus.body[0].errorCode).toBe('MALFORMED_QUERY');
		const offset = await sf.query('SELECT Id FROM Contact WHERE SystemModstamp > 2025-01-01T00:00:00+00:00');
		expect(offset.body.totalSize).toBe(5);
		// queryAll also returns deleted rows.
		await sf.call('DELETE', `/sobjects/Contact/${created[0]}`);
		const q = await sf.query(`SELECT Id FROM Contact WHERE Id = '${created[0]}'`);
		expect(q.body.totalSize).toBe(0);
		const qa = await sf.call('GET', `/queryAll?q=${encodeURIComponent(`SELECT Id, IsDeleted FROM Contact WHERE SystemModstamp > ${literal}`)}`);
		expect(qa.body.records.map((r: any) => [r.Id, r.IsDeleted])).toContainEqual([created[0], true]);
	});

	it('injection through a properly escaped literal is only data; an unescaped one is a syntax error', async () => {
		await sf.call('POST', '/sobjects/Contact', { LastName: "O'Brien" });
		const value = "x' OR Name != '";
		const escaped = value.replace(/\\/g, '\\\\').replace(/'/g, "\\'");
		const safe = await sf.query(`SELECT Id FROM Contact WHERE LastName = '${escaped}'`);
		expect(safe.status).toBe(200);
		expect(safe.body.totalSize).toBe(0);
		const real = await sf.query(`SELECT Id, LastName FROM Contact WHERE LastName = '${"O'Brien".replace(/'/g, "\\'")}'`);
		expect(real.body.records.map((r: any) => r.LastName)).toEqual(["O'Brien"]);
		const unescaped = await sf.query(`SELECT Id FROM Contact WHERE LastName = '${value}' AND Id = null`);
		expect(unescaped.status).toBe(400);
		expect(unescaped.body[0].errorCode).toBe('MALFORMED_QUERY');
		const noQ = await sf.get('/query');
		expect(noQ.body).toEqual([{ message: 'A query string has to be specified', errorCode: 'MALFORMED_QUERY' }]);
	});
});
