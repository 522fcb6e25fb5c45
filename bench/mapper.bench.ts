/**
 * npm run bench:mapper — HubSpot-contact-shaped records through the HubSpot → Jobber preset
 * (10 pairs: names, E.164 phone, email, company, address parts, country code).
 *
 * Each size runs in its own child process so peak RSS belongs to that size alone:
 *  - engine: every record is distinct (no value cache can help); they are generated in chunks and mapped one at a
 *    time (a streaming sync), so memory should not grow with N;
 *  - node: the Field Mapper node in n8n's WorkflowExecute, which holds every item of a run in memory by design.
 */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { generatePeople, type Person } from '../sandbox/core/people';
import { compileMapping, getPreset } from '../sync/mapping';

function hubspotContact(p: Person, i: number): Record<string, unknown> {
	return {
		hs_object_id: String(1000 + i),
		firstname: p.firstName,
		lastname: p.lastName,
		email: p.email,
		phone: p.phone,
		company: p.company,
		address: p.street,
		city: p.city,
		state: p.state,
		zip: p.postalCode,
		country: p.country === 'US' ? 'United States' : 'Canada',
		lastmodifieddate: '2025-01-27T19:53:15.581Z',
	};
}

/** Distinct records, made in chunks outside the timed region so generation cost and memory stay out of the figures. */
function* chunks(total: number, size = 10_000): Generator<Record<string, unknown>[]> {
	for (let start = 0; start < total; start += size) {
		const count = Math.min(size, total - start);
		yield generatePeople({ count, dirtyShare: 0.05, seed: 7 + start, startIndex: start }).map((p, i) => hubspotContact(p, start + i));
	}
}

async function runEngine(n: number) {
	const mapping = compileMapping(getPreset('hubspot_contact_to_jobber_client').mapping);
	// Warm-up on other records: JIT and libphonenumber metadata, without pre-filling any value cache.
	for (const warm of chunks(2000)) for (const r of warm) mapping.apply({ ...r, phone: null, address: null });
	let valid = 0;
	let invalid = 0;
	let ns = 0n;
	const cpu0 = process.cpuUsage();
	for (const chunk of chunks(n)) {
		const t0 = process.hrtime.bigint();
		for (const record of chunk) {
			if (mapping.apply(record).valid) valid++;
			else invalid++;
		}
		ns += process.hrtime.bigint() - t0;
	}
	const cpu = process.cpuUsage(cpu0);
	return { mode: 'engine', n, ms: Number(ns) / 1e6, valid, invalid, cpuMs: (cpu.user + cpu.system) / 1000 };
}

async function runNode(n: number) {
	// The built node, as n8n loads it (a bare `FieldMapper.node` path would resolve to its codex JSON under tsx).
	const { FieldMapper } = require('../dist/nodes/FieldMapper/FieldMapper.node.js') as typeof import('../nodes/FieldMapper/FieldMapper.node');
	// n8n-core is loaded only in this mode, so the engine rows measure the mapper alone.
	const { runWorkflow, TestNodeTypes } = require('../test/engine/harness') as typeof import('../test/engine/harness');
	const types = new TestNodeTypes({ 'n8n-nodes-fluxcascade.fieldMapper': new FieldMapper() });
	const items = [...chunks(n)].flat().map((fields, i) => ({ system: 'hubspot', object: 'contacts', id: String(i), fields }));
	const t0 = process.hrtime.bigint();
	const res = await runWorkflow(types, {
		items: items as never,
		nodes: [{ name: 'Mapper', type: 'n8n-nodes-fluxcascade.fieldMapper', parameters: { operation: 'map', mappingSource: 'preset', preset: 'hubspot_contact_to_jobber_client', flow: 'forward' } }],
	});
	const ms = Number(process.hrtime.bigint() - t0) / 1e6;
	return { mode: 'node', n, ms, valid: res.output('Mapper', 0).length, invalid: res.output('Mapper', 1).length, cpuMs: NaN };
}

async function child(mode: string, n: number) {
	const result = mode === 'engine' ? await runEngine(n) : await runNode(n);
	const peakRssMb = process.resourceUsage().maxRSS / 1024;
	// Retained memory after a full GC: what the run keeps, as opposed to how far V8 let the heap grow.
	(globalThis as { gc?: () => void }).gc?.();
	const retainedHeapMb = process.memoryUsage().heapUsed / 1024 / 1024;
	process.stdout.write(JSON.stringify({ ...result, peakRssMb, retainedHeapMb }));
}

function main() {
	const rows: Array<Record<string, number | string>> = [];
	const plan: Array<[string, number]> = [
		['engine', 10_000],
		['engine', 100_000],
		['engine', 1_000_000],
		['node', 10_000],
		['node', 100_000],
	];
	for (const [mode, n] of plan) {
		const out = execFileSync(process.execPath, ['--expose-gc', ...process.execArgv, __filename, '--child', mode, String(n)], { encoding: 'utf8', maxBuffer: 1 << 26 });
		const r = JSON.parse(out.slice(out.indexOf('{')));
		rows.push(r);
	}
	console.log(`Field Mapper benchmark — preset hubspot_contact_to_jobber_client (10 pairs), 5% dirty records`);
	console.log(`${os.cpus()[0]?.model ?? 'cpu'} · ${os.cpus().length} cores · node ${process.version} · ${new Date().toISOString()}`);
	console.log('mode    records     wall ms   records/s   valid   invalid   peak RSS MB   heap after GC MB');
	for (const r of rows) {
		const rate = Math.round((Number(r.n) / Number(r.ms)) * 1000);
		console.log(
			`${String(r.mode).padEnd(7)} ${String(r.n).padStart(8)} ${Number(r.ms).toFixed(0).padStart(11)} ${String(rate).padStart(11)} ${String(r.valid).padStart(7)} ${String(r.invalid).padStart(9)} ${Number(r.peakRssMb).toFixed(0).padStart(13)} ${Number(r.retainedHeapMb).toFixed(1).padStart(19)}`,
		);
	}
	const engine = (n: number) => rows.find((r) => r.mode === 'engine' && r.n === n)!;
	const ratio = (key: string, a: number, b: number) => (Number(engine(b)[key]) / Number(engine(a)[key])).toFixed(2);
	console.log(`engine, 10k → 100k → 1M records: peak RSS ×${ratio('peakRssMb', 10_000, 100_000)} / ×${ratio('peakRssMb', 10_000, 1_000_000)}, heap after GC ×${ratio('retainedHeapMb', 10_000, 100_000)} / ×${ratio('retainedHeapMb', 10_000, 1_000_000)}`);
}

const at = process.argv.indexOf('--child');
if (at >= 0) void child(process.argv[at + 1], Number(process.argv[at + 2]));
else main();
