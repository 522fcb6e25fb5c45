import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { PipedriveConnector } from '../../../connectors/pipedrive';
import { recordIdParameter, writeItems, type Outputs } from './common';

export const description: INodeProperties[] = [
	recordIdParameter(['delete'], 'The record to delete. Empty: the ID of the input envelope. Already deleted counts as done (action unchanged).'),
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: PipedriveConnector, out: Outputs): Promise<void> {
	await writeItems(this, items, connector, out, 'delete', 1);
}
