import {
	NodeOperationError,
	UserError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { compileMapping, getPreset, PRESETS, suggestPairs, type CompiledMapping, type FieldPair, type Flow, type MappingSpec } from '../../sync/mapping';
import { TRANSFORM_NAMES } from '../../transforms/types';
import { failedItem, fieldsOf, isEnvelope, withFields } from '../shared/records';

interface PairParams {
	source?: string;
	target?: string;
	transform?: string;
	reverseTransform?: string;
	required?: boolean;
	defaultType?: 'none' | 'text' | 'empty' | 'json';
	defaultValue?: string;
	direction?: FieldPair['direction'];
	skipInvalid?: boolean;
}

export class FieldMapper implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'FluxCascade Field Mapper',
		name: 'fieldMapper',
		icon: 'file:fieldMapper.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] === "suggest" ? "Suggest pairs" : $parameter["mappingSource"]}}',
		description: 'Map records between systems: field pairs with transforms, required fields, defaults and per-field direction',
		defaults: { name: 'Field Mapper' },
		inputs: ['main'],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- two outputs: Valid and Invalid
		outputs: ['main', 'main'],
		outputNames: ['Valid', 'Invalid'],
		usableAsTool: true,
		properties: [
			{
				displayName: 'Operation',
				name: 'operation',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Map Records', value: 'map', action: 'Map records', description: 'Apply a mapping to every item' },
					{ name: 'Suggest Field Pairs', value: 'suggest', action: 'Suggest field pairs', description: 'Propose pairs from field names' },
				],
				default: 'map',
			},
			{
				displayName: 'Mapping Source',
				name: 'mappingSource',
				type: 'options',
				noDataExpression: true,
				displayOptions: { show: { operation: ['map'] } },
				options: [
					{ name: 'Preset', value: 'preset', description: 'A ready mapping from the FluxCascade guides' },
					{ name: 'Field Pairs', value: 'pairs', description: 'Define pairs in this node' },
					{ name: 'JSON', value: 'json', description: 'A whole mapping as JSON (for example from Suggest Field Pairs)' },
				],
				default: 'preset',
			},
			{
				displayName: 'Preset',
				name: 'preset',
				type: 'options',
				displayOptions: { show: { operation: ['map'], mappingSource: ['preset'] } },
				options: PRESETS.map((p) => ({ name: p.name, value: p.id, description: p.description })),
				default: 'hubspot_contact_to_jobber_client',
			},
			{
				displayName: 'Mapping Direction',
				name: 'mappingDirection',
				type: 'options',
				displayOptions: { show: { operation: ['map'], mappingSource: ['pairs'] } },
				options: [
					{ name: 'Source to Target', value: 'source_to_target' },
					{ name: 'Target to Source', value: 'target_to_source' },
					{ name: 'Bidirectional', value: 'bidirectional' },
				],
				default: 'source_to_target',
			},
			{
				displayName: 'Field Pairs',
				name: 'pairs',
				type: 'fixedCollection',
				placeholder: 'Add Field Pair',
				typeOptions: { multipleValues: true, sortable: true },
				displayOptions: { show: { operation: ['map'], mappingSource: ['pairs'] } },
				default: {},
				options: [
					{
						name: 'pair',
						displayName: 'Pair',
						values: [
							{
								displayName: 'Default',
								name: 'defaultType',
								type: 'options',
								default: 'none',
								options: [
									{ name: 'None', value: 'none' },
									{ name: 'Text', value: 'text' },
									{ name: 'Empty String', value: 'empty', description: 'Send "" instead of null' },
									{ name: 'JSON Value', value: 'json', description: 'A number, boolean, array or object' },
								],
								description: 'Value used when the field is missing or empty after the transforms',
							},
							{
								displayName: 'Default Value',
								name: 'defaultValue',
								type: 'string',
								default: '',
								displayOptions: { show: { defaultType: ['text', 'json'] } },
							},
							{
								displayName: 'Direction',
								name: 'direction',
								type: 'options',
								default: 'bidirectional',
								options: [
									{ name: 'Bidirectional', value: 'bidirectional' },
									{ name: 'Source Only', value: 'source_only', description: 'Flows source → target only' },
									{ name: 'Target Only', value: 'target_only', description: 'Flows target → source only' },
								],
							},
							{
								displayName: 'Required',
								name: 'required',
								type: 'boolean',
								default: false,
								description: 'Whether a record without a value here is invalid (Required Field Missing)',
							},
							{
								displayName: 'Reverse Transforms',
								name: 'reverseTransform',
								type: 'string',
								default: '',
								placeholder: 'trim | truncate(maxLength=40)',
								description:
									'Chain for the way back (target → source) of a bidirectional pair; by default the same chain when it is safe to reuse',
							},
							{
								displayName: 'Skip Invalid',
								name: 'skipInvalid',
								type: 'boolean',
								default: false,
								description:
									'Whether to drop a value that fails its transforms and keep syncing the record (the drop is listed in its warnings)',
							},
							{
								displayName: 'Source Field',
								name: 'source',
								type: 'string',
								default: '',
								placeholder: 'billing_address.postal_code',
								description:
									'Path in the source record; join several with " + " for many-to-one (firstname + lastname). Leave empty for a constant (then set a default).',
							},
							{
								displayName: 'Target Field',
								name: 'target',
								type: 'string',
								default: '',
								required: true,
								placeholder: 'emails[0].address',
								description:
									'Path in the target record. For one-to-many, list output keys and paths: firstName=first_name, lastName=last_name.',
							},
							{
								displayName: 'Transforms',
								name: 'transform',
								type: 'string',
								default: '',
								placeholder: 'trim | phone_e164(defaultCountry=CA)',
								description: `Chain applied in the pair's flow direction, steps separated by "|". Transforms: ${TRANSFORM_NAMES.join(', ')}.`,
							},
						],
					},
				],
			},
			{
				displayName: 'Mapping (JSON)',
				name: 'mappingJson',
				type: 'json',
				displayOptions: { show: { operation: ['map'], mappingSource: ['json'] } },
				default: '{\n  "direction": "source_to_target",\n  "pairs": [\n    { "source": "email", "target": "emails[0].address", "transform": "email_validate", "required": true }\n  ]\n}',
			},
			{
				displayName: 'Flow',
				name: 'flow',
				type: 'options',
				displayOptions: { show: { operation: ['map'] } },
				options: [
					{ name: 'Source → Target', value: 'forward' },
					{ name: 'Target → Source', value: 'reverse', description: 'For records of the target system in a bidirectional mapping' },
				],
				default: 'forward',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				displayOptions: { show: { operation: ['map'] } },
				default: {},
				options: [
					{
						displayName: 'Keep Unmapped Fields',
						name: 'keepUnmapped',
						type: 'boolean',
						default: false,
						description: 'Whether to keep the fields no pair reads, next to the mapped ones',
					},
				],
			},
			{
				displayName: 'Source Fields',
				name: 'sourceFields',
				type: 'string',
				displayOptions: { show: { operation: ['suggest'] } },
				default: '',
				placeholder: 'firstname, lastname, email, phone',
				description: 'Comma-separated field names of the source; empty takes the fields of the first input item',
			},
			{
				displayName: 'Target Fields',
				name: 'targetFields',
				type: 'string',
				displayOptions: { show: { operation: ['suggest'] } },
				default: '',
				required: true,
				placeholder: 'firstName, lastName, emails[0].address, phones[0].number',
				description: 'Comma-separated field names (paths) of the target',
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		if ((this.getNodeParameter('operation', 0) as string) === 'suggest') return [suggest.call(this, items), []];

		const valid: INodeExecutionData[] = [];
		const invalid: INodeExecutionData[] = [];
		const nodeName = this.getNode().name;
		const cache = new Map<string, CompiledMapping>();
		for (let i = 0; i < items.length; i++) {
			const json = items[i].json;
			let mapping: CompiledMapping;
			try {
				const spec = readMapping.call(this, i);
				const key = JSON.stringify(spec);
				mapping = cache.get(key) ?? compileMapping(spec);
				cache.set(key, mapping);
			} catch (err) {
				const error = new NodeOperationError(this.getNode(), (err as Error).message, {
					itemIndex: i,
					description: 'The mapping itself needs fixing (the message names the pair); no record was mapped with it.',
				});
				if (this.continueOnFail()) {
					valid.push({ json: { error: error.message }, pairedItem: { item: i } });
					continue;
				}
				throw error;
			}
			const flow = this.getNodeParameter('flow', i, 'forward') as Flow;
			const keepUnmapped = this.getNodeParameter('options.keepUnmapped', i, false) as boolean;
			const source = fieldsOf(json);
			const result = mapping.apply(source, flow);
			if (!result.valid) {
				invalid.push({
					json: failedItem('mapping', nodeName, json, result.errors, { mapping: mapping.spec.name ?? null, flow, mapped: result.fields as IDataObject }),
					pairedItem: { item: i },
				});
				continue;
			}
			const fields = (keepUnmapped ? { ...source, ...result.fields } : result.fields) as IDataObject;
			const extra: IDataObject = result.warnings.length
				? { [isEnvelope(json) ? 'warnings' : '_warnings']: result.warnings as unknown as IDataObject[] }
				: {};
			valid.push({ json: withFields(json, fields, extra), pairedItem: { item: i } });
		}
		return [valid, invalid];
	}
}

