/**
 * Hostile input, generated (fast-check): records with query-language fragments, markup, n8n expressions,
 * prototype keys, control characters, huge strings and wrong types, fed to
 *  - the Field Mapper engine (every preset, both flows, and generated mappings) and the Field Mapper node in
 *    n8n's own engine,
 *  - the Sync Ledger's Plan and Commit on a real SQLite store, over two rounds (pairs exist in the second),
 *  - the Error Policy's classifier, with whatever a failing node may hand it.
 * What must hold: no uncaught exception, every record accounted for (valid or invalid; routed somewhere),
 * every failure a classified error of the taxonomy, nothing written outside the mapping's target fields,
 * Object.prototype untouched. FC_RUNS raises the number of runs (default 150 per property).
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject } from 'n8n-workflow';
import { FieldMapper } from '../../nodes/FieldMapper/FieldMapper.node';
import { classify } from '../../sync/errors';
import { commit, plan, type LedgerConfig, type LedgerRecord, type PlanResult, type WriteOutcome } from '../../sync/ledger';
import { compileMapping, MappingConfigError, PRESETS, type CompiledMapping, type MappingSpec } from '../../sync/mapping';
import { openSqliteStore, type SyncStore } from '../../sync/store';
import { TRANSFORM_NAMES } from '../../transforms';
import { runWorkflow, TestNodeTypes } from '../engine/harness';
import { asJson, expectClassified, hostileFields, hostileId, hostileString, hostileTimestamp, hostileValue, prototypeIsClean } from './arbitraries';

const RUNS = Number(process.env.FC_RUNS ?? 150);

/** Every path segment of a mapping's target (or, reversed, source) fields: a mapped record may hold no other key. */
function allowedTopKeys(mapping: CompiledMapping, flow: 'forward' | 'reverse'): Set<string> {
	return new Set(mapping.targetFields(flow).map((p) => p.replace(/^\["?/, '').split(/[.[]/)[0].replace(/"?\]$/, '')));
}

function sourceKeysOf(spec: MappingSpec, flow: 'forward' | 'reverse'): string[] {
	const keys = new Set<string>();
	for (const pair of spec.pairs) {
		const paths = flow === 'forward' ? [pair.source].flat() : [pair.target, ...Object.values(pair.targets ?? {})];
		for (const p of paths) if (typeof p === 'string') keys.add(p.split(/[.[]/)[0]);
	}
	return [...keys];
}

/** Pairs built from a pool of fields and valid transform chains: generated mappings, not only the presets. */
const CHAINS = [
	undefined,
	'trim',
	'trim | lowercase',
	'uppercase',
	'phone_e164(defaultCountry=CA)',
	'phone_e164',
	'email_validate',
	'date_iso',
	'date_iso(inputFormat=MM/dd/yyyy, zone=America/Chicago)',
	'truncate(maxLength=5)',
	'country_code',
	'value_map({"map":{"Lead":"lead"},"fallback":"other"})',
	'value_map({"map":{"a":"b"},"strict":true})',
	'default(value=n8n)',
	'address_single_line',
	'address_parse_zip',
	'split_name(output=first)',
];
const FIELD_POOL = ['name', 'email', 'phone', 'when', 'address', 'country', 'notes', 'stage', 'nested.value', 'list[0].value', '["odd.key"]'];
const generatedMapping: fc.Arbitrary<MappingSpec> = fc
	.uniqueArray(
		fc.record({
			source: fc.constantFrom(...FIELD_POOL),
			target: fc.constantFrom(...FIELD_POOL.map((f) => `t_${f}`)),
			transform: fc.constantFrom(...CHAINS),
			required: fc.boolean(),
			skipInvalid: fc.boolean(),
			default: fc.option(fc.constantFrom('', 'fallback', 0), { nil: undefined }),
		}),
		{ selector: (p) => p.target, minLength: 1, maxLength: 6 },
	)
	.map((pairs) => ({
		direction: 'source_to_target' as const,
		pairs: pairs.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined && v !== false))) as MappingSpec['pairs'],
	}));

