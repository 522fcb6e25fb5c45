/** The polling trigger's core: cursor in a CursorStore, overlap window, de-duplication by Id+SystemModstamp. */
import { decodeCursor, encodeCursor, MemoryCursorStore, pollChanges, pruneSeen } from '../../../connectors/salesforce';
import { startSalesforce, type SfEnv } from './helpers';

let sf: SfEnv;
beforeAll(async () => {
	sf = await startSalesforce({ dailyApiLimit: 1_000_000 });
});
afterAll(() => sf.close());
beforeEach(() => sf.reset());

describe('change cursor', () => {
	it('round-trips checkpoint and seen versions; accepts a plain date; refuses garbage', () => {
		const token = encodeCursor({ checkpoint: '2025-01-01T00:00:00.000Z', seen: ['003A@1', '003B@2'] });
		expect(token).toMatch(/^sfc1\.[A-Za-z0-9_-]+$/);
		expect(decodeCursor(token)).toEqual({ checkpoint: '2025-01-01T00:00:00.000Z', seen: ['003A@1', '003B@2'] });
		expect(decodeCursor('2025-01-01T00:00:00.000+0000')).toEqual({ checkpoint: '2025-01-01T00:00:00.000Z', seen: [] });
		expect(decodeCursor('')).toBeUndefined();
		expect(() => decodeCursor('yesterday-ish')).toThrow(/Not a date/);
		expect(() => decodeCursor('sfc1.!!!')).toThrow(/change cursor/);
	});

	it('keeps only versions inside the overlap window, newest first, bounded', () => {
		expect(pruneSeen(['a@1000', 'b@5000', 'c@9000'], 10_000, 6_000)).toEqual(['c@9000', 'b@5000']);
		expect(pruneSeen(['a@1', 'b@2', 'c@3'], 3, 10, 2)).toEqual(['c@3', 'b@2']);
	});
});

describe('pollChanges', () => {
	const opts = (store: MemoryCursorStore, extra: Partial<Parameters<typeof pollChanges>[1]> = {}) => ({
		object: 'Contact',
		cursorKey: 'wf1:trigger:Contact',
		store,
		overlapMs: 60_000,
		fields: ['Id', 'LastName', 'CreatedDate', 'LastModifiedDate'],
		...extra,
	});

	it('first poll (start now) only sets the starting point; later polls deliver each new version exactly once', async () => {
		const c = sf.connector();
		const store = new MemoryCursorStore();
		await sf.seed('Contact', 50);
		const first = await pollChanges(c, opts(store));
		expect(first).toMatchObject({ initialized: true, records: [] });

		const a = await c.create('Contact', { LastName: 'A' });
		const b = await c.create('Contact', { LastName: 'B' });
		await sf.resetCounters();
		const second = await pollChanges(c, opts(store));
		expect(second.records.map((r) => r.fields.LastName)).toEqual(['A', 'B']);
		expect((await sf.counters()).total).toBe(1);

		// Polling again inside the overlap window re-reads A and B; the cursor's seen set drops them.
		const third = await pollChanges(c, opts(store));
		expect(third.records).toEqual([]);

		// B is updated by a person: its new version comes once.
		await sf.admin('POST', '/_sandbox/clock/advance', { ms: 2_000 });
		await sf.admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', id: b.ok ? b.record.id : '', fields: { LastName: 'B2' } });
		const fourth = await pollChanges(c, opts(store));
		expect(fourth.records.map((r) => r.fields.LastName)).toEqual(['B2']);
		expect((await pollChanges(c, opts(store))).records).toEqual([]);
		expect(a.ok).toBe(true);

		const cursor = decodeCursor((await store.get('wf1:trigger:Contact'))!.value)!;
		expect(cursor.seen.length).toBe(3); // A, B, B2: all within the 60 s window
	});

	it('start now: a change made just before activation (inside the overlap window) is not delivered later', async () => {
		const c = sf.connector();
		const store = new MemoryCursorStore();
		await c.create('Contact', { LastName: 'Before' });
		expect(await pollChanges(c, opts(store))).toMatchObject({ initialized: true, records: [] });
		await c.create('Contact', { LastName: 'After' });
		const next = await pollChanges(c, opts(store));
		expect(next.records.map((r) => r.fields.LastName)).toEqual(['After']);
	});

	it('start from the beginning delivers the backlog in bounded polls (maxRecords) without loss or repeats', async () => {
		const c = sf.connector();
		const store = new MemoryCursorStore();
		await sf.seed('Contact', 1200);
		const ids = new Set<string>();
		let polls = 0;
		for (;;) {
			const r = await pollChanges(c, opts(store, { startAt: 'beginning', maxRecords: 500, overlapMs: 0 }));
			polls++;
			for (const rec of r.records) {
				expect(ids.has(rec.id)).toBe(false);
				ids.add(rec.id);
			}
			if (!r.more) break;
		}
		expect(ids.size).toBe(1200);
		expect(polls).toBe(3);
	});

	it("past the engine's poll budget no further page is fetched; the next poll continues where this one stopped", async () => {
		await sf.seed('Contact', 610);
		const now = 1;
		const c2 = sf.connector({ queryBatchSize: 200 });
		const store2 = new MemoryCursorStore();
		const a = await pollChanges(c2, { ...opts(store2, { startAt: 'beginning', overlapMs: 0 }), deadline: 0, now: () => now, fields: ['Id'] });
		expect(a).toMatchObject({ more: true });
		expect(a.records).toHaveLength(200);
		const b = await pollChanges(c2, { ...opts(store2, { overlapMs: 0 }), fields: ['Id'] });
		expect(b.records).toHaveLength(410);
		expect(new Set([...a.records, ...b.records].map((r) => r.id)).size).toBe(610);
	});

	it('includeDeleted delivers deletions as records with deleted: true', async () => {
		const c = sf.connector();
		const store = new MemoryCursorStore();
		const x = await c.create('Contact', { LastName: 'X' });
		await pollChanges(c, opts(store, { startAt: 'beginning', includeDeleted: true }));
		await sf.admin('POST', '/_sandbox/clock/advance', { ms: 2_000 });
		await c.delete('Contact', x.ok ? x.record.id : '');
		const r = await pollChanges(c, opts(store, { includeDeleted: true }));
		expect(r.records).toMatchObject([{ id: x.ok ? x.record.id : '', deleted: true }]);
	});
});
