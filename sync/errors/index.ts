/**
 * The error half of the sync engine (SPEC §6), pure TypeScript with no n8n imports: classification of any
 * failure into the taxonomy, the policy engine (skip, retry with backoff, fail fast, manual review), parking
 * in the review queue of the store, retry results, and the error dashboard page.
 */
export * from './classify';
export * from './policy';
export * from './park';
export * from './redact';
export * from './dashboard';
export { html, escapeHtml, trusted, Html } from './html';
export * from './retryItems';
