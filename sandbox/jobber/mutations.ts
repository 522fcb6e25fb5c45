/**
 * Jobber mutations: validation first, then one commit. A payload with userErrors has written nothing (Jobber's
 * documented contract: "userErrors non-empty ⇒ nothing written", HTTP 200). The exact userError wording is not
 * documented by Jobber [U]; messages follow Rails' validation style and paths name the offending input field.
 */
import type { JobberContext } from './context';
import { idFor } from './ids';
import {
	RECEIVES,
	RECEIVES_ALL,
	type Address,
	type ClientRec,
	type CustomFieldConfigRec,
	type CustomFieldRaw,
	type CustomFieldValue,
	type EmailRec,
	type InvoiceRec,
	type JobRec,
	type LineItemRec,
	type PhoneRec,
	type PropertyRec,
	type QuoteRec,
	type RequestRec,
	type JobberStore,
} from './store';

export interface UserError {
	message: string;
	path: string[];
}

type Input = Record<string, unknown>;

class Errors {
	readonly list: UserError[] = [];
	add(message: string, ...path: Array<string | number>): void {
		this.list.push({ message, path: path.map(String) });
	}
	get any(): boolean {
		return this.list.length > 0;
	}
}

const MAX = 255;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

function str(v: unknown): string | undefined {
	return typeof v === 'string' ? v : undefined;
}
function blank(v: unknown): boolean {
	return typeof v !== 'string' || v.trim() === '';
}
function tooLong(errs: Errors, label: string, value: unknown, ...path: Array<string | number>): void {
	if (typeof value === 'string' && value.length > MAX) errs.add(`${label} is too long (maximum is ${MAX} characters)`, ...path);
}

function addressFrom(input: Input | null | undefined, base?: Address | null): Address {
	const a = input ?? {};
	const pick = (k: keyof Address) => (typeof a[k] === 'string' ? (a[k] as string) : (base?.[k] ?? ''));
	return { street1: pick('street1'), street2: pick('street2'), city: pick('city'), province: pick('province'), postalCode: pick('postalCode'), country: pick('country') };
}

function checkAddress(errs: Errors, input: Input, ...path: Array<string | number>): void {
	for (const k of ['street1', 'street2', 'city', 'province', 'postalCode', 'country']) {
		tooLong(errs, k === 'postalCode' ? 'Postal code' : k[0].toUpperCase() + k.slice(1), input[k], ...path, k);
	}
}

function addressEmpty(input: Input | null | undefined): boolean {
	if (!input) return true;
	return ['street1', 'street2', 'city', 'province', 'postalCode', 'country'].every((k) => blank(input[k]));
}

const APPLIES: Record<string, string> = { client: 'ALL_CLIENTS', property: 'ALL_PROPERTIES', quote: 'ALL_QUOTES', job: 'ALL_JOBS', invoice: 'ALL_INVOICES' };

/** Validates custom-field inputs against their configurations and returns the resulting values. */
function applyCustomFields(
	store: JobberStore,
	owner: keyof typeof APPLIES,
	current: CustomFieldValue[],
	inputs: Input[] | null | undefined,
	errs: Errors,
	...base: Array<string | number>
): CustomFieldValue[] {
	if (!inputs) return current;
	const next = current.map((v) => ({ ...v }));
	inputs.forEach((input, i) => {
		const path = [...base, i];
		let existing: CustomFieldValue | undefined;
		if (input.id !== undefined && input.id !== null) {
			const id = idFor('CustomField', input.id);
			existing = next.find((v) => v.id === id);
			if (!existing) {
				errs.add('Custom field could not be found', ...path, 'id');
				return;
			}
		}
		let config: CustomFieldConfigRec | undefined;
		if (input.customFieldConfigurationId !== undefined && input.customFieldConfigurationId !== null) {
			config = store.customFieldConfigs.get(idFor('CustomFieldConfiguration', input.customFieldConfigurationId));
			if (!config) {
				errs.add('Custom field configuration could not be found', ...path, 'customFieldConfigurationId');
				return;
			}
		} else if (existing) config = store.customFieldConfigs.get(existing.configId);
		if (!config) {
			errs.add('Custom field configuration must be provided', ...path, 'customFieldConfigurationId');
			return;
		}
		if (config.appliesTo !== APPLIES[owner]) {
			errs.add(`Custom field configuration does not apply to ${owner === 'property' ? 'properties' : `${owner}s`}`, ...path, 'customFieldConfigurationId');
			return;
		}
		if (config.archived) {
			errs.add('Custom field configuration is archived', ...path, 'customFieldConfigurationId');
			return;
		}
		const given = ['valueText', 'valueLink', 'valueNumeric', 'valueTrueFalse', 'valueDropdown', 'valueArea'].filter((k) => input[k] !== undefined && input[k] !== null);
		const expected = { TEXT: 'valueText', LINK: 'valueLink', NUMERIC: 'valueNumeric', TRUE_FALSE: 'valueTrueFalse', DROPDOWN: 'valueDropdown', AREA: 'valueArea' }[config.valueType];
		if (given.length !== 1 || given[0] !== expected) {
			errs.add(`Exactly one value must be provided and it must be ${expected} for a ${config.valueType} custom field`, ...path);
			return;
		}
		let value: CustomFieldRaw = input[expected] as CustomFieldRaw;
		if (config.valueType === 'TEXT') tooLong(errs, 'Value', value, ...path, 'valueText');
		if (config.valueType === 'DROPDOWN' && !config.dropdownOptions.includes(value as string)) {
			errs.add(`${JSON.stringify(value)} is not one of the dropdown options`, ...path, 'valueDropdown');
			return;
		}
		if (config.valueType === 'LINK') {
			const link = value as { text?: string; url?: string };
			value = { text: link.text ?? '', url: link.url ?? '' };
		}
		if (config.valueType === 'AREA') {
			const area = value as { length?: number; width?: number };
			value = { length: area.length ?? 0, width: area.width ?? 0 };
		}
		const target = existing ?? next.find((v) => v.configId === config!.id);
		if (target) target.value = value;
		else next.push({ id: store.nextCustomFieldId(), configId: config.id, value });
	});
	return next;
}

