/**
 * Batch writes (create / update / upsert / archive) in calls of ≤100 inputs, with one result per input in
 * input order. HubSpot reports per-input errors in a 207 envelope when inputs carry `objectWriteTraceId`;
 * but an invalid property value fails the whole call with a 400 that names the property and value, not the
 * input. Those problems are attributed back to the inputs that sent them, and the rest of the batch is sent
 * again; when a problem cannot be attributed, the batch is halved until it can. One bad record never fails
 * its batch-mates.
 */
import { classifiedError, type ClassifiedError } from '../../errors/taxonomy';
import { ConnectorError } from '../core/errors';
import type { HttpResponse } from '../core/http';
import type { RecordEnvelope, WriteInput, WriteResult } from '../core/types';
import type { HubSpotClient } from './client';
import {
	classifyAll,
	classifyPropertyProblem,
	duplicateError,
	errorBody,
	existingIdOf,
	isWholeRequestError,
	notFoundError,
	propertyProblems,
	type PropertyProblem,
} from './errors';
import { OBJECT_FACTS, type HubSpotObject } from './objects';
import { matchValue, toEnvelope, toProperties, type HubSpotRecord } from './records';

export const BATCH_LIMIT = 100;

export type BatchOperation = 'create' | 'update' | 'upsert' | 'archive';

/** A write result with every error of a failed record (`error` is the first), and the id a duplicate collided with. */
export type HubSpotWriteResult = WriteResult & { errors?: ClassifiedError[]; existingId?: string };

export interface BatchOptions {
	/** Upsert key (`email` for contacts, or a property with hasUniqueValue); the update key when updating by it. */
	matchKey?: string;
	/** Update: a record HubSpot no longer has is created instead. */
	createIfMissing?: boolean;
	/** Create: inline associations per input index (v4 spec objects). */
	associations?: (index: number) => unknown[] | undefined;
	/** Largest call (≤100). */
	batchSize?: number;
}

interface Prepared {
	index: number;
	input: WriteInput;
	properties: Record<string, unknown>;
	/** Record id (update/archive) or match-key value (upsert). */
	id?: string;
	trace: string;
}

export interface BatchContext {
	client: HubSpotClient;
	objectPath(object: HubSpotObject): string;
	now(): number;
}

interface Run {
	object: HubSpotObject;
	op: BatchOperation;
	options: BatchOptions;
	results: Array<HubSpotWriteResult | undefined>;
	/** Update inputs whose record is gone, to create when createIfMissing is on. */
	missing: Prepared[];
}

function fail(run: Run, p: Prepared, errors: ClassifiedError[], existingId?: string): void {
	if (run.results[p.index]) return;
	const r: HubSpotWriteResult = { index: p.index, ok: false, error: errors[0], errors, input: p.input };
	if (existingId) r.existingId = existingId;
	run.results[p.index] = r;
}

function succeed(run: Run, p: Prepared, action: 'created' | 'updated' | 'deleted', record: RecordEnvelope): void {
	run.results[p.index] = { index: p.index, ok: true, action, record };
}

function required(run: Run, p: Prepared, field: string, message: string): void {
	fail(run, p, [classifiedError('REQUIRED_FIELD_MISSING', { message, field, record: { system: 'hubspot', object: run.object } })]);
}

