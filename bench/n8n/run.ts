/**
 * npm run bench — end-to-end sync throughput of the templates in a REAL n8n (the packed package installed as n8n
 * installs community packages) against the vendor sandboxes with the vendors' real rate limits on a compressed
 * clock, next to the fastest those limits allow, and next to the same work built with n8n's own nodes only.
 *
 *   bash scripts/with-node24.sh npx tsx bench/n8n/run.ts [options]
 *     --records N        records for scenarios 1–3 and the baselines (default 10,000)
 *     --large N          records for scenario 4, the memory run (default 100,000)
 *     --quick            skip the 100,000-record runs (s4, s4p)
 *     --only s2,b2       run only these (s1 s1p s2 s3 s4 s4p scenarios, b1 b2 baselines)
 *     --time-scale 5     vendor time per real time for every run, or per run: s1=5,b1=5,s2=1
 *     --out FILE         where to write the report (default BENCHMARKS.md); --no-write prints only
 *     --note "…"         a line added to the report (e.g. what else ran on the machine)
 *     --render FILE      write the report again from a run's raw figures (artifacts/bench-n8n.json); runs nothing
 *
 * Scenarios: s1 HubSpot → Jobber backfill with the one-off migration template (historical-migration.json), s1p
 * the same through the ongoing sync's poll trigger from the beginning (hubspot-jobber-clients.json), s2 HubSpot →
 * Salesforce (salesforce-hubspot-contacts.json), s3 an incremental Pipedrive ⇄ Jobber round
 * (pipedrive-jobber-clients.json), s4 / s4p = s1 / s1p at the large size; b1, b2 = s1, s2 built without this package
 * (bench/n8n/baseline/).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { N8N_VERSION, ROOT } from '../../scripts/n8n/runtime';
import { benchWorkDir, log, preparePackage } from './harness';
import { measure, type RunResult } from './measure';
import { aimLines, aims, ceilingLines, machine, table } from './report';
import { plan, probeJobberCosts, SANDBOX, SEED, type JobberCosts } from './scenarios';

/** Default time scales: 1 where n8n's own processing would otherwise dominate, more where the limits make runs long. */
const DEFAULT_SCALE: Record<string, number> = { s1: 1, b1: 5, s1p: 5, s2: 1, b2: 1, s3: 10, s4: 25, s4p: 25 };
const ORDER = ['s2', 'b2', 's1', 'b1', 's1p', 's3', 's4', 's4p'];
const LARGE = new Set(['s4', 's4p']);

interface Args {
	records: number;
	large: number;
	quick: boolean;
	only?: string[];
	scale: Record<string, number>;
	out?: string;
	note?: string;
}

