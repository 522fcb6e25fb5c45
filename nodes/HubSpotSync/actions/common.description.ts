/** Parameters several operations share, and the display-options helper. */
import type { IDisplayOptions, INodeProperties } from 'n8n-workflow';

export const RECORD_RESOURCES = ['contact', 'company', 'deal'];

export function forOperations(operations: string[], extra: IDisplayOptions['show'] = {}): IDisplayOptions {
	return { show: { resource: RECORD_RESOURCES, operation: operations, ...extra } };
}

/** Adds the display options to every property (as n8n's own updateDisplayOptions does). */
export function withDisplay(display: IDisplayOptions, properties: INodeProperties[]): INodeProperties[] {
	return properties.map((p) => ({
		...p,
		displayOptions: { ...p.displayOptions, show: { ...display.show, ...(p.displayOptions?.show ?? {}) }, ...(p.displayOptions?.hide ? { hide: p.displayOptions.hide } : {}) },
	}));
}

export function recordIdLocator(name = 'recordId', displayName = 'Record', required = true): INodeProperties {
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: { mode: 'id', value: '' },
		required,
		description: "The HubSpot record. Left empty, the input item's own record ID is used (an envelope's ID).",
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a record...',
				typeOptions: { searchListMethod: 'searchRecords', searchable: true, searchFilterRequired: false },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'e.g. 170000000001',
				validation: [{ type: 'regex', properties: { regex: '^\\s*(\\d+)?\\s*$', errorMessage: 'A HubSpot record ID is a number' } }],
			},
			{
				displayName: 'By URL',
				name: 'url',
				type: 'string',
				placeholder: 'e.g. https://app.hubspot.com/contacts/123/record/0-1/456',
				extractValue: { type: 'regex', regex: '/record/0-\\d+/(\\d+)' },
				validation: [{ type: 'regex', properties: { regex: '.*/record/0-\\d+/\\d+.*', errorMessage: 'Not a HubSpot record URL' } }],
			},
		],
	};
}

export const propertiesOption: INodeProperties = {
	displayName: 'Properties Names or IDs',
	name: 'properties',
	type: 'multiOptions',
	typeOptions: { loadOptionsMethod: 'getProperties', loadOptionsDependsOn: ['resource'] },
	default: [],
	description:
		'Properties to read (custom ones included); none reads the fields a CRM ⇄ field-service sync uses. Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

export const linksOption: INodeProperties = {
	displayName: 'Include Associations',
	name: 'links',
	type: 'multiOptions',
	options: [
		{ name: 'Companies', value: 'companies' },
		{ name: 'Contacts', value: 'contacts' },
		{ name: 'Deals', value: 'deals' },
	],
	default: [],
	description: 'Associated record IDs to put under `links` of each record',
};

/** Where a write takes its field values from. */
export const fieldsSource: INodeProperties = {
	displayName: 'Fields From',
	name: 'fieldsSource',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Input Item', value: 'input', description: "An envelope's `fields`, or the item's own keys (HubSpot property names)" },
		{ name: 'Field Mapping', value: 'mapper', description: 'Choose HubSpot properties and set their values here' },
	],
	default: 'input',
};

export function fieldsMapper(mode: 'add' | 'update' | 'upsert'): INodeProperties {
	return {
		displayName: 'Fields',
		name: 'fields',
		type: 'resourceMapper',
		noDataExpression: true,
		default: { mappingMode: 'defineBelow', value: null },
		required: true,
		typeOptions: {
			loadOptionsDependsOn: ['resource'],
			resourceMapper: {
				resourceMapperMethod: 'getMappingFields',
				mode,
				fieldWords: { singular: 'property', plural: 'properties' },
				addAllFields: false,
				multiKeyMatch: false,
				supportAutoMap: true,
			},
		},
		displayOptions: { show: { fieldsSource: ['mapper'] } },
	};
}

/** Owner, pipeline and stage pickers: set on every record written (override the input's values). */
export const setValues: INodeProperties = {
	displayName: 'Set Values',
	name: 'setValues',
	type: 'collection',
	placeholder: 'Add Value',
	default: {},
	options: [
		{
			displayName: 'Owner Name or ID',
			name: 'hubspot_owner_id',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getOwners' },
			default: '',
			description: 'Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
		},
		{
			displayName: 'Pipeline Name or ID',
			name: 'pipeline',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getPipelines' },
			default: '',
			description: 'Deals only. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
		{
			displayName: 'Stage Name or ID',
			name: 'dealstage',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getStages', loadOptionsDependsOn: ['setValues.pipeline'] },
			default: '',
			description:
				"Deals only: a stage of the chosen pipeline (the default pipeline's when none is chosen). Choose from the list, or specify an ID using an <a href=\"https://docs.n8n.io/code/expressions/\">expression</a>.",
		},
	],
};

export function uniquePropertyParam(name: string, displayName: string, extra: Partial<INodeProperties> = {}): INodeProperties {
	return {
		displayName,
		name,
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getUniqueProperties', loadOptionsDependsOn: ['resource'] },
		default: 'email',
		description:
			'A property with unique values (`email` on contacts, or a custom property with unique values). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		...extra,
	} as INodeProperties;
}
