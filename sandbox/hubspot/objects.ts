/**
 * CRM object routes for contacts, companies and deals under `/crm/v3/objects/{type}` and the date-versioned
 * `/crm/objects/{YYYY-MM}/{type}`: list, get, create, update, archive, batch read/create/update/upsert/archive,
 * merge, GDPR delete. Search lives in search.ts.
 */
import type { Router, SandboxRequest, SandboxResponse } from '../core/server';
import { api, boolParam, intParam, isRecord, listParam, objectBody, selectionOf, wrongType, type Call } from './api';
import { errorResponse, fail, missingAttributes, propertyValidationError, standardError, validationError, type PropertyProblem } from './errors';
import { ASSOCIATION_BY_ID, instant as iso, OBJECT_KEYS, OBJECT_TYPES, objectKeyOf, type ObjectKey } from './schema';
import { registerSearch } from './search';
import { HubspotState } from './state';
import type { StoredRecord } from './store';

export const BATCH_LIMIT = 100;

function associationsParam(req: SandboxRequest): ObjectKey[] {
	return (listParam(req, 'associations') ?? []).map((n) => objectKeyOf(n)).filter((k): k is ObjectKey => k !== undefined);
}

/** Whether a property can serve as `idProperty` (contact email or a custom `hasUniqueValue` property). */
function assertIdProperty(state: HubspotState, key: ObjectKey, idProperty: string): void {
	if (idProperty === 'hs_object_id') return;
	const def = state.registry.get(key, idProperty);
	if (!def) validationError(`Property "${idProperty}" does not exist`, { context: { propertyName: [idProperty] } });
	if (!(key === 'contacts' && idProperty === 'email') && !def.hasUniqueValue) {
		validationError(`Property "${idProperty}" is not a unique identifier property; use a property with hasUniqueValue`, { context: { propertyName: [idProperty] } });
	}
}

/** Finds a record by id or by a unique property value; undefined when absent. */
function find(state: HubspotState, key: ObjectKey, id: string, idProperty: string | null | undefined, archived = false): StoredRecord | undefined {
	const store = state.stores[key];
	if (idProperty && idProperty !== 'hs_object_id') {
		if (archived) return undefined;
		return store.findUnique(idProperty, id);
	}
	if (!/^\d+$/.test(id)) return undefined;
	const rec = store.get(Number(id));
	return rec && rec.archived === archived ? rec : undefined;
}

/** Like find(), but answers HubSpot's 404s (non-numeric ids get their own message). */
function resolve(state: HubspotState, key: ObjectKey, id: string, idProperty: string | null, archived: boolean, cid: string): StoredRecord {
	if (idProperty) assertIdProperty(state, key, idProperty);
	const rec = find(state, key, id, idProperty, archived);
	if (rec) return rec;
	if (!idProperty && !/^\d+$/.test(id)) fail(404, { message: 'Object not found.  objectId are usually numeric.', category: 'OBJECT_NOT_FOUND', correlationId: cid });
	fail(404, { message: 'resource not found', correlationId: cid });
}

interface InlineAssociation {
	to: ObjectKey;
	toId: number;
	types: number[];
}

/** Validates `associations` of a create input (v4 type ids); every target must exist. */
export function parseInlineAssociations(state: HubspotState, key: ObjectKey, raw: unknown): InlineAssociation[] {
	if (raw === undefined || raw === null) return [];
	if (!Array.isArray(raw)) validationError('Invalid input JSON: associations must be an array');
	const out: InlineAssociation[] = [];
	for (const a of raw) {
		if (!isRecord(a) || !isRecord(a.to) || !Array.isArray(a.types)) {
			validationError('Invalid input JSON: Cannot build PublicAssociationsForObject, some of required attributes are not set [to, types]');
		}
		const toId = String((a.to as Record<string, unknown>).id ?? '');
		const types: number[] = [];
		let to: ObjectKey | undefined;
		for (const t of a.types as unknown[]) {
			const typeId = isRecord(t) ? Number(t.associationTypeId) : NaN;
			const def = ASSOCIATION_BY_ID.get(typeId);
			if (!def || def.from !== key) {
				validationError(`${isRecord(t) ? String(t.associationTypeId) : 'null'} is not a valid association type id for ${OBJECT_TYPES[key].singular}`, {
					subCategory: 'crm.associations.INVALID_ASSOCIATION_TYPE',
				});
			}
			if (to && to !== def.to) validationError('All association types of one input must target the same object type');
			to = def.to;
			types.push(typeId);
		}
		if (!to) continue;
		if (!/^\d+$/.test(toId) || !state.stores[to].getLive(Number(toId))) {
			validationError(`${toId} is not a valid ID`, { subCategory: 'crm.associations.INVALID_IDENTIFIER', context: { id: [toId] } });
		}
		out.push({ to, toId: Number(toId), types });
	}
	return out;
}

