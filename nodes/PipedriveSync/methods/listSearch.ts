import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { connectorFor } from '../transport';

/** Records of the chosen resource for the Record resource locator: by name when a filter is typed. */
export async function searchRecords(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const connector = await connectorFor(this);
	const resource = this.getCurrentNodeParameter('resource') as string;
	const found = await connector.lookup(resource, filter);
	return { results: found.map((r) => ({ name: `${r.name} (${r.id})`, value: r.id })) };
}
