import { createHash } from 'node:crypto';
import { validationError } from './errors';
import { isDate, isTimeOfDay, v1Time } from './time';

/** Entities with field definitions (`/personFields`, `/organizationFields`, `/dealFields`). */
export type EntityKind = 'person' | 'organization' | 'deal';

export type FieldType =
	| 'varchar'
	| 'varchar_auto'
	| 'text'
	| 'double'
	| 'monetary'
	| 'enum'
	| 'set'
	| 'user'
	| 'org'
	| 'people'
	| 'phone'
	| 'time'
	| 'timerange'
	| 'date'
	| 'daterange'
	| 'address'
	| 'visible_to'
	| 'int'
	| 'status'
	| 'stage'
	| 'pipeline';

export const CUSTOM_FIELD_TYPES: readonly FieldType[] = [
	'varchar',
	'varchar_auto',
	'text',
	'double',
	'monetary',
	'enum',
	'set',
	'user',
	'org',
	'people',
	'phone',
	'time',
	'timerange',
	'date',
	'daterange',
	'address',
	'visible_to',
];

/** Custom field types the search endpoints look into (persons/search `fields=custom_fields`). */
export const SEARCHABLE_TYPES = new Set<FieldType>(['address', 'varchar', 'text', 'varchar_auto', 'double', 'monetary', 'phone']);

export interface FieldOption {
	id: number;
	label: string;
}

export interface FieldDef {
	id: number;
	key: string;
	name: string;
	fieldType: FieldType;
	options: FieldOption[] | null;
	orderNr: number;
	custom: boolean;
	mandatory: boolean;
	addTime: number;
	updateTime: number | null;
	active: boolean;
}

/** Address sub-keys, in the order Pipedrive lists them. */
export const ADDRESS_SUBFIELDS = [
	'subpremise',
	'street_number',
	'route',
	'sublocality',
	'locality',
	'admin_area_level_1',
	'admin_area_level_2',
	'country',
	'postal_code',
	'formatted_address',
] as const;

/** 40-hex-char key, deterministic for (seed, entity, name): keys differ per "company" (seed) like the real ones. */
export function fieldHash(seed: number, entity: EntityKind, name: string, salt = 0): string {
	return createHash('sha1').update(`pipedrive-sandbox:${seed}:${entity}:${name}:${salt}`).digest('hex');
}

interface StandardField {
	key: string;
	name: string;
	type: FieldType;
	mandatory?: boolean;
}

const STANDARD: Record<EntityKind, StandardField[]> = {
	person: [
		{ key: 'name', name: 'Name', type: 'varchar', mandatory: true },
		{ key: 'first_name', name: 'First name', type: 'varchar' },
		{ key: 'last_name', name: 'Last name', type: 'varchar' },
		{ key: 'label_ids', name: 'Labels', type: 'set' },
		{ key: 'org_id', name: 'Organization', type: 'org' },
		{ key: 'owner_id', name: 'Owner', type: 'user' },
		{ key: 'email', name: 'Email', type: 'varchar' },
		{ key: 'phone', name: 'Phone', type: 'phone' },
		{ key: 'visible_to', name: 'Visible to', type: 'visible_to' },
		{ key: 'postal_address', name: 'Postal address', type: 'address' },
		{ key: 'job_title', name: 'Job title', type: 'varchar' },
		{ key: 'birthday', name: 'Birthday', type: 'date' },
		{ key: 'notes', name: 'Notes', type: 'text' },
		{ key: 'add_time', name: 'Person created', type: 'date' },
		{ key: 'update_time', name: 'Update time', type: 'date' },
		{ key: 'open_deals_count', name: 'Open deals', type: 'int' },
	],
	organization: [
		{ key: 'name', name: 'Name', type: 'varchar', mandatory: true },
		{ key: 'label_ids', name: 'Labels', type: 'set' },
		{ key: 'owner_id', name: 'Owner', type: 'user' },
		{ key: 'address', name: 'Address', type: 'address' },
		{ key: 'visible_to', name: 'Visible to', type: 'visible_to' },
		{ key: 'people_count', name: 'People', type: 'int' },
		{ key: 'add_time', name: 'Organization created', type: 'date' },
		{ key: 'update_time', name: 'Update time', type: 'date' },
		{ key: 'open_deals_count', name: 'Open deals', type: 'int' },
	],
	deal: [
		{ key: 'title', name: 'Title', type: 'varchar', mandatory: true },
		{ key: 'owner_id', name: 'Owner', type: 'user' },
		{ key: 'value', name: 'Value', type: 'monetary' },
		{ key: 'currency', name: 'Currency', type: 'varchar' },
		{ key: 'org_id', name: 'Organization', type: 'org' },
		{ key: 'person_id', name: 'Contact person', type: 'people' },
		{ key: 'pipeline_id', name: 'Pipeline', type: 'pipeline' },
		{ key: 'stage_id', name: 'Stage', type: 'stage' },
		{ key: 'status', name: 'Status', type: 'status' },
		{ key: 'probability', name: 'Probability', type: 'double' },
		{ key: 'lost_reason', name: 'Lost reason', type: 'varchar' },
		{ key: 'expected_close_date', name: 'Expected close date', type: 'date' },
		{ key: 'visible_to', name: 'Visible to', type: 'visible_to' },
		{ key: 'label_ids', name: 'Labels', type: 'set' },
		{ key: 'add_time', name: 'Deal created', type: 'date' },
		{ key: 'update_time', name: 'Update time', type: 'date' },
		{ key: 'close_time', name: 'Deal closed on', type: 'date' },
		{ key: 'won_time', name: 'Won time', type: 'date' },
		{ key: 'lost_time', name: 'Lost time', type: 'date' },
		{ key: 'archive_time', name: 'Archive time', type: 'date' },
	],
};

