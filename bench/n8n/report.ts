/** The results table, the aims checked against it, and BENCHMARKS.md. */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { ROOT } from '../../scripts/n8n/runtime';
import type { Ceiling } from './ceiling';
import type { RunResult } from './measure';

export interface Machine {
	nproc: number;
	cpu: string;
	ramGB: number;
	date: string;
	node: string;
	n8n: string;
	loadStart: number[];
	loadEnd?: number[];
	/** The commit the package was built from, and product files that differed from it (uncommitted work). */
	commit: string;
	uncommitted: string[];
}

export function machine(n8nVersion: string): Machine {
	const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
	const cpu = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
	let nproc = os.availableParallelism();
	try {
		nproc = Number(execFileSync('nproc', { encoding: 'utf8' }).trim()) || nproc;
	} catch {
		// os figure
	}
	const git = (args: string[]) => {
		try {
			return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trimEnd();
		} catch {
			return '';
		}
	};
	const uncommitted = git(['status', '--porcelain', '--', 'nodes', 'connectors', 'sync', 'credentials', 'transforms', 'errors', 'templates'])
		.split('\n')
		.filter(Boolean)
		.map((l) => l.slice(3));
	return { nproc, cpu, ramGB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10, date: new Date().toISOString(), node: process.version, n8n: n8nVersion, loadStart: os.loadavg(), commit: git(['rev-parse', '--short', 'HEAD']) || 'unknown', uncommitted };
}

