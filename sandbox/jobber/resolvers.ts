/**
 * Resolvers for the part of the Jobber schema the sync needs. Everything else in the schema resolves to an empty
 * value of the right shape (null, [], 0, "", an empty connection), so any valid Jobber query executes.
 */
import {
	GraphQLError,
	isEnumType,
	isListType,
	isNonNullType,
	isObjectType,
	isScalarType,
	type GraphQLFieldResolver,
	type GraphQLOutputType,
	type GraphQLSchema,
} from 'graphql';
import { formatTime, type JobberContext } from './context';
import { decodeCursor, encodeCursor, encodeId, idFor } from './ids';
import * as m from './mutations';
import { parseIsoDateTime } from './schema';
import {
	RECEIVES,
	clientName,
	lineItemTotal,
	type Address,
	type ClientRec,
	type CustomFieldConfigRec,
	type CustomFieldValue,
	type EmailRec,
	type InvoiceRec,
	type JobRec,
	type LineItemRec,
	type PhoneRec,
	type PropertyRec,
	type QuoteRec,
	type RequestRec,
	type Table,
	type WebhookEndpointRec,
} from './store';

type Args = Record<string, unknown>;
type Resolver = (source: any, args: Args, ctx: JobberContext) => unknown;

/** graphql-ruby's default max_page_size as Jobber configures it: connections return at most 100 nodes. */
export const MAX_PAGE_SIZE = 100;

interface ConnectionArgs {
	first?: number | null;
	last?: number | null;
	after?: string | null;
	before?: string | null;
}

function cursorPosition(cursor: string): number {
	const pos = decodeCursor(cursor);
	// graphql-ruby's Base64Encoder refuses undecodable cursors with this message.
	if (pos === null) throw new GraphQLError(`Invalid input: ${JSON.stringify(cursor)}`);
	return pos;
}

/** Offset pagination with graphql-ruby's connection semantics; `at(i)` loads the i-th item of the full list. */
export function connection<T>(total: number, args: ConnectionArgs, at: (index: number) => T | undefined) {
	const { first, last, after, before } = args;
	if ((typeof first === 'number' && first < 0) || (typeof last === 'number' && last < 0)) {
		throw new GraphQLError(`Argument '${typeof first === 'number' && first < 0 ? 'first' : 'last'}' must be greater than or equal to 0`);
	}
	const start = after ? Math.min(cursorPosition(after), total) : 0;
	const end = before ? Math.max(start, Math.min(cursorPosition(before) - 1, total)) : total;
	let from = start;
	let to = end;
	const hasFirst = typeof first === 'number';
	const hasLast = typeof last === 'number';
	if (hasFirst) to = Math.min(to, from + Math.min(first!, MAX_PAGE_SIZE));
	if (hasLast) from = Math.max(from, to - Math.min(last!, MAX_PAGE_SIZE));
	if (!hasFirst && !hasLast) to = Math.min(to, from + MAX_PAGE_SIZE);
	const nodes: T[] = [];
	for (let i = from; i < to; i++) {
		const node = at(i);
		if (node !== undefined) nodes.push(node);
	}
	return {
		nodes,
		edges: () => nodes.map((node, i) => ({ cursor: encodeCursor(from + i + 1), node })),
		pageInfo: {
			hasNextPage: hasLast && !hasFirst ? Boolean(before) : to < end || (Boolean(before) && end < total),
			hasPreviousPage: hasLast ? from > start : Boolean(after) && start > 0,
			startCursor: nodes.length ? encodeCursor(from + 1) : null,
			endCursor: nodes.length ? encodeCursor(from + nodes.length) : null,
		},
		totalCount: total,
	};
}

function idsConnection<T extends { id: number }>(table: Table<T>, ids: number[], args: Args) {
	return connection(ids.length, args, (i) => table.byId.get(ids[i]));
}

function arrayConnection<T>(items: T[], args: Args) {
	return connection(items.length, args, (i) => items[i]);
}

const EMPTY_CONNECTION = {
	nodes: [],
	edges: [],
	pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
	totalCount: 0,
};

/** The value of a field the sandbox does not model: empty, but of a shape that never breaks non-null rules. */
function emptyValue(type: GraphQLOutputType, ctx: JobberContext): unknown {
	if (!isNonNullType(type)) return null;
	const inner = type.ofType;
	if (isListType(inner)) return [];
	if (isScalarType(inner)) {
		switch (inner.name) {
			case 'Int':
			case 'Float':
			case 'BigInt':
			case 'Minutes':
			case 'Seconds':
				return 0;
			case 'Boolean':
				return false;
			case 'ISO8601DateTime':
				return formatTime(ctx.account.createdAt, ctx.utcOffsetMinutes);
			case 'ISO8601Date':
				return formatTime(ctx.account.createdAt, 0).slice(0, 10);
			case 'JSON':
				return {};
			default:
				return '';
		}
	}
	if (isEnumType(inner)) return inner.getValues()[0]?.value ?? null;
	if (isObjectType(inner)) return inner.name.endsWith('Connection') ? EMPTY_CONNECTION : {};
	return null;
}

