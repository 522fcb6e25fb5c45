/**
 * Creates, updates and deletes, validated against the same metadata describe publishes. Request-level problems
 * (unknown field, a value that cannot be deserialised) throw SfError and fail the whole request, as they do on
 * the real API; record-level problems come back as SaveResult errors (per item in collections).
 */
import { MSG, SfError, saveError, type SaveError } from './errors';
import { normalizeId } from './ids';
import { NUMBER_TYPES, OPPORTUNITY_STAGES, STRING_TYPES, type FieldDef } from './schema';
import type { Database, ObjectStore, Rec, Value } from './store';
import { parseDateTimeValue, parseDateValue, truncateToSecond } from './values';
import { attributes } from './soql/engine';

export type DuplicateRuleMode = false | 'alert' | 'block';

export interface WriteEnv {
	db: Database;
	now: number;
	userId: string;
	version: string;
	/** `Sforce-Duplicate-Rule-Header: allowSave=true` was sent. */
	allowSave: boolean;
	duplicateRule: DuplicateRuleMode;
	isFieldRemoved(object: string, field: string): boolean;
	/** Ids of the active users (valid owners). */
	users: Set<string>;
}

export interface SaveResult {
	id?: string;
	success: boolean;
	errors: SaveError[];
	created?: boolean;
}

const EMAIL = /^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;
const STAGES = new Map(OPPORTUNITY_STAGES.map(([name, probability, closed, won]) => [name, { probability, closed, won }]));

function jsonToken(v: unknown): string {
	if (v === null) return 'VALUE_NULL';
	if (Array.isArray(v)) return 'START_ARRAY';
	if (typeof v === 'object') return 'START_OBJECT';
	if (typeof v === 'string') return 'VALUE_STRING';
	if (typeof v === 'boolean') return v ? 'VALUE_TRUE' : 'VALUE_FALSE';
	return Number.isInteger(v) ? 'VALUE_NUMBER_INT' : 'VALUE_NUMBER_FLOAT';
}

