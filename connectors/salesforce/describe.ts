/** Schema discovery: describe / describeGlobal → FieldInfo / ObjectInfo. */
import type { FieldInfo, ObjectInfo } from '../core/types';

export interface SfDescribeField {
	name: string;
	label: string;
	type: string;
	length?: number;
	nillable?: boolean;
	createable?: boolean;
	updateable?: boolean;
	defaultedOnCreate?: boolean;
	externalId?: boolean;
	unique?: boolean;
	idLookup?: boolean;
	custom?: boolean;
	calculated?: boolean;
	filterable?: boolean;
	sortable?: boolean;
	nameField?: boolean;
	picklistValues?: Array<{ value: string; label: string; active?: boolean }>;
	referenceTo?: string[];
	relationshipName?: string | null;
}

export interface SfDescribe {
	name: string;
	label: string;
	labelPlural?: string;
	custom?: boolean;
	createable?: boolean;
	updateable?: boolean;
	deletable?: boolean;
	queryable?: boolean;
	fields: SfDescribeField[];
}

export interface SfGlobalObject {
	name: string;
	label: string;
	labelPlural?: string;
	custom?: boolean;
	queryable?: boolean;
	createable?: boolean;
	updateable?: boolean;
	deletable?: boolean;
	replicateable?: boolean;
}

const TYPE_MAP: Record<string, FieldInfo['type']> = {
	id: 'string',
	string: 'string',
	textarea: 'string',
	url: 'string',
	encryptedstring: 'string',
	combobox: 'string',
	email: 'email',
	phone: 'phone',
	picklist: 'enum',
	multipicklist: 'multi_enum',
	reference: 'reference',
	boolean: 'boolean',
	int: 'number',
	long: 'number',
	double: 'number',
	currency: 'number',
	percent: 'number',
	date: 'date',
	datetime: 'datetime',
	time: 'string',
	address: 'object',
	location: 'object',
};

export function toFieldInfo(f: SfDescribeField): FieldInfo {
	const info: FieldInfo = {
		name: f.name,
		label: f.label,
		type: TYPE_MAP[f.type] ?? 'other',
		// Required on create: the API rejects a create without it (booleans are never null, so never required).
		required: f.nillable === false && f.createable === true && f.defaultedOnCreate !== true && f.type !== 'boolean',
		readOnly: !f.createable && !f.updateable,
		unique: f.unique === true || f.name === 'Id',
		custom: f.custom === true || f.name.endsWith('__c'),
	};
	if (f.length && ['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'encryptedstring', 'combobox'].includes(f.type)) info.maxLength = f.length;
	if (f.picklistValues?.length) info.options = f.picklistValues.filter((p) => p.active !== false).map((p) => ({ value: p.value, label: p.label ?? p.value }));
	return info;
}

/** External-id fields usable for upsert (PATCH /sobjects/{o}/{field}/{value}), Id first. */
export function externalIdFields(d: SfDescribe): SfDescribeField[] {
	return d.fields.filter((f) => f.externalId === true || f.name === 'Id');
}

/** Fields to read when the caller names none: every field except compound ones (address/location objects). */
export function readableFields(d: SfDescribe): string[] {
	return d.fields.filter((f) => f.type !== 'address' && f.type !== 'location').map((f) => f.name);
}

export function toObjectInfo(o: SfGlobalObject | SfDescribe): ObjectInfo {
	return { name: o.name, label: o.label, incremental: o.queryable !== false, maxBatch: 200 };
}
