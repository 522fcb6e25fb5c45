/**
 * Read checkpoints of incremental syncs (sync/store/checkpoints.ts) on both backends: a run's pending checkpoints are
 * confirmed only once its writes are all finished, confirmed checkpoints never move back, and pending runs that can
 * no longer move anything (or are too old) are dropped.
 */
import { checkpointTime, notOlder, type SqlStore } from '../../sync/store';
import { backendMatrix, describeSkipped, TestClock, type StoreTarget } from './harness';

const { run, skipped } = backendMatrix();
describeSkipped('store checkpoints', skipped);

const M = 'pipedrive-jobber-clients';

/** A Pipedrive-style cursor token (`pdc1.` + base64url JSON with the ISO checkpoint and the versions seen). */
function token(iso: string, seen: string[] = []): string {
	return 'pdc1.' + Buffer.from(JSON.stringify({ c: iso, s: seen })).toString('base64url');
}

describe('checkpointTime / notOlder', () => {
	test('reads ISO times, offsets without a colon and vendor cursor tokens', () => {
		expect(checkpointTime('2025-03-01T10:00:00.000Z')).toBe(Date.parse('2025-03-01T10:00:00.000Z'));
		expect(checkpointTime('2025-03-01T10:00:00.000+0000')).toBe(Date.parse('2025-03-01T10:00:00.000Z'));
		expect(checkpointTime(token('2025-03-01T10:00:05.000Z', ['1@1'])) ).toBe(Date.parse('2025-03-01T10:00:05.000Z'));
		expect(checkpointTime('')).toBeNaN();
		expect(checkpointTime(null)).toBeNaN();
		expect(checkpointTime('pdc1.!!!')).toBeNaN();
		expect(checkpointTime('yesterday')).toBeNaN();
	});

	test('a checkpoint replaces an equal or older one, never a newer one; unreadable values replace each other', () => {
		expect(notOlder('2025-03-01T10:00:01Z', '2025-03-01T10:00:00Z')).toBe(true);
		expect(notOlder('2025-03-01T10:00:00Z', '2025-03-01T10:00:00.000Z')).toBe(true);
		expect(notOlder('2025-03-01T09:59:59Z', '2025-03-01T10:00:00Z')).toBe(false);
		expect(notOlder(token('2025-03-01T09:00:00Z'), token('2025-03-01T10:00:00Z'))).toBe(false);
		expect(notOlder('opaque-2', 'opaque-1')).toBe(true);
		expect(notOlder('2025-03-01T10:00:00Z', null)).toBe(true);
	});
});

