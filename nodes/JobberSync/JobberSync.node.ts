import type { IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { router } from './actions/router';
import { versionDescription } from './actions/versionDescription';
import { listSearch, loadOptions } from './methods';

/**
 * Jobber for two-way sync: envelopes out, envelopes or plain field objects in, every record accounted for on the
 * Success or Failed output. The connector (connectors/jobber) does the GraphQL, the cost pacing and the taxonomy.
 */
export class JobberSync implements INodeType {
	description: INodeTypeDescription = versionDescription;

	methods = { loadOptions, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await router.call(this);
	}
}
