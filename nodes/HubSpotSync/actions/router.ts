import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import { newOutputs, type Outputs } from '../helpers';
import * as association from './association';
import * as record from './record';

type Operation = { execute(this: IExecuteFunctions, items: INodeExecutionData[], out: Outputs): Promise<void> };

/** Runs the chosen operation over all items: records on the first output, failed records on the second. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const table = (resource === 'association' ? association : record) as unknown as Record<string, Operation | undefined>;
	const op = table[operation];
	if (!op || typeof op.execute !== 'function') {
		throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for ${resource}`, { itemIndex: 0 });
	}
	const out = newOutputs();
	await op.execute.call(this, items, out);
	return [out.success, out.failed];
}
