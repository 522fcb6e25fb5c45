/**
 * The Sync Ledger node in n8n's own WorkflowExecute: two inputs, six outputs, paired items, the full
 * Plan → vendor write → Commit loop across executions, dry run, On Error, Unlink and Stats.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WorkflowExecute } from 'n8n-core';
import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType } from 'n8n-workflow';
import { SyncLedger } from '../../nodes/SyncLedger/SyncLedger.node';
import { carriedSyncContext, toOutcome } from '../../nodes/SyncLedger/operations';
import { defaultSqlitePath, postgresConfig } from '../../nodes/shared/store';
import type { WriteDecision } from '../../sync/ledger';
import { Client } from 'pg';
import { closeAllStores, openSqliteStore, openStore } from '../../sync/store';
import { POSTGRES_URL, postgresAvailableSync, requireService } from '../support/services';
import { runWorkflow, TestNodeTypes } from '../engine/harness';
import { MemoryVendor, StepClock } from './support';

/** Test-only: routes fixture items to output 0 (source) or 1 (target) by their `_input` field. */
class SplitInputs implements INodeType {
	description = {
		displayName: 'Split Inputs',
		name: 'splitInputs',
		group: ['transform'],
		version: 1,
		description: 'test only',
		defaults: { name: 'Split Inputs' },
		inputs: ['main'],
		outputs: ['main', 'main'],
		properties: [],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[][] = [[], []];
		this.getInputData().forEach((item, i) => {
			const { _input, ...json } = item.json;
			out[_input === 'target' ? 1 : 0].push({ json, pairedItem: { item: i } });
		});
		return out;
	}
}

const vendors = new Map<string, MemoryVendor>();

/** Test-only vendor node: writes ledger decisions to an in-memory vendor and answers like a connector (sync passed through). */
class FakeVendor implements INodeType {
	/** Answer without the sync context (as a vendor node that only emits the written record). */
	static dropSync = false;
	/** Answer with paired items that lead nowhere (as a Code node that builds new items). */
	static pairNowhere = false;

	description = {
		displayName: 'Fake Vendor',
		name: 'fakeVendor',
		group: ['transform'],
		version: 1,
		description: 'test only',
		defaults: { name: 'Fake Vendor' },
		inputs: ['main'],
		outputs: ['main'],
		properties: [],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return [
			this.getInputData().map((item, i) => {
				const d = item.json as unknown as WriteDecision;
				const vendor = vendors.get(d.system)!;
				const outcome = vendor.apply(d);
				const json: IDataObject = outcome.ok
					? { system: d.system, object: d.object, id: outcome.id!, updatedAt: outcome.updatedAt!, fields: outcome.fields as IDataObject, action: d.action, ...(FakeVendor.dropSync ? {} : { sync: d.sync as unknown as IDataObject }) }
					: { failed: true, stage: 'write', errors: [outcome.error as IDataObject], record: item.json, sync: d.sync as unknown as IDataObject };
				return { json, pairedItem: { item: FakeVendor.pairNowhere ? 999 : i } };
			}),
		];
	}
}

/** Test-only: the templates' "Create or Update?" IF — updates to output 0, everything else to output 1. */
class RouteByAction implements INodeType {
	description = {
		displayName: 'Route By Action',
		name: 'routeByAction',
		group: ['transform'],
		version: 1,
		description: 'test only',
		defaults: { name: 'Route By Action' },
		inputs: ['main'],
		outputs: ['main', 'main'],
		properties: [],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const out: INodeExecutionData[][] = [[], []];
		this.getInputData().forEach((item, i) => out[item.json.action === 'update' ? 0 : 1].push({ json: item.json, pairedItem: { item: i } }));
		return out;
	}
}

const types = new TestNodeTypes({
	'n8n-nodes-fluxcascade.syncLedger': new SyncLedger(),
	'test.splitInputs': new SplitInputs(),
	'test.fakeVendor': new FakeVendor(),
	'test.routeByAction': new RouteByAction(),
});

const MAPPING = {
	name: 'People',
	direction: 'bidirectional',
	pairs: [
		{ source: 'first_name', target: 'firstName', transform: 'trim' },
		{ source: 'last_name', target: 'lastName', transform: 'trim', required: true },
		{ source: 'email', target: 'emails[0].address', transform: 'email_validate' },
	],
};