/** Custom fields every fresh sandbox company has: what a field-service sync typically maps. */
const DEFAULT_CUSTOM: Record<EntityKind, Array<{ name: string; type: FieldType; options?: string[] }>> = {
	person: [
		{ name: 'Customer Type', type: 'enum', options: ['Residential', 'Commercial', 'Property manager'] },
		{ name: 'Service Address', type: 'address' },
		{ name: 'Preferred Contact', type: 'set', options: ['Phone', 'Email', 'SMS'] },
		{ name: 'Lifetime Value', type: 'monetary' },
		{ name: 'Jobber Client ID', type: 'varchar' },
		{ name: 'Last Service Date', type: 'date' },
		{ name: 'Technician Notes', type: 'text' },
		{ name: 'Property Count', type: 'double' },
	],
	organization: [
		{ name: 'Industry', type: 'enum', options: ['Plumbing', 'HVAC', 'Electrical', 'Landscaping', 'Cleaning', 'Other'] },
		{ name: 'Account Number', type: 'varchar' },
		{ name: 'Billing Address', type: 'address' },
	],
	deal: [
		{ name: 'Job Type', type: 'enum', options: ['Installation', 'Repair', 'Maintenance', 'Inspection'] },
		{ name: 'Service Date', type: 'date' },
		{ name: 'Estimate Amount', type: 'monetary' },
		{ name: 'Jobber Job ID', type: 'varchar' },
	],
};

/** One company's field definitions for persons, organizations and deals. */
export class FieldRegistry {
	private readonly byEntity: Record<EntityKind, FieldDef[]> = { person: [], organization: [], deal: [] };
	private nextFieldId = 1;
	private nextOptionId = 1;
	private created = 0;

	constructor(
		private readonly seed: number,
		private readonly now: () => number,
		/** Returns true when a fault says the field vanished from the schema. */
		private readonly isRemoved: (entity: EntityKind, field: FieldDef) => boolean,
	) {
		this.reset();
	}

	reset(): void {
		this.nextFieldId = 1;
		this.nextOptionId = 1;
		this.created = 0;
		const t = this.now();
		for (const entity of ['person', 'organization', 'deal'] as EntityKind[]) {
			const list: FieldDef[] = [];
			for (const s of STANDARD[entity]) {
				list.push({
					id: this.nextFieldId++,
					key: s.key,
					name: s.name,
					fieldType: s.type,
					options: null,
					orderNr: list.length,
					custom: false,
					mandatory: s.mandatory ?? false,
					addTime: t,
					updateTime: null,
					active: true,
				});
			}
			for (const c of DEFAULT_CUSTOM[entity]) {
				list.push({
					id: this.nextFieldId++,
					key: fieldHash(this.seed, entity, c.name),
					name: c.name,
					fieldType: c.type,
					options: c.options ? c.options.map((label) => ({ id: this.nextOptionId++, label })) : null,
					orderNr: list.length,
					custom: true,
					mandatory: false,
					addTime: t,
					updateTime: t,
					active: true,
				});
			}
			this.byEntity[entity] = list;
		}
	}

