/**
 * Jobber webhook signing: `X-Jobber-Hmac-SHA256` = base64(HMAC-SHA256(app client secret, raw body))
 * (crm-apis.md §4.7). Delivery is the core WebhookSender with Jobber's one-second deadline in its policy.
 */
import { createHmac } from 'node:crypto';

export function jobberSignature(secret: string, rawBody: string | Buffer): string {
	return createHmac('sha256', secret).update(rawBody).digest('base64');
}
