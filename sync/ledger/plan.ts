import { randomUUID } from 'node:crypto';
import { classifiedError } from '../../errors/taxonomy';
import type { Pair, PairInput, PairUpdate, SyncStore, WriteIntent } from '../store';
import { recordPlanCheckpoints } from './checkpoint';
import { applyEntries, canonicalPath, fieldModel, getAt, hasAt, pick, type CompiledPath, type FieldModel } from './fields';
import { compileMatchKey, keyOf, type CompiledMatchKey } from './matchKey';
import { DEFAULT_LEASE_TTL_SECONDS, DEFAULT_LEASE_WAIT_SECONDS, leasePairs, type LeaseHold, type LeaseSettings } from './lease';
import { merge, type Bucket, type MergeResult, type Resolver } from './merge';
import {
	CONFLICT_STRATEGIES,
	DELETE_POLICIES,
	type ConflictReason,
	type Direction,
	type InputRef,
	type LedgerConfig,
	type LedgerRecord,
	type MatchKeyValue,
	type PlanOptions,
	type PlanResult,
	type RecordRef,
	type RoutedItem,
	type Side,
	type SnapshotEntry,
	type SyncContext,
	type UnchangedReason,
	type WriteAction,
	type WriteDecision,
} from './types';

/** Ids per store round trip (one query each): large enough to be fast, small enough for any driver. */
const CHUNK = 5000;
/** Intents of unpaired target records are kept under this prefix: the store keys intents by a source id only. */
export const TARGET_INTENT_PREFIX = 'target:';

export class LedgerConfigError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'LedgerConfigError';
	}
}

interface Entry {
	side: Side;
	id: string;
	record: LedgerRecord;
	fields: Record<string, unknown>;
	updatedAt: string | null;
	deleted: boolean;
	inputs: InputRef[];
}

interface Prepared {
	config: LedgerConfig;
	mappingId: string;
	model: FieldModel;
	resolver: Resolver;
	matchKey: CompiledMatchKey | null;
	missingKey: 'review' | 'create';
	deletes: LedgerConfig['deletes'];
	dryRun: boolean;
	lease: LeaseSettings;
}

export function prepare(config: LedgerConfig): Prepared {
	if (!config.mappingId || typeof config.mappingId !== 'string') throw new LedgerConfigError('The ledger needs a mapping id');
	const strategy = config.strategy ?? 'newest_wins';
	if (!CONFLICT_STRATEGIES.includes(strategy)) throw new LedgerConfigError(`Unknown conflict strategy "${strategy}" (${CONFLICT_STRATEGIES.join(', ')})`);
	const deletes = config.deletes ?? 'ignore';
	if (!DELETE_POLICIES.includes(deletes)) throw new LedgerConfigError(`Unknown delete policy "${deletes}" (${DELETE_POLICIES.join(', ')})`);
	for (const side of ['source', 'target'] as const) {
		if (!config[side]?.system || !config[side]?.object) throw new LedgerConfigError(`The ${side} system and object are required (where creates go)`);
	}
	const model = fieldModel(config);
	const priority = new Map<string, Side>();
	for (const [field, side] of Object.entries(config.fieldPriority ?? {})) {
		if (side !== 'source' && side !== 'target') throw new LedgerConfigError(`Field priority of "${field}" must be "source" or "target", not "${String(side)}"`);
		priority.set(canonicalPath(field), side);
	}
	const hub = config.hub ?? 'source';
	if (hub !== 'source' && hub !== 'target') throw new LedgerConfigError(`The hub side must be "source" or "target", not "${String(hub)}"`);
	const matchKey = compileMatchKey(config.matchKey);
	const ttlSeconds = config.lease?.ttlSeconds ?? DEFAULT_LEASE_TTL_SECONDS;
	const waitSeconds = config.lease?.waitSeconds ?? DEFAULT_LEASE_WAIT_SECONDS;
	if (!(ttlSeconds > 0) || !Number.isFinite(ttlSeconds)) throw new LedgerConfigError(`The pair lease time to live must be a positive number of seconds, not ${String(ttlSeconds)}`);
	if (!(waitSeconds >= 0) || !Number.isFinite(waitSeconds)) throw new LedgerConfigError(`The pair lease wait must be zero or more seconds, not ${String(waitSeconds)}`);
	return {
		config,
		mappingId: config.mappingId,
		model,
		resolver: { strategy, priority, hub },
		matchKey,
		missingKey: config.missingKey === 'create' ? 'create' : 'review',
		deletes,
		dryRun: config.dryRun === true,
		lease: { ttlSeconds, waitSeconds },
	};
}

const other = (side: Side): Side => (side === 'source' ? 'target' : 'source');

