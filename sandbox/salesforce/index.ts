/**
 * Salesforce sandbox server: REST API (sObjects, SOQL, Composite, sObject Collections, replication, limits)
 * and OAuth, faithful to the real API's statuses, headers and JSON shapes. Start it with
 * `startVendor(createSalesforce(ctx, options), ctx)`.
 */
import type { SandboxResponse, VendorErrorShapes } from '../core/server';
import type { SeedOptions, VendorContext, VendorDefinition } from '../core/vendor';
import { jsonErrorMessage } from './jsonerror';
import { seed } from './seed';
import { SalesforceOrg, type SalesforceOptions } from './org';
import { truncateToSecond } from './values';

export type { SalesforceOptions } from './org';
export { DEFAULT_CREDENTIALS, SalesforceOrg } from './org';
export { checksum, normalizeId, to18 } from './ids';
export { parseSoql, tokenize } from './soql/parser';
export { SoqlError } from './soql/errors';

export function createSalesforce(ctx: VendorContext, options: SalesforceOptions = {}): VendorDefinition {
	const org = new SalesforceOrg(ctx, options);
	const errors: VendorErrorShapes = {
		notFound: (req) => org.notFoundResponse(req),
		badJson: (req, err): SandboxResponse => {
			if (/larger than/.test(err.message)) return { status: 413, body: [{ errorCode: 'REQUEST_ENTITY_TOO_LARGE', message: 'Request Entity Too Large' }] };
			if (req.rawBody.length === 0) return { status: 400, body: [{ message: 'The HTTP entity body is required, but this request has no entity body.', errorCode: 'JSON_PARSER_ERROR' }] };
			return { status: 400, body: [{ message: jsonErrorMessage(req.rawBody.toString('utf8')), errorCode: 'JSON_PARSER_ERROR' }] };
		},
		internal: () => ({
			status: 500,
			body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'An unexpected error occurred. Please include this ErrorId if you contact support: 1848403447-18772 (-1205712148)' }],
		}),
		unavailable: () => ({ status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'Server temporarily unavailable. Please try again later.' }] }),
		// Salesforce has no 429: its throttle is 403 REQUEST_LIMIT_EXCEEDED.
		rateLimited: () => ({
			status: 403,
			headers: { 'Sforce-Limit-Info': `api-usage=${org.limit.used()}/${org.limit.limit}` },
			body: [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }],
		}),
	};
	return {
		name: 'salesforce',
		router: org.router,
		errors,
		info: () => {
			const c = org.auth.credentials;
			return {
				instanceUrl: ctx.baseUrl,
				tokenUrl: `${ctx.baseUrl}/services/oauth2/token`,
				authorizeUrl: `${ctx.baseUrl}/services/oauth2/authorize`,
				apiVersion: org.latestVersion(),
				apiVersions: `${org.versions[0]}–${org.latestVersion()}`,
				clientId: c.clientId,
				clientSecret: c.clientSecret,
				username: c.username,
				password: c.password,
				refreshToken: c.refreshToken,
				accessToken: c.accessToken,
				redirectUris: c.redirectUris,
				organizationId: org.orgId,
				integrationUserId: org.integrationUserId,
				humanUserId: org.humanUserId,
				note: 'Sandbox-only credentials; they grant nothing on any real Salesforce org.',
				...org.settings(),
			};
		},
		reset: () => org.reset(),
		seed: (o: SeedOptions) => seed(o, { db: org.db, now: truncateToSecond(ctx.clock.now()), ownerId: org.humanUserId }),
		records: (object: string) => {
			const store = org.db.store(object);
			if (!store) return [];
			const out: unknown[] = [];
			for (const id of store.order) out.push(org.recordJson(store, store.get(id)!, org.latestVersion()));
			return out;
		},
	};
}
