/**
 * The wiring between n8n and the Salesforce connector: the credential gives the instance URL (token
 * response or override), API version and reserve; requests go through n8n's authenticated HTTP helper.
 */
import {
	NodeOperationError,
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type IPollFunctions,
} from 'n8n-workflow';
import { SalesforceConnector } from '../../../connectors/salesforce';
import { n8nHttpClient } from '../../shared/n8nHttp';
import { rateLimitBudgets } from '../../shared/rateLimits';

export const CREDENTIAL_TYPE = 'fluxSalesforceOAuth2Api';

type Context = IExecuteFunctions | ILoadOptionsFunctions | IPollFunctions;

export interface SalesforceSettings {
	instanceUrl: string;
	apiVersion: string;
	apiReserve: number;
}

export function settingsFrom(credentials: ICredentialDataDecryptedObject): SalesforceSettings | undefined {
	const tokenData = (credentials.oauthTokenData ?? {}) as IDataObject;
	const raw = String(credentials.instanceUrlOverride || tokenData.instance_url || '').trim();
	if (!raw) return undefined;
	const reserve = Number(credentials.apiReserve ?? 5);
	return {
		instanceUrl: raw.replace(/\/+$/, ''),
		apiVersion: String(credentials.apiVersion || '62.0'),
		apiReserve: Number.isFinite(reserve) ? Math.min(0.5, Math.max(0, reserve / 100)) : 0.05,
	};
}

/** A connector for this node's credential; limiter, budget and describe cache are shared per credential. */
export async function salesforceConnector(ctx: Context): Promise<SalesforceConnector> {
	const credentials = await ctx.getCredentials(CREDENTIAL_TYPE);
	const settings = settingsFrom(credentials);
	if (!settings) {
		throw new NodeOperationError(ctx.getNode(), 'The Salesforce credential is not connected yet: no instance URL', {
			description: 'Open the credential and connect it (or set Instance URL Override).',
		});
	}
	const credentialId = ctx.getNode().credentials?.[CREDENTIAL_TYPE]?.id;
	return new SalesforceConnector({
		http: n8nHttpClient(ctx, CREDENTIAL_TYPE, settings.instanceUrl),
		instanceUrl: settings.instanceUrl,
		apiVersion: settings.apiVersion,
		apiReserve: settings.apiReserve,
		credentialKey: `${credentialId ?? 'unsaved'}@${settings.instanceUrl}`,
		budgets: await rateLimitBudgets(ctx),
		// Salesforce sessions have no expires_in: n8n learns of expiry from a 401 and refreshes then. Should a
		// 401 still come back (a refresh n8n could not do), one explicit refresh is asked for here.
		onAuthFailure: async () => {
			try {
				await ctx.helpers.refreshOAuth2Token.call(ctx, CREDENTIAL_TYPE, { includeCredentialsOnRefreshOnBody: true });
				return true;
			} catch {
				return false;
			}
		},
	});
}
