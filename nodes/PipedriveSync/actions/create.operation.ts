import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { PipedriveConnector } from '../../../connectors/pipedrive';
import { fieldsParameters, writeItems, writeOptionsParameter, type Outputs } from './common';

const show = { operation: ['create'] };

export const description: INodeProperties[] = [...fieldsParameters(show), writeOptionsParameter(show)];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: PipedriveConnector, out: Outputs): Promise<void> {
	await writeItems(this, items, connector, out, 'create', 1);
}
