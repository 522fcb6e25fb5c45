/**
 * HubSpot Sync and HubSpot Sync Trigger inside a real n8n 2.x (the package installed as users install it),
 * against the HubSpot sandbox: credentials created over n8n's REST API, dropdowns through n8n's
 * dynamic-parameter endpoints, a Webhook → batch upsert → Respond workflow, and the trigger's webhook
 * lifecycle (target URL and subscriptions set on activation, signed UI writes delivered, the sync's own
 * writes and forged or stale deliveries refused without an execution).
 */
import { fetchClient } from '../../connectors/core/http';
import { HubSpotConnector, signatureV3 } from '../../connectors/hubspot';
import { registeredNodeTypes, startN8n } from '../../scripts/n8n/runtime';
import { startSandbox, type Sandbox } from '../../sandbox';
import { createActiveWorkflow, executions, nodeOutput, postWebhook, startN8nWithPackage, stopN8n, waitFor } from './support';

jest.setTimeout(300_000);

const NODE = 'n8n-nodes-fluxcascade.hubSpotSync';
const TRIGGER = 'n8n-nodes-fluxcascade.hubSpotSyncTrigger';

let n8n: Awaited<ReturnType<typeof startN8nWithPackage>>;
let sandbox: Sandbox;
let url: string;
let info: Record<string, any>;
let api: { id: string; name: string };
let app: { id: string; name: string };

