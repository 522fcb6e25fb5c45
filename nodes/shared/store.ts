import { join } from 'node:path';
import type { IExecuteFunctions, INodeProperties, IPollFunctions, IWebhookFunctions } from 'n8n-workflow';
import { openStore, storeKey, type StoreConfig, type SyncStore } from '../../sync/store';

/**
 * Where the sync state lives, for every FluxCascade node that keeps state (ledger pairs, review items, retry
 * schedule, alert state): the embedded SQLite file under the n8n user folder (zero setup), or PostgreSQL
 * through the optional FluxCascade Sync Store credential (queue mode: every worker sees the same state).
 * The same defaults everywhere, so the nodes of one n8n share one file.
 */

/** n8n's own folder: `$N8N_USER_FOLDER/.n8n`, else `~/.n8n` (the same rule as n8n's config). */
export function n8nFolder(env: NodeJS.ProcessEnv = process.env): string {
	const home = env.N8N_USER_FOLDER ?? (process.platform === 'win32' ? env.USERPROFILE : env.HOME) ?? process.cwd();
	return join(home, '.n8n');
}

export function defaultSqlitePath(env: NodeJS.ProcessEnv = process.env): string {
	return join(n8nFolder(env), 'fluxcascade.sqlite');
}

/** The Store and SQLite File parameters; `purpose` says what this node keeps there. */
export function storeProperties(purpose: string): INodeProperties[] {
	return [
		{
			displayName: 'Store',
			name: 'store',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Embedded (SQLite File)', value: 'sqlite', description: 'A file in the n8n user folder; for a single n8n instance' },
				{ name: 'PostgreSQL', value: 'postgres', description: 'Shared by every worker: needed in queue mode' },
			],
			default: 'sqlite',
			description: purpose,
		},
		{
			displayName: 'SQLite File',
			name: 'sqlitePath',
			type: 'string',
			default: '',
			placeholder: '~/.n8n/fluxcascade.sqlite',
			displayOptions: { show: { store: ['sqlite'] } },
			description: 'Leave empty for fluxcascade.sqlite in the n8n user folder ($N8N_USER_FOLDER/.n8n)',
		},
	];
}

interface StoreCredential {
	host?: string;
	port?: number;
	database?: string;
	user?: string;
	password?: string;
	schema?: string;
	ssl?: 'disable' | 'require' | 'allow_unauthorized';
}

export function postgresConfig(c: StoreCredential): StoreConfig {
	const ssl = c.ssl === 'require' ? true : c.ssl === 'allow_unauthorized' ? { rejectUnauthorized: false } : false;
	return {
		kind: 'postgres',
		schema: c.schema || undefined,
		pool: { host: c.host || 'localhost', port: Number(c.port) || 5432, database: c.database || undefined, user: c.user || undefined, password: c.password || undefined, ssl },
	};
}

const warm = new Set<string>();

/**
 * One handle per execution over the connection (or pool) shared by every execution of this process. The first
 * open of a store also keeps one handle for the life of the process, so executions do not reconnect (and
 * re-check migrations) each time; an idle PostgreSQL pool releases its sockets by itself.
 */
export async function openNodeStore(ctx: IExecuteFunctions | IPollFunctions | IWebhookFunctions): Promise<SyncStore> {
	// Action nodes read parameters per item, triggers have no items.
	const param = (name: string, fallback: string): string =>
		String(('getInputData' in ctx ? (ctx as IExecuteFunctions).getNodeParameter(name, 0, fallback) : (ctx as IPollFunctions).getNodeParameter(name, fallback)) ?? '');
	let config: StoreConfig;
	if (param('store', 'sqlite') === 'postgres') config = postgresConfig((await ctx.getCredentials('fluxSyncStoreApi')) as StoreCredential);
	else {
		const path = param('sqlitePath', '').trim();
		config = { kind: 'sqlite', path: path === '' ? defaultSqlitePath() : path.replace(/^~(?=$|\/)/, join(n8nFolder(), '..')) };
	}
	const key = storeKey(config);
	if (key !== null && !warm.has(key)) {
		await openStore(config);
		warm.add(key);
	}
	return openStore(config);
}
