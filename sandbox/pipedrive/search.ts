/**
 * Search (`/persons/search`, `/organizations/search`, `/deals/search`, v2 and v1): term matching on word
 * prefixes like Pipedrive's full-text search, `exact_match` as whole-value case-insensitive equality, `fields`
 * restriction, and the `items[{result_score, item}]` result shape.
 */
import { contactList, type Company, type DealRow, type Json, type OrgRow, type PersonRow } from './company';
import { validationError } from './errors';

export type SearchEntity = 'person' | 'organization' | 'deal';

export const SEARCH_FIELDS: Record<SearchEntity, string[]> = {
	person: ['custom_fields', 'email', 'notes', 'phone', 'name'],
	organization: ['address', 'custom_fields', 'notes', 'name'],
	deal: ['custom_fields', 'notes', 'title'],
};

export interface SearchParams {
	term: string;
	fields: Set<string>;
	exact: boolean;
	organizationId?: number;
	personId?: number;
	status?: Set<string>;
}

export interface Hit {
	score: number;
	id: number;
	matchedCustom: string[];
	matchedNotes: string[];
}

/** Parses term/fields/exact_match with the documented rules (term ≥ 2 chars, or ≥ 1 with exact_match). */
export function parseSearch(entity: SearchEntity, q: URLSearchParams): SearchParams {
	const term = q.get('term');
	if (term === null) throw validationError('term', 'is required');
	const exactRaw = q.get('exact_match');
	if (exactRaw !== null && exactRaw !== 'true' && exactRaw !== 'false') throw validationError('exact_match', 'must be a boolean');
	const exact = exactRaw === 'true';
	const trimmed = term.trim();
	if (trimmed.length < (exact ? 1 : 2)) throw validationError('term', exact ? 'must be at least 1 character long' : 'must be at least 2 characters long');
	const allowed = SEARCH_FIELDS[entity];
	const fieldsRaw = q.get('fields');
	const fields = new Set(fieldsRaw ? fieldsRaw.split(',').map((f) => f.trim()).filter(Boolean) : allowed);
	for (const f of fields) if (!allowed.includes(f)) throw validationError('fields', `must be a comma-separated list of ${allowed.join(', ')}`);
	const out: SearchParams = { term: trimmed, fields, exact };
	const org = q.get('organization_id');
	if (org !== null) out.organizationId = intParam('organization_id', org);
	const person = q.get('person_id');
	if (entity === 'deal' && person !== null) out.personId = intParam('person_id', person);
	const status = q.get('status');
	if (entity === 'deal' && status !== null) {
		out.status = new Set(status.split(','));
		for (const s of out.status) if (!['open', 'won', 'lost'].includes(s)) throw validationError('status', 'must be one of open, won, lost');
	}
	return out;
}

function intParam(name: string, v: string): number {
	if (!/^\d+$/.test(v)) throw validationError(name, 'must be an integer');
	return Number(v);
}

