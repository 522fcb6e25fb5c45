/**
 * A tiny HTML builder whose every interpolation is escaped unless it is already built HTML. The dashboard shows
 * record values that come from CRMs (anyone can type `<script>` into a contact's name): escaping is the default
 * so that forgetting it is impossible, not merely unlikely.
 */

export class Html {
	constructor(readonly text: string) {}
	toString(): string {
		return this.text;
	}
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '`': '&#96;' };

export function escapeHtml(value: string): string {
	return value.replace(/[&<>"'`]/g, (c) => ENTITIES[c]);
}

function render(value: unknown): string {
	if (value instanceof Html) return value.text;
	if (Array.isArray(value)) return value.map(render).join('');
	if (value === null || value === undefined || value === false) return '';
	return escapeHtml(typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
}

/** Tagged template: `html\`<td>${name}</td>\`` escapes `name`; nested `html` results pass through. */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
	let out = strings[0];
	for (let i = 0; i < values.length; i++) out += render(values[i]) + strings[i + 1];
	return new Html(out);
}

/** Trusted markup written in this package (never data). */
export function trusted(text: string): Html {
	return new Html(text);
}

/** A query string from defined, non-empty values (each part URL-encoded; escape the result when put in HTML). */
export function queryString(params: Record<string, string | number | null | undefined>): string {
	const parts = Object.entries(params)
		.filter(([, v]) => v !== undefined && v !== null && v !== '')
		.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
	return parts.length ? `?${parts.join('&')}` : '?';
}
