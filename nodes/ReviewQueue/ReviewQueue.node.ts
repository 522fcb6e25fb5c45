import {
	NodeOperationError,
	UserError,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { StoreError, type SyncStore } from '../../sync/store';
import { openNodeStore } from '../shared/store';
import { properties } from './description';
import * as ops from './operations';

type Operation = (op: ops.OpContext) => Promise<INodeExecutionData[]>;

const OPERATIONS: Record<string, Operation> = {
	add: ops.add,
	list: ops.list,
	get: ops.get,
	editData: ops.editData,
	approve: ops.approve,
	discard: ops.discard,
	resolveConflict: ops.resolveConflict,
	retry: ops.retry,
	recordSuccess: ops.recordSuccess,
	recordFailure: ops.recordFailure,
	metrics: ops.metrics,
	renderDashboard: (op) => ops.dashboard(op, false),
	handleDashboard: (op) => ops.dashboard(op, true),
};

/**
 * The durable queue of failed records and conflicts (SPEC §2): add, list, inspect, edit and approve, discard,
 * resolve conflicts, retry one / selected / all, record retry results, metrics, and the error dashboard page.
 */
export class ReviewQueue implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Review Queue',
		name: 'reviewQueue',
		icon: 'file:reviewQueue.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Durable queue of failed records and conflicts: review, correct, retry, metrics and the error dashboard',
		defaults: { name: 'Review Queue' },
		inputs: ['main'],
		outputs: ['main'],
		usableAsTool: true,
		credentials: [{ name: 'fluxSyncStoreApi', required: true, displayOptions: { show: { store: ['postgres'] } } }],
		properties,
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const operation = this.getNodeParameter('operation', 0) as string;
		const run = OPERATIONS[operation];
		if (!run) throw new NodeOperationError(this.getNode(), `Unknown operation "${operation}"`);
		let store: SyncStore;
		try {
			store = await openNodeStore(this);
		} catch (err) {
			const error = new NodeOperationError(this.getNode(), err as Error, { description: 'The store for review items could not be opened' });
			if (!this.continueOnFail()) throw error;
			return [items.map((_, i) => ({ json: { error: error.message }, error, pairedItem: { item: i } }))];
		}
		const out: INodeExecutionData[] = [];
		const now = new Date();
		try {
			for (let i = 0; i < items.length; i++) {
				try {
					out.push(...(await run({ ctx: this, store, item: items[i], i, now })));
				} catch (err) {
					const userFacing = err instanceof UserError || (err instanceof StoreError && (err.code === 'INVALID_STATE' || err.code === 'INVALID_INPUT'));
					const error =
						err instanceof NodeOperationError
							? err
							: new NodeOperationError(this.getNode(), err as Error, { itemIndex: i, ...(userFacing ? {} : { description: `Review Queue ${operation} failed` }) });
					if (!this.continueOnFail()) throw error;
					out.push({ json: { error: error.message }, error, pairedItem: { item: i } });
				}
			}
		} finally {
			await store.close();
		}
		return [out];
	}
}
