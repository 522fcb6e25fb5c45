import type { IExecuteFunctions, IHookFunctions, ILoadOptionsFunctions, IWebhookFunctions } from 'n8n-workflow';
import { JobberConnector, JOBBER_DEFAULT_VERSION } from '../../../connectors/jobber';
import { n8nHttpClient } from '../../shared/n8nHttp';
import { rateLimitBudgets } from '../../shared/rateLimits';

export const CREDENTIAL = 'fluxJobberOAuth2Api';

type Context = IExecuteFunctions | IHookFunctions | ILoadOptionsFunctions | IWebhookFunctions;

/** A connector for the node's Jobber credential; its limiters are shared by every execution using that credential. */
export async function jobberConnector(ctx: Context): Promise<JobberConnector> {
	const credentials = await ctx.getCredentials(CREDENTIAL);
	const baseUrl = String(credentials.baseUrl || 'https://api.getjobber.com').replace(/\/+$/, '');
	const credentialId = ctx.getNode().credentials?.[CREDENTIAL]?.id ?? 'unsaved';
	return new JobberConnector({
		http: n8nHttpClient(ctx, CREDENTIAL, baseUrl, { authFailureHint: 'Jobber refresh tokens rotate on every use: a refresh token used elsewhere is dead' }),
		apiVersion: String(credentials.apiVersion || JOBBER_DEFAULT_VERSION),
		// Identity, never the secret: Jobber's budgets are per app and account, one credential is one of those.
		limiterKey: `${baseUrl}|${String(credentials.clientId ?? '')}|${credentialId}`,
		budgets: await rateLimitBudgets(ctx),
		onWarning: (warning) => ctx.logger.warn(`Jobber API version warning: ${warning}`),
	});
}