function emailsFrom(store: JobberStore, clientId: number, inputs: Input[], errs: Errors, ...base: Array<string | number>): EmailRec[] {
	return inputs.map((e, i) => {
		const address = str(e.address) ?? '';
		if (blank(address)) errs.add("Email address can't be blank", ...base, i, 'address');
		else if (!EMAIL.test(address.trim())) errs.add('Email address is invalid', ...base, i, 'address');
		tooLong(errs, 'Email address', address, ...base, i, 'address');
		return { id: store.nextEmailId(), clientId, address, description: str(e.description) ?? 'MAIN', primary: e.primary === true };
	});
}

function phonesFrom(store: JobberStore, clientId: number, inputs: Input[], errs: Errors, ...base: Array<string | number>): PhoneRec[] {
	return inputs.map((p, i) => {
		const number = str(p.number) ?? '';
		if (blank(number)) errs.add("Phone number can't be blank", ...base, i, 'number');
		tooLong(errs, 'Phone number', number, ...base, i, 'number');
		return { id: store.nextPhoneId(), clientId, number, description: str(p.description) ?? 'MAIN', primary: p.primary === true, smsAllowed: p.smsAllowed === true };
	});
}

/** Exactly one primary per list when the list is not empty: the first marked one wins, else the first entry. */
function normalizePrimary<T extends { primary: boolean }>(list: T[]): void {
	if (list.length === 0) return;
	const at = list.findIndex((x) => x.primary);
	list.forEach((x, i) => (x.primary = i === (at < 0 ? 0 : at)));
}

function checkNames(errs: Errors, c: { firstName: string; lastName: string; companyName: string | null; isCompany: boolean }): void {
	if (blank(c.firstName) && blank(c.lastName) && blank(c.companyName)) {
		errs.add('Client must have a first name, last name, or company name', 'firstName');
	}
	if (c.isCompany && blank(c.companyName)) errs.add("Company name can't be blank when the client is a company", 'companyName');
	tooLong(errs, 'First name', c.firstName, 'firstName');
	tooLong(errs, 'Last name', c.lastName, 'lastName');
	tooLong(errs, 'Company name', c.companyName, 'companyName');
}

function receivesFrom(input: Input, current: number): number {
	let mask = current;
	for (const [key, bit] of Object.entries(RECEIVES)) {
		if (input[key] === true) mask |= bit;
		if (input[key] === false) mask &= ~bit;
	}
	return mask;
}

function newProperty(store: JobberStore, clientId: number, address: Address, isBilling: boolean, now: number): PropertyRec {
	return { id: store.properties.nextId(), clientId, address, isBillingAddress: isBilling, customFields: [], createdAt: now, updatedAt: now };
}

