/**
 * SOQL building without injection: identifiers are validated against a strict pattern (never quoted or
 * escaped, so anything unusual is refused), values only ever become escaped literals. No user text is
 * concatenated into a query any other way.
 */

/** An sObject or field API name: letters, digits and underscores (custom `__c`, namespaces `ns__X__c`). */
const IDENT = /^[A-Za-z][A-Za-z0-9_]{0,79}$/;
/** A field path through relationships: `Account.Owner.Name`. */
const PATH = /^[A-Za-z][A-Za-z0-9_]{0,79}(\.[A-Za-z][A-Za-z0-9_]{0,79}){0,5}$/;

export class SoqlInputError extends Error {
	constructor(
		message: string,
		readonly value: unknown,
	) {
		super(message);
		this.name = 'SoqlInputError';
	}
}

export function soqlIdent(name: string, what = 'name'): string {
	if (typeof name !== 'string' || !IDENT.test(name) || name.includes('___')) throw new SoqlInputError(`Not a valid Salesforce ${what}: ${JSON.stringify(name)}`, name);
	return name;
}

export function soqlFieldPath(path: string): string {
	if (typeof path !== 'string' || !PATH.test(path)) throw new SoqlInputError(`Not a valid Salesforce field name: ${JSON.stringify(path)}`, path);
	return path;
}

/**
 * A string literal with the quoted-string escapes SOQL documents: backslash first, then quotes and
 * control characters. A value can therefore never close the literal.
 */
export function soqlString(value: string): string {
	const escaped = value
		.replace(/\\/g, '\\\\')
		.replace(/'/g, "\\'")
		.replace(/"/g, '\\"')
		.replace(/\n/g, '\\n')
		.replace(/\r/g, '\\r')
		.replace(/\t/g, '\\t')
		.replace(/\f/g, '\\f')
		.replace(/\u0008/g, '\\b');
	return `'${escaped}'`;
}

/** A LIKE pattern that matches `value` literally inside `prefix`/`suffix` wildcards (`%` and `_` escaped). */
export function soqlLikeContains(value: string): string {
	const inner = soqlString(value).slice(1, -1).replace(/%/g, '\\%').replace(/_/g, '\\_');
	return `'%${inner}%'`;
}

/** A datetime literal (unquoted, UTC, second precision as Salesforce stores them). */
export function soqlDateTime(value: string | number | Date): string {
	const ms = typeof value === 'number' ? value : value instanceof Date ? value.getTime() : parseSalesforceDate(value);
	if (ms === undefined || !Number.isFinite(ms)) throw new SoqlInputError(`Not a valid date/time: ${JSON.stringify(value)}`, value);
	return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** Parses Salesforce's `2013-05-20T20:49:32.000+0000` as well as ISO 8601; undefined when unreadable. */
export function parseSalesforceDate(value: string): number | undefined {
	if (typeof value !== 'string' || value.trim() === '') return undefined;
	const fixed = value.trim().replace(/([+-])(\d{2})(\d{2})$/, '$1$2:$3');
	const ms = Date.parse(fixed);
	return Number.isNaN(ms) ? undefined : ms;
}

/** Salesforce field types (describe `type`) whose literals are unquoted. */
const NUMERIC = new Set(['int', 'double', 'currency', 'percent', 'long']);

/**
 * A literal for a value compared with a field of the given describe type. Unknown types are treated as
 * text, which is always safe: the worst case is a type mismatch error from Salesforce, never injection.
 */
export function soqlLiteral(value: unknown, fieldType?: string): string {
	if (value === null || value === undefined) return 'null';
	if (fieldType === 'boolean') {
		if (value === true || value === 'true' || value === 'TRUE' || value === 'True') return 'true';
		if (value === false || value === 'false' || value === 'FALSE' || value === 'False') return 'false';
		throw new SoqlInputError(`Not a boolean: ${JSON.stringify(value)}`, value);
	}
	if (fieldType && NUMERIC.has(fieldType)) {
		const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
		if (!Number.isFinite(n)) throw new SoqlInputError(`Not a number: ${JSON.stringify(value)}`, value);
		return String(n);
	}
	if (fieldType === 'datetime') return soqlDateTime(value as string);
	if (fieldType === 'date') {
		const text = String(value);
		if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) throw new SoqlInputError(`Not a date (YYYY-MM-DD): ${JSON.stringify(value)}`, value);
		return text;
	}
	return soqlString(typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value));
}

export type SoqlOperator = '=' | '!=' | '<' | '<=' | '>' | '>=' | 'LIKE' | 'IN' | 'NOT IN' | 'CONTAINS' | 'STARTS_WITH';

export interface SoqlCondition {
	field: string;
	op: SoqlOperator;
	value: unknown;
	/** Describe type of the field, for literal formatting (text when absent). */
	type?: string;
}

export function soqlCondition(c: SoqlCondition): string {
	const field = soqlFieldPath(c.field);
	switch (c.op) {
		case 'IN':
		case 'NOT IN': {
			const values = Array.isArray(c.value) ? c.value : [c.value];
			if (values.length === 0) throw new SoqlInputError(`${c.op} needs at least one value`, c.value);
			return `${field} ${c.op} (${values.map((v) => soqlLiteral(v, c.type)).join(', ')})`;
		}
		case 'CONTAINS':
			return `${field} LIKE ${soqlLikeContains(String(c.value ?? ''))}`;
		case 'STARTS_WITH':
			return `${field} LIKE ${soqlLikeContains(String(c.value ?? '')).replace(/^'%/, "'")}`;
		case 'LIKE':
			// The user's own pattern: quotes and backslashes escaped, their % and _ kept as wildcards.
			return `${field} LIKE ${soqlString(String(c.value ?? ''))}`;
		case '=':
		case '!=':
		case '<':
		case '<=':
		case '>':
		case '>=':
			return `${field} ${c.op} ${soqlLiteral(c.value, c.type)}`;
		default:
			throw new SoqlInputError(`Unknown operator ${JSON.stringify(c.op)}`, c.op);
	}
}

export interface SelectSpec {
	object: string;
	fields: string[];
	where?: string[];
	orderBy?: Array<{ field: string; direction?: 'ASC' | 'DESC' }>;
	limit?: number;
}

/** SELECT … FROM … [WHERE a AND b] [ORDER BY …] [LIMIT n], from validated parts. */
export function buildSelect(spec: SelectSpec): string {
	const fields = [...new Set(spec.fields.map(soqlFieldPath))];
	if (fields.length === 0) throw new SoqlInputError('A query needs at least one field', spec.fields);
	let q = `SELECT ${fields.join(', ')} FROM ${soqlIdent(spec.object, 'object name')}`;
	if (spec.where?.length) q += ` WHERE ${spec.where.map((w) => (spec.where!.length > 1 ? `(${w})` : w)).join(' AND ')}`;
	if (spec.orderBy?.length) q += ` ORDER BY ${spec.orderBy.map((o) => `${soqlFieldPath(o.field)} ${o.direction ?? 'ASC'}`).join(', ')}`;
	if (spec.limit !== undefined) {
		if (!Number.isInteger(spec.limit) || spec.limit < 1) throw new SoqlInputError(`LIMIT must be a positive integer: ${spec.limit}`, spec.limit);
		q += ` LIMIT ${spec.limit}`;
	}
	return q;
}
