/** Salesforce records ⇄ the record envelope. */
import type { RecordEnvelope } from '../core/types';
import { parseSalesforceDate } from './soql';

export type SfRecord = Record<string, unknown> & { attributes?: { type?: string; url?: string } };

/** Drops `attributes` at every level (relationship sub-records carry their own). */
export function stripAttributes(value: unknown): unknown {
	if (Array.isArray(value)) return value.map(stripAttributes);
	if (value === null || typeof value !== 'object') return value;
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
		if (k === 'attributes') continue;
		out[k] = stripAttributes(v);
	}
	return out;
}

/** ISO 8601 UTC of a Salesforce datetime (`2013-05-20T20:49:32.000+0000`), or undefined. */
export function isoFromSalesforce(value: unknown): string | undefined {
	if (typeof value !== 'string') return undefined;
	const ms = parseSalesforceDate(value);
	return ms === undefined ? undefined : new Date(ms).toISOString();
}

/** A queried or fetched record → envelope: API names in `fields`, `updatedAt` from SystemModstamp. */
export function toEnvelope(rec: SfRecord, object?: string): RecordEnvelope {
	const fields = stripAttributes(rec) as Record<string, unknown>;
	const id = String(rec.Id ?? rec.id ?? '');
	const updatedAt = isoFromSalesforce(rec.SystemModstamp) ?? isoFromSalesforce(rec.LastModifiedDate) ?? isoFromSalesforce(rec.CreatedDate) ?? new Date(0).toISOString();
	const env: RecordEnvelope = { system: 'salesforce', object: object ?? rec.attributes?.type ?? 'unknown', id, updatedAt, fields };
	if (rec.IsDeleted === true) env.deleted = true;
	return env;
}

/** The key that identifies one version of a record for de-duplication: Id + SystemModstamp. */
export function versionKey(env: Pick<RecordEnvelope, 'id' | 'updatedAt'>): string {
	return `${env.id}@${Date.parse(env.updatedAt)}`;
}

/** Salesforce ids compare case-sensitively as 15-char ids; the 18-char form adds a case checksum. */
export const SALESFORCE_ID = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

/** The fields Salesforce computes itself: never sent on writes, whatever the input carries. */
export const SYSTEM_FIELDS = new Set(
	['Id', 'IsDeleted', 'CreatedDate', 'CreatedById', 'LastModifiedDate', 'LastModifiedById', 'SystemModstamp', 'LastActivityDate', 'LastViewedDate', 'LastReferencedDate', 'attributes'].map((f) => f.toLowerCase()),
);
