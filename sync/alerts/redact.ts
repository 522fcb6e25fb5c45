/**
 * Secrets never reach an alert. Every message and channel payload passes through `redactDeep` before it
 * leaves the engine: values of sensitive keys are replaced whole, strings are scrubbed of anything shaped
 * like a credential, and the exact secrets a channel knows (its webhook URL, its signing secret) are removed.
 */

export const REDACTED = '[redacted]';

/** Key names (lower-cased, without `-` and `_`) whose values are never shown. */
const SENSITIVE_KEY_PARTS = [
	'token',
	'secret',
	'password',
	'passwd',
	'passphrase',
	'apikey',
	'authorization',
	'cookie',
	'privatekey',
	'accesskey',
	'sessionid',
	'credential',
];

export function isSensitiveKey(key: string): boolean {
	const k = key.toLowerCase().replace(/[-_\s]/g, '');
	return SENSITIVE_KEY_PARTS.some((p) => k.includes(p)) || k === 'pwd' || k === 'auth';
}

// A key inside free text: `password=…`, `"apiKey": "…"`, `access_token=…` in a URL, `X-Api-Key: …`.
const KEY_NAME = String.raw`[A-Za-z0-9_.-]*(?:token|secret|password|passwd|passphrase|pwd|api[_-]?key|authorization|cookie|private[_-]?key|access[_-]?key|session[_-]?id|credentials?)[A-Za-z0-9_.-]*`;

/**
 * Whether a value after "token", "Basic" or "password:" in prose looks like a credential rather than a word:
 * "the token expired" and "credential: the" stay readable, "token abc123" and "password: hunter2" do not.
 */
function looksSecret(value: string): boolean {
	return /[^A-Za-z]/.test(value) || value.length >= 12;
}

type Replacer = string | ((match: string, ...groups: string[]) => string);

const PATTERNS: Array<[RegExp, Replacer]> = [
	// PEM private keys, whole.
	[/-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g, REDACTED],
	// Bearer always carries a credential; the other schemes only when what follows is not a plain word.
	[/\b(Bearer)\s+[A-Za-z0-9._~+/=:-]{4,}/gi, `$1 ${REDACTED}`],
	[/\b(Basic|Digest|Token)\s+([A-Za-z0-9._~+/=:-]{4,})/gi, (m, scheme: string, value: string) => (looksSecret(value) ? `${scheme} ${REDACTED}` : m)],
	// An Authorization header or field: its value whatever the scheme (prose like "authorization: check" stays).
	[
		/\b((?:proxy-)?authorization)(["']?\s*[:=]\s*["']?)((?:Bearer|Basic|Digest|Token)\s+)?([^\s"',;}]+)/gi,
		(m, key: string, sep: string, scheme: string | undefined, value: string) => (scheme || sep.includes('=') || looksSecret(value) ? `${key}${sep}${REDACTED}` : m),
	],
	// "key": "value" (JSON) and key=value (query strings, logs) where the key names a secret: always.
	[new RegExp(String.raw`(["'])(${KEY_NAME})\1(\s*:\s*)(["'])(?:(?!\4).)*\4`, 'gi'), `$1$2$1$3$4${REDACTED}$4`],
	[new RegExp(String.raw`\b(${KEY_NAME})(\s*=\s*["']?)(?!\[redacted\])[^\s"'&,;}\]]+`, 'gi'), `$1$2${REDACTED}`],
	// key: value in prose, when the value is not a plain word.
	[
		new RegExp(String.raw`\b(${KEY_NAME})(["']?\s*:\s*["']?)(?!\[redacted\])([^\s"'&,;}\]]+)`, 'gi'),
		(m, key: string, sep: string, value: string) => (looksSecret(value) ? `${key}${sep}${REDACTED}` : m),
	],
	// Credentials inside URLs: https://user:password@host.
	[/\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:"'<>]+:[^\s/@"'<>]+@/gi, `$1${REDACTED}@`],
	// Incoming-webhook URLs are secrets themselves (Slack, Teams, Discord).
	[/\bhttps:\/\/hooks\.slack\.com\/[^\s"'<>|]+/gi, `https://hooks.slack.com/${REDACTED}`],
	[/\bhttps:\/\/[a-z0-9.-]*webhook\.office\.com\/[^\s"'<>|]+/gi, REDACTED],
	[/\bhttps:\/\/(?:[a-z]+\.)?discord(?:app)?\.com\/api\/webhooks\/[^\s"'<>|]+/gi, REDACTED],
	// Vendor token shapes: HubSpot private app (pat-…), Slack (xox…), GitHub, Stripe, OpenAI-style, AWS, Google, JWTs.
	[/\bpat-[A-Za-z0-9][A-Za-z0-9-]{5,}/g, REDACTED],
	[/\bxox[abposre]-[A-Za-z0-9-]{8,}/g, REDACTED],
	[/\bgh[pousr]_[A-Za-z0-9]{20,}/g, REDACTED],
	[/\b[sr]k_(?:live|test)_[A-Za-z0-9]{8,}/g, REDACTED],
	[/\bsk-[A-Za-z0-9_-]{16,}/g, REDACTED],
	[/\bAKIA[0-9A-Z]{16}\b/g, REDACTED],
	[/\bAIza[0-9A-Za-z_-]{35}\b/g, REDACTED],
	[/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g, REDACTED],
	// Salesforce session ids (org id ! session).
	[/\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{20,}/g, REDACTED],
	// Pipedrive API tokens are 40 hex characters.
	[/\b[a-f0-9]{40}\b/g, REDACTED],
];

function escapeRegExp(text: string): string {
	return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Scrubs one string: the exact `secrets` first (and their URL-encoded form), then credential-shaped text.
 * Secrets shorter than 4 characters are ignored (they would shred ordinary words).
 */
export function redactText(text: string, secrets: readonly string[] = []): string {
	let out = text;
	for (const secret of secrets) {
		if (typeof secret !== 'string' || secret.length < 4) continue;
		for (const form of new Set([secret, encodeURIComponent(secret)])) {
			out = out.replace(new RegExp(escapeRegExp(form), 'g'), REDACTED);
		}
	}
	for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement as (m: string, ...g: string[]) => string);
	return out;
}

/** A deep copy with sensitive keys' values replaced and every string scrubbed. */
export function redactDeep<T>(value: T, secrets: readonly string[] = []): T {
	return walk(value, secrets, 0) as T;
}

function walk(value: unknown, secrets: readonly string[], depth: number): unknown {
	if (typeof value === 'string') return redactText(value, secrets);
	if (value === null || typeof value !== 'object') return value;
	if (depth > 20) return REDACTED;
	if (Array.isArray(value)) return value.map((v) => walk(v, secrets, depth + 1));
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
		out[k] = isSensitiveKey(k) && v !== null && v !== undefined && v !== '' ? REDACTED : walk(v, secrets, depth + 1);
	}
	return out;
}
