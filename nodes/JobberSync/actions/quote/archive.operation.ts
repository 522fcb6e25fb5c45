import type { IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import { deleteProperties, executeWrite } from '../common';

export const description: INodeProperties[] = deleteProperties('quote', 'archive');

export async function execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	return await executeWrite.call(this, 'quotes', 'quote', 'archive');
}
