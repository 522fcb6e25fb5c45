/**
 * The store contract, run unchanged against every backend: the same calls must give the same answers on the
 * embedded SQLite store and on PostgreSQL.
 */
import { classifiedError, type ErrorCode } from '../../errors/taxonomy';
import { LATEST_VERSION, StoreError, type PairInput, type SqlStore } from '../../sync/store';
import { backendMatrix, describeSkipped, TestClock, type StoreTarget } from './harness';

const { run, skipped } = backendMatrix();
describeSkipped('store contract', skipped);

const M = 'hubspot-contacts-to-jobber-clients';

function pairInput(sourceId: string, targetId: string, extra: Partial<PairInput> = {}): PairInput {
	return {
		mappingId: M,
		source: { system: 'hubspot', object: 'contact', id: sourceId },
		target: { system: 'jobber', object: 'client', id: targetId },
		...extra,
	};
}

function err(code: ErrorCode, message = `failed with ${code}`) {
	return classifiedError(code, { message, record: { system: 'hubspot', object: 'contact', id: '1' }, now: new Date('2025-01-01T00:00:00Z') });
}

async function rejectsWith(promise: Promise<unknown>, code: string): Promise<void> {
	await expect(promise).rejects.toBeInstanceOf(StoreError);
	await promise.catch((e: StoreError) => expect(e.code).toBe(code));
}

