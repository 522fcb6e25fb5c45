/**
 * Metadata routes: the properties API (the registry that drives write validation, custom properties and
 * groups), pipelines and stages, owners, account details and object schemas.
 */
import type { Router, SandboxResponse } from '../core/server';
import { api, boolParam, isRecord, listParam, objectBody, wrongType, type Call } from './api';
import { errorResponse, fail, missingAttributes, standardError, validationError } from './errors';
import { renderProperty } from './properties';
import { batchEnvelope, BATCH_LIMIT } from './objects';
import {
	ASSOCIATION_TYPES,
	instant,
	OBJECT_KEYS,
	OBJECT_TYPES,
	objectKeyOf,
	type ObjectKey,
	type OptionDef,
	type PipelineDef,
	type PropertyDef,
	type StageDef,
} from './schema';
import type { HubspotState, Owner } from './state';

const PROPERTY_TYPES = ['bool', 'date', 'datetime', 'enumeration', 'number', 'phone_number', 'string'];
const FIELD_TYPES = ['booleancheckbox', 'calculation_equation', 'checkbox', 'date', 'file', 'html', 'number', 'phonenumber', 'radio', 'select', 'text', 'textarea'];
const MAX_UNIQUE_PROPERTIES = 10;

function typeOf(name: string, cid: string): ObjectKey {
	const key = objectKeyOf(name);
	if (!key) fail(400, { message: `Unable to infer object type from: ${name}`, correlationId: cid });
	return key;
}

function propertyNotFound(key: ObjectKey, name: string, cid: string): never {
	fail(404, { message: `Property ${name} does not exist for object type ${OBJECT_TYPES[key].upper}`, category: 'OBJECT_NOT_FOUND', correlationId: cid, context: { name: [name] } });
}

function alreadyExists(name: string): Record<string, unknown> {
	return standardError('OBJECT_ALREADY_EXISTS', `A property named '${name}' already exists.`, { name: [name] }, 'Properties.PROPERTY_WITH_NAME_EXISTS');
}

/** Options as HubSpot stores them: options without a displayOrder are numbered after the highest given. */
function normaliseOptions(raw: unknown, type: string): OptionDef[] {
	if (type === 'bool' && (raw === undefined || (Array.isArray(raw) && raw.length === 0))) {
		return [
			{ label: 'True', value: 'true', displayOrder: 0, hidden: false },
			{ label: 'False', value: 'false', displayOrder: 1, hidden: false },
		];
	}
	if (!Array.isArray(raw)) return [];
	const given = raw.filter(isRecord);
	let next = Math.max(-1, ...given.map((o) => (typeof o.displayOrder === 'number' ? o.displayOrder : -1))) + 1;
	return given.map((o) => {
		const opt: OptionDef = { label: String(o.label ?? o.value ?? ''), value: String(o.value ?? ''), displayOrder: typeof o.displayOrder === 'number' ? o.displayOrder : next++, hidden: o.hidden === true };
		if (o.description !== undefined) opt.description = String(o.description);
		return opt;
	});
}

