import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { executeGet, getProperties } from '../common';

export const description: INodeProperties[] = getProperties('request');

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await executeGet.call(this, 'requests');
}
