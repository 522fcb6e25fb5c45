import type { IExecuteFunctions, IHookFunctions, ILoadOptionsFunctions, INodeProperties, IPollFunctions, IWebhookFunctions } from 'n8n-workflow';
import type { BudgetBackend } from '../../connectors/core/limiter';
import { postgresBudgets } from '../../connectors/core/postgresBudget';
import { postgresConfig } from './store';

/**
 * Where a vendor node keeps its credential's rate-limit budget: in this n8n process (every execution of the
 * process shares it), or in the sync store's PostgreSQL, shared by every process that uses the credential — n8n
 * in queue mode runs executions in several workers, and the vendor counts them all against one limit.
 */

export const rateLimitProperty: INodeProperties = {
	displayName: 'Rate Limit Budget',
	name: 'rateLimits',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'This Process Only', value: 'process', description: 'Shared by the executions of one n8n process: enough for a single n8n instance' },
		{
			name: 'Shared Through the Sync Store',
			value: 'syncStore',
			description: 'Shared by every n8n process in the FluxCascade Sync Store (PostgreSQL): needed in queue mode with several workers',
		},
	],
	default: 'process',
	description: "Where the vendor's rate limit for this credential is counted. Use the same setting on every node that uses the credential.",
};

type Context = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions | IPollFunctions;

function parameter(ctx: Context, name: string): unknown {
	try {
		if ('getInputData' in ctx) return (ctx as IExecuteFunctions).getNodeParameter(name, 0, undefined);
		return (ctx as IWebhookFunctions).getNodeParameter(name, undefined);
	} catch {
		return undefined;
	}
}

const warned = new Set<string>();

/**
 * The shared budgets for this node, or undefined for the process's own: shared when the node says so (Rate
 * Limit Budget), or when it keeps its state in PostgreSQL anyway (a trigger whose Store is PostgreSQL reads
 * records with the same credential the workers use).
 */
export async function rateLimitBudgets(ctx: Context): Promise<BudgetBackend | undefined> {
	const shared = parameter(ctx, 'rateLimits') === 'syncStore' || parameter(ctx, 'store') === 'postgres';
	if (!shared) return undefined;
	const config = postgresConfig((await ctx.getCredentials('fluxSyncStoreApi')) as Parameters<typeof postgresConfig>[0]);
	if (config.kind !== 'postgres') return undefined;
	return postgresBudgets({
		connectionString: config.connectionString,
		pool: config.pool,
		schema: config.schema,
		onError: (error, key) => {
			const message = `FluxCascade: the shared rate-limit budget in the sync store could not be used (${error.message}); calls of ${key.split(':')[0]} are paced by this process alone until it answers again`;
			if (warned.has(message)) return;
			warned.add(message);
			ctx.logger.warn(message);
		},
	});
}