/** Validates a PropertyCreate; returns the definition or a per-input error. */
function buildProperty(state: HubspotState, key: ObjectKey, input: Record<string, unknown>, rawLength: number): PropertyDef | Record<string, unknown> {
	const missing = ['fieldType', 'groupName', 'label', 'name', 'type'].filter((k) => typeof input[k] !== 'string' || input[k] === '');
	if (missing.length) missingAttributes(rawLength, 'PropertyCreate', missing);
	const name = String(input.name);
	if (!/^[a-z][a-z0-9_]*$/.test(name)) validationError(`Property name ${name} is invalid: use lowercase letters, digits and underscores, starting with a letter`);
	if (!PROPERTY_TYPES.includes(String(input.type))) validationError(`Invalid property type: ${String(input.type)}`);
	if (!FIELD_TYPES.includes(String(input.fieldType))) validationError(`Invalid field type: ${String(input.fieldType)}`);
	if (!state.registry.groups.get(key)!.has(String(input.groupName))) validationError(`Property group ${String(input.groupName)} does not exist`);
	if (state.registry.props.get(key)!.has(name)) return alreadyExists(name);
	if (input.hasUniqueValue === true && state.registry.uniqueProps(key).filter((p) => !p.hubspotDefined).length >= MAX_UNIQUE_PROPERTIES) {
		validationError(`An object can have at most ${MAX_UNIQUE_PROPERTIES} unique value properties`);
	}
	const now = state.now();
	const userId = String(state.options.credentials.userId);
	return {
		name,
		label: String(input.label),
		type: String(input.type) as PropertyDef['type'],
		fieldType: String(input.fieldType),
		description: typeof input.description === 'string' ? input.description : '',
		groupName: String(input.groupName),
		options: normaliseOptions(input.options, String(input.type)),
		displayOrder: typeof input.displayOrder === 'number' ? input.displayOrder : -1,
		calculated: false,
		externalOptions: input.externalOptions === true,
		hasUniqueValue: input.hasUniqueValue === true,
		hidden: input.hidden === true,
		hubspotDefined: false,
		readOnlyValue: false,
		readOnlyDefinition: false,
		formField: input.formField === true,
		dataSensitivity: (input.dataSensitivity as PropertyDef['dataSensitivity']) ?? 'non_sensitive',
		createdAt: now,
		updatedAt: now,
		archived: false,
		createdUserId: userId,
		updatedUserId: userId,
	};
}

function addProperty(state: HubspotState, key: ObjectKey, def: PropertyDef): void {
	state.registry.props.get(key)!.set(def.name, def);
	if (def.hasUniqueValue) state.stores[key].addUniqueIndex(def.name);
}

function vctx(state: HubspotState, key: ObjectKey) {
	return state.validationContext(key, {});
}

// ---------------------------------------------------------------- properties

function listProperties(state: HubspotState, c: Call): SandboxResponse {
	const key = typeOf(c.req.params.t, c.cid);
	const archived = boolParam(c.req, 'archived');
	const wanted = listParam(c.req, 'properties');
	const defs = state.registry.list(key, archived).filter((p) => !wanted || wanted.includes(p.name));
	return { status: 200, body: { results: defs.map((d) => renderProperty(d, vctx(state, key))) } };
}

function getProperty(state: HubspotState, c: Call): SandboxResponse {
	const key = typeOf(c.req.params.t, c.cid);
	const def = boolParam(c.req, 'archived') ? state.registry.getAny(key, c.req.params.name) : state.registry.get(key, c.req.params.name);
	if (!def) propertyNotFound(key, c.req.params.name, c.cid);
	return { status: 200, body: renderProperty(def, vctx(state, key)) };
}

function createProperty(state: HubspotState, c: Call): SandboxResponse {
	const key = typeOf(c.req.params.t, c.cid);
	const built = buildProperty(state, key, objectBody(c.req), c.req.rawBody.length);
	if ('status' in built) {
		return errorResponse(409, { message: String(built.message), category: 'OBJECT_ALREADY_EXISTS', subCategory: 'Properties.PROPERTY_WITH_NAME_EXISTS', context: built.context as Record<string, unknown>, correlationId: c.cid });
	}
	const def = built as PropertyDef;
	addProperty(state, key, def);
	return { status: 201, body: renderProperty(def, vctx(state, key)) };
}