export function clientCreate(ctx: JobberContext, input: Input, source = ctx.writeSource): { client: ClientRec | null; userErrors: UserError[] } {
	const { store } = ctx;
	const errs = new Errors();
	const now = store.now();
	const id = store.clients.nextId();
	const client: ClientRec = {
		id,
		title: str(input.title) ?? null,
		firstName: str(input.firstName) ?? '',
		lastName: str(input.lastName) ?? '',
		companyName: str(input.companyName) ?? null,
		isCompany: input.isCompany === true,
		isLead: true,
		isArchived: false,
		emails: emailsFrom(store, id, (input.emails as Input[]) ?? [], errs, 'emails'),
		phones: phonesFrom(store, id, (input.phones as Input[]) ?? [], errs, 'phones'),
		billingAddress: input.billingAddress ? addressFrom(input.billingAddress as Input) : null,
		customFields: [],
		tags: [],
		balance: 0,
		receives: receivesFrom(input, RECEIVES_ALL),
		source,
		createdAt: now,
		updatedAt: now,
	};
	checkNames(errs, client);
	if (input.billingAddress) checkAddress(errs, input.billingAddress as Input, 'billingAddress');
	client.customFields = applyCustomFields(store, 'client', [], input.customFields as Input[] | undefined, errs, 'customFields');
	const propertyInputs = (input.properties as Input[] | undefined) ?? [];
	propertyInputs.forEach((p, i) => {
		// Required since 2023-08-18 (crm-apis.md §4.4).
		if (addressEmpty(p.address as Input | undefined)) errs.add("Property address can't be blank", 'properties', i, 'address');
		else checkAddress(errs, p.address as Input, 'properties', i, 'address');
	});
	// The reserved id stays unused on failure, as a database sequence skips a rolled-back insert.
	if (errs.any) return { client: null, userErrors: errs.list };
	normalizePrimary(client.emails);
	normalizePrimary(client.phones);
	store.clients.insert(client);
	ctx.emit('CLIENT_CREATE', 'Client', client.id);
	for (const p of propertyInputs) {
		const property = store.properties.insert(newProperty(store, client.id, addressFrom(p.address as Input), false, now));
		store.link('properties', client.id, property.id);
		ctx.emit('PROPERTY_CREATE', 'Property', property.id);
	}
	return { client, userErrors: [] };
}

/** The fields whose change counts as an update (bumps updatedAt and fires CLIENT_UPDATE). */
function clientSnapshot(c: ClientRec): string {
	return JSON.stringify([c.title, c.firstName, c.lastName, c.companyName, c.isCompany, c.isArchived, c.emails, c.phones, c.billingAddress, c.customFields, c.tags, c.receives]);
}