function readMapping(this: IExecuteFunctions, i: number): MappingSpec {
	const source = this.getNodeParameter('mappingSource', i) as string;
	if (source === 'preset') return getPreset(this.getNodeParameter('preset', i) as string).mapping;
	if (source === 'json') {
		const raw = this.getNodeParameter('mappingJson', i) as string | IDataObject;
		if (typeof raw !== 'string') return raw as unknown as MappingSpec;
		try {
			return JSON.parse(raw) as MappingSpec;
		} catch (err) {
			throw new UserError(`Mapping (JSON) is not valid JSON: ${(err as Error).message}`);
		}
	}
	const params = ((this.getNodeParameter('pairs', i, {}) as IDataObject).pair ?? []) as PairParams[];
	return {
		direction: this.getNodeParameter('mappingDirection', i) as MappingSpec['direction'],
		pairs: params.map((p, index) => toPair(p, index)),
	};
}

/** Turns one row of the Field Pairs form into a FieldPair of the mapping spec. */
function toPair(p: PairParams, index: number): FieldPair {
	const pair: FieldPair = {};
	const sources = String(p.source ?? '')
		.split(' + ')
		.map((s) => s.trim())
		.filter(Boolean);
	if (sources.length === 1) pair.source = sources[0];
	else if (sources.length > 1) pair.source = sources;
	const target = String(p.target ?? '').trim();
	if (/^[^=,]+=[^=]+(,\s*[^=,]+=[^=]+)*$/.test(target)) {
		pair.targets = Object.fromEntries(target.split(',').map((part) => part.split('=').map((s) => s.trim()) as [string, string]));
	} else if (target) pair.target = target;
	if (p.transform?.trim()) pair.transform = p.transform.trim();
	if (p.reverseTransform?.trim()) pair.reverseTransform = p.reverseTransform.trim();
	if (p.required) pair.required = true;
	if (p.skipInvalid) pair.skipInvalid = true;
	if (p.direction) pair.direction = p.direction;
	switch (p.defaultType) {
		case 'text':
			pair.default = p.defaultValue ?? '';
			break;
		case 'empty':
			pair.default = '';
			break;
		case 'json':
			try {
				pair.default = JSON.parse(p.defaultValue ?? '');
			} catch {
				throw new UserError(`Field pair #${index + 1}: Default Value ${JSON.stringify(p.defaultValue)} is not valid JSON`);
			}
			break;
	}
	return pair;
}