function checkMapped(mapping: CompiledMapping, record: Record<string, unknown>, flow: 'forward' | 'reverse'): void {
	let result: ReturnType<CompiledMapping['apply']>;
	try {
		result = mapping.apply(record, flow);
	} catch (err) {
		throw new Error(`apply threw ${(err as Error).stack} for ${JSON.stringify(record).slice(0, 500)}`);
	}
	expect(result.valid).toBe(result.errors.length === 0);
	for (const e of [...result.errors, ...result.warnings]) {
		expectClassified(e);
		expect(e.field).toBeTruthy();
	}
	const allowed = allowedTopKeys(mapping, flow);
	for (const key of Object.keys(result.fields)) expect(allowed.has(key)).toBe(true);
	// What goes to a vendor must survive JSON (n8n stores items as JSON, connectors send JSON).
	expect(() => JSON.stringify(result.fields)).not.toThrow();
	expect(prototypeIsClean()).toBe(true);
}

describe('Field Mapper engine under hostile records', () => {
	for (const preset of PRESETS) {
		const mapping = compileMapping(preset.mapping);
		const flows: Array<'forward' | 'reverse'> = mapping.direction === 'bidirectional' ? ['forward', 'reverse'] : mapping.direction === 'target_to_source' ? ['reverse'] : ['forward'];
		for (const flow of flows) {
			test(`preset ${preset.id} (${flow}): never throws, every error classified, only mapped fields written`, () => {
				fc.assert(
					fc.property(hostileFields(sourceKeysOf(preset.mapping, flow)), (record) => checkMapped(mapping, record, flow)),
					{ numRuns: RUNS },
				);
			});
		}
	}

	test('generated mappings over generated records', () => {
		fc.assert(
			fc.property(generatedMapping, fc.array(hostileFields(['name', 'email', 'phone', 'when', 'address', 'country', 'notes', 'stage', 'nested', 'list', 'odd.key']), { minLength: 1, maxLength: 5 }), (spec, records) => {
				const mapping = compileMapping(spec);
				for (const record of records) checkMapped(mapping, record, 'forward');
			}),
			{ numRuns: RUNS },
		);
	});

	test('a hostile mapping configuration is refused with a MappingConfigError naming the problem, never another exception', () => {
		const hostilePair = fc.record(
			{
				source: fc.oneof(hostileString, fc.array(hostileString, { maxLength: 3 }), hostileValue),
				target: fc.oneof(hostileString, hostileValue),
				targets: fc.dictionary(hostileString, hostileString, { maxKeys: 2 }),
				transform: fc.oneof(hostileString, fc.constantFrom(...TRANSFORM_NAMES), fc.array(fc.record({ name: fc.oneof(fc.constantFrom(...TRANSFORM_NAMES), hostileString), options: fc.dictionary(hostileString, hostileValue, { maxKeys: 2 }) }), { maxLength: 2 })),
				direction: fc.oneof(fc.constantFrom('bidirectional', 'source_only', 'target_only'), hostileString),
				required: hostileValue,
			},
			{ requiredKeys: [] },
		);
		fc.assert(
			fc.property(fc.oneof(fc.record({ direction: fc.oneof(fc.constantFrom('source_to_target', 'bidirectional'), hostileString), pairs: fc.array(hostilePair, { maxLength: 4 }) }), hostileValue), (generated) => {
				const spec = asJson(generated);
				try {
					compileMapping(spec);
				} catch (err) {
					if (!(err instanceof MappingConfigError)) throw new Error(`compileMapping threw ${(err as Error).name}: ${(err as Error).message} for ${JSON.stringify(spec).slice(0, 300)}`);
					expect(err.message.length).toBeGreaterThan(0);
				}
				expect(prototypeIsClean()).toBe(true);
			}),
			{ numRuns: RUNS * 2 },
		);
	});
});

