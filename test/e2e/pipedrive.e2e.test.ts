/**
 * Pipedrive Sync and Pipedrive Sync Trigger inside a real n8n 2.x (the package installed as users install
 * it), against the Pipedrive sandbox: an API-token credential created over n8n's REST API, dropdowns through
 * n8n's dynamic-parameter endpoints, a Webhook → upsert → Respond workflow, and the trigger's whole webhook
 * lifecycle (subscription created in the sandbox on activation, app edits delivered, wrong Basic auth refused).
 */
import { fetchClient } from '../../connectors/core/http';
import { PipedriveConnector } from '../../connectors/pipedrive';
import { registeredNodeTypes } from '../../scripts/n8n/runtime';
import { startSandbox, type Sandbox } from '../../sandbox';
import { createActiveWorkflow, executions, nodeOutput, postWebhook, startN8nWithPackage, stopN8n, waitFor } from './support';

jest.setTimeout(300_000);

const NODE = 'n8n-nodes-fluxcascade.pipedriveSync';
const TRIGGER = 'n8n-nodes-fluxcascade.pipedriveSyncTrigger';
const CREDENTIAL = 'fluxPipedriveApi';

let n8n: Awaited<ReturnType<typeof startN8nWithPackage>>;
let sandbox: Sandbox;
let url: string;
let info: Record<string, any>;
let credential: { id: string; name: string };