export function clientEdit(ctx: JobberContext, clientId: unknown, input: Input): { client: ClientRec | null; userErrors: UserError[] } {
	const { store } = ctx;
	const errs = new Errors();
	const original = store.clients.get(idFor('Client', clientId));
	if (!original) return { client: null, userErrors: [{ message: 'Client not found', path: ['clientId'] }] };
	const draft: ClientRec = structuredClone(original);
	if (input.title !== undefined) draft.title = str(input.title) ?? null;
	if (input.firstName !== undefined) draft.firstName = str(input.firstName) ?? '';
	if (input.lastName !== undefined) draft.lastName = str(input.lastName) ?? '';
	if (input.companyName !== undefined) draft.companyName = str(input.companyName) ?? null;
	if (input.isCompany !== undefined && input.isCompany !== null) draft.isCompany = input.isCompany === true;
	draft.receives = receivesFrom(input, draft.receives);

	const owned = (list: Array<{ id: number }>, type: 'Email' | 'ClientPhoneNumber', raw: unknown, ...path: Array<string | number>) => {
		const n = idFor(type, raw);
		const at = list.findIndex((x) => x.id === n);
		if (at < 0) errs.add(`${type === 'Email' ? 'Email' : 'Phone number'} not found on this client`, ...path);
		return at;
	};
	((input.emailsToDelete as unknown[]) ?? []).forEach((raw, i) => {
		const at = owned(draft.emails, 'Email', raw, 'emailsToDelete', i);
		if (at >= 0) draft.emails.splice(at, 1);
	});
	((input.emailsToEdit as Input[]) ?? []).forEach((e, i) => {
		const at = owned(draft.emails, 'Email', e.id, 'emailsToEdit', i, 'id');
		if (at < 0) return;
		const email = draft.emails[at];
		if (e.address !== undefined && e.address !== null) {
			const address = String(e.address);
			if (blank(address)) errs.add("Email address can't be blank", 'emailsToEdit', i, 'address');
			else if (!EMAIL.test(address.trim())) errs.add('Email address is invalid', 'emailsToEdit', i, 'address');
			tooLong(errs, 'Email address', address, 'emailsToEdit', i, 'address');
			email.address = address;
		}
		if (typeof e.description === 'string') email.description = e.description;
		if (e.primary === true) draft.emails.forEach((x) => (x.primary = x === email));
		else if (e.primary === false) email.primary = false;
	});
	const addedEmails = emailsFrom(store, draft.id, (input.emailsToAdd as Input[]) ?? [], errs, 'emailsToAdd');
	if (addedEmails.some((e) => e.primary)) draft.emails.forEach((x) => (x.primary = false));
	draft.emails.push(...addedEmails);

	((input.phonesToDelete as unknown[]) ?? []).forEach((raw, i) => {
		const at = owned(draft.phones, 'ClientPhoneNumber', raw, 'phonesToDelete', i);
		if (at >= 0) draft.phones.splice(at, 1);
	});
	((input.phonesToEdit as Input[]) ?? []).forEach((p, i) => {
		const at = owned(draft.phones, 'ClientPhoneNumber', p.id, 'phonesToEdit', i, 'id');
		if (at < 0) return;
		const phone = draft.phones[at];
		if (p.number !== undefined && p.number !== null) {
			if (blank(p.number)) errs.add("Phone number can't be blank", 'phonesToEdit', i, 'number');
			tooLong(errs, 'Phone number', p.number, 'phonesToEdit', i, 'number');
			phone.number = String(p.number);
		}
		if (typeof p.description === 'string') phone.description = p.description;
		if (typeof p.smsAllowed === 'boolean') phone.smsAllowed = p.smsAllowed;
		if (p.primary === true) draft.phones.forEach((x) => (x.primary = x === phone));
		else if (p.primary === false) phone.primary = false;
	});
	const addedPhones = phonesFrom(store, draft.id, (input.phonesToAdd as Input[]) ?? [], errs, 'phonesToAdd');
	if (addedPhones.some((p) => p.primary)) draft.phones.forEach((x) => (x.primary = false));
	draft.phones.push(...addedPhones);

	if (input.billingAddress) {
		checkAddress(errs, input.billingAddress as Input, 'billingAddress');
		draft.billingAddress = addressFrom(input.billingAddress as Input, draft.billingAddress);
	}
	draft.customFields = applyCustomFields(store, 'client', draft.customFields, input.customFields as Input[] | undefined, errs, 'customFields');
	for (const tag of (input.tagsToAdd as string[]) ?? []) if (!draft.tags.includes(tag)) draft.tags.push(tag);
	for (const tag of (input.tagsToDelete as string[]) ?? []) draft.tags = draft.tags.filter((t) => t !== tag);
	checkNames(errs, draft);

	const propertyInputs = (input.propertiesToAdd as Input[] | undefined) ?? [];
	propertyInputs.forEach((p, i) => {
		if (addressEmpty(p.address as Input | undefined)) errs.add("Property address can't be blank", 'propertiesToAdd', i, 'address');
	});
	if (errs.any) return { client: null, userErrors: errs.list };

	normalizePrimary(draft.emails);
	normalizePrimary(draft.phones);
	const changed = clientSnapshot(draft) !== clientSnapshot(original);
	if (changed) {
		draft.updatedAt = store.now();
		Object.assign(original, draft);
		store.clients.touch();
		ctx.emit('CLIENT_UPDATE', 'Client', original.id);
	}
	for (const p of propertyInputs) {
		const now = store.now();
		const property = store.properties.insert(newProperty(store, original.id, addressFrom(p.address as Input), false, now));
		store.link('properties', original.id, property.id);
		ctx.emit('PROPERTY_CREATE', 'Property', property.id);
	}
	return { client: original, userErrors: [] };
}

export function clientArchive(ctx: JobberContext, clientId: unknown): { client: ClientRec | null; userErrors: UserError[] } {
	const client = ctx.store.clients.get(idFor('Client', clientId));
	if (!client) return { client: null, userErrors: [{ message: 'Client not found', path: ['clientId'] }] };
	if (!client.isArchived) {
		client.isArchived = true;
		client.updatedAt = ctx.store.now();
		ctx.store.clients.touch();
		ctx.emit('CLIENT_UPDATE', 'Client', client.id);
	}
	return { client, userErrors: [] };
}

export function propertyCreate(ctx: JobberContext, clientId: unknown, input: Input): { client: ClientRec | null; properties: PropertyRec[]; userErrors: UserError[] } {
	const { store } = ctx;
	const client = store.clients.get(idFor('Client', clientId));
	if (!client) return { client: null, properties: [], userErrors: [{ message: 'Client not found', path: ['clientId'] }] };
	const errs = new Errors();
	const inputs = (input.properties as Input[] | undefined) ?? [];
	if (inputs.length === 0) errs.add('At least one property must be provided', 'properties');
	const customFields = inputs.map((p, i) => {
		if (addressEmpty(p.address as Input | undefined)) errs.add("Property address can't be blank", 'properties', i, 'address');
		else checkAddress(errs, p.address as Input, 'properties', i, 'address');
		return applyCustomFields(store, 'property', [], p.customFields as Input[] | undefined, errs, 'properties', i, 'customFields');
	});
	if (errs.any) return { client: null, properties: [], userErrors: errs.list };
	const now = store.now();
	const created = inputs.map((p, i) => {
		const property = newProperty(store, client.id, addressFrom(p.address as Input), false, now);
		property.customFields = customFields[i];
		store.properties.insert(property);
		store.link('properties', client.id, property.id);
		ctx.emit('PROPERTY_CREATE', 'Property', property.id);
		return property;
	});
	return { client, properties: created, userErrors: [] };
}

