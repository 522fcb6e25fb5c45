import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../connectors/salesforce';
import { fieldsSource, Outputs, recordIdLocator, recordIdOf, routeWrite, writeOptions } from '../common';
import { sObjectFor } from '../resources';
import { writeParams } from './write';

export const description: INodeProperties[] = [
	recordIdLocator(['update'], false),
	...fieldsSource(['update']),
	writeOptions(
		['update'],
		[
			{
				displayName: 'Create If Missing',
				name: 'createIfMissing',
				type: 'boolean',
				default: false,
				description: 'Whether to create the record when the one to update was deleted or never existed',
			},
		],
	),
];

export async function execute(this: IExecuteFunctions, connector: SalesforceConnector): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out = new Outputs(this, sObjectFor(this, 0), 'update');
	for (let i = 0; i < items.length; i++) {
		if (out.fatal) {
			out.fail(i, out.fatal);
			continue;
		}
		try {
			const object = sObjectFor(this, i);
			const { fields, options } = await writeParams(this, connector, i, object, 'update');
			routeWrite(out, i, await connector.update(object, recordIdOf(this, i, items[i].json), fields, options));
		} catch (err) {
			out.error(i, err);
		}
	}
	return out.result();
}
