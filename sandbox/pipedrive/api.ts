/**
 * The Pipedrive HTTP surface: v2 persons/organizations/deals/stages/pipelines (+ search, v2 Fields lists),
 * the v1 endpoints nodes still call (field definitions, persons/organizations/deals incl. search and offset
 * paging, recents, users, webhooks), the OAuth server, and the sandbox admin routes.
 */
import type { Router, SandboxRequest, SandboxResponse } from '../core/server';
import { BodyParseError } from '../core/server';
import type { VendorContext } from '../core/vendor';
import type { Auth, AuthContext } from './auth';
import { compactContacts, contactList, ENTITY_LABEL, type AnyRow, type Contacts, type ChangeSource, type Company, type DealRow, type EntityName, type Json, type OrgRow, type PersonRow, type PipelineRow, type StageRow } from './company';
import { apiError, badRequest, envelope, notFound, PipedriveHttpError, validationError } from './errors';
import { CUSTOM_FIELD_TYPES, renderFieldV1, renderFieldV2, type EntityKind, type FieldDef, type FieldType } from './fields';
import {
	applyDeal,
	applyOrg,
	applyPerson,
	dealFromV1,
	dealFromV2,
	newDeal,
	newOrg,
	newPerson,
	orgFromV1,
	orgFromV2,
	personFromV1,
	personFromV2,
	pipelineFromV2,
	stageFromV2,
	type Mode,
} from './input';
import type { Limits } from './limits';
import type { ResolvedOptions } from './options';
import { parseSearch, searchDeals, searchItem, searchOrganizations, searchPersons, type Hit, type SearchEntity } from './search';
import { decodeCursor, encodeCursor, type SortDirection, type SortField, type Table } from './store';
import { parseQueryTime, parseV1Time, v1Time } from './time';
import { renderWebhook, type Webhooks } from './webhooks';

type Handler = (req: SandboxRequest, auth: AuthContext) => SandboxResponse;

interface RenderParams {
	only: Set<string> | null;
	include: string[];
}

export interface AccountState {
	/** false → every API call answers 402 (trial expired / payment needed). */
	open: boolean;
}

const ok = (data: unknown, additional?: unknown): SandboxResponse => ({
	status: 200,
	body: additional === undefined ? { success: true, data } : { success: true, data, additional_data: additional },
});

const INCLUDE_FIELDS: Record<'person' | 'organization' | 'deal', string[]> = {
	person: [
		'next_activity_id',
		'last_activity_id',
		'open_deals_count',
		'related_open_deals_count',
		'closed_deals_count',
		'related_closed_deals_count',
		'participant_open_deals_count',
		'participant_closed_deals_count',
		'email_messages_count',
		'activities_count',
		'done_activities_count',
		'undone_activities_count',
		'files_count',
		'notes_count',
		'followers_count',
		'won_deals_count',
		'related_won_deals_count',
		'lost_deals_count',
		'related_lost_deals_count',
		'last_incoming_mail_time',
		'last_outgoing_mail_time',
		'marketing_status',
		'doi_status',
	],
	organization: [
		'next_activity_id',
		'last_activity_id',
		'open_deals_count',
		'related_open_deals_count',
		'closed_deals_count',
		'related_closed_deals_count',
		'email_messages_count',
		'people_count',
		'activities_count',
		'done_activities_count',
		'undone_activities_count',
		'files_count',
		'notes_count',
		'followers_count',
		'won_deals_count',
		'related_won_deals_count',
		'lost_deals_count',
		'related_lost_deals_count',
	],
	deal: [
		'next_activity_id',
		'last_activity_id',
		'first_won_time',
		'products_count',
		'files_count',
		'notes_count',
		'followers_count',
		'email_messages_count',
		'activities_count',
		'done_activities_count',
		'undone_activities_count',
		'participants_count',
		'last_incoming_mail_time',
		'last_outgoing_mail_time',
		'smart_bcc_email',
	],
};

/** OAuth scopes per route family (any one suffices), from the specs' `security` blocks. */
const SCOPES = {
	contactsRead: ['contacts:read', 'contacts:full'],
	contactsWrite: ['contacts:full'],
	dealsRead: ['deals:read', 'deals:full'],
	dealsWrite: ['deals:full'],
	contactsSearch: ['contacts:read', 'contacts:full', 'search:read'],
	dealsSearch: ['deals:read', 'deals:full', 'search:read'],
	pipelinesRead: ['deals:read', 'deals:full', 'admin'],
	admin: ['admin'],
	personFieldsRead: ['contacts:read', 'contacts:full', 'admin'],
	dealFieldsRead: ['deals:read', 'deals:full', 'admin'],
	recents: ['recents:read', 'search:read'],
	base: ['base'],
	users: ['users:read'],
};

function intParam(name: string, v: string | null): number | undefined {
	if (v === null) return undefined;
	if (!/^\d+$/.test(v)) throw validationError(name, 'must be an integer');
	return Number(v);
}

function idParam(req: SandboxRequest): number {
	const id = intParam('id', req.params.id ?? null);
	if (id === undefined) throw validationError('id', 'is required');
	return id;
}

function bodyObject(req: SandboxRequest): Json {
	const b = req.json<unknown>();
	if (typeof b !== 'object' || b === null || Array.isArray(b)) throw validationError('body', 'must be a JSON object');
	return b as Json;
}

/** v1 accepts JSON and form-encoded bodies. */
function bodyV1(req: SandboxRequest): Json {
	const ct = (req.headers['content-type'] ?? '').toLowerCase();
	if (ct.startsWith('application/x-www-form-urlencoded')) {
		const out: Json = {};
		for (const [k, v] of new URLSearchParams(req.text())) out[k] = v;
		return out;
	}
	return bodyObject(req);
}

function limitParam(q: URLSearchParams, max = 500): number {
	const raw = q.get('limit');
	if (raw === null) return 100;
	if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > max) throw validationError('limit', `must be an integer between 1 and ${max}`);
	return Number(raw);
}

/** v1 offset paging: `start` ≥ 0, `limit` capped at 500 (v1 caps rather than failing). */
function offsetParams(q: URLSearchParams): { start: number; limit: number } {
	const start = Number(q.get('start') ?? '0');
	const limitRaw = Number(q.get('limit') ?? '100');
	if (!Number.isInteger(start) || start < 0) throw badRequest('Invalid start parameter');
	const limit = Number.isInteger(limitRaw) && limitRaw > 0 ? Math.min(limitRaw, 500) : 100;
	return { start, limit };
}

