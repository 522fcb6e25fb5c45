/**
 * Rate-limit budgets shared by every process that uses a credential, kept in PostgreSQL: n8n in queue mode runs
 * executions in several workers (and webhooks in main), and a vendor counts all of them against one limit.
 *
 * PostgreSQL rather than Redis: queue mode already needs PostgreSQL for n8n, and the FluxCascade Sync Store
 * credential already points the nodes at it, so sharing budgets asks users for no new credential or dependency.
 *
 * Each acquire is one statement (a PL/pgSQL function) that locks the budget's row, so grants of one budget are
 * serialised across processes, and answers either "granted" or "wait this long". Times come from the database's
 * clock, the one clock every process sees. A process that dies holds nothing for long: its window grants age out
 * with the window, its bucket reservations are spent points that refill, and a concurrency slot is a lease it
 * must renew. Should the database be unreachable, a limiter falls back to this process's own budget (reported
 * through `onError`) and tries the database again a few seconds later: a sync is never stopped by its limiter.
 *
 * Tables (in the store's schema, default `fluxcascade`, created on first use): `flux_budget` (one row per budget:
 * pause, vendor's remaining count, bucket level), `flux_budget_grant` (window grants), `flux_budget_lease`
 * (concurrency slots) and `flux_budget_lock` (key locks: an upsert's match value while it is found and written).
 */
import { hostname } from 'node:os';
import { Pool, type PoolConfig } from 'pg';
import {
	ConcurrencyLimiter,
	CostBucket,
	LocalKeyLocks,
	Turnstile,
	WindowLimiter,
	effectiveLimit,
	latencyMarginMs,
	vendorTimeScale,
	type BucketSpec,
	type BucketStatus,
	type BudgetBackend,
	type ConcurrencyBudget,
	type ConcurrencySpec,
	type KeyLocks,
	type PointsBudget,
	type RequestWindow,
	type WindowSignal,
	type WindowSpec,
} from './limiter';

export interface PostgresBudgetConfig {
	connectionString?: string;
	/** node-postgres pool options (host, port, database, user, password, ssl). */
	pool?: Omit<PoolConfig, 'types'>;
	/** Schema of the tables (default `fluxcascade`, the sync store's). */
	schema?: string;
	/** Told when the database cannot be used and a limiter falls back to its process's budget. */
	onError?: (error: Error, key: string) => void;
	/** Real ms before a fallen-back limiter tries the database again (default 5,000). */
	retryAfterMs?: number;
	/** Real ms a key lock outlives a holder that stopped renewing it (died); default 30,000. */
	lockLeaseMs?: number;
}

export const DEFAULT_BUDGET_SCHEMA = 'fluxcascade';
/** Longest real ms a waiting bucket sleeps before looking again (refunds of other processes may free points). */
const BUCKET_POLL_MS = 200;
/** Longest real ms a process waiting for a concurrency slot sleeps before looking again. */
const LEASE_POLL_MS = 25;
const DEFAULT_LEASE_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function quoteIdent(name: string): string {
	if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(name)) throw new Error(`Invalid PostgreSQL schema name: ${JSON.stringify(name)} (letters, digits, _)`);
	return `"${name}"`;
}

/** Where the budgets live, without the password: host, port, database, user and schema. */
export function budgetIdentity(config: PostgresBudgetConfig): string {
	const schema = config.schema || DEFAULT_BUDGET_SCHEMA;
	if (config.connectionString) {
		try {
			const u = new URL(config.connectionString);
			return `pg:${decodeURIComponent(u.username)}@${u.hostname}:${u.port || 5432}/${u.pathname.replace(/^\//, '')}/${schema}`;
		} catch {
			return `pg:(unparsed)/${schema}`;
		}
	}
	const p = config.pool ?? {};
	return `pg:${p.user ?? ''}@${p.host ?? 'localhost'}:${p.port ?? 5432}/${p.database ?? ''}/${schema}`;
}

