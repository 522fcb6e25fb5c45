/**
 * Associations v4 (crm-apis.md §1.7) under `/crm/v4/...` and the date-versioned `/crm/associations/{v}` and
 * `/crm/objects/{v}/{type}/{id}/associations/...`: read, PUT default and labeled, DELETE, batch
 * create/read/associate-default/archive/labels-archive, label definitions. Record ids in these answers are
 * numbers (`toObjectId`, `fromObjectId`), unlike the string ids everywhere else.
 */
import type { Router, SandboxResponse } from '../core/server';
import { api, isRecord, objectBody, wrongType, type Call } from './api';
import { fail, missingAttributes, standardError, validationError } from './errors';
import { batchEnvelope, BATCH_LIMIT } from './objects';
import { ASSOCIATION_BY_ID, ASSOCIATION_TYPES, defaultAssociationType, OBJECT_KEYS, OBJECT_TYPES, objectKeyOf, type ObjectKey } from './schema';
import type { HubspotState } from './state';

const MAX_PAGE = 500;

function typeOf(name: string, cid: string): ObjectKey {
	const key = objectKeyOf(name);
	if (!key) fail(400, { message: `Unable to infer object type from: ${name}`, correlationId: cid });
	return key;
}

function spec(typeId: number): Record<string, unknown> {
	return { category: 'HUBSPOT_DEFINED', typeId, label: ASSOCIATION_BY_ID.get(typeId)?.label ?? null };
}

function liveId(state: HubspotState, key: ObjectKey, raw: unknown): number | undefined {
	const s = raw === undefined || raw === null ? '' : String(raw);
	if (!/^\d+$/.test(s)) return undefined;
	return state.stores[key].getLive(Number(s)) ? Number(s) : undefined;
}

function invalidId(raw: unknown): Record<string, unknown> {
	return standardError('VALIDATION_ERROR', `${String(raw)} is not a valid ID`, { id: [String(raw)] }, 'crm.associations.INVALID_IDENTIFIER');
}

/** Type ids of an AssociationSpec list, each checked against the from → to pair. */
function typeIds(from: ObjectKey, to: ObjectKey, raw: unknown): number[] | string {
	if (!Array.isArray(raw) || raw.length === 0) return 'types must be a non-empty array';
	const ids: number[] = [];
	for (const t of raw) {
		const id = isRecord(t) ? Number(t.associationTypeId) : NaN;
		const def = ASSOCIATION_BY_ID.get(id);
		if (!def || def.from !== from || def.to !== to) {
			return `${isRecord(t) ? String(t.associationTypeId) : 'null'} is not a valid association type between ${from} and ${to}`;
		}
		ids.push(id);
	}
	return ids;
}

function labelsPair(state: HubspotState, from: ObjectKey, fromId: number, to: ObjectKey, toId: number): Record<string, unknown> {
	const types = state.associations.get(from, fromId, to, toId) ?? [];
	return {
		fromObjectTypeId: OBJECT_TYPES[from].typeId,
		fromObjectId: fromId,
		toObjectTypeId: OBJECT_TYPES[to].typeId,
		toObjectId: toId,
		labels: types.map((t) => ASSOCIATION_BY_ID.get(t)?.label).filter((l): l is string => typeof l === 'string'),
	};
}

function defaultPairs(fromId: number, toId: number, typeId: number): Array<Record<string, unknown>> {
	const inverse = ASSOCIATION_BY_ID.get(typeId)!.inverse;
	return [
		{ from: { id: String(fromId) }, to: { id: String(toId) }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: typeId } },
		{ from: { id: String(toId) }, to: { id: String(fromId) }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: inverse } },
	];
}

function associatedWith(state: HubspotState, from: ObjectKey, fromId: number, to: ObjectKey, after: number, limit: number): { to: unknown[]; next?: number } {
	const targets = state.associations.targets(from, fromId, to);
	if (!targets) return { to: [] };
	const ids = [...targets.keys()].sort((a, b) => a - b);
	const page = ids.slice(after, after + limit);
	return {
		to: page.map((toId) => ({ toObjectId: toId, associationTypes: targets.get(toId)!.map(spec) })),
		next: after + limit < ids.length ? after + limit : undefined,
	};
}

