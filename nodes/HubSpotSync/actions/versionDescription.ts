/* eslint-disable n8n-nodes-base/node-filename-against-convention -- the description lives in its own module (Pipedrive v2 layout); the node file imports it */
import type { INodeTypeDescription } from 'n8n-workflow';
import * as association from './association';
import * as record from './record';
import { rateLimitProperty } from '../../shared/rateLimits';

export const versionDescription: INodeTypeDescription = {
	displayName: 'HubSpot Sync',
	name: 'hubSpotSync',
	icon: 'file:hubSpotSync.svg',
	group: ['transform'],
	version: 1,
	subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
	description: 'Sync-aware HubSpot: changes since a checkpoint, find by match key, upsert and batch writes with a result per record',
	defaults: { name: 'HubSpot Sync' },
	inputs: ['main'],
	// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- two outputs: records and failed records
	outputs: ['main', 'main'],
	outputNames: ['Success', 'Failed'],
	usableAsTool: true,
	credentials: [
		{ name: 'fluxHubSpotApi', required: true, displayOptions: { show: { authentication: ['accessToken'] } } },
		{ name: 'fluxHubSpotOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
		{ name: 'fluxSyncStoreApi', required: true, displayOptions: { show: { rateLimits: ['syncStore'] } } },
	],
	properties: [
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'options',
			options: [
				{ name: 'Access Token (Private App or Service Key)', value: 'accessToken' },
				{ name: 'OAuth2', value: 'oAuth2' },
			],
			default: 'accessToken',
		},
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Association', value: 'association' },
				{ name: 'Company', value: 'company' },
				{ name: 'Contact', value: 'contact' },
				{ name: 'Deal', value: 'deal' },
			],
			default: 'contact',
		},
		...record.description,
		...association.description,
		rateLimitProperty,
	],
};
