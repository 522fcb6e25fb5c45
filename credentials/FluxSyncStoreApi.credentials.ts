import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * PostgreSQL for the sync state (pairs, snapshots, intents, runs) when n8n runs in queue mode or with several
 * mains: every worker must see the same pairs. Without this credential the nodes use an embedded SQLite file.
 */
export class FluxSyncStoreApi implements ICredentialType {
	name = 'fluxSyncStoreApi';

	displayName = 'FluxCascade Sync Store (PostgreSQL) API';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- meant for n8n's own repository; community credentials link an http URL
	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-fluxcascade';

	properties: INodeProperties[] = [
		{
			displayName: 'Host',
			name: 'host',
			type: 'string',
			default: 'localhost',
		},
		{
			displayName: 'Port',
			name: 'port',
			type: 'number',
			default: 5432,
		},
		{
			displayName: 'Database',
			name: 'database',
			type: 'string',
			default: 'n8n',
		},
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: 'postgres',
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
		},
		{
			displayName: 'Schema',
			name: 'schema',
			type: 'string',
			default: 'fluxcascade',
			description: 'Schema that holds the sync tables; created on first use. Letters, digits and underscores.',
		},
		{
			displayName: 'SSL',
			name: 'ssl',
			type: 'options',
			options: [
				{ name: 'Disable', value: 'disable' },
				{ name: 'Require', value: 'require', description: 'Encrypt and verify the server certificate' },
				{ name: 'Require (Allow Self-Signed)', value: 'allow_unauthorized', description: 'Encrypt without verifying the certificate' },
			],
			default: 'disable',
		},
	];
}
