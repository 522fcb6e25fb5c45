import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type IPairedItemData, type ISourceData } from 'n8n-workflow';
import { classifiedError } from '../../errors/taxonomy';
import {
	commit,
	getCheckpoints,
	isSyncContext,
	newestCheckpoint,
	plan,
	stats,
	unlink,
	type ConflictStrategy,
	type DeletePolicy,
	type InputRef,
	type LedgerConfig,
	type LedgerRecord,
	type MatchKeyConfig,
	type RoutedItem,
	type Side,
	type SyncContext,
	type WriteDecision,
	type WriteOutcome,
} from '../../sync/ledger';
import { compileMapping, getPreset, type MappingSpec } from '../../sync/mapping';
import type { SyncStore } from '../../sync/store';
import { readMapping } from '../shared/mappingParams';
import { failedItem } from '../shared/records';

/** Parameter reading and item shapes: everything between n8n items and the ledger engine. */

function slug(text: string): string {
	return (
		text
			.toLowerCase()
			.normalize('NFKD')
			.replace(/[^a-z0-9]+/g, '_')
			.replace(/^_+|_+$/g, '') || 'custom'
	);
}

/** The mapping of item `i` and the id its pairs are kept under. */
export function readMappingAndId(ctx: IExecuteFunctions, i: number): { spec: MappingSpec; mappingId: string; presetId: string | null } {
	const spec = readMapping.call(ctx, i);
	const source = ctx.getNodeParameter('mappingSource', i) as string;
	const presetId = source === 'preset' ? (ctx.getNodeParameter('preset', i) as string) : null;
	const explicit = String(ctx.getNodeParameter('mappingId', i, '') ?? '').trim();
	if (explicit) return { spec, mappingId: explicit, presetId };
	const workflowId = ctx.getWorkflow().id || 'workflow';
	const name = presetId ?? (source === 'json' && spec.name ? slug(spec.name) : 'custom');
	return { spec, mappingId: `${workflowId}:${name}`, presetId };
}

/** The source/target paths of the pair that normalises emails (or phones): the natural match key of a mapping. */
function inferKeyFields(spec: MappingSpec, mode: 'email' | 'phone' | 'exact'): { source: string; target: string } | null {
	if (mode === 'exact') return null;
	const transform = mode === 'email' ? 'email_validate' : 'phone_e164';
	const pair = spec.pairs.find((p) => {
		const chain = typeof p.transform === 'string' ? p.transform : JSON.stringify(p.transform ?? '');
		return typeof p.source === 'string' && typeof p.target === 'string' && chain.includes(transform);
	});
	return pair ? { source: pair.source as string, target: pair.target as string } : null;
}

export function readConfig(ctx: IExecuteFunctions): LedgerConfig {
	const { spec, mappingId, presetId } = readMappingAndId(ctx, 0);
	// A mistake in the mapping is reported first, naming its pair.
	const mapping = compileMapping(spec);
	const preset = presetId ? getPreset(presetId) : null;
	const sides = preset
		? { source: preset.source, target: preset.target }
		: {
				source: { system: ctx.getNodeParameter('sourceSystem', 0) as string, object: ctx.getNodeParameter('sourceObject', 0) as string },
				target: { system: ctx.getNodeParameter('targetSystem', 0) as string, object: ctx.getNodeParameter('targetObject', 0) as string },
			};
	const mode = ctx.getNodeParameter('matchKey', 0, 'email') as 'email' | 'phone' | 'exact' | 'none';
	let matchKey: MatchKeyConfig | null = null;
	if (mode !== 'none') {
		const inferred = inferKeyFields(spec, mode);
		const source = String(ctx.getNodeParameter('matchSourceField', 0, '') ?? '').trim() || inferred?.source || '';
		const target = String(ctx.getNodeParameter('matchTargetField', 0, '') ?? '').trim() || inferred?.target || '';
		if (!source || !target) {
			throw new NodeOperationError(ctx.getNode(), `Match key: set the Source Key Field and Target Key Field (this mapping has no ${mode} pair to take them from)`, {
				itemIndex: 0,
			});
		}
		matchKey = { source, target, normalise: mode, defaultCountry: (ctx.getNodeParameter('matchDefaultCountry', 0, 'US') as string) || 'US' };
	}
	const priorities = ((ctx.getNodeParameter('fieldPriority', 0, {}) as IDataObject).field ?? []) as Array<{ field?: string; side?: Side }>;
	return {
		mappingId,
		mapping,
		...sides,
		strategy: ctx.getNodeParameter('strategy', 0, 'newest_wins') as ConflictStrategy,
		hub: ctx.getNodeParameter('hub', 0, 'source') as Side,
		fieldPriority: Object.fromEntries(priorities.filter((p) => p.field?.trim()).map((p) => [p.field!.trim(), p.side ?? 'source'])),
		matchKey,
		missingKey: ctx.getNodeParameter('missingKey', 0, 'review') as 'review' | 'create',
		deletes: ctx.getNodeParameter('deletes', 0, 'ignore') as DeletePolicy,
		dryRun: ctx.getNodeParameter('dryRun', 0, false) as boolean,
	};
}

