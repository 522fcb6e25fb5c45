import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { deleteProperties, executeWrite } from '../common';

export const description: INodeProperties[] = deleteProperties('request', 'archive');

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await executeWrite.call(this, 'requests', 'request', 'archive');
}
