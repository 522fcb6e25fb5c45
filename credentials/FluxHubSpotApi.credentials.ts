import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/** A HubSpot private-app access token or service key, sent as a Bearer token. */
export class FluxHubSpotApi implements ICredentialType {
	name = 'fluxHubSpotApi';

	displayName = 'FluxCascade HubSpot API';

	icon: Icon = 'file:FluxHubSpot.svg';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a full URL: this is a community package, not n8n's docs site
	documentationUrl = 'https://developers.hubspot.com/docs/api/private-apps';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'pat-na1-…',
			description: 'Private app access token or service key from HubSpot Settings → Integrations. It needs the CRM object and schema scopes the operations use.',
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.hubapi.com',
			description: 'Change only to reach HubSpot through a proxy, or a local HubSpot sandbox',
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
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};

	// Account details need no scope, so any valid token passes.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/account-info/v3/details',
		},
	};
}
