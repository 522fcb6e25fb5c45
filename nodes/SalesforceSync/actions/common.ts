/**
 * What every operation shares: reading record fields and ids from items (envelope or plain object),
 * the Records / Failed outputs, and the one rule for errors: a record's own failure goes to Failed, a
 * whole-request failure (auth, spent allocation, permission, missing object) stops the node unless
 * "On Error: Continue", and then parks every remaining item on Failed with that error.
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
import { ConnectorError } from '../../../connectors/core/errors';
import type { RecordEnvelope, WriteResult } from '../../../connectors/core/types';
import { isFatal, SoqlInputError } from '../../../connectors/salesforce';
import { classifiedError, type ClassifiedError } from '../../../errors/taxonomy';
import { carriedSync, failedItem, fieldsOf, isEnvelope } from '../../shared/records';

export type Operation = 'batchWrite' | 'create' | 'delete' | 'find' | 'get' | 'getAll' | 'getChanges' | 'update' | 'upsert';

/** Keys this node adds next to an envelope; never sent back to Salesforce as fields. */
const ANNOTATIONS = new Set(['action', 'checkpoint', 'cursor', 'found', 'failed']);

// ------------------------------------------------------------------ shared parameters

export const fieldsOption = (operations: Operation[]): INodeProperties => ({
	displayName: 'Fields to Read',
	name: 'fields',
	type: 'multiOptions',
	typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['resource', 'sObject'] },
	default: [],
	description:
		'Fields to return. Empty returns every field of the object (compound address fields excepted). Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	displayOptions: { show: { operation: operations } },
});

export const recordIdLocator = (operations: Operation[], required: boolean): INodeProperties => ({
	displayName: 'Record',
	name: 'recordId',
	type: 'resourceLocator',
	default: { mode: 'id', value: '' },
	required,
	description: required ? 'The record to read' : "The record to change. Empty uses the input item's Salesforce ID (envelope id or Id field).",
	displayOptions: { show: { operation: operations } },
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a record…',
			typeOptions: { searchListMethod: 'searchRecords', searchable: true },
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: '003ak00000OQTieAAH',
			validation: [{ type: 'regex', properties: { regex: '^([a-zA-Z0-9]{15}|[a-zA-Z0-9]{18})?$', errorMessage: 'A Salesforce ID has 15 or 18 letters and digits' } }],
		},
		{
			displayName: 'By URL',
			name: 'url',
			type: 'string',
			placeholder: 'https://acme.lightning.force.com/lightning/r/Contact/003ak00000OQTieAAH/view',
			extractValue: { type: 'regex', regex: '/([a-zA-Z0-9]{18}|[a-zA-Z0-9]{15})(?:/view)?/?(?:[?#].*)?$' },
		},
	],
});

export const fieldsSource = (operations: Operation[]): INodeProperties[] => [
	{
		displayName: 'Fields to Send',
		name: 'fieldsSource',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Use Input Fields',
				value: 'input',
				description: "The item's fields as they are: an envelope's `fields`, or the whole item (Salesforce API names)",
			},
			{ name: 'Define Below', value: 'define', description: 'Map each Salesforce field to a value' },
		],
		default: 'input',
		displayOptions: { show: { operation: operations } },
	},
	{
		displayName: 'Fields',
		name: 'fieldValues',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn: ['resource', 'sObject', 'operation', 'batchOperation'],
			resourceMapper: {
				resourceMapperMethod: 'getMappingColumns',
				mode: 'map',
				fieldWords: { singular: 'field', plural: 'fields' },
				addAllFields: false,
				supportAutoMap: false,
				noFieldsError: 'No writable fields found on this object',
			},
		},
		displayOptions: { show: { operation: operations, fieldsSource: ['define'] } },
	},
];

export const writeOptions = (operations: Operation[], extra: INodeProperties[] = []): INodeProperties => ({
	displayName: 'Options',
	name: 'writeOptions',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	displayOptions: { show: { operation: operations } },
	options: [
		...extra,
		{
			displayName: 'Ignore Read-Only Fields',
			name: 'dropReadOnly',
			type: 'boolean',
			default: true,
			description:
				'Whether to leave out fields this org does not let you write (system stamps, formulas, compound names), so a record read from Salesforce can be written back as it is. Unknown fields are still reported.',
		},
		{
			displayName: 'Return Full Record',
			name: 'readBack',
			type: 'boolean',
			default: false,
			description: "Whether to read every written record back (one more call per 200 records) so the output holds Salesforce's own values and exact modified time",
		},
		{
			displayName: 'Save Despite Duplicate Alerts',
			name: 'allowDuplicateSave',
			type: 'boolean',
			default: false,
			description: 'Whether to save records that a duplicate rule only warns about (rules that block still block)',
		},
	],
});

// ------------------------------------------------------------------ reading items

