/* eslint-disable n8n-nodes-base/cred-class-name-unsuffixed -- n8n loads the class named like the file (FluxXxx.credentials.js exports FluxXxx); the credential type itself is named …Api */
import type { ICredentialType, Icon, INodeProperties } from 'n8n-workflow';

/**
 * Where the Sync Alert node posts signed alerts, and the shared secret of the signature:
 * X-FluxCascade-Signature = sha256=<hex HMAC-SHA256(secret, "<X-FluxCascade-Timestamp>.<raw body>")>.
 */
export class FluxAlertWebhook implements ICredentialType {
	name = 'fluxAlertWebhookApi';

	displayName = 'FluxCascade Alert Webhook API';

	icon: Icon = 'file:FluxAlertWebhook.svg';

	// eslint-disable-next-line n8n-nodes-base/cred-class-field-documentation-url-miscased -- a full URL: this is a community package, not n8n's docs site
	documentationUrl = 'https://www.npmjs.com/package/n8n-nodes-fluxcascade';

	properties: INodeProperties[] = [
		{
			displayName: 'URL',
			name: 'url',
			type: 'string',
			default: '',
			required: true,
			placeholder: 'https://alerts.example.com/fluxcascade',
			description: 'The endpoint that receives alerts as JSON (POST)',
		},
		{
			displayName: 'Signing Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'Shared secret for the HMAC-SHA256 signature in X-FluxCascade-Signature; the receiver verifies with it',
		},
	];
}
