import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { connectorFor } from '../transport';
import * as batchWrite from './batchWrite.operation';
import type { Operation, Outputs } from './common';
import { writeOptions } from './common';
import * as create from './create.operation';
import * as del from './delete.operation';
import * as find from './find.operation';
import * as get from './get.operation';
import * as getChanges from './getChanges.operation';
import * as getMany from './getMany.operation';
import * as update from './update.operation';
import * as upsert from './upsert.operation';

const OPERATIONS: Record<string, Operation> = {
	get: get.execute,
	getMany: getMany.execute,
	getChanges: getChanges.execute,
	find: find.execute,
	create: create.execute,
	update: update.execute,
	upsert: upsert.execute,
	delete: del.execute,
	batchWrite: batchWrite.execute,
};

/** Runs the chosen operation over all items: records on the first output, failed records on the second. */
export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const operation = this.getNodeParameter('operation', 0) as string;
	const run = OPERATIONS[operation];
	if (!run) throw new NodeOperationError(this.getNode(), `The operation "${operation}" is not known`);
	const options = writeOptions(this);
	const connector = await connectorFor(this, { dailyReserve: options.dailyReserve, defaultCountry: options.defaultCountry });
	const out: Outputs = { records: [], failed: [] };
	await run.call(this, this.getInputData(), connector, out);
	return [out.records, out.failed];
}
