/**
 * npm run bench:connectors — per vendor, against its sandbox with the vendor's real limits on a compressed
 * clock: a full read of N records through the connector's change reader, then an upsert of N records (half of
 * them existing, half new). Prints API calls per record, 429s, failures, and the elapsed vendor time next to
 * the least time the vendor's limits allow for those calls.
 *
 *   npm run bench:connectors [-- N]        (default N = 10,000)
 */
import { generatePeople } from '../sandbox/core/people';
import { seedInChunks } from '../sandbox/core/vendor';
import { startSandbox as startHubspot } from '../test/connectors/hubspot/helpers';
import { startHarness as startJobber } from '../test/connectors/jobber/helpers';
import { startHarness as startPipedrive } from '../test/connectors/pipedrive/helpers';
import { startSalesforce } from '../test/connectors/salesforce/helpers';
import type { ChangesPage } from '../connectors/core/types';

const N = Number(process.argv[2] ?? 10_000);

interface Phase {
	records: number;
	calls: number;
	realMs: number;
	vendorS: number;
	/** Least vendor seconds the limits allow for these calls (undefined: no rate window, daily budget only). */
	ceilingS?: number;
	ceilingNote: string;
	status429: number;
	failed: number;
}

interface Row {
	vendor: string;
	timeScale: number;
	read: Phase;
	upsert: Phase;
	note: string;
}

async function drain(gen: AsyncGenerator<ChangesPage>): Promise<Array<{ fields: Record<string, unknown> }>> {
	const out: Array<{ fields: Record<string, unknown> }> = [];
	for await (const page of gen) out.push(...page.records);
	return out;
}

/** N people: the first half reuse existing emails (updates), the second half are new (creates). */
function upsertPeople(existingEmails: string[]) {
	const fresh = generatePeople({ count: N, seed: 4242, startIndex: 5_000_000 });
	return fresh.map((p, i) => ({ ...p, email: i < N / 2 && existingEmails[i] ? existingEmails[i] : `${p.firstName}.${p.lastName}.${5_000_000 + i}@bench.example`.toLowerCase().replace(/[^a-z0-9.@-]/g, '') }));
}

function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
	const t0 = performance.now();
	return fn().then((v) => [v, performance.now() - t0]);
}

async function hubspot(): Promise<Row> {
	const T = 5;
	const sb = await startHubspot({}, T);
	try {
		seedInChunks(sb.def, { object: 'contacts', count: N, seed: 21 });
		const c = sb.connector();
		sb.resetCounters();
		const [records, readMs] = await timed(() => drain(c.changes('contacts', {})));
		const readCalls = sb.calls();
		const read429 = sb.byStatus(429);
		sb.resetCounters();
		const people = upsertPeople(records.map((r) => String(r.fields.email ?? '')).filter(Boolean));
		const [results, upMs] = await timed(() => c.upsert('contacts', people.map((p) => ({ fields: { email: p.email, firstname: p.firstName, lastname: p.lastName, phone: p.phone ?? '' } }))));
		const upCalls = sb.calls();
		return {
			vendor: 'HubSpot',
			timeScale: T,
			read: { records: records.length, calls: readCalls, realMs: readMs, vendorS: (readMs * T) / 1000, ceilingS: Math.max(0, readCalls - 5) / 5, ceilingNote: 'search 5/s (first second free)', status429: read429, failed: 0 },
			upsert: { records: results.length, calls: upCalls, realMs: upMs, vendorS: (upMs * T) / 1000, ceilingS: Math.max(0, upCalls - 100) / 10, ceilingNote: '100 per 10 s (first window free)', status429: sb.byStatus(429), failed: results.filter((r) => !r.ok).length },
			note: 'batch upsert of 100 by email (the API minimum); reads by search, 200 per page',
		};
	} finally {
		await sb.close();
	}
}

