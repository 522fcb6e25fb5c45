import type { FieldType, ILoadOptionsFunctions, ResourceMapperField, ResourceMapperFields } from 'n8n-workflow';
import type { FieldInfo } from '../../../connectors/core/types';
import { ownerLabel } from '../../../connectors/hubspot';
import { objectOf } from '../helpers';
import { hubspotConnector } from '../transport';

function typeOf(f: FieldInfo): FieldType {
	switch (f.type) {
		case 'number':
			return 'number';
		case 'boolean':
			return 'boolean';
		case 'date':
		case 'datetime':
			return 'dateTime';
		case 'enum':
		case 'reference':
			return 'options';
		default:
			return 'string';
	}
}

/** The writable properties of the object for the field mapping: dropdowns for options, owners, pipelines and stages. */
export async function getMappingFields(this: ILoadOptionsFunctions): Promise<ResourceMapperFields> {
	const object = objectOf((this.getCurrentNodeParameter('resource') as string) || 'contact');
	const hs = await hubspotConnector(this);
	const fields = (await hs.fields(object)).filter((f) => !f.readOnly);
	const owners = fields.some((f) => f.name === 'hubspot_owner_id') ? await hs.owners() : [];
	const out: ResourceMapperField[] = fields
		.map((f) => {
			const field: ResourceMapperField = {
				id: f.name,
				displayName: `${f.label} (${f.name})`,
				required: false,
				defaultMatch: object === 'contacts' && f.name === 'email',
				canBeUsedToMatch: f.unique,
				display: true,
				type: typeOf(f),
			};
			if (f.name === 'hubspot_owner_id') field.options = owners.map((o) => ({ name: ownerLabel(o), value: o.id }));
			else if (f.options?.length && field.type === 'options') field.options = f.options.map((o) => ({ name: o.label, value: o.value }));
			if (field.type === 'options' && !field.options?.length) field.type = 'string';
			return field;
		})
		.sort((a, b) => a.displayName.localeCompare(b.displayName));
	return { fields: out };
}
