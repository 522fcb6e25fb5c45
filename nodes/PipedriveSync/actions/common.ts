import {
	NodeApiError,
	type IDisplayOptions,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type JsonObject,
} from 'n8n-workflow';
import type { ClassifiedError } from '../../../errors/taxonomy';
import { ConnectorError } from '../../../connectors/core/errors';
import type { WriteOperation, WriteResult } from '../../../connectors/core/types';
import { isWholeRequestError, type PipedriveConnector, type PipedriveWriteInput, type PipedriveWriteOptions } from '../../../connectors/pipedrive';
import { carriedSync, failedItem, fieldsOf, isEnvelope } from '../../shared/records';

type Show = NonNullable<IDisplayOptions['show']>;

export interface Outputs {
	records: INodeExecutionData[];
	failed: INodeExecutionData[];
}

export type Operation = (this: IExecuteFunctions, items: INodeExecutionData[], connector: PipedriveConnector, out: Outputs) => Promise<void>;

// ---- shared parameters -----------------------------------------------------------------------------------

export const recordIdParameter = (operations: string[], description: string): INodeProperties => ({
	displayName: 'Record',
	name: 'recordId',
	type: 'resourceLocator',
	default: { mode: 'id', value: '' },
	description,
	displayOptions: { show: { operation: operations } },
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			typeOptions: { searchListMethod: 'searchRecords', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: '123',
			validation: [{ type: 'regex', properties: { regex: '^\\d+$', errorMessage: 'A Pipedrive ID is a number' } }],
		},
	],
});

export const fieldsParameters = (show: Show): INodeProperties[] => [
	{
		displayName: 'Fields From',
		name: 'fieldsSource',
		type: 'options',
		displayOptions: { show },
		options: [
			{ name: 'Input Item', value: 'input', description: 'A record envelope (its fields) or a plain object of Pipedrive field names' },
			{ name: 'Define Below', value: 'define', description: 'Pick fields and values in this node' },
		],
		default: 'input',
	},
	{
		displayName: 'Fields',
		name: 'fieldValues',
		type: 'fixedCollection',
		placeholder: 'Add Field',
		typeOptions: { multipleValues: true },
		displayOptions: { show: { ...show, fieldsSource: ['define'] } },
		default: {},
		options: [
			{
				name: 'field',
				displayName: 'Field',
				values: [
					{
						displayName: 'Field Name or ID',
						name: 'name',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getWritableFields' },
						default: '',
						description:
							'Custom fields are listed by their name in Pipedrive. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'Option fields take the option label; emails and phones a text or a list',
					},
				],
			},
		],
	},
	{
		displayName: 'Additional Fields',
		name: 'additionalFields',
		type: 'collection',
		placeholder: 'Add Field',
		displayOptions: { show },
		default: {},
		description: 'Set here, these win over the same fields of the input',
		options: [
			{
				displayName: 'Owner Name or ID',
				name: 'owner_id',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getUsers' },
				default: '',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Pipeline Name or ID',
				name: 'pipeline_id',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getPipelines' },
				displayOptions: { show: { '/resource': ['deal'] } },
				default: '',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Stage Name or ID',
				name: 'stage_id',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getStages', loadOptionsDependsOn: ['additionalFields.pipeline_id'] },
				displayOptions: { show: { '/resource': ['deal'] } },
				default: '',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
		],
	},
];

export const matchKeyParameters = (show: Show): INodeProperties[] => [
	{
		displayName: 'Match Key',
		name: 'matchKey',
		type: 'options',
		displayOptions: { show },
		options: [
			{ name: 'Custom Field', value: 'custom', description: 'A text, number, phone, monetary or address custom field' },
			{ name: 'Email', value: 'email', description: 'Persons: any of their emails, case-insensitive' },
			{ name: 'Name (Title for Deals)', value: 'name', description: 'Exact name, case-insensitive' },
			{ name: 'Phone', value: 'phone', description: 'Persons: compared in E.164 after normalising both sides' },
			{ name: 'Record ID', value: 'id', description: 'The Pipedrive ID' },
		],
		default: 'email',
		description: 'How a record is recognised in Pipedrive. Two records matching is an error (Duplicate Record), never a guess.',
	},
	{
		displayName: 'Custom Field Name or ID',
		name: 'matchCustomField',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getMatchableCustomFields' },
		displayOptions: { show: { ...show, matchKey: ['custom'] } },
		default: '',
		description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
	},
];

export const writeOptionsParameter = (show: Show): INodeProperties => ({
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	displayOptions: { show },
	default: {},
	options: [
		{
			displayName: 'Create If Missing',
			name: 'createIfMissing',
			type: 'boolean',
			default: false,
			description: 'Whether an update whose record was deleted in Pipedrive creates it instead',
		},
		{
			displayName: 'Daily Budget Reserve',
			name: 'dailyReserve',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 1000,
			description: "API tokens of the company's daily budget this node never spends (left to people and other integrations)",
		},
		{
			displayName: 'Default Phone Country',
			name: 'defaultCountry',
			type: 'string',
			default: 'US',
			description: 'ISO country for phone numbers written without +country code (phone match key)',
		},
		{
			displayName: 'Ignore Unknown Fields',
			name: 'ignoreUnknownFields',
			type: 'boolean',
			default: false,
			description: 'Whether to drop fields Pipedrive does not have instead of failing the record (Field Not Found)',
		},
		{
			displayName: 'Match Lookup',
			name: 'matchLookup',
			type: 'options',
			options: [
				{ name: 'Auto', value: 'auto', description: 'Search each record below 100 records, read all records first from 100 on' },
				{ name: 'Read All Records First', value: 'index', description: 'One call per 500 existing records, then no search at all (cheapest for large batches)' },
				{ name: 'Search Each Record', value: 'search', description: 'One search per record (20 tokens each; the Search API allows 10 per 2 s)' },
			],
			default: 'auto',
			description: 'Upsert: how existing records are found by the match key',
		},
		{
			displayName: 'Parallel Requests',
			name: 'concurrency',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 20 },
			default: 4,
			description: 'Batch Write only: records in flight at once (the rate limiter paces them either way)',
		},
		{
			displayName: 'Skip Unchanged',
			name: 'skipUnchanged',
			type: 'boolean',
			default: false,
			description: 'Whether to read the record before updating and skip the write when nothing would change (one cheap read instead of a write and its webhook)',
		},
		{
			displayName: 'When Match Value Is Missing',
			name: 'missingMatchValue',
			type: 'options',
			options: [
				{ name: 'Fail the Record', value: 'fail' },
				{ name: 'Create a New Record', value: 'create' },
			],
			default: 'fail',
			description: 'Upsert of a record that has no value for the match key',
		},
	],
});