function pagination(start: number, limit: number, more: boolean): Json {
	return more ? { start, limit, more_items_in_collection: true, next_start: start + limit } : { start, limit, more_items_in_collection: false };
}

function offsetCursor(offset: number): string {
	return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function readOffsetCursor(cursor: string | null): number {
	if (cursor === null) return 0;
	try {
		const v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { offset?: unknown };
		if (typeof v.offset === 'number' && Number.isInteger(v.offset) && v.offset >= 0) return v.offset;
	} catch {
		// fall through
	}
	throw validationError('cursor', 'is invalid');
}

export class PipedriveApi {
	constructor(
		private readonly ctx: VendorContext,
		private readonly opts: ResolvedOptions,
		private readonly company: Company,
		private readonly auth: Auth,
		private readonly limits: Limits,
		private readonly webhooks: Webhooks,
		private readonly account: AccountState,
	) {}

	/** Auth → scope → account status → rate limits → handler; rate-limit headers ride on every answer. */
	private guard(name: string, scopes: string[] | undefined, handler: Handler): (req: SandboxRequest) => SandboxResponse {
		return (req) => {
			let headers: Record<string, string> = {};
			try {
				const auth = this.auth.authenticate(req);
				this.auth.requireScopes(auth, scopes);
				if (!this.account.open) throw apiError(402, 'Company account is not open (possible reason: trial expired or payment needed)');
				const outcome = this.limits.check(auth, { cost: this.opts.tokenCosts[name] ?? 0, search: name.endsWith('.search'), method: req.method });
				if (!outcome.ok) return outcome.response;
				headers = outcome.headers;
				const res = handler(req, auth);
				return { ...res, headers: { ...headers, ...(res.headers ?? {}) } };
			} catch (err) {
				let res: SandboxResponse;
				if (err instanceof PipedriveHttpError) res = err.toResponse();
				else if (err instanceof BodyParseError) res = badJsonResponse(err);
				else throw err;
				return { ...res, headers: { ...headers, ...(res.headers ?? {}) } };
			}
		};
	}

	register(r: Router): void {
		const api = (method: string, pattern: string, name: string, scopes: string[] | undefined, h: Handler) => r.add(method, pattern, name, this.guard(name, scopes, h));

		// ---- OAuth server (oauth.pipedrive.com) -------------------------------------------------------------
		r.get('/oauth/authorize', 'oauth.authorize', (req) => this.auth.authorize(req));
		r.post('/oauth/token', 'oauth.token', (req) => this.auth.token(req, this.ctx.baseUrl));
		r.post('/oauth/revoke', 'oauth.revoke', (req) => this.auth.revoke(req));

		// ---- v2 -------------------------------------------------------------------------------------------
		const v2 = '/api/v2';
		api('GET', `${v2}/persons/search`, 'v2.persons.search', SCOPES.contactsSearch, (req) => this.searchV2('person', req));
		api('GET', `${v2}/persons`, 'v2.persons.list', SCOPES.contactsRead, (req) => this.listV2('person', req));
		api('POST', `${v2}/persons`, 'v2.persons.create', SCOPES.contactsWrite, (req, a) => this.createV2('person', req, a));
		api('GET', `${v2}/persons/:id`, 'v2.persons.get', SCOPES.contactsRead, (req) => this.getV2('person', req));
		api('PATCH', `${v2}/persons/:id`, 'v2.persons.update', SCOPES.contactsWrite, (req, a) => this.updateV2('person', req, a));
		api('DELETE', `${v2}/persons/:id`, 'v2.persons.delete', SCOPES.contactsWrite, (req, a) => this.deleteV2('person', req, a));

		api('GET', `${v2}/organizations/search`, 'v2.organizations.search', SCOPES.contactsSearch, (req) => this.searchV2('organization', req));
		api('GET', `${v2}/organizations`, 'v2.organizations.list', SCOPES.contactsRead, (req) => this.listV2('organization', req));
		api('POST', `${v2}/organizations`, 'v2.organizations.create', SCOPES.contactsWrite, (req, a) => this.createV2('organization', req, a));
		api('GET', `${v2}/organizations/:id`, 'v2.organizations.get', SCOPES.contactsRead, (req) => this.getV2('organization', req));
		api('PATCH', `${v2}/organizations/:id`, 'v2.organizations.update', SCOPES.contactsWrite, (req, a) => this.updateV2('organization', req, a));
		api('DELETE', `${v2}/organizations/:id`, 'v2.organizations.delete', SCOPES.contactsWrite, (req, a) => this.deleteV2('organization', req, a));

		api('GET', `${v2}/deals/search`, 'v2.deals.search', SCOPES.dealsSearch, (req) => this.searchV2('deal', req));
		api('GET', `${v2}/deals/archived`, 'v2.deals.archived', SCOPES.dealsRead, (req) => this.listV2('deal', req, true));
		api('GET', `${v2}/deals`, 'v2.deals.list', SCOPES.dealsRead, (req) => this.listV2('deal', req));
		api('POST', `${v2}/deals`, 'v2.deals.create', SCOPES.dealsWrite, (req, a) => this.createV2('deal', req, a));
		api('GET', `${v2}/deals/:id`, 'v2.deals.get', SCOPES.dealsRead, (req) => this.getV2('deal', req));
		api('PATCH', `${v2}/deals/:id`, 'v2.deals.update', SCOPES.dealsWrite, (req, a) => this.updateV2('deal', req, a));
		api('DELETE', `${v2}/deals/:id`, 'v2.deals.delete', SCOPES.dealsWrite, (req, a) => this.deleteV2('deal', req, a));

		api('GET', `${v2}/itemSearch`, 'v2.itemSearch.search', ['search:read'], (req) => this.itemSearch(req));

		api('GET', `${v2}/stages`, 'v2.stages.list', SCOPES.pipelinesRead, (req) => this.listV2('stage', req));
		api('POST', `${v2}/stages`, 'v2.stages.create', SCOPES.admin, (req, a) => this.createV2('stage', req, a));
		api('GET', `${v2}/stages/:id`, 'v2.stages.get', SCOPES.pipelinesRead, (req) => this.getV2('stage', req));
		api('PATCH', `${v2}/stages/:id`, 'v2.stages.update', SCOPES.admin, (req, a) => this.updateV2('stage', req, a));
		api('DELETE', `${v2}/stages/:id`, 'v2.stages.delete', SCOPES.admin, (req, a) => this.deleteV2('stage', req, a));

		api('GET', `${v2}/pipelines`, 'v2.pipelines.list', SCOPES.pipelinesRead, (req) => this.listV2('pipeline', req));
		api('POST', `${v2}/pipelines`, 'v2.pipelines.create', SCOPES.admin, (req, a) => this.createV2('pipeline', req, a));
		api('GET', `${v2}/pipelines/:id`, 'v2.pipelines.get', SCOPES.pipelinesRead, (req) => this.getV2('pipeline', req));
		api('PATCH', `${v2}/pipelines/:id`, 'v2.pipelines.update', SCOPES.admin, (req, a) => this.updateV2('pipeline', req, a));
		api('DELETE', `${v2}/pipelines/:id`, 'v2.pipelines.delete', SCOPES.admin, (req, a) => this.deleteV2('pipeline', req, a));

		api('GET', `${v2}/personFields`, 'v2.personFields.list', SCOPES.personFieldsRead, (req) => this.fieldsV2('person', req));
		api('GET', `${v2}/organizationFields`, 'v2.organizationFields.list', SCOPES.personFieldsRead, (req) => this.fieldsV2('organization', req));
		api('GET', `${v2}/dealFields`, 'v2.dealFields.list', SCOPES.dealFieldsRead, (req) => this.fieldsV2('deal', req));

		// ---- v1 (both /api/v1 and the older /v1 prefix) ----------------------------------------------------
		for (const v1 of ['/api/v1', '/v1']) {
			for (const [path, entity, read, write, search] of [
				['persons', 'person', SCOPES.contactsRead, SCOPES.contactsWrite, SCOPES.contactsSearch],
				['organizations', 'organization', SCOPES.contactsRead, SCOPES.contactsWrite, SCOPES.contactsSearch],
				['deals', 'deal', SCOPES.dealsRead, SCOPES.dealsWrite, SCOPES.dealsSearch],
			] as Array<[string, SearchEntity, string[], string[], string[]]>) {
				api('GET', `${v1}/${path}/search`, `v1.${path}.search`, search, (req) => this.searchV1(entity, req));
				api('GET', `${v1}/${path}`, `v1.${path}.list`, read, (req) => this.listV1(entity, req));
				api('POST', `${v1}/${path}`, `v1.${path}.create`, write, (req, a) => this.createV1(entity, req, a));
				api('GET', `${v1}/${path}/:id`, `v1.${path}.get`, read, (req) => this.getV1(entity, req));
				api('PUT', `${v1}/${path}/:id`, `v1.${path}.update`, write, (req, a) => this.updateV1(entity, req, a));
				api('DELETE', `${v1}/${path}/:id`, `v1.${path}.delete`, write, (req, a) => this.deleteV1(entity, req, a));
			}
			api('PUT', `${v1}/persons/:id/merge`, 'v1.persons.merge', SCOPES.contactsWrite, (req, a) => this.mergePersons(req, a));
			for (const [path, entity, read] of [
				['personFields', 'person', SCOPES.personFieldsRead],
				['organizationFields', 'organization', SCOPES.personFieldsRead],
				['dealFields', 'deal', SCOPES.dealFieldsRead],
			] as Array<[string, EntityKind, string[]]>) {
				api('GET', `${v1}/${path}`, `v1.${path}.list`, read, (req) => this.fieldsV1(entity, req));
				api('POST', `${v1}/${path}`, `v1.${path}.create`, SCOPES.admin, (req) => this.fieldCreate(entity, req));
				api('GET', `${v1}/${path}/:id`, `v1.${path}.get`, read, (req) => this.fieldGet(entity, req));
				api('PUT', `${v1}/${path}/:id`, `v1.${path}.update`, SCOPES.admin, (req) => this.fieldUpdate(entity, req));
				api('DELETE', `${v1}/${path}/:id`, `v1.${path}.delete`, SCOPES.admin, (req) => this.fieldDelete(entity, req));
			}
			api('GET', `${v1}/recents`, 'v1.recents', SCOPES.recents, (req) => this.recents(req));
			api('GET', `${v1}/users/me`, 'v1.users.me', SCOPES.base, (_req, a) => ok(this.userMe(a.userId)));
			api('GET', `${v1}/users`, 'v1.users.list', SCOPES.users, () => ok(this.company.users.map((u) => this.userV1(u.id, false))));
			api('GET', `${v1}/webhooks`, 'v1.webhooks.list', SCOPES.admin, () => ({
				status: 200,
				body: { status: 'ok', success: true, data: [...this.webhooks.subs.values()].map((s) => renderWebhook(s, this.opts.credentials.companyId)) },
			}));
			api('POST', `${v1}/webhooks`, 'v1.webhooks.create', SCOPES.admin, (req, a) => this.webhookCreate(req, a));
			api('DELETE', `${v1}/webhooks/:id`, 'v1.webhooks.delete', SCOPES.admin, (req) => this.webhookDelete(req));
		}
	}

	// ---- helpers -------------------------------------------------------------------------------------------

	private table(entity: EntityName): Table<AnyRow> {
		return this.company.tableOf(entity);
	}

	/** Reads `custom_fields` (≤ 15 keys) and `include_fields` once per request. */
	private renderParams(entity: EntityName, q?: URLSearchParams): RenderParams {
		const out: RenderParams = { only: null, include: [] };
		if (!q || entity === 'stage' || entity === 'pipeline') return out;
		const kind = entity as 'person' | 'organization' | 'deal';
		const cf = q.get('custom_fields');
		if (cf !== null) {
			const keys = cf.split(',').map((k) => k.trim()).filter(Boolean);
			if (keys.length > 15) throw validationError('custom_fields', 'a maximum of 15 keys is allowed');
			out.only = new Set(keys);
		}
		const inc = q.get('include_fields');
		if (inc !== null) {
			out.include = inc.split(',').map((k) => k.trim()).filter(Boolean);
			for (const f of out.include) if (!INCLUDE_FIELDS[kind].includes(f)) throw validationError('include_fields', `${f} is not a valid value`);
		}
		return out;
	}

	private render(entity: EntityName, row: AnyRow, params: RenderParams = { only: null, include: [] }, defs?: FieldDef[]): Json {
		const c = this.company;
		if (entity === 'stage') return c.stageV2(row as StageRow);
		if (entity === 'pipeline') return c.pipelineV2(row as PipelineRow);
		const d = defs ?? c.fields.custom(entity as EntityKind);
		if (entity === 'person') return c.personV2(row as PersonRow, d, params.only, params.include);
		if (entity === 'organization') return c.orgV2(row as OrgRow, d, params.only, params.include);
		return c.dealV2(row as DealRow, d, params.only, params.include);
	}

	// ---- v2 handlers ---------------------------------------------------------------------------------------

	private listV2(entity: EntityName, req: SandboxRequest, archived = false): SandboxResponse {
		const q = req.query;
		const limit = limitParam(q);
		const sortFields: SortField[] = entity === 'stage' ? ['id', 'update_time', 'add_time', 'order_nr'] : ['id', 'update_time', 'add_time'];
		const sortBy = (q.get('sort_by') ?? 'id') as SortField;
		if (!sortFields.includes(sortBy)) throw validationError('sort_by', `must be one of ${sortFields.join(', ')}`);
		const direction = (q.get('sort_direction') ?? 'asc') as SortDirection;
		if (direction !== 'asc' && direction !== 'desc') throw validationError('sort_direction', 'must be one of asc, desc');
		const cursorRaw = q.get('cursor');
		const cursor = cursorRaw === null || cursorRaw === '' ? null : decodeCursor(cursorRaw);
		if (cursorRaw && (!cursor || cursor.field !== sortBy || cursor.sortDirection !== direction)) throw validationError('cursor', 'is invalid');
		let since: number | undefined;
		let until: number | undefined;
		if (entity === 'person' || entity === 'organization' || entity === 'deal') {
			const s = q.get('updated_since');
			if (s !== null) {
				const ms = parseQueryTime(s);
				if (ms === null) throw validationError('updated_since', 'This value is not a valid datetime.');
				since = ms;
			}
			const u = q.get('updated_until');
			if (u !== null) {
				const ms = parseQueryTime(u);
				if (ms === null) throw validationError('updated_until', 'This value is not a valid datetime.');
				until = ms;
			}
		}
		if (q.get('filter_id') !== null) {
			const f = intParam('filter_id', q.get('filter_id'));
			throw apiError(404, `Filter ${f} not found`);
		}
		let ids: Set<number> | null = null;
		const idsRaw = q.get('ids');
		if (idsRaw !== null) {
			const list = idsRaw.split(',').filter(Boolean);
			if (list.length > 100) throw validationError('ids', 'a maximum of 100 ids is allowed');
			ids = new Set(list.map((x) => intParam('ids', x.trim())!));
		}
		const owner = intParam('owner_id', q.get('owner_id'));
		const org = entity === 'person' || entity === 'deal' ? intParam('org_id', q.get('org_id')) : undefined;
		const person = entity === 'deal' ? intParam('person_id', q.get('person_id')) : undefined;
		const pipeline = entity === 'deal' || entity === 'stage' ? intParam('pipeline_id', q.get('pipeline_id')) : undefined;
		const stage = entity === 'deal' ? intParam('stage_id', q.get('stage_id')) : undefined;
		let statuses: Set<string> | null = null;
		if (entity === 'deal' && q.get('status') !== null) {
			statuses = new Set(q.get('status')!.split(','));
			for (const s of statuses) if (!['open', 'won', 'lost', 'deleted'].includes(s)) throw validationError('status', 'must be one of open, won, lost, deleted');
		}
		const params = this.renderParams(entity, q);
		const c = this.company;
		const filter = (row: AnyRow): boolean => {
			if (c.isPurged(row)) return false;
			if (ids && !ids.has(row.id)) return false;
			if (since !== undefined && row.updateTime < since) return false;
			if (until !== undefined && row.updateTime >= until) return false;
			if (entity === 'deal') {
				const d = row as DealRow;
				if (d.isArchived !== archived) return false;
				if (statuses) {
					if (!statuses.has(d.deleted ? 'deleted' : d.status)) return false;
				} else if (d.deleted) return false;
				if (owner !== undefined && d.ownerId !== owner) return false;
				if (org !== undefined && d.orgId !== org) return false;
				if (person !== undefined && d.personId !== person) return false;
				if (pipeline !== undefined && d.pipelineId !== pipeline) return false;
				if (stage !== undefined && d.stageId !== stage) return false;
				return true;
			}
			if (row.deleted) return false;
			if (entity === 'person') {
				const p = row as PersonRow;
				if (owner !== undefined && p.ownerId !== owner) return false;
				if (org !== undefined && p.orgId !== org) return false;
			} else if (entity === 'organization') {
				if (owner !== undefined && (row as OrgRow).ownerId !== owner) return false;
			} else if (entity === 'stage') {
				if (pipeline !== undefined && (row as StageRow).pipelineId !== pipeline) return false;
			}
			return true;
		};
		const page = this.table(entity).page({ sortBy, direction, cursor, limit, filter, since, until }, entity === 'stage' ? (r) => (r as StageRow).orderNr : undefined);
		const defs = entity === 'stage' || entity === 'pipeline' ? [] : c.fields.custom(entity);
		return ok(
			page.rows.map((row) => this.render(entity, row, params, defs)),
			{ next_cursor: page.next ? encodeCursor(page.next) : null },
		);
	}

	private getV2(entity: EntityName, req: SandboxRequest): SandboxResponse {
		const row = this.company.find(this.table(entity), idParam(req));
		if (!row) throw notFound(ENTITY_LABEL[entity]);
		return ok(this.render(entity, row, this.renderParams(entity, req.query)));
	}

	private createV2(entity: EntityName, req: SandboxRequest, auth: AuthContext): SandboxResponse {
		const row = this.create(entity, bodyObject(req), 'v2', auth.userId, 'api');
		return ok(this.render(entity, row));
	}

	private updateV2(entity: EntityName, req: SandboxRequest, auth: AuthContext): SandboxResponse {
		const id = idParam(req);
		const row = this.company.live(this.table(entity), id);
		if (!row) throw notFound(ENTITY_LABEL[entity]);
		this.update(entity, row, bodyObject(req), 'v2', auth.userId, 'api');
		return ok(this.render(entity, row));
	}

	private deleteV2(entity: EntityName, req: SandboxRequest, auth: AuthContext): SandboxResponse {
		const id = idParam(req);
		const row = this.company.live(this.table(entity), id);
		if (!row) throw notFound(ENTITY_LABEL[entity]);
		this.remove(entity, row, auth.userId, 'api');
		return ok({ id });
	}

	/** Creates through the same validation for API (v1/v2) and app edits; emits the `create` webhook. */
	create(entity: EntityName, body: Json, version: 'v1' | 'v2', userId: number, source: ChangeSource): AnyRow {
		const c = this.company;
		const mode: Mode = 'create';
		switch (entity) {
			case 'person': {
				const p = version === 'v2' ? personFromV2(c, body, mode) : personFromV1(c, body, mode);
				return c.created('person', newPerson(c, c.persons.allocateId(), p, userId), source, userId);
			}
			case 'organization': {
				const p = version === 'v2' ? orgFromV2(c, body, mode) : orgFromV1(c, body, mode);
				return c.created('organization', newOrg(c, c.organizations.allocateId(), p, userId), source, userId);
			}
			case 'deal': {
				const p = version === 'v2' ? dealFromV2(c, body, mode) : dealFromV1(c, body, mode);
				if (this.opts.openDealsLimit !== null && (p.status ?? 'open') === 'open') {
					let open = 0;
					for (const d of c.deals.byId.values()) if (!d.deleted && d.status === 'open') open++;
					if (open >= this.opts.openDealsLimit) throw apiError(403, "Couldn't add the deal. Open deals limit reached.", { code: 'feature_capping_deals_limit' });
				}
				const row = newDeal(c, 0, p, userId);
				row.id = c.deals.allocateId();
				return c.created('deal', row, source, userId);
			}
			case 'stage': {
				const p = stageFromV2(c, body, mode);
				let order = 0;
				for (const s of c.stages.values()) if (!s.deleted && s.pipelineId === p.pipelineId) order = Math.max(order, s.orderNr);
				const t = c.stamp();
				const row: StageRow = {
					id: c.stages.allocateId(),
					addTime: t,
					updateTime: t,
					deleted: false,
					deleteTime: null,
					name: p.name!,
					pipelineId: p.pipelineId!,
					orderNr: order + 1,
					dealProbability: p.dealProbability ?? 100,
					rotEnabled: p.rotEnabled ?? false,
					daysToRotten: p.daysToRotten ?? null,
				};
				return c.created('stage', row, source, userId);
			}
			default: {
				const p = pipelineFromV2(body, mode);
				let order = 0;
				for (const x of c.pipelines.values()) if (!x.deleted) order = Math.max(order, x.orderNr);
				const t = c.stamp();
				const row: PipelineRow = { id: c.pipelines.allocateId(), addTime: t, updateTime: t, deleted: false, deleteTime: null, name: p.name!, orderNr: order + 1, probabilityEnabled: p.probabilityEnabled ?? false, isSelected: false };
				return c.created('pipeline', row, source, userId);
			}
		}
	}

	/** Validates the whole patch before touching the row, then applies it and emits `change`. */
	update(entity: EntityName, row: AnyRow, body: Json, version: 'v1' | 'v2', userId: number, source: ChangeSource): void {
		const c = this.company;
		const mode: Mode = 'update';
		switch (entity) {
			case 'person': {
				const p = version === 'v2' ? personFromV2(c, body, mode) : personFromV1(c, body, mode);
				c.update('person', row as PersonRow, (r) => applyPerson(r, p), source, userId);
				return;
			}
			case 'organization': {
				const p = version === 'v2' ? orgFromV2(c, body, mode) : orgFromV1(c, body, mode);
				c.update('organization', row as OrgRow, (r) => applyOrg(r, p), source, userId);
				return;
			}
			case 'deal': {
				const p = version === 'v2' ? dealFromV2(c, body, mode) : dealFromV1(c, body, mode);
				const now = c.now();
				// Dry run on a copy: rule violations (lost_reason on an open deal, …) must not half-apply.
				applyDeal(c, structuredClone(row as DealRow), p, now);
				c.update('deal', row as DealRow, (r) => applyDeal(c, r, p, now), source, userId);
				return;
			}
			case 'stage': {
				const p = stageFromV2(c, body, mode);
				c.update('stage', row as StageRow, (r) => {
					if (p.name !== undefined) r.name = p.name;
					if (p.pipelineId !== undefined) r.pipelineId = p.pipelineId;
					if (p.dealProbability !== undefined) r.dealProbability = p.dealProbability;
					if (p.rotEnabled !== undefined) r.rotEnabled = p.rotEnabled;
					if (p.daysToRotten !== undefined) r.daysToRotten = p.daysToRotten;
				}, source, userId);
				return;
			}
			default: {
				const p = pipelineFromV2(body, mode);
				c.update('pipeline', row as PipelineRow, (r) => {
					if (p.name !== undefined) r.name = p.name;
					if (p.probabilityEnabled !== undefined) r.probabilityEnabled = p.probabilityEnabled;
				}, source, userId);
			}
		}
	}

	remove(entity: EntityName, row: AnyRow, userId: number, source: ChangeSource): void {
		const c = this.company;
		c.remove(entity, row, source, userId);
		// A deleted pipeline takes its stages with it.
		if (entity === 'pipeline') for (const s of c.stages.values()) if (!s.deleted && s.pipelineId === row.id) c.remove('stage', s, source, userId);
	}

	private searchV2(entity: SearchEntity, req: SandboxRequest): SandboxResponse {
		const params = parseSearch(entity, req.query);
		const limit = limitParam(req.query);
		const offset = readOffsetCursor(req.query.get('cursor') || null);
		const hits = this.runSearch(entity, params);
		const page = hits.slice(offset, offset + limit);
		return ok(
			{ items: page.map((h) => ({ result_score: h.score, item: searchItem(this.company, entity, h) })) },
			{ next_cursor: offset + limit < hits.length ? offsetCursor(offset + limit) : null },
		);
	}

	/** `GET /api/v2/itemSearch`: persons, organizations and deals in one ranked list (other item types have no data here). */
	private itemSearch(req: SandboxRequest): SandboxResponse {
		const q = req.query;
		const allTypes = ['deal', 'person', 'organization', 'product', 'lead', 'file', 'mail_attachment', 'project'];
		const types = (q.get('item_types') ?? allTypes.join(',')).split(',').map((t) => t.trim()).filter(Boolean);
		for (const t of types) if (!allTypes.includes(t)) throw validationError('item_types', `${t} is not a valid value`);
		const allFields = ['address', 'code', 'custom_fields', 'email', 'name', 'notes', 'phone', 'title', 'description'];
		const fieldsRaw = q.get('fields');
		const wanted = fieldsRaw ? fieldsRaw.split(',').map((f) => f.trim()).filter(Boolean) : null;
		if (wanted) for (const f of wanted) if (!allFields.includes(f)) throw validationError('fields', `${f} is not a valid value`);
		const base = new URLSearchParams();
		base.set('term', q.get('term') ?? '');
		if (q.get('term') === null) base.delete('term');
		if (q.get('exact_match') !== null) base.set('exact_match', q.get('exact_match')!);
		const limit = limitParam(q);
		const offset = readOffsetCursor(q.get('cursor') || null);
		const hits: Array<{ entity: SearchEntity; hit: Hit }> = [];
		for (const entity of ['deal', 'person', 'organization'] as SearchEntity[]) {
			const params = parseSearch(entity, base);
			if (!types.includes(entity)) continue;
			if (wanted) params.fields = new Set([...params.fields].filter((f) => wanted.includes(f)));
			if (params.fields.size === 0) continue;
			for (const hit of this.runSearch(entity, params)) hits.push({ entity, hit });
		}
		hits.sort((a, b) => b.hit.score - a.hit.score || a.hit.id - b.hit.id);
		const page = hits.slice(offset, offset + limit);
		return ok(
			{ items: page.map(({ entity, hit }) => ({ result_score: hit.score, item: searchItem(this.company, entity, hit) })), related_items: [] },
			{ next_cursor: offset + limit < hits.length ? offsetCursor(offset + limit) : null },
		);
	}

	private runSearch(entity: SearchEntity, params: ReturnType<typeof parseSearch>): Hit[] {
		if (entity === 'person') return searchPersons(this.company, params);
		if (entity === 'organization') return searchOrganizations(this.company, params);
		return searchDeals(this.company, params);
	}

	private fieldsV2(entity: EntityKind, req: SandboxRequest): SandboxResponse {
		const limit = limitParam(req.query);
		const offset = readOffsetCursor(req.query.get('cursor') || null);
		const all = this.company.fields.list(entity);
		return ok(
			all.slice(offset, offset + limit).map((f) => renderFieldV2(f)),
			{ next_cursor: offset + limit < all.length ? offsetCursor(offset + limit) : null },
		);
	}

	// ---- v1 handlers ---------------------------------------------------------------------------------------

	private relatedObjects(entity: EntityName, rows: AnyRow[]): Json {
		const users: Json = {};
		const orgs: Json = {};
		const persons: Json = {};
		for (const row of rows) {
			const r = row as Partial<PersonRow & DealRow>;
			if (typeof r.ownerId === 'number') users[r.ownerId] = this.userRef(r.ownerId);
			if (typeof r.orgId === 'number') {
				const o = this.company.organizations.get(r.orgId);
				if (o) {
					const ref = this.company.orgRefV1(o.id)!;
					orgs[o.id] = { id: o.id, name: ref.name, people_count: ref.people_count, owner_id: ref.owner_id, address: ref.address, active_flag: ref.active_flag, cc_email: ref.cc_email };
				}
			}
			if (entity === 'deal' && typeof r.personId === 'number') {
				const p = this.company.persons.get(r.personId);
				if (p) persons[p.id] = { id: p.id, name: p.name, active_flag: !p.deleted, email: this.company.contactsV1(p.emails), phone: this.company.contactsV1(p.phones), owner_id: p.ownerId };
			}
		}
		const out: Json = { user: users };
		if (Object.keys(orgs).length) out.organization = orgs;
		if (Object.keys(persons).length) out.person = persons;
		return out;
	}

	private userRef(id: number): Json {
		const u = this.company.user(id);
		return { id, name: u?.name ?? 'Unknown user', email: u?.email ?? '', has_pic: 0, pic_hash: null, active_flag: true };
	}

	private listV1(entity: SearchEntity, req: SandboxRequest): SandboxResponse {
		const q = req.query;
		const { start, limit } = offsetParams(q);
		let sortBy: SortField = 'id';
		let direction: SortDirection = 'asc';
		const sort = q.get('sort');
		if (sort) {
			const [field, dir] = sort.split(',')[0].trim().split(/\s+/);
			if (field === 'id' || field === 'update_time' || field === 'add_time') sortBy = field;
			if (dir && dir.toUpperCase() === 'DESC') direction = 'desc';
		}
		const user = intParam('user_id', q.get('user_id'));
		const firstChar = q.get('first_char')?.toLowerCase();
		const status = entity === 'deal' ? (q.get('status') ?? 'all_not_deleted') : null;
		const stage = entity === 'deal' ? intParam('stage_id', q.get('stage_id')) : undefined;
		const c = this.company;
		const filter = (row: AnyRow): boolean => {
			if (c.isPurged(row)) return false;
			if (entity === 'deal') {
				const d = row as DealRow;
				if (status === 'deleted') {
					if (!d.deleted) return false;
				} else if (d.deleted) return false;
				else if (status !== 'all_not_deleted' && d.status !== status) return false;
				if (stage !== undefined && d.stageId !== stage) return false;
				if (user !== undefined && d.ownerId !== user) return false;
				return true;
			}
			if (row.deleted) return false;
			const named = row as PersonRow | OrgRow;
			if (user !== undefined && named.ownerId !== user) return false;
			if (firstChar && named.name.trim().charAt(0).toLowerCase() !== firstChar) return false;
			return true;
		};
		const page = this.table(entity).page({ sortBy, direction, cursor: null, limit: start + limit, filter });
		const rows = page.rows.slice(start);
		return {
			status: 200,
			body: {
				success: true,
				// v1 sends null rather than [] when a list is empty.
				data: rows.length ? rows.map((r) => c.renderV1(entity, r)) : null,
				additional_data: { pagination: pagination(start, limit, page.next !== null) },
				related_objects: this.relatedObjects(entity, rows),
			},
		};
	}

	private getV1(entity: SearchEntity, req: SandboxRequest): SandboxResponse {
		const row = this.company.find(this.table(entity), idParam(req));
		if (!row) throw notFound(ENTITY_LABEL[entity]);
		return { status: 200, body: { success: true, data: this.company.renderV1(entity, row), additional_data: {}, related_objects: this.relatedObjects(entity, [row]) } };
	}

	private createV1(entity: SearchEntity, req: SandboxRequest, auth: AuthContext): SandboxResponse {
		const row = this.create(entity, bodyV1(req), 'v1', auth.userId, 'api');
		return { status: 201, body: { success: true, data: this.company.renderV1(entity, row), related_objects: this.relatedObjects(entity, [row]) } };
	}

	private updateV1(entity: SearchEntity, req: SandboxRequest, auth: AuthContext): SandboxResponse {
		const row = this.company.live(this.table(entity), idParam(req));
		if (!row) throw notFound(ENTITY_LABEL[entity]);
		this.update(entity, row, bodyV1(req), 'v1', auth.userId, 'api');
		return { status: 200, body: { success: true, data: this.company.renderV1(entity, row), related_objects: this.relatedObjects(entity, [row]) } };
	}

	private deleteV1(entity: SearchEntity, req: SandboxRequest, auth: AuthContext): SandboxResponse {
		const id = idParam(req);
		const row = this.company.live(this.table(entity), id);
		if (!row) throw notFound(ENTITY_LABEL[entity]);
		this.remove(entity, row, auth.userId, 'api');
		return ok({ id });
	}

	private searchV1(entity: SearchEntity, req: SandboxRequest): SandboxResponse {
		const params = parseSearch(entity, req.query);
		const { start, limit } = offsetParams(req.query);
		const hits = this.runSearch(entity, params);
		const page = hits.slice(start, start + limit);
		return ok(
			{ items: page.map((h) => ({ result_score: h.score, item: searchItem(this.company, entity, h) })) },
			{ pagination: pagination(start, limit, start + limit < hits.length) },
		);
	}

	/** `PUT /v1/persons/{id}/merge`: {id} is merged into `merge_with_id` (whose data wins), then deleted. */
	private mergePersons(req: SandboxRequest, auth: AuthContext): SandboxResponse {
		const c = this.company;
		const from = c.live(c.persons, idParam(req));
		if (!from) throw notFound('Person');
		const body = bodyV1(req);
		const intoId = Number(body.merge_with_id);
		if (!Number.isInteger(intoId)) throw badRequest('merge_with_id must be given');
		if (intoId === from.id) throw badRequest('Cannot merge a person with itself');
		const into = c.live(c.persons, intoId);
		if (!into) throw notFound('Person');
		const union = (ca: Contacts, cb: Contacts): Contacts => {
			const a = contactList(ca);
			const seen = new Set(a.map((x) => x.value.toLowerCase()));
			return compactContacts([...a.map((x) => ({ ...x })), ...contactList(cb).filter((x) => !seen.has(x.value.toLowerCase())).map((x) => ({ ...x, primary: false }))]);
		};
		c.remove('person', from, 'api', auth.userId, { mergedToId: into.id });
		c.update(
			'person',
			into,
			(r) => {
				r.emails = union(r.emails, from.emails);
				r.phones = union(r.phones, from.phones);
				r.orgId ??= from.orgId;
				r.custom = { ...from.custom, ...r.custom };
			},
			'api',
			auth.userId,
			{ mergedFromId: from.id },
		);
		// Deals follow the surviving person.
		for (const id of [...(c.dealsByPerson.get(from.id) ?? [])]) {
			const d = c.deals.get(id);
			if (d && !d.deleted) c.update('deal', d, (r) => (r.personId = into.id), 'api', auth.userId);
		}
		return ok(c.personV1(into));
	}

	private fieldsV1(entity: EntityKind, req: SandboxRequest): SandboxResponse {
		const { start, limit } = offsetParams(req.query);
		const all = this.company.fields.list(entity);
		return ok(
			all.slice(start, start + limit).map((f) => renderFieldV1(f, this.opts.credentials.userId)),
			{ pagination: pagination(start, limit, start + limit < all.length) },
		);
	}

	private fieldGet(entity: EntityKind, req: SandboxRequest): SandboxResponse {
		const def = this.company.fields.byId(entity, idParam(req));
		if (!def) throw notFound('Field');
		return ok(renderFieldV1(def, this.opts.credentials.userId));
	}

	private fieldCreate(entity: EntityKind, req: SandboxRequest): SandboxResponse {
		const b = bodyV1(req);
		if (typeof b.name !== 'string' || !b.name.trim()) throw badRequest('Field name must be given.');
		if (typeof b.field_type !== 'string' || !CUSTOM_FIELD_TYPES.includes(b.field_type as FieldType)) throw badRequest('Field type is not valid.');
		const type = b.field_type as FieldType;
		let options: string[] | null = null;
		if (type === 'enum' || type === 'set') {
			const raw = typeof b.options === 'string' ? JSON.parse(b.options) : b.options;
			if (!Array.isArray(raw) || raw.length === 0) throw badRequest('Options must be given for enum and set fields.');
			options = raw.map((o: unknown) => (typeof o === 'string' ? o : String((o as { label?: unknown }).label ?? '')));
		}
		const def = this.company.fields.add(entity, b.name, type, options);
		return ok(renderFieldV1(def, this.opts.credentials.userId));
	}

	private fieldUpdate(entity: EntityKind, req: SandboxRequest): SandboxResponse {
		const def = this.company.fields.byId(entity, idParam(req));
		if (!def) throw notFound('Field');
		if (!def.custom) throw badRequest('This field cannot be edited.');
		const b = bodyV1(req);
		const options = Array.isArray(b.options) ? (b.options as Array<{ id?: number; label: string } | string>).map((o) => (typeof o === 'string' ? { label: o } : o)) : undefined;
		this.company.fields.update(def, typeof b.name === 'string' ? b.name : undefined, options);
		return ok(renderFieldV1(def, this.opts.credentials.userId));
	}

	private fieldDelete(entity: EntityKind, req: SandboxRequest): SandboxResponse {
		const def = this.company.fields.byId(entity, idParam(req));
		if (!def) throw notFound('Field');
		if (!def.custom) throw badRequest('This field cannot be deleted.');
		this.company.fields.remove(def);
		return ok({ id: def.id });
	}

	/** `GET /v1/recents?since_timestamp=YYYY-MM-DD HH:MM:SS&items=person,organization,deal`, oldest change first. */
	private recents(req: SandboxRequest): SandboxResponse {
		const q = req.query;
		const sinceRaw = q.get('since_timestamp');
		if (sinceRaw === null) throw badRequest('since_timestamp must be given.');
		const since = parseV1Time(sinceRaw);
		if (since === null) throw badRequest('since_timestamp must be in format YYYY-MM-DD HH:MM:SS.');
		const { start, limit } = offsetParams(q);
		const allowed: SearchEntity[] = ['person', 'organization', 'deal'];
		const itemsRaw = q.get('items');
		const items = itemsRaw ? (itemsRaw.split(',').map((s) => s.trim()) as SearchEntity[]) : allowed;
		const c = this.company;
		const merged: Array<{ entity: SearchEntity; row: AnyRow }> = [];
		for (const entity of items) {
			if (!allowed.includes(entity)) continue;
			const t = this.table(entity);
			const rows = t.byUpdateTime();
			for (let i = t.updateLowerBound(since); i < rows.length; i++) if (!c.isPurged(rows[i])) merged.push({ entity, row: rows[i] });
		}
		merged.sort((a, b) => a.row.updateTime - b.row.updateTime || a.row.id - b.row.id);
		const page = merged.slice(start, start + limit);
		const last = page[page.length - 1];
		return ok(
			page.map(({ entity, row }) => ({ item: entity, id: row.id, data: c.flatV1(entity, row) })),
			{
				since_timestamp: v1Time(since),
				last_timestamp_on_page: last ? v1Time(last.row.updateTime) : null,
				pagination: pagination(start, limit, start + limit < merged.length),
			},
		);
	}

	private userV1(id: number, me: boolean): Json {
		const u = this.company.user(id) ?? { id, name: 'Unknown user', email: '' };
		const created = v1Time(this.company.now() - 400 * 86_400_000);
		const out: Json = {
			id: u.id,
			name: u.name,
			default_currency: 'USD',
			locale: 'en_US',
			lang: 1,
			email: u.email,
			phone: null,
			activated: true,
			last_login: v1Time(this.company.now()),
			created,
			modified: created,
			has_created_company: u.id === this.opts.credentials.userId,
			access: [
				{ app: 'sales', admin: true, permission_set_id: 'c8d6f0a2-4b1e-4c7a-9f3d-2e5b8a1c6d40' },
				{ app: 'global', admin: true, permission_set_id: '7e2a9c41-0d5b-4f86-b3a7-91c4e6f2d058' },
			],
			active_flag: true,
			timezone_name: 'America/Chicago',
			timezone_offset: '-05:00',
			role_id: 1,
			icon_url: null,
			is_you: me,
			is_deleted: false,
		};
		return out;
	}

	private userMe(userId: number): Json {
		const c = this.opts.credentials;
		return {
			...this.userV1(userId, true),
			company_id: c.companyId,
			company_name: c.companyName,
			company_domain: c.companyDomain,
			company_country: 'US',
			company_industry: 'Field services',
			language: { language_code: 'en', country_code: 'US' },
		};
	}

	private webhookCreate(req: SandboxRequest, auth: AuthContext): SandboxResponse {
		const b = bodyV1(req);
		const errors: Record<string, string[]> = {};
		const url = typeof b.subscription_url === 'string' ? b.subscription_url : '';
		let validUrl = false;
		try {
			const u = new URL(url);
			validUrl = u.protocol === 'http:' || u.protocol === 'https:';
		} catch {
			validUrl = false;
		}
		if (!validUrl) errors.subscription_url = ['invalid or non-reachable URL'];
		const actions = ['create', 'change', 'delete', '*', 'added', 'updated', 'deleted', 'merged'];
		const objects = ['activity', 'deal', 'lead', 'note', 'organization', 'person', 'pipeline', 'product', 'stage', 'user', '*', 'activityType'];
		if (typeof b.event_action !== 'string' || !actions.includes(b.event_action)) errors.event_action = [b.event_action === undefined ? 'is required' : 'invalid value'];
		if (typeof b.event_object !== 'string' || !objects.includes(b.event_object)) errors.event_object = [b.event_object === undefined ? 'is required' : 'invalid value'];
		if (b.name !== undefined && typeof b.name !== 'string') errors.name = ['invalid value'];
		const version = b.version === undefined ? '2.0' : b.version;
		if (version !== '1.0' && version !== '2.0') errors.version = ['invalid value'];
		if (Object.keys(errors).length) return { status: 400, body: { status: 'error', success: false, errors } };
		const userId = b.user_id === undefined ? auth.userId : Number(b.user_id);
		if (this.webhooks.countForUser(userId) >= this.opts.webhookLimitPerUser) {
			return { status: 422, body: envelope(`Webhooks limit reached. A user can have up to ${this.opts.webhookLimitPerUser} webhooks.`) };
		}
		const sub = this.webhooks.add({
			ownerId: auth.userId,
			userId,
			eventAction: b.event_action as string,
			eventObject: b.event_object as string,
			subscriptionUrl: url,
			version: version as '1.0' | '2.0',
			addTime: this.ctx.clock.now(),
			type: auth.kind === 'oauth' ? 'application' : 'general',
			httpAuthUser: typeof b.http_auth_user === 'string' && b.http_auth_user ? b.http_auth_user : null,
			httpAuthPassword: typeof b.http_auth_password === 'string' && b.http_auth_password ? b.http_auth_password : null,
			name: typeof b.name === 'string' ? b.name : '',
		});
		return { status: 201, body: { status: 'ok', success: true, data: renderWebhook(sub, this.opts.credentials.companyId) } };
	}

	private webhookDelete(req: SandboxRequest): SandboxResponse {
		const id = Number(req.params.id);
		if (!this.webhooks.subs.delete(id)) return { status: 404, body: { status: 'error', success: false, errors: { id: ['not found'] } } };
		return { status: 200, body: { status: 'ok', success: true } };
	}
}

/** Malformed JSON bodies answer in the error envelope (the exact wording of the live API is not published). */
export function badJsonResponse(err: BodyParseError): SandboxResponse {
	return { status: 400, body: envelope(`Malformed JSON in request body: ${err.message}`) };
}
