/**
 * Salesforce Sync: a table of contents. The parameters live in actions/description.ts, each
 * operation in actions/record/<operation>.operation.ts, the n8n ⇄ connector wiring in transport/, and
 * the dropdowns (describe, describeGlobal, record search, field mapper) in methods/.
 */
import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { router } from './actions/router';
import { properties } from './actions/description';
import { listSearch, loadOptions, resourceMapping } from './methods';

export class SalesforceSync implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Salesforce Sync',
		name: 'salesforceSync',
		icon: 'file:salesforceSync.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + ($parameter["resource"] === "customObject" ? $parameter["sObject"] : $parameter["resource"])}}',
		description: 'Sync-aware Salesforce: changes since a cursor, match-key find, upsert by external ID and batch writes with per-record results',
		defaults: { name: 'Salesforce Sync' },
		inputs: ['main'],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- two outputs: Records and Failed
		outputs: ['main', 'main'],
		outputNames: ['Records', 'Failed'],
		usableAsTool: true,
		credentials: [{ name: 'fluxSalesforceOAuth2Api', required: true }, { name: 'fluxSyncStoreApi', required: true, displayOptions: { show: { rateLimits: ['syncStore'] } } }],
		properties,
	};

	methods = { loadOptions, listSearch, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
