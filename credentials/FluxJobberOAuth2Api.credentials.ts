import type { ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';
import { JOBBER_DEFAULT_VERSION } from '../connectors/jobber/transport';

/**
 * Jobber OAuth2 (authorization code). Jobber rotates the refresh token on every use and kills the old one at once;
 * n8n stores the whole token answer after each refresh (new refresh token included) and serialises refreshes per
 * credential, which is what rotation needs. Client id/secret go in the token request body, as Jobber expects.
 */
export class FluxJobberOAuth2Api implements ICredentialType {
	name = 'fluxJobberOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'FluxCascade Jobber OAuth2 API';

	icon: Icon = 'file:FluxJobber.svg';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a full URL: this is a community package, not n8n's docs site
	documentationUrl = 'https://developer.getjobber.com/docs/building_your_app/app_authorization';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.getjobber.com',
			description: 'Jobber API host; /api/graphql and /api/oauth/* are on it. Change only for a local Jobber sandbox or a proxy.',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			default: JOBBER_DEFAULT_VERSION,
			placeholder: 'e.g. 2026-05-12',
			description:
				'Sent as X-JOBBER-GRAPHQL-VERSION on every call. Jobber supports each dated version for 12 months after a newer one ships, then silently upgrades; change it when Jobber announces a removal.',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: '={{$self["baseUrl"].replace(/\\/+$/, "")}}/api/oauth/authorize',
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: '={{$self["baseUrl"].replace(/\\/+$/, "")}}/api/oauth/token',
			required: true,
		},
		{
			// Scopes are set on the app in Jobber's Developer Center, not requested at authorization.
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: '',
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
	];

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/api/graphql',
			method: 'POST',
			headers: { 'X-JOBBER-GRAPHQL-VERSION': '={{$credentials.apiVersion}}', 'Content-Type': 'application/json' },
			body: { query: 'query FluxCredentialTest { account { id name } }' },
		},
	};
}