function propertiesOf(req: SandboxRequest, input: Record<string, unknown>, typeName: string): Record<string, unknown> {
	if (!('properties' in input)) missingAttributes(req.rawBody.length, typeName, ['properties']);
	if (!isRecord(input.properties)) wrongType(req, 'object', input.properties);
	return input.properties;
}

function batchInputs(req: SandboxRequest, body: Record<string, unknown>, typeName: string): unknown[] {
	if (!('inputs' in body)) missingAttributes(req.rawBody.length, typeName, ['inputs']);
	if (!Array.isArray(body.inputs)) wrongType(req, 'array', body.inputs);
	if (body.inputs.length > BATCH_LIMIT) {
		validationError(`Batch input limit exceeded: received ${body.inputs.length} inputs, the maximum is ${BATCH_LIMIT}`, { context: { limit: [String(BATCH_LIMIT)] } });
	}
	return body.inputs;
}

function assertNoDuplicates(ids: string[], caseInsensitive: boolean): void {
	const seen = new Set<string>();
	const dups: string[] = [];
	for (const id of ids) {
		const k = caseInsensitive ? id.toLowerCase() : id;
		if (seen.has(k) && !dups.includes(id)) dups.push(id);
		seen.add(k);
	}
	if (dups.length) validationError(`Duplicate IDs found in batch input: [${dups.join(', ')}]. IDs must be unique`, { context: { ids: dups } });
}

export function batchEnvelope(startedAt: number, now: number, results: unknown[], errors: unknown[]): Record<string, unknown> {
	const body: Record<string, unknown> = { completedAt: iso(now), status: 'COMPLETE', startedAt: iso(startedAt), results };
	if (errors.length) {
		body.errors = errors;
		body.numErrors = errors.length;
	}
	return body;
}

function notFoundError(key: ObjectKey, ids: string[]): Record<string, unknown> {
	return standardError('OBJECT_NOT_FOUND', `Could not get some ${OBJECT_TYPES[key].upper} objects, they may be deleted or not exist. Check that ids are valid.`, { ids });
}

function traceOf(input: Record<string, unknown>): string | undefined {
	return input.objectWriteTraceId === undefined || input.objectWriteTraceId === null ? undefined : String(input.objectWriteTraceId);
}

// ---------------------------------------------------------------- handlers

function list(state: HubspotState, key: ObjectKey, c: Call): SandboxResponse {
	const req = c.req;
	const limit = intParam(req, 'limit', 10, 100);
	const archived = boolParam(req, 'archived');
	const afterRaw = req.query.get('after');
	if (afterRaw && !/^\d+$/.test(afterRaw)) validationError(`Invalid after value: ${afterRaw}`);
	const store = state.stores[key];
	const page = store.page(archived ? store.archivedIds : store.live, afterRaw ? Number(afterRaw) : 0, limit);
	const selection = selectionOf(listParam(req, 'properties'));
	const associations = associationsParam(req);
	const history = listParam(req, 'propertiesWithHistory');
	const results = page.ids.map((id) => state.render(key, store.byId.get(id)!, { selection, associations, history }));
	const body: Record<string, unknown> = { results };
	if (page.next !== undefined) {
		const q = new URLSearchParams(req.query);
		q.set('after', String(page.next));
		body.paging = { next: { after: String(page.next), link: `${state.ctx.baseUrl}${req.path}?${q.toString()}` } };
	}
	return { status: 200, body };
}

function get(state: HubspotState, key: ObjectKey, c: Call): SandboxResponse {
	const req = c.req;
	const rec = resolve(state, key, req.params.id, req.query.get('idProperty'), boolParam(req, 'archived'), c.cid);
	return {
		status: 200,
		body: state.render(key, rec, { selection: selectionOf(listParam(req, 'properties')), associations: associationsParam(req), history: listParam(req, 'propertiesWithHistory') }),
	};
}

