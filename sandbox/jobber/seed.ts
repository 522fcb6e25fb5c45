/**
 * Seeding and record dumps. Seeded clients come from the shared people generator (same dirt as the other vendors:
 * bad phones, missing or bad emails, duplicates, over-long strings, Unicode, stray whitespace) and are stored as a
 * user typed them in the app, without API validation. Seeding is a bulk import: it fires no webhooks.
 */
import { generatePeople, type DirtyKind } from '../core/people';
import { Rng } from '../core/rng';
import type { SeedOptions, SeedSummary } from '../core/vendor';
import { formatTime } from './context';
import { encodeId, type JobberType } from './ids';
import { clientName, lineItemTotal, NONE, RECEIVES_ALL, type Address, type ClientRec, type CustomFieldConfigRec, type JobberStore, type LineItemRec } from './store';

const SERVICES: Array<[string, number]> = [
	['Lawn mowing', 55],
	['Spring cleanup', 240],
	['Gutter cleaning', 180],
	['Furnace tune-up', 129],
	['Drain snaking', 165],
	['Window washing', 310],
	['Snow removal (per visit)', 75],
	['Pest control treatment', 95],
];

/** Custom field configurations a fresh sandbox account has (Jobber Settings → Custom fields). */
export function defaultCustomFieldConfigs(store: JobberStore): void {
	const now = store.now();
	const add = (c: Omit<CustomFieldConfigRec, 'id' | 'createdAt' | 'updatedAt' | 'archived' | 'readOnly' | 'transferable' | 'sortOrder' | 'dropdownOptions' | 'unit'> & Partial<CustomFieldConfigRec>) =>
		store.customFieldConfigs.insert({
			id: store.customFieldConfigs.nextId(),
			archived: false,
			readOnly: false,
			transferable: false,
			sortOrder: store.customFieldConfigs.size + 1,
			dropdownOptions: [],
			unit: '',
			createdAt: now,
			updatedAt: now,
			...c,
		});
	add({ name: 'External ID', appliesTo: 'ALL_CLIENTS', valueType: 'TEXT', defaultValue: '' });
	add({ name: 'Website', appliesTo: 'ALL_CLIENTS', valueType: 'LINK', defaultValue: { text: '', url: '' } });
	add({ name: 'Preferred contact', appliesTo: 'ALL_CLIENTS', valueType: 'DROPDOWN', defaultValue: 'Email', dropdownOptions: ['Email', 'Phone', 'Text'] });
	add({ name: 'Lifetime value', appliesTo: 'ALL_CLIENTS', valueType: 'NUMERIC', defaultValue: 0, unit: '$' });
	add({ name: 'Gate code', appliesTo: 'ALL_PROPERTIES', valueType: 'TEXT', defaultValue: '' });
	add({ name: 'Dog on property', appliesTo: 'ALL_PROPERTIES', valueType: 'TRUE_FALSE', defaultValue: false });
	add({ name: 'Lot size', appliesTo: 'ALL_PROPERTIES', valueType: 'AREA', defaultValue: { length: 0, width: 0 }, unit: 'ft' });
	add({ name: 'External ID', appliesTo: 'ALL_JOBS', valueType: 'TEXT', defaultValue: '' });
	add({ name: 'External ID', appliesTo: 'ALL_QUOTES', valueType: 'TEXT', defaultValue: '' });
	add({ name: 'PO number', appliesTo: 'ALL_INVOICES', valueType: 'TEXT', defaultValue: '' });
}

const COUNTRY: Record<string, string> = { US: 'United States', CA: 'Canada' };
const PHONE_KINDS = ['MOBILE', 'MAIN', 'HOME', 'WORK'];

