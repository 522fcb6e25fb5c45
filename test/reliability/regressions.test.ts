/**
 * Regression tests for the product bugs the reliability suite's fuzzing found (each a minimal counterexample
 * that fast-check shrank to; see RELIABILITY.md, "Bugs found").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jobberSignature, verifyJobberSignature } from '../../connectors/jobber';
import { classify, recordName } from '../../sync/errors';
import { commit, plan, type LedgerConfig } from '../../sync/ledger';
import { compileMapping, MappingConfigError, PRESETS } from '../../sync/mapping';
import { openSqliteStore, type SyncStore } from '../../sync/store';
import { startSandbox as startHubspot } from '../connectors/hubspot/helpers';

describe('Sync Ledger: a record with an unreadable updatedAt', () => {
	let dir: string;
	let store: SyncStore;
	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'flux-reliability-regress-'));
		store = await openSqliteStore({ kind: 'sqlite', path: join(dir, 'ledger.sqlite'), synchronous: 'normal' });
	});
	afterAll(async () => {
		await store?.close();
		rmSync(dir, { recursive: true, force: true });
	});
	const preset = PRESETS.find((p) => p.id === 'salesforce_contact_hubspot_contact')!;
	const config = (mappingId: string): LedgerConfig => ({ mappingId, mapping: preset.mapping, source: preset.source, target: preset.target, matchKey: { source: 'Email', target: 'email', normalise: 'email' } });

	test.each([[''], ['yesterday'], ['2024-13-45T99:99:99Z']])('updatedAt %j: created and committed (it used to make Commit throw "Not a valid timestamp" after the vendor write)', async (updatedAt) => {
		const mappingId = `regress-${updatedAt || 'empty'}`;
		const planned = await plan(config(mappingId), [], [{ system: 'hubspot', object: 'contacts', id: 'h1', updatedAt, fields: { email: 'ann@example.com', lastname: 'Lee' } }], store);
		expect(planned.toSource).toHaveLength(1);
		const [d] = planned.toSource;
		const done = await commit(null, [{ sync: d.sync, ok: true, id: '003000000000001AAA', updatedAt: '2025-01-01T00:00:00.000Z', fields: d.fields }], store);
		expect(done.results).toEqual([expect.objectContaining({ ok: true, status: 'paired' })]);
		const pair = await store.getPair(mappingId, 'target', 'h1');
		expect(pair).toMatchObject({ source: { id: '003000000000001AAA' }, targetUpdatedAt: null, sourceUpdatedAt: '2025-01-01T00:00:00.000Z' });
	});

	test('an equal pair found by match key with an unreadable updatedAt is paired by Plan itself, without an exception', async () => {
		const planned = await plan(
			config('regress-direct'),
			[{ system: 'salesforce', object: 'Contact', id: '003000000000002AAA', updatedAt: 'n/a', fields: { Email: 'bo@example.com', LastName: 'Ray' } }],
			[{ system: 'hubspot', object: 'contacts', id: 'h2', updatedAt: '2025-01-01T00:00:00Z', fields: { email: 'bo@example.com', lastname: 'Ray' } }],
			store,
		);
		expect(planned.summary.paired).toBe(1);
		expect(await store.getPair('regress-direct', 'source', '003000000000002AAA')).toMatchObject({ sourceUpdatedAt: null });
	});
});

describe('values that are JSON objects with a "toString" key (String() throws on them)', () => {
	test('classify() keeps its promise never to throw: the field is shown as JSON', () => {
		const failure = classify(JSON.parse('{"failed":true,"errors":[{"code":"INVALID_EMAIL","field":{"toString":"x"}}],"record":{"id":"1"}}'));
		expect(failure.errors).toEqual([expect.objectContaining({ code: 'INVALID_EMAIL', field: '{"toString":"x"}' })]);
	});

	test('a mapping whose target is such an object is refused with a MappingConfigError, not a TypeError', () => {
		expect(() => compileMapping(JSON.parse('{"pairs":[{"source":"a","target":{"toString":"x"}}]}'))).toThrow(MappingConfigError);
		expect(() => compileMapping(JSON.parse('{"pairs":[{"source":[{"toString":1}],"target":"b"}]}'))).toThrow(/#1 \(\{"toString":1\} → b\)/);
	});
});

describe('Jobber signature header: only the canonical base64 of the MAC is accepted', () => {
	const secret = 'jobber-secret';
	const body = '{"data":{"webHookEvent":{"topic":"CLIENT_CREATE","itemId":"1","occurredAt":"2025-01-01T00:00:00Z"}}}';
	const good = jobberSignature(secret, body);

	test('the signature itself passes (with surrounding spaces, or without its padding, too)', () => {
		expect(verifyJobberSignature(secret, body, good)).toBe(true);
		expect(verifyJobberSignature(secret, body, ` ${good} `)).toBe(true);
		expect(verifyJobberSignature(secret, body, good.replace(/=+$/, ''))).toBe(true);
	});

	test.each([
		['bytes after the padding', `${good}AAAA`],
		['characters outside the alphabet', `${good.slice(0, 10)}!*${good.slice(10)}`],
		['base64url instead of base64', good.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') + (/[+/]/.test(good) ? '' : '!')],
	])('%s: refused (Node’s lenient decoder used to turn it back into the signature)', (_what, header) => {
		expect(Buffer.from(header, 'base64').equals(Buffer.from(good, 'base64'))).toBe(true);
		expect(verifyJobberSignature(secret, body, header)).toBe(false);
	});
});

describe('error dashboard: a parked Salesforce record is listed by its name', () => {
	test('FirstName / LastName (and Name, Email) are read like the other vendors’ name fields', () => {
		const item = (data: unknown) => ({ id: 'r1', recordId: '003000000000001AAA', data }) as unknown as Parameters<typeof recordName>[0];
		expect(recordName(item({ system: 'salesforce', fields: { FirstName: 'Ann', LastName: 'Lee', Email: 'ann@example.com' } }))).toBe('Ann Lee');
		expect(recordName(item({ fields: { Name: 'Acme' } }))).toBe('Acme');
		expect(recordName(item({ fields: { Email: 'bo@example.com' } }))).toBe('bo@example.com');
	});
});

describe('HubSpot connector: an answer whose JSON is cut off', () => {
	let hs: Awaited<ReturnType<typeof startHubspot>>;
	beforeAll(async () => {
		hs = await startHubspot();
		await fetch(`${hs.url}/_sandbox/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ count: 5, seed: 2 }) });
	});
	afterAll(() => hs?.close());
	const fast = () => hs.connector({ retry: { baseDelayMs: 1, maxDelayMs: 5 } });

	test('Get Changes fails with Connection Timeout instead of reading it as an empty page (it used to return 0 records)', async () => {
		hs.faults({ malformedRate: 1, routePrefix: 'contacts.search' });
		const read = async () => {
			const out = [];
			for await (const page of fast().changes('contacts', {})) out.push(...page.records);
			return out;
		};
		await expect(read()).rejects.toMatchObject({ classified: { code: 'CONNECTION_TIMEOUT', retryable: true } });
		hs.faults({ malformedRate: 0.5, seed: 8 });
		expect(await read()).toHaveLength(5);
		hs.faults({});
	});

	test('a batch upsert gets a classified failure per record (it used to get null results)', async () => {
		hs.faults({ malformedRate: 1, routePrefix: 'contacts.batch' });
		const results = await fast().upsert('contacts', [{ fields: { email: 'cut1@example.com' } }, { fields: { email: 'cut2@example.com' } }], { matchKey: 'email' });
		hs.faults({});
		expect(results).toEqual([expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'CONNECTION_TIMEOUT' }) }), expect.objectContaining({ ok: false, error: expect.objectContaining({ code: 'CONNECTION_TIMEOUT' }) })]);
	});
});