	/** Active, not fault-removed fields (standard and custom). */
	list(entity: EntityKind): FieldDef[] {
		return this.byEntity[entity].filter((f) => f.active && !this.isRemoved(entity, f));
	}

	custom(entity: EntityKind): FieldDef[] {
		return this.list(entity).filter((f) => f.custom);
	}

	byKey(entity: EntityKind, key: string): FieldDef | undefined {
		const f = this.byEntity[entity].find((x) => x.key === key);
		return f && f.active && !this.isRemoved(entity, f) ? f : undefined;
	}

	byId(entity: EntityKind, id: number): FieldDef | undefined {
		const f = this.byEntity[entity].find((x) => x.id === id);
		return f && f.active && !this.isRemoved(entity, f) ? f : undefined;
	}

	byName(entity: EntityKind, name: string): FieldDef | undefined {
		return this.custom(entity).find((f) => f.name === name);
	}

	add(entity: EntityKind, name: string, fieldType: FieldType, options: string[] | null): FieldDef {
		const t = this.now();
		const def: FieldDef = {
			id: this.nextFieldId++,
			key: fieldHash(this.seed, entity, name, ++this.created),
			name,
			fieldType,
			options: options ? options.map((label) => ({ id: this.nextOptionId++, label })) : fieldType === 'enum' || fieldType === 'set' ? [] : null,
			orderNr: this.byEntity[entity].length,
			custom: true,
			mandatory: false,
			addTime: t,
			updateTime: t,
			active: true,
		};
		this.byEntity[entity].push(def);
		return def;
	}

	update(def: FieldDef, name: string | undefined, options: Array<{ id?: number; label: string }> | undefined): void {
		if (name !== undefined) def.name = name;
		if (options !== undefined && (def.fieldType === 'enum' || def.fieldType === 'set')) {
			def.options = options.map((o) => ({ id: typeof o.id === 'number' ? o.id : this.nextOptionId++, label: o.label }));
		}
		def.updateTime = this.now();
	}

	remove(def: FieldDef): void {
		def.active = false;
		def.updateTime = this.now();
	}
}

/** v1 field-definition item (same keys as the recorded `/activityFields` response plus the spec's flags). */
export function renderFieldV1(def: FieldDef, userId: number): Record<string, unknown> {
	return {
		id: def.id,
		key: def.key,
		name: def.name,
		group_id: null,
		order_nr: def.orderNr,
		field_type: def.fieldType,
		json_column_flag: false,
		add_time: v1Time(def.addTime),
		update_time: v1Time(def.updateTime),
		last_updated_by_user_id: def.custom ? userId : null,
		edit_flag: def.custom,
		details_visible_flag: true,
		add_visible_flag: true,
		important_flag: false,
		bulk_edit_allowed: true,
		filtering_allowed: true,
		sortable_flag: true,
		mandatory_flag: def.mandatory,
		searchable_flag: def.custom && SEARCHABLE_TYPES.has(def.fieldType),
		index_visible_flag: true,
		description: null,
		created_by_user_id: def.custom ? userId : null,
		active_flag: def.active,
		options: def.options ? def.options.map((o) => ({ id: o.id, label: o.label })) : null,
		...(def.fieldType === 'monetary' || def.fieldType === 'address'
			? { subfields: subfieldsV1(def) }
			: {}),
	};
}

function subfieldsV1(def: FieldDef): Array<{ key: string; name: string; field_type: string }> {
	if (def.fieldType === 'monetary') return [{ key: `${def.key}_currency`, name: `Currency of ${def.name}`, field_type: 'varchar' }];
	return ADDRESS_SUBFIELDS.map((s) => ({ key: `${def.key}_${s}`, name: `${s} of ${def.name}`, field_type: 'varchar' }));
}

/** v2 Fields API item (`field_code`, `field_name`, …), as in the recorded `/api/v2/dealFields` response. */
export function renderFieldV2(def: FieldDef): Record<string, unknown> {
	return {
		field_name: def.name,
		field_code: def.key,
		field_type: def.fieldType,
		options: def.options ? def.options.map((o) => ({ id: o.id, label: o.label })) : null,
		subfields:
			def.fieldType === 'monetary'
				? [{ field_code: 'currency', field_name: 'Currency', field_type: 'varchar' }]
				: def.fieldType === 'address'
					? ADDRESS_SUBFIELDS.map((s) => ({ field_code: s, field_name: s, field_type: 'varchar' }))
					: null,
		is_custom_field: def.custom,
		is_optional_response_field: false,
	};
}

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isInt(v: unknown): v is number {
	return typeof v === 'number' && Number.isInteger(v);
}