const admin = async (method: string, route: string, body?: unknown): Promise<any> => {
	const res = await fetch(`${url}${route}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await res.text();
	return text ? JSON.parse(text) : undefined;
};
const records = async (object: string): Promise<any[]> => ((await admin('GET', `/_sandbox/records/${object}`)) as any[]).filter((r) => !r.archived);




beforeAll(async () => {
	// Short webhook retry delays (a refused delivery gives up in milliseconds instead of hours) and OAuth
	// access tokens that expire after 3 s instead of 30 min.
	sandbox = await startSandbox({ vendors: ['hubspot'], hubspot: { webhookRetryDelaysMs: [50, 50], accessTokenLifetimeSec: 3 } });
	url = sandbox.url('hubspot');
	info = await admin('GET', '/_sandbox/info');
	n8n = await startN8nWithPackage('hubspot');
	const created = await n8n.rest('POST', '/credentials', { name: 'HubSpot sandbox', type: 'fluxHubSpotApi', data: { accessToken: info.privateAppToken, baseUrl: url, apiVersion: 'v3' } });
	api = { id: created.data.id, name: created.data.name };
	const createdApp = await n8n.rest('POST', '/credentials', {
		name: 'HubSpot sandbox app',
		type: 'fluxHubSpotAppApi',
		data: { appId: String(info.appId), clientSecret: info.clientSecret, developerApiKey: info.developerApiKey, baseUrl: url },
	});
	app = { id: createdApp.data.id, name: createdApp.data.name };
});

afterAll(async () => {
	await stopN8n(n8n, 'hubspot');
	await sandbox?.stop();
});

test('HubSpot Sync and its trigger register next to n8n’s own HubSpot nodes; so do the three credentials', async () => {
	const types = await registeredNodeTypes(n8n);
	expect(types).toEqual(expect.arrayContaining([NODE, TRIGGER, 'n8n-nodes-base.hubspot', 'n8n-nodes-base.hubspotTrigger']));
	const nodes = (await (await fetch(`${n8n.url}/types/nodes.json`, { headers: { cookie: n8n.cookie } })).json()) as Array<{ name: string; displayName: string; usableAsTool?: unknown }>;
	expect(nodes.find((n) => n.name === NODE)?.displayName).toBe('HubSpot Sync');
	expect(nodes.find((n) => n.name === TRIGGER)?.displayName).toBe('HubSpot Sync Trigger');
	expect(nodes.find((n) => n.name === 'n8n-nodes-base.hubspot')?.displayName).toBe('HubSpot');
	const creds = ((await (await fetch(`${n8n.url}/types/credentials.json`, { headers: { cookie: n8n.cookie } })).json()) as Array<{ name: string }>).map((c) => c.name);
	expect(creds).toEqual(expect.arrayContaining(['fluxHubSpotApi', 'fluxHubSpotOAuth2Api', 'fluxHubSpotAppApi', 'hubspotApi', 'hubspotOAuth2Api', 'hubspotAppToken', 'hubspotDeveloperApi']));
});

test('credential tests reach the sandbox; secrets are never echoed back', async () => {
	const key = await n8n.rest('POST', '/api-keys', { label: 'hubspot e2e', scopes: ['credential:read'], expiresAt: null });
	await admin('POST', '/_sandbox/requests/reset');
	for (const id of [api.id, app.id]) {
		const res = await fetch(`${n8n.url}/api/v1/credentials/${id}/test`, { method: 'POST', headers: { 'X-N8N-API-KEY': key.data.rawApiKey } });
		expect(await res.json()).toEqual({ status: 'OK', message: 'Connection successful!' });
	}
	const log = (await admin('GET', '/_sandbox/requests')) as Array<{ route: string; status: number }>;
	expect(log.map((l) => `${l.route} ${l.status}`)).toEqual(['account.details 200', 'webhooks.subscriptions.list 200']);
	const stored = JSON.stringify([await n8n.rest('GET', `/credentials/${api.id}?includeData=true`), await n8n.rest('GET', `/credentials/${app.id}?includeData=true`)]);
	for (const secret of [info.privateAppToken, info.clientSecret, info.developerApiKey]) expect(stored).not.toContain(secret);
});

test('dropdowns through n8n: properties with custom ones, unique properties, pipelines, stages, owners, record search, field mapping', async () => {
	await admin('POST', '/_sandbox/reset');
	const custom = await fetch(`${url}/crm/v3/properties/contacts`, {
		method: 'POST',
		headers: { authorization: `Bearer ${info.privateAppToken}`, 'content-type': 'application/json' },
		body: JSON.stringify({ name: 'jobber_client_id', label: 'Jobber client ID', type: 'string', fieldType: 'text', groupName: 'contactinformation', hasUniqueValue: true }),
	});
	expect(custom.status).toBe(201);
	const base = (parameters: Record<string, unknown>, parameterPath: string) => ({
		nodeTypeAndVersion: { name: NODE, version: 1 },
		path: parameterPath,
		currentNodeParameters: { authentication: 'accessToken', ...parameters },
		credentials: { fluxHubSpotApi: api },
	});
	const options = async (parameters: Record<string, unknown>, parameterPath: string, methodName: string) =>
		(await n8n.rest('POST', '/dynamic-node-parameters/options', { ...base(parameters, parameterPath), methodName })).data as Array<{ name: string; value: string }>;
	const props = await options({ resource: 'contact', operation: 'get' }, 'parameters.options.properties', 'getProperties');
	expect(props.map((p) => p.value)).toEqual(expect.arrayContaining(['email', 'firstname', 'lifecyclestage', 'jobber_client_id']));
	const unique = await options({ resource: 'contact', operation: 'upsert' }, 'parameters.idProperty', 'getUniqueProperties');
	expect(unique.map((p) => p.value).sort()).toEqual(['email', 'jobber_client_id']);
	const pipelines = await options({ resource: 'deal', operation: 'create' }, 'parameters.setValues.pipeline', 'getPipelines');
	expect(pipelines).toEqual([{ name: 'Sales Pipeline', value: 'default' }]);
	const stages = await options({ resource: 'deal', operation: 'create', setValues: { pipeline: 'default' } }, 'parameters.setValues.dealstage', 'getStages');
	expect(stages.map((s) => s.value)).toEqual(['appointmentscheduled', 'qualifiedtobuy', 'presentationscheduled', 'decisionmakerboughtin', 'contractsent', 'closedwon', 'closedlost']);
	const owners = await options({ resource: 'contact', operation: 'create' }, 'parameters.setValues.hubspot_owner_id', 'getOwners');
	expect(owners).toHaveLength(3);
	await admin('POST', '/_sandbox/hubspot/ui/contacts', { properties: { email: 'sam.search@example.com', firstname: 'Searchable', lastname: 'Sam' } });
	const found = await n8n.rest('POST', '/dynamic-node-parameters/resource-locator-results', { ...base({ resource: 'contact', operation: 'get' }, 'parameters.recordId'), methodName: 'searchRecords', filter: 'Searchable' });
	expect(found.data.results).toMatchObject([{ name: 'Searchable Sam <sam.search@example.com>', value: expect.stringMatching(/^\d+$/) }]);
	const mapping = await n8n.rest('POST', '/dynamic-node-parameters/resource-mapper-fields', { ...base({ resource: 'deal', operation: 'create', fieldsSource: 'mapper' }, 'parameters.fields'), methodName: 'getMappingFields' });
	const fields = Object.fromEntries((mapping.data.fields as Array<{ id: string; type: string; options?: unknown[] }>).map((f) => [f.id, f]));
	expect(fields.dealstage).toMatchObject({ type: 'options' });
	expect(fields.hubspot_owner_id.options).toHaveLength(3);
	expect(fields.hs_lastmodifieddate).toBeUndefined();
});

test('Webhook → HubSpot Sync batch upsert → Respond: created, updated, and failed records on the Failed output', async () => {
	await admin('POST', '/_sandbox/reset');
	const existing = await admin('POST', '/_sandbox/hubspot/ui/contacts', { properties: { email: 'erin@example.com', firstname: 'Erin' } });
	const nodes = [
		{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'b5f0c1de-0000-4000-8000-0000000000b1', parameters: { httpMethod: 'POST', path: 'hs-e2e-upsert', responseMode: 'responseNode' } },
		{ id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.records' } },
		{
			id: 'hs',
			name: 'HubSpot Sync',
			type: NODE,
			typeVersion: 1,
			position: [400, 0],
			credentials: { fluxHubSpotApi: api },
			parameters: { authentication: 'accessToken', resource: 'contact', operation: 'batchWrite', writeAction: 'upsert', idProperty: 'email', fieldsSource: 'input', setValues: {}, options: {} },
		},
		{ id: 'm', name: 'Merge', type: 'n8n-nodes-base.merge', typeVersion: 3.2, position: [600, 0], parameters: {} },
		{ id: 'r', name: 'Respond', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [800, 0], parameters: { respondWith: 'allIncomingItems' } },
	];
	const connections = {
		Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
		'Split Out': { main: [[{ node: 'HubSpot Sync', type: 'main', index: 0 }]] },
		'HubSpot Sync': { main: [[{ node: 'Merge', type: 'main', index: 0 }], [{ node: 'Merge', type: 'main', index: 1 }]] },
		Merge: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
	};
	await createActiveWorkflow(n8n, { name: 'e2e: hubspot upsert', nodes, connections });

	await admin('POST', '/_sandbox/requests/reset');
	const envelope = (id: string, fields: Record<string, unknown>) => ({ system: 'jobber', object: 'clients', id, fields });
	const res = await postWebhook(n8n, 'hs-e2e-upsert', {
		records: [
			envelope('J1', { email: 'ERIN@example.com', lastname: 'Updated' }),
			envelope('J2', { email: 'nia@example.com', firstname: 'Nia', lifecyclestage: 'customer' }),
			envelope('J3', { email: 'bad@@example', firstname: 'Bad' }),
			envelope('J4', { firstname: 'No Email' }),
			envelope('J5', { email: 'opt@example.com', lifecyclestage: 'Customer' }),
			{ email: 'plain@example.com', firstname: 'Plain' },
		],
	});
	expect(res.status).toBe(200);
	const out = (await res.json()) as any[];
	const ok = out.filter((o) => !o.failed);
	const failed = out.filter((o) => o.failed);
	expect(ok.map((o) => [o.fields.email, o.action])).toEqual([
		['erin@example.com', 'updated'],
		['nia@example.com', 'created'],
		['plain@example.com', 'created'],
	]);
	expect(ok[0]).toMatchObject({ system: 'hubspot', object: 'contacts', id: existing.id, updatedAt: expect.any(String), fields: { lastname: 'Updated', firstname: 'Erin' } });
	expect(failed.map((f) => [f.record.id ?? f.record.email, f.errors[0].code, f.errors[0].field])).toEqual([
		['J3', 'INVALID_EMAIL', 'email'],
		['J4', 'REQUIRED_FIELD_MISSING', 'email'],
		['J5', 'INVALID_FORMAT', 'lifecyclestage'],
	]);
	expect(failed[0]).toMatchObject({ failed: true, stage: 'hubspot', node: 'HubSpot Sync', errorCount: 1, operation: 'upsert', object: 'contacts', errors: [{ value: 'bad@@example', category: 'Data', retryable: false }] });

	const contacts = await records('contacts');
	expect(contacts.map((c) => c.properties.email).sort()).toEqual(['erin@example.com', 'nia@example.com', 'plain@example.com']);
	expect(contacts.find((c) => c.properties.email === 'erin@example.com').properties.lastname).toBe('Updated');
	// One batch call rejected for its invalid values, then the rest in one more: two calls for six items.
	const counters = await admin('GET', '/_sandbox/counters');
	expect(counters.byRoute['contacts.batch.upsert']).toBe(2);
	expect(counters.byStatus['429']).toBeUndefined();
});

let workflowCount = 0;
/** Activates Webhook → Split Out → HubSpot Sync (these parameters) → Merge(Success, Failed) → Respond; returns a runner. */
async function syncNode(parameters: Record<string, unknown>): Promise<(records: unknown[]) => Promise<any[]>> {
	const n = ++workflowCount;
	const webhookPath = `hs-e2e-op-${n}`;
	const nodes = [
		{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: `b5f0c1de-0000-4000-8000-0000000001${String(n).padStart(2, '0')}`, parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'responseNode' } },
		{ id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.records' } },
		{ id: 'hs', name: 'HubSpot Sync', type: NODE, typeVersion: 1, position: [400, 0], credentials: { fluxHubSpotApi: api }, parameters: { authentication: 'accessToken', ...parameters } },
		{ id: 'm', name: 'Merge', type: 'n8n-nodes-base.merge', typeVersion: 3.2, position: [600, 0], parameters: {} },
		{ id: 'r', name: 'Respond', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [800, 0], parameters: { respondWith: 'allIncomingItems' } },
	];
	const connections = {
		Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
		'Split Out': { main: [[{ node: 'HubSpot Sync', type: 'main', index: 0 }]] },
		'HubSpot Sync': { main: [[{ node: 'Merge', type: 'main', index: 0 }], [{ node: 'Merge', type: 'main', index: 1 }]] },
		Merge: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
	};
	await createActiveWorkflow(n8n, { name: `e2e: hubspot op ${n}`, nodes, connections });
	return async (records) => {
		const res = await postWebhook(n8n, webhookPath, { records });
		const text = await res.text();
		if (res.status !== 200) throw new Error(`workflow answered ${res.status}: ${text.slice(0, 500)}`);
		return text ? (JSON.parse(text) as any[]) : [];
	};
}

test('the other operations in n8n: create (duplicate → Failed with the existing id), get with links, find, update, get changes with its checkpoint, associations, delete', async () => {
	await admin('POST', '/_sandbox/reset');
	const create = await syncNode({ resource: 'contact', operation: 'create', fieldsSource: 'input', setValues: {} });
	const created = await create([{ email: 'cara@example.com', firstname: 'Cara' }, { system: 'jobber', object: 'clients', id: 'J9', fields: { email: 'CARA@example.com' } }]);
	expect(created[0]).toMatchObject({ system: 'hubspot', object: 'contacts', action: 'created', fields: { email: 'cara@example.com' } });
	const cara = created[0].id as string;
	expect(created[1]).toMatchObject({ failed: true, existingId: cara, errors: [{ code: 'DUPLICATE_RECORD', record: { id: cara } }], record: { id: 'J9' } });

	const deal = await syncNode({ resource: 'deal', operation: 'create', fieldsSource: 'input', setValues: { pipeline: 'default', dealstage: 'contractsent' } });
	const [d] = await deal([{ dealname: 'Spring service', amount: 1500 }]);
	expect(d).toMatchObject({ action: 'created', fields: { dealname: 'Spring service', amount: '1500', pipeline: 'default', dealstage: 'contractsent' } });

	const associate = await syncNode({ resource: 'association', operation: 'create', fromObject: 'deals', fromId: '={{ $json.deal }}', toObject: 'contacts', toId: '={{ $json.contact }}' });
	expect(await associate([{ deal: d.id, contact: cara }, { deal: d.id, contact: '999' }])).toMatchObject([
		{ object: 'deals', id: d.id, links: { contacts: [cara] }, action: 'created' },
		{ failed: true, errors: [{ code: 'FIELD_NOT_FOUND' }] },
	]);
	const links = await syncNode({ resource: 'association', operation: 'get', fromObject: 'contacts', fromId: '={{ $json.id }}', toObject: 'deals' });
	expect(await links([{ id: cara }])).toMatchObject([{ object: 'contacts', id: cara, links: { deals: [d.id] } }]);

	const get = await syncNode({ resource: 'contact', operation: 'get', recordId: { __rl: true, mode: 'url', value: '={{ $json.url }}' }, options: { links: ['deals'], properties: ['email', 'firstname'] } });
	expect(await get([{ url: `https://app.hubspot.com/contacts/1/record/0-1/${cara}` }, { url: 'https://app.hubspot.com/contacts/1/record/0-1/5' }])).toMatchObject([
		{ id: cara, fields: { email: 'cara@example.com', firstname: 'Cara' }, links: { deals: [d.id] } },
		{ failed: true, errors: [{ code: 'FIELD_NOT_FOUND', record: { id: '5' } }] },
	]);

	const find = await syncNode({ resource: 'contact', operation: 'find', matchKey: 'email', value: '={{ $json.email }}', options: { outputNotFound: true } });
	expect(await find([{ email: ' Cara@Example.com ' }, { email: 'nobody@example.com' }])).toMatchObject([
		{ id: cara, found: true, matchKey: 'email' },
		{ found: false, value: 'nobody@example.com' },
	]);

	const update = await syncNode({ resource: 'contact', operation: 'update', recordId: { __rl: true, mode: 'id', value: '' }, fieldsSource: 'input', setValues: {}, options: { createIfMissing: true } });
	const updated = await update([
		{ system: 'hubspot', object: 'contacts', id: cara, fields: { firstname: 'Cara B', lastmodifieddate: '2020-01-01T00:00:00Z' } },
		{ system: 'hubspot', object: 'contacts', id: '170000000999', fields: { email: 'ghost@example.com' } },
	]);
	expect(updated.map((u) => [u.action, u.fields.email])).toEqual([
		['updated', 'cara@example.com'],
		['created', 'ghost@example.com'],
	]);

	const changes = await syncNode({ resource: 'contact', operation: 'getChanges', syncMode: 'incremental', since: '={{ $json.since }}', options: { overlapSeconds: 0, properties: ['email'] } });
	const all = await changes([{ since: '' }]);
	expect(all.map((c) => c.fields.email).sort()).toEqual(['cara@example.com', 'ghost@example.com']);
	const checkpoint = all[all.length - 1].checkpoint;
	expect(all.every((c) => c.checkpoint === checkpoint)).toBe(true);
	expect(all[all.length - 1].cursor).toMatchObject({ mode: 'incremental', since: null, checkpoint, count: 2 });
	await new Promise((r) => setTimeout(r, 5));
	await admin('POST', '/_sandbox/hubspot/ui/contacts', { properties: { email: 'late@example.com' } });
	const next = await changes([{ since: checkpoint }]);
	// The record at the checkpoint itself is read again (GTE), plus the new one.
	expect(next.map((c) => c.fields.email)).toContain('late@example.com');
	expect(next.every((c) => Date.parse(c.updatedAt) >= Date.parse(checkpoint))).toBe(true);

	const remove = await syncNode({ resource: 'contact', operation: 'delete', recordId: { __rl: true, mode: 'id', value: '={{ $json.id }}' } });
	expect(await remove([{ id: cara }])).toMatchObject([{ id: cara, action: 'deleted', deleted: true }]);
	expect((await records('contacts')).map((c) => c.properties.email).sort()).toEqual(['ghost@example.com', 'late@example.com']);
});

