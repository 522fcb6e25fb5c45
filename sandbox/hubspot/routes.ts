/**
 * OAuth endpoints, the webhooks v3 settings/subscriptions API (developer-key auth) and HubSpot-specific
 * admin helpers under /_sandbox/hubspot (UI-made edits for echo-suppression tests, ready OAuth tokens).
 */
import type { Router, SandboxRequest, SandboxResponse } from '../core/server';
import { isRecord, objectBody, wrongType, badJsonResponse } from './api';
import { BodyParseError } from '../core/server';
import { correlationId, errorResponse, fail, HubspotHttpError, missingAttributes, standardError, validationError } from './errors';
import { batchEnvelope } from './objects';
import { instant, OBJECT_TYPES, objectKeyOf } from './schema';
import { HubspotState } from './state';
import { EVENT_TYPES, renderSubscription } from './webhooks';

// ---------------------------------------------------------------- OAuth

export function registerOAuth(router: Router, state: HubspotState): void {
	const auth = state.auth;
	const versions = ['v1', 'v3', ...state.options.dateVersions];
	router.get('/oauth/authorize', 'oauth.authorize', (req) => auth.authorize(req));
	for (const v of versions) {
		router.post(`/oauth/${v}/token`, 'oauth.token', (req) => auth.token(req));
		router.post(`/oauth/${v}/token/introspect`, 'oauth.introspect', (req) => auth.introspect(req));
		router.post(`/oauth/${v}/token/revoke`, 'oauth.revoke', (req) => {
			const form = new URLSearchParams(req.text());
			auth.revokeRefreshToken(form.get('token') ?? '');
			return { status: 200 };
		});
	}
	router.get('/oauth/v1/access-tokens/:token', 'oauth.accessTokenInfo', (req) => auth.accessTokenInfo(req.params.token));
	router.get('/oauth/v1/refresh-tokens/:token', 'oauth.refreshTokenInfo', (req) => auth.refreshTokenInfo(req.params.token));
	router.delete('/oauth/v1/refresh-tokens/:token', 'oauth.refreshTokenDelete', (req) => {
		auth.revokeRefreshToken(req.params.token);
		return { status: 204 };
	});
}

// ---------------------------------------------------------------- webhooks v3 API

type DevHandler = (req: SandboxRequest, cid: string) => SandboxResponse;

/** Developer-key auth (`?hapikey=` or bearer) and the app id in the path; HubSpot envelopes on failure. */
function developer(state: HubspotState, handler: DevHandler): (req: SandboxRequest) => SandboxResponse {
	return (req) => {
		const cid = correlationId();
		const key = state.options.credentials.developerApiKey;
		const bearer = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
		if (req.query.get('hapikey') !== key && bearer !== key) {
			return errorResponse(401, { message: 'The API key provided is invalid. View or manage your API key here: https://app.hubspot.com/l/api-key/', category: 'INVALID_AUTHENTICATION', correlationId: cid });
		}
		if (req.params.appId !== String(state.options.credentials.appId)) {
			return errorResponse(404, { message: `App ${req.params.appId} not found for this developer account`, category: 'OBJECT_NOT_FOUND', correlationId: cid });
		}
		try {
			const res = handler(req, cid);
			return { ...res, headers: { 'x-hubspot-correlation-id': cid, ...(res.headers ?? {}) } };
		} catch (err) {
			if (err instanceof HubspotHttpError) return err.response;
			if (err instanceof BodyParseError) return badJsonResponse(req, err);
			throw err;
		}
	};
}

function renderSettings(state: HubspotState): Record<string, unknown> {
	const s = state.webhooks.settings!;
	return {
		targetUrl: s.targetUrl,
		throttling: { maxConcurrentRequests: s.maxConcurrentRequests },
		createdAt: instant(s.createdAt),
		updatedAt: instant(s.updatedAt),
	};
}

function checkTargetUrl(url: string): void {
	let parsed: URL;
	try {
		parsed = new URL(url);
	} catch {
		validationError(`targetUrl ${url} is not a valid URL`);
	}
	// HubSpot only calls HTTPS endpoints; plain HTTP is allowed for loopback receivers in tests.
	const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname);
	if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && loopback)) validationError(`targetUrl must use HTTPS: ${url}`);
}

