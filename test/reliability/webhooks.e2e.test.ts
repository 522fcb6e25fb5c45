/**
 * Webhook security of the three webhook triggers (HubSpot, Jobber, Pipedrive Sync Trigger) in ONE real n8n, each
 * activated against its sandbox. A genuine delivery (an edit "in the vendor's app") runs the workflow once;
 * then each attack is sent straight at n8n and must be answered 401/403 with no execution started:
 *   tampered body · wrong secret · stale timestamp · replayed event · missing header.
 * (Pipedrive signs nothing: its subscription carries HTTP Basic credentials, so "tampered body" and "stale
 * timestamp" have no meaning there beyond the replay check; see RELIABILITY.md.)
 * Then the vendors' own misbehaviour: every event delivered twice, and deliveries out of order, run each event
 * once. The replay cases follow the contract "an exact replay of an already-received signed request is
 * answered 401 with no execution" (HubSpot: same signature and timestamp; Jobber: same body; Pipedrive: same
 * meta.id). Last, the secrets scan of this n8n.
 */
import { createHmac } from 'node:crypto';
import { signatureV3 } from '../../connectors/hubspot';
import { jobberSignature } from '../../connectors/jobber';
import { webhookCredentials } from '../../connectors/pipedrive/webhooks';
import { startSandbox, type Sandbox } from '../../sandbox';
import { closeAllStores } from '../../sync/store';
import { createActiveWorkflow, stopN8n } from '../e2e/support';
import { executions, findSecrets, readExecution, outputOf, scanSources, startReliabilityN8n, vendor, waitFor, type N8n } from './support';

jest.setTimeout(300_000);

let n8n: N8n;
let sandbox: Sandbox;
const secrets: Record<string, string> = {};
const figures: Array<{ vendor: string; attack: string; status: number; executions: number }> = [];

interface Delivery {
	id: number;
	url: string;
	body: string;
	headers: Record<string, string>;
	delivered: boolean;
	duplicate: boolean;
	attempts: Array<{ status?: number }>;
}
const deliveries = async (v: 'hubspot' | 'jobber' | 'pipedrive'): Promise<Delivery[]> => vendor(sandbox, v, 'GET', '/_sandbox/webhooks/deliveries');
const settle = (v: 'hubspot' | 'jobber' | 'pipedrive') => vendor(sandbox, v, 'POST', '/_sandbox/webhooks/settle');

async function post(url: string, headers: Record<string, string>, body: string): Promise<number> {
	const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
	await res.arrayBuffer();
	return res.status;
}

/** Runs `attacks`, each a request straight at the webhook; every one must be refused and start nothing. */
async function expectRefused(vendorName: string, workflowId: string, attacks: Array<[string, () => Promise<number>]>): Promise<void> {
	const before = (await executions(n8n, workflowId)).length;
	const results: Array<{ attack: string; status: number }> = [];
	for (const [attack, send] of attacks) results.push({ attack, status: await send() });
	// Give n8n time to start an execution, had it accepted anything.
	await new Promise((r) => setTimeout(r, 1500));
	const after = (await executions(n8n, workflowId)).length;
	for (const r of results) figures.push({ vendor: vendorName, attack: r.attack, status: r.status, executions: after - before });
	expect({ results: results.filter((r) => r.status !== 401 && r.status !== 403), executionsStarted: after - before }).toEqual({ results: [], executionsStarted: 0 });
}

beforeAll(async () => {
	sandbox = await startSandbox({
		vendors: ['hubspot', 'jobber', 'pipedrive'],
		hubspot: { webhookRetryDelaysMs: [50] },
		jobber: { webhooks: { retryDelaysMs: [50] } },
		pipedrive: { webhookRetryDelaysMs: [50] },
	});
	n8n = await startReliabilityN8n('webhooks');
});

afterAll(async () => {
	process.stderr.write(`[reliability] webhook attacks: ${JSON.stringify(figures)}\n`);
	await closeAllStores();
	await stopN8n(n8n, 'reliability-webhooks');
	await sandbox?.stop();
});

