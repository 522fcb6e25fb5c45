/**
 * The scenarios of `npm run bench` and, for 1 and 2, the same work built without this package (baselines).
 * Seeds, limits and checks are shared by a scenario and its baseline, so the two differ only in the workflow.
 */
import * as path from 'node:path';
import { startSandbox } from '../../sandbox';
import { closeAllStores, openStore } from '../../sync/store';
import { ceilingOf, fastestOf, timeFor, type Ceiling, type DemandTime } from './ceiling';
import { log, sleep, type Json, type Stack } from './harness';
import type { Limits } from './limits';
import type { Outcome, RunSpec } from './measure';
import { BASELINES, pointBaselineAtSandbox, readWorkflow, TEMPLATES } from './workflows';

export const SEED = 20_251;

/**
 * Vendor options for every run: the vendors' real rate limits (sandbox defaults: HubSpot Starter private app,
 * Pipedrive Growth API token, Jobber's bucket and DDoS guard). Settings that are budgets, not rate limits, are
 * stated in BENCHMARKS.md: a Salesforce Enterprise-size daily allocation (100,000, instead of a Developer org's
 * 15,000, which the baseline's two calls per record would exhaust), a 10-seat Pipedrive daily token budget, and
 * access tokens that outlive the run on the compressed clock (token refresh is covered by the end-to-end tests).
 */
export const SANDBOX = {
	salesforce: { dailyApiLimit: 100_000, sessionTimeoutMs: 30 * 86_400_000 },
	jobber: { tokenLifetimeSeconds: 30 * 86_400 },
	hubspot: {},
	// A 10-seat Growth company: 600,000 tokens a day (one seat's 60,000 would not carry the pairing run's writes).
	pipedrive: { accessTokenLifetimeSec: 30 * 86_400, seats: 10 },
};

/** Jobber points of the least a sync must send per record, priced by the sandbox's own cost accounting. */
export interface JobberCosts {
	create: number;
	edit: number;
	/** Per client read in a page of 100 with the fields a client mapping needs. */
	readPerClient: number;
}

// The least a sync can ask back from a write: the id, the version stamp the ledger orders changes by, userErrors.
const JOBBER_CREATE = 'mutation Create($input: ClientCreateInput!) { clientCreate(input: $input) { client { id updatedAt } userErrors { message path } } }';
const JOBBER_EDIT = 'mutation Edit($id: EncodedId!, $input: ClientEditInput!) { clientEdit(clientId: $id, input: $input) { client { id updatedAt } userErrors { message path } } }';
const JOBBER_READ =
	'query Read { clients(first: 100) { nodes { id firstName lastName companyName updatedAt emails { address primary } phones { number primary } billingAddress { street1 street2 city province postalCode country } } pageInfo { hasNextPage endCursor } } }';

/** Sends the three minimal documents to a scratch Jobber sandbox and reads what they cost. */
export async function probeJobberCosts(): Promise<JobberCosts> {
	const sb = await startSandbox({ vendors: ['jobber'] });
	try {
		const url = sb.url('jobber');
		const info = (await (await fetch(`${url}/_sandbox/info`)).json()) as Json;
		await fetch(`${url}/_sandbox/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ object: 'clients', count: 100, seed: 1, dirtyShare: 0 }) });
		const gql = async (query: string, variables: Json = {}): Promise<Json> => {
			const res = await fetch(`${url}/api/graphql`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${info.accessToken}`, 'X-JOBBER-GRAPHQL-VERSION': info.apiVersion },
				body: JSON.stringify({ query, variables }),
			});
			const body = (await res.json()) as Json;
			if (body.errors?.length) throw new Error(`Jobber probe: ${body.errors[0].message}`);
			return body;
		};
		const input = { firstName: 'Probe', lastName: 'Client', companyName: 'Acme Plumbing', emails: [{ description: 'MAIN', primary: true, address: 'probe.client@example.com' }], phones: [{ description: 'MAIN', primary: true, number: '+12175550143' }], billingAddress: { street1: '1 Main St', city: 'Springfield', province: 'IL', postalCode: '62701', country: 'US' }, properties: [{ address: { street1: '1 Main St', city: 'Springfield', province: 'IL', postalCode: '62701', country: 'US' } }] };
		const created = await gql(JOBBER_CREATE, { input });
		const edited = await gql(JOBBER_EDIT, { id: created.data.clientCreate.client.id, input: { firstName: 'Probed' } });
		const read = await gql(JOBBER_READ);
		return {
			create: created.extensions.cost.actualQueryCost,
			edit: edited.extensions.cost.actualQueryCost,
			readPerClient: read.extensions.cost.requestedQueryCost / 100,
		};
	} finally {
		await sb.stop();
	}
}

