/**
 * What every Jobber Sync operation shares: parameter descriptions (built per resource) and the item loops that
 * call the connector and route results — records to "Success" as envelopes plus `action`, records that failed to
 * "Failed" as failedItem(), whole-request failures as NodeApiError with the item index (unless continueOnFail).
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeProperties,
	type JsonObject,
} from 'n8n-workflow';
import { classifiedError, type ClassifiedError } from '../../../errors/taxonomy';
import { ConnectorError } from '../../../connectors/core/errors';
import type { RecordEnvelope } from '../../../connectors/core/types';
import { classifyGraphqlError, idFromWebUri, type JobberObject, type JobberWriteItem, type JobberWriteOptions, type MatchKey, type ReturnFields, type WriteOp } from '../../../connectors/jobber';
import { PLANNED, plannedOption, plannedWrite } from '../../shared/plannedWrite';
import { carriedSync, failedItem, isEnvelope } from '../../shared/records';
import { jobberConnector } from '../transport';

export type Resource = 'client' | 'property' | 'request' | 'quote' | 'job' | 'invoice';

export const OBJECT_OF: Record<Resource, JobberObject> = {
	client: 'clients',
	property: 'properties',
	request: 'requests',
	quote: 'quotes',
	job: 'jobs',
	invoice: 'invoices',
};

export const LABEL_OF: Record<Resource, string> = {
	client: 'Client',
	property: 'Property',
	request: 'Request',
	quote: 'Quote',
	job: 'Job',
	invoice: 'Invoice',
};

const SEARCH_METHOD: Record<Resource, string> = {
	client: 'searchClients',
	property: 'searchProperties',
	request: 'searchRequests',
	quote: 'searchQuotes',
	job: 'searchJobs',
	invoice: 'searchInvoices',
};

type Output = INodeExecutionData[][];

const show = (resource: Resource | 'graphql', operations: string[]) => ({ show: { resource: [resource], operation: operations } });

// ---------- parameter descriptions ----------

/** A record picked from a searchable list, by id, or by its Jobber web address. */
export function recordLocator(resource: Resource, operations: string[], options: { name?: string; required?: boolean; label?: string; description?: string } = {}): INodeProperties {
	const label = options.label ?? LABEL_OF[resource];
	return {
		displayName: label,
		name: options.name ?? 'recordId',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: options.required ?? true,
		description: options.description,
		displayOptions: show(resource, operations),
		modes: [
			{ displayName: 'From List', name: 'list', type: 'list', typeOptions: { searchListMethod: SEARCH_METHOD[resource], searchable: true } },
			{ displayName: 'By ID', name: 'id', type: 'string', placeholder: 'e.g. Z2lkOi8vSm9iYmVyL0NsaWVudC8xMjM=' },
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'e.g. https://secure.getjobber.com/clients/123',
				validation: [{ type: 'regex', properties: { regex: 'https?://.+/\\d+.*', errorMessage: 'Not a Jobber record address' } }],
			},
		],
	};
}

/** A locator of another resource (the client of a property, the property of a job…), optional by default. */
export function relatedLocator(resource: Resource, target: Resource, name: string, operations: string[], description: string, required = false): INodeProperties {
	return { ...recordLocator(target, operations, { name, required, description }), displayOptions: show(resource, operations) };
}

