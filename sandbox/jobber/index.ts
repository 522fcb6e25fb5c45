/**
 * The Jobber sandbox: one GraphQL endpoint executed by graphql-js on Jobber's own schema, Jobber's OAuth with
 * rotating refresh tokens, the query-cost leaky bucket and DDoS guard, and signed webhooks. See README.md beside
 * this file for the options, defaults and what is modelled.
 */
import type { SandboxRequest, SandboxResponse, VendorErrorShapes } from '../core/server';
import { Router } from '../core/server';
import { LeakyBucket } from '../core/ratelimit';
import type { SeedOptions, VendorContext, VendorDefinition } from '../core/vendor';
import { TokenService, type TokenSettings } from './auth';
import { formatTime, parseOffset, type JobberContext } from './context';
import { GraphqlEndpoint, FixedWindow, ddosResponse, type ErrorDialect, type VersionPolicy } from './graphql';
import { encodeId, type JobberType } from './ids';
import * as m from './mutations';
import { attachResolvers } from './resolvers';
import { DEFAULT_SCHEMA_PATH, buildJobberSchema } from './schema';
import { defaultCustomFieldConfigs, dumpRecords, seed } from './seed';
import { JobberStore } from './store';
import { jobberSignature } from './webhooks';
import { WebhookSender } from '../core/webhooks';

export interface JobberCredentials {
	/** OAuth client id of the sandbox app. */
	clientId: string;
	/** OAuth client secret; it also signs webhooks (X-Jobber-Hmac-SHA256). */
	clientSecret: string;
	/** The app's id as webhooks carry it (a UUID). */
	appId: string;
	/** Numeric id of the sandbox account; the API shows it as an EncodedId. */
	accountNumber: number;
	/** A ready access token (a JWT); default: a fixed token that expires in 2100. */
	accessToken?: string;
	/** A ready refresh token (rotated away on first use when rotation is on). */
	refreshToken: string;
	/** HMAC key of the sandbox's own JWTs. */
	jwtSigningKey: string;
}

export interface JobberOptions {
	/** Query-cost leaky bucket (crm-apis.md §4.6): 10,000 points, restoring 500 per second. */
	costBucket?: { maximumAvailable?: number; restoreRate?: number };
	/** DDoS guard: 2,500 requests per 5 minutes per app and account → HTTP 429. */
	ddos?: { limit?: number; windowMs?: number };
	/** Access-token life, read by clients from the JWT `exp` (60 minutes). */
	tokenLifetimeSeconds?: number;
	/** Refresh-token rotation (on by default and mandatory for Marketplace apps). */
	rotateRefreshTokens?: boolean;
	/** Redirect URIs the authorize endpoint accepts; default any http(s) URI. */
	redirectUris?: string[];
	/** X-JOBBER-GRAPHQL-VERSION handling. */
	versions?: Partial<VersionPolicy>;
	credentials?: Partial<JobberCredentials>;
	accountName?: string;
	appName?: string;
	/** The account's UTC offset, used for every ISO8601DateTime the API renders (default "-06:00", as in Jobber's examples). */
	utcOffset?: string;
	/** Apps created before 2023-12-08 receive `occuredAt` (sic) in webhook payloads. */
	legacyOccuredAt?: boolean;
	webhooks?: { retryDelaysMs?: number[]; deadlineMs?: number; timeoutMs?: number; enforceDeadline?: boolean };
	/** Wording of validation errors: graphql-js's (default) or graphql-ruby's for unknown fields. */
	errorDialect?: ErrorDialect;
	schemaPath?: string;
}

/** Sandbox-only defaults, printed by info(). */
export const JOBBER_DEFAULTS = {
	clientId: 'jobber_sandbox_client_id',
	clientSecret: 'jobber_sandbox_client_secret',
	appId: '0f1c0ca5-cade-4a11-9b0b-5a4db0b10b1e',
	accountNumber: 1,
	refreshToken: '5dd95a1dbf1c0ca5cade0000000000a1',
	jwtSigningKey: 'jobber-sandbox-jwt-signing-key',
	versions: { supported: ['2025-01-20', '2025-04-16', '2026-05-12'], deprecated: ['2025-01-20'], requireHeader: true } as VersionPolicy,
	costBucket: { maximumAvailable: 10_000, restoreRate: 500 },
	ddos: { limit: 2_500, windowMs: 300_000 },
	tokenLifetimeSeconds: 3_600,
	webhooks: { retryDelaysMs: [30_000, 120_000, 600_000], deadlineMs: 1_000, timeoutMs: 10_000, enforceDeadline: false },
};

