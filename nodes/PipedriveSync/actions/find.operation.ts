import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeProperties } from 'n8n-workflow';
import type { PipedriveConnector } from '../../../connectors/pipedrive';
import { matchKeyOf, matchKeyParameters, perItem, type Outputs } from './common';

const show = { operation: ['find'] };

export const description: INodeProperties[] = [
	...matchKeyParameters(show),
	{
		displayName: 'Value',
		name: 'matchValue',
		type: 'string',
		displayOptions: { show },
		default: '',
		required: true,
		placeholder: 'name@example.com',
		description: 'The value to look for. Each record found becomes one item; nothing found, no item.',
	},
];

export async function execute(this: IExecuteFunctions, items: INodeExecutionData[], connector: PipedriveConnector, out: Outputs): Promise<void> {
	const resource = this.getNodeParameter('resource', 0) as string;
	for (let i = 0; i < items.length; i++) {
		await perItem(this, out, i, items[i], { operation: 'find', resource }, async () => {
			const key = matchKeyOf(this, i);
			const value = this.getNodeParameter('matchValue', i, '') as string;
			const found = await connector.find(resource, key, value);
			for (const r of found) out.records.push({ json: r as unknown as IDataObject, pairedItem: { item: i } });
		});
	}
}
