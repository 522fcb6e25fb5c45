/**
 * Configuration of the HubSpot sandbox. Every default is the real vendor's value (crm-apis.md §1.2, §1.10,
 * §1.11); tests shrink limits or delays through these options instead of patching the server.
 */

/** Sandbox-only credentials. None of these values is valid against the real HubSpot. */
export interface HubspotCredentials {
	/** Legacy private-app token, sent as `Authorization: Bearer pat-na1-…`. */
	privateAppToken: string;
	/** OAuth app (public app) client id and secret. The client secret also signs webhooks (v1/v2/v3). */
	clientId: string;
	clientSecret: string;
	/** App id (webhook settings live under /webhooks/v3/{appId}); also `sourceId` of API writes. */
	appId: number;
	/** HubSpot account ("hub") id: `portalId` in webhooks, `hub_id` in token responses. */
	portalId: number;
	/** Developer API key for the webhooks v3 settings/subscriptions endpoints (`?hapikey=`). */
	developerApiKey: string;
	/** Installing user of the OAuth app (token metadata). */
	userId: number;
	userEmail: string;
	/** Website domain of the account (token metadata `hub_domain`). */
	hubDomain: string;
}

export const DEFAULT_CREDENTIALS: HubspotCredentials = {
	privateAppToken: 'pat-na1-5a1d0b7e-3c2f-4e8a-9b61-0d4f7c2e8a19',
	clientId: '3f9e6c2a-8d41-4b7e-a5c0-1e2d3f4a5b6c',
	clientSecret: '7c1b9e4d-2a6f-4d3c-b8e5-9f0a1b2c3d4e',
	appId: 4830127,
	portalId: 44237313,
	developerApiKey: 'eu1-dev0-sand-box0-0000-hapikey00001',
	userId: 76070032,
	userEmail: 'sandbox.admin@fluxcascade.test',
	hubDomain: 'fluxcascade.test',
};

/** Private-app limits per subscription tier (crm-apis.md §1.10). */
export const TIERS = {
	free: { tenSecond: 100, daily: 250_000 },
	starter: { tenSecond: 100, daily: 250_000 },
	professional: { tenSecond: 190, daily: 650_000 },
	enterprise: { tenSecond: 190, daily: 1_000_000 },
} as const;
export type HubspotTier = keyof typeof TIERS;

/** Every scope a sandbox route can ask for; the private-app token holds all of them by default. */
export const ALL_SCOPES = [
	'oauth',
	'crm.objects.contacts.read',
	'crm.objects.contacts.write',
	'crm.objects.companies.read',
	'crm.objects.companies.write',
	'crm.objects.deals.read',
	'crm.objects.deals.write',
	'crm.objects.owners.read',
	'crm.schemas.contacts.read',
	'crm.schemas.contacts.write',
	'crm.schemas.companies.read',
	'crm.schemas.companies.write',
	'crm.schemas.deals.read',
	'crm.schemas.deals.write',
];

