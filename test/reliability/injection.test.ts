/**
 * Injection through field values and match keys, through the connectors the vendor nodes use, against the
 * sandboxes (Salesforce parses real SOQL; Jobber runs graphql-js; HubSpot and Pipedrive implement their search
 * filters). Every payload is used three ways:
 *  - as a match value (find): it matches nothing, or exactly the record that holds it verbatim — never more;
 *  - as a field value (create, then read back): stored and returned byte for byte;
 *  - as a match key (a field name): refused with a classified error, never widened into another query.
 * And the vendor answered every query with success (no 400 "malformed query": the payload never reached the
 * query syntax), and the records that were there before are exactly as they were.
 */
import { ConnectorError } from '../../connectors/core/errors';
import { SoqlInputError } from '../../connectors/salesforce';
import { isErrorCode } from '../../errors/taxonomy';
import { classifyError } from '../../sync/errors';
import { startSandbox as startHubspot, type Sandbox as HubspotSandbox } from '../connectors/hubspot/helpers';
import { startHarness as startJobber, type Harness as JobberHarness } from '../connectors/jobber/helpers';
import { startHarness as startPipedrive, type Harness as PipedriveHarness } from '../connectors/pipedrive/helpers';
import { startSalesforce, type SfEnv } from '../connectors/salesforce/helpers';
import { INJECTIONS } from './arbitraries';

jest.setTimeout(120_000);

const PAYLOADS = [...new Set([...INJECTIONS.soql, ...INJECTIONS.graphql, ...INJECTIONS.hubspot, ...INJECTIONS.markup, "O'Brien", 'a\\', '%', '_'])];
/** Names that hold a payload must be valid for the vendor's field (length, no control characters). */
const AS_NAME = PAYLOADS.filter((p) => p.trim() !== '' && p.length <= 70);

/** A failure the Error Policy would get: classified into the taxonomy, whatever was thrown. */
function expectClassifiedFailure(err: unknown): void {
	expect(err instanceof ConnectorError || err instanceof SoqlInputError || (err as { classified?: unknown }).classified !== undefined).toBe(true);
	const c = err instanceof ConnectorError ? err.classified : classifyError(err);
	expect(isErrorCode(c.code)).toBe(true);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
	try {
		await p;
	} catch (err) {
		return err;
	}
	throw new Error('expected a refusal, got an answer');
}

describe('Salesforce (SOQL)', () => {
	let sf: SfEnv;
	let before: any[];
	beforeAll(async () => {
		sf = await startSalesforce({ dailyApiLimit: 100_000 });
		await sf.seed('Contact', 30);
		before = await sf.admin('GET', '/_sandbox/records/Contact');
		await sf.resetCounters();
	});
	afterAll(() => sf?.close());

	test('a payload as a match value finds nothing; stored as a value it is found exactly and read back verbatim', async () => {
		const c = sf.connector();
		const made = new Map<string, string>();
		for (const p of AS_NAME) {
			expect({ p, found: await c.find('Contact', 'Email', p) }).toEqual({ p, found: [] });
			expect({ p, found: await c.find('Contact', 'LastName', p) }).toEqual({ p, found: [] });
			const res = await c.create('Contact', { LastName: p, Title: p });
			if (!res.ok) throw new Error(`create ${JSON.stringify(p)}: ${res.error.message}`);
			made.set(p, res.record.id);
		}
		for (const [p, id] of made) {
			const found = await c.find('Contact', 'LastName', p);
			expect({ p, ids: found.map((r) => r.id) }).toEqual({ p, ids: [id] });
			expect((await c.get('Contact', id)).fields).toMatchObject({ LastName: p, Title: p });
		}
		// Many values in one IN (...) list: each finds its own record only.
		const many = await c.findMany('Contact', 'LastName', [...made.keys()]);
		expect(many.map((m) => m.map((r) => r.id))).toEqual([...made.values()].map((id) => [id]));
		const counters = await sf.counters();
		expect(counters.byStatus['400']).toBeUndefined();
		expect(counters.byStatus['500']).toBeUndefined();
		const after = (await sf.admin('GET', '/_sandbox/records/Contact')) as any[];
		expect(after).toHaveLength(before.length + made.size);
		expect(after.filter((r) => !made.has(r.LastName) || ![...made.values()].includes(r.Id))).toEqual(before);
	});

	test('a payload as a match key (field name) is refused before any request, with a classified error', async () => {
		const c = sf.connector();
		await sf.resetCounters();
		for (const key of ["Email = 'x' OR Id != null OR Email", 'Email) OR (Id', 'Id, (SELECT Id FROM Contacts)', ...INJECTIONS.soql]) {
			expectClassifiedFailure(await rejection(c.find('Contact', key, 'x@example.com')));
			expectClassifiedFailure(await rejection(c.findMany('Contact', key, ['x@example.com'])));
		}
		expect(Object.keys((await sf.counters()).byRoute).filter((route) => /query/i.test(route))).toEqual([]);
	});
});

