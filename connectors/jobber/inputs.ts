/**
 * Plain field objects (the Field Mapper's Jobber presets, or envelopes read from Jobber) → Jobber mutation inputs.
 *
 * Creates fill what Jobber requires (email/phone `description: MAIN`, `primary: true` on the first, line-item
 * quantity and saveToProductsAndServices, job invoicing) and drop list entries without an address/number. Edits are
 * computed against the current record, so an update that changes nothing sends nothing ("unchanged"), and
 * clientEdit gets the emailsToAdd/Edit/Delete and phonesToAdd/Edit/Delete Jobber wants instead of a list.
 * Problems found here are classified per field and the record is not sent.
 */
import { classifiedError, describeValue, type ClassifiedError } from '../../errors/taxonomy';
import { OBJECTS, type JobberObject } from './objects';

export interface CustomFieldConfig {
	id: string;
	name: string;
	appliesTo: string;
	valueType: 'TEXT' | 'LINK' | 'NUMERIC' | 'TRUE_FALSE' | 'DROPDOWN' | 'AREA' | string;
	archived: boolean;
	readOnly: boolean;
	dropdownOptions?: string[];
}

export interface BuildOptions {
	/** Custom field configurations of the account (needed only when `customFields` are written). */
	configs?: CustomFieldConfig[];
	/** Input fields the object does not have: a Field Not Found error (default) or ignored with a warning. */
	unknownFields?: 'error' | 'ignore';
	/**
	 * How emails/phones of an update apply: `merge` (default) makes the first desired entry the primary one (editing
	 * the current primary in place when its address changed) and adds the others, deleting nothing; `replace` makes
	 * the client's list exactly the desired list.
	 */
	listMode?: 'merge' | 'replace';
	/** jobCreate defaults when the input has no invoicing. */
	invoicing?: { invoicingType?: string; invoicingSchedule?: string };
}

export interface Built {
	/** Mutation arguments other than the input (clientId for propertyCreate, jobId…). */
	args: Record<string, unknown>;
	/** Null when an update has nothing to change. */
	input: Record<string, unknown> | null;
	warnings: string[];
	/** Jobber's userError path → the field name the user wrote (`emailsToAdd.0.address` → `emails[1].address`). */
	fieldFor(path: string[] | undefined): string | undefined;
}

export class InputProblems extends Error {
	constructor(readonly errors: ClassifiedError[]) {
		super(errors.map((e) => e.message).join('; '));
	}
}

type Obj = Record<string, unknown>;

const EMAIL_KINDS = ['MAIN', 'WORK', 'PERSONAL', 'OTHER'];
const PHONE_KINDS = ['MAIN', 'WORK', 'MOBILE', 'HOME', 'FAX', 'OTHER'];
const TITLES = ['MR', 'MS', 'MRS', 'MISS', 'DR'];
const ADDRESS_KEYS = ['street1', 'street2', 'city', 'province', 'postalCode', 'country'];
/** Read from Jobber but never written: accepted in input (envelope round trips) and ignored. */
function readOnly(object: JobberObject, key: string): boolean {
	if (key === 'id' || key === 'updatedAt') return true;
	return OBJECTS[object].fields.some((f) => f.name === key && (f.readOnly || f.link));
}

const WRITABLE: Record<JobberObject, string[]> = {
	clients: ['title', 'firstName', 'lastName', 'companyName', 'isCompany', 'emails', 'phones', 'billingAddress', 'customFields'],
	properties: ['address', 'clientId', ...ADDRESS_KEYS],
	requests: ['clientId', 'propertyId', 'title'],
	quotes: ['clientId', 'propertyId', 'requestId', 'title', 'message', 'quoteNumber', 'lineItems', 'customFields'],
	jobs: ['propertyId', 'clientId', 'quoteId', 'requestId', 'title', 'instructions', 'jobNumber', 'timeframe', 'invoicing', 'scheduling', 'lineItems', 'customFields'],
	invoices: ['jobId'],
};

class Collector {
	readonly errors: ClassifiedError[] = [];
	readonly warnings: string[] = [];
	constructor(private readonly object: JobberObject) {}
	add(code: ClassifiedError['code'], field: string, message: string, value?: unknown): void {
		this.errors.push(classifiedError(code, { message, field, value, record: { system: 'jobber', object: this.object } }));
	}
	throwIfAny(): void {
		if (this.errors.length) throw new InputProblems(this.errors);
	}
}