export function fieldsOption(resource: Resource): INodeProperties {
	return {
		displayName: 'Field Names or IDs',
		name: 'fields',
		type: 'multiOptions',
		typeOptions: { loadOptionsMethod: 'getFields' },
		default: [],
		description: `Fields to read (each costs query points); none selected reads every ${LABEL_OF[resource].toLowerCase()} field the sync uses. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
	};
}

export function getProperties(resource: Resource): INodeProperties[] {
	return [
		recordLocator(resource, ['get']),
		{ displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, displayOptions: show(resource, ['get']), options: [fieldsOption(resource)] },
	];
}

export function getManyProperties(resource: Resource): INodeProperties[] {
	const filters: INodeProperties[] = [
		{ displayName: 'Search Term', name: 'searchTerm', type: 'string', default: '', description: "Jobber's own search (names, emails, numbers…), matched as Jobber matches it" },
		{
			displayName: 'Filter (JSON)',
			name: 'filterJson',
			type: 'json',
			default: '{}',
			description: `Jobber's ${LABEL_OF[resource]} filter input as JSON, passed as a GraphQL variable`,
		},
	];
	if (resource === 'client') {
		const tri = (displayName: string, name: string, what: string): INodeProperties => ({
			displayName,
			name,
			type: 'options',
			default: 'any',
			options: [
				{ name: 'Any', value: 'any' },
				{ name: 'No', value: 'false' },
				{ name: 'Yes', value: 'true' },
			],
			description: `Only clients that are (or are not) ${what}`,
		});
		filters.push(tri('Archived', 'isArchived', 'archived'), tri('Company', 'isCompany', 'companies'), tri('Lead', 'isLead', 'leads'));
	}
	filters.sort((a, b) => a.displayName.localeCompare(b.displayName));
	return [
		{
			displayName: 'Return All',
			name: 'returnAll',
			type: 'boolean',
			default: false,
			description: 'Whether to return all results or only up to a given limit',
			displayOptions: show(resource, ['getMany']),
		},
		{
			displayName: 'Limit',
			name: 'limit',
			type: 'number',
			default: 50,
			typeOptions: { minValue: 1 },
			description: 'Max number of results to return',
			displayOptions: { show: { resource: [resource], operation: ['getMany'], returnAll: [false] } },
		},
		{ displayName: 'Filters', name: 'filters', type: 'collection', placeholder: 'Add Filter', default: {}, displayOptions: show(resource, ['getMany']), options: filters },
		{ displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, displayOptions: show(resource, ['getMany']), options: [fieldsOption(resource)] },
	];
}

export function getChangesProperties(resource: Resource): INodeProperties[] {
	const how =
		resource === 'job'
			? 'Jobs have no updatedAt filter: they are read newest first and the read stops at the checkpoint.'
			: resource === 'property'
				? 'Properties carry no timestamp: every property is read (use the trigger for single changes).'
				: 'Read with the updatedAt filter.';
	return [
		{
			displayName: 'Since (Checkpoint)',
			name: 'since',
			type: 'string',
			default: '',
			placeholder: 'e.g. 2026-05-01T00:00:00Z',
			description: `ISO time to read changes from (inclusive), usually the checkpoint the last run output; empty reads everything (full sync). ${how}.`.replace('..', '.'),
			displayOptions: show(resource, ['getChanges']),
		},
		{
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add Option',
			default: {},
			displayOptions: show(resource, ['getChanges']),
			options: [
				fieldsOption(resource),
				{
					displayName: 'Overlap (Seconds)',
					name: 'overlapSeconds',
					type: 'number',
					default: 60,
					typeOptions: { minValue: 0 },
					description: 'Also re-read this many seconds before the checkpoint (clock skew); records seen twice in one run are output once',
				},
			],
		},
	];
}

export const MATCH_KEY: INodeProperties = {
	displayName: 'Match Key',
	name: 'matchKey',
	type: 'options',
	default: 'email',
	options: [
		{ name: 'Email', value: 'email', description: 'Any of the client emails equals it (case-insensitive)' },
		{ name: 'Name', value: 'name', description: 'First + last name, or company name, equals it (case and spacing ignored)' },
		{ name: 'Phone', value: 'phone', description: 'Any of the client phones equals it in E.164' },
	],
	description: 'How an existing client is recognised; more than one match is a Duplicate Record error, never a guess',
};

