/**
 * Custom fields. Pipedrive keys them by 40-character hashes that differ per company; users know them by
 * name. Envelopes carry them under their **display name as shown in Pipedrive** (`Customer Type`), and values
 * in readable form (enum/set option labels instead of option ids); writes accept the name, the hash, or a
 * `custom_fields` object, and send hashes and option ids to the API (v2 `custom_fields` object).
 * A name that two custom fields share, or that equals a standard key, gets the hash prefix: `Notes [dcf558aa]`.
 */
import type { FieldInfo } from '../core/types';
import { localError } from './errors';
import { ALIASES, READ_ONLY_KEYS, STANDARD_FIELDS, type PipedriveObject } from './objects';

export interface CustomField {
	/** The 40-char hash. */
	key: string;
	/** Pipedrive's display name. */
	name: string;
	/** The key used in envelope `fields` (the name, or name + hash prefix when ambiguous). */
	readable: string;
	type: string;
	options: Array<{ id: number; label: string }> | null;
}

export interface ObjectSchema {
	object: PipedriveObject;
	custom: CustomField[];
	byReadable: Map<string, CustomField>;
	byKey: Map<string, CustomField>;
}

/** One item of `GET /api/v2/personFields` (field_code/field_name) or `/api/v1/personFields` (key/name). */
export interface RawFieldDef {
	field_code?: string;
	field_name?: string;
	key?: string;
	name?: string;
	field_type?: string;
	options?: Array<{ id: number | string; label: string }> | null;
	is_custom_field?: boolean;
	edit_flag?: boolean;
}

const HASH = /^[0-9a-f]{40}$/;

export function isHashKey(key: string): boolean {
	return HASH.test(key);
}

export function buildSchema(object: PipedriveObject, raw: RawFieldDef[]): ObjectSchema {
	const defs: Array<Omit<CustomField, 'readable'>> = [];
	for (const f of raw) {
		const key = f.field_code ?? f.key;
		const name = (f.field_name ?? f.name ?? '').trim();
		if (!key) continue;
		const custom = f.is_custom_field ?? isHashKey(key);
		if (!custom) continue;
		defs.push({
			key,
			name: name || key,
			type: f.field_type ?? 'varchar',
			options: Array.isArray(f.options) ? f.options.map((o) => ({ id: Number(o.id), label: String(o.label) })) : null,
		});
	}
	const reserved = new Set<string>([...STANDARD_FIELDS[object].map((s) => s.key), ...READ_ONLY_KEYS, ...Object.keys(ALIASES[object]), 'custom_fields']);
	const count = new Map<string, number>();
	for (const d of defs) count.set(d.name, (count.get(d.name) ?? 0) + 1);
	const custom = defs.map((d) => ({
		...d,
		readable: count.get(d.name)! > 1 || reserved.has(d.name) || isHashKey(d.name) ? `${d.name} [${d.key.slice(0, 8)}]` : d.name,
	}));
	return {
		object,
		custom,
		byReadable: new Map(custom.map((c) => [c.readable, c])),
		byKey: new Map(custom.map((c) => [c.key, c])),
	};
}

/** A custom field by readable name, display name (when unambiguous) or hash. */
export function resolveCustom(schema: ObjectSchema, name: string): CustomField | undefined {
	const direct = schema.byReadable.get(name) ?? schema.byKey.get(name);
	if (direct) return direct;
	const byName = schema.custom.filter((c) => c.name === name);
	return byName.length === 1 ? byName[0] : undefined;
}

function optionLabel(def: CustomField, id: unknown): unknown {
	const n = Number(id);
	return def.options?.find((o) => o.id === n)?.label ?? id;
}

/** API value → envelope value. */
export function customFromApi(def: CustomField, value: unknown): unknown {
	if (value === null || value === undefined) return null;
	if (def.type === 'enum') return optionLabel(def, value);
	if (def.type === 'set') {
		const ids = Array.isArray(value) ? value : String(value).split(',').filter(Boolean);
		return ids.map((id) => optionLabel(def, id));
	}
	return value;
}