describe('Field Mapper node in n8n’s engine under hostile items', () => {
	const types = new TestNodeTypes({ 'n8n-nodes-fluxcascade.fieldMapper': new FieldMapper() });

	test('every item leaves on Valid or Invalid exactly once, paired to its input; Invalid items carry classified errors', async () => {
		const envelopes = fc.array(
			fc.record({ system: fc.constant('salesforce'), object: fc.constant('Contact'), id: hostileId, updatedAt: hostileTimestamp, fields: hostileFields(sourceKeysOf(PRESETS.find((p) => p.id === 'salesforce_contact_hubspot_contact')!.mapping, 'forward')) }),
			{ minLength: 1, maxLength: 25 },
		);
		await fc.assert(
			fc.asyncProperty(envelopes, async (items) => {
				const json = JSON.parse(JSON.stringify(items)) as IDataObject[];
				const res = await runWorkflow(types, {
					items: json,
					nodes: [{ name: 'Mapper', type: 'n8n-nodes-fluxcascade.fieldMapper', parameters: { operation: 'map', mappingSource: 'preset', preset: 'salesforce_contact_hubspot_contact', flow: 'forward' } }],
				});
				expect(res.error()).toBeUndefined();
				const valid = res.output('Mapper', 0);
				const invalid = res.output('Mapper', 1);
				const seen = [...valid, ...invalid].map((i) => (i.pairedItem as { item: number }).item).sort((a, b) => a - b);
				expect(seen).toEqual(json.map((_, i) => i));
				for (const item of invalid) {
					expect(item.json).toMatchObject({ failed: true, stage: 'mapping' });
					const errors = item.json.errors as unknown as Parameters<typeof expectClassified>[0][];
					expect(errors.length).toBeGreaterThan(0);
					errors.forEach(expectClassified);
				}
			}),
			{ numRuns: Math.max(10, Math.round(RUNS / 5)) },
		);
	});
});