/** The tables and functions, created (or replaced) once per process under an advisory lock. */
function setupSql(s: string): string[] {
	return [
		`CREATE SCHEMA IF NOT EXISTS ${s}`,
		`CREATE TABLE IF NOT EXISTS ${s}.flux_budget (
			key text PRIMARY KEY,
			paused_until float8 NOT NULL DEFAULT 0,
			vendor_remaining integer,
			vendor_reset_at float8 NOT NULL DEFAULT 0,
			available float8,
			maximum float8,
			restore_per_ms float8,
			refilled_at float8,
			touched_at float8 NOT NULL DEFAULT 0
		)`,
		`CREATE TABLE IF NOT EXISTS ${s}.flux_budget_grant (key text NOT NULL, at float8 NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS flux_budget_grant_key_at ON ${s}.flux_budget_grant (key, at)`,
		`CREATE TABLE IF NOT EXISTS ${s}.flux_budget_lease (key text NOT NULL, holder text NOT NULL, expires_at float8 NOT NULL, PRIMARY KEY (key, holder))`,
		`CREATE TABLE IF NOT EXISTS ${s}.flux_budget_lock (key text PRIMARY KEY, holder text NOT NULL, expires_at float8 NOT NULL)`,
		// A rolling window: room → a grant stamped now; full → how long until the oldest grant leaves it.
		`CREATE OR REPLACE FUNCTION ${s}.flux_budget_window(p_key text, p_limit integer, p_window_ms float8)
		RETURNS TABLE (wait_ms float8, granted_at float8, counted integer) LANGUAGE plpgsql AS $fn$
		DECLARE
			v_now float8 := extract(epoch FROM clock_timestamp()) * 1000;
			v_row ${s}.flux_budget%ROWTYPE;
			v_count integer;
			v_oldest float8;
		BEGIN
			INSERT INTO ${s}.flux_budget AS b (key, touched_at) VALUES (p_key, v_now)
				ON CONFLICT (key) DO UPDATE SET touched_at = v_now RETURNING b.* INTO v_row;
			IF v_row.paused_until > v_now THEN
				RETURN QUERY SELECT v_row.paused_until - v_now, NULL::float8, -1;
				RETURN;
			END IF;
			DELETE FROM ${s}.flux_budget_grant g WHERE g.key = p_key AND g.at <= v_now - p_window_ms;
			SELECT count(*)::integer, min(g.at) INTO v_count, v_oldest FROM ${s}.flux_budget_grant g WHERE g.key = p_key;
			IF v_row.vendor_remaining IS NOT NULL THEN
				IF v_row.vendor_reset_at <= v_now THEN
					UPDATE ${s}.flux_budget b SET vendor_remaining = NULL WHERE b.key = p_key;
					v_row.vendor_remaining := NULL;
				ELSIF v_row.vendor_remaining <= 0 THEN
					RETURN QUERY SELECT v_row.vendor_reset_at - v_now, NULL::float8, v_count;
					RETURN;
				END IF;
			END IF;
			IF v_count < p_limit THEN
				INSERT INTO ${s}.flux_budget_grant (key, at) VALUES (p_key, v_now);
				IF v_row.vendor_remaining IS NOT NULL THEN
					UPDATE ${s}.flux_budget b SET vendor_remaining = b.vendor_remaining - 1 WHERE b.key = p_key;
				END IF;
				RETURN QUERY SELECT 0::float8, v_now, v_count + 1;
				RETURN;
			END IF;
			RETURN QUERY SELECT v_oldest + p_window_ms - v_now + 1, NULL::float8, v_count;
		END
		$fn$`,
		// A points bucket: refill by the elapsed time, then reserve `p_cost` or say how long until it is there.
		`CREATE OR REPLACE FUNCTION ${s}.flux_budget_bucket(p_key text, p_cost float8, p_maximum float8, p_restore_per_ms float8)
		RETURNS TABLE (wait_ms float8, left_after float8, maximum_now float8) LANGUAGE plpgsql AS $fn$
		DECLARE
			v_now float8 := extract(epoch FROM clock_timestamp()) * 1000;
			v_row ${s}.flux_budget%ROWTYPE;
			v_max float8;
			v_rate float8;
			v_avail float8;
			v_need float8;
			v_wait float8 := 0;
		BEGIN
			INSERT INTO ${s}.flux_budget AS b (key, touched_at) VALUES (p_key, v_now)
				ON CONFLICT (key) DO UPDATE SET touched_at = v_now RETURNING b.* INTO v_row;
			v_max := coalesce(v_row.maximum, p_maximum);
			v_rate := coalesce(v_row.restore_per_ms, p_restore_per_ms);
			v_avail := least(v_max, coalesce(v_row.available, v_max) + greatest(0, v_now - coalesce(v_row.refilled_at, v_now)) * v_rate);
			v_need := least(p_cost, v_max);
			IF v_avail >= v_need THEN
				v_avail := v_avail - v_need;
			ELSE
				v_wait := ceil((v_need - v_avail) / v_rate) + 1;
			END IF;
			UPDATE ${s}.flux_budget b SET available = v_avail, maximum = v_max, restore_per_ms = v_rate, refilled_at = v_now WHERE b.key = p_key;
			RETURN QUERY SELECT v_wait, v_avail, v_max;
		END
		$fn$`,
		// After the vendor priced a call: the unused part of its reservation back, then the vendor's own figures,
		// which may only lower ours (reservations of calls in flight are not in them yet).
		`CREATE OR REPLACE FUNCTION ${s}.flux_budget_settle(p_key text, p_refund float8, p_vendor_available float8, p_vendor_maximum float8, p_vendor_restore_per_ms float8)
		RETURNS void LANGUAGE plpgsql AS $fn$
		DECLARE
			v_now float8 := extract(epoch FROM clock_timestamp()) * 1000;
			v_row ${s}.flux_budget%ROWTYPE;
			v_max float8;
			v_rate float8;
			v_avail float8;
		BEGIN
			SELECT * INTO v_row FROM ${s}.flux_budget b WHERE b.key = p_key FOR UPDATE;
			IF NOT FOUND OR v_row.available IS NULL THEN
				RETURN;
			END IF;
			v_avail := least(v_row.maximum, v_row.available + greatest(0, v_now - v_row.refilled_at) * v_row.restore_per_ms);
			v_max := coalesce(p_vendor_maximum, v_row.maximum);
			v_rate := coalesce(p_vendor_restore_per_ms, v_row.restore_per_ms);
			v_avail := least(v_max, v_avail + p_refund);
			IF p_vendor_available IS NOT NULL THEN
				v_avail := least(v_avail, p_vendor_available);
			END IF;
			UPDATE ${s}.flux_budget b SET available = v_avail, maximum = v_max, restore_per_ms = v_rate, refilled_at = v_now, touched_at = v_now WHERE b.key = p_key;
		END
		$fn$`,
		// A concurrency slot: a lease the holder renews; expired leases (a holder that died) are cleared first.
		`CREATE OR REPLACE FUNCTION ${s}.flux_budget_lease_take(p_key text, p_limit integer, p_holder text, p_lease_ms float8)
		RETURNS float8 LANGUAGE plpgsql AS $fn$
		DECLARE
			v_now float8 := extract(epoch FROM clock_timestamp()) * 1000;
			v_count integer;
			v_next float8;
		BEGIN
			INSERT INTO ${s}.flux_budget AS b (key, touched_at) VALUES (p_key, v_now)
				ON CONFLICT (key) DO UPDATE SET touched_at = v_now;
			DELETE FROM ${s}.flux_budget_lease l WHERE l.key = p_key AND l.expires_at <= v_now;
			SELECT count(*)::integer, min(l.expires_at) INTO v_count, v_next FROM ${s}.flux_budget_lease l WHERE l.key = p_key;
			IF v_count < p_limit THEN
				INSERT INTO ${s}.flux_budget_lease (key, holder, expires_at) VALUES (p_key, p_holder, v_now + p_lease_ms)
					ON CONFLICT (key, holder) DO UPDATE SET expires_at = EXCLUDED.expires_at;
				RETURN 0;
			END IF;
			RETURN greatest(1, v_next - v_now);
		END
		$fn$`,
	];
}

