/**
 * Convergence property (issue 5): Salesforce contacts ⇄ HubSpot contacts through the
 * `salesforce_contact_hubspot_contact` preset and newest_wins, against the sandboxes over HTTP. A migration
 * first (overlapping contacts pair by e-mail), then rounds of random edits on both sides — people editing in
 * each vendor's UI, clearing fields, creating contacts — each followed by one sync in both directions
 * (full read → Plan → vendor writes → Commit).
 *
 * An oracle predicts every field after every round from what the sync reads: a field changed on one side
 * takes that value; changed on both sides to different values, the side with the later vendor modified time
 * wins (the source, Salesforce, on a tie). After every round both sides must equal the prediction field by
 * field, every record must be in exactly one pair, and neither side may hold a duplicate. A last round with
 * no edits must write nothing.
 */
import fc from 'fast-check';
import { commit, plan, type LedgerConfig, type LedgerRecord, type WriteOutcome } from '../../sync/ledger';
import { getPreset } from '../../sync/mapping';
import type { SyncStore } from '../../sync/store';
import { normaliseKey } from '../../sync/ledger';
import { startSandbox, type Sandbox } from '../../sandbox';
import { HS_FIELDS, HubspotClient, SalesforceClient, SF_FIELDS } from './sandboxClients';
import { backends, type LedgerDb } from './support';

jest.setTimeout(120_000);

const ROUNDS = 30;
const SEED_SF = 220;
const SEED_HS = 150;
const OVERLAP = 70;

// Canonical values (what the mapping's transforms produce), so the oracle can compare without the mapping.
const POOLS: Array<Array<string | null>> = [
	['Ann', 'Bo', 'Cy', 'Dee', 'Eve', 'Flo', 'Gus', 'Hal', 'Ivy', 'Jo', null],
	['Lee', 'Ng', 'Roe', 'Diaz', 'Park', 'Kim', 'Cole'],
	[], // e-mails are generated, unique
	Array.from({ length: 40 }, (_, i) => `+1217555${String(100 + i).padStart(4, '0')}`),
	['Owner', 'Manager', 'Technician', 'Dispatcher', null],
	['1 Main St', '22 Oak Ave', '5 Elm Rd', '9 Pine Ct', null],
	['Springfield', 'Peoria', 'Dayton', 'Austin', null],
	['IL', 'OH', 'TX', 'CA', null],
	['62704', '45402', '73301', '90210', null],
	['US', 'CA', null],
];
const FIELD_COUNT = SF_FIELDS.length;
const EMAIL = 2;
const LAST_NAME = 1;

type Values = Array<string | null>;

const norm = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v));
const valuesOf = (r: LedgerRecord, names: string[]): Values => names.map((f) => norm(r.fields![f]));
const toFields = (v: Values, names: string[]): Record<string, unknown> => Object.fromEntries(names.map((n, i) => [n, v[i]]));

const fieldChange = fc.record({ field: fc.nat({ max: FIELD_COUNT - 1 }), pick: fc.nat({ max: 1000 }) });
const changes = fc.uniqueArray(fieldChange, { selector: (c) => c.field, minLength: 1, maxLength: 3 });
const edit = fc.record({
	record: fc.nat({ max: 100_000 }),
	side: fc.constantFrom('source', 'target', 'both'),
	source: changes,
	target: changes,
	/** Vendor milliseconds between this edit and the previous one (both clocks move together). */
	gapMs: fc.integer({ min: 0, max: 1500 }),
	/** For edits on both sides: which side is edited first. */
	targetFirst: fc.boolean(),
});
const round = fc.record({
	edits: fc.array(edit, { minLength: 10, maxLength: 40 }),
	createSource: fc.nat({ max: 3 }),
	createTarget: fc.nat({ max: 3 }),
});