function suggest(this: IExecuteFunctions, items: INodeExecutionData[]): INodeExecutionData[] {
	const list = (s: string) =>
		s
			.split(',')
			.map((x) => x.trim())
			.filter(Boolean);
	let sourceFields = list(this.getNodeParameter('sourceFields', 0, '') as string);
	if (sourceFields.length === 0 && items.length > 0) sourceFields = Object.keys(fieldsOf(items[0].json));
	const targetFields = list(this.getNodeParameter('targetFields', 0) as string);
	if (sourceFields.length === 0) {
		throw new NodeOperationError(this.getNode(), 'No source fields: list them in Source Fields or send an item whose fields can be read', { itemIndex: 0 });
	}
	const suggestions = suggestPairs(sourceFields, targetFields);
	const mapping: MappingSpec = {
		direction: 'source_to_target',
		pairs: suggestions.map((s) => ({ source: s.source, target: s.target, ...(s.transform ? { transform: s.transform } : {}) })),
	};
	const unmatchedSources = sourceFields.filter((f) => !suggestions.some((s) => s.source === f));
	const unmatchedTargets = targetFields.filter((f) => !suggestions.some((s) => s.target === f));
	return [
		{
			json: { suggestions: suggestions as unknown as IDataObject[], mapping: mapping as unknown as IDataObject, unmatchedSources, unmatchedTargets },
			pairedItem: items.map((_, item) => ({ item })),
		},
	];
}
