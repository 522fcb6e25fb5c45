/**
 * Polling trigger for Pipedrive: new or updated persons, organizations or deals since the last poll, read
 * through the connector's change reader (v2 lists sorted by update_time), with the durable cursor, overlap
 * window and de-duplication of nodes/shared/pollChanges.ts. For setups where webhooks cannot reach n8n.
 * Pipedrive's reader keeps its own cursor token (whole-second stamps, content-hash versions), so the shared
 * logic stores that token as is.
 */
import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { connectorFor } from '../PipedriveSync/transport';
import { changeEventOf, pollProperties } from '../shared/pollChanges';
import { runPollTrigger, SAMPLE_SIZE } from '../shared/pollTrigger';
import { storeProperties } from '../shared/store';
import { authenticationProperty } from '../PipedriveSync/actions/versionDescription';

type PipedriveObject = 'persons' | 'organizations' | 'deals';

export class PipedriveSyncPollTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Pipedrive Sync Poll Trigger',
		name: 'pipedriveSyncPollTrigger',
		icon: 'file:pipedriveSyncPollTrigger.svg',
		group: ['trigger'],
		version: 1,
		subtitle: '={{"On " + $parameter["event"] + ": " + $parameter["object"]}}',
		description: 'Starts the workflow when Pipedrive records are created or updated (polls update_time, each change once)',
		defaults: { name: 'Pipedrive Sync Poll Trigger' },
		polling: true,
		inputs: [],
		outputs: ['main'],
		credentials: [
			{ name: 'fluxPipedriveApi', required: true, displayOptions: { show: { authentication: ['apiToken'] } } },
			{ name: 'fluxPipedriveOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
		],
		properties: [
			authenticationProperty,
			{
				displayName: 'Object',
				name: 'object',
				type: 'options',
				noDataExpression: true,
				options: [
					{ name: 'Deal', value: 'deals' },
					{ name: 'Organization', value: 'organizations' },
					{ name: 'Person', value: 'persons' },
				],
				default: 'persons',
			},
			...pollProperties(),
			...storeProperties('Where the poll cursor is kept: it survives restarts and is shared by workers'),
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const object = this.getNodeParameter('object', 'persons') as PipedriveObject;
		return runPollTrigger(this, async () => {
			// The transport reads `authentication` through getNodeParameter(name, itemIndex, fallback); a poll has no items.
			const ctx = Object.assign(Object.create(this), {
				getNodeParameter: (name: string, _index?: unknown, fallback?: unknown) => this.getNodeParameter(name, fallback as never),
			});
			const connector = await connectorFor(ctx as never);
			return {
				vendor: 'pipedrive',
				watched: object,
				reader: { changes: (since, overlapMs) => connector.changes(object, { since, overlapMs }), ownsCursor: true, slackMs: 1000 },
				sample: () => connector.getMany(object, { limit: SAMPLE_SIZE, sortBy: 'update_time', sortDirection: 'desc' }),
				// Pipedrive stamps whole seconds: a record never edited has add_time = update_time.
				changeEvent: (r) => changeEventOf(r, 'add_time', 'update_time', 1000),
			};
		});
	}
}