async function salesforce(): Promise<Row> {
	const env = await startSalesforce({ dailyApiLimit: 1_000_000 });
	try {
		await env.seed('Contact', N);
		const c = env.connector();
		await env.resetCounters();
		const [records, readMs] = await timed(() => drain(c.changes('Contact', {})));
		const readCounters = await env.counters();
		await env.resetCounters();
		const people = upsertPeople([]);
		const inputs = people.map((p, i) => ({ fields: { Ext_Id__c: `B-${i}`, LastName: p.lastName, FirstName: p.firstName, Email: p.email } }));
		// Half the external ids exist after a first pass: write the first half, then all (updates + creates).
		await c.batch('upsert', 'Contact', inputs.slice(0, N / 2), { externalIdField: 'Ext_Id__c' });
		await env.resetCounters();
		const [results, upMs] = await timed(() => c.batch('upsert', 'Contact', inputs, { externalIdField: 'Ext_Id__c' }));
		const upCounters = await env.counters();
		return {
			vendor: 'Salesforce',
			timeScale: 1,
			read: { records: records.length, calls: readCounters.total, realMs: readMs, vendorS: readMs / 1000, ceilingNote: 'no rate window (daily allocation)', status429: 0, failed: 0 },
			upsert: { records: results.length, calls: upCounters.total, realMs: upMs, vendorS: upMs / 1000, ceilingNote: 'no rate window (daily allocation)', status429: 0, failed: results.filter((r) => !r.ok).length },
			note: 'reads 2,000 per SOQL page; upsert by external id in sObject Collections of 200 (the API minimum)',
		};
	} finally {
		await env.close();
	}
}

async function pipedrive(): Promise<Row> {
	const T = 10;
	const h = await startPipedrive({ timeScale: T });
	try {
		await h.admin('POST', '/_sandbox/seed', { object: 'persons', count: N, seed: 8 });
		const c = h.connector();
		await h.resetCounters();
		const [records, readMs] = await timed(() => drain(c.changes('persons', {})));
		const readCounters = await h.counters();
		await h.resetCounters();
		const emails = records.map((r) => {
			const e = (r.fields.emails as Array<{ value?: string }> | undefined)?.[0]?.value;
			return typeof e === 'string' ? e : '';
		});
		const people = upsertPeople(emails.filter(Boolean));
		const [results, upMs] = await timed(() =>
			c.write('persons', 'upsert', people.map((p) => ({ fields: { name: `${p.firstName} ${p.lastName}`, emails: [{ value: p.email, primary: true }] } })), { matchKey: 'email' }),
		);
		const upCounters = await h.counters();
		return {
			vendor: 'Pipedrive',
			timeScale: T,
			read: { records: records.length, calls: readCounters.total, realMs: readMs, vendorS: (readMs * T) / 1000, ceilingS: Math.max(0, readCounters.total - 40) / 20, ceilingNote: '40 per 2 s (first window free)', status429: readCounters.byStatus['429'] ?? 0, failed: 0 },
			upsert: { records: results.length, calls: upCounters.total, realMs: upMs, vendorS: (upMs * T) / 1000, ceilingS: Math.max(0, upCounters.total - 40) / 20, ceilingNote: '40 per 2 s (first window free)', status429: upCounters.byStatus['429'] ?? 0, failed: results.filter((r) => !r.ok).length },
			note: 'no batch endpoint: one write per record is the API minimum; existing records read first (500 per page)',
		};
	} finally {
		await h.stop();
	}
}