test('OAuth2: the access token expires, n8n refreshes it with the refresh token, the request succeeds', async () => {
	await admin('POST', '/_sandbox/reset');
	await admin('POST', '/_sandbox/hubspot/ui/contacts', { properties: { email: 'oauth@example.com' } });
	const token = await admin('POST', '/_sandbox/hubspot/oauth/token', {});
	expect(token).toMatchObject({ access_token: expect.any(String), refresh_token: expect.any(String), expires_in: 3 });
	const created = await n8n.rest('POST', '/credentials', {
		name: 'HubSpot sandbox OAuth2',
		type: 'fluxHubSpotOAuth2Api',
		data: { clientId: info.clientId, clientSecret: info.clientSecret, baseUrl: url, authBaseUrl: url, apiVersion: 'v3', oauthTokenData: token },
	});
	const oauth = { id: created.data.id, name: created.data.name };
	const nodes = [
		{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'b5f0c1de-0000-4000-8000-0000000000c1', parameters: { httpMethod: 'POST', path: 'hs-e2e-oauth', responseMode: 'responseNode' } },
		{
			id: 'hs',
			name: 'HubSpot Sync',
			type: NODE,
			typeVersion: 1,
			position: [200, 0],
			credentials: { fluxHubSpotOAuth2Api: oauth },
			parameters: { authentication: 'oAuth2', resource: 'contact', operation: 'getAll', returnAll: true, options: {} },
		},
		{ id: 'r', name: 'Respond', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [400, 0], parameters: { respondWith: 'allIncomingItems' } },
	];
	const connections = { Webhook: { main: [[{ node: 'HubSpot Sync', type: 'main', index: 0 }]] }, 'HubSpot Sync': { main: [[{ node: 'Respond', type: 'main', index: 0 }]] } };
	await createActiveWorkflow(n8n, { name: 'e2e: hubspot oauth', nodes, connections });
	const read = async () => {
		const res = await postWebhook(n8n, 'hs-e2e-oauth', {});
		expect(res.status).toBe(200);
		return ((await res.json()) as any[]).map((r) => r.fields.email);
	};
	await admin('POST', '/_sandbox/requests/reset');
	expect(await read()).toEqual(['oauth@example.com']);
	await new Promise((r) => setTimeout(r, 3500));
	expect(await read()).toEqual(['oauth@example.com']);
	const log = (await admin('GET', '/_sandbox/requests')) as Array<{ route: string; status: number }>;
	expect(log.map((l) => `${l.route} ${l.status}`)).toEqual(['contacts.list 200', 'contacts.list 401', 'oauth.token 200', 'contacts.list 200']);
	const stored = JSON.stringify(await n8n.rest('GET', `/credentials/${oauth.id}?includeData=true`));
	expect(stored).not.toContain(info.clientSecret);
});

