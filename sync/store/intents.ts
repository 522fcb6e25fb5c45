import { StoreError } from './errors';
import { pairRecord, pairRecords } from './pairs';
import { intentFromRow, type Ctx } from './rows';
import { all, first, iso, jsonRows, oneOf, pageLimit, Params, slices, str, text, withRows, type Op } from './sql';
import { INTENT_OPERATIONS, type BeginIntentResult, type CompleteIntentInput, type IntentInput, type PairResult, type Timestamp, type WriteIntent } from './types';

/**
 * Write intents make creates crash-safe: the intent is committed before the vendor call, and completed (with the
 * pair, in one transaction) after it. An intent still open on the next run means "the create may have happened":
 * the ledger looks the record up by its match key before creating again.
 */

function optText(value: string | null | undefined): string | null {
	return value === undefined || value === null || value === '' ? null : value;
}

export function* getIntent(c: Ctx, key: string): Op<WriteIntent | null> {
	const row = yield* first(`SELECT * FROM ${c.d.t('write_intents')} WHERE idempotency_key = $1`, [text('key', key)]);
	return row ? intentFromRow(row) : null;
}

export function* beginIntent(c: Ctx, input: IntentInput): Op<BeginIntentResult> {
	const t = c.d.t('write_intents');
	const now = c.now();
	const values = [
		text('key', input.key),
		text('mappingId', input.mappingId),
		text('sourceId', input.sourceId),
		oneOf('operation', input.operation, INTENT_OPERATIONS),
		optText(input.targetSystem),
		optText(input.targetObject),
		optText(input.matchKey),
		input.matchValue ?? null,
		optText(input.targetId),
		now,
	];
	for (let round = 0; round < 5; round++) {
		const row = yield* first(
			`INSERT INTO ${t} (idempotency_key, mapping_id, source_id, operation, target_system, target_object, match_key, match_value,
				status, target_id, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $10)
			ON CONFLICT DO NOTHING RETURNING *`,
			values,
		);
		if (row) return { intent: intentFromRow(row), created: true };
		const same = yield* getIntent(c, input.key);
		if (same) return { intent: same, created: false };
		const open = yield* first(`SELECT * FROM ${t} WHERE mapping_id = $1 AND source_id = $2 AND operation = $3 AND status = 'open'`, [
			input.mappingId,
			input.sourceId,
			input.operation,
		]);
		if (open) return { intent: intentFromRow(open), created: false };
		// The other open intent closed in between: our insert can go through now.
	}
	throw new StoreError('CONFLICT', `Could not begin intent ${input.key}: the record's intents kept changing`);
}

export function* completeIntent(
	c: Ctx,
	key: string,
	result: CompleteIntentInput = {},
): Op<{ intent: WriteIntent; pair?: PairResult } | null> {
	const now = c.now();
	// An abandoned intent may still complete: the write did happen after all.
	const row = yield* first(
		`UPDATE ${c.d.t('write_intents')} SET status = 'done', target_id = COALESCE($2, target_id), completed_at = $3, updated_at = $3
		WHERE idempotency_key = $1 AND status <> 'done' RETURNING *`,
		[text('key', key), optText(result.targetId), now],
	);
	const intent = row ? intentFromRow(row) : yield* getIntent(c, key);
	if (!intent) return null;
	if (!result.pair) return { intent };
	const pair = yield* pairRecord(c, result.pair);
	return { intent, pair };
}

const INTENT_ROW = {
	idempotency_key: 'text',
	mapping_id: 'text',
	source_id: 'text',
	operation: 'text',
	target_system: 'text',
	target_object: 'text',
	match_key: 'text',
	match_value: 'text',
	target_id: 'text',
	created_at: 'ts',
} as const;

/**
 * beginIntent for many records in one transaction: one multi-row insert per BATCH_ROWS intents (sorted by source id,
 * so concurrent Plans take the open-intent index in one order). A record that already has an open intent, or a key
 * begun before, is settled the way beginIntent settles it.
 */
export function* beginIntents(c: Ctx, inputs: readonly IntentInput[]): Op<BeginIntentResult[]> {
	const now = c.now();
	const rows = inputs.map((input, index) => ({
		index,
		row: {
			idempotency_key: text('key', input.key),
			mapping_id: text('mappingId', input.mappingId),
			source_id: text('sourceId', input.sourceId),
			operation: oneOf('operation', input.operation, INTENT_OPERATIONS),
			target_system: optText(input.targetSystem),
			target_object: optText(input.targetObject),
			match_key: optText(input.matchKey),
			match_value: input.matchValue ?? null,
			target_id: optText(input.targetId),
			created_at: now,
		},
	}));
	rows.sort((a, b) => (a.row.source_id < b.row.source_id ? -1 : a.row.source_id > b.row.source_id ? 1 : a.index - b.index));
	const out: BeginIntentResult[] = new Array(inputs.length);
	const columns = Object.keys(INTENT_ROW);
	const rest: number[] = [];
	for (const part of slices(rows)) {
		const inserted = yield* all(
			`${withRows(c.d, '$1', INTENT_ROW)} INSERT INTO ${c.d.t('write_intents')} (${columns.join(', ')}, status, updated_at)
			SELECT ${columns.map((col) => `u.${col}`).join(', ')}, 'open', u.created_at FROM u WHERE true ORDER BY u.source_id
			ON CONFLICT DO NOTHING RETURNING *`,
			[jsonRows(part.map((r) => r.row))],
		);
		const byKey = new Map(inserted.map((row) => [str(row.idempotency_key), intentFromRow(row)]));
		for (const { index, row } of part) {
			const intent = byKey.get(row.idempotency_key);
			// A key twice in the batch: the first one created it, the second is its replay.
			if (intent) {
				byKey.delete(row.idempotency_key);
				out[index] = { intent, created: true };
			} else rest.push(index);
		}
	}
	for (const index of rest) out[index] = yield* beginIntent(c, inputs[index]);
	return out;
}

