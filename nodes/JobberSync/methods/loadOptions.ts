import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { OBJECTS } from '../../../connectors/jobber';
import { OBJECT_OF, type Resource } from '../actions/common';
import { jobberConnector } from '../transport';

function resourceOf(ctx: ILoadOptionsFunctions): Resource {
	return ctx.getCurrentNodeParameter('resource') as Resource;
}

/** The fields the connector reads for the current resource (no API call: the catalogue is the selection). */
export async function getFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const spec = OBJECTS[OBJECT_OF[resourceOf(this)]];
	if (!spec) return [];
	return spec.fields.filter((f) => !f.link).map((f) => ({ name: f.label, value: f.name, description: f.readOnly ? 'Read-only' : undefined }));
}

/** The account's custom fields that apply to the current resource (customFieldConfigurations). */
export async function getCustomFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const spec = OBJECTS[OBJECT_OF[resourceOf(this)]];
	if (!spec?.appliesTo) return [];
	const configs = await (await jobberConnector(this)).customFieldConfigurations();
	return configs
		.filter((c) => c.appliesTo === spec.appliesTo && !c.archived && !c.readOnly)
		.map((c) => ({ name: c.name, value: c.name, description: c.valueType === 'DROPDOWN' ? `Dropdown: ${(c.dropdownOptions ?? []).join(', ')}` : c.valueType.toLowerCase().replace('_', '/') }))
		.sort((a, b) => a.name.localeCompare(b.name));
}

async function enumOptions(ctx: ILoadOptionsFunctions, type: string, fallback: string[]): Promise<INodePropertyOptions[]> {
	let values = fallback;
	try {
		const live = await (await jobberConnector(ctx)).enumValues(type);
		if (live.length) values = live;
	} catch {
		// Offline or not yet connected: the values of the documented schema.
	}
	return values.map((v) => ({ name: v.replace(/_/g, ' ').toLowerCase().replace(/^./, (c) => c.toUpperCase()), value: v }));
}

export async function getInvoicingTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await enumOptions(this, 'BillingStrategy', ['FIXED_PRICE', 'VISIT_BASED']);
}

export async function getInvoicingSchedules(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return await enumOptions(this, 'BillingFrequencyEnum', ['NEVER', 'ON_COMPLETION', 'PERIODIC', 'PER_VISIT']);
}