// ---------------------------------------------------------------- record-level routes

function list(state: HubspotState, c: Call): SandboxResponse {
	const { fromType, fromId, toType } = c.req.params;
	const from = typeOf(fromType, c.cid);
	const to = typeOf(toType, c.cid);
	const limit = Math.min(MAX_PAGE, Math.max(1, Number(c.req.query.get('limit') ?? MAX_PAGE) || MAX_PAGE));
	const after = Number(c.req.query.get('after') ?? 0) || 0;
	const id = liveId(state, from, fromId);
	const page = id === undefined ? { to: [] as unknown[] } : associatedWith(state, from, id, to, after, limit);
	const body: Record<string, unknown> = { results: page.to };
	if (page.next !== undefined) {
		const q = new URLSearchParams(c.req.query);
		q.set('after', String(page.next));
		body.paging = { next: { after: String(page.next), link: `${state.ctx.baseUrl}${c.req.path}?${q.toString()}` } };
	}
	return { status: 200, body };
}

function putDefault(state: HubspotState, c: Call): SandboxResponse {
	const startedAt = state.now();
	const { fromType, fromId, toType, toId } = c.req.params;
	const from = typeOf(fromType, c.cid);
	const to = typeOf(toType, c.cid);
	const type = defaultAssociationType(from, to);
	if (!type) validationError(`No default association type exists between ${from} and ${to}`, { subCategory: 'crm.associations.INVALID_ASSOCIATION_TYPE' });
	const a = liveId(state, from, fromId);
	const b = liveId(state, to, toId);
	if (a === undefined || b === undefined) validationError(`${a === undefined ? fromId : toId} is not a valid ID`, { subCategory: 'crm.associations.INVALID_IDENTIFIER', context: { id: [a === undefined ? fromId : toId] } });
	state.associate(from, a, to, b, [type.typeId], state.apiOrigin());
	return { status: 200, body: batchEnvelope(startedAt, state.now(), defaultPairs(a, b, type.typeId), []) };
}

function putLabeled(state: HubspotState, c: Call): SandboxResponse {
	const { fromType, fromId, toType, toId } = c.req.params;
	const from = typeOf(fromType, c.cid);
	const to = typeOf(toType, c.cid);
	const body = c.req.json<unknown>();
	if (!Array.isArray(body)) wrongType(c.req, 'array', body);
	const ids = typeIds(from, to, body);
	if (typeof ids === 'string') validationError(ids, { subCategory: 'crm.associations.INVALID_ASSOCIATION_TYPE' });
	const a = liveId(state, from, fromId);
	const b = liveId(state, to, toId);
	if (a === undefined || b === undefined) validationError(`${a === undefined ? fromId : toId} is not a valid ID`, { subCategory: 'crm.associations.INVALID_IDENTIFIER', context: { id: [a === undefined ? fromId : toId] } });
	state.associate(from, a, to, b, ids, state.apiOrigin());
	return { status: 201, body: labelsPair(state, from, a, to, b) };
}

function remove(state: HubspotState, c: Call): SandboxResponse {
	const { fromType, fromId, toType, toId } = c.req.params;
	const from = typeOf(fromType, c.cid);
	const to = typeOf(toType, c.cid);
	const a = liveId(state, from, fromId);
	const b = liveId(state, to, toId);
	if (a !== undefined && b !== undefined) state.disassociate(from, a, to, b, undefined, state.apiOrigin());
	return { status: 204 };
}

// ---------------------------------------------------------------- batch routes

function inputsOf(c: Call, typeName: string): unknown[] {
	const body = objectBody(c.req);
	if (!('inputs' in body)) missingAttributes(c.req.rawBody.length, typeName, ['inputs']);
	if (!Array.isArray(body.inputs)) wrongType(c.req, 'array', body.inputs);
	if (body.inputs.length > BATCH_LIMIT) validationError(`Batch input limit exceeded: received ${body.inputs.length} inputs, the maximum is ${BATCH_LIMIT}`);
	return body.inputs;
}

function idOf(x: unknown): unknown {
	return isRecord(x) ? x.id : undefined;
}