function create(state: HubspotState, key: ObjectKey, c: Call): SandboxResponse {
	const req = c.req;
	const body = objectBody(req);
	const input = propertiesOf(req, body, 'SimplePublicObjectInputForCreate');
	const { values, problems } = state.validate(key, input);
	HubspotState.throwIfProblems(problems);
	const associations = parseInlineAssociations(state, key, body.associations);
	const conflict = state.conflict(key, values);
	if (conflict) fail(409, { message: state.conflictMessage(key, conflict), category: 'CONFLICT', correlationId: c.cid });
	const origin = state.apiOrigin();
	const rec = state.create(key, values, origin);
	for (const a of associations) state.associate(key, rec.id, a.to, a.toId, a.types, origin);
	return {
		status: 201,
		headers: { Location: `${state.ctx.baseUrl}${req.path.replace(/\/$/, '')}/${rec.id}` },
		body: state.render(key, rec, { selection: { mode: 'all' } }),
	};
}

function update(state: HubspotState, key: ObjectKey, c: Call): SandboxResponse {
	const req = c.req;
	const body = objectBody(req);
	const input = propertiesOf(req, body, 'SimplePublicObjectInput');
	const rec = resolve(state, key, req.params.id, req.query.get('idProperty'), false, c.cid);
	state.assertUnlocked(key, rec);
	const { values, problems } = state.validate(key, input, rec);
	HubspotState.throwIfProblems(problems);
	const conflict = state.conflict(key, values, rec.id);
	if (conflict) fail(409, { message: state.conflictMessage(key, conflict), category: 'CONFLICT', correlationId: c.cid });
	state.update(key, rec, values, state.apiOrigin());
	return { status: 200, body: state.render(key, rec, { selection: { mode: 'all' } }) };
}

function archive(state: HubspotState, key: ObjectKey, c: Call): SandboxResponse {
	// Archiving is idempotent: unknown and already-archived ids answer 204 too.
	const rec = find(state, key, c.req.params.id, null);
	state.assertUnlocked(key, rec);
	if (rec) state.archive(key, rec, state.apiOrigin());
	return { status: 204 };
}

function batchRead(state: HubspotState, key: ObjectKey, c: Call): SandboxResponse {
	const req = c.req;
	const startedAt = state.now();
	const body = objectBody(req);
	const inputs = batchInputs(req, body, 'BatchReadInputSimplePublicObjectId');
	const idProperty = typeof body.idProperty === 'string' && body.idProperty ? body.idProperty : null;
	if (idProperty) assertIdProperty(state, key, idProperty);
	const ids = inputs.map((i) => (isRecord(i) && i.id !== undefined && i.id !== null ? String(i.id) : ''));
	assertNoDuplicates(ids, idProperty !== null && idProperty !== 'hs_object_id');
	const properties = Array.isArray(body.properties) ? body.properties.map(String) : undefined;
	const history = Array.isArray(body.propertiesWithHistory) ? body.propertiesWithHistory.map(String) : undefined;
	const archived = boolParam(req, 'archived');
	const results: unknown[] = [];
	const missing: string[] = [];
	for (const id of ids) {
		const rec = find(state, key, id, idProperty, archived);
		if (rec) results.push(state.render(key, rec, { selection: selectionOf(properties), history }));
		else missing.push(id);
	}
	const errors = missing.length ? [notFoundError(key, missing)] : [];
	return { status: errors.length ? 207 : 200, body: batchEnvelope(startedAt, state.now(), results, errors) };
}