describe('Sync Ledger Plan and Commit under hostile records', () => {
	let dir: string;
	let store: SyncStore;
	let n = 0;
	beforeAll(async () => {
		dir = mkdtempSync(join(tmpdir(), 'flux-reliability-ledger-'));
		store = await openSqliteStore({ kind: 'sqlite', path: join(dir, 'ledger.sqlite'), synchronous: 'normal' });
	});
	afterAll(async () => {
		await store?.close();
		rmSync(dir, { recursive: true, force: true });
	});

	const preset = PRESETS.find((p) => p.id === 'salesforce_contact_hubspot_contact')!;
	const config = (mappingId: string): LedgerConfig => ({
		mappingId,
		mapping: preset.mapping,
		source: preset.source,
		target: preset.target,
		matchKey: { source: 'Email', target: 'email', normalise: 'email' },
		deletes: 'archive',
	});
	const side = (system: string, object: string, keys: string[]): fc.Arbitrary<LedgerRecord> =>
		fc.record(
			{
				system: fc.oneof({ weight: 9, arbitrary: fc.constant(system) }, { weight: 1, arbitrary: fc.constantFrom('jobber', '', 'Salesforce') }),
				object: fc.constant(object),
				id: hostileId,
				updatedAt: hostileTimestamp,
				fields: fc.oneof({ weight: 9, arbitrary: hostileFields(keys) }, { weight: 1, arbitrary: hostileValue }),
				deleted: fc.boolean(),
			},
			{ requiredKeys: ['id'] },
		) as fc.Arbitrary<LedgerRecord>;
	/** Emails from a tiny pool, so records pair, collide and conflict by match key. */
	const withEmail = (arb: fc.Arbitrary<LedgerRecord>, key: string) =>
		fc.tuple(arb, fc.option(fc.constantFrom('a@x.io', 'A@X.IO ', 'b@x.io', 'c@x.io', "o'hara@x.io", 'bad@@x'), { nil: undefined })).map(([r, email]) => {
			if (email !== undefined && r.fields && typeof r.fields === 'object') (r.fields as Record<string, unknown>)[key] = email;
			return r;
		});
	const sources = fc.array(withEmail(side('salesforce', 'Contact', sourceKeysOf(preset.mapping, 'forward')), 'Email'), { maxLength: 12 });
	const targets = fc.array(withEmail(side('hubspot', 'contacts', sourceKeysOf(preset.mapping, 'reverse')), 'email'), { maxLength: 12 });

	/** How many times each input record shows up in Plan's outputs. */
	function tally(result: PlanResult): Map<string, number> {
		const counts = new Map<string, number>();
		const add = (inputs: Array<{ side: string; index: number }>) => {
			for (const i of inputs) counts.set(`${i.side}:${i.index}`, (counts.get(`${i.side}:${i.index}`) ?? 0) + 1);
		};
		for (const d of [...result.toTarget, ...result.toSource]) add(d.inputs);
		for (const r of [...result.unchanged, ...result.conflict]) add(r.inputs);
		for (const r of result.invalid) add(r.inputs);
		return counts;
	}

	/** A vendor that answers some writes and refuses others with whatever a broken API sends. */
	function outcomes(result: PlanResult, answers: Array<{ ok: boolean; id: unknown; error: unknown }>): WriteOutcome[] {
		return [...result.toTarget, ...result.toSource].map((d, i) => {
			const a = answers[i % Math.max(1, answers.length)] ?? { ok: true, id: `new${i}`, error: undefined };
			if (!a.ok) return { sync: d.sync, ok: false, error: a.error };
			return { sync: d.sync, ok: true, id: d.targetId ?? (typeof a.id === 'string' && a.id ? a.id : `new${n}-${i}`), updatedAt: new Date().toISOString(), fields: d.fields };
		});
	}
	const answers = fc.array(fc.record({ ok: fc.boolean(), id: hostileId, error: hostileValue }), { maxLength: 6 });

	test('two rounds of Plan → vendor answers → Commit: no exception, every record routed, every failure classified', async () => {
		await fc.assert(
			fc.asyncProperty(sources, targets, answers, sources, targets, answers, async (...generated) => {
				const [s1, t1, a1, s2, t2, a2] = generated.map((g) => asJson(g)) as typeof generated;
				const cfg = config(`fuzz-${++n}`);
				for (const [src, tgt, ans] of [
					[s1, t1, a1],
					[s2, t2, a2],
				] as const) {
					const result = await plan(cfg, src, tgt, store, { runId: `${cfg.mappingId}-${src.length}` });
					const counts = tally(result);
					// Every record is somewhere: to a vendor, unchanged (with its reason), to a person, or invalid.
					for (const [key, times] of [...src.map((_, i) => `source:${i}`), ...tgt.map((_, i) => `target:${i}`)].map((k) => [k, counts.get(k) ?? 0] as const)) {
						expect({ record: key, times: times > 0 }).toEqual({ record: key, times: true });
					}
					for (const bad of result.invalid) {
						expect(bad.errors.length).toBeGreaterThan(0);
						bad.errors.forEach(expectClassified);
					}
					for (const item of [...result.unchanged, ...result.conflict]) expect(item.message.length).toBeGreaterThan(0);
					for (const d of [...result.toTarget, ...result.toSource]) expect(() => JSON.stringify(d)).not.toThrow();
					const written = await commit(null, outcomes(result, [...ans]), store, { runId: `${cfg.mappingId}-${src.length}` });
					expect(written.results).toHaveLength(result.toTarget.length + result.toSource.length);
					// A refused write is a failure the Error Policy can classify into the taxonomy.
					for (const r of written.results) {
						if (r.ok) continue;
						expect(r.message.length).toBeGreaterThan(0);
						const failure = classify({ failed: true, stage: 'ledger', errors: [], record: {}, message: r.message, error: r.message });
						failure.errors.forEach(expectClassified);
					}
				}
				expect(prototypeIsClean()).toBe(true);
			}),
			{ numRuns: Math.max(20, Math.round(RUNS / 2)) },
		);
	});

	test('each record has one fate in a Plan (so run counts add up); Invalid only adds to a record whose partner is still written', async () => {
		await fc.assert(
			fc.asyncProperty(sources, targets, async (s, t) => {
				const [src, tgt] = [asJson(s), asJson(t)];
				const result = await plan(config(`fuzz-once-${++n}`), src, tgt, store);
				// An ambiguous match lists every candidate of the other side; a candidate may be listed by several such
				// conflicts (each record that claims it needs a person), but it gets no other fate.
				const ambiguous = result.conflict.filter((c) => c.reason === 'ambiguous_match');
				const candidates = tally({ toTarget: [], toSource: [], unchanged: [], invalid: [], summary: result.summary, conflict: ambiguous.map((c) => ({ ...c, inputs: c.inputs.slice(1) })) });
				// Fates other than Invalid: written (a first pairing may write both ways: one fate), unchanged (with its
				// reason), or a conflict for a person.
				const fates = tally({ ...result, toTarget: [], toSource: [], invalid: [], conflict: result.conflict.map((c) => (c.reason === 'ambiguous_match' ? { ...c, inputs: c.inputs.slice(0, 1) } : c)) });
				const written = tally({ ...result, unchanged: [], conflict: [], invalid: [] });
				for (const key of written.keys()) fates.set(key, (fates.get(key) ?? 0) + 1);
				const invalid = tally({ toTarget: [], toSource: [], unchanged: [], conflict: [], invalid: result.invalid, summary: result.summary });
				const keys = [...src.map((_, i) => `source:${i}`), ...tgt.map((_, i) => `target:${i}`)];
				const wrong = keys
					.map((k) => ({ record: k, fates: fates.get(k) ?? 0, invalid: invalid.get(k) ?? 0, candidate: candidates.get(k) ?? 0 }))
					.filter((x) => x.fates > 1 || x.invalid > 1 || x.fates + x.invalid + x.candidate === 0 || (x.candidate > 0 && x.fates > 0));
				expect({ wrong, reasons: wrong.length ? result.conflict.map((c) => c.reason) : [] }).toEqual({ wrong: [], reasons: [] });
			}),
			{ numRuns: RUNS },
		);
	});
});

