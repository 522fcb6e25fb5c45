/**
 * Many executions at once: separate connections in this process (SQLite: separate DatabaseSync handles on one
 * file; PostgreSQL: separate pools) and separate processes (real lock contention, as two n8n processes or
 * queue-mode workers would cause).
 */
import { classifiedError } from '../../errors/taxonomy';
import { LATEST_VERSION, MIGRATIONS, type SqlStore } from '../../sync/store';
import { backendMatrix, describeSkipped, runWorker, TestClock, withPgClient, workerResult, type StoreTarget } from './harness';

const { run, skipped } = backendMatrix();
describeSkipped('store concurrency', skipped);

const M = 'm-concurrency';
const NOW = '2025-01-01T00:00:00.000Z';

async function openMany(target: StoreTarget, n: number, clock?: TestClock): Promise<SqlStore[]> {
	return Promise.all(Array.from({ length: n }, () => target.open(clock ? { clock: clock.now } : {})));
}

async function closeAll(stores: SqlStore[]): Promise<void> {
	await Promise.all(stores.map((s) => s.close()));
}

async function parkDue(store: SqlStore, n: number): Promise<string[]> {
	const ids: string[] = [];
	for (let i = 0; i < n; i++) {
		const { item } = await store.addReviewItem({
			kind: 'error',
			mappingId: M,
			data: { i },
			errors: [classifiedError('CONNECTION_TIMEOUT', { message: 'timeout' })],
			status: 'retry_scheduled',
			nextRetryAt: NOW,
		});
		ids.push(item.id);
	}
	return ids.sort();
}

