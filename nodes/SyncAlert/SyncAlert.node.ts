import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import {
	alertItem,
	AlertConfigError,
	AlertEngine,
	deliverSlack,
	deliverWebhook,
	eventsFromItems,
	redactDeep,
	redactText,
	type AlertConfig,
	type AlertRule,
	type DeliveryResult,
	type PendingAlert,
} from '../../sync/alerts';
import type { SyncStore } from '../../sync/store';
import { properties } from './description';
import { openNodeStore } from '../shared/store';
import { n8nSend } from './transport';

type Channel = 'slack' | 'webhook' | 'items';

interface Options {
	digestPeriod?: 'ended' | 'current';
	maxAlerts?: number;
	resendDigest?: boolean;
	sendEmptyDigest?: boolean;
	timeoutSeconds?: number;
	topRecords?: number;
}

/**
 * Alerts on sync errors and runs: every error, N in a row, error rate over a window, daily digest; to Slack,
 * a signed webhook, or items for n8n's own Email/Slack/Teams nodes. The rules live in sync/alerts (state in
 * the sync store); this node reads parameters, delivers, and outputs one item per alert.
 */
export class SyncAlert implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sync Alert',
		name: 'syncAlert',
		icon: 'file:syncAlert.svg',
		group: ['output'],
		version: 1,
		subtitle: '={{$parameter["operation"] === "sendDigest" ? "Send digest" : $parameter["rule"]}}',
		description: 'Alert on sync errors and runs: every error, N in a row, error rate, daily digest; to Slack, a signed webhook or items',
		defaults: { name: 'Sync Alert' },
		inputs: ['main'],
		outputs: ['main'],
		credentials: [
			{ name: 'fluxSlackWebhookApi', required: true, displayOptions: { show: { channel: ['slack'] } } },
			{ name: 'fluxAlertWebhookApi', required: true, displayOptions: { show: { channel: ['webhook'] } } },
			{ name: 'fluxSyncStoreApi', required: true, displayOptions: { show: { store: ['postgres'] } } },
		],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as 'process' | 'sendDigest';
		const channel = this.getNodeParameter('channel', 0) as Channel;
		const options = this.getNodeParameter('options', 0, {}) as Options;

		let config: AlertConfig;
		try {
			config = readConfig(this, operation, options);
		} catch (err) {
			throw new NodeOperationError(this.getNode(), (err as Error).message);
		}
		// Read the channel credential before any state is claimed: a missing credential must not eat alerts.
		const target = await readTarget(this, channel);

		let store: SyncStore;
		try {
			store = await openNodeStore(this);
		} catch (err) {
			throw new NodeOperationError(this.getNode(), `The sync store could not be opened: ${(err as Error).message}`);
		}
		try {
			const engine = new AlertEngine(store, config);
			let alerts: PendingAlert[];
			if (operation === 'sendDigest') {
				const mapping = String(this.getNodeParameter('mappingName', 0, '') ?? '').trim();
				alerts = await engine.digest({
					mappings: mapping ? [mapping] : [],
					period: options.digestPeriod ?? 'ended',
					sendEmpty: options.sendEmptyDigest ?? false,
					force: options.resendDigest ?? false,
				});
			} else {
				const mappings = items.map((_, i) => String(this.getNodeParameter('mappingName', i, '') ?? '').trim());
				const events = eventsFromItems(
					items.map((item) => item.json),
					(i) => mappings[i],
				);
				const configured = [...new Set(mappings.filter((m) => m !== ''))];
				alerts = (await engine.process(events, configured)).alerts;
			}
			return [await deliverAll(this, alerts, channel, target, options, items.length)];
		} catch (err) {
			if (err instanceof NodeOperationError) throw err;
			if (err instanceof AlertConfigError) throw new NodeOperationError(this.getNode(), err.message);
			throw new NodeOperationError(this.getNode(), redactText((err as Error).message, target.secrets));
		} finally {
			await store.close();
		}
	}
}

