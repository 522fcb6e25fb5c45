import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * A HubSpot developer app for webhooks: its id, its client secret (which signs every webhook request) and
 * the developer API key of the webhooks v3 subscriptions API.
 */
export class FluxHubSpotAppApi implements ICredentialType {
	name = 'fluxHubSpotAppApi';

	displayName = 'FluxCascade HubSpot App (Webhooks) API';

	icon: Icon = 'file:FluxHubSpot.svg';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a full URL: this is a community package, not n8n's docs site
	documentationUrl = 'https://developers.hubspot.com/docs/api/webhooks';

	properties: INodeProperties[] = [
		{
			displayName: 'App ID',
			name: 'appId',
			type: 'string',
			default: '',
			required: true,
			description: 'ID of the HubSpot developer app whose webhooks this trigger receives',
		},
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: "The app's client secret: HubSpot signs every webhook request with it (X-HubSpot-Signature-v3)",
		},
		{
			displayName: 'Developer API Key',
			name: 'developerApiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: "Developer account API key, used to set the app's target URL and subscriptions",
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.hubapi.com',
			description: 'Change only to reach HubSpot through a proxy, or a local HubSpot sandbox',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			qs: {
				hapikey: '={{$credentials.developerApiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '=/webhooks/v3/{{$credentials.appId}}/subscriptions',
		},
	};
}
