import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { classifiedError } from '../../../../errors/taxonomy';
import { failed, handleItemError, recordItem, type Outputs } from '../../helpers';
import { hubspotConnector } from '../../transport';
import { forOperations, linksOption, propertiesOption, withDisplay } from '../common.description';
import { objectAt, readOptionsAt } from './shared';

const properties: INodeProperties[] = [
	{
		displayName: 'Match Key Name or ID',
		name: 'matchKey',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getProperties', loadOptionsDependsOn: ['resource'] },
		default: 'email',
		description:
			'The property to match on (email, an external ID, phone…); emails are compared lower-cased. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	},
	{
		displayName: 'Value',
		name: 'value',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.fields.email }}',
		description: "The value to find. Empty uses the input item's value of the match key.",
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			linksOption,
			{
				displayName: 'Max Matches',
				name: 'maxMatches',
				type: 'number',
				typeOptions: { minValue: 1, maxValue: 200 },
				default: 10,
				description: 'Max number of matching records to return per item',
			},
			{
				displayName: 'Output Not Found',
				name: 'outputNotFound',
				type: 'boolean',
				default: false,
				description: 'Whether to output an item with `found: false` when nothing matches (otherwise the item produces no output)',
			},
			propertiesOption,
		],
	},
];

export const description = withDisplay(forOperations(['find']), properties);

/**
 * Records whose match key equals the value. HubSpot's search sees writes a few seconds late, so a record
 * created moments ago may not be found yet (its create then answers Duplicate Record with the existing id).
 */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], out: Outputs): Promise<void> {
	const hs = await hubspotConnector(this);
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		try {
			const object = objectAt(this, i);
			const matchKey = this.getNodeParameter('matchKey', i) as string;
			let value: unknown = this.getNodeParameter('value', i, '');
			if (value === '' || value === undefined || value === null) {
				const fields = (json.fields as IDataObject | undefined) ?? json;
				value = fields[matchKey];
			}
			if (value === '' || value === undefined || value === null) {
				out.failed.push(failed(this, json, [classifiedError('REQUIRED_FIELD_MISSING', { message: `No value for the match key "${matchKey}"`, field: matchKey })], i));
				continue;
			}
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			const found = await hs.find(object, matchKey, value, { ...readOptionsAt(this, i), limit: Number(options.maxMatches ?? 10) });
			for (const record of found) out.success.push(recordItem(record, i, { found: true, matchKey }));
			if (!found.length && options.outputNotFound) out.success.push({ json: { system: 'hubspot', object, found: false, matchKey, value: value as string }, pairedItem: { item: i } });
		} catch (err) {
			handleItemError(this, out, err, json, i);
		}
	}
}