/** Validates one v2 custom field value strictly and returns the stored (v2) value; null clears. */
export function validateCustomV2(def: FieldDef, raw: unknown, path: string): unknown {
	if (raw === null) return null;
	const fail = (reason: string) => validationError(path, reason);
	switch (def.fieldType) {
		case 'varchar':
		case 'varchar_auto':
		case 'phone':
			if (typeof raw !== 'string') throw fail('must be a string');
			if (raw.length > 255) throw fail('must be at most 255 characters');
			return raw;
		case 'text':
			if (typeof raw !== 'string') throw fail('must be a string');
			if (raw.length > 65_535) throw fail('must be at most 65535 characters');
			return raw;
		case 'double':
			if (typeof raw !== 'number' || !Number.isFinite(raw)) throw fail('must be a number');
			return raw;
		case 'monetary': {
			if (!isObj(raw)) throw fail('must be an object with value and currency');
			if (typeof raw.value !== 'number' || !Number.isFinite(raw.value)) throw fail('value must be a number');
			if (raw.currency !== undefined && raw.currency !== null && typeof raw.currency !== 'string') throw fail('currency must be a string');
			return { value: raw.value, currency: typeof raw.currency === 'string' ? raw.currency : 'USD' };
		}
		case 'enum':
			if (!isInt(raw)) throw fail('must be an integer option id');
			if (!def.options?.some((o) => o.id === raw)) throw fail(`option ${raw} does not exist`);
			return raw;
		case 'set': {
			if (!Array.isArray(raw)) throw fail('must be an array of option ids');
			if (raw.length === 0) throw fail('must contain at least one option id (send null to clear)');
			for (const id of raw) {
				if (!isInt(id)) throw fail('must be an array of integer option ids');
				if (!def.options?.some((o) => o.id === id)) throw fail(`option ${id} does not exist`);
			}
			return [...new Set(raw as number[])];
		}
		case 'user':
		case 'org':
		case 'people':
		case 'visible_to':
			if (!isInt(raw)) throw fail('must be an integer');
			return raw;
		case 'date':
			if (!isDate(raw)) throw fail('must be a date in YYYY-MM-DD format');
			return raw;
		case 'daterange':
			if (!isObj(raw) || !isDate(raw.value) || !isDate(raw.until)) throw fail('must be an object with value and until dates (YYYY-MM-DD)');
			return { value: raw.value, until: raw.until };
		case 'time':
			if (!isObj(raw) || !isTimeOfDay(raw.value)) throw fail('must be an object with value HH:MM:SS and timezone_name');
			return { value: raw.value, timezone_name: typeof raw.timezone_name === 'string' ? raw.timezone_name : null };
		case 'timerange':
			if (!isObj(raw) || !isTimeOfDay(raw.value) || !isTimeOfDay(raw.until)) throw fail('must be an object with value, until and timezone_name');
			return { value: raw.value, until: raw.until, timezone_name: typeof raw.timezone_name === 'string' ? raw.timezone_name : null };
		case 'address':
			return validateAddress(raw, path, ADDRESS_SUBFIELDS);
		default:
			throw fail('is not writable');
	}
}

/** Address objects (custom address fields, org `address`, person `postal_address`): only `value` required. */
export function validateAddress(raw: unknown, path: string, subfields: readonly string[]): Json {
	if (!isObj(raw)) throw validationError(path, 'must be an object');
	if (typeof raw.value !== 'string') throw validationError(`${path}.value`, 'is required and must be a string');
	const out: Json = { value: raw.value };
	for (const key of Object.keys(raw)) {
		if (key === 'value') continue;
		if (!subfields.includes(key)) throw validationError(`${path}.${key}`, 'is not allowed');
		if (raw[key] !== null && typeof raw[key] !== 'string') throw validationError(`${path}.${key}`, 'must be a string');
	}
	// Subfields left out become null (documented for POST and PATCH).
	for (const s of subfields) out[s] = typeof raw[s] === 'string' ? raw[s] : null;
	return out;
}

