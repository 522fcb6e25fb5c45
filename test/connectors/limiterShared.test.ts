/**
 * Rate-limit budgets shared through PostgreSQL (connectors/core/postgresBudget.ts), as n8n queue mode needs them:
 * several processes using one credential share one budget, never go over the vendor's window, and carry on when
 * one of them dies; against the HubSpot sandbox, two processes on one credential get zero 429s (and without the
 * shared budget they do get them). Runs when PostgreSQL answers (see test/support/services.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { Client } from 'pg';
import { windowBudget, bucketBudget, type WindowSpec } from '../../connectors/core/limiter';
import { closeAllBudgets, postgresBudgets, PostgresBudgets } from '../../connectors/core/postgresBudget';
import { POSTGRES_URL, describeWith, postgresAvailableSync } from '../support/services';
import { startSandbox, type Sandbox } from './hubspot/helpers';
import { startHarness as startJobber, type Harness as JobberHarness } from './jobber/helpers';

jest.setTimeout(120_000);

const CHILD = path.resolve(__dirname, '../queue/budgetChild.ts');
const SCHEMA = `flux_budget_test_${process.pid}`;

interface Line {
	event: string;
	db?: number | null;
	at?: number;
	ok?: number;
	failed?: number;
	stats?: { rateLimited: number; requests: number };
	message?: string;
}

interface Child {
	proc: ChildProcess;
	lines: Line[];
	exited: Promise<number | null>;
	/** Resolves with the first line of this event. */
	next(event: string, timeoutMs?: number): Promise<Line>;
}

const children: ChildProcess[] = [];

function child(args: Record<string, unknown>, env: NodeJS.ProcessEnv = {}): Child {
	const proc = spawn(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify({ url: POSTGRES_URL, schema: SCHEMA, ...args })], {
		cwd: path.resolve(__dirname, '../..'),
		stdio: ['ignore', 'pipe', 'inherit'],
		env: { ...process.env, ...env },
	});
	children.push(proc);
	const lines: Line[] = [];
	const waiters: Array<{ event: string; resolve: (l: Line) => void }> = [];
	let buffer = '';
	proc.stdout!.on('data', (chunk: Buffer) => {
		buffer += chunk.toString('utf8');
		let nl: number;
		while ((nl = buffer.indexOf('\n')) >= 0) {
			const line = JSON.parse(buffer.slice(0, nl)) as Line;
			buffer = buffer.slice(nl + 1);
			lines.push(line);
			for (const w of [...waiters]) if (w.event === line.event || line.event === 'error') {
				waiters.splice(waiters.indexOf(w), 1);
				w.resolve(line);
			}
		}
	});
	const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)));
	return {
		proc,
		lines,
		exited,
		next(event, timeoutMs = 60_000) {
			const seen = lines.find((l) => l.event === event || l.event === 'error');
			if (seen) return Promise.resolve(seen);
			return new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error(`child: no "${event}" within ${timeoutMs} ms`)), timeoutMs);
				waiters.push({
					event,
					resolve: (l) => {
						clearTimeout(timer);
						if (l.event === 'error') reject(new Error(`child failed: ${l.message}`));
						else resolve(l);
					},
				});
			});
		},
	};
}

/** The most grants found in any span of `windowMs` (times sorted). */
function busiestWindow(times: number[], windowMs: number): number {
	const t = [...times].sort((a, b) => a - b);
	let most = 0;
	for (let i = 0, j = 0; i < t.length; i++) {
		while (t[i] - t[j] >= windowMs) j++;
		most = Math.max(most, i - j + 1);
	}
	return most;
}

async function sql(text: string, params: unknown[] = []): Promise<any[]> {
	const c = new Client({ connectionString: POSTGRES_URL });
	await c.connect();
	try {
		return (await c.query(text, params)).rows;
	} finally {
		await c.end();
	}
}

let keys = 0;
const key = (name: string) => `test:${process.pid}:${name}:${++keys}`;