describe.each(run)('store contract: $name', (backend) => {
	let target: StoreTarget;
	let store: SqlStore;
	const clock = new TestClock();

	beforeAll(async () => {
		target = await backend.create('contract');
	});
	afterAll(async () => {
		await target.dispose();
	});
	beforeEach(async () => {
		await target.reset();
		clock.set('2025-01-01T00:00:00.000Z');
		store = await target.open({ clock: clock.now });
	});
	afterEach(async () => {
		await store.close();
	});

	test('info names the backend and schema version, never a connection string', async () => {
		const info = await store.info();
		expect(info.backend).toBe(backend.name);
		expect(info.schemaVersion).toBe(LATEST_VERSION);
		expect(LATEST_VERSION).toBe(3);
		expect(info.location).not.toMatch(/postgres:\/\//);
	});

	describe('pairings', () => {
		test('pairRecord creates a pair found from either side, snapshots and timestamps round-trip', async () => {
			const snapshot = { email: 'ana@example.com', name: 'Ána Ørsted ✓', address: { city: 'Köln', lines: ['1', null] }, n: 1.5, ok: true };
			const res = await store.pairRecord(
				pairInput('101', 'J-1', { sourceSnapshot: snapshot, targetSnapshot: { email: 'ana@example.com' }, sourceUpdatedAt: '2025-01-01T10:00:00+02:00' }),
			);
			expect(res).toMatchObject({ created: true, conflict: false });
			expect(res.pair).toEqual({
				mappingId: M,
				source: { system: 'hubspot', object: 'contact', id: '101' },
				target: { system: 'jobber', object: 'client', id: 'J-1' },
				sourceSnapshot: snapshot,
				targetSnapshot: { email: 'ana@example.com' },
				sourceUpdatedAt: '2025-01-01T08:00:00.000Z',
				targetUpdatedAt: null,
				lastSyncedAt: '2025-01-01T00:00:00.000Z',
				createdAt: '2025-01-01T00:00:00.000Z',
				version: 1,
			});
			expect(await store.getPair(M, 'source', '101')).toEqual(res.pair);
			expect(await store.getPair(M, 'target', 'J-1')).toEqual(res.pair);
			expect(await store.getPair(M, 'source', 'J-1')).toBeNull();
			expect(await store.getPair('other-mapping', 'source', '101')).toBeNull();
		});

		test('pairing the same records twice is a no-op that returns the pair', async () => {
			const first = await store.pairRecord(pairInput('1', 'a', { sourceSnapshot: { v: 1 } }));
			clock.advance(1000);
			const again = await store.pairRecord(pairInput('1', 'a', { sourceSnapshot: { v: 2 } }));
			expect(again).toEqual({ pair: first.pair, created: false, conflict: false });
			expect((await store.pairStats(M)).pairs).toBe(1);
		});

		test('a record already paired to another partner comes back as a conflict, never a second pair', async () => {
			await store.pairRecord(pairInput('1', 'a'));
			await store.pairRecord(pairInput('2', 'b'));
			const sameSource = await store.pairRecord(pairInput('1', 'z'));
			expect(sameSource).toMatchObject({ created: false, conflict: true });
			expect(sameSource.pair.target.id).toBe('a');
			const sameTarget = await store.pairRecord(pairInput('9', 'b'));
			expect(sameTarget).toMatchObject({ created: false, conflict: true });
			expect(sameTarget.pair.source.id).toBe('2');
			const crossed = await store.pairRecord(pairInput('1', 'b'));
			expect(crossed).toMatchObject({ created: false, conflict: true });
			expect(crossed.pair.source.id).toBe('1');
			expect((await store.pairStats(M)).pairs).toBe(2);
		});

		test('the same ids in another mapping are independent', async () => {
			await store.pairRecord(pairInput('1', 'a'));
			const other = await store.pairRecord({ ...pairInput('1', 'a'), mappingId: 'pipedrive-persons' });
			expect(other.created).toBe(true);
		});

		test('updatePair replaces snapshots, bumps the version and honours expectedVersion', async () => {
			await store.pairRecord(pairInput('1', 'a', { sourceSnapshot: { email: 'x' }, targetSnapshot: { email: 'x' } }));
			clock.advance(60_000);
			const up = await store.updatePair(M, 'target', 'a', { targetSnapshot: { email: 'y' }, targetUpdatedAt: '2025-01-01T00:00:30Z', expectedVersion: 1 });
			expect(up.ok).toBe(true);
			if (!up.ok) return;
			expect(up.pair).toMatchObject({
				version: 2,
				sourceSnapshot: { email: 'x' },
				targetSnapshot: { email: 'y' },
				targetUpdatedAt: '2025-01-01T00:00:30.000Z',
				lastSyncedAt: '2025-01-01T00:01:00.000Z',
				createdAt: '2025-01-01T00:00:00.000Z',
			});
			const stale = await store.updatePair(M, 'source', '1', { sourceSnapshot: null, expectedVersion: 1 });
			expect(stale).toMatchObject({ ok: false, reason: 'version_mismatch', pair: { version: 2 } });
			expect(await store.updatePair(M, 'source', 'nope', { sourceSnapshot: {} })).toEqual({ ok: false, reason: 'not_found' });
			const cleared = await store.updatePair(M, 'source', '1', { sourceSnapshot: null });
			expect(cleared.ok && cleared.pair.sourceSnapshot).toBeNull();
		});

		test('pairRecords and updatePairs handle a batch in one transaction, answering in input order', async () => {
			await store.pairRecord(pairInput('b', 'taken'));
			const res = await store.pairRecords([pairInput('c', 'tc'), pairInput('a', 'ta'), pairInput('x', 'taken'), pairInput('c', 'tc')]);
			expect(res.map((r) => [r.pair.source.id, r.created, r.conflict])).toEqual([
				['c', true, false],
				['a', true, false],
				['b', false, true],
				['c', false, false],
			]);
			expect((await store.pairRecords([pairInput('a', 'ta'), pairInput('c', 'tc')])).every((r) => !r.created && !r.conflict)).toBe(true);
			expect(await store.pairRecords([])).toEqual([]);
			const updates = await store.updatePairs(M, [
				{ side: 'source', id: 'a', patch: { targetSnapshot: { n: 1 } } },
				{ side: 'target', id: 'tc', patch: { sourceSnapshot: { n: 2 }, expectedVersion: 1 } },
				{ side: 'source', id: 'zz', patch: {} },
			]);
			expect(updates.map((u) => u.ok)).toEqual([true, true, false]);
			expect((await store.getPair(M, 'source', 'c'))?.sourceSnapshot).toEqual({ n: 2 });
			// A bad input anywhere rolls the whole batch back.
			await rejectsWith(store.pairRecords([pairInput('new-1', 'tn-1'), pairInput('zzz', '')]), 'INVALID_INPUT');
			expect(await store.getPair(M, 'source', 'new-1')).toBeNull();
		});

		test('getPairs looks up many ids at once from either side', async () => {
			for (let i = 0; i < 30; i++) await store.pairRecord(pairInput(`s${i}`, `t${i}`));
			const bySource = await store.getPairs(M, 'source', ['s3', 's7', 'missing', 's3', 's29']);
			expect(bySource.map((p) => p.target.id).sort()).toEqual(['t29', 't3', 't7']);
			const byTarget = await store.getPairs(M, 'target', ['t0', "t'; DROP TABLE pairs; --"]);
			expect(byTarget.map((p) => p.source.id)).toEqual(['s0']);
			expect(await store.getPairs(M, 'source', [])).toEqual([]);
		});

		test('unlinkPair forgets one pair, forgetMapping all of a mapping', async () => {
			await store.pairRecord(pairInput('1', 'a'));
			await store.pairRecord(pairInput('2', 'b'));
			await store.pairRecord({ ...pairInput('1', 'a'), mappingId: 'other' });
			expect(await store.unlinkPair(M, 'target', 'a')).toBe(true);
			expect(await store.unlinkPair(M, 'target', 'a')).toBe(false);
			expect(await store.getPair(M, 'source', '1')).toBeNull();
			// Once forgotten, the source can pair with a new target.
			expect((await store.pairRecord(pairInput('1', 'c'))).created).toBe(true);
			expect(await store.forgetMapping(M)).toBe(2);
			expect((await store.pairStats(M)).pairs).toBe(0);
			expect((await store.pairStats('other')).pairs).toBe(1);
		});

		test('listPairs pages in source id order without gaps or repeats', async () => {
			const ids = Array.from({ length: 25 }, (_, i) => `c-${String(i).padStart(3, '0')}`);
			for (const id of [...ids].reverse()) await store.pairRecord(pairInput(id, `t-${id}`));
			const seen: string[] = [];
			let cursor: string | null = null;
			let pages = 0;
			do {
				const page = await store.listPairs(M, { limit: 10, cursor });
				seen.push(...page.items.map((p) => p.source.id));
				cursor = page.next;
				pages++;
			} while (cursor);
			expect(pages).toBe(3);
			expect(seen).toEqual(ids);
			await rejectsWith(store.listPairs(M, { cursor: 'garbage' }), 'INVALID_INPUT');
		});

		test('ids compare bytewise on both backends (paging order is the same)', async () => {
			for (const id of ['b', 'B', 'a', 'A', '_x', '10', '9']) await store.pairRecord(pairInput(id, `t${id}`));
			const page = await store.listPairs(M);
			expect(page.items.map((p) => p.source.id)).toEqual(['10', '9', 'A', 'B', '_x', 'a', 'b']);
		});

		test('pairStats counts pairs, last sync, open intents, review items by status and the last run', async () => {
			await store.pairRecord(pairInput('1', 'a'));
			clock.advance(5000);
			await store.pairRecord(pairInput('2', 'b'));
			await store.beginIntent({ key: 'k1', mappingId: M, sourceId: '3', operation: 'create' });
			await store.addReviewItem({ kind: 'error', mappingId: M, data: {}, errors: [err('INVALID_EMAIL')] });
			const run = await store.startRun({ mappingId: M, trigger: 'schedule' });
			const stats = await store.pairStats(M);
			expect(stats).toMatchObject({ mappingId: M, pairs: 2, lastSyncedAt: '2025-01-01T00:00:05.000Z', openIntents: 1 });
			expect(stats.review.open).toBe(1);
			expect(stats.lastRun?.id).toBe(run.id);
			expect(await store.pairStats('empty')).toMatchObject({ pairs: 0, lastSyncedAt: null, openIntents: 0, lastRun: null });
		});

		test('bad input is refused with a StoreError, not stored', async () => {
			await rejectsWith(store.pairRecord(pairInput('', 'a')), 'INVALID_INPUT');
			await rejectsWith(store.pairRecord(pairInput('1', 'a', { sourceUpdatedAt: 'not a date' })), 'INVALID_INPUT');
			await rejectsWith(store.getPair(M, 'middle' as never, '1'), 'INVALID_INPUT');
			expect((await store.pairStats(M)).pairs).toBe(0);
		});
	});

	describe('write intents', () => {
		const intent = { key: 'create:hubspot:101', mappingId: M, sourceId: '101', operation: 'create' as const, matchKey: 'email', matchValue: 'ana@example.com' };

		test('beginIntent is idempotent on its key', async () => {
			const first = await store.beginIntent({ ...intent, targetSystem: 'jobber', targetObject: 'client' });
			expect(first.created).toBe(true);
			expect(first.intent).toMatchObject({ ...intent, status: 'open', targetId: null, targetSystem: 'jobber', completedAt: null });
			const again = await store.beginIntent(intent);
			expect(again).toEqual({ intent: first.intent, created: false });
		});

		test('a second key for a record with an open intent gets the open one back', async () => {
			await store.beginIntent(intent);
			const other = await store.beginIntent({ ...intent, key: 'another-key' });
			expect(other.created).toBe(false);
			expect(other.intent.key).toBe(intent.key);
			// An update of the same record is a different operation and may be open at the same time.
			expect((await store.beginIntent({ ...intent, key: 'upd', operation: 'update' })).created).toBe(true);
			await store.completeIntent(intent.key, { targetId: 'J-1' });
			expect((await store.beginIntent({ ...intent, key: 'another-key' })).created).toBe(true);
		});

		test('completeIntent marks it done and pairs the records in the same transaction; a replay changes nothing', async () => {
			await store.beginIntent(intent);
			clock.advance(2000);
			const done = await store.completeIntent(intent.key, { targetId: 'J-9', pair: pairInput('101', 'J-9', { targetSnapshot: { email: 'ana@example.com' } }) });
			expect(done?.intent).toMatchObject({ status: 'done', targetId: 'J-9', completedAt: '2025-01-01T00:00:02.000Z' });
			expect(done?.pair).toMatchObject({ created: true, conflict: false });
			expect(await store.getPair(M, 'target', 'J-9')).not.toBeNull();
			clock.advance(2000);
			const replay = await store.completeIntent(intent.key, { targetId: 'J-9', pair: pairInput('101', 'J-9') });
			expect(replay?.intent).toEqual(done?.intent);
			expect(replay?.pair).toMatchObject({ created: false, conflict: false });
			expect(await store.openIntents(M)).toEqual([]);
			expect(await store.completeIntent('unknown')).toBeNull();
		});

		test('a replayed beginIntent after completion reports the done intent (the create already happened)', async () => {
			await store.beginIntent(intent);
			await store.completeIntent(intent.key, { targetId: 'J-1' });
			const replay = await store.beginIntent(intent);
			expect(replay.created).toBe(false);
			expect(replay.intent).toMatchObject({ status: 'done', targetId: 'J-1' });
		});

		test('openIntents lists open intents oldest first, by age and by source record', async () => {
			await store.beginIntent({ ...intent, key: 'k1', sourceId: 's1' });
			clock.advance(60_000);
			await store.beginIntent({ ...intent, key: 'k2', sourceId: 's2' });
			clock.advance(60_000);
			await store.beginIntent({ ...intent, key: 'k3', sourceId: 's3' });
			await store.beginIntent({ ...intent, key: 'k4', sourceId: 's4' });
			await store.completeIntent('k4', { targetId: 'x' });
			await store.beginIntent({ ...intent, key: 'k5', sourceId: 's5', mappingId: 'other' });
			expect((await store.openIntents(M)).map((i) => i.key)).toEqual(['k1', 'k2', 'k3']);
			expect((await store.openIntents(M, { olderThan: '2025-01-01T00:01:30Z' })).map((i) => i.key)).toEqual(['k1', 'k2']);
			expect((await store.openIntents(M, { sourceIds: ['s3', 's4', 's9'] })).map((i) => i.key)).toEqual(['k3']);
			expect(await store.openIntents(M, { sourceIds: [] })).toEqual([]);
			expect((await store.openIntents(M, { limit: 1 })).map((i) => i.key)).toEqual(['k1']);
		});

		test('abandonIntent closes an open intent; a done intent stays done; an abandoned one may still complete', async () => {
			await store.beginIntent(intent);
			const abandoned = await store.abandonIntent(intent.key, 'not found by email after crash; recreating');
			expect(abandoned).toMatchObject({ status: 'abandoned', note: 'not found by email after crash; recreating' });
			expect(await store.openIntents(M)).toEqual([]);
			const late = await store.completeIntent(intent.key, { targetId: 'J-2' });
			expect(late?.intent).toMatchObject({ status: 'done', targetId: 'J-2' });
			expect(await store.abandonIntent(intent.key)).toMatchObject({ status: 'done' });
			expect(await store.abandonIntent('unknown')).toBeNull();
			expect(await store.getIntent(intent.key)).toMatchObject({ status: 'done' });
		});

		test('bad operations are refused', async () => {
			await rejectsWith(store.beginIntent({ ...intent, operation: 'merge' as never }), 'INVALID_INPUT');
		});
	});

	describe('cursors', () => {
		test('set and get a cursor with JSON extra', async () => {
			expect(await store.getCursor('hubspot:contacts:incremental')).toBeNull();
			const set = await store.setCursor('hubspot:contacts:incremental', '2025-01-01T00:00:00.000Z', { after: 'abc', page: 2 });
			expect(set).toEqual({ key: 'hubspot:contacts:incremental', value: '2025-01-01T00:00:00.000Z', extra: { after: 'abc', page: 2 }, version: 1, updatedAt: clock.iso() });
			const again = await store.setCursor('hubspot:contacts:incremental', 'opaque-token');
			expect(again).toMatchObject({ value: 'opaque-token', extra: null, version: 2 });
			expect(await store.getCursor('hubspot:contacts:incremental')).toEqual(again);
		});

		test('advanceCursor is a compare-and-set; a replayed move succeeds', async () => {
			const k = 'jobber:clients:incremental';
			expect(await store.advanceCursor(k, 'T1', null, { n: 1 })).toMatchObject({ ok: true, current: { value: 'T1', extra: { n: 1 }, version: 1 } });
			// Already exists: a create-if-absent with another value fails and shows the current one.
			expect(await store.advanceCursor(k, 'T0', null)).toMatchObject({ ok: false, current: { value: 'T1' } });
			expect(await store.advanceCursor(k, 'T3', 'T2')).toMatchObject({ ok: false, current: { value: 'T1' } });
			const moved = await store.advanceCursor(k, 'T2', 'T1');
			expect(moved).toMatchObject({ ok: true, current: { value: 'T2', extra: { n: 1 }, version: 2 } });
			// A worker that read T1 and lost the race cannot move the cursor back.
			expect(await store.advanceCursor(k, 'T1b', 'T1')).toMatchObject({ ok: false, current: { value: 'T2' } });
			// Replaying the move that happened is ok and writes nothing.
			expect(await store.advanceCursor(k, 'T2', 'T1')).toMatchObject({ ok: true, current: { value: 'T2', version: 2 } });
			expect(await store.advanceCursor(k, 'T3', 'T2', { n: 3 })).toMatchObject({ ok: true, current: { value: 'T3', extra: { n: 3 } } });
		});

		test('two concurrent advances from the same value: exactly one wins', async () => {
			await store.setCursor('c', 'T1');
			const other = await target.open({ clock: clock.now });
			try {
				const results = await Promise.all([store.advanceCursor('c', 'A', 'T1'), other.advanceCursor('c', 'B', 'T1')]);
				expect(results.filter((r) => r.ok)).toHaveLength(1);
				const winner = results.find((r) => r.ok)!.current!.value;
				expect((await store.getCursor('c'))?.value).toBe(winner);
			} finally {
				await other.close();
			}
		});

		test('listCursors by prefix (wildcards are literal), deleteCursor', async () => {
			await store.setCursor('hubspot:contacts', '1');
			await store.setCursor('hubspot:deals', '2');
			await store.setCursor('hubspot_x', '3');
			await store.setCursor('pipedrive:persons', '4');
			expect((await store.listCursors('hubspot:')).map((c) => c.key)).toEqual(['hubspot:contacts', 'hubspot:deals']);
			expect((await store.listCursors('hubspot_')).map((c) => c.key)).toEqual(['hubspot_x']);
			expect(await store.listCursors('hub%')).toEqual([]);
			expect(await store.listCursors()).toHaveLength(4);
			expect(await store.deleteCursor('hubspot:deals')).toBe(true);
			expect(await store.deleteCursor('hubspot:deals')).toBe(false);
		});
	});

	describe('processed webhook events', () => {
		test('true the first time, false for a duplicate, per source', async () => {
			expect(await store.markEventProcessed('hubspot', 'evt-1', 3600)).toBe(true);
			expect(await store.markEventProcessed('hubspot', 'evt-1', 3600)).toBe(false);
			expect(await store.markEventProcessed('jobber', 'evt-1', 3600)).toBe(true);
		});

		test('a batch in one statement: only ids not seen yet (nor repeated in the batch) come back', async () => {
			expect(await store.markEventProcessed('hubspot', 'b-2', 3600)).toBe(true);
			expect([...(await store.markEventsProcessed('hubspot', ['b-1', 'b-2', 'b-3', 'b-1'], 3600))].sort()).toEqual(['b-1', 'b-3']);
			expect(await store.markEventsProcessed('hubspot', ['b-1', 'b-3'], 3600)).toEqual(new Set());
			expect(await store.markEventProcessed('hubspot', 'b-3', 3600)).toBe(false);
			expect(await store.markEventsProcessed('jobber', ['b-1'], 3600)).toEqual(new Set(['b-1']));
			expect(await store.markEventsProcessed('hubspot', [], 3600)).toEqual(new Set());
		});

		test('an expired id counts as new; pruning removes expired ids', async () => {
			expect(await store.markEventProcessed('hubspot', 'e1', 60, '2025-01-01T00:00:00Z')).toBe(true);
			expect(await store.markEventProcessed('hubspot', 'e2', 600, '2025-01-01T00:00:00Z')).toBe(true);
			expect(await store.markEventProcessed('hubspot', 'e1', 60, '2025-01-01T00:00:59Z')).toBe(false);
			expect(await store.markEventProcessed('hubspot', 'e1', 60, '2025-01-01T00:01:00Z')).toBe(true);
			// e1 now lives until 00:02, e2 until 00:10.
			expect(await store.pruneProcessedEvents('2025-01-01T00:01:59Z')).toBe(0);
			expect(await store.pruneProcessedEvents('2025-01-01T00:05:00Z')).toBe(1);
			expect(await store.pruneProcessedEvents('2025-01-01T00:10:00Z')).toBe(1);
			expect(await store.markEventProcessed('hubspot', 'e2', 600, '2025-01-01T00:10:00Z')).toBe(true);
		});

		test('concurrent deliveries of one event: exactly one is processed', async () => {
			const others = await Promise.all(Array.from({ length: 4 }, () => target.open({ clock: clock.now })));
			try {
				const handles = [store, ...others];
				const results = await Promise.all(Array.from({ length: 20 }, (_, i) => handles[i % handles.length].markEventProcessed('hubspot', 'dup', 60)));
				expect(results.filter(Boolean)).toHaveLength(1);
			} finally {
				await Promise.all(others.map((o) => o.close()));
			}
		});

		test('a non-positive ttl is refused', async () => {
			await rejectsWith(store.markEventProcessed('hubspot', 'x', 0), 'INVALID_INPUT');
		});
	});

	describe('review items', () => {
		test('add and get: category and code come from the first error', async () => {
			const errors = [err('INVALID_EMAIL', 'bad email'), err('VALUE_TOO_LONG')];
			const { item, created } = await store.addReviewItem({
				kind: 'error',
				mappingId: M,
				system: 'hubspot',
				object: 'contact',
				recordId: '101',
				data: { email: 'ana@', name: 'Ana' },
				errors,
				meta: { runId: 'r1', executionId: '42' },
			});
			expect(created).toBe(true);
			expect(item).toEqual({
				id: expect.stringMatching(/^rev_/),
				createdAt: clock.iso(),
				updatedAt: clock.iso(),
				status: 'open',
				kind: 'error',
				mappingId: M,
				system: 'hubspot',
				object: 'contact',
				recordId: '101',
				data: { email: 'ana@', name: 'Ana' },
				errors,
				category: 'Data',
				code: 'INVALID_EMAIL',
				dedupeKey: null,
				occurrences: 1,
				attempts: 0,
				nextRetryAt: null,
				lease: null,
				lastError: errors[1],
				resolutionNote: null,
				resolvedAt: null,
				meta: { runId: 'r1', executionId: '42' },
			});
			expect(await store.getReviewItem(item.id)).toEqual(item);
			expect(await store.getReviewItem('rev_missing')).toBeNull();
			expect((await store.getReviewItems([item.id, 'nope'])).map((i) => i.id)).toEqual([item.id]);
		});

		test('a conflict item holds both sides and no error code; a scalar data value round-trips', async () => {
			const { item } = await store.addReviewItem({ kind: 'conflict', mappingId: M, data: { source: { phone: '1' }, target: { phone: '2' } } });
			expect(item).toMatchObject({ kind: 'conflict', category: null, code: null, errors: [], lastError: null });
			const { item: scalar } = await store.addReviewItem({ kind: 'error', data: 'raw text', errors: [err('INVALID_FORMAT')] });
			expect((await store.getReviewItem(scalar.id))?.data).toBe('raw text');
		});

		test('the same failure added twice with a dedupe key is one item; after it closes, a new one', async () => {
			const input = { kind: 'error' as const, mappingId: M, recordId: '101', data: { email: 'a@' }, errors: [err('INVALID_EMAIL')], dedupeKey: `${M}:101:INVALID_EMAIL` };
			const first = await store.addReviewItem(input);
			await store.editReviewData(first.item.id, { email: 'fixed@example.com' });
			clock.advance(1000);
			const second = await store.addReviewItem({ ...input, errors: [err('INVALID_EMAIL', 'still bad')] });
			expect(second.created).toBe(false);
			expect(second.item).toMatchObject({ id: first.item.id, occurrences: 2, data: { email: 'fixed@example.com' }, updatedAt: clock.iso() });
			expect(second.item.errors[0].message).toBe('still bad');
			expect(await store.countReviewItems()).toBe(1);
			await store.setReviewStatus(first.item.id, 'resolved');
			const third = await store.addReviewItem(input);
			expect(third.created).toBe(true);
			expect(third.item.id).not.toBe(first.item.id);
			// Reopening the old item while the new one is active would duplicate the key: refused.
			await rejectsWith(store.setReviewStatus(first.item.id, 'open'), 'CONFLICT');
		});

		test('concurrent adds of one failure from several connections end as one item', async () => {
			const others = await Promise.all(Array.from({ length: 3 }, () => target.open({ clock: clock.now })));
			try {
				const handles = [store, ...others];
				const input = { kind: 'error' as const, data: {}, errors: [err('CONNECTION_TIMEOUT')], dedupeKey: 'k' };
				const results = await Promise.all(Array.from({ length: 12 }, (_, i) => handles[i % 4].addReviewItem(input)));
				expect(results.filter((r) => r.created)).toHaveLength(1);
				expect(new Set(results.map((r) => r.item.id)).size).toBe(1);
				expect((await store.getReviewItem(results[0].item.id))?.occurrences).toBe(12);
			} finally {
				await Promise.all(others.map((o) => o.close()));
			}
		});

		test('list filters by status, kind, category, code, mapping, record and date range', async () => {
			const add = async (code: ErrorCode, extra: Record<string, unknown> = {}) => {
				clock.advance(60_000);
				return (await store.addReviewItem({ kind: 'error', mappingId: M, data: {}, errors: [err(code)], ...extra })).item;
			};
			const a = await add('INVALID_EMAIL', { recordId: 'r1' });
			const b = await add('RATE_LIMIT_EXCEEDED');
			const c = await add('FIELD_NOT_FOUND', { mappingId: 'other' });
			const d = (await store.addReviewItem({ kind: 'conflict', mappingId: M, data: {} })).item;
			await store.setReviewStatus(b.id, 'discarded');
			const ids = async (filter: Parameters<SqlStore['listReviewItems']>[0]) => (await store.listReviewItems(filter)).items.map((i) => i.id);
			expect(await ids({})).toEqual([d.id, c.id, b.id, a.id]);
			expect(await ids({ status: 'open' })).toEqual([d.id, c.id, a.id]);
			expect(await ids({ status: ['discarded', 'resolved'] })).toEqual([b.id]);
			expect(await ids({ status: [] })).toEqual([]);
			expect(await ids({ kind: 'conflict' })).toEqual([d.id]);
			expect(await ids({ category: 'Connection' })).toEqual([b.id]);
			expect(await ids({ category: ['Data', 'Mapping'] })).toEqual([c.id, a.id]);
			expect(await ids({ code: 'INVALID_EMAIL' })).toEqual([a.id]);
			expect(await ids({ mappingId: 'other' })).toEqual([c.id]);
			expect(await ids({ recordId: 'r1' })).toEqual([a.id]);
			expect(await ids({ from: b.createdAt, to: c.createdAt })).toEqual([b.id]);
			expect(await ids({ from: b.createdAt, status: 'open', kind: 'error' })).toEqual([c.id]);
			expect(await store.countReviewItems({ mappingId: M })).toBe(3);
			await rejectsWith(store.listReviewItems({ status: 'pending' as never }), 'INVALID_INPUT');
		});

		test('paging is stable in both orders, also for items created in the same millisecond', async () => {
			const created: string[] = [];
			for (let i = 0; i < 23; i++) {
				if (i % 5 === 0) clock.advance(1);
				created.push((await store.addReviewItem({ kind: 'error', data: { i }, errors: [err('INVALID_FORMAT')] })).item.id);
			}
			for (const order of ['newest', 'oldest'] as const) {
				const seen: string[] = [];
				let cursor: string | null = null;
				do {
					const page = await store.listReviewItems({}, { limit: 7, cursor, order });
					seen.push(...page.items.map((i) => i.id));
					cursor = page.next;
					// New items arriving between pages must not shift the pages being read.
					if (order === 'newest' && cursor) await store.addReviewItem({ kind: 'error', data: {}, errors: [err('INVALID_FORMAT')] });
				} while (cursor);
				const all = (await store.listReviewItems({}, { limit: 1000, order: 'oldest' })).items.map((i) => i.id);
				const expected = order === 'oldest' ? all : all.filter((id) => created.includes(id)).reverse();
				expect(seen).toEqual(expected);
				expect(new Set(seen).size).toBe(seen.length);
			}
		});

		test('editReviewData replaces the data of an active item only', async () => {
			const { item } = await store.addReviewItem({ kind: 'error', data: { email: 'a@' }, errors: [err('INVALID_EMAIL')] });
			clock.advance(1000);
			const edited = await store.editReviewData(item.id, { email: 'a@example.com', nested: { x: [1, 2] } }, { note: 'fixed typo' });
			expect(edited).toMatchObject({ data: { email: 'a@example.com', nested: { x: [1, 2] } }, resolutionNote: 'fixed typo', updatedAt: clock.iso() });
			expect(await store.editReviewData('rev_nope', {})).toBeNull();
			await store.setReviewStatus(item.id, 'discarded');
			await rejectsWith(store.editReviewData(item.id, {}), 'INVALID_STATE');
		});

		test('setReviewStatus: closing stamps resolvedAt once, approving schedules now, reopening clears', async () => {
			const { item } = await store.addReviewItem({ kind: 'error', data: {}, errors: [err('INVALID_EMAIL')] });
			clock.advance(10_000);
			const approved = await store.setReviewStatus(item.id, 'approved', { note: 'edited and approved' });
			expect(approved).toMatchObject({ status: 'approved', nextRetryAt: clock.iso(), resolutionNote: 'edited and approved' });
			clock.advance(10_000);
			const resolved = await store.setReviewStatus(item.id, 'resolved', { note: 'done' });
			expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: clock.iso(), nextRetryAt: null });
			clock.advance(10_000);
			expect(await store.setReviewStatus(item.id, 'discarded')).toMatchObject({ status: 'discarded', resolvedAt: resolved!.resolvedAt });
			expect(await store.setReviewStatus(item.id, 'open')).toMatchObject({ status: 'open', resolvedAt: null });
			const unchanged = await store.setReviewStatus(item.id, 'resolved', { expectedStatus: ['approved', 'retry_scheduled'] });
			expect(unchanged?.status).toBe('open');
			expect(await store.setReviewStatus(item.id, 'retry_scheduled', { nextRetryAt: '2025-02-01T00:00:00Z' })).toMatchObject({
				status: 'retry_scheduled',
				nextRetryAt: '2025-02-01T00:00:00.000Z',
			});
			expect(await store.setReviewStatus('rev_nope', 'resolved')).toBeNull();
		});

		test('setReviewStatusMany (retry selected / retry all)', async () => {
			const ids: string[] = [];
			for (let i = 0; i < 4; i++) ids.push((await store.addReviewItem({ kind: 'error', data: {}, errors: [err('INVALID_EMAIL')] })).item.id);
			await store.setReviewStatus(ids[3], 'discarded');
			const changed = await store.setReviewStatusMany([...ids, 'rev_nope'], 'approved', { expectedStatus: ['open', 'failed'] });
			expect(changed).toEqual(ids.slice(0, 3).sort());
			expect(await store.countReviewItems({ status: 'approved' })).toBe(3);
			expect(await store.setReviewStatusMany([], 'approved')).toEqual([]);
		});

		test('metrics: counts by status, category, code and kind, mean resolution time, retry success rate', async () => {
			const add = async (code: ErrorCode) => (await store.addReviewItem({ kind: 'error', mappingId: M, data: {}, errors: [err(code)] })).item;
			const a = await add('RATE_LIMIT_EXCEEDED');
			const b = await add('CONNECTION_TIMEOUT');
			const c = await add('INVALID_EMAIL');
			await add('INVALID_EMAIL');
			await store.addReviewItem({ kind: 'conflict', mappingId: M, data: {} });
			// a: fails twice then succeeds after 10 minutes → resolved, a retry success.
			clock.advance(60_000);
			await store.recordAttempt(a.id, { outcome: 'failed', error: err('RATE_LIMIT_EXCEEDED'), nextRetryAt: clock.iso() });
			clock.advance(60_000);
			await store.recordAttempt(a.id, { outcome: 'failed', error: err('RATE_LIMIT_EXCEEDED'), nextRetryAt: clock.iso() });
			clock.advance(480_000);
			await store.recordAttempt(a.id, { outcome: 'succeeded' });
			// b: retried and ends failed.
			await store.recordAttempt(b.id, { outcome: 'failed', error: err('CONNECTION_TIMEOUT') });
			// c: resolved by a person after 20 minutes, never retried.
			clock.advance(600_000);
			await store.setReviewStatus(c.id, 'resolved');
			const m = await store.reviewMetrics();
			expect(m).toEqual({
				total: 5,
				open: 3,
				byStatus: { open: 2, retry_scheduled: 0, approved: 0, resolved: 2, discarded: 0, failed: 1 },
				byCategory: { Connection: 2, Data: 2 },
				byCode: { RATE_LIMIT_EXCEEDED: 1, CONNECTION_TIMEOUT: 1, INVALID_EMAIL: 2 },
				byKind: { error: 4, conflict: 1 },
				meanResolutionMs: (600_000 + 1_200_000) / 2,
				retry: { attemptedItems: 2, resolvedItems: 1, attempts: 4, successRate: 0.5 },
			});
			const connection = await store.reviewMetrics({ category: 'Connection' });
			expect(connection).toMatchObject({ total: 2, meanResolutionMs: 600_000, retry: { successRate: 0.5 } });
			expect((await store.reviewMetrics({ mappingId: 'none' })).retry.successRate).toBeNull();
		});
	});

	describe('retry schedule', () => {
		async function parked(code: ErrorCode = 'CONNECTION_TIMEOUT') {
			return (await store.addReviewItem({ kind: 'error', mappingId: M, data: { id: 1 }, errors: [err(code)] })).item;
		}

		test('scheduleRetry, then claimDueRetries leases due items only, until the lease runs out', async () => {
			const item = await parked();
			const due = '2025-01-01T00:01:00.000Z';
			expect(await store.scheduleRetry(item.id, due, 1)).toMatchObject({ ok: true, item: { status: 'retry_scheduled', nextRetryAt: due } });
			expect(await store.claimDueRetries('2025-01-01T00:00:59Z', 10, 'w1', 60)).toEqual([]);
			const claimed = await store.claimDueRetries(due, 10, 'w1', 60);
			expect(claimed.map((i) => i.id)).toEqual([item.id]);
			expect(claimed[0].lease).toEqual({ owner: 'w1', until: '2025-01-01T00:02:00.000Z' });
			expect(await store.claimDueRetries('2025-01-01T00:01:30Z', 10, 'w2', 60)).toEqual([]);
			// w1 crashed: the lease expires and another worker takes the item.
			const reclaimed = await store.claimDueRetries('2025-01-01T00:02:00Z', 10, 'w2', 60);
			expect(reclaimed.map((i) => i.lease?.owner)).toEqual(['w2']);
			expect(await store.releaseLease(item.id, 'w1')).toBe(false);
			expect(await store.releaseLease(item.id, 'w2')).toBe(true);
			expect((await store.claimDueRetries('2025-01-01T00:02:00Z', 10, 'w3', 60)).length).toBe(1);
		});

		test('claims come oldest due first, respect the limit, and include approved items', async () => {
			const items = [];
			for (let i = 0; i < 5; i++) items.push(await parked());
			await store.scheduleRetry(items[0].id, '2025-01-01T00:03:00Z', 1);
			await store.scheduleRetry(items[1].id, '2025-01-01T00:01:00Z', 1);
			await store.scheduleRetry(items[2].id, '2025-01-01T00:02:00Z', 1);
			await store.setReviewStatus(items[3].id, 'approved');
			const first = await store.claimDueRetries('2025-01-01T00:05:00Z', 2, 'w', 60);
			expect(first.map((i) => i.id)).toEqual([items[3].id, items[1].id]);
			const rest = await store.claimDueRetries('2025-01-01T00:05:00Z', 10, 'w', 60);
			expect(rest.map((i) => i.id)).toEqual([items[2].id, items[0].id]);
		});

		test('scheduling an attempt that was already made is a no-op; closed items are not scheduled', async () => {
			const item = await parked();
			await store.recordAttempt(item.id, { outcome: 'failed', error: err('CONNECTION_TIMEOUT'), nextRetryAt: '2025-01-01T00:01:00Z' });
			expect((await store.scheduleRetry(item.id, '2025-01-01T00:09:00Z', 1)).ok).toBe(false);
			expect((await store.scheduleRetry(item.id, '2025-01-01T00:05:00Z', 2)).ok).toBe(true);
			await store.setReviewStatus(item.id, 'discarded');
			expect(await store.scheduleRetry(item.id, '2025-01-01T00:05:00Z', 3)).toMatchObject({ ok: false, item: { status: 'discarded' } });
			expect(await store.scheduleRetry('rev_nope', '2025-01-01T00:05:00Z', 1)).toEqual({ ok: false, item: null });
			await rejectsWith(store.scheduleRetry(item.id, '2025-01-01T00:05:00Z', 0), 'INVALID_INPUT');
		});

		test('recordAttempt: failed → scheduled or failed, succeeded → resolved; the same attempt twice counts once', async () => {
			const item = await parked();
			await store.claimDueRetries(clock.iso(), 1, 'w1', 60).then(() => store.scheduleRetry(item.id, clock.iso(), 1));
			await store.claimDueRetries(clock.iso(), 1, 'w1', 60);
			clock.advance(1000);
			const first = await store.recordAttempt(item.id, { outcome: 'failed', workerId: 'w1', error: err('CONNECTION_TIMEOUT', 'timeout 1'), nextRetryAt: '2025-01-01T00:01:00Z' });
			expect(first).toMatchObject({ recorded: true, item: { attempts: 1, status: 'retry_scheduled', nextRetryAt: '2025-01-01T00:01:00.000Z', lease: null } });
			expect(first?.item.lastError?.message).toBe('timeout 1');
			const dup = await store.recordAttempt(item.id, { attempt: 1, outcome: 'failed', error: err('CONNECTION_TIMEOUT') });
			expect(dup).toMatchObject({ recorded: false, item: { attempts: 1 } });
			const second = await store.recordAttempt(item.id, { outcome: 'failed', error: err('CONNECTION_TIMEOUT', 'timeout 2') });
			expect(second?.item).toMatchObject({ attempts: 2, status: 'failed', nextRetryAt: null });
			await store.setReviewStatus(item.id, 'approved');
			clock.advance(1000);
			const third = await store.recordAttempt(item.id, { outcome: 'succeeded', workerId: 'w2' });
			expect(third?.item).toMatchObject({ attempts: 3, status: 'resolved', resolvedAt: clock.iso(), resolutionNote: 'Resolved by retry attempt 3' });
			expect(await store.recordAttempt(item.id, { attempt: 3, outcome: 'succeeded' })).toMatchObject({ recorded: false });
			const attempts = await store.listAttempts(item.id);
			expect(attempts.map((a) => [a.attempt, a.outcome, a.workerId])).toEqual([
				[1, 'failed', 'w1'],
				[2, 'failed', null],
				[3, 'succeeded', 'w2'],
			]);
			expect(attempts[1].error?.message).toBe('timeout 2');
			expect(await store.recordAttempt('rev_nope', { outcome: 'succeeded' })).toBeNull();
		});

		test('a data error retried by a person goes back to open; a discarded item stays discarded', async () => {
			const item = await parked('INVALID_EMAIL');
			const back = await store.recordAttempt(item.id, { outcome: 'failed', error: err('INVALID_EMAIL'), status: 'open' });
			expect(back?.item.status).toBe('open');
			await store.setReviewStatus(item.id, 'discarded');
			const late = await store.recordAttempt(item.id, { outcome: 'succeeded' });
			expect(late).toMatchObject({ recorded: true, item: { status: 'discarded', attempts: 2 } });
		});
	});

	describe('runs', () => {
		test('start, count, finish', async () => {
			const run = await store.startRun({ mappingId: M, trigger: 'webhook', dryRun: true, meta: { executionId: '7' } });
			expect(run).toEqual({
				id: expect.stringMatching(/^run_/),
				mappingId: M,
				trigger: 'webhook',
				dryRun: true,
				status: 'running',
				counts: { fetched: 0, created: 0, updated: 0, skipped: 0, failed: 0, unchanged: 0, conflicts: 0, parked: 0 },
				startedAt: clock.iso(),
				updatedAt: clock.iso(),
				finishedAt: null,
				error: null,
				meta: { executionId: '7' },
			});
			await store.updateRun(run.id, { increment: { fetched: 100, created: 10 } });
			await store.updateRun(run.id, { increment: { fetched: 50, failed: 2, parked: 2 } });
			const abs = await store.updateRun(run.id, { counts: { updated: 5 }, increment: { updated: 1 } });
			expect(abs?.counts).toMatchObject({ fetched: 150, created: 10, updated: 6, failed: 2, parked: 2 });
			clock.advance(30_000);
			const done = await store.finishRun(run.id, 'partial', { increment: { skipped: 3 }, error: '2 records parked for review' });
			expect(done).toMatchObject({ status: 'partial', finishedAt: clock.iso(), error: '2 records parked for review', counts: { skipped: 3 } });
			clock.advance(30_000);
			expect((await store.finishRun(run.id, 'failed'))?.finishedAt).toBe(done?.finishedAt);
			expect(await store.getRun(run.id)).toMatchObject({ status: 'failed', dryRun: true });
			expect(await store.finishRun('run_nope', 'completed')).toBeNull();
			await rejectsWith(store.finishRun(run.id, 'running'), 'INVALID_INPUT');
			await rejectsWith(store.updateRun(run.id, { counts: { fetched: -1 } }), 'INVALID_INPUT');
		});

		test('starting a run with a known id is idempotent', async () => {
			const a = await store.startRun({ id: 'exec-42', mappingId: M, trigger: 'manual', status: 'pending' });
			clock.advance(1000);
			const b = await store.startRun({ id: 'exec-42', mappingId: M, trigger: 'manual' });
			expect(b).toEqual(a);
			expect(a.status).toBe('pending');
			expect(await store.updateRun('exec-42', { status: 'running' })).toMatchObject({ status: 'running' });
		});

		test('list newest first with filters and paging; totals with error rate', async () => {
			const ids: string[] = [];
			for (let i = 0; i < 7; i++) {
				clock.advance(60_000);
				const r = await store.startRun({ mappingId: i % 2 ? 'other' : M, trigger: 'schedule', dryRun: i === 6 });
				await store.finishRun(r.id, i === 3 ? 'failed' : 'completed', { counts: { fetched: 10, failed: i === 3 ? 10 : 1 } });
				ids.push(r.id);
			}
			const running = await store.startRun({ mappingId: M, trigger: 'manual' });
			const page1 = await store.listRuns({}, { limit: 5 });
			const page2 = await store.listRuns({}, { limit: 5, cursor: page1.next });
			expect([...page1.items, ...page2.items].map((r) => r.id)).toEqual([running.id, ...[...ids].reverse()]);
			expect(page2.next).toBeNull();
			expect((await store.listRuns({ mappingId: 'other' })).items.map((r) => r.id)).toEqual([ids[5], ids[3], ids[1]]);
			expect((await store.listRuns({ status: 'failed' })).items.map((r) => r.id)).toEqual([ids[3]]);
			expect((await store.listRuns({ dryRun: true })).items.map((r) => r.id)).toEqual([ids[6]]);
			expect((await store.listRuns({ from: '2025-01-01T00:02:00Z', to: '2025-01-01T00:04:00Z' })).items.map((r) => r.id)).toEqual([ids[2], ids[1]]);
			const totals = await store.runTotals({ dryRun: false });
			expect(totals).toMatchObject({ runs: 7, counts: { fetched: 60, failed: 15 }, errorRate: 0.25, byStatus: { completed: 5, failed: 1, running: 1 } });
			expect((await store.runTotals({ mappingId: 'none' })).errorRate).toBeNull();
		});
	});

	describe('alert state', () => {
		test('set, get, compare-and-set by version, delete, list by prefix', async () => {
			expect(await store.getAlertState('rule:n-in-a-row:m1')).toBeNull();
			const v1 = await store.setAlertState('rule:n-in-a-row:m1', { consecutive: 1 });
			expect(v1).toEqual({ key: 'rule:n-in-a-row:m1', value: { consecutive: 1 }, version: 1, updatedAt: clock.iso() });
			expect(await store.compareAndSetAlertState('rule:n-in-a-row:m1', { consecutive: 5 }, null)).toMatchObject({ ok: false, current: { version: 1 } });
			expect(await store.compareAndSetAlertState('rule:n-in-a-row:m1', { consecutive: 2 }, 1)).toMatchObject({ ok: true, current: { version: 2, value: { consecutive: 2 } } });
			expect(await store.compareAndSetAlertState('rule:n-in-a-row:m1', { consecutive: 9 }, 1)).toMatchObject({ ok: false, current: { value: { consecutive: 2 } } });
			expect(await store.compareAndSetAlertState('digest:2025-01-01', ['e1'], null)).toMatchObject({ ok: true, current: { version: 1 } });
			await store.setAlertState('last-sent:sig', '2025-01-01T00:00:00.000Z');
			await store.setAlertState('rule:null', null);
			expect((await store.getAlertState('last-sent:sig'))?.value).toBe('2025-01-01T00:00:00.000Z');
			expect((await store.getAlertState('rule:null'))?.value).toBeNull();
			expect((await store.listAlertState('rule:')).map((e) => e.key)).toEqual(['rule:n-in-a-row:m1', 'rule:null']);
			expect(await store.deleteAlertState('rule:null')).toBe(true);
			expect(await store.deleteAlertState('rule:null')).toBe(false);
		});

		test('mutateAlertState from several connections loses no increment', async () => {
			const others = await Promise.all(Array.from({ length: 3 }, () => target.open({ clock: clock.now })));
			try {
				const handles = [store, ...others];
				await Promise.all(
					Array.from({ length: 16 }, (_, i) => handles[i % 4].mutateAlertState<number>('counter', (n) => (n ?? 0) + 1)),
				);
				expect(await store.getAlertState('counter')).toMatchObject({ value: 16, version: 16 });
			} finally {
				await Promise.all(others.map((o) => o.close()));
			}
		});
	});

	describe('pair leases', () => {
		const TTL = { ttlSeconds: 120 };

		test('acquire, deny to another token while live, renew by the same token, release by token only', async () => {
			const a = await store.acquirePairLeases(M, 'tok-a', ['s2', 's1', 's2'], TTL);
			expect(a).toEqual({ acquired: ['s1', 's2'], blocked: null, takenOver: [] });
			expect(await store.listPairLeases(M)).toEqual([
				{ mappingId: M, sourceId: 's1', token: 'tok-a', acquiredAt: '2025-01-01T00:00:00.000Z', expiresAt: '2025-01-01T00:02:00.000Z' },
				{ mappingId: M, sourceId: 's2', token: 'tok-a', acquiredAt: '2025-01-01T00:00:00.000Z', expiresAt: '2025-01-01T00:02:00.000Z' },
			]);
			// Another token: denied while live, with the lease that stopped it.
			const b = await store.acquirePairLeases(M, 'tok-b', ['s2'], TTL);
			expect(b.acquired).toEqual([]);
			expect(b.blocked).toMatchObject({ sourceId: 's2', token: 'tok-a', expiresAt: '2025-01-01T00:02:00.000Z' });
			// The same pair in another mapping is another lease.
			expect((await store.acquirePairLeases(`${M}-other`, 'tok-b', ['s2'], TTL)).acquired).toEqual(['s2']);
			// The holder renews by acquiring again.
			clock.advance(60_000);
			expect((await store.acquirePairLeases(M, 'tok-a', ['s1'], TTL)).acquired).toEqual(['s1']);
			expect((await store.listPairLeases(M, ['s1']))[0].expiresAt).toBe('2025-01-01T00:03:00.000Z');
			// Releasing with another token touches nothing; the holder's release frees exactly its ids.
			expect(await store.releasePairLeases(M, 'tok-b', ['s1', 's2'])).toBe(0);
			expect(await store.releasePairLeases(M, 'tok-b')).toBe(0);
			expect((await store.listPairLeases(M)).map((l) => l.token)).toEqual(['tok-a', 'tok-a']);
			expect(await store.releasePairLeases(M, 'tok-a', ['s2'])).toBe(1);
			expect((await store.acquirePairLeases(M, 'tok-b', ['s2'], TTL)).acquired).toEqual(['s2']);
			expect(await store.releasePairLeases(M, 'tok-a')).toBe(1);
			expect((await store.listPairLeases(M)).map((l) => [l.sourceId, l.token])).toEqual([['s2', 'tok-b']]);
			expect((await store.listPairLeases(`${M}-other`)).map((l) => [l.sourceId, l.token])).toEqual([['s2', 'tok-b']]);
		});

		test('an expired lease is taken by the next token; prune removes expired leases', async () => {
			await store.acquirePairLeases(M, 'crashed', ['s1', 's2'], { ttlSeconds: 30 });
			clock.advance(29_999);
			expect((await store.acquirePairLeases(M, 'next', ['s1'], TTL)).blocked?.token).toBe('crashed');
			clock.advance(1);
			expect(await store.acquirePairLeases(M, 'next', ['s1'], TTL)).toEqual({ acquired: ['s1'], blocked: null, takenOver: [] });
			// The crashed holder's late release cannot free the lease it lost.
			expect(await store.releasePairLeases(M, 'crashed', ['s1'])).toBe(0);
			expect((await store.listPairLeases(M, ['s1']))[0].token).toBe('next');
			expect(await store.prune()).toMatchObject({ leases: 1 });
			expect((await store.listPairLeases(M)).map((l) => l.sourceId)).toEqual(['s1']);
		});

		test('leases are taken in sorted order and never past the first one another token holds; takeOver forces a live one', async () => {
			await store.acquirePairLeases(M, 'other', ['c'], TTL);
			const mine = await store.acquirePairLeases(M, 'mine', ['e', 'a', 'c', 'b', 'd'], TTL);
			expect(mine.acquired).toEqual(['a', 'b']);
			expect(mine.blocked).toMatchObject({ sourceId: 'c', token: 'other' });
			// Nothing after the blocker is held, so a third caller that needs d then c cannot deadlock with us.
			expect((await store.listPairLeases(M)).map((l) => [l.sourceId, l.token])).toEqual([
				['a', 'mine'],
				['b', 'mine'],
				['c', 'other'],
			]);
			const forced = await store.acquirePairLeases(M, 'mine', ['a', 'b', 'c', 'd', 'e'], { ...TTL, takeOver: ['c'] });
			expect(forced.acquired).toEqual(['a', 'b', 'c', 'd', 'e']);
			expect(forced.blocked).toBeNull();
			expect(forced.takenOver).toEqual([expect.objectContaining({ sourceId: 'c', token: 'other' })]);
			expect(await store.releasePairLeases(M, 'other')).toBe(0);
			// More ids than one statement takes: the order and the stop hold across statements.
			const many = Array.from({ length: 1200 }, (_, i) => `k${String(i).padStart(4, '0')}`);
			await store.acquirePairLeases(M, 'other', ['k0700'], TTL);
			const big = await store.acquirePairLeases(M, 'mine', [...many].reverse(), TTL);
			expect(big.acquired).toEqual(many.slice(0, 700));
			expect(big.blocked?.sourceId).toBe('k0700');
			expect(await store.listPairLeases(M, many.slice(701))).toEqual([]);
			expect(await store.releasePairLeases(M, 'mine', many)).toBe(700);
		});

		test('invalid input is refused', async () => {
			await rejectsWith(store.acquirePairLeases(M, 'tok', ['s1'], { ttlSeconds: 0 }), 'INVALID_INPUT');
			await rejectsWith(store.acquirePairLeases(M, '', ['s1'], TTL), 'INVALID_INPUT');
			await rejectsWith(store.acquirePairLeases(M, 'tok', [''], TTL), 'INVALID_INPUT');
			expect(await store.acquirePairLeases(M, 'tok', [], TTL)).toEqual({ acquired: [], blocked: null, takenOver: [] });
		});
	});

	describe('housekeeping and handles', () => {
		test('prune removes expired events and, when asked, old closed records', async () => {
			await store.markEventProcessed('hubspot', 'e', 60);
			await store.beginIntent({ key: 'k-open', mappingId: M, sourceId: '1', operation: 'create' });
			await store.beginIntent({ key: 'k-done', mappingId: M, sourceId: '2', operation: 'create' });
			await store.completeIntent('k-done', { targetId: 'x' });
			const open = (await store.addReviewItem({ kind: 'error', data: {}, errors: [err('INVALID_EMAIL')] })).item;
			const closed = (await store.addReviewItem({ kind: 'error', data: {}, errors: [err('INVALID_EMAIL')] })).item;
			await store.setReviewStatus(closed.id, 'resolved');
			await store.recordAttempt(closed.id, { outcome: 'succeeded' });
			const finished = await store.startRun({ mappingId: M, trigger: 't' });
			await store.finishRun(finished.id, 'completed');
			const running = await store.startRun({ mappingId: M, trigger: 't' });
			clock.advance(86_400_000);
			const res = await store.prune({ intentsBefore: clock.iso(), reviewClosedBefore: clock.iso(), runsBefore: clock.iso() });
			expect(res).toEqual({ events: 1, leases: 0, intents: 1, reviewItems: 1, runs: 1 });
			expect(await store.getIntent('k-open')).not.toBeNull();
			expect(await store.getReviewItem(open.id)).not.toBeNull();
			expect(await store.getReviewItem(closed.id)).toBeNull();
			expect(await store.listAttempts(closed.id)).toEqual([]);
			expect(await store.getRun(running.id)).not.toBeNull();
			expect(await store.prune()).toEqual({ events: 0, leases: 0, intents: 0, reviewItems: 0, runs: 0 });
		});

		test('a closed handle refuses calls; closing twice is fine; other handles keep working', async () => {
			const other = await target.open();
			await other.close();
			await other.close();
			await rejectsWith(other.getCursor('x'), 'CLOSED');
			expect(await store.getCursor('x')).toBeNull();
		});
	});
});