// ---------- ceilings ----------

const fmt = (n: number) => n.toLocaleString('en');

function hubspotFullRead(n: number, l: NonNullable<Limits['hubspot']>): DemandTime {
	const list = Math.ceil(n / 100);
	const search = Math.ceil(n / 200);
	return fastestOf([
		{ vendor: 'HubSpot', limit: { kind: 'window', label: `${l.tenSecond} requests / 10 s`, limit: l.tenSecond, windowMs: 10_000 }, amount: list, what: `read ${fmt(n)}: ${fmt(list)} list pages of 100` },
		{ vendor: 'HubSpot', limit: { kind: 'window', label: `search ${l.searchPerSecond} / s`, limit: l.searchPerSecond, windowMs: 1000 }, amount: search, what: `read ${fmt(n)}: ${fmt(search)} search pages of 200` },
	]);
}

function jobberBucket(l: NonNullable<Limits['jobber']>) {
	return { kind: 'bucket' as const, label: `cost ${fmt(l.maximumAvailable)} + ${fmt(l.restoreRate)} / s`, maximum: l.maximumAvailable, restorePerSecond: l.restoreRate };
}

function jobberWindow(l: NonNullable<Limits['jobber']>) {
	return { kind: 'window' as const, label: `${fmt(l.ddosLimit)} requests / ${l.ddosWindowMs / 60_000} min`, limit: l.ddosLimit, windowMs: l.ddosWindowMs };
}

/** HubSpot → Jobber backfill of n new clients: read n, create n at the minimal mutation cost (aliased documents of ≤ a full bucket). */
/** (A client and its property: Jobber's clientCreate takes the property inline, so one mutation is the minimum for both.) */
export function backfillJobberCeiling(n: number, limits: Limits, costs: JobberCosts): Ceiling {
	const jb = limits.jobber!;
	const points = n * costs.create;
	const docs = Math.ceil(points / jb.maximumAvailable);
	return ceilingOf([
		hubspotFullRead(n, limits.hubspot!),
		timeFor({ vendor: 'Jobber', limit: jobberBucket(jb), amount: points, what: `${fmt(n)} clientCreate (property inline) × ${costs.create} points` }),
		timeFor({ vendor: 'Jobber', limit: jobberWindow(jb), amount: docs + 1, what: `${fmt(docs)} aliased documents + 1 read of the (empty) target` }),
	]);
}

/** HubSpot → Salesforce of n contacts: read n; Salesforce has no rate window (a daily allocation only). */
export function hubspotSalesforceCeiling(n: number, limits: Limits): Ceiling {
	return ceilingOf([hubspotFullRead(n, limits.hubspot!)]);
}

/** One incremental Pipedrive ⇄ Jobber round: k changed on each side, read as changes and written to the other side. */
export function incrementalCeiling(kPipedrive: number, kJobber: number, limits: Limits, costs: JobberCosts): Ceiling {
	const pd = limits.pipedrive!;
	const jb = limits.jobber!;
	const pdWindow = { kind: 'window' as const, label: `${pd.burst} requests / ${pd.burstWindowMs / 1000} s`, limit: pd.burst, windowMs: pd.burstWindowMs };
	const pdReads = Math.max(1, Math.ceil(kPipedrive / 500));
	const jbReadPoints = Math.ceil(kJobber * costs.readPerClient);
	const jbWritePoints = kPipedrive * costs.edit;
	return ceilingOf([
		timeFor({ vendor: 'Pipedrive', limit: pdWindow, amount: pdReads, what: `${fmt(pdReads)} list page(s) of changes (500 per page)` }),
		timeFor({ vendor: 'Pipedrive', limit: pdWindow, amount: kJobber, what: `${fmt(kJobber)} person updates (no batch endpoint: one call each)` }),
		timeFor({ vendor: 'Jobber', limit: jobberBucket(jb), amount: jbReadPoints, what: `${fmt(kJobber)} changed clients read × ${costs.readPerClient} points` }),
		timeFor({ vendor: 'Jobber', limit: jobberBucket(jb), amount: jbWritePoints, what: `${fmt(kPipedrive)} clientEdit × ${costs.edit} points` }),
	]);
}