function isObj(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;
const INT = /^\s*\d+\s*$/;
const ADDRESS_KEYS = ['subpremise', 'street_number', 'route', 'sublocality', 'locality', 'admin_area_level_1', 'admin_area_level_2', 'country', 'postal_code', 'formatted_address'];

function optionId(def: CustomField, raw: unknown, field: string, object: PipedriveObject): number {
	const options = def.options ?? [];
	if (typeof raw === 'number' && options.some((o) => o.id === raw)) return raw;
	const text = String(raw).trim();
	const byLabel = options.find((o) => o.label === text) ?? options.find((o) => o.label.toLowerCase() === text.toLowerCase());
	if (byLabel) return byLabel.id;
	if (INT.test(text) && options.some((o) => o.id === Number(text))) return Number(text);
	throw localError('INVALID_FORMAT', `"${text}" is not an option of ${field} (options: ${options.map((o) => o.label).join(', ') || 'none'})`, { field, value: raw, object });
}

/** Envelope (or plain) value → the v2 API value, with the field named in any error. */
export function customToApi(def: CustomField, value: unknown, object: PipedriveObject): unknown {
	const field = def.readable;
	const bad = (what: string) => localError('INVALID_FORMAT', `${field} ${what}`, { field, value, object });
	if (value === null || value === undefined || value === '') return null;
	switch (def.type) {
		case 'varchar':
		case 'varchar_auto':
		case 'phone':
		case 'text': {
			if (isObj(value) || Array.isArray(value)) throw bad('must be text');
			const text = String(value);
			if (def.type !== 'text' && text.length > 255) {
				throw localError('VALUE_TOO_LONG', `${field} is ${text.length} characters long; Pipedrive allows 255`, { field, value, object });
			}
			return text;
		}
		case 'double':
			if (typeof value === 'number' && Number.isFinite(value)) return value;
			if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
			throw bad('must be a number');
		case 'monetary': {
			if (typeof value === 'number' || (typeof value === 'string' && NUMERIC.test(value))) return { value: Number(value) };
			if (isObj(value)) {
				const amount = value.value;
				const n = typeof amount === 'number' ? amount : typeof amount === 'string' && NUMERIC.test(amount) ? Number(amount) : NaN;
				if (!Number.isFinite(n)) throw bad('must be an amount or {value, currency}');
				return value.currency ? { value: n, currency: String(value.currency) } : { value: n };
			}
			throw bad('must be an amount or {value, currency}');
		}
		case 'enum':
			return optionId(def, Array.isArray(value) ? value[0] : value, field, object);
		case 'set': {
			const list = Array.isArray(value) ? value : String(value).split(',').map((s) => s.trim()).filter(Boolean);
			if (list.length === 0) return null;
			return [...new Set(list.map((v) => optionId(def, v, field, object)))];
		}
		case 'user':
		case 'org':
		case 'people':
		case 'visible_to': {
			const ref = isObj(value) ? (value.id ?? value.value) : value;
			if (typeof ref === 'number' && Number.isInteger(ref)) return ref;
			if (typeof ref === 'string' && INT.test(ref)) return Number(ref);
			throw bad('must be a numeric id');
		}
		case 'date': {
			if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) {
				return /^\d{4}-\d{2}-\d{2}$/.test(value) ? value : new Date(value).toISOString().slice(0, 10);
			}
			throw bad('must be a date (YYYY-MM-DD)');
		}
		case 'address': {
			if (typeof value === 'string') return { value };
			if (isObj(value) && typeof value.value === 'string') {
				const out: Record<string, unknown> = { value: value.value };
				for (const k of ADDRESS_KEYS) if (value[k] !== undefined) out[k] = value[k] === null ? null : String(value[k]);
				return out;
			}
			throw bad('must be an address text or {value, …subfields}');
		}
		default:
			return value;
	}
}

/** Custom field types Pipedrive's search indexes (`fields=custom_fields`): the only ones usable as match keys. */
export const SEARCHABLE_TYPES = new Set(['varchar', 'varchar_auto', 'text', 'phone', 'double', 'monetary', 'address']);

/** The search text of a custom value (what Pipedrive's search indexes), or undefined when not searchable. */
export function customSearchTerm(def: CustomField, apiValue: unknown): string | undefined {
	if (apiValue === null || apiValue === undefined) return undefined;
	switch (def.type) {
		case 'varchar':
		case 'varchar_auto':
		case 'text':
		case 'phone':
		case 'double':
			return String(apiValue);
		case 'monetary':
			return String((apiValue as { value: number }).value);
		case 'address':
			return String((apiValue as { value: string }).value);
		default:
			return undefined;
	}
}

const TYPE_OF: Record<string, FieldInfo['type']> = {
	varchar: 'string',
	varchar_auto: 'string',
	text: 'string',
	phone: 'phone',
	double: 'number',
	monetary: 'object',
	enum: 'enum',
	set: 'multi_enum',
	user: 'reference',
	org: 'reference',
	people: 'reference',
	date: 'date',
	address: 'object',
};

/** Standard writable fields plus the custom ones, for dropdowns and mapping suggestions. */
export function fieldInfos(schema: ObjectSchema): FieldInfo[] {
	const standard: FieldInfo[] = STANDARD_FIELDS[schema.object].map((s) => ({
		name: s.key,
		label: s.label,
		type: s.type,
		required: !!s.required,
		readOnly: false,
		unique: false,
		custom: false,
		...(s.maxLength ? { maxLength: s.maxLength } : {}),
		...(s.values ? { options: s.values.map((v) => ({ value: v, label: v })) } : {}),
	}));
	const custom: FieldInfo[] = schema.custom.map((c) => ({
		name: c.readable,
		label: c.name,
		type: TYPE_OF[c.type] ?? 'other',
		required: false,
		readOnly: false,
		unique: false,
		custom: true,
		vendorKey: c.key,
		...(c.type === 'varchar' || c.type === 'varchar_auto' || c.type === 'phone' ? { maxLength: 255 } : {}),
		...(c.options ? { options: c.options.map((o) => ({ value: o.label, label: o.label })) } : {}),
	}));
	return [...standard, ...custom];
}
