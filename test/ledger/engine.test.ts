/**
 * The ledger engine on both store backends: routing, echo suppression, out-of-order events, field-level merge,
 * every conflict strategy, per-field direction, first pairing, deletes, dry run, crash safety and concurrency.
 */
import { commit, plan, type LedgerConfig, type LedgerRecord } from '../../sync/ledger';
import type { MappingSpec } from '../../sync/mapping';
import type { SyncStore } from '../../sync/store';
import { backends, MemoryVendor, StepClock, syncRound, type LedgerDb } from './support';

const MAPPING: MappingSpec = {
	name: 'CRM person ⇄ FSM client',
	direction: 'bidirectional',
	pairs: [
		{ source: 'first_name', target: 'firstName', transform: 'trim' },
		{ source: 'last_name', target: 'lastName', transform: 'trim' },
		{ source: 'email', target: 'emails[0].address', transform: 'email_validate' },
		{ source: 'phone', target: 'phones[0].number', transform: 'phone_e164(defaultCountry=US)' },
		{ source: 'notes', target: 'internalNotes', direction: 'source_only' },
		{ source: 'tag', target: 'label', direction: 'target_only' },
	],
};

const ann = { first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com', phone: '(217) 555-0143', notes: 'VIP' };

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

/** Everything the store holds for a mapping, to show that a dry run leaves it as it was. */
async function dump(store: SyncStore, mappingId: string) {
	return {
		pairs: (await store.listPairs(mappingId, { limit: 1000 })).items,
		intents: await store.openIntents(mappingId),
		stats: await store.pairStats(mappingId),
		runs: await store.runTotals({ mappingId }),
	};
}

describe.each(backends())('ledger engine on $name', ({ create }) => {
	let db: LedgerDb;
	let store: SyncStore;
	let clock: StepClock;
	let crm: MemoryVendor;
	let fsm: MemoryVendor;

	beforeAll(async () => {
		db = await create();
	});
	afterAll(async () => {
		await db.dispose();
	});
	beforeEach(async () => {
		store = await db.open();
		clock = new StepClock();
		crm = new MemoryVendor('pipedrive', 'persons', clock, 'p');
		fsm = new MemoryVendor('jobber', 'clients', clock, 'j');
	});
	afterEach(async () => {
		await store.close();
	});

	/** Syncs a fresh pair Ann ⇄ j1 and returns the config. */
	async function paired(extra: Partial<LedgerConfig> = {}): Promise<LedgerConfig> {
		const cfg = config(extra);
		crm.put('p1', ann);
		const r = await syncRound(cfg, store, crm, fsm);
		expect(r.writes).toBe(1);
		return cfg;
	}

	test('a new source record is created in the target with the whole mapped record, a match key and an intent; Commit pairs it', async () => {
		const cfg = config();
		crm.put('p1', ann);
		const planned = await plan(cfg, crm.all(), [], store);
		expect(planned.toTarget).toHaveLength(1);
		const [d] = planned.toTarget;
		expect(d).toMatchObject({
			action: 'create',
			direction: 'to_target',
			system: 'jobber',
			object: 'clients',
			targetId: null,
			upsert: false,
			matchKey: { field: 'emails[0].address', value: 'ann@example.com', normalise: 'email' },
			fields: { firstName: 'Ann', lastName: 'Lee', emails: [{ address: 'ann@example.com' }], phones: [{ number: '+12175550143' }], internalNotes: 'VIP' },
		});
		expect(d.sync.intent?.resumed).toBe(false);
		expect(await store.openIntents(cfg.mappingId)).toHaveLength(1);
		expect(planned.summary.create.to_target).toBe(1);

		const outcome = fsm.apply(d);
		const committed = await commit(null, [outcome], store);
		expect(committed.results[0]).toMatchObject({ ok: true, status: 'paired' });
		const pair = await store.getPair(cfg.mappingId, 'source', 'p1');
		expect(pair).toMatchObject({ target: { system: 'jobber', object: 'clients', id: outcome.id }, targetUpdatedAt: outcome.updatedAt });
		expect(pair!.sourceSnapshot).toEqual({ first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com', phone: '(217) 555-0143', notes: 'VIP' });
		expect(await store.openIntents(cfg.mappingId)).toHaveLength(0);
	});

	test('echo suppression: the vendor echo of our own write is Unchanged and never syncs back', async () => {
		const cfg = await paired();
		// The create's echo (a webhook with the record as written).
		let planned = await plan(cfg, [], fsm.all(), store);
		expect(planned.toSource).toHaveLength(0);
		expect(planned.toTarget).toHaveLength(0);
		expect(planned.unchanged.map((u) => u.reason)).toEqual(['unchanged']);

		// An edit flows over; its echo in the target comes back unchanged, and so does the source record.
		crm.edit('p1', { last_name: 'Lee-Smith' });
		const round = await syncRound(cfg, store, crm, fsm);
		expect(round.planned.toTarget.map((d) => d.fields)).toEqual([{ lastName: 'Lee-Smith' }]);
		planned = await plan(cfg, crm.all(), fsm.all(), store);
		expect(planned.toTarget).toHaveLength(0);
		expect(planned.toSource).toHaveLength(0);
		expect(planned.summary.unchanged).toBe(1);
		// Quiet rounds write nothing.
		for (let i = 0; i < 3; i++) expect((await syncRound(cfg, store, crm, fsm)).writes).toBe(0);
	});

	test('an update carries only the changed fields, the target id and the pair version', async () => {
		const cfg = await paired();
		const pair = await store.getPair(cfg.mappingId, 'source', 'p1');
		crm.edit('p1', { phone: '217.555.0199', notes: 'VIP, gate code 1234' });
		const planned = await plan(cfg, [crm.envelope('p1')], [], store);
		expect(planned.toTarget).toHaveLength(1);
		expect(planned.toTarget[0]).toMatchObject({
			action: 'update',
			targetId: pair!.target.id,
			fields: { phones: [{ number: '+12175550199' }], internalNotes: 'VIP, gate code 1234' },
			sync: { pairVersion: pair!.version, source: pair!.source, target: pair!.target },
		});
	});

	test('a partial record (webhook with some fields) never clears the fields it lacks', async () => {
		const cfg = await paired();
		const partial: LedgerRecord = { system: 'pipedrive', object: 'persons', id: 'p1', updatedAt: clock.now(), fields: { first_name: 'Annie' } };
		const planned = await plan(cfg, [partial], [], store);
		expect(planned.toTarget.map((d) => d.fields)).toEqual([{ firstName: 'Annie' }]);
	});

	test('out-of-order events: an older copy is stale and ignored; an equal timestamp with new values is still synced', async () => {
		const cfg = await paired();
		const old = crm.envelope('p1');
		crm.edit('p1', { first_name: 'Anna' });
		await syncRound(cfg, store, crm, fsm);
		// The webhook of an earlier state arrives late, with values that differ from the snapshot.
		const stale = { ...old, fields: { ...old.fields, first_name: 'Ann-old' } };
		let planned = await plan(cfg, [stale], [], store);
		expect(planned.toTarget).toHaveLength(0);
		expect(planned.unchanged.map((u) => u.reason)).toEqual(['stale']);
		expect(planned.summary.stale).toBe(1);
		// Same second, different value (vendors with second precision): processed.
		const same = crm.envelope('p1');
		planned = await plan(cfg, [{ ...same, fields: { ...same.fields, first_name: 'Anne' } }], [], store);
		expect(planned.toTarget.map((d) => d.fields)).toEqual([{ firstName: 'Anne' }]);
	});

	test('field-level merge: disjoint edits on both sides flow to the other side, and the pair then rests', async () => {
		const cfg = await paired();
		crm.edit('p1', { first_name: 'Annie' });
		fsm.edit([...fsm.records.keys()][0], { lastName: 'Lee-Park' });
		const round = await syncRound(cfg, store, crm, fsm);
		expect(round.planned.toTarget.map((d) => d.fields)).toEqual([{ firstName: 'Annie' }]);
		expect(round.planned.toSource.map((d) => d.fields)).toEqual([{ last_name: 'Lee-Park' }]);
		expect(round.planned.conflict).toHaveLength(0);
		expect(crm.records.get('p1')!.fields).toMatchObject({ first_name: 'Annie', last_name: 'Lee-Park' });
		expect([...fsm.records.values()][0].fields).toMatchObject({ firstName: 'Annie', lastName: 'Lee-Park' });
		expect((await syncRound(cfg, store, crm, fsm)).writes).toBe(0);
	});

	test('two writes of one plan committed separately both land (optimistic version, re-planned once)', async () => {
		const cfg = await paired();
		const jid = [...fsm.records.keys()][0];
		crm.edit('p1', { first_name: 'Annie' });
		fsm.edit(jid, { lastName: 'Lee-Park' });
		const planned = await plan(cfg, crm.all(), fsm.all(), store);
		const a = await commit(null, [fsm.apply(planned.toTarget[0])], store);
		const b = await commit(null, [crm.apply(planned.toSource[0])], store);
		expect(a.results[0]).toMatchObject({ ok: true, status: 'updated' });
		expect(b.results[0]).toMatchObject({ ok: true, status: 'updated' });
		const pair = await store.getPair(cfg.mappingId, 'source', 'p1');
		expect(pair!.sourceSnapshot).toMatchObject({ first_name: 'Annie', last_name: 'Lee-Park' });
		expect(pair!.targetSnapshot).toMatchObject({ firstName: 'Annie', lastName: 'Lee-Park' });
		expect((await syncRound(cfg, store, crm, fsm)).writes).toBe(0);
	});

	test('Commit re-plans once on a version mismatch: its fields land on the newer pair, a field the other run moved keeps theirs', async () => {
		const cfg = await paired();
		crm.edit('p1', { first_name: 'Annie', last_name: 'Lee-Park' });
		const planned = await plan(cfg, crm.all(), [], store);
		const outcome = fsm.apply(planned.toTarget[0]);
		let interfere = 1;
		// Another run commits this pair between Commit's read and its write (once): it stored lastName itself.
		const racing = new Proxy(store, {
			get(target, prop, receiver) {
				if (prop === 'updatePairs') {
					return async (...args: Parameters<SyncStore['updatePairs']>) => {
						if (interfere-- > 0) {
							const pair = (await target.getPair(cfg.mappingId, 'source', 'p1'))!;
							await target.updatePair(cfg.mappingId, 'source', 'p1', { targetSnapshot: { ...pair.targetSnapshot, lastName: 'Other-Run' } });
						}
						return target.updatePairs(...args);
					};
				}
				const value = Reflect.get(target, prop, receiver);
				return typeof value === 'function' ? value.bind(target) : value;
			},
		});
		const res = await commit(null, [outcome], racing);
		expect(res.results[0]).toMatchObject({ ok: true, status: 'updated' });
		const pair = (await store.getPair(cfg.mappingId, 'source', 'p1'))!;
		expect(pair.targetSnapshot).toMatchObject({ firstName: 'Annie', lastName: 'Other-Run' });
		expect(pair.sourceSnapshot).toMatchObject({ first_name: 'Annie', last_name: 'Lee-Park' });
		// The next Plan compares again: both sides hold Lee-Park, so nothing is written and the snapshot catches up.
		const next = await plan(cfg, crm.all(), fsm.all(), store);
		expect(next.toSource.length + next.toTarget.length).toBe(0);
		expect((await store.getPair(cfg.mappingId, 'source', 'p1'))!.targetSnapshot).toMatchObject({ lastName: 'Lee-Park' });
	});

	test('a pair that keeps changing under Commit is left for the next Plan (deferred), never overwritten blindly', async () => {
		const cfg = await paired();
		crm.edit('p1', { first_name: 'Annie' });
		const planned = await plan(cfg, crm.all(), [], store);
		const outcome = fsm.apply(planned.toTarget[0]);
		const racing = new Proxy(store, {
			get(target, prop, receiver) {
				if (prop === 'updatePairs' || prop === 'updatePair') {
					return async (...args: unknown[]) => {
						await target.updatePair(cfg.mappingId, 'source', 'p1', {});
						return (target[prop] as (...a: unknown[]) => unknown)(...args);
					};
				}
				const value = Reflect.get(target, prop, receiver);
				return typeof value === 'function' ? value.bind(target) : value;
			},
		});
		const res = await commit(null, [outcome], racing);
		expect(res.results[0]).toMatchObject({ ok: true, status: 'deferred' });
		expect(res.counts.deferred).toBe(1);
	});

	describe('conflicts: one field changed on both sides to different values', () => {
		async function bothEdit(cfg: LedgerConfig, order: 'source_first' | 'target_first' | 'same_time', extra: { source?: object; target?: object } = {}) {
			const jid = [...fsm.records.keys()][0];
			if (order === 'same_time') {
				const at = clock.now();
				crm.put('p1', { ...crm.records.get('p1')!.fields, first_name: 'Annie', ...extra.source }, at);
				fsm.put(jid, { ...fsm.records.get(jid)!.fields, firstName: 'Anna', ...extra.target }, at);
			} else if (order === 'source_first') {
				crm.edit('p1', { first_name: 'Annie', ...extra.source });
				fsm.edit(jid, { firstName: 'Anna', ...extra.target });
			} else {
				fsm.edit(jid, { firstName: 'Anna', ...extra.target });
				crm.edit('p1', { first_name: 'Annie', ...extra.source });
			}
			const round = await syncRound(cfg, store, crm, fsm);
			return { round, source: crm.records.get('p1')!.fields, target: fsm.records.get(jid)!.fields };
		}

		test('newest_wins: the side edited last wins the field', async () => {
			let cfg = await paired();
			let r = await bothEdit(cfg, 'source_first');
			expect(r.round.planned.toSource[0].conflicts).toEqual([
				expect.objectContaining({ field: 'firstName', sourceField: 'first_name', sourceValue: 'Annie', targetValue: 'Anna', baseValue: 'Ann', resolution: 'target', rule: 'newer' }),
			]);
			expect([r.source.first_name, r.target.firstName]).toEqual(['Anna', 'Anna']);

			crm.records.clear();
			fsm.records.clear();
			cfg = await paired();
			r = await bothEdit(cfg, 'target_first');
			expect(r.round.planned.toTarget[0].conflicts[0]).toMatchObject({ resolution: 'source', rule: 'newer' });
			expect([r.source.first_name, r.target.firstName]).toEqual(['Annie', 'Annie']);
		});

		test('newest_wins tie-break: equal timestamps go to the hub side (source by default, target when configured)', async () => {
			let cfg = await paired();
			let r = await bothEdit(cfg, 'same_time');
			expect(r.round.planned.toTarget[0].conflicts[0]).toMatchObject({ resolution: 'source', rule: 'tie_break' });
			expect([r.source.first_name, r.target.firstName]).toEqual(['Annie', 'Annie']);

			crm.records.clear();
			fsm.records.clear();
			cfg = await paired({ hub: 'target' });
			r = await bothEdit(cfg, 'same_time');
			expect(r.round.planned.toSource[0].conflicts[0]).toMatchObject({ resolution: 'target', rule: 'tie_break' });
			expect([r.source.first_name, r.target.firstName]).toEqual(['Anna', 'Anna']);
		});

		test('source_wins and target_wins ignore the timestamps', async () => {
			let cfg = await paired({ strategy: 'source_wins' });
			let r = await bothEdit(cfg, 'source_first');
			expect([r.source.first_name, r.target.firstName]).toEqual(['Annie', 'Annie']);
			crm.records.clear();
			fsm.records.clear();
			cfg = await paired({ strategy: 'target_wins' });
			r = await bothEdit(cfg, 'target_first');
			expect([r.source.first_name, r.target.firstName]).toEqual(['Anna', 'Anna']);
		});

		test('manual: the field goes to Conflict with both values, nothing is written for it, other fields still merge, and it stays in conflict', async () => {
			const cfg = await paired({ strategy: 'manual' });
			const r = await bothEdit(cfg, 'source_first', { source: { last_name: 'Lee-Park' } });
			expect(r.round.planned.conflict).toHaveLength(1);
			expect(r.round.planned.conflict[0]).toMatchObject({
				reason: 'conflict',
				fields: [{ field: 'firstName', sourceField: 'first_name', sourceValue: 'Annie', targetValue: 'Anna', baseValue: 'Ann', resolution: 'manual' }],
			});
			expect(r.round.planned.toTarget.map((d) => d.fields)).toEqual([{ lastName: 'Lee-Park' }]);
			expect([r.source.first_name, r.target.firstName, r.target.lastName]).toEqual(['Annie', 'Anna', 'Lee-Park']);
			const again = await syncRound(cfg, store, crm, fsm);
			expect(again.writes).toBe(0);
			expect(again.planned.conflict.map((c) => c.fields?.map((f) => f.field))).toEqual([['firstName']]);
		});

		test('both sides changed a field to the same value: no conflict, no write', async () => {
			const cfg = await paired({ strategy: 'manual' });
			crm.edit('p1', { first_name: 'Annie' });
			fsm.edit([...fsm.records.keys()][0], { firstName: 'Annie' });
			const r = await syncRound(cfg, store, crm, fsm);
			expect(r.writes).toBe(0);
			expect(r.planned.conflict).toHaveLength(0);
			crm.edit('p1', { first_name: 'Ann' });
			expect((await syncRound(cfg, store, crm, fsm)).planned.toTarget.map((d) => d.fields)).toEqual([{ firstName: 'Ann' }]);
		});

		test('per-field priority overrides the strategy (by target or source field name)', async () => {
			const cfg = await paired({ strategy: 'source_wins', fieldPriority: { firstName: 'target', last_name: 'source' } });
			const r = await bothEdit(cfg, 'target_first', { source: { last_name: 'Src' }, target: { lastName: 'Tgt' } });
			expect([r.source.first_name, r.target.firstName]).toEqual(['Anna', 'Anna']);
			expect([r.source.last_name, r.target.lastName]).toEqual(['Src', 'Src']);
			expect(r.round.planned.toSource[0].conflicts).toEqual([expect.objectContaining({ field: 'firstName', rule: 'priority', resolution: 'target' })]);
		});
	});

	test('per-field direction: a source_only field never flows back, a target_only field only flows back', async () => {
		const cfg = await paired();
		const jid = [...fsm.records.keys()][0];
		fsm.edit(jid, { internalNotes: 'edited in the FSM', label: 'gold' });
		let r = await syncRound(cfg, store, crm, fsm);
		expect(r.planned.toSource.map((d) => d.fields)).toEqual([{ tag: 'gold' }]);
		expect(crm.records.get('p1')!.fields.notes).toBe('VIP');
		crm.edit('p1', { tag: 'silver' });
		r = await syncRound(cfg, store, crm, fsm);
		expect(r.writes).toBe(0);
		expect(fsm.records.get(jid)!.fields.label).toBe('gold');
		// The source still owns its source_only field: its next change overwrites the target's edit.
		crm.edit('p1', { notes: 'VIP+' });
		r = await syncRound(cfg, store, crm, fsm);
		expect(r.planned.toTarget.map((d) => d.fields)).toEqual([{ internalNotes: 'VIP+' }]);
	});

	test('a one-way mapping never writes to the source', async () => {
		const cfg = await paired({ mapping: { ...MAPPING, direction: 'source_to_target' } });
		const jid = [...fsm.records.keys()][0];
		fsm.edit(jid, { firstName: 'Target-edit' });
		fsm.put('j-orphan', { firstName: 'Only', lastName: 'Here', emails: [{ address: 'only@example.com' }] });
		const r = await syncRound(cfg, store, crm, fsm);
		expect(r.writes).toBe(0);
		expect(r.planned.unchanged.map((u) => u.reason).sort()).toEqual(['no_flow', 'unchanged']);
	});

	test('an invalid record goes to Invalid with every field error and is not written', async () => {
		const cfg = config();
		crm.put('p9', { first_name: 'Bad', email: 'not-an-email', phone: 'call me' });
		const planned = await plan(cfg, crm.all(), [], store);
		expect(planned.toTarget).toHaveLength(0);
		expect(planned.invalid).toHaveLength(1);
		expect(planned.invalid[0].errors.map((e) => e.code)).toEqual(['INVALID_EMAIL', 'INVALID_FORMAT']);
		expect(planned.invalid[0].inputs).toEqual([{ side: 'source', index: 0 }]);
		// A paired record that turns invalid keeps its snapshot: fixed later, it still syncs.
		const cfg2 = await paired();
		crm.edit('p1', { email: 'broken@' });
		const p2 = await plan(cfg2, crm.all().filter((r) => r.id === 'p1'), [], store);
		expect(p2.invalid.map((i) => i.errors[0].code)).toEqual(['INVALID_EMAIL']);
		crm.edit('p1', { email: 'ann.lee@example.com' });
		const p3 = await plan(cfg2, crm.all().filter((r) => r.id === 'p1'), [], store);
		expect(p3.toTarget.map((d) => d.fields)).toEqual([{ emails: [{ address: 'ann.lee@example.com' }] }]);
	});

	describe('first pairing by match key', () => {
		test('by email: equal records pair without a write; differing ones are updated, then rest', async () => {
			const cfg = config();
			crm.put('p1', ann);
			fsm.put('j1', { firstName: 'Ann', lastName: 'Lee', emails: [{ address: ' ANN@example.com ' }], phones: [{ number: '+12175550143' }], internalNotes: 'VIP' });
			crm.put('p2', { first_name: 'Bo', last_name: 'Ng', email: 'bo@example.com', phone: '2175550100' });
			fsm.put('j2', { firstName: 'Bo', lastName: 'Nguyen', emails: [{ address: 'Bo@Example.com' }] });
			const r = await syncRound(cfg, store, crm, fsm);
			expect(r.planned.summary.paired).toBe(1);
			expect(r.planned.toTarget).toHaveLength(1);
			expect(r.planned.toTarget[0]).toMatchObject({ action: 'update', targetId: 'j2', sync: { pairVersion: null } });
			expect(r.planned.summary.create).toEqual({ to_target: 0, to_source: 0 });
			expect((await store.getPair(cfg.mappingId, 'source', 'p1'))!.target.id).toBe('j1');
			expect((await store.getPair(cfg.mappingId, 'source', 'p2'))!.target.id).toBe('j2');
			expect(fsm.records.size).toBe(2);
			expect((await syncRound(cfg, store, crm, fsm)).writes).toBe(0);
		});

		test('by phone after E.164 normalisation', async () => {
			const cfg = config({ matchKey: { source: 'phone', target: 'phones[0].number', normalise: 'phone', defaultCountry: 'US' } });
			crm.put('p1', { ...ann, email: null });
			fsm.put('j1', { firstName: 'Ann', lastName: 'Lee', phones: [{ number: '+1 217-555-0143' }] });
			const planned = await plan(cfg, crm.all(), fsm.all(), store);
			expect(planned.toSource).toHaveLength(0);
			expect(planned.toTarget.map((d) => [d.action, d.targetId])).toEqual([['update', 'j1']]);
			// The same number in another format is the same value: only the missing field is written.
			expect(planned.toTarget[0].fields).toEqual({ internalNotes: 'VIP' });
		});

		test('two candidates go to Conflict with both of them: never a guess, never a duplicate', async () => {
			const cfg = config();
			crm.put('p1', ann);
			fsm.put('j1', { firstName: 'Ann', emails: [{ address: 'ann@example.com' }] });
			fsm.put('j2', { firstName: 'Annie', emails: [{ address: 'Ann@Example.com' }] });
			const r = await syncRound(cfg, store, crm, fsm);
			expect(r.writes).toBe(0);
			expect(r.planned.conflict).toHaveLength(1);
			expect(r.planned.conflict[0]).toMatchObject({ reason: 'ambiguous_match', candidates: [{ id: 'j1' }, { id: 'j2' }] });
			expect(r.planned.conflict[0].inputs).toEqual([{ side: 'source', index: 0 }, { side: 'target', index: 0 }, { side: 'target', index: 1 }]);
			expect((await store.pairStats(cfg.mappingId)).pairs).toBe(0);
		});

		test('two new records of one side with the same key are not both created', async () => {
			const cfg = config();
			crm.put('p1', ann);
			crm.put('p2', { ...ann, first_name: 'Ann (twin)' });
			const planned = await plan(cfg, crm.all(), [], store);
			expect(planned.toTarget).toHaveLength(0);
			expect(planned.conflict.map((c) => [c.reason, c.candidates?.map((x) => x.id)])).toEqual([
				['ambiguous_match', ['p2']],
				['ambiguous_match', ['p1']],
			]);
		});

		test('a candidate already paired with another record is a conflict, not a second pair', async () => {
			const cfg = await paired();
			crm.put('p2', { ...ann, first_name: 'Ann (dup)' });
			const r = await syncRound(cfg, store, crm, fsm);
			expect(r.writes).toBe(0);
			expect(r.planned.conflict.map((c) => c.reason)).toEqual(['candidate_already_paired']);
		});

		test('records without the key: review by default, created when configured', async () => {
			let cfg = config();
			crm.put('p1', { ...ann, email: '' });
			let planned = await plan(cfg, crm.all(), [], store);
			expect(planned.conflict.map((c) => c.reason)).toEqual(['missing_match_key']);
			expect(planned.toTarget).toHaveLength(0);
			cfg = config({ missingKey: 'create' });
			planned = await plan(cfg, crm.all(), [], store);
			expect(planned.toTarget.map((d) => [d.action, d.matchKey])).toEqual([['create', null]]);
		});

		test('an unpaired target record is created in the source (bidirectional mapping) with its key for an upsert', async () => {
			const cfg = config();
			fsm.put('j7', { firstName: 'Cy', lastName: 'Roe', emails: [{ address: 'cy@example.com' }], label: 'new' });
			const r = await syncRound(cfg, store, crm, fsm);
			expect(r.planned.toSource).toHaveLength(1);
			expect(r.planned.toSource[0]).toMatchObject({ action: 'create', matchKey: { field: 'email', value: 'cy@example.com' }, fields: { first_name: 'Cy', last_name: 'Roe', email: 'cy@example.com', tag: 'new' } });
			const pair = await store.getPair(cfg.mappingId, 'target', 'j7');
			expect(pair!.source.system).toBe('pipedrive');
			expect(crm.records.size).toBe(1);
			expect((await syncRound(cfg, store, crm, fsm)).writes).toBe(0);
		});
	});

	describe('deletes', () => {
		test.each(['archive', 'delete'] as const)('%s: a deleted source record is %sd in the target and the pair forgotten', async (policy) => {
			const cfg = await paired({ deletes: policy });
			const jid = [...fsm.records.keys()][0];
			crm.records.get('p1')!.deleted = true;
			crm.records.get('p1')!.updatedAt = clock.now();
			const planned = await plan(cfg, [crm.envelope('p1')], [], store);
			expect(planned.toTarget.map((d) => [d.action, d.targetId, d.fields])).toEqual([[policy, jid, {}]]);
			await commit(null, [fsm.apply(planned.toTarget[0])], store);
			expect(await store.getPair(cfg.mappingId, 'source', 'p1')).toBeNull();
			expect(fsm.records.get(jid)!.deleted).toBe(true);
		});

		test('ignore (the default): nothing is written and the pair stays', async () => {
			const cfg = await paired();
			crm.records.get('p1')!.deleted = true;
			const planned = await plan(cfg, [crm.envelope('p1')], [], store);
			expect(planned.toTarget).toHaveLength(0);
			expect(planned.unchanged.map((u) => u.reason)).toEqual(['delete_ignored']);
			expect(await store.getPair(cfg.mappingId, 'source', 'p1')).not.toBeNull();
		});

		test('a deleted target record is deleted in the source when the mapping flows back', async () => {
			const cfg = await paired({ deletes: 'delete' });
			const jid = [...fsm.records.keys()][0];
			fsm.records.get(jid)!.deleted = true;
			const planned = await plan(cfg, [], [fsm.envelope(jid)], store);
			expect(planned.toSource.map((d) => [d.action, d.targetId])).toEqual([['delete', 'p1']]);
		});
	});

	test('dry run routes and counts but leaves the store exactly as it was', async () => {
		const base = await paired();
		const cfg = { ...base, dryRun: true };
		crm.edit('p1', { first_name: 'Annie' });
		crm.put('p2', { first_name: 'Bo', email: 'bo@example.com' });
		crm.put('p3', { first_name: 'Cy', email: 'cy@example.com' });
		fsm.put('j3', { firstName: 'Cy', emails: [{ address: 'cy@example.com' }] });
		fsm.put('j4', { firstName: 'Di', emails: [{ address: 'di@example.com' }] });
		const before = await dump(store, cfg.mappingId);
		const planned = await plan(cfg, crm.all(), fsm.all(), store, { runId: 'dry-1' });
		expect(planned.summary).toMatchObject({
			dryRun: true,
			update: { to_target: 1, to_source: 0 },
			create: { to_target: 1, to_source: 1 },
			paired: 1,
		});
		expect(planned.toTarget.every((d) => d.sync.dryRun === true && d.sync.intent === undefined)).toBe(true);
		expect(await dump(store, cfg.mappingId)).toEqual(before);
		// Writes of a dry run reaching Commit are not stored either.
		const res = await commit({ dryRun: true }, planned.toTarget.map((d) => ({ sync: d.sync, ok: true, id: 'x1', updatedAt: clock.now() })), store);
		expect(res.results.every((r) => r.ok && r.status === 'deferred')).toBe(true);
		expect(await dump(store, cfg.mappingId)).toEqual(before);
	});

	test('a failed write is not committed: the next Plan emits it again', async () => {
		const cfg = await paired();
		crm.edit('p1', { first_name: 'Annie' });
		fsm.failNext = 1;
		const r = await syncRound(cfg, store, crm, fsm);
		expect(r.failed).toBe(1);
		const again = await syncRound(cfg, store, crm, fsm);
		expect(again.planned.toTarget.map((d) => d.fields)).toEqual([{ firstName: 'Annie' }]);
		expect(again.writes).toBe(1);
	});

	describe('crash between the vendor write and Commit', () => {
		test('with a match key: the create is re-emitted as an upsert and the target ends with one record', async () => {
			const cfg = config();
			crm.put('p1', ann);
			const first = await plan(cfg, crm.all(), [], store);
			fsm.apply(first.toTarget[0]); // the vendor created it… and the run died before Commit
			expect(fsm.records.size).toBe(1);

			const second = await plan(cfg, crm.all(), [], store);
			expect(second.toTarget).toHaveLength(1);
			expect(second.toTarget[0]).toMatchObject({ action: 'create', upsert: true, matchKey: { field: 'emails[0].address', value: 'ann@example.com' } });
			expect(second.toTarget[0].sync.intent).toMatchObject({ key: first.toTarget[0].sync.intent!.key, resumed: true });
			expect(second.toTarget[0].sync.intent!.note).toMatch(/may already have happened/);
			expect(second.summary.resumedCreates).toBe(1);
			await commit(null, [fsm.apply(second.toTarget[0])], store);
			expect(fsm.records.size).toBe(1);
			expect((await store.getPair(cfg.mappingId, 'source', 'p1'))!.target.id).toBe([...fsm.records.keys()][0]);
			expect(await store.openIntents(cfg.mappingId)).toHaveLength(0);
			expect((await syncRound(cfg, store, crm, fsm)).writes).toBe(0);
		});

		test('when the next run reads the target too, the record is paired by its key and the intent completed', async () => {
			const cfg = config();
			crm.put('p1', ann);
			const first = await plan(cfg, crm.all(), [], store);
			fsm.apply(first.toTarget[0]);
			const r = await syncRound(cfg, store, crm, fsm);
			expect(r.writes).toBe(0);
			expect(r.planned.summary.paired).toBe(1);
			expect(fsm.records.size).toBe(1);
			expect(await store.openIntents(cfg.mappingId)).toHaveLength(0);
		});

		test('without a match key the record goes to review instead of a blind second create', async () => {
			const cfg = config({ matchKey: null });
			crm.put('p1', ann);
			const first = await plan(cfg, crm.all(), [], store);
			fsm.apply(first.toTarget[0]);
			const second = await plan(cfg, crm.all(), [], store);
			expect(second.toTarget).toHaveLength(0);
			expect(second.conflict.map((c) => c.reason)).toEqual(['unconfirmed_create']);
		});

		test('a create the vendor refused for good abandons its intent, so the next run creates normally', async () => {
			const cfg = config({ matchKey: null });
			crm.put('p1', ann);
			fsm.failNext = 1;
			await syncRound(cfg, store, crm, fsm);
			expect(await store.openIntents(cfg.mappingId)).toHaveLength(0);
			const again = await plan(cfg, crm.all(), [], store);
			expect(again.toTarget.map((d) => [d.action, d.upsert])).toEqual([['create', false]]);
		});
	});

	describe('concurrency: two executions with their own store handles', () => {
		test('pairing the same record at once ends with one pair', async () => {
			const other = await db.open();
			try {
				const cfg = config();
				crm.put('p1', ann);
				fsm.put('j1', { firstName: 'Ann', lastName: 'Lee', emails: [{ address: 'ann@example.com' }], phones: [{ number: '+12175550143' }], internalNotes: 'VIP' });
				const [a, b] = await Promise.all([plan(cfg, crm.all(), fsm.all(), store), plan(cfg, crm.all(), fsm.all(), other)]);
				expect(a.summary.paired + b.summary.paired).toBeGreaterThanOrEqual(1);
				expect((await store.listPairs(cfg.mappingId)).items).toHaveLength(1);
			} finally {
				await other.close();
			}
		});

		test('creating the same new record at once: one create, one upsert, one pair, one target record', async () => {
			const other = await db.open();
			try {
				const cfg = config();
				crm.put('p1', ann);
				const [a, b] = await Promise.all([plan(cfg, crm.all(), [], store), plan(cfg, crm.all(), [], other)]);
				const decisions = [a.toTarget[0], b.toTarget[0]];
				expect(decisions.map((d) => d.upsert).sort()).toEqual([false, true]);
				expect(new Set(decisions.map((d) => d.sync.intent!.key)).size).toBe(1);
				const outcomes = decisions.sort((x, y) => Number(x.upsert) - Number(y.upsert)).map((d) => fsm.apply(d));
				await Promise.all([commit(null, [outcomes[0]], store), commit(null, [outcomes[1]], other)]);
				expect(fsm.records.size).toBe(1);
				expect((await store.listPairs(cfg.mappingId)).items).toHaveLength(1);
			} finally {
				await other.close();
			}
		});

		test('pairing one source record with two different targets at once: one wins, the other is a pair conflict', async () => {
			const other = await db.open();
			try {
				const cfg = config();
				crm.put('p1', ann);
				fsm.put('j1', { firstName: 'Ann', emails: [{ address: 'ann@example.com' }] });
				fsm.put('j2', { firstName: 'Ann', emails: [{ address: 'ann@example.com' }] });
				const [a, b] = await Promise.all([plan(cfg, crm.all(), [fsm.envelope('j1')], store), plan(cfg, crm.all(), [fsm.envelope('j2')], other)]);
				const outcomes = [...a.toTarget.map((d) => fsm.apply(d)), ...b.toTarget.map((d) => fsm.apply(d))];
				const results = [await commit(null, [outcomes[0]], store), await commit(null, [outcomes[1]], other)].map((r) => r.results[0]);
				expect(results.map((r) => (r.ok ? r.status : r.reason)).sort()).toEqual(['pair_conflict', 'paired']);
				expect((await store.listPairs(cfg.mappingId)).items).toHaveLength(1);
			} finally {
				await other.close();
			}
		});
	});

	test('stats: pairs, last sync, open intents and run counts', async () => {
		const cfg = config();
		crm.put('p1', ann);
		crm.put('p2', { first_name: 'Bo', email: 'bo@example.com' });
		const planned = await plan(cfg, crm.all(), [], store, { runId: 'run-1' });
		await commit(null, [fsm.apply(planned.toTarget[0])], store, { runId: 'run-1' });
		const { stats } = await import('../../sync/ledger');
		const s = await stats(cfg.mappingId, store);
		expect(s).toMatchObject({ pairs: 1, openIntents: 1, lastRun: { id: 'run-1', status: 'completed', counts: { fetched: 2, created: 1 } } });
		expect(s.lastSyncedAt).not.toBeNull();
	});
});