function isObj(v: unknown): v is Obj {
	return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function str(v: unknown): string | undefined {
	if (v === undefined || v === null) return undefined;
	if (typeof v === 'string') return v;
	if (typeof v === 'number' || typeof v === 'boolean') return String(v);
	return undefined;
}

function blank(v: unknown): boolean {
	return v === undefined || v === null || (typeof v === 'string' && v.trim() === '');
}

function bool(v: unknown): boolean | undefined {
	if (typeof v === 'boolean') return v;
	if (v === 'true') return true;
	if (v === 'false') return false;
	return undefined;
}

function num(v: unknown): number | undefined {
	if (typeof v === 'number' && Number.isFinite(v)) return v;
	if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v.trim()))) return Number(v.trim());
	return undefined;
}

function checkKeys(object: JobberObject, fields: Obj, c: Collector, unknown: 'error' | 'ignore'): void {
	for (const key of Object.keys(fields)) {
		if (WRITABLE[object].includes(key) || readOnly(object, key)) continue;
		if (unknown === 'ignore') c.warnings.push(`Ignored "${key}": Jobber ${object} have no such writable field`);
		else c.add('FIELD_NOT_FOUND', key, `Jobber ${object} have no writable field "${key}"`, fields[key]);
	}
}

// ---------- emails and phones ----------

interface Entry {
	/** Index in the input list (for error paths). */
	at: number;
	value: string;
	description?: string;
	primary?: boolean;
	smsAllowed?: boolean;
}

function entries(list: unknown, kind: 'emails' | 'phones', c: Collector): Entry[] | undefined {
	if (list === undefined) return undefined;
	if (list === null) return [];
	const items = Array.isArray(list) ? list : [list];
	const key = kind === 'emails' ? 'address' : 'number';
	const kinds = kind === 'emails' ? EMAIL_KINDS : PHONE_KINDS;
	const out: Entry[] = [];
	items.forEach((raw, at) => {
		const item: Obj = isObj(raw) ? raw : { [key]: raw };
		const value = str(item[key])?.trim();
		// Entries without an address/number are dropped (a mapped but empty source value).
		if (!value) return;
		const entry: Entry = { at, value };
		if (!blank(item.description)) {
			const d = String(item.description).trim().toUpperCase();
			if (!kinds.includes(d)) c.add('INVALID_FORMAT', `${kind}[${at}].description`, `${describeValue(item.description)} is not a Jobber ${kind === 'emails' ? 'email' : 'phone'} type (${kinds.join(', ')})`, item.description);
			entry.description = d;
		}
		const primary = bool(item.primary);
		if (primary !== undefined) entry.primary = primary;
		if (kind === 'phones') {
			const sms = bool(item.smsAllowed);
			if (sms !== undefined) entry.smsAllowed = sms;
		}
		out.push(entry);
	});
	return out;
}

function createList(list: Entry[], kind: 'emails' | 'phones'): Obj[] {
	const primaryAt = Math.max(0, list.findIndex((e) => e.primary === true));
	return list.map((e, i) => {
		const out: Obj = { description: e.description ?? 'MAIN', [kind === 'emails' ? 'address' : 'number']: e.value, primary: i === primaryAt };
		if (e.smsAllowed !== undefined) out.smsAllowed = e.smsAllowed;
		return out;
	});
}

interface CurrentEntry {
	id: string;
	value: string;
	description?: string;
	primary?: boolean;
	smsAllowed?: boolean;
}

function normEmail(v: string): string {
	return v.trim().toLowerCase();
}
function normPhone(v: string): string {
	const digits = v.replace(/\D/g, '');
	return digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
}

interface ListDiff {
	add: Obj[];
	edit: Obj[];
	del: string[];
	addAt: number[];
	editAt: number[];
}