export function findProperties(): INodeProperties[] {
	return [
		{ ...MATCH_KEY, displayOptions: show('client', ['find']) },
		{
			displayName: 'Value',
			name: 'matchValue',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'e.g. ann@example.com',
			description: 'The email, phone or name to look for',
			displayOptions: show('client', ['find']),
		},
		{ displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, displayOptions: show('client', ['find']), options: [DEFAULT_COUNTRY] },
	];
}

const DEFAULT_COUNTRY: INodeProperties = {
	displayName: 'Default Phone Country',
	name: 'defaultCountry',
	type: 'string',
	default: 'US',
	description: 'ISO country of phone numbers written without a country code, for E.164 comparison',
};

/** Parameters of Create / Update / Upsert / Batch Write for a resource. */
/** Batch Write feeds the Sync Ledger, which needs the written fields only; single writes return the record, as n8n's nodes do. */
function defaultReturnFields(operations: readonly string[]): ReturnFields {
	return operations.every((op) => op === 'batchWrite') ? 'written' : 'all';
}

export function writeProperties(resource: Resource, operations: string[]): INodeProperties[] {
	const props: INodeProperties[] = [];
	const has = (op: string) => operations.includes(op);
	if (has('batchWrite')) {
		const modes = [
			{ name: 'Create', value: 'create' },
			...(resource === 'client' || resource === 'property' || resource === 'job' ? [{ name: 'Update', value: 'update' }, plannedOption] : []),
			...(resource === 'client' ? [{ name: 'Create or Update', value: 'upsert' }] : []),
		];
		// eslint-disable-next-line n8n-nodes-base/node-param-default-missing -- the default depends on the resource
		props.push({
			displayName: 'Write Mode',
			name: 'writeMode',
			type: 'options',
			default: resource === 'client' ? 'upsert' : 'create',
			options: modes,
			description: 'What to do with each item; an expression can choose per item. All items are written in cost-paced batches with one result per item.',
			displayOptions: show(resource, ['batchWrite']),
		});
	}
	const updates = operations.filter((op) => op === 'update' || op === 'batchWrite');
	if (updates.length) {
		props.push(
			recordLocator(resource, updates, {
				required: false,
				description: `The ${LABEL_OF[resource].toLowerCase()} to update; empty takes the id of an incoming Jobber envelope${resource === 'client' ? ', or finds the client by the match key' : ''}`,
			}),
		);
	}
	if (resource === 'client' && operations.some((op) => op === 'upsert' || op === 'batchWrite' || op === 'update')) {
		props.push({ ...MATCH_KEY, displayOptions: show(resource, operations.filter((op) => op !== 'create')) });
	}
	if (resource === 'property' || resource === 'request' || resource === 'quote' || resource === 'job') {
		const creates = operations.filter((op) => op === 'create' || op === 'batchWrite');
		if (creates.length) props.push(relatedLocator(resource, 'client', 'clientId', creates, 'The client it is for; empty takes clientId from the item (or its envelope links)'));
	}
	if (resource === 'quote' || resource === 'job') {
		const creates = operations.filter((op) => op === 'create' || op === 'batchWrite');
		if (creates.length) props.push(relatedLocator(resource, 'property', 'propertyId', creates, 'The property; empty takes propertyId from the item, or the client\'s only property'));
	}
	if (resource === 'invoice') props.push(relatedLocator(resource, 'job', 'jobId', operations, 'The job to invoice (its uninvoiced line items, client and property carry over)', true));
	if (resource !== 'invoice') {
		props.push(
			{
				displayName: 'Fields From',
				name: 'fieldsSource',
				type: 'options',
				default: 'item',
				options: [
					{ name: 'Incoming Item', value: 'item', description: "An envelope's fields, or the whole item (e.g. the Field Mapper's Jobber presets)" },
					{ name: 'JSON', value: 'json', description: 'A JSON object of Jobber fields' },
				],
				displayOptions: show(resource, operations),
			},
			{
				displayName: 'Fields (JSON)',
				name: 'fieldsJson',
				type: 'json',
				default: '{}',
				description: 'Jobber GraphQL field names: firstName, emails[].address, billingAddress.city…',
				displayOptions: { show: { resource: [resource], operation: operations, fieldsSource: ['json'] } },
			},
		);
	}
	if (resource === 'client' || resource === 'quote' || resource === 'job') {
		props.push({
			displayName: 'Custom Fields',
			name: 'customFields',
			type: 'fixedCollection',
			placeholder: 'Add Custom Field',
			typeOptions: { multipleValues: true },
			default: {},
			displayOptions: show(resource, operations),
			options: [
				{
					displayName: 'Custom Field',
					name: 'field',
					values: [
						{
							displayName: 'Field Name or ID',
							name: 'name',
							type: 'options',
							typeOptions: { loadOptionsMethod: 'getCustomFields' },
							default: '',
							description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
						},
						{ displayName: 'Value', name: 'value', type: 'string', default: '', description: 'Text, number, true/false, a dropdown option, or a URL for link fields' },
					],
				},
			],
		});
	}
	const options: INodeProperties[] = [
		{
			displayName: 'Unknown Fields',
			name: 'unknownFields',
			type: 'options',
			default: 'error',
			options: [
				{ name: 'Fail the Record (Field Not Found)', value: 'error' },
				{ name: 'Ignore with a Warning', value: 'ignore' },
			],
			description: 'What to do with input fields Jobber does not have (read-only fields of envelopes are always ignored)',
		},
		{
			displayName: 'Return Fields',
			name: 'returnFields',
			type: 'options',
			default: defaultReturnFields(operations),
			options: [
				{ name: 'All Fields', value: 'all', description: 'The whole record, as Get returns it' },
				{ name: 'Written Fields', value: 'written', description: "ID, updated time and the fields this write set, with Jobber's own values (what the Sync Ledger keeps)" },
				{ name: 'ID Only', value: 'id', description: 'ID and updated time: the cheapest, for one-way bulk loads' },
			],
			description:
				"What each written record comes back with. Jobber charges query points for every field it returns and points pace every Jobber write: a client's fields cost about 45 points, its ID 2.",
		},
	];
	if (operations.some((op) => op !== 'create')) {
		options.push({
			displayName: 'Create If Missing',
			name: 'createIfMissing',
			type: 'boolean',
			default: false,
			description: 'Whether an update whose record no longer exists creates it instead',
		});
	}
	if (resource === 'client' && operations.includes('batchWrite')) {
		options.push({
			displayName: 'Plan Saw Every Target Record',
			name: 'createsChecked',
			type: 'boolean',
			default: false,
			description:
				'Whether the Sync Ledger Plan was given every Jobber client (a full read), so a planned create is written without looking its match key up first (one query less per client). Write Mode "As Planned" only; a create the ledger flags as possibly done before is still an upsert.',
		});
	}
	if (resource === 'client') {
		options.push(DEFAULT_COUNTRY, {
			displayName: 'Emails and Phones',
			name: 'listMode',
			type: 'options',
			default: 'merge',
			options: [
				{ name: 'Merge', value: 'merge', description: 'The first entry becomes the primary one (edited in place when it changed); others are added; none deleted' },
				{ name: 'Replace', value: 'replace', description: "The client's emails and phones become exactly the given ones" },
			],
			description: 'How emails and phones of an update are applied (Jobber edits them by ID: add, edit, delete)',
		});
	}
	if (resource === 'job') {
		options.push(
			{
				displayName: 'Invoicing Type Name or ID',
				name: 'invoicingType',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getInvoicingTypes' },
				default: 'FIXED_PRICE',
				description: 'For new jobs without invoicing. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				displayName: 'Invoicing Schedule Name or ID',
				name: 'invoicingSchedule',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getInvoicingSchedules' },
				default: 'ON_COMPLETION',
				description: 'For new jobs without invoicing. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		);
	}
	options.sort((a, b) => a.displayName.localeCompare(b.displayName));
	props.push({ displayName: 'Options', name: 'options', type: 'collection', placeholder: 'Add Option', default: {}, displayOptions: show(resource, operations), options });
	return props;
}

export function deleteProperties(resource: Resource, operation: string): INodeProperties[] {
	const props: INodeProperties[] = [recordLocator(resource, [operation])];
	if (resource === 'job') {
		props.push({
			displayName: 'Incomplete Visits',
			name: 'closeVisits',
			type: 'options',
			default: 'COMPLETE_PAST_DESTROY_FUTURE',
			options: [
				{ name: 'Complete Past, Remove Future', value: 'COMPLETE_PAST_DESTROY_FUTURE' },
				{ name: 'Remove All', value: 'DESTROY_ALL' },
			],
			description: 'What Jobber does with visits not yet completed when the job closes',
			displayOptions: show(resource, [operation]),
		});
	}
	return props;
}

// ---------- execution ----------

function errorOf(err: unknown): ClassifiedError | undefined {
	return err instanceof ConnectorError ? err.classified : undefined;
}

/** A whole-request failure: NodeApiError with the item index, or an error item when the node continues on fail. */
export function requestFailure(ctx: IExecuteFunctions, err: unknown, itemIndex: number): INodeExecutionData {
	const classified = errorOf(err);
	if (!classified) {
		if (ctx.continueOnFail()) return { json: { error: (err as Error).message }, pairedItem: { item: itemIndex } };
		if (err instanceof NodeApiError || err instanceof NodeOperationError) throw err;
		throw new NodeOperationError(ctx.getNode(), err as Error, { itemIndex });
	}
	if (ctx.continueOnFail()) return { json: { error: `${classified.error}: ${classified.message}`, ...(classified as unknown as IDataObject) }, pairedItem: { item: itemIndex } };
	throw new NodeApiError(ctx.getNode(), classified as unknown as JsonObject, {
		message: `${classified.error}: ${classified.message}`,
		description: classified.suggestedFix,
		itemIndex,
		httpCode: classified.vendor?.status ? String(classified.vendor.status) : undefined,
	});
}

function failed(ctx: IExecuteFunctions, item: INodeExecutionData, index: number, errors: ClassifiedError[], extra: IDataObject = {}): INodeExecutionData {
	return { json: failedItem('jobber', ctx.getNode().name, item.json, errors, extra), pairedItem: { item: index } };
}

function envelopeJson(record: RecordEnvelope, extra: IDataObject = {}): IDataObject {
	return { ...(record as unknown as IDataObject), ...extra };
}

/** The id behind a resource locator value (list/id modes: the id; url mode: decoded from the web address). */
export function locatorId(ctx: IExecuteFunctions, name: string, index: number): string {
	const raw = ctx.getNodeParameter(name, index, '', { extractValue: false }) as string | { mode?: string; value?: string };
	const value = typeof raw === 'string' ? raw : raw?.value ?? '';
	const mode = typeof raw === 'string' ? 'id' : raw?.mode;
	if (!value) return '';
	if (mode === 'url' || /^https?:\/\//.test(value)) {
		const decoded = idFromWebUri(value);
		if (!decoded) throw new NodeOperationError(ctx.getNode(), `"${value}" is not the address of a Jobber record`, { itemIndex: index });
		return decoded.id;
	}
	return String(value).trim();
}

export async function executeGet(this: IExecuteFunctions, object: JobberObject): Promise<Output> {
	const items = this.getInputData();
	const success: INodeExecutionData[] = [];
	const failures: INodeExecutionData[] = [];
	const connector = await jobberConnector(this);
	const ids = items.map((_, i) => locatorId(this, 'recordId', i));
	const fields = this.getNodeParameter('options.fields', 0, []) as string[];
	let results;
	try {
		results = await connector.getMany(object, ids, fields.length ? fields : undefined);
	} catch (err) {
		return [[requestFailure(this, err, 0)], []];
	}
	results.forEach((r, i) => {
		if (r instanceof ConnectorError) {
			if (r.classified.category === 'Connection') success.push(requestFailure(this, r, i));
			else failures.push(failed(this, items[i], i, [r.classified], { operation: 'get', object }));
		} else if (!r) {
			failures.push(failed(this, items[i], i, [classifiedError('FIELD_NOT_FOUND', { message: `Jobber has no ${object.replace(/s$/, '').replace(/ie$/, 'y')} ${ids[i]} (deleted, or not visible to this app)`, field: 'id', value: ids[i], record: { system: 'jobber', object, id: ids[i] } })], { operation: 'get', object }));
		} else success.push({ json: envelopeJson(r), pairedItem: { item: i } });
	});
	return [success, failures];
}

function parseJson(ctx: IExecuteFunctions, name: string, index: number): IDataObject {
	const raw = ctx.getNodeParameter(name, index, '{}') as string | IDataObject;
	if (typeof raw !== 'string') return raw ?? {};
	if (raw.trim() === '') return {};
	try {
		return JSON.parse(raw) as IDataObject;
	} catch (err) {
		throw new NodeOperationError(ctx.getNode(), `${name} is not valid JSON: ${(err as Error).message}`, { itemIndex: index });
	}
}

export async function executeGetMany(this: IExecuteFunctions, object: JobberObject): Promise<Output> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	const connector = await jobberConnector(this);
	for (let i = 0; i < items.length; i++) {
		try {
			const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
			const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
			const f = this.getNodeParameter('filters', i, {}) as IDataObject;
			const filter: IDataObject = f.filterJson ? parseJson(this, 'filters.filterJson', i) : {};
			for (const key of ['isArchived', 'isCompany', 'isLead']) if (f[key] === 'true' || f[key] === 'false') filter[key] = f[key] === 'true';
			const fields = this.getNodeParameter('options.fields', i, []) as string[];
			for await (const page of connector.list(object, { limit, filter: Object.keys(filter).length ? filter : undefined, searchTerm: (f.searchTerm as string) || undefined, fields: fields.length ? fields : undefined })) {
				for (const r of page) out.push({ json: envelopeJson(r), pairedItem: { item: i } });
			}
		} catch (err) {
			out.push(requestFailure(this, err, i));
		}
	}
	return [out, []];
}

export async function executeGetChanges(this: IExecuteFunctions, object: JobberObject): Promise<Output> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	const connector = await jobberConnector(this);
	for (let i = 0; i < items.length; i++) {
		try {
			const since = (this.getNodeParameter('since', i, '') as string).trim() || undefined;
			const overlap = this.getNodeParameter('options.overlapSeconds', i, 60) as number;
			const fields = this.getNodeParameter('options.fields', i, []) as string[];
			const records: RecordEnvelope[] = [];
			let checkpoint: string | undefined = since;
			for await (const page of connector.changes(object, { since, overlapMs: overlap * 1000, fields: fields.length ? fields : undefined })) {
				records.push(...page.records);
				if (page.checkpoint) checkpoint = page.checkpoint;
			}
			// Every record carries the run's final checkpoint: store it once the records are processed.
			for (const r of records) out.push({ json: envelopeJson(r, { checkpoint: checkpoint ?? null }), pairedItem: { item: i } });
		} catch (err) {
			out.push(requestFailure(this, err, i));
		}
	}
	return [out, []];
}