/** Field values of an item for a write: from the item (envelope-aware) or the mapper. */
export function inputFields(ctx: IExecuteFunctions, i: number, json: IDataObject): Record<string, unknown> {
	const source = ctx.getNodeParameter('fieldsSource', i, 'input') as string;
	if (source === 'define') {
		const mapped = ctx.getNodeParameter('fieldValues.value', i, {}) as IDataObject | null;
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(mapped ?? {})) if (v !== undefined) out[k] = v;
		return out;
	}
	const fields = fieldsOf(json);
	if (isEnvelope(json)) return { ...fields };
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(fields)) if (!ANNOTATIONS.has(k)) out[k] = v;
	return out;
}

/** The Salesforce id an item refers to: the parameter, else a Salesforce envelope's id, else its Id field. */
export function recordIdOf(ctx: IExecuteFunctions, i: number, json: IDataObject): string {
	let param = '';
	try {
		param = String(ctx.getNodeParameter('recordId', i, '', { extractValue: true }) ?? '');
	} catch {
		// Not shown for this operation (Batch Write): n8n refuses to read a hidden parameter; the item names the id.
	}
	if (param.trim()) return param.trim();
	// A Sync Ledger decision names the record to update as targetId.
	if (typeof json.targetId === 'string' && json.targetId) return json.targetId;
	if (isEnvelope(json) && json.system === 'salesforce' && json.id) return String(json.id);
	const fields = fieldsOf(json);
	const key = Object.keys(fields).find((k) => k.toLowerCase() === 'id');
	return key && fields[key] ? String(fields[key]) : '';
}

// ------------------------------------------------------------------ outputs and errors

export function envelopeJson(record: RecordEnvelope, extra: IDataObject = {}): IDataObject {
	return { ...(record as unknown as IDataObject), ...extra };
}

export function writeJson(result: Extract<WriteResult, { ok: true }>): IDataObject {
	return envelopeJson(result.record, { action: result.action });
}

/** A thrown error of any kind → a classified error (connector errors keep theirs). */
export function classify(err: unknown, object: string): ClassifiedError {
	if (err instanceof ConnectorError) return err.classified;
	const message = err instanceof Error ? err.message : String(err);
	const value = err instanceof SoqlInputError ? err.value : undefined;
	return classifiedError('INVALID_FORMAT', { message, value, record: { system: 'salesforce', object } });
}

export class Outputs {
	readonly records: INodeExecutionData[] = [];
	readonly failed: INodeExecutionData[] = [];
	/** Set once a whole-request failure happened under "continue": later items are parked without calls. */
	fatal: ClassifiedError | undefined;
	private readonly nodeName: string;

	constructor(
		private readonly ctx: IExecuteFunctions,
		private readonly object: string,
		private readonly operation: Operation,
	) {
		this.nodeName = ctx.getNode().name;
	}

	ok(i: number, json: IDataObject): void {
		this.records.push({ json, pairedItem: { item: i } });
	}

	/** A written record, with the Sync Ledger context its input carried. */
	wrote(i: number, result: Extract<WriteResult, { ok: true }>): void {
		this.ok(i, { ...writeJson(result), ...carriedSync(this.ctx.getInputData()[i]?.json) });
	}

	/** A record that failed on its own: the Failed output, with the one failed-item shape of this package. */
	fail(i: number, error: ClassifiedError): void {
		const json = this.ctx.getInputData()[i]?.json ?? {};
		this.failed.push({ json: failedItem('salesforce', this.nodeName, json, [error], { operation: this.operation, object: this.object }), pairedItem: { item: i } });
	}

	/**
	 * Routes an error for item i. Record-level errors go to Failed. Whole-request errors throw (with the
	 * item index) unless the node continues on fail; then this and every later item is parked on Failed.
	 */
	error(i: number, err: unknown): void {
		if (!(err instanceof ConnectorError) && !(err instanceof SoqlInputError)) {
			const message = err instanceof Error ? err.message : String(err);
			if (!this.ctx.continueOnFail()) throw new NodeOperationError(this.ctx.getNode(), message, { itemIndex: i });
			this.fail(i, classify(err, this.object));
			return;
		}
		const classified = classify(err, this.object);
		if (!isFatal(classified)) {
			this.fail(i, classified);
			return;
		}
		this.stop(i, classified);
	}

	/** A whole-request failure for item i (already classified). */
	stop(i: number, classified: ClassifiedError): void {
		if (!this.ctx.continueOnFail()) throw apiError(this.ctx, classified, i);
		this.fatal = classified;
		this.fail(i, classified);
	}

	result(): INodeExecutionData[][] {
		return [this.records, this.failed];
	}
}

export function apiError(ctx: IExecuteFunctions, e: ClassifiedError, itemIndex: number): NodeApiError {
	return new NodeApiError(ctx.getNode(), e as unknown as JsonObject, {
		itemIndex,
		message: `${e.error}: ${e.message}`,
		description: e.suggestedFix,
		httpCode: e.vendor?.status ? String(e.vendor.status) : undefined,
	});
}

/** The write-result routing shared by single and batch writes. */
export function routeWrite(out: Outputs, i: number, result: WriteResult): void {
	if (result.ok) out.wrote(i, result);
	else if (isFatal(result.error)) out.stop(i, result.error);
	else out.fail(i, result.error);
}
