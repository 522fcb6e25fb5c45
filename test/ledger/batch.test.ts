/**
 * Plan and Commit of 10,000 records cost a bounded number of store statements and transactions, on both backends:
 * creates (an intent each, completed with its pair), updates (leased pairs, snapshots), deletes (unlinks) and the
 * refusals of a vendor (abandoned intents) are written a batch at a time, never a transaction per record. The
 * outcomes are those of the one-by-one store calls: every pair stored, no intent left open, every lease released,
 * and the next Plan sees the vendor's echo as Unchanged.
 */
import { commit, plan, type LedgerConfig, type LedgerRecord, type WriteDecision, type WriteOutcome } from '../../sync/ledger';
import { getPreset } from '../../sync/mapping';
import type { SqlStore, SyncStore } from '../../sync/store';
import { countStatements } from '../store/harness';
import { backends, type LedgerDb } from './support';

const N = 10_000;
/**
 * Store operations (transactions) and statements allowed for a Plan or Commit of N records: a few per 1,000 (a
 * Commit of 10,000 creates is 5 operations and 24 statements; one by one it was 10,000 transactions).
 */
const MAX_OPERATIONS = 20;
const MAX_STATEMENTS = 5 * Math.ceil(N / 1000);

const preset = getPreset('salesforce_contact_hubspot_contact');
const config: LedgerConfig = {
	mappingId: 'batch',
	mapping: preset.mapping,
	source: preset.source,
	target: preset.target,
	matchKey: { source: 'Email', target: 'email', normalise: 'email' },
};

const at = (minute: number) => new Date(Date.UTC(2025, 5, 1, 0, minute)).toISOString();
const id = (i: number) => String(i).padStart(5, '0');
function hubspot(i: number, first = `First${i}`, minute = 0): LedgerRecord {
	return { system: 'hubspot', object: 'contacts', id: `H${id(i)}`, updatedAt: at(minute), fields: { firstname: first, lastname: `Last${i}`, email: `person${i}@example.com` } };
}

/** The vendor's answer to each write, as a connector gives it (the written record, created ids for creates). */
function written(decisions: readonly WriteDecision[], minute: number): WriteOutcome[] {
	return decisions.map((d) => ({
		sync: d.sync,
		ok: true,
		id: d.targetId ?? `S${d.sync.target!.id.slice(1)}`,
		updatedAt: at(minute),
		fields: d.fields,
	}));
}

/** Salesforce's echo of what was written: the records as they now are on the source side. */
function echo(decisions: readonly WriteDecision[], minute: number): LedgerRecord[] {
	return decisions.map((d) => ({ system: 'salesforce', object: 'Contact', id: d.targetId ?? `S${d.sync.target!.id.slice(1)}`, updatedAt: at(minute), fields: d.fields }));
}

