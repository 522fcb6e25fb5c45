import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { SalesforceConnector } from '../../../../connectors/salesforce';
import { fieldsSource, Outputs, routeWrite, writeOptions } from '../common';
import { sObjectFor } from '../resources';
import { writeParams } from './write';

export const externalIdField = (operations: string[], extra: Record<string, string[]> = {}): INodeProperties => ({
	displayName: 'External ID Field Name or ID',
	name: 'externalIdField',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getExternalIdFields', loadOptionsDependsOn: ['resource', 'sObject'] },
	default: '',
	required: true,
	description:
		'The field flagged External ID in Salesforce that identifies the record (ideally also Unique). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
	displayOptions: { show: { operation: operations, ...extra } },
});

export const description: INodeProperties[] = [
	externalIdField(['upsert']),
	{
		displayName: 'External ID Value',
		name: 'externalIdValue',
		type: 'string',
		default: '',
		description: 'The key to match on. Empty takes it from the fields being sent.',
		displayOptions: { show: { operation: ['upsert'] } },
	},
	...fieldsSource(['upsert']),
	writeOptions(['upsert']),
];

export async function execute(this: IExecuteFunctions, connector: SalesforceConnector): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out = new Outputs(this, sObjectFor(this, 0), 'upsert');
	for (let i = 0; i < items.length; i++) {
		if (out.fatal) {
			out.fail(i, out.fatal);
			continue;
		}
		try {
			const object = sObjectFor(this, i);
			const field = String(this.getNodeParameter('externalIdField', i)).trim();
			const { fields, options } = await writeParams(this, connector, i, object, 'upsert');
			let value = String(this.getNodeParameter('externalIdValue', i, '') ?? '').trim();
			if (!value) {
				const key = Object.keys(fields).find((k) => k.toLowerCase() === field.toLowerCase());
				value = key !== undefined && fields[key] !== null && fields[key] !== undefined ? String(fields[key]) : '';
			}
			routeWrite(out, i, await connector.upsert(object, field, value, fields, options));
		} catch (err) {
			out.error(i, err);
		}
	}
	return out.result();
}
