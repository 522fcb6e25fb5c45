/**
 * Jobber Sync and Jobber Sync Trigger inside a real n8n 2.x (the package packed and installed as users install it),
 * against the Jobber sandbox:
 *  - the OAuth2 credential connected through n8n's own authorization-code flow (auth URL → sandbox authorize →
 *    n8n callback → token exchange), then refreshed by n8n when the sandbox revokes access tokens — twice, which
 *    only works if n8n stored the refresh token Jobber rotated on the first refresh;
 *  - Webhook → Field Mapper (hubspot_contact_to_jobber_client) → Jobber Sync (client upsert) → Respond to Webhook;
 *  - the trigger's lifecycle: endpoints registered with webhookEndpointCreate on activation and deleted on
 *    deactivation, an edit made in the Jobber app delivered and executed with the record fetched, a tampered or
 *    forged signature refused with 401 and a repeated delivery answered without an execution.
 */
import { registeredNodeTypes } from '../../scripts/n8n/runtime';
import { startSandbox, type Sandbox } from '../../sandbox';
import { createActiveWorkflow, executions, nodeOutput, postWebhook, startN8nWithPackage, stopN8n, waitFor } from './support';

jest.setTimeout(300_000);

const SYNC = 'n8n-nodes-fluxcascade.jobberSync';
const TRIGGER = 'n8n-nodes-fluxcascade.jobberSyncTrigger';
const BROWSER_ID = 'fluxcascade-runtime';

let n8n: Awaited<ReturnType<typeof startN8nWithPackage>>;
let sandbox: Sandbox;
let url: string;
let info: Record<string, any>;
let oauth: { id: string; name: string };
let app: { id: string; name: string };