function timeOf(value: string | null | undefined): number {
	return value ? Date.parse(value) : NaN;
}

function entries(obj: Record<string, unknown>, paths: readonly CompiledPath[]): SnapshotEntry[] {
	const out: SnapshotEntry[] = [];
	for (const p of paths) if (hasAt(obj, p.segments)) out.push({ path: p.text, value: getAt(obj, p.segments) ?? null });
	return out;
}

/** `list` in store-call sized parts (each one store call, one transaction). */
export function chunks<T>(list: readonly T[]): T[][] {
	const out: T[][] = [];
	for (let i = 0; i < list.length; i += CHUNK) out.push(list.slice(i, i + CHUNK));
	return out;
}

export async function fetchPairs(store: SyncStore, mappingId: string, side: Side, ids: readonly string[]): Promise<Map<string, Pair>> {
	const out = new Map<string, Pair>();
	for (const chunk of chunks(ids)) for (const pair of await store.getPairs(mappingId, side, chunk)) out.set(pair[side].id, pair);
	return out;
}

/**
 * Routes records of both sides of a mapping: creates, updates, deletes for each side, unchanged records
 * (echoes of our own writes included), conflicts for a person, and records the mapping cannot handle.
 * Reads the store; writes only intents for creates, pairings that need no write, and snapshot refreshes
 * (none of them in a dry run).
 */
export async function plan(
	config: LedgerConfig,
	sourceRecords: readonly LedgerRecord[],
	targetRecords: readonly LedgerRecord[],
	store: SyncStore,
	options: PlanOptions = {},
): Promise<PlanResult> {
	const p = prepare(config);
	const leases: { hold: LeaseHold | null } = { hold: null };
	try {
		return await planWith(p, sourceRecords, targetRecords, store, options, leases);
	} catch (err) {
		// Whatever this Plan leased, nobody will commit: free it for the next Plan now rather than at its expiry.
		if (leases.hold) await store.releasePairLeases(p.mappingId, leases.hold.token).catch(() => undefined);
		throw err;
	}
}

