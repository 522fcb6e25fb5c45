import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { executeWrite, writeProperties } from '../common';

export const description: INodeProperties[] = writeProperties('property', ['update']);

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await executeWrite.call(this, 'properties', 'property', 'update');
}
