/**
 * In-memory Jobber account data. Records live in Maps keyed by number with an ordered id array per table, so a
 * Relay page is an array slice (offset cursors, as graphql-ruby issues them) and never an O(n) scan. Filtered or
 * sorted lists are computed once and cached until the table changes, so paging through a filtered list stays cheap.
 */
import type { Clock } from '../core/clock';

export interface Address {
	street1: string;
	street2: string;
	city: string;
	province: string;
	postalCode: string;
	country: string;
}

export interface EmailRec {
	id: number;
	clientId: number;
	address: string;
	description: string;
	primary: boolean;
}

export interface PhoneRec {
	id: number;
	clientId: number;
	number: string;
	description: string;
	primary: boolean;
	smsAllowed: boolean;
}

export type CustomFieldRaw = string | number | boolean | { text: string; url: string } | { length: number; width: number };

export interface CustomFieldValue {
	id: number;
	configId: number;
	value: CustomFieldRaw;
}

/** Bit flags for the five `receives*` notification settings (one number instead of five fields per client). */
export const RECEIVES = {
	receivesReminders: 1,
	receivesFollowUps: 2,
	receivesQuoteFollowUps: 4,
	receivesInvoiceFollowUps: 8,
	receivesReviewRequests: 16,
} as const;
export const RECEIVES_ALL = 31;

export interface ClientRec {
	id: number;
	title: string | null;
	firstName: string;
	lastName: string;
	companyName: string | null;
	isCompany: boolean;
	isLead: boolean;
	isArchived: boolean;
	emails: EmailRec[];
	phones: PhoneRec[];
	billingAddress: Address | null;
	customFields: CustomFieldValue[];
	tags: string[];
	balance: number;
	receives: number;
	/** Lead source; clients created through the API get the app's name. */
	source: string | null;
	createdAt: number;
	updatedAt: number;
}

export interface PropertyRec {
	id: number;
	clientId: number;
	address: Address;
	isBillingAddress: boolean;
	customFields: CustomFieldValue[];
	createdAt: number;
	updatedAt: number;
}

export interface RequestRec {
	id: number;
	clientId: number;
	propertyId: number | null;
	title: string | null;
	requestStatus: string;
	source: string;
	createdAt: number;
	updatedAt: number;
}

export interface LineItemRec {
	id: number;
	name: string;
	description: string;
	quantity: number;
	unitPrice: number;
	taxable: boolean;
	category: string;
	invoiced: boolean;
	createdAt: number;
	updatedAt: number;
}

export interface QuoteRec {
	id: number;
	quoteNumber: number;
	clientId: number;
	propertyId: number;
	requestId: number | null;
	title: string | null;
	message: string | null;
	quoteStatus: string;
	lineItems: LineItemRec[];
	customFields: CustomFieldValue[];
	createdAt: number;
	updatedAt: number;
}

export interface JobRec {
	id: number;
	jobNumber: number;
	clientId: number;
	propertyId: number;
	quoteId: number | null;
	requestId: number | null;
	title: string | null;
	instructions: string | null;
	jobStatus: string;
	jobType: string;
	billingType: string;
	billingFrequency: string;
	startAt: number | null;
	endAt: number | null;
	completedAt: number | null;
	lineItems: LineItemRec[];
	customFields: CustomFieldValue[];
	createdAt: number;
	updatedAt: number;
}

export interface InvoiceRec {
	id: number;
	invoiceNumber: number;
	clientId: number;
	propertyId: number | null;
	jobIds: number[];
	subject: string;
	message: string | null;
	invoiceStatus: string;
	lineItems: LineItemRec[];
	issuedDate: number | null;
	dueDate: number | null;
	receivedDate: number | null;
	billingAddress: Address | null;
	customFields: CustomFieldValue[];
	createdAt: number;
	updatedAt: number;
}

export interface CustomFieldConfigRec {
	id: number;
	name: string;
	appliesTo: string;
	valueType: string;
	defaultValue: CustomFieldRaw;
	dropdownOptions: string[];
	unit: string;
	readOnly: boolean;
	transferable: boolean;
	sortOrder: number;
	archived: boolean;
	createdAt: number;
	updatedAt: number;
}

export interface WebhookEndpointRec {
	id: number;
	topic: string;
	url: string;
	createdAt: number;
	updatedAt: number;
}

/** One table: records by id plus the ids in creation order. */
export class Table<T extends { id: number }> {
	readonly byId = new Map<number, T>();
	order: number[] = [];
	private next = 1;
	/** Bumped on every change; list caches compare it. */
	version = 0;

	nextId(): number {
		return this.next++;
	}

	insert(record: T): T {
		this.byId.set(record.id, record);
		this.order.push(record.id);
		this.version++;
		return record;
	}

	get(id: number | null | undefined): T | undefined {
		return id === null || id === undefined ? undefined : this.byId.get(id);
	}

	touch(): void {
		this.version++;
	}

	remove(id: number): T | undefined {
		const record = this.byId.get(id);
		if (!record) return undefined;
		this.byId.delete(id);
		const at = this.order.indexOf(id);
		if (at >= 0) this.order.splice(at, 1);
		this.version++;
		return record;
	}

	get size(): number {
		return this.order.length;
	}

	clear(): void {
		this.byId.clear();
		this.order = [];
		this.next = 1;
		this.version++;
	}
}

interface CachedList {
	tableVersion: number;
	ids: number[];
}

export type ObjectName = 'clients' | 'properties' | 'requests' | 'quotes' | 'jobs' | 'invoices';