function updateProperty(state: HubspotState, c: Call): SandboxResponse {
	const key = typeOf(c.req.params.t, c.cid);
	const def = state.registry.get(key, c.req.params.name);
	if (!def) propertyNotFound(key, c.req.params.name, c.cid);
	const body = objectBody(c.req);
	if (def.readOnlyDefinition) validationError(`The definition of ${def.name} is read only`, { category: 'READ_ONLY_DEFINITION' });
	if (typeof body.label === 'string') def.label = body.label;
	if (typeof body.description === 'string') def.description = body.description;
	if (typeof body.groupName === 'string') {
		if (!state.registry.groups.get(key)!.has(body.groupName)) validationError(`Property group ${body.groupName} does not exist`);
		def.groupName = body.groupName;
	}
	if (typeof body.type === 'string' && PROPERTY_TYPES.includes(body.type)) def.type = body.type as PropertyDef['type'];
	if (typeof body.fieldType === 'string' && FIELD_TYPES.includes(body.fieldType)) def.fieldType = body.fieldType;
	if (body.options !== undefined) def.options = normaliseOptions(body.options, def.type);
	if (typeof body.displayOrder === 'number') def.displayOrder = body.displayOrder;
	if (typeof body.hidden === 'boolean') def.hidden = body.hidden;
	if (typeof body.formField === 'boolean') def.formField = body.formField;
	def.updatedAt = state.now();
	return { status: 200, body: renderProperty(def, vctx(state, key)) };
}

function archiveProperty(state: HubspotState, key: ObjectKey, name: string, cid: string): void {
	const def = state.registry.get(key, name);
	if (!def) propertyNotFound(key, name, cid);
	if (def.hubspotDefined) validationError(`${name} is a HubSpot defined property and cannot be archived`);
	def.archived = true;
	def.archivedAt = state.now();
	if (def.hasUniqueValue) state.stores[key].dropUniqueIndex(name);
}

function batchCreateProperties(state: HubspotState, c: Call): SandboxResponse {
	const startedAt = state.now();
	const key = typeOf(c.req.params.t, c.cid);
	const body = objectBody(c.req);
	if (!Array.isArray(body.inputs)) missingAttributes(c.req.rawBody.length, 'BatchInputPropertyCreate', ['inputs']);
	const results: unknown[] = [];
	const errors: unknown[] = [];
	for (const input of body.inputs as unknown[]) {
		if (!isRecord(input)) wrongType(c.req, 'object', input);
		const built = buildProperty(state, key, input, c.req.rawBody.length);
		if ('status' in built) {
			errors.push(built);
			continue;
		}
		const def = built as PropertyDef;
		addProperty(state, key, def);
		results.push(renderProperty(def, vctx(state, key), true));
	}
	return { status: errors.length ? 207 : 201, body: batchEnvelope(startedAt, state.now(), results, errors) };
}

function batchReadProperties(state: HubspotState, c: Call): SandboxResponse {
	const startedAt = state.now();
	const key = typeOf(c.req.params.t, c.cid);
	const body = objectBody(c.req);
	if (!Array.isArray(body.inputs)) missingAttributes(c.req.rawBody.length, 'BatchReadInputPropertyName', ['inputs']);
	const archived = body.archived === true;
	const results: unknown[] = [];
	const errors: unknown[] = [];
	for (const input of body.inputs as unknown[]) {
		const name = isRecord(input) ? String(input.name ?? '') : '';
		const def = archived ? state.registry.getAny(key, name) : state.registry.get(key, name);
		if (def) results.push(renderProperty(def, vctx(state, key)));
		else errors.push(standardError('OBJECT_NOT_FOUND', `Property ${name} does not exist`, { name: [name] }));
	}
	return { status: errors.length ? 207 : 200, body: batchEnvelope(startedAt, state.now(), results, errors) };
}

function batchArchiveProperties(state: HubspotState, c: Call): SandboxResponse {
	const key = typeOf(c.req.params.t, c.cid);
	const body = objectBody(c.req);
	if (!Array.isArray(body.inputs)) missingAttributes(c.req.rawBody.length, 'BatchInputPropertyName', ['inputs']);
	if (body.inputs.length > BATCH_LIMIT) validationError(`Batch input limit exceeded: received ${body.inputs.length} inputs, the maximum is ${BATCH_LIMIT}`);
	for (const input of body.inputs as unknown[]) {
		const name = isRecord(input) ? String(input.name ?? '') : '';
		const def = state.registry.get(key, name);
		if (def && !def.hubspotDefined) archiveProperty(state, key, name, c.cid);
	}
	return { status: 204 };
}

