import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { executeGetChanges, getChangesProperties } from '../common';

export const description: INodeProperties[] = getChangesProperties('job');

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await executeGetChanges.call(this, 'jobs');
}