function batchCreate(state: HubspotState, c: Call): SandboxResponse {
	const startedAt = state.now();
	const from = typeOf(c.req.params.from, c.cid);
	const to = typeOf(c.req.params.to, c.cid);
	const results: unknown[] = [];
	const errors: unknown[] = [];
	for (const input of inputsOf(c, 'BatchInputPublicAssociationMultiPost')) {
		if (!isRecord(input)) wrongType(c.req, 'object', input);
		const rawFrom = idOf(input.from);
		const rawTo = idOf(input.to);
		if (from === to && String(rawFrom) === String(rawTo)) {
			errors.push(standardError('VALIDATION_ERROR', `Object ${String(rawFrom)} cannot be associated to itself (${String(rawTo)})`, { fromObjectId: [String(rawFrom)] }, 'crm.associations.SELF_ASSOCIATION'));
			continue;
		}
		const a = liveId(state, from, rawFrom);
		const b = liveId(state, to, rawTo);
		if (a === undefined || b === undefined) {
			errors.push(invalidId(a === undefined ? rawFrom : rawTo));
			continue;
		}
		const ids = typeIds(from, to, input.types);
		if (typeof ids === 'string') {
			errors.push(standardError('VALIDATION_ERROR', ids, { fromObjectType: [from], toObjectType: [to] }, 'crm.associations.INVALID_ASSOCIATION_TYPE'));
			continue;
		}
		state.associate(from, a, to, b, ids, state.apiOrigin());
		results.push(labelsPair(state, from, a, to, b));
	}
	return { status: errors.length ? 207 : 201, body: batchEnvelope(startedAt, state.now(), results, errors) };
}

function batchDefault(state: HubspotState, c: Call): SandboxResponse {
	const startedAt = state.now();
	const from = typeOf(c.req.params.from, c.cid);
	const to = typeOf(c.req.params.to, c.cid);
	const type = defaultAssociationType(from, to);
	if (!type) validationError(`No default association type exists between ${from} and ${to}`, { subCategory: 'crm.associations.INVALID_ASSOCIATION_TYPE' });
	const results: unknown[] = [];
	const errors: unknown[] = [];
	for (const input of inputsOf(c, 'BatchInputPublicDefaultAssociationMultiPost')) {
		if (!isRecord(input)) wrongType(c.req, 'object', input);
		const a = liveId(state, from, idOf(input.from));
		const b = liveId(state, to, idOf(input.to));
		if (a === undefined || b === undefined) {
			errors.push(invalidId(a === undefined ? idOf(input.from) : idOf(input.to)));
			continue;
		}
		state.associate(from, a, to, b, [type.typeId], state.apiOrigin());
		results.push(...defaultPairs(a, b, type.typeId));
	}
	return { status: 200, body: batchEnvelope(startedAt, state.now(), results, errors) };
}

function batchRead(state: HubspotState, c: Call): SandboxResponse {
	const startedAt = state.now();
	const from = typeOf(c.req.params.from, c.cid);
	const to = typeOf(c.req.params.to, c.cid);
	const results: unknown[] = [];
	const errors: unknown[] = [];
	const fromName = OBJECT_TYPES[from].singular;
	const toName = OBJECT_TYPES[to].singular;
	for (const input of inputsOf(c, 'BatchInputPublicFetchAssociationsBatchRequest')) {
		if (!isRecord(input) || input.id === undefined || input.id === null) missingAttributes(c.req.rawBody.length, 'PublicFetchAssociationsBatchRequest', ['id']);
		const raw = String(input.id);
		if (!/^\d+$/.test(raw)) {
			errors.push(invalidId(raw));
			continue;
		}
		const after = Number(input.after ?? 0) || 0;
		const page = associatedWith(state, from, Number(raw), to, after, MAX_PAGE);
		if (page.to.length === 0) {
			errors.push(
				standardError('OBJECT_NOT_FOUND', `No ${toName} is associated with ${fromName} ${raw}.`, { fromObjectId: [raw], fromObjectType: [fromName], toObjectType: [toName] }, 'crm.associations.NO_ASSOCIATIONS_FOUND'),
			);
			continue;
		}
		const result: Record<string, unknown> = { from: { id: raw }, to: page.to };
		if (page.next !== undefined) result.paging = { next: { after: String(page.next) } };
		results.push(result);
	}
	return { status: errors.length ? 207 : 200, body: batchEnvelope(startedAt, state.now(), results, errors) };
}

