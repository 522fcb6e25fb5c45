import type { IAuthenticateGeneric, ICredentialTestRequest, ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * Pipedrive personal API token for the FluxCascade Pipedrive nodes (n8n's own `pipedriveApi` is left alone).
 * The token goes in the `x-api-token` header, never in the URL, so it stays out of proxy and server logs.
 */
export class FluxPipedriveApi implements ICredentialType {
	name = 'fluxPipedriveApi';

	displayName = 'FluxCascade Pipedrive API';

	icon: Icon = 'file:FluxPipedrive.svg';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a full URL: this is a community package, not n8n's docs site
	documentationUrl = 'https://pipedrive.readme.io/docs/how-to-find-the-api-token';

	properties: INodeProperties[] = [
		{
			displayName: 'API Token',
			name: 'apiToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Personal API token: Pipedrive → Personal preferences → API',
		},
		{
			displayName: 'Company Domain',
			name: 'companyDomain',
			type: 'string',
			default: '',
			placeholder: 'mycompany',
			description: 'The part before .pipedrive.com in your Pipedrive address. Empty uses api.pipedrive.com.',
		},
		{
			displayName: 'Base URL Override',
			name: 'baseUrl',
			type: 'string',
			default: '',
			placeholder: 'http://localhost:4020',
			description: 'Only for a sandbox or proxy: the host to call instead of Pipedrive (paths /api/v1 and /api/v2 are added)',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: { 'x-api-token': '={{$credentials.apiToken}}' },
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL:
				'={{ $credentials.baseUrl ? $credentials.baseUrl.replace(/\\/+$/, "") : ($credentials.companyDomain ? "https://" + $credentials.companyDomain.replace(/^https?:\\/\\//, "").replace(/\\.pipedrive\\.com.*$/, "") + ".pipedrive.com" : "https://api.pipedrive.com") }}',
			url: '/api/v1/users/me',
		},
	};
}