export async function batchWrite(ctx: BatchContext, object: HubSpotObject, op: BatchOperation, inputs: WriteInput[], options: BatchOptions = {}): Promise<HubSpotWriteResult[]> {
	const run: Run = { object, op, options, results: new Array(inputs.length), missing: [] };
	const key = options.matchKey ?? (op === 'upsert' ? OBJECT_FACTS[object].defaultMatchKey : undefined);
	if (op === 'upsert' && !key) {
		throw new ConnectorError(classifiedError('REQUIRED_FIELD_MISSING', { message: `Upsert of HubSpot ${object} needs a match key: a property with unique values`, field: 'idProperty' }));
	}
	const prepared: Prepared[] = [];
	inputs.forEach((input, index) => {
		const p: Prepared = { index, input, properties: toProperties(input.fields ?? {}), trace: String(index) };
		if (op === 'create') {
			prepared.push(p);
			return;
		}
		if (op === 'upsert') {
			const raw = input.id ?? input.fields?.[key!];
			const value = raw === undefined || raw === null ? '' : matchValue(key!, raw);
			if (!value) return required(run, p, key!, `No value for the match key "${key}": HubSpot cannot tell which record to create or update`);
			p.id = value;
			// A new record takes the key's value from `id`; sending it in both places must agree.
			if (key! in p.properties) p.properties[key!] = value;
		} else {
			const raw = input.id ?? (key ? input.fields?.[key] : undefined) ?? input.fields?.hs_object_id;
			if (raw === undefined || raw === null || String(raw).trim() === '') {
				return required(run, p, key ?? 'id', `No HubSpot ${OBJECT_FACTS[object].singular} id to ${op === 'archive' ? 'delete' : 'update'}`);
			}
			p.id = key ? matchValue(key, raw) : String(raw).trim();
		}
		prepared.push(p);
	});

	const size = Math.max(1, Math.min(BATCH_LIMIT, options.batchSize ?? BATCH_LIMIT));
	for (const round of rounds(prepared, op === 'upsert' || key === 'email')) {
		for (let i = 0; i < round.length; i += size) await sendChunk(ctx, run, round.slice(i, i + size), key);
	}
	if (run.missing.length && options.createIfMissing) {
		const created = await batchWrite(ctx, object, 'create', run.missing.map((p) => p.input), { associations: options.associations });
		created.forEach((r, i) => {
			const p = run.missing[i];
			run.results[p.index] = { ...r, index: p.index } as HubSpotWriteResult;
		});
	} else {
		for (const p of run.missing) fail(run, p, [notFoundError({ object }, p.id)]);
	}
	return run.results.map(
		(r, index) =>
			r ?? {
				index,
				ok: false,
				input: inputs[index],
				error: classifiedError('CONNECTION_TIMEOUT', { message: 'HubSpot reported no result for this record; it can be sent again', record: { system: 'hubspot', object } }),
			},
	);
}

/**
 * HubSpot rejects a batch that names the same id twice (400 "Duplicate IDs found in batch input"), so the
 * second write of a record goes into a later round, after the first is done, keeping input order per record.
 */
function rounds(prepared: Prepared[], caseInsensitive: boolean): Prepared[][] {
	const out: Prepared[][] = [];
	const seen = new Map<string, number>();
	for (const p of prepared) {
		if (p.id === undefined) {
			(out[0] ??= []).push(p);
			continue;
		}
		const k = caseInsensitive ? p.id.toLowerCase() : p.id;
		const n = seen.get(k) ?? 0;
		seen.set(k, n + 1);
		(out[n] ??= []).push(p);
	}
	return out.filter(Boolean);
}

function batchBody(op: BatchOperation, chunk: Prepared[], key: string | undefined, options: BatchOptions): unknown {
	return {
		inputs: chunk.map((p) => {
			if (op === 'archive') return { id: p.id };
			if (op === 'create') {
				const associations = options.associations?.(p.index);
				return { properties: p.properties, objectWriteTraceId: p.trace, ...(associations?.length ? { associations } : {}) };
			}
			if (op === 'upsert') return { idProperty: key, id: p.id, properties: p.properties, objectWriteTraceId: p.trace };
			return { id: p.id, ...(key ? { idProperty: key } : {}), properties: p.properties, objectWriteTraceId: p.trace };
		}),
	};
}

