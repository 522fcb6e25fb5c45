/**
 * bench:ledger — Plan 100,000 records against 100,000 stored pairs on both store backends, printing records/s
 * and peak RSS. Records arrive in batches (as n8n's Loop Over Items or a paged read delivers them); 10% of them
 * changed since the last sync, the rest are unchanged (the common case: echoes and untouched records).
 *
 *   bash scripts/with-node24.sh node --expose-gc --import tsx bench/ledger.bench.ts [records] [batch] [dry|live]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { plan, type LedgerConfig, type LedgerRecord } from '../sync/ledger';
import { getPreset } from '../sync/mapping';
import { openPostgresStore, openSqliteStore, type PairInput, type SyncStore } from '../sync/store';
import { POSTGRES_URL, postgresAvailable } from '../test/support/services';

const N = Number(process.argv[2] ?? 100_000);
const BATCH = Number(process.argv[3] ?? 5_000);
/** `dry` (default): planning only. `live`: Plan also begins intents and refreshes the snapshots of touched records. */
const MODE = process.argv[4] === 'live' ? 'live' : 'dry';

const preset = getPreset('salesforce_contact_hubspot_contact');
const config: LedgerConfig = {
	mappingId: 'bench',
	mapping: preset.mapping,
	source: preset.source,
	target: preset.target,
	matchKey: { source: 'Email', target: 'email', normalise: 'email' },
};

const T0 = Date.parse('2025-06-01T00:00:00.000Z');
function sourceFields(i: number, changed: boolean): Record<string, unknown> {
	return {
		FirstName: changed ? `Changed${i}` : `First${i % 500}`,
		LastName: `Last${i % 900}`,
		Email: `person${i}@example.com`,
		Phone: `+1217555${String(i % 10_000).padStart(4, '0')}`,
		Title: i % 3 ? 'Owner' : null,
		MailingStreet: `${i % 999} Main St`,
		MailingCity: 'Springfield',
		MailingState: 'IL',
		MailingPostalCode: '62704',
		MailingCountry: 'US',
	};
}
const targetOf = (f: Record<string, unknown>) => ({
	firstname: f.FirstName,
	lastname: f.LastName,
	email: f.Email,
	phone: f.Phone,
	jobtitle: f.Title,
	address: f.MailingStreet,
	city: f.MailingCity,
	state: f.MailingState,
	zip: f.MailingPostalCode,
	country: f.MailingCountry,
});

async function seed(store: SyncStore): Promise<void> {
	for (let i = 0; i < N; i += 5_000) {
		const inputs: PairInput[] = [];
		for (let k = i; k < Math.min(N, i + 5_000); k++) {
			const f = sourceFields(k, false);
			inputs.push({
				mappingId: config.mappingId,
				source: { system: 'salesforce', object: 'Contact', id: `S${k}` },
				target: { system: 'hubspot', object: 'contacts', id: `T${k}` },
				sourceSnapshot: f,
				targetSnapshot: targetOf(f),
				sourceUpdatedAt: new Date(T0).toISOString(),
				targetUpdatedAt: new Date(T0).toISOString(),
			});
		}
		await store.pairRecords(inputs);
	}
}

async function bench(name: string, store: SyncStore): Promise<void> {
	const seedStart = Date.now();
	await seed(store);
	const seeded = (Date.now() - seedStart) / 1000;
	let peak = process.memoryUsage().rss;
	const sample = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
	const heapAt: number[] = [];
	const counts = { toTarget: 0, unchanged: 0 };
	const start = Date.now();
	for (let i = 0; i < N; i += BATCH) {
		const records: LedgerRecord[] = [];
		for (let k = i; k < Math.min(N, i + BATCH); k++) {
			const changed = k % 10 === 0;
			records.push({ system: 'salesforce', object: 'Contact', id: `S${k}`, updatedAt: new Date(T0 + 60_000 + k).toISOString(), fields: sourceFields(k, changed) });
		}
		const res = await plan({ ...config, dryRun: MODE === 'dry' }, records, [], store);
		counts.toTarget += res.toTarget.length;
		counts.unchanged += res.unchanged.length;
		// Live heap after a full GC, four times over the run: flat means memory does not grow with the record count.
		if ((i / BATCH) % Math.max(1, Math.floor(N / BATCH / 4)) === 0) {
			(globalThis as { gc?: () => void }).gc?.();
			heapAt.push(process.memoryUsage().heapUsed);
		}
	}
	const seconds = (Date.now() - start) / 1000;
	clearInterval(sample);
	peak = Math.max(peak, process.memoryUsage().rss);
	const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
	process.stdout.write(
		`${name.padEnd(10)} ${MODE} ${N.toLocaleString('en-US')} records in batches of ${BATCH.toLocaleString('en-US')} against ${N.toLocaleString('en-US')} pairs: ` +
			`${Math.round(N / seconds).toLocaleString('en-US')} records/s (${seconds.toFixed(2)} s; ${counts.toTarget} updates, ${counts.unchanged} unchanged), ` +
			`peak RSS ${mb(peak)}` +
			((globalThis as { gc?: unknown }).gc ? `, live heap over the run ${heapAt.map(mb).join(' → ')}` : ' (run with node --expose-gc for the live heap)') +
			` (seeding ${seeded.toFixed(1)} s)\n`,
	);
}

async function main(): Promise<void> {
	const dir = mkdtempSync(join(tmpdir(), 'fluxcascade-bench-'));
	try {
		const sqlite = await openSqliteStore({ kind: 'sqlite', path: join(dir, 'bench.sqlite') });
		try {
			await bench('sqlite', sqlite);
		} finally {
			await sqlite.close();
		}
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
	const pg = await postgresAvailable();
	if (!pg.available) {
		process.stdout.write(`postgres   skipped: ${pg.reason}\n`);
		return;
	}
	const schema = `bench_${process.pid}`;
	const store = await openPostgresStore({ kind: 'postgres', connectionString: POSTGRES_URL, schema });
	try {
		await bench('postgres', store);
	} finally {
		await store.close();
		const c = new Client({ connectionString: POSTGRES_URL });
		await c.connect();
		await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
		await c.end();
	}
}

main().catch((err) => {
	process.stderr.write(`${err?.stack ?? err}\n`);
	process.exit(1);
});