/**
 * One shared, frozen empty list for records that have no custom fields or tags (most of a 100,000-client seed).
 * Safe because every write path builds new arrays (edits work on a structuredClone draft).
 */
export const NONE: never[] = Object.freeze([]) as unknown as never[];

/** A client's children: a bare id for the common single child, an array beyond that (saves ~5 MB per 100k). */
type Children = number | number[];

export class JobberStore {
	readonly clients = new Table<ClientRec>();
	readonly properties = new Table<PropertyRec>();
	readonly requests = new Table<RequestRec>();
	readonly quotes = new Table<QuoteRec>();
	readonly jobs = new Table<JobRec>();
	readonly invoices = new Table<InvoiceRec>();
	readonly customFieldConfigs = new Table<CustomFieldConfigRec>();
	readonly webhookEndpoints = new Table<WebhookEndpointRec>();
	/** Children per client (only clients that have any), so client.jobs etc. never scan a whole table. */
	readonly byClient = {
		properties: new Map<number, Children>(),
		requests: new Map<number, Children>(),
		quotes: new Map<number, Children>(),
		jobs: new Map<number, Children>(),
		invoices: new Map<number, Children>(),
	};
	private counters = { email: 1, phone: 1, lineItem: 1, customField: 1, quoteNumber: 1, jobNumber: 1, invoiceNumber: 1 };
	private readonly listCache = new Map<string, CachedList>();

	constructor(readonly clock: Clock) {}

	now(): number {
		return this.clock.now();
	}

	nextEmailId(): number {
		return this.counters.email++;
	}
	nextPhoneId(): number {
		return this.counters.phone++;
	}
	nextLineItemId(): number {
		return this.counters.lineItem++;
	}
	nextCustomFieldId(): number {
		return this.counters.customField++;
	}
	nextQuoteNumber(): number {
		return this.counters.quoteNumber++;
	}
	nextJobNumber(): number {
		return this.counters.jobNumber++;
	}
	nextInvoiceNumber(): number {
		return this.counters.invoiceNumber++;
	}
	/** Keeps auto-numbering above numbers chosen by the caller (jobNumber / quoteNumber inputs). */
	bumpNumber(kind: 'quoteNumber' | 'jobNumber' | 'invoiceNumber', used: number): void {
		if (used >= this.counters[kind]) this.counters[kind] = used + 1;
	}

	link(kind: keyof JobberStore['byClient'], clientId: number, id: number): void {
		const map = this.byClient[kind];
		const current = map.get(clientId);
		if (current === undefined) map.set(clientId, id);
		else if (typeof current === 'number') map.set(clientId, [current, id]);
		else current.push(id);
	}

	unlink(kind: keyof JobberStore['byClient'], clientId: number, id: number): void {
		const map = this.byClient[kind];
		const current = map.get(clientId);
		if (current === undefined) return;
		if (typeof current === 'number') {
			if (current === id) map.delete(clientId);
			return;
		}
		const at = current.indexOf(id);
		if (at >= 0) current.splice(at, 1);
		if (current.length === 0) map.delete(clientId);
		else if (current.length === 1) map.set(clientId, current[0]);
	}

	childIds(kind: keyof JobberStore['byClient'], clientId: number): number[] {
		const current = this.byClient[kind].get(clientId);
		if (current === undefined) return NONE;
		return typeof current === 'number' ? [current] : current;
	}

	/**
	 * The ids of a table after filtering/sorting, cached by `key` until the table changes. With neither filter nor
	 * sort the table's own order array is returned as is (no copy).
	 */
	list<T extends { id: number }>(
		table: Table<T>,
		key: string,
		filter: ((record: T) => boolean) | null,
		compare: ((a: T, b: T) => number) | null,
		source?: number[],
	): number[] {
		const base = source ?? table.order;
		if (!filter && !compare) return base;
		const cached = this.listCache.get(key);
		if (cached && cached.tableVersion === table.version) return cached.ids;
		let ids: number[];
		if (filter) {
			ids = [];
			for (const id of base) {
				const record = table.byId.get(id);
				if (record && filter(record)) ids.push(id);
			}
		} else ids = base.slice();
		if (compare) {
			const rows = ids.map((id) => table.byId.get(id)!);
			// Stable sort: ties keep creation order, as a database ordered by (key, id) would.
			rows.sort(compare);
			ids = rows.map((r) => r.id);
		}
		if (this.listCache.size >= 64) this.listCache.delete(this.listCache.keys().next().value as string);
		this.listCache.set(key, { tableVersion: table.version, ids });
		return ids;
	}

	clear(): void {
		for (const table of [this.clients, this.properties, this.requests, this.quotes, this.jobs, this.invoices, this.customFieldConfigs, this.webhookEndpoints]) {
			(table as Table<{ id: number }>).clear();
		}
		for (const map of Object.values(this.byClient)) map.clear();
		this.counters = { email: 1, phone: 1, lineItem: 1, customField: 1, quoteNumber: 1, jobNumber: 1, invoiceNumber: 1 };
		this.listCache.clear();
	}
}

export function clientName(c: ClientRec): string {
	if (c.isCompany && c.companyName) return c.companyName;
	const person = `${c.firstName} ${c.lastName}`.trim();
	return person || c.companyName || '';
}

export function lineItemTotal(items: LineItemRec[]): number {
	let total = 0;
	for (const li of items) total += li.quantity * li.unitPrice;
	return Math.round(total * 100) / 100;
}
