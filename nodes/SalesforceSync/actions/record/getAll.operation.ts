import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector, SoqlCondition, SoqlOperator } from '../../../../connectors/salesforce';
import { envelopeJson, fieldsOption, Outputs } from '../common';
import { sObjectFor } from '../resources';

const show = { operation: ['getAll'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		description: 'Whether to return all results or only up to a given limit',
		displayOptions: { show },
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
		displayOptions: { show: { ...show, returnAll: [false] } },
	},
	{
		displayName: 'Conditions',
		name: 'conditions',
		type: 'fixedCollection',
		placeholder: 'Add Condition',
		typeOptions: { multipleValues: true },
		default: {},
		description: 'Records must meet every condition. Values are sent as escaped literals, never as query text.',
		displayOptions: { show },
		options: [
			{
				name: 'condition',
				displayName: 'Condition',
				values: [
					{
						displayName: 'Field Name or ID',
						name: 'field',
						type: 'options',
						typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['resource', 'sObject'] },
						default: '',
						description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
					},
					{
						displayName: 'Operator',
						name: 'operator',
						type: 'options',
						options: [
							{ name: 'Contains', value: 'CONTAINS' },
							{ name: 'Equals', value: '=' },
							{ name: 'Greater Than', value: '>' },
							{ name: 'Greater Than or Equal', value: '>=' },
							{ name: 'Is Empty', value: 'isNull' },
							{ name: 'Is Not Empty', value: 'isNotNull' },
							{ name: 'Less Than', value: '<' },
							{ name: 'Less Than or Equal', value: '<=' },
							{ name: 'Not Equals', value: '!=' },
							{ name: 'One Of', value: 'IN', description: 'Comma-separated values' },
							{ name: 'Starts With', value: 'STARTS_WITH' },
						],
						default: '=',
					},
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						displayOptions: { hide: { operator: ['isNull', 'isNotNull'] } },
					},
				],
			},
		],
	},
	fieldsOption(['getAll']),
	{
		displayName: 'Options',
		name: 'getAllOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'Include Deleted',
				name: 'includeDeleted',
				type: 'boolean',
				default: false,
				description: 'Whether to include records in the recycle bin (they carry deleted: true)',
			},
			{
				displayName: 'Sort By',
				name: 'sortBy',
				type: 'string',
				default: 'Id',
				description: 'API name of the field to sort on',
			},
			{
				displayName: 'Sort Direction',
				name: 'sortDirection',
				type: 'options',
				options: [
					{ name: 'Ascending', value: 'ASC' },
					{ name: 'Descending', value: 'DESC' },
				],
				default: 'ASC',
			},
		],
	},
];

export function readConditions(raw: IDataObject): SoqlCondition[] {
	const list = ((raw.condition ?? []) as IDataObject[]).filter((c) => String(c.field ?? '').trim());
	return list.map((c) => {
		const op = String(c.operator ?? '=');
		if (op === 'isNull') return { field: String(c.field), op: '=', value: null };
		if (op === 'isNotNull') return { field: String(c.field), op: '!=', value: null };
		const value = op === 'IN' ? String(c.value ?? '').split(',').map((v) => v.trim()).filter(Boolean) : c.value;
		return { field: String(c.field), op: op as SoqlOperator, value };
	});
}

export async function execute(this: IExecuteFunctions, connector: SalesforceConnector): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out = new Outputs(this, sObjectFor(this, 0), 'getAll');
	for (let i = 0; i < items.length; i++) {
		if (out.fatal) {
			out.fail(i, out.fatal);
			continue;
		}
		try {
			const object = sObjectFor(this, i);
			const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
			const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
			const options = this.getNodeParameter('getAllOptions', i, {}) as IDataObject;
			const conditions = readConditions(this.getNodeParameter('conditions', i, {}) as IDataObject);
			for await (const page of connector.getMany(object, {
				fields: this.getNodeParameter('fields', i, []) as string[],
				conditions,
				limit,
				includeDeleted: options.includeDeleted === true,
				orderBy: [{ field: String(options.sortBy || 'Id'), direction: options.sortDirection === 'DESC' ? 'DESC' : 'ASC' }],
			})) {
				for (const record of page) out.ok(i, envelopeJson(record));
			}
		} catch (err) {
			out.error(i, err);
		}
	}
	return out.result();
}
