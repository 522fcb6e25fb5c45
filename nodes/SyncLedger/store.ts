import { join } from 'node:path';
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { openStore, storeKey, type StoreConfig, type SyncStore } from '../../sync/store';

/**
 * Where the sync state lives: the embedded SQLite file under the n8n user folder (zero setup), or PostgreSQL
 * through the optional FluxCascade Sync Store credential (queue mode: every worker sees the same pairs).
 */

/** n8n's own folder: `$N8N_USER_FOLDER/.n8n`, else `~/.n8n` (the same rule as n8n's config). */
export function n8nFolder(env: NodeJS.ProcessEnv = process.env): string {
	const home = env.N8N_USER_FOLDER ?? (process.platform === 'win32' ? env.USERPROFILE : env.HOME) ?? process.cwd();
	return join(home, '.n8n');
}

export function defaultSqlitePath(env: NodeJS.ProcessEnv = process.env): string {
	return join(n8nFolder(env), 'fluxcascade.sqlite');
}

export const storeProperties: INodeProperties[] = [
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
		description: 'Where pairs and snapshots are kept. Plan and Commit of one sync must use the same store.',
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
export async function openLedgerStore(ctx: IExecuteFunctions): Promise<SyncStore> {
	const kind = ctx.getNodeParameter('store', 0, 'sqlite') as string;
	let config: StoreConfig;
	if (kind === 'postgres') config = postgresConfig((await ctx.getCredentials('fluxSyncStoreApi')) as StoreCredential);
	else {
		const path = String(ctx.getNodeParameter('sqlitePath', 0, '') ?? '').trim();
		config = { kind: 'sqlite', path: path === '' ? defaultSqlitePath() : path.replace(/^~(?=$|\/)/, join(n8nFolder(), '..')) };
	}
	const key = storeKey(config);
	if (key !== null && !warm.has(key)) {
		await openStore(config);
		warm.add(key);
	}
	return openStore(config);
}
