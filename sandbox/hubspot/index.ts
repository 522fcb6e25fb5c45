/**
 * The HubSpot sandbox: a local stand-in for api.hubapi.com that answers with HubSpot's paths, status codes,
 * headers, JSON shapes and limits, so a node that works here works against the real API.
 *
 *   const ctx = createContext();
 *   const hubspot = await startVendor(createHubspot(ctx, { tier: 'professional' }), ctx);
 *   // Authorization: Bearer <hubspot.definition.info().privateAppToken>
 */
import { Router, type SandboxRequest, type SandboxResponse } from '../core/server';
import type { SeedOptions, SeedSummary, VendorContext, VendorDefinition } from '../core/vendor';
import { badJsonResponse } from './api';
import { registerAssociations } from './associations';
import { errorResponse, notFound } from './errors';
import { registerMetadata } from './metadata';
import { registerObjects } from './objects';
import { resolveOptions, type HubspotOptions } from './options';
import { registerAdmin, registerOAuth, registerWebhookApi } from './routes';
import { OBJECT_KEYS, objectKeyOf } from './schema';
import { seedHubspot } from './seed';
import { HubspotState } from './state';

export type { HubspotOptions, HubspotCredentials, HubspotTier } from './options';
export { DEFAULT_CREDENTIALS, TIERS } from './options';
export { signatureV1, signatureV2, signatureV3, decodeV3Uri } from './webhooks';
export { HubspotState } from './state';

function unavailable(state: HubspotState): SandboxResponse {
	if (state.options.unavailableStyle === 'cloudflare') {
		return {
			status: 502,
			headers: { 'Content-Type': 'text/html; charset=UTF-8', Server: 'cloudflare' },
			body: '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n',
		};
	}
	return errorResponse(503, { message: 'The service is temporarily unavailable. Please retry the request.', category: 'SERVICE_UNAVAILABLE' });
}

/** Which limiter's 429 an injected rate-limit fault imitates for this request. */
function forced429(state: HubspotState, req: SandboxRequest): SandboxResponse {
	const token = /^Bearer\s+(\S+)/i.exec(req.headers.authorization ?? '')?.[1];
	const principal = token === state.options.credentials.privateAppToken ? 'private' : 'oauth';
	return state.limits.forced(req.routeName.endsWith('.search') ? 'search' : 'standard', principal);
}

/** The definition plus the live state, for tests that inspect internals (the admin API covers the rest). */
export interface HubspotDefinition extends VendorDefinition {
	state: HubspotState;
}

export function createHubspot(ctx: VendorContext, options: HubspotOptions = {}): HubspotDefinition {
	const state = new HubspotState(ctx, resolveOptions(options));
	const router = new Router();
	registerAdmin(router, state);
	registerOAuth(router, state);
	registerWebhookApi(router, state);
	registerObjects(router, state);
	registerAssociations(router, state);
	registerMetadata(router, state);

	const o = state.options;
	const c = o.credentials;
	return {
		name: 'hubspot',
		state,
		router,
		webhooks: state.webhooks.sender,
		errors: {
			notFound: () => notFound(),
			badJson: (req, err) => badJsonResponse(req, err),
			internal: () => errorResponse(500, { message: 'internal error', category: 'INTERNAL_ERROR' }),
			unavailable: () => unavailable(state),
			rateLimited: (req) => forced429(state, req),
		},
		info: () => ({
			note: 'Sandbox-only credentials; none of them works against the real HubSpot.',
			privateAppToken: c.privateAppToken,
			clientId: c.clientId,
			clientSecret: c.clientSecret,
			webhookSecret: c.clientSecret,
			appId: c.appId,
			portalId: c.portalId,
			developerApiKey: c.developerApiKey,
			oauth: {
				authorizeUrl: `${ctx.baseUrl}/oauth/authorize`,
				tokenUrl: `${ctx.baseUrl}/oauth/v1/token`,
				tokenUrlDated: `${ctx.baseUrl}/oauth/2026-03/token`,
				accessTokenLifetimeSec: o.accessTokenLifetimeSec,
			},
			limits: {
				tenSecond: o.tenSecondLimit,
				daily: o.dailyLimit,
				oauthTenSecond: o.oauthTenSecondLimit,
				searchPerSecond: o.searchPerSecond,
				dailyResetUtcOffsetMinutes: o.utcOffsetMinutes,
			},
			searchConsistencyDelayMs: o.searchConsistencyDelayMs,
			dateVersions: o.dateVersions,
			privateAppScopes: o.privateAppScopes,
		}),
		reset: () => state.reset(),
		seed: (seedOptions: SeedOptions): SeedSummary => seedHubspot(state, seedOptions),
		records: (object: string) => {
			const key = objectKeyOf(object);
			if (!key) return [];
			const store = state.stores[key];
			const ids = [...store.live, ...store.archivedIds].sort((a, b) => a - b);
			return ids.map((id) => state.render(key, store.byId.get(id)!, { selection: { mode: 'all' }, associations: OBJECT_KEYS.filter((k) => k !== key) }));
		},
	};
}