// ---------- seeds and checks ----------

const lower = (v: unknown) => (typeof v === 'string' ? v.trim().toLowerCase() : '');

async function seedHubspotContacts(stack: Stack, n: number): Promise<void> {
	await stack.admin('hubspot', 'POST', '/_sandbox/seed', { object: 'contacts', count: n, seed: SEED, dirtyShare: 0 });
}

async function hubspotEmails(stack: Stack): Promise<Set<string>> {
	const rows = await stack.records<Json>('hubspot', 'contacts');
	return new Set(rows.filter((r) => !r.archived).map((r) => lower((r.properties ?? r).email)).filter(Boolean));
}

/** Counts target records whose key is in `want`, and keys held by more than one target record. */
function tally(want: Set<string>, keysPerRecord: string[][]): Outcome {
	const seen = new Map<string, number>();
	for (const keys of keysPerRecord) for (const k of new Set(keys)) if (want.has(k)) seen.set(k, (seen.get(k) ?? 0) + 1);
	let duplicates = 0;
	for (const n of seen.values()) if (n > 1) duplicates += n - 1;
	return { expected: want.size, arrived: seen.size, duplicates, notes: [] };
}

async function verifyJobberClients(stack: Stack): Promise<Outcome> {
	const want = await hubspotEmails(stack);
	const clients = await stack.records<Json>('jobber', 'clients');
	const outcome = tally(want, clients.map((c) => ((c.emails ?? []) as Json[]).map((e) => lower(e.address))));
	const withProperty = clients.filter((c) => ((c.clientProperties ?? []) as unknown[]).length > 0).length;
	outcome.notes.push(`${withProperty.toLocaleString('en')} of ${clients.length.toLocaleString('en')} Jobber clients have a property (jobs need one: hubspot-jobber-clients.json creates it with a second mutation, the baseline inline with the client, historical-migration.json not at all).`);
	return outcome;
}

async function verifySalesforceContacts(stack: Stack): Promise<Outcome> {
	const want = await hubspotEmails(stack);
	const contacts = await stack.records<Json>('salesforce', 'Contact');
	return tally(want, contacts.map((c) => [lower(c.Email)]));
}

// ---------- the scenarios ----------

export interface ScenarioOptions {
	records: number;
	large: number;
	timeScale: (id: string) => number;
	jobberCosts: () => Promise<JobberCosts>;
}

export type Planned = { spec: RunSpec } | { id: string; title: string; missing: string };

function baselineAdapter(timeScale: number) {
	return (wf: Json, stack: Stack, jobberUrl: string | undefined) => {
		const hosts: Record<string, string> = {};
		if (stack.sandbox.vendors.hubspot) hosts['https://api.hubapi.com'] = stack.sandbox.url('hubspot');
		if (stack.sandbox.vendors.salesforce) hosts['https://example.my.salesforce.com'] = stack.sandbox.url('salesforce');
		if (stack.sandbox.vendors.jobber) hosts['https://api.getjobber.com'] = jobberUrl ?? stack.sandbox.url('jobber');
		return pointBaselineAtSandbox(wf, hosts, timeScale);
	};
}

/** The migration template for real: its Migration Settings node's Dry Run switch off (the template's step 3). */
function migrationForReal(wf: Json): Json {
	const settings = (wf.nodes as Json[]).find((n) => n.name === 'Migration Settings');
	const dryRun = (settings?.parameters?.assignments?.assignments as Json[] | undefined)?.find((a) => a.name === 'dryRun');
	if (!dryRun) throw new Error('historical-migration.json: no Migration Settings → dryRun to switch off');
	dryRun.value = false;
	return wf;
}