let dir: string;
let sqlitePath: string;
let clock: StepClock;

beforeEach(() => {
	dir = mkdtempSync(join(tmpdir(), 'fluxcascade-ledger-node-'));
	sqlitePath = join(dir, 'state.sqlite');
	clock = new StepClock();
	vendors.clear();
	vendors.set('pipedrive', new MemoryVendor('pipedrive', 'persons', clock, 'p'));
	vendors.set('jobber', new MemoryVendor('jobber', 'clients', clock, 'j'));
});
afterEach(async () => {
	await closeAllStores();
	rmSync(dir, { recursive: true, force: true });
});

function ledger(parameters: Record<string, unknown>, extra: object = {}) {
	return {
		name: 'Ledger',
		type: 'n8n-nodes-fluxcascade.syncLedger',
		parameters: {
			operation: 'plan',
			mappingSource: 'json',
			mappingJson: JSON.stringify(MAPPING),
			sourceSystem: 'pipedrive',
			sourceObject: 'persons',
			targetSystem: 'jobber',
			targetObject: 'clients',
			mappingId: 'people',
			store: 'sqlite',
			sqlitePath,
			...parameters,
		},
		...extra,
	} as { name: string; type: string; parameters: any };
}

const src = (id: string, fields: object, updatedAt = clock.now()) => ({ _input: 'source', system: 'pipedrive', object: 'persons', id, updatedAt, fields });
const tgt = (id: string, fields: object, updatedAt = clock.now()) => ({ _input: 'target', system: 'jobber', object: 'clients', id, updatedAt, fields });

const planWiring = {
	Fixture: { main: [[{ node: 'Split', type: 'main' as const, index: 0 }]] },
	Split: {
		main: [[{ node: 'Ledger', type: 'main' as const, index: 0 }], [{ node: 'Ledger', type: 'main' as const, index: 1 }]],
	},
};
const split = { name: 'Split', type: 'test.splitInputs', parameters: {} };

async function runPlan(items: IDataObject[], parameters: Record<string, unknown> = {}, extra: object = {}) {
	return runWorkflow(types, { items, nodes: [split, ledger(parameters, extra)], connections: planWiring });
}