function batchCreate(state: HubspotState, key: ObjectKey, c: Call): SandboxResponse {
	const req = c.req;
	const startedAt = state.now();
	const body = objectBody(req);
	const inputs = batchInputs(req, body, 'BatchInputSimplePublicObjectBatchInputForCreate');
	const prepared = inputs.map((raw) => {
		if (!isRecord(raw)) wrongType(req, 'object', raw);
		const input = propertiesOf(req, raw, 'SimplePublicObjectBatchInputForCreate');
		return { raw, ...state.validate(key, input), associations: [] as ReturnType<typeof parseInlineAssociations> };
	});
	// Property problems fail the whole request, listing every input's problems.
	const problems: PropertyProblem[] = prepared.flatMap((p) => p.problems);
	if (problems.length) propertyValidationError(problems);
	for (const p of prepared) p.associations = parseInlineAssociations(state, key, p.raw.associations);
	// Unique values are checked against stored records and earlier inputs of the same batch.
	const pending = new Map<string, Map<string, number>>();
	const conflicts = prepared.map((p, i) => {
		const conflict = state.conflict(key, p.values, undefined, pending);
		if (!conflict) {
			for (const prop of state.stores[key].unique.keys()) {
				const v = p.values.get(prop);
				if (v) {
					if (!pending.has(prop)) pending.set(prop, new Map());
					pending.get(prop)!.set(v.toLowerCase(), -(i + 1));
				}
			}
		}
		return conflict;
	});
	// Per-input conflicts are only reported when the caller tagged inputs with objectWriteTraceId;
	// otherwise the whole batch fails and nothing is written.
	if (conflicts.some((cf, i) => cf && traceOf(prepared[i].raw) === undefined)) {
		const cf = conflicts.find((x) => x)!;
		fail(409, { message: state.conflictMessage(key, cf, false), category: 'CONFLICT', correlationId: c.cid });
	}
	const origin = state.apiOrigin();
	const results: unknown[] = [];
	const errors: unknown[] = [];
	prepared.forEach((p) => {
		const trace = traceOf(p.raw);
		// Checked again against the store, which now holds this batch's earlier records, so an
		// in-batch duplicate names the id it collided with.
		const cf = state.conflict(key, p.values);
		if (cf) {
			errors.push(standardError('CONFLICT', state.conflictMessage(key, cf), { objectWriteTraceId: [trace], existingId: [String(cf.existingId)] }));
			return;
		}
		const rec = state.create(key, p.values, origin);
		for (const a of p.associations) state.associate(key, rec.id, a.to, a.toId, a.types, origin);
		results.push(state.render(key, rec, { selection: { mode: 'all' }, objectWriteTraceId: trace }));
	});
	return { status: errors.length ? 207 : 201, body: batchEnvelope(startedAt, state.now(), results, errors) };
}

function batchUpdate(state: HubspotState, key: ObjectKey, c: Call): SandboxResponse {
	const req = c.req;
	const startedAt = state.now();
	const body = objectBody(req);
	const inputs = batchInputs(req, body, 'BatchInputSimplePublicObjectBatchInput');
	const parsed = inputs.map((raw) => {
		if (!isRecord(raw)) wrongType(req, 'object', raw);
		if (raw.id === undefined || raw.id === null) missingAttributes(req.rawBody.length, 'SimplePublicObjectBatchInput', ['id']);
		const idProperty = typeof raw.idProperty === 'string' && raw.idProperty ? raw.idProperty : null;
		if (idProperty) assertIdProperty(state, key, idProperty);
		return { raw, id: String(raw.id), idProperty, input: propertiesOf(req, raw, 'SimplePublicObjectBatchInput') };
	});
	assertNoDuplicates(parsed.map((p) => p.id), false);
	const missing: string[] = [];
	const found = parsed.map((p) => {
		const rec = find(state, key, p.id, p.idProperty);
		if (!rec) missing.push(p.id);
		return rec;
	});
	for (const rec of found) state.assertUnlocked(key, rec);
	const validated = parsed.map((p, i) => (found[i] ? state.validate(key, p.input, found[i]) : undefined));
	const problems = validated.flatMap((v) => v?.problems ?? []);
	if (problems.length) propertyValidationError(problems);
	const origin = state.apiOrigin();
	const results: unknown[] = [];
	const errors: unknown[] = missing.length ? [notFoundError(key, missing)] : [];
	parsed.forEach((p, i) => {
		const rec = found[i];
		const v = validated[i];
		if (!rec || !v) return;
		const trace = traceOf(p.raw);
		const cf = state.conflict(key, v.values, rec.id);
		if (cf) {
			errors.push(standardError('CONFLICT', state.conflictMessage(key, cf), trace === undefined ? { existingId: [String(cf.existingId)] } : { objectWriteTraceId: [trace], existingId: [String(cf.existingId)] }));
			return;
		}
		state.update(key, rec, v.values, origin);
		results.push(state.render(key, rec, { selection: { mode: 'all' }, objectWriteTraceId: trace }));
	});
	return { status: errors.length ? 207 : 200, body: batchEnvelope(startedAt, state.now(), results, errors) };
}