export async function executeFind(this: IExecuteFunctions): Promise<Output> {
	const items = this.getInputData();
	const success: INodeExecutionData[] = [];
	const failures: INodeExecutionData[] = [];
	const key = this.getNodeParameter('matchKey', 0) as MatchKey;
	const values = items.map((_, i) => String(this.getNodeParameter('matchValue', i, '') ?? '').trim());
	const connector = await jobberConnector(this);
	let found;
	try {
		found = await connector.findClients(key, values);
	} catch (err) {
		return [[requestFailure(this, err, 0)], []];
	}
	found.forEach((f, i) => {
		if (f.error && f.error.category === 'Connection') success.push(requestFailure(this, new ConnectorError(f.error), i));
		else if (f.error) failures.push(failed(this, items[i], i, [f.error], { operation: 'find', matchKey: key, matchValue: values[i] }));
		else if (f.matches.length === 1) success.push({ json: envelopeJson(f.matches[0], { found: true, matchKey: key, matchValue: values[i] }), pairedItem: { item: i } });
		else success.push({ json: { found: false, matchKey: key, matchValue: values[i] }, pairedItem: { item: i } });
	});
	return [success, failures];
}

function customFieldsParam(ctx: IExecuteFunctions, index: number): IDataObject | undefined {
	const rows = ((ctx.getNodeParameter('customFields', index, {}) as IDataObject).field ?? []) as Array<{ name?: string; value?: unknown }>;
	const out: IDataObject = {};
	for (const row of rows) if (row.name) out[row.name] = row.value as IDataObject[keyof IDataObject];
	return Object.keys(out).length ? out : undefined;
}