// ---------------------------------------------------------------- property groups

function renderGroup(g: { name: string; label: string; displayOrder: number; archived: boolean }): Record<string, unknown> {
	return { name: g.name, label: g.label, displayOrder: g.displayOrder, archived: g.archived };
}

function groupRoutes(router: Router, state: HubspotState, p: string, read: { scopes: string[]; limit: 'standard' }, write: { scopes: string[]; limit: 'standard' }): void {
	router.get(`${p}/:t/groups`, 'properties.groups.list', api(state, read, (c) => {
		const key = typeOf(c.req.params.t, c.cid);
		return { status: 200, body: { results: [...state.registry.groups.get(key)!.values()].filter((g) => !g.archived).map(renderGroup) } };
	}));
	router.post(`${p}/:t/groups`, 'properties.groups.create', api(state, write, (c) => {
		const key = typeOf(c.req.params.t, c.cid);
		const body = objectBody(c.req);
		const missing = ['label', 'name'].filter((k) => typeof body[k] !== 'string' || body[k] === '');
		if (missing.length) missingAttributes(c.req.rawBody.length, 'PropertyGroupCreate', missing);
		const groups = state.registry.groups.get(key)!;
		const name = String(body.name);
		if (groups.has(name)) {
			return errorResponse(409, { message: `A property group named '${name}' already exists.`, category: 'OBJECT_ALREADY_EXISTS', subCategory: 'Properties.GROUP_WITH_NAME_EXISTS', context: { name: [name] }, correlationId: c.cid });
		}
		const g = { name, label: String(body.label), displayOrder: typeof body.displayOrder === 'number' ? body.displayOrder : groups.size + 7, archived: false };
		groups.set(name, g);
		return { status: 201, body: renderGroup(g) };
	}));
	const group = (c: Call) => {
		const key = typeOf(c.req.params.t, c.cid);
		const g = state.registry.groups.get(key)!.get(c.req.params.group);
		if (!g || g.archived) fail(404, { message: `Property group ${c.req.params.group} does not exist`, category: 'OBJECT_NOT_FOUND', correlationId: c.cid });
		return g;
	};
	router.get(`${p}/:t/groups/:group`, 'properties.groups.get', api(state, read, (c) => ({ status: 200, body: renderGroup(group(c)) })));
	router.patch(`${p}/:t/groups/:group`, 'properties.groups.update', api(state, write, (c) => {
		const g = group(c);
		const body = objectBody(c.req);
		if (typeof body.label === 'string') g.label = body.label;
		if (typeof body.displayOrder === 'number') g.displayOrder = body.displayOrder;
		return { status: 200, body: renderGroup(g) };
	}));
	router.delete(`${p}/:t/groups/:group`, 'properties.groups.archive', api(state, write, (c) => {
		group(c).archived = true;
		return { status: 204 };
	}));
}

// ---------------------------------------------------------------- pipelines

function renderStage(s: StageDef): Record<string, unknown> {
	return {
		label: s.label,
		displayOrder: s.displayOrder,
		metadata: s.metadata,
		id: s.id,
		createdAt: instant(s.createdAt),
		updatedAt: instant(s.updatedAt),
		writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT',
		archived: s.archived,
	};
}

function renderPipeline(p: PipelineDef): Record<string, unknown> {
	return {
		label: p.label,
		displayOrder: p.displayOrder,
		id: p.id,
		stages: p.stages.filter((s) => !s.archived).map(renderStage),
		createdAt: instant(p.createdAt),
		updatedAt: instant(p.updatedAt),
		archived: p.archived,
	};
}

function pipelineOf(state: HubspotState, c: Call): { key: ObjectKey; pipeline: PipelineDef } {
	const key = typeOf(c.req.params.t, c.cid);
	const pipeline = state.pipelines.get(key)!.find((p) => p.id === c.req.params.pipelineId && !p.archived);
	if (!pipeline) fail(404, { message: `Unable to find pipeline ${c.req.params.pipelineId}`, category: 'OBJECT_NOT_FOUND', correlationId: c.cid });
	return { key, pipeline };
}