function seedClients(store: JobberStore, count: number, options: SeedOptions, summary: SeedSummary): number[] {
	const people = generatePeople({
		count,
		dirtyShare: options.dirtyShare,
		dirtyKinds: options.dirtyKinds as DirtyKind[] | undefined,
		seed: options.seed,
		startIndex: store.clients.size,
	});
	const rng = new Rng((options.seed ?? 42) + 7);
	const now = store.now();
	const created: number[] = [];
	people.forEach((p, i) => {
		// Spread history over the past (one client a minute) so updatedAt filters select real subsets.
		const createdAt = now - (count - i) * 60_000;
		const updatedAt = Math.min(now, createdAt + rng.int(0, 3600) * 1000);
		const isCompany = rng.chance(0.15);
		const address: Address = { street1: p.street, street2: '', city: p.city, province: p.state, postalCode: p.postalCode, country: COUNTRY[p.country] ?? p.country };
		const id = store.clients.nextId();
		const phoneKind = rng.pick(PHONE_KINDS);
		const client: ClientRec = {
			id,
			title: null,
			firstName: p.firstName,
			lastName: p.lastName,
			companyName: isCompany || p.dirty === 'too_long' || rng.chance(0.3) ? p.company : null,
			isCompany,
			isLead: rng.chance(0.2),
			isArchived: rng.chance(0.03),
			emails: p.email === null ? [] : [{ id: store.nextEmailId(), clientId: id, address: p.email, description: 'MAIN', primary: true }],
			phones: p.phone === null ? [] : [{ id: store.nextPhoneId(), clientId: id, number: p.phone, description: phoneKind, primary: true, smsAllowed: phoneKind === 'MOBILE' }],
			billingAddress: address,
			customFields: NONE,
			tags: NONE,
			balance: 0,
			receives: RECEIVES_ALL,
			source: null,
			createdAt,
			updatedAt,
		};
		store.clients.insert(client);
		// The property shares the billing address object: edits always replace an address, never mutate it.
		const property = store.properties.insert({ id: store.properties.nextId(), clientId: id, address, isBillingAddress: true, customFields: NONE, createdAt, updatedAt: createdAt });
		store.link('properties', id, property.id);
		created.push(id);
		summary.ids.push(encodeId('Client', id));
		if (p.dirty) summary.dirty[p.dirty] = (summary.dirty[p.dirty] ?? 0) + 1;
	});
	return created;
}

function lineItems(store: JobberStore, rng: Rng, at: number): LineItemRec[] {
	const n = rng.int(1, 3);
	const out: LineItemRec[] = [];
	for (let i = 0; i < n; i++) {
		const [name, price] = rng.pick(SERVICES);
		out.push({ id: store.nextLineItemId(), name, description: '', quantity: rng.int(1, 4), unitPrice: price, taxable: true, category: 'Service', invoiced: false, createdAt: at, updatedAt: at });
	}
	return out;
}

