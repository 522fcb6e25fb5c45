/**
 * The Review Queue Trigger's leasing: two retry workers polling the same store at once never get the same item,
 * and together they get every due item. In one process (shared connection / pool) and in two processes, on
 * SQLite and (when it answers) PostgreSQL.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { IDataObject, IPollFunctions } from 'n8n-workflow';
import { classifiedError } from '../../errors/taxonomy';
import { ReviewQueueTrigger } from '../../nodes/ReviewQueueTrigger/ReviewQueueTrigger.node';
import { closeAllStores, type SqlStore } from '../../sync/store';
import { backendMatrix, describeSkipped, type StoreTarget } from '../store/harness';
import { POSTGRES_URL } from '../support/services';

jest.setTimeout(120_000);

const ITEMS = 120;
const { run, skipped } = backendMatrix();
describeSkipped('Review Queue Trigger leasing', skipped);

function triggerParams(target: StoreTarget): { params: IDataObject; credentials?: IDataObject } {
	const base = { batchSize: 7, leaseSeconds: 300 };
	if (target.config.kind === 'sqlite') return { params: { ...base, store: 'sqlite', sqlitePath: target.config.path } };
	const url = new URL(POSTGRES_URL);
	return {
		params: { ...base, store: 'postgres' },
		credentials: {
			host: url.hostname,
			port: Number(url.port || 5432),
			database: url.pathname.replace(/^\//, ''),
			user: decodeURIComponent(url.username),
			password: decodeURIComponent(url.password),
			schema: target.config.schema,
			ssl: 'disable',
		},
	};
}

function pollContext(nodeName: string, p: { params: IDataObject; credentials?: IDataObject }): IPollFunctions {
	return {
		getNodeParameter: (name: string, fallback?: unknown) => (name in p.params ? p.params[name] : fallback),
		getMode: () => 'trigger',
		getNode: () => ({ name: nodeName, type: 'reviewQueueTrigger', typeVersion: 1, position: [0, 0], parameters: {} }),
		getWorkflow: () => ({ id: 'retry-worker', name: 'Retry worker', active: true }),
		getCredentials: async () => p.credentials,
		helpers: { returnJsonArray: (rows: IDataObject[]) => rows.map((json) => ({ json })) },
	} as unknown as IPollFunctions;
}

async function seed(store: SqlStore): Promise<string[]> {
	const due = new Date(Date.now() - 1000);
	const ids: string[] = [];
	for (let n = 0; n < ITEMS; n++) {
		const { item } = await store.addReviewItem({
			kind: 'error',
			mappingId: 'lease',
			system: 'hubspot',
			object: 'contacts',
			recordId: String(n),
			data: { system: 'hubspot', object: 'contacts', id: String(n), fields: { n } },
			errors: [classifiedError('CONNECTION_TIMEOUT', { message: 'timeout' })],
			dedupeKey: `lease-${n}`,
			status: n % 3 === 0 ? 'open' : 'retry_scheduled',
			nextRetryAt: due,
		});
		// A third were approved by a person: the worker takes those too.
		if (n % 3 === 0) await store.setReviewStatus(item.id, 'approved', { nextRetryAt: due });
		ids.push(item.id);
	}
	return ids.sort();
}

async function drain(nodeName: string, p: { params: IDataObject; credentials?: IDataObject }): Promise<string[]> {
	const trigger = new ReviewQueueTrigger();
	const ctx = pollContext(nodeName, p);
	const got: string[] = [];
	for (let empty = 0; empty < 2; ) {
		const out = await trigger.poll.call(ctx);
		if (!out) {
			empty++;
			continue;
		}
		empty = 0;
		got.push(...out[0].map((i) => String((i.json.review as IDataObject).itemId)));
		// Let the other worker in between polls.
		await new Promise((r) => setImmediate(r));
	}
	return got;
}

const WORKER = join(__dirname, 'fixtures', 'trigger-worker.ts');

function spawnWorker(args: object): Promise<string[]> {
	return new Promise((resolvePromise, reject) => {
		const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(args)], { cwd: resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
		child.on('error', reject);
		child.on('close', (code) => {
			const line = stdout.split('\n').find((l) => l.startsWith('RESULT '));
			if (code !== 0 || !line) reject(new Error(`worker exited ${code}: ${stderr.slice(0, 2000)}`));
			else resolvePromise(JSON.parse(line.slice(7)));
		});
	});
}

function expectPartition(a: string[], b: string[], all: string[]): void {
	const overlap = a.filter((id) => b.includes(id));
	expect(overlap).toEqual([]);
	expect(new Set(a).size).toBe(a.length);
	expect(new Set(b).size).toBe(b.length);
	expect([...a, ...b].sort()).toEqual(all);
	// Both workers did real work (otherwise the test proves nothing about contention).
	expect(a.length).toBeGreaterThan(0);
	expect(b.length).toBeGreaterThan(0);
}

for (const backend of run) {
	describe(`Review Queue Trigger leasing (${backend.name})`, () => {
		let target: StoreTarget;
		let store: SqlStore;
		beforeAll(async () => {
			target = await backend.create('trigger_lease');
		});
		beforeEach(async () => {
			await target.reset();
			store = await target.open();
		});
		afterEach(async () => {
			await store.close();
			await closeAllStores();
		});
		afterAll(async () => {
			await target.dispose();
		});

		test('two concurrent claimers in one process never get the same item', async () => {
			const all = await seed(store);
			const p = triggerParams(target);
			const [a, b] = await Promise.all([drain('Worker A', p), drain('Worker B', p)]);
			expectPartition(a, b, all);
			// Each item is leased to the worker that got it.
			const items = await store.getReviewItems(a.slice(0, 5));
			for (const item of items) expect(item.lease?.owner).toMatch(/:Worker A$/);
		});

		test('two worker processes polling at the same moment never get the same item', async () => {
			const all = await seed(store);
			// Small claims stretch the race over many rounds, so both workers are sure to take part.
			const p = { ...triggerParams(target), params: { ...triggerParams(target).params, batchSize: 3 } };
			const barrierDir = mkdtempSync(join(tmpdir(), 'flux-lease-barrier-'));
			const [a, b] = await Promise.all([spawnWorker({ ...p, nodeName: 'Process A', barrierDir, peers: 2 }), spawnWorker({ ...p, nodeName: 'Process B', barrierDir, peers: 2 })]);
			rmSync(barrierDir, { recursive: true, force: true });
			expectPartition(a, b, all);
		});

		test('an expired lease makes the item due again (a worker that died does not lose it)', async () => {
			const [id] = await seed(store).then((ids) => ids.slice(0, 1));
			const now = new Date();
			const first = await store.claimDueRetries(now, 1000, 'dead-worker', 30);
			expect(first.map((i) => i.id)).toContain(id);
			expect(await store.claimDueRetries(now, 1000, 'other', 30)).toEqual([]);
			const later = await store.claimDueRetries(new Date(now.getTime() + 31_000), 1000, 'other', 30);
			expect(later.map((i) => i.id).sort()).toEqual(first.map((i) => i.id).sort());
		});
	});
}