function buildStage(state: HubspotState, key: ObjectKey, input: unknown, rawLength: number, now: number): StageDef {
	if (!isRecord(input)) validationError('Invalid input JSON: stage must be an object');
	const missing = ['displayOrder', 'label', 'metadata'].filter((k) => input[k] === undefined);
	if (missing.length) missingAttributes(rawLength, 'PipelineStageInput', missing);
	const metadata: Record<string, string> = {};
	for (const [k, v] of Object.entries(isRecord(input.metadata) ? input.metadata : {})) metadata[k] = String(v);
	if (key === 'deals' && metadata.probability === undefined) validationError('Deal stages require metadata.probability');
	metadata.isClosed ??= 'false';
	return { id: typeof input.stageId === 'string' ? input.stageId : state.newPipelineId(), label: String(input.label), displayOrder: Number(input.displayOrder), metadata, createdAt: now, updatedAt: now, archived: false };
}

function pipelineRoutes(router: Router, state: HubspotState, p: string): void {
	const read = { scopes: OBJECT_KEYS.map((k) => `crm.objects.${k}.read`), limit: 'standard' as const };
	const write = { scopes: OBJECT_KEYS.map((k) => `crm.schemas.${k}.write`), limit: 'standard' as const };
	router.get(`${p}/:t`, 'pipelines.list', api(state, read, (c) => {
		const key = typeOf(c.req.params.t, c.cid);
		return { status: 200, body: { results: state.pipelines.get(key)!.filter((x) => !x.archived).map(renderPipeline) } };
	}));
	router.post(`${p}/:t`, 'pipelines.create', api(state, write, (c) => {
		const key = typeOf(c.req.params.t, c.cid);
		const body = objectBody(c.req);
		const missing = ['displayOrder', 'label', 'stages'].filter((k) => body[k] === undefined);
		if (missing.length) missingAttributes(c.req.rawBody.length, 'PipelineInput', missing);
		if (!Array.isArray(body.stages)) wrongType(c.req, 'array', body.stages);
		const list = state.pipelines.get(key)!;
		if (list.some((x) => !x.archived && x.label === body.label)) {
			return errorResponse(409, { message: `A pipeline with label ${String(body.label)} already exists`, category: 'CONFLICT', correlationId: c.cid });
		}
		const now = state.now();
		const pipeline: PipelineDef = {
			id: typeof body.pipelineId === 'string' ? body.pipelineId : state.newPipelineId(),
			label: String(body.label),
			displayOrder: Number(body.displayOrder),
			stages: (body.stages as unknown[]).map((s) => buildStage(state, key, s, c.req.rawBody.length, now)),
			createdAt: now,
			updatedAt: now,
			archived: false,
		};
		list.push(pipeline);
		return { status: 201, body: renderPipeline(pipeline) };
	}));
	router.get(`${p}/:t/:pipelineId`, 'pipelines.get', api(state, read, (c) => ({ status: 200, body: renderPipeline(pipelineOf(state, c).pipeline) })));
	router.delete(`${p}/:t/:pipelineId`, 'pipelines.archive', api(state, write, (c) => {
		const { pipeline } = pipelineOf(state, c);
		if (pipeline.id === 'default' || pipeline.id.endsWith('-lifecycle-pipeline')) validationError('The default pipeline cannot be deleted');
		pipeline.archived = true;
		return { status: 204 };
	}));
	router.get(`${p}/:t/:pipelineId/stages`, 'pipelines.stages.list', api(state, read, (c) => ({ status: 200, body: { results: pipelineOf(state, c).pipeline.stages.filter((s) => !s.archived).map(renderStage) } })));
	router.post(`${p}/:t/:pipelineId/stages`, 'pipelines.stages.create', api(state, write, (c) => {
		const { key, pipeline } = pipelineOf(state, c);
		const stage = buildStage(state, key, objectBody(c.req), c.req.rawBody.length, state.now());
		pipeline.stages.push(stage);
		return { status: 201, body: renderStage(stage) };
	}));
	router.get(`${p}/:t/:pipelineId/stages/:stageId`, 'pipelines.stages.get', api(state, read, (c) => {
		const stage = pipelineOf(state, c).pipeline.stages.find((s) => s.id === c.req.params.stageId && !s.archived);
		if (!stage) fail(404, { message: `Unable to find stage ${c.req.params.stageId}`, category: 'OBJECT_NOT_FOUND', correlationId: c.cid });
		return { status: 200, body: renderStage(stage) };
	}));
}

