import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { executeGetMany, getManyProperties } from '../common';

export const description: INodeProperties[] = getManyProperties('job');

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await executeGetMany.call(this, 'jobs');
}