test('HubSpot Sync Trigger: activation registers the target URL and subscriptions; UI writes run the workflow, echoes and forged or stale deliveries do not', async () => {
	await admin('POST', '/_sandbox/reset');
	const webhookId = 'b5f0c1de-0000-4000-8000-0000000000f1';
	const workflowId = await triggerWorkflow('e2e: hubspot trigger', webhookId, { events: ['contact.creation', 'contact.propertyChange'], contactProperties: ['firstname'], fetchRecord: true });
	const hookUrl = `${n8n.url}/webhook/${webhookId}/webhook`;

	// create() (n8n activates in the background): the app's target URL and exactly the chosen subscriptions.
	const dev = `hapikey=${info.developerApiKey}`;
	const subs = await waitFor('the subscriptions', async () => {
		const settings = await admin('GET', `/webhooks/v3/${info.appId}/settings?${dev}`);
		const list = (await admin('GET', `/webhooks/v3/${info.appId}/subscriptions?${dev}`)).results as Array<{ eventType: string; propertyName?: string }>;
		return settings?.targetUrl === hookUrl && list.length >= 2 ? list : undefined;
	});
	expect(subs.map((s) => `${s.eventType}:${s.propertyName ?? ''}`).sort()).toEqual(['contact.creation:', 'contact.propertyChange:firstname']);

	// A person creates a contact in HubSpot: one signed delivery (creation + firstname change), one execution.
	const made = await admin('POST', '/_sandbox/hubspot/ui/contacts', { properties: { email: 'tess@example.com', firstname: 'Tess' } });
	await admin('POST', '/_sandbox/webhooks/settle');
	const runs = await waitFor('the triggered execution', async () => {
		const list = await executions(n8n, workflowId);
		return list.length >= 1 ? list : undefined;
	});
	expect(runs).toHaveLength(1);
	const items = await nodeOutput(n8n, runs[0].id, 'HubSpot Sync Trigger');
	expect(items.map((i) => i.event.subscriptionType).sort()).toEqual(['contact.creation', 'contact.propertyChange']);
	for (const item of items) {
		expect(item).toMatchObject({ system: 'hubspot', object: 'contacts', id: made.id, fields: { email: 'tess@example.com', firstname: 'Tess' }, event: { changeSource: 'CRM_UI', portalId: info.portalId } });
	}

	// The sync's own write through the API: delivered and verified, but dropped as an echo.
	const own = new HubSpotConnector({ http: fetchClient({ baseUrl: url, headers: () => ({ authorization: `Bearer ${info.privateAppToken}` }) }), limiterKey: 'e2e-own' });
	expect((await own.update('contacts', made.id, { firstname: 'Echo' })).ok).toBe(true);
	await admin('POST', '/_sandbox/webhooks/settle');

	// HubSpot signing with a wrong secret, and a stale timestamp: 401, no retry, no execution.
	await admin('PUT', '/_sandbox/webhooks/behaviour', { badSignature: true });
	await admin('POST', '/_sandbox/hubspot/ui/contacts', { id: Number(made.id), properties: { firstname: 'Forged' } });
	await admin('POST', '/_sandbox/webhooks/settle');
	await admin('PUT', '/_sandbox/webhooks/behaviour', { timestampSkewMs: 6 * 60_000 });
	await admin('POST', '/_sandbox/hubspot/ui/contacts', { id: Number(made.id), properties: { firstname: 'Stale' } });
	await admin('POST', '/_sandbox/webhooks/settle');
	await admin('PUT', '/_sandbox/webhooks/behaviour', {});
	const deliveries = (await admin('GET', '/_sandbox/webhooks/deliveries')) as Array<{ delivered: boolean; attempts: Array<{ status?: number }>; body: string; headers: Record<string, string> }>;
	expect(deliveries.filter((d) => d.delivered)).toHaveLength(2);
	const refused = deliveries.filter((d) => !d.delivered);
	expect(refused.map((d) => d.attempts.map((a) => a.status))).toEqual([[401], [401]]);

	// A tampered body with the original signature, straight at n8n: 401.
	const good = deliveries.find((d) => d.delivered)!;
	const tampered = await fetch(hookUrl, { method: 'POST', headers: { ...good.headers, 'x-hubspot-request-timestamp': String(Date.now()) }, body: good.body.replace('"CRM_UI"', '"INTEGRATION"') });
	expect(tampered.status).toBe(401);
	// The same request again, byte for byte (a captured delivery replayed): 401, nothing runs.
	const exact = await fetch(hookUrl, { method: 'POST', headers: good.headers, body: good.body });
	expect(exact.status).toBe(401);
	expect(await exact.json()).toMatchObject({ message: expect.stringContaining('replayed') });
	// Its events re-signed with a fresh timestamp (what HubSpot's own retry looks like): refused the same way.
	const ts = String(Date.now());
	const replay = await fetch(hookUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-hubspot-request-timestamp': ts, 'x-hubspot-signature-v3': signatureV3(info.clientSecret, 'POST', hookUrl, good.body, ts) },
		body: good.body,
	});
	expect(replay.status).toBe(401);

	await new Promise((r) => setTimeout(r, 1500));
	expect(await executions(n8n, workflowId)).toHaveLength(1);

	// A second UI change runs again: two executions in all.
	await admin('POST', '/_sandbox/hubspot/ui/contacts', { id: Number(made.id), properties: { firstname: 'Tess Again' } });
	await admin('POST', '/_sandbox/webhooks/settle');
	const after = await waitFor('the second execution', async () => {
		const list = await executions(n8n, workflowId);
		return list.length >= 2 ? list : undefined;
	});
	const [second] = await nodeOutput(n8n, after[0].id, 'HubSpot Sync Trigger');
	expect(second).toMatchObject({ id: made.id, fields: { firstname: 'Tess Again' }, event: { subscriptionType: 'contact.propertyChange', propertyName: 'firstname', propertyValue: 'Tess Again' } });

	// Deactivation removes the subscriptions and the target URL.
	await n8n.rest('POST', `/workflows/${workflowId}/deactivate`);
	await waitFor('the target URL to be removed', async () => ((await fetch(`${url}/webhooks/v3/${info.appId}/settings?${dev}`)).status === 404 ? true : undefined));
	expect((await admin('GET', `/webhooks/v3/${info.appId}/subscriptions?${dev}`)).results).toEqual([]);
});

