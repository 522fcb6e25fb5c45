import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { classifiedError } from '../../../../errors/taxonomy';
import { failed, handleItemError, recordItem, type Outputs } from '../../helpers';
import { hubspotConnector } from '../../transport';
import { forOperations, linksOption, propertiesOption, recordIdLocator, withDisplay } from '../common.description';
import { objectAt, readOptionsAt, recordIdAt } from './shared';

const properties: INodeProperties[] = [
	recordIdLocator('recordId', 'Record', false),
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		options: [
			linksOption,
			{
				displayName: 'Look Up By Name or ID',
				name: 'idProperty',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getUniqueProperties', loadOptionsDependsOn: ['resource'] },
				default: '',
				description:
					'Read the record by a unique property (such as email) instead of its record ID. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			propertiesOption,
		],
	},
];

export const description = withDisplay(forOperations(['get']), properties);

/** One record per item; a record that does not exist goes to Failed (Field Not Found), not a crash. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], out: Outputs): Promise<void> {
	const hs = await hubspotConnector(this);
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		try {
			const object = objectAt(this, i);
			const id = recordIdAt(this, i, json);
			if (!id) {
				out.failed.push(failed(this, json, [classifiedError('REQUIRED_FIELD_MISSING', { message: 'No record ID: set Record, or send an item with an `id`', field: 'id' })], i));
				continue;
			}
			const options = this.getNodeParameter('options', i, {}) as IDataObject;
			const read = readOptionsAt(this, i);
			const record = await hs.get(object, id, { ...read, idProperty: (options.idProperty as string) || undefined });
			out.success.push(recordItem(record, i));
		} catch (err) {
			handleItemError(this, out, err, json, i);
		}
	}
}
