/**
 * One measured run: a fresh sandbox and n8n, the workflow imported, the vendors seeded, then one timed execution
 * with the sandbox counters, the Jobber cost meter and the n8n process's resident memory watched, and the
 * vendors' end state checked record by record.
 */
import * as path from 'node:path';
import type { SandboxOptions, VendorName } from '../../sandbox';
import { closeAllStores, openStore } from '../../sync/store';
import type { Ceiling } from './ceiling';
import { CostMeter, type CostTotals } from './costMeter';
import { log, RssSampler, Stack, type ExecutionResult, type Json } from './harness';
import { readLimits, type Limits } from './limits';
import { benchCopy, ensureCredentials } from './workflows';

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
	/** Which trigger node to swap when the workflow has several run triggers. */
	triggerName?: string;
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
	execution: ExecutionResult;
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
	outcome: Outcome;
	failed: number;
	/** Review-queue items the run parked, by error code (FluxCascade runs only). */
	parked?: Record<string, number>;
	peakRssMB: number;
	idleRssMB: number;
}

export async function measure(prepared: string, workDir: string, spec: RunSpec): Promise<RunResult> {
	log(`${spec.id}: ${spec.title} — ${spec.implementation}, ${spec.records.toLocaleString('en')} records, time scale ×${spec.timeScale}`);
	const stack = await Stack.start(prepared, workDir, { name: spec.id, timeScale: spec.timeScale, vendors: spec.vendors, sandbox: spec.sandbox });
	let meter: CostMeter | undefined;
	try {
		const limits = await readLimits(stack, spec.vendors);
		if (spec.vendors.includes('jobber')) meter = await CostMeter.start(stack.sandbox.url('jobber'));
		const { workflow, webhookPath } = benchCopy(spec.workflow, spec.id, { triggerName: spec.triggerName });
		const wf = spec.adapt ? spec.adapt(workflow, stack, meter?.url) : workflow;
		await ensureCredentials(stack, wf, meter?.url);
		const t0 = Date.now();
		await spec.seed(stack);
		log(`${spec.id}: seeded in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
		const workflowId = await stack.importWorkflow(wf);
		const run = () => stack.runWebhook(workflowId, webhookPath);
		if (spec.prepare) {
			const t1 = Date.now();
			await spec.prepare(stack, run);
			log(`${spec.id}: prepared in ${((Date.now() - t1) / 1000).toFixed(1)} s`);
		}
		await stack.resetCounters(spec.vendors);
		meter?.reset();
		const sampler = new RssSampler(stack.pid);
		const idleRssMB = sampler.startKb / 1024;
		const execution = await run();
		const peakRssMB = sampler.stop();
		log(`${spec.id}: execution ${execution.status} in ${execution.wallS.toFixed(1)} s${execution.error ? ` — ${execution.error}` : ''}`);

		const calls: Partial<Record<VendorName, number>> = {};
		let status429 = 0;
		let status403Limit = 0;
		for (const v of spec.vendors) {
			const c = await stack.counters(v);
			calls[v] = c.total;
			status429 += c.byStatus['429'] ?? 0;
			if (v === 'salesforce') status403Limit += c.byStatus['403'] ?? 0;
		}
		const outcome = await spec.verify(stack);
		let parked: Record<string, number> | undefined;
		if (!spec.baseline) {
			const store = await openStore({ kind: 'sqlite', path: path.join(stack.userFolder, '.n8n', 'fluxcascade.sqlite') });
			try {
				parked = (await store.reviewMetrics({})).byCode;
			} finally {
				await store.close();
				await closeAllStores();
			}
		}
		const ceiling = await spec.ceiling(limits);
		const wallS = execution.wallS;
		const vendorS = wallS * spec.timeScale;
		const callsTotal = Object.values(calls).reduce((a, b) => a + (b ?? 0), 0);
		return {
			id: spec.id,
			title: spec.title,
			implementation: spec.implementation,
			baseline: spec.baseline,
			records: spec.records,
			timeScale: spec.timeScale,
			execution,
			wallS,
			vendorS,
			rate: outcome.arrived / Math.max(vendorS, 1e-9),
			ceiling,
			limits,
			calls,
			callsTotal,
			status429,
			status403Limit,
			jobber: meter ? { ...meter.totals } : undefined,
			outcome,
			failed: Math.max(0, outcome.expected - outcome.arrived),
			parked,
			peakRssMB,
			idleRssMB,
		};
	} finally {
		await meter?.close();
		await stack.stop(!!process.env.FLUX_KEEP_BENCH);
	}
}