/** The shared budgets of one database and schema; limiters are made per key (see core `windowBudget` & co.). */
export class PostgresBudgets implements BudgetBackend {
	readonly id: string;
	readonly schema: string;
	private readonly q: string;
	private readonly pool: Pool;
	private ready: Promise<void> | undefined;
	private closed = false;

	constructor(private readonly config: PostgresBudgetConfig) {
		this.schema = config.schema || DEFAULT_BUDGET_SCHEMA;
		this.q = quoteIdent(this.schema);
		this.id = budgetIdentity(config);
		this.pool = new Pool({
			application_name: 'n8n-nodes-fluxcascade budgets',
			max: 4,
			idleTimeoutMillis: 30_000,
			connectionTimeoutMillis: 5_000,
			...config.pool,
			...(config.connectionString !== undefined ? { connectionString: config.connectionString } : {}),
		});
		// An idle client that loses its connection emits on the pool; without a listener that would crash n8n.
		this.pool.on('error', () => undefined);
	}

	get retryAfterMs(): number {
		return this.config.retryAfterMs ?? 5_000;
	}

	reportError(error: Error, key: string): void {
		this.config.onError?.(error, key);
	}

	/** Creates the tables and functions once per process (retried on the next call if it failed). */
	private setup(): Promise<void> {
		if (!this.ready) {
			const attempt = (async () => {
				const client = await this.pool.connect();
				try {
					await client.query('BEGIN');
					await client.query(`SELECT pg_advisory_xact_lock(hashtext('fluxcascade:budgets'), hashtext($1))`, [this.schema]);
					for (const sql of setupSql(this.q)) await client.query(sql);
					await client.query('COMMIT');
				} catch (err) {
					await client.query('ROLLBACK').catch(() => undefined);
					throw err;
				} finally {
					client.release();
				}
			})();
			this.ready = attempt;
			attempt.catch(() => {
				if (this.ready === attempt) this.ready = undefined;
			});
		}
		return this.ready;
	}

