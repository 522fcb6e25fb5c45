import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';
import * as client from './client';
import * as graphql from './graphql';
import * as invoice from './invoice';
import * as job from './job';
import * as property from './property';
import * as quote from './quote';
import * as request from './request';

type Operation = { execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> };

const RESOURCES: Record<string, Record<string, Operation>> = {
	client: client.operations,
	property: property.operations,
	request: request.operations,
	quote: quote.operations,
	job: job.operations,
	invoice: invoice.operations,
	graphql: graphql.operations,
};

/** Every operation handles all input items at once (writes are batched), returning [Success, Failed]. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const op = RESOURCES[resource]?.[operation];
	if (!op) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not supported for ${resource}`);
	return await op.execute.call(this);
}