describe.each(backends())('Plan and Commit of 10,000 records: $name', ({ create }) => {
	let db: LedgerDb;
	let store: SyncStore;
	let counter: ReturnType<typeof countStatements>;

	beforeAll(async () => {
		db = await create();
		store = await db.open();
		counter = countStatements(store as SqlStore);
	}, 60_000);
	afterAll(async () => {
		await store.close();
		await db.dispose();
	});

	const bounded = () => {
		expect(counter.operations).toBeLessThanOrEqual(MAX_OPERATIONS);
		expect(counter.statements).toBeLessThanOrEqual(MAX_STATEMENTS);
		counter.reset();
	};

	test('creates: intents begun and completed with their pairs a batch at a time; the echo is Unchanged', async () => {
		const records = Array.from({ length: N }, (_, i) => hubspot(i));
		counter.reset();
		const planned = await plan(config, [], records, store, { runId: 'run-1' });
		expect(planned.toSource).toHaveLength(N);
		expect(planned.toSource.every((d) => d.action === 'create' && d.sync.intent && !d.sync.intent.resumed)).toBe(true);
		expect(new Set(planned.toSource.map((d) => d.sync.intent!.key)).size).toBe(N);
		bounded();

		const res = await commit(null, written(planned.toSource, 1), store, { runId: 'run-1' });
		expect(res.counts).toMatchObject({ committed: N, created: N, failed: 0 });
		expect(res.results.every((r) => r.ok && r.status === 'paired' && r.pair?.version === 1)).toBe(true);
		bounded();

		expect((await store.pairStats(config.mappingId)).pairs).toBe(N);
		expect(await store.openIntents(config.mappingId)).toEqual([]);
		expect(await store.getRun('run-1')).toMatchObject({ status: 'completed', counts: { created: N, fetched: N } });
		const again = await plan(config, echo(planned.toSource, 1), records, store);
		expect(again.toSource.length + again.toTarget.length).toBe(0);
		expect(again.unchanged).toHaveLength(N);
		counter.reset();
	}, 120_000);

	test('updates: leased pairs and their snapshots a batch at a time; every lease released', async () => {
		const edited = Array.from({ length: N }, (_, i) => hubspot(i, `Edited${i}`, 2));
		counter.reset();
		const planned = await plan(config, [], edited, store);
		expect(planned.toSource).toHaveLength(N);
		expect(planned.toSource.every((d) => d.action === 'update' && d.sync.lease?.token)).toBe(true);
		bounded();

		const res = await commit(null, written(planned.toSource, 3), store);
		expect(res.counts).toMatchObject({ committed: N, updated: N, failed: 0 });
		expect(res.results.every((r) => r.ok && r.status === 'updated' && r.pair?.version === 2)).toBe(true);
		bounded();

		expect(await store.listPairLeases(config.mappingId)).toEqual([]);
		const pair = await store.getPair(config.mappingId, 'target', 'H00042');
		expect(pair?.sourceSnapshot).toMatchObject({ FirstName: 'Edited42' });
	}, 120_000);

	test('refused creates abandon their intents, failed writes commit nothing; deletes unlink a batch at a time', async () => {
		const fresh = Array.from({ length: N }, (_, i) => hubspot(N + i));
		const planned = await plan(config, [], fresh, store);
		counter.reset();
		const refused: WriteOutcome[] = planned.toSource.map((d, i) => ({
			sync: d.sync,
			ok: false,
			error: { failed: true, errors: [{ code: 'INVALID_FORMAT', retryable: i % 2 === 0 ? false : true }] },
		}));
		const res = await commit(null, refused, store);
		expect(res.counts).toMatchObject({ committed: 0, failed: N });
		bounded();
		// Refused for good: abandoned; a retryable failure may still have happened: its intent stays open.
		expect((await store.openIntents(config.mappingId, { limit: 1000 })).length).toBe(1000);
		expect(await store.getIntent(planned.toSource[0].sync.intent!.key)).toMatchObject({ status: 'abandoned' });
		expect(await store.getIntent(planned.toSource[1].sync.intent!.key)).toMatchObject({ status: 'open' });
		expect((await store.pairStats(config.mappingId)).pairs).toBe(N);

		const deleted = Array.from({ length: N }, (_, i) => ({ ...hubspot(i, `Edited${i}`, 4), deleted: true }));
		const deletes = await plan({ ...config, deletes: 'delete' }, [], deleted, store);
		expect(deletes.toSource.every((d) => d.action === 'delete')).toBe(true);
		counter.reset();
		const gone = await commit(
			null,
			deletes.toSource.map((d) => ({ sync: d.sync, ok: true, id: d.targetId })),
			store,
		);
		expect(gone.counts).toMatchObject({ committed: N, deleted: N });
		expect(gone.results.every((r) => r.ok && r.status === 'unlinked')).toBe(true);
		bounded();
		expect((await store.pairStats(config.mappingId)).pairs).toBe(0);
		expect(await store.listPairLeases(config.mappingId)).toEqual([]);
	}, 120_000);
});