	/** One statement, once the tables exist. A schema created concurrently by the sync store is tried again. */
	async query<R extends Record<string, unknown>>(sql: string, params: unknown[]): Promise<R[]> {
		if (this.closed) throw new Error('The budget store is closed');
		try {
			await this.setup();
		} catch (err) {
			const code = (err as { code?: string }).code;
			// Two processes creating the schema at once (ours and the sync store's migration): once more.
			if (code !== '23505' && code !== '42P06' && code !== '42P07') throw err;
			await this.setup();
		}
		const res = await this.pool.query(sql.replace(/\{s\}/g, this.q), params);
		return res.rows as R[];
	}

	window(key: string, spec: WindowSpec): RequestWindow {
		return new SharedWindow(this, key, spec);
	}

	bucket(key: string, spec: BucketSpec): PointsBudget {
		return new SharedBucket(this, key, spec);
	}

	concurrency(key: string, spec: ConcurrencySpec): ConcurrencyBudget {
		return new SharedConcurrency(this, key, spec);
	}

	locks(scope: string): KeyLocks {
		return new SharedKeyLocks(this, scope, this.config.lockLeaseMs ?? DEFAULT_LEASE_MS);
	}

	/** Closes the pool (tests, shutdown). Limiters made from it fall back to their process's budget. */
	async close(): Promise<void> {
		if (this.closed) return;
		this.closed = true;
		await this.pool.end();
	}
}

/** When the database failed: use the process's budget until `until`. */
class Fallback<T> {
	private until = 0;
	private limiter: T | undefined;

	constructor(
		private readonly backend: PostgresBudgets,
		private readonly key: string,
		private readonly create: () => T,
	) {}

	get active(): T | undefined {
		return Date.now() < this.until ? this.local() : undefined;
	}

	local(): T {
		return (this.limiter ??= this.create());
	}

	/** The database failed: report it (once per episode) and use the local limiter for a while. */
	trip(err: unknown): T {
		if (Date.now() >= this.until) this.backend.reportError(err instanceof Error ? err : new Error(String(err)), this.key);
		this.until = Date.now() + this.backend.retryAfterMs;
		return this.local();
	}
}

/** Writes that need not delay the caller (vendor signals, pauses), in order; the next acquire waits for them. */
class WriteQueue {
	private tail: Promise<void> = Promise.resolve();

