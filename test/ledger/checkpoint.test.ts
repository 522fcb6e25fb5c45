/**
 * Incremental two-way rounds that never lose a change (issue 8): Get Checkpoints → incremental reads from the
 * confirmed checkpoints → Plan records what the reads reached as pending → writes → Commit. A pending checkpoint is
 * confirmed only when its run finished every write, so a run killed after Plan (or between the vendor writes and
 * Commit) leaves the older checkpoint in place and the next run reads the overlap again: no change is skipped.
 *
 * The vendors are in memory with their own clock; their incremental read is inclusive (`updatedAt >= since`), as the
 * vendor nodes' Since is, and each read's checkpoint is the newest modification it returned (none: no checkpoint).
 */
import { commit, forget, getCheckpoints, newestCheckpoint, plan, workKey, type LedgerConfig, type LedgerRecord, type WriteOutcome } from '../../sync/ledger';
import { getPreset } from '../../sync/mapping';
import type { SyncStore } from '../../sync/store';
import { backends, MemoryVendor, StepClock, type LedgerDb } from './support';

const M = 'sf-hs-incremental';

function config(extra: Partial<LedgerConfig> = {}): LedgerConfig {
	// A run that died holds its pair leases until they expire; the next run takes them over after the wait (none here).
	const lease = { waitSeconds: 0 };
	const preset = getPreset('salesforce_contact_hubspot_contact');
	return { mappingId: M, mapping: preset.mapping, source: preset.source, target: preset.target, matchKey: { source: 'Email', target: 'email', normalise: 'email' }, lease, ...extra };
}

/** The vendor's incremental read: records modified at or after `since` (everything when empty), and its checkpoint. */
function read(vendor: MemoryVendor, since: string): { records: LedgerRecord[]; checkpoint: string | null } {
	const from = since ? Date.parse(since) : -Infinity;
	const records = vendor.all().filter((r) => Date.parse(r.updatedAt as string) >= from);
	return { records, checkpoint: newestCheckpoint(records.map((r) => r.updatedAt)) };
}

/** How far the run got: everything, killed after Plan, killed between the vendor writes and Commit, half way through Commit. */
type CommitMode = 'all' | 'plan-only' | 'written' | 'first-half';

interface Round {
	since: { source: string; target: string };
	read: { source: string[]; target: string[] };
	writes: number;
	failed: number;
}

/** One scheduled run of the template, in the ledger's terms; `commit` says how far it got before "n8n died". */
async function round(store: SyncStore, sf: MemoryVendor, hs: MemoryVendor, runId: string, mode: CommitMode = 'all', cfg = config()): Promise<Round> {
	const since = await getCheckpoints(M, store);
	const s = read(sf, since.source);
	const t = read(hs, since.target);
	const planned = await plan(cfg, s.records, t.records, store, { runId, checkpoints: { source: s.checkpoint, target: t.checkpoint } });
	const outcomes: WriteOutcome[] = [];
	if (mode !== 'plan-only') {
		for (const d of planned.toTarget) outcomes.push(hs.apply(d));
		for (const d of planned.toSource) outcomes.push(sf.apply(d));
	}
	if (mode === 'all') await commit(null, outcomes, store, { runId });
	if (mode === 'first-half') await commit(null, outcomes.slice(0, Math.ceil(outcomes.length / 2)), store, { runId });
	return {
		since: { source: since.source, target: since.target },
		read: { source: s.records.map((r) => String(r.id)), target: t.records.map((r) => String(r.id)) },
		writes: outcomes.filter((o) => o.ok).length,
		failed: outcomes.filter((o) => !o.ok).length,
	};
}

function seed(sf: MemoryVendor, hs: MemoryVendor): void {
	for (let i = 1; i <= 12; i++) sf.put(`sf${i}`, { FirstName: `Ann${i}`, LastName: `Lee${i}`, Email: `p${i}@example.com` });
	for (let i = 8; i <= 20; i++) hs.put(`hs${i}`, { firstname: `Ann${i}`, lastname: `Lee${i}`, email: `p${i}@example.com` });
}

const byEmail = (v: MemoryVendor, field: string, email: string) => [...v.records.values()].find((r) => r.fields[field] === email)!;

describe('newestCheckpoint / workKey', () => {
	test('the newest of the items’ checkpoints; tokens by the time they carry; none without one', () => {
		const token = (iso: string) => 'pdc1.' + Buffer.from(JSON.stringify({ c: iso, s: [] })).toString('base64url');
		expect(newestCheckpoint(['2025-03-01T10:00:00Z', '2025-03-01T10:00:02Z', null, '', '2025-03-01T10:00:01Z'])).toBe('2025-03-01T10:00:02Z');
		expect(newestCheckpoint([token('2025-03-01T09:00:00Z'), token('2025-03-01T11:00:00Z')])).toBe(token('2025-03-01T11:00:00Z'));
		expect(newestCheckpoint([undefined, null, 3])).toBeNull();
		expect(newestCheckpoint(['opaque'])).toBe('opaque');
	});

	test('a write is keyed by its direction and both record ids', () => {
		expect(workKey({ direction: 'to_target', source: { system: 's', object: 'o', id: '1' }, target: null })).toBe('to_target|1|');
		expect(workKey({ direction: 'to_source', source: { system: 's', object: 'o', id: '1' }, target: { system: 't', object: 'o', id: '9' } })).toBe('to_source|1|9');
	});
});

