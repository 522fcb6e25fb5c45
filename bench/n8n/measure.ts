/**
 * One measured run: a fresh sandbox and n8n, the workflow imported, the vendors seeded, then one timed execution
 * (or a timed chain: poll rounds, or a controller and the executions it runs) with the sandbox counters, the Jobber cost meter and the n8n process's resident memory watched, and the
 * vendors' end state checked record by record.
 */
import * as path from 'node:path';
import type { SandboxOptions, VendorName } from '../../sandbox';
import { closeAllStores, openStore } from '../../sync/store';
import { ceilingOf, timeFor, type Ceiling, type DemandTime } from './ceiling';
import { CostMeter, type CostTotals } from './costMeter';
import { log, RssSampler, sleep, Stack, type ExecutionResult, type Json } from './harness';
import { readLimits, type Limits } from './limits';
import { benchCopy, benchPollCopy, ensureCredentials } from './workflows';

export interface Outcome {
	/** Records the run had to bring to the target(s). */
	expected: number;
	/** Of those, the ones found in the target with the right match key. */
	arrived: number;
	/** Target records that share a match key (created twice). */
	duplicates: number;
	notes: string[];
}

export interface RunSpec {
	id: string;
	title: string;
	/** `FluxCascade template …` or `baseline …`, for the table. */
	implementation: string;
	workflow: Json;
	/**
	 * How a run starts: `webhook` (default) swaps the run trigger (`triggerName` when there are several) for a
	 * Webhook and posts to it; `poll` keeps the template's poll trigger, sets its `parameters`, and drives it as its
	 * schedule would, back to back, until every record arrived (Stack.runPolls).
	 */
	trigger?:
		| { kind: 'webhook'; triggerName?: string }
		| { kind: 'poll'; triggerName: string; parameters: Json; maxRounds: number; done: (stack: Stack) => Promise<boolean> }
		/**
		 * `chain`: started like `webhook`, but the run is a controller execution that runs further executions of the
		 * same workflow (the historical migration's chunks, Execute Workflow on itself): measured as one run from the
		 * controller's start to its stop, every execution of the workflow in between counted.
		 */
		| { kind: 'chain'; triggerName?: string };
	baseline: boolean;
	vendors: VendorName[];
	records: number;
	timeScale: number;
	/** Vendor options (limits are the vendors' real ones unless a scenario says otherwise). */
	sandbox: Omit<SandboxOptions, 'timeScale' | 'vendors'>;
	/** Bench-side changes to the bench copy before import (baselines: hosts and pacing). */
	adapt?: (wf: Json, stack: Stack, jobberUrl: string | undefined) => Json;
	/** Seeds the vendors (counters are reset afterwards). */
	seed: (stack: Stack) => Promise<void>;
	/** Untimed runs before the timed one (pairing for an incremental round) and the changes to sync. */
	prepare?: (stack: Stack, run: () => Promise<ExecutionResult>) => Promise<void>;
	verify: (stack: Stack) => Promise<Outcome>;
	/** The fastest the vendors' limits allow for the work (from the limits the sandbox reported at rest). */
	ceiling: (limits: Limits) => Promise<Ceiling>;
}

export interface RunResult {
	id: string;
	title: string;
	implementation: string;
	baseline: boolean;
	records: number;
	timeScale: number;
	/** The timed execution (poll-driven runs: the span of all rounds, the status of the first failed one or the last). */
	execution: ExecutionResult;
	/** Executions in the timed span (poll-driven runs take one per poll). */
	executions: number;
	/** Real seconds (n8n's execution start → stop) and the vendor seconds they stand for. */
	wallS: number;
	vendorS: number;
	/** Records per vendor second. */
	rate: number;
	ceiling: Ceiling;
	limits: Limits;
	calls: Partial<Record<VendorName, number>>;
	callsTotal: number;
	status429: number;
	/** Salesforce's throttle is 403 REQUEST_LIMIT_EXCEEDED. */
	status403Limit: number;
	jobber?: CostTotals;
	/** HTTP 429 answers by vendor and route. */
	throttledRoutes: Record<string, number>;
	/** Sandbox counters per vendor and route. */
	byRoute: Partial<Record<VendorName, Record<string, number>>>;
	/**
	 * The least vendor time the limits allow for the calls and points this run actually spent (not the API
	 * minimum): how close the pacing came to the limits, apart from how much work the nodes asked for.
	 */
	pacing: Ceiling;
	outcome: Outcome;
	failed: number;
	/** Review-queue items the run parked, by error code (FluxCascade runs only). */
	parked?: Record<string, number>;
	/** Of those, the ones parked for a connection error (rate limit, timeout, authentication, permission). */
	parkedConnection?: number;
	/** Records missing from the target that no review item accounts for (lost, not parked with a reason). */
	unaccounted: number;
	peakRssMB: number;
	idleRssMB: number;
	/** Where the execution's time went, per node (n8n's executionTime). */
	nodeTimes: Array<{ node: string; ms: number; runs: number; items: number }>;
	/** Per execution (poll-driven runs have one per poll): its wall time and slowest nodes. */
	executionTimes?: Array<{ status: string; wallS: number; topNodes: Array<{ node: string; ms: number; runs: number; items: number }> }>;
}

