import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../connectors/salesforce';
import { Outputs, recordIdLocator, recordIdOf, routeWrite } from '../common';
import { sObjectFor } from '../resources';

export const description: INodeProperties[] = [recordIdLocator(['delete'], false)];

export async function execute(this: IExecuteFunctions, connector: SalesforceConnector): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out = new Outputs(this, sObjectFor(this, 0), 'delete');
	for (let i = 0; i < items.length; i++) {
		if (out.fatal) {
			out.fail(i, out.fatal);
			continue;
		}
		try {
			routeWrite(out, i, await connector.delete(sObjectFor(this, i), recordIdOf(this, i, items[i].json)));
		} catch (err) {
			out.error(i, err);
		}
	}
	return out.result();
}
