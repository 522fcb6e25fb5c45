/**
 * Pipedrive v2 records ⇄ the envelope, and envelope/plain fields → a v2 write body that passes v2's strict
 * validation (integers as numbers, booleans as booleans, contacts as `{value,label,primary}` arrays, custom
 * fields by hash in `custom_fields`). Problems found here never cost an API call: they come back as
 * classified data errors naming the field.
 */
import type { RecordEnvelope } from '../core/types';
import { localError } from './errors';
import { ALIASES, READ_ONLY_KEYS, standardField, STANDARD_FIELDS, type PipedriveObject, type StandardField } from './objects';
import { customFromApi, customToApi, isHashKey, resolveCustom, type ObjectSchema } from './schema';

export type Raw = Record<string, unknown>;

function isObj(v: unknown): v is Raw {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** RFC 3339 from Pipedrive → ISO with milliseconds (the envelope's format). */
export function isoTime(value: unknown): string {
	const ms = typeof value === 'string' ? Date.parse(value) : NaN;
	return Number.isNaN(ms) ? new Date(0).toISOString() : new Date(ms).toISOString();
}

const LINKS: Record<PipedriveObject, Array<[string, string]>> = {
	persons: [
		['org_id', 'organization'],
		['owner_id', 'owner'],
	],
	organizations: [['owner_id', 'owner']],
	deals: [
		['person_id', 'person'],
		['org_id', 'organization'],
		['owner_id', 'owner'],
		['pipeline_id', 'pipeline'],
		['stage_id', 'stage'],
	],
};

export function toEnvelope(object: PipedriveObject, raw: Raw, schema: ObjectSchema | undefined): RecordEnvelope {
	const fields: Raw = {};
	for (const [k, v] of Object.entries(raw)) {
		if (k === 'id') continue;
		if (k === 'custom_fields' && isObj(v)) {
			for (const [key, value] of Object.entries(v)) {
				const def = schema?.byKey.get(key);
				fields[def ? def.readable : key] = def ? customFromApi(def, value) : value;
			}
			continue;
		}
		fields[k] = v;
	}
	const links: Record<string, string> = {};
	for (const [key, name] of LINKS[object]) {
		const v = raw[key];
		if (v !== null && v !== undefined && v !== '') links[name] = String(isObj(v) ? (v.id ?? v.value) : v);
	}
	const env: RecordEnvelope = { system: 'pipedrive', object, id: String(raw.id), updatedAt: isoTime(raw.update_time), fields };
	if (Object.keys(links).length) env.links = links;
	if (raw.is_deleted === true) env.deleted = true;
	return env;
}

// ---- coercion of standard fields ------------------------------------------------------------------------

const INT = /^\s*-?\d+\s*$/;
const NUMERIC = /^\s*-?\d+(\.\d+)?\s*$/;

function toContacts(value: unknown): Array<{ value: string; label?: string; primary?: boolean }> | null {
	if (value === null || value === undefined || value === '') return [];
	const list = Array.isArray(value) ? value : [value];
	const out: Array<{ value: string; label?: string; primary?: boolean }> = [];
	for (const item of list) {
		if (typeof item === 'string' || typeof item === 'number') {
			if (String(item).trim() !== '') out.push({ value: String(item).trim() });
			continue;
		}
		if (!isObj(item)) return null;
		const v = item.value;
		if (v === null || v === undefined || String(v).trim() === '') continue;
		if (typeof v !== 'string' && typeof v !== 'number') return null;
		const c: { value: string; label?: string; primary?: boolean } = { value: String(v).trim() };
		if (typeof item.label === 'string' && item.label) c.label = item.label;
		if (item.primary === true || item.primary === 'true') c.primary = true;
		else if (item.primary === false || item.primary === 'false') c.primary = false;
		out.push(c);
	}
	// At most one primary: v2 refuses two.
	let seen = false;
	for (const c of out) {
		if (c.primary && seen) c.primary = false;
		if (c.primary) seen = true;
	}
	return out;
}

const PERSON_ADDRESS_KEYS = ['subpremise', 'street_number', 'route', 'sublocality', 'locality', 'admin_area_level_1', 'admin_area_level_2', 'country', 'postal_code'];
const ORG_ADDRESS_KEYS = [...PERSON_ADDRESS_KEYS, 'formatted_address'];

function toTime(value: unknown): string | null | undefined {
	if (value instanceof Date) return value.toISOString();
	if (typeof value === 'number' && Number.isFinite(value)) return new Date(value).toISOString();
	if (typeof value === 'string' && !Number.isNaN(Date.parse(value)) && /\d{4}-\d{2}-\d{2}/.test(value)) {
		return /[zZ]|[+-]\d{2}:\d{2}$/.test(value) && value.includes('T') ? value : new Date(value).toISOString();
	}
	return undefined;
}

export function coerceStandard(object: PipedriveObject, f: StandardField, value: unknown): unknown {
	const field = f.key;
	const bad = (what: string) => localError('INVALID_FORMAT', `${field} ${what}`, { field, value, object });
	if (value === undefined) return undefined;
	switch (f.coerce) {
		case 'string': {
			if (value === null) return null;
			if (isObj(value) || Array.isArray(value)) throw bad('must be text');
			const text = String(value);
			if (f.maxLength && text.length > f.maxLength) {
				throw localError('VALUE_TOO_LONG', `${field} is ${text.length} characters long; Pipedrive allows ${f.maxLength}`, { field, value, object });
			}
			return text;
		}
		case 'int': {
			if (value === null || value === '') return null;
			const ref = isObj(value) ? (value.id ?? value.value) : value;
			if (typeof ref === 'number' && Number.isInteger(ref)) return ref;
			if (typeof ref === 'string' && INT.test(ref)) return Number(ref);
			throw bad('must be a whole number (an id)');
		}
		case 'number': {
			if (value === null || value === '') return null;
			if (typeof value === 'number' && Number.isFinite(value)) return value;
			if (typeof value === 'string' && NUMERIC.test(value)) return Number(value);
			throw bad('must be a number');
		}
		case 'boolean': {
			if (typeof value === 'boolean') return value;
			if (value === 'true' || value === 1 || value === '1') return true;
			if (value === 'false' || value === 0 || value === '0') return false;
			throw bad('must be true or false');
		}
		case 'intArray': {
			if (value === null || value === '') return [];
			const list = Array.isArray(value) ? value : String(value).split(',');
			return list.map((v) => {
				if (typeof v === 'number' && Number.isInteger(v)) return v;
				if (typeof v === 'string' && INT.test(v)) return Number(v);
				throw bad('must be a list of ids');
			});
		}
		case 'contacts': {
			const list = toContacts(value);
			if (list === null) throw bad('must be a text, a list of texts or a list of {value, label, primary}');
			return list;
		}
		case 'address': {
			if (value === null || value === '') return null;
			if (typeof value === 'string') return { value };
			// `{ value: null }` with no other part is "no address" (what a mapping to postal_address.value makes of an
			// empty address on the other side): written as null, which Pipedrive takes, not refused as malformed.
			if (isObj(value) && (value.value === null || value.value === undefined) && Object.values(value).every((v) => v === null || v === undefined || v === '')) return null;
			if (isObj(value) && typeof value.value === 'string') {
				const out: Raw = { value: value.value };
				for (const k of object === 'persons' ? PERSON_ADDRESS_KEYS : ORG_ADDRESS_KEYS) {
					if (value[k] !== undefined) out[k] = value[k] === null ? null : String(value[k]);
				}
				return out;
			}
			throw bad('must be an address text or {value, …subfields}');
		}
		case 'date': {
			if (value === null || value === '') return null;
			if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return value.slice(0, 10);
			if (value instanceof Date) return value.toISOString().slice(0, 10);
			throw bad('must be a date (YYYY-MM-DD)');
		}
		case 'datetime': {
			if (value === null || value === '') return null;
			const t = toTime(value);
			if (t === undefined) throw bad('must be a date and time (RFC 3339)');
			return t;
		}
		case 'enum': {
			if (value === null || value === '') return null;
			const text = String(value).trim().toLowerCase();
			if (f.values && !f.values.includes(text)) throw bad(`must be one of ${f.values.join(', ')}`);
			return text;
		}
	}
}

// ---- write bodies ---------------------------------------------------------------------------------------

export interface BodyOptions {
	mode: 'create' | 'update';
	/** What to do with a field Pipedrive does not have: fail the record (default) or drop the field. */
	unknownFields?: 'error' | 'ignore';
	id?: string;
}

/** Keys of the other objects' standard fields: harmless leftovers of a mapping, never an error. */
const ANY_STANDARD = new Set(Object.values(STANDARD_FIELDS).flatMap((list) => list.map((f) => f.key)));

export function buildWriteBody(object: PipedriveObject, fields: Raw, schema: ObjectSchema, options: BodyOptions): Raw {
	const body: Raw = {};
	const custom: Raw = {};
	const setCustom = (name: string, value: unknown) => {
		const def = resolveCustom(schema, name);
		if (!def) {
			if (options.unknownFields === 'ignore') return;
			throw localError('FIELD_NOT_FOUND', `Pipedrive ${object} have no custom field "${name}" (renamed or deleted?)`, { field: name, value, object, id: options.id });
		}
		if (value === undefined) return;
		custom[def.key] = customToApi(def, value, object);
	};
	for (const [rawKey, value] of Object.entries(fields)) {
		if (value === undefined) continue;
		if (rawKey === 'custom_fields' && isObj(value)) {
			for (const [k, v] of Object.entries(value)) setCustom(k, v);
			continue;
		}
		const key = ALIASES[object][rawKey] ?? rawKey;
		const std = standardField(object, key);
		if (std) {
			if (std.createOnly && options.mode === 'update') continue;
			body[key] = coerceStandard(object, std, value);
			continue;
		}
		if (resolveCustom(schema, rawKey) || isHashKey(rawKey)) {
			setCustom(rawKey, value);
			continue;
		}
		if (READ_ONLY_KEYS.has(rawKey) || ANY_STANDARD.has(rawKey)) continue;
		if (options.unknownFields === 'ignore') continue;
		throw localError('FIELD_NOT_FOUND', `Pipedrive ${object} have no field "${rawKey}"`, { field: rawKey, value, object, id: options.id });
	}
	if (Object.keys(custom).length) body.custom_fields = custom;
	if (options.mode === 'create') requireName(object, body);
	return body;
}

function requireName(object: PipedriveObject, body: Raw): void {
	const present = (k: string) => typeof body[k] === 'string' && (body[k] as string).trim() !== '';
	if (object === 'deals') {
		if (!present('title')) throw localError('REQUIRED_FIELD_MISSING', 'A Pipedrive deal needs a title', { field: 'title', object });
		return;
	}
	if (present('name')) return;
	if (object === 'persons' && present('first_name') && present('last_name')) return;
	throw localError('REQUIRED_FIELD_MISSING', object === 'persons' ? 'A Pipedrive person needs a name (or both first_name and last_name)' : 'A Pipedrive organization needs a name', {
		field: 'name',
		object,
	});
}

// ---- change detection -------------------------------------------------------------------------------------

/**
 * True when writing `body` would change nothing on `current` (the v2 record): every sent key equals the
 * current value, objects compared on the keys sent, contact lists item by item with Pipedrive's defaults.
 */
export function wouldChange(body: Raw, current: Raw): boolean {
	for (const [k, v] of Object.entries(body)) {
		if (k === 'custom_fields' && isObj(v)) {
			const cur = isObj(current.custom_fields) ? current.custom_fields : {};
			for (const [ck, cv] of Object.entries(v)) if (!same(cv, cur[ck], ck)) return true;
			continue;
		}
		if (!same(v, current[k], k)) return true;
	}
	return false;
}

function same(sent: unknown, current: unknown, key: string): boolean {
	if (sent === null || sent === undefined) return current === null || current === undefined || (Array.isArray(current) && current.length === 0);
	if (Array.isArray(sent)) {
		if (!Array.isArray(current) || current.length !== sent.length) return false;
		const contacts = key === 'emails' || key === 'phones' || key === 'im';
		// Pipedrive makes the first item primary when none is.
		const anyPrimary = sent.some((s) => isObj(s) && s.primary === true);
		return sent.every((s, i) => {
			if (contacts && isObj(s) && isObj(current[i])) {
				const c = current[i] as Raw;
				const primary = s.primary === true || (!anyPrimary && i === 0);
				return s.value === c.value && (s.label ?? 'work') === (c.label ?? 'work') && primary === (c.primary === true);
			}
			return same(s, current[i], key);
		});
	}
	if (isObj(sent)) {
		if (!isObj(current)) return false;
		return Object.entries(sent).every(([k, v]) => same(v, current[k], k));
	}
	if (key.endsWith('_time') && typeof sent === 'string' && typeof current === 'string') return Date.parse(sent) === Date.parse(current);
	return sent === current;
}

// ---- match keys -----------------------------------------------------------------------------------------

function contactValue(value: unknown): string | undefined {
	const list = toContacts(value);
	if (!list || list.length === 0) return undefined;
	return (list.find((c) => c.primary) ?? list[0]).value;
}

/** The raw match value of a record for a key: email, phone, name/title, or a custom field. */
export function matchSource(object: PipedriveObject, fields: Raw, matchKey: string): unknown {
	switch (matchKey) {
		case 'email':
			return contactValue(fields.emails ?? fields.email);
		case 'phone':
			return contactValue(fields.phones ?? fields.phone);
		case 'name':
		case 'title': {
			const own = fields[object === 'deals' ? 'title' : 'name'];
			if (typeof own === 'string' && own.trim()) return own.trim();
			if (object === 'persons' && typeof fields.first_name === 'string' && typeof fields.last_name === 'string') return `${fields.first_name} ${fields.last_name}`.trim();
			return undefined;
		}
		default: {
			if (fields[matchKey] !== undefined) return fields[matchKey];
			const cf = isObj(fields.custom_fields) ? fields.custom_fields : undefined;
			return cf?.[matchKey];
		}
	}
}
