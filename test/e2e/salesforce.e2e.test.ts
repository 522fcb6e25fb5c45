/**
 * Salesforce Sync inside a real n8n 2.x (the package installed as users install it), against the
 * Salesforce sandbox: credential created over n8n's REST API with token data (no browser), dropdowns
 * through n8n's dynamic-parameter endpoints, workflows run by webhook, sandbox end state asserted.
 */
import { registeredNodeTypes } from '../../scripts/n8n/runtime';
import { createContext, startVendor, type StartedVendor } from '../../sandbox/core/vendor';
import { createSalesforce } from '../../sandbox/salesforce';
import { createActiveWorkflow, postWebhook, startN8nWithPackage, stopN8n } from './support';

jest.setTimeout(300_000);

const NODE = 'n8n-nodes-fluxcascade.salesforceSync';
const CREDENTIAL = 'fluxSalesforceOAuth2Api';

let n8n: Awaited<ReturnType<typeof startN8nWithPackage>>;
let sf: StartedVendor;
let info: Record<string, any>;
let credential: { id: string; name: string };

const admin = async (method: string, path: string, body?: unknown): Promise<any> => {
	const res = await fetch(`${sf.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
	const text = await res.text();
	return text ? JSON.parse(text) : undefined;
};
const records = (object: string): Promise<any[]> => admin('GET', `/_sandbox/records/${object}`);

beforeAll(async () => {
	const ctx = createContext();
	sf = await startVendor(createSalesforce(ctx, { dailyApiLimit: 100_000 }), ctx);
	info = await admin('GET', '/_sandbox/info');
	n8n = await startN8nWithPackage('salesforce');
	// n8n keeps `oauthTokenData` on create (only updates strip it): the token a browser flow would have stored.
	const created = await n8n.rest('POST', '/credentials', {
		name: 'Salesforce sandbox',
		type: CREDENTIAL,
		data: {
			clientId: info.clientId,
			clientSecret: info.clientSecret,
			environment: 'custom',
			customLoginUrl: sf.url,
			apiVersion: '62.0',
			apiReserve: 5,
			oauthTokenData: {
				access_token: info.accessToken,
				refresh_token: info.refreshToken,
				instance_url: sf.url,
				id: `${sf.url}/id/${info.organizationId}/${info.integrationUserId}`,
				token_type: 'Bearer',
				issued_at: String(Date.now()),
				scope: 'api refresh_token',
			},
		},
	});
	credential = { id: created.data.id, name: created.data.name };
});

afterAll(async () => {
	await stopN8n(n8n, 'salesforce');
	await sf?.close();
});

const nodeCredentials = () => ({ [CREDENTIAL]: credential });

test('Salesforce Sync and its trigger are registered; so is the credential, apart from n8n’s built-in one', async () => {
	const types = await registeredNodeTypes(n8n);
	expect(types).toEqual(expect.arrayContaining([NODE, 'n8n-nodes-fluxcascade.salesforceSyncTrigger', 'n8n-nodes-base.salesforce']));
	const res = await fetch(`${n8n.url}/types/credentials.json`, { headers: { cookie: n8n.cookie } });
	const creds = ((await res.json()) as Array<{ name: string }>).map((c) => c.name);
	expect(creds).toEqual(expect.arrayContaining([CREDENTIAL, 'salesforceOAuth2Api']));
	const nodes = (await (await fetch(`${n8n.url}/types/nodes.json`, { headers: { cookie: n8n.cookie } })).json()) as Array<{ name: string; displayName: string }>;
	expect(nodes.find((n) => n.name === NODE)?.displayName).toBe('Salesforce Sync');
	expect(nodes.find((n) => n.name === 'n8n-nodes-base.salesforce')?.displayName).toBe('Salesforce');
});

test('the credential test reaches the instance URL with the stored token; secrets are not echoed', async () => {
	// The editor never tests OAuth2 credentials (it shows "account connected"); the public API tests a stored
	// credential with its full data, token included: that is where the credential's `test` request runs.
	const key = await n8n.rest('POST', '/api-keys', { label: 'sf e2e', scopes: ['credential:read'], expiresAt: null });
	await admin('POST', '/_sandbox/requests/reset');
	const res = await fetch(`${n8n.url}/api/v1/credentials/${credential.id}/test`, { method: 'POST', headers: { 'X-N8N-API-KEY': key.data.rawApiKey } });
	expect(await res.json()).toEqual({ status: 'OK', message: 'Connection successful!' });
	const log = (await admin('GET', '/_sandbox/requests')) as Array<{ route: string; status: number }>;
	expect(log.map((l) => `${l.route} ${l.status}`)).toEqual(['limits 200']);
	const stored = await n8n.rest('GET', `/credentials/${credential.id}?includeData=true`);
	const text = JSON.stringify(stored);
	expect(stored.data.data.oauthTokenData).toBe(true);
	expect(text).not.toContain(info.clientSecret);
	expect(text).not.toContain(info.accessToken);
	expect(text).not.toContain(info.refreshToken);
});

test('dropdowns come from describe through n8n: objects, fields with custom __c ones, external ids, mapper columns, record search', async () => {
	const base = (parameters: Record<string, unknown>, path: string) => ({
		nodeTypeAndVersion: { name: NODE, version: 1 },
		path,
		currentNodeParameters: parameters,
		credentials: nodeCredentials(),
	});
	const objects = await n8n.rest('POST', '/dynamic-node-parameters/options', { ...base({ resource: 'customObject' }, 'parameters.sObject'), methodName: 'getSObjects' });
	expect(objects.data.map((o: { value: string }) => o.value)).toEqual(expect.arrayContaining(['Account', 'Contact', 'Service_Job__c']));
	const fields = await n8n.rest('POST', '/dynamic-node-parameters/options', { ...base({ resource: 'customObject', sObject: 'Service_Job__c' }, 'parameters.fields'), methodName: 'getFields' });
	expect(fields.data.map((o: { value: string }) => o.value)).toEqual(expect.arrayContaining(['Status__c', 'Scheduled_Start__c', 'Ext_Id__c', 'Name']));
	const ext = await n8n.rest('POST', '/dynamic-node-parameters/options', { ...base({ resource: 'contact', operation: 'upsert' }, 'parameters.externalIdField'), methodName: 'getExternalIdFields' });
	expect(ext.data.map((o: { value: string }) => o.value).sort()).toEqual(['Ext_Id__c', 'Id', 'Legacy_Id__c']);
	const mapper = await n8n.rest('POST', '/dynamic-node-parameters/resource-mapper-fields', {
		...base({ resource: 'contact', operation: 'create' }, 'parameters.fieldValues'),
		methodName: 'getMappingColumns',
	});
	const lastName = mapper.data.fields.find((f: { id: string }) => f.id === 'LastName');
	expect(lastName).toMatchObject({ required: true, type: 'string' });
	expect(mapper.data.fields.some((f: { id: string }) => f.id === 'SystemModstamp')).toBe(false);
	await admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', fields: { LastName: 'Searchable', FirstName: 'Sam' } });
	const found = await n8n.rest('POST', '/dynamic-node-parameters/resource-locator-results', {
		...base({ resource: 'contact', operation: 'get' }, 'parameters.recordId'),
		methodName: 'searchRecords',
		filter: 'Searchable',
	});
	expect(found.data.results).toMatchObject([{ name: 'Sam Searchable', value: expect.stringMatching(/^003/) }]);
});

/** Webhook → Split Out (the body's list) → Salesforce Sync (parameters given) → Respond with both outputs merged. */
function batchWorkflow(name: string, pathName: string, webhookId: string, list: string, parameters: Record<string, unknown>): Promise<string> {
	const nodes = [
		{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId, parameters: { httpMethod: 'POST', path: pathName, responseMode: 'responseNode' } },
		{ id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: list } },
		{ id: 'sf', name: 'Salesforce Sync', type: NODE, typeVersion: 1, position: [400, 0], credentials: nodeCredentials(), parameters },
		{ id: 'm', name: 'Merge', type: 'n8n-nodes-base.merge', typeVersion: 3.2, position: [600, 0], parameters: {} },
		{ id: 'r', name: 'Respond', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [800, 0], parameters: { respondWith: 'allIncomingItems' } },
	];
	const connections = {
		Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
		'Split Out': { main: [[{ node: 'Salesforce Sync', type: 'main', index: 0 }]] },
		'Salesforce Sync': { main: [[{ node: 'Merge', type: 'main', index: 0 }], [{ node: 'Merge', type: 'main', index: 1 }]] },
		Merge: { main: [[{ node: 'Respond', type: 'main', index: 0 }]] },
	};
	return createActiveWorkflow(n8n, { name, nodes, connections });
}

test('Webhook → Salesforce Sync batch upsert: good records written in one Collections call, bad ones on Failed with their codes', async () => {
	await admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', fields: { LastName: 'Before', Ext_Id__c: 'HS-2' } });
	await batchWorkflow('e2e: salesforce batch upsert', 'sf-e2e-batch', 'b7f1c0de-0000-4000-8000-0000000005a1', 'body.records', { resource: 'contact', operation: 'batchWrite', batchOperation: 'upsert', externalIdField: 'Ext_Id__c', fieldsSource: 'input' });

	await admin('POST', '/_sandbox/requests/reset');
	const envelope = (fields: Record<string, unknown>) => ({ system: 'hubspot', object: 'contacts', id: String(fields.Ext_Id__c ?? 'x'), fields });
	const res = await postWebhook(n8n, 'sf-e2e-batch', {
		records: [
			envelope({ Ext_Id__c: 'HS-1', LastName: 'Ng', FirstName: 'Ada', Email: 'ada@example.com' }),
			envelope({ Ext_Id__c: 'HS-2', LastName: 'After', Email: 'after@example.com' }),
			envelope({ Ext_Id__c: 'HS-3', LastName: 'Bad', Email: 'bob@@example' }),
			envelope({ Ext_Id__c: 'HS-4', FirstName: 'No last name' }),
			{ Ext_Id__c: 'HS-5', LastName: 'Plain item' },
		],
	});
	expect(res.status).toBe(200);
	const out = (await res.json()) as any[];
	const ok = out.filter((o) => !o.failed);
	const failed = out.filter((o) => o.failed);
	expect(ok.map((o) => [o.fields.Ext_Id__c, o.action])).toEqual([
		['HS-1', 'created'],
		['HS-2', 'updated'],
		['HS-5', 'created'],
	]);
	expect(ok[0]).toMatchObject({ system: 'salesforce', object: 'Contact', id: expect.stringMatching(/^003/), updatedAt: expect.any(String) });
	expect(failed).toHaveLength(2);
	expect(failed.map((f) => f.errors[0].code)).toEqual(['INVALID_EMAIL', 'REQUIRED_FIELD_MISSING']);
	expect(failed[0]).toMatchObject({ stage: 'salesforce', node: 'Salesforce Sync', errorCount: 1, operation: 'batchWrite', object: 'Contact', record: { id: 'HS-3' }, errors: [{ field: 'Email', value: 'bob@@example', category: 'Data' }] });
	expect(failed[1].errors[0]).toMatchObject({ field: 'LastName', retryable: false });

	const stored = await records('Contact');
	const byExt = Object.fromEntries(stored.filter((r) => r.Ext_Id__c).map((r) => [r.Ext_Id__c, r]));
	expect(Object.keys(byExt).sort()).toEqual(['HS-1', 'HS-2', 'HS-5']);
	expect(byExt['HS-2']).toMatchObject({ LastName: 'After', Email: 'after@example.com' });
	expect(byExt['HS-1']).toMatchObject({ FirstName: 'Ada', Email: 'ada@example.com' });
	// One describe (read-only fields left out; cached for the process) and one Collections call for 5 records.
	const counters = await admin('GET', '/_sandbox/counters');
	expect(counters.byRoute).toMatchObject({ 'composite.sobjects.upsert': 1 });
	expect(counters.byRoute['sobjects.describe'] ?? 0).toBeLessThanOrEqual(1);
});

test('Batch Write "As Planned": each Sync Ledger decision is written as it says (creates as upserts by the external id, updates by targetId, deletes), in one Collections call per operation; an item without a decision is Failed naming "action"', async () => {
	const existing = await admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', fields: { LastName: 'Planned Before', Email: 'planned-upd@example.com' } });
	const doomed = await admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', fields: { LastName: 'Planned Doomed' } });
	await batchWorkflow('e2e: salesforce batch as planned', 'sf-e2e-planned', 'b7f1c0de-0000-4000-8000-0000000005a7', 'body.decisions', { resource: 'contact', operation: 'batchWrite', batchOperation: 'planned', externalIdField: 'Ext_Id__c', fieldsSource: 'input' });

	await admin('POST', '/_sandbox/requests/reset');
	const decision = (action: string, targetId: string | null, fields: Record<string, unknown>) => ({ action, direction: 'to_target', system: 'salesforce', object: 'Contact', ...(targetId ? { id: targetId } : {}), targetId, fields, upsert: false, sync: { v: 1, mappingId: 'planned-e2e', action } });
	const res = await postWebhook(n8n, 'sf-e2e-planned', {
		decisions: [
			decision('create', null, { Ext_Id__c: 'PL-1', LastName: 'Planned New', Email: 'planned-new@example.com' }),
			decision('update', existing.id, { LastName: 'Planned After' }),
			decision('archive', doomed.id, {}),
			{ LastName: 'Not a decision' },
		],
	});
	expect(res.status).toBe(200);
	const out = (await res.json()) as any[];
	const ok = out.filter((o) => !o.failed);
	expect(ok.map((o) => o.action).sort()).toEqual(['created', 'deleted', 'updated']);
	// Each written record carries its decision's sync context (Commit reads it there).
	expect(ok.find((o) => o.action === 'updated')).toMatchObject({ id: existing.id, sync: { mappingId: 'planned-e2e', action: 'update' } });
	const failed = out.filter((o) => o.failed);
	expect(failed).toEqual([expect.objectContaining({ errors: [expect.objectContaining({ code: 'INVALID_FORMAT', field: 'action' })], record: { LastName: 'Not a decision' } })]);

	const stored = await records('Contact');
	expect(stored.find((r) => r.Id === existing.id)).toMatchObject({ LastName: 'Planned After' });
	expect(stored.filter((r) => r.Ext_Id__c === 'PL-1')).toEqual([expect.objectContaining({ LastName: 'Planned New' })]);
	expect(stored.find((r) => r.Id === doomed.id)?.IsDeleted ?? true).toBe(true);
	const counters = await admin('GET', '/_sandbox/counters');
	expect(counters.byRoute).toMatchObject({ 'composite.sobjects.upsert': 1, 'composite.sobjects.update': 1, 'composite.sobjects.delete': 1 });
});

test('single upsert with mapped fields survives an expired session: 401 → n8n refreshes the token → success', async () => {
	const nodes = [
		{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'b7f1c0de-0000-4000-8000-0000000005a2', parameters: { httpMethod: 'POST', path: 'sf-e2e-upsert', responseMode: 'responseNode' } },
		{
			id: 'sf',
			name: 'Salesforce Sync',
			type: NODE,
			typeVersion: 1,
			position: [200, 0],
			credentials: nodeCredentials(),
			parameters: {
				resource: 'customObject',
				sObject: 'Service_Job__c',
				operation: 'upsert',
				externalIdField: 'Ext_Id__c',
				externalIdValue: '={{ $json.body.jobId }}',
				fieldsSource: 'define',
				fieldValues: {
					mappingMode: 'defineBelow',
					value: { Name: '={{ $json.body.title }}', Status__c: '={{ $json.body.status }}', Service_City__c: '={{ $json.body.city }}' },
					matchingColumns: [],
					schema: [
						{ id: 'Name', displayName: 'Service Job Name (Name)', required: false, defaultMatch: false, display: true, type: 'string', canBeUsedToMatch: false },
						{ id: 'Status__c', displayName: 'Status (Status__c)', required: false, defaultMatch: false, display: true, type: 'options', options: ['Scheduled', 'In Progress', 'Completed', 'Cancelled'].map((v) => ({ name: v, value: v })), canBeUsedToMatch: false },
						{ id: 'Service_City__c', displayName: 'Service City (Service_City__c)', required: false, defaultMatch: false, display: true, type: 'string', canBeUsedToMatch: false },
					],
					attemptToConvertTypes: false,
					convertFieldsToString: false,
				},
			},
		},
		{ id: 'r', name: 'Respond', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [400, 0], parameters: { respondWith: 'allIncomingItems' } },
	];
	const connections = {
		Webhook: { main: [[{ node: 'Salesforce Sync', type: 'main', index: 0 }]] },
		'Salesforce Sync': { main: [[{ node: 'Respond', type: 'main', index: 0 }], []] },
	};
	await createActiveWorkflow(n8n, { name: 'e2e: salesforce upsert job', nodes, connections });

	// Every session dies (as after the org's timeout): the stored access token no longer works.
	await admin('PUT', '/_sandbox/faults', { revokeTokens: true });
	await admin('DELETE', '/_sandbox/faults');
	await admin('POST', '/_sandbox/requests/reset');
	const first = await postWebhook(n8n, 'sf-e2e-upsert', { jobId: 'JOB-7', title: 'Boiler service', status: 'Scheduled', city: 'Leeds' });
	expect(first.status).toBe(200);
	expect(await first.json()).toMatchObject([{ action: 'created', object: 'Service_Job__c', fields: { Ext_Id__c: 'JOB-7', Name: 'Boiler service' } }]);
	const log = (await admin('GET', '/_sandbox/requests')) as Array<{ route: string; status: number }>;
	expect(log.map((l) => `${l.route} ${l.status}`)).toEqual(expect.arrayContaining(['oauth.token 200', 'sobjects.upsert 201']));
	expect(log.some((l) => l.status === 401)).toBe(true);

	// n8n saved the refreshed token: the next run needs no refresh. The same key updates (200).
	await admin('POST', '/_sandbox/requests/reset');
	const second = await postWebhook(n8n, 'sf-e2e-upsert', { jobId: 'JOB-7', title: 'Boiler service', status: 'Completed', city: 'Leeds' });
	expect(await second.json()).toMatchObject([{ action: 'updated' }]);
	const log2 = (await admin('GET', '/_sandbox/requests')) as Array<{ route: string; status: number }>;
	expect(log2.map((l) => `${l.route} ${l.status}`)).toEqual(['sobjects.upsert 200']);
	const jobs = await records('Service_Job__c');
	expect(jobs).toHaveLength(1);
	expect(jobs[0]).toMatchObject({ Ext_Id__c: 'JOB-7', Name: 'Boiler service', Status__c: 'Completed', Service_City__c: 'Leeds' });
});

test('Get Changes (summary): a full read, then incremental from the returned cursor delivers only what changed', async () => {
	const nodes = [
		{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId: 'b7f1c0de-0000-4000-8000-0000000005a3', parameters: { httpMethod: 'POST', path: 'sf-e2e-changes', responseMode: 'responseNode' } },
		{
			id: 'sf',
			name: 'Salesforce Sync',
			type: NODE,
			typeVersion: 1,
			position: [200, 0],
			credentials: nodeCredentials(),
			parameters: { resource: 'account', operation: 'getChanges', syncMode: 'incremental', since: '={{ $json.body.cursor }}', fields: ['Id', 'Name'], changesOptions: { output: 'summary' } },
		},
		{ id: 'r', name: 'Respond', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [400, 0], parameters: { respondWith: 'firstIncomingItem' } },
	];
	const connections = {
		Webhook: { main: [[{ node: 'Salesforce Sync', type: 'main', index: 0 }]] },
		'Salesforce Sync': { main: [[{ node: 'Respond', type: 'main', index: 0 }], []] },
	};
	await createActiveWorkflow(n8n, { name: 'e2e: salesforce changes', nodes, connections });
	await admin('POST', '/_sandbox/seed', { object: 'Account', count: 30, seed: 3 });
	const total = (await records('Account')).length;

	const full = (await (await postWebhook(n8n, 'sf-e2e-changes', { cursor: '' })).json()) as any;
	expect(full).toMatchObject({ object: 'Account', count: total, done: true, cursor: expect.stringMatching(/^sfc1\./) });
	expect(full.records[0]).toMatchObject({ system: 'salesforce', object: 'Account', fields: { Id: expect.any(String), Name: expect.any(String) } });

	const quiet = (await (await postWebhook(n8n, 'sf-e2e-changes', { cursor: full.cursor })).json()) as any;
	expect(quiet).toMatchObject({ count: 0, checkpoint: full.checkpoint });

	await admin('POST', '/_sandbox/clock/advance', { ms: 2_000 });
	const target = full.records[3];
	await admin('POST', '/_sandbox/salesforce/edit', { object: 'Account', id: target.id, fields: { Name: 'Renamed Ltd' } });
	const next = (await (await postWebhook(n8n, 'sf-e2e-changes', { cursor: quiet.cursor })).json()) as any;
	expect(next.count).toBe(1);
	expect(next.records[0]).toMatchObject({ id: target.id, fields: { Name: 'Renamed Ltd' } });
});

test('Salesforce Sync Trigger → Salesforce Sync: each contact version syncs once; the cursor survives re-activation', async () => {
	for (const name of ['Ash', 'Birch', 'Cedar']) await admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', fields: { LastName: `Tree ${name}`, Title: 'tree' } });
	const trees = (await records('Contact')).filter((r) => r.Title === 'tree');
	const nodes = [
		{
			id: 't',
			name: 'Salesforce Sync Trigger',
			type: 'n8n-nodes-fluxcascade.salesforceSyncTrigger',
			typeVersion: 1,
			position: [0, 0],
			credentials: nodeCredentials(),
			parameters: { resource: 'contact', event: 'all', startFrom: 'beginning', options: { fields: ['Id', 'LastName', 'Title'] }, pollTimes: { item: [{ mode: 'everyHour' }] } },
		},
		{ id: 'f', name: 'Only Trees', type: 'n8n-nodes-base.filter', typeVersion: 2, position: [200, 0], parameters: { conditions: { options: { caseSensitive: true, typeValidation: 'loose', version: 1 }, conditions: [{ leftValue: '={{ $json.fields.Title }}', rightValue: 'tree', operator: { type: 'string', operation: 'equals' } }], combinator: 'and' } } },
		{
			id: 'sf',
			name: 'Salesforce Sync',
			type: NODE,
			typeVersion: 1,
			position: [400, 0],
			credentials: nodeCredentials(),
			parameters: {
				resource: 'customObject',
				sObject: 'Service_Job__c',
				operation: 'batchWrite',
				batchOperation: 'upsert',
				externalIdField: 'Ext_Id__c',
				fieldsSource: 'define',
				fieldValues: { mappingMode: 'defineBelow', value: { Ext_Id__c: '={{ $json.id }}', Name: '={{ $json.fields.LastName }}' }, matchingColumns: [], schema: [], attemptToConvertTypes: false, convertFieldsToString: false },
			},
		},
	];
	const connections = {
		'Salesforce Sync Trigger': { main: [[{ node: 'Only Trees', type: 'main', index: 0 }]] },
		'Only Trees': { main: [[{ node: 'Salesforce Sync', type: 'main', index: 0 }]] },
	};
	const waitFor = async <T>(what: string, fn: () => Promise<T | undefined>): Promise<T> => {
		const deadline = Date.now() + 30_000;
		for (;;) {
			const v = await fn();
			if (v !== undefined) return v;
			if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
			await new Promise((r) => setTimeout(r, 300));
		}
	};
	const jobsByExt = async () => Object.fromEntries((await records('Service_Job__c')).filter((j) => String(j.Ext_Id__c).startsWith('003')).map((j) => [j.Ext_Id__c, j]));
	const finished = async (workflowId: string) => {
		const list = await n8n.rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}`);
		return ((list.data.results ?? list.data) as Array<{ id: string; status: string }>).filter((e) => e.status === 'success');
	};
	// Activation runs the first poll at once (from the beginning: every contact, three of them trees).
	const id = await createActiveWorkflow(n8n, { name: 'e2e: salesforce trigger', nodes, connections });
	await waitFor('the first sync', async () => ((await finished(id)).length >= 1 ? true : undefined));
	const first = await jobsByExt();
	expect(Object.keys(first).sort()).toEqual(trees.map((t) => t.Id).sort());

	// One tree renamed by a person, one planted; then the workflow is switched off and on (a new first poll).
	await admin('POST', '/_sandbox/clock/advance', { ms: 2_000 });
	await admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', id: trees[0].Id, fields: { LastName: 'Tree Ash (old)' } });
	await admin('POST', '/_sandbox/salesforce/edit', { object: 'Contact', fields: { LastName: 'Tree Dogwood', Title: 'tree' } });
	const wf = await n8n.rest('POST', `/workflows/${id}/deactivate`);
	await n8n.rest('POST', `/workflows/${id}/activate`, { versionId: wf.data.versionId });
	const runs = await waitFor('the second sync', async () => {
		const done = await finished(id);
		return done.length >= 2 ? done : undefined;
	});
	const jobs = await jobsByExt();
	expect(Object.keys(jobs)).toHaveLength(4);
	expect(jobs[trees[0].Id].Name).toBe('Tree Ash (old)');
	// The second poll delivered only the two changes: the cursor (workflow static data) survived re-activation.
	const latest = await n8n.rest('GET', `/executions/${runs[0].id}`);
	const { parse } = require(require.resolve('flatted', { paths: [require('node:path').join(__dirname, '../../.cache/n8n-2.40.7/node_modules')] }));
	const run = parse(latest.data.data);
	const triggered = run.resultData.runData['Salesforce Sync Trigger'][0].data.main[0].map((i: any) => i.json);
	expect(triggered.map((t: any) => t.fields.LastName).sort()).toEqual(['Tree Ash (old)', 'Tree Dogwood']);
	expect(triggered.find((t: any) => t.fields.LastName === 'Tree Dogwood')).toMatchObject({ event: 'created', system: 'salesforce', object: 'Contact' });
	expect(triggered.find((t: any) => t.fields.LastName === 'Tree Ash (old)')).toMatchObject({ event: 'updated' });
	await n8n.rest('POST', `/workflows/${id}/deactivate`);
});

