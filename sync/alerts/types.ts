/**
 * Types of the Sync Alert engine: events read from items, rule configuration, the channel-neutral alert
 * message, and delivery results. Pure TypeScript (no n8n imports).
 */

export const ALERT_RULES = ['every_error', 'consecutive', 'error_rate', 'daily_digest'] as const;
export type AlertRuleKind = (typeof ALERT_RULES)[number];

export type AlertRule =
	| { kind: 'every_error' }
	/** N failures in a row per mapping (a success resets the streak). */
	| { kind: 'consecutive'; count: number }
	/**
	 * failed / processed ≥ thresholdPercent over the last windowMinutes, once at least minRecords were processed.
	 * `items`: counts of the records and run summaries this node saw; `runs`: the store's run records (runTotals).
	 */
	| { kind: 'error_rate'; thresholdPercent: number; windowMinutes: number; minRecords: number; source: 'items' | 'runs' }
	/** Records errors for the digest; `sendDigest` sends the day ending at `time` (HH:MM) in `timeZone`. */
	| { kind: 'daily_digest'; time: string; timeZone: string };

export interface AlertConfig {
	rule: AlertRule;
	/** An error whose retry is still scheduled is not alerted (nor counted) until the retry is exhausted. Default true. */
	quietWhileRetryPending?: boolean;
	/** The same error (mapping + code + field + record id) at most once per window; 0 turns it off. Default 60. */
	dedupeWindowMinutes?: number;
	/** Link to the error dashboard, shown in every message. */
	dashboardUrl?: string;
	/** Beyond this many alerts in one batch, the rest are folded into one summary alert. Default 20. */
	maxAlertsPerBatch?: number;
	/** How many failing records a digest lists. Default 5. */
	topRecords?: number;
}

export interface RecordRef {
	system?: string;
	object?: string;
	id?: string;
}

export interface AlertLink {
	label: string;
	url: string;
}

/** A classified error as an alert shows it (taxonomy codes, plus Workflow/Unknown for n8n's own errors). */
export interface AlertError {
	category: string;
	code: string;
	label: string;
	message: string;
	field?: string;
	record?: RecordRef;
	suggestedFix?: string;
	timestamp?: string;
	retryable?: boolean;
}

export interface RetryInfo {
	/** A retry is scheduled and not exhausted: the failure is not final yet. */
	pending: boolean;
	/** The retries ran out (the failure is final). */
	exhausted: boolean;
	strategy?: string;
	attempts?: number;
	maxAttempts?: number;
	nextRetryAt?: string;
}

interface EventBase {
	/** Index of the input item this event came from (for n8n's paired items). */
	index: number;
	mapping: string;
}

export interface FailureEvent extends EventBase {
	kind: 'failure';
	errors: AlertError[];
	record?: RecordRef;
	retry?: RetryInfo;
	stage?: string;
	node?: string;
	links: AlertLink[];
}

export interface SuccessEvent extends EventBase {
	kind: 'success';
	record?: RecordRef;
}

export interface RunEvent extends EventBase {
	kind: 'run';
	runId?: string;
	status: string;
	/** Records the run handled (fetched, or the sum of its outcomes when fetched is not counted). */
	processed: number;
	failed: number;
	error?: string;
}

export interface IgnoredEvent {
	kind: 'ignored';
	index: number;
	reason: string;
}

export type AlertEvent = FailureEvent | SuccessEvent | RunEvent | IgnoredEvent;

export type Severity = 'error' | 'warning' | 'info';

export interface DigestRecordLine {
	system?: string;
	object?: string;
	id?: string;
	count: number;
	lastLabel: string;
	lastMessage: string;
	lastAt: string;
	links?: AlertLink[];
}

export interface DigestSummary {
	/** The period covered, ISO (UTC) and as local wall time in the digest's time zone. */
	from: string;
	to: string;
	timeZone: string;
	label: string;
	errors: number;
	/** Failed records (one failed item may carry several field errors). */
	failedRecords: number;
	byCategory: Record<string, number>;
	byCode: Array<{ code: string; label: string; category: string; count: number }>;
	topRecords: DigestRecordLine[];
	/** Records beyond the per-bucket tracking cap (counted in errors, not listed). */
	untrackedRecords: number;
	runs: { total: number; failed: number; processed: number; failedRecords: number };
}

/** The channel-neutral alert: every channel renders this, after redaction. */
export interface AlertMessage {
	id: string;
	rule: AlertRuleKind;
	severity: Severity;
	mapping: string;
	createdAt: string;
	title: string;
	/** One line: what failed. */
	summary: string;
	errors: AlertError[];
	/** Errors beyond those listed in `errors`. */
	moreErrors: number;
	counts: Record<string, number>;
	links: AlertLink[];
	dashboardUrl?: string;
	digest?: DigestSummary;
}

export interface DeliveryAttempt {
	attempt: number;
	at: string;
	status?: number;
	error?: string;
	durationMs: number;
}

export interface DeliveryResult {
	channel: 'slack' | 'webhook' | 'items';
	ok: boolean;
	/** `sent` (2xx), `failed` (after every retry), `output` (items for n8n's own nodes). */
	status: 'sent' | 'failed' | 'output';
	attempts: DeliveryAttempt[];
	httpStatus?: number;
	error?: string;
}
