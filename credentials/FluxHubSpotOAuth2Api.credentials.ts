import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/** What the sync nodes read and write: CRM objects, their schemas, and owners. */
const scopes = [
	'oauth',
	'crm.objects.contacts.read',
	'crm.objects.contacts.write',
	'crm.objects.companies.read',
	'crm.objects.companies.write',
	'crm.objects.deals.read',
	'crm.objects.deals.write',
	'crm.objects.owners.read',
	'crm.schemas.contacts.read',
	'crm.schemas.companies.read',
	'crm.schemas.deals.read',
];

/** HubSpot OAuth2 (public app). n8n refreshes the 30-minute access token with the refresh token. */
export class FluxHubSpotOAuth2Api implements ICredentialType {
	name = 'fluxHubSpotOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'FluxCascade HubSpot OAuth2 API';

	icon: Icon = 'file:FluxHubSpot.svg';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a full URL: this is a community package, not n8n's docs site
	documentationUrl = 'https://developers.hubspot.com/docs/api/oauth-quickstart-guide';

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
			default: 'https://api.hubapi.com',
			description: 'API host; the token endpoint is /oauth/v1/token on it. Change only for a proxy or a local HubSpot sandbox.',
		},
		{
			displayName: 'Authorization Base URL',
			name: 'authBaseUrl',
			type: 'string',
			default: 'https://app.hubspot.com',
			description: 'Where users grant access (/oauth/authorize). Change only for a local HubSpot sandbox.',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'options',
			options: [
				{ name: 'Classic (/crm/v3)', value: 'v3' },
				{ name: 'Date-Based 2026-03', value: '2026-03' },
				{ name: 'Date-Based 2026-09', value: '2026-09' },
			],
			default: 'v3',
			description: 'Path version of the CRM APIs. Request and response shapes are the same; classic paths are supported until September 2027.',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: '={{$self["authBaseUrl"].replace(/\\/+$/, "")}}/oauth/authorize',
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: '={{$self["baseUrl"].replace(/\\/+$/, "")}}/oauth/v1/token',
			required: true,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: scopes.join(' '),
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
}