test('HubSpot Sync Trigger: event ids live in the sync store, so a replay is refused also after n8n restarts', async () => {
	await admin('POST', '/_sandbox/reset');
	const webhookId = 'b5f0c1de-0000-4000-8000-0000000000f2';
	const workflowId = await triggerWorkflow('e2e: hubspot trigger restart', webhookId, { events: ['contact.creation'], fetchRecord: false });
	const hookUrl = `${n8n.url}/webhook/${webhookId}/webhook`;
	const dev = `hapikey=${info.developerApiKey}`;
	await waitFor('the target URL and subscription', async () => {
		const settings = await admin('GET', `/webhooks/v3/${info.appId}/settings?${dev}`);
		const subscriptions = (await admin('GET', `/webhooks/v3/${info.appId}/subscriptions?${dev}`)).results as Array<{ eventType: string }>;
		return settings?.targetUrl === hookUrl && subscriptions.some((x) => x.eventType === 'contact.creation') ? true : undefined;
	});
	await admin('POST', '/_sandbox/hubspot/ui/contacts', { properties: { email: 'restart@example.com', firstname: 'Rae' } });
	await admin('POST', '/_sandbox/webhooks/settle');
	await waitFor('the execution', async () => ((await executions(n8n, workflowId)).length >= 1 ? true : undefined));
	expect(await executions(n8n, workflowId)).toHaveLength(1);
	const delivered = ((await admin('GET', '/_sandbox/webhooks/deliveries')) as Array<{ delivered: boolean; body: string }>).find((d) => d.delivered)!;

	// Same user folder and port: the embedded store file (.n8n/fluxcascade.sqlite) outlives the process.
	const port = Number(new URL(n8n.url).port);
	await n8n.stop();
	n8n = { ...(await startN8n({ userFolder: n8n.userFolder, port })), userFolder: n8n.userFolder };
	await waitFor('the workflow active again', async () => ((await n8n.rest('GET', `/workflows/${workflowId}`)).data.active ? true : undefined));
	const ts = String(Date.now());
	const replay = await postSigned(hookUrl, delivered.body, ts);
	expect(replay.status).toBe(401);
	// A new event still runs: the store refuses repeats only.
	const fresh = JSON.stringify((JSON.parse(delivered.body) as Array<Record<string, unknown>>).map((e) => ({ ...e, eventId: Number(e.eventId) + 1_000_000 })));
	expect((await postSigned(hookUrl, fresh, String(Date.now()))).status).toBe(200);
	await waitFor('the second execution', async () => ((await executions(n8n, workflowId)).length === 2 ? true : undefined));
	await new Promise((r) => setTimeout(r, 1000));
	expect(await executions(n8n, workflowId)).toHaveLength(2);
	await n8n.rest('POST', `/workflows/${workflowId}/deactivate`);
});

function postSigned(hookUrl: string, body: string, ts: string): Promise<Response> {
	return fetch(hookUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json', 'x-hubspot-request-timestamp': ts, 'x-hubspot-signature-v3': signatureV3(info.clientSecret, 'POST', hookUrl, body, ts) },
		body,
	});
}

/** An active workflow: HubSpot Sync Trigger (the sandbox app) → No Op. */
async function triggerWorkflow(name: string, webhookId: string, parameters: Record<string, unknown>): Promise<string> {
	const nodes = [
		{
			id: 't',
			name: 'HubSpot Sync Trigger',
			type: TRIGGER,
			typeVersion: 1,
			position: [0, 0],
			webhookId,
			credentials: { fluxHubSpotAppApi: app, fluxHubSpotApi: api },
			parameters: { authentication: 'accessToken', options: {}, ...parameters },
		},
		{ id: 'n', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
	];
	return await createActiveWorkflow(n8n, { name, nodes, connections: { 'HubSpot Sync Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } } });
}
