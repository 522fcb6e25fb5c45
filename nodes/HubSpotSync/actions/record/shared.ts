/** Reading the parameters every record operation shares. */
import type { IDataObject, IExecuteFunctions, ResourceMapperValue } from 'n8n-workflow';
import type { HubSpotObject } from '../../../../connectors/hubspot';
import { hubspotIdOf, list, objectOf, recordFields } from '../../helpers';

export function objectAt(ctx: IExecuteFunctions, i: number): HubSpotObject {
	return objectOf(ctx.getNodeParameter('resource', i) as string);
}

/** The fields to write for item i: from the input item or the field mapping, then Set Values on top. */
export function fieldsAt(ctx: IExecuteFunctions, i: number, json: IDataObject): IDataObject {
	const source = ctx.getNodeParameter('fieldsSource', i, 'input') as string;
	let fields: IDataObject;
	if (source === 'mapper') {
		const mapper = ctx.getNodeParameter('fields', i, {}) as ResourceMapperValue;
		fields = mapper.mappingMode === 'autoMapInputData' ? recordFields(json) : { ...((mapper.value ?? {}) as IDataObject) };
		for (const k of Object.keys(fields)) if (fields[k] === undefined) delete fields[k];
	} else {
		fields = recordFields(json);
	}
	const set = ctx.getNodeParameter('setValues', i, {}) as IDataObject;
	for (const [k, v] of Object.entries(set)) if (v !== '' && v !== undefined && v !== null) fields[k] = v;
	return fields;
}

/** A record id from a resource locator, falling back to the input item's HubSpot id. */
export function recordIdAt(ctx: IExecuteFunctions, i: number, json: IDataObject, name = 'recordId'): string {
	const raw = ctx.getNodeParameter(name, i, '', { extractValue: true }) as string | number;
	const id = String(raw ?? '').trim();
	return id || (hubspotIdOf(json) ?? '');
}

export function readOptionsAt(ctx: IExecuteFunctions, i: number): { properties: string[]; links: HubSpotObject[] } {
	const options = ctx.getNodeParameter('options', i, {}) as IDataObject;
	return { properties: list(options.properties), links: list(options.links) as HubSpotObject[] };
}
