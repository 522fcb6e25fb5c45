import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { PipedriveConnector } from '../../../connectors/pipedrive';
import { localError } from '../../../connectors/pipedrive/errors';
import { perItem, recordId, recordIdParameter, type Outputs } from './common';

export const description: INodeProperties[] = [recordIdParameter(['get'], 'The record to read. Empty: the ID of the input envelope.')];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: PipedriveConnector, out: Outputs): Promise<void> {
	const resource = this.getNodeParameter('resource', 0) as string;
	for (let i = 0; i < items.length; i++) {
		await perItem(this, out, i, items[i], { operation: 'get', resource }, async () => {
			const id = recordId(this, i, items[i]);
			if (!id) throw localError('REQUIRED_FIELD_MISSING', 'No record ID: set Record or send a Pipedrive envelope', { field: 'id' });
			const record = await connector.get(resource, id);
			out.records.push({ json: record as unknown as IDataObject, pairedItem: { item: i } });
		});
	}
}
