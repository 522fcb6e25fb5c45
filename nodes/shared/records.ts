import type { IDataObject } from 'n8n-workflow';
import type { ClassifiedError } from '../../errors/taxonomy';

/** The record envelope every read operation emits (ARCHITECTURE.md): vendor fields under `fields`. */
export interface RecordEnvelope {
	system: string;
	object: string;
	id?: string;
	updatedAt?: string;
	fields: IDataObject;
	links?: IDataObject;
}

export function isEnvelope(json: IDataObject): json is IDataObject & RecordEnvelope {
	return typeof json.system === 'string' && typeof json.object === 'string' && json.fields !== null && typeof json.fields === 'object' && !Array.isArray(json.fields);
}

/** The fields a node works on: an envelope's `fields`, or the whole item for plain objects. */
export function fieldsOf(json: IDataObject): IDataObject {
	return isEnvelope(json) ? json.fields : json;
}

/** Puts new fields back into the shape they came in: an envelope keeps its identity, a plain item is replaced. */
export function withFields(json: IDataObject, fields: IDataObject, extra: IDataObject = {}): IDataObject {
	return isEnvelope(json) ? { ...json, fields, ...extra } : { ...fields, ...extra };
}

/**
 * The Sync Ledger context of a write's input item, for the written record's output item: Commit reads it there
 * (failed items carry their whole input as `record`), so nobody has to look back through n8n's paired items.
 */
export function carriedSync(input: IDataObject | undefined): IDataObject {
	const sync = input?.sync;
	return sync && typeof sync === 'object' && !Array.isArray(sync) ? { sync } : {};
}

/**
 * The one shape of a failed item across this package's nodes, so Error Policy and the Review Queue read
 * any node's failures the same way: what failed, at which stage, every field error, and the record itself.
 */
export function failedItem(stage: string, node: string, record: IDataObject, errors: ClassifiedError[], extra: IDataObject = {}): IDataObject {
	const summary = errors.map((e) => (e.field ? `${e.field}: ${e.error}` : e.error)).join('; ');
	return {
		failed: true,
		stage,
		node,
		errorCount: errors.length,
		summary: `${errors.length} error${errors.length === 1 ? '' : 's'}: ${summary}`,
		errors: errors as unknown as IDataObject[],
		record,
		...extra,
	};
}