/** v1 flat keys for one stored custom value (`<key>`, `<key>_currency`, address subfields, …). */
export function customToV1(def: FieldDef, value: unknown, out: Json): void {
	const k = def.key;
	switch (def.fieldType) {
		case 'monetary': {
			const m = value as { value: number; currency: string } | null;
			out[k] = m ? m.value : null;
			out[`${k}_currency`] = m ? m.currency : null;
			return;
		}
		case 'address': {
			const a = value as Json | null;
			out[k] = a ? a.value : null;
			for (const s of ADDRESS_SUBFIELDS) out[`${k}_${s}`] = a ? (a[s] ?? null) : null;
			return;
		}
		case 'enum':
			out[k] = value === null || value === undefined ? null : String(value);
			return;
		case 'set':
			out[k] = Array.isArray(value) ? value.join(',') : null;
			return;
		case 'daterange':
		case 'timerange': {
			const r = value as Json | null;
			out[k] = r ? r.value : null;
			out[`${k}_until`] = r ? r.until : null;
			if (def.fieldType === 'timerange') out[`${k}_timezone_id`] = null;
			return;
		}
		case 'time': {
			const t = value as Json | null;
			out[k] = t ? t.value : null;
			out[`${k}_timezone_id`] = null;
			return;
		}
		default:
			out[k] = value ?? null;
	}
}

/**
 * Reads v1 flat custom keys from a write body (lenient like v1: numeric strings accepted, unknown keys ignored).
 * Returns key → stored v2 value for the fields the body names.
 */
export function customFromV1(defs: FieldDef[], body: Json): Map<string, unknown> {
	const out = new Map<string, unknown>();
	for (const def of defs) {
		const k = def.key;
		const subKeys = Object.keys(body).filter((b) => b.startsWith(`${k}_`));
		if (!(k in body) && subKeys.length === 0) continue;
		const raw = body[k];
		const path = k;
		if (raw === null || raw === '') {
			out.set(k, null);
			continue;
		}
		switch (def.fieldType) {
			case 'monetary': {
				const num = typeof raw === 'number' ? raw : Number(raw);
				if (raw === undefined || Number.isNaN(num)) continue;
				const cur = body[`${k}_currency`];
				out.set(k, { value: num, currency: typeof cur === 'string' && cur ? cur : 'USD' });
				break;
			}
			case 'double': {
				const num = typeof raw === 'number' ? raw : Number(raw);
				if (Number.isNaN(num)) throw validationError(path, 'must be a number');
				out.set(k, num);
				break;
			}
			case 'enum': {
				const id = Number(raw);
				const opt = def.options?.find((o) => o.id === id) ?? def.options?.find((o) => o.label === raw);
				if (!opt) throw validationError(path, `option ${String(raw)} does not exist`);
				out.set(k, opt.id);
				break;
			}
			case 'set': {
				const parts = Array.isArray(raw) ? raw : String(raw).split(',');
				const ids: number[] = [];
				for (const p of parts) {
					const id = Number(p);
					const opt = def.options?.find((o) => o.id === id) ?? def.options?.find((o) => o.label === p);
					if (!opt) throw validationError(path, `option ${String(p)} does not exist`);
					ids.push(opt.id);
				}
				out.set(k, ids.length ? [...new Set(ids)] : null);
				break;
			}
			case 'address': {
				const addr: Json = { value: raw === undefined ? null : String(raw) };
				for (const s of ADDRESS_SUBFIELDS) addr[s] = typeof body[`${k}_${s}`] === 'string' ? body[`${k}_${s}`] : null;
				out.set(k, addr);
				break;
			}
			case 'daterange':
			case 'timerange':
				out.set(k, { value: raw, until: body[`${k}_until`] ?? null, ...(def.fieldType === 'timerange' ? { timezone_name: null } : {}) });
				break;
			case 'time':
				out.set(k, { value: raw, timezone_name: null });
				break;
			case 'user':
			case 'org':
			case 'people':
				out.set(k, Number(raw));
				break;
			default:
				if (raw !== undefined) out.set(k, typeof raw === 'string' ? raw : String(raw));
		}
	}
	return out;
}

/** Text a custom value contributes to search (address value, monetary amount, plain strings). */
export function customSearchText(def: FieldDef, value: unknown): string | null {
	if (value === null || value === undefined || !SEARCHABLE_TYPES.has(def.fieldType)) return null;
	if (def.fieldType === 'monetary') return String((value as { value: number }).value);
	if (def.fieldType === 'address') return String((value as Json).value ?? '');
	return String(value);
}

