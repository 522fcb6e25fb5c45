import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * Pipedrive OAuth 2.0 (Marketplace app) for the FluxCascade Pipedrive nodes. The client authenticates to the
 * token endpoint with HTTP Basic (`authentication: header`), as Pipedrive requires. The token response's
 * `api_domain` (kept by n8n in the credential's oauthTokenData) is the API host the nodes call.
 */
export class FluxPipedriveOAuth2Api implements ICredentialType {
	name = 'fluxPipedriveOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'FluxCascade Pipedrive OAuth2 API';

	icon: Icon = 'file:FluxPipedrive.svg';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a full URL: this is a community package, not n8n's docs site
	documentationUrl = 'https://pipedrive.readme.io/docs/marketplace-oauth-authorization';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'string',
			default: 'https://oauth.pipedrive.com/oauth/authorize',
			required: true,
			description: 'Change only for a sandbox',
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'string',
			default: 'https://oauth.pipedrive.com/oauth/token',
			required: true,
			description: 'Change only for a sandbox',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			// Pipedrive grants the scopes configured on the app; the authorize URL takes none.
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
			default: 'header',
		},
		{
			displayName: 'Base URL Override',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://localhost:4020',
			description: "Only for a sandbox or proxy. Empty uses the api_domain Pipedrive returned with the token (your company's host).",
		},
	];
}
