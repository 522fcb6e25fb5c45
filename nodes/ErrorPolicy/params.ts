import { UserError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { ERROR_CODES, type ErrorCategory, type ErrorCode } from '../../errors/taxonomy';
import { parseSchedule, policyConfig, PolicyConfigError, type PolicyConfig, type RetryDelayMode, type Strategy } from '../../sync/errors';
import { storeProperties } from '../shared/store';

/**
 * The Error Policy's parameters, named as the FluxCascade error-handling page names them (Auto Retry, Max Retries,
 * Retry Delay, Stop on Error, Manual Review Mode), and the reader that turns them into a PolicyConfig.
 */

const STRATEGY_OPTIONS = [
	{ name: 'Skip and Continue', value: 'skip', description: 'Log the record with the reason and go on with the others' },
	{ name: 'Retry Later', value: 'retry', description: 'Park it and retry with backoff (immediately → 1 min → 5 min → 30 min → failed)' },
	{ name: 'Manual Review', value: 'review', description: 'Park it for a person to correct and approve' },
	{ name: 'Fail Fast', value: 'fail_fast', description: "Stop the run: n8n's error workflow fires" },
];

/** The shared store choice (the Sync Ledger's), described for review items. */
export const reviewStoreProperties: INodeProperties[] = storeProperties(
	'Where review items and the retry schedule are kept: use the same store in the Error Policy, Review Queue and Review Queue Trigger',
);

export const policyProperties: INodeProperties[] = [
	{
		displayName: 'Mapping ID',
		name: 'mappingId',
		type: 'string',
		default: '',
		placeholder: 'hubspot-contacts-to-jobber',
		description: 'Tags parked records with this mapping (the dashboard filters by it). Empty: the mapping the failed item names, if any.',
	},
	{
		displayName: 'Auto Retry',
		name: 'autoRetry',
		type: 'boolean',
		default: true,
		description: 'Whether transient errors (timeouts, rate limits, server errors) are retried automatically. Data and mapping errors never are.',
	},
	{
		displayName: 'Max Retries',
		name: 'maxRetries',
		type: 'number',
		typeOptions: { minValue: 0, maxValue: 20 },
		default: 3,
		description: 'Retries after the first attempt; then the record is marked failed and stays in the Review Queue',
	},
	{
		displayName: 'Retry Delay',
		name: 'retryDelay',
		type: 'options',
		options: [
			{ name: 'Exponential', value: 'exponential', description: '1 min, 5 min, 30 min, then ×6 (at most a day); a longer Retry-After from the vendor wins' },
			{ name: 'Fixed', value: 'fixed', description: 'The same wait between every attempt' },
			{ name: 'Custom Schedule', value: 'schedule', description: 'Your own list of waits' },
		],
		default: 'exponential',
	},
	{
		displayName: 'Delay (Seconds)',
		name: 'fixedDelaySeconds',
		type: 'number',
		typeOptions: { minValue: 0 },
		default: 60,
		displayOptions: { show: { retryDelay: ['fixed'] } },
	},
	{
		displayName: 'Retry Schedule',
		name: 'schedule',
		type: 'string',
		default: 'immediately, 1m, 5m, 30m',
		displayOptions: { show: { retryDelay: ['schedule'] } },
		description: 'Wait before each attempt, the first being the sync itself: "immediately, 1m, 5m, 30m". Units s, m, h. The last wait repeats when Max Retries asks for more.',
	},
	{
		displayName: 'Stop on Error',
		name: 'stopOnError',
		type: 'boolean',
		default: false,
		description: "Whether any error not covered by an override stops the run (fail fast): the node fails naming the record, and n8n's error workflow fires",
	},
	{
		displayName: 'Manual Review Mode',
		name: 'manualReviewMode',
		type: 'boolean',
		default: false,
		description: 'Whether every error that is not retried automatically goes to the Review Queue for a person instead of being skipped',
	},
	{
		displayName: 'Default Strategy',
		name: 'defaultStrategy',
		type: 'options',
		options: STRATEGY_OPTIONS,
		default: 'skip',
		description: 'What happens to errors no other setting covers',
	},
	{
		displayName: 'Strategy Overrides',
		name: 'overrides',
		type: 'fixedCollection',
		placeholder: 'Add Override',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Per category or per error; an error override beats a category override, and both beat the settings above',
		options: [
			{
				name: 'category',
				displayName: 'Category',
				values: [
					{
						displayName: 'Category',
						name: 'category',
						type: 'options',
						options: [
							{ name: 'Connection', value: 'Connection', description: 'Authentication Failed, Connection Timeout, Rate Limit Exceeded, Permission Denied' },
							{ name: 'Data', value: 'Data', description: 'Required Field Missing, Invalid Format, Duplicate Record, Value Too Long, Invalid Email' },
							{ name: 'Mapping', value: 'Mapping', description: 'Field Not Found, Transform Failed, Object Type Changed' },
						],
						default: 'Data',
					},
					{ displayName: 'Strategy', name: 'strategy', type: 'options', options: STRATEGY_OPTIONS, default: 'review' },
				],
			},
			{
				name: 'code',
				displayName: 'Error',
				values: [
					{
						displayName: 'Error',
						name: 'code',
						type: 'options',
						options: Object.entries(ERROR_CODES).map(([value, info]) => ({ name: info.label, value, description: info.category })),
						default: 'DUPLICATE_RECORD',
					},
					{ displayName: 'Strategy', name: 'strategy', type: 'options', options: STRATEGY_OPTIONS, default: 'review' },
				],
			},
		],
	},
	...reviewStoreProperties,
];

/** Reads the policy parameters of item `i`; a bad schedule or value is the user's to fix (UserError). */
export function readPolicy(ctx: IExecuteFunctions, i: number): PolicyConfig {
	const retryDelay = ctx.getNodeParameter('retryDelay', i, 'exponential') as RetryDelayMode;
	const overrides = ctx.getNodeParameter('overrides', i, {}) as IDataObject;
	const byCategory: Partial<Record<ErrorCategory, Strategy>> = {};
	const byCode: Partial<Record<ErrorCode, Strategy>> = {};
	for (const o of (overrides.category ?? []) as Array<{ category: ErrorCategory; strategy: Strategy }>) byCategory[o.category] = o.strategy;
	for (const o of (overrides.code ?? []) as Array<{ code: ErrorCode; strategy: Strategy }>) byCode[o.code] = o.strategy;
	try {
		return policyConfig({
			autoRetry: ctx.getNodeParameter('autoRetry', i, true) as boolean,
			maxRetries: Number(ctx.getNodeParameter('maxRetries', i, 3)),
			retryDelay,
			fixedDelaySeconds: Number(ctx.getNodeParameter('fixedDelaySeconds', i, 60)),
			schedule: retryDelay === 'schedule' ? parseSchedule(String(ctx.getNodeParameter('schedule', i, ''))) : [],
			stopOnError: ctx.getNodeParameter('stopOnError', i, false) as boolean,
			manualReviewMode: ctx.getNodeParameter('manualReviewMode', i, false) as boolean,
			defaultStrategy: ctx.getNodeParameter('defaultStrategy', i, 'skip') as Strategy,
			byCategory,
			byCode,
		});
	} catch (err) {
		if (err instanceof PolicyConfigError) throw new UserError(err.message);
		throw err;
	}
}