/**
 * completeIntent for many intents in one transaction: the intents in one UPDATE … FROM per BATCH_ROWS, then their
 * pairs with pairRecords, so each pair is stored in the same transaction as its intent. Results in input order;
 * null for an unknown key.
 */
export function* completeIntents(
	c: Ctx,
	items: ReadonlyArray<{ key: string; result?: CompleteIntentInput }>,
): Op<Array<{ intent: WriteIntent; pair?: PairResult } | null>> {
	const now = c.now();
	const first = new Map<string, string | null>();
	for (const { key, result } of items) if (!first.has(text('key', key))) first.set(key, optText(result?.targetId));
	const intents = new Map<string, WriteIntent>();
	const t = c.d.t('write_intents');
	for (const part of slices([...first])) {
		// An abandoned intent may still complete: the write did happen after all.
		const rows = yield* all(
			`${withRows(c.d, '$1', { key: 'text', target_id: 'text' })}
			UPDATE ${t} AS w SET status = 'done', target_id = COALESCE(u.target_id, w.target_id), completed_at = $2, updated_at = $2 FROM u
			WHERE w.idempotency_key = u.key AND w.status <> 'done' RETURNING ${c.d.returningAll('w')}`,
			[jsonRows(part.map(([key, targetId]) => ({ key, target_id: targetId }))), now],
		);
		for (const row of rows) intents.set(str(row.idempotency_key), intentFromRow(row));
		const missed = part.map(([key]) => key).filter((key) => !intents.has(key));
		if (missed.length) {
			for (const row of yield* all(`SELECT * FROM ${t} WHERE ${c.d.inList('idempotency_key', '$1')}`, [missed])) {
				intents.set(str(row.idempotency_key), intentFromRow(row));
			}
		}
	}
	const out: Array<{ intent: WriteIntent; pair?: PairResult } | null> = items.map(({ key }) => {
		const intent = intents.get(key);
		return intent ? { intent } : null;
	});
	const pairs = items.map((item, index) => ({ input: item.result?.pair, index })).filter((x) => x.input && out[x.index]);
	if (pairs.length) {
		const results = yield* pairRecords(
			c,
			pairs.map((x) => x.input!),
		);
		pairs.forEach((x, k) => (out[x.index] = { ...out[x.index]!, pair: results[k] }));
	}
	return out;
}

/** abandonIntent for many keys (one statement per BATCH_ROWS); results in input order, null for an unknown key. */
export function* abandonIntents(c: Ctx, keys: readonly string[], note: string | null | undefined): Op<Array<WriteIntent | null>> {
	const now = c.now();
	const t = c.d.t('write_intents');
	const intents = new Map<string, WriteIntent>();
	for (const part of slices([...new Set(keys.map((k) => text('key', k)))])) {
		for (const row of yield* all(
			`UPDATE ${t} SET status = 'abandoned', note = $2, completed_at = $3, updated_at = $3
			WHERE ${c.d.inList('idempotency_key', '$1')} AND status = 'open' RETURNING *`,
			[part, note ?? null, now],
		)) {
			intents.set(str(row.idempotency_key), intentFromRow(row));
		}
		const missed = part.filter((key) => !intents.has(key));
		if (missed.length) {
			for (const row of yield* all(`SELECT * FROM ${t} WHERE ${c.d.inList('idempotency_key', '$1')}`, [missed])) intents.set(str(row.idempotency_key), intentFromRow(row));
		}
	}
	return keys.map((key) => intents.get(key) ?? null);
}

export function* abandonIntent(c: Ctx, key: string, note: string | null | undefined): Op<WriteIntent | null> {
	const now = c.now();
	const row = yield* first(
		`UPDATE ${c.d.t('write_intents')} SET status = 'abandoned', note = $2, completed_at = $3, updated_at = $3
		WHERE idempotency_key = $1 AND status = 'open' RETURNING *`,
		[text('key', key), note ?? null, now],
	);
	return row ? intentFromRow(row) : yield* getIntent(c, key);
}

export function* openIntents(
	c: Ctx,
	mappingId: string,
	options: { olderThan?: Timestamp; sourceIds?: readonly string[]; limit?: number } = {},
): Op<WriteIntent[]> {
	const p = new Params();
	const where = [`mapping_id = ${p.add(text('mappingId', mappingId))}`, `status = 'open'`];
	if (options.olderThan !== undefined) where.push(`created_at < ${p.add(iso(options.olderThan))}`);
	if (options.sourceIds !== undefined) {
		if (options.sourceIds.length === 0) return [];
		where.push(c.d.inList('source_id', p.add([...new Set(options.sourceIds)])));
	}
	const limit = options.limit === undefined ? 1000 : pageLimit(options.limit);
	const rows = yield* all(
		`SELECT * FROM ${c.d.t('write_intents')} WHERE ${where.join(' AND ')} ORDER BY created_at, idempotency_key LIMIT ${p.add(limit)}`,
		p.values,
	);
	return rows.map(intentFromRow);
}
