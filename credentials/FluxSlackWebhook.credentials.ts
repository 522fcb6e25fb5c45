/* eslint-disable n8n-nodes-base/cred-class-name-unsuffixed -- n8n loads the class named like the file (FluxXxx.credentials.js exports FluxXxx); the credential type itself is named …Api */
import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * A Slack incoming webhook for the Sync Alert node. The URL is the secret (whoever has it can post to the
 * channel), so it is a password field: n8n stores it encrypted and the node never prints it.
 */
export class FluxSlackWebhook implements ICredentialType {
	name = 'fluxSlackWebhookApi';

	displayName = 'FluxCascade Slack Webhook API';

	icon: Icon = 'file:FluxSlackWebhook.svg';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a full URL: this is a community package, not n8n's docs site
	documentationUrl = 'https://api.slack.com/messaging/webhooks';

	properties: INodeProperties[] = [
		{
			displayName: 'Webhook URL',
			name: 'webhookUrl',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'https://hooks.slack.com/services/T000/B000/XXXX',
			description: 'Slack → your app → Incoming Webhooks → Webhook URL for the alert channel',
		},
	];
}