const admin = async (method: string, route: string, body?: unknown): Promise<any> => {
	const res = await fetch(`${url}${route}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await res.text();
	return text ? JSON.parse(text) : undefined;
};




/** Drives n8n's OAuth2 flow without a browser: auth URL from n8n, consent at the sandbox, callback into n8n. */
async function connectOAuth(credentialId: string): Promise<void> {
	const auth = await fetch(`${n8n.url}/rest/oauth2-credential/auth?id=${credentialId}`, { headers: { cookie: n8n.cookie, 'browser-id': BROWSER_ID } });
	expect(auth.status).toBe(200);
	const bound = auth.headers.getSetCookie().map((c) => c.split(';')[0]);
	const authorizeUrl = ((await auth.json()) as { data: string }).data;
	expect(authorizeUrl.startsWith(`${url}/api/oauth/authorize?`)).toBe(true);
	const consent = await fetch(authorizeUrl, { redirect: 'manual' });
	expect(consent.status).toBe(302);
	const callback = consent.headers.get('location')!;
	expect(callback.startsWith(`${n8n.url}/rest/oauth2-credential/callback?`)).toBe(true);
	const done = await fetch(callback, { headers: { cookie: [n8n.cookie, ...bound].join('; '), 'browser-id': BROWSER_ID } });
	const page = await done.text();
	expect(done.status).toBe(200);
	expect(page).not.toMatch(/error/i);
}

beforeAll(async () => {
	// Failed webhook deliveries are retried after 50 ms, not after Jobber's minutes.
	sandbox = await startSandbox({ vendors: ['jobber'], jobber: { webhooks: { retryDelaysMs: [50] } } });
	url = sandbox.url('jobber');
	info = await admin('GET', '/_sandbox/info');
	await admin('POST', '/_sandbox/seed', { count: 5, seed: 7 });
	n8n = await startN8nWithPackage('jobber');
	const created = await n8n.rest('POST', '/credentials', {
		name: 'Jobber sandbox',
		type: 'fluxJobberOAuth2Api',
		data: { clientId: info.clientId, clientSecret: info.clientSecret, baseUrl: url, apiVersion: info.apiVersion },
	});
	oauth = { id: created.data.id, name: created.data.name };
	await connectOAuth(oauth.id);
	const appCred = await n8n.rest('POST', '/credentials', { name: 'Jobber app', type: 'fluxJobberAppApi', data: { clientSecret: info.clientSecret } });
	app = { id: appCred.data.id, name: appCred.data.name };
});

afterAll(async () => {
	await stopN8n(n8n, 'jobber');
	await sandbox?.stop();
});

test('both nodes are registered by n8n', async () => {
	const types = await registeredNodeTypes(n8n);
	expect(types).toEqual(expect.arrayContaining([SYNC, TRIGGER]));
});

test('the credential was connected through n8n\'s OAuth2 flow: one code exchange at the sandbox', async () => {
	const counters = await admin('GET', '/_sandbox/counters');
	expect(counters.byRoute['oauth.token']).toBe(1);
	// n8n never shows the token data back: the REST API answers `true` in its place.
	const cred = await n8n.rest('GET', `/credentials/${oauth.id}?includeData=true`);
	expect(JSON.stringify(cred.data)).not.toContain(info.clientSecret);
});

test('custom fields dropdown is loaded from Jobber through n8n', async () => {
	const res = await n8n.rest('POST', '/dynamic-node-parameters/options', {
		nodeTypeAndVersion: { name: SYNC, version: 1 },
		path: 'parameters.customFields.field.name',
		methodName: 'getCustomFields',
		currentNodeParameters: { resource: 'client', operation: 'upsert' },
		credentials: { fluxJobberOAuth2Api: oauth },
	});
	expect(res.data.map((o: { name: string }) => o.name)).toEqual(expect.arrayContaining(['External ID', 'Preferred contact']));
});

describe('Webhook → Field Mapper → Jobber Sync (client upsert) → Respond', () => {
	const post = (records: unknown[]) => postWebhook(n8n, 'flux-e2e-jobber', { records });
	const contact = (id: string, fields: Record<string, unknown>) => ({ system: 'hubspot', object: 'contacts', id, fields });
	const clientsByEmail = async (email: string) => ((await admin('GET', '/_sandbox/records/clients')) as any[]).filter((c) => c.emails.some((e: any) => e.address === email));

	beforeAll(async () => {
		const nodes = [
			{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'b7c1e2d0-0000-4000-8000-00000000a0b1', parameters: { httpMethod: 'POST', path: 'flux-e2e-jobber', responseMode: 'responseNode' } },
			{ id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.records' } },
			{ id: 'm', name: 'Field Mapper', type: 'n8n-nodes-fluxcascade.fieldMapper', typeVersion: 1, position: [400, 0], parameters: { operation: 'map', mappingSource: 'preset', preset: 'hubspot_contact_to_jobber_client', flow: 'forward' } },
			{ id: 'j', name: 'Jobber Sync', type: SYNC, typeVersion: 1, position: [600, 0], parameters: { resource: 'client', operation: 'upsert', matchKey: 'email' }, credentials: { fluxJobberOAuth2Api: oauth } },
			{ id: 'ok', name: 'Answer Synced', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [800, -100], parameters: { respondWith: 'allIncomingItems', options: { responseHeaders: { entries: [{ name: 'x-branch', value: 'synced' }] } } } },
			{ id: 'bad', name: 'Answer Failed', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [800, 100], parameters: { respondWith: 'allIncomingItems', options: { responseHeaders: { entries: [{ name: 'x-branch', value: 'failed' }] } } } },
		];
		const connections = {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Field Mapper', type: 'main', index: 0 }]] },
			'Field Mapper': { main: [[{ node: 'Jobber Sync', type: 'main', index: 0 }], []] },
			'Jobber Sync': { main: [[{ node: 'Answer Synced', type: 'main', index: 0 }], [{ node: 'Answer Failed', type: 'main', index: 0 }]] },
		};
		await createActiveWorkflow(n8n, { name: 'e2e: HubSpot contacts → Jobber clients', nodes, connections });
	});

	const records = [
		contact('101', { firstname: 'Ann', lastname: 'Lee', email: ' Ann.Lee@Example.com ', phone: '(217) 555-0143', address: '12 Elm St', city: 'Springfield', state: 'IL', zip: '62701', country: 'United States' }),
		contact('102', { firstname: 'Bo', lastname: 'Diaz', email: 'bo.diaz@example.com', company: 'Diaz Lawn Care', country: 'Canada' }),
	];

	test('creates the clients in Jobber, mapped and with Jobber\'s required defaults', async () => {
		const res = await post(records);
		expect(res.status).toBe(200);
		expect(res.headers.get('x-branch')).toBe('synced');
		const out = (await res.json()) as any[];
		expect(out.map((r) => [r.system, r.object, r.action])).toEqual([
			['jobber', 'clients', 'created'],
			['jobber', 'clients', 'created'],
		]);
		const [ann] = await clientsByEmail('ann.lee@example.com');
		expect(ann).toMatchObject({ firstName: 'Ann', lastName: 'Lee', emails: [{ address: 'ann.lee@example.com', description: 'MAIN', primary: true }], phones: [{ number: '+12175550143', description: 'MAIN', primary: true }], billingAddress: { city: 'Springfield', country: 'US' } });
		expect(out[0].id).toBe(ann.id);
		const [bo] = await clientsByEmail('bo.diaz@example.com');
		expect(bo).toMatchObject({ companyName: 'Diaz Lawn Care', billingAddress: { country: 'CA' } });
	});

	test('re-running is idempotent: unchanged, no duplicate clients', async () => {
		const res = await post(records);
		const out = (await res.json()) as any[];
		expect(out.map((r) => r.action)).toEqual(['unchanged', 'unchanged']);
		expect(await clientsByEmail('ann.lee@example.com')).toHaveLength(1);
	});

	test('a record Jobber refuses goes to the Failed output with its classified error', async () => {
		const res = await post([contact('103', { firstname: 'X'.repeat(300), email: 'long.name@example.com' })]);
		expect(res.headers.get('x-branch')).toBe('failed');
		const [failed] = (await res.json()) as any[];
		expect(failed).toMatchObject({ failed: true, stage: 'jobber', node: 'Jobber Sync', errors: [{ code: 'VALUE_TOO_LONG', field: 'firstName', category: 'Data' }], record: { id: '103' } });
		expect(await clientsByEmail('long.name@example.com')).toHaveLength(0);
	});

	test('expired access token: n8n refreshes it, stores Jobber\'s rotated refresh token, and the next refresh works too', async () => {
		const before = (await admin('GET', '/_sandbox/counters')).byRoute['oauth.token'];
		for (const lastName of ['Lee-Refreshed', 'Lee-Refreshed-Again']) {
			// Every access token issued so far now answers 401.
			await admin('PUT', '/_sandbox/faults', { revokeTokens: true });
			const res = await post([contact('101', { ...records[0].fields, lastname: lastName })]);
			expect(res.headers.get('x-branch')).toBe('synced');
			expect(((await res.json()) as any[])[0]).toMatchObject({ action: 'updated', fields: { lastName } });
		}
		await admin('DELETE', '/_sandbox/faults');
		const counters = await admin('GET', '/_sandbox/counters');
		// Two refreshes, both accepted: the second used the refresh token Jobber issued in the first.
		expect(counters.byRoute['oauth.token'] - before).toBe(2);
		const refreshes = (await admin('GET', '/_sandbox/requests?route=oauth.token')) as Array<{ status: number }>;
		expect(refreshes.map((r) => r.status)).toEqual([200, 200, 200]);
	});
});

describe('more operations, each in its own workflow (Webhook → Split Out → Jobber Sync → Respond)', () => {
	let n = 0;
	/** A workflow around one Jobber Sync configuration; returns a function that posts items and reads the answer. */
	async function operation(parameters: Record<string, unknown>): Promise<(items: unknown[]) => Promise<{ branch: string | null; items: any[] }>> {
		const path = `flux-e2e-jobber-op-${++n}`;
		const nodes = [
			{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: `d1e2f3a4-0000-4000-8000-0000000000${String(n).padStart(2, '0')}`, parameters: { httpMethod: 'POST', path, responseMode: 'responseNode' } },
			{ id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.items' } },
			{ id: 'j', name: 'Jobber Sync', type: SYNC, typeVersion: 1, position: [400, 0], parameters, credentials: { fluxJobberOAuth2Api: oauth } },
			{ id: 'ok', name: 'Answer Success', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [600, -100], parameters: { respondWith: 'allIncomingItems', options: { responseHeaders: { entries: [{ name: 'x-branch', value: 'success' }] } } } },
			{ id: 'bad', name: 'Answer Failed', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [600, 100], parameters: { respondWith: 'allIncomingItems', options: { responseHeaders: { entries: [{ name: 'x-branch', value: 'failed' }] } } } },
		];
		const connections = {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Jobber Sync', type: 'main', index: 0 }]] },
			'Jobber Sync': { main: [[{ node: 'Answer Success', type: 'main', index: 0 }], [{ node: 'Answer Failed', type: 'main', index: 0 }]] },
		};
		await createActiveWorkflow(n8n, { name: `e2e: jobber op ${n}`, nodes, connections });
		return async (items) => {
			const res = await postWebhook(n8n, path, { items });
			expect(res.status).toBe(200);
			return { branch: res.headers.get('x-branch'), items: (await res.json()) as any[] };
		};
	}
	const byId = (expression: string) => ({ __rl: true, mode: 'id', value: expression });
	let seeded: any[];
	beforeAll(async () => {
		seeded = (await admin('GET', '/_sandbox/records/clients')).slice(0, 5);
	});

	test('Get (by id, from an expression) and Get Many (with a limit)', async () => {
		const get = await operation({ resource: 'client', operation: 'get', recordId: byId('={{ $json.id }}') });
		const got = await get([{ id: seeded[0].id }, { id: seeded[1].id }]);
		expect(got.items.map((r) => [r.object, r.id])).toEqual([
			['clients', seeded[0].id],
			['clients', seeded[1].id],
		]);
		const many = await operation({ resource: 'property', operation: 'getMany', returnAll: false, limit: 3 });
		expect((await many([{}])).items.map((r) => r.object)).toEqual(['properties', 'properties', 'properties']);
	});

	test('Get Changes: only what changed since the checkpoint, each with the next checkpoint', async () => {
		// The sandbox's clock is this process's clock (no time scale); earlier tests' writes are before `since`.
		const since = new Date().toISOString();
		for (const c of seeded.slice(2, 4)) await admin('POST', '/_sandbox/jobber/edit', { op: 'update', type: 'Client', id: c.id, input: { firstName: `${c.firstName}-changed` } });
		const changes = await operation({ resource: 'client', operation: 'getChanges', since: '={{ $json.since }}', options: { overlapSeconds: 0 } });
		const { items } = await changes([{ since }]);
		expect(items.map((r) => r.id).sort()).toEqual(seeded.slice(2, 4).map((c) => c.id).sort());
		expect(new Set(items.map((r) => r.checkpoint)).size).toBe(1);
		expect(Date.parse(items[0].checkpoint)).toBeGreaterThanOrEqual(Date.parse(since) - 1000);
	});

	test('Find: found, not found, and two candidates → Failed with Duplicate Record', async () => {
		const find = await operation({ resource: 'client', operation: 'find', matchKey: 'email', matchValue: '={{ $json.email }}' });
		const withEmail = seeded.find((c) => c.emails.length)!;
		const found = await find([{ email: withEmail.emails[0].address.toUpperCase() }, { email: 'nobody@nowhere.test' }]);
		expect(found.items.map((r) => [r.found, r.id])).toEqual([
			[true, withEmail.id],
			[false, undefined],
		]);
		await admin('POST', '/_sandbox/jobber/edit', { op: 'create', type: 'Client', input: { firstName: 'Twin', emails: [{ address: 'twin.e2e@example.com' }] } });
		await admin('POST', '/_sandbox/jobber/edit', { op: 'create', type: 'Client', input: { firstName: 'Twin2', emails: [{ address: 'twin.e2e@example.com' }] } });
		const dup = await find([{ email: 'twin.e2e@example.com' }]);
		expect(dup.branch).toBe('failed');
		expect(dup.items[0]).toMatchObject({ failed: true, errors: [{ code: 'DUPLICATE_RECORD' }] });
	});

	test('Job Create from the HubSpot deal preset shape, for a client picked by id (its only property used)', async () => {
		const create = await operation({ resource: 'job', operation: 'create', clientId: byId('={{ $json.clientId }}') });
		const { items } = await create([{ clientId: seeded[0].id, fields: { title: 'Spring cleanup', instructions: 'Back yard', lineItems: [{ name: 'Spring cleanup', unitPrice: '240.00', quantity: 1, saveToProductsAndServices: false }], invoicing: { invoicingType: 'FIXED_PRICE', invoicingSchedule: 'ON_COMPLETION' }, timeframe: { startAt: '2026-04-02' }, scheduling: { createVisits: true, notifyTeam: false, assignedTo: [] } }, system: 'hubspot', object: 'deals', id: '9001' }]);
		expect(items[0]).toMatchObject({ action: 'created', object: 'jobs', links: { client: seeded[0].id }, fields: { title: 'Spring cleanup', total: 240 } });
	});

	test('Batch Write: a mode per item, one result per item, failures on their own output', async () => {
		const batch = await operation({ resource: 'client', operation: 'batchWrite', writeMode: '={{ $json.mode }}', matchKey: 'email', fieldsSource: 'json', fieldsJson: '={{ JSON.stringify($json.fields) }}' });
		const res = await batch([
			{ mode: 'upsert', fields: { firstName: 'Batch', lastName: 'One', emails: [{ address: 'batch.one@example.com' }] } },
			{ mode: 'create', fields: { firstName: 'Batch', lastName: 'Two' } },
		]);
		expect(res.branch).toBe('success');
		expect(res.items.map((r) => [r.action, r.fields.lastName])).toEqual([
			['created', 'One'],
			['created', 'Two'],
		]);
		const bad = await batch([{ mode: 'create', fields: { firstName: 'Bad', emails: [{ address: 'no@@way' }] } }]);
		expect(bad.branch).toBe('failed');
		expect(bad.items[0].errors[0]).toMatchObject({ code: 'INVALID_EMAIL', field: 'emails[0].address' });
	});

	test('Archive a client, and run a raw GraphQL query with variables', async () => {
		const archive = await operation({ resource: 'client', operation: 'archive', recordId: byId('={{ $json.id }}') });
		const archived = await archive([{ id: seeded[4].id }]);
		expect(archived.items[0]).toMatchObject({ action: 'deleted', deleted: true, fields: { isArchived: true } });
		const gql = await operation({ resource: 'graphql', operation: 'execute', query: 'query One($id: EncodedId!) { client(id: $id) { id isArchived } }', variables: '={{ JSON.stringify({ id: $json.id }) }}' });
		const { items } = await gql([{ id: seeded[4].id }]);
		expect(items[0]).toMatchObject({ data: { client: { id: seeded[4].id, isArchived: true } }, cost: { requestedQueryCost: expect.any(Number) } });
	});
});

describe('Jobber Sync Trigger', () => {
	const webhookId = 'c4d2f3e1-0000-4000-8000-00000000a0b2';
	const hookPath = `${webhookId}/webhook`;
	let workflowId: string;
	let clientId: string;

	beforeAll(async () => {
		const [first] = (await admin('GET', '/_sandbox/records/clients')) as any[];
		clientId = first.id;
		const nodes = [
			{
				id: 't',
				name: 'Jobber Sync Trigger',
				type: TRIGGER,
				typeVersion: 1,
				position: [0, 0],
				webhookId,
				parameters: { registration: 'api', topics: ['CLIENT_UPDATE', 'JOB_UPDATE'], fetchRecord: true },
				credentials: { fluxJobberAppApi: app, fluxJobberOAuth2Api: oauth },
			},
		];
		nodes.push({ id: 'd', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} } as any);
		const connections = { 'Jobber Sync Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } };
		workflowId = await createActiveWorkflow(n8n, { name: 'e2e: Jobber trigger', nodes, connections });
	});

	test('activation registers one endpoint per topic with webhookEndpointCreate', async () => {
		// n8n 2.x publishes a workflow asynchronously: the activate call returns before the triggers are registered.
		const endpoints = await waitFor('the webhook endpoints', async () => {
			const list = (await admin('GET', '/_sandbox/records/webhookEndpoints')) as Array<{ topic: string; url: string }>;
			return list.length >= 2 ? list : undefined;
		});
		expect(endpoints.map((e) => e.topic).sort()).toEqual(['CLIENT_UPDATE', 'JOB_UPDATE']);
		expect(endpoints.every((e) => e.url === `${n8n.url}/webhook/${hookPath}`)).toBe(true);
	});

	test('an edit made in the Jobber app starts one execution with the fetched client; Jobber is answered within 1 s', async () => {
		await admin('POST', '/_sandbox/jobber/edit', { op: 'update', type: 'Client', id: clientId, input: { lastName: 'Edited-In-App' } });
		const [execution] = await waitFor('the trigger execution', async () => {
			const list = await executions(n8n, workflowId);
			return list.length && list.every((e) => e.status !== 'running' && e.status !== 'new') ? list : undefined;
		});
		expect(execution.status).toBe('success');
		const [item] = await nodeOutput(n8n, execution.id, 'Jobber Sync Trigger');
		expect(item).toMatchObject({ system: 'jobber', object: 'clients', id: clientId, fields: { lastName: 'Edited-In-App' }, event: { topic: 'CLIENT_UPDATE', itemId: clientId, accountId: info.accountId } });
		const deliveries = (await admin('GET', '/_sandbox/webhooks/deliveries')) as Array<{ attempts: Array<{ status: number; ms: number; late?: boolean }> }>;
		const last = deliveries[deliveries.length - 1];
		expect(last.attempts).toEqual([expect.objectContaining({ status: 200, late: false })]);
	});

	test('a tampered body, a forged signature and a replayed delivery are refused (401) and start no execution', async () => {
		const before = (await executions(n8n, workflowId)).length;
		const deliveries = (await admin('GET', '/_sandbox/webhooks/deliveries')) as Array<{ body: string; headers: Record<string, string> }>;
		const genuine = deliveries[deliveries.length - 1];
		const send = (body: string, signature: string) => fetch(`${n8n.url}/webhook/${hookPath}`, { method: 'POST', headers: { 'content-type': 'application/json', 'X-Jobber-Hmac-SHA256': signature }, body });
		const tampered = await send(genuine.body.replace('CLIENT_UPDATE', 'JOB_UPDATE'), genuine.headers['X-Jobber-Hmac-SHA256']);
		expect(tampered.status).toBe(401);
		const unsigned = await send(genuine.body, '');
		expect(unsigned.status).toBe(401);
		const replay = await send(genuine.body, genuine.headers['X-Jobber-Hmac-SHA256']);
		expect(replay.status).toBe(401);
		expect(await replay.json()).toMatchObject({ message: expect.stringContaining('Replayed') });
		// The sandbox signing with a wrong secret (a forger): refused too.
		await admin('PUT', '/_sandbox/webhooks/behaviour', { badSignature: true });
		await admin('POST', '/_sandbox/jobber/edit', { op: 'update', type: 'Client', id: clientId, input: { lastName: 'Forged' } });
		await admin('POST', '/_sandbox/webhooks/settle');
		await admin('PUT', '/_sandbox/webhooks/behaviour', {});
		const forged = ((await admin('GET', '/_sandbox/webhooks/deliveries')) as Array<{ attempts: Array<{ status: number }> }>).pop()!;
		expect(forged.attempts.every((a) => a.status === 401)).toBe(true);
		await new Promise((r) => setTimeout(r, 1000));
		expect((await executions(n8n, workflowId)).length).toBe(before);
	});

	test('deactivation deletes the endpoints at Jobber', async () => {
		const wf = await n8n.rest('GET', `/workflows/${workflowId}`);
		await n8n.rest('POST', `/workflows/${workflowId}/deactivate`, { versionId: wf.data.versionId });
		await waitFor('endpoints removed', async () => (((await admin('GET', '/_sandbox/records/webhookEndpoints')) as unknown[]).length === 0 ? true : undefined));
	});
});
