import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../connectors/salesforce';
import { envelopeJson, fieldsOption, Outputs, recordIdLocator, recordIdOf } from '../common';
import { sObjectFor } from '../resources';

export const description: INodeProperties[] = [recordIdLocator(['get'], true), fieldsOption(['get'])];

export async function execute(this: IExecuteFunctions, connector: SalesforceConnector): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out = new Outputs(this, sObjectFor(this, 0), 'get');
	for (let i = 0; i < items.length; i++) {
		if (out.fatal) {
			out.fail(i, out.fatal);
			continue;
		}
		try {
			const fields = this.getNodeParameter('fields', i, []) as string[];
			const record = await connector.get(sObjectFor(this, i), recordIdOf(this, i, items[i].json), { fields });
			out.ok(i, envelopeJson(record));
		} catch (err) {
			out.error(i, err);
		}
	}
	return out.result();
}