function parseArgs(argv: string[]): Args {
	const value = (name: string) => {
		const i = argv.indexOf(`--${name}`);
		return i >= 0 ? argv[i + 1] : undefined;
	};
	const num = (name: string, fallback: number) => {
		const v = value(name);
		if (v === undefined) return fallback;
		const n = Number(v.replace(/[,_]/g, ''));
		if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} needs a positive number, got "${v}"`);
		return n;
	};
	const scale = { ...DEFAULT_SCALE };
	const ts = value('time-scale');
	if (ts) {
		if (/^[\d.]+$/.test(ts)) for (const k of Object.keys(scale)) scale[k] = Number(ts);
		else
			for (const part of ts.split(',')) {
				const [k, v] = part.split('=');
				if (!(k in scale) || !(Number(v) > 0)) throw new Error(`--time-scale: bad entry "${part}"`);
				scale[k] = Number(v);
			}
	}
	return {
		records: num('records', 10_000),
		large: num('large', 100_000),
		quick: argv.includes('--quick'),
		only: value('only')?.split(',').map((s) => s.trim()),
		scale,
		out: argv.includes('--no-write') ? undefined : path.resolve(ROOT, value('out') ?? 'BENCHMARKS.md'),
		note: value('note'),
	};
}

function command(args: Args): string {
	const parts = ['npm run bench --'];
	if (args.records !== 10_000) parts.push(`--records ${args.records}`);
	if (args.large !== 100_000) parts.push(`--large ${args.large}`);
	if (args.quick) parts.push('--quick');
	if (args.only) parts.push(`--only ${args.only.join(',')}`);
	const custom = Object.entries(args.scale).filter(([k, v]) => DEFAULT_SCALE[k] !== v);
	if (custom.length) parts.push(`--time-scale ${custom.map(([k, v]) => `${k}=${v}`).join(',')}`);
	return parts.length === 1 ? 'npm run bench' : parts.join(' ');
}

/**
 * `--render FILE[,FILE…]`: writes the report again from runs' raw figures (artifacts/bench-n8n.json), running
 * nothing. With several files (a run, then a re-run of some scenarios with `--only`), a later file's result
 * replaces an earlier one of the same scenario; machine facts come from the first, load and time add up.
 */
function render(files: string, args: Args): void {
	const raws = files.split(',').map((file) => {
		const raw = JSON.parse(fs.readFileSync(path.resolve(ROOT, file), 'utf8')) as { machine: { date: string }; minutes?: number };
		raw.minutes ??= (fs.statSync(path.resolve(ROOT, file)).mtimeMs - Date.parse(raw.machine.date)) / 60_000;
		return raw;
	});
	interface Raw {
		machine: ReturnType<typeof machine>;
		args: Args;
		minutes: number;
		jobberCosts?: JobberCosts;
		results: RunResult[];
		missing: Array<{ id: string; title: string; missing: string }>;
		failures: Array<{ id: string; error: string }>;
	}
	const raw: Raw = { ...(raws[0] as Raw), results: [], missing: [], failures: [] };
	for (const r of raws as unknown as Raw[]) {
		for (const result of r.results) raw.results = [...raw.results.filter((x) => x.id !== result.id), result];
		raw.missing = [...raw.missing.filter((x) => !r.results.some((y) => y.id === x.id)), ...r.missing];
		raw.failures = [...raw.failures.filter((x) => !r.results.some((y) => y.id === x.id)), ...r.failures];
		raw.jobberCosts ??= r.jobberCosts;
	}
	raw.results.sort((a, b) => ORDER.indexOf(a.id) - ORDER.indexOf(b.id));
	raw.failures = raw.failures.filter((f) => !raw.results.some((x) => x.id === f.id));
	const all = raws as unknown as Raw[];
	raw.machine = { ...all[0].machine, loadEnd: all[all.length - 1].machine.loadEnd };
	const minutes = all.reduce((a, r) => a + r.minutes, 0);
	const only = all.some((r) => !r.args.only) ? undefined : [...new Set(all.flatMap((r) => r.args.only ?? []))];
	const runArgs: Args = { ...all[0].args, only, out: args.out, note: args.note ?? all[0].args.note };
	const md = markdown(runArgs, raw.machine, raw.results, raw.missing, raw.failures, aims(raw.results, raw.missing), raw.jobberCosts, minutes, files);
	console.log(`${table(raw.results)}\n\n${aimLines(aims(raw.results, raw.missing)).join('\n')}`);
	if (args.out) {
		fs.writeFileSync(args.out, md);
		log(`wrote ${path.relative(ROOT, args.out)} from ${files}`);
	}
}

async function main(): Promise<void> {
	const args = parseArgs(process.argv.slice(2));
	const renderFrom = process.argv.indexOf('--render');
	if (renderFrom >= 0) return render(process.argv[renderFrom + 1] ?? 'artifacts/bench-n8n.json', args);
	const ids = ORDER.filter((id) => (args.only ? args.only.includes(id) : !(args.quick && LARGE.has(id))));
	const m = machine(N8N_VERSION);
	const started = Date.now();
	let costs: JobberCosts | undefined;
	const jobberCosts = async () => (costs ??= await probeJobberCosts());
	const planned = plan(ids, { records: args.records, large: args.large, timeScale: (id) => args.scale[id], jobberCosts });
	const missing = planned.filter((p): p is { id: string; title: string; missing: string } => 'missing' in p);
	for (const x of missing) log(`${x.id}: skipped — ${x.missing}`);

	const workDir = benchWorkDir();
	const results: RunResult[] = [];
	const failures: Array<{ id: string; error: string }> = [];
	try {
		const prepared = await preparePackage(workDir);
		for (const p of planned) {
			if (!('spec' in p)) continue;
			try {
				const r = await measure(prepared, workDir, p.spec);
				results.push(r);
				console.log(table([r]).split('\n').slice(2).join('\n'));
			} catch (err) {
				log(`${p.spec.id}: failed — ${(err as Error).stack ?? err}${(err as Error).cause ? `\n  cause: ${String((err as { cause?: unknown }).cause)}` : ''}`);
				failures.push({ id: p.spec.id, error: (err as Error).message });
			}
		}
	} finally {
		if (!process.env.FLUX_KEEP_BENCH) fs.rmSync(workDir, { recursive: true, force: true });
	}
	m.loadEnd = os.loadavg();
	const minutes = (Date.now() - started) / 60_000;

	const aimList = aims(results, missing);
	const md = markdown(args, m, results, missing, failures, aimList, costs, minutes);
	console.log(`\n${table(results)}\n\n${aimLines(aimList).join('\n')}\n\nbench took ${minutes.toFixed(1)} min`);
	fs.mkdirSync(path.join(ROOT, 'artifacts'), { recursive: true });
	fs.writeFileSync(path.join(ROOT, 'artifacts', 'bench-n8n.json'), JSON.stringify({ machine: m, args, minutes, jobberCosts: costs, results, missing, failures }, null, 2));
	if (args.out) {
		fs.writeFileSync(args.out, md);
		log(`wrote ${path.relative(ROOT, args.out)}`);
	}
	if (failures.length) process.exitCode = 1;
}

function markdown(
	args: Args,
	m: ReturnType<typeof machine>,
	results: RunResult[],
	missing: Array<{ id: string; title: string; missing: string }>,
	failures: Array<{ id: string; error: string }>,
	aimList: ReturnType<typeof aims>,
	costs: JobberCosts | undefined,
	minutes: number,
	rawFiles = 'artifacts/bench-n8n.json',
): string {
	const load = (l: number[] | undefined) => (l ? l.map((x) => x.toFixed(2)).join(' / ') : '?');
	const busy = Math.max(...m.loadStart, ...(m.loadEnd ?? [])) > 0.5;
	const lines: string[] = [];
	lines.push('# Benchmarks — end-to-end sync in a real n8n against the vendors’ rate limits');
	lines.push('');
	lines.push(`Written by \`${command(args)}\` (bench/n8n/run.ts) on ${m.date.slice(0, 10)}; it took ${minutes.toFixed(0)} min. Raw figures: ${rawFiles.split(',').map((f) => `\`${f}\``).join(', ')}.`);
	lines.push('');
	lines.push(`**Machine:** ${m.nproc} CPUs (\`nproc\`), ${m.cpu}, ${m.ramGB} GB RAM · n8n ${m.n8n} · Node ${m.node} · load average (1/5/15 min) ${load(m.loadStart)} at the start, ${load(m.loadEnd)} at the end.`);
	lines.push(`**Code:** the package was packed from dist built at commit ${m.commit}${m.uncommitted.length ? ` plus uncommitted work in ${m.uncommitted.length} product file(s) (${m.uncommitted.slice(0, 8).join(', ')}${m.uncommitted.length > 8 ? ', …' : ''})` : ''}.`);
	if (busy) lines.push(`**Other load:** the figures were taken while other work ran on this ${m.nproc}-CPU machine (see the load averages), so wall times are noisier and longer than on an idle machine.`);
	if (args.note) lines.push(`**Note:** ${args.note}`);
	lines.push('');
	lines.push('## Results');
	lines.push('');
	lines.push(table(results));
	lines.push('');
	for (const x of missing) lines.push(`- **${x.id} (${x.title}) not run:** ${x.missing}.`);
	for (const f of failures) lines.push(`- **${f.id} failed to run:** ${f.error.replace(/,?\s*"stacktrace":.*$/s, '').slice(0, 300)}`);
	lines.push('');
	lines.push('## Aims');
	lines.push('');
	lines.push(...aimLines(aimList));
	lines.push('');
	lines.push('## Per run');
	lines.push('');
	for (const r of results) {
		lines.push(`### ${r.id} — ${r.title} (${r.implementation})`);
		lines.push('');
		lines.push(`- Execution${r.executions > 1 ? `s: ${r.executions}, last` : ''} ${r.execution.status}${r.execution.error ? `: ${r.execution.error}` : ''}; ${r.records.toLocaleString('en')} records, ${r.outcome.arrived.toLocaleString('en')} found in the target, ${r.failed.toLocaleString('en')} missing${r.baseline ? '' : ` (${r.unaccounted} not accounted for by a review item)`}, ${r.outcome.duplicates} duplicated.`);
		lines.push(`- Wall ${r.wallS.toFixed(1)} s real × ${r.timeScale} = ${r.vendorS.toFixed(1)} s of vendor time; API calls ${Object.entries(r.calls).map(([v, n]) => `${v} ${n}`).join(', ')}${r.jobber ? `; Jobber ${r.jobber.points.toLocaleString('en')} points in ${r.jobber.requests} documents, ${r.jobber.throttled} THROTTLED answers` : ''}.`);
		if (r.jobber && Object.keys(r.jobber.byField).length) lines.push(`- Jobber points by document (first root field): ${Object.entries(r.jobber.byField).sort((a, b) => b[1].points - a[1].points).map(([f, x]) => `${f} ${x.points.toLocaleString('en')} in ${x.documents}`).join(', ')}.`);
		if (Object.keys(r.throttledRoutes).length) lines.push(`- HTTP 429 answers by route: ${Object.entries(r.throttledRoutes).map(([k, n]) => `${k} ${n}`).join(', ')} (retried; the Failed column says what was lost).`);
		if (r.parked && Object.keys(r.parked).length) lines.push(`- Parked in the review queue: ${Object.entries(r.parked).map(([c, n]) => `${c} ${n}`).join(', ')}.`);
		lines.push(`- n8n main process RSS: ${r.idleRssMB.toFixed(0)} MB before the run, peak ${r.peakRssMB.toFixed(0)} MB during it.`);
		if (r.executionTimes && r.executionTimes.length > 1) lines.push(`- Per execution (one per poll), real s: ${r.executionTimes.map((e, i) => `#${i + 1} ${Number.isFinite(e.wallS) ? e.wallS.toFixed(0) : '?'}${e.status === 'success' ? '' : ` ${e.status}`}${e.topNodes[0] ? ` (${e.topNodes.slice(0, 2).map((t) => `${t.node} ${(t.ms / 1000).toFixed(0)}`).join(', ')})` : ''}`).join('; ')}.`);
		if (r.nodeTimes.length) lines.push(`- Time per node (n8n's executionTime, real s): ${r.nodeTimes.filter((t) => t.ms >= 50).map((t) => `${t.node} ${(t.ms / 1000).toFixed(1)}${t.runs > 1 ? ` (${t.runs} runs)` : ''}`).join(', ')}.`);
		lines.push(`- Ceiling: ${r.ceiling.sustainedS.toFixed(1)} s sustained, ${r.ceiling.restedS.toFixed(1)} s on a rested account:`);
		for (const c of ceilingLines(r.ceiling)) lines.push(`  - ${c}`);
		const spent = spentVsMinimum(r);
		if (spent) lines.push(`- Spent vs the API minimum of the work: ${spent}.`);
		lines.push(`- Pacing: the limits' floor for the calls and points this run spent is ${r.pacing.sustainedS.toFixed(1)} s sustained (${r.pacing.binding ? `${r.pacing.binding.vendor}, ${r.pacing.binding.what}` : 'nothing binding'}); the run took ${r.vendorS.toFixed(1)} s.`);
		for (const n of r.outcome.notes) lines.push(`- ${n}`);
		lines.push('');
	}
	lines.push('## How it is measured');
	lines.push('');
	lines.push(
		[
			'- **Stage.** Each run gets fresh vendor sandboxes (`sandbox/`, in the bench process) and a fresh n8n ' +
				`${m.n8n} process with its own user folder, into which the packed package (\`npm pack\` of dist) is installed the way n8n installs a community package. ` +
				'Workflows are posted to n8n’s REST API and activated; credentials are created under the names the workflows reference, with sandbox values.',
			'- **Bench-side changes to a workflow** (and nothing else): its Schedule/Manual trigger becomes a Webhook of the same name so a run starts on demand, and `settings.errorWorkflow` is dropped. ' +
				'Baselines: the real vendor hosts in their URLs point at the sandbox, and their pacing intervals (written for the real clock) are divided by the time scale.',
			`- **Limits.** The vendors’ real rate limits as the sandbox enforces them (HubSpot Starter private app: 100 requests / 10 s rolling, search 5 / s; Pipedrive Growth API token: 40 / 2 s; Jobber: cost bucket 10,000 points refilling 500 / s and 2,500 requests / 5 min), read from the sandbox at rest before each run. ` +
				`Not limits, but set for the bench: Salesforce daily allocation ${SANDBOX.salesforce.dailyApiLimit.toLocaleString('en')} (an Enterprise org; a Developer org’s 15,000 would not carry the baseline’s two calls per record), and access tokens that outlive the run.`,
			'- **Time scale.** The sandbox clock runs ×T faster than real time and so do its rate-limit windows; our nodes divide their waits by the same T (`FLUX_VENDOR_TIME_SCALE` in n8n’s environment). ' +
				'Vendor time = wall × T. n8n’s own processing is not compressed, so at T > 1 it weighs T times more in vendor time: the percentages of the ceiling are lower bounds. T is 1 where processing would otherwise dominate.',
			'- **Wall time** is n8n’s own execution start → stop of the one timed execution (seeding and any untimed preparation runs are outside it).',
			'- **Ceiling** = the fastest the vendors’ limits allow for the work at the API minimum, whatever our nodes do: reads at the largest page (HubSpot list 100 under 100 / 10 s or search 200 under 5 / s, whichever the limits let finish first; Pipedrive 500), writes at the largest batch (one call per record where there is no batch endpoint), ' +
				`Jobber mutations at the points of the smallest selection a sync can use (the id and the updatedAt stamp the ledger orders changes by, plus userErrors)${costs ? `, priced by the sandbox’s own cost accounting: clientCreate ${costs.create}, clientEdit ${costs.edit}, a client read ${costs.readPerClient} points` : ''}. ` +
				'Vendors run side by side, so the slowest one bounds the work. **Sustained** counts every call at the limit’s steady rate; **rested** gives the first window (and a full Jobber bucket) free, as on an account nothing else uses — the stricter figure. Salesforce has no rate window, only a daily allocation, so it adds no time.',
			'- **Pacing: own calls’ floor** = the same computation (sustained) for the calls and Jobber points the run actually spent, divided by its time: how close the nodes’ pacing came to the limits, apart from how much work they asked for. 100% means the run was limit-bound on what it sent; above 100% it also used a rested account’s initial burst.',
			'- **API calls** are the sandbox counters (admin routes excluded), summed over the vendors of the run; OAuth token calls and the webhook subscription calls a trigger makes on activation count. **Throttled answers**: HTTP 429s, Jobber’s THROTTLED answers (HTTP 200, counted by a pass-through in front of the Jobber sandbox that also sums `actualQueryCost` into the points), Salesforce 403s.',
			'- **Failed** = records that should be in the target but are not, checked record by record by email in the sandbox after the run (the seeds have no deliberately dirty data, but at 10,000+ people some share a phone number, and the migration template parks those as Duplicate Record by design); **duplicates** = target records sharing an email. For our templates the review queue is read too: parked items by error code, and how many missing records no review item accounts for (lost).',
			'- **Peak RSS** = the n8n main process’s resident set during the timed execution: VmHWM from /proc/<pid>/status after resetting it (clear_refs) at the start, and VmRSS sampled every 200 ms. Vendors run in the bench process and are not included.',
			`- **Seeds:** the same seed (${SEED}) and record count for a scenario and its baseline; every scenario starts from empty targets.`,
		].join('\n'),
	);
	lines.push('');
	lines.push('## Reproduce');
	lines.push('');
	lines.push('```bash');
	lines.push('npm run build');
	lines.push(`${command(args)}        # --quick skips the 100,000-record memory run; --records 500 for a smoke run`);
	lines.push('```');
	lines.push('');
	return lines.join('\n');
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});