describe.each(backends())('incremental rounds with checkpoints: $name', ({ create }) => {
	let db: LedgerDb;
	let store: SyncStore;
	let clock: StepClock;
	let sf: MemoryVendor;
	let hs: MemoryVendor;

	beforeEach(async () => {
		db = await create();
		store = await db.open();
		clock = new StepClock();
		sf = new MemoryVendor('salesforce', 'Contact', clock, '003');
		hs = new MemoryVendor('hubspot', 'contacts', clock, '9');
		seed(sf, hs);
	});
	afterEach(async () => {
		await store.close();
		await db.dispose();
	});

	/** Two rounds: the pairing run, then the one that reads its echoes back; afterwards nothing is left to do. */
	async function settle(): Promise<void> {
		const first = await round(store, sf, hs, 'run-1');
		expect(first.since).toEqual({ source: '', target: '' });
		expect(first.read.source).toHaveLength(12);
		expect(first.read.target).toHaveLength(13);
		expect(first.writes).toBe(7 + 8);
		const second = await round(store, sf, hs, 'run-2');
		expect(second.writes).toBe(0);
	}

	test('the next round reads only what changed since the confirmed checkpoint (its own second included) and syncs it', async () => {
		await settle();
		const before = await getCheckpoints(M, store);
		expect(before.source).not.toBe('');
		expect(before.promoted).toEqual(['run-2']);
		sf.edit('sf3', { FirstName: 'Changed-in-SF' });
		hs.edit('hs15', { firstname: 'Changed-in-HS' });
		const r = await round(store, sf, hs, 'run-3');
		// Only the edits, plus what sits exactly at the checkpoint (Since is inclusive): never the whole account.
		const atCheckpoint = (v: MemoryVendor, cp: string) => [...v.records.values()].filter((x) => x.updatedAt === cp).map((x) => x.id);
		expect(r.read.source.sort()).toEqual(['sf3', ...atCheckpoint(sf, before.source)].sort());
		expect(r.read.target.sort()).toEqual(['hs15', ...atCheckpoint(hs, before.target)].sort());
		expect(r.writes).toBe(2);
		expect(byEmail(hs, 'email', 'p3@example.com').fields.firstname).toBe('Changed-in-SF');
		expect(byEmail(sf, 'Email', 'p15@example.com').fields.FirstName).toBe('Changed-in-HS');
	});

	test('killed after Plan: the old checkpoint stays, the next round re-reads the change and syncs it; then the new one is confirmed', async () => {
		await settle();
		const confirmed = await getCheckpoints(M, store);
		sf.edit('sf5', { LastName: 'Crash-SF' });
		hs.edit('hs18', { lastname: 'Crash-HS' });

		// Plan ran, n8n was killed before any write.
		const crashed = await round(store, sf, hs, 'crashed', 'plan-only');
		expect(crashed.read.source).toContain('sf5');
		let next = await getCheckpoints(M, store);
		expect({ source: next.source, target: next.target }).toEqual({ source: confirmed.source, target: confirmed.target });
		expect(next.pending).toEqual([expect.objectContaining({ runId: 'crashed', openWrites: 2 })]);

		// The next run reads from the old checkpoint again, so the changes are read and written.
		const recovery = await round(store, sf, hs, 'recovery');
		expect(recovery.since).toEqual({ source: confirmed.source, target: confirmed.target });
		expect(recovery.read.source).toContain('sf5');
		expect(recovery.read.target).toContain('hs18');
		expect(recovery.writes).toBe(2);
		expect(byEmail(hs, 'email', 'p5@example.com').fields.lastname).toBe('Crash-SF');
		expect(byEmail(sf, 'Email', 'p18@example.com').fields.LastName).toBe('Crash-HS');

		// Every write of the recovery run is committed: its checkpoints are confirmed, past the crashed run's.
		next = await getCheckpoints(M, store);
		expect(next.promoted).toEqual(['recovery']);
		expect(Date.parse(next.source)).toBeGreaterThan(Date.parse(confirmed.source));
		expect(Date.parse(next.target)).toBeGreaterThan(Date.parse(confirmed.target));
		expect(next.pending).toEqual([]);
	});

	test('killed between the vendor writes and Commit, or half way through Commit: not confirmed; a round that commits all is', async () => {
		await settle();
		const confirmed = await getCheckpoints(M, store);
		sf.edit('sf1', { FirstName: 'W1' });
		hs.edit('hs20', { firstname: 'W2' });
		const wrote = await round(store, sf, hs, 'wrote', 'written');
		expect(wrote.writes).toBe(2);
		expect((await getCheckpoints(M, store)).source).toBe(confirmed.source);

		sf.edit('sf2', { FirstName: 'W3' });
		sf.edit('sf3', { FirstName: 'W4' });
		hs.edit('hs9', { firstname: 'W5' });
		hs.edit('hs10', { firstname: 'W6' });
		const half = await round(store, sf, hs, 'half', 'first-half');
		// The first run's writes reached the vendors: read back, both sides agree, nothing to write for them.
		expect(half.read.source).toEqual(expect.arrayContaining(['sf1', 'sf2', 'sf3']));
		expect(half.writes).toBe(4);
		const after = await getCheckpoints(M, store);
		expect({ source: after.source, target: after.target }).toEqual({ source: confirmed.source, target: confirmed.target });
		expect(after.pending.map((p) => [p.runId, p.openWrites])).toEqual([
			['wrote', 2],
			['half', 2],
		]);

		// The next run reads from the old checkpoint again; once it commits everything, the checkpoint moves on.
		const all = await round(store, sf, hs, 'all');
		expect(all.since).toEqual({ source: confirmed.source, target: confirmed.target });
		expect(all.read.source).toEqual(expect.arrayContaining(['sf1', 'sf2', 'sf3']));
		const done = await getCheckpoints(M, store);
		expect(done.promoted).toEqual(['all']);
		expect(done.pending).toEqual([]);
		expect(Date.parse(done.source)).toBeGreaterThan(Date.parse(confirmed.source));
		for (const [email, name] of [
			['p1@example.com', 'W1'],
			['p2@example.com', 'W3'],
			['p3@example.com', 'W4'],
		]) {
			expect(byEmail(hs, 'email', email).fields.firstname).toBe(name);
		}
		for (const [email, name] of [
			['p20@example.com', 'W2'],
			['p9@example.com', 'W5'],
			['p10@example.com', 'W6'],
		]) {
			expect(byEmail(sf, 'Email', email).fields.FirstName).toBe(name);
		}
		// Nothing is left over: a further round reads only its own echoes and writes nothing.
		expect((await round(store, sf, hs, 'quiet')).writes).toBe(0);
	});

	test('failed writes count as finished (they are parked for review); their run is confirmed', async () => {
		await settle();
		sf.edit('sf4', { FirstName: 'Refused' });
		hs.failNext = 1;
		const r = await round(store, sf, hs, 'with-failure');
		expect(r.failed).toBe(1);
		expect((await getCheckpoints(M, store)).promoted).toEqual(['with-failure']);
	});

	test('a record stamped in the checkpoint’s own second after the read is read by the next round', async () => {
		await settle();
		const cp = await getCheckpoints(M, store);
		// Someone edits sf6 and the vendor stamps it with the checkpoint's time (whole-second vendors do).
		const rec = sf.records.get('sf6')!;
		rec.fields.FirstName = 'Same-Second';
		rec.updatedAt = cp.source;
		const r = await round(store, sf, hs, 'same-second');
		expect(r.read.source).toContain('sf6');
		expect(byEmail(hs, 'email', 'p6@example.com').fields.firstname).toBe('Same-Second');
	});

	test('a dry run records nothing; a full re-sync reads everything and keeps the checkpoints; forget resets them', async () => {
		await settle();
		const cp = await getCheckpoints(M, store);
		sf.edit('sf7', { FirstName: 'Dry' });
		await round(store, sf, hs, 'dry', 'all', config({ dryRun: true }));
		const after = await getCheckpoints(M, store);
		expect(after.source).toBe(cp.source);
		expect(after.pending).toEqual([]);

		const full = await getCheckpoints(M, store, { fullResync: true });
		expect(full).toMatchObject({ source: '', target: '', fullResync: true });
		expect((await getCheckpoints(M, store)).source).toBe(cp.source);

		await forget(M, store);
		expect(await getCheckpoints(M, store)).toMatchObject({ source: '', target: '', pending: [] });
	});

	test('without a run id or a checkpoint nothing is recorded and the decisions carry no run', async () => {
		const planned = await plan(config(), sf.all(), hs.all(), store, { checkpoints: { source: '2025-03-01T10:00:00Z' } });
		expect(planned.toTarget[0].sync.run).toBeUndefined();
		const none = await plan(config(), sf.all(), hs.all(), store, { runId: 'r' });
		expect(none.toTarget[0].sync.run).toBeUndefined();
		expect((await getCheckpoints(M, store)).pending).toEqual([]);
		const tagged = await plan(config(), sf.all(), hs.all(), store, { runId: 'r2', checkpoints: { target: '2025-03-01T10:00:00Z' } });
		expect(tagged.toTarget.every((d) => d.sync.run === 'r2')).toBe(true);
	});
});
