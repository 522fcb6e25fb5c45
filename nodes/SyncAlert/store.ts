import { join } from 'node:path';
import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { openStore, type StoreConfig, type SyncStore } from '../../sync/store';

/**
 * Where the alert state lives (dedupe windows, streaks, error-rate counts, digest buckets): the embedded SQLite
 * file under the n8n user folder, or PostgreSQL through the FluxCascade Sync Store credential so every queue-mode
 * worker shares one dedupe window. Same choice and defaults as the other FluxCascade nodes, so they share a file.
 */

function n8nFolder(env: NodeJS.ProcessEnv = process.env): string {
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
		description: 'Where alert state is kept (dedupe windows, streaks, digest counts): it survives restarts',
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

function postgresConfig(c: StoreCredential): StoreConfig {
	const ssl = c.ssl === 'require' ? true : c.ssl === 'allow_unauthorized' ? { rejectUnauthorized: false } : false;
	return {
		kind: 'postgres',
		schema: c.schema || undefined,
		pool: { host: c.host || 'localhost', port: Number(c.port) || 5432, database: c.database || undefined, user: c.user || undefined, password: c.password || undefined, ssl },
	};
}

/** A handle over the connection (or pool) shared by every execution of this process; close it when done. */
export async function openAlertStore(ctx: IExecuteFunctions): Promise<SyncStore> {
	const kind = ctx.getNodeParameter('store', 0, 'sqlite') as string;
	if (kind === 'postgres') return openStore(postgresConfig((await ctx.getCredentials('fluxSyncStoreApi')) as StoreCredential));
	const path = String(ctx.getNodeParameter('sqlitePath', 0, '') ?? '').trim();
	return openStore({ kind: 'sqlite', path: path === '' ? defaultSqlitePath() : path.replace(/^~(?=$|\/)/, join(n8nFolder(), '..')) });
}
