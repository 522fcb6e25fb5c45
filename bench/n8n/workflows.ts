/**
 * Workflows as the bench runs them: the templates (templates/) and the no-package baselines (bench/n8n/baseline/),
 * each imported with only bench-side changes, all listed here:
 *  - the run trigger (Schedule / Manual) becomes a Webhook on the same node name, so the bench starts a run on
 *    demand and n8n times it (the nodes after the trigger are the template's own, untouched);
 *  - `settings.errorWorkflow` is dropped (the bench reads failures from the execution and the review queue);
 *  - baselines: the real vendor hosts in their URLs point at the sandbox, and their pacing intervals (written
 *    for the vendors' real clock) are divided by the time scale, as the vendors' windows are.
 * Credentials are created in n8n under the names the workflows reference, with sandbox values (credentialData).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../../scripts/n8n/runtime';
import type { Json, Stack } from './harness';

export const TEMPLATES = path.join(ROOT, 'templates');
export const BASELINES = path.join(__dirname, 'baseline');

export function readWorkflow(file: string): Json | undefined {
	return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as Json) : undefined;
}

const RUN_TRIGGERS = new Set(['n8n-nodes-base.scheduleTrigger', 'n8n-nodes-base.manualTrigger']);

/**
 * The bench copy of a workflow: its run trigger (a Schedule or Manual Trigger; `triggerName` picks one when there
 * are several) replaced by a Webhook of the same name. Returns the copy and the webhook path.
 */
export function benchCopy(wf: Json, id: string, options: { triggerName?: string } = {}): { workflow: Json; webhookPath: string; triggerName: string } {
	const copy = JSON.parse(JSON.stringify(wf)) as Json;
	const candidates = (copy.nodes as Json[]).filter((n) => (options.triggerName ? n.name === options.triggerName : RUN_TRIGGERS.has(n.type)));
	if (candidates.length !== 1) throw new Error(`${wf.name}: expected one run trigger${options.triggerName ? ` named "${options.triggerName}"` : ''}, found ${candidates.map((n) => n.name).join(', ') || 'none'}`);
	const trigger = candidates[0];
	const webhookPath = `flux-bench-${id}`;
	const hex = Buffer.from(id).toString('hex').padEnd(12, '0').slice(0, 12);
	Object.assign(trigger, {
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		webhookId: `b0b0b0b0-0000-4000-8000-${hex}`,
		parameters: { httpMethod: 'POST', path: webhookPath, responseMode: 'onReceived' },
	});
	copy.name = `[bench ${id}] ${wf.name}`;
	if (copy.settings) delete copy.settings.errorWorkflow;
	return { workflow: copy, webhookPath, triggerName: trigger.name as string };
}

/** Real vendor hosts used in the baseline JSON → the sandbox, and real-clock pacing → the compressed clock. */
export function pointBaselineAtSandbox(wf: Json, hosts: Record<string, string>, timeScale: number): Json {
	let text = JSON.stringify(wf);
	for (const [real, local] of Object.entries(hosts)) text = text.split(real).join(local);
	const copy = JSON.parse(text) as Json;
	for (const node of copy.nodes as Json[]) {
		const options = node.parameters?.options;
		const pagination = options?.pagination?.pagination;
		if (pagination && typeof pagination.requestInterval === 'number') pagination.requestInterval = Math.max(1, Math.round(pagination.requestInterval / timeScale));
		const batch = options?.batching?.batch;
		if (batch && typeof batch.batchInterval === 'number') batch.batchInterval = Math.max(1, Math.round(batch.batchInterval / timeScale));
	}
	return copy;
}

/** Every `{ type, name }` credential reference of a workflow. */
export function credentialRefs(wf: Json): Array<{ type: string; name: string }> {
	const seen = new Map<string, { type: string; name: string }>();
	for (const node of wf.nodes as Json[]) for (const [type, ref] of Object.entries((node.credentials ?? {}) as Record<string, { name: string }>)) seen.set(`${type}:${ref.name}`, { type, name: ref.name });
	return [...seen.values()];
}

