import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { PipedriveConnector } from '../../../connectors/pipedrive';
import { fieldsParameters, recordIdParameter, writeItems, writeOptionsParameter, type Outputs } from './common';

const show = { operation: ['update'] };

export const description: INodeProperties[] = [
	recordIdParameter(['update'], 'The record to update. Empty: the ID of the input envelope (when it comes from Pipedrive).'),
	...fieldsParameters(show),
	writeOptionsParameter(show),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: PipedriveConnector, out: Outputs): Promise<void> {
	await writeItems(this, items, connector, out, 'update', 1);
}