/** Current vs desired emails/phones → what clientEdit must add, edit and delete. */
function diffList(current: CurrentEntry[], desired: Entry[], kind: 'emails' | 'phones', mode: 'merge' | 'replace'): ListDiff {
	const key = kind === 'emails' ? 'address' : 'number';
	const norm = kind === 'emails' ? normEmail : normPhone;
	const out: ListDiff = { add: [], edit: [], del: [], addAt: [], editAt: [] };
	if (desired.length === 0 && mode === 'merge') return out;
	// The desired primary: the one marked so, else the first entry.
	const wantPrimaryAt = desired.length ? Math.max(0, desired.findIndex((e) => e.primary === true)) : -1;
	const matched = new Map<number, CurrentEntry>();
	const used = new Set<string>();
	desired.forEach((d, i) => {
		const hit = current.find((c) => !used.has(c.id) && norm(c.value) === norm(d.value));
		if (hit) {
			matched.set(i, hit);
			used.add(hit.id);
		}
	});
	const leftovers = current.filter((c) => !used.has(c.id)).sort((a, b) => Number(b.primary === true) - Number(a.primary === true));
	desired.forEach((d, i) => {
		const wantPrimary = i === wantPrimaryAt;
		const target = matched.get(i);
		if (!target) {
			// A changed address of the primary entry is edited in place (keeps Jobber's id and history); in replace
			// mode any leftover entry is reused in order.
			const reuse = mode === 'replace' ? leftovers[0] : wantPrimary && leftovers[0]?.primary ? leftovers[0] : undefined;
			if (reuse) {
				leftovers.shift();
				const edit: Obj = { id: reuse.id, [key]: d.value };
				if (d.description && d.description !== reuse.description) edit.description = d.description;
				if (wantPrimary && !reuse.primary) edit.primary = true;
				if (kind === 'phones' && d.smsAllowed !== undefined && d.smsAllowed !== reuse.smsAllowed) edit.smsAllowed = d.smsAllowed;
				out.edit.push(edit);
				out.editAt.push(d.at);
				return;
			}
			const add: Obj = { description: d.description ?? 'MAIN', [key]: d.value, primary: wantPrimary };
			if (kind === 'phones' && d.smsAllowed !== undefined) add.smsAllowed = d.smsAllowed;
			out.add.push(add);
			out.addAt.push(d.at);
			return;
		}
		const edit: Obj = { id: target.id };
		if (d.description && d.description !== target.description) edit.description = d.description;
		if (wantPrimary && !target.primary) edit.primary = true;
		if (kind === 'phones' && d.smsAllowed !== undefined && d.smsAllowed !== target.smsAllowed) edit.smsAllowed = d.smsAllowed;
		if (Object.keys(edit).length > 1) {
			out.edit.push(edit);
			out.editAt.push(d.at);
		}
	});
	if (mode === 'replace') out.del.push(...leftovers.map((c) => c.id));
	return out;
}

// ---------- addresses, custom fields, line items ----------

function address(raw: unknown, field: string, c: Collector): Obj | undefined {
	if (raw === undefined || raw === null) return undefined;
	if (!isObj(raw)) {
		c.add('INVALID_FORMAT', field, `${field} must be an object with ${ADDRESS_KEYS.join(', ')}`, raw);
		return undefined;
	}
	const out: Obj = {};
	for (const [k, v] of Object.entries(raw)) {
		if (['street', 'latitude', 'longitude', 'coordinates', 'id', 'geoStatus'].includes(k)) continue; // read-only parts
		if (!ADDRESS_KEYS.includes(k)) {
			c.add('FIELD_NOT_FOUND', `${field}.${k}`, `Jobber addresses have no "${k}" (use ${ADDRESS_KEYS.join(', ')})`, v);
			continue;
		}
		const s = str(v);
		if (s !== undefined) out[k] = s.trim();
	}
	return Object.values(out).some((v) => v !== '') ? out : undefined;
}