function readConfig(ctx: IExecuteFunctions, operation: 'process' | 'sendDigest', options: Options): AlertConfig {
	const dashboardUrl = String(ctx.getNodeParameter('dashboardUrl', 0, '') ?? '').trim();
	const base = {
		...(dashboardUrl ? { dashboardUrl } : {}),
		maxAlertsPerBatch: options.maxAlerts ?? 20,
		topRecords: options.topRecords ?? 5,
	};
	if (operation === 'sendDigest') {
		const zone = String(ctx.getNodeParameter('timeZone', 0, '') ?? '').trim() || ctx.getTimezone();
		const time = String(ctx.getNodeParameter('digestTime', 0, '08:00') ?? '08:00');
		return { ...base, rule: { kind: 'daily_digest', time, timeZone: zone } };
	}
	const ruleName = ctx.getNodeParameter('rule', 0) as string;
	let rule: AlertRule;
	if (ruleName === 'consecutive') rule = { kind: 'consecutive', count: ctx.getNodeParameter('consecutiveCount', 0, 3) as number };
	else if (ruleName === 'errorRate') {
		rule = {
			kind: 'error_rate',
			thresholdPercent: ctx.getNodeParameter('errorRateThreshold', 0, 10) as number,
			windowMinutes: ctx.getNodeParameter('errorRateWindow', 0, 60) as number,
			minRecords: ctx.getNodeParameter('errorRateMinRecords', 0, 20) as number,
			source: ctx.getNodeParameter('errorRateSource', 0, 'items') as 'items' | 'runs',
		};
	} else if (ruleName === 'dailyDigest') rule = { kind: 'daily_digest', time: '00:00', timeZone: 'UTC' };
	else rule = { kind: 'every_error' };
	return {
		...base,
		rule,
		quietWhileRetryPending: ctx.getNodeParameter('quietWhileRetryPending', 0, true) as boolean,
		dedupeWindowMinutes: ctx.getNodeParameter('dedupeWindow', 0, 60) as number,
	};
}

interface Target {
	slackUrl?: string;
	webhook?: { url: string; secret: string };
	/** Credential values that must never appear in an output or error. */
	secrets: string[];
}

async function readTarget(ctx: IExecuteFunctions, channel: Channel): Promise<Target> {
	if (channel === 'slack') {
		const cred = await ctx.getCredentials('fluxSlackWebhookApi');
		const url = String(cred.webhookUrl ?? '').trim();
		if (!/^https?:\/\//i.test(url)) throw new NodeOperationError(ctx.getNode(), 'The Slack webhook credential has no valid Webhook URL (https://hooks.slack.com/services/…)');
		return { slackUrl: url, secrets: [url] };
	}
	if (channel === 'webhook') {
		const cred = await ctx.getCredentials('fluxAlertWebhookApi');
		const url = String(cred.url ?? '').trim();
		const secret = String(cred.secret ?? '');
		if (!/^https?:\/\//i.test(url)) throw new NodeOperationError(ctx.getNode(), 'The alert webhook credential has no valid URL (http:// or https://)');
		if (secret === '') throw new NodeOperationError(ctx.getNode(), 'The alert webhook credential has no signing secret');
		return { webhook: { url, secret }, secrets: [url, secret] };
	}
	return { secrets: [] };
}

async function deliverAll(ctx: IExecuteFunctions, alerts: PendingAlert[], channel: Channel, target: Target, options: Options, inputCount: number): Promise<INodeExecutionData[]> {
	const out: INodeExecutionData[] = [];
	const failures: Array<{ alert: PendingAlert; delivery: DeliveryResult }> = [];
	const deliveryOptions = { send: n8nSend(ctx), timeoutMs: (options.timeoutSeconds ?? 10) * 1000 };
	for (const alert of alerts) {
		const paired = alert.sources.length ? alert.sources.map((item) => ({ item })) : inputCount > 0 ? [{ item: 0 }] : [];
		const pairedItem = paired.length === 1 ? paired[0] : paired;
		if (channel === 'items') {
			const json = alertItem(alert.message, target.secrets);
			const delivery: DeliveryResult = { channel: 'items', ok: true, status: 'output', attempts: [] };
			out.push({ json: { ...json, delivery } as unknown as IDataObject, pairedItem });
			continue;
		}
		const delivery = channel === 'slack' ? await deliverSlack(alert.message, target.slackUrl!, deliveryOptions) : await deliverWebhook(alert.message, target.webhook!, deliveryOptions);
		if (!delivery.ok) {
			await alert.release();
			failures.push({ alert, delivery });
		}
		const json: IDataObject = { alert: redactDeep(alert.message, target.secrets) as unknown as IDataObject, delivery: delivery as unknown as IDataObject };
		if (!delivery.ok) json.error = `The alert could not be delivered: ${delivery.error}`;
		out.push({ json, pairedItem });
	}
	if (failures.length > 0 && !ctx.continueOnFail()) {
		const first = failures[0];
		throw new NodeOperationError(ctx.getNode(), `${failures.length} of ${alerts.length} alert(s) could not be delivered to ${channel === 'slack' ? 'Slack' : 'the webhook'}: ${first.delivery.error}`, {
			itemIndex: first.alert.sources[0] ?? 0,
			description: `Tried ${first.delivery.attempts.length} time(s). The alerts were not marked as sent, so the next execution alerts again. Alerts that were delivered stay delivered.`,
		});
	}
	return out;
}