describe('Error Policy classification of anything a failing node hands over', () => {
	test('classify() never throws and yields taxonomy errors for every kind of failure', () => {
		const failureLike = fc.oneof(
			hostileValue,
			fc.record({ error: fc.oneof(hostileString, fc.record({ message: hostileString, httpCode: fc.oneof(fc.constantFrom('401', '403', '404', '409', '429', '500', '503'), hostileString), description: hostileValue }, { requiredKeys: [] })) }, { requiredKeys: [] }),
			fc.record({ failed: fc.constant(true), stage: hostileString, errors: fc.array(fc.record({ code: fc.oneof(fc.constantFrom('INVALID_EMAIL', 'RATE_LIMIT_EXCEEDED'), hostileString), message: hostileValue, field: hostileValue }, { requiredKeys: [] }), { maxLength: 3 }), record: hostileValue }, { requiredKeys: [] }),
			fc.record({ execution: fc.record({ error: fc.record({ message: hostileString, httpCode: hostileValue }, { requiredKeys: [] }), lastNodeExecuted: hostileString }, { requiredKeys: [] }), workflow: hostileValue }, { requiredKeys: [] }),
		);
		fc.assert(
			fc.property(failureLike, (generated) => {
				const input = asJson(generated);
				const failure = classify(input);
				if (failure.kind === 'error') expect(failure.errors.length).toBeGreaterThan(0);
				failure.errors.forEach(expectClassified);
				expect(typeof failure.summary).toBe('string');
				expect(prototypeIsClean()).toBe(true);
			}),
			{ numRuns: RUNS * 3 },
		);
	});
});
