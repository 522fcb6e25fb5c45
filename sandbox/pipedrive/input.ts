/**
 * Write-body parsing. v2 is strict (no string→number coercion, booleans only true/false, unknown keys
 * rejected, custom fields only inside `custom_fields`); v1 is lenient (coerces, flat custom keys, unknown keys
 * ignored). Both produce the same patch objects, applied by `apply*`.
 */
import { apiError, badRequest, validationError } from './errors';
import { ADDRESS_SUBFIELDS, customFromV1, validateAddress, validateCustomV2, type EntityKind } from './fields';
import { compactContacts, type Company, type Contact, type DealRow, type DealStatus, type Json, type OrgRow, type PersonRow, type StageRow } from './company';
import { isDate, parseBodyTime, parseV1Time } from './time';

export type Mode = 'create' | 'update';

function isObj(v: unknown): v is Json {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const VISIBLE_TO = [1, 3, 5, 7];
const PERSON_ADDRESS_KEYS = ADDRESS_SUBFIELDS.filter((k) => k !== 'formatted_address');

// ---- strict v2 readers --------------------------------------------------------------------------------------

function str(b: Json, k: string, nullable = false, max = 255): string | null | undefined {
	const v = b[k];
	if (v === undefined) return undefined;
	if (v === null && nullable) return null;
	if (typeof v !== 'string') throw validationError(k, 'must be a string');
	if (v.length > max) throw validationError(k, `must be at most ${max} characters`);
	return v;
}

function int(b: Json, k: string, nullable = false): number | null | undefined {
	const v = b[k];
	if (v === undefined) return undefined;
	if (v === null && nullable) return null;
	if (typeof v !== 'number' || !Number.isInteger(v)) throw validationError(k, 'must be an integer');
	return v;
}

function num(b: Json, k: string, nullable = false): number | null | undefined {
	const v = b[k];
	if (v === undefined) return undefined;
	if (v === null && nullable) return null;
	if (typeof v !== 'number' || !Number.isFinite(v)) throw validationError(k, 'must be a number');
	return v;
}

function bool(b: Json, k: string): boolean | undefined {
	const v = b[k];
	if (v === undefined) return undefined;
	if (typeof v !== 'boolean') throw validationError(k, 'must be a boolean');
	return v;
}

function intArray(b: Json, k: string): number[] | undefined {
	const v = b[k];
	if (v === undefined) return undefined;
	if (!Array.isArray(v) || v.some((x) => typeof x !== 'number' || !Number.isInteger(x))) throw validationError(k, 'must be an array of integers');
	return v as number[];
}

function time(b: Json, k: string, nullable = true): number | null | undefined {
	const v = b[k];
	if (v === undefined) return undefined;
	if (v === null && nullable) return null;
	const ms = typeof v === 'string' ? parseBodyTime(v) : null;
	if (ms === null) throw validationError(k, 'is not a valid datetime');
	return ms;
}

function rejectUnknown(b: Json, allowed: ReadonlySet<string>): void {
	for (const k of Object.keys(b)) {
		if (!allowed.has(k)) throw validationError(k, 'is not allowed');
	}
}

function visibleTo(v: number | null | undefined, k = 'visible_to'): number | undefined {
	if (v === undefined || v === null) return undefined;
	if (!VISIBLE_TO.includes(v)) throw validationError(k, 'must be one of 1, 3, 5, 7');
	return v;
}

/** emails/phones/im: arrays of `{value, label?, primary?}`; label defaults to `work`, one primary at most. */
function contactsV2(b: Json, k: string): Contact[] | undefined {
	const v = b[k];
	if (v === undefined) return undefined;
	if (!Array.isArray(v)) throw validationError(k, 'must be an array of objects');
	const out: Contact[] = v.map((item, i) => {
		if (!isObj(item)) throw validationError(`${k}[${i}]`, 'must be an object');
		for (const key of Object.keys(item)) if (!['value', 'label', 'primary'].includes(key)) throw validationError(`${k}[${i}].${key}`, 'is not allowed');
		if (typeof item.value !== 'string') throw validationError(`${k}[${i}].value`, 'is required and must be a string');
		if (item.label !== undefined && typeof item.label !== 'string') throw validationError(`${k}[${i}].label`, 'must be a string');
		if (item.primary !== undefined && typeof item.primary !== 'boolean') throw validationError(`${k}[${i}].primary`, 'must be a boolean');
		return { value: item.value, label: (item.label as string | undefined) || 'work', primary: item.primary === true };
	});
	return normalisePrimary(out, k);
}

function normalisePrimary(list: Contact[], k: string): Contact[] {
	const primaries = list.filter((c) => c.primary).length;
	if (primaries > 1) throw validationError(k, 'only one item can be primary');
	if (primaries === 0 && list.length > 0) list[0].primary = true;
	return list;
}

function customFieldsV2(company: Company, entity: EntityKind, b: Json): Map<string, unknown> | undefined {
	const v = b.custom_fields;
	if (v === undefined) return undefined;
	if (!isObj(v)) throw validationError('custom_fields', 'must be an object');
	const out = new Map<string, unknown>();
	for (const [key, raw] of Object.entries(v)) {
		const def = company.fields.byKey(entity, key);
		// Unknown or deleted keys fail the whole v2 request (v1 ignores them).
		if (!def || !def.custom) throw validationError(`custom_fields.${key}`, 'is not a valid custom field');
		out.set(key, validateCustomV2(def, raw, `custom_fields.${key}`));
	}
	return out;
}

// ---- patches -------------------------------------------------------------------------------------------------

export interface PersonPatch {
	name?: string;
	firstName?: string | null;
	lastName?: string | null;
	ownerId?: number;
	orgId?: number | null;
	emails?: Contact[];
	phones?: Contact[];
	im?: Contact[];
	visibleTo?: number;
	labelIds?: number[];
	notes?: string | null;
	birthday?: string | null;
	jobTitle?: string | null;
	postalAddress?: Json | null;
	custom?: Map<string, unknown>;
	addTime?: number;
}

const PERSON_V2_KEYS = new Set([
	'name',
	'first_name',
	'last_name',
	'owner_id',
	'org_id',
	'add_time',
	'update_time',
	'emails',
	'phones',
	'visible_to',
	'label_ids',
	'marketing_status',
	'custom_fields',
	'notes',
	'im',
	'ims',
	'birthday',
	'job_title',
	'postal_address',
]);
const CONTACT_SYNC_KEYS = ['notes', 'im', 'ims', 'birthday', 'job_title', 'postal_address'];

export function personFromV2(company: Company, b: Json, mode: Mode): PersonPatch {
	rejectUnknown(b, PERSON_V2_KEYS);
	if (!company.opts.contactSync) {
		const used = CONTACT_SYNC_KEYS.find((k) => b[k] !== undefined);
		if (used) throw apiError(403, `Field ${used} can only be used when contact sync is enabled for the company`);
	}
	const p: PersonPatch = {};
	const name = str(b, 'name');
	const first = str(b, 'first_name', true);
	const last = str(b, 'last_name', true);
	if (name !== undefined && name !== null) {
		if (!name.trim()) throw validationError('name', 'must not be empty');
		p.name = name;
	}
	if (first !== undefined) p.firstName = first;
	if (last !== undefined) p.lastName = last;
	if (mode === 'create' && p.name === undefined && !(p.firstName && p.lastName)) {
		throw validationError('name', 'is required (or both first_name and last_name)');
	}
	const owner = int(b, 'owner_id');
	if (owner !== undefined && owner !== null) p.ownerId = checkUser(company, owner, 'owner_id');
	const org = int(b, 'org_id', true);
	if (org !== undefined) p.orgId = org === null ? null : checkOrg(company, org, 'org_id');
	p.emails = contactsV2(b, 'emails');
	p.phones = contactsV2(b, 'phones');
	p.im = contactsV2(b, b.im !== undefined ? 'im' : 'ims');
	p.visibleTo = visibleTo(int(b, 'visible_to'));
	p.labelIds = intArray(b, 'label_ids');
	const notes = str(b, 'notes', true, 10_000);
	if (notes !== undefined) p.notes = notes;
	if (b.birthday !== undefined) {
		if (b.birthday !== null && !isDate(b.birthday)) throw validationError('birthday', 'must be a date in YYYY-MM-DD format');
		p.birthday = b.birthday as string | null;
	}
	const job = str(b, 'job_title', true);
	if (job !== undefined) p.jobTitle = job;
	if (b.postal_address !== undefined) p.postalAddress = b.postal_address === null ? null : validateAddress(b.postal_address, 'postal_address', PERSON_ADDRESS_KEYS);
	if (b.marketing_status !== undefined && !['no_consent', 'unsubscribed', 'subscribed', 'archived'].includes(b.marketing_status as string)) {
		throw validationError('marketing_status', 'must be one of no_consent, unsubscribed, subscribed, archived');
	}
	p.custom = customFieldsV2(company, 'person', b);
	if (mode === 'create') {
		const at = time(b, 'add_time', false);
		if (at !== undefined && at !== null) p.addTime = at;
	}
	return strip(p);
}

/** v1 contacts: a string, an array of strings, or an array of `{value,label,primary}` (primary may be "true"). */
function contactsV1(v: unknown, k: string): Contact[] | undefined {
	if (v === undefined) return undefined;
	if (v === null || v === '') return [];
	const items = Array.isArray(v) ? v : [v];
	const out: Contact[] = [];
	for (const item of items) {
		if (typeof item === 'string' || typeof item === 'number') {
			if (String(item) !== '') out.push({ value: String(item), label: 'work', primary: false });
		} else if (isObj(item)) {
			const value = item.value === undefined || item.value === null ? '' : String(item.value);
			if (value === '') continue;
			out.push({ value, label: typeof item.label === 'string' && item.label ? item.label : 'work', primary: item.primary === true || item.primary === 'true' || item.primary === 1 });
		}
	}
	// v1 quietly keeps the first primary rather than failing.
	let seen = false;
	for (const c of out) {
		if (c.primary && seen) c.primary = false;
		if (c.primary) seen = true;
	}
	return normalisePrimary(out, k);
}

function looseInt(v: unknown, k: string): number | null | undefined {
	if (v === undefined) return undefined;
	if (v === null || v === '') return null;
	if (isObj(v) && 'value' in v) return looseInt(v.value, k);
	const n = typeof v === 'number' ? v : Number(v);
	if (!Number.isInteger(n)) throw badRequest(`Invalid ${k}`);
	return n;
}

export function personFromV1(company: Company, b: Json, mode: Mode): PersonPatch {
	const p: PersonPatch = {};
	if (b.name !== undefined) {
		if (b.name === null || String(b.name).trim() === '') throw badRequest('Name must be given.');
		p.name = String(b.name);
	}
	if (b.first_name !== undefined) p.firstName = b.first_name === null ? null : String(b.first_name);
	if (b.last_name !== undefined) p.lastName = b.last_name === null ? null : String(b.last_name);
	if (mode === 'create' && p.name === undefined && !(p.firstName && p.lastName)) throw badRequest('Name must be given.');
	const owner = looseInt(b.owner_id, 'owner_id');
	if (owner !== undefined && owner !== null) p.ownerId = checkUser(company, owner, 'owner_id');
	const org = looseInt(b.org_id, 'org_id');
	if (org !== undefined) p.orgId = org === null ? null : checkOrg(company, org, 'org_id');
	p.emails = contactsV1(b.email, 'email');
	p.phones = contactsV1(b.phone, 'phone');
	p.im = contactsV1(b.im, 'im');
	const vis = looseInt(b.visible_to, 'visible_to');
	if (vis !== undefined && vis !== null) p.visibleTo = visibleTo(vis);
	if (b.label_ids !== undefined) p.labelIds = toIntList(b.label_ids);
	else if (b.label !== undefined) p.labelIds = b.label === null || b.label === '' ? [] : toIntList(b.label);
	if (company.opts.contactSync) {
		if (b.notes !== undefined) p.notes = b.notes === null ? null : String(b.notes);
		if (b.birthday !== undefined) p.birthday = b.birthday === null || b.birthday === '' ? null : String(b.birthday);
		if (b.job_title !== undefined) p.jobTitle = b.job_title === null ? null : String(b.job_title);
		if (b.postal_address !== undefined) {
			if (b.postal_address === null || b.postal_address === '') p.postalAddress = null;
			else {
				const addr: Json = { value: String(b.postal_address) };
				for (const s of PERSON_ADDRESS_KEYS) addr[s] = typeof b[`postal_address_${s}`] === 'string' ? b[`postal_address_${s}`] : null;
				p.postalAddress = addr;
			}
		}
	}
	const custom = customFromV1(company.fields.custom('person'), b);
	if (custom.size) p.custom = custom;
	if (mode === 'create' && typeof b.add_time === 'string') {
		const at = parseV1Time(b.add_time);
		if (at === null) throw badRequest('Invalid add_time');
		p.addTime = at;
	}
	return strip(p);
}

function toIntList(v: unknown): number[] {
	const parts = Array.isArray(v) ? v : String(v).split(',');
	return parts.map((x) => Number(x)).filter((n) => Number.isInteger(n));
}

function strip<T extends object>(p: T): T {
	for (const k of Object.keys(p) as Array<keyof T>) if (p[k] === undefined) delete p[k];
	return p;
}

function checkUser(company: Company, id: number, k: string): number {
	if (!company.user(id)) throw validationError(k, `user ${id} does not exist`);
	return id;
}

function checkOrg(company: Company, id: number, k: string): number {
	if (!company.live(company.organizations, id)) throw validationError(k, `organization ${id} does not exist`);
	return id;
}

function checkPerson(company: Company, id: number, k: string): number {
	if (!company.live(company.persons, id)) throw validationError(k, `person ${id} does not exist`);
	return id;
}

function splitName(name: string): { first: string | null; last: string | null } {
	const parts = name.trim().split(/\s+/);
	if (parts.length === 0 || parts[0] === '') return { first: null, last: null };
	return { first: parts[0], last: parts.length > 1 ? parts.slice(1).join(' ') : null };
}

function applyCustom(row: { custom: Json }, custom: Map<string, unknown> | undefined): void {
	if (!custom) return;
	const next: Json = { ...row.custom };
	for (const [k, v] of custom) {
		if (v === null) delete next[k];
		else next[k] = v;
	}
	row.custom = next;
}

/** Applies a person patch; keeps name and first/last name consistent the way Pipedrive does. */
export function applyPerson(row: PersonRow, p: PersonPatch): void {
	const nameGiven = p.name !== undefined;
	const partsGiven = p.firstName !== undefined || p.lastName !== undefined;
	if (nameGiven) row.name = p.name!;
	if (partsGiven) {
		if (p.firstName !== undefined) row.firstName = p.firstName;
		if (p.lastName !== undefined) row.lastName = p.lastName;
		if (!nameGiven) row.name = [row.firstName, row.lastName].filter((x) => x).join(' ');
	} else if (nameGiven) {
		const s = splitName(p.name!);
		row.firstName = s.first;
		row.lastName = s.last;
	}
	if (p.ownerId !== undefined) row.ownerId = p.ownerId;
	if (p.orgId !== undefined) row.orgId = p.orgId;
	if (p.emails !== undefined) row.emails = compactContacts(p.emails);
	if (p.phones !== undefined) row.phones = compactContacts(p.phones);
	if (p.im !== undefined) row.im = compactContacts(p.im);
	if (p.visibleTo !== undefined) row.visibleTo = p.visibleTo;
	if (p.labelIds !== undefined) row.labelIds = p.labelIds;
	if (p.notes !== undefined) row.notes = p.notes;
	if (p.birthday !== undefined) row.birthday = p.birthday;
	if (p.jobTitle !== undefined) row.jobTitle = p.jobTitle;
	if (p.postalAddress !== undefined) row.postalAddress = p.postalAddress;
	applyCustom(row, p.custom);
}

export function newPerson(company: Company, id: number, p: PersonPatch, userId: number): PersonRow {
	const stamp = company.stamp();
	const t = p.addTime ?? stamp;
	const row: PersonRow = {
		id,
		addTime: t,
		updateTime: Math.max(t, stamp),
		deleted: false,
		deleteTime: null,
		name: '',
		firstName: null,
		lastName: null,
		ownerId: userId,
		orgId: null,
		emails: [],
		phones: [],
		im: [],
		visibleTo: 3,
		labelIds: [],
		pictureId: null,
		notes: null,
		birthday: null,
		jobTitle: null,
		postalAddress: null,
		custom: {},
	};
	applyPerson(row, p);
	return row;
}

// ---- organizations -------------------------------------------------------------------------------------------

export interface OrgPatch {
	name?: string;
	ownerId?: number;
	address?: Json | null;
	visibleTo?: number;
	labelIds?: number[];
	custom?: Map<string, unknown>;
	addTime?: number;
}

const ORG_V2_KEYS = new Set(['name', 'owner_id', 'add_time', 'update_time', 'visible_to', 'label_ids', 'address', 'custom_fields']);

export function orgFromV2(company: Company, b: Json, mode: Mode): OrgPatch {
	rejectUnknown(b, ORG_V2_KEYS);
	const p: OrgPatch = {};
	const name = str(b, 'name');
	if (name !== undefined && name !== null) {
		if (!name.trim()) throw validationError('name', 'must not be empty');
		p.name = name;
	}
	if (mode === 'create' && p.name === undefined) throw validationError('name', 'is required');
	const owner = int(b, 'owner_id');
	if (owner !== undefined && owner !== null) p.ownerId = checkUser(company, owner, 'owner_id');
	if (b.address !== undefined) p.address = b.address === null ? null : validateAddress(b.address, 'address', ADDRESS_SUBFIELDS);
	p.visibleTo = visibleTo(int(b, 'visible_to'));
	p.labelIds = intArray(b, 'label_ids');
	p.custom = customFieldsV2(company, 'organization', b);
	if (mode === 'create') {
		const at = time(b, 'add_time', false);
		if (at !== undefined && at !== null) p.addTime = at;
	}
	return strip(p);
}

export function orgFromV1(company: Company, b: Json, mode: Mode): OrgPatch {
	const p: OrgPatch = {};
	if (b.name !== undefined) {
		if (b.name === null || String(b.name).trim() === '') throw badRequest('Name must be given.');
		p.name = String(b.name);
	}
	if (mode === 'create' && p.name === undefined) throw badRequest('Name must be given.');
	const owner = looseInt(b.owner_id, 'owner_id');
	if (owner !== undefined && owner !== null) p.ownerId = checkUser(company, owner, 'owner_id');
	if (b.address !== undefined) {
		if (b.address === null || b.address === '') p.address = null;
		else {
			const addr: Json = { value: String(b.address) };
			for (const s of ADDRESS_SUBFIELDS) addr[s] = typeof b[`address_${s}`] === 'string' ? b[`address_${s}`] : null;
			p.address = addr;
		}
	}
	const vis = looseInt(b.visible_to, 'visible_to');
	if (vis !== undefined && vis !== null) p.visibleTo = visibleTo(vis);
	if (b.label_ids !== undefined) p.labelIds = toIntList(b.label_ids);
	const custom = customFromV1(company.fields.custom('organization'), b);
	if (custom.size) p.custom = custom;
	return strip(p);
}

export function applyOrg(row: OrgRow, p: OrgPatch): void {
	if (p.name !== undefined) row.name = p.name;
	if (p.ownerId !== undefined) row.ownerId = p.ownerId;
	if (p.address !== undefined) row.address = p.address;
	if (p.visibleTo !== undefined) row.visibleTo = p.visibleTo;
	if (p.labelIds !== undefined) row.labelIds = p.labelIds;
	applyCustom(row, p.custom);
}

export function newOrg(company: Company, id: number, p: OrgPatch, userId: number): OrgRow {
	const stamp = company.stamp();
	const t = p.addTime ?? stamp;
	const row: OrgRow = { id, addTime: t, updateTime: Math.max(t, stamp), deleted: false, deleteTime: null, name: '', ownerId: userId, address: null, visibleTo: 3, labelIds: [], custom: {} };
	applyOrg(row, p);
	return row;
}

// ---- deals ---------------------------------------------------------------------------------------------------

export interface DealPatch {
	title?: string;
	ownerId?: number;
	personId?: number | null;
	orgId?: number | null;
	pipelineId?: number;
	stageId?: number;
	value?: number;
	currency?: string;
	status?: DealStatus;
	probability?: number | null;
	lostReason?: string | null;
	visibleTo?: number;
	closeTime?: number | null;
	wonTime?: number | null;
	lostTime?: number | null;
	expectedCloseDate?: string | null;
	labelIds?: number[];
	isArchived?: boolean;
	archiveTime?: number | null;
	originId?: string | null;
	channel?: number | null;
	channelId?: string | null;
	custom?: Map<string, unknown>;
	addTime?: number;
}

const DEAL_V2_KEYS = new Set([
	'title',
	'owner_id',
	'person_id',
	'org_id',
	'pipeline_id',
	'stage_id',
	'value',
	'currency',
	'add_time',
	'update_time',
	'is_deleted',
	'is_archived',
	'archive_time',
	'status',
	'probability',
	'lost_reason',
	'visible_to',
	'close_time',
	'won_time',
	'lost_time',
	'expected_close_date',
	'label_ids',
	'origin_id',
	'channel',
	'channel_id',
	'custom_fields',
]);

export function dealFromV2(company: Company, b: Json, mode: Mode): DealPatch {
	rejectUnknown(b, DEAL_V2_KEYS);
	const p: DealPatch = {};
	const title = str(b, 'title');
	if (title !== undefined && title !== null) {
		if (!title.trim()) throw validationError('title', 'must not be empty');
		p.title = title;
	}
	if (mode === 'create' && p.title === undefined) throw validationError('title', 'is required');
	const owner = int(b, 'owner_id');
	if (owner !== undefined && owner !== null) p.ownerId = checkUser(company, owner, 'owner_id');
	const person = int(b, 'person_id', true);
	if (person !== undefined) p.personId = person === null ? null : checkPerson(company, person, 'person_id');
	const org = int(b, 'org_id', true);
	if (org !== undefined) p.orgId = org === null ? null : checkOrg(company, org, 'org_id');
	const pipeline = int(b, 'pipeline_id');
	if (pipeline !== undefined && pipeline !== null) p.pipelineId = pipeline;
	const stage = int(b, 'stage_id');
	if (stage !== undefined && stage !== null) p.stageId = stage;
	const value = num(b, 'value');
	if (value !== undefined && value !== null) p.value = value;
	const currency = str(b, 'currency');
	if (currency !== undefined && currency !== null) {
		if (!/^[A-Z]{3}$/.test(currency)) throw validationError('currency', 'must be a 3-letter currency code');
		p.currency = currency;
	}
	if (b.is_deleted === true) throw validationError('is_deleted', 'use DELETE to delete a deal');
	bool(b, 'is_deleted');
	const archived = bool(b, 'is_archived');
	if (archived !== undefined) p.isArchived = archived;
	const at = time(b, 'archive_time');
	if (at !== undefined) p.archiveTime = at;
	if (b.status !== undefined) {
		if (!['open', 'won', 'lost'].includes(b.status as string)) throw validationError('status', 'must be one of open, won, lost');
		p.status = b.status as DealStatus;
	}
	const prob = num(b, 'probability', true);
	if (prob !== undefined) p.probability = prob;
	const lr = str(b, 'lost_reason', true);
	if (lr !== undefined) p.lostReason = lr;
	p.visibleTo = visibleTo(int(b, 'visible_to'));
	const ct = time(b, 'close_time');
	if (ct !== undefined) p.closeTime = ct;
	const wt = time(b, 'won_time');
	if (wt !== undefined) p.wonTime = wt;
	const lt = time(b, 'lost_time');
	if (lt !== undefined) p.lostTime = lt;
	if (b.expected_close_date !== undefined) {
		if (b.expected_close_date !== null && !isDate(b.expected_close_date)) throw validationError('expected_close_date', 'must be a date in YYYY-MM-DD format');
		p.expectedCloseDate = b.expected_close_date as string | null;
	}
	p.labelIds = intArray(b, 'label_ids');
	const oi = str(b, 'origin_id', true);
	if (oi !== undefined) p.originId = oi;
	const ch = int(b, 'channel', true);
	if (ch !== undefined) p.channel = ch;
	const ci = str(b, 'channel_id', true);
	if (ci !== undefined) p.channelId = ci;
	p.custom = customFieldsV2(company, 'deal', b);
	if (mode === 'create') {
		const add = time(b, 'add_time', false);
		if (add !== undefined && add !== null) p.addTime = add;
	}
	return strip(p);
}

export function dealFromV1(company: Company, b: Json, mode: Mode): DealPatch {
	const p: DealPatch = {};
	if (b.title !== undefined) {
		if (b.title === null || String(b.title).trim() === '') throw badRequest('Title must be given.');
		p.title = String(b.title);
	}
	if (mode === 'create' && p.title === undefined) throw badRequest('Title must be given.');
	const owner = looseInt(b.user_id ?? b.owner_id, 'user_id');
	if (owner !== undefined && owner !== null) p.ownerId = checkUser(company, owner, 'user_id');
	const person = looseInt(b.person_id, 'person_id');
	if (person !== undefined) p.personId = person === null ? null : checkPerson(company, person, 'person_id');
	const org = looseInt(b.org_id, 'org_id');
	if (org !== undefined) p.orgId = org === null ? null : checkOrg(company, org, 'org_id');
	const pipeline = looseInt(b.pipeline_id, 'pipeline_id');
	if (pipeline !== undefined && pipeline !== null) p.pipelineId = pipeline;
	const stage = looseInt(b.stage_id, 'stage_id');
	if (stage !== undefined && stage !== null) p.stageId = stage;
	if (b.value !== undefined && b.value !== null && b.value !== '') {
		const v = Number(b.value);
		if (Number.isNaN(v)) throw badRequest('Invalid value');
		p.value = v;
	}
	if (typeof b.currency === 'string' && b.currency) p.currency = b.currency.toUpperCase();
	if (b.status !== undefined) {
		if (b.status === 'deleted') throw badRequest('Use DELETE to delete a deal');
		if (!['open', 'won', 'lost'].includes(b.status as string)) throw badRequest('Invalid status');
		p.status = b.status as DealStatus;
	}
	if (b.probability !== undefined) p.probability = b.probability === null || b.probability === '' ? null : Number(b.probability);
	if (b.lost_reason !== undefined) p.lostReason = b.lost_reason === null ? null : String(b.lost_reason);
	const vis = looseInt(b.visible_to, 'visible_to');
	if (vis !== undefined && vis !== null) p.visibleTo = visibleTo(vis);
	if (b.expected_close_date !== undefined) p.expectedCloseDate = b.expected_close_date === null || b.expected_close_date === '' ? null : String(b.expected_close_date);
	if (b.label_ids !== undefined) p.labelIds = toIntList(b.label_ids);
	const custom = customFromV1(company.fields.custom('deal'), b);
	if (custom.size) p.custom = custom;
	return strip(p);
}

/** Resolves pipeline/stage consistency, status side effects (won/lost/close times) and lost_reason rules. */
export function applyDeal(company: Company, row: DealRow, p: DealPatch, now: number): void {
	if (p.stageId !== undefined || p.pipelineId !== undefined) {
		let stage: StageRow | undefined;
		if (p.stageId !== undefined) {
			stage = company.live(company.stages, p.stageId);
			if (!stage) throw validationError('stage_id', `stage ${p.stageId} does not exist`);
			if (p.pipelineId !== undefined && stage.pipelineId !== p.pipelineId) throw validationError('stage_id', `stage ${p.stageId} does not belong to pipeline ${p.pipelineId}`);
		} else {
			if (!company.live(company.pipelines, p.pipelineId!)) throw validationError('pipeline_id', `pipeline ${p.pipelineId} does not exist`);
			stage = company.firstStage(p.pipelineId!);
			if (!stage) throw validationError('pipeline_id', `pipeline ${p.pipelineId} has no stages`);
		}
		if (stage.id !== row.stageId) row.stageChangeTime = now;
		row.stageId = stage.id;
		row.pipelineId = stage.pipelineId;
	}
	if (p.title !== undefined) row.title = p.title;
	if (p.ownerId !== undefined) row.ownerId = p.ownerId;
	if (p.personId !== undefined) row.personId = p.personId;
	if (p.orgId !== undefined) row.orgId = p.orgId;
	if (p.value !== undefined) row.value = p.value;
	if (p.currency !== undefined) row.currency = p.currency;
	if (p.status !== undefined && p.status !== row.status) {
		row.status = p.status;
		if (p.status === 'won') {
			row.wonTime = now;
			row.firstWonTime ??= now;
			row.closeTime = now;
			row.lostTime = null;
			row.lostReason = null;
		} else if (p.status === 'lost') {
			row.lostTime = now;
			row.closeTime = now;
			row.wonTime = null;
		} else {
			row.wonTime = null;
			row.lostTime = null;
			row.closeTime = null;
			row.lostReason = null;
		}
	}
	if (p.lostReason !== undefined) {
		if (p.lostReason !== null && row.status !== 'lost') throw validationError('lost_reason', 'can only be set if deal status is lost');
		row.lostReason = p.lostReason;
	}
	if (p.wonTime !== undefined) {
		if (p.wonTime !== null && row.status !== 'won') throw validationError('won_time', 'can only be set if deal status is won');
		row.wonTime = p.wonTime;
	}
	if (p.lostTime !== undefined) {
		if (p.lostTime !== null && row.status !== 'lost') throw validationError('lost_time', 'can only be set if deal status is lost');
		row.lostTime = p.lostTime;
	}
	if (p.closeTime !== undefined) {
		if (p.closeTime !== null && row.status === 'open') throw validationError('close_time', 'can only be set if deal status is won or lost');
		row.closeTime = p.closeTime;
	}
	if (p.probability !== undefined) row.probability = p.probability;
	if (p.visibleTo !== undefined) row.visibleTo = p.visibleTo;
	if (p.expectedCloseDate !== undefined) row.expectedCloseDate = p.expectedCloseDate;
	if (p.labelIds !== undefined) row.labelIds = p.labelIds;
	if (p.isArchived !== undefined && p.isArchived !== row.isArchived) {
		row.isArchived = p.isArchived;
		row.archiveTime = p.isArchived ? (p.archiveTime ?? now) : null;
	} else if (p.archiveTime !== undefined) row.archiveTime = p.archiveTime;
	if (p.originId !== undefined) row.originId = p.originId;
	if (p.channel !== undefined) row.channel = p.channel;
	if (p.channelId !== undefined) row.channelId = p.channelId;
	applyCustom(row, p.custom);
}

export function newDeal(company: Company, id: number, p: DealPatch, userId: number): DealRow {
	const stamp = company.stamp();
	const t = p.addTime ?? stamp;
	const pipeline = company.defaultPipeline();
	const stage = pipeline ? company.firstStage(pipeline.id) : undefined;
	if (!stage) throw badRequest('No pipeline with stages exists');
	const row: DealRow = {
		id,
		addTime: t,
		updateTime: Math.max(t, stamp),
		deleted: false,
		deleteTime: null,
		title: '',
		creatorUserId: userId,
		ownerId: userId,
		personId: null,
		orgId: null,
		pipelineId: stage.pipelineId,
		stageId: stage.id,
		value: 0,
		currency: 'USD',
		stageChangeTime: null,
		status: 'open',
		probability: null,
		lostReason: null,
		visibleTo: 3,
		closeTime: null,
		wonTime: null,
		firstWonTime: null,
		lostTime: null,
		expectedCloseDate: null,
		labelIds: [],
		isArchived: false,
		archiveTime: null,
		origin: 'API',
		originId: null,
		channel: null,
		channelId: null,
		custom: {},
	};
	// Status first, so lost_reason / won_time in the same body validate against the new status.
	if (p.status !== undefined) applyDeal(company, row, { status: p.status }, t);
	applyDeal(company, row, { ...p, status: undefined }, t);
	// A new deal has not changed stage yet.
	row.stageChangeTime = null;
	// A deal takes the person's organization when none is given.
	if (p.orgId === undefined && row.personId !== null) row.orgId = company.persons.get(row.personId)?.orgId ?? null;
	return row;
}

// ---- stages and pipelines ------------------------------------------------------------------------------------

export interface StagePatch {
	name?: string;
	pipelineId?: number;
	dealProbability?: number;
	rotEnabled?: boolean;
	daysToRotten?: number | null;
}

export function stageFromV2(company: Company, b: Json, mode: Mode): StagePatch {
	rejectUnknown(b, new Set(['name', 'pipeline_id', 'deal_probability', 'is_deal_rot_enabled', 'days_to_rotten']));
	const p: StagePatch = {};
	const name = str(b, 'name');
	if (name !== undefined && name !== null) p.name = name;
	const pipeline = int(b, 'pipeline_id');
	if (pipeline !== undefined && pipeline !== null) {
		if (!company.live(company.pipelines, pipeline)) throw validationError('pipeline_id', `pipeline ${pipeline} does not exist`);
		p.pipelineId = pipeline;
	}
	if (mode === 'create' && (p.name === undefined || p.pipelineId === undefined)) throw validationError(p.name === undefined ? 'name' : 'pipeline_id', 'is required');
	const prob = int(b, 'deal_probability');
	if (prob !== undefined && prob !== null) {
		if (prob < 0 || prob > 100) throw validationError('deal_probability', 'must be between 0 and 100');
		p.dealProbability = prob;
	}
	const rot = bool(b, 'is_deal_rot_enabled');
	if (rot !== undefined) p.rotEnabled = rot;
	const days = int(b, 'days_to_rotten', true);
	if (days !== undefined) p.daysToRotten = days;
	return strip(p);
}

export interface PipelinePatch {
	name?: string;
	probabilityEnabled?: boolean;
}

export function pipelineFromV2(b: Json, mode: Mode): PipelinePatch {
	rejectUnknown(b, new Set(['name', 'is_deal_probability_enabled']));
	const p: PipelinePatch = {};
	const name = str(b, 'name');
	if (name !== undefined && name !== null) p.name = name;
	if (mode === 'create' && p.name === undefined) throw validationError('name', 'is required');
	const pe = bool(b, 'is_deal_probability_enabled');
	if (pe !== undefined) p.probabilityEnabled = pe;
	return strip(p);
}