/** Default resolver: a property of the source (calling it when it is a function), else an empty value. */
export const fieldResolver: GraphQLFieldResolver<any, JobberContext> = (source, args, ctx, info) => {
	const value = source !== null && typeof source === 'object' ? source[info.fieldName] : undefined;
	if (typeof value === 'function') return value.call(source, args, ctx, info);
	if (value !== undefined) return value;
	return emptyValue(info.returnType, ctx);
};

const t = (ms: number | null | undefined, ctx: JobberContext) => (ms === null || ms === undefined ? null : formatTime(ms, ctx.utcOffsetMinutes));
const date = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString().slice(0, 10));

function streetOf(a: Address): string {
	return [a.street1, a.street2].filter((s) => s).join(' ');
}

const COUNTRY_CODES: Record<string, string> = { 'united states': '1', usa: '1', us: '1', canada: '1', ca: '1' };

/** E.164 form of a North American number, or null when it cannot be one (Jobber answers null then). */
function normalizePhone(number: string, country?: string): string | null {
	const digits = number.replace(/\D/g, '');
	const cc = COUNTRY_CODES[(country ?? 'united states').toLowerCase()] ?? '1';
	if (digits.length === 10 && /^[2-9]\d{2}[2-9]/.test(digits)) return `+${cc}${digits}`;
	if (digits.length === 11 && digits.startsWith('1') && /^1[2-9]\d{2}[2-9]/.test(digits)) return `+${digits}`;
	return null;
}

function friendlyPhone(number: string): string {
	const digits = number.replace(/\D/g, '');
	const d = digits.length === 11 && digits.startsWith('1') ? digits.slice(1) : digits;
	return d.length === 10 ? `(${d.slice(0, 3)}) ${d.slice(3, 6)}-${d.slice(6)}` : number;
}

const CONFIG_TYPENAME: Record<string, string> = { TEXT: 'Text', LINK: 'Link', NUMERIC: 'Numeric', TRUE_FALSE: 'TrueFalse', DROPDOWN: 'Dropdown', AREA: 'Area' };

function configView(c: CustomFieldConfigRec, ctx: JobberContext) {
	return {
		__typename: `CustomFieldConfiguration${CONFIG_TYPENAME[c.valueType]}`,
		id: encodeId('CustomFieldConfiguration', c.id),
		name: c.name,
		appliesTo: c.appliesTo,
		valueType: c.valueType,
		readOnly: c.readOnly,
		transferable: c.transferable,
		sortOrder: c.sortOrder,
		archived: c.archived,
		defaultValue: c.defaultValue,
		dropdownOptions: c.dropdownOptions,
		unit: c.unit,
		createdAt: t(c.createdAt, ctx),
		updatedAt: t(c.updatedAt, ctx),
	};
}

function customFieldViews(values: CustomFieldValue[], ctx: JobberContext) {
	const out: unknown[] = [];
	for (const v of values) {
		const config = ctx.store.customFieldConfigs.get(v.configId);
		if (!config) continue;
		const base = { id: encodeId('CustomField', v.id), label: config.name, customFieldConfiguration: configView(config, ctx) };
		switch (config.valueType) {
			case 'TEXT':
				out.push({ __typename: 'CustomFieldText', ...base, valueText: v.value });
				break;
			case 'LINK':
				out.push({ __typename: 'CustomFieldLink', ...base, valueLink: v.value });
				break;
			case 'NUMERIC':
				out.push({ __typename: 'CustomFieldNumeric', ...base, valueNumeric: v.value, unit: config.unit });
				break;
			case 'TRUE_FALSE':
				out.push({ __typename: 'CustomFieldTrueFalse', ...base, valueTrueFalse: v.value });
				break;
			case 'DROPDOWN':
				out.push({ __typename: 'CustomFieldDropdown', ...base, valueDropdown: v.value, dropdownOptions: config.dropdownOptions });
				break;
			case 'AREA':
				out.push({ __typename: 'CustomFieldArea', ...base, valueArea: v.value, unit: config.unit });
				break;
		}
	}
	return out;
}

function applicationView(ctx: JobberContext) {
	return { id: encodeId('Application', 1), name: ctx.app.name, author: ctx.app.author, displayName: ctx.app.name, applicationScopes: 'read_clients write_clients read_requests write_requests read_quotes write_quotes read_jobs write_jobs read_invoices write_invoices' };
}

function accountView(ctx: JobberContext) {
	return { id: encodeId('Account', ctx.account.id), name: ctx.account.name, createdAt: t(ctx.account.createdAt, ctx) };
}

interface DateRange {
	after?: string | null;
	before?: string | null;
	eq?: string | null;
}

/** Iso8601DateTimeRangeInput: both bounds inclusive; `eq` matches the same second (what clients can see). */
function inRange(ms: number | null, range: DateRange | null | undefined): boolean {
	if (!range) return true;
	if (ms === null) return false;
	const after = range.after ? parseIsoDateTime(range.after) : null;
	const before = range.before ? parseIsoDateTime(range.before) : null;
	const eq = range.eq ? parseIsoDateTime(range.eq) : null;
	if (after !== null && ms < after) return false;
	if (before !== null && ms > before) return false;
	if (eq !== null && Math.floor(ms / 1000) !== Math.floor(eq / 1000)) return false;
	return true;
}

