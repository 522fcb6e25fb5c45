/**
 * The HubSpot ⇄ Jobber templates in a REAL n8n 2.x with the packed package (run `npm run build` first), against the
 * HubSpot and Jobber sandboxes:
 *  - hubspot-jobber-clients.json: people edit contacts in the HubSpot UI; the sandbox sends its signed webhooks to the
 *    HubSpot Sync Trigger; Jobber ends with the clients as mapped (nested billing address, a property), existing Jobber
 *    clients paired by email and by phone instead of duplicated, the dirty contact in the review queue with its field.
 *    The safety net (HubSpot Sync Poll Trigger, incremental with its durable cursor) is driven as n8n drives it on
 *    activation: a change whose webhook HubSpot could not deliver is picked up by the poll n8n runs when the workflow
 *    is activated again, which also re-reads every contact changed so far (the second run: nothing duplicated).
 *  - hubspot-deals-jobber-jobs.json: a deal moved to won creates exactly one job for the Jobber client paired with
 *    the deal's contact, at that client's property; won again (and delivered twice) it creates nothing more; deals
 *    whose contact is not paired, or that have no contact, are parked for review with the reason.
 *  - address-mapping.json: its webhook answers with flat → nested, nested → flat and one-line → nested addresses,
 *    and a bad country on the Invalid side naming the field.
 * The templates are posted to /workflows as they are: credentials are created over REST with the names they reference
 * and n8n resolves `{ id: null, name }` by name. Nothing is replaced — no schedule needs a webhook here (the poll
 * trigger polls on activation). Test-only circumstances, each said where it matters:
 *  - the sandbox has one HubSpot developer app, and an app has one webhook target URL: both HubSpot credentials of the
 *    templates point at it, so the contacts workflow is deactivated before the deals workflow is activated;
 *  - `settings.errorWorkflow` stays `fxErrorWorkflow1`, which is not imported here: every execution must succeed
 *    (asserted), so n8n never needs it.
 */
import * as path from 'node:path';
import { registeredNodeTypes } from '../../scripts/n8n/runtime';
import { startSandbox, type Sandbox } from '../../sandbox';
import { stats } from '../../sync/ledger';
import { closeAllStores, openStore, type SyncStore } from '../../sync/store';
import { activate, deactivate, executions, failures, importTemplate, nodeOutput, postWebhook, settledExecutions, startN8nWithPackage, stopN8n, template, waitFor } from '../e2e/support';

jest.setTimeout(600_000);

const CLIENTS = 'hubspot-jobber-clients';
const JOBS = 'hubspot-deals-jobber-jobs';

let n8n: Awaited<ReturnType<typeof startN8nWithPackage>>;
let sandbox: Sandbox;
let store: SyncStore;
let hsInfo: Record<string, any>;
let contactsWorkflow: string;

