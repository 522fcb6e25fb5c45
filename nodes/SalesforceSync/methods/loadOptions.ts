import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { externalIdFields } from '../../../connectors/salesforce';
import { currentSObject } from '../actions/resources';
import { salesforceConnector } from '../transport';

const byName = (a: INodePropertyOptions, b: INodePropertyOptions) => a.name.localeCompare(b.name);

/** Every queryable sObject of the org (describeGlobal), custom ones included. */
export async function getSObjects(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const connector = await salesforceConnector(this);
	const objects = await connector.describeGlobal({ fresh: true });
	return objects
		.filter((o) => o.queryable !== false)
		.map((o) => ({ name: `${o.label} (${o.name})`, value: o.name, description: o.custom ? 'Custom object' : undefined }))
		.sort(byName);
}

/** The object's fields from describe, custom `__c` fields included. */
export async function getFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const object = currentSObject(this);
	if (!object) return [];
	const connector = await salesforceConnector(this);
	const d = await connector.describe(object, { fresh: true });
	return d.fields
		.filter((f) => f.type !== 'address' && f.type !== 'location')
		.map((f) => ({ name: `${f.label} (${f.name})`, value: f.name, description: `${f.type}${f.custom ? ', custom' : ''}${f.externalId ? ', external ID' : ''}` }))
		.sort(byName);
}

/** Fields flagged External ID (and Id), for upsert. */
export async function getExternalIdFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const object = currentSObject(this);
	if (!object) return [];
	const connector = await salesforceConnector(this);
	const d = await connector.describe(object, { fresh: true });
	return externalIdFields(d)
		.map((f) => ({ name: `${f.label} (${f.name})`, value: f.name, description: f.unique ? 'Unique' : f.name === 'Id' ? 'Record ID' : 'Not unique: may match several records' }))
		.sort(byName);
}