const SEPARATORS = /[\s.,@_\-+()/:;#'"]+/;

/** Score of one value against the term (0 = no match). */
function scoreValue(value: string | null | undefined, term: string, exact: boolean, weight: number): number {
	if (!value) return 0;
	const v = value.trim().toLowerCase();
	const t = term.toLowerCase();
	if (v === t) return weight;
	if (exact) return 0;
	if (v.startsWith(t)) return weight * (0.6 + 0.3 * (t.length / v.length));
	// Prefix of any word (after a separator), as full-text search does; not arbitrary infixes.
	const tokens = v.split(SEPARATORS);
	for (let i = 1; i < tokens.length; i++) {
		if (tokens[i].startsWith(t)) return weight * (0.3 + 0.3 * (t.length / v.length));
	}
	if (t.includes(' ') && v.includes(t)) return weight * 0.4;
	return 0;
}

function scorePhone(value: string, term: string, exact: boolean): number {
	const s = scoreValue(value, term, exact, 0.85);
	if (s > 0 || exact) return s;
	const digits = term.replace(/\D/g, '');
	if (digits.length >= 3 && value.replace(/\D/g, '').includes(digits)) return 0.5;
	return 0;
}

export function searchPersons(company: Company, p: SearchParams): Hit[] {
	const hits: Hit[] = [];
	const consider = (row: PersonRow) => {
		if (row.deleted || company.isPurged(row)) return;
		if (p.organizationId !== undefined && row.orgId !== p.organizationId) return;
		let best = 0;
		const custom: string[] = [];
		const notes: string[] = [];
		if (p.fields.has('name')) best = Math.max(best, scoreValue(row.name, p.term, p.exact, 1));
		if (p.fields.has('email')) for (const e of contactList(row.emails)) best = Math.max(best, scoreValue(e.value, p.term, p.exact, 0.9));
		if (p.fields.has('phone')) for (const e of contactList(row.phones)) best = Math.max(best, scorePhone(e.value, p.term, p.exact));
		if (p.fields.has('notes') && row.notes) {
			const s = scoreValue(row.notes, p.term, p.exact, 0.4);
			if (s > 0) notes.push(row.notes);
			best = Math.max(best, s);
		}
		if (p.fields.has('custom_fields')) {
			for (const c of company.customSearch('person', row.custom)) {
				const s = scoreValue(c.text, p.term, p.exact, 0.6);
				if (s > 0) custom.push(c.text);
				best = Math.max(best, s);
			}
		}
		if (best > 0) hits.push({ score: round(best), id: row.id, matchedCustom: custom, matchedNotes: notes });
	};
	// Exact email lookups (the sync's natural-key path) go through the index instead of a scan.
	if (p.exact && p.fields.size === 1 && p.fields.has('email')) {
		for (const id of company.personsWithEmail(p.term)) {
			const row = company.persons.get(id);
			if (row) consider(row);
		}
	} else if (p.organizationId !== undefined) {
		for (const id of company.personsByOrg.get(p.organizationId) ?? []) {
			const row = company.persons.get(id);
			if (row) consider(row);
		}
	} else {
		for (const row of company.persons.byId.values()) consider(row);
	}
	return sortHits(hits);
}

export function searchOrganizations(company: Company, p: SearchParams): Hit[] {
	const hits: Hit[] = [];
	for (const row of company.organizations.byId.values()) {
		if (row.deleted || company.isPurged(row)) continue;
		let best = 0;
		const custom: string[] = [];
		if (p.fields.has('name')) best = Math.max(best, scoreValue(row.name, p.term, p.exact, 1));
		if (p.fields.has('address') && row.address) best = Math.max(best, scoreValue(row.address.value as string, p.term, p.exact, 0.7));
		if (p.fields.has('custom_fields')) {
			for (const c of company.customSearch('organization', row.custom)) {
				const s = scoreValue(c.text, p.term, p.exact, 0.6);
				if (s > 0) custom.push(c.text);
				best = Math.max(best, s);
			}
		}
		if (best > 0) hits.push({ score: round(best), id: row.id, matchedCustom: custom, matchedNotes: [] });
	}
	return sortHits(hits);
}

export function searchDeals(company: Company, p: SearchParams): Hit[] {
	const hits: Hit[] = [];
	for (const row of company.deals.byId.values()) {
		if (row.deleted || company.isPurged(row)) continue;
		if (p.personId !== undefined && row.personId !== p.personId) continue;
		if (p.organizationId !== undefined && row.orgId !== p.organizationId) continue;
		if (p.status && !p.status.has(row.status)) continue;
		let best = 0;
		const custom: string[] = [];
		if (p.fields.has('title')) best = Math.max(best, scoreValue(row.title, p.term, p.exact, 1));
		if (p.fields.has('custom_fields')) {
			for (const c of company.customSearch('deal', row.custom)) {
				const s = scoreValue(c.text, p.term, p.exact, 0.6);
				if (s > 0) custom.push(c.text);
				best = Math.max(best, s);
			}
		}
		if (best > 0) hits.push({ score: round(best), id: row.id, matchedCustom: custom, matchedNotes: [] });
	}
	return sortHits(hits);
}

function round(x: number): number {
	return Math.round(x * 10_000) / 10_000;
}

function sortHits(hits: Hit[]): Hit[] {
	return hits.sort((a, b) => b.score - a.score || a.id - b.id);
}

function orgRef(company: Company, orgId: number | null): Json | null {
	if (orgId === null) return null;
	const org: OrgRow | undefined = company.organizations.get(orgId);
	if (!org) return null;
	return { id: org.id, name: org.name, address: org.address ? ((org.address.value as string) ?? null) : null };
}

/** The `item` object of one search result (same shape in v1 and v2). */
export function searchItem(company: Company, entity: SearchEntity, hit: Hit): Json {
	if (entity === 'person') {
		const row = company.persons.get(hit.id) as PersonRow;
		return {
			id: row.id,
			type: 'person',
			name: row.name,
			phones: contactList(row.phones).map((p) => p.value),
			emails: contactList(row.emails).map((e) => e.value),
			visible_to: row.visibleTo,
			owner: { id: row.ownerId },
			organization: orgRef(company, row.orgId),
			custom_fields: hit.matchedCustom,
			notes: hit.matchedNotes,
		};
	}
	if (entity === 'organization') {
		const row = company.organizations.get(hit.id) as OrgRow;
		return {
			id: row.id,
			type: 'organization',
			name: row.name,
			address: row.address ? ((row.address.value as string) ?? null) : null,
			visible_to: row.visibleTo,
			owner: { id: row.ownerId },
			custom_fields: hit.matchedCustom,
			notes: hit.matchedNotes,
		};
	}
	const row = company.deals.get(hit.id) as DealRow;
	const stage = company.stages.get(row.stageId);
	const person = row.personId === null ? undefined : company.persons.get(row.personId);
	return {
		id: row.id,
		type: 'deal',
		title: row.title,
		value: row.value,
		currency: row.currency,
		status: row.status,
		visible_to: row.visibleTo,
		owner: { id: row.ownerId },
		stage: stage ? { id: stage.id, name: stage.name } : null,
		person: person ? { id: person.id, name: person.name } : null,
		organization: orgRef(company, row.orgId),
		custom_fields: hit.matchedCustom,
		notes: hit.matchedNotes,
		is_archived: row.isArchived,
	};
}