// ---- reading items --------------------------------------------------------------------------------------

function cleanAdditional(extra: IDataObject): IDataObject {
	const out: IDataObject = {};
	for (const [k, v] of Object.entries(extra)) if (v !== '' && v !== undefined && v !== null) out[k] = v;
	return out;
}

/** The fields to write for item `i`: the input (envelope fields or plain object) or the defined ones, plus Additional Fields. */
export function recordFields(ctx: IExecuteFunctions, i: number, item: INodeExecutionData): IDataObject {
	const source = ctx.getNodeParameter('fieldsSource', i, 'input') as string;
	let fields: IDataObject;
	if (source === 'define') {
		const rows = ((ctx.getNodeParameter('fieldValues', i, {}) as IDataObject).field ?? []) as Array<{ name: string; value: unknown }>;
		fields = {};
		for (const row of rows) if (row.name) fields[row.name] = row.value as IDataObject[keyof IDataObject];
	} else {
		fields = { ...fieldsOf(item.json) };
	}
	return { ...fields, ...cleanAdditional(ctx.getNodeParameter('additionalFields', i, {}) as IDataObject) };
}

/** The record id: the Record parameter, else the id of a Pipedrive envelope (or a plain item's `id`). */
export function recordId(ctx: IExecuteFunctions, i: number, item: INodeExecutionData): string | undefined {
	// The Record parameter exists for these operations only (n8n refuses to extract a hidden locator).
	const shown = ['get', 'update', 'delete'].includes(ctx.getNodeParameter('operation', 0) as string);
	const chosen = shown ? (ctx.getNodeParameter('recordId', i, '', { extractValue: true }) as string | number) : '';
	if (chosen !== '' && chosen !== undefined && chosen !== null) return String(chosen);
	const json = item.json;
	if (isEnvelope(json)) return json.system === 'pipedrive' && json.id ? String(json.id) : undefined;
	return json.id !== undefined && json.id !== null && json.id !== '' ? String(json.id) : undefined;
}

export function matchKeyOf(ctx: IExecuteFunctions, i: number): string {
	const key = ctx.getNodeParameter('matchKey', i, 'email') as string;
	if (key !== 'custom') return key;
	const field = ctx.getNodeParameter('matchCustomField', i, '') as string;
	if (!field) throw new NodeOperationError(ctx.getNode(), 'Choose the custom field to match on', { itemIndex: i });
	return field;
}

