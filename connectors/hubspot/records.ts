/**
 * HubSpot records ⇄ the record envelope. HubSpot's own wire format is kept: `fields` holds property
 * internal names with HubSpot's string values (null for a requested property that is unset), so a mapping
 * written against HubSpot's documentation works on our output unchanged.
 */
import type { RecordEnvelope } from '../core/types';
import { OBJECT_FACTS, type HubSpotObject } from './objects';

export interface HubSpotRecord {
	id: string;
	properties?: Record<string, string | null>;
	createdAt?: string;
	updatedAt?: string;
	archived?: boolean;
	archivedAt?: string;
	new?: boolean;
	objectWriteTraceId?: string;
	associations?: Record<string, { results?: Array<{ id: string | number; type?: string }> }>;
}

/** Properties HubSpot manages itself: never sent back on a write (an envelope read from HubSpot carries them). */
export const SERVER_MANAGED = new Set(['hs_object_id', 'lastmodifieddate', 'hs_lastmodifieddate']);

export function toEnvelope(object: HubSpotObject, raw: HubSpotRecord, links?: Record<string, string[]>): RecordEnvelope {
	const fields: Record<string, unknown> = { ...(raw.properties ?? {}) };
	const updatedAt = raw.updatedAt ?? (fields[OBJECT_FACTS[object].modifiedProperty] as string | undefined) ?? raw.createdAt ?? '';
	const env: RecordEnvelope = { system: 'hubspot', object, id: String(raw.id), updatedAt: normaliseInstant(updatedAt), fields };
	const fromRecord = linksOf(raw);
	const all = mergeLinks(fromRecord, links);
	if (all) env.links = all;
	if (raw.archived) env.deleted = true;
	return env;
}

/** `associations` of a v3 record (`?associations=companies`) → `{ companies: ['1', '2'] }`. */
function linksOf(raw: HubSpotRecord): Record<string, string[]> | undefined {
	if (!raw.associations) return undefined;
	const out: Record<string, string[]> = {};
	for (const [to, block] of Object.entries(raw.associations)) {
		const ids = [...new Set((block.results ?? []).map((r) => String(r.id)))];
		out[to] = ids;
	}
	return out;
}

function mergeLinks(a?: Record<string, string[]>, b?: Record<string, string[]>): Record<string, string[]> | undefined {
	if (!a && !b) return undefined;
	const out: Record<string, string[]> = { ...(a ?? {}) };
	for (const [k, v] of Object.entries(b ?? {})) out[k] = [...new Set([...(out[k] ?? []), ...v])];
	return out;
}

/** HubSpot's ISO strings pass through; epoch-ms strings become ISO. */
export function normaliseInstant(value: string): string {
	if (/^\d{10,}$/.test(value)) return new Date(Number(value)).toISOString();
	return value;
}

/**
 * One value in HubSpot's wire form: strings as they are, numbers and booleans as text, dates as ISO,
 * arrays of options `;`-joined (multi-checkbox), null and "" clear the property. Objects are left for
 * HubSpot to reject, so the error names the property.
 */
export function toWireValue(value: unknown): unknown {
	if (value === null) return '';
	if (typeof value === 'string') return value;
	if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
	if (value instanceof Date) return value.toISOString();
	if (Array.isArray(value) && value.every((v) => v === null || ['string', 'number', 'boolean'].includes(typeof v))) {
		return value.filter((v) => v !== null && v !== '').map(String).join(';');
	}
	return value;
}

/** The `properties` body of a write: wire values, undefined dropped, server-managed stamps left out. */
export function toProperties(fields: Record<string, unknown>): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(fields)) {
		if (v === undefined || SERVER_MANAGED.has(k)) continue;
		out[k] = toWireValue(v);
	}
	return out;
}

/** The match-key value as HubSpot compares it: emails trimmed and lower-cased (uniqueness is case-insensitive). */
export function matchValue(key: string, value: unknown): string {
	const s = String(toWireValue(value) ?? '').trim();
	return key === 'email' ? s.toLowerCase() : s;
}