function jsonError(status: number, message: string): SandboxResponse {
	return { status, body: { errors: [{ message }] } };
}

const errors: VendorErrorShapes = {
	notFound: () => jsonError(404, 'Not Found'),
	badJson: (_req, err) => jsonError(400, `Invalid JSON in request body: ${err.message}`),
	internal: (_req, err) => jsonError(500, `Internal server error: ${err instanceof Error ? err.message : String(err)}`),
	// Jobber's maintenance answer (crm-apis.md §4.1).
	unavailable: () => ({ status: 503, body: { message: 'Service temporarily unavailable' } }),
	rateLimited: () => ddosResponse(),
};

function formParams(req: SandboxRequest): Record<string, string | undefined> {
	const type = (req.headers['content-type'] ?? '').toLowerCase();
	if (type.startsWith('application/json')) {
		const body = req.json<Record<string, unknown>>();
		return Object.fromEntries(Object.entries(body ?? {}).map(([k, v]) => [k, v === undefined || v === null ? undefined : String(v)]));
	}
	return Object.fromEntries(new URLSearchParams(req.text()));
}

const OBJECT_TYPES = ['Client', 'Property', 'Request', 'Quote', 'Job', 'Invoice'] as const;

export function createJobber(ctx: VendorContext, options: JobberOptions = {}): VendorDefinition {
	const schema = buildJobberSchema(options.schemaPath ?? DEFAULT_SCHEMA_PATH);
	attachResolvers(schema);
	const creds = { ...JOBBER_DEFAULTS, ...options.credentials };
	const accountId = encodeId('Account', creds.accountNumber);
	const tokenSettings: Omit<TokenSettings, 'initialAccessToken'> = {
		clientId: creds.clientId,
		clientSecret: creds.clientSecret,
		appId: creds.appId,
		accountId,
		signingKey: creds.jwtSigningKey,
		lifetimeSeconds: options.tokenLifetimeSeconds ?? JOBBER_DEFAULTS.tokenLifetimeSeconds,
		rotateRefreshTokens: options.rotateRefreshTokens ?? true,
		initialRefreshToken: creds.refreshToken,
		redirectUris: options.redirectUris ?? [],
	};
	const initialAccessToken = options.credentials?.accessToken ?? TokenService.initialAccessToken(tokenSettings);
	const tokens = new TokenService({ ...tokenSettings, initialAccessToken }, ctx.clock, ctx.faults);
	const versions: VersionPolicy = { ...JOBBER_DEFAULTS.versions, ...options.versions };
	// Dates sort as strings: the first entry is the oldest supported version.
	versions.supported = [...versions.supported].sort();
	const bucketMax = options.costBucket?.maximumAvailable ?? JOBBER_DEFAULTS.costBucket.maximumAvailable;
	const bucket = new LeakyBucket(ctx.clock, bucketMax, options.costBucket?.restoreRate ?? JOBBER_DEFAULTS.costBucket.restoreRate);
	const ddos = new FixedWindow(ctx.clock, options.ddos?.limit ?? JOBBER_DEFAULTS.ddos.limit, options.ddos?.windowMs ?? JOBBER_DEFAULTS.ddos.windowMs);
	const webhookOptions = { ...JOBBER_DEFAULTS.webhooks, ...options.webhooks };
	const sender = new WebhookSender(ctx.clock, {
		retryDelaysMs: webhookOptions.retryDelaysMs,
		timeoutMs: webhookOptions.timeoutMs,
		deadlineMs: webhookOptions.deadlineMs,
		enforceDeadline: webhookOptions.enforceDeadline,
	});
	const store = new JobberStore(ctx.clock);
	const utcOffsetMinutes = parseOffset(options.utcOffset ?? '-06:00');
	const account = { id: creds.accountNumber, name: options.accountName ?? 'FluxCascade Sandbox Lawn & Snow', createdAt: Date.UTC(2021, 2, 1) };
	const app = { id: creds.appId, name: options.appName ?? 'FluxCascade Sync', author: 'FluxCascade' };
	/** App-level webhook settings (Developer Center: one URL for the app's topics), set through the admin API. */
	const appWebhooks: { url: string | null; topics: string[] | null } = { url: null, topics: null };

	const emit = (topic: string, type: JobberType, id: number) => {
		if (!tokens.isConnected && topic !== 'APP_DISCONNECT') return;
		const targets = new Set<string>();
		for (const n of store.webhookEndpoints.order) {
			const endpoint = store.webhookEndpoints.get(n)!;
			if (endpoint.topic === topic) targets.add(endpoint.url);
		}
		if (appWebhooks.url && (!appWebhooks.topics || appWebhooks.topics.includes(topic))) targets.add(appWebhooks.url);
		if (targets.size === 0) return;
		const occurred = formatTime(ctx.clock.now(), utcOffsetMinutes);
		const event: Record<string, string> = { topic, appId: app.id, accountId, itemId: encodeId(type, id) };
		event[options.legacyOccuredAt ? 'occuredAt' : 'occurredAt'] = occurred;
		const body = JSON.stringify({ data: { webHookEvent: event } });
		for (const url of targets) {
			sender.send(url, body, (raw) => ({ 'X-Jobber-Hmac-SHA256': jobberSignature(sender.behaviour.badSignature ? `${creds.clientSecret}-wrong` : creds.clientSecret, raw) }));
		}
	};

	const context: JobberContext = {
		store,
		account,
		app,
		utcOffsetMinutes,
		emit,
		writeSource: app.name,
		disconnect: () => {
			tokens.disconnect();
			emit('APP_DISCONNECT', 'Account', account.id);
		},
	};
	/** Edits made "as a user in the app" carry no app lead source. */
	const userContext: JobberContext = { ...context, writeSource: null };

	const endpoint = new GraphqlEndpoint({
		schema,
		clock: ctx.clock,
		faults: ctx.faults,
		bucket,
		ddos,
		tokens,
		versions,
		dialect: options.errorDialect ?? 'graphql-js',
		context,
	});

	defaultCustomFieldConfigs(store);

	const router = new Router();
	router.post('/api/graphql', 'graphql', (req) => endpoint.handle(req));
	router.post('/api/oauth/token', 'oauth.token', (req) => {
		const result = tokens.exchange(formParams(req), () => emit('APP_CONNECT', 'Account', account.id));
		return { status: result.status, headers: { 'Cache-Control': 'no-store' }, body: result.body };
	});
	router.get('/api/oauth/authorize', 'oauth.authorize', (req) => {
		const q = req.query;
		const redirect = q.get('redirect_uri') ?? '';
		if (q.get('client_id') !== creds.clientId) return { status: 400, body: { error: 'invalid_client', error_description: 'Client authentication failed due to unknown client.' } };
		if (!tokens.redirectAllowed(redirect)) return { status: 400, body: { error: 'invalid_redirect_uri', error_description: 'The requested redirect uri is malformed or doesn\'t match client redirect URI.' } };
		if (q.get('response_type') !== 'code') return { status: 400, body: { error: 'unsupported_response_type', error_description: 'The authorization server does not support this response type.' } };
		const target = new URL(redirect);
		// A user who denies access comes back with no parameters at all (crm-apis.md §4.1).
		if (q.get('sandbox_decision') !== 'deny') {
			target.searchParams.set('code', tokens.issueCode(redirect));
			if (q.has('state')) target.searchParams.set('state', q.get('state')!);
		}
		return { status: 302, headers: { Location: target.toString() }, body: '' };
	});

	// Vendor-specific admin API (not counted as API calls, never faulted).
	router.post('/_sandbox/jobber/edit', 'admin.jobber.edit', (req) => {
		const body = req.json<{ op?: string; type?: string; id?: string; input?: Record<string, unknown> }>() ?? {};
		const op = body.op ?? 'update';
		const type = (body.type ?? 'Client') as (typeof OBJECT_TYPES)[number];
		if (!OBJECT_TYPES.includes(type)) return { status: 400, body: { error: `type must be one of ${OBJECT_TYPES.join(', ')}` } };
		const input = body.input ?? {};
		const done = (result: { userErrors: m.UserError[] }, id: string | undefined) =>
			result.userErrors.length ? { status: 422, body: { userErrors: result.userErrors } } : { status: 200, body: { ok: true, id } };
		if (op === 'destroy') return m.destroyRecord(userContext, type, body.id) ? { status: 200, body: { ok: true, id: body.id } } : { status: 404, body: { error: `${type} ${body.id} not found` } };
		if (op === 'create' && type === 'Client') {
			const r = m.clientCreate(userContext, input, null);
			return done(r, r.client ? encodeId('Client', r.client.id) : undefined);
		}
		if (op === 'archive' && type === 'Client') return done(m.clientArchive(userContext, body.id), body.id);
		if (op === 'update' && type === 'Client') return done(m.clientEdit(userContext, body.id, input), body.id);
		if (op === 'update' && type === 'Property') return done(m.propertyEdit(userContext, body.id, input), body.id);
		if (op === 'update' && type === 'Job') return done(m.jobEdit(userContext, body.id, input), body.id);
		return { status: 400, body: { error: `Unsupported edit: ${op} ${type}` } };
	});
	router.put('/_sandbox/jobber/app-webhooks', 'admin.jobber.appWebhooks', (req) => {
		const body = req.json<{ url?: string | null; topics?: string[] | null }>() ?? {};
		appWebhooks.url = body.url ?? null;
		appWebhooks.topics = body.topics ?? null;
		return { status: 200, body: appWebhooks };
	});
	router.get('/_sandbox/jobber/webhooks/timing', 'admin.jobber.webhookTiming', () => ({ status: 200, body: sender.timing() }));
	router.get('/_sandbox/jobber/throttle', 'admin.jobber.throttle', () => ({
		status: 200,
		body: { maximumAvailable: bucket.maximum, currentlyAvailable: Math.floor(bucket.current()), restoreRate: bucket.restorePerSecond, ddos: { used: ddos.used, limit: ddos.limit, resetInMs: ddos.resetInMs() } },
	}));
	router.put('/_sandbox/jobber/throttle', 'admin.jobber.throttle.set', (req) => {
		// Drains (or refills) the cost bucket to a level, so clients' back-off can be tested without spending points.
		const body = req.json<{ currentlyAvailable?: number }>() ?? {};
		if (typeof body.currentlyAvailable === 'number') {
			const now = bucket.current();
			if (body.currentlyAvailable < now) bucket.tryTake(now - body.currentlyAvailable);
			else bucket.refund(body.currentlyAvailable - now);
		}
		return { status: 200, body: { currentlyAvailable: Math.floor(bucket.current()) } };
	});
	router.get('/_sandbox/jobber/memory', 'admin.jobber.memory', () => {
		// Whole-process figures (every vendor in this process), after a collection when the process allows one.
		(globalThis as { gc?: () => void }).gc?.();
		const m = process.memoryUsage();
		return { status: 200, body: { rssMB: Math.round(m.rss / 1e6), heapUsedMB: Math.round(m.heapUsed / 1e6), clients: store.clients.size, properties: store.properties.size } };
	});
	router.post('/_sandbox/jobber/oauth/code', 'admin.jobber.oauthCode', (req) => {
		const body = req.json<{ redirectUri?: string }>() ?? {};
		return { status: 200, body: { code: tokens.issueCode(body.redirectUri ?? 'http://127.0.0.1/callback') } };
	});

	return {
		name: 'jobber',
		router,
		errors,
		webhooks: sender,
		info: () => ({
			graphqlUrl: `${ctx.baseUrl}/api/graphql`,
			authorizeUrl: `${ctx.baseUrl}/api/oauth/authorize`,
			tokenUrl: `${ctx.baseUrl}/api/oauth/token`,
			apiVersion: versions.supported[versions.supported.length - 1],
			supportedVersions: versions.supported,
			deprecatedVersions: versions.deprecated,
			clientId: creds.clientId,
			clientSecret: creds.clientSecret,
			webhookSecret: creds.clientSecret,
			appId: creds.appId,
			accountId,
			accessToken: initialAccessToken,
			refreshToken: creds.refreshToken,
			limits: {
				costBucket: { maximumAvailable: bucket.maximum, restoreRate: bucket.restorePerSecond },
				ddos: { limit: ddos.limit, windowMs: ddos.periodMs },
				tokenLifetimeSeconds: tokenSettings.lifetimeSeconds,
				rotateRefreshTokens: tokenSettings.rotateRefreshTokens,
			},
			note: 'Sandbox-only credentials; they work against this local server and nowhere else.',
		}),
		reset: () => {
			store.clear();
			defaultCustomFieldConfigs(store);
			bucket.refund(bucket.maximum);
			ddos.reset();
			appWebhooks.url = null;
			appWebhooks.topics = null;
			endpoint.clearCache();
		},
		seed: (seedOptions: SeedOptions) => seed(store, seedOptions),
		records: (object: string) => dumpRecords(store, object, utcOffsetMinutes),
	};
}