function customFieldInputs(raw: unknown, appliesTo: string, configs: CustomFieldConfig[] | undefined, c: Collector, current?: Record<string, unknown>): Obj[] {
	if (raw === undefined || raw === null) return [];
	if (!isObj(raw)) {
		c.add('INVALID_FORMAT', 'customFields', 'customFields must be an object of { "<custom field name>": value }', raw);
		return [];
	}
	const out: Obj[] = [];
	for (const [label, value] of Object.entries(raw)) {
		const field = `customFields.${label}`;
		const config = (configs ?? []).find((x) => x.appliesTo === appliesTo && !x.archived && (x.id === label || x.name.trim().toLowerCase() === label.trim().toLowerCase()));
		if (!config) {
			c.add('FIELD_NOT_FOUND', field, `No custom field "${label}" applies to this object in the Jobber account`, value);
			continue;
		}
		if (config.readOnly) {
			c.warnings.push(`Custom field "${config.name}" is read-only in Jobber; ignored`);
			continue;
		}
		if (value === undefined || value === null) continue;
		let input: Obj | undefined;
		switch (config.valueType) {
			case 'TEXT':
				input = { valueText: str(value) ?? JSON.stringify(value) };
				break;
			case 'NUMERIC': {
				const n = num(value);
				if (n === undefined) c.add('INVALID_FORMAT', field, `${describeValue(value)} is not a number`, value);
				else input = { valueNumeric: n };
				break;
			}
			case 'TRUE_FALSE': {
				const b = bool(value);
				if (b === undefined) c.add('INVALID_FORMAT', field, `${describeValue(value)} is not true or false`, value);
				else input = { valueTrueFalse: b };
				break;
			}
			case 'DROPDOWN': {
				const s = str(value);
				const option = config.dropdownOptions?.find((o) => o === s) ?? config.dropdownOptions?.find((o) => o.toLowerCase() === s?.toLowerCase());
				if (!option) c.add('INVALID_FORMAT', field, `${describeValue(value)} is not one of ${JSON.stringify(config.dropdownOptions ?? [])}`, value);
				else input = { valueDropdown: option };
				break;
			}
			case 'LINK':
				if (typeof value === 'string') input = { valueLink: { text: value, url: value } };
				else if (isObj(value) && typeof value.url === 'string') input = { valueLink: { text: str(value.text) ?? value.url, url: value.url } };
				else c.add('INVALID_FORMAT', field, `${describeValue(value)} is not a link (a URL, or { text, url })`, value);
				break;
			case 'AREA':
				if (isObj(value) && num(value.length) !== undefined && num(value.width) !== undefined) input = { valueArea: { length: num(value.length), width: num(value.width) } };
				else c.add('INVALID_FORMAT', field, `${describeValue(value)} is not an area ({ length, width })`, value);
				break;
			default:
				c.add('OBJECT_TYPE_CHANGED', field, `Custom field type ${config.valueType} is not supported`, value);
		}
		if (!input) continue;
		if (current && config.name in current && JSON.stringify(current[config.name]) === JSON.stringify(Object.values(input)[0])) continue;
		out.push({ customFieldConfigurationId: config.id, ...input });
	}
	return out;
}

function lineItems(raw: unknown, c: Collector): Obj[] | undefined {
	if (raw === undefined || raw === null) return undefined;
	const list = Array.isArray(raw) ? raw : [raw];
	const out: Obj[] = [];
	list.forEach((item, i) => {
		if (!isObj(item) || Object.values(item).every(blank)) return;
		const field = `lineItems[${i}]`;
		const li: Obj = {};
		const name = str(item.name)?.trim();
		if (!name) c.add('REQUIRED_FIELD_MISSING', `${field}.name`, 'A line item needs a name', item.name);
		li.name = name ?? '';
		const quantity = item.quantity === undefined || item.quantity === null || item.quantity === '' ? 1 : num(item.quantity);
		if (quantity === undefined) c.add('INVALID_FORMAT', `${field}.quantity`, `${describeValue(item.quantity)} is not a number`, item.quantity);
		li.quantity = quantity ?? 1;
		const unitPrice = item.unitPrice === undefined || item.unitPrice === null || item.unitPrice === '' ? 0 : num(item.unitPrice);
		if (unitPrice === undefined) c.add('INVALID_FORMAT', `${field}.unitPrice`, `${describeValue(item.unitPrice)} is not a number`, item.unitPrice);
		li.unitPrice = unitPrice ?? 0;
		li.saveToProductsAndServices = bool(item.saveToProductsAndServices) ?? false;
		if (!blank(item.description)) li.description = str(item.description);
		const taxable = bool(item.taxable);
		if (taxable !== undefined) li.taxable = taxable;
		for (const k of Object.keys(item)) {
			if (!['name', 'quantity', 'unitPrice', 'saveToProductsAndServices', 'description', 'taxable', 'totalPrice', 'category'].includes(k)) {
				c.add('FIELD_NOT_FOUND', `${field}.${k}`, `Jobber line items have no "${k}"`, item[k]);
			}
		}
		if (!blank(item.category)) li.category = String(item.category).toUpperCase();
		out.push(li);
	});
	return out;
}

