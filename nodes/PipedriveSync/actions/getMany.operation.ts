import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { PipedriveConnector } from '../../../connectors/pipedrive';
import { perItem, type Outputs } from './common';

const show = { operation: ['getMany'] };

export const description: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		displayOptions: { show },
		default: false,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		displayOptions: { show: { ...show, returnAll: [false] } },
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		displayOptions: { show },
		default: {},
		options: [
			{
				displayName: 'Organization ID',
				name: 'org_id',
				type: 'number',
				default: 0,
				displayOptions: { show: { '/resource': ['person', 'deal'] } },
			},
			{
				displayName: 'Owner Name or ID',
				name: 'owner_id',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getUsers' },
				default: '',
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Person ID',
				name: 'person_id',
				type: 'number',
				default: 0,
				displayOptions: { show: { '/resource': ['deal'] } },
			},
			{
				displayName: 'Pipeline Name or ID',
				name: 'pipeline_id',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getPipelines' },
				default: '',
				displayOptions: { show: { '/resource': ['deal'] } },
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Sort By',
				name: 'sort_by',
				type: 'options',
				options: [
					{ name: 'ID', value: 'id' },
					{ name: 'Created', value: 'add_time' },
					{ name: 'Updated', value: 'update_time' },
				],
				default: 'id',
			},
			{
				displayName: 'Sort Direction',
				name: 'sort_direction',
				type: 'options',
				options: [
					{ name: 'Ascending', value: 'asc' },
					{ name: 'Descending', value: 'desc' },
				],
				default: 'asc',
			},
			{
				displayName: 'Stage Name or ID',
				name: 'stage_id',
				type: 'options',
				typeOptions: { loadOptionsMethod: 'getStages', loadOptionsDependsOn: ['filters.pipeline_id'] },
				default: '',
				displayOptions: { show: { '/resource': ['deal'] } },
				description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				options: [
					{ name: 'Deleted', value: 'deleted' },
					{ name: 'Lost', value: 'lost' },
					{ name: 'Open', value: 'open' },
					{ name: 'Won', value: 'won' },
				],
				default: [],
				displayOptions: { show: { '/resource': ['deal'] } },
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: PipedriveConnector, out: Outputs): Promise<void> {
	const resource = this.getNodeParameter('resource', 0) as string;
	for (let i = 0; i < items.length; i++) {
		await perItem(this, out, i, items[i], { operation: 'getMany', resource }, async () => {
			const returnAll = this.getNodeParameter('returnAll', i, false) as boolean;
			const limit = returnAll ? undefined : (this.getNodeParameter('limit', i, 50) as number);
			const f = this.getNodeParameter('filters', i, {}) as IDataObject;
			const filters: Record<string, string | number | undefined> = {};
			for (const key of ['owner_id', 'org_id', 'person_id', 'pipeline_id', 'stage_id']) {
				const v = f[key];
				if (v !== '' && v !== 0 && v !== undefined && v !== null) filters[key] = Number(v);
			}
			if (Array.isArray(f.status) && f.status.length) filters.status = (f.status as string[]).join(',');
			const records = await connector.getMany(resource, {
				limit,
				filters,
				sortBy: (f.sort_by as 'id' | 'update_time' | 'add_time' | undefined) ?? undefined,
				sortDirection: (f.sort_direction as 'asc' | 'desc' | undefined) ?? undefined,
			});
			for (const r of records) out.records.push({ json: r as unknown as IDataObject, pairedItem: { item: i } });
		});
	}
}