/** The template's poll trigger: the scheduled safety net, and the way to a backfill (Start From: The Beginning). */
const HUBSPOT_JOBBER_POLL = 'Every 15 Minutes: Changed Contacts';

const TEMPLATE_FILES = {
	migration: 'historical-migration.json',
	hubspotJobber: 'hubspot-jobber-clients.json',
	salesforceHubspot: 'salesforce-hubspot-contacts.json',
	pipedriveJobber: 'pipedrive-jobber-clients.json',
};

export function plan(ids: string[], o: ScenarioOptions): Planned[] {
	const out: Planned[] = [];
	const sfHubspot = readWorkflow(path.join(TEMPLATES, TEMPLATE_FILES.salesforceHubspot));
	const pdJobber = readWorkflow(path.join(TEMPLATES, TEMPLATE_FILES.pipedriveJobber));

	/**
	 * HubSpot → Jobber backfill of n contacts into an empty Jobber, three ways: the historical-migration template (the
	 * product's one-off move: Migration Settings → Dry Run false, as its note says, started by its trigger; it runs
	 * in chunks of 5,000, each its own execution, measured together as one run), the
	 * ongoing-sync template's poll trigger set to Start From: The Beginning (polled back to back, Max Records per
	 * Poll as shipped), and the no-package baseline.
	 */
	const backfill = (id: string, n: number, variant: 'migration' | 'poll' | 'baseline', title: string): Planned => {
		const file = variant === 'migration' ? TEMPLATE_FILES.migration : variant === 'poll' ? TEMPLATE_FILES.hubspotJobber : undefined;
		const wf = file ? readWorkflow(path.join(TEMPLATES, file)) : readWorkflow(path.join(BASELINES, 'hubspot-jobber-clients.json'));
		if (!wf) return { id, title, missing: `templates/${file} has not landed` };
		return {
			spec: {
				id,
				title,
				implementation: file ? `template ${file}${variant === 'poll' ? ' (poll trigger from the beginning)' : ''}` : 'baseline bench/n8n/baseline/hubspot-jobber-clients.json',
				workflow: wf,
				baseline: variant === 'baseline',
				vendors: ['hubspot', 'jobber'],
				records: n,
				timeScale: o.timeScale(id),
				sandbox: { hubspot: SANDBOX.hubspot, jobber: SANDBOX.jobber },
				adapt: variant === 'baseline' ? baselineAdapter(o.timeScale(id)) : variant === 'migration' ? migrationForReal : undefined,
				// The migration runs in chunks, each its own execution started by the first one: measured as one run.
				trigger:
					variant === 'migration'
						? { kind: 'chain' }
						: variant === 'poll'
						? {
								kind: 'poll',
								triggerName: HUBSPOT_JOBBER_POLL,
								// What a user sets for a backfill; Max Records per Poll stays the template's (default 10,000).
								parameters: { startFrom: 'beginning' },
								maxRounds: Math.ceil(n / 1000) + 2,
								done: async (stack) => (await stack.admin('jobber', 'GET', '/_sandbox/jobber/memory')).clients >= n,
							}
						: undefined,
				seed: (stack) => seedHubspotContacts(stack, n),
				verify: verifyJobberClients,
				ceiling: async (l) => backfillJobberCeiling(n, l, await o.jobberCosts()),
			},
		};
	};

	for (const id of ids) {
		if (id === 's1' || id === 's4') {
			out.push(backfill(id, id === 's1' ? o.records : o.large, 'migration', `HubSpot → Jobber initial backfill${id === 's4' ? ' (memory)' : ''}`));
		} else if (id === 's1p' || id === 's4p') {
			out.push(backfill(id, id === 's1p' ? o.records : o.large, 'poll', `HubSpot → Jobber initial backfill${id === 's4p' ? ' (memory)' : ''}`));
		} else if (id === 'b1') {
			out.push(backfill(id, o.records, 'baseline', 'HubSpot → Jobber initial backfill'));
		} else if (id === 's2' || id === 'b2') {
			const baseline = id === 'b2';
			const title = 'HubSpot → Salesforce contacts, upsert by email';
			const wf = baseline ? readWorkflow(path.join(BASELINES, 'hubspot-salesforce-contacts.json'))! : sfHubspot;
			if (!wf) {
				out.push({ id, title, missing: `templates/${TEMPLATE_FILES.salesforceHubspot} is missing` });
				continue;
			}
			const n = o.records;
			out.push({
				spec: {
					id,
					title,
					implementation: baseline ? 'baseline bench/n8n/baseline/hubspot-salesforce-contacts.json' : `template ${TEMPLATE_FILES.salesforceHubspot}`,
					workflow: wf,
					baseline,
					vendors: ['hubspot', 'salesforce'],
					records: n,
					timeScale: o.timeScale(id),
					sandbox: { hubspot: SANDBOX.hubspot, salesforce: SANDBOX.salesforce },
					adapt: baseline ? baselineAdapter(o.timeScale(id)) : undefined,
					seed: (stack) => seedHubspotContacts(stack, n),
					verify: verifySalesforceContacts,
					ceiling: async (l) => hubspotSalesforceCeiling(n, l),
				},
			});
		} else if (id === 's3') {
			const title = 'Pipedrive ⇄ Jobber incremental round, 1% changed on each side';
			if (!pdJobber) out.push({ id, title, missing: `templates/${TEMPLATE_FILES.pipedriveJobber} has not landed` });
			else out.push({ spec: incrementalRound(id, title, pdJobber, o) });
		} else throw new Error(`unknown scenario ${id}`);
	}
	return out;
}

