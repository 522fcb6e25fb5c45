/** Changes since a cursor: every page, the 10,000-result search cap, shared stamps, overlap and checkpoints. */
import type { ChangesPage, RecordEnvelope } from '../../../connectors/core/types';
import type { HubSpotConnector, HubSpotChangesOptions, HubSpotObject } from '../../../connectors/hubspot';
import { liveRecords, startSandbox, type Sandbox } from './helpers';

let sb: Sandbox;
beforeAll(async () => {
	// Real search limit (5/s) and 10-s window on a clock ten times faster than real time.
	sb = await startSandbox({}, 10);
});
afterAll(() => sb.close());
beforeEach(() => {
	sb.def.reset();
	sb.resetCounters();
});

async function drain(hs: HubSpotConnector, object: HubSpotObject, options: HubSpotChangesOptions = {}): Promise<{ records: RecordEnvelope[]; pages: ChangesPage[] }> {
	const pages: ChangesPage[] = [];
	const records: RecordEnvelope[] = [];
	for await (const page of hs.changes(object, options)) {
		pages.push(page);
		records.push(...page.records);
	}
	return { records, pages };
}

function stampsAtOrAfter(object: string, since: string): string[] {
	const t = Date.parse(since);
	return liveRecords(sb, object)
		.filter((r) => Date.parse(r.updatedAt) >= t)
		.map((r) => r.id)
		.sort();
}

test('incremental since a cursor: every page of 200, ascending, checkpoint = newest stamp read', async () => {
	sb.def.seed({ object: 'contacts', count: 1500, seed: 3 });
	const all = liveRecords(sb, 'contacts').sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt));
	const since = all[600].updatedAt;
	const expected = stampsAtOrAfter('contacts', since);
	sb.resetCounters();
	const hs = sb.connector();
	const { records, pages } = await drain(hs, 'contacts', { since });
	expect(records.map((r) => r.id).sort()).toEqual(expected);
	expect(pages.length).toBe(Math.ceil(expected.length / 200));
	expect(pages.length).toBeGreaterThanOrEqual(3);
	expect(sb.calls('contacts.search')).toBe(pages.length);
	const stamps = records.map((r) => Date.parse(r.updatedAt));
	expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
	expect(pages[pages.length - 1]).toMatchObject({ done: true, checkpoint: all[all.length - 1].updatedAt });
	expect(pages.slice(0, -1).every((p) => !p.done)).toBe(true);
	expect(records[0].fields).toHaveProperty('lastmodifieddate');
	expect(records[0].fields).toHaveProperty('email');
});

test('more than 10,000 changed records: the search is issued again from the last stamp, every record exactly once', async () => {
	// Its own sandbox on a clock only 3× real time: at 10× a garbage-collection pause inside this one
	// process (client and server) is longer than the limiter's margin in vendor time.
	const main = sb;
	sb = await startSandbox({}, 3);
	try {
		await bigBackfill();
	} finally {
		await sb.close();
		sb = main;
	}
}, 60_000);

async function bigBackfill(): Promise<void> {
	sb.def.seed({ object: 'contacts', count: 12_500, seed: 11 });
	const all = liveRecords(sb, 'contacts').sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt));
	const since = all[1200].updatedAt;
	const expected = stampsAtOrAfter('contacts', since);
	expect(expected.length).toBeGreaterThan(11_000);
	sb.resetCounters();
	const hs = sb.connector();
	const { records, pages } = await drain(hs, 'contacts', { since, fields: ['email'] });
	const ids = records.map((r) => r.id);
	expect(new Set(ids).size).toBe(ids.length);
	expect(ids.sort()).toEqual(expected);
	// ⌈n/200⌉ pages plus the re-issued query's first page, which re-reads the last stamp.
	expect(sb.calls('contacts.search')).toBeLessThanOrEqual(Math.ceil(expected.length / 200) + 2);
	expect(sb.byStatus(400)).toBe(0);
	expect(sb.byStatus(429)).toBe(0);
	expect(pages[pages.length - 1].checkpoint).toBe(all[all.length - 1].updatedAt);
	expect(hs.client.stats.rateLimited).toBe(0);
}

test('full sync (no cursor) of companies and deals reads everything, modified stamp hs_lastmodifieddate', async () => {
	sb.def.seed({ object: 'contacts', count: 400, seed: 5 });
	const hs = sb.connector();
	const companies = await drain(hs, 'companies');
	expect(companies.records.map((r) => r.id).sort()).toEqual(liveRecords(sb, 'companies').map((r) => r.id).sort());
	expect(companies.records[0].fields).toHaveProperty('hs_lastmodifieddate');
	const deals = await drain(hs, 'deals', { fields: ['dealname', 'dealstage'] });
	expect(deals.records).toHaveLength(liveRecords(sb, 'deals').length);
	expect(Object.keys(deals.records[0].fields).sort()).toEqual(expect.arrayContaining(['dealname', 'dealstage', 'hs_lastmodifieddate']));
});

