/**
 * Sync Alert engine (pure TypeScript, no n8n imports): events read from items by shape, rules with their state
 * in the sync store, the channel-neutral message and its channels. See README.md.
 */
export * from './types';
export { eventFromItem, eventsFromItems, mappingOf, retryInfo, toAlertError } from './events';
export { AlertEngine, AlertConfigError, errorSignature, validateRule, type AlertStore, type DigestRequest, type PendingAlert, type ProcessResult, type ProcessStats } from './engine';
export { endedPeriods, currentPeriod, parseDigestTime, validTimeZone, BUCKET_MS } from './digest';
export { describeRecord, escapeHtml, renderHtml, renderSlack, renderText, webhookBody, WEBHOOK_EVENT_TYPE, type SlackBlock } from './message';
export { isSensitiveKey, redactDeep, redactText, REDACTED } from './redact';
export {
	alertItem,
	deliverSlack,
	deliverWebhook,
	fetchSend,
	sign,
	signedPayload,
	slackPayload,
	verifySignature,
	webhookPayload,
	ATTEMPT_HEADER,
	DEFAULT_RETRY_DELAYS_MS,
	DELIVERY_HEADER,
	SIGNATURE_HEADER,
	TIMESTAMP_HEADER,
	type AlertItem,
	type DeliveryOptions,
	type HttpRequest,
	type HttpResponse,
	type HttpSend,
	type WebhookTarget,
} from './channels';