describe.each(backends())('convergence on the $name store: Salesforce ⇄ HubSpot contacts, newest wins', ({ create }) => {
	let sandbox: Sandbox;
	let sf: SalesforceClient;
	let hs: HubspotClient;
	let store: SyncStore;
	let db: LedgerDb;

	beforeAll(async () => {
		sandbox = await startSandbox({
			vendors: ['salesforce', 'hubspot'],
			salesforce: { dailyApiLimit: 1_000_000 },
			hubspot: { tenSecondLimit: 100_000, dailyLimit: 10_000_000 },
		});
		sf = await SalesforceClient.connect(sandbox.url('salesforce'));
		hs = await HubspotClient.connect(sandbox.url('hubspot'));
		db = await create();
		store = await db.open();
	});
	afterAll(async () => {
		await store?.close();
		await sandbox?.stop();
		await db?.dispose();
	});

	test('random edits on both sides over many rounds converge field by field, with no duplicates and no lost edit', async () => {
		const preset = getPreset('salesforce_contact_hubspot_contact');
		const config: LedgerConfig = {
			mappingId: 'converge',
			mapping: preset.mapping,
			source: preset.source,
			target: preset.target,
			strategy: 'newest_wins',
			matchKey: { source: 'Email', target: 'email', normalise: 'email' },
		};
		let emails = 0;
		const email = () => `person${++emails}@example.com`;
		const pick = (field: number, n: number): string | null => (field === EMAIL ? email() : POOLS[field][n % POOLS[field].length]);
		const randomValues = (n: number): Values => POOLS.map((_, f) => (f === EMAIL ? email() : pick(f, n * 7 + f * 3)));
		const advance = async (ms: number) => {
			if (ms <= 0) return;
			for (const v of ['salesforce', 'hubspot'] as const) {
				await fetch(`${sandbox.url(v)}/_sandbox/clock/advance`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ms }) });
			}
		};

		const stats = { rounds: 0, edits: 0, conflicts: 0, writes: 0, maxPairs: 0 };
		const started = Date.now();

		await fc.assert(
			fc.asyncProperty(fc.array(round, { minLength: ROUNDS, maxLength: ROUNDS }), fc.nat(), async (rounds, seedNoise) => {
				// ---- seed: contacts on both sides, OVERLAP of them on both (same e-mail, partly different values)
				const sfSeed: Values[] = [];
				const hsSeed: Values[] = [];
				for (let i = 0; i < SEED_SF; i++) sfSeed.push(randomValues(i + seedNoise));
				for (let i = 0; i < SEED_HS; i++) {
					if (i < OVERLAP) {
						const v = [...sfSeed[i]];
						// Some fields differ or are missing on one side: first pairing must merge them.
						for (let f = 0; f < FIELD_COUNT; f++) if (f !== EMAIL && (i + f + seedNoise) % 3 === 0) v[f] = f === LAST_NAME ? v[f] : pick(f, i * 13 + f);
						hsSeed.push(v);
					} else hsSeed.push(randomValues(1000 + i + seedNoise));
				}
				await sf.seed(sfSeed.map((v) => toFields(v, SF_FIELDS)));
				await advance(1000);
				await hs.seed(hsSeed.map((v) => toFields(v, HS_FIELDS)));
				await advance(1000);

				/** Last synced values per pair (key: Salesforce id). */
				let model = new Map<string, { hsId: string; values: Values }>();

				const syncAndCheck = async (label: string) => {
					const sRecs = await sf.all();
					const tRecs = await hs.all();
					const expected = predict(model, sRecs, tRecs);
					const writesBefore = sf.writes + hs.writes;
					const planned = await plan(config, sRecs, tRecs, store);
					expect(planned.invalid).toEqual([]);
					expect(planned.conflict).toEqual([]);
					const outcomes: WriteOutcome[] = [...(await hs.apply(planned.toTarget)), ...(await sf.apply(planned.toSource))];
					expect(outcomes.filter((o) => !o.ok)).toEqual([]);
					const committed = await commit(null, outcomes, store);
					expect(committed.counts.failed).toBe(0);
					stats.conflicts += [...planned.toTarget, ...planned.toSource].reduce((n, d) => n + d.conflicts.length, 0);
					stats.writes += sf.writes + hs.writes - writesBefore;

					// ---- the check: pairs cover everything once, values agree and equal the prediction
					const sAfter = new Map((await sf.all()).map((r) => [String(r.id), r]));
					const tAfter = new Map((await hs.all()).map((r) => [String(r.id), r]));
					const pairs = await allPairs(store, config.mappingId);
					expect(pairs.length).toBe(sAfter.size);
					expect(pairs.length).toBe(tAfter.size);
					expect(new Set(pairs.map((p) => p.target)).size).toBe(pairs.length);
					const dupes = (recs: Iterable<LedgerRecord>, f: string) => {
						const seen = [...recs].map((r) => normaliseKey(r.fields![f], 'email'));
						return seen.length - new Set(seen).size;
					};
					expect([dupes(sAfter.values(), 'Email'), dupes(tAfter.values(), 'email')]).toEqual([0, 0]);
					const next = new Map<string, { hsId: string; values: Values }>();
					const mismatches: string[] = [];
					for (const p of pairs) {
						const s = sAfter.get(p.source);
						const t = tAfter.get(p.target);
						if (!s || !t) {
							mismatches.push(`${label}: pair ${p.source} ↔ ${p.target} points at a missing record`);
							continue;
						}
						const sv = valuesOf(s, SF_FIELDS);
						const tv = valuesOf(t, HS_FIELDS);
						if (JSON.stringify(sv) !== JSON.stringify(tv)) mismatches.push(`${label}: ${p.source} ${JSON.stringify(sv)} ≠ ${p.target} ${JSON.stringify(tv)}`);
						const want = expected.get(p.source) ?? expected.get(`hs:${p.target}`);
						if (!want) mismatches.push(`${label}: no prediction for ${p.source} ↔ ${p.target}`);
						else if (JSON.stringify(want) !== JSON.stringify(sv)) mismatches.push(`${label}: ${p.source} is ${JSON.stringify(sv)}, predicted ${JSON.stringify(want)}`);
						next.set(p.source, { hsId: p.target, values: sv });
					}
					expect(mismatches.slice(0, 5)).toEqual([]);
					model = next;
					stats.maxPairs = Math.max(stats.maxPairs, pairs.length);
					return planned;
				};

				// ---- the migration: overlapping contacts pair by e-mail, the rest are created on the other side
				const first = await syncAndCheck('migration');
				expect(first.summary.paired + first.summary.update.to_target + first.summary.update.to_source).toBeGreaterThanOrEqual(OVERLAP - 5);
				expect(model.size).toBe(SEED_SF + SEED_HS - OVERLAP);

				// ---- rounds of edits, each followed by one sync
				for (const [n, r] of rounds.entries()) {
					const keys = [...model.keys()];
					for (const e of r.edits) {
						const key = keys[e.record % keys.length];
						const { hsId } = model.get(key)!;
						const edits = (which: 'source' | 'target') => {
							const list = which === 'source' ? e.source : e.target;
							const names = which === 'source' ? SF_FIELDS : HS_FIELDS;
							// LastName is required by the mapping: it is edited, never cleared.
							return Object.fromEntries(list.map((c) => [names[c.field], c.field === LAST_NAME ? POOLS[LAST_NAME][c.pick % POOLS[LAST_NAME].length] : pick(c.field, c.pick)]));
						};
						const order: Array<'source' | 'target'> = e.side === 'both' ? (e.targetFirst ? ['target', 'source'] : ['source', 'target']) : [e.side];
						for (const side of order) {
							await advance(e.gapMs);
							if (side === 'source') await sf.humanEdit(key, edits('source'));
							else await hs.humanEdit(hsId, edits('target'));
							stats.edits++;
						}
					}
					for (let i = 0; i < r.createSource; i++) await sf.humanEdit(null, toFields(randomValues(n * 31 + i), SF_FIELDS));
					for (let i = 0; i < r.createTarget; i++) await hs.humanEdit(null, toFields(randomValues(n * 37 + i + 5), HS_FIELDS));
					await advance(1000);
					await syncAndCheck(`round ${n + 1}`);
					stats.rounds++;
				}

				// ---- a round without edits writes nothing
				const before = sf.writes + hs.writes;
				const quiet = await syncAndCheck('quiet round');
				expect(sf.writes + hs.writes).toBe(before);
				expect(quiet.toTarget.length + quiet.toSource.length).toBe(0);
				expect(quiet.summary.unchanged).toBe(model.size);
			}),
			{ numRuns: 1, endOnFailure: true, ...(process.env.FLUX_SEED ? { seed: Number(process.env.FLUX_SEED) } : {}) },
		);

		const seconds = (Date.now() - started) / 1000;
		process.stdout.write(
			`\n[convergence, ${db.backend}] ${stats.rounds} rounds, ${stats.edits} edits, ${stats.maxPairs} pairs at the end, ${stats.conflicts} conflicts resolved, ${stats.writes} vendor write calls, ${seconds.toFixed(1)} s\n`,
		);
		expect(stats.rounds).toBe(ROUNDS);
		expect(stats.maxPairs).toBeGreaterThanOrEqual(300);
		expect(stats.conflicts).toBeGreaterThan(0);
	});
});