async function migrationRows(target: StoreTarget): Promise<number> {
	if (target.backend === 'postgres') {
		const schema = (target.config as { schema: string }).schema;
		return withPgClient(async (c) => Number((await c.query(`SELECT count(*) AS n FROM "${schema}".schema_migrations`)).rows[0].n));
	}
	const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
	const db = new DatabaseSync((target.config as { path: string }).path);
	try {
		return Number((db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n);
	} finally {
		db.close();
	}
}

describe.each(run)('store concurrency: $name', (backend) => {
	let target: StoreTarget;

	beforeEach(async () => {
		target = await backend.create('concurrency');
	});
	afterEach(async () => {
		await target.dispose();
	});

	test('20 concurrent pairRecord calls for one source record from separate connections end with one pair', async () => {
		const stores = await openMany(target, 20);
		try {
			// Twenty executions each found a different candidate target for the same source record.
			const results = await Promise.all(
				stores.map((s, i) =>
					s.pairRecord({
						mappingId: M,
						source: { system: 'hubspot', object: 'contact', id: 'S-1' },
						target: { system: 'jobber', object: 'client', id: `T-${i}` },
					}),
				),
			);
			expect(results.filter((r) => r.created)).toHaveLength(1);
			const winner = results.find((r) => r.created)!.pair;
			for (const r of results) expect(r.pair).toEqual(winner);
			expect(results.filter((r) => r.conflict)).toHaveLength(19);
			expect((await stores[0].pairStats(M)).pairs).toBe(1);

			// And twenty executions pairing the very same two records: one pair, no conflict reported.
			const same = await Promise.all(
				stores.map((s) =>
					s.pairRecord({
						mappingId: M,
						source: { system: 'hubspot', object: 'contact', id: 'S-2' },
						target: { system: 'jobber', object: 'client', id: 'T-same' },
					}),
				),
			);
			expect(same.filter((r) => r.created)).toHaveLength(1);
			expect(same.filter((r) => r.conflict)).toHaveLength(0);
			expect((await stores[0].pairStats(M)).pairs).toBe(2);
		} finally {
			await closeAll(stores);
		}
	});

	test('concurrent beginIntent for one record: one open intent, every caller sees it', async () => {
		const stores = await openMany(target, 10);
		try {
			const results = await Promise.all(
				stores.map((s, i) => s.beginIntent({ key: `k-${i}`, mappingId: M, sourceId: 'S-1', operation: 'create', matchKey: 'email', matchValue: 'a@b.c' })),
			);
			expect(results.filter((r) => r.created)).toHaveLength(1);
			expect(new Set(results.map((r) => r.intent.key)).size).toBe(1);
			expect(await stores[0].openIntents(M)).toHaveLength(1);
		} finally {
			await closeAll(stores);
		}
	});

	test('two workers claiming due retries never get the same item', async () => {
		const [seed, workerA, workerB] = await openMany(target, 3);
		try {
			const all = await parkDue(seed, 60);
			const drain = async (store: SqlStore, workerId: string) => {
				const got: string[] = [];
				for (;;) {
					const items = await store.claimDueRetries(NOW, 4, workerId, 300);
					if (items.length === 0) return got;
					for (const item of items) expect(item.lease?.owner).toBe(workerId);
					got.push(...items.map((i) => i.id));
				}
			};
			const [a, b] = await Promise.all([drain(workerA, 'worker-a'), drain(workerB, 'worker-b')]);
			expect(a.filter((id) => b.includes(id))).toEqual([]);
			expect([...a, ...b].sort()).toEqual(all);
		} finally {
			await closeAll([seed, workerA, workerB]);
		}
	});

	test('pair leases: 20 acquirers of the same pairs from separate connections, exactly one holds each; overlapping sets never deadlock', async () => {
		const stores = await openMany(target, 20);
		try {
			const res = await Promise.all(stores.map((s, i) => s.acquirePairLeases(M, `tok-${i}`, ['S-1'], { ttlSeconds: 60 })));
			expect(res.filter((r) => r.acquired.length === 1)).toHaveLength(1);
			const winner = res.findIndex((r) => r.acquired.length === 1);
			for (const r of res) if (r.acquired.length === 0) expect(r.blocked?.token).toBe(`tok-${winner}`);
			expect((await stores[0].listPairLeases(M)).map((l) => l.token)).toEqual([`tok-${winner}`]);

			// Twenty callers with overlapping sets in different input orders: every id has exactly one holder, and each
			// caller holds a sorted prefix of its ids (the same order for all, so nobody waits on a later holder).
			const ids = Array.from({ length: 30 }, (_, i) => `P-${String(i).padStart(2, '0')}`);
			const sets = stores.map((_, i) => ids.filter((_, k) => (k + i) % 3 !== 0).sort(() => (i % 2 ? 1 : -1)));
			const many = await Promise.all(stores.map((s, i) => s.acquirePairLeases(M, `set-${i}`, sets[i], { ttlSeconds: 60 })));
			const held = new Map<string, string>();
			many.forEach((r, i) => {
				const sorted = [...new Set(sets[i])].sort();
				expect(r.acquired).toEqual(sorted.slice(0, r.acquired.length));
				for (const id of r.acquired) {
					expect(held.has(id)).toBe(false);
					held.set(id, `set-${i}`);
				}
			});
			const stored = (await stores[0].listPairLeases(M, ids)).map((l) => [l.sourceId, l.token]);
			expect(stored).toEqual([...held.entries()].sort());
		} finally {
			await closeAll(stores);
		}
	});

	test('two concurrent opens of a fresh database both migrate successfully', async () => {
		const [a, b] = await Promise.all([target.open(), target.open()]);
		try {
			expect((await a.info()).schemaVersion).toBe(LATEST_VERSION);
			expect((await b.info()).schemaVersion).toBe(LATEST_VERSION);
			expect(await migrationRows(target)).toBe(MIGRATIONS.length);
		} finally {
			await closeAll([a, b]);
		}
	});

	describe('separate processes', () => {
		const PROCS = 4;
		const barrier = () => Date.now() + 3000;

		test('four processes opening a fresh database at once all succeed, migrations applied once', async () => {
			const startAt = barrier();
			const runs = await Promise.all(Array.from({ length: PROCS }, () => runWorker({ config: target.config, action: 'open', startAt })));
			for (const r of runs) expect(workerResult<number>(r)).toBe(LATEST_VERSION);
			expect(await migrationRows(target)).toBe(MIGRATIONS.length);
		});

		test('processes pairing one record, marking the same events and claiming the same retries never collide', async () => {
			const seed = await target.open();
			let due: string[];
			try {
				due = await parkDue(seed, 80);
			} finally {
				await seed.close();
			}
			const events = Array.from({ length: 40 }, (_, i) => `evt-${i}`);
			const startAt = barrier();
			const [pairs, marks, claims] = await Promise.all([
				Promise.all(
					Array.from({ length: PROCS }, (_, p) =>
						runWorker({ config: target.config, action: 'pair', mappingId: M, sourceId: 'S-proc', targets: [0, 1, 2, 3, 4].map((i) => `T-${p}-${i}`), startAt }),
					),
				),
				Promise.all(Array.from({ length: PROCS }, () => runWorker({ config: target.config, action: 'events', source: 'hubspot', ids: events, startAt }))),
				Promise.all(
					Array.from({ length: PROCS }, (_, p) => runWorker({ config: target.config, action: 'claim', workerId: `proc-${p}`, now: NOW, batch: 3, startAt })),
				),
			]);

			const pairResults = pairs.flatMap((r) => workerResult<Array<{ created: boolean; target: string }>>(r));
			expect(pairResults.filter((r) => r.created)).toHaveLength(1);
			expect(new Set(pairResults.map((r) => r.target)).size).toBe(1);

			const markResults = marks.map((r) => workerResult<boolean[]>(r));
			events.forEach((_, i) => expect(markResults.filter((m) => m[i]).length).toBe(1));

			const claimed = claims.map((r) => workerResult<string[]>(r));
			const flat = claimed.flat();
			expect(new Set(flat).size).toBe(flat.length);
			expect([...flat].sort()).toEqual(due);

			const check = await target.open();
			try {
				expect((await check.pairStats(M)).pairs).toBe(1);
			} finally {
				await check.close();
			}
		});
	});
});
