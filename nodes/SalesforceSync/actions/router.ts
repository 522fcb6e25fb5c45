import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { salesforceConnector } from '../transport';
import type { Operation } from './common';
import { operations } from './record';
import { sObjectFor } from './resources';

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as Operation;
	const module = operations[operation];
	if (!module) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known`);
	if (this.getInputData().length && !sObjectFor(this, 0)) {
		throw new NodeOperationError(this.getNode(), 'Choose the object (sObject) to work on', { itemIndex: 0 });
	}
	const connector = await salesforceConnector(this);
	return await module.execute.call(this, connector);
}