function date(raw: unknown, field: string, c: Collector): string | undefined {
	if (blank(raw)) return undefined;
	const s = String(raw).trim();
	if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return s;
	const ms = Date.parse(s);
	if (Number.isNaN(ms)) {
		c.add('INVALID_FORMAT', field, `${describeValue(raw)} is not a date (YYYY-MM-DD)`, raw);
		return undefined;
	}
	return new Date(ms).toISOString().slice(0, 10);
}

function id(raw: unknown): string | undefined {
	return blank(raw) ? undefined : String(raw).trim();
}

function fieldMapper(map: Record<string, (rest: string[]) => string | undefined>): Built['fieldFor'] {
	return (path) => {
		if (!path || path.length === 0) return undefined;
		const [head, ...rest] = path;
		const fn = map[head];
		if (fn) return fn(rest);
		return [head, ...rest].reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : acc ? `${acc}.${p}` : p), '');
	};
}

function listPath(kind: string, at: number[]): (rest: string[]) => string | undefined {
	return (rest) => {
		if (rest.length === 0) return kind;
		const i = Number(rest[0]);
		const original = Number.isInteger(i) ? (at[i] ?? i) : undefined;
		const tail = rest.slice(1);
		return `${kind}${original !== undefined ? `[${original}]` : ''}${tail.length ? `.${tail.join('.')}` : ''}`;
	};
}

// ---------- per object ----------

/** Fields of an update that matter, read from a current envelope's fields. */
export interface Current {
	id: string;
	fields: Record<string, any>;
	links?: Record<string, string | string[]>;
}

function scalarChanges(fields: Obj, current: Record<string, any> | undefined, keys: string[], out: Obj, c: Collector): void {
	for (const k of keys) {
		if (!(k in fields)) continue;
		let v: unknown = fields[k];
		if (k === 'title' && !blank(v)) {
			v = String(v).trim().toUpperCase().replace(/\.$/, '');
			if (!TITLES.includes(v as string)) {
				c.add('INVALID_FORMAT', 'title', `${describeValue(fields[k])} is not a Jobber client title (${TITLES.join(', ')})`, fields[k]);
				continue;
			}
		}
		if (k === 'isCompany') {
			const b = bool(v);
			if (b === undefined && !blank(v)) {
				c.add('INVALID_FORMAT', k, `${describeValue(v)} is not true or false`, v);
				continue;
			}
			v = b;
		} else if (typeof v === 'string') v = v.trim();
		else if (v !== null && v !== undefined && typeof v !== 'string') v = str(v);
		if (v === undefined) continue;
		if (current) {
			const now = current[k];
			const same = (blank(now) && blank(v)) || now === v;
			if (same) continue;
		}
		out[k] = v === '' && k === 'title' ? null : v;
	}
}

export function buildClientCreate(fields: Obj, options: BuildOptions = {}): Built {
	const c = new Collector('clients');
	checkKeys('clients', fields, c, options.unknownFields ?? 'error');
	const input: Obj = {};
	scalarChanges(fields, undefined, ['title', 'firstName', 'lastName', 'companyName', 'isCompany'], input, c);
	const emails = entries(fields.emails, 'emails', c);
	const phones = entries(fields.phones, 'phones', c);
	if (emails?.length) input.emails = createList(emails, 'emails');
	if (phones?.length) input.phones = createList(phones, 'phones');
	const billing = address(fields.billingAddress, 'billingAddress', c);
	if (billing) input.billingAddress = billing;
	const custom = customFieldInputs(fields.customFields, 'ALL_CLIENTS', options.configs, c);
	if (custom.length) input.customFields = custom;
	if (blank(input.firstName) && blank(input.lastName) && blank(input.companyName)) {
		c.add('REQUIRED_FIELD_MISSING', 'firstName', 'A Jobber client needs a first name, last name or company name');
	}
	c.throwIfAny();
	return {
		args: {},
		input,
		warnings: c.warnings,
		fieldFor: fieldMapper({ emails: listPath('emails', (emails ?? []).map((e) => e.at)), phones: listPath('phones', (phones ?? []).map((e) => e.at)) }),
	};
}

