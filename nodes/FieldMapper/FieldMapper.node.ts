import {
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { compileMapping, suggestPairs, type Flow, type MappingSpec } from '../../sync/mapping';
import { itemConfig } from '../shared/itemConfig';
import { mappingProperties, readMapping } from '../shared/mappingParams';
import { failedItem, fieldsOf, isEnvelope, withFields } from '../shared/records';

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
			...mappingProperties({ operation: ['map'] }),
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
		const mappingFor = itemConfig(
			this,
			(i) => readMapping.call(this, i),
			compileMapping,
			'The mapping itself needs fixing (the message names the pair); no record was mapped with it.',
		);
		for (let i = 0; i < items.length; i++) {
			const json = items[i].json;
			const config = mappingFor(i);
			if ('errorItem' in config) {
				valid.push(config.errorItem);
				continue;
			}
			const mapping = config.value;
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
			const fields = (keepUnmapped ? { ...mapping.unmapped(source, flow), ...result.fields } : result.fields) as IDataObject;
			const extra: IDataObject = result.warnings.length
				? { [isEnvelope(json) ? 'warnings' : '_warnings']: result.warnings as unknown as IDataObject[] }
				: {};
			valid.push({ json: withFields(json, fields, extra), pairedItem: { item: i } });
		}
		return [valid, invalid];
	}
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
