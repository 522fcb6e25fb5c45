/**
 * Pipedrive sandbox vendor: `createPipedrive(ctx, options)` returns the VendorDefinition that `startVendor()`
 * serves. See options.ts for the configuration and its (real-vendor) defaults.
 */
import { Router, type SandboxRequest, type SandboxResponse, type VendorErrorShapes } from '../core/server';
import type { SeedOptions, SeedSummary, VendorContext, VendorDefinition } from '../core/vendor';
import { badJsonResponse, PipedriveApi, type AccountState } from './api';
import { Auth } from './auth';
import { Company, type EntityName, type Json } from './company';
import { envelope, PipedriveHttpError } from './errors';
import { renderFieldV1, type EntityKind } from './fields';
import { Limits } from './limits';
import { resolveOptions, type PipedriveOptions } from './options';
import { normaliseObject, seed as seedData } from './seed';
import { renderWebhook, Webhooks } from './webhooks';

export type { PipedriveOptions, PipedrivePlan, PipedriveCredentials } from './options';
export { DEFAULT_CREDENTIALS, TOKEN_COSTS, BURST_LIMITS, PLAN_MULTIPLIER } from './options';

export function createPipedrive(ctx: VendorContext, options: PipedriveOptions = {}): VendorDefinition {
	const opts = resolveOptions(options);
	const company = new Company(ctx, opts);
	const auth = new Auth(ctx, opts);
	const limits = new Limits(ctx, opts);
	const webhooks = new Webhooks(company, ctx.clock, opts);
	const account: AccountState = { open: true };
	const api = new PipedriveApi(ctx, opts, company, auth, limits, webhooks, account);
	const router = new Router();
	api.register(router);

	// ---- admin routes under /_sandbox/pipedrive (not counted, no faults) ---------------------------------
	const adminError = (err: unknown): SandboxResponse => {
		if (err instanceof PipedriveHttpError) return err.toResponse();
		throw err;
	};
	/**
	 * An edit "as a user in the app": webhooks carry `meta.change_source: "app"` and the app user's id, so
	 * two-way sync tests can tell human edits from their own API writes. Body:
	 * `{entity: "person"|"organization"|"deal"|"stage"|"pipeline", action?: "create"|"change"|"delete", id?, changes?: {v2 fields}, user_id?}`.
	 */
	router.post('/_sandbox/pipedrive/edit', 'admin.pipedrive.edit', (req) => {
		try {
			const b = req.json<Json>();
			const entity = String(b.entity ?? b.object ?? 'person').replace(/s$/, '').replace(/^org$/, 'organization') as EntityName;
			if (!['person', 'organization', 'deal', 'stage', 'pipeline'].includes(entity)) return { status: 400, body: envelope(`Unknown entity ${entity}`) };
			const userId = typeof b.user_id === 'number' ? b.user_id : opts.credentials.appUserId;
			const changes = (b.changes ?? b.data ?? {}) as Json;
			const action = (b.action as string | undefined) ?? (b.id === undefined ? 'create' : 'change');
			const table = company.tableOf(entity);
			if (action === 'create') {
				const row = api.create(entity, changes, 'v2', userId, 'app');
				return { status: 200, body: { success: true, data: company.renderV2(entity, row) } };
			}
			const row = company.live(table, Number(b.id));
			if (!row) return { status: 404, body: envelope(`${entity} not found`) };
			if (action === 'delete') {
				api.remove(entity, row, userId, 'app');
				return { status: 200, body: { success: true, data: { id: row.id } } };
			}
			api.update(entity, row, changes, 'v2', userId, 'app');
			return { status: 200, body: { success: true, data: company.renderV2(entity, row) } };
		} catch (err) {
			return adminError(err);
		}
	});
	/** Mints an authorization code as if the user approved the app (optionally with narrower scopes). */
	router.post('/_sandbox/pipedrive/oauth/code', 'admin.pipedrive.oauth.code', (req) => {
		const b = req.rawBody.length ? req.json<Json>() : {};
		const redirectUri = typeof b.redirect_uri === 'string' ? b.redirect_uri : opts.credentials.oauthRedirectUris[0];
		const scopes = Array.isArray(b.scopes) ? (b.scopes as string[]) : typeof b.scopes === 'string' ? b.scopes.split(/[ ,]+/) : undefined;
		return { status: 200, body: { code: auth.issueCode(redirectUri, scopes), redirect_uri: redirectUri } };
	});
	/** Expires one access token now, to exercise refresh without waiting an hour. */
	router.post('/_sandbox/pipedrive/oauth/expire', 'admin.pipedrive.oauth.expire', (req) => {
		const b = req.json<Json>();
		return { status: 200, body: { expired: auth.expire(String(b.access_token ?? '')) } };
	});
	/** Account status: `{open: false}` makes every API call answer 402. */
	router.put('/_sandbox/pipedrive/account', 'admin.pipedrive.account', (req) => {
		const b = req.json<Json>();
		if (typeof b.open === 'boolean') account.open = b.open;
		return { status: 200, body: { ...account } };
	});
	router.get('/_sandbox/pipedrive/usage', 'admin.pipedrive.usage', () => ({ status: 200, body: limits.usage() }));
	router.get('/_sandbox/pipedrive/fields', 'admin.pipedrive.fields', () => ({ status: 200, body: customFieldSummary() }));

	function customFieldSummary(): Json {
		const out: Json = {};
		for (const e of ['person', 'organization', 'deal'] as EntityKind[]) {
			out[e] = company.fields.custom(e).map((f) => ({ key: f.key, name: f.name, field_type: f.fieldType, options: f.options }));
		}
		return out;
	}

	const errors: VendorErrorShapes = {
		/** Unknown routes: the gateway answers 401 first when the caller is not authenticated, else the envelope 404. */
		notFound(req: SandboxRequest): SandboxResponse {
			if (!req.path.startsWith('/_sandbox') && !req.path.startsWith('/oauth')) {
				try {
					auth.authenticate(req);
				} catch (err) {
					if (err instanceof PipedriveHttpError) return err.toResponse();
				}
			}
			return { status: 404, body: envelope('Unknown method .') };
		},
		badJson: (_req, err) => badJsonResponse(err),
		internal: () => ({ status: 500, body: envelope('Internal server error') }),
		unavailable: () => ({ status: 503, body: envelope('Requested service is not available') }),
		rateLimited: () => limits.forced(),
	};

	function records(object: string): unknown[] {
		const o = object.toLowerCase();
		const entity = normaliseObject(o);
		if (entity) {
			const e: EntityName = entity === 'persons' ? 'person' : entity === 'organizations' ? 'organization' : 'deal';
			return [...company.tableOf(e).values()].map((r) => company.renderV2(e, r));
		}
		if (o === 'stages' || o === 'stage') return [...company.stages.values()].map((r) => company.stageV2(r));
		if (o === 'pipelines' || o === 'pipeline') return [...company.pipelines.values()].map((r) => company.pipelineV2(r));
		if (o === 'webhooks') return [...webhooks.subs.values()].map((s) => renderWebhook(s, opts.credentials.companyId));
		const fieldsOf: Record<string, EntityKind> = { personfields: 'person', organizationfields: 'organization', dealfields: 'deal' };
		if (fieldsOf[o]) return company.fields.list(fieldsOf[o]).map((f) => renderFieldV1(f, opts.credentials.userId));
		return [];
	}

	return {
		name: 'pipedrive',
		router,
		errors,
		webhooks: webhooks.sender.core,
		info() {
			const c = opts.credentials;
			return {
				apiBaseUrl: `${ctx.baseUrl}/api/v2`,
				apiV1BaseUrl: `${ctx.baseUrl}/api/v1`,
				auth: {
					apiToken: c.apiToken,
					apiTokenHeader: 'x-api-token',
					oauth: {
						authorizeUrl: `${ctx.baseUrl}/oauth/authorize`,
						tokenUrl: `${ctx.baseUrl}/oauth/token`,
						revokeUrl: `${ctx.baseUrl}/oauth/revoke`,
						clientId: c.oauthClientId,
						clientSecret: c.oauthClientSecret,
						redirectUris: c.oauthRedirectUris,
						scopes: c.oauthScopes,
						accessTokenLifetimeSec: opts.accessTokenLifetimeSec,
						apiDomain: ctx.baseUrl,
					},
				},
				company: { id: c.companyId, name: c.companyName, domain: c.companyDomain },
				users: company.users,
				webhookBasicAuth: { user: c.webhookUser, password: c.webhookPassword },
				limits: limits.usage(),
				contactSync: opts.contactSync,
				// Keys only (options: GET /_sandbox/pipedrive/fields), so `npm run sandbox` stays readable.
				customFields: Object.fromEntries(
					(['person', 'organization', 'deal'] as EntityKind[]).map((e) => [e, company.fields.custom(e).map((f) => ({ key: f.key, name: f.name, field_type: f.fieldType }))]),
				),
				note: 'Sandbox-only credentials; they grant nothing on the real Pipedrive.',
			};
		},
		reset() {
			company.reset();
			limits.reset();
			webhooks.reset();
			auth.rearmApiToken();
			account.open = true;
		},
		seed(options: SeedOptions): SeedSummary {
			return seedData(company, options);
		},
		records,
	};
}
