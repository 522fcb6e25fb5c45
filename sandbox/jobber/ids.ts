/**
 * Jobber identifiers. Ids are `EncodedId` scalars: base64 of `gid://Jobber/<Type>/<n>` (older ones are base64 of a
 * bare number, e.g. "MQ=="). Connection cursors follow graphql-ruby's offset cursors: url-safe base64 of the 1-based
 * position, without padding ("MQ" is the first record).
 */

export type JobberType =
	| 'Account'
	| 'Client'
	| 'Email'
	| 'ClientPhoneNumber'
	| 'Property'
	| 'PropertyAddress'
	| 'Request'
	| 'Quote'
	| 'QuoteLineItem'
	| 'Job'
	| 'JobLineItem'
	| 'Invoice'
	| 'InvoiceLineItem'
	| 'CustomFieldConfiguration'
	| 'CustomField'
	| 'WebhookEndpoint'
	| 'Application'
	| 'Tag'
	| 'User';

export function encodeId(type: JobberType, n: number): string {
	return Buffer.from(`gid://Jobber/${type}/${n}`, 'utf8').toString('base64');
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const GID = /^gid:\/\/Jobber\/([A-Za-z]+)\/(\d+)$/;

/** True when the string is what Jobber's EncodedId scalar accepts: well-formed, padded base64. */
export function isEncodedId(value: unknown): value is string {
	return typeof value === 'string' && value.length > 0 && value.length % 4 === 0 && BASE64.test(value);
}

/** Decodes an EncodedId into its type (absent for legacy numeric ids) and number; null when it names nothing. */
export function decodeId(value: string): { type?: string; n: number } | null {
	if (!isEncodedId(value)) return null;
	const text = Buffer.from(value, 'base64').toString('utf8');
	const m = GID.exec(text);
	if (m) return { type: m[1], n: Number(m[2]) };
	if (/^\d+$/.test(text)) return { n: Number(text) };
	return null;
}

/** The numeric id an EncodedId refers to for one type, or null (a lookup then answers null, as Jobber does). */
export function idFor(type: JobberType, value: unknown): number | null {
	if (typeof value !== 'string') return null;
	const d = decodeId(value);
	if (!d) return null;
	if (d.type !== undefined && d.type !== type) return null;
	return d.n;
}

export function encodeCursor(position: number): string {
	return Buffer.from(String(position), 'utf8').toString('base64url');
}

/** The 1-based position a cursor names, or null when it is not a cursor this server issued. */
export function decodeCursor(cursor: string): number | null {
	if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return null;
	const text = Buffer.from(cursor, 'base64url').toString('utf8');
	if (!/^\d+$/.test(text)) return null;
	return Number(text);
}
