/**
 * Issue 10, "no lost update" under queue mode: two executions plan an update of the same pair before either commits.
 * Each scenario lets the vendor writes land in the order that hurts most (the later-planned write first whenever it
 * exists), as two n8n workers may. Without pair leases the target ends with the older version; with them the second
 * Plan waits for the first one's Commit and plans against the snapshot it stored.
 */
import { commit, plan, type LedgerConfig, type LedgerRecord, type PlanResult } from '../../sync/ledger';
import type { MappingSpec } from '../../sync/mapping';
import type { PairLease, SyncStore } from '../../sync/store';
import { backends, MemoryVendor, StepClock, syncRound, type LedgerDb } from './support';

const MAPPING: MappingSpec = {
	name: 'CRM person ⇄ FSM client',
	direction: 'bidirectional',
	pairs: [
		{ source: 'first_name', target: 'firstName', transform: 'trim' },
		{ source: 'last_name', target: 'lastName', transform: 'trim' },
		{ source: 'email', target: 'emails[0].address', transform: 'email_validate' },
	],
};

function config(extra: Partial<LedgerConfig> = {}): LedgerConfig {
	return {
		mappingId: `m-${Math.random().toString(36).slice(2, 8)}`,
		mapping: MAPPING,
		source: { system: 'pipedrive', object: 'persons' },
		target: { system: 'jobber', object: 'clients' },
		matchKey: { source: 'email', target: 'emails[0].address', normalise: 'email' },
		...extra,
	};
}

/** Starts a Plan and reports whether it finished or started waiting for a lease, whichever comes first. */
function startPlan(cfg: LedgerConfig, source: LedgerRecord[], store: SyncStore) {
	const waits: PairLease[] = [];
	let onWait!: () => void;
	const waiting = new Promise<'waiting'>((resolve) => (onWait = () => resolve('waiting')));
	const done = plan(cfg, source, [], store, {
		onLeaseWait: (lease) => {
			waits.push(lease);
			onWait();
		},
	});
	const first = Promise.race([done.then(() => 'done' as const), waiting]);
	return { done, first, waits };
}