export function propertyEdit(ctx: JobberContext, propertyId: unknown, input: Input): { property: PropertyRec | null; userErrors: UserError[] } {
	const { store } = ctx;
	const property = store.properties.get(idFor('Property', propertyId));
	if (!property) return { property: null, userErrors: [{ message: 'Property not found', path: ['propertyId'] }] };
	const errs = new Errors();
	if (input.address) checkAddress(errs, input.address as Input, 'address');
	const customFields = applyCustomFields(store, 'property', property.customFields, input.customFields as Input[] | undefined, errs, 'customFields');
	if (errs.any) return { property: null, userErrors: errs.list };
	const address = input.address ? addressFrom(input.address as Input, property.address) : property.address;
	const changed = JSON.stringify([address, customFields]) !== JSON.stringify([property.address, property.customFields]);
	if (changed) {
		property.address = address;
		property.customFields = customFields;
		property.updatedAt = store.now();
		store.properties.touch();
		ctx.emit('PROPERTY_UPDATE', 'Property', property.id);
	}
	return { property, userErrors: [] };
}

export function propertyDelete(ctx: JobberContext, propertyId: unknown): { deletedProperty: PropertyRec | null; userErrors: UserError[] } {
	const { store } = ctx;
	const property = store.properties.get(idFor('Property', propertyId));
	if (!property) return { deletedProperty: null, userErrors: [{ message: 'Property not found', path: ['propertyId'] }] };
	const inUse = store.childIds('jobs', property.clientId).some((j) => store.jobs.get(j)?.propertyId === property.id) ||
		store.childIds('quotes', property.clientId).some((q) => store.quotes.get(q)?.propertyId === property.id);
	if (inUse) return { deletedProperty: null, userErrors: [{ message: 'Property has work associated with it and cannot be deleted', path: ['propertyId'] }] };
	store.properties.remove(property.id);
	store.unlink('properties', property.clientId, property.id);
	ctx.emit('PROPERTY_DESTROY', 'Property', property.id);
	return { deletedProperty: property, userErrors: [] };
}

function resolveProperty(store: JobberStore, errs: Errors, raw: unknown, clientId: number | null, path: string): PropertyRec | undefined {
	const property = store.properties.get(idFor('Property', raw));
	if (!property) errs.add('Property not found', path);
	else if (clientId !== null && property.clientId !== clientId) errs.add('Property does not belong to the client', path);
	return property;
}

function lineItemsFrom(store: JobberStore, inputs: Input[] | undefined, errs: Errors, base: string): LineItemRec[] {
	const now = store.now();
	return (inputs ?? []).map((li, i) => {
		if (blank(li.name)) errs.add("Name can't be blank", base, i, 'name');
		tooLong(errs, 'Name', li.name, base, i, 'name');
		const quantity = typeof li.quantity === 'number' ? li.quantity : 1;
		const unitPrice = typeof li.unitPrice === 'number' ? li.unitPrice : 0;
		if (quantity < 0) errs.add('Quantity must be greater than or equal to 0', base, i, 'quantity');
		return {
			id: store.nextLineItemId(),
			name: str(li.name) ?? '',
			description: str(li.description) ?? '',
			quantity,
			unitPrice,
			taxable: li.taxable !== false,
			category: str(li.category) ?? 'Service',
			invoiced: false,
			createdAt: now,
			updatedAt: now,
		};
	});
}

export function requestCreate(ctx: JobberContext, input: Input): { request: RequestRec | null; userErrors: UserError[] } {
	const { store } = ctx;
	const errs = new Errors();
	const client = store.clients.get(idFor('Client', input.clientId));
	if (!client) errs.add('Client not found', 'clientId');
	let propertyId: number | null = null;
	if (client && input.propertyId !== undefined && input.propertyId !== null) {
		propertyId = resolveProperty(store, errs, input.propertyId, client.id, 'propertyId')?.id ?? null;
	} else if (client) {
		// "will default to last property if not selected"
		const own = store.childIds('properties', client.id);
		propertyId = own.length ? own[own.length - 1] : null;
	}
	tooLong(errs, 'Title', input.title, 'title');
	if (errs.any || !client) return { request: null, userErrors: errs.list };
	const now = store.now();
	const request = store.requests.insert({
		id: store.requests.nextId(),
		clientId: client.id,
		propertyId,
		title: str(input.title) ?? null,
		requestStatus: 'new',
		source: ctx.writeSource ?? 'Jobber',
		createdAt: now,
		updatedAt: now,
	});
	store.link('requests', client.id, request.id);
	ctx.emit('REQUEST_CREATE', 'Request', request.id);
	return { request, userErrors: [] };
}