async function allPairs(store: SyncStore, mappingId: string): Promise<Array<{ source: string; target: string }>> {
	const out: Array<{ source: string; target: string }> = [];
	let cursor: string | null = null;
	do {
		const page = await store.listPairs(mappingId, { limit: 1000, cursor });
		for (const p of page.items) out.push({ source: p.source.id, target: p.target.id });
		cursor = page.next;
	} while (cursor);
	return out;
}

/**
 * The oracle: the values every pair must hold after the sync, from the records the sync reads and the values
 * of the last sync. Keyed by Salesforce id; records created on the HubSpot side by `hs:<id>`.
 */
function predict(model: Map<string, { hsId: string; values: Values }>, sRecs: LedgerRecord[], tRecs: LedgerRecord[]): Map<string, Values> {
	const out = new Map<string, Values>();
	const tById = new Map(tRecs.map((r) => [String(r.id), r]));
	const pairedHs = new Set([...model.values()].map((m) => m.hsId));
	const newest = (s: LedgerRecord, t: LedgerRecord): 'source' | 'target' => (Date.parse(t.updatedAt!) > Date.parse(s.updatedAt!) ? 'target' : 'source');
	const merge = (s: LedgerRecord, t: LedgerRecord, base: Values | null): Values => {
		const sv = valuesOf(s, SF_FIELDS);
		const tv = valuesOf(t, HS_FIELDS);
		return sv.map((x, f) => {
			const b = base ? base[f] : null;
			const sChanged = x !== b;
			const tChanged = tv[f] !== b;
			if (sChanged && tChanged && x !== tv[f]) {
				// First pairing: a value on one side only fills the other; both set and different: newest wins.
				if (!base && (x === null || tv[f] === null)) return x ?? tv[f];
				return newest(s, t) === 'source' ? x : tv[f];
			}
			return sChanged ? x : tChanged ? tv[f] : b;
		});
	};
	const byEmail = new Map(tRecs.map((r) => [normaliseKey(r.fields!.email, 'email'), r]));
	const claimed = new Set<string>();
	for (const s of sRecs) {
		const m = model.get(String(s.id));
		if (m) {
			out.set(String(s.id), merge(s, tById.get(m.hsId)!, m.values));
			continue;
		}
		const t = byEmail.get(normaliseKey(s.fields!.Email, 'email'));
		if (t && !pairedHs.has(String(t.id))) {
			claimed.add(String(t.id));
			out.set(String(s.id), merge(s, t, null));
		} else out.set(String(s.id), valuesOf(s, SF_FIELDS));
	}
	for (const t of tRecs) {
		if (pairedHs.has(String(t.id)) || claimed.has(String(t.id))) continue;
		out.set(`hs:${t.id}`, valuesOf(t, HS_FIELDS));
	}
	return out;
}