const fmt = (n: number, digits = 0) => (Number.isFinite(n) ? n.toLocaleString('en', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '∞');
const pct = (x: number) => (Number.isFinite(x) ? `${(x * 100).toFixed(0)}%` : 'n/a');

export function ratios(r: RunResult): { sustained: number; rested: number; pacing: number } {
	const v = Math.max(r.vendorS, 1e-9);
	return { sustained: r.ceiling.sustainedS / v, rested: r.ceiling.restedS / v, pacing: r.pacing.sustainedS / v };
}

function calls(r: RunResult): string {
	return Object.entries(r.calls)
		.map(([v, n]) => `${v} ${fmt(n ?? 0)}`)
		.join(', ');
}

function throttles(r: RunResult): string {
	const parts = [`${r.status429}×429`];
	if (r.jobber) parts.push(`${r.jobber.throttled}×THROTTLED`);
	if (r.calls.salesforce !== undefined) parts.push(`${r.status403Limit}×403`);
	return parts.join(' · ');
}

export function table(results: RunResult[]): string {
	const head =
		'| # | scenario | workflow | records | time scale | wall (real s) | vendor s | records / vendor s | ceiling records / s (sustained) | of ceiling: sustained · rested | pacing: own calls’ floor | API calls | calls / record | Jobber points / record | throttled answers | failed | duplicates | peak RSS (MB) |\n' +
		'|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|---:|---:|---:|';
	const rows = results.map((r) => {
		const q = ratios(r);
		const ceilRate = r.records / r.ceiling.sustainedS;
		return `| ${r.id} | ${r.title} | ${r.implementation} | ${fmt(r.records)} | ×${r.timeScale} | ${fmt(r.wallS, 1)} | ${fmt(r.vendorS, 1)} | ${fmt(r.rate, 1)} | ${fmt(ceilRate, 1)} | ${pct(q.sustained)} · ${pct(q.rested)} | ${pct(q.pacing)} | ${calls(r)} | ${fmt(r.callsTotal / Math.max(1, r.records), 4)} | ${r.jobber ? fmt(r.jobber.points / Math.max(1, r.records), 1) : '—'} | ${throttles(r)} | ${fmt(r.failed)} | ${fmt(r.outcome.duplicates)} | ${fmt(r.peakRssMB)} |`;
	});
	return [head, ...rows].join('\n');
}

export function ceilingLines(c: Ceiling): string[] {
	return c.demands.map((d) => `${d.vendor} — ${d.limit.label}: ${d.what} → ≥ ${fmt(d.sustainedS, 1)} s sustained, ≥ ${fmt(d.restedS, 1)} s on a rested account${c.binding === d ? ' **(binding)**' : ''}`);
}

export interface Aim {
	aim: string;
	met: boolean | undefined;
	evidence: string;
}

export function aims(results: RunResult[], missing: Array<{ id: string; missing: string }>): Aim[] {
	const by = new Map(results.map((r) => [r.id, r]));
	const out: Aim[] = [];
	const ceilingIds = ['s1', 's2', 's3'];
	const have = ceilingIds.filter((id) => by.has(id));
	const notRun = ceilingIds.filter((id) => !by.has(id)).map((id) => `${id} not run${missing.find((m) => m.id === id) ? ` (${missing.find((m) => m.id === id)!.missing})` : ''}`);
	const ceil = have.map((id) => `${id} ${pct(ratios(by.get(id)!).sustained)} sustained / ${pct(ratios(by.get(id)!).rested)} rested`);
	out.push({
		aim: '≥ 90% of the ceiling in scenarios 1–3 (judged on the sustained ceiling; the rested one is stricter still)',
		met: have.some((id) => ratios(by.get(id)!).sustained < 0.9) ? false : have.length === 3 ? true : undefined,
		evidence: [...ceil, ...notRun].join('; '),
	});
	const ours = results.filter((r) => !r.baseline);
	const rateFailures = ours.map(
		(r) => `${r.id}: ${r.parked?.RATE_LIMIT_EXCEEDED ?? 0} parked for rate limiting (${r.parkedConnection ?? 0} for any connection error), ${r.failed} missing of which ${r.unaccounted} not accounted for by a review item${r.status429 ? `, ${r.status429} HTTP 429 answers retried` : ''}`,
	);
	out.push({
		aim: 'zero records failed by rate limiting',
		met: ours.length ? ours.every((r) => !(r.parked?.RATE_LIMIT_EXCEEDED ?? 0) && !(r.parkedConnection ?? 0) && r.unaccounted === 0) : undefined,
		evidence: rateFailures.join('; ') || 'no FluxCascade run',
	});
	const pairs: Array<[string, string, string]> = [
		['s1', 'b1', 'Jobber (aliased GraphQL mutations)'],
		['s2', 'b2', 'Salesforce (sObject Collections) / HubSpot (batch and 200-record search pages)'],
	];
	const ev: string[] = [];
	let all: boolean | undefined = true;
	for (const [o, b, vendor] of pairs) {
		const a = by.get(o);
		const z = by.get(b);
		if (!a || !z) {
			ev.push(`${o}/${b}: not both run`);
			all = all === false ? false : undefined;
			continue;
		}
		const factor = z.callsTotal / Math.max(1, a.callsTotal);
		ev.push(`${o} ${fmt(a.callsTotal)} calls vs baseline ${fmt(z.callsTotal)}: ${fmt(factor, 1)}× fewer (${vendor})`);
		if (factor < 5) all = false;
	}
	out.push({ aim: '≥ 5× fewer API calls than the baseline where the vendor has batch endpoints', met: all, evidence: ev.join('; ') });
	const s1 = by.get('s1');
	const s4 = by.get('s4');
	out.push({
		aim: 'peak memory at 100,000 ≤ 1.5× that at 10,000',
		met: s1 && s4 ? s4.peakRssMB <= 1.5 * s1.peakRssMB : undefined,
		evidence: s1 && s4 ? `s4 ${fmt(s4.peakRssMB)} MB at ${fmt(s4.records)} vs s1 ${fmt(s1.peakRssMB)} MB at ${fmt(s1.records)}: ${fmt(s4.peakRssMB / s1.peakRssMB, 2)}×` : `${!s4 ? `s4 not run${missing.find((m) => m.id === 's4') ? ` (${missing.find((m) => m.id === 's4')!.missing})` : ''}` : ''}${!s1 ? ' s1 not run' : ''}`.trim(),
	});
	return out;
}

export function aimLines(list: Aim[]): string[] {
	return list.map((a) => `- ${a.met === undefined ? '— not measured' : a.met ? '✅ met' : '❌ not met'}: **${a.aim}** — ${a.evidence}`);
}
