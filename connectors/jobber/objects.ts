/**
 * What the connector knows about each Jobber object: the GraphQL names, how changes can be read, and a field
 * catalogue that is both the selection sent (cost!) and the schema shown in dropdowns. Field names are Jobber's
 * GraphQL names; nested selections stay nested in `fields` (emails[].address, billingAddress.city).
 */
import type { FieldInfo, ObjectInfo } from '../core/types';

export type JobberObject = 'clients' | 'properties' | 'requests' | 'quotes' | 'jobs' | 'invoices';
export const JOBBER_OBJECTS: readonly JobberObject[] = ['clients', 'properties', 'requests', 'quotes', 'jobs', 'invoices'];

export interface CatalogField {
	name: string;
	label: string;
	/** GraphQL selection for this field. */
	select: string;
	type: FieldInfo['type'];
	/** Not accepted by create/edit (read-only, or no mutation takes it). */
	readOnly?: boolean;
	required?: boolean;
	options?: string[];
	/** A relation: goes to `links` (ids), not `fields`. */
	link?: boolean;
}

export interface ObjectSpec {
	name: JobberObject;
	label: string;
	/** GraphQL type name. */
	type: string;
	/** Root single getter and list field. */
	single: string;
	list: string;
	/** How changes since a time are read. */
	changes: 'updatedAtFilter' | 'updatedAtSortDesc' | 'fullRead';
	/** GraphQL types of the list field's `filter` and `sort` arguments. */
	filterType: string;
	sortType?: string;
	/** Sort value for ascending updatedAt, when the list accepts one (clients). */
	ascendingSort?: unknown;
	/** customFieldConfigurations appliesTo. */
	appliesTo?: string;
	/** Status that means archived (envelope.deleted). */
	archived?: (node: Record<string, any>) => boolean;
	fields: CatalogField[];
}

const ADDRESS = 'street1 street2 city province postalCode country';

/** Every member of CustomFieldUnion, read by its label (the readable key). */
export const CUSTOM_FIELDS_SELECT =
	'customFields { __typename ... on CustomFieldText { label valueText } ... on CustomFieldNumeric { label valueNumeric } ... on CustomFieldTrueFalse { label valueTrueFalse } ... on CustomFieldDropdown { label valueDropdown } ... on CustomFieldLink { label valueLink { text url } } ... on CustomFieldArea { label valueArea { length width } } }';

const LINE_ITEMS = (n: number) => `lineItems(first: ${n}) { nodes { name description quantity unitPrice totalPrice } }`;

const f = (name: string, type: FieldInfo['type'], extra: Partial<CatalogField> = {}): CatalogField => ({
	name,
	label: extra.label ?? name.replace(/([A-Z])/g, ' $1').replace(/^./, (c) => c.toUpperCase()),
	select: extra.select ?? name,
	type,
	...extra,
});
const ro = (name: string, type: FieldInfo['type'], extra: Partial<CatalogField> = {}) => f(name, type, { ...extra, readOnly: true });
const link = (name: string, select: string) => f(name, 'reference', { select, readOnly: true, link: true });

