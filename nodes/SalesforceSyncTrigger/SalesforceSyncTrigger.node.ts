/**
 * Polling trigger: new or updated records of an object since the last poll. Salesforce offers no signed
 * webhooks over REST (outbound messages are SOAP, CDC needs a streaming client), so polling on
 * SystemModstamp is the dependable way: a cursor with an overlap window for late commits and
 * de-duplication by Id + SystemModstamp, so each version of a record triggers exactly once.
 */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IPollFunctions,
	type JsonObject,
} from 'n8n-workflow';
import { ConnectorError } from '../../connectors/core/errors';
import type { RecordEnvelope } from '../../connectors/core/types';
import { pollChanges } from '../../connectors/salesforce';
import { RESOURCES, type Resource } from '../SalesforceSync/actions/resources';
import { getFields, getSObjects } from '../SalesforceSync/methods/loadOptions';
import { salesforceConnector } from '../SalesforceSync/transport';
import { openPollCursorStore, pollCursorKey } from '../shared/pollCursor';
import { pollProperties } from '../shared/pollChanges';
import { storeProperties } from '../shared/store';

type ChangeEvent = 'created' | 'updated' | 'deleted';

/** A first save leaves CreatedDate equal to LastModifiedDate; any later change moves LastModifiedDate. */
export function changeEvent(record: RecordEnvelope): ChangeEvent {
	if (record.deleted) return 'deleted';
	const created = record.fields.CreatedDate;
	const modified = record.fields.LastModifiedDate;
	return created !== undefined && created !== null && created === modified ? 'created' : 'updated';
}

export class SalesforceSyncTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Salesforce Sync Trigger',
		name: 'salesforceSyncTrigger',
		icon: 'file:salesforceSyncTrigger.svg',
		group: ['trigger'],
		version: 1,
		subtitle: '={{"On " + $parameter["event"] + ": " + ($parameter["resource"] === "customObject" ? $parameter["sObject"] : $parameter["resource"])}}',
		description: 'Starts the workflow when Salesforce records are created or updated (polls SystemModstamp, each change once)',
		defaults: { name: 'Salesforce Sync Trigger' },
		polling: true,
		inputs: [],
		outputs: ['main'],
		credentials: [{ name: 'fluxSalesforceOAuth2Api', required: true }],
		properties: [
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: RESOURCES.map((r) => ({ name: r.name, value: r.value })),
				default: 'contact',
			},
			{
				displayName: 'Object Name or ID',
				name: 'sObject',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getSObjects' },
				default: '',
				required: true,
				description:
					'Any sObject of the org by API name. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				displayOptions: { show: { resource: ['customObject'] } },
			},
			...pollProperties([
				{
					displayName: 'Fields to Read',
					name: 'fields',
					type: 'multiOptions',
					typeOptions: { loadOptionsMethod: 'getFields', loadOptionsDependsOn: ['resource', 'sObject'] },
					default: [],
					description:
						'Fields to return; empty returns every field. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
				},
				{
					displayName: 'Include Deleted',
					name: 'includeDeleted',
					type: 'boolean',
					default: false,
					description: 'Whether deletions also trigger (event: deleted, from the recycle bin)',
				},
			]),
			...storeProperties('Where the poll cursor is kept: it survives restarts and is shared by workers'),
		],
	};

	methods = { loadOptions: { getFields, getSObjects } };

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const resource = this.getNodeParameter('resource') as Resource;
		const object = RESOURCES.find((r) => r.value === resource)?.sObject || String(this.getNodeParameter('sObject', '')).trim();
		if (!object) throw new NodeOperationError(this.getNode(), 'Choose the object (sObject) to watch');
		const event = this.getNodeParameter('event', 'all') as 'all' | ChangeEvent;
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const chosen = (options.fields as string[] | undefined) ?? [];
		// The change type is read from the audit stamps, so they are always fetched.
		const fields = chosen.length ? [...new Set([...chosen, 'Id', 'CreatedDate', 'LastModifiedDate', 'SystemModstamp'])] : undefined;
		const includeDeleted = options.includeDeleted === true;
		const emit = (records: RecordEnvelope[]) =>
			records
				.map((r) => ({ record: r, change: changeEvent(r) }))
				.filter(({ change }) => event === 'all' || change === event || change === 'deleted')
				.map(({ record, change }) => ({ json: { ...(record as unknown as IDataObject), event: change } }));

		try {
			const connector = await salesforceConnector(this);
			if (this.getMode() === 'manual') {
				// "Fetch test event": the most recent change, without touching the cursor.
				for await (const page of connector.getMany(object, { fields, orderBy: [{ field: 'SystemModstamp', direction: 'DESC' }], limit: 1 })) {
					const items = page.map((r) => ({ json: { ...(r as unknown as IDataObject), event: changeEvent(r) } }));
					if (items.length) return [items];
				}
				return null;
			}
			const startFrom = this.getNodeParameter('startFrom', 'now') as string;
			const startAt = startFrom === 'date' ? String(this.getNodeParameter('startDate', '')) : startFrom;
			const { cursors, close } = await openPollCursorStore(this);
			let result: Awaited<ReturnType<typeof pollChanges>>;
			try {
				result = await pollChanges(connector, {
				object,
				cursorKey: pollCursorKey(this, 'salesforce', `${object}${includeDeleted ? ':deleted' : ''}`),
				store: cursors,
				overlapMs: Math.max(0, Number(options.overlapSeconds ?? 60)) * 1000,
				startAt,
				fields,
				includeDeleted,
				maxRecords: Number(options.maxRecords ?? 10000) || undefined,
				// n8n gives each poll a time budget: stop fetching well before it, the rest comes next poll.
				deadline: typeof this.getPollBudgetMs === 'function' ? Date.now() + this.getPollBudgetMs() * 0.8 : undefined,
				});
			} finally {
				await close();
			}
			const items = emit(result.records);
			return items.length ? [items] : null;
		} catch (err) {
			if (err instanceof ConnectorError) {
				throw new NodeApiError(this.getNode(), err.classified as unknown as JsonObject, { message: `${err.classified.error}: ${err.classified.message}`, description: err.classified.suggestedFix });
			}
			throw err;
		}
	}
}