// ---------- scenario 3 ----------

/** The records a round changed on each side, by email, with the value the other side must end with. */
interface Changes {
	pipedrive: Map<string, string>;
	jobber: Map<string, string>;
}

/**
 * One incremental round of the Pipedrive ⇄ Jobber template: both sides hold the same n people; an untimed first
 * run pairs them (and settles their differences, such as phone formats); then 1% of the persons change in
 * Pipedrive and another 1% of the clients change in Jobber, as people would in the apps (no webhooks, human
 * edits), and the timed run must bring each change to the other side.
 */
function incrementalRound(id: string, title: string, wf: Json, o: ScenarioOptions): RunSpec {
	const n = o.records;
	const k = Math.max(1, Math.round(n / 100));
	const changes: Changes = { pipedrive: new Map(), jobber: new Map() };
	return {
		id,
		title,
		implementation: `template ${TEMPLATE_FILES.pipedriveJobber}`,
		workflow: wf,
		baseline: false,
		vendors: ['pipedrive', 'jobber'],
		records: 2 * k,
		timeScale: o.timeScale(id),
		sandbox: { pipedrive: SANDBOX.pipedrive, jobber: SANDBOX.jobber },
		seed: async (stack) => {
			await stack.admin('pipedrive', 'POST', '/_sandbox/seed', { object: 'persons', count: n, seed: SEED, dirtyShare: 0 });
			await stack.admin('jobber', 'POST', '/_sandbox/seed', { object: 'clients', count: n, seed: SEED, dirtyShare: 0 });
		},
		prepare: async (stack, run) => {
			const first = await run();
			if (first.status !== 'success') throw new Error(`the pairing run failed: ${first.error}`);
			log(`${id}: pairing run of ${n.toLocaleString('en')} + ${n.toLocaleString('en')} records took ${first.wallS.toFixed(1)} s`);
			// The second run must find nothing to do: what the timed round syncs is only the changes below.
			const settle = await run();
			if (settle.status !== 'success') throw new Error(`the settling run failed: ${settle.error}`);
			log(`${id}: settling run took ${settle.wallS.toFixed(1)} s`);
			const persons = await stack.records<Json>('pipedrive', 'persons');
			const clients = await stack.records<Json>('jobber', 'clients');
			// People whose record the mapping refused (parked for review, e.g. a phone that is no valid number) are
			// not synced at all, so a change to them cannot arrive: the changed records are picked among the others.
			const parked = await parkedRecordIds(stack);
			const refused = new Set<string>();
			for (const p of persons) if (parked.has(`pipedrive:${p.id}`)) refused.add(lower(p.emails?.[0]?.value));
			for (const c of clients) if (parked.has(`jobber:${c.id}`)) refused.add(lower(c.emails?.[0]?.address));
			const parkedPeople = refused.size;
			// The Jobber seed archives a share of its clients, as real accounts have: those people are left alone too.
			for (const c of clients) if (c.isArchived) refused.add(lower(c.emails?.[0]?.address));
			for (const p of persons) if (p.is_deleted) refused.add(lower(p.emails?.[0]?.value));
			log(`${id}: ${parkedPeople} people parked for review by the pairing run and ${refused.size - parkedPeople} archived or deleted ones are left unchanged`);
			const ok = (email: unknown) => !!email && !refused.has(lower(email));
			// Persons from the start of the list, clients from the end: different people on the two sides.
			for (const p of persons.filter((x) => !x.is_deleted && ok(x.emails?.[0]?.value)).slice(0, k)) {
				const value = `${p.first_name}-PD`;
				await stack.admin('pipedrive', 'POST', '/_sandbox/pipedrive/edit', { entity: 'person', id: p.id, changes: { first_name: value } });
				changes.pipedrive.set(lower(p.emails[0].value), value);
			}
			for (const c of clients.filter((x) => !x.isArchived && ok(x.emails?.[0]?.address)).slice(-k)) {
				const value = `${c.firstName}-JB`;
				await stack.admin('jobber', 'POST', '/_sandbox/jobber/edit', { op: 'update', type: 'Client', id: c.id, input: { firstName: value } });
				changes.jobber.set(lower(c.emails[0].address), value);
			}
			// A moment of vendor time, so the edits are not in the same second as the settling run's writes.
			await sleep(Math.ceil(2000 / o.timeScale(id)));
		},
		verify: async (stack) => {
			const persons = await stack.records<Json>('pipedrive', 'persons');
			const clients = await stack.records<Json>('jobber', 'clients');
			const jobberFirst = new Map(clients.filter((c) => !c.isArchived).map((c) => [lower(c.emails?.[0]?.address), c.firstName as string]));
			const pipedriveFirst = new Map(persons.filter((p) => !p.is_deleted).map((p) => [lower(p.emails?.[0]?.value), p.first_name as string]));
			let arrived = 0;
			const missing: string[] = [];
			for (const [email, value] of changes.pipedrive) {
				if (jobberFirst.get(email) === value) arrived++;
				else missing.push(`Pipedrive → Jobber ${email}: "${value}" expected, Jobber has "${jobberFirst.get(email)}"`);
			}
			for (const [email, value] of changes.jobber) {
				if (pipedriveFirst.get(email) === value) arrived++;
				else missing.push(`Jobber → Pipedrive ${email}: "${value}" expected, Pipedrive has "${pipedriveFirst.get(email)}"`);
			}
			if (missing.length) log(`${id}: not arrived: ${missing.slice(0, 10).join('; ')}`);
			return {
				expected: changes.pipedrive.size + changes.jobber.size,
				arrived,
				duplicates: 0,
				notes: [...(missing.length ? [`Not arrived (first 5): ${missing.slice(0, 5).join('; ')}.`] : []), `${n.toLocaleString('en')} people on each side, ${changes.pipedrive.size} changed in Pipedrive and ${changes.jobber.size} in Jobber before the timed round; ${clients.length.toLocaleString('en')} Jobber clients and ${persons.length.toLocaleString('en')} Pipedrive persons after it.`],
			};
		},
		ceiling: async (l) => incrementalCeiling(k, k, l, await o.jobberCosts()),
	};
}

/** `system:recordId` of every open review item in the run's sync store (n8n keeps running; SQLite allows the read). */
async function parkedRecordIds(stack: Stack): Promise<Set<string>> {
	const store = await openStore({ kind: 'sqlite', path: path.join(stack.userFolder, '.n8n', 'fluxcascade.sqlite') });
	const out = new Set<string>();
	try {
		let cursor: string | null | undefined;
		do {
			const page = await store.listReviewItems({ status: ['open'] }, { limit: 1000, cursor });
			for (const item of page.items) if (item.system && item.recordId) out.add(`${item.system}:${item.recordId}`);
			cursor = page.next;
		} while (cursor);
	} finally {
		await store.close();
		await closeAllStores();
	}
	return out;
}