export const OBJECTS: Record<JobberObject, ObjectSpec> = {
	clients: {
		name: 'clients',
		label: 'Client',
		type: 'Client',
		single: 'client',
		list: 'clients',
		changes: 'updatedAtFilter',
		filterType: 'ClientFilterAttributes',
		sortType: 'ClientsSortInput',
		ascendingSort: { key: 'UPDATED_AT', direction: 'ASCENDING' },
		appliesTo: 'ALL_CLIENTS',
		archived: (n) => n.isArchived === true,
		fields: [
			f('title', 'enum', { options: ['MR', 'MS', 'MRS', 'MISS', 'DR'] }),
			f('firstName', 'string'),
			f('lastName', 'string'),
			f('companyName', 'string'),
			f('isCompany', 'boolean'),
			ro('name', 'string'),
			ro('isLead', 'boolean'),
			ro('isArchived', 'boolean'),
			f('emails', 'array', { select: 'emails { id address description primary }' }),
			f('phones', 'array', { select: 'phones { id number description primary smsAllowed }' }),
			f('billingAddress', 'object', { select: `billingAddress { ${ADDRESS} }` }),
			ro('tags', 'array', { select: 'tags(first: 5) { nodes { label } }' }),
			f('customFields', 'object', { select: CUSTOM_FIELDS_SELECT }),
			ro('createdAt', 'datetime'),
			ro('jobberWebUri', 'string', { label: 'Jobber Web URI' }),
			link('properties', 'clientProperties(first: 10) { nodes { id } }'),
		],
	},
	properties: {
		name: 'properties',
		label: 'Property',
		type: 'Property',
		single: 'property',
		list: 'properties',
		// Properties carry no timestamp and no filter: re-read them, or follow PROPERTY_* webhooks.
		changes: 'fullRead',
		filterType: 'PropertiesFilterAttributes',
		appliesTo: 'ALL_PROPERTIES',
		fields: [
			f('address', 'object', { select: `address { ${ADDRESS} }`, required: true }),
			ro('isBillingAddress', 'boolean'),
			ro('customFields', 'object', { select: CUSTOM_FIELDS_SELECT }),
			ro('jobberWebUri', 'string', { label: 'Jobber Web URI' }),
			link('client', 'client { id }'),
		],
	},
	requests: {
		name: 'requests',
		label: 'Request',
		type: 'Request',
		single: 'request',
		list: 'requests',
		changes: 'updatedAtFilter',
		filterType: 'RequestFilterAttributes',
		archived: (n) => n.requestStatus === 'archived',
		fields: [
			f('title', 'string'),
			ro('requestStatus', 'enum'),
			ro('companyName', 'string'),
			ro('contactName', 'string'),
			ro('email', 'email'),
			ro('phone', 'phone'),
			ro('source', 'string'),
			ro('createdAt', 'datetime'),
			ro('jobberWebUri', 'string', { label: 'Jobber Web URI' }),
			link('client', 'client { id }'),
			link('property', 'property { id }'),
		],
	},
	quotes: {
		name: 'quotes',
		label: 'Quote',
		type: 'Quote',
		single: 'quote',
		list: 'quotes',
		changes: 'updatedAtFilter',
		filterType: 'QuoteFilterAttributes',
		sortType: '[QuotesSortInput!]',
		appliesTo: 'ALL_QUOTES',
		archived: (n) => n.quoteStatus === 'archived',
		fields: [
			ro('quoteNumber', 'string'),
			ro('quoteStatus', 'enum'),
			f('title', 'string'),
			f('message', 'string'),
			ro('amounts', 'object', { select: 'amounts { subtotal total }' }),
			f('lineItems', 'array', { select: LINE_ITEMS(10), required: true }),
			f('customFields', 'object', { select: CUSTOM_FIELDS_SELECT }),
			ro('createdAt', 'datetime'),
			ro('jobberWebUri', 'string', { label: 'Jobber Web URI' }),
			link('client', 'client { id }'),
			link('property', 'property { id }'),
			link('request', 'request { id }'),
		],
	},
	jobs: {
		name: 'jobs',
		label: 'Job',
		type: 'Job',
		single: 'job',
		list: 'jobs',
		// No updatedAt filter on jobs: sort by UPDATED_AT descending and stop at the cursor.
		changes: 'updatedAtSortDesc',
		filterType: 'JobFilterAttributes',
		sortType: '[JobsSortInput!]',
		appliesTo: 'ALL_JOBS',
		archived: (n) => n.jobStatus === 'archived',
		fields: [
			f('jobNumber', 'number'),
			f('title', 'string'),
			f('instructions', 'string'),
			ro('jobStatus', 'enum'),
			ro('jobType', 'enum'),
			ro('billingType', 'enum'),
			ro('invoiceSchedule', 'object', { select: 'invoiceSchedule { billingFrequency }' }),
			ro('startAt', 'datetime'),
			ro('endAt', 'datetime'),
			ro('completedAt', 'datetime'),
			ro('total', 'number'),
			f('lineItems', 'array', { select: LINE_ITEMS(10) }),
			f('customFields', 'object', { select: CUSTOM_FIELDS_SELECT }),
			ro('createdAt', 'datetime'),
			ro('jobberWebUri', 'string', { label: 'Jobber Web URI' }),
			link('client', 'client { id }'),
			link('property', 'property { id }'),
			link('quote', 'quote { id }'),
			link('request', 'request { id }'),
		],
	},
	invoices: {
		name: 'invoices',
		label: 'Invoice',
		type: 'Invoice',
		single: 'invoice',
		list: 'invoices',
		changes: 'updatedAtFilter',
		filterType: 'InvoiceFilterAttributes',
		sortType: '[InvoiceSortInput!]',
		appliesTo: 'ALL_INVOICES',
		fields: [
			ro('invoiceNumber', 'string'),
			ro('invoiceStatus', 'enum'),
			ro('subject', 'string'),
			ro('message', 'string'),
			ro('amounts', 'object', { select: 'amounts { subtotal total invoiceBalance }' }),
			ro('issuedDate', 'datetime'),
			ro('dueDate', 'datetime'),
			ro('receivedDate', 'datetime'),
			ro('billingAddress', 'object', { select: `billingAddress { ${ADDRESS} }` }),
			ro('customFields', 'object', { select: CUSTOM_FIELDS_SELECT }),
			ro('createdAt', 'datetime'),
			ro('jobberWebUri', 'string', { label: 'Jobber Web URI' }),
			link('client', 'client { id }'),
			link('jobs', 'jobs(first: 10) { nodes { id } }'),
		],
	},
};