	push(write: () => Promise<unknown>): void {
		this.tail = this.tail.then(
			() => write().then(
				() => undefined,
				() => undefined,
			),
		);
	}

	flushed(): Promise<void> {
		return this.tail;
	}
}

class SharedWindow implements RequestWindow {
	limit: number;
	private readonly headroom: number;
	private readonly scale: number;
	/** The window in real ms, latency margin included. */
	readonly realWindow: number;
	private readonly gate = new Turnstile();
	private readonly writes = new WriteQueue();
	private readonly fallback: Fallback<WindowLimiter>;
	/** Known locally, so waiters of this process do not ask the database during a pause. */
	private pausedUntil = 0;
	private lastGrant = { at: 0, counted: 0 };
	/** Database times of this process's grants (tests and diagnostics), when asked for. */
	onGrant?: (dbTimeMs: number, counted: number) => void;

	constructor(
		private readonly backend: PostgresBudgets,
		private readonly key: string,
		spec: WindowSpec,
	) {
		this.limit = spec.limit;
		this.headroom = spec.headroom ?? 0;
		this.scale = spec.scale ?? vendorTimeScale();
		this.realWindow = spec.windowMs / this.scale + latencyMarginMs(spec.windowMs / this.scale, spec.marginMs);
		this.fallback = new Fallback(backend, key, () => new WindowLimiter(spec.limit, spec.windowMs, this.scale, this.headroom, spec.marginMs));
	}

	acquire(): Promise<void> {
		return this.gate.run(async () => {
			for (;;) {
				const local = this.fallback.active;
				if (local) return local.acquire();
				const now = Date.now();
				if (this.pausedUntil > now) {
					await sleep(this.pausedUntil - now);
					continue;
				}
				await this.writes.flushed();
				let row: { wait_ms: number; granted_at: number | null; counted: number };
				try {
					[row] = await this.backend.query<typeof row>('SELECT * FROM {s}.flux_budget_window($1, $2, $3)', [this.key, effectiveLimit(this.limit, this.headroom), this.realWindow]);
				} catch (err) {
					return this.fallback.trip(err).acquire();
				}
				if (row.wait_ms <= 0) {
					this.lastGrant = { at: Date.now(), counted: row.counted };
					this.onGrant?.(row.granted_at ?? Date.now(), row.counted);
					return;
				}
				await sleep(row.wait_ms);
			}
		});
	}

	observe(signal: WindowSignal): void {
		if (signal.max !== undefined && signal.max > 0) this.limit = signal.max;
		this.fallback.local().observe(signal);
		if (signal.remaining === undefined) return;
		const resetIn = signal.resetInMs !== undefined ? signal.resetInMs / this.scale : this.realWindow;
		const remaining = Math.floor(signal.remaining);
		this.writes.push(() =>
			this.backend.query(
				`INSERT INTO {s}.flux_budget AS b (key, vendor_remaining, vendor_reset_at, touched_at)
				 VALUES ($1, $2, extract(epoch FROM clock_timestamp()) * 1000 + $3, extract(epoch FROM clock_timestamp()) * 1000)
				 ON CONFLICT (key) DO UPDATE SET vendor_remaining = EXCLUDED.vendor_remaining, vendor_reset_at = EXCLUDED.vendor_reset_at, touched_at = EXCLUDED.touched_at`,
				[this.key, remaining, resetIn],
			),
		);
	}

	pause(vendorMs: number): void {
		const realMs = vendorMs / this.scale;
		this.pausedUntil = Math.max(this.pausedUntil, Date.now() + realMs);
		this.fallback.local().pause(vendorMs);
		this.writes.push(() =>
			this.backend.query(
				`INSERT INTO {s}.flux_budget AS b (key, paused_until, touched_at)
				 VALUES ($1, extract(epoch FROM clock_timestamp()) * 1000 + $2, extract(epoch FROM clock_timestamp()) * 1000)
				 ON CONFLICT (key) DO UPDATE SET paused_until = greatest(b.paused_until, EXCLUDED.paused_until), touched_at = EXCLUDED.touched_at`,
				[this.key, realMs],
			),
		);
	}