test('overlap window re-reads just before the cursor; a resumed sample continues from its checkpoint', async () => {
	sb.def.seed({ object: 'contacts', count: 600, seed: 9 });
	const all = liveRecords(sb, 'contacts').sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt));
	const since = all[300].updatedAt;
	const hs = sb.connector();
	const plain = await drain(hs, 'contacts', { since });
	const overlapped = await drain(hs, 'contacts', { since, overlapMs: 7 * 86_400_000 });
	expect(overlapped.records.length).toBeGreaterThan(plain.records.length);
	expect(overlapped.records.map((r) => r.id)).toEqual(expect.arrayContaining(plain.records.map((r) => r.id)));
	expect(overlapped.pages[overlapped.pages.length - 1].checkpoint).toBe(plain.pages[plain.pages.length - 1].checkpoint);

	// Test sync: 50 records, then the rest from the checkpoint.
	const sample = await drain(hs, 'contacts', { since, maxRecords: 50 });
	expect(sample.records).toHaveLength(50);
	const checkpoint = sample.pages[sample.pages.length - 1].checkpoint!;
	expect(checkpoint).toBe(sample.records[49].updatedAt);
	const rest = await drain(hs, 'contacts', { since: checkpoint });
	const union = new Set([...sample.records, ...rest.records].map((r) => r.id));
	expect([...union].sort()).toEqual(plain.records.map((r) => r.id).sort());
});

test('more records than one query returns sharing one stamp are walked by id, then the search continues after it', async () => {
	const hs = sb.connector();
	const created = await hs.upsert('contacts', Array.from({ length: 130 }, (_, i) => ({ fields: { email: `tie${i}@example.com` } })));
	expect(created.every((r) => r.ok)).toBe(true);
	// Stamp 100 of them with one instant and 30 with a later one (a bulk import does this).
	const state = sb.def.state;
	const tie = Date.parse('2026-02-01T10:00:00.000Z');
	const ids = liveRecords(sb, 'contacts').map((r) => Number(r.id));
	ids.forEach((id, i) => {
		state.stores.contacts.byId.get(id)!.updatedAt = i < 100 ? tie : tie + 5000 + i;
	});
	const { records, pages } = await drain(hs, 'contacts', { since: '2026-01-01T00:00:00Z', pageSize: 20, resultCap: 40 });
	const got = records.map((r) => r.id);
	expect(new Set(got).size).toBe(130);
	expect(got.length).toBe(130);
	expect(pages[pages.length - 1].checkpoint).toBe(new Date(tie + 5000 + 129).toISOString());
	expect(sb.byStatus(400)).toBe(0);
});

test('links per page from batch association reads (one call per 100 records per object) on an incremental read', async () => {
	sb.def.seed({ object: 'contacts', count: 250, seed: 13 });
	const hs = sb.connector();
	sb.resetCounters();
	const { records } = await drain(hs, 'contacts', { since: '2000-01-01T00:00:00Z', links: ['companies'] });
	expect(records).toHaveLength(250);
	expect(records.every((r) => Array.isArray(r.links?.companies) && r.links!.companies.length >= 1)).toBe(true);
	// 2 search pages (200 + 50) → 2 + 1 association reads.
	expect(sb.calls('associations.batch.read')).toBe(3);
	const one = records[0];
	expect((await hs.get('contacts', one.id, { links: ['companies'] })).links).toEqual(one.links);

	// A full read lists them instead, with the associations inline: no association reads at all.
	sb.resetCounters();
	const full = await drain(hs, 'contacts', { links: ['companies'], order: 'any' });
	expect(full.records.map((r) => r.id).sort()).toEqual(records.map((r) => r.id).sort());
	expect(full.records.find((r) => r.id === one.id)!.links).toEqual(one.links);
	expect(sb.calls('associations.batch.read')).toBe(0);
});

test('a full read in any order lists every record (100 a page, no search pacing) and checkpoints the newest stamp before it began', async () => {
	sb.def.seed({ object: 'contacts', count: 1050, seed: 21 });
	const newest = liveRecords(sb, 'contacts').reduce((a, r) => (Date.parse(r.updatedAt) > Date.parse(a) ? r.updatedAt : a), '1970-01-01T00:00:00.000Z');
	const hs = sb.connector();
	sb.resetCounters();
	const { records, pages } = await drain(hs, 'contacts', { order: 'any' });
	expect(records.map((r) => r.id).sort()).toEqual(liveRecords(sb, 'contacts').map((r) => r.id).sort());
	expect(sb.calls('contacts.list')).toBe(11);
	expect(sb.calls('contacts.search')).toBe(1);
	// Only the last page is done and carries the checkpoint: a consumer never stores one mid-read.
	expect(pages.slice(0, -1).every((p) => !p.done && p.checkpoint === undefined)).toBe(true);
	expect(pages[pages.length - 1]).toMatchObject({ done: true, checkpoint: new Date(newest).toISOString() });
	expect(records[0].fields).toHaveProperty('lastmodifieddate');
	expect(hs.client.stats.rateLimited).toBe(0);
});