function subscriptionOf(state: HubspotState, req: SandboxRequest, cid: string) {
	const s = state.webhooks.subscriptions.get(Number(req.params.subscriptionId));
	if (!s) fail(404, { message: `Subscription ${req.params.subscriptionId} not found`, category: 'OBJECT_NOT_FOUND', correlationId: cid });
	return s;
}

export function registerWebhookApi(router: Router, state: HubspotState): void {
	const wh = state.webhooks;
	for (const v of ['v3', ...state.options.dateVersions]) {
		const p = `/webhooks/${v}/:appId`;
		router.get(`${p}/settings`, 'webhooks.settings.get', developer(state, (_req, cid) => {
			if (!wh.settings) fail(404, { message: 'resource not found', correlationId: cid });
			return { status: 200, body: renderSettings(state) };
		}));
		router.put(`${p}/settings`, 'webhooks.settings.put', developer(state, (req) => {
			const body = objectBody(req);
			const missing = ['targetUrl', 'throttling'].filter((k) => body[k] === undefined);
			if (missing.length) missingAttributes(req.rawBody.length, 'SettingsChangeRequest', missing);
			if (typeof body.targetUrl !== 'string') wrongType(req, 'string', body.targetUrl);
			if (!isRecord(body.throttling) || typeof body.throttling.maxConcurrentRequests !== 'number') {
				missingAttributes(req.rawBody.length, 'ThrottlingSettings', ['maxConcurrentRequests']);
			}
			const max = body.throttling.maxConcurrentRequests as number;
			if (max < 5) validationError(`maxConcurrentRequests must be at least 5, was ${max}`);
			checkTargetUrl(body.targetUrl);
			const now = state.now();
			wh.settings = { targetUrl: body.targetUrl, maxConcurrentRequests: max, createdAt: wh.settings?.createdAt ?? now, updatedAt: now };
			return { status: 200, body: renderSettings(state) };
		}));
		router.delete(`${p}/settings`, 'webhooks.settings.delete', developer(state, () => {
			wh.settings = undefined;
			return { status: 204 };
		}));
		router.get(`${p}/subscriptions`, 'webhooks.subscriptions.list', developer(state, () => ({ status: 200, body: { results: [...wh.subscriptions.values()].map(renderSubscription) } })));
		router.post(`${p}/subscriptions`, 'webhooks.subscriptions.create', developer(state, (req) => {
			const body = objectBody(req);
			if (typeof body.eventType !== 'string') missingAttributes(req.rawBody.length, 'SubscriptionCreateRequest', ['eventType']);
			if (!EVENT_TYPES.includes(body.eventType)) validationError(`Unknown eventType: ${body.eventType}`);
			let propertyName: string | undefined;
			if (body.eventType.endsWith('.propertyChange')) {
				if (typeof body.propertyName !== 'string' || !body.propertyName) validationError('propertyName is required for propertyChange subscriptions');
				propertyName = body.propertyName;
				const key = objectKeyOf(body.eventType.split('.')[0]);
				if (key && !state.registry.get(key, propertyName)) validationError(`Property ${propertyName} does not exist for ${OBJECT_TYPES[key].singular}`);
			}
			const s = wh.createSubscription(body.eventType, propertyName, body.active !== false);
			return { status: 201, body: renderSubscription(s) };
		}));
		router.post(`${p}/subscriptions/batch/update`, 'webhooks.subscriptions.batchUpdate', developer(state, (req) => {
			const startedAt = state.now();
			const body = objectBody(req);
			if (!Array.isArray(body.inputs)) missingAttributes(req.rawBody.length, 'BatchInputSubscriptionBatchUpdateRequest', ['inputs']);
			const results: unknown[] = [];
			const errors: unknown[] = [];
			for (const input of body.inputs as unknown[]) {
				const s = isRecord(input) ? wh.subscriptions.get(Number(input.id)) : undefined;
				if (!s || !isRecord(input) || typeof input.active !== 'boolean') {
					errors.push(standardError('OBJECT_NOT_FOUND', `Subscription ${isRecord(input) ? String(input.id) : '?'} not found`, { id: [isRecord(input) ? String(input.id) : ''] }));
					continue;
				}
				s.active = input.active;
				s.updatedAt = state.now();
				results.push(renderSubscription(s));
			}
			return { status: errors.length ? 207 : 200, body: batchEnvelope(startedAt, state.now(), results, errors) };
		}));
		router.get(`${p}/subscriptions/:subscriptionId`, 'webhooks.subscriptions.get', developer(state, (req, cid) => ({ status: 200, body: renderSubscription(subscriptionOf(state, req, cid)) })));
		router.patch(`${p}/subscriptions/:subscriptionId`, 'webhooks.subscriptions.update', developer(state, (req, cid) => {
			const s = subscriptionOf(state, req, cid);
			const body = objectBody(req);
			if (typeof body.active === 'boolean') s.active = body.active;
			s.updatedAt = state.now();
			return { status: 200, body: renderSubscription(s) };
		}));
		router.delete(`${p}/subscriptions/:subscriptionId`, 'webhooks.subscriptions.delete', developer(state, (req, cid) => {
			wh.subscriptions.delete(subscriptionOf(state, req, cid).id);
			return { status: 204 };
		}));
	}
}

