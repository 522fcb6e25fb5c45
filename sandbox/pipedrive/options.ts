/**
 * Pipedrive sandbox configuration: plans, limits, token costs, token lifetimes and the fixed sandbox credentials.
 * Every default is the real vendor's documented value (crm-apis.md §2.2, §2.7, §2.8), so a node tuned against the
 * sandbox meets the same limits in production.
 */
export type PipedrivePlan = 'lite' | 'growth' | 'premium' | 'ultimate';

/** Requests per rolling 2-second window per token (API token vs OAuth app), per plan. */
export const BURST_LIMITS: Record<PipedrivePlan, { apiToken: number; oauth: number }> = {
	lite: { apiToken: 20, oauth: 80 },
	growth: { apiToken: 40, oauth: 160 },
	premium: { apiToken: 100, oauth: 400 },
	ultimate: { apiToken: 120, oauth: 480 },
};

/** Daily token budget = 30,000 × plan multiplier × seats (+ top-ups). */
export const PLAN_MULTIPLIER: Record<PipedrivePlan, number> = { lite: 1, growth: 2, premium: 5, ultimate: 7 };
export const DAILY_TOKENS_PER_SEAT = 30_000;

/** Token cost of each route, copied from the specs' `x-token-cost` (a test checks them against the spec files). */
export const TOKEN_COSTS: Record<string, number> = {
	'v2.persons.list': 10,
	'v2.persons.get': 1,
	'v2.persons.create': 5,
	'v2.persons.update': 5,
	'v2.persons.delete': 3,
	'v2.persons.search': 20,
	'v2.organizations.list': 10,
	'v2.organizations.get': 1,
	'v2.organizations.create': 5,
	'v2.organizations.update': 5,
	'v2.organizations.delete': 3,
	'v2.organizations.search': 20,
	'v2.deals.list': 10,
	'v2.deals.archived': 20,
	'v2.deals.get': 1,
	'v2.deals.create': 5,
	'v2.deals.update': 5,
	'v2.deals.delete': 3,
	'v2.deals.search': 20,
	'v2.itemSearch.search': 20,
	'v2.stages.list': 5,
	'v2.stages.get': 1,
	'v2.stages.create': 5,
	'v2.stages.update': 5,
	'v2.stages.delete': 3,
	'v2.pipelines.list': 5,
	'v2.pipelines.get': 1,
	'v2.pipelines.create': 5,
	'v2.pipelines.update': 5,
	'v2.pipelines.delete': 3,
	// v2 Fields API (not in the stored v2 spec; costs from the Fields API docs: list 10, get 1).
	'v2.personFields.list': 10,
	'v2.organizationFields.list': 10,
	'v2.dealFields.list': 10,
	'v1.persons.list': 20,
	'v1.persons.get': 2,
	'v1.persons.create': 10,
	'v1.persons.update': 10,
	'v1.persons.delete': 6,
	'v1.persons.search': 40,
	'v1.persons.merge': 40,
	'v1.organizations.list': 20,
	'v1.organizations.get': 2,
	'v1.organizations.create': 10,
	'v1.organizations.update': 10,
	'v1.organizations.delete': 6,
	'v1.organizations.search': 40,
	'v1.deals.list': 20,
	'v1.deals.get': 2,
	'v1.deals.create': 10,
	'v1.deals.update': 10,
	'v1.deals.delete': 6,
	'v1.deals.search': 40,
	'v1.personFields.list': 20,
	'v1.personFields.get': 2,
	'v1.personFields.create': 10,
	'v1.personFields.update': 10,
	'v1.personFields.delete': 6,
	'v1.organizationFields.list': 20,
	'v1.organizationFields.get': 2,
	'v1.organizationFields.create': 10,
	'v1.organizationFields.update': 10,
	'v1.organizationFields.delete': 6,
	'v1.dealFields.list': 20,
	'v1.dealFields.get': 2,
	'v1.dealFields.create': 10,
	'v1.dealFields.update': 10,
	'v1.dealFields.delete': 6,
	'v1.recents': 20,
	'v1.users.me': 2,
	'v1.users.list': 20,
	'v1.webhooks.list': 10,
	'v1.webhooks.create': 10,
	'v1.webhooks.delete': 6,
};

export interface PipedriveCredentials {
	/** Personal API token (40 hex chars like the real ones), sent as `x-api-token` or legacy `?api_token=`. */
	apiToken: string;
	oauthClientId: string;
	oauthClientSecret: string;
	/** Redirect URIs registered for the OAuth app ("Developer Hub" callback URLs). */
	oauthRedirectUris: string[];
	/** Scopes granted to OAuth tokens (the app's scopes; `base` is always added). */
	oauthScopes: string[];
	/** Company subdomain (`<domain>.pipedrive.com`); reported by /users/me and in webhook `meta.host`. */
	companyDomain: string;
	companyId: number;
	companyName: string;
	/** The API user (token owner). */
	userId: number;
	userName: string;
	userEmail: string;
	/** A second user, the human who edits "in the app" (admin edit route, change_source "app"). */
	appUserId: number;
	appUserName: string;
	/** Suggested HTTP Basic credentials for webhook subscriptions (http_auth_user / http_auth_password). */
	webhookUser: string;
	webhookPassword: string;
}

