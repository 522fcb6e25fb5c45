/**
 * Secrets never reach a review item, a log line or the dashboard (SPEC §8). Records should not carry any, but a
 * failed HTTP call's item can hold request options or headers: values under secret-looking keys are replaced.
 */

// Whole key names, or names ending in a secret word: `hs_token` is hidden, `token_count` and `session_date` are not.
const SECRET_KEY =
	/^(pass(word|wd|phrase)?|secret|client[-_]?secret|api[-_]?key|apikey|x[-_]api[-_]key|authorization|proxy[-_]authorization|cookie|set[-_]cookie|private[-_]?key|credentials?|signature|bearer)$|(password|passwd|secret|token|api[-_]?key)$/i;

export const REDACTED = '[hidden]';

export function isSecretKey(key: string): boolean {
	return SECRET_KEY.test(key);
}

/** A deep copy with secret-looking keys hidden; cycles and depth are cut so a huge value cannot hang us. */
export function redactSecrets<T>(value: T, depth = 0, seen = new WeakSet<object>()): T {
	if (value === null || typeof value !== 'object') return value;
	if (depth > 30 || seen.has(value as object)) return '[cut]' as unknown as T;
	seen.add(value as object);
	if (Array.isArray(value)) return value.map((v) => redactSecrets(v, depth + 1, seen)) as unknown as T;
	if (value instanceof Date) return value.toISOString() as unknown as T;
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
		out[k] = isSecretKey(k) && v !== null && v !== undefined && v !== '' ? REDACTED : redactSecrets(v, depth + 1, seen);
	}
	return out as T;
}