export function buildClientEdit(current: Current, fields: Obj, options: BuildOptions = {}): Built {
	const c = new Collector('clients');
	checkKeys('clients', fields, c, options.unknownFields ?? 'error');
	const input: Obj = {};
	const cur = current.fields;
	scalarChanges(fields, cur, ['title', 'firstName', 'lastName', 'companyName', 'isCompany'], input, c);
	const mode = options.listMode ?? 'merge';
	const emails = entries(fields.emails, 'emails', c);
	const phones = entries(fields.phones, 'phones', c);
	let emailDiff: ListDiff | undefined;
	let phoneDiff: ListDiff | undefined;
	if (emails) {
		const now = ((cur.emails as any[]) ?? []).map((e) => ({ id: e.id, value: e.address, description: e.description, primary: e.primary }));
		emailDiff = diffList(now, emails, 'emails', mode);
		if (emailDiff.add.length) input.emailsToAdd = emailDiff.add;
		if (emailDiff.edit.length) input.emailsToEdit = emailDiff.edit;
		if (emailDiff.del.length) input.emailsToDelete = emailDiff.del;
	}
	if (phones) {
		const now = ((cur.phones as any[]) ?? []).map((p) => ({ id: p.id, value: p.number, description: p.description, primary: p.primary, smsAllowed: p.smsAllowed }));
		phoneDiff = diffList(now, phones, 'phones', mode);
		if (phoneDiff.add.length) input.phonesToAdd = phoneDiff.add;
		if (phoneDiff.edit.length) input.phonesToEdit = phoneDiff.edit;
		if (phoneDiff.del.length) input.phonesToDelete = phoneDiff.del;
	}
	const billing = address(fields.billingAddress, 'billingAddress', c);
	if (billing) {
		const now = (cur.billingAddress ?? {}) as Obj;
		if (Object.entries(billing).some(([k, v]) => (now[k] ?? '') !== v)) input.billingAddress = billing;
	}
	const custom = customFieldInputs(fields.customFields, 'ALL_CLIENTS', options.configs, c, cur.customFields);
	if (custom.length) input.customFields = custom;
	c.throwIfAny();
	return {
		args: { clientId: current.id },
		input: Object.keys(input).length ? input : null,
		warnings: c.warnings,
		fieldFor: fieldMapper({
			emailsToAdd: listPath('emails', emailDiff?.addAt ?? []),
			emailsToEdit: listPath('emails', emailDiff?.editAt ?? []),
			emailsToDelete: () => 'emails',
			phonesToAdd: listPath('phones', phoneDiff?.addAt ?? []),
			phonesToEdit: listPath('phones', phoneDiff?.editAt ?? []),
			phonesToDelete: () => 'phones',
		}),
	};
}

function propertyAddress(fields: Obj, c: Collector): Obj | undefined {
	const flat = ADDRESS_KEYS.filter((k) => k in fields);
	const source = fields.address ?? (flat.length ? Object.fromEntries(flat.map((k) => [k, fields[k]])) : undefined);
	return address(source, 'address', c);
}

export function buildPropertyCreate(fields: Obj, links: Current['links'], options: BuildOptions = {}): Built {
	const c = new Collector('properties');
	checkKeys('properties', fields, c, options.unknownFields ?? 'error');
	const clientId = id(fields.clientId) ?? (typeof links?.client === 'string' ? links.client : undefined);
	if (!clientId) c.add('REQUIRED_FIELD_MISSING', 'clientId', 'A property belongs to a client: give clientId');
	const addr = propertyAddress(fields, c);
	if (!addr) c.add('REQUIRED_FIELD_MISSING', 'address', 'Jobber requires an address to create a property');
	c.throwIfAny();
	return {
		args: { clientId },
		input: { properties: [{ address: addr }] },
		warnings: c.warnings,
		fieldFor: fieldMapper({ properties: (rest) => (rest.length > 1 ? rest.slice(1).join('.') : 'address') }),
	};
}

export function buildPropertyEdit(current: Current, fields: Obj, options: BuildOptions = {}): Built {
	const c = new Collector('properties');
	checkKeys('properties', fields, c, options.unknownFields ?? 'error');
	const addr = propertyAddress(fields, c);
	c.throwIfAny();
	const now = (current.fields.address ?? {}) as Obj;
	const changed = addr && Object.entries(addr).some(([k, v]) => (now[k] ?? '') !== v);
	return { args: { propertyId: current.id }, input: changed ? { address: addr } : null, warnings: c.warnings, fieldFor: fieldMapper({}) };
}