const admin = async (method: string, route: string, body?: unknown): Promise<any> => {
	const res = await fetch(`${url}${route}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await res.text();
	return text ? JSON.parse(text) : undefined;
};
const records = (object: string): Promise<any[]> => admin('GET', `/_sandbox/records/${object}`);
const nodeCredentials = () => ({ [CREDENTIAL]: credential });




beforeAll(async () => {
	// Short retry delays: a refused delivery gives up in milliseconds instead of Pipedrive's 3 min.
	sandbox = await startSandbox({ vendors: ['pipedrive'], pipedrive: { webhookRetryDelaysMs: [50, 50, 50] } });
	url = sandbox.url('pipedrive');
	info = await admin('GET', '/_sandbox/info');
	n8n = await startN8nWithPackage('pipedrive');
	const created = await n8n.rest('POST', '/credentials', {
		name: 'Pipedrive sandbox',
		type: CREDENTIAL,
		data: { apiToken: info.auth.apiToken, companyDomain: '', baseUrl: url },
	});
	credential = { id: created.data.id, name: created.data.name };
});

afterAll(async () => {
	await stopN8n(n8n, 'pipedrive');
	await sandbox?.stop();
});

test('Pipedrive Sync and its trigger are registered next to n8n’s own Pipedrive node; so are the credentials', async () => {
	const types = await registeredNodeTypes(n8n);
	expect(types).toEqual(expect.arrayContaining([NODE, TRIGGER, 'n8n-nodes-base.pipedrive', 'n8n-nodes-base.pipedriveTrigger']));
	const nodes = (await (await fetch(`${n8n.url}/types/nodes.json`, { headers: { cookie: n8n.cookie } })).json()) as Array<{ name: string; displayName: string; usableAsTool?: boolean }>;
	expect(nodes.find((n) => n.name === NODE)?.displayName).toBe('Pipedrive Sync');
	expect(nodes.find((n) => n.name === TRIGGER)?.displayName).toBe('Pipedrive Sync Trigger');
	expect(nodes.find((n) => n.name === 'n8n-nodes-base.pipedrive')?.displayName).toBe('Pipedrive');
	const creds = ((await (await fetch(`${n8n.url}/types/credentials.json`, { headers: { cookie: n8n.cookie } })).json()) as Array<{ name: string }>).map((c) => c.name);
	expect(creds).toEqual(expect.arrayContaining([CREDENTIAL, 'fluxPipedriveOAuth2Api', 'pipedriveApi', 'pipedriveOAuth2Api']));
});

test('the credential test calls /api/v1/users/me with the x-api-token header; the token is never echoed', async () => {
	const key = await n8n.rest('POST', '/api-keys', { label: 'pd e2e', scopes: ['credential:read'], expiresAt: null });
	await admin('POST', '/_sandbox/requests/reset');
	const res = await fetch(`${n8n.url}/api/v1/credentials/${credential.id}/test`, { method: 'POST', headers: { 'X-N8N-API-KEY': key.data.rawApiKey } });
	expect(await res.json()).toEqual({ status: 'OK', message: 'Connection successful!' });
	const log = (await admin('GET', '/_sandbox/requests')) as Array<{ route: string; status: number }>;
	expect(log.map((l) => `${l.route} ${l.status}`)).toEqual(['v1.users.me 200']);
	const stored = await n8n.rest('GET', `/credentials/${credential.id}?includeData=true`);
	expect(JSON.stringify(stored)).not.toContain(info.auth.apiToken);
});

test('dropdowns through n8n: fields with custom ones by name, pipelines, stages, owners, record search', async () => {
	const base = (parameters: Record<string, unknown>, parameterPath: string) => ({
		nodeTypeAndVersion: { name: NODE, version: 1 },
		path: parameterPath,
		currentNodeParameters: { authentication: 'apiToken', ...parameters },
		credentials: nodeCredentials(),
	});
	const options = async (parameters: Record<string, unknown>, parameterPath: string, methodName: string) =>
		(await n8n.rest('POST', '/dynamic-node-parameters/options', { ...base(parameters, parameterPath), methodName })).data as Array<{ name: string; value: string | number }>;
	const fields = await options({ resource: 'person', operation: 'create' }, 'parameters.fieldValues.field.name', 'getWritableFields');
	expect(fields.map((f) => f.value)).toEqual(expect.arrayContaining(['name', 'emails', 'phones', 'Customer Type', 'Jobber Client ID']));
	expect(fields.find((f) => f.value === 'Customer Type')?.name).toBe('Customer Type (custom)');
	const pipelines = await options({ resource: 'deal', operation: 'create' }, 'parameters.additionalFields.pipeline_id', 'getPipelines');
	expect(pipelines.length).toBeGreaterThan(0);
	const stages = await options({ resource: 'deal', operation: 'create', additionalFields: { pipeline_id: pipelines[0].value } }, 'parameters.additionalFields.stage_id', 'getStages');
	expect(stages.length).toBeGreaterThan(0);
	const owners = await options({ resource: 'person', operation: 'create' }, 'parameters.additionalFields.owner_id', 'getUsers');
	expect(owners.map((o) => o.value)).toContain(info.users[0].id);
	const matchable = await options({ resource: 'person', operation: 'upsert', matchKey: 'custom' }, 'parameters.matchCustomField', 'getMatchableCustomFields');
	expect(matchable.map((m) => m.value)).toContain('Jobber Client ID');
	expect(matchable.map((m) => m.value)).not.toContain('Customer Type');
	await admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', action: 'create', changes: { name: 'Searchable Sam' } });
	const found = await n8n.rest('POST', '/dynamic-node-parameters/resource-locator-results', {
		...base({ resource: 'person', operation: 'get' }, 'parameters.recordId'),
		methodName: 'searchRecords',
		filter: 'Searchable',
	});
	expect(found.data.results).toMatchObject([{ name: expect.stringContaining('Searchable Sam'), value: expect.any(String) }]);
});

test('Webhook → Pipedrive Sync upsert by email → Respond: created, updated, and failed records on the Failed output', async () => {
	await admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', action: 'create', changes: { name: 'Existing Erin', emails: [{ value: 'erin@example.com' }] } });
	const nodes = [
		{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'c1a2b3d4-0000-4000-8000-0000000000a1', parameters: { httpMethod: 'POST', path: 'pd-e2e-upsert', responseMode: 'responseNode' } },
		{ id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.records' } },
		{
			id: 'pd',
			name: 'Pipedrive Sync',
			type: NODE,
			typeVersion: 1,
			position: [400, 0],
			credentials: nodeCredentials(),
			parameters: { authentication: 'apiToken', resource: 'person', operation: 'upsert', matchKey: 'email', fieldsSource: 'input', additionalFields: { owner_id: info.users[1].id } },
		},
		{ id: 'm', name: 'Merge', type: 'n8n-nodes-base.merge', typeVersion: 3.2, position: [600, 0], parameters: {} },
		{ id: 'r', name: 'Respond', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [800, 0], parameters: { respondWith: 'allIncomingItems' } },
	];
	const connections = {
		Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
		'Split Out': { main: [[{ node: 'Pipedrive Sync', type: 'main', index: 0 }]] },
		'Pipedrive Sync': { main: [[{ node: 'Merge', type: 'main', index: 0 }], [{ node: 'Merge', type: 'main', index: 1 }]] },
		Merge: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
	};
	await createActiveWorkflow(n8n, { name: 'e2e: pipedrive upsert', nodes, connections });

	await admin('POST', '/_sandbox/requests/reset');
	const envelope = (id: string, fields: Record<string, unknown>) => ({ system: 'jobber', object: 'clients', id, fields });
	const res = await postWebhook(n8n, 'pd-e2e-upsert', {
		records: [
			envelope('J1', { name: 'Erin Updated', emails: [{ value: 'ERIN@example.com' }], 'Customer Type': 'Commercial' }),
			envelope('J2', { first_name: 'New', last_name: 'Nia', emails: [{ value: 'nia@example.com' }], phones: [{ value: '(217) 555-0101' }], 'Preferred Contact': ['Email', 'SMS'] }),
			envelope('J3', { name: 'Bad Option', emails: [{ value: 'bad@example.com' }], 'Customer Type': 'Industrial' }),
			envelope('J4', { name: 'No Email' }),
			{ name: 'Plain Item', emails: 'plain@example.com' },
		],
	});
	expect(res.status).toBe(200);
	const out = (await res.json()) as any[];
	const ok = out.filter((o) => !o.failed);
	const failed = out.filter((o) => o.failed);
	expect(ok.map((o) => [o.fields.name, o.action])).toEqual([
		['Erin Updated', 'updated'],
		['New Nia', 'created'],
		['Plain Item', 'created'],
	]);
	expect(ok[0]).toMatchObject({ system: 'pipedrive', object: 'persons', id: expect.any(String), updatedAt: expect.any(String), fields: { 'Customer Type': 'Commercial', owner_id: info.users[1].id } });
	expect(failed.map((f) => f.errors[0].code)).toEqual(['INVALID_FORMAT', 'REQUIRED_FIELD_MISSING']);
	expect(failed[0]).toMatchObject({ failed: true, stage: 'pipedrive', node: 'Pipedrive Sync', errorCount: 1, operation: 'upsert', resource: 'person', record: { id: 'J3' }, errors: [{ field: 'Customer Type', value: 'Industrial', category: 'Data' }] });
	expect(failed[1].errors[0]).toMatchObject({ field: 'email', retryable: false });

	const persons = await records('persons');
	const byEmail = Object.fromEntries(persons.map((p) => [p.emails[0]?.value?.toLowerCase(), p]));
	expect(Object.keys(byEmail)).toEqual(expect.arrayContaining(['erin@example.com', 'nia@example.com', 'plain@example.com']));
	expect(byEmail['bad@example.com']).toBeUndefined();
	expect(persons.filter((p) => p.name === 'Erin Updated')).toHaveLength(1);
	const fields = await admin('GET', '/_sandbox/pipedrive/fields');
	const ct = fields.person.find((f: any) => f.name === 'Customer Type');
	expect(byEmail['erin@example.com'].custom_fields[ct.key]).toBe(ct.options.find((o: any) => o.label === 'Commercial').id);
	// Per record: one search, then one write; the field definitions once (cached for the process).
	const counters = await admin('GET', '/_sandbox/counters');
	expect(counters.byRoute).toMatchObject({ 'v2.persons.search': 3, 'v2.persons.update': 1, 'v2.persons.create': 2 });
	expect(counters.byRoute['v2.personFields.list'] ?? 0).toBeLessThanOrEqual(1);
	expect(counters.byStatus['429']).toBeUndefined();
});

/** Webhook → Pipedrive Sync (parameters given) → Respond with both outputs merged. */
function syncWorkflow(pathName: string, webhookId: string, parameters: Record<string, unknown>, extra: { credentials?: unknown; onError?: string } = {}) {
	const nodes = [
		{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId, parameters: { httpMethod: 'POST', path: pathName, responseMode: 'responseNode' } },
		{ id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.items' } },
		{ id: 'pd', name: 'Pipedrive Sync', type: NODE, typeVersion: 1, position: [400, 0], credentials: extra.credentials ?? nodeCredentials(), ...(extra.onError ? { onError: extra.onError } : {}), parameters },
		{ id: 'm', name: 'Merge', type: 'n8n-nodes-base.merge', typeVersion: 3.2, position: [600, 0], parameters: {} },
		{ id: 'r', name: 'Respond', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [800, 0], parameters: { respondWith: 'allIncomingItems' } },
	];
	const connections = {
		Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
		'Split Out': { main: [[{ node: 'Pipedrive Sync', type: 'main', index: 0 }]] },
		'Pipedrive Sync': { main: [[{ node: 'Merge', type: 'main', index: 0 }], [{ node: 'Merge', type: 'main', index: 1 }]] },
		Merge: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
	};
	return createActiveWorkflow(n8n, { name: `e2e: ${pathName}`, nodes, connections });
}

test('Batch Write "As Planned": creates as upserts by email (no duplicate of an existing person), updates by the decision\'s id, deletes; an item without a decision is Failed naming "action"', async () => {
	const existing = await admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', action: 'create', changes: { name: 'Planned Pia', emails: [{ value: 'planned-pia@example.com' }] } });
	const other = await admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', action: 'create', changes: { name: 'Planned Ola', emails: [{ value: 'planned-ola@example.com' }] } });
	const doomed = await admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', action: 'create', changes: { name: 'Planned Doomed' } });
	const idOf = (r: { data: { id: number } }) => String(r.data.id);
	await syncWorkflow('pd-e2e-planned', 'c1a2b3d4-0000-4000-8000-0000000000c7', { authentication: 'apiToken', resource: 'person', operation: 'batchWrite', writeMode: 'planned', matchKey: 'email', fieldsSource: 'input' });
	const decision = (action: string, id: string | null, fields: Record<string, unknown>) => ({ action, direction: 'to_source', system: 'pipedrive', object: 'persons', ...(id ? { id } : {}), targetId: id, fields, upsert: false, sync: { v: 1, mappingId: 'planned-e2e', action } });
	const res = await postWebhook(n8n, 'pd-e2e-planned', {
		items: [
			// The Plan did not see Pia (one side read only): the create finds her by email and updates her.
			decision('create', null, { name: 'Planned Pia Again', emails: [{ value: 'planned-pia@example.com' }] }),
			decision('create', null, { name: 'Planned New', emails: [{ value: 'planned-new@example.com' }] }),
			decision('update', idOf(other), { name: 'Planned Ola After' }),
			decision('delete', idOf(doomed), {}),
			{ name: 'Not a decision' },
		],
	});
	expect(res.status).toBe(200);
	const out = (await res.json()) as any[];
	const ok = out.filter((o) => !o.failed);
	expect(ok.map((o) => [o.fields?.name ?? o.id, o.action]).sort()).toEqual(
		[
			['Planned Pia Again', 'updated'],
			['Planned New', 'created'],
			['Planned Ola After', 'updated'],
			[idOf(doomed), 'deleted'],
		].sort(),
	);
	expect(ok.find((o) => o.fields?.name === 'Planned New')).toMatchObject({ sync: { mappingId: 'planned-e2e', action: 'create' } });
	expect(out.filter((o) => o.failed)).toEqual([expect.objectContaining({ errors: [expect.objectContaining({ code: 'INVALID_FORMAT', field: 'action' })], record: { name: 'Not a decision' } })]);
	const persons = await records('persons');
	expect(persons.filter((p) => p.emails?.[0]?.value === 'planned-pia@example.com')).toEqual([expect.objectContaining({ id: existing.data.id, name: 'Planned Pia Again' })]);
	expect(persons.find((p) => String(p.id) === idOf(other))).toMatchObject({ name: 'Planned Ola After' });
});

test('Get Changes: a full read, then incremental from the checkpoint on the items; Batch Write deletes with a result per record', async () => {
	await syncWorkflow('pd-e2e-changes', 'c1a2b3d4-0000-4000-8000-0000000000b1', { authentication: 'apiToken', resource: 'deal', operation: 'getChanges', syncMode: 'incremental', since: '={{ $json.cursor }}' });
	await syncWorkflow('pd-e2e-delete', 'c1a2b3d4-0000-4000-8000-0000000000b2', { authentication: 'apiToken', resource: 'deal', operation: 'batchWrite', writeMode: 'delete', options: { concurrency: 3 } });
	await admin('POST', '/_sandbox/seed', { object: 'deals', count: 12 });
	// No record out of the node: the Respond node never runs and n8n answers 200 with an empty body.
	const read = async (cursor: string) => {
		const text = await (await postWebhook(n8n, 'pd-e2e-changes', { items: [{ cursor }] })).text();
		return (text ? JSON.parse(text) : []) as any[];
	};
	const full = await read('');
	expect(full).toHaveLength((await records('deals')).filter((d) => !d.is_deleted).length);
	expect(full[0]).toMatchObject({ system: 'pipedrive', object: 'deals', checkpoint: expect.stringMatching(/^pdc1\./), fields: { title: expect.any(String) } });
	const checkpoint = full[full.length - 1].checkpoint;
	expect(await read(checkpoint)).toEqual([]);
	await admin('POST', '/_sandbox/clock/advance', { ms: 2_000 });
	await admin('POST', '/_sandbox/pipedrive/edit', { entity: 'deal', id: Number(full[2].id), changes: { title: 'Renamed deal' } });
	const next = await read(checkpoint);
	expect(next.map((d) => [d.id, d.fields.title])).toEqual([[full[2].id, 'Renamed deal']]);

	// A read that fails (here: Pipedrive answering cut-off JSON) stops the run (n8n answers 500 and the execution fails): a
	// Failed item would let a sync plan on the other side's records alone.
	await admin('PUT', '/_sandbox/faults', { malformedRate: 1, routePrefix: 'v2.deals' });
	try {
		const failing = await postWebhook(n8n, 'pd-e2e-changes', { items: [{ cursor: '' }] });
		expect(failing.status).toBe(500);
	} finally {
		await admin('DELETE', '/_sandbox/faults');
	}

	const res = await postWebhook(n8n, 'pd-e2e-delete', { items: [full[0], full[1], { id: '99999' }, { title: 'no id' }] });
	const out = (await res.json()) as any[];
	expect(out.filter((o) => !o.failed).map((o) => [o.id, o.action])).toEqual([
		[full[0].id, 'deleted'],
		[full[1].id, 'deleted'],
		['99999', 'unchanged'],
	]);
	expect(out.filter((o) => o.failed).map((o) => o.errors[0].code)).toEqual(['REQUIRED_FIELD_MISSING']);
	const deleted = (await records('deals')).filter((d) => d.is_deleted).map((d) => String(d.id));
	expect(deleted).toEqual(expect.arrayContaining([full[0].id, full[1].id]));
});

test('a whole-request failure (revoked token) stops the node with the item index; with On Error: Continue records go to Failed', async () => {
	const bad = await n8n.rest('POST', '/credentials', { name: 'Pipedrive wrong token', type: CREDENTIAL, data: { apiToken: '0'.repeat(40), baseUrl: url } });
	const badCredentials = { [CREDENTIAL]: { id: bad.data.id, name: bad.data.name } };
	const parameters = { authentication: 'apiToken', resource: 'person', operation: 'create', fieldsSource: 'input' };
	const stopId = await syncWorkflow('pd-e2e-auth', 'c1a2b3d4-0000-4000-8000-0000000000c1', parameters, { credentials: badCredentials });
	await syncWorkflow('pd-e2e-auth-continue', 'c1a2b3d4-0000-4000-8000-0000000000c2', parameters, { credentials: badCredentials, onError: 'continueRegularOutput' });
	const people = { items: [{ name: 'A' }, { name: 'B' }] };
	const stopped = await postWebhook(n8n, 'pd-e2e-auth', people);
	expect(stopped.status).toBe(500);
	const [execution] = await executions(n8n, stopId);
	expect(execution).toMatchObject({ status: 'error' });
	const detail = JSON.stringify(await n8n.rest('GET', `/executions/${execution.id}`));
	expect(detail).toContain('Pipedrive rejected the credential');
	expect(detail).not.toContain('0'.repeat(40));
	const parked = (await (await postWebhook(n8n, 'pd-e2e-auth-continue', people)).json()) as any[];
	expect(parked).toHaveLength(2);
	expect(parked.map((p) => [p.failed, p.errors[0].code, p.record.name])).toEqual([
		[true, 'AUTHENTICATION_FAILED', 'A'],
		[true, 'AUTHENTICATION_FAILED', 'B'],
	]);
});

test('OAuth2 credential: the API host is the token’s api_domain; an expired token is refreshed by n8n and the call succeeds', async () => {
	const o = info.auth.oauth;
	const { code, redirect_uri } = await admin('POST', '/_sandbox/pipedrive/oauth/code', {});
	const tokenRes = await fetch(o.tokenUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${o.clientId}:${o.clientSecret}`).toString('base64')}` },
		body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri }).toString(),
	});
	const token = (await tokenRes.json()) as { access_token: string; api_domain: string };
	expect(token.api_domain).toBe(url);
	const created = await n8n.rest('POST', '/credentials', {
		name: 'Pipedrive OAuth sandbox',
		type: 'fluxPipedriveOAuth2Api',
		data: { clientId: o.clientId, clientSecret: o.clientSecret, authUrl: o.authorizeUrl, accessTokenUrl: o.tokenUrl, baseUrl: '', oauthTokenData: token },
	});
	const oauthCredentials = { fluxPipedriveOAuth2Api: { id: created.data.id, name: created.data.name } };
	await syncWorkflow('pd-e2e-oauth', 'c1a2b3d4-0000-4000-8000-0000000000d1', { authentication: 'oAuth2', resource: 'person', operation: 'upsert', matchKey: 'email', fieldsSource: 'input' }, { credentials: oauthCredentials });
	await admin('POST', '/_sandbox/pipedrive/oauth/expire', { access_token: token.access_token });
	await admin('POST', '/_sandbox/requests/reset');
	const res = await postWebhook(n8n, 'pd-e2e-oauth', { items: [{ name: 'Olive OAuth', emails: 'olive@example.com' }] });
	expect(await res.json()).toMatchObject([{ action: 'created', fields: { name: 'Olive OAuth' } }]);
	const log = (await admin('GET', '/_sandbox/requests')) as Array<{ route: string; status: number }>;
	expect(log.map((l) => `${l.route} ${l.status}`)).toEqual(expect.arrayContaining(['oauth.token 200', 'v2.persons.create 200']));
	expect(log.some((l) => l.status === 401)).toBe(true);
});

test('Pipedrive Sync Trigger: activation subscribes in Pipedrive; app edits start the workflow, our own API writes, replays and wrong Basic auth do not', async () => {
	const webhookId = 'c1a2b3d4-0000-4000-8000-0000000000f1';
	const nodes = [
		{
			id: 't',
			name: 'Pipedrive Sync Trigger',
			type: TRIGGER,
			typeVersion: 1,
			position: [0, 0],
			webhookId,
			credentials: nodeCredentials(),
			parameters: { authentication: 'apiToken', entity: 'person', action: '*', options: {} },
		},
		{ id: 'n', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
	];
	const connections = { 'Pipedrive Sync Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } };
	const workflowId = await createActiveWorkflow(n8n, { name: 'e2e: pipedrive trigger', nodes, connections });

	// The trigger's create() registered one v2 subscription with Basic credentials, pointing at n8n (n8n
	// activates in the background, after the REST call returned).
	const ours = async () => (await records('webhooks')).filter((w) => String(w.subscription_url).includes(webhookId));
	const subscriptions = await waitFor('the subscription', async () => ((await ours()).length ? ours() : undefined));
	expect(subscriptions).toHaveLength(1);
	expect(subscriptions[0]).toMatchObject({ version: '2.0', event_object: 'person', event_action: '*', http_auth_user: expect.stringMatching(/^flux-/) });
	expect(subscriptions[0].http_auth_password).not.toContain(info.auth.apiToken);
	const hookUrl = subscriptions[0].subscription_url as string;
	expect(hookUrl).toBe(`${n8n.url}/webhook/${webhookId}/webhook`);

	// An edit "in the app" reaches the workflow as one envelope.
	const edited = await admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', action: 'create', changes: { name: 'Trigger Tess', emails: [{ value: 'tess@example.com' }] } });
	await admin('POST', '/_sandbox/webhooks/settle');
	const runs = await waitFor('the triggered execution', async () => {
		const list = await executions(n8n, workflowId);
		return list.length >= 1 && list.every((e) => e.status === 'success') ? list : undefined;
	});
	expect(runs).toHaveLength(1);
	const [item] = await nodeOutput(n8n, runs[0].id, 'Pipedrive Sync Trigger');
	expect(item).toMatchObject({
		system: 'pipedrive',
		object: 'persons',
		id: String(edited.data.id),
		fields: { name: 'Trigger Tess', 'Customer Type': null },
		event: { action: 'create', changeSource: 'app', userId: String(info.users[1].id), previous: null },
	});

	// The same delivery sent again (a replay, with the right Basic credentials): 401, nothing runs.
	const delivered = ((await admin('GET', '/_sandbox/webhooks/deliveries')) as Array<{ delivered: boolean; body: string; headers: Record<string, string> }>).find((d) => d.delivered)!;
	const replayed = await fetch(hookUrl, { method: 'POST', headers: delivered.headers, body: delivered.body });
	expect(replayed.status).toBe(401);
	expect(await replayed.json()).toMatchObject({ message: expect.stringContaining('Replayed event') });

	// Our own write through the API (the integration user) is delivered but dropped: no execution.
	const own = new PipedriveConnector({ http: fetchClient({ baseUrl: url, headers: () => ({ 'x-api-token': info.auth.apiToken }) }), key: 'e2e-own' });
	await own.update('persons', String(edited.data.id), { job_title: 'Echo' });
	// A request with the wrong Basic credentials is refused with 401 and starts nothing.
	const forged = await fetch(hookUrl, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${subscriptions[0].http_auth_user}:wrong`).toString('base64')}` },
		body: JSON.stringify({ meta: { id: 'forged', action: 'change', entity: 'person', entity_id: '1', timestamp: new Date().toISOString(), version: '2.0' }, data: { id: 1, name: 'Forged' }, previous: null }),
	});
	expect(forged.status).toBe(401);
	const anonymous = await fetch(hookUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
	expect(anonymous.status).toBe(401);
	// Pipedrive itself sending wrong credentials (a stale subscription): refused too.
	await admin('PUT', '/_sandbox/webhooks/behaviour', { badSignature: true });
	await admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', id: edited.data.id, changes: { name: 'Should Not Run' } });
	await admin('POST', '/_sandbox/webhooks/settle');
	await admin('PUT', '/_sandbox/webhooks/behaviour', { badSignature: false });
	const deliveries = (await admin('GET', '/_sandbox/webhooks/deliveries')) as Array<{ url: string; delivered: boolean; attempts: Array<{ status?: number }> }>;
	const refused = deliveries.filter((d) => !d.delivered);
	expect(refused).toHaveLength(1);
	expect(refused[0].attempts.map((a) => a.status)).toEqual([401, 401, 401, 401]);
	// A second app edit runs again: exactly two executions in all.
	await admin('POST', '/_sandbox/pipedrive/edit', { entity: 'person', id: edited.data.id, changes: { name: 'Trigger Tess 2' } });
	await admin('POST', '/_sandbox/webhooks/settle');
	const after = await waitFor('the second execution', async () => {
		const list = await executions(n8n, workflowId);
		return list.length >= 2 && list.every((e) => e.status === 'success') ? list : undefined;
	});
	await new Promise((r) => setTimeout(r, 1000));
	expect(await executions(n8n, workflowId)).toHaveLength(2);
	const [second] = await nodeOutput(n8n, after[0].id, 'Pipedrive Sync Trigger');
	expect(second).toMatchObject({ fields: { name: 'Trigger Tess 2', job_title: 'Echo' }, event: { action: 'change', previous: { name: 'Should Not Run' } } });

	// Deactivation removes the subscription from Pipedrive.
	await n8n.rest('POST', `/workflows/${workflowId}/deactivate`);
	await waitFor('the subscription removed', async () => ((await ours()).length === 0 ? true : undefined));
	// Activated again: checkExists finds nothing, create subscribes once (never two).
	const wf = await n8n.rest('GET', `/workflows/${workflowId}`);
	await n8n.rest('POST', `/workflows/${workflowId}/activate`, { versionId: wf.data.versionId });
	await waitFor('the new subscription', async () => ((await ours()).length ? true : undefined));
	await new Promise((r) => setTimeout(r, 500));
	expect(await ours()).toHaveLength(1);
	await n8n.rest('POST', `/workflows/${workflowId}/deactivate`);
	await waitFor('the subscription removed again', async () => ((await ours()).length === 0 ? true : undefined));
});
