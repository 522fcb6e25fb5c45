import { NodeOperationError, type IExecuteFunctions, type INodeExecutionData } from 'n8n-workflow';

/**
 * Per-item configuration (steps, a mapping) compiled once per distinct value, since items usually share it,
 * with a configuration mistake turned into n8n's error handling: a NodeOperationError naming the item, or,
 * when the node continues on fail, an error item (n8n routes it to the error output if that is enabled).
 */
export function itemConfig<T>(
	ctx: IExecuteFunctions,
	read: (itemIndex: number) => unknown,
	compile: (raw: never) => T,
	/** Tells the user what to fix, shown under the error. */
	hint: string,
): (itemIndex: number) => { value: T } | { errorItem: INodeExecutionData } {
	const cache = new Map<string, T>();
	return (i) => {
		try {
			const raw = read(i);
			const key = JSON.stringify(raw);
			let value = cache.get(key);
			if (value === undefined) {
				value = compile(raw as never);
				cache.set(key, value);
			}
			return { value };
		} catch (err) {
			const error = new NodeOperationError(ctx.getNode(), (err as Error).message, { itemIndex: i, description: hint });
			if (!ctx.continueOnFail()) throw error;
			return { errorItem: { json: { error: error.message }, pairedItem: { item: i } } };
		}
	};
}