export function seed(store: JobberStore, options: SeedOptions): SeedSummary {
	const object = options.object ?? 'clients';
	const count = Math.max(0, Math.floor(options.count ?? 0));
	const summary: SeedSummary = { object, created: 0, ids: [], dirty: {} };
	if (object === 'clients') {
		summary.created = seedClients(store, count, options, summary).length;
		return summary;
	}
	const kinds: Record<string, JobberType> = { properties: 'Property', requests: 'Request', quotes: 'Quote', jobs: 'Job', invoices: 'Invoice' };
	if (!kinds[object]) throw new Error(`Unknown object "${object}": use clients, properties, requests, quotes, jobs or invoices`);
	// Work objects hang off clients: make enough clients first when the account has none.
	if (store.clients.size === 0) seedClients(store, Math.max(1, count), { ...options, object: 'clients' }, { object: 'clients', created: 0, ids: [], dirty: {} });
	const rng = new Rng((options.seed ?? 42) + 11);
	const now = store.now();
	const clientIds = store.clients.order;
	for (let i = 0; i < count; i++) {
		const clientId = clientIds[i % clientIds.length];
		const at = now - (count - i) * 60_000;
		const propertyId = store.childIds('properties', clientId)[0] ?? null;
		let id: number;
		switch (object) {
			case 'properties': {
				const client = store.clients.get(clientId)!;
				const base = client.billingAddress ?? { street1: '', street2: '', city: '', province: '', postalCode: '', country: '' };
				const p = store.properties.insert({ id: store.properties.nextId(), clientId, address: { ...base, street1: `${rng.int(1, 999)} ${base.street1.split(' ').slice(1).join(' ') || 'Main St'}` }, isBillingAddress: false, customFields: [], createdAt: at, updatedAt: at });
				store.link('properties', clientId, p.id);
				id = p.id;
				break;
			}
			case 'requests': {
				const r = store.requests.insert({ id: store.requests.nextId(), clientId, propertyId, title: rng.pick(SERVICES)[0], requestStatus: rng.pick(['new', 'new', 'assessment_completed', 'converted']), source: 'Online Request Form', createdAt: at, updatedAt: at });
				store.link('requests', clientId, r.id);
				id = r.id;
				break;
			}
			case 'quotes': {
				if (propertyId === null) continue;
				const items = lineItems(store, rng, at);
				const q = store.quotes.insert({ id: store.quotes.nextId(), quoteNumber: store.nextQuoteNumber(), clientId, propertyId, requestId: null, title: items[0].name, message: null, quoteStatus: rng.pick(['draft', 'awaiting_response', 'approved', 'converted']), lineItems: items, customFields: [], createdAt: at, updatedAt: at });
				store.link('quotes', clientId, q.id);
				id = q.id;
				break;
			}
			case 'jobs': {
				if (propertyId === null) continue;
				const items = lineItems(store, rng, at);
				const j = store.jobs.insert({
					id: store.jobs.nextId(),
					jobNumber: store.nextJobNumber(),
					clientId,
					propertyId,
					quoteId: null,
					requestId: null,
					title: items[0].name,
					instructions: null,
					jobStatus: rng.pick(['active', 'upcoming', 'late', 'requires_invoicing', 'archived']),
					jobType: rng.chance(0.2) ? 'RECURRING' : 'ONE_OFF',
					billingType: 'FIXED_PRICE',
					billingFrequency: 'ON_COMPLETION',
					startAt: at + 86_400_000,
					endAt: null,
					completedAt: null,
					lineItems: items,
					customFields: [],
					createdAt: at,
					// Jobs are edited after creation at different times: UPDATED_AT order differs from creation order.
					updatedAt: Math.min(now, at + rng.int(0, 72) * 3_600_000),
				});
				store.link('jobs', clientId, j.id);
				id = j.id;
				break;
			}
			default: {
				const client = store.clients.get(clientId)!;
				const items = lineItems(store, rng, at).map((li) => ({ ...li, invoiced: true }));
				const inv = store.invoices.insert({
					id: store.invoices.nextId(),
					invoiceNumber: store.nextInvoiceNumber(),
					clientId,
					propertyId,
					jobIds: [],
					subject: 'For Services Rendered',
					message: null,
					invoiceStatus: rng.pick(['draft', 'awaiting_payment', 'paid', 'past_due']),
					lineItems: items,
					issuedDate: at,
					dueDate: at + 30 * 86_400_000,
					receivedDate: null,
					billingAddress: client.billingAddress,
					customFields: [],
					createdAt: at,
					updatedAt: at,
				});
				store.link('invoices', clientId, inv.id);
				id = inv.id;
			}
		}
		summary.ids.push(encodeId(kinds[object], id));
		summary.created++;
	}
	return summary;
}