/** An item as a ledger record: an envelope as it is; a plain object as the fields of a record with its `id`. */
export function toRecord(json: IDataObject): LedgerRecord {
	if (json.fields && typeof json.fields === 'object' && !Array.isArray(json.fields)) {
		return {
			system: typeof json.system === 'string' ? json.system : undefined,
			object: typeof json.object === 'string' ? json.object : undefined,
			id: json.id as string | number | undefined,
			updatedAt: typeof json.updatedAt === 'string' ? json.updatedAt : null,
			fields: json.fields as Record<string, unknown>,
			deleted: json.deleted === true || json.archived === true,
		};
	}
	return { id: json.id as string | number | undefined, updatedAt: typeof json.updatedAt === 'string' ? json.updatedAt : null, fields: json, deleted: json.deleted === true };
}

function paired(inputs: InputRef[]): IPairedItemData[] {
	return inputs.map((r) => ({ item: r.index, input: r.side === 'source' ? 0 : 1 }));
}

function decisionItem(d: WriteDecision): INodeExecutionData {
	const json: IDataObject = {
		action: d.action,
		direction: d.direction,
		system: d.system,
		object: d.object,
		...(d.targetId !== null ? { id: d.targetId } : {}),
		targetId: d.targetId,
		fields: d.fields as IDataObject,
		matchKey: d.matchKey as unknown as IDataObject,
		upsert: d.upsert,
	};
	if (d.conflicts.length) json.conflicts = d.conflicts as unknown as IDataObject[];
	if (d.warnings.length) json.warnings = d.warnings as unknown as IDataObject[];
	json.sync = d.sync as unknown as IDataObject;
	return { json, pairedItem: paired(d.inputs) };
}

function routedItem(r: RoutedItem, route: 'unchanged' | 'conflict'): INodeExecutionData {
	const json: IDataObject = { route, reason: r.reason, message: r.message, mappingId: r.mappingId, source: r.source as IDataObject | null, target: r.target as IDataObject | null };
	if (r.fields) json.conflicts = r.fields as unknown as IDataObject[];
	if (r.candidates) json.candidates = r.candidates as unknown as IDataObject[];
	json.records = r.records as unknown as IDataObject;
	return { json, pairedItem: paired(r.inputs) };
}

/**
 * What a Get Changes item says its read reached: the vendor's cursor token when it outputs one beside the checkpoint
 * (Salesforce's `cursor` also remembers the versions delivered inside the overlap window, so the next read skips
 * them), else its `checkpoint`.
 */
function readCheckpoint(item: INodeExecutionData): unknown {
	const { cursor, checkpoint } = item.json;
	return typeof cursor === 'string' && cursor !== '' ? cursor : checkpoint;
}

