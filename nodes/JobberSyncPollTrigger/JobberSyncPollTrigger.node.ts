/**
 * Polling trigger for Jobber: new or updated clients, requests, quotes, jobs or invoices since the last poll,
 * read through the connector's change reader (updatedAt filter; jobs by UPDATED_AT descending), with the
 * durable cursor, overlap window and de-duplication of nodes/shared/pollChanges.ts. Properties are left out:
 * Jobber gives them no timestamp, so every poll would re-read them all (use the webhook trigger for them).
 */
import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import type { JobberObject } from '../../connectors/jobber/objects';
import { jobberConnector } from '../JobberSync/transport';
import { changeEventOf, pollProperties } from '../shared/pollChanges';
import { runPollTrigger, SAMPLE_SIZE } from '../shared/pollTrigger';
import { storeProperties } from '../shared/store';

export class JobberSyncPollTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Jobber Sync Poll Trigger',
		name: 'jobberSyncPollTrigger',
		icon: 'file:jobberSyncPollTrigger.svg',
		group: ['trigger'],
		version: 1,
		subtitle: '={{"On " + $parameter["event"] + ": " + $parameter["object"]}}',
		description: 'Starts the workflow when Jobber records are created or updated (polls updatedAt, each change once)',
		defaults: { name: 'Jobber Sync Poll Trigger' },
		polling: true,
		inputs: [],
		outputs: ['main'],
		credentials: [{ name: 'fluxJobberOAuth2Api', required: true }],
		properties: [
			{
				displayName: 'Object',
				name: 'object',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Client', value: 'clients' },
					{ name: 'Invoice', value: 'invoices' },
					{ name: 'Job', value: 'jobs' },
					{ name: 'Quote', value: 'quotes' },
					{ name: 'Request', value: 'requests' },
				],
				default: 'clients',
			},
			...pollProperties(),
			...storeProperties('Where the poll cursor is kept: it survives restarts and is shared by workers'),
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const object = this.getNodeParameter('object', 'clients') as Exclude<JobberObject, 'properties'>;
		return runPollTrigger(this, async () => {
			const connector = await jobberConnector(this as never);
			return {
				vendor: 'jobber',
				watched: object,
				reader: { changes: (since, overlapMs) => connector.changes(object, { since, overlapMs }) },
				sample: async () => {
					for await (const page of connector.list(object, { pageSize: SAMPLE_SIZE })) return page.slice(0, SAMPLE_SIZE);
					return [];
				},
				// Jobber stamps createdAt and updatedAt together on a new record (updatedAt is the envelope's).
				changeEvent: (r) => changeEventOf(r, 'createdAt', undefined, 1000),
			};
		});
	}
}