/** A locator parameter that this operation may not have: '' when absent or empty. */
function optionalLocator(ctx: IExecuteFunctions, name: string, index: number): string {
	let present = true;
	try {
		present = ctx.getNodeParameter(name, index, null) !== null;
	} catch {
		present = false;
	}
	return present ? locatorId(ctx, name, index) : '';
}

/** One item → what the connector writes: fields from the item (envelope or plain) or JSON, plus node parameters. */
function writeItem(ctx: IExecuteFunctions, object: JobberObject, resource: Resource, op: WriteOp, index: number): JobberWriteItem {
	const json = ctx.getInputData()[index].json;
	const jobberEnvelope = isEnvelope(json) && json.system === 'jobber' && json.object === object;
	const source = (resource === 'invoice' ? 'json' : (ctx.getNodeParameter('fieldsSource', index, 'item') as string)) === 'json' ? parseJson(ctx, 'fieldsJson', index) : isEnvelope(json) ? json.fields : json;
	const fields: IDataObject = resource === 'invoice' ? {} : { ...source };
	// A plain item may carry what earlier nodes added around the fields.
	if (!isEnvelope(json) && resource !== 'invoice') {
		delete fields.id;
		delete fields.action;
		delete fields.checkpoint;
		delete fields.found;
		delete fields.warnings;
	}
	const custom = resource === 'client' || resource === 'quote' || resource === 'job' ? customFieldsParam(ctx, index) : undefined;
	if (custom) fields.customFields = { ...((fields.customFields as IDataObject) ?? {}), ...custom };
	// Envelopes of other systems (a Field Mapper output keeps its source identity) contribute fields only.
	for (const name of ['clientId', 'propertyId', 'jobId']) {
		const value = optionalLocator(ctx, name, index);
		if (value) fields[name] = value;
	}
	let id: string | undefined;
	if (op !== 'create') id = optionalLocator(ctx, 'recordId', index) || undefined;
	if (!id && jobberEnvelope && op !== 'create') id = json.id as string;
	return { op, id, fields, links: jobberEnvelope ? (json.links as Record<string, string | string[]>) : undefined };
}