/** Stored records in Jobber's own field names (GraphQL shape), for assertions. */
export function dumpRecords(store: JobberStore, object: string, offsetMinutes: number): unknown[] {
	const t = (ms: number | null) => (ms === null ? null : formatTime(ms, offsetMinutes));
	const cf = (values: ClientRec['customFields']) =>
		values.map((v) => {
			const config = store.customFieldConfigs.get(v.configId);
			return { id: encodeId('CustomField', v.id), label: config?.name ?? null, valueType: config?.valueType ?? null, customFieldConfigurationId: encodeId('CustomFieldConfiguration', v.configId), value: v.value };
		});
	const items = (list: LineItemRec[], type: JobberType) => list.map((li) => ({ id: encodeId(type, li.id), name: li.name, description: li.description, quantity: li.quantity, unitPrice: li.unitPrice, totalPrice: li.quantity * li.unitPrice }));
	const ref = (type: JobberType, n: number | null) => (n === null ? null : { id: encodeId(type, n) });
	switch (object) {
		case 'clients':
			return store.clients.order.map((n) => {
				const c = store.clients.get(n)!;
				return {
					id: encodeId('Client', c.id),
					title: c.title,
					firstName: c.firstName,
					lastName: c.lastName,
					companyName: c.companyName,
					isCompany: c.isCompany,
					name: clientName(c),
					isLead: c.isLead,
					isArchived: c.isArchived,
					emails: c.emails.map((e) => ({ id: encodeId('Email', e.id), address: e.address, description: e.description, primary: e.primary })),
					phones: c.phones.map((p) => ({ id: encodeId('ClientPhoneNumber', p.id), number: p.number, description: p.description, primary: p.primary, smsAllowed: p.smsAllowed })),
					billingAddress: c.billingAddress,
					customFields: cf(c.customFields),
					tags: c.tags,
					leadSource: c.source,
					clientProperties: store.childIds('properties', c.id).map((p) => ({ id: encodeId('Property', p) })),
					createdAt: t(c.createdAt),
					updatedAt: t(c.updatedAt),
				};
			});
		case 'properties':
			return store.properties.order.map((n) => {
				const p = store.properties.get(n)!;
				return { id: encodeId('Property', p.id), client: ref('Client', p.clientId), address: p.address, isBillingAddress: p.isBillingAddress, customFields: cf(p.customFields), createdAt: t(p.createdAt), updatedAt: t(p.updatedAt) };
			});
		case 'requests':
			return store.requests.order.map((n) => {
				const r = store.requests.get(n)!;
				return { id: encodeId('Request', r.id), client: ref('Client', r.clientId), property: ref('Property', r.propertyId), title: r.title, requestStatus: r.requestStatus, source: r.source, createdAt: t(r.createdAt), updatedAt: t(r.updatedAt) };
			});
		case 'quotes':
			return store.quotes.order.map((n) => {
				const q = store.quotes.get(n)!;
				return { id: encodeId('Quote', q.id), quoteNumber: String(q.quoteNumber), quoteStatus: q.quoteStatus, title: q.title, message: q.message, client: ref('Client', q.clientId), property: ref('Property', q.propertyId), request: ref('Request', q.requestId), amounts: { subtotal: lineItemTotal(q.lineItems), total: lineItemTotal(q.lineItems) }, lineItems: items(q.lineItems, 'QuoteLineItem'), customFields: cf(q.customFields), createdAt: t(q.createdAt), updatedAt: t(q.updatedAt) };
			});
		case 'jobs':
			return store.jobs.order.map((n) => {
				const j = store.jobs.get(n)!;
				return { id: encodeId('Job', j.id), jobNumber: j.jobNumber, title: j.title, instructions: j.instructions, jobStatus: j.jobStatus, jobType: j.jobType, billingType: j.billingType, invoiceSchedule: { billingFrequency: j.billingFrequency }, client: ref('Client', j.clientId), property: ref('Property', j.propertyId), quote: ref('Quote', j.quoteId), request: ref('Request', j.requestId), startAt: t(j.startAt), total: lineItemTotal(j.lineItems), lineItems: items(j.lineItems, 'JobLineItem'), customFields: cf(j.customFields), createdAt: t(j.createdAt), updatedAt: t(j.updatedAt) };
			});
		case 'invoices':
			return store.invoices.order.map((n) => {
				const i = store.invoices.get(n)!;
				return { id: encodeId('Invoice', i.id), invoiceNumber: String(i.invoiceNumber), subject: i.subject, invoiceStatus: i.invoiceStatus, client: ref('Client', i.clientId), jobs: i.jobIds.map((j) => ({ id: encodeId('Job', j) })), amounts: { subtotal: lineItemTotal(i.lineItems), total: lineItemTotal(i.lineItems) }, lineItems: items(i.lineItems, 'InvoiceLineItem'), issuedDate: t(i.issuedDate), dueDate: t(i.dueDate), createdAt: t(i.createdAt), updatedAt: t(i.updatedAt) };
			});
		case 'customFieldConfigurations':
			return store.customFieldConfigs.order.map((n) => {
				const c = store.customFieldConfigs.get(n)!;
				return { id: encodeId('CustomFieldConfiguration', c.id), name: c.name, appliesTo: c.appliesTo, valueType: c.valueType, defaultValue: c.defaultValue, dropdownOptions: c.dropdownOptions, archived: c.archived };
			});
		case 'webhookEndpoints':
			return store.webhookEndpoints.order.map((n) => {
				const w = store.webhookEndpoints.get(n)!;
				return { id: encodeId('WebhookEndpoint', w.id), topic: w.topic, url: w.url, createdAt: t(w.createdAt) };
			});
		default:
			throw new Error(`Unknown object "${object}": use clients, properties, requests, quotes, jobs, invoices, customFieldConfigurations or webhookEndpoints`);
	}
}