export async function measure(prepared: string, workDir: string, spec: RunSpec): Promise<RunResult> {
	log(`${spec.id}: ${spec.title} — ${spec.implementation}, ${spec.records.toLocaleString('en')} records, time scale ×${spec.timeScale}`);
	const stack = await Stack.start(prepared, workDir, { name: spec.id, timeScale: spec.timeScale, vendors: spec.vendors, sandbox: spec.sandbox });
	let meter: CostMeter | undefined;
	try {
		const limits = await readLimits(stack, spec.vendors);
		if (spec.vendors.includes('jobber')) meter = await CostMeter.start(stack.sandbox.url('jobber'));
		const trigger = spec.trigger ?? { kind: 'webhook' as const };
		const copy =
			trigger.kind === 'poll'
				? { workflow: benchPollCopy(spec.workflow, spec.id, trigger.triggerName, trigger.parameters), webhookPath: '' }
				: benchCopy(spec.workflow, spec.id, { triggerName: trigger.triggerName });
		const chained = trigger.kind === 'chain';
		const { webhookPath } = copy;
		const wf = spec.adapt ? spec.adapt(copy.workflow, stack, meter?.url) : copy.workflow;
		await ensureCredentials(stack, wf, meter?.url);
		const t0 = Date.now();
		await spec.seed(stack);
		log(`${spec.id}: seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		const imported = await stack.importWorkflow(wf, trigger.kind !== 'poll');
		const run = () => stack.runWebhook(imported.id, webhookPath);
		if (spec.prepare) {
			const t1 = Date.now();
			await spec.prepare(stack, run);
			log(`${spec.id}: prepared in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
		}
		await stack.resetCounters(spec.vendors);
		meter?.reset();
		const sampler = new RssSampler(stack.pid);
		const idleRssMB = sampler.startKb / 1024;
		let execution: ExecutionResult;
		let executions: ExecutionResult[];
		let wallS: number;
		let failedChunk: ExecutionResult | undefined;
		if (trigger.kind === 'poll') {
			const polled = await stack.runPolls(imported, () => trigger.done(stack), trigger.maxRounds);
			executions = polled.executions;
			if (!executions.length) throw new Error('the poll trigger found nothing to sync');
			const failedRun = executions.find((e) => e.status !== 'success');
			execution = { ...(failedRun ?? executions[executions.length - 1]), startedAt: polled.startedAt, stoppedAt: polled.stoppedAt, wallS: polled.wallS };
			wallS = polled.wallS;
		} else if (chained) {
			const chain = await runChain(stack, imported.id, webhookPath);
			execution = chain.controller;
			executions = [chain.controller, ...chain.chunks];
			wallS = execution.wallS;
			failedChunk = chain.chunks.find((e) => e.status !== 'success');
		} else {
			execution = await run();
			executions = [execution];
			wallS = execution.wallS;
		}
		const peakRssMB = sampler.stop();
		// A chained run's failed chunk is read only now, so its saved data is not parsed while memory is sampled.
		if (failedChunk) {
			const chunk = failedChunk;
			const detail = await stack.waitForExecution(chunk.id, 60_000).catch((err: Error) => ({ ...chunk, error: err.message }));
			execution = { ...execution, status: chunk.status, error: `chunk execution ${chunk.id}: ${detail.error ?? chunk.status}` };
		}
		log(`${spec.id}: ${executions.length} execution(s), ${execution.status}, ${wallS.toFixed(1)} s${execution.error ? ` — ${execution.error}` : ''}`);

		const calls: Partial<Record<VendorName, number>> = {};
		const byRoute: Partial<Record<VendorName, Record<string, number>>> = {};
		const throttled: Record<string, number> = {};
		let status429 = 0;
		let status403Limit = 0;
		for (const v of spec.vendors) {
			const c = await stack.counters(v);
			calls[v] = c.total;
			byRoute[v] = c.byRoute;
			if (c.byStatus['429']) {
				const refused = await stack.admin<Array<{ route: string }>>(v, 'GET', '/_sandbox/requests?status=429');
				for (const e of refused) throttled[`${v} ${e.route}`] = (throttled[`${v} ${e.route}`] ?? 0) + 1;
			}
			status429 += c.byStatus['429'] ?? 0;
			if (v === 'salesforce') status403Limit += c.byStatus['403'] ?? 0;
		}
		const perExecution = await Promise.all(
				executions.map((e) =>
					stack.nodeTimes(e.id).catch((err: Error) => {
						log(`${spec.id}: time per node not readable for execution ${e.id} (${err.message.slice(0, 200)})`);
						return [];
					}),
				),
		);
		const nodeTimes = mergeNodeTimes(perExecution);
		log(`${spec.id}: time per node: ${nodeTimes.slice(0, 6).map((t) => `${t.node} ${(t.ms / 1000).toFixed(1)} s`).join(', ')}`);
		if (meter) log(`${spec.id}: Jobber ${meter.totals.points} points in ${meter.totals.requests} documents: ${JSON.stringify(meter.totals.byField)}`);
		const outcome = await spec.verify(stack);
		let parked: Record<string, number> | undefined;
		let parkedConnection: number | undefined;
		if (!spec.baseline) {
			const store = await openStore({ kind: 'sqlite', path: path.join(stack.userFolder, '.n8n', 'fluxcascade.sqlite') });
			try {
				const metrics = await store.reviewMetrics({});
				parked = metrics.byCode;
				parkedConnection = metrics.byCategory.Connection ?? 0;
			} finally {
				await store.close();
				await closeAllStores();
			}
		}
		const ceiling = await spec.ceiling(limits);
		const vendorS = wallS * spec.timeScale;
		const jobberTotals = meter ? { ...meter.totals } : undefined;
		const pacing = pacingFloor(byRoute, jobberTotals, limits);
		const callsTotal = Object.values(calls).reduce((a, b) => a + (b ?? 0), 0);
		return {
			id: spec.id,
			title: spec.title,
			implementation: spec.implementation,
			baseline: spec.baseline,
			records: spec.records,
			timeScale: spec.timeScale,
			execution,
			executions: executions.length,
			wallS,
			vendorS,
			rate: outcome.arrived / Math.max(vendorS, 1e-9),
			ceiling,
			limits,
			calls,
			callsTotal,
			status429,
			status403Limit,
			jobber: jobberTotals,
			byRoute,
			throttledRoutes: throttled,
			pacing,
			outcome,
			failed: Math.max(0, outcome.expected - outcome.arrived),
			parked,
			parkedConnection,
			// A record parked for review with a data reason (a duplicate, an invalid value) is accounted for by design.
			unaccounted: Math.max(0, outcome.expected - outcome.arrived - (parked ? Object.values(parked).reduce((a, b) => a + b, 0) - (parkedConnection ?? 0) : 0)),
			peakRssMB,
			idleRssMB,
			nodeTimes,
			executionTimes: executions.map((e, i) => ({ status: e.status, wallS: e.wallS, topNodes: perExecution[i].slice(0, 4) })),
		};
	} finally {
		await meter?.close();
		await stack.stop(!!process.env.FLUX_KEEP_BENCH);
	}
}

