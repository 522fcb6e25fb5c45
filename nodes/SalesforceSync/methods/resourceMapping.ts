import type { FieldType, ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';
import type { SfDescribeField } from '../../../connectors/salesforce';
import { currentSObject } from '../actions/resources';
import { salesforceConnector } from '../transport';

function fieldType(f: SfDescribeField): FieldType {
	if (f.type === 'boolean') return 'boolean';
	if (['int', 'double', 'currency', 'percent', 'long'].includes(f.type)) return 'number';
	if (f.type === 'datetime' || f.type === 'date') return 'dateTime';
	if (f.type === 'picklist' && f.picklistValues?.length) return 'options';
	return 'string';
}

/** Writable fields of the object for the mapper: required ones (on create) first and pinned. */
export async function getMappingColumns(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const object = currentSObject(this);
	if (!object) return { fields: [] };
	const operation = this.getCurrentNodeParameter('operation') as string;
	const batchOperation = this.getCurrentNodeParameter('batchOperation') as string | undefined;
	const mode = operation === 'batchWrite' ? batchOperation : operation;
	const connector = await salesforceConnector(this);
	const d = await connector.describe(object, { fresh: true });
	const fields: ResourceMapperField[] = d.fields
		.filter((f) => (mode === 'create' ? f.createable : mode === 'update' ? f.updateable : f.createable || f.updateable))
		.map((f) => {
			const required = mode === 'create' && f.nillable === false && f.defaultedOnCreate !== true && f.type !== 'boolean';
			const type = fieldType(f);
			return {
				id: f.name,
				displayName: `${f.label} (${f.name})`,
				required,
				defaultMatch: false,
				canBeUsedToMatch: f.externalId === true,
				display: true,
				type,
				...(type === 'options' ? { options: (f.picklistValues ?? []).filter((p) => p.active !== false).map((p) => ({ name: p.label ?? p.value, value: p.value })) } : {}),
			};
		})
		.sort((a, b) => Number(b.required) - Number(a.required) || a.displayName.localeCompare(b.displayName));
	return { fields };
}
