/**
 * Crash recovery in a REAL n8n: a 5,000-contact backfill Salesforce → HubSpot with the Salesforce ⇄ HubSpot
 * template, n8n SIGKILLed (with its task runner: no shutdown hooks, nothing flushed) while HubSpot: Batch Write is
 * half-way through, then started again on the same user folder and port, and the sync run again — as its
 * schedule would. The ledger's write intents make the second run write the creates of the first as upserts by
 * email: HubSpot ends with every contact exactly once, nothing missing, every pair stored once, no intent open.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startSandbox, type Sandbox } from '../../sandbox';
import { closeAllStores, openStore, type SyncStore } from '../../sync/store';
import { stopN8n } from '../e2e/support';
import { MAPPING } from './conservation';
import { createTemplateCredentials, executions, findSecrets, importTemplate, killN8n, readExecution, restartN8n, salesforceTokenPatterns, scanSources, startReliabilityN8n, startSink, STORE_FILE, template, vendor, waitFor, type N8n, type Sink } from './support';

jest.setTimeout(600_000);

const COUNT = 5000;
let n8n: N8n;
let sandbox: Sandbox;
let sink: Sink;
let workflowId: string;
let secrets: Record<string, string>;
const figures: Record<string, unknown> = { records: COUNT };

const hsEmails = async (): Promise<string[]> => {
	const all = (await vendor(sandbox, 'hubspot', 'GET', '/_sandbox/records/contacts')) as any[];
	return all.filter((r) => !r.archived).map((r) => String(r.properties.email).toLowerCase());
};
const upsertCalls = async (): Promise<number> => (await vendor(sandbox, 'hubspot', 'GET', '/_sandbox/counters')).byRoute['contacts.batch.upsert'] ?? 0;

async function startRun(): Promise<void> {
	const deadline = Date.now() + 30_000;
	for (;;) {
		// Just after a restart n8n may still be registering webhooks (404) or reset the connection.
		const status = await fetch(`${n8n.url}/webhook/reliability-crash`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }).then(
			async (res) => {
				await res.arrayBuffer();
				return res.status;
			},
			(err: Error) => err.message,
		);
		if (status === 200) return;
		if (Date.now() > deadline) throw new Error(`the sync webhook answered ${status}`);
		await new Promise((r) => setTimeout(r, 300));
	}
}

beforeAll(async () => {
	sandbox = await startSandbox({ vendors: ['hubspot', 'salesforce'], salesforce: { dailyApiLimit: 500_000 } });
	const seeded = await vendor(sandbox, 'salesforce', 'POST', '/_sandbox/seed', { object: 'Contact', count: COUNT, dirtyShare: 0, seed: 21 });
	expect(seeded.created).toBe(COUNT);
	sink = await startSink();
	n8n = await startReliabilityN8n('crash');
	secrets = await createTemplateCredentials(n8n, sandbox, sink.url, 'reliability-crash-dashboard-key-0d9b3e');
	const errorWorkflowId = await importTemplate(n8n, template('error-workflow.json'), true);
	const wf = template('salesforce-hubspot-contacts.json');
	const trigger = wf.nodes.find((n: any) => n.type === 'n8n-nodes-base.scheduleTrigger');
	Object.assign(trigger, { type: 'n8n-nodes-base.webhook', typeVersion: 2, webhookId: 'a0e2e000-0000-4000-8000-0000000c2a50', parameters: { httpMethod: 'POST', path: 'reliability-crash', responseMode: 'onReceived' } });
	wf.settings.errorWorkflow = errorWorkflowId;
	workflowId = await importTemplate(n8n, wf, true);
});

afterAll(async () => {
	fs.mkdirSync(path.resolve(__dirname, '../../artifacts'), { recursive: true });
	fs.writeFileSync(path.resolve(__dirname, '../../artifacts/reliability-crash.json'), JSON.stringify(figures, null, 2));
	await closeAllStores();
	await stopN8n(n8n, 'reliability-crash');
	await sink?.close();
	await sandbox?.stop();
});

test(`SIGKILL during a ${COUNT}-contact backfill, restart, run again: every contact exactly once in HubSpot, nothing missing`, async () => {
	const sfEmails = ((await vendor(sandbox, 'salesforce', 'GET', '/_sandbox/records/Contact')) as any[]).map((r) => String(r.Email).toLowerCase());
	expect(new Set(sfEmails).size).toBe(COUNT);
	// Slower HubSpot writes (150 ms a batch call) so the kill lands inside Batch Write, not before or after it.
	await vendor(sandbox, 'hubspot', 'PUT', '/_sandbox/faults', { latencyMs: 150, routePrefix: 'contacts.batch' });

	const started = Date.now();
	await startRun();
	const callsAtKill = await waitFor('HubSpot to have part of the backfill', async () => {
		const calls = await upsertCalls();
		return calls >= 12 ? calls : undefined;
	}, 240_000, 50);
	await killN8n(n8n);
	figures.killedAfterMs = Date.now() - started;
	const atKill = await hsEmails();
	figures.hubspotAtKill = atKill.length;
	figures.upsertCallsAtKill = callsAtKill;
	// Really in the middle: some contacts written, most not.
	expect(atKill.length).toBeGreaterThanOrEqual(1000);
	expect(atKill.length).toBeLessThan(COUNT);

	// The store as the crash left it: nothing committed yet, a write intent open for every create.
	const crashed = await openStore({ kind: 'sqlite', path: STORE_FILE(n8n) });
	const atCrash = await crashed.pairStats(MAPPING);
	figures.storeAtKill = { pairs: atCrash.pairs, openIntents: atCrash.openIntents };
	expect(atCrash.openIntents).toBe(COUNT - atCrash.pairs);
	// The run's read checkpoints are pending with its uncommitted writes: nothing is confirmed, so the next run
	// reads from where the last finished run got to (here: everything again), never past the contacts not yet written.
	const checkpointsAtCrash = await crashed.getCheckpoints(MAPPING);
	figures.checkpointsAtKill = { confirmed: checkpointsAtCrash.source?.value ?? null, pending: checkpointsAtCrash.pending.map((p) => p.openWork) };
	expect({ source: checkpointsAtCrash.source, target: checkpointsAtCrash.target }).toEqual({ source: null, target: null });
	expect(checkpointsAtCrash.pending).toEqual([expect.objectContaining({ openWork: COUNT - atCrash.pairs })]);
	await crashed.close();
	await closeAllStores();

	await vendor(sandbox, 'hubspot', 'DELETE', '/_sandbox/faults');
	const restarting = Date.now();
	n8n = await restartN8n(n8n);
	figures.restartMs = Date.now() - restarting;
	const crashedRun = (await executions(n8n, workflowId))[0];
	figures.killedExecution = crashedRun?.status;
	expect(crashedRun?.status).not.toBe('success');

	await vendor(sandbox, 'hubspot', 'POST', '/_sandbox/requests/reset');
	const resumed = Date.now();
	await startRun();
	const done = await waitFor('the resumed run to end', async () => (await executions(n8n, workflowId)).find((e) => e.id !== crashedRun?.id && !['running', 'new', 'waiting'].includes(e.status)), 300_000, 500);
	figures.resumeRunMs = Date.now() - resumed;
	const run = await readExecution(n8n, done.id);
	expect({ status: run.status, error: run.error?.message ?? null }).toEqual({ status: 'success', error: null });

	const emails = await hsEmails();
	figures.hubspotAfter = emails.length;
	const counts = new Map<string, number>();
	for (const e of emails) counts.set(e, (counts.get(e) ?? 0) + 1);
	const twice = [...counts].filter(([, n]) => n > 1).map(([e]) => e);
	const missing = sfEmails.filter((e) => !counts.has(e));
	figures.duplicates = twice.length;
	figures.missing = missing.length;
	expect({ duplicates: twice.slice(0, 5), missing: missing.slice(0, 5) }).toEqual({ duplicates: [], missing: [] });
	expect(emails).toHaveLength(COUNT);

	// Every contact paired once, every intent closed; the contacts written before the crash were found again by
	// email (upserted, not created twice).
	const store: SyncStore = await openStore({ kind: 'sqlite', path: STORE_FILE(n8n) });
	try {
		const stats = await store.pairStats(MAPPING);
		figures.storeAfter = { pairs: stats.pairs, openIntents: stats.openIntents };
		expect({ pairs: stats.pairs, openIntents: stats.openIntents }).toEqual({ pairs: COUNT, openIntents: 0 });
		// The resumed run finished every write: its checkpoints are confirmed at the next run's start; the killed
		// run's never were.
		const checkpoints = await store.confirmCheckpoints(MAPPING);
		expect(checkpoints.promoted).toEqual([done.id]);
		expect(checkpoints.source?.runId).toBe(done.id);
		expect(checkpoints.pending.map((p) => p.runId)).not.toContain(done.id);
	} finally {
		await store.close();
	}
	const log = (await vendor(sandbox, 'hubspot', 'GET', '/_sandbox/requests')) as Array<{ route: string; status: number }>;
	figures.resumeHubspotCalls = log.length;
	expect(log.filter((e) => e.route === 'contacts.batch.create')).toEqual([]);
});

test('secrets: nothing of the credentials in the executions, the n8n log or the store rows of the crash run', async () => {
	const sources = await scanSources(n8n, sink.received.map((m, i) => ({ where: `alert ${i}`, text: m.body })));
	expect(sources.some((s) => s.where === 'n8n log' && s.text.length > 0)).toBe(true);
	figures.secretsScan = { sources: sources.map((s) => s.where), bytes: sources.reduce((n, s) => n + s.text.length, 0) };
	expect(findSecrets(sources, secrets, salesforceTokenPatterns())).toEqual([]);
});