describe.each(run)('store checkpoints: $name', (backend) => {
	let target: StoreTarget;
	let store: SqlStore;
	const clock = new TestClock();

	beforeAll(async () => {
		target = await backend.create('checkpoints');
	});
	afterAll(async () => {
		await target.dispose();
	});
	beforeEach(async () => {
		await target.reset();
		clock.set('2025-03-01T12:00:00.000Z');
		store = await target.open({ clock: clock.now });
	});
	afterEach(async () => {
		await store.close();
	});

	test('nothing confirmed at first; a run without writes is confirmed at the next confirm', async () => {
		expect(await store.confirmCheckpoints(M)).toEqual({ mappingId: M, source: null, target: null, promoted: [], pending: [] });
		const pending = await store.recordPendingCheckpoint({ mappingId: M, runId: '101', source: '2025-03-01T11:00:00.000Z', target: '2025-03-01T11:30:00.000Z' });
		expect(pending).toMatchObject({ runId: '101', source: '2025-03-01T11:00:00.000Z', target: '2025-03-01T11:30:00.000Z', openWork: 0 });
		// Recorded, not confirmed yet: reading leaves it pending.
		expect((await store.getCheckpoints(M)).source).toBeNull();
		const state = await store.confirmCheckpoints(M);
		expect(state.promoted).toEqual(['101']);
		expect(state.source).toMatchObject({ side: 'source', value: '2025-03-01T11:00:00.000Z', runId: '101', confirmedAt: '2025-03-01T12:00:00.000Z' });
		expect(state.target).toMatchObject({ side: 'target', value: '2025-03-01T11:30:00.000Z', runId: '101' });
		expect(state.pending).toEqual([]);
		expect((await store.getCheckpoints(M)).source?.value).toBe('2025-03-01T11:00:00.000Z');
	});

	test('a run with open writes stays pending until Commit finished every one (succeeded or failed)', async () => {
		await store.recordPendingCheckpoint({ mappingId: M, runId: '1', source: '2025-03-01T10:00:00.000Z', target: '2025-03-01T10:00:00.000Z' });
		await store.confirmCheckpoints(M);
		await store.recordPendingCheckpoint({ mappingId: M, runId: '2', source: '2025-03-01T11:00:00.000Z', target: '2025-03-01T11:05:00.000Z', work: ['to_target|a|x', 'to_source|b|y', 'to_target|c|'] });
		let state = await store.confirmCheckpoints(M);
		expect(state.promoted).toEqual([]);
		expect(state.source?.value).toBe('2025-03-01T10:00:00.000Z');
		expect(state.pending).toEqual([expect.objectContaining({ runId: '2', openWork: 3 })]);

		expect(await store.finishCheckpointWork(M, '2', ['to_target|a|x', 'to_source|b|y'])).toBe(2);
		// A replayed Commit, and another run's keys, change nothing.
		expect(await store.finishCheckpointWork(M, '2', ['to_target|a|x'])).toBe(0);
		expect(await store.finishCheckpointWork(M, '3', ['to_target|c|'])).toBe(0);
		state = await store.confirmCheckpoints(M);
		expect(state.source?.value).toBe('2025-03-01T10:00:00.000Z');
		expect(state.pending[0].openWork).toBe(1);

		await store.finishCheckpointWork(M, '2', ['to_target|c|']);
		state = await store.confirmCheckpoints(M);
		expect(state.promoted).toEqual(['2']);
		expect(state.source?.value).toBe('2025-03-01T11:00:00.000Z');
		expect(state.target?.value).toBe('2025-03-01T11:05:00.000Z');
		expect(state.pending).toEqual([]);
	});

	test('a later run that finished is confirmed past an earlier one that never will (a crash)', async () => {
		await store.recordPendingCheckpoint({ mappingId: M, runId: 'crashed', source: '2025-03-01T10:00:00.000Z', target: null, work: ['to_target|a|x'] });
		clock.advance(60_000);
		await store.recordPendingCheckpoint({ mappingId: M, runId: 'next', source: '2025-03-01T10:10:00.000Z', target: '2025-03-01T10:10:00.000Z', work: ['to_target|a|x'] });
		await store.finishCheckpointWork(M, 'next', ['to_target|a|x']);
		const state = await store.confirmCheckpoints(M);
		expect(state.promoted).toEqual(['next']);
		expect(state.source?.value).toBe('2025-03-01T10:10:00.000Z');
		// The crashed run could only move the source back: it is dropped with its work.
		expect(state.pending).toEqual([]);
		expect((await store.getCheckpoints(M)).pending).toEqual([]);
	});

	test('confirmed checkpoints only move forward, per side', async () => {
		await store.recordPendingCheckpoint({ mappingId: M, runId: 'new', source: '2025-03-01T11:00:00.000Z', target: '2025-03-01T09:00:00.000Z' });
		await store.confirmCheckpoints(M);
		await store.recordPendingCheckpoint({ mappingId: M, runId: 'late', source: '2025-03-01T10:00:00.000Z', target: '2025-03-01T10:00:00.000Z' });
		const state = await store.confirmCheckpoints(M);
		expect(state.promoted).toEqual(['late']);
		expect(state.source).toMatchObject({ value: '2025-03-01T11:00:00.000Z', runId: 'new' });
		expect(state.target).toMatchObject({ value: '2025-03-01T10:00:00.000Z', runId: 'late' });
	});

	test('cursor tokens are compared by the time they carry and stored as they are', async () => {
		const older = token('2025-03-01T10:00:00.000Z', ['7@1740823200000~abc']);
		const newer = token('2025-03-01T10:30:00.000Z');
		await store.recordPendingCheckpoint({ mappingId: M, runId: 'a', source: newer });
		await store.confirmCheckpoints(M);
		await store.recordPendingCheckpoint({ mappingId: M, runId: 'b', source: older });
		expect((await store.confirmCheckpoints(M)).source?.value).toBe(newer);
	});

	test('a second Plan of the same run adds its writes and keeps the newer checkpoint of each side', async () => {
		await store.recordPendingCheckpoint({ mappingId: M, runId: '9', source: '2025-03-01T10:00:00.000Z', target: '2025-03-01T10:00:00.000Z', work: ['a'] });
		const again = await store.recordPendingCheckpoint({ mappingId: M, runId: '9', source: '2025-03-01T09:00:00.000Z', target: '2025-03-01T10:20:00.000Z', work: ['a', 'b'] });
		expect(again).toMatchObject({ source: '2025-03-01T10:00:00.000Z', target: '2025-03-01T10:20:00.000Z', openWork: 2 });
		await store.finishCheckpointWork(M, '9', ['a', 'b']);
		expect((await store.confirmCheckpoints(M)).target?.value).toBe('2025-03-01T10:20:00.000Z');
	});

	test('pending runs older than the age limit are dropped; mappings are separate', async () => {
		await store.recordPendingCheckpoint({ mappingId: M, runId: 'old', source: '2025-03-01T11:00:00.000Z', work: ['a'] });
		await store.recordPendingCheckpoint({ mappingId: 'other', runId: 'old', source: '2025-03-01T11:00:00.000Z' });
		clock.advance(3600_000);
		expect((await store.confirmCheckpoints(M, { maxPendingAgeSeconds: 7200 })).pending).toHaveLength(1);
		expect((await store.confirmCheckpoints(M, { maxPendingAgeSeconds: 1800 })).pending).toEqual([]);
		expect((await store.confirmCheckpoints(M)).source).toBeNull();
		expect((await store.confirmCheckpoints('other')).source?.value).toBe('2025-03-01T11:00:00.000Z');
		// Recording a run also drops that mapping's runs past the limit (nobody may ever confirm them).
		await store.recordPendingCheckpoint({ mappingId: M, runId: 'stale', source: '2025-03-01T11:00:00.000Z', work: ['x'] });
		clock.advance(8 * 86_400_000);
		await store.recordPendingCheckpoint({ mappingId: M, runId: 'fresh', source: '2025-03-01T12:00:00.000Z', work: ['x'] });
		expect((await store.getCheckpoints(M)).pending.map((p) => p.runId)).toEqual(['fresh']);
	});

	test('setCheckpoint and resetCheckpoints', async () => {
		expect(await store.setCheckpoint(M, 'target', '2025-02-01T00:00:00.000Z')).toMatchObject({ value: '2025-02-01T00:00:00.000Z', runId: null });
		await store.recordPendingCheckpoint({ mappingId: M, runId: 'r', source: '2025-03-01T00:00:00.000Z', work: ['k'] });
		expect((await store.getCheckpoints(M)).target?.value).toBe('2025-02-01T00:00:00.000Z');
		expect(await store.setCheckpoint(M, 'target', null)).toBeNull();
		expect((await store.getCheckpoints(M)).target).toBeNull();
		await store.setCheckpoint(M, 'source', '2025-02-01T00:00:00.000Z');
		expect(await store.resetCheckpoints(M)).toBe(2);
		expect(await store.getCheckpoints(M)).toEqual({ mappingId: M, source: null, target: null, promoted: [], pending: [] });
	});

	test('refuses empty ids and keys', async () => {
		await expect(store.recordPendingCheckpoint({ mappingId: '', runId: '1', source: 'x' })).rejects.toThrow(/mappingId/);
		await expect(store.recordPendingCheckpoint({ mappingId: M, runId: '', source: 'x' })).rejects.toThrow(/runId/);
		await expect(store.recordPendingCheckpoint({ mappingId: M, runId: '1', source: 'x', work: [''] })).rejects.toThrow(/work key/);
		await expect(store.setCheckpoint(M, 'sideways' as 'source', 'x')).rejects.toThrow(/side/);
	});

	test('many writes in one run (more than one statement of keys)', async () => {
		const keys = Array.from({ length: 1234 }, (_, i) => `to_target|s${i}|`);
		await store.recordPendingCheckpoint({ mappingId: M, runId: 'big', source: '2025-03-01T11:00:00.000Z', work: keys });
		expect((await store.getCheckpoints(M)).pending[0].openWork).toBe(1234);
		expect(await store.finishCheckpointWork(M, 'big', keys.slice(0, 1200))).toBe(1200);
		expect((await store.confirmCheckpoints(M)).source).toBeNull();
		expect(await store.finishCheckpointWork(M, 'big', keys)).toBe(34);
		expect((await store.confirmCheckpoints(M)).source?.value).toBe('2025-03-01T11:00:00.000Z');
	});

	test('concurrent confirms and commits end with one consistent, newest checkpoint', async () => {
		const handles = await Promise.all(Array.from({ length: 4 }, () => target.open({ clock: clock.now })));
		try {
			for (let r = 0; r < 8; r++) {
				await store.recordPendingCheckpoint({ mappingId: M, runId: `r${r}`, source: new Date(Date.parse('2025-03-01T10:00:00Z') + r * 60_000).toISOString(), work: [`k${r}`] });
			}
			await Promise.all([
				...handles.map((h, i) => h.finishCheckpointWork(M, `r${i * 2}`, [`k${i * 2}`]).then(() => h.finishCheckpointWork(M, `r${i * 2 + 1}`, [`k${i * 2 + 1}`]))),
				...handles.map((h) => h.confirmCheckpoints(M)),
			]);
			const state = await store.confirmCheckpoints(M);
			expect(state.source?.value).toBe('2025-03-01T10:07:00.000Z');
			expect(state.pending).toEqual([]);
		} finally {
			await Promise.all(handles.map((h) => h.close()));
		}
	});
});
