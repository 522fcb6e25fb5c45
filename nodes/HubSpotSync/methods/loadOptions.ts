import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { ownerLabel, type HubSpotObject } from '../../../connectors/hubspot';
import { objectOf } from '../helpers';
import { hubspotConnector } from '../transport';

function currentObject(ctx: ILoadOptionsFunctions): HubSpotObject {
	return objectOf((ctx.getCurrentNodeParameter('resource') as string) || 'contact');
}

const byName = (a: INodePropertyOptions, b: INodePropertyOptions) => a.name.localeCompare(b.name);

/** Every property of the object, custom ones included, by label. */
export async function getProperties(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const hs = await hubspotConnector(this);
	const fields = await hs.fields(currentObject(this));
	return fields.map((f) => ({ name: f.label, value: f.name, description: `${f.name} · ${f.type}${f.custom ? ' · custom' : ''}${f.readOnly ? ' · read-only' : ''}` })).sort(byName);
}

/** Properties that can identify a record for upsert/lookup: contact email and hasUniqueValue properties. */
export async function getUniqueProperties(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const hs = await hubspotConnector(this);
	const fields = await hs.uniqueProperties(currentObject(this));
	return fields.map((f) => ({ name: f.label, value: f.name, description: f.name })).sort(byName);
}

export async function getPipelines(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const hs = await hubspotConnector(this);
	return (await hs.pipelines('deals')).map((p) => ({ name: p.label, value: p.id }));
}

/** Stages of the chosen pipeline (the first pipeline's when none is chosen), in pipeline order. */
export async function getStages(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const hs = await hubspotConnector(this);
	const set = (this.getCurrentNodeParameter('setValues') as IDataObject | undefined) ?? {};
	const chosen = String(set.pipeline ?? '');
	const pipelines = await hs.pipelines('deals');
	const pipeline = pipelines.find((p) => p.id === chosen) ?? pipelines[0];
	return (pipeline?.stages ?? []).map((s) => ({ name: s.label, value: s.id, description: pipeline.label }));
}

export async function getOwners(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const hs = await hubspotConnector(this);
	return (await hs.owners()).map((o) => ({ name: ownerLabel(o), value: o.id })).sort(byName);
}