// ---------------------------------------------------------------- owners

function renderOwner(o: Owner): Record<string, unknown> {
	return {
		id: o.id,
		email: o.email,
		type: 'PERSON',
		firstName: o.firstName,
		lastName: o.lastName,
		userId: o.userId,
		userIdIncludingInactive: o.userId,
		createdAt: instant(o.createdAt),
		updatedAt: instant(o.updatedAt),
		archived: o.archived,
		teams: o.teams,
	};
}

function ownerRoutes(router: Router, state: HubspotState, p: string): void {
	const read = { scopes: ['crm.objects.owners.read'], limit: 'standard' as const };
	router.get(p, 'owners.list', api(state, read, (c) => {
		const q = c.req.query;
		const limit = Math.min(500, Math.max(1, Number(q.get('limit') ?? 100) || 100));
		const after = Number(q.get('after') ?? 0) || 0;
		const archived = boolParam(c.req, 'archived');
		const email = q.get('email')?.toLowerCase();
		const all = state.owners.filter((o) => o.archived === archived && (!email || o.email.toLowerCase() === email));
		const body: Record<string, unknown> = { results: all.slice(after, after + limit).map(renderOwner) };
		if (after + limit < all.length) {
			const next = new URLSearchParams(q);
			next.set('after', String(after + limit));
			body.paging = { next: { after: String(after + limit), link: `${state.ctx.baseUrl}${c.req.path}?${next.toString()}` } };
		}
		return { status: 200, body };
	}));
	router.get(`${p}/:ownerId`, 'owners.get', api(state, read, (c) => {
		const byUser = c.req.query.get('idProperty') === 'userId';
		const archived = boolParam(c.req, 'archived');
		const id = c.req.params.ownerId;
		const owner = state.owners.find((o) => (byUser ? String(o.userId) === id : o.id === id) && o.archived === archived);
		if (!owner) fail(404, { message: 'resource not found', correlationId: c.cid });
		return { status: 200, body: renderOwner(owner) };
	}));
}

// ---------------------------------------------------------------- account and schemas

function accountDetails(state: HubspotState): SandboxResponse {
	const minutes = state.options.utcOffsetMinutes;
	const sign = minutes < 0 ? '-' : '+';
	const abs = Math.abs(minutes);
	return {
		status: 200,
		body: {
			portalId: state.options.credentials.portalId,
			accountType: 'STANDARD',
			timeZone: state.options.timeZone,
			companyCurrency: 'USD',
			additionalCurrencies: [],
			utcOffset: `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`,
			utcOffsetMilliseconds: minutes * 60_000,
			uiDomain: 'app.hubspot.com',
			dataHostingLocation: 'na1',
		},
	};
}