/** What a run spent next to the API minimum its ceiling counts, per vendor (calls; Jobber points too). */
function spentVsMinimum(r: RunResult): string {
	const parts: string[] = [];
	const byVendor = new Map<string, { calls: number; points: number }>();
	for (const d of r.ceiling.demands) {
		const v = byVendor.get(d.vendor) ?? { calls: 0, points: 0 };
		if (d.limit.kind === 'bucket') v.points += d.amount;
		else v.calls += d.amount;
		byVendor.set(d.vendor, v);
	}
	const x = (a: number, b: number) => (b > 0 ? ` (×${(a / b).toFixed(1)})` : '');
	for (const [vendor, min] of byVendor) {
		const key = vendor.toLowerCase() as keyof RunResult['calls'];
		const calls = vendor === 'Jobber' && r.jobber ? r.jobber.requests : r.calls[key];
		if (calls !== undefined && min.calls > 0) parts.push(`${vendor} ${calls.toLocaleString('en')} ${vendor === 'Jobber' ? 'documents' : 'calls'} vs ${min.calls.toLocaleString('en')}${x(calls, min.calls)}`);
		if (vendor === 'Jobber' && r.jobber && min.points > 0) parts.push(`Jobber ${r.jobber.points.toLocaleString('en')} points vs ${min.points.toLocaleString('en')}${x(r.jobber.points, min.points)}`);
	}
	return parts.join('; ');
}
