/**
 * One process of the shared-budget tests (test/connectors/limiterShared.test.ts), started with
 * `node --import tsx budgetChild.ts '<json>'`. Prints one JSON line per event on stdout:
 * `{ "event": "ready" }`, `{ "event": "grant", "db": <database ms>, "at": <local ms> }`, `{ "event": "done", … }`.
 */
import { fetchClient } from '../../connectors/core/http';
import { windowBudget, type BudgetBackend, type WindowSpec } from '../../connectors/core/limiter';
import { PostgresBudgets, postgresBudgets } from '../../connectors/core/postgresBudget';
import { HubSpotConnector } from '../../connectors/hubspot';

interface Args {
	mode: 'window' | 'lease' | 'lockRow' | 'hubspot' | 'holdKeys';
	keys?: string[];
	url: string;
	schema: string;
	key: string;
	/** Shared through PostgreSQL (true) or this process's own limiter (false). */
	shared: boolean;
	n?: number;
	spec?: WindowSpec;
	leaseMs?: number;
	/** hubspot: the sandbox and its token. */
	baseUrl?: string;
	token?: string;
	timeScale?: number;
	/** Start at this local time (so several children begin together). */
	startAt?: number;
}

const print = (o: unknown) => process.stdout.write(`${JSON.stringify(o)}\n`);

async function main(): Promise<void> {
	const args = JSON.parse(process.argv[2]) as Args;
	const backend: BudgetBackend | undefined = args.shared ? postgresBudgets({ connectionString: args.url, schema: args.schema }) : undefined;
	const waitStart = async () => {
		if (args.startAt) await new Promise((r) => setTimeout(r, Math.max(0, args.startAt! - Date.now())));
	};

	if (args.mode === 'window') {
		const limiter = windowBudget(args.key, args.spec!, backend);
		const grants: number[] = [];
		(limiter as { onGrant?: (db: number) => void }).onGrant = (db) => grants.push(db);
		print({ event: 'ready' });
		await waitStart();
		for (let i = 0; i < (args.n ?? 10); i++) {
			await limiter.acquire();
			print({ event: 'grant', db: grants[grants.length - 1] ?? null, at: Date.now() });
		}
		print({ event: 'done' });
	} else if (args.mode === 'lease') {
		// Takes a concurrency slot and holds it until killed.
		const slots = backend!.concurrency(args.key, { limit: 1, leaseMs: args.leaseMs });
		await slots.run(async () => {
			print({ event: 'holding', at: Date.now() });
			await new Promise(() => undefined);
		});
	} else if (args.mode === 'holdKeys') {
		// Holds key locks until killed (a worker dying in the middle of an upsert).
		const locks = new PostgresBudgets({ connectionString: args.url, schema: args.schema, lockLeaseMs: args.leaseMs }).locks(args.key);
		await locks.hold(args.keys ?? [], async () => {
			print({ event: 'holding', at: Date.now() });
			await new Promise(() => undefined);
		});
	} else if (args.mode === 'lockRow') {
		// Holds the budget's row lock inside an open transaction until killed (a process dying mid-grant).
		const { Client } = await import('pg');
		const client = new Client({ connectionString: args.url });
		await client.connect();
		await client.query('BEGIN');
		await client.query(`SELECT * FROM "${args.schema}".flux_budget WHERE key = $1 FOR UPDATE`, [args.key]);
		print({ event: 'holding', at: Date.now() });
		await new Promise(() => undefined);
	} else if (args.mode === 'hubspot') {
		const hs = new HubSpotConnector({
			http: fetchClient({ baseUrl: args.baseUrl!, headers: () => ({ authorization: `Bearer ${args.token}` }), timeoutMs: 10_000 }),
			limiterKey: args.key,
			timeScale: args.timeScale,
			budgets: backend,
			retry: { maxAttempts: 8 },
		});
		const grants: Array<[number, number]> = [];
		(hs.client.standard as { onGrant?: (db: number) => void }).onGrant = (db) => grants.push([db, Date.now()]);
		print({ event: 'ready' });
		await waitStart();
		let ok = 0;
		let failed = 0;
		await Promise.all(
			Array.from({ length: 4 }, async (_, lane) => {
				for (let i = lane; i < (args.n ?? 10); i += 4) {
					try {
						const res = await hs.client.call({ method: 'GET', url: '/crm/v3/objects/contacts', query: { limit: 1 } });
						if (res.status === 200) ok++;
						else failed++;
					} catch {
						failed++;
					}
				}
			}),
		);
		print({ event: 'done', ok, failed, stats: hs.client.stats, grants });
	}
	process.exit(0);
}

main().catch((err) => {
	print({ event: 'error', message: String(err?.stack ?? err) });
	process.exit(1);
});
