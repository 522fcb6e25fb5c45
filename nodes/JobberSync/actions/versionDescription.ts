/* eslint-disable n8n-nodes-base/node-filename-against-convention -- Pipedrive v2 layout: the description lives in actions/versionDescription.ts */
import type { INodeTypeDescription } from 'n8n-workflow';
import * as client from './client';
import * as graphql from './graphql';
import * as invoice from './invoice';
import * as job from './job';
import * as property from './property';
import * as quote from './quote';
import * as request from './request';
import { rateLimitProperty } from '../../shared/rateLimits';

export const versionDescription: INodeTypeDescription = {
	displayName: 'Jobber Sync',
	name: 'jobberSync',
	icon: 'file:jobberSync.svg',
	group: ['transform'],
	version: 1,
	subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
	description: 'Read and write Jobber clients, properties, requests, quotes, jobs and invoices for two-way sync, paced by Jobber query cost',
	defaults: { name: 'Jobber Sync' },
	inputs: ['main'],
	// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- two outputs: Success and Failed records
	outputs: ['main', 'main'],
	outputNames: ['Success', 'Failed'],
	usableAsTool: true,
	credentials: [{ name: 'fluxJobberOAuth2Api', required: true }, { name: 'fluxSyncStoreApi', required: true, displayOptions: { show: { rateLimits: ['syncStore'] } } }],
	properties: [
		{
			displayName: 'Resource',
			name: 'resource',
			type: 'options',
			noDataExpression: true,
			options: [
				{ name: 'Client', value: 'client' },
				{ name: 'GraphQL', value: 'graphql' },
				{ name: 'Invoice', value: 'invoice' },
				{ name: 'Job', value: 'job' },
				{ name: 'Property', value: 'property' },
				{ name: 'Quote', value: 'quote' },
				{ name: 'Request', value: 'request' },
			],
			default: 'client',
		},
		...client.description,
		...property.description,
		...request.description,
		...quote.description,
		...job.description,
		...invoice.description,
		...graphql.description,
		rateLimitProperty,
	],
};
