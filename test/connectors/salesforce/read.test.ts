/** Reads: get, get many across many pages, find / findMany, changes since a cursor, schema discovery. */
import { versionKey } from '../../../connectors/salesforce';
import { all, startSalesforce, type SfEnv } from './helpers';

let sf: SfEnv;
beforeAll(async () => {
	sf = await startSalesforce({ dailyApiLimit: 1_000_000 });
});
afterAll(() => sf.close());

describe('schema discovery', () => {
	beforeAll(() => sf.reset());

	it('describe → FieldInfo: required = !nillable && createable && !defaultedOnCreate, lengths, picklists, custom, unique', async () => {
		const c = sf.connector();
		const fields = await c.fields('Contact');
		const by = Object.fromEntries(fields.map((f) => [f.name, f]));
		expect(by.LastName).toMatchObject({ required: true, readOnly: false, maxLength: 80, type: 'string', custom: false });
		expect(by.FirstName).toMatchObject({ required: false, maxLength: 40 });
		expect(by.Email).toMatchObject({ type: 'email', maxLength: 80 });
		expect(by.Name).toMatchObject({ readOnly: true, required: false });
		expect(by.OwnerId).toMatchObject({ required: false, type: 'reference' }); // defaulted on create
		expect(by.HasOptedOutOfEmail).toMatchObject({ required: false, type: 'boolean' });
		expect(by.Ext_Id__c).toMatchObject({ custom: true, unique: true });
		expect(by.Legacy_Id__c).toMatchObject({ custom: true, unique: false });
		expect(by.LeadSource.options?.map((o) => o.value)).toContain('Web');
		const opp = Object.fromEntries((await c.fields('Opportunity')).map((f) => [f.name, f]));
		expect(Object.values(opp).filter((f) => f.required).map((f) => f.name).sort()).toEqual(['CloseDate', 'Name', 'StageName']);
		const lead = Object.fromEntries((await c.fields('Lead')).map((f) => [f.name, f]));
		expect(lead.Status).toMatchObject({ required: false, type: 'enum' }); // defaulted
		expect(lead.Company.required).toBe(true);
		const job = await c.describe('Service_Job__c');
		expect(job.fields.filter((f) => f.externalId).map((f) => f.name)).toEqual(['Ext_Id__c']);
	});

	it('describeGlobal lists the standard objects and the custom one; describes are cached per credential', async () => {
		const c = sf.connector();
		await sf.resetCounters();
		const objects = await c.objects();
		expect(objects.map((o) => o.name)).toEqual(expect.arrayContaining(['Account', 'Contact', 'Lead', 'Opportunity', 'Service_Job__c']));
		expect(objects.find((o) => o.name === 'Contact')).toMatchObject({ label: 'Contact', incremental: true, maxBatch: 200 });
		await c.describe('Contact');
		await c.describe('Contact');
		await c.objects();
		const counters = await sf.counters();
		expect(counters.byRoute['sobjects.global']).toBe(1);
		expect(counters.byRoute['sobjects.describe']).toBe(1);
	});

	it('an unknown object is OBJECT_TYPE_CHANGED', async () => {
		await expect(sf.connector().describe('Accout')).rejects.toMatchObject({ classified: { code: 'OBJECT_TYPE_CHANGED', category: 'Mapping' } });
	});
});