async function jobber(): Promise<Row> {
	const T = 25;
	const h = await startJobber({ timeScale: T });
	try {
		await h.admin('POST', '/_sandbox/seed', { object: 'clients', count: N, seed: 6 });
		const c = h.connector();
		await h.resetCounters();
		const cost0 = c.stats.actualCost;
		const [records, readMs] = await timed(() => drain(c.changes('clients', {})));
		const readCounters = await h.counters();
		const readCost = c.stats.actualCost - cost0;
		await h.resetCounters();
		const emails = records.map((r) => String((r.fields.emails as Array<{ address?: string }> | undefined)?.[0]?.address ?? ''));
		const people = upsertPeople(emails.filter(Boolean));
		const [results, upMs] = await timed(() =>
			c.write('clients', people.map((p) => ({ op: 'upsert' as const, fields: { firstName: p.firstName, lastName: p.lastName, emails: [{ address: p.email }] } }))),
		);
		const upCounters = await h.counters();
		const upCost = c.stats.actualCost - cost0 - readCost;
		return {
			vendor: 'Jobber',
			timeScale: T,
			read: { records: records.length, calls: readCounters.total, realMs: readMs, vendorS: (readMs * T) / 1000, ceilingS: jobberCeilingS(readCost, readCounters.total, true), ceilingNote: `${readCost.toLocaleString('en')} points charged; bucket 10,000 + 500/s, 2,500 requests / 5 min`, status429: readCounters.byStatus['429'] ?? 0, failed: 0 },
			upsert: { records: results.length, calls: upCounters.total, realMs: upMs, vendorS: (upMs * T) / 1000, ceilingS: jobberCeilingS(upCost, upCounters.total, false), ceilingNote: `${upCost.toLocaleString('en')} points charged; the bucket is not full after the read`, status429: upCounters.byStatus['429'] ?? 0, failed: results.filter((r) => !r.ok).length },
			note: 'reads 100 per page (connection maximum); upserts batched as aliased mutations, paced by query cost',
		};
	} finally {
		await h.stop();
	}
}

/**
 * The fastest Jobber allows for work that cost `points` (actualQueryCost summed) in `requests` calls: points beyond
 * what the bucket holds at the start refill at 500/s, and requests beyond 2,500 wait for the 5-minute window.
 */
function jobberCeilingS(points: number, requests: number, fullBucket: boolean): number {
	const byPoints = Math.max(0, points - (fullBucket ? 10_000 : 0)) / 500;
	const byRequests = Math.max(0, Math.ceil(requests / 2_500) - 1) * 300;
	return Math.max(byPoints, byRequests);
}

function line(vendor: string, phase: string, p: Phase): string {
	const ceiling = p.ceilingS === undefined ? '—' : `${p.ceilingS.toFixed(1)} s`;
	// How close to the fastest the limits allow: 100% = at the ceiling.
	const ratio = p.ceilingS ? ` (${Math.min(100, (p.ceilingS / Math.max(p.vendorS, 1e-9)) * 100).toFixed(0)}% of ceiling speed)` : '';
	return `${vendor.padEnd(11)} ${phase.padEnd(7)} ${String(p.records).padStart(7)} ${String(p.calls).padStart(7)} ${(p.calls / Math.max(1, p.records)).toFixed(4).padStart(11)} ${String(p.status429).padStart(5)} ${String(p.failed).padStart(7)} ${p.vendorS.toFixed(1).padStart(9)} s  ceiling ${ceiling}${ratio} [${p.ceilingNote}]`;
}

async function main(): Promise<void> {
	const only = process.env.FLUX_BENCH_VENDORS?.split(',');
	const runs: Array<[string, () => Promise<Row>]> = [
		['hubspot', hubspot],
		['salesforce', salesforce],
		['pipedrive', pipedrive],
		['jobber', jobber],
	];
	console.log(`Connector benchmark — ${N.toLocaleString('en')} records per vendor, sandbox with real limits on a compressed clock · node ${process.version} · ${new Date().toISOString()}`);
	console.log('vendor      phase   records   calls calls/record   429  failed    vendor time');
	for (const [name, run] of runs) {
		if (only && !only.includes(name)) continue;
		const row = await run();
		console.log(line(row.vendor, 'read', row.read));
		console.log(line(row.vendor, 'upsert', row.upsert));
		console.log(`${''.padEnd(11)} time scale ×${row.timeScale}; ${row.note}`);
	}
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
