import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { PipedriveConnector } from '../../../connectors/pipedrive';
import { fieldsParameters, matchKeyParameters, writeItems, writeOptionsParameter, type Outputs } from './common';

const show = { operation: ['upsert'] };

export const description: INodeProperties[] = [...matchKeyParameters(show), ...fieldsParameters(show), writeOptionsParameter(show)];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: PipedriveConnector, out: Outputs): Promise<void> {
	await writeItems(this, items, connector, out, 'upsert', 1);
}
