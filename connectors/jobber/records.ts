/**
 * Jobber GraphQL nodes → the record envelope. `fields` keep Jobber's GraphQL names; connections are flattened to
 * lists (tags → labels, lineItems → items); custom fields become `customFields: { <label>: value }`; relations go
 * to `links` as ids; every timestamp becomes ISO 8601 UTC (Jobber renders them in the account's offset).
 */
import type { RecordEnvelope } from '../core/types';
import type { JobberObject, ObjectSpec } from './objects';

/** ISO 8601 UTC for any timestamp Jobber renders; dates (YYYY-MM-DD) and unparseable text are kept as they are. */
export function isoUtc(value: unknown): string | null {
	if (typeof value !== 'string' || value === '') return null;
	if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
	const ms = Date.parse(value);
	return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}

type CustomFieldNode = Record<string, any> & { __typename?: string; label?: string };

/** The value a custom field holds, in plain JSON (links as {text,url}, areas as {length,width}). */
export function customFieldValue(node: CustomFieldNode): unknown {
	switch (node.__typename) {
		case 'CustomFieldText':
			return node.valueText ?? null;
		case 'CustomFieldNumeric':
			return node.valueNumeric ?? null;
		case 'CustomFieldTrueFalse':
			return node.valueTrueFalse ?? null;
		case 'CustomFieldDropdown':
			return node.valueDropdown ?? null;
		case 'CustomFieldLink':
			return node.valueLink ?? null;
		case 'CustomFieldArea':
			return node.valueArea ?? null;
		default:
			return node.valueText ?? node.valueNumeric ?? node.valueTrueFalse ?? node.valueDropdown ?? node.valueLink ?? node.valueArea ?? null;
	}
}

export function customFieldMap(list: unknown): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	if (!Array.isArray(list)) return out;
	for (const node of list as CustomFieldNode[]) if (node && typeof node.label === 'string') out[node.label] = customFieldValue(node);
	return out;
}

const TIMESTAMPS = new Set(['createdAt', 'startAt', 'endAt', 'completedAt', 'issuedDate', 'dueDate', 'receivedDate']);

function nodesOf(value: unknown): Array<Record<string, any>> {
	if (value && typeof value === 'object' && Array.isArray((value as { nodes?: unknown }).nodes)) return (value as { nodes: Array<Record<string, any>> }).nodes;
	return [];
}

/** One GraphQL node (as selected by selectionFor) → envelope. `observedAt` stands in for updatedAt where Jobber has none. */
export function toEnvelope(spec: ObjectSpec, node: Record<string, any>, observedAt?: string): RecordEnvelope {
	const fields: Record<string, unknown> = {};
	const links: Record<string, string | string[]> = {};
	for (const field of spec.fields) {
		if (field.link) {
			const value = node[field.name === 'properties' ? 'clientProperties' : field.name];
			if (value && typeof value === 'object' && 'nodes' in value) links[field.name] = nodesOf(value).map((n) => String(n.id));
			else if (value && typeof value === 'object' && typeof value.id === 'string') links[field.name] = value.id;
			continue;
		}
		if (!(field.name in node)) continue;
		const value = node[field.name];
		if (field.name === 'customFields') fields.customFields = customFieldMap(value);
		else if (field.name === 'tags') fields.tags = nodesOf(value).map((t) => t.label);
		else if (field.name === 'lineItems') fields.lineItems = nodesOf(value);
		else if (TIMESTAMPS.has(field.name)) fields[field.name] = isoUtc(value);
		else fields[field.name] = value;
	}
	const envelope: RecordEnvelope = {
		system: 'jobber',
		object: spec.name,
		id: String(node.id),
		updatedAt: isoUtc(node.updatedAt) ?? observedAt ?? new Date().toISOString(),
		fields,
	};
	if (Object.keys(links).length) envelope.links = links;
	if (spec.archived?.(node)) envelope.deleted = true;
	return envelope;
}

/** EncodedId: padded base64 (Jobber refuses anything else with a coercion error for the whole document). */
export function isEncodedId(value: unknown): value is string {
	return typeof value === 'string' && value.length > 0 && value.length % 4 === 0 && /^[A-Za-z0-9+/]+={0,2}$/.test(value);
}

const WEB_PATHS: Record<string, { object: JobberObject; type: string }> = {
	clients: { object: 'clients', type: 'Client' },
	properties: { object: 'properties', type: 'Property' },
	requests: { object: 'requests', type: 'Request' },
	quotes: { object: 'quotes', type: 'Quote' },
	work_orders: { object: 'jobs', type: 'Job' },
	jobs: { object: 'jobs', type: 'Job' },
	invoices: { object: 'invoices', type: 'Invoice' },
};

/**
 * The EncodedId behind a Jobber web address (`https://secure.getjobber.com/clients/123`): current ids are base64 of
 * `gid://Jobber/<Type>/<n>` [S]. Undefined when the address is not a Jobber record page.
 */
export function idFromWebUri(uri: string): { object: JobberObject; id: string } | undefined {
	const m = /\/(clients|properties|requests|quotes|work_orders|jobs|invoices)\/(\d+)(?:[/?#]|$)/.exec(uri);
	if (!m) return undefined;
	const target = WEB_PATHS[m[1]];
	return { object: target.object, id: Buffer.from(`gid://Jobber/${target.type}/${m[2]}`, 'utf8').toString('base64') };
}
