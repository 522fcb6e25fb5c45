import type { ICredentialDataDecryptedObject, IExecuteFunctions, IHookFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';
import { PipedriveConnector } from '../../../connectors/pipedrive';
import { n8nHttpClient } from '../../shared/n8nHttp';
import { rateLimitBudgets } from '../../shared/rateLimits';

export type PipedriveContext = IExecuteFunctions | ILoadOptionsFunctions | IHookFunctions | IWebhookFunctions;

export const API_TOKEN_CREDENTIAL = 'fluxPipedriveApi';
export const OAUTH_CREDENTIAL = 'fluxPipedriveOAuth2Api';

/** The API host: the override, else the company domain (token) or the token response's api_domain (OAuth). */
export function baseUrlOf(credentialType: string, credentials: ICredentialDataDecryptedObject): string {
	const override = String(credentials.baseUrl ?? '').trim();
	if (override) return override.replace(/\/+$/, '');
	if (credentialType === OAUTH_CREDENTIAL) {
		const tokenData = (credentials.oauthTokenData ?? {}) as { api_domain?: unknown };
		if (typeof tokenData.api_domain === 'string' && tokenData.api_domain) return tokenData.api_domain.replace(/\/+$/, '');
		return 'https://api.pipedrive.com';
	}
	const domain = String(credentials.companyDomain ?? '')
		.trim()
		.replace(/^https?:\/\//, '')
		.replace(/\.pipedrive\.com.*$/, '');
	return domain ? `https://${domain}.pipedrive.com` : 'https://api.pipedrive.com';
}

export function credentialTypeOf(ctx: PipedriveContext): string {
	const auth = ctx.getNodeParameter('authentication', 0, 'apiToken') as string;
	return auth === 'oAuth2' ? OAUTH_CREDENTIAL : API_TOKEN_CREDENTIAL;
}

/** The secret that keys derived webhook credentials: the API token, or the OAuth client secret. */
export async function credentialSecret(ctx: PipedriveContext): Promise<string> {
	const type = credentialTypeOf(ctx);
	const credentials = await ctx.getCredentials(type);
	return String(type === OAUTH_CREDENTIAL ? (credentials.clientSecret ?? '') : (credentials.apiToken ?? ''));
}

/**
 * A connector over n8n's authenticated HTTP helper. The limiter key is the credential's id, so every
 * execution using the same credential in this process shares one budget.
 */
export async function connectorFor(ctx: PipedriveContext, options: { dailyReserve?: number; defaultCountry?: string } = {}): Promise<PipedriveConnector> {
	const type = credentialTypeOf(ctx);
	const credentials = await ctx.getCredentials(type);
	const baseUrl = baseUrlOf(type, credentials);
	const credentialId = ctx.getNode().credentials?.[type]?.id ?? 'unsaved';
	return new PipedriveConnector({
		http: n8nHttpClient(ctx, type, baseUrl),
		key: `${type}:${credentialId}:${baseUrl}`,
		budgets: await rateLimitBudgets(ctx),
		authKind: type === OAUTH_CREDENTIAL ? 'oauth' : 'api_token',
		dailyReserve: options.dailyReserve,
		defaultCountry: options.defaultCountry,
	});
}
