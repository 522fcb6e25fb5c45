import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { handleItemError, routeWrite, type Outputs } from '../../helpers';
import { hubspotConnector } from '../../transport';
import { forOperations, recordIdLocator, withDisplay } from '../common.description';
import { objectAt, recordIdAt } from './shared';

const properties: INodeProperties[] = [recordIdLocator('recordId', 'Record', false)];

export const description = withDisplay(forOperations(['delete']), properties);

/** Archives the record (HubSpot's delete); deleting one that is already gone succeeds. */
export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], out: Outputs): Promise<void> {
	const hs = await hubspotConnector(this);
	for (let i = 0; i < items.length; i++) {
		const json = items[i].json;
		try {
			const object = objectAt(this, i);
			routeWrite(this, out, await hs.delete(object, recordIdAt(this, i, json)), json, i, { operation: 'delete', object });
		} catch (err) {
			handleItemError(this, out, err, json, i);
		}
	}
}