test('a spent API allocation stops the node with Rate Limit Exceeded; with On Error: Continue every item is parked on Failed', async () => {
	const workflow = (name: string, path: string, webhookId: string, onError?: string) => {
		const nodes = [
			{ id: 'w', name: 'Webhook', type: 'n8n-nodes-base.webhook', typeVersion: 2, position: [0, 0], webhookId, parameters: { httpMethod: 'POST', path, responseMode: 'responseNode' } },
			{ id: 's', name: 'Split Out', type: 'n8n-nodes-base.splitOut', typeVersion: 1, position: [200, 0], parameters: { fieldToSplitOut: 'body.records' } },
			{
				id: 'sf',
				name: 'Salesforce Sync',
				type: NODE,
				typeVersion: 1,
				position: [400, 0],
				credentials: nodeCredentials(),
				...(onError ? { onError } : {}),
				parameters: { resource: 'lead', operation: 'create', fieldsSource: 'input', writeOptions: { dropReadOnly: false } },
			},
			{ id: 'r', name: 'Respond', type: 'n8n-nodes-base.respondToWebhook', typeVersion: 1.1, position: [600, 0], parameters: { respondWith: 'allIncomingItems' } },
		];
		const connections = {
			Webhook: { main: [[{ node: 'Split Out', type: 'main', index: 0 }]] },
			'Split Out': { main: [[{ node: 'Salesforce Sync', type: 'main', index: 0 }]] },
			'Salesforce Sync': { main: [[], [{ node: 'Respond', type: 'main', index: 0 }]] },
		};
		return createActiveWorkflow(n8n, { name, nodes, connections });
	};
	const stopId = await workflow('e2e: salesforce limit', 'sf-e2e-limit', 'b7f1c0de-0000-4000-8000-0000000005a4');
	await workflow('e2e: salesforce limit continue', 'sf-e2e-limit-continue', 'b7f1c0de-0000-4000-8000-0000000005a5', 'continueRegularOutput');
	await admin('PUT', '/_sandbox/salesforce/settings', { dailyApiLimit: 100_000, apiUsage: 100_000 });
	await admin('POST', '/_sandbox/requests/reset');
	const leads = { records: [{ LastName: 'L', Company: 'C' }, { LastName: 'M', Company: 'D' }] };

	const stopped = await postWebhook(n8n, 'sf-e2e-limit', leads);
	expect(stopped.status).toBe(500);
	const executions = await n8n.rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId: stopId }))}`);
	const [execution] = executions.data.results ?? executions.data;
	expect(execution).toMatchObject({ status: 'error' });
	const detail = await n8n.rest('GET', `/executions/${execution.id}`);
	expect(JSON.stringify(detail)).toContain('Rate Limit Exceeded');

	const parked = (await (await postWebhook(n8n, 'sf-e2e-limit-continue', leads)).json()) as any[];
	expect(parked).toHaveLength(2);
	expect(parked.map((p) => p.errors[0].code)).toEqual(['RATE_LIMIT_EXCEEDED', 'RATE_LIMIT_EXCEEDED']);
	expect(parked[1].record).toEqual({ LastName: 'M', Company: 'D' });
	expect(await records('Lead')).toHaveLength(0);
	// Salesforce said 100000/100000 once; after that nothing more was sent (the budget fails fast).
	const counters = await admin('GET', '/_sandbox/counters');
	expect(counters.byStatus).toEqual({ '403': 1 });
});