function batchUpsert(state: HubspotState, key: ObjectKey, c: Call): SandboxResponse {
	const req = c.req;
	const startedAt = state.now();
	const body = objectBody(req);
	const inputs = batchInputs(req, body, 'BatchInputSimplePublicObjectBatchInputUpsert');
	const parsed = inputs.map((raw) => {
		if (!isRecord(raw)) wrongType(req, 'object', raw);
		if (raw.id === undefined || raw.id === null) missingAttributes(req.rawBody.length, 'SimplePublicObjectBatchInputUpsert', ['id']);
		const idProperty = typeof raw.idProperty === 'string' && raw.idProperty ? raw.idProperty : null;
		if (idProperty) assertIdProperty(state, key, idProperty);
		return { raw, id: String(raw.id), idProperty, input: propertiesOf(req, raw, 'SimplePublicObjectBatchInputUpsert') };
	});
	assertNoDuplicates(
		parsed.map((p) => (p.idProperty && p.idProperty !== 'hs_object_id' ? p.id.trim() : p.id)),
		parsed.some((p) => p.idProperty && p.idProperty !== 'hs_object_id'),
	);
	const plans = parsed.map((p) => {
		const existing = find(state, key, p.idProperty === 'email' ? p.id.trim() : p.id, p.idProperty);
		const input = { ...p.input };
		// A new record takes the id value as its idProperty value.
		if (!existing && p.idProperty && p.idProperty !== 'hs_object_id') input[p.idProperty] = p.id;
		return { ...p, existing, ...state.validate(key, input, existing) };
	});
	for (const p of plans) state.assertUnlocked(key, p.existing);
	const problems = plans.flatMap((p) => p.problems);
	if (problems.length) propertyValidationError(problems);
	const origin = state.apiOrigin();
	const results: unknown[] = [];
	const errors: unknown[] = [];
	const missing: string[] = [];
	for (const p of plans) {
		const trace = traceOf(p.raw);
		if (!p.existing && (!p.idProperty || p.idProperty === 'hs_object_id')) {
			missing.push(p.id);
			continue;
		}
		const cf = state.conflict(key, p.values, p.existing?.id);
		if (cf) {
			errors.push(standardError('CONFLICT', state.conflictMessage(key, cf), trace === undefined ? { existingId: [String(cf.existingId)] } : { objectWriteTraceId: [trace], existingId: [String(cf.existingId)] }));
			continue;
		}
		const rec = p.existing ? state.update(key, p.existing, p.values, origin) : state.create(key, p.values, origin);
		results.push(state.render(key, rec, { selection: { mode: 'all' }, isNew: !p.existing, objectWriteTraceId: trace }));
	}
	if (missing.length) errors.unshift(notFoundError(key, missing));
	return { status: errors.length ? 207 : 200, body: batchEnvelope(startedAt, state.now(), results, errors) };
}

function batchArchive(state: HubspotState, key: ObjectKey, c: Call): SandboxResponse {
	const body = objectBody(c.req);
	const inputs = batchInputs(c.req, body, 'BatchInputSimplePublicObjectId');
	const origin = state.apiOrigin();
	for (const raw of inputs) {
		if (!isRecord(raw)) wrongType(c.req, 'object', raw);
		const rec = find(state, key, String(raw.id ?? ''), null);
		state.assertUnlocked(key, rec);
		if (rec) state.archive(key, rec, origin);
	}
	return { status: 204 };
}

function merge(state: HubspotState, key: ObjectKey, c: Call): SandboxResponse {
	const req = c.req;
	const body = objectBody(req);
	const missing = ['objectIdToMerge', 'primaryObjectId'].filter((k) => body[k] === undefined || body[k] === null);
	if (missing.length) missingAttributes(req.rawBody.length, 'PublicMergeInput', missing);
	const primaryId = String(body.primaryObjectId);
	const loserId = String(body.objectIdToMerge);
	if (primaryId === loserId) validationError(`Cannot merge object ${primaryId} into itself`);
	const primary = find(state, key, primaryId, null);
	const loser = find(state, key, loserId, null);
	if (!primary || !loser) validationError(`Could not find ${OBJECT_TYPES[key].singular} with id ${!primary ? primaryId : loserId}`, { category: 'OBJECT_NOT_FOUND' });
	state.merge(key, primary, loser, state.apiOrigin());
	return { status: 200, body: state.render(key, primary, { selection: { mode: 'all' } }) };
}