function batchArchive(state: HubspotState, c: Call): SandboxResponse {
	const from = typeOf(c.req.params.from, c.cid);
	const to = typeOf(c.req.params.to, c.cid);
	for (const input of inputsOf(c, 'BatchInputPublicAssociationMultiArchive')) {
		if (!isRecord(input)) wrongType(c.req, 'object', input);
		const a = liveId(state, from, idOf(input.from));
		const targets = Array.isArray(input.to) ? input.to : [];
		if (a === undefined) continue;
		for (const t of targets) {
			const b = liveId(state, to, idOf(t));
			if (b !== undefined) state.disassociate(from, a, to, b, undefined, state.apiOrigin());
		}
	}
	return { status: 204 };
}

function batchArchiveLabels(state: HubspotState, c: Call): SandboxResponse {
	const from = typeOf(c.req.params.from, c.cid);
	const to = typeOf(c.req.params.to, c.cid);
	for (const input of inputsOf(c, 'BatchInputPublicAssociationMultiPost')) {
		if (!isRecord(input)) wrongType(c.req, 'object', input);
		const a = liveId(state, from, idOf(input.from));
		const b = liveId(state, to, idOf(input.to));
		const ids = typeIds(from, to, input.types);
		if (a === undefined || b === undefined || typeof ids === 'string') continue;
		state.disassociate(from, a, to, b, ids, state.apiOrigin());
	}
	return { status: 204 };
}

function labels(c: Call): SandboxResponse {
	const from = typeOf(c.req.params.from, c.cid);
	const to = typeOf(c.req.params.to, c.cid);
	return { status: 200, body: { results: ASSOCIATION_TYPES.filter((a) => a.from === from && a.to === to).map((a) => spec(a.typeId)) } };
}

export function registerAssociations(router: Router, state: HubspotState): void {
	// Scope checks use any object read/write scope: the from type is only known after routing.
	const readScopes = OBJECT_KEYS.map((k) => `crm.objects.${k}.read`);
	const writeScopes = OBJECT_KEYS.map((k) => `crm.objects.${k}.write`);
	const read = { scopes: readScopes, limit: 'standard' as const };
	const write = { scopes: writeScopes, limit: 'standard' as const };
	const recordPrefixes = ['/crm/v4/objects', ...state.options.dateVersions.map((v) => `/crm/objects/${v}`)];
	const pairPrefixes = ['/crm/v4/associations', '/crm/associations/v4', ...state.options.dateVersions.map((v) => `/crm/associations/${v}`)];
	for (const p of recordPrefixes) {
		router.get(`${p}/:fromType/:fromId/associations/:toType`, 'associations.list', api(state, read, (c) => list(state, c)));
		router.put(`${p}/:fromType/:fromId/associations/default/:toType/:toId`, 'associations.putDefault', api(state, write, (c) => putDefault(state, c)));
		router.put(`${p}/:fromType/:fromId/associations/:toType/:toId`, 'associations.put', api(state, write, (c) => putLabeled(state, c)));
		router.delete(`${p}/:fromType/:fromId/associations/:toType/:toId`, 'associations.delete', api(state, write, (c) => remove(state, c)));
	}
	for (const p of pairPrefixes) {
		router.post(`${p}/:from/:to/batch/create`, 'associations.batch.create', api(state, write, (c) => batchCreate(state, c)));
		router.post(`${p}/:from/:to/batch/associate/default`, 'associations.batch.associateDefault', api(state, write, (c) => batchDefault(state, c)));
		router.post(`${p}/:from/:to/batch/read`, 'associations.batch.read', api(state, read, (c) => batchRead(state, c)));
		router.post(`${p}/:from/:to/batch/archive`, 'associations.batch.archive', api(state, write, (c) => batchArchive(state, c)));
		router.post(`${p}/:from/:to/batch/labels/archive`, 'associations.batch.labelsArchive', api(state, write, (c) => batchArchiveLabels(state, c)));
		router.get(`${p}/:from/:to/labels`, 'associations.labels', api(state, read, (c) => labels(c)));
	}
}
