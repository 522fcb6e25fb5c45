import type { ICredentialTestRequest, ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * Salesforce OAuth2 (web-server flow) for the FluxCascade nodes. API calls go to the org's instance URL
 * from the token response (`instance_url`), never to the login host. Named apart from n8n's built-in
 * `salesforceOAuth2Api` so both can be installed side by side.
 */
export class FluxSalesforceOAuth2Api implements ICredentialType {
	name = 'fluxSalesforceOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'FluxCascade Salesforce OAuth2 API';

	icon = 'file:FluxSalesforce.svg' as const;

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a full URL: this is a community package, not n8n's docs site
	documentationUrl = 'https://help.salesforce.com/s/articleView?id=sf.remoteaccess_oauth_web_server_flow.htm';

	properties: INodeProperties[] = [
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Login URL',
			name: 'environment',
			type: 'options',
			options: [
				{ name: 'Production (login.salesforce.com)', value: 'production' },
				{ name: 'Sandbox (test.salesforce.com)', value: 'sandbox' },
				{ name: 'Custom (My Domain or Other URL)', value: 'custom' },
			],
			default: 'production',
			description: 'Where users log in to authorize n8n. API calls always go to the instance URL Salesforce returns.',
		},
		{
			displayName: 'Custom Login URL',
			name: 'customLoginUrl',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://acme.my.salesforce.com',
			displayOptions: { show: { environment: ['custom'] } },
			description: 'Base URL of the login host, without /services/oauth2',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default:
				'={{ ($self["environment"] === "custom" ? String($self["customLoginUrl"]).replace(/\\/+$/, "") : $self["environment"] === "sandbox" ? "https://test.salesforce.com" : "https://login.salesforce.com") + "/services/oauth2/authorize" }}',
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default:
				'={{ ($self["environment"] === "custom" ? String($self["customLoginUrl"]).replace(/\\/+$/, "") : $self["environment"] === "sandbox" ? "https://test.salesforce.com" : "https://login.salesforce.com") + "/services/oauth2/token" }}',
			required: true,
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: 'api refresh_token',
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
		{
			displayName: 'Instance URL Override',
			name: 'instanceUrlOverride',
			type: 'string',
			default: '',
			placeholder: 'https://acme.my.salesforce.com',
			description: 'Send API calls here instead of the instance URL from the token response (for a proxy or a local sandbox)',
		},
		{
			displayName: 'API Version',
			name: 'apiVersion',
			type: 'string',
			default: '62.0',
			placeholder: '62.0',
			description: 'REST API version used for every call (v46.0 or newer)',
		},
		{
			displayName: 'API Reserve (%)',
			name: 'apiReserve',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 50 },
			default: 5,
			description:
				'Share of the org’s 24-hour API allocation to leave for people and other integrations: calls fail fast with Rate Limit Exceeded before dipping into it',
		},
	];

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ String($credentials.instanceUrlOverride || $credentials.oauthTokenData?.instance_url || "").replace(/\\/+$/, "") }}',
			url: '={{ "/services/data/v" + String($credentials.apiVersion || "62.0").replace(/^v/i, "") + "/limits" }}',
			method: 'GET',
		},
	};
}
