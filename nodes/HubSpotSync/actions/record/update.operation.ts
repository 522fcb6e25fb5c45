import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { handleItemError, routeWrite, type Outputs } from '../../helpers';
import { hubspotConnector } from '../../transport';
import { fieldsMapper, fieldsSource, forOperations, recordIdLocator, setValues, withDisplay } from '../common.description';
import { fieldsAt, objectAt, recordIdAt } from './shared';

const properties: INodeProperties[] = [
	recordIdLocator('recordId', 'Record', false),
	fieldsSource,
	fieldsMapper('update'),
	setValues,
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			{
				displayName: 'Create If Missing',
				name: 'createIfMissing',
				type: 'boolean',
				default: false,
				description: 'Whether a record that no longer exists in HubSpot is created instead',
			},
			{
				displayName: 'Look Up By Name or ID',
				name: 'idProperty',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getUniqueProperties', loadOptionsDependsOn: ['resource'] },
				default: '',
				description:
					'Find the record by a unique property (such as email) given in Record, instead of its record ID. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
		],
	},
];

export const description = withDisplay(forOperations(['update']), properties);

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], out: Outputs): Promise<void> {
	const hs = await hubspotConnector(this);
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		try {
			const object = objectAt(this, i);
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			const id = recordIdAt(this, i, json);
			const result = await hs.update(object, id, fieldsAt(this, i, json), { idProperty: (options.idProperty as string) || undefined, createIfMissing: options.createIfMissing === true });
			routeWrite(this, out, result, json, i, { operation: 'update', object });
		} catch (err) {
			handleItemError(this, out, err, json, i);
		}
	}
}