	/** Grants in the window at this process's last grant (every process's), if that was within `realMs`. */
	recent(realMs: number): number {
		const local = this.fallback.active;
		if (local) return local.recent(realMs);
		return this.lastGrant.at > Date.now() - realMs ? this.lastGrant.counted : 0;
	}
}

class SharedBucket implements PointsBudget {
	maximum: number;
	restorePerSecond: number;
	private readonly scale: number;
	private readonly gate = new Turnstile();
	private readonly writes = new WriteQueue();
	private readonly fallback: Fallback<CostBucket>;

	constructor(
		private readonly backend: PostgresBudgets,
		private readonly key: string,
		spec: BucketSpec,
	) {
		this.maximum = spec.maximum;
		this.restorePerSecond = spec.restorePerSecond;
		this.scale = spec.scale ?? vendorTimeScale();
		this.fallback = new Fallback(backend, key, () => new CostBucket(spec.maximum, spec.restorePerSecond, this.scale));
	}

	private get restorePerRealMs(): number {
		return (this.restorePerSecond * this.scale) / 1000;
	}

	acquire(cost: number): Promise<void> {
		return this.gate.run(async () => {
			for (;;) {
				const local = this.fallback.active;
				if (local) return local.acquire(cost);
				await this.writes.flushed();
				let row: { wait_ms: number; maximum_now: number };
				try {
					[row] = await this.backend.query<typeof row>('SELECT * FROM {s}.flux_budget_bucket($1, $2, $3, $4)', [this.key, cost, this.maximum, this.restorePerRealMs]);
				} catch (err) {
					return this.fallback.trip(err).acquire(cost);
				}
				if (row.maximum_now > 0) this.maximum = row.maximum_now;
				if (row.wait_ms <= 0) return;
				await sleep(Math.min(row.wait_ms, BUCKET_POLL_MS));
			}
		});
	}

	settle(reserved: number, actual: number, status?: BucketStatus): void {
		this.fallback.local().settle(reserved, actual, status);
		if (status?.maximumAvailable) this.maximum = status.maximumAvailable;
		if (status?.restoreRate) this.restorePerSecond = status.restoreRate;
		const refund = Math.min(reserved, this.maximum) - actual;
		const restore = status?.restoreRate ? (status.restoreRate * this.scale) / 1000 : null;
		this.writes.push(() =>
			this.backend.query('SELECT {s}.flux_budget_settle($1, $2, $3, $4, $5)', [this.key, refund, status?.currentlyAvailable ?? null, status?.maximumAvailable || null, restore]),
		);
	}

	observe(status: BucketStatus): void {
		this.settle(0, 0, status);
	}
}

let leaseCounter = 0;
const HOLDER = `${hostname()}:${process.pid}:${Math.random().toString(36).slice(2, 8)}`;

class SharedConcurrency implements ConcurrencyBudget {
	readonly limit: number;
	private readonly leaseMs: number;
	private readonly fallback: Fallback<ConcurrencyLimiter>;

	constructor(
		private readonly backend: PostgresBudgets,
		private readonly key: string,
		spec: ConcurrencySpec,
	) {
		this.limit = spec.limit;
		this.leaseMs = spec.leaseMs ?? DEFAULT_LEASE_MS;
		this.fallback = new Fallback(backend, key, () => new ConcurrencyLimiter(spec.limit));
	}

	async run<T>(fn: () => Promise<T>): Promise<T> {
		const holder = `${HOLDER}:${++leaseCounter}`;
		for (;;) {
			const local = this.fallback.active;
			if (local) return local.run(fn);
			let wait: number;
			try {
				const [row] = await this.backend.query<{ wait: number }>('SELECT {s}.flux_budget_lease_take($1, $2, $3, $4) AS wait', [this.key, this.limit, holder, this.leaseMs]);
				wait = row.wait;
			} catch (err) {
				return this.fallback.trip(err).run(fn);
			}
			if (wait <= 0) break;
			await sleep(Math.min(wait, LEASE_POLL_MS));
		}
		// A live holder keeps its slot; one that dies loses it when the lease runs out.
		const renew = setInterval(() => {
			this.backend.query('UPDATE {s}.flux_budget_lease SET expires_at = extract(epoch FROM clock_timestamp()) * 1000 + $3 WHERE key = $1 AND holder = $2', [this.key, holder, this.leaseMs]).catch(() => undefined);
		}, Math.max(50, this.leaseMs / 3));
		renew.unref?.();
		try {
			return await fn();
		} finally {
			clearInterval(renew);
			await this.backend.query('DELETE FROM {s}.flux_budget_lease WHERE key = $1 AND holder = $2', [this.key, holder]).catch(() => undefined);
		}
	}
}

