import type { ILoadOptionsFunctions, INodeListSearchItems, INodeListSearchResult } from 'n8n-workflow';
import type { RecordEnvelope } from '../../../connectors/core/types';
import type { JobberObject } from '../../../connectors/jobber';
import { jobberConnector } from '../transport';

const NAMES: Record<JobberObject, { fields: string[]; name(r: RecordEnvelope): string }> = {
	clients: { fields: ['name', 'jobberWebUri'], name: (r) => String(r.fields.name ?? r.id) },
	properties: {
		fields: ['address', 'jobberWebUri'],
		name: (r) => {
			const a = (r.fields.address ?? {}) as Record<string, string>;
			return [a.street1, a.city, a.province].filter(Boolean).join(', ') || r.id;
		},
	},
	requests: { fields: ['title', 'contactName', 'jobberWebUri'], name: (r) => [r.fields.title, r.fields.contactName].filter(Boolean).join(' — ') || r.id },
	quotes: { fields: ['quoteNumber', 'title', 'jobberWebUri'], name: (r) => `#${r.fields.quoteNumber} ${r.fields.title ?? ''}`.trim() },
	jobs: { fields: ['jobNumber', 'title', 'jobberWebUri'], name: (r) => `#${r.fields.jobNumber} ${r.fields.title ?? ''}`.trim() },
	invoices: { fields: ['invoiceNumber', 'subject', 'jobberWebUri'], name: (r) => `#${r.fields.invoiceNumber} ${r.fields.subject ?? ''}`.trim() },
};

async function search(ctx: ILoadOptionsFunctions, object: JobberObject, filter?: string): Promise<INodeListSearchResult> {
	const connector = await jobberConnector(ctx);
	const names = NAMES[object];
	const results: INodeListSearchItems[] = [];
	for await (const page of connector.list(object, { limit: 50, searchTerm: filter?.trim() || undefined, fields: names.fields, pageSize: 50 })) {
		for (const r of page) results.push({ name: names.name(r), value: r.id, url: typeof r.fields.jobberWebUri === 'string' ? r.fields.jobberWebUri : undefined });
	}
	return { results };
}

export async function searchClients(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await search(this, 'clients', filter);
}
export async function searchProperties(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await search(this, 'properties', filter);
}
export async function searchRequests(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await search(this, 'requests', filter);
}
export async function searchQuotes(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await search(this, 'quotes', filter);
}
export async function searchJobs(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await search(this, 'jobs', filter);
}
export async function searchInvoices(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	return await search(this, 'invoices', filter);
}
