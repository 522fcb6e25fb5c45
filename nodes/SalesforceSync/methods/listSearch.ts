import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';
import { buildSelect, soqlCondition } from '../../../connectors/salesforce';
import { currentSObject } from '../actions/resources';
import { salesforceConnector } from '../transport';

/** Records of the object by name (its name field), for the record locator. */
export async function searchRecords(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const object = currentSObject(this);
	if (!object) return { results: [] };
	const connector = await salesforceConnector(this);
	const d = await connector.describe(object);
	const nameField = d.fields.find((f) => f.nameField)?.name ?? (d.fields.some((f) => f.name === 'Name') ? 'Name' : 'Id');
	const where = filter?.trim() ? [soqlCondition({ field: nameField, op: 'CONTAINS', value: filter.trim() })] : [];
	const soql = buildSelect({ object, fields: ['Id', nameField], where, orderBy: [{ field: nameField }], limit: 100 });
	const results = [];
	for await (const page of connector.queryPages(soql, { object })) {
		for (const r of page.records) {
			results.push({ name: String(r[nameField] ?? r.Id), value: String(r.Id), url: `${connector.instanceUrl}/lightning/r/${object}/${r.Id}/view` });
		}
	}
	return { results };
}
