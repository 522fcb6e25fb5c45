/**
 * Schema discovery: HubSpot property definitions (`/crm/v3/properties/{type}`) → FieldInfo, deal
 * pipelines with their stages, and owners. Custom properties are listed by their internal name, which is
 * the key HubSpot uses in records.
 */
import type { FieldInfo } from '../core/types';
import type { HubSpotObject } from './objects';

export interface HubSpotProperty {
	name: string;
	label?: string;
	type?: string;
	fieldType?: string;
	groupName?: string;
	description?: string;
	options?: Array<{ label?: string; value?: string; hidden?: boolean; displayOrder?: number }>;
	hasUniqueValue?: boolean;
	hidden?: boolean;
	calculated?: boolean;
	hubspotDefined?: boolean;
	archived?: boolean;
	modificationMetadata?: { readOnlyValue?: boolean; readOnlyDefinition?: boolean; archivable?: boolean };
	referencedObjectType?: string;
}

/** Longest string value HubSpot stores (crm-apis.md §1.12). */
export const MAX_STRING_LENGTH = 65_536;

function fieldType(p: HubSpotProperty): FieldInfo['type'] {
	if (p.name === 'email' || p.fieldType === 'email') return 'email';
	if (p.fieldType === 'phonenumber') return 'phone';
	switch (p.type) {
		case 'number':
			return 'number';
		case 'bool':
			return 'boolean';
		case 'date':
			return 'date';
		case 'datetime':
			return 'datetime';
		case 'enumeration':
			if (p.name === 'hubspot_owner_id' || p.referencedObjectType === 'OWNER') return 'reference';
			return p.fieldType === 'checkbox' ? 'multi_enum' : 'enum';
		case 'phone_number':
			return 'phone';
		case 'string':
			return 'string';
		default:
			return 'other';
	}
}

export function toFieldInfo(object: HubSpotObject, p: HubSpotProperty): FieldInfo {
	const readOnly = !!(p.modificationMetadata?.readOnlyValue || p.calculated);
	const info: FieldInfo = {
		name: p.name,
		label: p.label || p.name,
		type: fieldType(p),
		required: false,
		readOnly,
		// Contact email is unique per portal without being flagged hasUniqueValue.
		unique: !!p.hasUniqueValue || (object === 'contacts' && p.name === 'email'),
		custom: p.hubspotDefined !== true,
	};
	if (info.type === 'string' || info.type === 'email' || info.type === 'phone') info.maxLength = MAX_STRING_LENGTH;
	const options = (p.options ?? []).filter((o) => !o.hidden && typeof o.value === 'string');
	if (options.length) info.options = options.map((o) => ({ value: o.value!, label: o.label || o.value! }));
	return info;
}

export interface Pipeline {
	id: string;
	label: string;
	displayOrder?: number;
	stages: Array<{ id: string; label: string; displayOrder?: number; metadata?: Record<string, string>; archived?: boolean }>;
	archived?: boolean;
}

export interface Owner {
	id: string;
	email?: string;
	firstName?: string;
	lastName?: string;
	userId?: number;
	archived?: boolean;
}

export function ownerLabel(o: Owner): string {
	const name = [o.firstName, o.lastName].filter(Boolean).join(' ').trim();
	return name && o.email ? `${name} (${o.email})` : name || o.email || o.id;
}
