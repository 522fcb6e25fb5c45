/**
 * The connector for a node execution: n8n's httpRequestWithAuthentication under the HttpClient seam (n8n adds
 * the token and refreshes OAuth2), the credential's base URL and API version, and limiters keyed by the
 * credential's id, so every execution in this process that uses the credential shares one budget.
 */
import type { IExecuteFunctions, IHookFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';
import { HubSpotConnector } from '../../../connectors/hubspot';
import { n8nHttpClient } from '../../shared/n8nHttp';
import { rateLimitBudgets } from '../../shared/rateLimits';

export type Authentication = 'accessToken' | 'oAuth2';

export const CREDENTIAL_TYPES: Record<Authentication, string> = {
	accessToken: 'fluxHubSpotApi',
	oAuth2: 'fluxHubSpotOAuth2Api',
};

type Context = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

function authenticationOf(ctx: Context): Authentication {
	let value: unknown;
	if ('getCurrentNodeParameter' in ctx && typeof ctx.getCurrentNodeParameter === 'function') value = ctx.getCurrentNodeParameter('authentication');
	else value = (ctx as IExecuteFunctions).getNodeParameter('authentication', 0, 'accessToken');
	return value === 'oAuth2' ? 'oAuth2' : 'accessToken';
}

export async function hubspotConnector(ctx: Context, authentication?: Authentication): Promise<HubSpotConnector> {
	const auth = authentication ?? authenticationOf(ctx);
	const credentialType = CREDENTIAL_TYPES[auth];
	const credentials = await ctx.getCredentials(credentialType);
	const baseUrl = String(credentials.baseUrl || 'https://api.hubapi.com').replace(/\/+$/, '');
	const version = String(credentials.apiVersion || 'v3');
	const credentialId = ctx.getNode().credentials?.[credentialType]?.id ?? ctx.getNode().id;
	return new HubSpotConnector({
		http: n8nHttpClient(ctx, credentialType, baseUrl),
		limiterKey: `${credentialType}:${credentialId}`,
		budgets: await rateLimitBudgets(ctx),
		objectsPath: version === 'v3' ? '/crm/v3/objects' : `/crm/objects/${version}`,
	});
}
