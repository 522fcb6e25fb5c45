/** Crash safety, persistence across reopen, the shared-connection registry, migrations and secret hygiene. */
import { spawn } from 'node:child_process';
import { classifiedError } from '../../errors/taxonomy';
import { closeAllStores, MIGRATIONS, openStore, openStoreCount, StoreError, type SyncStore } from '../../sync/store';
import { POSTGRES_URL } from '../support/services';
import { backendMatrix, describeSkipped, postgresBackend, runWorker, sqliteBackend, withPgClient, type StoreTarget } from './harness';

const { run, skipped } = backendMatrix();
describeSkipped('store persistence', skipped);

const M = 'm-persist';

async function expectStoreError(promise: Promise<unknown>, code: string): Promise<void> {
	const error = await promise.then(
		() => null,
		(e: unknown) => e,
	);
	expect(error).toBeInstanceOf(StoreError);
	expect((error as StoreError).code).toBe(code);
}

describe.each(run)('store persistence: $name', (backend) => {
	let target: StoreTarget;

	beforeEach(async () => {
		target = await backend.create('persist');
	});
	afterEach(async () => {
		await closeAllStores();
		await target.dispose();
	});

	test('an intent begun by a process that is killed before completing it is open on a fresh handle', async () => {
		const crash = await runWorker(
			{ config: target.config, action: 'crash-intent', key: 'idem-1', mappingId: M, sourceId: 'hs-101', matchValue: 'ana@example.com' },
			{ killOn: 'INTENT_BEGUN' },
		);
		expect(crash.signal).toBe('SIGKILL');
		const store = await target.open();
		try {
			const open = await store.openIntents(M);
			expect(open).toHaveLength(1);
			expect(open[0]).toMatchObject({ key: 'idem-1', sourceId: 'hs-101', operation: 'create', matchKey: 'email', matchValue: 'ana@example.com', status: 'open' });
			// The next run's ledger: the record is found by its match key, so the intent completes with the pair.
			const done = await store.completeIntent('idem-1', {
				targetId: 'J-77',
				pair: { mappingId: M, source: { system: 'hubspot', object: 'contact', id: 'hs-101' }, target: { system: 'jobber', object: 'client', id: 'J-77' } },
			});
			expect(done?.pair?.created).toBe(true);
			expect(await store.openIntents(M)).toEqual([]);
		} finally {
			await store.close();
		}
	});

	test('an intent left open by an execution is visible to a new connection while the first is still open', async () => {
		const first = await target.open();
		const second = await target.open();
		try {
			await first.beginIntent({ key: 'k', mappingId: M, sourceId: 's', operation: 'create' });
			expect((await second.openIntents(M)).map((i) => i.key)).toEqual(['k']);
		} finally {
			await first.close();
			await second.close();
		}
	});

	test('everything written is there after close and reopen', async () => {
		const a = await target.open();
		await a.pairRecord({
			mappingId: M,
			source: { system: 'hubspot', object: 'contact', id: '1' },
			target: { system: 'jobber', object: 'client', id: 'a' },
			sourceSnapshot: { email: 'x@y.z' },
		});
		await a.setCursor('hubspot:contacts:incremental', '2025-01-01T00:00:00.000Z', { after: 'p2' });
		await a.markEventProcessed('hubspot', 'evt-1', 3600);
		const { item } = await a.addReviewItem({ kind: 'error', data: { email: 'x@' }, errors: [classifiedError('INVALID_EMAIL', { message: 'bad' })] });
		const runRecord = await a.startRun({ mappingId: M, trigger: 'schedule' });
		await a.finishRun(runRecord.id, 'completed', { counts: { fetched: 3 } });
		await a.setAlertState('rule:x', { n: 2 });
		await a.close();

		const b = await target.open();
		try {
			expect((await b.getPair(M, 'target', 'a'))?.sourceSnapshot).toEqual({ email: 'x@y.z' });
			expect((await b.getCursor('hubspot:contacts:incremental'))?.extra).toEqual({ after: 'p2' });
			expect(await b.markEventProcessed('hubspot', 'evt-1', 3600)).toBe(false);
			expect((await b.getReviewItem(item.id))?.data).toEqual({ email: 'x@' });
			expect((await b.getRun(runRecord.id))?.counts.fetched).toBe(3);
			expect((await b.getAlertState('rule:x'))?.value).toEqual({ n: 2 });
		} finally {
			await b.close();
		}
	});

	test('openStore shares one connection per config; it closes with its last handle', async () => {
		const base = openStoreCount();
		const a = await openStore(target.config);
		const b = await openStore({ ...target.config });
		expect(openStoreCount()).toBe(base + 1);
		await a.setCursor('k', 'v1');
		expect((await b.getCursor('k'))?.value).toBe('v1');
		await a.close();
		await a.close();
		await expectStoreError(a.getCursor('k'), 'CLOSED');
		expect((await b.getCursor('k'))?.value).toBe('v1');
		expect(openStoreCount()).toBe(base + 1);
		await b.close();
		expect(openStoreCount()).toBe(base);
		const c = await openStore(target.config);
		expect((await c.getCursor('k'))?.value).toBe('v1');
		await c.close();
	});

	test('closeAllStores closes shared connections under open handles', async () => {
		const a: SyncStore = await openStore(target.config);
		await closeAllStores();
		expect(openStoreCount()).toBe(0);
		await expectStoreError(a.getCursor('k'), 'CLOSED');
	});

	test('reopening does not re-run migrations; a schema newer than the package is refused', async () => {
		for (let i = 0; i < 3; i++) await (await target.open()).close();
		if (target.backend === 'postgres') {
			const schema = (target.config as { schema: string }).schema;
			await withPgClient(async (c) => {
				expect(Number((await c.query(`SELECT count(*) AS n FROM "${schema}".schema_migrations`)).rows[0].n)).toBe(MIGRATIONS.length);
				await c.query(`INSERT INTO "${schema}".schema_migrations (version, name, applied_at) VALUES (999, 'future', now())`);
			});
		} else {
			const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
			const db = new DatabaseSync((target.config as { path: string }).path);
			expect((db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number }).n).toBe(MIGRATIONS.length);
			db.prepare(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'future', '2030-01-01T00:00:00.000Z')`).run();
			db.close();
		}
		await expectStoreError(target.open(), 'SCHEMA_TOO_NEW');
	});
});

describe('SQLite specifics', () => {
	let target: StoreTarget;
	beforeEach(async () => {
		target = await sqliteBackend.create('sqlite-specifics');
	});
	afterEach(async () => {
		await closeAllStores();
		await target.dispose();
	});

	test('the file is in WAL mode', async () => {
		await (await target.open()).close();
		const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
		const db = new DatabaseSync((target.config as { path: string }).path);
		try {
			expect((db.prepare('PRAGMA journal_mode').get() as { journal_mode: string }).journal_mode).toBe('wal');
		} finally {
			db.close();
		}
	});

	test('a missing folder is created; :memory: stores are private and never shared', async () => {
		const nested = { kind: 'sqlite' as const, path: `${(target.config as { path: string }).path}.d/deeper/state.sqlite` };
		const s = await openStore(nested);
		expect((await s.info()).location).toBe(nested.path);
		await s.close();
		const m1 = await openStore({ kind: 'sqlite', path: ':memory:' });
		const m2 = await openStore({ kind: 'sqlite', path: ':memory:' });
		await m1.setCursor('k', 'only-in-m1');
		expect(await m2.getCursor('k')).toBeNull();
		await m1.close();
		await m2.close();
	});

	test('a writer waits for another process\'s write lock instead of failing with SQLITE_BUSY', async () => {
		const store = await target.open();
		try {
			const holder = holdWriteLock((target.config as { path: string }).path, 400);
			await holder.locked;
			const started = Date.now();
			await store.setCursor('k', 'v');
			expect(Date.now() - started).toBeGreaterThan(100);
			await holder.done;
			expect((await store.getCursor('k'))?.value).toBe('v');
		} finally {
			await store.close();
		}
	});
});

/** A child process that takes the SQLite write lock and holds it for `ms`. */
function holdWriteLock(path: string, ms: number): { locked: Promise<void>; done: Promise<void> } {
	const code = `
const { DatabaseSync } = require('node:sqlite');
const db = new DatabaseSync(process.argv[1]);
db.exec('BEGIN IMMEDIATE');
process.stdout.write('LOCKED');
const until = Date.now() + Number(process.argv[2]);
while (Date.now() < until) {}
db.exec('COMMIT');
db.close();`;
	const child = spawn(process.execPath, ['-e', code, path, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
	const locked = new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
	const done = new Promise<void>((resolve, reject) => {
		child.on('error', reject);
		child.on('close', (status) => (status === 0 ? resolve() : reject(new Error(`lock holder exited with ${status}`))));
	});
	return { locked, done };
}

const pgOnly = run.includes(postgresBackend) ? describe : describe.skip;

pgOnly('PostgreSQL specifics', () => {
	test('a password in the connection string never reaches a table or info()', async () => {
		const target = await postgresBackend.create('secrets');
		const url = new URL(POSTGRES_URL);
		url.password = 'S3cr3t-Passw0rd';
		const config = { ...target.config, connectionString: url.toString() };
		try {
			const store = await openStore(config);
			await store.startRun({ mappingId: M, trigger: 't' });
			await store.addReviewItem({ kind: 'error', data: {}, errors: [classifiedError('AUTHENTICATION_FAILED', { message: 'token expired' })] });
			expect(JSON.stringify(await store.info())).not.toContain('S3cr3t');
			await store.close();
			const schema = (target.config as { schema: string }).schema;
			const dump = await withPgClient(async (c) => {
				const tables = (await c.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, [schema])).rows;
				const texts: string[] = [];
				for (const t of tables) texts.push(JSON.stringify((await c.query(`SELECT * FROM "${schema}"."${t.table_name}"`)).rows));
				return texts.join('\n');
			});
			expect(dump).not.toContain('S3cr3t');
		} finally {
			await closeAllStores();
			await target.dispose();
		}
	});

	test('an invalid schema name is refused before any SQL runs', async () => {
		await expectStoreError(openStore({ kind: 'postgres', connectionString: POSTGRES_URL, schema: 'x"; DROP SCHEMA public; --' }), 'INVALID_INPUT');
	});

	test('an unreachable server is reported as UNAVAILABLE and does not poison the registry', async () => {
		const config = { kind: 'postgres' as const, connectionString: 'postgres://postgres@127.0.0.1:1/test', schema: 'never' };
		await expectStoreError(openStore(config), 'UNAVAILABLE');
		expect(openStoreCount()).toBe(0);
	});
});