export function quoteCreate(ctx: JobberContext, attributes: Input): { quote: QuoteRec | null; userErrors: UserError[] } {
	const { store } = ctx;
	const errs = new Errors();
	const client = store.clients.get(idFor('Client', attributes.clientId));
	if (!client) errs.add('Client not found', 'clientId');
	const property = client ? resolveProperty(store, errs, attributes.propertyId, client.id, 'propertyId') : undefined;
	let requestId: number | null = null;
	if (attributes.requestId !== undefined && attributes.requestId !== null) {
		const request = store.requests.get(idFor('Request', attributes.requestId));
		if (!request || (client && request.clientId !== client.id)) errs.add('Request not found', 'requestId');
		else requestId = request.id;
	}
	tooLong(errs, 'Title', attributes.title, 'title');
	const lineItems = lineItemsFrom(store, attributes.lineItems as Input[] | undefined, errs, 'lineItems');
	const customFields = applyCustomFields(store, 'quote', [], attributes.customFields as Input[] | undefined, errs, 'customFields');
	if (errs.any || !client || !property) return { quote: null, userErrors: errs.list };
	const now = store.now();
	const quoteNumber = typeof attributes.quoteNumber === 'number' ? attributes.quoteNumber : store.nextQuoteNumber();
	store.bumpNumber('quoteNumber', quoteNumber);
	const quote = store.quotes.insert({
		id: store.quotes.nextId(),
		quoteNumber,
		clientId: client.id,
		propertyId: property.id,
		requestId,
		title: str(attributes.title) ?? null,
		message: str(attributes.message) ?? null,
		quoteStatus: 'draft',
		lineItems,
		customFields,
		createdAt: now,
		updatedAt: now,
	});
	store.link('quotes', client.id, quote.id);
	ctx.emit('QUOTE_CREATE', 'Quote', quote.id);
	return { quote, userErrors: [] };
}

function jobStatusFor(startAt: number | null, now: number): string {
	if (startAt === null) return 'unscheduled';
	const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
	if (day(startAt) === day(now)) return 'today';
	return startAt > now ? 'upcoming' : 'late';
}

function timeframeStart(input: Input | undefined, errs: Errors): number | null {
	const startAt = input?.startAt;
	if (typeof startAt !== 'string') return null;
	const ms = Date.parse(`${startAt}T00:00:00Z`);
	if (Number.isNaN(ms)) {
		errs.add('Start date is invalid', 'timeframe', 'startAt');
		return null;
	}
	return ms;
}

