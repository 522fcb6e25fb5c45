import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { OBJECT_FACTS, type HubSpotObject } from '../../../connectors/hubspot';
import { objectOf } from '../helpers';
import { hubspotConnector } from '../transport';

function title(object: HubSpotObject, fields: Record<string, unknown>, id: string): string {
	const s = (k: string) => (typeof fields[k] === 'string' ? (fields[k] as string) : '');
	if (object === 'contacts') return [s('firstname'), s('lastname')].filter(Boolean).join(' ') + (s('email') ? ` <${s('email')}>` : '') || id;
	if (object === 'companies') return s('name') + (s('domain') ? ` (${s('domain')})` : '') || id;
	return s('dealname') || id;
}

/** Records of the current resource matching the typed text, newest first, for the record pickers. */
export async function searchRecords(this: ILoadOptionsFunctions, filter?: string, paginationToken?: string): Promise<INodeListSearchResult> {
	const object = objectOf((this.getCurrentNodeParameter('resource') as string) || 'contact');
	const hs = await hubspotConnector(this);
	const { records, next } = await hs.search(object, filter, { limit: 50, after: paginationToken });
	return {
		results: records.map((r) => ({ name: title(object, r.fields, r.id), value: r.id, url: `https://app.hubspot.com/contacts/_/record/${OBJECT_FACTS[object].typeId}/${r.id}` })),
		paginationToken: next,
	};
}