export async function runPlan(ctx: IExecuteFunctions, store: SyncStore): Promise<INodeExecutionData[][]> {
	const sourceItems = ctx.getInputData(0) ?? [];
	const targetItems = ctx.getInputData(1) ?? [];
	const config = readConfig(ctx);
	const res = await plan(
		config,
		sourceItems.map((i) => toRecord(i.json)),
		targetItems.map((i) => toRecord(i.json)),
		store,
		{
			runId: ctx.getExecutionId() || undefined,
			// What each side's read reached (Get Changes puts its checkpoint on every item): pending until this run's writes are committed.
			checkpoints: { source: newestCheckpoint(sourceItems.map(readCheckpoint)), target: newestCheckpoint(targetItems.map(readCheckpoint)) },
		},
	);
	const node = ctx.getNode().name;
	const invalid = res.invalid.map(
		(bad): INodeExecutionData => ({
			json: failedItem('ledger', node, bad.record as IDataObject, bad.errors, {
				side: bad.side,
				mappingId: config.mappingId,
				flow: bad.side === 'source' ? 'forward' : 'reverse',
				mapped: bad.mapped as IDataObject,
			}),
			pairedItem: paired(bad.inputs),
		}),
	);
	const summary: INodeExecutionData = {
		json: res.summary as unknown as IDataObject,
		pairedItem: [...sourceItems.map((_, item) => ({ item, input: 0 })), ...targetItems.map((_, item) => ({ item, input: 1 }))],
	};
	return [
		res.toTarget.map(decisionItem),
		res.toSource.map(decisionItem),
		res.unchanged.map((r) => routedItem(r, 'unchanged')),
		res.conflict.map((r) => routedItem(r, 'conflict')),
		invalid,
		[summary],
	];
}

function isFailure(json: IDataObject): boolean {
	return json.failed === true || json.ok === false || json.success === false || (json.error !== undefined && json.error !== null && json.error !== '');
}

/**
 * The sync context a write node's answer carries: its own `sync` (nodes that pass it through), or that of the item it
 * wraps — a failed item keeps its input under `record` (a failed item of a failed item, too).
 */
export function carriedSyncContext(json: IDataObject): SyncContext | undefined {
	let at: unknown = json;
	for (let depth = 0; depth < 4 && at !== null && typeof at === 'object' && !Array.isArray(at); depth++) {
		const sync = (at as IDataObject).sync;
		if (isSyncContext(sync)) return sync;
		at = (at as IDataObject).record;
	}
	return undefined;
}

/** The vendor node's answer: its own envelope (id, updatedAt, fields), or a `record` inside it. */
export function toOutcome(json: IDataObject): WriteOutcome {
	const record = (json.record && typeof json.record === 'object' ? json.record : {}) as IDataObject;
	const pick = (key: string) => (json[key] !== undefined && json[key] !== null ? json[key] : record[key]);
	const fields = pick('fields');
	return {
		sync: (carriedSyncContext(json) ?? json.sync ?? record.sync) as WriteOutcome['sync'],
		ok: !isFailure(json),
		id: (pick('id') as string | null | undefined) ?? null,
		updatedAt: (pick('updatedAt') as string | null | undefined) ?? null,
		fields: fields && typeof fields === 'object' && !Array.isArray(fields) ? (fields as Record<string, unknown>) : null,
		error: json.failed === true ? json : (json.error ?? json.errors),
	};
}

/** Sync Context values that find nothing the automatic lookup does not (the former default): never evaluated. */
const AUTOMATIC_EXPRESSIONS = new Set(['={{ $json.sync ?? $json.record?.sync }}', '={{ $json.sync }}']);

/** The Sync Ledger Plan nodes upstream of this node, nearest first: where a write's sync context comes from. */
function upstreamPlans(ctx: IExecuteFunctions): string[] {
	try {
		return ctx
			.getParentNodes(ctx.getNode().name, { includeNodeParameters: true })
			.filter((n) => !n.disabled && /(^|\.)syncLedger$/.test(n.type) && ((n.parameters?.operation as string | undefined) ?? 'plan') === 'plan')
			.map((n) => n.name);
	} catch {
		return [];
	}
}

const asPairedItems = (paired: INodeExecutionData['pairedItem']): IPairedItemData[] =>
	paired === undefined || paired === null ? [] : (Array.isArray(paired) ? paired : [paired]).map((p) => (typeof p === 'number' ? { item: p } : p));