function intRange(n: number, range: { min?: number | null; max?: number | null; eq?: number | null } | null | undefined): boolean {
	if (!range) return true;
	if (range.min !== null && range.min !== undefined && n < range.min) return false;
	if (range.max !== null && range.max !== undefined && n > range.max) return false;
	if (range.eq !== null && range.eq !== undefined && n !== range.eq) return false;
	return true;
}

type Compare<T> = (a: T, b: T) => number;
function by<T>(pick: (r: T) => string | number | null, descending: boolean): Compare<T> {
	return (a, b) => {
		const x = pick(a);
		const y = pick(b);
		const c = x === y ? 0 : x === null ? -1 : y === null ? 1 : x < y ? -1 : 1;
		return descending ? -c : c;
	};
}
function chain<T>(list: Array<Compare<T> | null>): Compare<T> | null {
	const cs = list.filter((c): c is Compare<T> => c !== null);
	if (cs.length === 0) return null;
	return (a, b) => {
		for (const c of cs) {
			const r = c(a, b);
			if (r !== 0) return r;
		}
		return 0;
	};
}
function sortList(sort: unknown): Array<{ key: string; direction: string }> {
	if (!sort) return [];
	return (Array.isArray(sort) ? sort : [sort]) as Array<{ key: string; direction: string }>;
}

function textMatch(term: string, ...values: Array<string | null | undefined>): boolean {
	for (const v of values) if (v && v.toLowerCase().includes(term)) return true;
	return false;
}

function clientMatches(c: ClientRec, term: string, digits: string): boolean {
	if (textMatch(term, c.firstName, c.lastName, `${c.firstName} ${c.lastName}`, c.companyName)) return true;
	for (const e of c.emails) if (e.address.toLowerCase().includes(term)) return true;
	if (digits.length >= 3) for (const p of c.phones) if (p.number.replace(/\D/g, '').includes(digits)) return true;
	return false;
}

function clientOf(ctx: JobberContext, id: number) {
	return ctx.store.clients.get(id) ?? null;
}

function quoteAmounts(q: QuoteRec) {
	const subtotal = lineItemTotal(q.lineItems);
	return { subtotal, total: subtotal, depositAmount: 0, discountAmount: 0, nonTaxAmount: subtotal, outstandingDepositAmount: 0, taxAmount: 0 };
}

function invoiceAmounts(inv: InvoiceRec) {
	const subtotal = lineItemTotal(inv.lineItems);
	const paid = inv.invoiceStatus === 'paid' ? subtotal : 0;
	return { subtotal, total: subtotal, invoiceBalance: subtotal - paid, paymentsTotal: paid, depositAmount: 0, discountAmount: 0, nonTaxAmount: subtotal, taxAmount: 0, tipsTotal: 0 };
}

function lineItemResolvers(type: 'QuoteLineItem' | 'JobLineItem' | 'InvoiceLineItem'): Record<string, Resolver> {
	return {
		id: (li: LineItemRec) => encodeId(type, li.id),
		totalPrice: (li: LineItemRec) => Math.round(li.quantity * li.unitPrice * 100) / 100,
		qty: (li: LineItemRec) => li.quantity,
		cost: (li: LineItemRec) => Math.round(li.quantity * li.unitPrice * 100) / 100,
		...(type === 'QuoteLineItem' ? { optional: () => false, textOnly: () => false } : {}),
		createdAt: (li: LineItemRec, _a, ctx) => t(li.createdAt, ctx),
		updatedAt: (li: LineItemRec, _a, ctx) => t(li.updatedAt, ctx),
	};
}

function childConnection<T extends { id: number }>(
	ctx: JobberContext,
	kind: 'properties' | 'requests' | 'quotes' | 'jobs' | 'invoices',
	clientId: number,
	args: Args,
	keep?: (r: T) => boolean,
) {
	const table = ctx.store[kind] as unknown as Table<T>;
	let ids = ctx.store.childIds(kind, clientId);
	if (keep) ids = ids.filter((id) => keep(table.byId.get(id)!));
	return idsConnection(table, ids, args);
}

const emailSearchCache = new WeakMap<object, { key: string; version: number; emails: EmailRec[] }>();