describeWith(postgresAvailableSync())('rate-limit budgets shared through PostgreSQL', () => {
	afterAll(async () => {
		for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
		await closeAllBudgets();
		await sql(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
	});

	it('two processes on one credential share one window; no span of the window ever holds more than its limit', async () => {
		// 10 per 500 ms, no latency margin: the database's own grant times are checked against the bare window.
		const spec: WindowSpec = { limit: 10, windowMs: 500, scale: 1, marginMs: 0 };
		const shared = key('window');
		const startAt = Date.now() + 2500;
		const [a, b] = [child({ mode: 'window', key: shared, shared: true, spec, n: 30, startAt }), child({ mode: 'window', key: shared, shared: true, spec, n: 30, startAt })];
		await Promise.all([a.next('done'), b.next('done')]);
		const grants = [...a.lines, ...b.lines].filter((l) => l.event === 'grant');
		expect(grants).toHaveLength(60);
		const db = grants.map((g) => g.db!);
		expect(busiestWindow(db, 500)).toBe(10);
		// 60 grants at 10 per window need five full windows after the first: one budget, not two.
		expect(Math.max(...db) - Math.min(...db)).toBeGreaterThanOrEqual(5 * 500);
		// Both processes got slots throughout (no starvation): each has grants in the last second.
		const last = Math.max(...db);
		for (const c of [a, b]) expect(c.lines.some((l) => l.event === 'grant' && l.db! > last - 1000)).toBe(true);
	});

	it('without the shared budget the same two processes go over the window (what the test above guards)', async () => {
		const spec: WindowSpec = { limit: 10, windowMs: 500, scale: 1, marginMs: 0 };
		const shared = key('window-local');
		const startAt = Date.now() + 2500;
		const [a, b] = [child({ mode: 'window', key: shared, shared: false, spec, n: 10, startAt }), child({ mode: 'window', key: shared, shared: false, spec, n: 10, startAt })];
		await Promise.all([a.next('done'), b.next('done')]);
		const at = [...a.lines, ...b.lines].filter((l) => l.event === 'grant').map((g) => g.at!);
		expect(busiestWindow(at, 500)).toBe(20);
	});

	it('two connections in one process share it too, and a pause after a 429 holds every holder', async () => {
		const one = new PostgresBudgets({ connectionString: POSTGRES_URL, schema: SCHEMA });
		const two = new PostgresBudgets({ connectionString: POSTGRES_URL, schema: SCHEMA });
		try {
			const k = key('pause');
			const a = one.window(k, { limit: 100, windowMs: 1000, scale: 1 });
			const b = two.window(k, { limit: 100, windowMs: 1000, scale: 1 });
			await a.acquire();
			a.pause(600); // a 429 with Retry-After 0.6 s seen by one holder
			await new Promise((r) => setTimeout(r, 100));
			const t0 = Date.now();
			await b.acquire();
			expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
			// The vendor says 0 left for 400 ms (someone else spent the window): nobody sends until then.
			b.observe({ remaining: 0, resetInMs: 400 });
			await new Promise((r) => setTimeout(r, 100));
			const t1 = Date.now();
			await a.acquire();
			expect(Date.now() - t1).toBeGreaterThanOrEqual(200);
		} finally {
			await one.close();
			await two.close();
		}
	});

	it('a points bucket is shared, and the unused part of a reservation frees points for the other process', async () => {
		const one = new PostgresBudgets({ connectionString: POSTGRES_URL, schema: SCHEMA });
		const two = new PostgresBudgets({ connectionString: POSTGRES_URL, schema: SCHEMA });
		try {
			const k = key('bucket');
			const a = one.bucket(k, { maximum: 1000, restorePerSecond: 100, scale: 1 });
			const b = two.bucket(k, { maximum: 1000, restorePerSecond: 100, scale: 1 });
			await a.acquire(900);
			const t0 = Date.now();
			const second = b.acquire(900); // 800 short: 8 s of refill
			await new Promise((r) => setTimeout(r, 300));
			a.settle(900, 50); // the vendor priced the first call at 50 points
			await second;
			const waited = Date.now() - t0;
			expect(waited).toBeGreaterThanOrEqual(250);
			expect(waited).toBeLessThan(1500);
			// The vendor's figure lowers the shared level for everyone (someone else spends this account's points).
			b.observe({ currentlyAvailable: 0 });
			await new Promise((r) => setTimeout(r, 100));
			const t1 = Date.now();
			await a.acquire(100);
			expect(Date.now() - t1).toBeGreaterThanOrEqual(800);
		} finally {
			await one.close();
			await two.close();
		}
	});

	it('a process that dies holding a concurrency slot loses it when its lease runs out', async () => {
		const k = key('lease');
		const holder = child({ mode: 'lease', key: k, shared: true, leaseMs: 1000 });
		await holder.next('holding');
		const slots = postgresBudgets({ connectionString: POSTGRES_URL, schema: SCHEMA }).concurrency(k, { limit: 1, leaseMs: 1000 });
		// While the holder lives it renews the lease: nobody else gets in.
		const entered: number[] = [];
		const t0 = Date.now();
		const waiting = slots.run(async () => entered.push(Date.now()));
		await new Promise((r) => setTimeout(r, 1800));
		expect(entered).toHaveLength(0);
		holder.proc.kill('SIGKILL');
		await holder.exited;
		const killed = Date.now();
		await waiting;
		expect(entered[0] - killed).toBeLessThan(1500);
		expect(entered[0] - t0).toBeGreaterThanOrEqual(1800);
		// A released slot is free at once.
		const t1 = Date.now();
		await slots.run(async () => undefined);
		expect(Date.now() - t1).toBeLessThan(500);
	});

	it('a process killed in the middle of a grant (holding the row lock) does not block the others', async () => {
		const k = key('locked');
		const w = postgresBudgets({ connectionString: POSTGRES_URL, schema: SCHEMA }).window(k, { limit: 5, windowMs: 1000, scale: 1 });
		await w.acquire(); // creates the budget's row
		const locker = child({ mode: 'lockRow', key: k, shared: true });
		await locker.next('holding');
		const blocked = w.acquire();
		await new Promise((r) => setTimeout(r, 500));
		let granted = false;
		void blocked.then(() => (granted = true));
		expect(granted).toBe(false);
		locker.proc.kill('SIGKILL');
		await locker.exited;
		const killed = Date.now();
		await blocked;
		expect(Date.now() - killed).toBeLessThan(3000);
	});

	it('an unreachable database: the limiter keeps working on this process’s budget and says so once', async () => {
		const errors: string[] = [];
		const down = new PostgresBudgets({ pool: { host: '127.0.0.1', port: 1, connectionTimeoutMillis: 500 }, schema: SCHEMA, onError: (e) => errors.push(e.message) });
		try {
			const w = down.window(key('down'), { limit: 3, windowMs: 400, scale: 1, marginMs: 0 });
			const t0 = Date.now();
			for (let i = 0; i < 4; i++) await w.acquire();
			// The fourth waits for the local window: it is still a limiter.
			expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
			expect(errors).toHaveLength(1);
			const b = down.bucket(key('down-bucket'), { maximum: 100, restorePerSecond: 10, scale: 1 });
			await b.acquire(50);
			expect(errors).toHaveLength(2);
		} finally {
			await down.close();
		}
	});

	it('key locks: two connections never hold one key at once; a holder that dies loses its keys when its lease runs out', async () => {
		const scope = key('locks');
		const one = new PostgresBudgets({ connectionString: POSTGRES_URL, schema: SCHEMA });
		const two = new PostgresBudgets({ connectionString: POSTGRES_URL, schema: SCHEMA });
		try {
			const inside: string[] = [];
			let overlap = false;
			const job = (b: PostgresBudgets, name: string, keys: string[]) =>
				b.locks(scope).hold(keys, async () => {
					if (inside.some((n) => n !== name)) overlap = true;
					inside.push(name);
					await new Promise((r) => setTimeout(r, 50));
					inside.splice(inside.indexOf(name), 1);
				});
			await Promise.all(Array.from({ length: 6 }, (_, i) => job(i % 2 ? one : two, `job${i}`, i % 3 ? ['a@example.com', 'b@example.com'] : ['b@example.com', 'c@example.com'])));
			expect(overlap).toBe(false);
		} finally {
			await one.close();
			await two.close();
		}
		const holder = child({ mode: 'holdKeys', key: scope, shared: true, keys: ['d@example.com'], leaseMs: 1000 });
		await holder.next('holding');
		holder.proc.kill('SIGKILL');
		await holder.exited;
		const killed = Date.now();
		const waiting = postgresBudgets({ connectionString: POSTGRES_URL, schema: SCHEMA }).locks(scope).hold(['d@example.com'], async () => Date.now());
		// The dead holder's lease (1 s, renewed every third of it) runs out: the key is free again.
		expect((await waiting) - killed).toBeLessThan(1500);
	});

	it('in-process limiters and shared ones are kept apart per backend', () => {
		const backend = postgresBudgets({ connectionString: POSTGRES_URL, schema: SCHEMA });
		expect(postgresBudgets({ connectionString: POSTGRES_URL, schema: SCHEMA })).toBe(backend);
		expect(backend.id).not.toContain('password');
		const k = key('kinds');
		const local = windowBudget(k, { limit: 1, windowMs: 1000 });
		const shared = windowBudget(k, { limit: 1, windowMs: 1000 }, backend);
		expect(shared).not.toBe(local);
		expect(windowBudget(k, { limit: 1, windowMs: 1000 }, backend)).toBe(shared);
		expect(bucketBudget(k, { maximum: 1, restorePerSecond: 1 }, backend)).not.toBe(shared);
	});

	describe('two workers upserting the same new Jobber clients at once (Jobber has no native upsert)', () => {
		let h: JobberHarness;
		beforeAll(async () => {
			h = await startJobber();
		});
		afterAll(() => h?.stop());

		const upsertTwice = async (connectors: [ReturnType<JobberHarness['connector']>, ReturnType<JobberHarness['connector']>], prefix: string) => {
			const items = Array.from({ length: 10 }, (_, i) => ({ op: 'upsert' as const, fields: { firstName: `Twin${i}`, lastName: prefix, emails: [{ address: `${prefix}.${i}@example.com` }] } }));
			const results = await Promise.all(connectors.map((c) => c.write('clients', items)));
			const clients = ((await h.admin('GET', '/_sandbox/records/clients')) as Array<{ lastName?: string }>).filter((c) => c.lastName === prefix);
			return { ok: results.flat().filter((r) => r.ok).length, clients: clients.length };
		};

		it('with the match values locked through the sync store: each client once', async () => {
			const backend = postgresBudgets({ connectionString: POSTGRES_URL, schema: SCHEMA });
			const credential = key('jobber');
			const r = await upsertTwice([h.connector({ limiterKey: credential, budgets: backend }), h.connector({ limiterKey: credential, budgets: backend })], 'locked');
			expect(r).toEqual({ ok: 20, clients: 10 });
		});

		it('without a lock shared by both (two processes, each with its own): duplicates', async () => {
			const r = await upsertTwice([h.connector(), h.connector()], 'unlocked');
			expect(r.clients).toBeGreaterThan(10);
		});
	});

	describe('two processes, one HubSpot credential, against the sandbox’s real 10-second limit', () => {
		let sb: Sandbox;
		const SCALE = 5;
		beforeAll(async () => {
			sb = await startSandbox({}, SCALE);
		});
		afterAll(() => sb?.close());

		async function race(shared: boolean): Promise<{ ok: number; failed: number; rateLimited: number; status429: number; seconds: number }> {
			sb.resetCounters();
			const k = key(shared ? 'hubspot-shared' : 'hubspot-local');
			const startAt = Date.now() + 3000;
			const args = { mode: 'hubspot', key: k, shared, n: 150, baseUrl: sb.url, token: sb.token, timeScale: SCALE, startAt };
			// The sandbox answers from this (busy) test process on a machine other suites share: the spread of
			// latency between two requests is larger than on a quiet host, so the latency margin is set to 250 ms.
			const env = { FLUX_LIMITER_MARGIN_MS: '250' };
			const [a, b] = [child(args, env), child(args, env)];
			const done = await Promise.all([a.next('done'), b.next('done')]);
			return {
				ok: done.reduce((s, d) => s + d.ok!, 0),
				failed: done.reduce((s, d) => s + d.failed!, 0),
				rateLimited: done.reduce((s, d) => s + d.stats!.rateLimited, 0),
				status429: sb.byStatus(429),
				seconds: (Date.now() - startAt) / 1000,
			};
		}

		it('shared budget: 300 calls, zero 429s', async () => {
			const r = await race(true);
			expect(r).toMatchObject({ ok: 300, failed: 0, rateLimited: 0, status429: 0 });
			// 100 per 10 vendor s = 100 per 2 real s at 5×: at least two full windows after the first.
			expect(r.seconds).toBeGreaterThanOrEqual(4);
		});

		it('each process on its own budget: HubSpot answers 429s (retried, so still no failure)', async () => {
			const r = await race(false);
			expect(r.status429).toBeGreaterThan(0);
			expect(r.failed).toBe(0);
		});
	});
});
