/**
 * The scenarios of `npm run bench` and, for 1 and 2, the same work built without this package (baselines).
 * Seeds, limits and checks are shared by a scenario and its baseline, so the two differ only in the workflow.
 */
import * as path from 'node:path';
import { startSandbox } from '../../sandbox';
import { ceilingOf, fastestOf, timeFor, type Ceiling, type DemandTime } from './ceiling';
import type { Json, Stack } from './harness';
import type { Limits } from './limits';
import type { Outcome, RunSpec } from './measure';
import { BASELINES, pointBaselineAtSandbox, readWorkflow, TEMPLATES } from './workflows';

export const SEED = 20_251;

/**
 * Vendor options for every run: the vendors' real rate limits (sandbox defaults: HubSpot Starter private app,
 * Pipedrive Growth API token, Jobber's bucket and DDoS guard). Three settings are not limits and are stated in
 * BENCHMARKS.md: a Salesforce Enterprise-size daily allocation (100,000, instead of a Developer org's 15,000, which
 * the baseline's two calls per record would exhaust), and access tokens that outlive the run on the compressed
 * clock (token refresh is covered by the end-to-end tests, not timed here).
 */
export const SANDBOX = {
	salesforce: { dailyApiLimit: 100_000, sessionTimeoutMs: 30 * 86_400_000 },
	jobber: { tokenLifetimeSeconds: 30 * 86_400 },
	hubspot: {},
	pipedrive: { accessTokenLifetimeSec: 30 * 86_400 },
};

/** Jobber points of the least a sync must send per record, priced by the sandbox's own cost accounting. */
export interface JobberCosts {
	create: number;
	edit: number;
	/** Per client read in a page of 100 with the fields a client mapping needs. */
	readPerClient: number;
}

const JOBBER_CREATE = 'mutation Create($input: ClientCreateInput!) { clientCreate(input: $input) { client { id } userErrors { message path } } }';
const JOBBER_EDIT = 'mutation Edit($id: EncodedId!, $input: ClientEditInput!) { clientEdit(clientId: $id, input: $input) { client { id } userErrors { message path } } }';
const JOBBER_READ =
	'query Read { clients(first: 100) { nodes { id firstName lastName companyName updatedAt emails { address primary } phones { number primary } billingAddress { street1 street2 city province postalCode country } } pageInfo { hasNextPage endCursor } } }';

/** Sends the three minimal documents to a scratch Jobber sandbox and reads what they cost. */
export async function probeJobberCosts(): Promise<JobberCosts> {
	const sb = await startSandbox({ vendors: ['jobber'] });
	try {
		const url = sb.url('jobber');
		const info = await (await fetch(`${url}/_sandbox/info`)).json();
		await fetch(`${url}/_sandbox/seed`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ object: 'clients', count: 100, seed: 1, dirtyShare: 0 }) });
		const gql = async (query: string, variables: Json = {}) => {
			const res = await fetch(`${url}/api/graphql`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${info.accessToken}`, 'X-JOBBER-GRAPHQL-VERSION': info.apiVersion },
				body: JSON.stringify({ query, variables }),
			});
			const body = await res.json();
			if (body.errors?.length) throw new Error(`Jobber probe: ${body.errors[0].message}`);
			return body;
		};
		const input = { firstName: 'Probe', lastName: 'Client', companyName: 'Acme Plumbing', emails: [{ description: 'MAIN', primary: true, address: 'probe.client@example.com' }], phones: [{ description: 'MAIN', primary: true, number: '+12175550143' }], billingAddress: { street1: '1 Main St', city: 'Springfield', province: 'IL', postalCode: '62701', country: 'US' } };
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
export function backfillJobberCeiling(n: number, limits: Limits, costs: JobberCosts): Ceiling {
	const jb = limits.jobber!;
	const points = n * costs.create;
	const docs = Math.ceil(points / jb.maximumAvailable);
	return ceilingOf([
		hubspotFullRead(n, limits.hubspot!),
		timeFor({ vendor: 'Jobber', limit: jobberBucket(jb), amount: points, what: `${fmt(n)} clientCreate × ${costs.create} points` }),
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
	return tally(want, clients.map((c) => ((c.emails ?? []) as Json[]).map((e) => lower(e.address))));
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

const TEMPLATE_FILES = {
	hubspotJobber: 'hubspot-jobber-clients.json',
	salesforceHubspot: 'salesforce-hubspot-contacts.json',
	pipedriveJobber: 'pipedrive-jobber-clients.json',
};

export function plan(ids: string[], o: ScenarioOptions): Planned[] {
	const out: Planned[] = [];
	const hubspotJobber = readWorkflow(path.join(TEMPLATES, TEMPLATE_FILES.hubspotJobber));
	const sfHubspot = readWorkflow(path.join(TEMPLATES, TEMPLATE_FILES.salesforceHubspot));
	const pdJobber = readWorkflow(path.join(TEMPLATES, TEMPLATE_FILES.pipedriveJobber));

	const backfill = (id: string, n: number, wf: Json, baseline: boolean, title: string): Planned => ({
		spec: {
			id,
			title,
			implementation: baseline ? 'baseline bench/n8n/baseline/hubspot-jobber-clients.json' : `template ${TEMPLATE_FILES.hubspotJobber}`,
			workflow: wf,
			baseline,
			vendors: ['hubspot', 'jobber'],
			records: n,
			timeScale: o.timeScale(id),
			sandbox: { hubspot: SANDBOX.hubspot, jobber: SANDBOX.jobber },
			adapt: baseline ? baselineAdapter(o.timeScale(id)) : undefined,
			seed: (stack) => seedHubspotContacts(stack, n),
			verify: verifyJobberClients,
			ceiling: async (l) => backfillJobberCeiling(n, l, await o.jobberCosts()),
		},
	});

	for (const id of ids) {
		if (id === 's1' || id === 's4') {
			const n = id === 's1' ? o.records : o.large;
			const title = `HubSpot → Jobber initial backfill${id === 's4' ? ' (memory)' : ''}`;
			if (!hubspotJobber) out.push({ id, title, missing: `templates/${TEMPLATE_FILES.hubspotJobber} has not landed` });
			else out.push(backfill(id, n, hubspotJobber, false, title));
		} else if (id === 'b1') {
			out.push(backfill(id, o.records, readWorkflow(path.join(BASELINES, 'hubspot-jobber-clients.json'))!, true, 'HubSpot → Jobber initial backfill'));
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
			else out.push({ id, title, missing: 'the Pipedrive ⇄ Jobber scenario is not wired yet' });
		} else throw new Error(`unknown scenario ${id}`);
	}
	return out;
}
