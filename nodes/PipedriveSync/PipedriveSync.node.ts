import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { router } from './actions/router';
import { properties } from './actions/versionDescription';
import { listSearch, loadOptions } from './methods';

/** Pipedrive persons, organizations and deals for sync workflows (n8n's own "Pipedrive" node is untouched). */
export class PipedriveSync implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pipedrive Sync',
		name: 'pipedriveSync',
		icon: 'file:pipedriveSync.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description: 'Sync-aware Pipedrive persons, organizations and deals: changes since a cursor, upsert by match key, per-record results',
		defaults: { name: 'Pipedrive Sync' },
		inputs: ['main'],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- two outputs: records and failed records
		outputs: ['main', 'main'],
		outputNames: ['Records', 'Failed'],
		usableAsTool: true,
		credentials: [
			{ name: 'fluxPipedriveApi', required: true, displayOptions: { show: { authentication: ['apiToken'] } } },
			{ name: 'fluxPipedriveOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
			{ name: 'fluxSyncStoreApi', required: true, displayOptions: { show: { rateLimits: ['syncStore'] } } },
		],
		properties,
	};

	methods = { loadOptions, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