test('Plan routes both inputs to the six outputs with paired items pointing at the right input', async () => {
	const res = await runPlan([
		src('p1', { first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com' }),
		src('p2', { first_name: 'Bo', last_name: 'Ng', email: 'bo@example.com' }),
		src('p3', { first_name: 'Cy', email: 'cy@example.com' }),
		src('p4', { first_name: 'Di', last_name: 'Ox', email: 'di@example.com' }),
		tgt('j1', { firstName: 'Bo', lastName: 'Nguyen', emails: [{ address: 'BO@example.com' }] }),
		tgt('j2', { firstName: 'Di', lastName: 'Ox', emails: [{ address: 'di@example.com' }] }),
		tgt('j3', { firstName: 'Di2', lastName: 'Ox', emails: [{ address: 'di@example.com' }] }),
		tgt('j4', { firstName: 'Eve', lastName: 'Fox', emails: [{ address: 'eve@example.com' }] }),
	]);
	expect(res.error()).toBeUndefined();
	const [toTarget, toSource, unchanged, conflict, invalid, summary] = [0, 1, 2, 3, 4, 5].map((o) => res.output('Ledger', o));
	expect(toTarget.map((i) => [i.json.action, i.json.targetId ?? null, i.json.fields])).toEqual([
		['create', null, { firstName: 'Ann', lastName: 'Lee', emails: [{ address: 'ann@example.com' }] }],
	]);
	// p2 pairs with j1 by email (case aside, the same address): the target is newer, so its last name wins and
	// goes to the source; nothing goes to the target for that pair.
	expect(toSource.map((i) => [i.json.action, i.json.targetId ?? null, i.json.fields])).toEqual([
		['update', 'p2', { last_name: 'Nguyen' }],
		['create', null, { first_name: 'Eve', last_name: 'Fox', email: 'eve@example.com' }],
	]);
	expect(toTarget[0].pairedItem).toEqual([{ item: 0, input: 0 }]);
	expect(toSource[0].pairedItem).toEqual([{ item: 1, input: 0 }, { item: 0, input: 1 }]);
	expect(toSource[1].pairedItem).toEqual([{ item: 3, input: 1 }]);
	expect(toTarget[0].json).toMatchObject({ system: 'jobber', object: 'clients', matchKey: { field: 'emails[0].address', value: 'ann@example.com' }, sync: { v: 1, mappingId: 'people' } });
	expect(unchanged).toHaveLength(0);
	expect(conflict.map((i) => [i.json.reason, (i.json.candidates as IDataObject[]).map((c) => c.id)])).toEqual([['ambiguous_match', ['j2', 'j3']]]);
	expect(conflict[0].pairedItem).toEqual([{ item: 3, input: 0 }, { item: 1, input: 1 }, { item: 2, input: 1 }]);
	expect(invalid).toHaveLength(1);
	expect(invalid[0].json).toMatchObject({ failed: true, stage: 'ledger', node: 'Ledger', side: 'source', errorCount: 1, mappingId: 'people' });
	expect((invalid[0].json.errors as IDataObject[])[0]).toMatchObject({ code: 'REQUIRED_FIELD_MISSING', field: 'last_name' });
	expect(invalid[0].pairedItem).toEqual([{ item: 2, input: 0 }]);
	expect(summary).toHaveLength(1);
	expect(summary[0].json).toMatchObject({ mappingId: 'people', dryRun: false, received: { source: 4, target: 4 }, create: { to_target: 1, to_source: 1 }, update: { to_target: 0, to_source: 1 }, conflict: 1, invalid: 1 });
});

describe('either input may be empty', () => {
	test('no target records', async () => {
		const res = await runPlan([src('p9', { first_name: 'Zoe', last_name: 'Z', email: 'zoe@example.com' })]);
		expect(res.output('Ledger', 0).map((i) => i.json.action)).toEqual(['create']);
	});

	// n8n 2.x runs workflows in the "v1" execution order, where a node with an empty first input still runs;
	// the shared harness builds workflows without settings (the legacy order), so this test sets v1 itself.
	test('no source records (v1 execution order, as in n8n 2.x)', async () => {
		const run = WorkflowExecute.prototype.run;
		const spy = jest.spyOn(WorkflowExecute.prototype, 'run').mockImplementation(function (this: WorkflowExecute, options) {
			options.workflow.settings = { ...options.workflow.settings, executionOrder: 'v1' };
			return run.call(this, options);
		});
		try {
			const res = await runPlan([tgt('j9', { firstName: 'Zed', lastName: 'Z', emails: [{ address: 'zed@example.com' }] })]);
			expect(res.error()).toBeUndefined();
			expect(res.output('Ledger', 1).map((i) => [i.json.action, i.pairedItem])).toEqual([['create', [{ item: 0, input: 1 }]]]);
			expect(res.output('Ledger', 5)[0].json).toMatchObject({ received: { source: 0, target: 1 } });
		} finally {
			spy.mockRestore();
		}
	});
});

test('Plan → vendor write → Commit, then the next execution sees the echo as Unchanged', async () => {
	const commit = { name: 'Commit', type: 'n8n-nodes-fluxcascade.syncLedger', parameters: { operation: 'commit', store: 'sqlite', sqlitePath } };
	const vendor = { name: 'Write Target', type: 'test.fakeVendor', parameters: {} };
	const wiring = {
		...planWiring,
		Ledger: { main: [[{ node: 'Write Target', type: 'main' as const, index: 0 }]] },
		'Write Target': { main: [[{ node: 'Commit', type: 'main' as const, index: 0 }]] },
	};
	const items = [src('p1', { first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com' })];
	const first = await runWorkflow(types, { items, nodes: [split, ledger({}), vendor, commit], connections: wiring });
	expect(first.error()).toBeUndefined();
	const committed = first.output('Commit', 0);
	expect(committed.map((i) => i.json.committed)).toEqual([{ status: 'paired', pairVersion: 1 }]);
	expect(committed[0].pairedItem).toEqual({ item: 0 });
	const jobber = vendors.get('jobber')!;
	expect(jobber.records.size).toBe(1);

	// The vendor's echo (its record as written) and the unchanged source: nothing to write.
	const echo = await runPlan([...items, { _input: 'target', ...jobber.envelope([...jobber.records.keys()][0]) }]);
	expect(echo.output('Ledger', 0)).toHaveLength(0);
	expect(echo.output('Ledger', 1)).toHaveLength(0);
	expect(echo.output('Ledger', 2).map((i) => i.json.reason)).toEqual(['unchanged']);

	// A vendor failure reaches Commit's Failed output untouched; nothing is committed.
	jobber.failNext = 1;
	const edited = [src('p1', { first_name: 'Annie', last_name: 'Lee', email: 'ann@example.com' })];
	const failed = await runWorkflow(types, { items: edited, nodes: [split, ledger({}), vendor, commit], connections: wiring });
	expect(failed.output('Commit', 0)).toHaveLength(0);
	expect(failed.output('Commit', 1).map((i) => [i.json.failed, i.json.stage])).toEqual([[true, 'write']]);
	const store = await openSqliteStore({ kind: 'sqlite', path: sqlitePath });
	try {
		expect((await store.getPair('people', 'source', 'p1'))!.sourceSnapshot).toMatchObject({ first_name: 'Ann' });
		// The update carried its pair lease; the refused write released it at Commit, so the retry does not wait.
		expect((failed.output('Commit', 1)[0].json.sync as IDataObject).lease).toMatchObject({ token: expect.any(String) });
		expect(await store.listPairLeases('people')).toEqual([]);
		const started = Date.now();
		const retried = await runWorkflow(types, { items: edited, nodes: [split, ledger({}), vendor, commit], connections: wiring });
		expect(Date.now() - started).toBeLessThan(10_000);
		expect(retried.output('Commit', 0).map((i) => (i.json.committed as IDataObject).status)).toEqual(['updated']);
		expect(await store.listPairLeases('people')).toEqual([]);
	} finally {
		await store.close();
	}
});

test('Commit finds the sync context through paired items when the vendor node does not pass it through', async () => {
	const dropSync = { name: 'Write Target', type: 'test.fakeVendor', parameters: {} };
	const commitNode = {
		name: 'Commit',
		type: 'n8n-nodes-fluxcascade.syncLedger',
		parameters: { operation: 'commit', store: 'sqlite', sqlitePath, syncContext: "={{ $('Ledger').item.json.sync }}" },
	};
	const wiring = {
		...planWiring,
		Ledger: { main: [[{ node: 'Write Target', type: 'main' as const, index: 0 }]] },
		'Write Target': { main: [[{ node: 'Commit', type: 'main' as const, index: 0 }]] },
	};
	FakeVendor.dropSync = true;
	try {
		const res = await runWorkflow(types, {
			items: [src('p1', { first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com' })],
			nodes: [split, ledger({}), dropSync, commitNode],
			connections: wiring,
		});
		expect(res.error()).toBeUndefined();
		expect(res.output('Write Target', 0)[0].json.sync).toBeUndefined();
		expect(res.output('Commit', 0).map((i) => i.json.committed)).toEqual([{ status: 'paired', pairVersion: 1 }]);
	} finally {
		FakeVendor.dropSync = false;
	}
});

describe('Commit finds each sync context without an expression per item', () => {
	const commitNode = (parameters: Record<string, unknown> = {}) => ({
		name: 'Commit',
		type: 'n8n-nodes-fluxcascade.syncLedger',
		parameters: { operation: 'commit', store: 'sqlite', sqlitePath, ...parameters },
	});
	/** Plan → Route (update / create) → two vendor nodes that drop `sync` → one Commit, as in the templates. */
	const routed = {
		...planWiring,
		Ledger: { main: [[{ node: 'Route', type: 'main' as const, index: 0 }]] },
		Route: { main: [[{ node: 'Write Updates', type: 'main' as const, index: 0 }], [{ node: 'Write Creates', type: 'main' as const, index: 0 }]] },
		'Write Updates': { main: [[{ node: 'Commit', type: 'main' as const, index: 0 }]] },
		'Write Creates': { main: [[{ node: 'Commit', type: 'main' as const, index: 0 }]] },
	};
	const routedNodes = (commit: ReturnType<typeof commitNode>) => [
		split,
		ledger({}),
		{ name: 'Route', type: 'test.routeByAction', parameters: {} },
		{ name: 'Write Updates', type: 'test.fakeVendor', parameters: {} },
		{ name: 'Write Creates', type: 'test.fakeVendor', parameters: {} },
		commit,
	];
	const people = (first = 'Ann') => [
		src('p1', { first_name: first, last_name: 'Lee', email: 'ann@example.com' }),
		src('p2', { first_name: 'Bo', last_name: 'Ng', email: 'bo@example.com' }),
		src('p3', { first_name: 'Cy', last_name: 'Oz', email: 'cy@example.com' }),
	];
	/** A node's output items over all its runs (Commit runs once per write node that reaches it). */
	const allRuns = (res: Awaited<ReturnType<typeof runWorkflow>>, node: string, output: number) =>
		(res.run.data.resultData.runData[node] ?? []).flatMap((task) => task.data?.main?.[output] ?? []);
	async function pairs() {
		const store = await openSqliteStore({ kind: 'sqlite', path: sqlitePath });
		try {
			return (await store.listPairs('people')).items.map((p) => [p.source.id, p.target.id, p.version, p.sourceSnapshot?.first_name]);
		} finally {
			await store.close();
		}
	}

	beforeEach(() => {
		FakeVendor.dropSync = true;
	});
	afterEach(() => {
		FakeVendor.dropSync = false;
		FakeVendor.pairNowhere = false;
	});

	test('through paired items back to the Plan, across a router and two write nodes, with the Sync Context parameter left empty', async () => {
		const first = await runWorkflow(types, { items: people().slice(0, 1), nodes: routedNodes(commitNode()), connections: routed });
		expect(first.error()).toBeUndefined();
		expect(first.output('Commit', 0).map((i) => i.json.committed)).toEqual([{ status: 'paired', pairVersion: 1 }]);

		const second = await runWorkflow(types, { items: people('Annie'), nodes: routedNodes(commitNode()), connections: routed });
		expect(second.error()).toBeUndefined();
		expect(second.output('Write Updates', 0).map((i) => i.json.sync)).toEqual([undefined]);
		expect(allRuns(second, 'Commit', 1)).toEqual([]);
		expect(allRuns(second, 'Commit', 0).map((i) => (i.json.committed as IDataObject).status).sort()).toEqual(['paired', 'paired', 'updated']);
		const jobber = vendors.get('jobber')!;
		const idOf = (email: string) => [...jobber.records.entries()].find(([, r]) => (r.fields.emails as IDataObject[])[0].address === email)![0];
		expect(await pairs()).toEqual([
			['p1', idOf('ann@example.com'), 2, 'Annie'],
			['p2', idOf('bo@example.com'), 1, 'Bo'],
			['p3', idOf('cy@example.com'), 1, 'Cy'],
		]);
	});

	test('a Sync Context expression is not evaluated for items the lookup found (each item keeps its own context)', async () => {
		// Were it evaluated, every item would get the first write's context and p2, p3 would not be paired.
		const res = await runWorkflow(types, { items: people(), nodes: routedNodes(commitNode({ syncContext: "={{ $('Ledger').first().json.sync }}" })), connections: routed });
		expect(res.error()).toBeUndefined();
		expect(allRuns(res, 'Commit', 0).map((i) => i.json.committed)).toEqual([1, 2, 3].map(() => ({ status: 'paired', pairVersion: 1 })));
		expect((await pairs()).map((p) => p[0])).toEqual(['p1', 'p2', 'p3']);
	});

	test('items whose paired items lead nowhere: the Sync Context expression when set, else Failed', async () => {
		FakeVendor.pairNowhere = true;
		const without = await runWorkflow(types, { items: people().slice(0, 2), nodes: routedNodes(commitNode()), connections: routed });
		expect(allRuns(without, 'Commit', 0)).toEqual([]);
		expect(allRuns(without, 'Commit', 1).map((i) => i.json.reason)).toEqual(['no_sync_context', 'no_sync_context']);

		const withExpression = await runWorkflow(types, {
			items: people().slice(0, 2),
			nodes: routedNodes(commitNode({ syncContext: "={{ $('Ledger').all()[$itemIndex].json.sync }}" })),
			connections: routed,
		});
		expect(allRuns(withExpression, 'Commit', 1)).toEqual([]);
		expect(allRuns(withExpression, 'Commit', 0).map((i) => i.json.committed)).toEqual([1, 2].map(() => ({ status: 'paired', pairVersion: 1 })));
		expect((await pairs()).map((p) => p[0])).toEqual(['p1', 'p2']);
	});
});

test('carriedSyncContext finds the context on the answer, in a failed item\'s record, or one level deeper; toOutcome uses it', () => {
	const sync = { v: 1, mappingId: 'm', action: 'create', direction: 'to_target', source: null, target: null, writeTo: { system: 'a', object: 'b' }, pairVersion: null, snapshot: { source: [], target: [] }, written: [], updatedAt: { source: null, target: null } };
	expect(carriedSyncContext({ id: '1', sync })).toBe(sync);
	expect(carriedSyncContext({ failed: true, record: { action: 'create', sync } })).toBe(sync);
	expect(carriedSyncContext({ failed: true, record: { failed: true, record: { sync } } })).toBe(sync);
	expect(carriedSyncContext({ sync: { v: 2 }, record: { sync } })).toBe(sync);
	expect(carriedSyncContext({ id: '1', fields: { sync: 'x' } })).toBeUndefined();
	expect(carriedSyncContext({ record: 'text' })).toBeUndefined();
	expect(toOutcome({ failed: true, stage: 'write', record: { sync, fields: { a: 1 } } })).toMatchObject({ sync, ok: false, fields: { a: 1 } });
	// A malformed context still reaches Commit (which reports it as no_sync_context).
	expect(toOutcome({ id: '1', sync: { v: 2 } }).sync).toEqual({ v: 2 });
});

test('Commit sends items without a sync context to Failed as classified ledger failures', async () => {
	const res = await runWorkflow(types, {
		items: [{ id: 'x', fields: {} }],
		nodes: [{ name: 'Commit', type: 'n8n-nodes-fluxcascade.syncLedger', parameters: { operation: 'commit', store: 'sqlite', sqlitePath } }],
	});
	const [bad] = res.output('Commit', 1);
	expect(bad.json).toMatchObject({ failed: true, stage: 'ledger', node: 'Commit', reason: 'no_sync_context' });
	expect((bad.json.errors as IDataObject[])[0]).toMatchObject({ code: 'FIELD_NOT_FOUND', field: 'sync' });
});

test('dry run: every output and the summary, and nothing stored', async () => {
	const res = await runPlan(
		[src('p1', { first_name: 'Ann', last_name: 'Lee', email: 'ann@example.com' }), tgt('j1', { firstName: 'Bo', lastName: 'Ng', emails: [{ address: 'bo@example.com' }] })],
		{ dryRun: true },
	);
	expect(res.output('Ledger', 0).map((i) => [i.json.action, (i.json.sync as IDataObject).dryRun])).toEqual([['create', true]]);
	expect(res.output('Ledger', 5)[0].json).toMatchObject({ dryRun: true, create: { to_target: 1, to_source: 1 } });
	const store = await openSqliteStore({ kind: 'sqlite', path: sqlitePath });
	try {
		expect((await store.pairStats('people')).pairs).toBe(0);
		expect(await store.openIntents('people')).toHaveLength(0);
		expect((await store.runTotals({ mappingId: 'people' })).runs).toBe(0);
	} finally {
		await store.close();
	}
});

describe('On Error', () => {
	const badMapping = { mappingJson: JSON.stringify({ pairs: [{ source: 'a', target: 'x' }, { source: 'b', target: 'x' }] }) };
	const items = () => [src('p1', { a: 1 })];

	test('stop: a mapping mistake fails the node and names the pair', async () => {
		const res = await runPlan(items(), badMapping);
		expect(res.error()?.message).toMatch(/Field pair #2 \(b → x\): target "x" is already written by pair #1/);
	});

	test('continue (regular output): one error item on the first output', async () => {
		const res = await runPlan(items(), badMapping, { onError: 'continueRegularOutput' });
		expect(res.error()).toBeUndefined();
		expect(res.output('Ledger', 0).map((i) => i.json.error)).toEqual([expect.stringMatching(/already written by pair #1/)]);
	});

	test('continue (error output): the error goes to the extra error output', async () => {
		const res = await runPlan(items(), badMapping, { onError: 'continueErrorOutput' });
		expect(res.error()).toBeUndefined();
		expect(res.output('Ledger', 0)).toHaveLength(0);
		expect(res.output('Ledger', 6).map((i) => i.json.error)).toEqual([expect.stringMatching(/already written by pair #1/)]);
	});
});

test('Unlink forgets a pair by either side; Stats reports pairs and runs', async () => {
	const store = await openSqliteStore({ kind: 'sqlite', path: sqlitePath });
	try {
		for (const n of [1, 2]) {
			await store.pairRecord({ mappingId: 'people', source: { system: 'pipedrive', object: 'persons', id: `p${n}` }, target: { system: 'jobber', object: 'clients', id: `j${n}` } });
		}
	} finally {
		await store.close();
	}
	const common = { mappingSource: 'json', mappingJson: JSON.stringify(MAPPING), mappingId: 'people', store: 'sqlite', sqlitePath };
	const unlinked = await runWorkflow(types, {
		items: [{ id: 'j1' }, { id: 'nope' }],
		nodes: [{ name: 'Unlink', type: 'n8n-nodes-fluxcascade.syncLedger', parameters: { operation: 'unlink', side: 'target', recordId: '={{ $json.id }}', ...common } }],
	});
	expect(unlinked.output('Unlink', 0).map((i) => [i.json.id, i.json.unlinked])).toEqual([
		['j1', true],
		['nope', false],
	]);
	const stats = await runWorkflow(types, {
		items: [{}],
		nodes: [{ name: 'Stats', type: 'n8n-nodes-fluxcascade.syncLedger', parameters: { operation: 'stats', ...common } }],
	});
	expect(stats.output('Stats', 0)[0].json).toMatchObject({ mappingId: 'people', pairs: 1, openIntents: 0, runs: { runs: 0 } });
});

test('the mapping id defaults to the workflow id and the preset', async () => {
	const res = await runPlan(
		[{ _input: 'source', system: 'salesforce', object: 'Contact', id: '003A', updatedAt: clock.now(), fields: { LastName: 'Lee', Email: 'ann@example.com' } }],
		{ mappingSource: 'preset', preset: 'salesforce_contact_hubspot_contact', mappingId: '' },
	);
	expect(res.output('Ledger', 5)[0].json.mappingId).toBe('test-workflow:salesforce_contact_hubspot_contact');
	expect(res.output('Ledger', 0)[0].json).toMatchObject({ system: 'hubspot', object: 'contacts', matchKey: { field: 'email', value: 'ann@example.com' } });
});

test('the embedded store lives in the n8n user folder', () => {
	expect(defaultSqlitePath({ N8N_USER_FOLDER: '/data' })).toBe('/data/.n8n/fluxcascade.sqlite');
	expect(defaultSqlitePath({ HOME: '/home/node' })).toBe('/home/node/.n8n/fluxcascade.sqlite');
});

test('the PostgreSQL credential becomes a pool config (secrets only in memory), and the store opens with it', async () => {
	const config = postgresConfig({ host: 'db.internal', port: 6543, database: 'n8n', user: 'flux', password: 's3cret', schema: 'sync_state', ssl: 'allow_unauthorized' });
	expect(config).toEqual({
		kind: 'postgres',
		schema: 'sync_state',
		pool: { host: 'db.internal', port: 6543, database: 'n8n', user: 'flux', password: 's3cret', ssl: { rejectUnauthorized: false } },
	});
	expect(postgresConfig({ ssl: 'require' })).toMatchObject({ pool: { host: 'localhost', port: 5432, ssl: true } });
	if (!requireService(postgresAvailableSync())) return;
	const url = new URL(POSTGRES_URL);
	const schema = `ledger_cred_${process.pid}`;
	const store = await openStore(
		postgresConfig({ host: url.hostname, port: Number(url.port || 5432), database: url.pathname.slice(1), user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), schema }),
	);
	try {
		expect(await store.info()).toMatchObject({ backend: 'postgres', location: schema });
	} finally {
		await store.close();
		const c = new Client({ connectionString: POSTGRES_URL });
		await c.connect();
		await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await c.end();
	}
});
