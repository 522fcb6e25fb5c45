import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * The Jobber app's OAuth client secret, used only to verify webhook signatures (X-Jobber-Hmac-SHA256 is an
 * HMAC-SHA256 of the raw body keyed with it). It never authenticates an API call.
 */
export class FluxJobberAppApi implements ICredentialType {
	name = 'fluxJobberAppApi';

	displayName = 'FluxCascade Jobber App (Webhooks) API';

	icon: Icon = 'file:FluxJobber.svg';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a full URL: this is a community package, not n8n's docs site
	documentationUrl = 'https://developer.getjobber.com/docs/using_jobbers_api/setting_up_webhooks';

	properties: INodeProperties[] = [
		{
			displayName: 'Client Secret',
			name: 'clientSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: "The app's OAuth client secret from Jobber's Developer Center: Jobber signs every webhook with it",
		},
	];
}
