import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { router } from './actions/router';
import { versionDescription } from './actions/versionDescription';
import { listSearch, loadOptions, resourceMapping } from './methods';

/**
 * HubSpot Sync: contacts, companies and deals (+ associations) for two-way sync. Reads changes since a
 * checkpoint, finds by match key, upserts and batch-writes with a result per record; failed records go to
 * the Failed output classified, never lost. Operations live in actions/<resource>/<operation>.operation.ts.
 */
export class HubSpotSync implements INodeType {
	description: INodeTypeDescription = versionDescription;

	methods = { loadOptions, listSearch, resourceMapping };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
