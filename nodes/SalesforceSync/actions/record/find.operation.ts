import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../connectors/salesforce';
import { classifiedError } from '../../../../errors/taxonomy';
import { envelopeJson, fieldsOption, Outputs } from '../common';
import { sObjectFor } from '../resources';

const show = { operation: ['find'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Match Field Name or ID',
		name: 'matchField',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['resource', 'sObject'] },
		default: '',
		required: true,
		description:
			'The match key, for example Email or an external ID field. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions: { show },
	},
	{
		displayName: 'Match Value',
		name: 'matchValue',
		type: 'string',
		default: '',
		required: true,
		description: 'Text compares case-insensitively, as in Salesforce. Quotes and backslashes match literally.',
		displayOptions: { show },
	},
	fieldsOption(['find']),
	{
		displayName: 'Options',
		name: 'findOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show },
		options: [
			{
				displayName: 'If None Match',
				name: 'noMatch',
				type: 'options',
				options: [
					{ name: 'Output Nothing', value: 'skip' },
					{ name: 'Output the Input Item', value: 'passThrough', description: 'With found: false, to branch into a create' },
				],
				default: 'skip',
			},
			{
				displayName: 'If Several Match',
				name: 'multipleMatches',
				type: 'options',
				options: [
					{ name: 'Output All', value: 'all' },
					{ name: 'Output the First', value: 'first', description: 'The oldest record (lowest ID)' },
					{ name: 'Send to Failed', value: 'fail', description: 'As Duplicate Record: the match key is not unique' },
				],
				default: 'all',
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, connector: SalesforceConnector): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out = new Outputs(this, sObjectFor(this, 0), 'find');
	// Items sharing object, match field and fields are looked up together: one call per few hundred values.
	const groups = new Map<string, { object: string; field: string; fields: string[]; indexes: number[]; values: unknown[] }>();
	for (let i = 0; i < items.length; i++) {
		try {
			const object = sObjectFor(this, i);
			const field = String(this.getNodeParameter('matchField', i)).trim();
			const fields = this.getNodeParameter('fields', i, []) as string[];
			const key = JSON.stringify([object, field, fields]);
			if (!groups.has(key)) groups.set(key, { object, field, fields, indexes: [], values: [] });
			const g = groups.get(key)!;
			g.indexes.push(i);
			g.values.push(this.getNodeParameter('matchValue', i));
		} catch (err) {
			out.error(i, err);
		}
	}
	const results = new Map<number, IDataObject[]>();
	for (const g of groups.values()) {
		if (out.fatal) {
			for (const i of g.indexes) out.fail(i, out.fatal);
			continue;
		}
		try {
			const matches = await connector.findMany(g.object, g.field, g.values, { fields: g.fields.length ? g.fields : undefined });
			g.indexes.forEach((i, k) => results.set(i, matches[k].map((m) => envelopeJson(m, { found: true }))));
		} catch (err) {
			// The lookup itself failed (unknown field, auth…): every item of the group shares the outcome.
			for (const i of g.indexes) out.error(i, err);
		}
	}
	for (let i = 0; i < items.length; i++) {
		const matches = results.get(i);
		if (!matches) continue;
		const options = this.getNodeParameter('findOptions', i, {}) as IDataObject;
		if (matches.length === 0) {
			if (options.noMatch === 'passThrough') out.ok(i, { ...items[i].json, found: false });
			continue;
		}
		if (matches.length > 1 && options.multipleMatches === 'fail') {
			const field = String(this.getNodeParameter('matchField', i));
			const value = this.getNodeParameter('matchValue', i);
			out.fail(
				i,
				classifiedError('DUPLICATE_RECORD', {
					message: `${matches.length} records match ${field} = ${JSON.stringify(value)}: ${matches.map((m) => m.id).join(', ')}`,
					field,
					value,
					record: { system: 'salesforce', object: String(matches[0].object) },
				}),
			);
			continue;
		}
		for (const m of options.multipleMatches === 'first' ? matches.slice(0, 1) : matches) out.ok(i, m);
	}
	return out.result();
}
