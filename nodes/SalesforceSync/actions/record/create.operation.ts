import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../connectors/salesforce';
import { fieldsSource, Outputs, routeWrite, writeOptions } from '../common';
import { sObjectFor } from '../resources';
import { writeParams } from './write';

export const description: INodeProperties[] = [...fieldsSource(['create']), writeOptions(['create'])];

export async function execute(this: IExecuteFunctions, connector: SalesforceConnector): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out = new Outputs(this, sObjectFor(this, 0), 'create');
	for (let i = 0; i < items.length; i++) {
		if (out.fatal) {
			out.fail(i, out.fatal);
			continue;
		}
		try {
			const object = sObjectFor(this, i);
			const { fields, options } = await writeParams(this, connector, i, object, 'create');
			routeWrite(out, i, await connector.create(object, fields, options));
		} catch (err) {
			out.error(i, err);
		}
	}
	return out.result();
}