async function sendChunk(ctx: BatchContext, run: Run, chunk: Prepared[], key: string | undefined): Promise<void> {
	if (chunk.length === 0) return;
	const { object, op } = run;
	let res: HttpResponse;
	try {
		res = await ctx.client.call({
			method: 'POST',
			url: `${ctx.objectPath(object)}/batch/${op}`,
			body: batchBody(op, chunk, key, run.options),
			idempotent: op !== 'create',
			ctx: { object },
		});
	} catch (err) {
		if (!(err instanceof ConnectorError) || isWholeRequestError(err.classified)) throw err;
		// Still transient after the retries (or a create that timed out): the records are parked, retryable.
		for (const p of chunk) fail(run, p, [{ ...err.classified, record: { system: 'hubspot', object, ...(p.id && op !== 'upsert' ? { id: p.id } : {}) } }]);
		return;
	}
	if (res.status >= 200 && res.status < 300) return readEnvelope(ctx, run, chunk, res, key);

	const errors = classifyAll(res, { object });
	if (errors.some((e) => isWholeRequestError(e.classified))) throw errors.find((e) => isWholeRequestError(e.classified))!;
	if (res.status === 400) {
		const problems = propertyProblems(errorBody(res));
		if (problems.length) {
			const rest = attribute(run, chunk, problems);
			if (rest) return sendChunk(ctx, run, rest, key);
		}
	}
	if (chunk.length === 1) {
		const p = chunk[0];
		const body = errorBody(res);
		if (res.status === 409) {
			const existing = existingIdOf(body.message, body.context);
			return fail(run, p, [duplicateError(body.message ?? '', { object, input: p.properties }, existing)], existing);
		}
		if (res.status === 400 && propertyProblems(body).length) {
			return fail(run, p, propertyProblems(body).map((pr) => classifyPropertyProblem(pr, { object, id: op === 'upsert' ? undefined : p.id, input: p.properties })));
		}
		return fail(run, p, errors.map((e) => ({ ...e.classified, record: { system: 'hubspot', object, ...(p.id && op !== 'upsert' ? { id: p.id } : {}) } })));
	}
	// A problem HubSpot does not pin to an input: halve the batch until each half either passes or is one record.
	const mid = Math.ceil(chunk.length / 2);
	await sendChunk(ctx, run, chunk.slice(0, mid), key);
	await sendChunk(ctx, run, chunk.slice(mid), key);
}

/** The value HubSpot quotes in a property problem's message, when it quotes one. */
export function quotedValue(p: PropertyProblem): { value?: string; length?: number } {
	const m = p.message;
	const patterns = [
		/^Email address (.*) is invalid\.?$/s,
		/^(.*) was not one of the allowed options/s,
		/^(.*) was not a valid [a-z ]+\.?$/is,
		/^(.*) is at \d+:\d+:\d+\.\d+ UTC, not midnight!?$/s,
		/^(.*) is not a valid [a-z ]+ ID$/is,
	];
	for (const re of patterns) {
		const hit = re.exec(m);
		if (hit) return { value: hit[1] };
	}
	const len = /is (\d+) characters long/.exec(m);
	if (len) return { length: Number(len[1]) };
	return {};
}

function sentValue(p: Prepared, name: string): { has: boolean; value?: unknown } {
	if (name in p.properties) return { has: true, value: p.properties[name] };
	const k = Object.keys(p.properties).find((x) => x.toLowerCase() === name.toLowerCase());
	return k === undefined ? { has: false } : { has: true, value: p.properties[k] };
}

/**
 * Pins each property problem of a failed batch on the inputs that sent that property (and, when HubSpot
 * quotes the value, that value). Returns the inputs left to send again, or undefined when some problem
 * fits no input or cannot be told apart between inputs (then the caller halves the batch).
 */
function attribute(run: Run, chunk: Prepared[], problems: PropertyProblem[]): Prepared[] | undefined {
	const blamed = new Map<Prepared, PropertyProblem[]>();
	for (const problem of problems) {
		const holders = chunk.filter((p) => sentValue(p, problem.name).has);
		let culprits = holders;
		// Unknown and read-only properties are wrong whatever the value: every input sending them fails.
		if (problem.code !== 'PROPERTY_DOESNT_EXIST' && problem.code !== 'READ_ONLY_VALUE') {
			const q = quotedValue(problem);
			if (q.value !== undefined) {
				// Exact first: option values are case-sensitive ("Customer" is wrong where "customer" is right).
				const quoted = q.value.trim();
				const sent = (p: Prepared) => String(sentValue(p, problem.name).value ?? '').trim();
				culprits = holders.filter((p) => sent(p) === quoted);
				if (culprits.length === 0) culprits = holders.filter((p) => sent(p).toLowerCase() === quoted.toLowerCase());
			} else if (q.length !== undefined) {
				culprits = holders.filter((p) => String(sentValue(p, problem.name).value ?? '').length === q.length);
			} else if (holders.length > 1) {
				return undefined;
			}
		}
		if (culprits.length === 0) return undefined;
		for (const p of culprits) {
			const list = blamed.get(p) ?? [];
			if (!list.some((x) => x.name === problem.name && x.code === problem.code)) list.push(problem);
			blamed.set(p, list);
		}
	}
	for (const [p, list] of blamed) {
		fail(
			run,
			p,
			list.map((pr) => classifyPropertyProblem(pr, { object: run.object, id: run.op === 'upsert' || run.op === 'create' ? undefined : p.id, input: p.properties })),
		);
	}
	const rest = chunk.filter((p) => !blamed.has(p));
	return rest.length < chunk.length ? rest : undefined;
}

