/** What every operation shares: resource → object, items ⇄ write inputs, and error routing. */
import {
	NodeApiError,
	NodeOperationError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type JsonObject,
} from 'n8n-workflow';
import { ConnectorError } from '../../../connectors/core/errors';
import type { RecordEnvelope, WriteInput } from '../../../connectors/core/types';
import { isWholeRequestError, type HubSpotObject, type HubSpotWriteResult } from '../../../connectors/hubspot';
import type { ClassifiedError } from '../../../errors/taxonomy';
import { carriedSync, failedItem, isEnvelope } from '../../shared/records';

export type Resource = 'contact' | 'company' | 'deal';

export const OBJECT_OF: Record<Resource, HubSpotObject> = { contact: 'contacts', company: 'companies', deal: 'deals' };

export function objectOf(resource: string): HubSpotObject {
	const o = OBJECT_OF[resource as Resource];
	if (!o) throw new Error(`Unknown resource ${resource}`);
	return o;
}

/** Both outputs of the node: records, and records that failed (never dropped). */
export interface Outputs {
	success: INodeExecutionData[];
	failed: INodeExecutionData[];
}

export function newOutputs(): Outputs {
	return { success: [], failed: [] };
}

/** The record fields of an item: an envelope's `fields`, or the item itself minus our own keys. */
export function recordFields(json: IDataObject): IDataObject {
	if (isEnvelope(json)) return { ...json.fields };
	const { id: _id, action: _action, ...rest } = json;
	return rest;
}

/**
 * The HubSpot record id an item carries: an envelope read from HubSpot (its `id`), an envelope from another
 * system only through `fields.hs_object_id`, a plain item through `id` or `hs_object_id`.
 */
export function hubspotIdOf(json: IDataObject): string | undefined {
	let raw: unknown;
	if (isEnvelope(json)) raw = json.system === 'hubspot' ? (json.id ?? json.fields.hs_object_id) : json.fields.hs_object_id;
	else raw = json.id ?? json.hs_object_id;
	return raw === undefined || raw === null || String(raw).trim() === '' ? undefined : String(raw).trim();
}

/**
 * An item as a write input. Upserts identify records by the match key in the fields, never by an id (an
 * envelope from Jobber carries Jobber's id); updates and deletes by the item's HubSpot id.
 */
export function writeInput(json: IDataObject, fields: IDataObject, byId: boolean): WriteInput {
	return { id: byId ? hubspotIdOf(json) : undefined, fields };
}

/** A read or written record as an output item. */
export function recordItem(record: RecordEnvelope, itemIndex: number, extra: IDataObject = {}): INodeExecutionData {
	return { json: { ...(record as unknown as IDataObject), ...extra }, pairedItem: { item: itemIndex } };
}

/** A failed record on the Failed output, in the package's one failed-item shape. */
export function failed(ctx: IExecuteFunctions, json: IDataObject, errors: ClassifiedError[], itemIndex: number, extra: IDataObject = {}): INodeExecutionData {
	return { json: failedItem('hubspot', ctx.getNode().name, json, errors, extra), pairedItem: { item: itemIndex } };
}

/** Puts one write result on the right output. */
export function routeWrite(ctx: IExecuteFunctions, out: Outputs, result: HubSpotWriteResult, json: IDataObject, itemIndex: number, extra: IDataObject = {}): void {
	if (result.ok) {
		out.success.push(recordItem(result.record, itemIndex, { action: result.action, ...carriedSync(json) }));
		return;
	}
	const errors = result.errors?.length ? result.errors : [result.error];
	out.failed.push(failed(ctx, json, errors, itemIndex, { ...extra, ...(result.existingId ? { existingId: result.existingId } : {}) }));
}

/** A whole-request error (credential, scopes, daily limit, unknown object) as n8n's error, with the item index. */
export function nodeError(ctx: IExecuteFunctions, err: unknown, itemIndex: number): Error {
	if (err instanceof ConnectorError) {
		const c = err.classified;
		return new NodeApiError(ctx.getNode(), { ...(c as unknown as JsonObject) }, {
			itemIndex,
			message: `${c.error}: ${c.message}`,
			description: c.suggestedFix,
			httpCode: c.vendor?.status !== undefined ? String(c.vendor.status) : undefined,
		});
	}
	if (err instanceof NodeApiError || err instanceof NodeOperationError) return err;
	return new NodeOperationError(ctx.getNode(), err as Error, { itemIndex });
}

/**
 * Handles an error of one item: record-level ones go to Failed; whole-request ones are thrown as n8n
 * errors (or, under "On Error: Continue", become an error item).
 */
export function handleItemError(ctx: IExecuteFunctions, out: Outputs, err: unknown, json: IDataObject, itemIndex: number, extra: IDataObject = {}): void {
	if (err instanceof ConnectorError && !isWholeRequestError(err.classified)) {
		out.failed.push(failed(ctx, json, [err.classified], itemIndex, extra));
		return;
	}
	const error = nodeError(ctx, err, itemIndex);
	if (ctx.continueOnFail()) {
		out.success.push({ json: { error: error.message, ...(err instanceof ConnectorError ? { errors: [err.classified as unknown as IDataObject] } : {}) }, pairedItem: { item: itemIndex } });
		return;
	}
	throw error;
}

/** Whole-request failure of a call that served many items (a batch): every item gets it. */
export function handleBatchError(ctx: IExecuteFunctions, out: Outputs, err: unknown, items: Array<{ json: IDataObject; index: number }>): void {
	if (!ctx.continueOnFail()) throw nodeError(ctx, err, items[0]?.index ?? 0);
	for (const item of items) handleItemError(ctx, out, err, item.json, item.index);
}

/** Reads a string list parameter that may be a multiOptions array or a comma-separated string. */
export function list(value: unknown): string[] {
	if (Array.isArray(value)) return value.map(String).map((s) => s.trim()).filter(Boolean);
	if (typeof value === 'string') return value.split(',').map((s) => s.trim()).filter(Boolean);
	return [];
}