// ---------------------------------------------------------------- admin helpers

export function registerAdmin(router: Router, state: HubspotState): void {
	router.post('/_sandbox/hubspot/oauth/token', 'admin.hubspot.oauthToken', (req) => {
		const body = req.rawBody.length ? objectBody(req) : {};
		const scopes = Array.isArray(body.scopes) ? body.scopes.map(String) : state.options.privateAppScopes;
		return { status: 200, body: state.auth.issueForTest(scopes) };
	});
	router.get('/_sandbox/hubspot/limits', 'admin.hubspot.limits', () => ({ status: 200, body: state.limits.snapshot() }));
	// Locks a record so writes to it answer 423 for `ms` vendor milliseconds (default 2000, as HubSpot's locks).
	router.post('/_sandbox/hubspot/locks', 'admin.hubspot.lock', (req) => {
		const body = objectBody(req);
		const key = objectKeyOf(String(body.object ?? 'contacts'));
		if (!key) return errorResponse(400, { message: `Unable to infer object type from: ${String(body.object)}` });
		const until = state.now() + (typeof body.ms === 'number' ? body.ms : 2000);
		state.locks.set(`${key}:${Number(body.id)}`, until);
		return { status: 200, body: { object: key, id: String(body.id), lockedUntil: instant(until) } };
	});
	// An edit made by a person in the HubSpot UI: webhooks carry changeSource CRM_UI, not the API's source.
	router.post('/_sandbox/hubspot/ui/:object', 'admin.hubspot.uiWrite', (req) => {
		const key = objectKeyOf(req.params.object);
		if (!key) return errorResponse(400, { message: `Unable to infer object type from: ${req.params.object}` });
		try {
			const body = objectBody(req);
			const origin = state.uiOrigin(typeof body.userId === 'number' ? body.userId : undefined);
			const existing = body.id !== undefined ? state.stores[key].getLive(Number(body.id)) : undefined;
			if (body.id !== undefined && !existing) fail(404, { message: 'resource not found' });
			if (body.archive === true && existing) {
				state.archive(key, existing, origin);
				return { status: 204 };
			}
			const { values, problems } = state.validate(key, isRecord(body.properties) ? body.properties : {}, existing);
			HubspotState.throwIfProblems(problems);
			const conflict = state.conflict(key, values, existing?.id);
			if (conflict) fail(409, { message: state.conflictMessage(key, conflict), category: 'CONFLICT' });
			const rec = existing ? state.update(key, existing, values, origin) : state.create(key, values, origin);
			return { status: existing ? 200 : 201, body: state.render(key, rec, { selection: { mode: 'all' } }) };
		} catch (err) {
			if (err instanceof HubspotHttpError) return err.response;
			throw err;
		}
	});
}