/**
 * Each item's sync context, without an n8n expression per item (n8n 2 evaluates every expression in an isolate: at
 * 10,000 items the former `$('Plan').item.json.sync` default cost more than everything else Commit does):
 * 1. on the item itself (`carriedSyncContext`);
 * 2. through the item's paired items back to the upstream Plan that routed the write — what `$('Plan').item` resolves,
 *    read from the execution's run data directly (for write nodes that emit only the written record);
 * 3. only for items still without one: the Sync Context parameter, when the user set an expression there.
 * Null where nothing was found (the item goes to Failed as `no_sync_context`).
 */
export function findSyncContexts(ctx: IExecuteFunctions, items: INodeExecutionData[]): Array<SyncContext | null> {
	const out: Array<SyncContext | null> = items.map((item) => carriedSyncContext(item.json) ?? null);
	let missing = out.flatMap((sync, i) => (sync ? [] : [i]));
	if (missing.length === 0) return out;

	const plans = upstreamPlans(ctx);
	if (plans.length) {
		let sources: Array<ISourceData | null> = [];
		let getPairedItem: ((plan: string, source: ISourceData | null, paired: IPairedItemData) => INodeExecutionData | null) | undefined;
		try {
			sources = ctx.getExecuteData().source?.main ?? [];
			const proxy = ctx.getWorkflowDataProxy(0);
			getPairedItem = proxy.$getPairedItem;
		} catch {
			getPairedItem = undefined;
		}
		if (getPairedItem && sources.length) {
			const viaPlan = (plan: string, paired: IPairedItemData): SyncContext | null => {
				try {
					const found = getPairedItem!(plan, sources[paired.input ?? 0] ?? sources[0], paired);
					return found && isSyncContext(found.json?.sync) ? found.json.sync : null;
				} catch {
					// No path from this item to that Plan (another branch), or no paired item: try the next.
					return null;
				}
			};
			for (const i of missing) {
				search: for (const paired of asPairedItems(items[i].pairedItem)) {
					for (let k = 0; k < plans.length; k++) {
						const sync = viaPlan(plans[k], paired);
						if (!sync) continue;
						out[i] = sync;
						// The Plan that answered is asked first for the next items (they mostly share one).
						if (k > 0) plans.unshift(...plans.splice(k, 1));
						break search;
					}
				}
			}
			missing = missing.filter((i) => !out[i]);
		}
	}

	const raw = ctx.getNode().parameters.syncContext;
	if (missing.length && typeof raw === 'string' && raw.trim() !== '' && !AUTOMATIC_EXPRESSIONS.has(raw.trim())) {
		for (const i of missing) {
			const value = syncContextParameter(ctx, i);
			if (isSyncContext(value)) out[i] = value;
		}
	}
	return out;
}

/** The Sync Context parameter of item i (an expression the user set), parsed when it is JSON text. */
function syncContextParameter(ctx: IExecuteFunctions, i: number): unknown {
	let value: unknown;
	try {
		value = ctx.getNodeParameter('syncContext', i, undefined);
	} catch {
		// An expression that cannot resolve (no paired item) leaves the item without a context: it goes to Failed.
		return undefined;
	}
	if (typeof value === 'string') {
		if (value.trim() === '') return undefined;
		try {
			return JSON.parse(value);
		} catch {
			return undefined;
		}
	}
	return value;
}

export async function runCommit(ctx: IExecuteFunctions, store: SyncStore): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const found = findSyncContexts(ctx, items);
	const outcomes = items.map((item, i) => {
		const outcome = toOutcome(item.json);
		return { ...outcome, sync: found[i] ?? outcome.sync };
	});
	const res = await commit(null, outcomes, store, { runId: ctx.getExecutionId() || undefined });
	const committed: INodeExecutionData[] = [];
	const failed: INodeExecutionData[] = [];
	const node = ctx.getNode().name;
	for (const r of res.results) {
		const item = items[r.index];
		const pairedItem = { item: r.index };
		if (r.ok) {
			const note: IDataObject = { status: r.status, pairVersion: r.pair?.version ?? null };
			if (r.note) note.note = r.note;
			committed.push({ json: { ...item.json, committed: note }, pairedItem });
			continue;
		}
		if (r.reason === 'write_failed') {
			// The vendor's own failure, untouched: the Error Policy classifies and parks it.
			failed.push({ json: item.json, pairedItem });
			continue;
		}
		const code = r.reason === 'pair_conflict' ? 'DUPLICATE_RECORD' : r.reason === 'no_id' ? 'REQUIRED_FIELD_MISSING' : 'FIELD_NOT_FOUND';
		const field = r.reason === 'no_id' ? 'id' : r.reason === 'no_sync_context' ? 'sync' : undefined;
		failed.push({
			json: failedItem('ledger', node, item.json, [classifiedError(code, { message: r.message, ...(field ? { field } : {}) })], {
				reason: r.reason,
				...(r.pair ? { pair: r.pair as unknown as IDataObject } : {}),
			}),
			pairedItem,
		});
	}
	return [committed, failed];
}

