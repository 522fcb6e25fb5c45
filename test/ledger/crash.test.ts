/**
 * Crash injection (issue 5): a real process plans a Salesforce → HubSpot sync, HubSpot creates the contacts,
 * and the process is SIGKILLed before Commit. The next run must neither duplicate nor lose a contact: the
 * open write intents turn the creates into upserts by e-mail (or, when the next run reads HubSpot too, the
 * contacts are paired by e-mail without a write).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { commit, plan } from '../../sync/ledger';
import { openSqliteStore, type SyncStore } from '../../sync/store';
import { startSandbox, type Sandbox } from '../../sandbox';
import { crashConfig } from './fixtures/config';
import { HubspotClient, SalesforceClient } from './sandboxClients';

jest.setTimeout(60_000);

const ROOT = resolve(__dirname, '../..');
const WORKER = join(__dirname, 'fixtures', 'crashWorker.ts');

function runUntilWritten(args: object): Promise<{ signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
	return new Promise((done, fail) => {
		const child = spawn(process.execPath, ['--import', 'tsx', WORKER, JSON.stringify(args)], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
		let stdout = '';
		let stderr = '';
		const timer = setTimeout(() => child.kill('SIGKILL'), 45_000);
		child.stdout.on('data', (d: Buffer) => {
			stdout += d.toString('utf8');
			if (stdout.includes('WROTE')) child.kill('SIGKILL');
		});
		child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
		child.on('error', fail);
		child.on('close', (_code, signal) => {
			clearTimeout(timer);
			done({ signal, stdout, stderr });
		});
	});
}

describe.each([
	{ name: 'the whole batch was created', half: false, readTarget: false },
	{ name: 'the crash hit the middle of the batch', half: true, readTarget: false },
	{ name: 'the next run reads HubSpot too', half: false, readTarget: true },
])('killed between the vendor write and Commit: $name', ({ half, readTarget }) => {
	let sandbox: Sandbox;
	let dir: string;
	let store: SyncStore;
	let sf: SalesforceClient;
	let hs: HubspotClient;

	beforeAll(async () => {
		sandbox = await startSandbox({ vendors: ['salesforce', 'hubspot'], hubspot: { tenSecondLimit: 10_000 } });
		sf = await SalesforceClient.connect(sandbox.url('salesforce'));
		hs = await HubspotClient.connect(sandbox.url('hubspot'));
		dir = mkdtempSync(join(tmpdir(), 'fluxcascade-crash-'));
	});
	afterAll(async () => {
		await store?.close();
		await sandbox?.stop();
		rmSync(dir, { recursive: true, force: true });
	});

	test('the next run neither duplicates nor loses a contact', async () => {
		const path = join(dir, 'state.sqlite');
		await sf.seed(Array.from({ length: 12 }, (_, i) => ({ FirstName: `P${i}`, LastName: 'Crash', Email: `crash${i}@example.com`, Phone: '+12175550143' })));
		const run = await runUntilWritten({ path, salesforce: sandbox.url('salesforce'), hubspot: sandbox.url('hubspot'), half });
		expect(run.stderr).toBe('');
		expect(run.signal).toBe('SIGKILL');
		const created = (await hs.all()).length;
		expect(created).toBe(half ? 6 : 12);

		store = await openSqliteStore({ kind: 'sqlite', path });
		const config = crashConfig();
		expect((await store.pairStats(config.mappingId)).pairs).toBe(0);
		expect(await store.openIntents(config.mappingId)).toHaveLength(12);

		const planned = await plan(config, await sf.all(), readTarget ? await hs.all() : [], store);
		if (readTarget) {
			// The created contacts are found by e-mail and paired without a write; the rest are created.
			expect(planned.summary.paired).toBe(12);
			expect(planned.toTarget).toHaveLength(0);
		} else {
			expect(planned.toTarget).toHaveLength(12);
			expect(planned.toTarget.every((d) => d.action === 'create' && d.upsert && d.sync.intent?.resumed)).toBe(true);
		}
		const outcomes = await hs.apply(planned.toTarget);
		expect((await commit(null, outcomes, store)).counts.failed).toBe(0);

		const contacts = await hs.all();
		expect(contacts).toHaveLength(12);
		expect(new Set(contacts.map((c) => c.fields!.email)).size).toBe(12);
		expect((await store.pairStats(config.mappingId)).pairs).toBe(12);
		expect(await store.openIntents(config.mappingId)).toHaveLength(0);

		// And the sync rests: nothing to write on a full run.
		const again = await plan(config, await sf.all(), contacts, store);
		expect(again.toTarget.length + again.toSource.length).toBe(0);
	});
});