export function objectSpec(name: string): ObjectSpec {
	const spec = OBJECTS[name as JobberObject];
	if (!spec) throw new Error(`Unknown Jobber object "${name}". Known: ${JOBBER_OBJECTS.join(', ')}`);
	return spec;
}

/**
 * The selection for a node of an object: `id updatedAt` (when the type has it) plus the requested catalogue
 * fields (all by default) and, unless `links: false`, the relations. Unknown names are refused here, before a
 * query is built.
 */
export function selectionFor(spec: ObjectSpec, fields?: readonly string[], { links = true } = {}): string {
	const wanted = fields && fields.length ? new Set(fields) : null;
	if (wanted) {
		const unknown = [...wanted].filter((n) => n !== 'id' && n !== 'updatedAt' && !spec.fields.some((x) => x.name === n));
		if (unknown.length) throw new Error(`Unknown ${spec.label} field(s): ${unknown.join(', ')}`);
	}
	const parts = ['id'];
	if (spec.name !== 'properties') parts.push('updatedAt');
	for (const field of spec.fields) {
		if (field.link ? links : !wanted || wanted.has(field.name)) parts.push(field.select);
	}
	return parts.join(' ');
}

/**
 * What a write asks Jobber to send back. Every selected field costs query points (all of a client's fields ≈ 45,
 * its id and version 2), and points are what paces Jobber writes:
 *  - `all`: the whole record, as a read returns it;
 *  - `written`: id, updatedAt and the fields this write set (Jobber's own normalised values, which the Sync Ledger
 *    keeps as the last-synced state);
 *  - `id`: id and updatedAt only (one-way bulk loads).
 */
export type ReturnFields = 'all' | 'written' | 'id';

/** The writable catalogue fields a write's input names (relations and read-only fields excluded). */
export function writtenFields(spec: ObjectSpec, fields: Record<string, unknown>): string[] {
	return spec.fields.filter((f) => !f.link && !f.readOnly && fields[f.name] !== undefined).map((f) => f.name);
}

/** The selection of a mutation's payload record for `ReturnFields`. */
export function returnSelection(spec: ObjectSpec, mode: ReturnFields, written: readonly string[]): string {
	if (mode === 'all') return selectionFor(spec);
	const parts = ['id'];
	if (spec.name !== 'properties') parts.push('updatedAt');
	if (mode === 'written') for (const field of spec.fields) if (!field.link && written.includes(field.name)) parts.push(field.select);
	return parts.join(' ');
}

export function objectInfo(spec: ObjectSpec): ObjectInfo {
	return { name: spec.name, label: spec.label, incremental: spec.changes !== 'fullRead', maxBatch: 1 };
}