/**
 * A chained run: the webhook starts the controller execution, which runs the chunks as further executions of the
 * same workflow and waits for each; the run is over when the controller stops (or n8n logs that it could not save
 * it). The controller is the first execution the webhook created; every later one of the workflow is a chunk.
 */
async function runChain(stack: Stack, workflowId: string, webhookPath: string): Promise<{ controller: ExecutionResult; chunks: ExecutionResult[] }> {
	const mark = stack.logMark();
	const before = new Set((await stack.executions(workflowId)).map((e) => e.id));
	const deadline = Date.now() + 30_000;
	for (;;) {
		const res = await fetch(`${stack.n8n.url}/webhook/${webhookPath}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
		await res.arrayBuffer();
		if (res.ok) break;
		if (res.status !== 404 || Date.now() > deadline) throw new Error(`webhook ${webhookPath} → ${res.status}`);
		await sleep(300);
	}
	const fresh = async () => (await stack.executions(workflowId)).filter((e) => !before.has(e.id)).sort((a, b) => Number(a.id) - Number(b.id));
	let first: { id: string } | undefined;
	for (const end = Date.now() + 30_000; !first; ) {
		first = (await fresh())[0];
		if (!first && Date.now() > end) throw new Error('the webhook started no execution');
		if (!first) await sleep(250);
	}
	const controller = await stack.waitForExecution(first.id, undefined, mark);
	// The chunks from the execution list: reading each one's saved data (a chunk's worth of records per node) would
	// make n8n parse it while memory is still being sampled. A failed chunk's error is read after the run.
	const chunks: ExecutionResult[] = (await fresh())
		.filter((x) => x.id !== first.id)
		.map((e) => {
			const startedAt = Date.parse(e.startedAt ?? '');
			const stoppedAt = Date.parse(e.stoppedAt ?? '');
			return { id: e.id, status: e.status, startedAt, stoppedAt, wallS: (stoppedAt - startedAt) / 1000 };
		});
	log(`  ${chunks.length} chunk execution(s): ${chunks.map((c) => `${c.wallS.toFixed(1)} s`).join(', ')}`);
	return { controller, chunks };
}

function mergeNodeTimes(lists: Array<Array<{ node: string; ms: number; runs: number; items: number }>>): Array<{ node: string; ms: number; runs: number; items: number }> {
	const by = new Map<string, { node: string; ms: number; runs: number; items: number }>();
	for (const list of lists)
		for (const t of list) {
			const prev = by.get(t.node);
			by.set(t.node, prev ? { node: t.node, ms: prev.ms + t.ms, runs: prev.runs + t.runs, items: prev.items + t.items } : { ...t });
		}
	return [...by.values()].sort((a, b) => b.ms - a.ms);
}

/** The limits' floor for what a run spent, from the sandbox counters (and the Jobber meter's points). */
export function pacingFloor(byRoute: Partial<Record<VendorName, Record<string, number>>>, jobber: CostTotals | undefined, limits: Limits): Ceiling {
	const parts: DemandTime[] = [];
	const sum = (routes: Record<string, number> | undefined, pick: (route: string) => boolean) => Object.entries(routes ?? {}).reduce((a, [r, n]) => a + (pick(r) ? n : 0), 0);
	if (limits.hubspot && byRoute.hubspot) {
		const search = sum(byRoute.hubspot, (r) => r.endsWith('.search'));
		const standard = sum(byRoute.hubspot, (r) => !r.endsWith('.search') && !r.startsWith('oauth'));
		parts.push(timeFor({ vendor: 'HubSpot', limit: { kind: 'window', label: `search ${limits.hubspot.searchPerSecond} / s`, limit: limits.hubspot.searchPerSecond, windowMs: 1000 }, amount: search, what: `${search} searches` }));
		parts.push(timeFor({ vendor: 'HubSpot', limit: { kind: 'window', label: `${limits.hubspot.tenSecond} requests / 10 s`, limit: limits.hubspot.tenSecond, windowMs: 10_000 }, amount: standard, what: `${standard} other calls` }));
	}
	if (limits.pipedrive && byRoute.pipedrive) {
		const total = sum(byRoute.pipedrive, (r) => !r.startsWith('oauth'));
		parts.push(timeFor({ vendor: 'Pipedrive', limit: { kind: 'window', label: `${limits.pipedrive.burst} requests / ${limits.pipedrive.burstWindowMs / 1000} s`, limit: limits.pipedrive.burst, windowMs: limits.pipedrive.burstWindowMs }, amount: total, what: `${total} calls` }));
	}
	if (limits.jobber && jobber) {
		const l = limits.jobber;
		parts.push(timeFor({ vendor: 'Jobber', limit: { kind: 'bucket', label: `cost ${l.maximumAvailable} + ${l.restoreRate} / s`, maximum: l.maximumAvailable, restorePerSecond: l.restoreRate }, amount: jobber.points, what: `${jobber.points} points spent` }));
		parts.push(timeFor({ vendor: 'Jobber', limit: { kind: 'window', label: `${l.ddosLimit} requests / ${l.ddosWindowMs / 60_000} min`, limit: l.ddosLimit, windowMs: l.ddosWindowMs }, amount: jobber.requests, what: `${jobber.requests} documents` }));
	}
	return ceilingOf(parts);
}