const call = async (vendor: 'hubspot' | 'jobber', method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<any> => {
	const res = await fetch(`${sandbox.url(vendor)}${route}`, {
		method,
		headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	if (!res.ok) throw new Error(`${vendor} ${method} ${route} → ${res.status}: ${text.slice(0, 300)}`);
	return text ? JSON.parse(text) : undefined;
};
const hubspot = (method: string, route: string, body?: unknown) => call('hubspot', method, route, body);
const jobber = (method: string, route: string, body?: unknown) => call('jobber', method, route, body);
/** A change made by a person in the HubSpot UI (webhooks say CRM_UI, not an integration). */
const hsUi = async (object: 'contacts' | 'deals', properties: Record<string, unknown>, id?: string): Promise<string> =>
	String((await hubspot('POST', `/_sandbox/hubspot/ui/${object}`, { ...(id ? { id: Number(id) } : {}), properties })).id ?? id);
const associate = (dealId: string, contactId: string) =>
	call('hubspot', 'PUT', `/crm/v4/objects/deals/${dealId}/associations/default/contacts/${contactId}`, undefined, { authorization: `Bearer ${hsInfo.privateAppToken}` });
const settleHubspot = () => hubspot('POST', '/_sandbox/webhooks/settle');

const jobberClients = async (): Promise<any[]> => ((await jobber('GET', '/_sandbox/records/clients')) as any[]).filter((c) => !c.isArchived);
const jobberProperties = async (): Promise<any[]> => jobber('GET', '/_sandbox/records/properties');
const jobberJobs = async (): Promise<any[]> => jobber('GET', '/_sandbox/records/jobs');
const byEmail = (clients: any[], email: string) => clients.filter((c) => c.emails.some((e: { address: string }) => e.address === email));

/** Every execution of the workflow so far, once none is running; fails with the reasons when one did not succeed. */
async function allSucceeded(workflowId: string, atLeast: number): Promise<number> {
	// Deliveries may still be starting executions: wait until the count holds still.
	let runs = await settledExecutions(n8n, workflowId, atLeast);
	for (;;) {
		await new Promise((r) => setTimeout(r, 1500));
		const again = await settledExecutions(n8n, workflowId, runs.length);
		if (again.length === runs.length) break;
		runs = again;
	}
	const bad = await failures(n8n, runs);
	if (bad.length) throw new Error(`executions did not succeed:\n${bad.join('\n')}`);
	return runs.length;
}

async function review(mappingId: string, recordId: string) {
	return (await store.listReviewItems({ mappingId, recordId })).items;
}

beforeAll(async () => {
	// Refused webhook deliveries give up after 50 ms instead of HubSpot's hours of retries.
	sandbox = await startSandbox({ vendors: ['hubspot', 'jobber'], hubspot: { webhookRetryDelaysMs: [50] } });
	n8n = await startN8nWithPackage('hubspot-jobber');
	store = await openStore({ kind: 'sqlite', path: path.join(n8n.userFolder, '.n8n', 'fluxcascade.sqlite') });
	hsInfo = await hubspot('GET', '/_sandbox/info');
	const jb = await jobber('GET', '/_sandbox/info');
	const hsUrl = sandbox.url('hubspot');
	// The credentials, named as the templates reference them.
	await n8n.rest('POST', '/credentials', { name: 'HubSpot (FluxCascade)', type: 'fluxHubSpotApi', data: { accessToken: hsInfo.privateAppToken, baseUrl: hsUrl, apiVersion: 'v3' } });
	const app = { appId: String(hsInfo.appId), clientSecret: hsInfo.clientSecret, developerApiKey: hsInfo.developerApiKey, baseUrl: hsUrl };
	await n8n.rest('POST', '/credentials', { name: 'HubSpot App: Contacts (FluxCascade)', type: 'fluxHubSpotAppApi', data: app });
	await n8n.rest('POST', '/credentials', { name: 'HubSpot App: Deals (FluxCascade)', type: 'fluxHubSpotAppApi', data: app });
	await n8n.rest('POST', '/credentials', {
		name: 'Jobber (FluxCascade)',
		type: 'fluxJobberOAuth2Api',
		data: {
			clientId: jb.clientId,
			clientSecret: jb.clientSecret,
			baseUrl: sandbox.url('jobber'),
			apiVersion: jb.apiVersion,
			oauthTokenData: { access_token: jb.accessToken, refresh_token: jb.refreshToken, token_type: 'Bearer' },
		},
	});
});

afterAll(async () => {
	await store?.close();
	await closeAllStores();
	await stopN8n(n8n, 'hubspot-jobber');
	await sandbox?.stop();
});

test('every node type of the three templates is registered in n8n', async () => {
	const registered = new Set(await registeredNodeTypes(n8n));
	for (const file of ['hubspot-jobber-clients.json', 'hubspot-deals-jobber-jobs.json', 'address-mapping.json']) {
		const missing = (template(file).nodes as Array<{ type: string }>).map((n) => n.type).filter((t) => !registered.has(t));
		expect({ file, missing }).toEqual({ file, missing: [] });
	}
});

test('hubspot-jobber-clients: webhooks create and update Jobber clients as mapped, pair existing ones by email and phone, park the dirty contact; the poll safety net catches a lost webhook and a second pass duplicates nothing', async () => {
	// Jobber already knows two of the customers (entered by hand in the Jobber app).
	const bob = await jobber('POST', '/_sandbox/jobber/edit', {
		op: 'create',
		type: 'Client',
		input: { firstName: 'Bob', lastName: 'Ray', emails: [{ address: 'bob@example.com', description: 'MAIN', primary: true }], properties: [{ address: { street1: '9 Elm St', city: 'Shelbyville', province: 'IL', postalCode: '62565', country: 'US' } }] },
	});
	const pat = await jobber('POST', '/_sandbox/jobber/edit', { op: 'create', type: 'Client', input: { firstName: 'Pat', lastName: 'Phone', phones: [{ number: '217-555-0199', description: 'MAIN', primary: true }] } });
	const jobberBefore = (await jobberClients()).length;
	const propertiesBefore = (await jobberProperties()).length;

	const { id } = await importTemplate(n8n, template('hubspot-jobber-clients.json'), true);
	contactsWorkflow = id;
	// Activation registers the workflow's URL as the app's webhook target with one subscription per property.
	const dev = `hapikey=${hsInfo.developerApiKey}`;
	await waitFor('the webhook subscriptions', async () => {
		const res = await fetch(`${sandbox.url('hubspot')}/webhooks/v3/${hsInfo.appId}/settings?${dev}`);
		const settings = res.ok ? ((await res.json()) as { targetUrl?: string }) : undefined;
		const subs = await hubspot('GET', `/webhooks/v3/${hsInfo.appId}/subscriptions?${dev}`);
		return settings?.targetUrl?.includes('/webhook/cc803c14-26b6-41ce-b3cf-5868ceaa035a/') && subs.results.length === 11;
	});
	// n8n polled once on activation: the poll trigger started its cursor at "now" and emitted nothing.
	expect(await executions(n8n, id)).toEqual([]);

	// People add contacts in HubSpot.
	const ann = await hsUi('contacts', {
		email: 'ann@example.com', firstname: 'Ann', lastname: 'Lee', phone: '(217) 555-0143', company: 'Lee Lawn Care',
		address: '12 Main St', city: 'Springfield', state: 'IL', zip: '62701', country: 'United States',
	});
	const bobHs = await hsUi('contacts', { email: 'Bob@Example.com', firstname: 'Bob', lastname: 'Ray', company: 'Ray Roofing' });
	const patHs = await hsUi('contacts', { firstname: 'Pat', lastname: 'Phone', phone: '+1 (217) 555-0199', city: 'Decatur' });
	const dee = await hsUi('contacts', { email: 'dee@example.com', firstname: 'Dee', lastname: 'Dirty', phone: 'call me maybe' });
	await settleHubspot();
	let runs = await allSucceeded(id, 1);

	const clients = await jobberClients();
	// Ann is new: one client with every mapped field, HubSpot's flat address nested as Jobber's billing address …
	const [annJ] = byEmail(clients, 'ann@example.com');
	expect(annJ).toMatchObject({
		firstName: 'Ann', lastName: 'Lee', companyName: 'Lee Lawn Care',
		phones: [expect.objectContaining({ number: '+12175550143' })],
		billingAddress: { street1: '12 Main St', city: 'Springfield', province: 'IL', postalCode: '62701', country: 'US' },
		leadSource: 'FluxCascade Sync',
	});
	// … and a property at that address (jobs need one).
	const annProps = (await jobberProperties()).filter((p) => p.client.id === annJ.id);
	expect(annProps.map((p) => p.address)).toEqual([expect.objectContaining({ street1: '12 Main St', city: 'Springfield', province: 'IL', postalCode: '62701', country: 'US' })]);
	// Bob and Pat existed: matched by email and by phone, updated in place, not created again, no second property.
	expect(byEmail(clients, 'bob@example.com')).toEqual([expect.objectContaining({ id: bob.id, companyName: 'Ray Roofing' })]);
	expect(clients.filter((c) => c.firstName === 'Pat')).toEqual([expect.objectContaining({ id: pat.id, billingAddress: expect.objectContaining({ city: 'Decatur' }) })]);
	expect((await jobberProperties()).length).toBe(propertiesBefore + 1);
	// Dee's phone cannot be a phone number: she is not in Jobber, she waits for review with the field named.
	expect(byEmail(clients, 'dee@example.com')).toEqual([]);
	expect(clients).toHaveLength(jobberBefore + 1);
	const parked = await review(CLIENTS, dee);
	expect(parked.map((i) => [i.code, i.status])).toEqual([['INVALID_FORMAT', 'open']]);
	expect(parked[0].errors).toEqual([expect.objectContaining({ code: 'INVALID_FORMAT', field: 'phone', value: 'call me maybe' })]);

	// The ledger holds the three pairs (HubSpot id ↔ Jobber id).
	expect(await stats(CLIENTS, store)).toMatchObject({ pairs: 3 });
	for (const [hs, jb] of [[ann, annJ.id], [bobHs, bob.id], [patHs, pat.id]]) {
		expect((await store.getPair(CLIENTS, 'source', hs))?.target).toEqual({ system: 'jobber', object: 'clients', id: jb });
	}

	// An edit in HubSpot reaches the same Jobber client.
	await hsUi('contacts', { city: 'Capital City', zip: '62702' }, ann);
	await settleHubspot();
	runs = await allSucceeded(id, runs + 1);
	const [annMoved] = byEmail(await jobberClients(), 'ann@example.com');
	expect(annMoved).toMatchObject({ id: annJ.id, billingAddress: { street1: '12 Main St', city: 'Capital City', postalCode: '62702' } });

	// HubSpot cannot deliver the next change (the signature check refuses it; HubSpot does not retry a 401) …
	await hubspot('PUT', '/_sandbox/webhooks/behaviour', { badSignature: true });
	await hsUi('contacts', { lastname: 'Lee-Smith' }, ann);
	await settleHubspot();
	await hubspot('PUT', '/_sandbox/webhooks/behaviour', {});
	const refused = ((await hubspot('GET', '/_sandbox/webhooks/deliveries')) as Array<{ delivered: boolean; attempts: Array<{ status?: number }> }>).filter((d) => !d.delivered);
	expect(refused.map((d) => d.attempts.map((a) => a.status))).toEqual([[401]]);
	expect((await executions(n8n, id)).length).toBe(runs);
	expect(byEmail(await jobberClients(), 'ann@example.com')[0].lastName).toBe('Lee');

	// … so the safety net gets it: activated again, n8n polls at once, and the poll reads every contact changed since
	// its stored cursor — the missed change and, again, everything the webhooks already synced.
	await deactivate(n8n, id);
	await activate(n8n, id);
	runs = await allSucceeded(id, runs + 1);
	const [poll] = await executions(n8n, id);
	const polled = await nodeOutput(n8n, poll.id, 'Every 15 Minutes: Changed Contacts');
	expect(polled.map((c) => c.id).sort()).toEqual([ann, bobHs, patHs, dee].sort());
	expect(byEmail(await jobberClients(), 'ann@example.com')).toEqual([expect.objectContaining({ id: annJ.id, lastName: 'Lee-Smith' })]);
	// The second pass changed nothing else: no new client, property or pair; Dee is still one open review item.
	expect(await nodeOutput(n8n, poll.id, 'Sync Ledger: Plan', 0)).toEqual([expect.objectContaining({ action: 'update', id: annJ.id, fields: { lastName: 'Lee-Smith' } })]);
	// The written client comes back with what it wrote only (Batch Write returns the written fields) and the Plan's
	// sync context, which Commit reads from the item itself. (An update carries no email: it takes the id branch.)
	const [written] = await nodeOutput(n8n, poll.id, 'Jobber: Write Client (by Phone)', 0);
	expect(written).toMatchObject({ id: annJ.id, action: 'updated', fields: { lastName: 'Lee-Smith' }, sync: { mappingId: CLIENTS, action: 'update' } });
	expect(written.fields).not.toHaveProperty('tags');
	expect(await jobberClients()).toHaveLength(jobberBefore + 1);
	expect((await jobberProperties()).length).toBe(propertiesBefore + 1);
	expect(await stats(CLIENTS, store)).toMatchObject({ pairs: 3 });
	expect((await review(CLIENTS, dee)).map((i) => [i.code, i.status])).toEqual([['INVALID_FORMAT', 'open']]);
});

test('hubspot-deals-jobber-jobs: a won deal creates exactly one job for the paired client at its property; won again and delivered twice, nothing more; unpaired or contact-less deals wait for review with the reason', async () => {
	const contacts = ((await hubspot('GET', '/_sandbox/records/contacts')) as any[]).map((r) => ({ id: String(r.id), email: (r.properties ?? r).email }));
	const ann = contacts.find((c) => c.email === 'ann@example.com')!.id;
	const annJobber = (await store.getPair(CLIENTS, 'source', ann))!.target.id;
	const annProperty = (await jobberProperties()).find((p) => p.client.id === annJobber).id;

	// The sandbox's one HubSpot app can target one URL: the contacts workflow steps aside (see the header).
	await deactivate(n8n, contactsWorkflow);
	const { id } = await importTemplate(n8n, template('hubspot-deals-jobber-jobs.json'), true);
	const dev = `hapikey=${hsInfo.developerApiKey}`;
	await waitFor('the deal subscription', async () => {
		const subs = (await hubspot('GET', `/webhooks/v3/${hsInfo.appId}/subscriptions?${dev}`)).results as Array<{ eventType: string; propertyName?: string }>;
		return subs.length === 1 && subs[0].eventType === 'deal.propertyChange' && subs[0].propertyName === 'dealstage';
	});

	// A deal for Ann goes through the pipeline; only "won" makes a job.
	const deal = await hsUi('deals', { dealname: 'Spring cleanup', amount: '1500', pipeline: 'default', dealstage: 'contractsent', closedate: '2026-06-01T00:00:00.000Z', description: 'Front and back yard' });
	await associate(deal, ann);
	await settleHubspot();
	let runs = await allSucceeded(id, 1);
	expect(await jobberJobs()).toEqual([]);
	await hsUi('deals', { dealstage: 'closedwon' }, deal);
	await settleHubspot();
	runs = await allSucceeded(id, runs + 1);
	const jobs = await jobberJobs();
	expect(jobs).toEqual([
		expect.objectContaining({
			title: 'Spring cleanup',
			instructions: 'Front and back yard',
			client: { id: annJobber },
			property: { id: annProperty },
			billingType: 'FIXED_PRICE',
			total: 1500,
			lineItems: [expect.objectContaining({ name: 'Spring cleanup', quantity: 1, unitPrice: 1500 })],
		}),
	]);
	expect((await store.getPair(JOBS, 'source', deal))?.target).toEqual({ system: 'jobber', object: 'jobs', id: jobs[0].id });

	// Out of won and back, with every webhook delivered twice: the pair says the job exists, nothing is created.
	await hubspot('PUT', '/_sandbox/webhooks/behaviour', { duplicateRate: 1 });
	await hsUi('deals', { dealstage: 'contractsent' }, deal);
	await settleHubspot();
	runs = await allSucceeded(id, runs + 1);
	await hsUi('deals', { dealstage: 'closedwon' }, deal);
	await settleHubspot();
	await hubspot('PUT', '/_sandbox/webhooks/behaviour', {});
	runs = await allSucceeded(id, runs + 1);
	expect((await hubspot('GET', '/_sandbox/webhooks/deliveries') as Array<{ duplicate: boolean }>).some((d) => d.duplicate)).toBe(true);
	expect(await jobberJobs()).toHaveLength(1);
	expect(await stats(JOBS, store)).toMatchObject({ pairs: 1 });

	// Eve is in HubSpot only (the contacts workflow is off): her won deal cannot have a job yet; a deal without any
	// contact neither. Both wait for review, saying why; neither is dropped, no job is made.
	const eve = await hsUi('contacts', { email: 'eve@example.com', firstname: 'Eve', lastname: 'Stone' });
	const fence = await hsUi('deals', { dealname: 'Fence repair', amount: '800', pipeline: 'default', dealstage: 'contractsent' });
	await associate(fence, eve);
	await hsUi('deals', { dealstage: 'closedwon' }, fence);
	const orphan = await hsUi('deals', { dealname: 'Mystery job', amount: '100', pipeline: 'default', dealstage: 'closedwon' });
	await settleHubspot();
	await allSucceeded(id, runs + 1);
	const eveItems = await review(JOBS, fence);
	expect(eveItems.map((i) => [i.code, i.status, i.object])).toEqual([['REQUIRED_FIELD_MISSING', 'open', 'deals']]);
	expect(eveItems[0].errors[0].message).toBe(
		`The deal's contact ${eve} is not a Jobber client yet: the HubSpot Contacts → Jobber Clients workflow creates and pairs it (if it does not, look for the contact in its review queue); then set the deal to won again`,
	);
	const orphanItems = await review(JOBS, orphan);
	expect(orphanItems.map((i) => [i.code, i.errors[0].message])).toEqual([
		['REQUIRED_FIELD_MISSING', 'The deal has no associated contact: associate the customer with the deal in HubSpot, then set the deal to won again'],
	]);
	expect(await jobberJobs()).toHaveLength(1);
	await deactivate(n8n, id);
});

test('address-mapping: flat → nested, nested → flat and one line → nested through the webhook; a bad country comes back invalid, naming the field', async () => {
	const wf = template('address-mapping.json');
	await importTemplate(n8n, wf, true);
	// The records of the template's own "Sample Records" node, plus one that cannot be mapped.
	const sample = JSON.parse(wf.nodes.find((n: any) => n.name === 'Sample Records').parameters.jsonOutput).body.records as unknown[];
	const res = await postWebhook(n8n, 'fluxcascade-address-mapping', { records: [...sample, { name: 'Nora Where', address: '1 Nowhere Rd', city: 'Nowhere', country: 'Narnia' }] });
	expect(res.status).toBe(200);
	const out = (await res.json()) as any[];
	const named = (name: string) => out.find((o) => (o.name ?? o.record?.name) === name);
	expect(out).toHaveLength(4);
	expect(named('Ann Lee (HubSpot contact)')).toEqual({
		name: 'Ann Lee (HubSpot contact)',
		billingAddress: { street1: '12 Main St', city: 'Springfield', province: 'IL', postalCode: '62701', country: 'US' },
	});
	expect(named('Bob Ray (Jobber client)')).toEqual({ name: 'Bob Ray (Jobber client)', address: '40 King St W', city: 'Toronto', state: 'ON', zip: 'M5H 3Y2', country: 'CA' });
	expect(named('Cara Moss (one line)')).toEqual({
		name: 'Cara Moss (one line)',
		billingAddress: { street1: '500 Oak Ave, Apt 4', city: 'Shelbyville', province: 'TN', postalCode: '37160', country: 'US' },
	});
	expect(named('Nora Where')).toMatchObject({ failed: true, stage: 'mapping', errors: [expect.objectContaining({ field: 'country', value: 'Narnia' })] });
});