describe('HubSpot (search filters)', () => {
	let hs: HubspotSandbox;
	let before: any[];
	beforeAll(async () => {
		// Vendor time 20× real time: HubSpot's search limit (5 calls a second) would otherwise set the pace.
		hs = await startHubspot({}, 20);
		await fetch(`${hs.url}/_sandbox/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 30, seed: 3 }) });
		before = (await (await fetch(`${hs.url}/_sandbox/records/contacts`)).json()) as any[];
		hs.resetCounters();
	});
	afterAll(() => hs?.close());

	test('a payload as a match value finds nothing; stored as a value it is found exactly and read back verbatim', async () => {
		const c = hs.connector();
		const made = new Map<string, string>();
		let n = 0;
		for (const p of AS_NAME) {
			expect({ p, found: await c.find('contacts', 'email', p) }).toEqual({ p, found: [] });
			expect({ p, found: await c.find('contacts', 'firstname', p) }).toEqual({ p, found: [] });
			const res = await c.create('contacts', { email: `inject${++n}@example.com`, firstname: p, lastname: p });
			if (!res.ok) throw new Error(`create ${JSON.stringify(p)}: ${res.error.message}`);
			made.set(p, res.record.id);
		}
		for (const [p, id] of made) {
			expect({ p, ids: (await c.find('contacts', 'firstname', p)).map((r) => r.id) }).toEqual({ p, ids: [id] });
			expect((await c.get('contacts', id, { properties: ['firstname', 'lastname'] })).fields).toMatchObject({ firstname: p, lastname: p });
		}
		expect(hs.byStatus(400)).toBe(0);
		expect(hs.byStatus(500)).toBe(0);
		const after = (await (await fetch(`${hs.url}/_sandbox/records/contacts`)).json()) as any[];
		const ids = new Set(made.values());
		expect(after).toHaveLength(before.length + made.size);
		expect(after.filter((r) => !ids.has(String(r.id)))).toEqual(before);
	});

	test('a payload as the match key (property name) is refused with a classified error, never a match', async () => {
		const c = hs.connector();
		for (const key of ['email" , "operator": "HAS_PROPERTY', 'email","operator":"NEQ', 'hs_object_id NEQ', ...INJECTIONS.hubspot.filter((k) => k.length > 1)]) {
			let outcome: unknown;
			try {
				outcome = await c.find('contacts', key, 'nobody@example.com');
			} catch (err) {
				expectClassifiedFailure(err);
				continue;
			}
			expect({ key, outcome }).toEqual({ key, outcome: [] });
		}
	});
});

describe('Jobber (GraphQL)', () => {
	let jb: JobberHarness;
	let before: any[];
	beforeAll(async () => {
		jb = await startJobber();
		await jb.admin('POST', '/_sandbox/seed', { object: 'clients', count: 20, seed: 5 });
		before = await jb.admin('GET', '/_sandbox/records/clients');
	});
	afterAll(() => jb?.stop());

	test('payloads as match values and as values: exact matches only, stored verbatim, no GraphQL error', async () => {
		const c = jb.connector();
		const names = AS_NAME.filter((p) => p.length <= 60);
		const found = await c.findClients('email', names);
		expect(found.map((f, i) => ({ p: names[i], ids: f.matches.map((m) => m.id), error: f.error?.code }))).toEqual(names.map((p) => ({ p, ids: [], error: undefined })));
		const byName = await c.findClients('name', names.map((p) => `${p} Inject`));
		expect(byName.every((f) => f.matches.length === 0 && !f.error)).toBe(true);
		const written = await c.write(
			'clients',
			names.map((p, i) => ({ op: 'create' as const, fields: { firstName: p, lastName: 'Inject', emails: [{ address: `inject${i}@example.com`, primary: true, description: 'MAIN' }] } })),
		);
		const ids = written.map((w, i) => {
			if (!w.ok) throw new Error(`create ${JSON.stringify(names[i])}: ${JSON.stringify(w)}`);
			return (w as { record: { id: string } }).record.id;
		});
		for (let i = 0; i < names.length; i++) {
			const record = await c.get('clients', ids[i]);
			expect({ p: names[i], firstName: record?.fields.firstName }).toEqual({ p: names[i], firstName: names[i] });
		}
		const again = await c.findClients('name', names.map((p) => `${p} Inject`));
		// Jobber normalises names (trimmed, case-folded, spaces collapsed) when matching: each finds its own client.
		expect(again.map((f) => f.matches.map((m) => m.id))).toEqual(ids.map((id) => [id]));
		const counters = await jb.counters();
		expect(counters.byStatus['400']).toBeUndefined();
		expect(counters.byStatus['500']).toBeUndefined();
		const after = (await jb.admin('GET', '/_sandbox/records/clients')) as any[];
		expect(after).toHaveLength(before.length + ids.length);
		const made = new Set(ids);
		expect(after.filter((r) => !made.has(String(r.id)))).toEqual(before);
	});
});

describe('Pipedrive (search)', () => {
	let pd: PipedriveHarness;
	let before: any[];
	beforeAll(async () => {
		pd = await startPipedrive({ timeScale: 20 });
		await pd.admin('POST', '/_sandbox/seed', { object: 'persons', count: 20, seed: 9 });
		before = await pd.admin('GET', '/_sandbox/records/persons');
		await pd.resetCounters();
	});
	afterAll(() => pd?.stop());

	test('payloads as match values and as names: exact matches only, stored verbatim, records untouched', async () => {
		const c = pd.connector();
		const made = new Map<string, string>();
		let n = 0;
		for (const p of AS_NAME.filter((x) => x.trim().length >= 2)) {
			for (const key of ['email', 'name']) {
				let found: unknown;
				try {
					found = await c.find('persons', key, p);
				} catch (err) {
					// Pipedrive refuses some terms (too short, not an email…): a classified error, never a match.
					expectClassifiedFailure(err);
					continue;
				}
				expect({ p, key, found }).toEqual({ p, key, found: [] });
			}
			const res = await c.create('persons', { name: p, emails: [{ value: `inject${++n}@example.com`, primary: true, label: 'work' }] });
			if (!res.ok) throw new Error(`create ${JSON.stringify(p)}: ${res.error.message}`);
			made.set(p, res.record.id);
		}
		for (const [p, id] of made) {
			expect({ p, ids: (await c.find('persons', 'name', p)).map((r) => r.id) }).toEqual({ p, ids: [id] });
			expect((await c.get('persons', id)).fields).toMatchObject({ name: p });
		}
		const counters = await pd.counters();
		expect(counters.byStatus['500']).toBeUndefined();
		const after = (await pd.admin('GET', '/_sandbox/records/persons')) as any[];
		const ids = new Set(made.values());
		expect(after).toHaveLength(before.length + made.size);
		expect(after.filter((r) => !ids.has(String(r.id)))).toEqual(before);
	});
});