function objectSchema(state: HubspotState, key: ObjectKey): Record<string, unknown> {
	const info = OBJECT_TYPES[key];
	return {
		labels: info.label,
		requiredProperties: [],
		searchableProperties: info.searchable,
		primaryDisplayProperty: info.primaryDisplayProperty,
		secondaryDisplayProperties: [],
		description: '',
		allowsSensitiveProperties: true,
		archived: false,
		restorable: true,
		metaType: 'HUBSPOT',
		id: info.typeId.split('-')[1],
		fullyQualifiedName: info.upper,
		createdAt: '1970-01-01T00:00:00Z',
		updatedAt: '2025-03-05T18:12:37.434Z',
		createdByUserId: null,
		updatedByUserId: null,
		objectTypeId: info.typeId,
		properties: state.registry.list(key, false).map((d) => renderProperty(d, state.validationContext(key, {}))),
		associations: ASSOCIATION_TYPES.filter((a) => a.from === key).map((a) => ({
			fromObjectTypeId: info.typeId,
			toObjectTypeId: OBJECT_TYPES[a.to].typeId,
			name: a.name.toUpperCase(),
			cardinality: 'ONE_TO_MANY',
			inverseCardinality: a.label === 'Primary' ? 'ONE_TO_ONE' : 'ONE_TO_MANY',
			hasUserEnforcedMaxToObjectIds: false,
			hasUserEnforcedMaxFromObjectIds: false,
			maxToObjectIds: a.label === 'Primary' ? 1 : 10000,
			maxFromObjectIds: 10000,
			id: String(a.typeId),
			createdAt: null,
			updatedAt: null,
		})),
		name: info.upper,
	};
}

// ---------------------------------------------------------------- registration

export function registerMetadata(router: Router, state: HubspotState): void {
	const versions = state.options.dateVersions;
	const readProps = { scopes: OBJECT_KEYS.flatMap((k) => [`crm.objects.${k}.read`, `crm.schemas.${k}.read`]), limit: 'standard' as const };
	const writeProps = { scopes: OBJECT_KEYS.map((k) => `crm.schemas.${k}.write`), limit: 'standard' as const };
	for (const p of ['/crm/v3/properties', ...versions.map((v) => `/crm/properties/${v}`)]) {
		groupRoutes(router, state, p, readProps, writeProps);
		router.get(`${p}/:t`, 'properties.list', api(state, readProps, (c) => listProperties(state, c)));
		router.post(`${p}/:t`, 'properties.create', api(state, writeProps, (c) => createProperty(state, c)));
		router.post(`${p}/:t/batch/create`, 'properties.batch.create', api(state, writeProps, (c) => batchCreateProperties(state, c)));
		router.post(`${p}/:t/batch/read`, 'properties.batch.read', api(state, readProps, (c) => batchReadProperties(state, c)));
		router.post(`${p}/:t/batch/archive`, 'properties.batch.archive', api(state, writeProps, (c) => batchArchiveProperties(state, c)));
		router.get(`${p}/:t/:name`, 'properties.get', api(state, readProps, (c) => getProperty(state, c)));
		router.patch(`${p}/:t/:name`, 'properties.update', api(state, writeProps, (c) => updateProperty(state, c)));
		router.delete(`${p}/:t/:name`, 'properties.archive', api(state, writeProps, (c) => {
			archiveProperty(state, typeOf(c.req.params.t, c.cid), c.req.params.name, c.cid);
			return { status: 204 };
		}));
	}
	for (const p of ['/crm/v3/pipelines', ...versions.map((v) => `/crm/pipelines/${v}`)]) pipelineRoutes(router, state, p);
	for (const p of ['/crm/v3/owners', ...versions.map((v) => `/crm/owners/${v}`)]) ownerRoutes(router, state, p);
	for (const p of ['/account-info/v3/details', ...versions.map((v) => `/account-info/${v}/details`)]) {
		router.get(p, 'account.details', api(state, { scopes: [], limit: 'standard' }, () => accountDetails(state)));
	}
	const schemaRead = { scopes: OBJECT_KEYS.flatMap((k) => [`crm.objects.${k}.read`, `crm.schemas.${k}.read`]), limit: 'standard' as const };
	for (const p of ['/crm/v3/schemas', ...versions.map((v) => `/crm-object-schemas/${v}/schemas`)]) {
		router.get(`${p}/:t`, 'schemas.get', api(state, schemaRead, (c) => ({ status: 200, body: objectSchema(state, typeOf(c.req.params.t, c.cid)) })));
	}
}