describe.each(backends())('pair leases on $name: two executions plan the same pair', ({ create }) => {
	let db: LedgerDb;
	let workerA: SyncStore;
	let workerB: SyncStore;
	let clock: StepClock;
	let crm: MemoryVendor;
	let fsm: MemoryVendor;
	let cfg: LedgerConfig;

	beforeAll(async () => {
		db = await create();
	});
	afterAll(async () => {
		await db.dispose();
	});
	beforeEach(async () => {
		// Two handles with their own connections: two n8n workers on one store.
		workerA = await db.open();
		workerB = await db.open();
		clock = new StepClock();
		crm = new MemoryVendor('pipedrive', 'persons', clock, 'p');
		fsm = new MemoryVendor('jobber', 'clients', clock, 'j');
		cfg = config();
		crm.put('p1', { first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com' });
		expect((await syncRound(cfg, workerA, crm, fsm)).writes).toBe(1);
	});
	afterEach(async () => {
		await workerA.close();
		await workerB.close();
	});

	/** v1 then v2 of the CRM record, as two webhook executions read them. */
	function twoVersions(): { v1: LedgerRecord; v2: LedgerRecord } {
		crm.edit('p1', { last_name: 'Lee-1' });
		const v1 = crm.envelope('p1');
		crm.edit('p1', { last_name: 'Lee-2', first_name: 'Anne' });
		const v2 = crm.envelope('p1');
		return { v1, v2 };
	}

	async function writeAndCommit(planned: PlanResult, store: SyncStore) {
		const outcomes = planned.toTarget.map((d) => fsm.apply(d));
		return commit(null, outcomes, store);
	}

	async function expectConverged() {
		const j1 = [...fsm.records.values()][0];
		expect(j1.fields).toMatchObject({ firstName: 'Anne', lastName: 'Lee-2' });
		const pair = await workerA.getPair(cfg.mappingId, 'source', 'p1');
		expect(pair!.sourceSnapshot).toMatchObject({ first_name: 'Anne', last_name: 'Lee-2' });
		expect(pair!.targetSnapshot).toMatchObject({ firstName: 'Anne', lastName: 'Lee-2' });
		// Nothing left to do: the older values never flow back to the CRM either.
		const again = await plan(cfg, crm.all(), fsm.all(), workerA);
		expect(again.toTarget).toEqual([]);
		expect(again.toSource).toEqual([]);
		expect(await workerA.listPairLeases(cfg.mappingId)).toEqual([]);
	}

	test('A plans v1, B plans v2 and waits for A; A commits; B then routes v2 (the target never ends on v1)', async () => {
		const { v1, v2 } = twoVersions();
		const a = await plan(cfg, [v1], [], workerA);
		expect(a.toTarget.map((d) => d.fields)).toEqual([{ lastName: 'Lee-1' }]);

		const b = startPlan(cfg, [v2], workerB);
		if ((await b.first) === 'done') {
			// B did not wait: its write may land before A's, which is what happens here.
			await writeAndCommit(await b.done, workerB);
			await writeAndCommit(a, workerA);
		} else {
			expect(a.toTarget[0].sync.lease?.token).toEqual(expect.any(String));
			expect((await workerA.listPairLeases(cfg.mappingId)).map((l) => [l.sourceId, l.token])).toEqual([['p1', a.toTarget[0].sync.lease!.token]]);
			expect(b.waits[0]).toMatchObject({ sourceId: 'p1', token: a.toTarget[0].sync.lease!.token });
			const committed = await writeAndCommit(a, workerA);
			expect(committed.results[0]).toMatchObject({ ok: true, status: 'updated' });
			const planned = await b.done;
			// Planned against the snapshot A stored: only what v2 changes on top of v1.
			expect(planned.toTarget.map((d) => d.fields)).toEqual([{ firstName: 'Anne', lastName: 'Lee-2' }]);
			expect(planned.toTarget[0].sync.lease?.note).toMatch(/waited for its lease/);
			expect(planned.toTarget[0].sync.pairVersion).toBe(committed.results[0].ok ? committed.results[0].pair!.version : -1);
			await writeAndCommit(planned, workerB);
		}
		await expectConverged();
	});

	test('B plans v2 first; A plans the older v1 and waits; after B commits, A comes out Unchanged (stale)', async () => {
		const { v1, v2 } = twoVersions();
		const b = await plan(cfg, [v2], [], workerB);
		expect(b.toTarget.map((d) => d.fields)).toEqual([{ firstName: 'Anne', lastName: 'Lee-2' }]);

		const a = startPlan(cfg, [v1], workerA);
		if ((await a.first) === 'done') {
			await writeAndCommit(b, workerB);
			await writeAndCommit(await a.done, workerA);
		} else {
			await writeAndCommit(b, workerB);
			const planned = await a.done;
			expect(planned.toTarget).toEqual([]);
			expect(planned.unchanged.map((u) => u.reason)).toEqual(['stale']);
			expect(planned.summary.stale).toBe(1);
			// A writes nothing, so its lease ended with its Plan.
			expect(await workerA.listPairLeases(cfg.mappingId)).toEqual([]);
			await writeAndCommit(planned, workerA);
		}
		await expectConverged();
	});

	test('a dry run takes no lease and does not wait for one', async () => {
		const { v1, v2 } = twoVersions();
		const dry = await plan({ ...cfg, dryRun: true }, [v1], [], workerA);
		expect(dry.toTarget).toHaveLength(1);
		expect(dry.toTarget[0].sync.lease).toBeUndefined();
		expect(await workerA.listPairLeases(cfg.mappingId)).toEqual([]);

		const real = await plan(cfg, [v1], [], workerA);
		const before = await workerA.listPairLeases(cfg.mappingId);
		expect(before).toHaveLength(1);
		const waits: PairLease[] = [];
		const started = Date.now();
		const dryB = await plan({ ...cfg, dryRun: true }, [v2], [], workerB, { onLeaseWait: (l) => waits.push(l) });
		expect(Date.now() - started).toBeLessThan(2000);
		expect(waits).toEqual([]);
		expect(dryB.toTarget).toHaveLength(1);
		expect(await workerA.listPairLeases(cfg.mappingId)).toEqual(before);
		await writeAndCommit(real, workerA);
		expect(await workerA.listPairLeases(cfg.mappingId)).toEqual([]);
	});

	test('a holder that crashed (never commits) delays the next Plan by the wait bound, which takes its lease over', async () => {
		const { v1, v2 } = twoVersions();
		const crashed = await plan(cfg, [v1], [], workerA);
		expect(crashed.toTarget).toHaveLength(1);
		// …and the execution dies before its vendor write: the lease stays (120 s by default).
		const started = Date.now();
		const b = await plan({ ...cfg, lease: { waitSeconds: 0.4 } }, [v2], [], workerB);
		const took = Date.now() - started;
		expect(took).toBeGreaterThanOrEqual(400);
		expect(took).toBeLessThan(5000);
		expect(b.toTarget.map((d) => d.fields)).toEqual([{ firstName: 'Anne', lastName: 'Lee-2' }]);
		expect(b.toTarget[0].sync.lease?.note).toMatch(/did not commit within 0.4 s .*took the lease over/);
		expect((await workerB.listPairLeases(cfg.mappingId)).map((l) => l.token)).toEqual([b.toTarget[0].sync.lease!.token]);
		// The crashed execution's token can no longer release the lease it lost.
		expect(await workerA.releasePairLeases(cfg.mappingId, crashed.toTarget[0].sync.lease!.token)).toBe(0);
		await writeAndCommit(b, workerB);
		await expectConverged();
	});

	test('a lease whose time to live ran out is taken without waiting for the bound', async () => {
		const { v1, v2 } = twoVersions();
		await plan({ ...cfg, lease: { ttlSeconds: 1 } }, [v1], [], workerA);
		const started = Date.now();
		const b = await plan(cfg, [v2], [], workerB);
		const took = Date.now() - started;
		expect(took).toBeGreaterThanOrEqual(500);
		expect(took).toBeLessThan(10_000);
		expect(b.toTarget[0].sync.lease?.note).toMatch(/waited for its lease/);
		await writeAndCommit(b, workerB);
		await expectConverged();
	});

	test('Commit releases the lease of a write that failed for certain; a write that may still land keeps it', async () => {
		const { v1 } = twoVersions();
		let planned = await plan(cfg, [v1], [], workerA);
		fsm.failNext = 1;
		fsm.failRetryable = false;
		await writeAndCommit(planned, workerA);
		expect(await workerA.listPairLeases(cfg.mappingId)).toEqual([]);

		planned = await plan(cfg, [v1], [], workerA);
		fsm.failNext = 1;
		fsm.failRetryable = true;
		const res = await writeAndCommit(planned, workerA);
		expect(res.results[0]).toMatchObject({ ok: false, reason: 'write_failed' });
		expect((await workerA.listPairLeases(cfg.mappingId)).map((l) => l.token)).toEqual([planned.toTarget[0].sync.lease!.token]);
		await workerA.releasePairLeases(cfg.mappingId, planned.toTarget[0].sync.lease!.token);
	});

	test('pairs that end Unchanged release their lease with the Plan; an unlinked pair found after the wait is paired again', async () => {
		// Unchanged: nothing is leased at all.
		const unchanged = await plan(cfg, crm.all(), fsm.all(), workerA);
		expect(unchanged.unchanged.map((u) => u.reason)).toEqual(['unchanged']);
		expect(await workerA.listPairLeases(cfg.mappingId)).toEqual([]);

		// A holds the pair; meanwhile someone unlinks it; B waits, then finds no pair and pairs by the match key.
		const { v1, v2 } = twoVersions();
		const a = await plan(cfg, [v1], [], workerA);
		const b = startPlan(cfg, [v2], workerB);
		expect(await b.first).toBe('waiting');
		await workerA.unlinkPair(cfg.mappingId, 'source', 'p1');
		await workerA.releasePairLeases(cfg.mappingId, a.toTarget[0].sync.lease!.token);
		const planned = await b.done;
		// Unpaired now and the target is not in the batch: a create, as an upsert by e-mail would find j1.
		expect(planned.toTarget.map((d) => d.action)).toEqual(['create']);
		expect(planned.toTarget[0].sync.lease).toBeUndefined();
		expect(await workerB.listPairLeases(cfg.mappingId)).toEqual([]);
	});
});