export function writeOptions(ctx: IExecuteFunctions): PipedriveWriteOptions & { dailyReserve?: number; defaultCountry?: string } {
	const o = ctx.getNodeParameter('options', 0, {}) as IDataObject;
	return {
		createIfMissing: o.createIfMissing === true,
		skipUnchanged: o.skipUnchanged === true,
		missingMatchValue: o.missingMatchValue === 'create' ? 'create' : 'fail',
		unknownFields: o.ignoreUnknownFields === true ? 'ignore' : 'error',
		concurrency: typeof o.concurrency === 'number' ? o.concurrency : 4,
		matchLookup: o.matchLookup === 'index' || o.matchLookup === 'search' ? o.matchLookup : 'auto',
		dailyReserve: typeof o.dailyReserve === 'number' ? o.dailyReserve : undefined,
		defaultCountry: typeof o.defaultCountry === 'string' && o.defaultCountry.trim() ? o.defaultCountry.trim() : undefined,
	};
}

// ---- errors and outputs ---------------------------------------------------------------------------------

export function nodeApiError(ctx: IExecuteFunctions, error: ClassifiedError, itemIndex: number): NodeApiError {
	return new NodeApiError(ctx.getNode(), error as unknown as JsonObject, {
		itemIndex,
		message: error.message,
		description: `${error.error}. ${error.suggestedFix}`,
		httpCode: error.vendor?.status ? String(error.vendor.status) : undefined,
	});
}

/**
 * A failed record goes to the Failed output. A failure of the whole request (credential, rate limit, Pipedrive
 * unreachable) stops the node with the item's index, unless the node is set to continue on error.
 */
export function routeFailure(ctx: IExecuteFunctions, out: Outputs, itemIndex: number, item: INodeExecutionData, error: ClassifiedError, extra: IDataObject): void {
	if (isWholeRequestError(error) && !ctx.continueOnFail()) throw nodeApiError(ctx, error, itemIndex);
	out.failed.push({ json: failedItem('pipedrive', ctx.getNode().name, item.json, [error], extra), pairedItem: { item: itemIndex } });
}

/** Runs one item's work; connector errors are routed, anything else becomes a NodeOperationError for the item. */
export async function perItem(ctx: IExecuteFunctions, out: Outputs, itemIndex: number, item: INodeExecutionData, extra: IDataObject, work: () => Promise<void>): Promise<void> {
	try {
		await work();
	} catch (err) {
		if (err instanceof ConnectorError) return routeFailure(ctx, out, itemIndex, item, err.classified, extra);
		if (err instanceof NodeApiError || err instanceof NodeOperationError) {
			if (!ctx.continueOnFail()) throw err;
			out.failed.push({ json: { ...failedItem('pipedrive', ctx.getNode().name, item.json, []), message: err.message }, pairedItem: { item: itemIndex } });
			return;
		}
		const error = new NodeOperationError(ctx.getNode(), (err as Error).message, { itemIndex });
		if (!ctx.continueOnFail()) throw error;
		out.failed.push({ json: { ...failedItem('pipedrive', ctx.getNode().name, item.json, []), message: error.message }, pairedItem: { item: itemIndex } });
	}
}

/** Writes every item through the connector (one request each) and routes the per-record results. */
export async function writeItems(
	ctx: IExecuteFunctions,
	items: INodeExecutionData[],
	connector: PipedriveConnector,
	out: Outputs,
	op: WriteOperation,
	concurrency: number,
	/** The items to write (indexes into `items`); all by default. */
	only?: number[],
): Promise<void> {
	const resource = ctx.getNodeParameter('resource', 0) as string;
	const options = writeOptions(ctx);
	const inputs: PipedriveWriteInput[] = [];
	const indexOf: number[] = [];
	for (const i of only ?? items.keys()) {
		await perItem(ctx, out, i, items[i], { operation: op, resource }, async () => {
			const input: PipedriveWriteInput = { id: undefined, fields: op === 'delete' ? {} : recordFields(ctx, i, items[i]) };
			if (op === 'update' || op === 'delete' || op === 'upsert') input.id = recordId(ctx, i, items[i]);
			if (op === 'upsert') input.matchKey = matchKeyOf(ctx, i);
			inputs.push(input);
			indexOf.push(i);
		});
	}
	if (inputs.length === 0) return;
	const results: WriteResult[] = await connector.write(resource, op, inputs, { ...options, concurrency });
	for (const r of results) {
		const i = indexOf[r.index];
		if (r.ok) out.records.push({ json: { ...(r.record as unknown as IDataObject), action: r.action, ...carriedSync(items[i].json) }, pairedItem: { item: i } });
		else routeFailure(ctx, out, i, items[i], r.error, { operation: op, resource });
	}
}