describe('HubSpot Sync Trigger', () => {
	const webhookId = 'b5f0c1de-0000-4000-8000-0000000e1001';
	let info: any;
	let workflowId: string;
	let hookUrl: string;
	let genuine: Delivery;

	beforeAll(async () => {
		info = await vendor(sandbox, 'hubspot', 'GET', '/_sandbox/info');
		Object.assign(secrets, { 'HubSpot private app token': info.privateAppToken, 'HubSpot client secret': info.clientSecret, 'HubSpot developer API key': info.developerApiKey });
		const api = (await n8n.rest('POST', '/credentials', { name: 'HubSpot', type: 'fluxHubSpotApi', data: { accessToken: info.privateAppToken, baseUrl: sandbox.url('hubspot'), apiVersion: 'v3' } })).data;
		const app = (await n8n.rest('POST', '/credentials', { name: 'HubSpot app', type: 'fluxHubSpotAppApi', data: { appId: String(info.appId), clientSecret: info.clientSecret, developerApiKey: info.developerApiKey, baseUrl: sandbox.url('hubspot') } })).data;
		workflowId = await createActiveWorkflow(n8n, {
			name: 'reliability: hubspot trigger',
			nodes: [
				{
					id: 't',
					name: 'HubSpot Sync Trigger',
					type: 'n8n-nodes-fluxcascade.hubSpotSyncTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId,
					credentials: { fluxHubSpotAppApi: { id: app.id, name: app.name }, fluxHubSpotApi: { id: api.id, name: api.name } },
					parameters: { events: ['contact.creation', 'contact.propertyChange'], contactProperties: ['firstname'], fetchRecord: true, authentication: 'accessToken', options: {} },
				},
				{ id: 'n', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
			],
			connections: { 'HubSpot Sync Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		});
		hookUrl = `${n8n.url}/webhook/${webhookId}/webhook`;
		const dev = `hapikey=${info.developerApiKey}`;
		// n8n activates in the background: the target URL first, then the subscriptions.
		await waitFor('the HubSpot target URL and subscriptions', async () => {
			const settings = await vendor(sandbox, 'hubspot', 'GET', `/webhooks/v3/${info.appId}/settings?${dev}`);
			const subscriptions = (await vendor(sandbox, 'hubspot', 'GET', `/webhooks/v3/${info.appId}/subscriptions?${dev}`))?.results ?? [];
			return settings?.targetUrl === hookUrl && subscriptions.length >= 2 ? true : undefined;
		});
		await vendor(sandbox, 'hubspot', 'POST', '/_sandbox/hubspot/ui/contacts', { properties: { email: 'genuine@reliability.test', firstname: 'Genuine' } });
		await settle('hubspot');
		await waitFor('the genuine delivery to run', async () => ((await executions(n8n, workflowId)).length === 1 ? true : undefined));
		genuine = (await deliveries('hubspot')).find((d) => d.delivered)!;
		expect(genuine).toBeDefined();
	});

	test('tampered body, wrong secret, stale timestamp, replayed delivery, missing headers: 401/403 and no execution', async () => {
		const sig = (secret: string, body: string, ts: string) => signatureV3(secret, 'POST', hookUrl, body, ts);
		const fresh = () => String(Date.now());
		const h = (signature: string, ts: string) => ({ 'x-hubspot-signature-v3': signature, 'x-hubspot-request-timestamp': ts });
		const other = genuine.body.replace('"CRM_UI"', '"INTEGRATION"').replace(/"eventId":\s*(\d+)/, (_m, id) => `"eventId":${Number(id) + 1000}`);
		const stale = String(Date.now() - 6 * 60_000);
		await expectRefused('hubspot', workflowId, [
			['tampered body (original signature)', () => post(hookUrl, genuine.headers, genuine.body.replace('Genuine', 'Tampered'))],
			['wrong secret', () => post(hookUrl, h(sig('not-the-client-secret', other, fresh()), fresh()), other)],
			['stale timestamp (6 min, correctly signed)', () => post(hookUrl, h(sig(info.clientSecret, other, stale), stale), other)],
			['future timestamp (6 min)', () => {
				const ts = String(Date.now() + 6 * 60_000);
				return post(hookUrl, h(sig(info.clientSecret, other, ts), ts), other);
			}],
			['replayed delivery (same signature and timestamp)', () => post(hookUrl, genuine.headers, genuine.body)],
			['replayed events, freshly signed', () => {
				const ts = fresh();
				return post(hookUrl, h(sig(info.clientSecret, genuine.body, ts), ts), genuine.body);
			}],
			['missing signature header', () => post(hookUrl, { 'x-hubspot-request-timestamp': fresh() }, other)],
			['missing timestamp header', () => post(hookUrl, { 'x-hubspot-signature-v3': sig(info.clientSecret, other, fresh()) }, other)],
			['no headers at all', () => post(hookUrl, {}, other)],
		]);
		// The vendor itself signing with a wrong secret, and stamping old requests: refused without retries.
		for (const behaviour of [{ badSignature: true }, { timestampSkewMs: 6 * 60_000 }]) {
			await vendor(sandbox, 'hubspot', 'PUT', '/_sandbox/webhooks/behaviour', behaviour);
			await vendor(sandbox, 'hubspot', 'POST', '/_sandbox/hubspot/ui/contacts', { properties: { email: `forged${Object.keys(behaviour)[0]}@reliability.test`, firstname: 'Forged' } });
			await settle('hubspot');
		}
		await vendor(sandbox, 'hubspot', 'PUT', '/_sandbox/webhooks/behaviour', {});
		const refused = (await deliveries('hubspot')).filter((d) => !d.delivered);
		expect(refused.map((d) => d.attempts.map((a) => a.status))).toEqual([[401], [401]]);
		expect(await executions(n8n, workflowId)).toHaveLength(1);
	});

	test('every delivery sent twice by HubSpot (and reordered): each event runs once', async () => {
		const before = (await executions(n8n, workflowId)).length;
		const sent = (await deliveries('hubspot')).length;
		await vendor(sandbox, 'hubspot', 'PUT', '/_sandbox/webhooks/behaviour', { duplicateRate: 1, reorderWindowMs: 200, seed: 5 });
		for (let i = 0; i < 3; i++) {
			await vendor(sandbox, 'hubspot', 'POST', '/_sandbox/hubspot/ui/contacts', { properties: { email: `twice${i}@reliability.test`, firstname: `Twice${i}` } });
			// HubSpot batches the events of a moment into one delivery: a pause makes separate deliveries.
			await new Promise((r) => setTimeout(r, 300));
		}
		await settle('hubspot');
		await vendor(sandbox, 'hubspot', 'PUT', '/_sandbox/webhooks/behaviour', {});
		const mine = (await deliveries('hubspot')).slice(sent);
		const originals = mine.filter((d) => !d.duplicate);
		expect(mine).toHaveLength(originals.length * 2);
		const eventIds = originals.flatMap((d) => (JSON.parse(d.body) as Array<{ eventId: number }>).map((e) => e.eventId));
		await waitFor('an execution per delivery', async () => ((await executions(n8n, workflowId)).length - before >= originals.length ? true : undefined));
		await new Promise((r) => setTimeout(r, 1500));
		const runs = (await executions(n8n, workflowId)).slice(0, (await executions(n8n, workflowId)).length - before);
		const events = (await Promise.all(runs.map(async (e) => outputOf(await readExecution(n8n, e.id), 'HubSpot Sync Trigger')))).flat();
		figures.push({ vendor: 'hubspot', attack: `${originals.length} deliveries (${eventIds.length} events) each sent twice, reordered`, status: 200, executions: runs.length });
		// Every event ran exactly once (the second copy of a delivery was refused as a replay).
		expect(events.map((e) => e.event.eventId).sort((a, b) => a - b)).toEqual([...eventIds].sort((a, b) => a - b));
		expect(runs).toHaveLength(originals.length);
		expect(new Set(events.map((e) => e.fields.email))).toEqual(new Set(['twice0@reliability.test', 'twice1@reliability.test', 'twice2@reliability.test']));
		expect(mine.filter((d) => d.attempts.some((a) => a.status === 401))).toHaveLength(originals.length);
	});
});

describe('Jobber Sync Trigger', () => {
	const webhookId = 'c4d2f3e1-0000-4000-8000-0000000e1002';
	let info: any;
	let workflowId: string;
	let hookUrl: string;
	let genuine: Delivery;
	let clientId: string;
	const signed = (secret: string, body: string) => ({ 'X-Jobber-Hmac-SHA256': jobberSignature(secret, body) });
	const event = (occurredAt: string, topic = 'CLIENT_UPDATE') => JSON.stringify({ data: { webHookEvent: { topic, appId: info.appId, accountId: info.accountId, itemId: clientId, occurredAt } } });

	beforeAll(async () => {
		info = await vendor(sandbox, 'jobber', 'GET', '/_sandbox/info');
		Object.assign(secrets, { 'Jobber client secret': info.clientSecret, 'Jobber access token': info.accessToken, 'Jobber refresh token': info.refreshToken });
		await vendor(sandbox, 'jobber', 'POST', '/_sandbox/seed', { object: 'clients', count: 3, seed: 4 });
		clientId = ((await vendor(sandbox, 'jobber', 'GET', '/_sandbox/records/clients')) as any[])[0].id;
		const oauth = (
			await n8n.rest('POST', '/credentials', {
				name: 'Jobber',
				type: 'fluxJobberOAuth2Api',
				data: { clientId: info.clientId, clientSecret: info.clientSecret, baseUrl: sandbox.url('jobber'), apiVersion: info.apiVersion, oauthTokenData: { access_token: info.accessToken, refresh_token: info.refreshToken, token_type: 'bearer' } },
			})
		).data;
		const app = (await n8n.rest('POST', '/credentials', { name: 'Jobber app', type: 'fluxJobberAppApi', data: { clientSecret: info.clientSecret } })).data;
		workflowId = await createActiveWorkflow(n8n, {
			name: 'reliability: jobber trigger',
			nodes: [
				{
					id: 't',
					name: 'Jobber Sync Trigger',
					type: 'n8n-nodes-fluxcascade.jobberSyncTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId,
					credentials: { fluxJobberAppApi: { id: app.id, name: app.name }, fluxJobberOAuth2Api: { id: oauth.id, name: oauth.name } },
					parameters: { registration: 'api', topics: ['CLIENT_UPDATE'], fetchRecord: true },
				},
				{ id: 'n', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
			],
			connections: { 'Jobber Sync Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		});
		hookUrl = `${n8n.url}/webhook/${webhookId}/webhook`;
		await waitFor('the Jobber endpoint', async () => (((await vendor(sandbox, 'jobber', 'GET', '/_sandbox/records/webhookEndpoints')) as unknown[]).length ? true : undefined));
		await vendor(sandbox, 'jobber', 'POST', '/_sandbox/jobber/edit', { op: 'update', type: 'Client', id: clientId, input: { lastName: 'Genuine' } });
		await settle('jobber');
		await waitFor('the genuine delivery to run', async () => ((await executions(n8n, workflowId)).length === 1 ? true : undefined));
		genuine = (await deliveries('jobber')).find((d) => d.delivered)!;
		expect(genuine).toBeDefined();
	});

	test('tampered body, wrong secret, replayed delivery, missing signature: 401/403 and no execution', async () => {
		const other = event(new Date().toISOString());
		const sigHeader = Object.keys(genuine.headers).find((k) => k.toLowerCase() === 'x-jobber-hmac-sha256')!;
		await expectRefused('jobber', workflowId, [
			['tampered body (original signature)', () => post(hookUrl, { [sigHeader]: genuine.headers[sigHeader] }, genuine.body.replace('CLIENT_UPDATE', 'CLIENT_CREATE'))],
			['wrong secret', () => post(hookUrl, signed('not-the-client-secret', other), other)],
			['replayed delivery (same body and signature)', () => post(hookUrl, { [sigHeader]: genuine.headers[sigHeader] }, genuine.body)],
			['missing signature header', () => post(hookUrl, {}, other)],
			['empty signature header', () => post(hookUrl, { 'X-Jobber-Hmac-SHA256': '' }, other)],
			['signature with bytes after its padding', () => post(hookUrl, { 'X-Jobber-Hmac-SHA256': `${jobberSignature(info.clientSecret, other)}AAAA` }, other)],
		]);
		await vendor(sandbox, 'jobber', 'PUT', '/_sandbox/webhooks/behaviour', { badSignature: true });
		await vendor(sandbox, 'jobber', 'POST', '/_sandbox/jobber/edit', { op: 'update', type: 'Client', id: clientId, input: { lastName: 'Forged' } });
		await settle('jobber');
		await vendor(sandbox, 'jobber', 'PUT', '/_sandbox/webhooks/behaviour', {});
		const forged = (await deliveries('jobber')).filter((d) => !d.delivered);
		expect(forged.length).toBeGreaterThan(0);
		expect(forged.every((d) => d.attempts.every((a) => a.status === 401))).toBe(true);
		expect(await executions(n8n, workflowId)).toHaveLength(1);
	});

	test('stale event (occurred 2 days ago, correctly signed): 401/403 and no execution', async () => {
		const old = event(new Date(Date.now() - 2 * 86_400_000).toISOString());
		await expectRefused('jobber', workflowId, [['stale event (2 days old, correctly signed)', () => post(hookUrl, signed(info.clientSecret, old), old)]]);
	});

	test('every event delivered twice by Jobber: each runs once', async () => {
		const before = (await executions(n8n, workflowId)).length;
		await vendor(sandbox, 'jobber', 'PUT', '/_sandbox/webhooks/behaviour', { duplicateRate: 1, reorderWindowMs: 200, seed: 3 });
		const clients = ((await vendor(sandbox, 'jobber', 'GET', '/_sandbox/records/clients')) as any[]).slice(0, 3);
		for (const c of clients) await vendor(sandbox, 'jobber', 'POST', '/_sandbox/jobber/edit', { op: 'update', type: 'Client', id: c.id, input: { firstName: `Twice-${c.id.slice(-4)}` } });
		await settle('jobber');
		await vendor(sandbox, 'jobber', 'PUT', '/_sandbox/webhooks/behaviour', {});
		await waitFor('an execution per client', async () => ((await executions(n8n, workflowId)).length - before >= 3 ? true : undefined));
		await new Promise((r) => setTimeout(r, 1500));
		const runs = (await executions(n8n, workflowId)).length - before;
		figures.push({ vendor: 'jobber', attack: 'every event duplicated (3 clients)', status: 200, executions: runs });
		expect(runs).toBe(3);
	});
});

describe('Pipedrive Sync Trigger', () => {
	const webhookId = 'c1a2b3d4-0000-4000-8000-0000000e1003';
	let info: any;
	let workflowId: string;
	let hookUrl: string;
	let genuine: Delivery;
	let subscription: any;
	let personId: number;

	beforeAll(async () => {
		info = await vendor(sandbox, 'pipedrive', 'GET', '/_sandbox/info');
		secrets['Pipedrive API token'] = info.auth.apiToken;
		const cred = (await n8n.rest('POST', '/credentials', { name: 'Pipedrive', type: 'fluxPipedriveApi', data: { apiToken: info.auth.apiToken, companyDomain: '', baseUrl: sandbox.url('pipedrive') } })).data;
		workflowId = await createActiveWorkflow(n8n, {
			name: 'reliability: pipedrive trigger',
			nodes: [
				{
					id: 't',
					name: 'Pipedrive Sync Trigger',
					type: 'n8n-nodes-fluxcascade.pipedriveSyncTrigger',
					typeVersion: 1,
					position: [0, 0],
					webhookId,
					credentials: { fluxPipedriveApi: { id: cred.id, name: cred.name } },
					parameters: { authentication: 'apiToken', entity: 'person', action: '*', options: {} },
				},
				{ id: 'n', name: 'Done', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [200, 0], parameters: {} },
			],
			connections: { 'Pipedrive Sync Trigger': { main: [[{ node: 'Done', type: 'main', index: 0 }]] } },
		});
		subscription = await waitFor('the Pipedrive subscription', async () => ((await vendor(sandbox, 'pipedrive', 'GET', '/_sandbox/records/webhooks')) as any[]).find((w) => String(w.subscription_url).includes(webhookId)));
		hookUrl = subscription.subscription_url;
		secrets['Pipedrive webhook Basic password'] = subscription.http_auth_password;
		const made = await vendor(sandbox, 'pipedrive', 'POST', '/_sandbox/pipedrive/edit', { entity: 'person', action: 'create', changes: { name: 'Genuine Person', emails: [{ value: 'genuine@reliability.test' }] } });
		personId = made.data.id;
		await settle('pipedrive');
		await waitFor('the genuine delivery to run', async () => ((await executions(n8n, workflowId)).length === 1 ? true : undefined));
		genuine = (await deliveries('pipedrive')).find((d) => d.delivered)!;
		expect(genuine).toBeDefined();
	});

	test('wrong credentials, replayed event id (also with a changed body), missing header: 401/403 and no execution', async () => {
		const body = JSON.parse(genuine.body);
		const fresh = (id: string) => JSON.stringify({ ...body, meta: { ...body.meta, id, timestamp: new Date().toISOString() }, data: { ...body.data, name: 'Forged' } });
		const basic = (user: string, password: string) => ({ authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` });
		const wrong = webhookCredentials('not-the-api-token', 'x');
		const authHeader = Object.entries(genuine.headers).find(([k]) => k.toLowerCase() === 'authorization')!;
		await expectRefused('pipedrive', workflowId, [
			['wrong secret (credentials derived from another token)', () => post(hookUrl, basic(wrong.user, wrong.password), fresh('forged-1'))],
			['right user, wrong password (same length)', () => post(hookUrl, basic(subscription.http_auth_user, createHmac('sha256', 'x').digest('base64url')), fresh('forged-2'))],
			['replayed delivery (same event id)', () => post(hookUrl, { [authHeader[0]]: authHeader[1] }, genuine.body)],
			['tampered body, same event id', () => post(hookUrl, { [authHeader[0]]: authHeader[1] }, genuine.body.replace('Genuine Person', 'Tampered Person'))],
			['missing Authorization header', () => post(hookUrl, {}, fresh('forged-3'))],
			['not Basic (Bearer with the password)', () => post(hookUrl, { authorization: `Bearer ${subscription.http_auth_password}` }, fresh('forged-4'))],
		]);
		await vendor(sandbox, 'pipedrive', 'PUT', '/_sandbox/webhooks/behaviour', { badSignature: true });
		await vendor(sandbox, 'pipedrive', 'POST', '/_sandbox/pipedrive/edit', { entity: 'person', id: personId, changes: { name: 'Should Not Run' } });
		await settle('pipedrive');
		await vendor(sandbox, 'pipedrive', 'PUT', '/_sandbox/webhooks/behaviour', {});
		const refused = (await deliveries('pipedrive')).filter((d) => !d.delivered);
		expect(refused.length).toBe(1);
		expect(refused[0].attempts.every((a) => a.status === 401)).toBe(true);
		expect(await executions(n8n, workflowId)).toHaveLength(1);
	});

	test('two quick edits, each delivered twice and out of order: no event runs twice, the newer is never overtaken by the older', async () => {
		const before = (await executions(n8n, workflowId)).length;
		const sent = (await deliveries('pipedrive')).length;
		await vendor(sandbox, 'pipedrive', 'PUT', '/_sandbox/webhooks/behaviour', { duplicateRate: 1, reorderWindowMs: 400, seed: 9 });
		await vendor(sandbox, 'pipedrive', 'POST', '/_sandbox/pipedrive/edit', { entity: 'person', id: personId, changes: { name: 'Edit One' } });
		await new Promise((r) => setTimeout(r, 20));
		await vendor(sandbox, 'pipedrive', 'POST', '/_sandbox/pipedrive/edit', { entity: 'person', id: personId, changes: { name: 'Edit Two' } });
		await settle('pipedrive');
		await vendor(sandbox, 'pipedrive', 'PUT', '/_sandbox/webhooks/behaviour', {});
		const mine = (await deliveries('pipedrive')).slice(sent);
		expect(mine).toHaveLength(4);
		await new Promise((r) => setTimeout(r, 1500));
		const runs = (await executions(n8n, workflowId)).slice(0, (await executions(n8n, workflowId)).length - before);
		const items = (await Promise.all(runs.map(async (e) => ({ id: Number(e.id), item: outputOf(await readExecution(n8n, e.id), 'Pipedrive Sync Trigger')[0] })))).sort((a, b) => a.id - b.id);
		const names = items.map((x) => x.item.fields.name);
		const eventIds = items.map((x) => x.item.event.id);
		figures.push({ vendor: 'pipedrive', attack: '2 edits × 2 deliveries, reordered', status: 200, executions: runs.length });
		// Each event at most once; the newest edit ran; it was never followed by the older one.
		expect(new Set(eventIds).size).toBe(eventIds.length);
		expect(names).toContain('Edit Two');
		expect(names.slice(names.indexOf('Edit Two') + 1)).not.toContain('Edit One');
		expect(runs.length).toBeLessThanOrEqual(2);
	});
});

test('secrets: no credential or webhook secret in the executions, the n8n log or the store rows of these triggers', async () => {
	const sources = await scanSources(n8n);
	expect(sources.filter((s) => s.where.startsWith('execution')).length).toBeGreaterThanOrEqual(6);
	process.stderr.write(`[reliability] webhooks secrets scan: ${JSON.stringify({ secrets: Object.keys(secrets).length, sources: sources.map((s) => s.where), bytes: sources.reduce((n, s) => n + s.text.length, 0) })}\n`);
	expect(findSecrets(sources, secrets)).toEqual([]);
});
