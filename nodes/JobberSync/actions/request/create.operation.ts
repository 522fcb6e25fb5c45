import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { executeWrite, writeProperties } from '../common';

export const description: INodeProperties[] = writeProperties('request', ['create']);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await executeWrite.call(this, 'requests', 'request', 'create');
}