interface BatchEnvelope {
	results?: HubSpotRecord[];
	errors?: Array<{ status?: string; category?: string; subCategory?: string; message?: string; context?: Record<string, unknown> }>;
}

function readEnvelope(ctx: BatchContext, run: Run, chunk: Prepared[], res: HttpResponse, key: string | undefined): void {
	const { object, op } = run;
	if (op === 'archive') {
		// 204: archiving is idempotent, HubSpot reports nothing per input.
		const at = new Date(ctx.now()).toISOString();
		for (const p of chunk) succeed(run, p, 'deleted', { system: 'hubspot', object, id: p.id!, updatedAt: at, fields: {}, deleted: true });
		return;
	}
	const body = (res.body ?? {}) as BatchEnvelope;
	const byTrace = new Map(chunk.map((p) => [p.trace, p]));
	const byId = new Map<string, Prepared[]>();
	for (const p of chunk) if (p.id !== undefined) byId.set(p.id.toLowerCase(), [...(byId.get(p.id.toLowerCase()) ?? []), p]);
	const unmatched: HubSpotRecord[] = [];
	for (const r of body.results ?? []) {
		let p = r.objectWriteTraceId !== undefined ? byTrace.get(String(r.objectWriteTraceId)) : undefined;
		if (!p && op === 'update') p = byId.get(String(r.id).toLowerCase())?.[0];
		if (!p && op === 'upsert' && key) p = byId.get(matchValue(key, r.properties?.[key] ?? ''))?.[0];
		if (!p) {
			unmatched.push(r);
			continue;
		}
		const action = op === 'create' ? 'created' : op === 'update' ? 'updated' : r.new ? 'created' : 'updated';
		succeed(run, p, action, toEnvelope(object, r));
	}
	for (const e of body.errors ?? []) {
		const context = e.context ?? {};
		const traces = Array.isArray(context.objectWriteTraceId) ? context.objectWriteTraceId.map(String) : [];
		const ids = Array.isArray(context.ids) ? context.ids.map(String) : Array.isArray(context.id) ? context.id.map(String) : [];
		const targets = new Set<Prepared>();
		for (const t of traces) if (byTrace.has(t)) targets.add(byTrace.get(t)!);
		if (targets.size === 0) for (const id of ids) for (const p of byId.get(id.toLowerCase()) ?? []) targets.add(p);
		for (const p of targets) {
			if (e.category === 'OBJECT_NOT_FOUND') {
				if (op === 'update') run.missing.push(p);
				else fail(run, p, [notFoundError({ object }, p.id, e.message)]);
				continue;
			}
			if (e.category === 'CONFLICT') {
				const existing = existingIdOf(e.message, context);
				fail(run, p, [duplicateError(e.message ?? '', { object, input: p.properties }, existing, res.status)], existing);
				continue;
			}
			fail(run, p, [
				classifiedError('INVALID_FORMAT', {
					message: `HubSpot rejected this record: ${e.message ?? e.category ?? 'error'}`,
					record: { system: 'hubspot', object, ...(p.id && op !== 'upsert' ? { id: p.id } : {}) },
					vendor: { status: res.status, code: e.subCategory ?? e.category, message: e.message },
				}),
			]);
		}
	}
	// Results HubSpot did not tag (older API versions): in input order among the inputs still open.
	const open = chunk.filter((p) => !run.results[p.index] && !run.missing.includes(p));
	unmatched.forEach((r, i) => {
		const p = open[i];
		if (!p) return;
		const action = op === 'create' ? 'created' : op === 'update' ? 'updated' : r.new ? 'created' : 'updated';
		succeed(run, p, action, toEnvelope(object, r));
	});
}
