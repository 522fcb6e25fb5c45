/**
 * The batch operations (pairRecords, updatePairs, unlinkPairs, beginIntents, completeIntents, abandonIntents) on
 * every backend: the same answers as the one-by-one calls, one transaction, and a bounded number of statements for
 * thousands of rows (a 10,000-record Commit must not be 10,000 transactions).
 */
import { StoreError, type IntentInput, type PairInput, type SqlStore } from '../../sync/store';
import { backendMatrix, countStatements, describeSkipped, TestClock, type StoreTarget } from './harness';

const { run, skipped } = backendMatrix();
describeSkipped('store batch operations', skipped);

const M = 'batch-mapping';

function pairInput(sourceId: string, targetId: string, extra: Partial<PairInput> = {}): PairInput {
	return {
		mappingId: M,
		source: { system: 'salesforce', object: 'Contact', id: sourceId },
		target: { system: 'hubspot', object: 'contacts', id: targetId },
		...extra,
	};
}

function intentInput(key: string, sourceId: string, extra: Partial<IntentInput> = {}): IntentInput {
	return { key, mappingId: M, sourceId, operation: 'create', targetSystem: 'hubspot', targetObject: 'contacts', matchKey: 'email', matchValue: `${sourceId}@example.com`, ...extra };
}

describe.each(run)('store batch operations: $name', (backend) => {
	let target: StoreTarget;
	let store: SqlStore;
	const clock = new TestClock();

	beforeAll(async () => {
		target = await backend.create('batch');
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

	test('beginIntents: new intents are created; a replayed key, a key twice and a record with an open intent answer as beginIntent would', async () => {
		await store.beginIntent(intentInput('old', 's-open'));
		await store.beginIntent(intentInput('replayed', 's-replayed'));
		const res = await store.beginIntents([
			intentInput('k1', 's1'),
			intentInput('replayed', 's-replayed'),
			intentInput('k2', 's-open'),
			intentInput('k3', 's3'),
			intentInput('k3', 's3'),
			intentInput('k4', 's3'),
		]);
		expect(res.map((r) => [r.intent.key, r.created])).toEqual([
			['k1', true],
			['replayed', false],
			['old', false],
			['k3', true],
			['k3', false],
			['k3', false],
		]);
		expect(res[0].intent).toMatchObject({ mappingId: M, sourceId: 's1', operation: 'create', status: 'open', matchKey: 'email', matchValue: 's1@example.com', targetSystem: 'hubspot' });
		expect((await store.openIntents(M)).map((i) => i.key).sort()).toEqual(['k1', 'k3', 'old', 'replayed']);
		expect(await store.beginIntents([])).toEqual([]);
	});

	test('beginIntents is one transaction: a bad input leaves nothing behind', async () => {
		await expect(store.beginIntents([intentInput('fine', 's1'), intentInput('bad', '')])).rejects.toBeInstanceOf(StoreError);
		expect(await store.getIntent('fine')).toBeNull();
	});

	test('completeIntents: each intent done with its pair; replays, unknown keys, abandoned intents and conflicts as completeIntent', async () => {
		await store.beginIntents([intentInput('a', 'sa'), intentInput('b', 'sb'), intentInput('c', 'sc'), intentInput('d', 'sd')]);
		await store.abandonIntent('c', 'refused');
		await store.pairRecord(pairInput('other', 'td'));
		clock.advance(1000);
		const res = await store.completeIntents([
			{ key: 'a', result: { targetId: 'ta', pair: pairInput('sa', 'ta', { targetSnapshot: { email: 'sa@example.com' } }) } },
			{ key: 'unknown', result: { targetId: 'tu', pair: pairInput('su', 'tu') } },
			{ key: 'b' },
			{ key: 'c', result: { targetId: 'tc', pair: pairInput('sc', 'tc') } },
			{ key: 'd', result: { targetId: 'td', pair: pairInput('sd', 'td') } },
			{ key: 'a', result: { targetId: 'ta', pair: pairInput('sa', 'ta') } },
		]);
		expect(res.map((r) => r && [r.intent.key, r.intent.status, r.intent.targetId, r.pair ? [r.pair.created, r.pair.conflict] : null])).toEqual([
			['a', 'done', 'ta', [true, false]],
			null,
			['b', 'done', null, null],
			['c', 'done', 'tc', [true, false]],
			['d', 'done', 'td', [false, true]],
			['a', 'done', 'ta', [false, false]],
		]);
		expect(res[0]!.intent.completedAt).toBe('2025-01-01T00:00:01.000Z');
		expect((await store.getPair(M, 'target', 'ta'))!.targetSnapshot).toEqual({ email: 'sa@example.com' });
		// An unknown intent pairs nothing.
		expect(await store.getPair(M, 'source', 'su')).toBeNull();
		expect(await store.openIntents(M)).toEqual([]);
		// A replay of the whole batch changes nothing.
		const replay = await store.completeIntents([{ key: 'a', result: { targetId: 'ta', pair: pairInput('sa', 'ta') } }]);
		expect(replay[0]).toMatchObject({ intent: { key: 'a', status: 'done', completedAt: '2025-01-01T00:00:01.000Z' }, pair: { created: false, conflict: false } });
	});

	test('completeIntents is one transaction: a bad pair rolls the intents back too', async () => {
		await store.beginIntents([intentInput('a', 'sa'), intentInput('b', 'sb')]);
		await expect(
			store.completeIntents([
				{ key: 'a', result: { targetId: 'ta', pair: pairInput('sa', 'ta') } },
				{ key: 'b', result: { targetId: 'tb', pair: pairInput('sb', '') } },
			]),
		).rejects.toBeInstanceOf(StoreError);
		expect((await store.openIntents(M)).map((i) => i.key).sort()).toEqual(['a', 'b']);
		expect(await store.getPair(M, 'source', 'sa')).toBeNull();
	});

	test('abandonIntents: open ones are abandoned, done ones stay done, unknown keys are null', async () => {
		await store.beginIntents([intentInput('a', 'sa'), intentInput('b', 'sb')]);
		await store.completeIntent('b', { targetId: 'tb' });
		const res = await store.abandonIntents(['a', 'b', 'nope', 'a'], 'The vendor refused the create');
		expect(res.map((r) => r && [r.key, r.status, r.note])).toEqual([
			['a', 'abandoned', 'The vendor refused the create'],
			['b', 'done', null],
			null,
			['a', 'abandoned', 'The vendor refused the create'],
		]);
	});

	test('updatePairs: an id twice applies in order (the second sees the first one\'s version); shapes mix; misses are told apart', async () => {
		await store.pairRecords([pairInput('a', 'ta'), pairInput('b', 'tb'), pairInput('c', 'tc')]);
		clock.advance(5000);
		const res = await store.updatePairs(M, [
			{ side: 'source', id: 'a', patch: { sourceSnapshot: { n: 1 }, expectedVersion: 1 } },
			{ side: 'source', id: 'a', patch: { sourceSnapshot: { n: 2 }, expectedVersion: 1 } },
			{ side: 'target', id: 'tb', patch: { targetSnapshot: { m: 1 }, targetUpdatedAt: '2025-02-01T00:00:00Z' } },
			{ side: 'source', id: 'b', patch: { sourceSnapshot: null } },
			{ side: 'source', id: 'c', patch: { sourceSnapshot: { x: 1 }, expectedVersion: 7 } },
			{ side: 'source', id: 'missing', patch: { sourceSnapshot: { x: 1 } } },
			{ side: 'source', id: 'a', patch: { sourceSnapshot: { n: 3 }, expectedVersion: 2 } },
		]);
		expect(res.map((r) => (r.ok ? ['ok', r.pair.version] : [r.reason, 'pair' in r ? r.pair.version : null]))).toEqual([
			['ok', 2],
			['version_mismatch', 2],
			['ok', 2],
			['ok', 3],
			['version_mismatch', 1],
			['not_found', null],
			['ok', 3],
		]);
		const b = (await store.getPair(M, 'source', 'b'))!;
		expect(b).toMatchObject({ sourceSnapshot: null, targetSnapshot: { m: 1 }, targetUpdatedAt: '2025-02-01T00:00:00.000Z', lastSyncedAt: '2025-01-01T00:00:05.000Z' });
		expect((await store.getPair(M, 'source', 'a'))!.sourceSnapshot).toEqual({ n: 3 });
		expect((await store.getPair(M, 'source', 'c'))!.sourceSnapshot).toBeNull();
	});

	test('unlinkPairs: true for each id whose pair it removed, once', async () => {
		await store.pairRecords([pairInput('a', 'ta'), pairInput('b', 'tb')]);
		expect(await store.unlinkPairs(M, 'target', ['ta', 'nope', 'ta'])).toEqual([true, false, false]);
		expect(await store.unlinkPairs(M, 'source', ['b'])).toEqual([true]);
		expect((await store.pairStats(M)).pairs).toBe(0);
	});

	test('10,000 rows: every batch operation is one transaction of a bounded number of statements', async () => {
		const N = 10_000;
		const counter = countStatements(store);
		const bound = 5 * Math.ceil(N / 1000);
		const ids = Array.from({ length: N }, (_, i) => `s${String(i).padStart(5, '0')}`);

		const begun = await store.beginIntents(ids.map((id) => intentInput(`k-${id}`, id)));
		expect(begun.every((r) => r.created)).toBe(true);
		expect(counter).toMatchObject({ operations: 1 });
		expect(counter.statements).toBeLessThanOrEqual(bound);

		counter.reset();
		const done = await store.completeIntents(
			ids.map((id) => ({ key: `k-${id}`, result: { targetId: `t-${id}`, pair: pairInput(id, `t-${id}`, { sourceSnapshot: { id }, targetSnapshot: { id } }) } })),
		);
		expect(done.every((r) => r?.intent.status === 'done' && r.pair?.created)).toBe(true);
		expect(counter).toMatchObject({ operations: 1 });
		expect(counter.statements).toBeLessThanOrEqual(bound);

		counter.reset();
		const updated = await store.updatePairs(
			M,
			ids.map((id) => ({ side: 'source', id, patch: { sourceSnapshot: { id, n: 2 }, expectedVersion: 1 } })),
		);
		expect(updated.every((r) => r.ok && r.pair.version === 2)).toBe(true);
		expect(counter).toMatchObject({ operations: 1 });
		expect(counter.statements).toBeLessThanOrEqual(bound);

		counter.reset();
		const paired = await store.pairRecords(ids.map((id) => pairInput(`n-${id}`, `tn-${id}`)));
		expect(paired.every((r) => r.created)).toBe(true);
		expect(counter.statements).toBeLessThanOrEqual(bound);

		counter.reset();
		expect((await store.unlinkPairs(M, 'source', ids)).every(Boolean)).toBe(true);
		expect(await store.abandonIntents(ids.map((id) => `k-${id}`))).toHaveLength(N);
		expect(counter).toMatchObject({ operations: 2 });
		expect(counter.statements).toBeLessThanOrEqual(2 * bound);
		expect((await store.pairStats(M)).pairs).toBe(N);
	});
});
