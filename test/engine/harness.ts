/**
 * Runs workflows through n8n's own execution engine (n8n-core's WorkflowExecute) with this package's node
 * types loaded, so node tests see real paired items, "On Error" settings and error-output routing.
 */
import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import {
	Workflow,
	type IConnections,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type INodeExecutionData,
	type INodeType,
	type INodeTypes,
	type IRun,
	type IVersionedNodeType,
	type IWorkflowBase,
	type IWorkflowExecuteAdditionalData,
} from 'n8n-workflow';

/** Test-only start node: emits the items given in its `items` parameter (a JSON array). */
class FixtureItems implements INodeType {
	description = {
		displayName: 'Fixture Items',
		name: 'fixtureItems',
		group: ['input'],
		version: 1,
		description: 'Emits fixed items (test only)',
		defaults: { name: 'Fixture Items' },
		inputs: [],
		outputs: ['main'],
		properties: [{ displayName: 'Items', name: 'items', type: 'json', default: '[]' }],
	} as unknown as INodeType['description'];

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const raw = this.getNodeParameter('items', 0) as string | IDataObject[];
		const items = (typeof raw === 'string' ? JSON.parse(raw) : raw) as IDataObject[];
		return [items.map((json) => ({ json }))];
	}
}

export class TestNodeTypes implements INodeTypes {
	private readonly types = new Map<string, INodeType>();

	constructor(nodes: Record<string, INodeType>) {
		this.types.set('test.fixtureItems', new FixtureItems());
		for (const [name, node] of Object.entries(nodes)) this.types.set(name, node);
	}

	getByName(nodeType: string): INodeType | IVersionedNodeType {
		const t = this.types.get(nodeType);
		if (!t) throw new Error(`Unknown node type ${nodeType}`);
		return t;
	}

	getByNameAndVersion(nodeType: string): INodeType {
		return this.getByName(nodeType) as INodeType;
	}

	getKnownTypes() {
		return {};
	}
}

export interface RunResult {
	run: IRun;
	/** Output items of a node by output index (first run). */
	output(node: string, outputIndex?: number): INodeExecutionData[];
	/** The error a node ended with, if the run stopped there. */
	error(): Error | undefined;
	executed: string[];
}

/** Builds a workflow of `fixture → …nodes` and runs it to the end with WorkflowExecute. */
export async function runWorkflow(
	nodeTypes: TestNodeTypes,
	options: { items: IDataObject[]; nodes: Array<Partial<INode> & { name: string; type: string; parameters: INode['parameters'] }>; connections?: IConnections },
): Promise<RunResult> {
	const fixture: INode = {
		id: 'fixture',
		name: 'Fixture',
		type: 'test.fixtureItems',
		typeVersion: 1,
		position: [0, 0],
		parameters: { items: JSON.stringify(options.items) },
	};
	const nodes: INode[] = [
		fixture,
		...options.nodes.map((n, i) => ({
			id: n.id ?? `node-${i}`,
			typeVersion: n.typeVersion ?? 1,
			position: n.position ?? [(i + 1) * 200, 0],
			...n,
		})) as INode[],
	];
	// Default wiring: a chain from the fixture through the nodes, main output 0 to input 0.
	const connections: IConnections =
		options.connections ??
		Object.fromEntries(
			nodes.slice(0, -1).map((n, i) => [n.name, { main: [[{ node: nodes[i + 1].name, type: 'main', index: 0 }]] }]),
		);
	const workflowData: IWorkflowBase = {
		id: 'test-workflow',
		name: 'test',
		active: false,
		nodes,
		connections,
		createdAt: new Date(),
		updatedAt: new Date(),
		isArchived: false,
		activeVersionId: null,
		settings: { executionOrder: 'v1' },
	} as unknown as IWorkflowBase;
	// n8n 2.x runs workflows in the v1 execution order; without it a node whose first input is empty never runs.
	const workflow = new Workflow({ id: 'test-workflow', nodes, connections, active: false, nodeTypes, settings: { executionOrder: 'v1' } });
	const executed: string[] = [];
	const hooks = new ExecutionLifecycleHooks('manual', 'test-execution', workflowData);
	hooks.addHandler('nodeExecuteAfter', (nodeName: string) => {
		executed.push(nodeName);
	});
	const additionalData = {
		hooks,
		executionId: 'test-execution',
		restApiUrl: 'http://localhost/rest',
		webhookBaseUrl: 'http://localhost/webhook',
		webhookWaitingBaseUrl: 'http://localhost/webhook-waiting',
		webhookTestBaseUrl: 'http://localhost/webhook-test',
		formWaitingBaseUrl: 'http://localhost/form-waiting',
		instanceBaseUrl: 'http://localhost',
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		userId: 'test-user',
		variables: {},
		credentialsHelper: {},
		executeWorkflow: async () => {
			throw new Error('not available in tests');
		},
		getRunExecutionData: async () => undefined,
		logAiEvent: () => {},
		startRunnerTask: async () => {
			throw new Error('not available in tests');
		},
	} as unknown as IWorkflowExecuteAdditionalData;
	const run = await new WorkflowExecute(additionalData, 'manual').run({ workflow, startNode: fixture });
	return {
		run,
		executed,
		output(node: string, outputIndex = 0) {
			const task = run.data.resultData.runData[node]?.[0];
			if (!task) throw new Error(`Node ${node} did not run (ran: ${Object.keys(run.data.resultData.runData).join(', ')})`);
			return task.data?.main?.[outputIndex] ?? [];
		},
		error() {
			return run.data.resultData.error as Error | undefined;
		},
	};
}