function cannotDeserialize(javaType: string, v: unknown): SfError {
	const shown = typeof v === 'object' && v !== null ? (Array.isArray(v) ? '[' : '{') : String(v);
	return SfError.of(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of ${javaType} from ${jsonToken(v)} value ${shown} or request may be missing a required field at [line:1, column:1]`);
}

/** Turns one JSON value into the stored form of a field, or throws the API's deserialisation error. */
function coerce(f: FieldDef, v: unknown): Value {
	if (STRING_TYPES.has(f.type)) {
		if (v === null) return null;
		if (typeof v === 'string') return v === '' ? null : v; // blank text is stored as null
		if (typeof v === 'number' || typeof v === 'boolean') return String(v);
		throw cannotDeserialize('string', v);
	}
	switch (f.type) {
		case 'boolean':
			if (v === null) return false;
			if (typeof v === 'boolean') return v;
			if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
			throw cannotDeserialize('boolean', v);
		case 'int':
			if (v === null || v === '') return null;
			if (typeof v === 'number' && Number.isInteger(v)) return v;
			if (typeof v === 'string' && /^[+-]?\d+$/.test(v.trim())) return Number(v);
			throw cannotDeserialize('int', v);
		case 'double':
		case 'currency':
		case 'percent':
			if (v === null || v === '') return null;
			if (typeof v === 'number' && Number.isFinite(v)) return v;
			if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
			throw cannotDeserialize('double', v);
		case 'date': {
			if (v === null || v === '') return null;
			const d = typeof v === 'string' ? parseDateValue(v) : undefined;
			if (!d) throw cannotDeserialize('date', v);
			return d;
		}
		case 'datetime': {
			if (v === null || v === '') return null;
			const ms = typeof v === 'number' ? v : typeof v === 'string' ? parseDateTimeValue(v) : undefined;
			if (ms === undefined) throw cannotDeserialize('datetime', v);
			return truncateToSecond(ms);
		}
		default:
			throw cannotDeserialize(f.type, v);
	}
}

interface Prepared {
	changes: Map<FieldDef, Value>;
	/** Record-level errors found while reading the body (read-only fields, foreign keys). */
	errors: SaveError[];
}

/**
 * Reads a record body: field names are matched case-insensitively to their API names; `attributes` is
 * ignored; a relationship name holding `{ExtIdField: value}` is resolved to the parent's id.
 */
export function readBody(store: ObjectStore, body: Record<string, unknown>, mode: 'create' | 'update', env: WriteEnv, skip: string[] = []): Prepared {
	const meta = store.meta;
	const changes = new Map<FieldDef, Value>();
	const errors: SaveError[] = [];
	const readOnly: string[] = [];
	for (const [key, raw] of Object.entries(body)) {
		if (key === 'attributes' || skip.includes(key.toLowerCase())) continue;
		const f = meta.field(key);
		if (f && !env.isFieldRemoved(meta.name, f.name)) {
			if (f.name === 'Id' && mode === 'create') {
				errors.push(saveError('INVALID_FIELD', 'cannot specify Id in an insert call', ['Id']));
				continue;
			}
			if (mode === 'create' ? !f.createable : !f.updateable) {
				readOnly.push(f.name);
				continue;
			}
			changes.set(f, coerce(f, raw));
			continue;
		}
		const rel = meta.byRelationship.get(key.toLowerCase());
		if (rel && raw !== null && typeof raw === 'object' && !Array.isArray(raw) && !env.isFieldRemoved(meta.name, rel.name)) {
			if (mode === 'create' ? !rel.createable : !rel.updateable) {
				readOnly.push(rel.name);
				continue;
			}
			const resolved = resolveForeignKey(rel, raw as Record<string, unknown>, env);
			if (typeof resolved === 'string') changes.set(rel, resolved);
			else errors.push(resolved);
			continue;
		}
		throw SfError.of(400, 'INVALID_FIELD', MSG.noSuchColumnWrite(key, meta.name));
	}
	if (readOnly.length) {
		errors.unshift(
			saveError(
				'INVALID_FIELD_FOR_INSERT_UPDATE',
				`Unable to create/update fields: ${readOnly.join(', ')}. Please check the security settings of this field and verify that it is read/write for your profile or permission set.`,
				readOnly,
			),
		);
	}
	return { changes, errors };
}

/** `"Account": {"Ext_Id__c": "A-1"}`: the parent's id by one of its external-id fields. */
function resolveForeignKey(rel: FieldDef, raw: Record<string, unknown>, env: WriteEnv): string | SaveError {
	const target = env.db.store(rel.referenceTo[0]);
	const keys = Object.keys(raw).filter((k) => k !== 'attributes');
	if (!target || keys.length !== 1) {
		throw SfError.of(400, 'INVALID_FIELD', `Foreign key external ID: ${keys.join(', ')} not found for field ${rel.relationshipName} in entity ${rel.referenceTo[0]}`);
	}
	const ext = target.meta.field(keys[0]);
	const value = raw[keys[0]];
	if (!ext || !(ext.externalId || ext.type === 'id') || env.isFieldRemoved(target.meta.name, ext.name)) {
		throw SfError.of(400, 'INVALID_FIELD', `Field ${keys[0]} is not an external id field or is not accessible on ${target.meta.name}`);
	}
	const text = value === null || value === undefined ? '' : String(value);
	let ids: string[];
	if (ext.type === 'id') {
		const id = normalizeId(text);
		const rec = id ? target.get(id) : undefined;
		ids = rec && rec.IsDeleted !== true ? [id!] : [];
	} else ids = text === '' ? [] : target.lookup(ext.name, text);
	if (ids.length === 0) return saveError('INVALID_FIELD', `Foreign key external ID: ${text} not found for field ${ext.name} in entity ${target.meta.name}`, []);
	if (ids.length > 1) return saveError('DUPLICATE_EXTERNAL_ID', `${ext.name}: more than one record found for external id field: [${ids.join(', ')}]`, []);
	return ids[0];
}

function digitsBeforePoint(n: number): number {
	const s = Math.trunc(Math.abs(n)).toString();
	return s === '0' ? 0 : s.length;
}

/** Field rules on the merged record: required, lengths, email, picklists, numbers, references, unique values. */
function validate(store: ObjectStore, rec: Rec, touched: Set<FieldDef>, mode: 'create' | 'update', env: WriteEnv): SaveError[] {
	const meta = store.meta;
	const missing: string[] = [];
	for (const f of meta.fields) {
		if (f.nillable || f.type === 'boolean' || !f.createable) continue;
		if (mode === 'update' && !touched.has(f)) continue;
		if (f.defaultedOnCreate && mode === 'create' && !touched.has(f)) continue;
		if (rec[f.name] === null || rec[f.name] === undefined) missing.push(f.name);
	}
	if (missing.length) return [saveError('REQUIRED_FIELD_MISSING', `Required fields are missing: [${missing.join(', ')}]`, missing)];
	const errors: SaveError[] = [];
	for (const f of touched) {
		const v = rec[f.name];
		if (v === null || v === undefined) continue;
		if (typeof v === 'string' && f.length && STRING_TYPES.has(f.type) && f.type !== 'reference' && v.length > f.length) {
			errors.push(saveError('STRING_TOO_LONG', `${f.label}: data value too large: ${v} (max length=${f.length})`, [f.name]));
			continue;
		}
		if (f.type === 'email' && !EMAIL.test(v as string)) {
			errors.push(saveError('INVALID_EMAIL_ADDRESS', `${f.label}: invalid email address: ${v}`, [f.name]));
			continue;
		}
		if (f.type === 'picklist' && f.picklist?.restricted && !f.picklist.values.includes(v as string)) {
			errors.push(saveError('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST', `${f.label}: bad value for restricted picklist field: ${v}`, [f.name]));
			continue;
		}
		if (NUMBER_TYPES.has(f.type)) {
			const n = v as number;
			const max = f.type === 'int' ? 9 : f.precision - f.scale;
			if ((f.type === 'int' && Math.abs(n) > 2147483647) || (f.type !== 'int' && digitsBeforePoint(n) > max)) {
				errors.push(saveError('NUMBER_OUTSIDE_VALID_RANGE', `${f.label}: value outside of valid range on numeric field: ${n}`, [f.name]));
			}
			continue;
		}
		if (f.type === 'reference') {
			const raw = v as string;
			const id = normalizeId(raw);
			if (!id) {
				errors.push(saveError('MALFORMED_ID', `${f.label}: id value of incorrect type: ${raw}`, [f.name]));
				continue;
			}
			const target = env.db.store(f.referenceTo[0]);
			if (!target || id.slice(0, 3) !== target.meta.def.keyPrefix) {
				errors.push(saveError('FIELD_INTEGRITY_EXCEPTION', `${f.label}: id value of incorrect type: ${raw}`, [f.name]));
				continue;
			}
			const parent = target.get(id);
			if (!parent || (target.meta.name === 'User' && !env.users.has(id))) {
				errors.push(saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', []));
				continue;
			}
			if (parent.IsDeleted === true) {
				errors.push(saveError('ENTITY_IS_DELETED', MSG.entityDeleted, []));
				continue;
			}
			rec[f.name] = id; // 15-char ids are stored as 18
		}
	}
	if (errors.length) return errors;
	for (const f of meta.uniqueFields) {
		if (!touched.has(f)) continue;
		const v = rec[f.name];
		if (typeof v !== 'string') continue;
		const other = store.lookup(f.name, v).find((id) => id !== rec.Id);
		if (other) errors.push(saveError('DUPLICATE_VALUE', `duplicate value found: ${f.name} duplicates value on record with id: ${other}`, []));
	}
	return errors;
}

const digits = (v: Value) => (typeof v === 'string' ? v.replace(/\D/g, '') : '');
const norm = (v: Value) => (typeof v === 'string' ? v.trim().toLowerCase() : '');

/** The standard duplicate rules, simplified: same email, or same first+last name and phone (Account: same name and city). */
function findDuplicates(store: ObjectStore, rec: Rec): string[] {
	const name = store.meta.name;
	const out = new Set<string>();
	if (name === 'Contact' || name === 'Lead') {
		if (typeof rec.Email === 'string') for (const id of store.lookup('Email', rec.Email.trim())) if (id !== rec.Id) out.add(id);
		const phone = digits(rec.Phone) || digits(rec.MobilePhone);
		if (out.size === 0 && phone) {
			const first = norm(rec.FirstName);
			const last = norm(rec.LastName);
			for (const id of store.order) {
				const r = store.byId.get(id)!;
				if (id === rec.Id || r.IsDeleted === true) continue;
				if (norm(r.LastName) === last && norm(r.FirstName) === first && (digits(r.Phone) === phone || digits(r.MobilePhone) === phone)) out.add(id);
			}
		}
	} else if (name === 'Account') {
		const n = norm(rec.Name);
		const city = norm(rec.BillingCity);
		for (const id of store.order) {
			const r = store.byId.get(id)!;
			if (id === rec.Id || r.IsDeleted === true) continue;
			if (norm(r.Name) === n && norm(r.BillingCity) === city) out.add(id);
		}
	}
	return [...out];
}

function duplicateError(store: ObjectStore, ids: string[], mode: 'alert' | 'block', version: string): SaveError {
	const def = store.meta.def;
	return {
		duplicateResult: {
			allowSave: mode === 'alert',
			duplicateRule: def.duplicateRule,
			duplicateRuleEntityType: def.name,
			errorMessage: "You're creating a duplicate record. We recommend you use an existing record instead.",
			matchResults: [
				{
					entityType: def.name,
					errors: [],
					matchEngine: 'FuzzyMatchEngine',
					matchRecords: ids.map((id) => ({
						additionalInformation: [],
						fieldDiffs: [],
						matchConfidence: 100.0,
						record: { attributes: attributes(def.name, id, version), Id: id },
					})),
					rule: `Standard_${def.name}_Match_Rule_v1_1`,
					size: ids.length,
					success: true,
				},
			],
		},
		statusCode: 'DUPLICATES_DETECTED',
		message: 'Use one of these records?',
		fields: [],
	};
}

/** Fields computed from others: names, opportunity stage facts, defaults. */
function derive(store: ObjectStore, rec: Rec, touched: Set<FieldDef>, mode: 'create' | 'update'): void {
	const name = store.meta.name;
	if (name === 'Contact' || name === 'Lead') {
		rec.Name = [rec.FirstName, rec.LastName].filter((x) => typeof x === 'string' && x !== '').join(' ') || null;
	}
	if (name === 'Opportunity' && typeof rec.StageName === 'string') {
		const stage = STAGES.get(rec.StageName);
		if (stage) {
			rec.IsClosed = stage.closed;
			rec.IsWon = stage.won;
			const stageTouched = [...touched].some((f) => f.name === 'StageName');
			const probTouched = [...touched].some((f) => f.name === 'Probability');
			if ((mode === 'create' || stageTouched) && !probTouched) rec.Probability = stage.probability;
		}
	}
	if (store.meta.def.custom && (rec.Name === null || rec.Name === undefined)) rec.Name = rec.Id as string;
}

/** A new record with every field present (null when unset), in schema order: one hidden class per object. */
export function blankRecord(store: ObjectStore): Rec {
	const rec = store.blank();
	for (const f of store.meta.fields) {
		if (f.type === 'boolean') rec[f.name] = false;
		else if (f.picklist?.defaultValue !== undefined) rec[f.name] = f.picklist.defaultValue;
	}
	return rec;
}

export function createRecord(store: ObjectStore, body: Record<string, unknown>, env: WriteEnv, extra?: Map<FieldDef, Value>): SaveResult {
	const meta = store.meta;
	if (!meta.def.createable) return { success: false, errors: [saveError('INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id', [])] };
	const { changes, errors } = readBody(store, body, 'create', env);
	if (extra) for (const [f, v] of extra) changes.set(f, v);
	if (errors.length) return { success: false, errors };
	const rec = blankRecord(store);
	for (const [f, v] of changes) rec[f.name] = v;
	const id = env.db.ids.next(meta.def.keyPrefix);
	rec.Id = id;
	rec.IsDeleted = false;
	if (rec.OwnerId === null && meta.field('OwnerId')) rec.OwnerId = env.userId;
	const touched = new Set(changes.keys());
	const ownerField = meta.field('OwnerId');
	if (ownerField) touched.add(ownerField);
	const problems = validate(store, rec, touched, 'create', env);
	if (problems.length) return { success: false, errors: problems };
	if (env.duplicateRule && meta.def.duplicateRule && !(env.duplicateRule === 'alert' && env.allowSave)) {
		const dups = findDuplicates(store, rec);
		if (dups.length) return { success: false, errors: [duplicateError(store, dups, env.duplicateRule, env.version)] };
	}
	derive(store, rec, touched, 'create');
	stamp(rec, env, true);
	env.db.insert(store, rec);
	return { id, success: true, errors: [] };
}

function stamp(rec: Rec, env: WriteEnv, created: boolean): void {
	if (created && 'CreatedDate' in rec) {
		rec.CreatedDate = env.now;
		rec.CreatedById = env.userId;
	}
	if ('LastModifiedDate' in rec) {
		rec.LastModifiedDate = env.now;
		rec.LastModifiedById = env.userId;
	}
	rec.SystemModstamp = env.now;
}

export function updateRecord(store: ObjectStore, id: string, body: Record<string, unknown>, env: WriteEnv, skip: string[] = []): SaveResult {
	const prev = store.get(id);
	if (!prev) return { id, success: false, errors: [saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [])] };
	if (prev.IsDeleted === true) return { id, success: false, errors: [saveError('ENTITY_IS_DELETED', MSG.entityDeleted, [])] };
	if (!store.meta.def.updateable) return { id, success: false, errors: [saveError('INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id', [])] };
	const { changes, errors } = readBody(store, body, 'update', env, skip);
	if (errors.length) return { id, success: false, errors };
	const rec = store.clone(prev);
	for (const [f, v] of changes) rec[f.name] = v;
	const touched = new Set(changes.keys());
	const problems = validate(store, rec, touched, 'update', env);
	if (problems.length) return { id, success: false, errors: problems };
	const dupRelevant = [...touched].some((f) => ['Email', 'Phone', 'MobilePhone', 'FirstName', 'LastName', 'Name', 'BillingCity'].includes(f.name));
	if (env.duplicateRule && store.meta.def.duplicateRule && dupRelevant && !(env.duplicateRule === 'alert' && env.allowSave)) {
		const dups = findDuplicates(store, rec);
		if (dups.length) return { id, success: false, errors: [duplicateError(store, dups, env.duplicateRule, env.version)] };
	}
	derive(store, rec, touched, 'update');
	stamp(rec, env, false);
	env.db.replace(store, rec);
	return { id, success: true, errors: [] };
}

/** Soft delete (recycle bin): IsDeleted rows stay visible to queryAll and /deleted; children cascade or are cleared. */
export function deleteRecord(store: ObjectStore, id: string, env: WriteEnv): SaveResult {
	const prev = store.get(id);
	if (!prev) return { id, success: false, errors: [saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [])] };
	if (prev.IsDeleted === true) return { id, success: false, errors: [saveError('ENTITY_IS_DELETED', MSG.entityDeleted, [])] };
	if (!store.meta.def.deletable) return { id, success: false, errors: [saveError('INSUFFICIENT_ACCESS_OR_READONLY', 'insufficient access rights on object id', [])] };
	softDelete(store, prev, env);
	return { id, success: true, errors: [] };
}

function softDelete(store: ObjectStore, prev: Rec, env: WriteEnv): void {
	const rec = store.clone(prev);
	rec.IsDeleted = true;
	stamp(rec, env, false);
	env.db.markDeleted(store, prev.Id as string, env.now, rec);
	for (const rel of store.meta.def.childRelationships) {
		const child = env.db.store(rel.childSObject);
		if (!child) continue;
		const targets: Rec[] = [];
		for (const cid of child.order) {
			const r = child.byId.get(cid)!;
			if (r.IsDeleted !== true && r[rel.field] === prev.Id) targets.push(r);
		}
		for (const r of targets) {
			if (rel.cascadeDelete) softDelete(child, r, env);
			else {
				const cleared = child.clone(r);
				cleared[rel.field] = null;
				cleared.SystemModstamp = env.now;
				env.db.replace(child, cleared);
			}
		}
	}
}

