/**
 * The credentials the vendor templates reference by name, created over REST against the sandboxes. Everything
 * else the template suites use (importing, running, reading executions) is in test/e2e/support.ts.
 */
import type { RunningN8n } from '../../scripts/n8n/runtime';
import type { Sandbox } from '../../sandbox';
import { vendorCall } from '../e2e/support';

/** The credential names the templates reference, created over REST against the sandboxes. */
export const CREDENTIAL_NAMES = { hubspot: 'HubSpot (FluxCascade)', pipedrive: 'Pipedrive (FluxCascade)', jobber: 'Jobber (FluxCascade)', salesforce: 'Salesforce (FluxCascade)' } as const;

export async function createCredentials(n8n: RunningN8n, sandbox: Sandbox, vendors: Array<keyof typeof CREDENTIAL_NAMES>): Promise<void> {
	for (const vendor of vendors) {
		const info = await vendorCall(sandbox, vendor, 'GET', '/_sandbox/info');
		const url = sandbox.url(vendor);
		if (vendor === 'hubspot') {
			await n8n.rest('POST', '/credentials', { name: CREDENTIAL_NAMES.hubspot, type: 'fluxHubSpotApi', data: { accessToken: info.privateAppToken, baseUrl: url, apiVersion: 'v3' } });
		} else if (vendor === 'pipedrive') {
			await n8n.rest('POST', '/credentials', { name: CREDENTIAL_NAMES.pipedrive, type: 'fluxPipedriveApi', data: { apiToken: info.auth.apiToken, companyDomain: '', baseUrl: url } });
		} else if (vendor === 'salesforce') {
			// Connected already (the token answer n8n would have stored after "Connect"), at the sandbox's login URL.
			await n8n.rest('POST', '/credentials', {
				name: CREDENTIAL_NAMES.salesforce,
				type: 'fluxSalesforceOAuth2Api',
				data: {
					clientId: info.clientId,
					clientSecret: info.clientSecret,
					environment: 'custom',
					customLoginUrl: url,
					apiVersion: '62.0',
					apiReserve: 5,
					oauthTokenData: { access_token: info.accessToken, refresh_token: info.refreshToken, instance_url: url, id: `${url}/id/${info.organizationId}/${info.integrationUserId}`, token_type: 'Bearer', issued_at: String(Date.now()), scope: 'api refresh_token' },
				},
			});
		} else {
			// An OAuth2 credential that is already connected: the token answer n8n would have stored after "Connect".
			await n8n.rest('POST', '/credentials', {
				name: CREDENTIAL_NAMES.jobber,
				type: 'fluxJobberOAuth2Api',
				data: {
					clientId: info.clientId,
					clientSecret: info.clientSecret,
					baseUrl: url,
					apiVersion: info.apiVersion,
					oauthTokenData: { access_token: info.accessToken, refresh_token: info.refreshToken, token_type: 'bearer' },
				},
			});
		}
	}
}