/**
 * Locks held across processes: all of a holder's keys are taken in one statement or none are (so two holders of
 * overlapping keys never hold half each), renewed while held, and freed when released or when a holder that
 * died stops renewing them.
 */
class SharedKeyLocks implements KeyLocks {
	private readonly fallback: Fallback<LocalKeyLocks>;

	constructor(
		private readonly backend: PostgresBudgets,
		private readonly scope: string,
		private readonly leaseMs: number,
	) {
		this.fallback = new Fallback(backend, scope, () => new LocalKeyLocks());
	}

	async hold<T>(keys: readonly string[], fn: () => Promise<T>): Promise<T> {
		if (keys.length === 0) return fn();
		const names = [...new Set(keys)].sort().map((k) => `${this.scope}:${k}`);
		const holder = `${HOLDER}:${++leaseCounter}`;
		for (;;) {
			const local = this.fallback.active;
			if (local) return local.hold(keys, fn);
			let taken: number;
			try {
				const [row] = await this.backend.query<{ n: number }>(
					`WITH taken AS (
						INSERT INTO {s}.flux_budget_lock AS l (key, holder, expires_at)
						SELECT k, $2, extract(epoch FROM clock_timestamp()) * 1000 + $3 FROM unnest($1::text[]) WITH ORDINALITY AS w(k, o) ORDER BY o
						ON CONFLICT (key) DO UPDATE SET holder = EXCLUDED.holder, expires_at = EXCLUDED.expires_at
							WHERE l.expires_at <= extract(epoch FROM clock_timestamp()) * 1000 OR l.holder = EXCLUDED.holder
						RETURNING l.key
					) SELECT count(*)::integer AS n FROM taken`,
					[names, holder, this.leaseMs],
				);
				taken = row.n;
			} catch (err) {
				// Two holders inserting overlapping keys can deadlock: PostgreSQL ends one statement, which tries again.
				if ((err as { code?: string }).code === '40P01') taken = -1;
				else return this.fallback.trip(err).hold(keys, fn);
			}
			if (taken === names.length) break;
			if (taken > 0) await this.release(names, holder);
			await sleep(LEASE_POLL_MS);
		}
		const renew = setInterval(() => {
			this.backend
				.query('UPDATE {s}.flux_budget_lock SET expires_at = extract(epoch FROM clock_timestamp()) * 1000 + $3 WHERE key = ANY($1::text[]) AND holder = $2', [names, holder, this.leaseMs])
				.catch(() => undefined);
		}, this.leaseMs / 3);
		renew.unref?.();
		try {
			return await fn();
		} finally {
			clearInterval(renew);
			await this.release(names, holder);
		}
	}

	private release(names: string[], holder: string): Promise<unknown> {
		return this.backend.query('DELETE FROM {s}.flux_budget_lock WHERE key = ANY($1::text[]) AND holder = $2', [names, holder]).catch(() => undefined);
	}
}

const backends = new Map<string, PostgresBudgets>();

/**
 * The process's shared budgets for a database and schema (one pool per place, whatever the handle asking).
 * `onError` of the first caller is kept.
 */
export function postgresBudgets(config: PostgresBudgetConfig): PostgresBudgets {
	const id = budgetIdentity(config);
	let backend = backends.get(id);
	if (!backend) {
		backend = new PostgresBudgets(config);
		backends.set(id, backend);
	}
	return backend;
}

/** Closes every shared budget pool of this process (tests, shutdown). */
export async function closeAllBudgets(): Promise<void> {
	const all = [...backends.values()];
	backends.clear();
	await Promise.all(all.map((b) => b.close()));
}
