/**
 * Polling trigger for HubSpot: new or updated records of an object since the last poll, read through the
 * connector's change reader (search on the modified stamp), with the durable cursor, overlap window and
 * de-duplication of nodes/shared/pollChanges.ts. For setups where webhooks (a HubSpot app) are not an option.
 */
import type { INodeExecutionData, INodeType, INodeTypeDescription, IPollFunctions } from 'n8n-workflow';
import { HUBSPOT_OBJECTS, OBJECT_FACTS, type HubSpotObject } from '../../connectors/hubspot/objects';
import { hubspotConnector, type Authentication } from '../HubSpotSync/transport';
import { changeEventOf, pollProperties } from '../shared/pollChanges';
import { runPollTrigger, SAMPLE_SIZE } from '../shared/pollTrigger';
import { storeProperties } from '../shared/store';

const LABELS: Record<HubSpotObject, string> = { contacts: 'Contact', companies: 'Company', deals: 'Deal' };

export class HubSpotSyncPollTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HubSpot Sync Poll Trigger',
		name: 'hubSpotSyncPollTrigger',
		icon: 'file:hubSpotSyncPollTrigger.svg',
		group: ['trigger'],
		version: 1,
		subtitle: '={{"On " + $parameter["event"] + ": " + $parameter["object"]}}',
		description: 'Starts the workflow when HubSpot records are created or updated (polls the modified stamp, each change once)',
		defaults: { name: 'HubSpot Sync Poll Trigger' },
		polling: true,
		inputs: [],
		outputs: ['main'],
		credentials: [
			{ name: 'fluxHubSpotApi', required: true, displayOptions: { show: { authentication: ['accessToken'] } } },
			{ name: 'fluxHubSpotOAuth2Api', required: true, displayOptions: { show: { authentication: ['oAuth2'] } } },
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
				displayName: 'Object',
				name: 'object',
				type: 'options',
				noDataExpression: true,
				options: HUBSPOT_OBJECTS.map((o) => ({ name: LABELS[o], value: o })),
				default: 'contacts',
			},
			...pollProperties(),
			...storeProperties('Where the poll cursor is kept: it survives restarts and is shared by workers'),
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const object = this.getNodeParameter('object', 'contacts') as HubSpotObject;
		const authentication: Authentication = this.getNodeParameter('authentication', 'accessToken') === 'oAuth2' ? 'oAuth2' : 'accessToken';
		const facts = OBJECT_FACTS[object];
		const fields = [...new Set([...facts.syncProperties, 'createdate', facts.modifiedProperty])];
		return runPollTrigger(this, async () => {
			const connector = await hubspotConnector(this as never, authentication);
			return {
				vendor: 'hubspot',
				watched: object,
				reader: { changes: (since, overlapMs) => connector.changes(object, { since, overlapMs, fields }) },
				// The most recently modified records: what the user just changed to test the trigger.
				sample: async () => (await connector.search(object, undefined, { limit: SAMPLE_SIZE, properties: fields })).records,
				// HubSpot sets the modified stamp a moment after createdate on a new record.
				changeEvent: (r) => changeEventOf(r, 'createdate', facts.modifiedProperty, 1000),
			};
		});
	}
}