export function jobCreate(ctx: JobberContext, input: Input): { job: JobRec | null; userErrors: UserError[] } {
	const { store } = ctx;
	const errs = new Errors();
	// The client is derived from the property: jobCreate has no clientId (crm-apis.md §4.4).
	const property = resolveProperty(store, errs, input.propertyId, null, 'propertyId');
	const clientId = property?.clientId ?? null;
	let quoteId: number | null = null;
	if (input.quoteId !== undefined && input.quoteId !== null) {
		const quote = store.quotes.get(idFor('Quote', input.quoteId));
		if (!quote || quote.clientId !== clientId) errs.add('Quote not found', 'quoteId');
		else quoteId = quote.id;
	}
	let requestId: number | null = null;
	if (input.requestId !== undefined && input.requestId !== null) {
		const request = store.requests.get(idFor('Request', input.requestId));
		if (!request || request.clientId !== clientId) errs.add('Request not found', 'requestId');
		else requestId = request.id;
	}
	if (typeof input.jobNumber === 'number') {
		const taken = store.jobs.order.some((id) => store.jobs.get(id)!.jobNumber === input.jobNumber);
		if (taken) errs.add('Job number has already been taken', 'jobNumber');
	}
	tooLong(errs, 'Title', input.title, 'title');
	const startAt = timeframeStart(input.timeframe as Input | undefined, errs);
	const lineItems = lineItemsFrom(store, input.lineItems as Input[] | undefined, errs, 'lineItems');
	const customFields = applyCustomFields(store, 'job', [], input.customFields as Input[] | undefined, errs, 'customFields');
	const invoicing = (input.invoicing as Input | undefined) ?? {};
	if (errs.any || !property || clientId === null) return { job: null, userErrors: errs.list };
	const now = store.now();
	const jobNumber = typeof input.jobNumber === 'number' ? input.jobNumber : store.nextJobNumber();
	store.bumpNumber('jobNumber', jobNumber);
	const scheduling = input.scheduling as Input | undefined;
	const job = store.jobs.insert({
		id: store.jobs.nextId(),
		jobNumber,
		clientId,
		propertyId: property.id,
		quoteId,
		requestId,
		title: str(input.title) ?? null,
		instructions: str(input.instructions) ?? null,
		jobStatus: jobStatusFor(startAt, now),
		jobType: scheduling?.recurrence || invoicing.recurrence ? 'RECURRING' : 'ONE_OFF',
		billingType: str(invoicing.invoicingType) ?? 'FIXED_PRICE',
		billingFrequency: str(invoicing.invoicingSchedule) ?? 'ON_COMPLETION',
		startAt,
		endAt: null,
		completedAt: null,
		lineItems,
		customFields,
		createdAt: now,
		updatedAt: now,
	});
	store.link('jobs', clientId, job.id);
	const client = store.clients.get(clientId);
	if (client?.isLead) {
		client.isLead = false;
		store.clients.touch();
	}
	ctx.emit('JOB_CREATE', 'Job', job.id);
	if (quoteId !== null) {
		const quote = store.quotes.get(quoteId)!;
		quote.quoteStatus = 'converted';
		quote.updatedAt = now;
		store.quotes.touch();
		ctx.emit('QUOTE_UPDATE', 'Quote', quote.id);
	}
	return { job, userErrors: [] };
}

export function jobEdit(ctx: JobberContext, jobId: unknown, input: Input): { job: JobRec | null; userErrors: UserError[] } {
	const { store } = ctx;
	const job = store.jobs.get(idFor('Job', jobId));
	if (!job) return { job: null, userErrors: [{ message: 'Job not found', path: ['jobId'] }] };
	const errs = new Errors();
	const draft: JobRec = structuredClone(job);
	if (input.title !== undefined) draft.title = str(input.title) ?? null;
	if (input.instructions !== undefined) draft.instructions = str(input.instructions) ?? null;
	tooLong(errs, 'Title', input.title, 'title');
	if (typeof input.jobNumber === 'number' && input.jobNumber !== job.jobNumber) {
		if (store.jobs.order.some((id) => store.jobs.get(id)!.jobNumber === input.jobNumber)) errs.add('Job number has already been taken', 'jobNumber');
		draft.jobNumber = input.jobNumber;
	}
	if (input.timeframe) {
		draft.startAt = timeframeStart(input.timeframe as Input, errs);
		if (!['archived', 'requires_invoicing'].includes(draft.jobStatus)) draft.jobStatus = jobStatusFor(draft.startAt, store.now());
	}
	if (input.invoicing) {
		const inv = input.invoicing as Input;
		draft.billingType = str(inv.invoicingType) ?? draft.billingType;
		draft.billingFrequency = str(inv.invoicingSchedule) ?? draft.billingFrequency;
	}
	draft.customFields = applyCustomFields(store, 'job', draft.customFields, input.customFields as Input[] | undefined, errs, 'customFields');
	if (errs.any) return { job: null, userErrors: errs.list };
	if (JSON.stringify(draft) !== JSON.stringify(job)) {
		draft.updatedAt = store.now();
		store.bumpNumber('jobNumber', draft.jobNumber);
		Object.assign(job, draft);
		store.jobs.touch();
		ctx.emit('JOB_UPDATE', 'Job', job.id);
	}
	return { job, userErrors: [] };
}

export function invoiceCreateFromJob(ctx: JobberContext, jobId: unknown): { invoice: InvoiceRec | null; userErrors: UserError[] } {
	const { store } = ctx;
	const job = store.jobs.get(idFor('Job', jobId));
	if (!job) return { invoice: null, userErrors: [{ message: 'Job not found', path: ['jobId'] }] };
	const open = job.lineItems.filter((li) => !li.invoiced);
	// Not idempotent: a second call finds nothing left to bill (crm-apis.md §4.2).
	if (open.length === 0) return { invoice: null, userErrors: [{ message: 'There is nothing left to invoice on this job', path: ['jobId'] }] };
	const now = store.now();
	const client = store.clients.get(job.clientId);
	const property = store.properties.get(job.propertyId);
	const invoice = store.invoices.insert({
		id: store.invoices.nextId(),
		invoiceNumber: store.nextInvoiceNumber(),
		clientId: job.clientId,
		propertyId: job.propertyId,
		jobIds: [job.id],
		subject: 'For Services Rendered',
		message: null,
		invoiceStatus: 'draft',
		lineItems: open.map((li) => ({ ...li, id: store.nextLineItemId(), invoiced: true, createdAt: now, updatedAt: now })),
		issuedDate: null,
		dueDate: null,
		receivedDate: null,
		billingAddress: client?.billingAddress ?? property?.address ?? null,
		customFields: [],
		createdAt: now,
		updatedAt: now,
	});
	for (const li of open) li.invoiced = true;
	store.link('invoices', job.clientId, invoice.id);
	job.updatedAt = now;
	store.jobs.touch();
	ctx.emit('INVOICE_CREATE', 'Invoice', invoice.id);
	ctx.emit('JOB_UPDATE', 'Job', job.id);
	return { invoice, userErrors: [] };
}