export interface HubspotOptions {
	/** Private-app tier: sets the 10-second and daily limits (default `starter`: 100 / 10 s, 250,000 / day). */
	tier?: HubspotTier;
	/** Overrides the tier's private-app requests per 10-second rolling window (100 or 190 for real accounts). */
	tenSecondLimit?: number;
	/** Overrides the tier's daily private-app budget. */
	dailyLimit?: number;
	/** OAuth (public) app requests per 10 s per installing account (110; no daily cap). */
	oauthTenSecondLimit?: number;
	/** CRM search requests per second per account (5). */
	searchPerSecond?: number;
	/** Offset of the account's time zone from UTC in minutes; the daily budget resets at its midnight (0). */
	utcOffsetMinutes?: number;
	/** Account time-zone name shown by /account-info (US/Eastern). */
	timeZone?: string;
	/** OAuth access-token lifetime in seconds (1800 = 30 min). */
	accessTokenLifetimeSec?: number;
	/** Authorization-code lifetime in seconds (600). */
	authCodeLifetimeSec?: number;
	credentials?: Partial<HubspotCredentials>;
	/** Scopes of the private-app token (default: all). */
	privateAppScopes?: string[];
	/** Date-based API versions accepted in paths (`/crm/objects/2026-03/…`, `/oauth/2026-03/token`). */
	dateVersions?: string[];
	/** Search sees writes only this many vendor ms later (0 = off; the real index lags "a few moments"). */
	searchConsistencyDelayMs?: number;
	/** Vendor-ms delays before each webhook retry (10 retries spread over ~24 h). */
	webhookRetryDelaysMs?: number[];
	/** Real ms HubSpot waits for the receiver before counting the attempt as failed (5000). */
	webhookTimeoutMs?: number;
	/** Events per webhook request (100). */
	webhookMaxBatch?: number;
	/** Real ms events are gathered before a batch is sent (so one batch write arrives as one request). */
	webhookBatchWindowMs?: number;
	/** Which version the `X-HubSpot-Signature` header carries (v3 is always sent in its own header). */
	webhookSignatureVersion?: 'v1' | 'v2';
	/** `changeSource` of webhook events for writes made through the API. */
	apiChangeSource?: string;
	/** Body style of an injected 5xx: HubSpot JSON envelope (503) or the Cloudflare HTML page (502). */
	unavailableStyle?: 'json' | 'cloudflare';
}

export interface ResolvedOptions {
	tenSecondLimit: number;
	dailyLimit: number;
	oauthTenSecondLimit: number;
	searchPerSecond: number;
	utcOffsetMinutes: number;
	timeZone: string;
	accessTokenLifetimeSec: number;
	authCodeLifetimeSec: number;
	credentials: HubspotCredentials;
	privateAppScopes: string[];
	dateVersions: string[];
	searchConsistencyDelayMs: number;
	webhookRetryDelaysMs: number[];
	webhookTimeoutMs: number;
	webhookMaxBatch: number;
	webhookBatchWindowMs: number;
	webhookSignatureVersion: 'v1' | 'v2';
	apiChangeSource: string;
	unavailableStyle: 'json' | 'cloudflare';
}

const MIN = 60_000;
/** Exponential back-off from 2 minutes, capped so that ten retries span roughly a day. */
export const DEFAULT_WEBHOOK_RETRY_DELAYS_MS = [2, 4, 8, 16, 32, 64, 128, 256, 480, 480].map((m) => m * MIN);

export function resolveOptions(options: HubspotOptions = {}): ResolvedOptions {
	const tier = TIERS[options.tier ?? 'starter'];
	return {
		tenSecondLimit: options.tenSecondLimit ?? tier.tenSecond,
		dailyLimit: options.dailyLimit ?? tier.daily,
		oauthTenSecondLimit: options.oauthTenSecondLimit ?? 110,
		searchPerSecond: options.searchPerSecond ?? 5,
		utcOffsetMinutes: options.utcOffsetMinutes ?? 0,
		timeZone: options.timeZone ?? 'US/Eastern',
		accessTokenLifetimeSec: options.accessTokenLifetimeSec ?? 1800,
		authCodeLifetimeSec: options.authCodeLifetimeSec ?? 600,
		credentials: { ...DEFAULT_CREDENTIALS, ...(options.credentials ?? {}) },
		privateAppScopes: options.privateAppScopes ?? [...ALL_SCOPES],
		dateVersions: options.dateVersions ?? ['2025-09', '2026-03', '2026-09'],
		searchConsistencyDelayMs: options.searchConsistencyDelayMs ?? 0,
		webhookRetryDelaysMs: options.webhookRetryDelaysMs ?? DEFAULT_WEBHOOK_RETRY_DELAYS_MS,
		webhookTimeoutMs: options.webhookTimeoutMs ?? 5000,
		webhookMaxBatch: options.webhookMaxBatch ?? 100,
		webhookBatchWindowMs: options.webhookBatchWindowMs ?? 5,
		webhookSignatureVersion: options.webhookSignatureVersion ?? 'v1',
		apiChangeSource: options.apiChangeSource ?? 'INTEGRATION',
		unavailableStyle: options.unavailableStyle ?? 'json',
	};
}
