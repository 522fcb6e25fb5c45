import { StoreError } from './errors';
import { pairRecord } from './pairs';
import { intentFromRow, type Ctx } from './rows';
import { all, first, iso, oneOf, pageLimit, Params, text, type Op } from './sql';
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
