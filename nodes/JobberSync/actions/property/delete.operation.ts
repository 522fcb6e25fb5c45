import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { deleteProperties, executeWrite } from '../common';

export const description: INodeProperties[] = deleteProperties('property', 'delete');

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await executeWrite.call(this, 'properties', 'property', 'delete');
}