export async function executeWrite(this: IExecuteFunctions, object: JobberObject, resource: Resource, operation: string): Promise<Output> {
	const items = this.getInputData();
	const success: INodeExecutionData[] = [];
	const failures: INodeExecutionData[] = [];
	const writes: JobberWriteItem[] = [];
	const indexes: number[] = [];
	const opts = this.getNodeParameter('options', 0, {}) as IDataObject;
	for (let i = 0; i < items.length; i++) {
		try {
			let op = (operation === 'batchWrite' ? this.getNodeParameter('writeMode', i) : operation === 'archive' || operation === 'close' ? 'delete' : operation) as WriteOp | typeof PLANNED;
			const planned = op === PLANNED;
			if (op === PLANNED) op = plannedWrite(items[i].json, { canUpsert: object === 'clients', createsAreChecked: opts.createsChecked === true });
			// A planned delete names its record in the decision (the archive of a pair's other side).
			if (op === 'delete') writes.push({ op, id: planned && items[i].json.targetId ? String(items[i].json.targetId) : locatorId(this, 'recordId', i), fields: {} });
			else writes.push(writeItem(this, object, resource, op, i));
			indexes.push(i);
		} catch (err) {
			if (err instanceof NodeOperationError && !this.continueOnFail()) throw err;
			failures.push(failed(this, items[i], i, [classifiedError('INVALID_FORMAT', { message: (err as Error).message, record: { system: 'jobber', object } })], { operation }));
		}
	}
	const options: JobberWriteOptions = {
		matchKey: (resource === 'client' && operation !== 'create' && operation !== 'archive' ? this.getNodeParameter('matchKey', 0, 'email') : 'email') as MatchKey,
		createIfMissing: opts.createIfMissing === true,
		unknownFields: (opts.unknownFields as 'error' | 'ignore') ?? 'error',
		listMode: (opts.listMode as 'merge' | 'replace') ?? 'merge',
		invoicing: { invoicingType: opts.invoicingType as string | undefined, invoicingSchedule: opts.invoicingSchedule as string | undefined },
		closeVisits: operation === 'close' ? (this.getNodeParameter('closeVisits', 0) as JobberWriteOptions['closeVisits']) : undefined,
		returnFields: (opts.returnFields as ReturnFields | undefined) ?? defaultReturnFields([operation]),
	};
	if (!writes.length) return [success, failures];
	const connector = await jobberConnector(this);
	let results;
	try {
		results = await connector.write(object, writes, options);
	} catch (err) {
		return [[requestFailure(this, err, indexes[0])], failures];
	}
	// The whole request failed for every record (token, rate limit after retries…): one error for the node.
	const allRequestLevel = results.length > 0 && results.every((r) => !r.ok && r.requestLevel);
	if (allRequestLevel) {
		const first = results[0];
		if (!first.ok) {
			if (!this.continueOnFail()) requestFailure(this, new ConnectorError(first.error), indexes[0]);
			return [results.map((r) => requestFailure(this, new ConnectorError((r as { error: ClassifiedError }).error), indexes[r.index])), failures];
		}
	}
	for (const r of results) {
		const i = indexes[r.index];
		if (r.ok) {
			success.push({ json: envelopeJson(r.record, { action: r.action, ...(r.warnings.length ? { warnings: r.warnings } : {}), ...carriedSync(items[i].json) }), pairedItem: { item: i } });
		} else {
			failures.push(failed(this, items[i], i, r.errors.length ? r.errors : [r.error], { operation, ...(r.warnings.length ? { warnings: r.warnings } : {}) }));
		}
	}
	return [success, failures];
}

export async function executeGraphql(this: IExecuteFunctions): Promise<Output> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	const connector = await jobberConnector(this);
	for (let i = 0; i < items.length; i++) {
		try {
			const query = this.getNodeParameter('query', i) as string;
			const variables = parseJson(this, 'variables', i);
			const operationName = (this.getNodeParameter('operationName', i, '') as string) || undefined;
			const res = await connector.raw(query, variables, operationName);
			if (res.errors.length && (res.data === null || res.data === undefined)) {
				throw new ConnectorError(classifyGraphqlError(res.errors[0]));
			}
			out.push({ json: { data: (res.data ?? null) as IDataObject, ...(res.errors.length ? { errors: res.errors as unknown as IDataObject[] } : {}), cost: (res.cost ?? null) as unknown as IDataObject }, pairedItem: { item: i } });
		} catch (err) {
			out.push(requestFailure(this, err, i));
		}
	}
	return [out, []];
}