export const RESOLVERS: Record<string, Record<string, Resolver>> = {
	Query: {
		account: (_s, _a, ctx) => accountView(ctx),
		client: (_s, a, ctx) => ctx.store.clients.get(idFor('Client', a.id)) ?? null,
		clients: (_s, a, ctx) => {
			const { store } = ctx;
			const f = (a.filter ?? null) as Args | null;
			const term = typeof a.searchTerm === 'string' && a.searchTerm.trim() ? a.searchTerm.trim().toLowerCase() : null;
			const digits = term ? term.replace(/\D/g, '') : '';
			const tags = (f?.tags as string[] | undefined) ?? null;
			const filter =
				f || term
					? (c: ClientRec) =>
							(f?.isCompany === undefined || f.isCompany === null || c.isCompany === f.isCompany) &&
							(f?.isLead === undefined || f.isLead === null || c.isLead === f.isLead) &&
							(f?.isArchived === undefined || f.isArchived === null || c.isArchived === f.isArchived) &&
							inRange(c.updatedAt, f?.updatedAt as DateRange) &&
							inRange(c.createdAt, f?.createdAt as DateRange) &&
							(!tags || tags.some((tag) => c.tags.includes(tag))) &&
							(!term || clientMatches(c, term, digits))
					: null;
			const s = sortList(a.sort)[0];
			const desc = s?.direction === 'DESCENDING';
			const compare = s
				? chain<ClientRec>([
						s.key === 'UPDATED_AT' ? by((c) => c.updatedAt, desc) : null,
						s.key === 'FIRST_NAME' ? by((c) => c.firstName.toLowerCase(), desc) : null,
						s.key === 'LAST_NAME' ? by((c) => c.lastName.toLowerCase(), desc) : null,
						s.key === 'PRIMARY_NAME' ? by((c) => clientName(c).toLowerCase(), desc) : null,
						by((c) => c.id, desc),
					])
				: null;
			const ids = store.list(store.clients, `clients:${JSON.stringify([f, term, a.sort])}`, filter, compare);
			return idsConnection(store.clients, ids, a);
		},
		clientEmails: (_s, a, ctx) => {
			const { store } = ctx;
			const term = typeof a.searchTerm === 'string' ? a.searchTerm.trim().toLowerCase() : '';
			const cached = emailSearchCache.get(store);
			let emails: EmailRec[];
			if (cached && cached.key === term && cached.version === store.clients.version) emails = cached.emails;
			else {
				emails = [];
				for (const id of store.clients.order) {
					for (const e of store.clients.byId.get(id)!.emails) if (!term || e.address.toLowerCase().includes(term)) emails.push(e);
				}
				emailSearchCache.set(store, { key: term, version: store.clients.version, emails });
			}
			return arrayConnection(emails, a);
		},
		clientPhones: (_s, a, ctx) => {
			const digits = typeof a.searchTerm === 'string' ? a.searchTerm.replace(/\D/g, '') : '';
			const phones: PhoneRec[] = [];
			for (const id of ctx.store.clients.order) {
				for (const p of ctx.store.clients.byId.get(id)!.phones) if (!digits || p.number.replace(/\D/g, '').includes(digits)) phones.push(p);
			}
			return arrayConnection(phones, a);
		},
		property: (_s, a, ctx) => ctx.store.properties.get(idFor('Property', a.id)) ?? null,
		properties: (_s, a, ctx) => {
			const { store } = ctx;
			const f = (a.filter ?? null) as Args | null;
			const clientId = f?.clientId !== undefined && f?.clientId !== null ? idFor('Client', f.clientId) : undefined;
			const source = clientId === undefined ? undefined : clientId === null ? [] : store.childIds('properties', clientId);
			const term = typeof a.searchTerm === 'string' && a.searchTerm.trim() ? a.searchTerm.trim().toLowerCase() : null;
			const filter = term ? (p: PropertyRec) => textMatch(term, p.address.street1, p.address.street2, p.address.city, p.address.postalCode) : null;
			const ids = store.list(store.properties, `properties:${JSON.stringify([clientId, term])}`, filter, null, source);
			return idsConnection(store.properties, ids, a);
		},
		request: (_s, a, ctx) => ctx.store.requests.get(idFor('Request', a.id)) ?? null,
		requests: (_s, a, ctx) => {
			const { store } = ctx;
			const f = (a.filter ?? null) as Args | null;
			const clientId = f?.clientId ? idFor('Client', f.clientId) : undefined;
			const propertyId = f?.propertyId ? idFor('Property', f.propertyId) : undefined;
			const term = typeof a.searchTerm === 'string' && a.searchTerm.trim() ? a.searchTerm.trim().toLowerCase() : null;
			const filter =
				f || term
					? (r: RequestRec) =>
							(clientId === undefined || r.clientId === clientId) &&
							(propertyId === undefined || r.propertyId === propertyId) &&
							(!f?.status || r.requestStatus === f.status) &&
							inRange(r.updatedAt, f?.updatedAt as DateRange) &&
							inRange(r.createdAt, f?.createdAt as DateRange) &&
							(!term || textMatch(term, r.title, clientName(store.clients.get(r.clientId)!)))
					: null;
			const ids = store.list(store.requests, `requests:${JSON.stringify([f, term])}`, filter, null);
			return idsConnection(store.requests, ids, a);
		},
		quote: (_s, a, ctx) => ctx.store.quotes.get(idFor('Quote', a.id)) ?? null,
		quotes: (_s, a, ctx) => {
			const { store } = ctx;
			const f = (a.filter ?? null) as Args | null;
			const clientId = f?.clientId ? idFor('Client', f.clientId) : undefined;
			const term = typeof a.searchTerm === 'string' && a.searchTerm.trim() ? a.searchTerm.trim().toLowerCase() : null;
			const filter =
				f || term
					? (q: QuoteRec) =>
							(clientId === undefined || q.clientId === clientId) &&
							(!f?.status || q.quoteStatus === f.status) &&
							intRange(q.quoteNumber, f?.quoteNumber as never) &&
							inRange(q.updatedAt, f?.updatedAt as DateRange) &&
							inRange(q.createdAt, f?.createdAt as DateRange) &&
							(!term || textMatch(term, q.title, String(q.quoteNumber), clientName(store.clients.get(q.clientId)!)))
					: null;
			const compare = chain<QuoteRec>([
				...sortList(a.sort).map(({ key, direction }) => {
					const d = direction === 'DESCENDING';
					if (key === 'CREATED_AT') return by<QuoteRec>((q) => q.createdAt, d);
					if (key === 'QUOTE_NUMBER') return by<QuoteRec>((q) => q.quoteNumber, d);
					if (key === 'QUOTE_STATUS') return by<QuoteRec>((q) => q.quoteStatus, d);
					if (key === 'QUOTE_TOTAL') return by<QuoteRec>((q) => lineItemTotal(q.lineItems), d);
					if (key === 'CLIENT_PRIMARY_NAME') return by<QuoteRec>((q) => clientName(store.clients.get(q.clientId)!).toLowerCase(), d);
					return null;
				}),
			]);
			const ids = store.list(store.quotes, `quotes:${JSON.stringify([f, term, a.sort])}`, filter, compare ? chain([compare, by<QuoteRec>((q) => q.id, false)]) : null);
			return idsConnection(store.quotes, ids, a);
		},
		job: (_s, a, ctx) => ctx.store.jobs.get(idFor('Job', a.id)) ?? null,
		jobs: (_s, a, ctx) => {
			const { store } = ctx;
			// No updatedAt filter on jobs (the schema has none): incremental sync sorts by UPDATED_AT instead.
			const f = (a.filter ?? null) as Args | null;
			const term = typeof a.searchTerm === 'string' && a.searchTerm.trim() ? a.searchTerm.trim().toLowerCase() : null;
			const filter =
				f || term
					? (j: JobRec) =>
							(!f?.jobType || j.jobType === f.jobType) &&
							(!f?.status || j.jobStatus === f.status || (f.status === 'active' && !['archived', 'requires_invoicing'].includes(j.jobStatus))) &&
							inRange(j.createdAt, f?.createdAt as DateRange) &&
							inRange(j.startAt, f?.startAt as DateRange) &&
							inRange(j.endAt, f?.endAt as DateRange) &&
							inRange(j.completedAt, f?.completedAt as DateRange) &&
							(!term || textMatch(term, j.title, String(j.jobNumber), clientName(store.clients.get(j.clientId)!)))
					: null;
			const sorts = sortList(a.sort).map(({ key, direction }) => {
				const d = direction === 'DESCENDING';
				if (key === 'UPDATED_AT') return by<JobRec>((j) => j.updatedAt, d);
				if (key === 'JOB_NUMBER') return by<JobRec>((j) => j.jobNumber, d);
				if (key === 'JOB_STATUS') return by<JobRec>((j) => j.jobStatus, d);
				if (key === 'TOTAL_COST') return by<JobRec>((j) => lineItemTotal(j.lineItems), d);
				if (key === 'CLIENT_FIRST_NAME') return by<JobRec>((j) => store.clients.get(j.clientId)!.firstName.toLowerCase(), d);
				if (key === 'CLIENT_PRIMARY_NAME') return by<JobRec>((j) => clientName(store.clients.get(j.clientId)!).toLowerCase(), d);
				if (key === 'SCHEDULE' || key === 'VISIT_START_DATE') return by<JobRec>((j) => j.startAt, d);
				return null;
			});
			const compare = chain(sorts);
			const ids = store.list(store.jobs, `jobs:${JSON.stringify([f, term, a.sort])}`, filter, compare ? chain([compare, by<JobRec>((j) => j.id, sortList(a.sort)[0]?.direction === 'DESCENDING')]) : null);
			return idsConnection(store.jobs, ids, a);
		},
		invoice: (_s, a, ctx) => ctx.store.invoices.get(idFor('Invoice', a.id)) ?? null,
		invoices: (_s, a, ctx) => {
			const { store } = ctx;
			const f = (a.filter ?? null) as Args | null;
			const clientId = f?.clientId ? idFor('Client', f.clientId) : undefined;
			const term = typeof a.searchTerm === 'string' && a.searchTerm.trim() ? a.searchTerm.trim().toLowerCase() : null;
			const filter =
				f || term
					? (inv: InvoiceRec) =>
							(clientId === undefined || inv.clientId === clientId) &&
							(!f?.status || inv.invoiceStatus === f.status) &&
							inRange(inv.updatedAt, f?.updatedAt as DateRange) &&
							inRange(inv.createdAt, f?.createdAt as DateRange) &&
							inRange(inv.issuedDate, f?.issuedDate as DateRange) &&
							inRange(inv.dueDate, f?.dueDate as DateRange) &&
							(!term || textMatch(term, inv.subject, String(inv.invoiceNumber), clientName(store.clients.get(inv.clientId)!)))
					: null;
			const compare = chain<InvoiceRec>(
				sortList(a.sort).map(({ key, direction }) => {
					const d = direction === 'DESCENDING';
					if (key === 'CREATED_AT') return by<InvoiceRec>((i) => i.createdAt, d);
					if (key === 'INVOICE_NUMBER') return by<InvoiceRec>((i) => i.invoiceNumber, d);
					if (key === 'INVOICE_STATUS') return by<InvoiceRec>((i) => i.invoiceStatus, d);
					if (key === 'INVOICE_TOTAL' || key === 'INVOICE_BALANCE') return by<InvoiceRec>((i) => lineItemTotal(i.lineItems), d);
					if (key === 'ISSUED_DATE') return by<InvoiceRec>((i) => i.issuedDate, d);
					if (key === 'DUE_DATE') return by<InvoiceRec>((i) => i.dueDate, d);
					if (key === 'CLIENT_PRIMARY_NAME') return by<InvoiceRec>((i) => clientName(store.clients.get(i.clientId)!).toLowerCase(), d);
					return null;
				}),
			);
			const ids = store.list(store.invoices, `invoices:${JSON.stringify([f, term, a.sort])}`, filter, compare ? chain([compare, by<InvoiceRec>((i) => i.id, false)]) : null);
			return idsConnection(store.invoices, ids, a);
		},
		customFieldConfigurations: (_s, a, ctx) => {
			const { store } = ctx;
			const f = (a.filter ?? null) as Args | null;
			const s = sortList(a.sort)[0];
			let configs = store.customFieldConfigs.order.map((id) => store.customFieldConfigs.get(id)!);
			configs = configs.filter((c) => (!f?.appliesTo || c.appliesTo === f.appliesTo) && (!f?.valueType || c.valueType === f.valueType));
			if (s) configs.sort(by<CustomFieldConfigRec>((c) => (s.key === 'CREATED_AT' ? c.createdAt : c.sortOrder), s.direction === 'DESCENDING'));
			return arrayConnection(
				configs.map((c) => configView(c, ctx)),
				a,
			);
		},
	},

	Mutation: {
		clientCreate: (_s, a, ctx) => m.clientCreate(ctx, a.input as Args),
		clientEdit: (_s, a, ctx) => m.clientEdit(ctx, a.clientId, a.input as Args),
		clientArchive: (_s, a, ctx) => m.clientArchive(ctx, a.clientId),
		propertyCreate: (_s, a, ctx) => m.propertyCreate(ctx, a.clientId, a.input as Args),
		propertyEdit: (_s, a, ctx) => m.propertyEdit(ctx, a.propertyId, a.input as Args),
		propertyDelete: (_s, a, ctx) => m.propertyDelete(ctx, a.propertyId),
		requestCreate: (_s, a, ctx) => m.requestCreate(ctx, a.input as Args),
		quoteCreate: (_s, a, ctx) => m.quoteCreate(ctx, a.attributes as Args),
		jobCreate: (_s, a, ctx) => m.jobCreate(ctx, a.input as Args),
		jobEdit: (_s, a, ctx) => m.jobEdit(ctx, a.jobId, a.input as Args),
		invoiceCreateFromJob: (_s, a, ctx) => m.invoiceCreateFromJob(ctx, a.jobId),
		webhookEndpointCreate: (_s, a, ctx) => m.webhookEndpointCreate(ctx, a.input as Args),
		webhookEndpointDelete: (_s, a, ctx) => m.webhookEndpointDelete(ctx, a.webhookEndpointsIds as unknown[]),
		appDisconnect: (_s, _a, ctx) => {
			ctx.disconnect();
			return { app: applicationView(ctx), userErrors: [] };
		},
	},

	Client: {
		id: (c: ClientRec) => encodeId('Client', c.id),
		name: (c: ClientRec) => clientName(c),
		secondaryName: (c: ClientRec) => {
			const person = `${c.firstName} ${c.lastName}`.trim();
			if (c.isCompany) return person || null;
			return c.companyName || null;
		},
		createdAt: (c: ClientRec, _a, ctx) => t(c.createdAt, ctx),
		updatedAt: (c: ClientRec, _a, ctx) => t(c.updatedAt, ctx),
		jobberWebUri: (c: ClientRec) => `https://secure.getjobber.com/clients/${c.id}`,
		isArchivable: () => true,
		billingAddressPresent: (c: ClientRec) => c.billingAddress !== null,
		defaultEmails: (c: ClientRec) => c.emails.filter((e) => e.primary).map((e) => e.address),
		defaultPhones: (c: ClientRec) => c.phones.filter((p) => p.primary).map((p) => p.number),
		receivesReminders: (c: ClientRec) => (c.receives & RECEIVES.receivesReminders) !== 0,
		receivesFollowUps: (c: ClientRec) => (c.receives & RECEIVES.receivesFollowUps) !== 0,
		receivesQuoteFollowUps: (c: ClientRec) => (c.receives & RECEIVES.receivesQuoteFollowUps) !== 0,
		receivesInvoiceFollowUps: (c: ClientRec) => (c.receives & RECEIVES.receivesInvoiceFollowUps) !== 0,
		receivesReviewRequests: (c: ClientRec) => (c.receives & RECEIVES.receivesReviewRequests) !== 0,
		sampleData: () => false,
		customFields: (c: ClientRec, _a, ctx) => customFieldViews(c.customFields, ctx),
		tags: (c: ClientRec, a) => arrayConnection(c.tags.map((label, i) => ({ id: encodeId('Tag', c.id * 1000 + i), label })), a),
		clientProperties: (c: ClientRec, a, ctx) => childConnection(ctx, 'properties', c.id, a),
		requests: (c: ClientRec, a, ctx) => childConnection(ctx, 'requests', c.id, a),
		quotes: (c: ClientRec, a, ctx) => childConnection(ctx, 'quotes', c.id, a),
		jobs: (c: ClientRec, a, ctx) => childConnection(ctx, 'jobs', c.id, a),
		invoices: (c: ClientRec, a, ctx) => childConnection(ctx, 'invoices', c.id, a),
	},

	Email: {
		id: (e: EmailRec) => encodeId('Email', e.id),
		client: (e: EmailRec, _a, ctx) => clientOf(ctx, e.clientId),
	},

	ClientPhoneNumber: {
		id: (p: PhoneRec) => encodeId('ClientPhoneNumber', p.id),
		client: (p: PhoneRec, _a, ctx) => clientOf(ctx, p.clientId),
		friendly: (p: PhoneRec) => friendlyPhone(p.number),
		normalizedPhoneNumber: (p: PhoneRec, _a, ctx) => normalizePhone(p.number, ctx.store.clients.get(p.clientId)?.billingAddress?.country),
	},

	ClientAddress: {
		street: (a: Address) => streetOf(a),
		latitude: () => '',
		longitude: () => '',
	},

	Property: {
		id: (p: PropertyRec) => encodeId('Property', p.id),
		address: (p: PropertyRec) => ({ ...p.address, id: encodeId('PropertyAddress', p.id), street: streetOf(p.address), coordinates: null, geoStatus: null }),
		client: (p: PropertyRec, _a, ctx) => clientOf(ctx, p.clientId),
		customFields: (p: PropertyRec, _a, ctx) => customFieldViews(p.customFields, ctx),
		jobberWebUri: (p: PropertyRec) => `https://secure.getjobber.com/properties/${p.id}`,
		jobs: (p: PropertyRec, a, ctx) => childConnection<JobRec>(ctx, 'jobs', p.clientId, a, (j) => j.propertyId === p.id),
		quotes: (p: PropertyRec, a, ctx) => childConnection<QuoteRec>(ctx, 'quotes', p.clientId, a, (q) => q.propertyId === p.id),
		requests: (p: PropertyRec, a, ctx) => childConnection<RequestRec>(ctx, 'requests', p.clientId, a, (r) => r.propertyId === p.id),
		// Deprecated flat address fields, still answered by the live API.
		street: (p: PropertyRec) => streetOf(p.address),
		street1: (p: PropertyRec) => p.address.street1,
		street2: (p: PropertyRec) => p.address.street2,
		city: (p: PropertyRec) => p.address.city,
		province: (p: PropertyRec) => p.address.province,
		postalCode: (p: PropertyRec) => p.address.postalCode,
		country: (p: PropertyRec) => p.address.country,
		latitude: () => '',
		longitude: () => '',
	},

	Request: {
		id: (r: RequestRec) => encodeId('Request', r.id),
		client: (r: RequestRec, _a, ctx) => clientOf(ctx, r.clientId),
		property: (r: RequestRec, _a, ctx) => ctx.store.properties.get(r.propertyId) ?? null,
		companyName: (r: RequestRec, _a, ctx) => ctx.store.clients.get(r.clientId)?.companyName ?? null,
		contactName: (r: RequestRec, _a, ctx) => {
			const c = ctx.store.clients.get(r.clientId);
			return c ? `${c.firstName} ${c.lastName}`.trim() || null : null;
		},
		email: (r: RequestRec, _a, ctx) => ctx.store.clients.get(r.clientId)?.emails.find((e) => e.primary)?.address ?? null,
		phone: (r: RequestRec, _a, ctx) => ctx.store.clients.get(r.clientId)?.phones.find((p) => p.primary)?.number ?? null,
		createdAt: (r: RequestRec, _a, ctx) => t(r.createdAt, ctx),
		updatedAt: (r: RequestRec, _a, ctx) => t(r.updatedAt, ctx),
		jobberWebUri: (r: RequestRec) => `https://secure.getjobber.com/requests/${r.id}`,
		jobs: (r: RequestRec, a, ctx) => childConnection<JobRec>(ctx, 'jobs', r.clientId, a, (j) => j.requestId === r.id),
		quotes: (r: RequestRec, a, ctx) => childConnection<QuoteRec>(ctx, 'quotes', r.clientId, a, (q) => q.requestId === r.id),
	},

	Quote: {
		id: (q: QuoteRec) => encodeId('Quote', q.id),
		quoteNumber: (q: QuoteRec) => String(q.quoteNumber),
		client: (q: QuoteRec, _a, ctx) => clientOf(ctx, q.clientId),
		property: (q: QuoteRec, _a, ctx) => ctx.store.properties.get(q.propertyId) ?? null,
		request: (q: QuoteRec, _a, ctx) => ctx.store.requests.get(q.requestId) ?? null,
		amounts: (q: QuoteRec) => quoteAmounts(q),
		cost: (q: QuoteRec) => lineItemTotal(q.lineItems),
		lineItems: (q: QuoteRec, a) => arrayConnection(q.lineItems, a),
		customFields: (q: QuoteRec, _a, ctx) => customFieldViews(q.customFields, ctx),
		jobs: (q: QuoteRec, a, ctx) => childConnection<JobRec>(ctx, 'jobs', q.clientId, a, (j) => j.quoteId === q.id),
		createdAt: (q: QuoteRec, _a, ctx) => t(q.createdAt, ctx),
		updatedAt: (q: QuoteRec, _a, ctx) => t(q.updatedAt, ctx),
		transitionedAt: (q: QuoteRec, _a, ctx) => t(q.updatedAt, ctx),
		jobberWebUri: (q: QuoteRec) => `https://secure.getjobber.com/quotes/${q.id}`,
	},

	Job: {
		id: (j: JobRec) => encodeId('Job', j.id),
		client: (j: JobRec, _a, ctx) => clientOf(ctx, j.clientId),
		property: (j: JobRec, _a, ctx) => ctx.store.properties.get(j.propertyId) ?? null,
		quote: (j: JobRec, _a, ctx) => ctx.store.quotes.get(j.quoteId) ?? null,
		request: (j: JobRec, _a, ctx) => ctx.store.requests.get(j.requestId) ?? null,
		total: (j: JobRec) => lineItemTotal(j.lineItems),
		lineItems: (j: JobRec, a) => arrayConnection(j.lineItems, a),
		customFields: (j: JobRec, _a, ctx) => customFieldViews(j.customFields, ctx),
		invoices: (j: JobRec, a, ctx) => childConnection<InvoiceRec>(ctx, 'invoices', j.clientId, a, (i) => i.jobIds.includes(j.id)),
		invoiceSchedule: (j: JobRec) => ({ billingFrequency: j.billingFrequency, scheduleSummary: j.billingFrequency === 'ON_COMPLETION' ? 'When job is closed' : j.billingFrequency.toLowerCase().replace(/_/g, ' '), recurrenceSchedule: null }),
		startAt: (j: JobRec, _a, ctx) => t(j.startAt, ctx),
		endAt: (j: JobRec, _a, ctx) => t(j.endAt, ctx),
		completedAt: (j: JobRec, _a, ctx) => t(j.completedAt, ctx),
		createdAt: (j: JobRec, _a, ctx) => t(j.createdAt, ctx),
		updatedAt: (j: JobRec, _a, ctx) => t(j.updatedAt, ctx),
		defaultVisitTitle: (j: JobRec) => j.title ?? '',
		jobberWebUri: (j: JobRec) => `https://secure.getjobber.com/work_orders/${j.id}`,
	},

	Invoice: {
		id: (i: InvoiceRec) => encodeId('Invoice', i.id),
		invoiceNumber: (i: InvoiceRec) => String(i.invoiceNumber),
		client: (i: InvoiceRec, _a, ctx) => clientOf(ctx, i.clientId),
		amounts: (i: InvoiceRec) => invoiceAmounts(i),
		billingAddress: (i: InvoiceRec) => (i.billingAddress ? { ...i.billingAddress, street: streetOf(i.billingAddress), coordinates: null, geoStatus: null } : null),
		lineItems: (i: InvoiceRec, a) => arrayConnection(i.lineItems, a),
		customFields: (i: InvoiceRec, _a, ctx) => customFieldViews(i.customFields, ctx),
		jobs: (i: InvoiceRec, a, ctx) => idsConnection(ctx.store.jobs, i.jobIds, a),
		properties: (i: InvoiceRec, a, ctx) => idsConnection(ctx.store.properties, i.propertyId === null ? [] : [i.propertyId], a),
		issuedDate: (i: InvoiceRec, _a, ctx) => t(i.issuedDate, ctx),
		dueDate: (i: InvoiceRec, _a, ctx) => t(i.dueDate, ctx),
		receivedDate: (i: InvoiceRec, _a, ctx) => t(i.receivedDate, ctx),
		createdAt: (i: InvoiceRec, _a, ctx) => t(i.createdAt, ctx),
		updatedAt: (i: InvoiceRec, _a, ctx) => t(i.updatedAt, ctx),
		taxCalculationMethod: () => 'EXCLUSIVE',
		jobberWebUri: (i: InvoiceRec) => `https://secure.getjobber.com/invoices/${i.id}`,
	},

	QuoteLineItem: lineItemResolvers('QuoteLineItem'),
	JobLineItem: lineItemResolvers('JobLineItem'),
	InvoiceLineItem: lineItemResolvers('InvoiceLineItem'),

	WebhookEndpoint: {
		id: (w: WebhookEndpointRec) => encodeId('WebhookEndpoint', w.id),
		account: (_w, _a, ctx) => accountView(ctx),
		app: (_w, _a, ctx) => applicationView(ctx),
		createdAt: (w: WebhookEndpointRec, _a, ctx) => t(w.createdAt, ctx),
		updatedAt: (w: WebhookEndpointRec, _a, ctx) => t(w.updatedAt, ctx),
	},
};

/** Helpers shared with the admin API and records(). */
export const views = { date, t, customFieldViews, configView, streetOf };

const attached = new WeakSet<GraphQLSchema>();

/** Attaches the resolvers to the shared schema once. */
export function attachResolvers(schema: GraphQLSchema): void {
	if (attached.has(schema)) return;
	for (const [typeName, fields] of Object.entries(RESOLVERS)) {
		const type = schema.getType(typeName);
		if (!isObjectType(type)) throw new Error(`Resolver map names ${typeName}, which is not an object type of the schema`);
		const defs = type.getFields();
		for (const [fieldName, resolve] of Object.entries(fields)) {
			if (!defs[fieldName]) throw new Error(`Resolver map names ${typeName}.${fieldName}, which is not in the schema`);
			defs[fieldName].resolve = resolve as GraphQLFieldResolver<unknown, unknown>;
		}
	}
	attached.add(schema);
}