describe('get and get many', () => {
	let ids: string[];
	beforeAll(async () => {
		await sf.reset();
		ids = (await sf.seed('Contact', 5000)).ids;
	});

	it('get returns an envelope: API names, attributes dropped, updatedAt ISO UTC from SystemModstamp', async () => {
		const c = sf.connector();
		const env = await c.get('Contact', ids[0]);
		expect(env).toMatchObject({ system: 'salesforce', object: 'Contact', id: ids[0] });
		expect(env.fields.attributes).toBeUndefined();
		expect(env.fields.Id).toBe(ids[0]);
		expect(env.updatedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
		expect(Date.parse(env.updatedAt)).toBe(Date.parse(String(env.fields.SystemModstamp).replace('+0000', 'Z')));
		const some = await c.get('Contact', ids[1], { fields: ['Id', 'LastName'] });
		expect(Object.keys(some.fields).sort()).toEqual(['Id', 'LastName']);
		// A 15-character id works too.
		expect((await c.get('Contact', ids[0].slice(0, 15))).id).toBe(ids[0]);
	});

	it('get of a missing or malformed id is a record-level error naming Id', async () => {
		const c = sf.connector();
		await expect(c.get('Contact', '003ak000000zzzzAAA')).rejects.toMatchObject({ classified: { code: 'FIELD_NOT_FOUND', field: 'Id', vendor: { code: 'NOT_FOUND', status: 404 } } });
		await sf.resetCounters();
		await expect(c.get('Contact', "003' OR 1=1")).rejects.toMatchObject({ classified: { code: 'INVALID_FORMAT', field: 'Id' } });
		expect((await sf.counters()).total).toBe(0); // refused locally
	});

	it('get many follows nextRecordsUrl to the end: 5,000 contacts in 3 calls at 2,000 a batch, 25 at 200', async () => {
		const c = sf.connector();
		await sf.resetCounters();
		const rows = await all(c.getMany('Contact', { fields: ['Id', 'LastName', 'SystemModstamp'] }));
		expect(rows).toHaveLength(5000);
		expect(new Set(rows.map((r) => r.id)).size).toBe(5000);
		let counters = await sf.counters();
		expect(counters.byRoute.query).toBe(1);
		expect(counters.byRoute['query.more']).toBe(2);
		await sf.resetCounters();
		let pages = 0;
		for await (const page of c.getMany('Contact', { fields: ['Id'], pageSize: 200 })) {
			pages++;
			expect(page.length).toBeLessThanOrEqual(200);
		}
		expect(pages).toBe(25);
		counters = await sf.counters();
		expect(counters.total).toBe(25);
	});

	it('get many with conditions and a limit; every field by default (describe, compound address left out)', async () => {
		const c = sf.connector();
		const rows = await all(c.getMany('Contact', { conditions: [{ field: 'LastName', op: 'STARTS_WITH', value: 'A' }], limit: 10 }));
		expect(rows.length).toBeGreaterThan(0);
		expect(rows.length).toBeLessThanOrEqual(10);
		expect(rows.every((r) => String(r.fields.LastName).startsWith('A'))).toBe(true);
		expect(rows[0].fields).toHaveProperty('Email');
		expect(rows[0].fields).toHaveProperty('Ext_Id__c');
		expect(rows[0].fields).not.toHaveProperty('MailingAddress');
	});

	it('an unknown field in a read is FIELD_NOT_FOUND naming the field', async () => {
		await expect(all(sf.connector().getMany('Contact', { fields: ['Id', 'Emial'] }))).rejects.toMatchObject({
			classified: { code: 'FIELD_NOT_FOUND', field: 'Emial', vendor: { code: 'INVALID_FIELD' } },
		});
	});
});

describe('find by match key', () => {
	beforeAll(() => sf.reset());

	it('find by email is case-insensitive like SOQL; findMany answers 300 lookups in one call, in input order', async () => {
		const c = sf.connector();
		const created = await c.batch(
			'create',
			'Contact',
			Array.from({ length: 300 }, (_, i) => ({ fields: { LastName: `Find ${i}`, Email: `find${i}@example.com` } })),
		);
		expect(created.every((r) => r.ok)).toBe(true);
		const hit = await c.find('Contact', 'Email', 'FIND7@example.com');
		expect(hit.map((h) => h.fields.LastName)).toEqual(['Find 7']);
		await sf.resetCounters();
		const values = [...Array.from({ length: 300 }, (_, i) => `find${299 - i}@EXAMPLE.com`), 'nobody@example.com', "o'hara@example.com", ''];
		const found = await c.findMany('Contact', 'Email', values, { fields: ['Id', 'Email', 'LastName'] });
		expect(found).toHaveLength(303);
		expect(found[0].map((r) => r.fields.LastName)).toEqual(['Find 299']);
		expect(found[299].map((r) => r.fields.LastName)).toEqual(['Find 0']);
		expect(found[300]).toEqual([]);
		expect(found[301]).toEqual([]);
		expect(found[302]).toEqual([]);
		expect((await sf.counters()).total).toBe(1);
	});
});

describe('changes since a cursor', () => {
	let c: ReturnType<SfEnv['connector']>;
	beforeAll(async () => {
		await sf.reset();
		c = sf.connector();
	});

	const drain = async (opts: Parameters<typeof c.changes>[1]) => {
		const records = [];
		let checkpoint: string | undefined;
		let pages = 0;
		for await (const page of c.changes('Contact', opts)) {
			pages++;
			records.push(...page.records);
			checkpoint = page.checkpoint ?? checkpoint;
		}
		return { records, checkpoint, pages };
	};

	it('full sync reads every page in SystemModstamp, Id order; the checkpoint is the newest stamp', async () => {
		await sf.seed('Contact', 4500);
		await sf.resetCounters();
		const { records, checkpoint, pages } = await drain({ fields: ['Id', 'LastName'] });
		expect(records).toHaveLength(4500);
		expect(pages).toBe(3);
		const stamps = records.map((r) => Date.parse(r.updatedAt));
		for (let i = 1; i < stamps.length; i++) {
			expect(stamps[i]).toBeGreaterThanOrEqual(stamps[i - 1]);
			if (stamps[i] === stamps[i - 1]) expect(records[i].id > records[i - 1].id).toBe(true);
		}
		expect(checkpoint).toBe(new Date(Math.max(...stamps)).toISOString());
		expect((await sf.counters()).total).toBe(3);
	});

	it('incremental: only what changed since the checkpoint, overlap re-reads are de-duplicated by Id+SystemModstamp', async () => {
		const first = await drain({ fields: ['Id', 'LastName'] });
		const since = first.checkpoint!;
		// Nothing new: the overlap window re-reads recent versions, the seen set removes them.
		const recent = first.records.filter((r) => Date.parse(r.updatedAt) >= Date.parse(since) - 120_000).map(versionKey);
		const quiet = await drain({ since, overlapMs: 120_000, seen: recent, fields: ['Id', 'LastName'] });
		expect(quiet.records).toEqual([]);
		expect(quiet.checkpoint).toBe(since);
		// Without the seen set the same window comes back (that is what the overlap is for).
		const noDedup = await drain({ since, overlapMs: 120_000, fields: ['Id', 'LastName'] });
		expect(noDedup.records.length).toBe(recent.length);

		// A person edits two contacts; an integration creates one.
		await sf.admin('POST', '/_sandbox/clock/advance', { ms: 5_000 });
		const a = first.records[10];
		const b = first.records[20];
		await sf.admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', id: a.id, fields: { Title: 'Edited' } });
		await sf.admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', id: b.id, fields: { Title: 'Edited' } });
		const created = await c.create('Contact', { LastName: 'Newcomer' });
		const next = await drain({ since, overlapMs: 120_000, seen: recent, fields: ['Id', 'LastName', 'Title'] });
		expect(next.records.map((r) => r.id).sort()).toEqual([a.id, b.id, created.ok ? created.record.id : ''].sort());
		expect(Date.parse(next.checkpoint!)).toBeGreaterThan(Date.parse(since));
		// The same call again with the new cursor: nothing twice.
		const again = await drain({ since: next.checkpoint, overlapMs: 120_000, seen: [...recent, ...next.records.map(versionKey)], fields: ['Id'] });
		expect(again.records).toEqual([]);
	});

	it('ties on the checkpoint second: records stamped in the same second as the checkpoint are not lost', async () => {
		await sf.reset();
		const x = await c.create('Contact', { LastName: 'Tie 1' });
		const first = await drain({ fields: ['Id'] });
		expect(first.records).toHaveLength(1);
		// Same second (the sandbox clock stands still here): a `>` cursor would miss it.
		const y = await c.create('Contact', { LastName: 'Tie 2' });
		const next = await drain({ since: first.checkpoint, seen: first.records.map(versionKey), fields: ['Id'] });
		expect(next.records.map((r) => r.id)).toEqual([y.ok ? y.record.id : '']);
		expect(x.ok).toBe(true);
	});

	it('maxRecords stops early with done=false and a checkpoint at the last record delivered', async () => {
		await sf.reset();
		await sf.seed('Contact', 300);
		const pages = [];
		for await (const page of c.changes('Contact', { fields: ['Id'], maxRecords: 120, pageSize: 200 })) pages.push(page);
		const records = pages.flatMap((p) => p.records);
		expect(records).toHaveLength(120);
		expect(pages[pages.length - 1].done).toBe(false);
		expect(pages[pages.length - 1].checkpoint).toBe(records[119].updatedAt);
	});

	it('an expired query locator restarts the query from the last stamp; nothing is lost or repeated', async () => {
		await sf.reset();
		await sf.seed('Contact', 1000);
		await sf.admin('PUT', '/_sandbox/salesforce/settings', { sessionTimeoutMs: 86_400_000 });
		const seenIds: string[] = [];
		let pages = 0;
		for await (const page of c.changes('Contact', { fields: ['Id'], pageSize: 200 })) {
			pages++;
			seenIds.push(...page.records.map((r) => r.id));
			// Query locators die after 15 idle minutes.
			if (pages === 2) await sf.admin('POST', '/_sandbox/clock/advance', { ms: 16 * 60_000 });
		}
		expect(seenIds).toHaveLength(1000);
		expect(new Set(seenIds).size).toBe(1000);
		const requests = await sf.admin('GET', '/_sandbox/requests?status=400');
		expect(requests.some((r: { route: string }) => r.route === 'query.more')).toBe(true);
	});

	it('includeDeleted reads the recycle bin (queryAll) and marks deleted records', async () => {
		await sf.reset();
		const a = await c.create('Contact', { LastName: 'Keep' });
		const b = await c.create('Contact', { LastName: 'Gone' });
		await c.delete('Contact', b.ok ? b.record.id : '');
		const live = await drain({ fields: ['Id'] });
		expect(live.records.map((r) => r.id)).toEqual([a.ok ? a.record.id : '']);
		const withDeleted = await drain({ fields: ['Id'], includeDeleted: true });
		const gone = withDeleted.records.find((r) => r.id === (b.ok ? b.record.id : ''));
		expect(gone).toMatchObject({ deleted: true, fields: { IsDeleted: true } });
	});
});
