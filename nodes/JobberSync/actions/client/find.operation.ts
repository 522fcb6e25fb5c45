import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { executeFind, findProperties } from '../common';

export const description: INodeProperties[] = findProperties();

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await executeFind.call(this);
}