/** Sandbox values for a credential of a type (and, for generic Header Auth, the vendor its name mentions). */
export async function credentialData(stack: Stack, type: string, name: string, jobberUrl?: string): Promise<Json> {
	const info = async (v: 'hubspot' | 'salesforce' | 'jobber' | 'pipedrive') => stack.admin(v, 'GET', '/_sandbox/info');
	const jobber = jobberUrl ?? (stack.sandbox.vendors.jobber ? stack.sandbox.url('jobber') : '');
	switch (type) {
		case 'fluxHubSpotApi':
			return { accessToken: (await info('hubspot')).privateAppToken, baseUrl: stack.sandbox.url('hubspot'), apiVersion: 'v3' };
		case 'fluxHubSpotAppApi': {
			const hs = await info('hubspot');
			return { appId: String(hs.appId), clientSecret: hs.clientSecret, developerApiKey: hs.developerApiKey, baseUrl: stack.sandbox.url('hubspot') };
		}
		case 'fluxSalesforceOAuth2Api': {
			const sf = await info('salesforce');
			const url = stack.sandbox.url('salesforce');
			return {
				clientId: sf.clientId,
				clientSecret: sf.clientSecret,
				environment: 'custom',
				customLoginUrl: url,
				apiVersion: '62.0',
				oauthTokenData: { access_token: sf.accessToken, refresh_token: sf.refreshToken, instance_url: url, id: `${url}/id/${sf.organizationId}/${sf.integrationUserId}`, token_type: 'Bearer', issued_at: String(Date.now()), scope: 'api refresh_token' },
			};
		}
		case 'fluxJobberOAuth2Api': {
			const jb = await info('jobber');
			return { clientId: jb.clientId, clientSecret: jb.clientSecret, baseUrl: jobber, apiVersion: jb.apiVersion, oauthTokenData: { access_token: jb.accessToken, refresh_token: jb.refreshToken, token_type: 'bearer' } };
		}
		case 'fluxJobberAppApi':
			return { clientSecret: (await info('jobber')).clientSecret };
		case 'fluxPipedriveApi':
			return { apiToken: (await info('pipedrive')).auth.apiToken, companyDomain: '', baseUrl: stack.sandbox.url('pipedrive') };
		case 'httpHeaderAuth': {
			if (/hubspot/i.test(name)) return { name: 'Authorization', value: `Bearer ${(await info('hubspot')).privateAppToken}` };
			if (/salesforce/i.test(name)) return { name: 'Authorization', value: `Bearer ${(await info('salesforce')).accessToken}` };
			if (/jobber/i.test(name)) return { name: 'Authorization', value: `Bearer ${(await info('jobber')).accessToken}` };
			break;
		}
		case 'fluxAlertWebhookApi':
			// Alerts of a bench run go nowhere useful; a closed local port answers at once.
			return { url: 'http://127.0.0.1:9/bench-alerts', secret: 'bench-alert-secret' };
	}
	throw new Error(`The bench has no sandbox values for a ${type} credential named "${name}"`);
}

/** Creates every credential a workflow references (once per name). */
export async function ensureCredentials(stack: Stack, wf: Json, jobberUrl?: string): Promise<void> {
	for (const ref of credentialRefs(wf)) await stack.credential(ref.type, ref.name, await credentialData(stack, ref.type, ref.name, jobberUrl));
}

/**
 * The bench copy of a workflow run by its poll trigger (see Stack.runPolls): triggers kept; the poll trigger's
 * parameters overridden where a user would set them for the job (Start From: The Beginning, for a backfill).
 */
export function benchPollCopy(wf: Json, id: string, triggerName: string, parameters: Json): Json {
	const copy = JSON.parse(JSON.stringify(wf)) as Json;
	const trigger = (copy.nodes as Json[]).find((n) => n.name === triggerName);
	if (!trigger) throw new Error(`${wf.name}: no trigger named "${triggerName}"`);
	trigger.parameters = { ...trigger.parameters, ...parameters };
	copy.name = `[bench ${id}] ${wf.name}`;
	if (copy.settings) delete copy.settings.errorWorkflow;
	return copy;
}