export const DEFAULT_CREDENTIALS: PipedriveCredentials = {
	apiToken: '5a4d3c2b1a0f9e8d7c6b5a4d3c2b1a0f9e8d7c6b',
	oauthClientId: 'a7f3c2e19d4b8051',
	oauthClientSecret: '0c9e4b7d2a6f18e35b0d9c4a7e2f61b8d3c5a9e0',
	oauthRedirectUris: ['http://localhost:5678/rest/oauth2-credential/callback'],
	oauthScopes: ['base', 'deals:full', 'contacts:full', 'search:read', 'users:read', 'recents:read', 'admin'],
	companyDomain: 'fluxcascade-sandbox',
	companyId: 12893477,
	companyName: 'FluxCascade Sandbox',
	userId: 14583920,
	userName: 'Sandbox Integration',
	userEmail: 'integration@fluxcascade-sandbox.example',
	appUserId: 14583921,
	appUserName: 'Dana Dispatcher',
	webhookUser: 'pipedrive-hook',
	webhookPassword: 'sandbox-hook-password',
};

export interface PipedriveOptions {
	/** Subscription plan: sets burst limits and the daily budget multiplier. Default `growth`. */
	plan?: PipedrivePlan;
	/** Paid seats (daily budget = 30,000 × multiplier × seats + topUpTokens). Default 1. */
	seats?: number;
	topUpTokens?: number;
	/** Overrides the daily token budget entirely. */
	dailyTokenBudget?: number;
	/** Overrides the per-token burst limit (both auth kinds). */
	burstLimit?: number;
	/** Search API burst limit per token. Default 10. */
	searchBurstLimit?: number;
	/** Burst window in vendor ms. Default 2000. */
	burstWindowMs?: number;
	/** Turns burst and daily limits off (for benchmarks that measure something else). Default true. */
	rateLimiting?: boolean;
	/** Per-route token cost overrides (route name → tokens). */
	tokenCosts?: Record<string, number>;
	/**
	 * Cloudflare-style abuse block for API-token clients that keep calling after 429s: after `after429s`
	 * consecutive 429s the token gets an HTML 403 for `blockMs` vendor ms. Default off (null): the real
	 * thresholds are not published.
	 */
	abuseBlock?: { after429s: number; blockMs: number } | null;
	/** OAuth access token lifetime (vendor seconds). Default 3600. */
	accessTokenLifetimeSec?: number;
	/** Authorization code lifetime (vendor seconds). Default 300. */
	authCodeLifetimeSec?: number;
	/** A refresh token expires after this many vendor days without use. Default 60. */
	refreshTokenIdleDays?: number;
	credentials?: Partial<PipedriveCredentials>;
	/** Company has Contact Sync: persons carry notes/im/birthday/job_title/postal_address (else writing them is 403). Default true. */
	contactSync?: boolean;
	/** Open-deals cap of the plan; creating beyond it answers the 403 feature-capping error. Default null (no cap). */
	openDealsLimit?: number | null;
	/** Webhooks per user. Default 40. */
	webhookLimitPerUser?: number;
	/** Vendor-ms delays of the 3 retries after a failed delivery. Default [3000, 30000, 150000]. */
	webhookRetryDelaysMs?: number[];
	/** Delivery timeout in vendor ms. Default 10,000. */
	webhookTimeoutMs?: number;
	/** Floor for the real-time delivery timeout so a large timeScale does not turn 10 s into 1 ms. Default 1000. */
	webhookMinRealTimeoutMs?: number;
	/** Seed for custom-field hash keys, option ids and tokens. Default 1. */
	seed?: number;
}

export interface ResolvedOptions extends Required<Omit<PipedriveOptions, 'credentials' | 'abuseBlock' | 'openDealsLimit' | 'dailyTokenBudget' | 'burstLimit' | 'tokenCosts'>> {
	credentials: PipedriveCredentials;
	abuseBlock: { after429s: number; blockMs: number } | null;
	openDealsLimit: number | null;
	dailyTokenBudget: number;
	burstLimit: number | null;
	tokenCosts: Record<string, number>;
}

export function resolveOptions(options: PipedriveOptions = {}): ResolvedOptions {
	const plan = options.plan ?? 'growth';
	const seats = options.seats ?? 1;
	const topUpTokens = options.topUpTokens ?? 0;
	return {
		plan,
		seats,
		topUpTokens,
		dailyTokenBudget: options.dailyTokenBudget ?? DAILY_TOKENS_PER_SEAT * PLAN_MULTIPLIER[plan] * seats + topUpTokens,
		burstLimit: options.burstLimit ?? null,
		searchBurstLimit: options.searchBurstLimit ?? 10,
		burstWindowMs: options.burstWindowMs ?? 2000,
		rateLimiting: options.rateLimiting ?? true,
		tokenCosts: { ...TOKEN_COSTS, ...(options.tokenCosts ?? {}) },
		abuseBlock: options.abuseBlock ?? null,
		accessTokenLifetimeSec: options.accessTokenLifetimeSec ?? 3600,
		authCodeLifetimeSec: options.authCodeLifetimeSec ?? 300,
		refreshTokenIdleDays: options.refreshTokenIdleDays ?? 60,
		credentials: { ...DEFAULT_CREDENTIALS, ...(options.credentials ?? {}) },
		contactSync: options.contactSync ?? true,
		openDealsLimit: options.openDealsLimit ?? null,
		webhookLimitPerUser: options.webhookLimitPerUser ?? 40,
		webhookRetryDelaysMs: options.webhookRetryDelaysMs ?? [3000, 30_000, 150_000],
		webhookTimeoutMs: options.webhookTimeoutMs ?? 10_000,
		webhookMinRealTimeoutMs: options.webhookMinRealTimeoutMs ?? 1000,
		seed: options.seed ?? 1,
	};
}