export function buildRequestCreate(fields: Obj, links: Current['links'], options: BuildOptions = {}): Built {
	const c = new Collector('requests');
	checkKeys('requests', fields, c, options.unknownFields ?? 'error');
	const input: Obj = {};
	const clientId = id(fields.clientId) ?? (typeof links?.client === 'string' ? links.client : undefined);
	if (!clientId) c.add('REQUIRED_FIELD_MISSING', 'clientId', 'A request needs the client it is for (clientId)');
	input.clientId = clientId;
	const propertyId = id(fields.propertyId) ?? (typeof links?.property === 'string' ? links.property : undefined);
	if (propertyId) input.propertyId = propertyId;
	if (!blank(fields.title)) input.title = String(fields.title).trim();
	c.throwIfAny();
	return { args: {}, input, warnings: c.warnings, fieldFor: fieldMapper({}) };
}

export function buildQuoteCreate(fields: Obj, links: Current['links'], options: BuildOptions = {}): Built {
	const c = new Collector('quotes');
	checkKeys('quotes', fields, c, options.unknownFields ?? 'error');
	const input: Obj = {};
	const clientId = id(fields.clientId) ?? (typeof links?.client === 'string' ? links.client : undefined);
	if (!clientId) c.add('REQUIRED_FIELD_MISSING', 'clientId', 'A quote needs the client it is for (clientId)');
	input.clientId = clientId;
	const propertyId = id(fields.propertyId) ?? (typeof links?.property === 'string' ? links.property : undefined);
	if (!propertyId) c.add('REQUIRED_FIELD_MISSING', 'propertyId', 'A quote needs a property of its client (propertyId)');
	input.propertyId = propertyId;
	const requestId = id(fields.requestId) ?? (typeof links?.request === 'string' ? links.request : undefined);
	if (requestId) input.requestId = requestId;
	for (const k of ['title', 'message']) if (!blank(fields[k])) input[k] = String(fields[k]).trim();
	if (!blank(fields.quoteNumber)) {
		const n = num(fields.quoteNumber);
		if (n === undefined || !Number.isInteger(n)) c.add('INVALID_FORMAT', 'quoteNumber', `${describeValue(fields.quoteNumber)} is not a whole number`, fields.quoteNumber);
		else input.quoteNumber = n;
	}
	input.lineItems = lineItems(fields.lineItems, c) ?? [];
	const custom = customFieldInputs(fields.customFields, 'ALL_QUOTES', options.configs, c);
	if (custom.length) input.customFields = custom;
	c.throwIfAny();
	return { args: {}, input, warnings: c.warnings, fieldFor: fieldMapper({}) };
}

function jobCommon(fields: Obj, c: Collector, input: Obj, current?: Record<string, any>): void {
	for (const k of ['title', 'instructions']) {
		if (!(k in fields)) continue;
		const v = blank(fields[k]) ? null : String(fields[k]).trim();
		if (current && (current[k] ?? null) === v) continue;
		if (v !== null || current) input[k] = v;
	}
	if (!blank(fields.jobNumber)) {
		const n = num(fields.jobNumber);
		if (n === undefined || !Number.isInteger(n)) c.add('INVALID_FORMAT', 'jobNumber', `${describeValue(fields.jobNumber)} is not a whole number`, fields.jobNumber);
		else if (!current || current.jobNumber !== n) input.jobNumber = n;
	}
	if (isObj(fields.timeframe)) {
		const tf: Obj = {};
		const startAt = date(fields.timeframe.startAt, 'timeframe.startAt', c);
		if (startAt) tf.startAt = startAt;
		if (!blank(fields.timeframe.durationUnits)) tf.durationUnits = String(fields.timeframe.durationUnits).toUpperCase();
		if (!blank(fields.timeframe.durationValue)) tf.durationValue = num(fields.timeframe.durationValue);
		const currentStart = typeof current?.startAt === 'string' ? current.startAt.slice(0, 10) : undefined;
		if (Object.keys(tf).length && !(current && Object.keys(tf).length === 1 && tf.startAt === currentStart)) input.timeframe = tf;
	} else if (fields.timeframe !== undefined && fields.timeframe !== null) {
		c.add('INVALID_FORMAT', 'timeframe', 'timeframe must be an object ({ startAt })', fields.timeframe);
	}
}