function gdprDelete(state: HubspotState, c: Call): SandboxResponse {
	const req = c.req;
	const body = objectBody(req);
	if (body.objectId === undefined || body.objectId === null) missingAttributes(req.rawBody.length, 'PublicGdprDeleteInput', ['objectId']);
	const idProperty = typeof body.idProperty === 'string' && body.idProperty ? body.idProperty : null;
	const rec = find(state, 'contacts', String(body.objectId), idProperty);
	if (rec) state.purge('contacts', rec, state.apiOrigin());
	return { status: 204 };
}

// ---------------------------------------------------------------- routes

export function objectPrefixes(state: HubspotState): string[] {
	return ['/crm/v3/objects', ...state.options.dateVersions.map((v) => `/crm/objects/${v}`)];
}

export function registerObjects(router: Router, state: HubspotState): void {
	const prefixes = objectPrefixes(state);
	for (const key of OBJECT_KEYS) {
		const read = { scopes: [`crm.objects.${key}.read`], limit: 'standard' as const };
		const write = { scopes: [`crm.objects.${key}.write`], limit: 'standard' as const };
		for (const prefix of prefixes) {
			for (const alias of OBJECT_TYPES[key].aliases) {
				const base = `${prefix}/${alias}`;
				router.get(base, `${key}.list`, api(state, read, (c) => list(state, key, c)));
				router.post(base, `${key}.create`, api(state, write, (c) => create(state, key, c)));
				router.post(`${base}/batch/read`, `${key}.batch.read`, api(state, read, (c) => batchRead(state, key, c)));
				router.post(`${base}/batch/create`, `${key}.batch.create`, api(state, write, (c) => batchCreate(state, key, c)));
				router.post(`${base}/batch/update`, `${key}.batch.update`, api(state, write, (c) => batchUpdate(state, key, c)));
				router.post(`${base}/batch/upsert`, `${key}.batch.upsert`, api(state, write, (c) => batchUpsert(state, key, c)));
				router.post(`${base}/batch/archive`, `${key}.batch.archive`, api(state, write, (c) => batchArchive(state, key, c)));
				router.post(`${base}/merge`, `${key}.merge`, api(state, write, (c) => merge(state, key, c)));
				if (key === 'contacts') router.post(`${base}/gdpr-delete`, `${key}.gdprDelete`, api(state, write, (c) => gdprDelete(state, c)));
				registerSearch(router, state, key, base);
				router.get(`${base}/:id`, `${key}.get`, api(state, read, (c) => get(state, key, c)));
				router.patch(`${base}/:id`, `${key}.update`, api(state, write, (c) => update(state, key, c)));
				router.delete(`${base}/:id`, `${key}.archive`, api(state, write, (c) => archive(state, key, c)));
			}
		}
	}
	// Object types the sandbox does not model: HubSpot's answer for a name it cannot resolve.
	const unknownType = api(state, { scopes: [], limit: 'standard' }, (c) => {
		const type = c.req.params.type;
		if (objectKeyOf(type)) return errorResponse(404, { message: 'resource not found', correlationId: c.cid });
		return errorResponse(400, { message: `Unable to infer object type from: ${type}`, correlationId: c.cid });
	});
	for (const prefix of prefixes) {
		router.get(`${prefix}/:type`, 'objects.unknownType', unknownType);
		router.post(`${prefix}/:type`, 'objects.unknownType', unknownType);
		router.post(`${prefix}/:type/search`, 'objects.unknownType', unknownType);
		router.post(`${prefix}/:type/batch/:op`, 'objects.unknownType', unknownType);
		router.get(`${prefix}/:type/:id`, 'objects.unknownType', unknownType);
		router.patch(`${prefix}/:type/:id`, 'objects.unknownType', unknownType);
		router.delete(`${prefix}/:type/:id`, 'objects.unknownType', unknownType);
	}
}