export function webhookEndpointCreate(ctx: JobberContext, input: Input): { webhookEndpoint: unknown; userErrors: UserError[] } {
	const { store } = ctx;
	const topic = String(input.topic);
	const url = String(input.url ?? '');
	const errs = new Errors();
	let parsed: URL | null = null;
	try {
		parsed = new URL(url);
	} catch {
		parsed = null;
	}
	if (!parsed || !/^https?:$/.test(parsed.protocol)) errs.add('Url is invalid', 'url');
	// One endpoint per topic per app and account (amp-labs connector notes).
	if (store.webhookEndpoints.order.some((id) => store.webhookEndpoints.get(id)!.topic === topic)) errs.add('Topic has already been taken', 'topic');
	if (errs.any) return { webhookEndpoint: null, userErrors: errs.list };
	const now = store.now();
	const endpoint = store.webhookEndpoints.insert({ id: store.webhookEndpoints.nextId(), topic, url, createdAt: now, updatedAt: now });
	return { webhookEndpoint: endpoint, userErrors: [] };
}

export function webhookEndpointDelete(ctx: JobberContext, ids: unknown[]): { deletedWebhookEndpoints: unknown[] | null; userErrors: UserError[] } {
	const { store } = ctx;
	const errs = new Errors();
	const found = ids.map((raw, i) => {
		const endpoint = store.webhookEndpoints.get(idFor('WebhookEndpoint', raw));
		if (!endpoint) errs.add('Webhook endpoint not found', 'webhookEndpointsIds', i);
		return endpoint;
	});
	if (errs.any) return { deletedWebhookEndpoints: null, userErrors: errs.list };
	for (const endpoint of found) store.webhookEndpoints.remove(endpoint!.id);
	return { deletedWebhookEndpoints: found, userErrors: [] };
}

/** Removes a record as a user deleting it in the app would, with its dependents; fires `<TYPE>_DESTROY`. */
export function destroyRecord(ctx: JobberContext, type: 'Client' | 'Property' | 'Request' | 'Quote' | 'Job' | 'Invoice', raw: unknown): boolean {
	const { store } = ctx;
	const n = idFor(type, raw);
	if (n === null) return false;
	switch (type) {
		case 'Client': {
			const client = store.clients.remove(n);
			if (!client) return false;
			for (const kind of ['properties', 'requests', 'quotes', 'jobs', 'invoices'] as const) {
				const table = store[kind] as unknown as { remove(id: number): unknown };
				for (const id of [...store.childIds(kind, n)]) table.remove(id);
				store.byClient[kind].delete(n);
			}
			ctx.emit('CLIENT_DESTROY', 'Client', n);
			return true;
		}
		case 'Property': {
			const p = store.properties.remove(n);
			if (!p) return false;
			store.unlink('properties', p.clientId, n);
			ctx.emit('PROPERTY_DESTROY', 'Property', n);
			return true;
		}
		case 'Request': {
			const r = store.requests.remove(n);
			if (!r) return false;
			store.unlink('requests', r.clientId, n);
			ctx.emit('REQUEST_DESTROY', 'Request', n);
			return true;
		}
		case 'Quote': {
			const q = store.quotes.remove(n);
			if (!q) return false;
			store.unlink('quotes', q.clientId, n);
			ctx.emit('QUOTE_DESTROY', 'Quote', n);
			return true;
		}
		case 'Job': {
			const j = store.jobs.remove(n);
			if (!j) return false;
			store.unlink('jobs', j.clientId, n);
			ctx.emit('JOB_DESTROY', 'Job', n);
			return true;
		}
		case 'Invoice': {
			const inv = store.invoices.remove(n);
			if (!inv) return false;
			store.unlink('invoices', inv.clientId, n);
			ctx.emit('INVOICE_DESTROY', 'Invoice', n);
			return true;
		}
	}
}
