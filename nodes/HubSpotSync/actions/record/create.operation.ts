import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { handleItemError, routeWrite, type Outputs } from '../../helpers';
import { hubspotConnector } from '../../transport';
import { fieldsMapper, fieldsSource, forOperations, setValues, withDisplay } from '../common.description';
import { fieldsAt, objectAt } from './shared';

const properties: INodeProperties[] = [fieldsSource, fieldsMapper('add'), setValues];

export const description = withDisplay(forOperations(['create']), properties);

/** One record per item. A contact whose email exists goes to Failed as Duplicate Record with `existingId`. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], out: Outputs): Promise<void> {
	const hs = await hubspotConnector(this);
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		try {
			const object = objectAt(this, i);
			routeWrite(this, out, await hs.create(object, fieldsAt(this, i, json)), json, i, { operation: 'create', object });
		} catch (err) {
			handleItemError(this, out, err, json, i);
		}
	}
}