export async function runUnlink(ctx: IExecuteFunctions, store: SyncStore, i: number): Promise<IDataObject> {
	const { mappingId } = readMappingAndId(ctx, i);
	const side = ctx.getNodeParameter('side', i) as Side;
	const id = String(ctx.getNodeParameter('recordId', i) ?? '').trim();
	if (!id) throw new NodeOperationError(ctx.getNode(), 'Record ID is empty', { itemIndex: i });
	return { mappingId, side, id, ...(await unlink(mappingId, side, id, store)) };
}

/**
 * Get Pair: the partner of each item's record in a mapping. Paired items carry `pair` (the partner and both refs);
 * a record without a pair goes to Not Paired as a failed item whose reason a person can act on (the review queue
 * shows it), with the input item as its record.
 */
export async function runGetPair(ctx: IExecuteFunctions, store: SyncStore): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const paired: INodeExecutionData[] = [];
	const notPaired: INodeExecutionData[] = [];
	const node = ctx.getNode().name;
	for (let i = 0; i < items.length; i++) {
		const { mappingId } = readMappingAndId(ctx, i);
		const side = ctx.getNodeParameter('side', i) as Side;
		const id = String(ctx.getNodeParameter('recordId', i, '') ?? '').trim();
		const custom = String(ctx.getNodeParameter('pairOptions.notPairedMessage', i, '') ?? '').trim();
		const pair = id ? await store.getPair(mappingId, side, id) : null;
		if (pair) {
			const partner = side === 'source' ? pair.target : pair.source;
			const info: IDataObject = {
				mappingId,
				side,
				id,
				partner: partner as unknown as IDataObject,
				source: pair.source as unknown as IDataObject,
				target: pair.target as unknown as IDataObject,
				version: pair.version,
				lastSyncedAt: pair.lastSyncedAt,
			};
			paired.push({ json: { ...items[i].json, pair: info }, pairedItem: { item: i } });
			continue;
		}
		const message =
			custom ||
			(id
				? `The ${side} record ${id} has no pair in mapping "${mappingId}" yet: nothing was synced for it`
				: `No record ID to look up a pair for (Record ID is empty) in mapping "${mappingId}"`);
		const error = {
			...classifiedError('REQUIRED_FIELD_MISSING', { message, field: 'pair', ...(id ? { value: id } : {}) }),
			suggestedFix: 'Sync the record first (its pair is stored when its sync commits the write), then retry this one.',
		};
		notPaired.push({
			json: failedItem('ledger', node, items[i].json, [error], { reason: id ? 'not_paired' : 'no_record_id', mappingId, side, id }),
			pairedItem: { item: i },
		});
	}
	return [paired, notPaired];
}

export async function runStats(ctx: IExecuteFunctions, store: SyncStore, i: number): Promise<IDataObject> {
	const { mappingId } = readMappingAndId(ctx, i);
	return (await stats(mappingId, store)) as unknown as IDataObject;
}

/** Get Checkpoints: each side's Since for this run (confirming what earlier runs finished first). */
export async function runGetCheckpoints(ctx: IExecuteFunctions, store: SyncStore, i: number): Promise<IDataObject> {
	const { mappingId } = readMappingAndId(ctx, i);
	const fullResync = ctx.getNodeParameter('fullResync', i, false) as boolean;
	return (await getCheckpoints(mappingId, store, { fullResync })) as unknown as IDataObject;
}