async function planWith(
	p: Prepared,
	sourceRecords: readonly LedgerRecord[],
	targetRecords: readonly LedgerRecord[],
	store: SyncStore,
	options: PlanOptions,
	leases: { hold: LeaseHold | null },
): Promise<PlanResult> {
	const { mappingId, model, matchKey, dryRun } = p;
	const result: PlanResult = {
		toTarget: [],
		toSource: [],
		unchanged: [],
		conflict: [],
		invalid: [],
		summary: {
			mappingId,
			dryRun,
			received: { source: sourceRecords.length, target: targetRecords.length },
			create: { to_target: 0, to_source: 0 },
			update: { to_target: 0, to_source: 0 },
			delete: 0,
			archive: 0,
			unchanged: 0,
			stale: 0,
			conflict: 0,
			invalid: 0,
			paired: 0,
			resumedCreates: 0,
		},
	};

	const refOf = (e: Entry): RecordRef => ({
		system: e.record.system || p.config[e.side].system,
		object: e.record.object || p.config[e.side].object,
		id: e.id,
	});
	const unchanged = (reason: UnchangedReason, message: string, inputs: InputRef[], refs: { source?: Entry; target?: Entry; pair?: Pair }) => {
		result.unchanged.push({
			reason,
			message,
			mappingId,
			source: refs.pair?.source ?? (refs.source ? refOf(refs.source) : null),
			target: refs.pair?.target ?? (refs.target ? refOf(refs.target) : null),
			records: { source: refs.source?.record, target: refs.target?.record },
			inputs,
		});
	};
	const conflict = (reason: ConflictReason, message: string, inputs: InputRef[], refs: { source?: Entry; target?: Entry; pair?: Pair }, extra: Partial<RoutedItem> = {}) => {
		result.conflict.push({
			reason,
			message,
			mappingId,
			source: refs.pair?.source ?? (refs.source ? refOf(refs.source) : null),
			target: refs.pair?.target ?? (refs.target ? refOf(refs.target) : null),
			records: { source: refs.source?.record, target: refs.target?.record },
			inputs,
			...extra,
		});
	};

	// ------------------------------------------------------------------ intake: ids, sides, duplicates
	const intake = (side: Side, records: readonly LedgerRecord[]): Map<string, Entry> => {
		const byId = new Map<string, Entry>();
		const expected = p.config[side].system;
		records.forEach((record, index) => {
			const inputs: InputRef[] = [{ side, index }];
			const rawId = record?.id;
			if (rawId === undefined || rawId === null || rawId === '' || typeof record !== 'object') {
				result.invalid.push({
					side,
					record,
					mapped: {},
					inputs,
					errors: [
						classifiedError('REQUIRED_FIELD_MISSING', {
							field: 'id',
							message: `The ${side} record has no id: the ledger needs record envelopes ({ system, object, id, updatedAt, fields })`,
						}),
					],
				});
				return;
			}
			if (record.system && expected && record.system !== expected) {
				result.invalid.push({
					side,
					record,
					mapped: {},
					inputs,
					errors: [
						classifiedError('OBJECT_TYPE_CHANGED', {
							field: 'system',
							value: record.system,
							message: `The ${side === 'source' ? 'Source' : 'Target'} Records input received a ${record.system} record, but this mapping's ${side} is ${expected}: check the wiring of the two inputs`,
							record: { system: record.system, object: record.object, id: String(rawId) },
						}),
					],
				});
				return;
			}
			const id = String(rawId);
			const fields = record.fields && typeof record.fields === 'object' ? (record.fields as Record<string, unknown>) : {};
			const entry: Entry = { side, id, record, fields, updatedAt: vendorTime(record.updatedAt), deleted: record.deleted === true, inputs };
			const seen = byId.get(id);
			if (seen) {
				// The same record twice in one batch (webhook retries, overlapping pages): the newest wins.
				const newer = !(timeOf(seen.updatedAt) > timeOf(entry.updatedAt));
				const [keep, drop] = newer ? [entry, seen] : [seen, entry];
				byId.set(id, keep);
				unchanged('duplicate_in_batch', `Record ${id} came twice in this batch; the newest copy is used`, drop.inputs, { [side]: drop });
				return;
			}
			byId.set(id, entry);
		});
		return byId;
	};
	const sources = intake('source', sourceRecords);
	const targets = intake('target', targetRecords);

	// ------------------------------------------------------------------ pairs
	const bySource = await fetchPairs(store, mappingId, 'source', [...sources.keys()]);
	const byTarget = await fetchPairs(store, mappingId, 'target', [...targets.keys()]);
	interface Case {
		pair: Pair;
		source?: Entry;
		target?: Entry;
	}
	const cases = new Map<string, Case>();
	const caseOf = (pair: Pair): Case => {
		let c = cases.get(pair.source.id);
		if (!c) cases.set(pair.source.id, (c = { pair }));
		return c;
	};
	const unpaired: Record<Side, Entry[]> = { source: [], target: [] };
	for (const e of sources.values()) {
		const pair = bySource.get(e.id);
		if (pair) caseOf(pair).source = e;
		else unpaired.source.push(e);
	}
	for (const e of targets.values()) {
		const pair = byTarget.get(e.id);
		if (pair) caseOf(pair).target = e;
		else unpaired.target.push(e);
	}

	const refreshes: Array<{ pair: Pair; merged: MergeResult; updatedAt: { source: string | null; target: string | null } }> = [];
	const unlinks: Pair[] = [];
	const directPairs: Array<{ input: PairInput; intent: WriteIntent | null; item: RoutedItem }> = [];
	const creates: WriteDecision[] = [];

	const decide = (
		action: WriteAction,
		direction: Direction,
		ids: { source: RecordRef | null; target: RecordRef | null },
		fields: Record<string, unknown>,
		sync: Omit<SyncContext, 'v' | 'mappingId' | 'action' | 'direction' | 'source' | 'target' | 'writeTo'>,
		inputs: InputRef[],
		extra: Partial<WriteDecision> = {},
	): WriteDecision => {
		const written: Side = direction === 'to_target' ? 'target' : 'source';
		const writeTo = { system: p.config[written].system, object: p.config[written].object };
		const target = ids[written];
		const decision: WriteDecision = {
			action,
			direction,
			system: target?.system ?? writeTo.system,
			object: target?.object ?? writeTo.object,
			targetId: target?.id ?? null,
			fields,
			matchKey: null,
			upsert: false,
			conflicts: [],
			warnings: [],
			inputs,
			sync: { v: 1, mappingId, action, direction, source: ids.source, target: ids.target, writeTo, ...sync, ...(dryRun ? { dryRun: true } : {}) },
			...extra,
		};
		(direction === 'to_target' ? result.toTarget : result.toSource).push(decision);
		if (action === 'create' || action === 'update') result.summary[action][direction]++;
		else result.summary[action]++;
		return decision;
	};

	/** Turns a merge into writes and/or a conflict item; returns how many writes it made. */
	const route = (
		merged: MergeResult,
		refs: { source: RecordRef; target: RecordRef },
		entriesOf: { source?: Entry; target?: Entry },
		pair: Pair | null,
		inputs: InputRef[],
		intent: SyncContext['intent'] | undefined,
		lease: { lease?: SyncContext['lease'] } = {},
	): number => {
		for (const bad of merged.invalid) {
			const e = entriesOf[bad.side]!;
			result.invalid.push({ side: bad.side, record: e.record, errors: bad.errors, mapped: bad.mapped, inputs: e.inputs });
		}
		const updatedAt = { source: entriesOf.source?.updatedAt ?? null, target: entriesOf.target?.updatedAt ?? null };
		let writes = 0;
		const emit = (bucket: Bucket | null, direction: Direction) => {
			if (!bucket) return;
			decide(
				'update',
				direction,
				refs,
				bucket.payload,
				{
					pairVersion: pair ? pair.version : null,
					// The other write's fields and the manual ones are not ours to store: only what this write makes true.
					snapshot: { source: [...merged.common.source, ...bucket.entries.source], target: [...merged.common.target, ...bucket.entries.target] },
					written: bucket.written,
					updatedAt,
					...(intent ? { intent } : {}),
					...lease,
				},
				inputs,
				{ conflicts: bucket.conflicts, warnings: direction === 'to_target' ? merged.warnings.source : merged.warnings.target },
			);
			writes++;
		};
		emit(merged.toTarget, 'to_target');
		emit(merged.toSource, 'to_source');
		if (merged.manual.length) {
			conflict(
				'conflict',
				`${merged.manual.length} field${merged.manual.length === 1 ? '' : 's'} changed on both sides to different values: ${merged.manual.map((f) => f.field).join(', ')}`,
				inputs,
				{ ...entriesOf, pair: pair ?? undefined },
				{ source: refs.source, target: refs.target, fields: merged.manual },
			);
		}
		return writes;
	};

	/** The lease a write of this pair carries to Commit (which releases it), with a note when it was taken over. */
	const leaseContext = (sourceId: string): { lease?: SyncContext['lease'] } => {
		if (!hold || !hold.ids.has(sourceId)) return {};
		const taken = hold.takenOver.get(sourceId);
		const note = taken
			? `Another run held this pair and did not commit within ${p.lease.waitSeconds} s (its lease ran until ${taken.expiresAt}); this run took the lease over`
			: hold.waitedFor.has(sourceId)
				? 'Planned after another run committed a write of this pair (waited for its lease)'
				: undefined;
		return { lease: { token: hold.token, ...(note ? { note } : {}) } };
	};

	// ------------------------------------------------------------------ paired records
	/** What a paired record comes to, computed without routing anything (so it can be computed again). */
	interface Assessment {
		pair: Pair;
		/** The records left after the stale ones are set aside. */
		source?: Entry;
		target?: Entry;
		stale: Array<{ side: Side; e: Entry; stored: string | null }>;
		kind: 'nothing' | 'both_deleted' | 'delete_ignored' | 'delete' | 'merge';
		merged: MergeResult | null;
	}
	const assess = (c: Case, pair: Pair): Assessment => {
		let { source, target } = c;
		const stale: Assessment['stale'] = [];
		for (const side of ['source', 'target'] as const) {
			const e = side === 'source' ? source : target;
			if (!e) continue;
			const stored = pair[side === 'source' ? 'sourceUpdatedAt' : 'targetUpdatedAt'];
			// Older than what was already synced: an out-of-order or replayed event. Applying it would undo newer data.
			if (timeOf(e.updatedAt) < timeOf(stored)) {
				stale.push({ side, e, stored });
				if (side === 'source') source = undefined;
				else target = undefined;
			}
		}
		const base = { pair, source, target, stale, merged: null };
		if (!source && !target) return { ...base, kind: 'nothing' };
		if (source?.deleted || target?.deleted) {
			if (source?.deleted && target?.deleted) return { ...base, kind: 'both_deleted' };
			const flows = source?.deleted ? model.hasForward : model.hasReverse;
			return { ...base, kind: p.deletes === 'ignore' || !flows ? 'delete_ignored' : 'delete' };
		}
		const merged = merge({
			model,
			source: source?.fields,
			target: target?.fields,
			base: { source: pair.sourceSnapshot, target: pair.targetSnapshot },
			updatedAt: { source: source?.updatedAt ?? null, target: target?.updatedAt ?? null },
			resolver: p.resolver,
		});
		return { ...base, kind: 'merge', merged };
	};
	const writesOf = (a: Assessment): number => (a.kind === 'delete' ? 1 : a.kind === 'merge' ? Number(!!a.merged!.toTarget) + Number(!!a.merged!.toSource) : 0);

	const assessed = new Map<Case, Assessment>();
	for (const c of cases.values()) assessed.set(c, assess(c, c.pair));

	// Lease every pair this Plan will write, then plan those against the pair as it is once the lease is ours: a Plan
	// of the same pair that wrote meanwhile has committed (or its lease lapsed), so its snapshot is the base now.
	let hold: LeaseHold | null = null;
	const lostPairs: Array<{ c: Case; now: Pair }> = [];
	const leased = dryRun ? [] : [...cases.values()].filter((c) => writesOf(assessed.get(c)!) > 0);
	if (leased.length) {
		hold = await leasePairs(
			store,
			mappingId,
			leased.map((c) => c.pair.source.id),
			p.lease,
			options.onLeaseWait ? { onWait: options.onLeaseWait } : {},
		);
		leases.hold = hold;
		const fresh = await fetchPairs(store, mappingId, 'source', leased.map((c) => c.pair.source.id));
		for (const c of leased) {
			const now = fresh.get(c.pair.source.id);
			if (!now) {
				// Unlinked meanwhile: the records are unpaired now, and first pairing takes them.
				cases.delete(c.pair.source.id);
				assessed.delete(c);
				bySource.delete(c.pair.source.id);
				byTarget.delete(c.pair.target.id);
				if (c.source) unpaired.source.push(c.source);
				if (c.target) unpaired.target.push(c.target);
			} else if (now.target.id !== c.pair.target.id) {
				cases.delete(c.pair.source.id);
				assessed.delete(c);
				lostPairs.push({ c, now });
			} else if (now.version !== c.pair.version) {
				c.pair = now;
				assessed.set(c, assess(c, now));
			}
		}
	}
	for (const { c, now } of lostPairs) {
		conflict(
			'pair_conflict',
			`Another run re-paired this record (${now.source.id} ↔ ${now.target.id}) while this one was planning; the next run plans it again`,
			[...(c.source?.inputs ?? []), ...(c.target?.inputs ?? [])],
			{ source: c.source, target: c.target },
			{ source: now.source, target: now.target, candidates: [c.pair.source, c.pair.target] },
		);
	}

	for (const [c, a] of assessed) {
		const { pair, source, target } = a;
		for (const { side, e, stored } of a.stale) {
			result.summary.stale++;
			unchanged('stale', `The ${side} record (updated ${e.updatedAt}) is older than the version already synced (${stored}); ignored`, e.inputs, { [side]: e, pair });
		}
		if (a.kind === 'nothing') continue;
		const inputs = [...(source?.inputs ?? []), ...(target?.inputs ?? [])];

		if (a.kind === 'both_deleted') {
			unlinks.push(pair);
			unchanged('deleted_on_both_sides', 'Both records are deleted; the pair is forgotten', inputs, { source, target, pair });
			continue;
		}
		if (a.kind === 'delete_ignored' || a.kind === 'delete') {
			const deletedSide: Side = source?.deleted ? 'source' : 'target';
			const direction: Direction = deletedSide === 'source' ? 'to_target' : 'to_source';
			if (a.kind === 'delete_ignored') {
				const flows = deletedSide === 'source' ? model.hasForward : model.hasReverse;
				unchanged('delete_ignored', `The ${deletedSide} record was deleted; deletes are ${flows ? 'ignored by this mapping' : 'not synced in this direction'}`, inputs, {
					source,
					target,
					pair,
				});
				continue;
			}
			decide(
				p.deletes as WriteAction,
				direction,
				{ source: pair.source, target: pair.target },
				{},
				{
					pairVersion: pair.version,
					snapshot: { source: [], target: [] },
					written: [],
					updatedAt: { source: source?.updatedAt ?? null, target: target?.updatedAt ?? null },
					...leaseContext(c.pair.source.id),
				},
				inputs,
			);
			continue;
		}

		const merged = a.merged!;
		const writes = route(merged, { source: pair.source, target: pair.target }, { source, target }, pair, inputs, undefined, leaseContext(pair.source.id));
		if (writes === 0) {
			const valid = inputs.filter((i) => !merged.invalid.some((b) => b.side === i.side));
			if (!merged.manual.length && valid.length) {
				unchanged('unchanged', merged.changed ? 'Both sides already agree' : 'Nothing changed since the last sync', valid, { source, target, pair });
			}
			const newer = (side: Side, e?: Entry) => e && timeOf(e.updatedAt) > timeOf(pair[side === 'source' ? 'sourceUpdatedAt' : 'targetUpdatedAt']);
			if (merged.common.source.length || merged.common.target.length || newer('source', source) || newer('target', target)) {
				refreshes.push({ pair, merged, updatedAt: { source: source?.updatedAt ?? null, target: target?.updatedAt ?? null } });
			}
		}
	}

	if (hold) {
		// Pairs that end Unchanged, Conflict or Invalid after all write nothing: their leases end with this Plan.
		const writing = new Set([...result.toTarget, ...result.toSource].filter((d) => d.sync.lease?.token === hold!.token).map((d) => d.sync.source!.id));
		const idle = [...hold.ids].filter((id) => !writing.has(id));
		if (idle.length) await store.releasePairLeases(mappingId, hold.token, idle);
	}

	// ------------------------------------------------------------------ first pairing
	const intentIds = [...unpaired.source.map((e) => e.id), ...unpaired.target.map((e) => TARGET_INTENT_PREFIX + e.id)];
	const openIntents = new Map<string, WriteIntent>();
	// At most one open create intent per record, so a page of 1000 ids fits one answer.
	for (let i = 0; i < intentIds.length; i += 1000) {
		for (const intent of await store.openIntents(mappingId, { sourceIds: intentIds.slice(i, i + 1000), limit: 1000 })) {
			if (intent.operation === 'create') openIntents.set(intent.sourceId, intent);
		}
	}
	const intentKey = (e: Entry) => (e.side === 'source' ? e.id : TARGET_INTENT_PREFIX + e.id);

	const index: Record<Side, Map<string, Entry[]>> = { source: new Map(), target: new Map() };
	if (matchKey) {
		for (const side of ['source', 'target'] as const) {
			for (const e of (side === 'source' ? sources : targets).values()) {
				if (e.deleted) continue;
				const key = keyOf(matchKey, side, e.fields);
				if (key === null) continue;
				const list = index[side].get(key) ?? [];
				list.push(e);
				index[side].set(key, list);
			}
		}
	}
	const paired = { source: bySource, target: byTarget };
	/** Records already taken by a pairing or a conflict in this run. */
	const settled = new Set<Entry>();
	const invalidEntries = new Set<Entry>();

	const firstPair = (s: Entry, t: Entry, intent: WriteIntent | undefined) => {
		const refs = { source: refOf(s), target: refOf(t) };
		const inputs = [...s.inputs, ...t.inputs];
		const merged = merge({
			model,
			source: s.fields,
			target: t.fields,
			base: null,
			updatedAt: { source: s.updatedAt, target: t.updatedAt },
			resolver: p.resolver,
		});
		const intentCtx = intent ? { key: intent.key, resumed: true, note: 'An earlier create may have happened; the record was found by its match key' } : undefined;
		const writes = route(merged, refs, { source: s, target: t }, null, inputs, intentCtx);
		if (writes === 0 && merged.invalid.length === 0) {
			const snap = { source: applyEntries(null, merged.common.source, false).snapshot, target: applyEntries(null, merged.common.target, false).snapshot };
			const item: RoutedItem = {
				reason: 'paired',
				message: merged.manual.length ? 'Paired by match key; the conflicting fields wait for review' : 'Paired by match key; both records already agree',
				mappingId,
				source: refs.source,
				target: refs.target,
				records: { source: s.record, target: t.record },
				inputs,
			};
			if (!merged.manual.length) result.unchanged.push(item);
			result.summary.paired++;
			directPairs.push({
				input: {
					mappingId,
					source: refs.source,
					target: refs.target,
					sourceSnapshot: snap.source,
					targetSnapshot: snap.target,
					sourceUpdatedAt: s.updatedAt,
					targetUpdatedAt: t.updatedAt,
				},
				intent: intent ?? null,
				item,
			});
		}
	};

	const create = (e: Entry, mapped: Record<string, unknown>, key: string | null, intent: WriteIntent | undefined) => {
		const direction: Direction = e.side === 'source' ? 'to_target' : 'to_source';
		const written: Side = other(e.side);
		const writtenPaths = model.paths(written);
		const matchValue: MatchKeyValue | null =
			matchKey && key ? { field: written === 'target' ? matchKey.config.target : matchKey.config.source, value: key, normalise: matchKey.config.normalise } : null;
		const own = pick(e.fields, model.paths(e.side));
		const snapshot = e.side === 'source' ? { source: entries(own, model.sourcePaths), target: entries(mapped, writtenPaths) } : { source: entries(mapped, writtenPaths), target: entries(own, model.targetPaths) };
		const d = decide(
			'create',
			direction,
			e.side === 'source' ? { source: refOf(e), target: null } : { source: null, target: refOf(e) },
			mapped,
			{
				pairVersion: null,
				snapshot,
				written: entries(mapped, writtenPaths).map((x) => x.path),
				updatedAt: { source: e.side === 'source' ? e.updatedAt : null, target: e.side === 'target' ? e.updatedAt : null },
				...(intent
					? { intent: { key: intent.key, resumed: true, note: 'A create may already have happened (an earlier run wrote it but never committed): write it as an upsert by the match key' } }
					: {}),
			},
			e.inputs,
			{ matchKey: matchValue, upsert: intent !== undefined },
		);
		if (intent) result.summary.resumedCreates++;
		else creates.push(d);
	};

	for (const side of ['source', 'target'] as const) {
		const otherSide = other(side);
		for (const e of unpaired[side]) {
			if (settled.has(e)) continue;
			if (e.deleted) {
				unchanged('deleted_unpaired', `The ${side} record was deleted and was never synced`, e.inputs, { [side]: e });
				continue;
			}
			const flows = side === 'source' ? model.hasForward : model.hasReverse;
			const mapped = flows ? model.mapping.apply(e.fields, side === 'source' ? 'forward' : 'reverse') : null;
			if (mapped && !mapped.valid) {
				invalidEntries.add(e);
				result.invalid.push({ side, record: e.record, errors: mapped.errors, mapped: mapped.fields, inputs: e.inputs });
				continue;
			}
			const intent = openIntents.get(intentKey(e));
			const key = matchKey ? keyOf(matchKey, side, e.fields) : null;
			if (matchKey && key !== null) {
				const candidates = (index[otherSide].get(key) ?? []).filter((x) => x !== e);
				if (candidates.length > 1) {
					for (const x of candidates) settled.add(x);
					conflict(
						'ambiguous_match',
						`${candidates.length} ${otherSide} records have the match key ${JSON.stringify(key)}: pairing needs a person (never a guess, never a duplicate)`,
						[...e.inputs, ...candidates.flatMap((x) => x.inputs)],
						{ [side]: e },
						{ candidates: candidates.map(refOf) },
					);
					continue;
				}
				if (candidates.length === 1) {
					const c = candidates[0];
					if (paired[otherSide].has(c.id)) {
						conflict(
							'candidate_already_paired',
							`The ${otherSide} record ${c.id} with the same match key is already paired with another ${side} record: a duplicate on the ${side} side?`,
							e.inputs,
							{ [side]: e },
							{ candidates: [refOf(c)] },
						);
						continue;
					}
					if (invalidEntries.has(c)) {
						unchanged('candidate_invalid', `The ${otherSide} record ${c.id} with the same match key is invalid (see the Invalid output); pairing waits for it`, e.inputs, {
							[side]: e,
						});
						continue;
					}
					if (settled.has(c)) {
						conflict('candidate_claimed', `The ${otherSide} record ${c.id} with the same match key was claimed by another record in this batch`, e.inputs, { [side]: e }, {
							candidates: [refOf(c)],
						});
						continue;
					}
					settled.add(c);
					settled.add(e);
					const [s, t] = side === 'source' ? [e, c] : [c, e];
					firstPair(s, t, openIntents.get(intentKey(s)));
					continue;
				}
			}
			if (!flows) {
				unchanged('no_flow', `Unpaired ${side} record: this mapping does not create ${otherSide} records`, e.inputs, { [side]: e });
				continue;
			}
			if (matchKey && key === null && p.missingKey === 'review') {
				conflict('missing_match_key', `The ${side} record has no usable match key (${side === 'source' ? matchKey.config.source : matchKey.config.target}); it goes to review instead of being created`, e.inputs, {
					[side]: e,
				});
				continue;
			}
			if (key !== null) {
				// Another record of this side with the same key: creating this one would make a duplicate over there.
				const twins = (index[side].get(key) ?? []).filter((x) => x !== e);
				if (twins.length) {
					conflict(
						'ambiguous_match',
						`${twins.length + 1} ${side} records have the match key ${JSON.stringify(key)}: creating this one would duplicate a ${otherSide} record`,
						e.inputs,
						{ [side]: e },
						{ candidates: twins.map(refOf) },
					);
					continue;
				}
			}
			if (intent && key === null) {
				conflict(
					'unconfirmed_create',
					'An earlier create of this record may have happened and was never committed, and there is no match key to find it: check the other system, then unlink or pair by hand',
					e.inputs,
					{ [side]: e },
				);
				continue;
			}
			create(e, mapped!.fields, key, intent);
		}
	}

	result.summary.unchanged = result.unchanged.length;
	result.summary.conflict = result.conflict.length;
	result.summary.invalid = result.invalid.length;
	if (dryRun) return result;

	// ------------------------------------------------------------------ writes (never in a dry run)
	// Every create's intent, committed before the vendor write; one transaction per chunk, not one per record.
	for (const part of chunks(creates)) {
		const begun = await store.beginIntents(
			part.map((d) => {
				const written: Side = d.direction === 'to_target' ? 'target' : 'source';
				return {
					key: randomUUID(),
					mappingId,
					sourceId: d.direction === 'to_target' ? d.sync.source!.id : TARGET_INTENT_PREFIX + d.sync.target!.id,
					operation: 'create' as const,
					targetSystem: p.config[written].system,
					targetObject: p.config[written].object,
					matchKey: d.matchKey?.field ?? null,
					matchValue: d.matchKey?.value ?? null,
				};
			}),
		);
		part.forEach((d, k) => {
			const { intent, created } = begun[k];
			// A concurrent Plan began one first: the create may happen twice, so this one must be an upsert.
			d.sync.intent = created
				? { key: intent.key, resumed: false }
				: { key: intent.key, resumed: true, note: 'Another run is creating this record right now: write it as an upsert by the match key' };
			if (!created) d.upsert = true;
		});
	}
	if (directPairs.length) {
		const plain = directPairs.filter((x) => !x.intent);
		const results = plain.length ? await store.pairRecords(plain.map((x) => x.input)) : [];
		const outcomes = plain.map((x, i) => ({ x, res: results[i] }));
		for (const part of chunks(directPairs.filter((d) => d.intent))) {
			const done = await store.completeIntents(
				part.map((x) => ({ key: x.intent!.key, result: { targetId: x.intent!.sourceId.startsWith(TARGET_INTENT_PREFIX) ? x.input.source.id : x.input.target.id, pair: x.input } })),
			);
			part.forEach((x, k) => outcomes.push({ x, res: done[k]!.pair! }));
		}
		for (const { x, res } of outcomes) {
			if (res.conflict) {
				const at = result.unchanged.indexOf(x.item);
				if (at >= 0) result.unchanged.splice(at, 1);
				result.summary.paired--;
				conflict(
					'pair_conflict',
					`Another run paired one of these records with a different partner (${res.pair.source.id} ↔ ${res.pair.target.id}) at the same time`,
					x.item.inputs,
					{},
					{ source: x.input.source, target: x.input.target, candidates: [res.pair.source, res.pair.target] },
				);
			}
		}
	}
	if (refreshes.length) {
		const updates: PairUpdate[] = refreshes.map(({ pair, merged, updatedAt }) => ({
			side: 'source',
			id: pair.source.id,
			patch: {
				sourceSnapshot: applyEntries(pair.sourceSnapshot, merged.common.source, false).snapshot,
				targetSnapshot: applyEntries(pair.targetSnapshot, merged.common.target, false).snapshot,
				sourceUpdatedAt: later(pair.sourceUpdatedAt, updatedAt.source),
				targetUpdatedAt: later(pair.targetUpdatedAt, updatedAt.target),
				expectedVersion: pair.version,
			},
		}));
		// A refresh only saves work for the next Plan: when another run moved the pair meanwhile, it compares again.
		for (const chunk of chunks(updates)) await store.updatePairs(mappingId, chunk);
	}
	for (const part of chunks(unlinks)) {
		await store.unlinkPairs(
			mappingId,
			'source',
			part.map((pair) => pair.source.id),
		);
	}

	result.summary.unchanged = result.unchanged.length;
	result.summary.conflict = result.conflict.length;
	await recordPlanCheckpoints(store, mappingId, options.runId, options.checkpoints, [...result.toTarget, ...result.toSource]);
	if (options.runId) {
		await store.startRun({ id: options.runId, mappingId, trigger: 'sync-ledger', status: 'running' });
		await store.updateRun(options.runId, {
			increment: {
				fetched: sourceRecords.length + targetRecords.length,
				unchanged: result.unchanged.length,
				conflicts: result.conflict.length,
				failed: result.invalid.length,
			},
		});
		// With nothing to write no Commit follows: the run ends here.
		if (result.toTarget.length + result.toSource.length === 0) await store.finishRun(options.runId, result.invalid.length ? 'partial' : 'completed');
	}
	return result;
}

/** The later of two vendor timestamps (the stored one when the new one is unknown, unreadable or older). */
export function later(stored: string | null, seen: string | null | undefined): string | null {
	const b = seen ? Date.parse(seen) : NaN;
	if (!Number.isFinite(b)) return stored;
	if (!stored) return seen!;
	const a = Date.parse(stored);
	if (!Number.isFinite(a)) return seen!;
	return b > a ? seen! : stored;
}

/**
 * A record's vendor time as the ledger keeps it: an ISO-readable string, or null when the record has none or an
 * unreadable one ("", "yesterday"): the store refuses those, and an unknown time is what they are.
 */
function vendorTime(value: unknown): string | null {
	if (typeof value === 'number' && Number.isFinite(new Date(value).getTime())) return new Date(value).toISOString();
	return typeof value === 'string' && Number.isFinite(Date.parse(value)) ? value : null;
}
