/**
 * Test support for the ledger: both store backends (SQLite always; PostgreSQL when it answers, and a failure
 * instead of a skip when CI is set), an in-memory vendor that answers writes the way connectors do, and one
 * sync round (plan → vendor writes → commit).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { commit, plan, type LedgerConfig, type LedgerRecord, type PlanResult, type WriteDecision, type WriteOutcome } from '../../sync/ledger';
import { getAt, parsePath, setAt } from '../../sync/mapping';
import { openPostgresStore, openSqliteStore, type SyncStore } from '../../sync/store';
import { POSTGRES_URL, postgresAvailableSync, requireService } from '../support/services';

export interface LedgerDb {
	backend: 'sqlite' | 'postgres';
	/** A new handle with its own connection (SQLite) or pool (PostgreSQL) on the same database. */
	open(): Promise<SyncStore>;
	dispose(): Promise<void>;
}

function label(): string {
	return `ledger_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
}

export async function sqliteDb(): Promise<LedgerDb> {
	const dir = mkdtempSync(join(tmpdir(), 'fluxcascade-ledger-'));
	const path = join(dir, `${label()}.sqlite`);
	return {
		backend: 'sqlite',
		open: () => openSqliteStore({ kind: 'sqlite', path, synchronous: 'normal' }),
		dispose: async () => rmSync(dir, { recursive: true, force: true }),
	};
}

export async function postgresDb(): Promise<LedgerDb> {
	const schema = `t_${label()}`;
	return {
		backend: 'postgres',
		open: () => openPostgresStore({ kind: 'postgres', connectionString: POSTGRES_URL, schema, pool: { max: 5 } }),
		async dispose() {
			const c = new Client({ connectionString: POSTGRES_URL });
			await c.connect();
			try {
				await c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
			} finally {
				await c.end();
			}
		},
	};
}

/** The backends to run: SQLite always; PostgreSQL when reachable (under CI an unreachable one throws here). */
export function backends(): Array<{ name: 'sqlite' | 'postgres'; create: () => Promise<LedgerDb> }> {
	const out: Array<{ name: 'sqlite' | 'postgres'; create: () => Promise<LedgerDb> }> = [{ name: 'sqlite', create: sqliteDb }];
	const pg = postgresAvailableSync();
	if (requireService(pg)) out.push({ name: 'postgres', create: postgresDb });
	else {
		// Visible in the report as skipped, with the reason, rather than silently absent.
		describe.skip(`postgres — skipped: ${pg.reason}`, () => {
			it('needs PostgreSQL', () => undefined);
		});
	}
	return out;
}

// ---------------------------------------------------------------------------------------------- in-memory vendor

export interface VendorRecord {
	id: string;
	updatedAt: string;
	fields: Record<string, unknown>;
	deleted?: boolean;
}

/** A vendor with its own clock: every write bumps updatedAt; upsert finds by a field's normalised value. */
export class MemoryVendor {
	readonly records = new Map<string, VendorRecord>();
	writes = 0;
	private seq = 0;
	/** Make the next writes fail (a classified, non-retryable error unless `retryable`). */
	failNext = 0;
	failRetryable = false;

	constructor(
		readonly system: string,
		readonly object: string,
		private clock: { now(): string },
		private readonly prefix = system.slice(0, 2),
	) {}

	put(id: string, fields: Record<string, unknown>, updatedAt = this.clock.now()): VendorRecord {
		const rec = { id, updatedAt, fields: structuredClone(fields) };
		this.records.set(id, rec);
		return rec;
	}

	/** A person edits the record in the vendor's UI. */
	edit(id: string, changes: Record<string, unknown>): VendorRecord {
		const rec = this.records.get(id)!;
		for (const [path, value] of Object.entries(changes)) setAt(rec.fields, parsePath(path), value);
		rec.updatedAt = this.clock.now();
		return rec;
	}

	envelope(id: string): LedgerRecord {
		const rec = this.records.get(id)!;
		return { system: this.system, object: this.object, id: rec.id, updatedAt: rec.updatedAt, fields: structuredClone(rec.fields), ...(rec.deleted ? { deleted: true } : {}) };
	}

	all(): LedgerRecord[] {
		return [...this.records.keys()].filter((id) => !this.records.get(id)!.deleted).map((id) => this.envelope(id));
	}

	find(field: string, value: string, normalise: (v: unknown) => string | null): VendorRecord[] {
		return [...this.records.values()].filter((r) => !r.deleted && normalise(getAt(r.fields, parsePath(field))) === value);
	}

	/** Applies one ledger decision the way a vendor node would, and answers with the outcome Commit reads. */
	apply(d: WriteDecision, normalise: (v: unknown) => string | null = (v) => (v == null ? null : String(v).trim().toLowerCase())): WriteOutcome {
		if (this.failNext > 0) {
			this.failNext--;
			return { sync: d.sync, ok: false, error: { code: 'INVALID_FORMAT', retryable: this.failRetryable, message: 'refused' } };
		}
		this.writes++;
		const now = this.clock.now();
		if (d.action === 'create') {
			let rec: VendorRecord | undefined;
			if (d.upsert && d.matchKey) rec = this.find(d.matchKey.field, d.matchKey.value, normalise)[0];
			if (rec) {
				merge(rec.fields, d.fields);
				rec.updatedAt = now;
			} else {
				rec = { id: `${this.prefix}${++this.seq}`, updatedAt: now, fields: structuredClone(d.fields) };
				this.records.set(rec.id, rec);
			}
			return { sync: d.sync, ok: true, id: rec.id, updatedAt: rec.updatedAt, fields: structuredClone(rec.fields) };
		}
		const rec = this.records.get(d.targetId!);
		if (!rec || rec.deleted) return { sync: d.sync, ok: false, error: { code: 'FIELD_NOT_FOUND', retryable: false } };
		if (d.action === 'delete' || d.action === 'archive') {
			rec.deleted = true;
			rec.updatedAt = now;
			return { sync: d.sync, ok: true, id: rec.id, updatedAt: now };
		}
		merge(rec.fields, d.fields);
		rec.updatedAt = now;
		return { sync: d.sync, ok: true, id: rec.id, updatedAt: rec.updatedAt, fields: structuredClone(rec.fields) };
	}
}

function merge(into: Record<string, unknown>, fields: Record<string, unknown>): void {
	for (const [k, v] of Object.entries(fields)) {
		if (v && typeof v === 'object' && !Array.isArray(v) && into[k] && typeof into[k] === 'object' && !Array.isArray(into[k])) {
			merge(into[k] as Record<string, unknown>, v as Record<string, unknown>);
		} else if (Array.isArray(v) && Array.isArray(into[k])) {
			const arr = into[k] as unknown[];
			v.forEach((x, i) => {
				if (x && typeof x === 'object' && arr[i] && typeof arr[i] === 'object') merge(arr[i] as Record<string, unknown>, x as Record<string, unknown>);
				else if (x !== undefined) arr[i] = structuredClone(x);
			});
		} else into[k] = structuredClone(v);
	}
}

/** A clock that advances 1 s on every read, so every vendor write has its own, ordered timestamp. */
export class StepClock {
	private t: number;
	constructor(start = '2025-03-01T10:00:00.000Z', readonly stepMs = 1000) {
		this.t = Date.parse(start);
	}
	now(): string {
		this.t += this.stepMs;
		return new Date(this.t).toISOString();
	}
	peek(): string {
		return new Date(this.t).toISOString();
	}
}

export interface RoundResult {
	planned: PlanResult;
	writes: number;
	failed: number;
}

/** One sync: plan with everything both vendors hold (or the given records), write, commit. */
export async function syncRound(
	config: LedgerConfig,
	store: SyncStore,
	source: MemoryVendor,
	target: MemoryVendor,
	records?: { source?: LedgerRecord[]; target?: LedgerRecord[] },
	options: { commit?: boolean } = {},
): Promise<RoundResult> {
	const planned = await plan(config, records?.source ?? source.all(), records?.target ?? target.all(), store);
	const outcomes: WriteOutcome[] = [];
	const norm = config.matchKey?.normalise === 'phone' ? (v: unknown) => (v == null ? null : String(v)) : undefined;
	for (const d of planned.toTarget) outcomes.push(target.apply(d, norm));
	for (const d of planned.toSource) outcomes.push(source.apply(d, norm));
	if (options.commit !== false) await commit(null, outcomes, store);
	return { planned, writes: outcomes.filter((o) => o.ok).length, failed: outcomes.filter((o) => !o.ok).length };
}
