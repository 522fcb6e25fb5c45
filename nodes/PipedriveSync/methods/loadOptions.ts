import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';
import { SEARCHABLE_TYPES } from '../../../connectors/pipedrive/schema';
import { connectorFor } from '../transport';

const byName = (a: INodePropertyOptions, b: INodePropertyOptions) => a.name.localeCompare(b.name);

function resource(ctx: ILoadOptionsFunctions): string {
	return ctx.getCurrentNodeParameter('resource') as string;
}

/** Writable standard fields and every custom field (by its name in Pipedrive). */
export async function getWritableFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const connector = await connectorFor(this);
	const fields = await connector.fields(resource(this));
	return fields.map((f) => ({
		name: f.custom ? `${f.label} (custom)` : f.label,
		value: f.name,
		description: f.custom ? `Custom ${f.type} field, key ${f.vendorKey}` : `${f.name}${f.required ? ' (required on create)' : ''}`,
	}));
}

/** Custom fields Pipedrive's search can look into (text, number, monetary, address, phone). */
export async function getMatchableCustomFields(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const connector = await connectorFor(this);
	const schema = await connector.schema(resource(this));
	return schema.custom.filter((c) => SEARCHABLE_TYPES.has(c.type)).map((c) => ({ name: c.readable, value: c.readable, description: `${c.type}, key ${c.key}` })).sort(byName);
}

export async function getUsers(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const connector = await connectorFor(this);
	return (await connector.users()).map((u) => ({ name: u.name, value: u.id, description: u.email })).sort(byName);
}

export async function getPipelines(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const connector = await connectorFor(this);
	return (await connector.pipelines()).map((p) => ({ name: p.name, value: p.id })).sort(byName);
}

/** Stages of the chosen pipeline, or of every pipeline ("Pipeline > Stage"). */
export async function getStages(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const connector = await connectorFor(this);
	const pick = (path: string) => {
		try {
			return this.getCurrentNodeParameter(path) as number | string | undefined;
		} catch {
			return undefined;
		}
	};
	const chosen = Number(pick('additionalFields.pipeline_id') ?? pick('filters.pipeline_id') ?? NaN);
	const pipelines = new Map((await connector.pipelines()).map((p) => [p.id, p.name]));
	const stages = await connector.stages(Number.isFinite(chosen) && chosen > 0 ? chosen : undefined);
	return stages.map((s) => ({ name: Number.isFinite(chosen) && chosen > 0 ? s.name : `${pipelines.get(s.pipelineId) ?? s.pipelineId} > ${s.name}`, value: s.id })).sort(byName);
}