function invoicing(fields: Obj, defaults: BuildOptions['invoicing'], c: Collector): Obj {
	const given = isObj(fields.invoicing) ? fields.invoicing : {};
	if (fields.invoicing !== undefined && !isObj(fields.invoicing)) c.add('INVALID_FORMAT', 'invoicing', 'invoicing must be an object ({ invoicingType, invoicingSchedule })', fields.invoicing);
	const out: Obj = {
		invoicingType: String(given.invoicingType ?? defaults?.invoicingType ?? 'FIXED_PRICE').toUpperCase(),
		invoicingSchedule: String(given.invoicingSchedule ?? defaults?.invoicingSchedule ?? 'ON_COMPLETION').toUpperCase(),
	};
	if (!blank(given.recurrence)) out.recurrence = given.recurrence;
	return out;
}

export function buildJobCreate(fields: Obj, links: Current['links'], options: BuildOptions = {}): Built {
	const c = new Collector('jobs');
	checkKeys('jobs', fields, c, options.unknownFields ?? 'error');
	const input: Obj = {};
	// The client comes from the property: jobCreate takes no clientId (the connector resolves a client's property).
	const propertyId = id(fields.propertyId) ?? (typeof links?.property === 'string' ? links.property : undefined);
	if (!propertyId) c.add('REQUIRED_FIELD_MISSING', 'propertyId', 'A job needs a property (propertyId), or a clientId whose client has exactly one property');
	input.propertyId = propertyId;
	for (const k of ['quoteId', 'requestId']) {
		const v = id(fields[k]) ?? (typeof links?.[k.replace('Id', '')] === 'string' ? (links[k.replace('Id', '')] as string) : undefined);
		if (v) input[k] = v;
	}
	jobCommon(fields, c, input);
	input.invoicing = invoicing(fields, options.invoicing, c);
	const items = lineItems(fields.lineItems, c);
	if (items?.length) input.lineItems = items;
	if (isObj(fields.scheduling)) {
		const s = fields.scheduling;
		const scheduling: Obj = { createVisits: bool(s.createVisits) ?? true, notifyTeam: bool(s.notifyTeam) ?? false };
		if (Array.isArray(s.assignedTo) && s.assignedTo.length) scheduling.assignedTo = s.assignedTo;
		for (const k of ['startTime', 'endTime', 'recurrence']) if (!blank(s[k])) scheduling[k] = s[k];
		input.scheduling = scheduling;
	}
	const custom = customFieldInputs(fields.customFields, 'ALL_JOBS', options.configs, c);
	if (custom.length) input.customFields = custom;
	c.throwIfAny();
	return { args: {}, input, warnings: c.warnings, fieldFor: fieldMapper({}) };
}

export function buildJobEdit(current: Current, fields: Obj, options: BuildOptions = {}): Built {
	const c = new Collector('jobs');
	checkKeys('jobs', fields, c, options.unknownFields ?? 'error');
	const input: Obj = {};
	const cur = current.fields;
	jobCommon(fields, c, input, cur);
	if (isObj(fields.invoicing)) {
		const wanted = invoicing(fields, { invoicingType: cur.billingType, invoicingSchedule: cur.invoiceSchedule?.billingFrequency }, c);
		if (wanted.invoicingType !== cur.billingType || wanted.invoicingSchedule !== cur.invoiceSchedule?.billingFrequency) input.invoicing = wanted;
	}
	if (fields.lineItems !== undefined) c.warnings.push('jobEdit cannot change line items; lineItems were not written');
	if (fields.scheduling !== undefined) c.warnings.push('scheduling is applied when a job is created; it was not written on update');
	const custom = customFieldInputs(fields.customFields, 'ALL_JOBS', options.configs, c, cur.customFields);
	if (custom.length) input.customFields = custom;
	c.throwIfAny();
	return { args: { jobId: current.id }, input: Object.keys(input).length ? input : null, warnings: c.warnings, fieldFor: fieldMapper({}) };
}

export function buildInvoiceCreate(fields: Obj, options: BuildOptions = {}): Built {
	const c = new Collector('invoices');
	checkKeys('invoices', fields, c, options.unknownFields ?? 'error');
	const jobId = id(fields.jobId);
	if (!jobId) c.add('REQUIRED_FIELD_MISSING', 'jobId', 'An invoice is created from a job: give jobId');
	c.throwIfAny();
	return { args: { jobId, origin: 'INTEGRATIONS' }, input: null, warnings: c.warnings, fieldFor: fieldMapper({}) };
}
