/**
 * Error Policy, Review Queue and Review Queue Trigger in n8n's own WorkflowExecute: routing to Retry Later /
 * Review / Skipped, paired items, Stop on Error, "On Error" settings, every Review Queue operation, and the
 * retry-worker loop (trigger → Record Retry Failure → trigger → Record Retry Success).
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { IDataObject, IPollFunctions } from 'n8n-workflow';
import { classifiedError } from '../../errors/taxonomy';
import { ErrorPolicy } from '../../nodes/ErrorPolicy/ErrorPolicy.node';
import { ReviewQueue } from '../../nodes/ReviewQueue/ReviewQueue.node';
import { ReviewQueueTrigger } from '../../nodes/ReviewQueueTrigger/ReviewQueueTrigger.node';
import { failedItem } from '../../nodes/shared/records';
import { closeAllStores, openStore, type SyncStore } from '../../sync/store';
import { runWorkflow, TestNodeTypes } from '../engine/harness';

const types = new TestNodeTypes({
	'fc.errorPolicy': new ErrorPolicy(),
	'fc.reviewQueue': new ReviewQueue(),
});

let dir: string;
let sqlitePath: string;
let store: SyncStore;

beforeEach(async () => {
	dir = mkdtempSync(join(tmpdir(), 'flux-errors-'));
	sqlitePath = join(dir, 'state.sqlite');
	store = await openStore({ kind: 'sqlite', path: sqlitePath });
});
afterEach(async () => {
	await store.close();
	await closeAllStores();
	rmSync(dir, { recursive: true, force: true });
});

const contact = (id: string, fields: IDataObject = {}) => ({ system: 'hubspot', object: 'contacts', id, fields: { firstname: `Person ${id}`, ...fields } });
const failed = (id: string, code: Parameters<typeof classifiedError>[0], extra: { field?: string; value?: unknown; retryAfter?: number } = {}) =>
	failedItem('hubspot', 'HubSpot', contact(id), [classifiedError(code, { message: `${code} on ${id}`, ...extra })]) as IDataObject;

const policyNode = (parameters: IDataObject, extra: IDataObject = {}) => ({ name: 'Error Policy', type: 'fc.errorPolicy', parameters: { store: 'sqlite', sqlitePath, ...parameters }, ...extra });
const queueNode = (name: string, parameters: IDataObject) => ({ name, type: 'fc.reviewQueue', parameters: { store: 'sqlite', sqlitePath, ...parameters } });

describe('Error Policy', () => {
	test('routes each record to Retry Later, Review or Skipped, with paired items and the decision; parks in the store', async () => {
		const items = [
			failed('1', 'INVALID_EMAIL', { field: 'email', value: 'bob@@x' }), // skip (default)
			failed('2', 'CONNECTION_TIMEOUT'), // retry (transient)
			failed('3', 'DUPLICATE_RECORD'), // review (override)
			{ ...contact('4'), error: { message: 'The service is receiving too many requests from you', httpCode: '429' } }, // n8n error output → retry
			{ ...contact('5'), error: 'Something odd happened' }, // unknown → skip, reason kept
		];
		const res = await runWorkflow(types, {
			items,
			nodes: [policyNode({ mappingId: 'hs-jobber', overrides: { code: [{ code: 'DUPLICATE_RECORD', strategy: 'review' }] } })],
		});
		expect(res.error()).toBeUndefined();
		const retry = res.output('Error Policy', 0);
		const review = res.output('Error Policy', 1);
		const skipped = res.output('Error Policy', 2);
		expect(retry.map((i) => i.pairedItem)).toEqual([{ item: 1 }, { item: 3 }]);
		expect(review.map((i) => i.pairedItem)).toEqual([{ item: 2 }]);
		expect(skipped.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 4 }]);
		expect(retry.length + review.length + skipped.length).toBe(items.length);

		expect(retry[0].json).toMatchObject({
			failed: true,
			record: contact('2'),
			errors: [{ code: 'CONNECTION_TIMEOUT' }],
			mappingId: 'hs-jobber',
			decision: { strategy: 'retry', status: 'retry_scheduled', attempt: 1, nextAttempt: 2, delaySeconds: 60, reviewStatus: 'retry_scheduled', created: true },
		});
		expect(retry[1].json).toMatchObject({ source: 'error_output', errors: [{ code: 'RATE_LIMIT_EXCEEDED' }], decision: { strategy: 'retry' } });
		expect(review[0].json).toMatchObject({ decision: { strategy: 'review', status: 'open', reviewStatus: 'open', reason: expect.stringMatching(/set for Duplicate Record/) } });
		expect(skipped[0].json).toMatchObject({ errors: [{ code: 'INVALID_EMAIL', field: 'email' }], decision: { strategy: 'skip', status: 'skipped', reason: expect.stringMatching(/Invalid Email is a data error/) } });
		expect((skipped[0].json.decision as IDataObject).reviewItemId).toBeUndefined();
		expect(skipped[1].json).toMatchObject({ decision: { strategy: 'skip' }, errors: [{ message: 'Something odd happened' }] });

		const parked = await store.listReviewItems({ mappingId: 'hs-jobber' });
		expect(parked.items.map((i) => [i.recordId, i.status, i.code]).sort()).toEqual([
			['2', 'retry_scheduled', 'CONNECTION_TIMEOUT'],
			['3', 'open', 'DUPLICATE_RECORD'],
			['4', 'retry_scheduled', 'RATE_LIMIT_EXCEEDED'],
		]);
		expect((await store.listAttempts(parked.items.find((i) => i.recordId === '2')!.id)).map((a) => a.outcome)).toEqual(['failed']);
	});

	test('the same failures in the next execution are deduplicated: one item each, the next attempt recorded', async () => {
		const run = () => runWorkflow(types, { items: [failed('2', 'CONNECTION_TIMEOUT'), failed('3', 'INVALID_FORMAT')], nodes: [policyNode({ manualReviewMode: true })] });
		await run();
		const second = await run();
		expect(second.output('Error Policy', 0)[0].json).toMatchObject({ decision: { created: false, attempt: 2, occurrences: 2, attempts: 2 } });
		expect(second.output('Error Policy', 1)[0].json).toMatchObject({ decision: { created: false, occurrences: 2 } });
		expect(await store.countReviewItems()).toBe(2);
	});

	test('Stop on Error fails the run with a NodeOperationError naming the record; nothing is parked or skipped', async () => {
		const res = await runWorkflow(types, {
			items: [failed('1', 'CONNECTION_TIMEOUT'), failed('2', 'INVALID_EMAIL', { field: 'email', value: 'bob@@x' })],
			nodes: [policyNode({ stopOnError: true })],
		});
		const error = res.error() as Error & { context?: IDataObject; description?: string; node?: { name: string } };
		expect(error).toBeDefined();
		expect(error.message).toMatch(/^Stop on Error: hubspot\/contacts\/1: CONNECTION_TIMEOUT|^Stop on Error: hubspot\/contacts\/1: Connection Timeout/);
		expect(error.message).toMatch(/and 1 more record/);
		expect(error.context?.fluxcascade).toMatchObject({ record: contact('1'), errors: [{ code: 'CONNECTION_TIMEOUT' }] });
		expect(error.context?.itemIndex).toBe(0);
		expect(await store.countReviewItems()).toBe(0);

		// What n8n hands the error workflow: the error as data. Its Error Policy parks every record of the stopped batch.
		const payload = { execution: { id: '5', error: JSON.parse(JSON.stringify({ ...error, message: error.message })), lastNodeExecuted: 'Error Policy', mode: 'webhook' }, workflow: { id: 'w', name: 'Sync' } };
		const errorWorkflow = await runWorkflow(types, { items: [payload], nodes: [policyNode({ manualReviewMode: true, mappingId: 'stopped' })] });
		expect(errorWorkflow.output('Error Policy', 0).map((i) => [i.json.source, (i.json.record as IDataObject).id, i.pairedItem])).toEqual([['error_trigger', '1', { item: 0 }]]);
		expect(errorWorkflow.output('Error Policy', 1).map((i) => [i.json.source, (i.json.record as IDataObject).id])).toEqual([['error_trigger', '2']]);
		expect((await store.listReviewItems({ mappingId: 'stopped' })).items.map((i) => [i.recordId, i.status]).sort()).toEqual([
			['1', 'retry_scheduled'],
			['2', 'open'],
		]);
	});

	test('On Error "continue (using error output)": fail-fast records go to the error output, the others are routed', async () => {
		const res = await runWorkflow(types, {
			items: [failed('1', 'INVALID_EMAIL'), failed('2', 'CONNECTION_TIMEOUT')],
			nodes: [policyNode({ overrides: { code: [{ code: 'INVALID_EMAIL', strategy: 'fail_fast' }] } }, { onError: 'continueErrorOutput' })],
		});
		expect(res.error()).toBeUndefined();
		expect(res.output('Error Policy', 0).map((i) => i.pairedItem)).toEqual([{ item: 1 }]);
		const errorOut = res.output('Error Policy', 3);
		expect(errorOut).toHaveLength(1);
		expect(errorOut[0].json.error).toMatch(/Stop on Error: hubspot\/contacts\/1/);
		expect(errorOut[0].pairedItem).toEqual({ item: 0 });
	});

	test('On Error "continue (regular output)": a bad setting becomes an error item instead of failing', async () => {
		const res = await runWorkflow(types, {
			items: [failed('1', 'CONNECTION_TIMEOUT')],
			nodes: [policyNode({ retryDelay: 'schedule', schedule: '1m, whenever' }, { onError: 'continueRegularOutput' })],
		});
		expect(res.error()).toBeUndefined();
		expect(res.output('Error Policy', 0)[0].json.error).toMatch(/cannot read "whenever"/);
	});

	test('the Error Trigger payload of our own Stop on Error parks exactly that record', async () => {
		const payload = {
			execution: {
				id: '77',
				error: { message: 'Stop on Error: …', context: { fluxcascade: { record: contact('9'), errors: [classifiedError('INVALID_EMAIL', { message: 'bad', field: 'email' })], mappingId: 'm9' } } },
				lastNodeExecuted: 'Error Policy',
				mode: 'webhook',
			},
			workflow: { id: 'w1', name: 'Sync' },
		};
		const res = await runWorkflow(types, { items: [payload], nodes: [policyNode({ manualReviewMode: true })] });
		expect(res.output('Error Policy', 1)[0].json).toMatchObject({ source: 'error_trigger', record: contact('9'), mappingId: 'm9', workflow: { name: 'Sync' } });
		const [item] = (await store.listReviewItems({ mappingId: 'm9' })).items;
		expect(item).toMatchObject({ recordId: '9', code: 'INVALID_EMAIL', status: 'open', data: contact('9') });
	});
});

// ------------------------------------------------------------------------------------------------ trigger helpers

function pollContext(params: IDataObject, nodeName = 'Review Queue Trigger', mode = 'trigger'): IPollFunctions {
	return {
		getNodeParameter: (name: string, fallback?: unknown) => (name in params ? params[name] : fallback),
		getMode: () => mode,
		getNode: () => ({ name: nodeName, type: 'reviewQueueTrigger', typeVersion: 1, position: [0, 0], parameters: {} }),
		getWorkflow: () => ({ id: 'retry-worker', name: 'Retry worker', active: true }),
		getCredentials: async () => {
			throw new Error('no credentials in this test');
		},
		helpers: { returnJsonArray: (rows: IDataObject[]) => rows.map((json) => ({ json })) },
	} as unknown as IPollFunctions;
}

async function poll(params: IDataObject = {}, nodeName?: string, mode?: string) {
	const out = await new ReviewQueueTrigger().poll.call(pollContext({ store: 'sqlite', sqlitePath, ...params }, nodeName, mode));
	return out ? out[0].map((i) => i.json) : [];
}

describe('retry worker: Review Queue Trigger → sync → Record Retry Failure / Success', () => {
	test('a record that fails twice then succeeds ends resolved and counts as a retry success (through the nodes)', async () => {
		// Attempt 1 failed in the sync; the Error Policy parks it. A Fixed delay of 0 makes the retries due at once.
		await runWorkflow(types, { items: [failed('42', 'CONNECTION_TIMEOUT')], nodes: [policyNode({ mappingId: 'm', retryDelay: 'fixed', fixedDelaySeconds: 0 })] });

		// Attempt 2: the trigger emits the record with its review info; the sync fails again (error output of the vendor node).
		const [claimed2] = await poll();
		expect(claimed2).toMatchObject({ system: 'hubspot', id: '42', fields: { firstname: 'Person 42' }, review: { attempt: 2, status: 'retry_scheduled', mappingId: 'm' } });
		expect(await poll()).toEqual([]); // leased: a second poll does not get it again
		const failedAgain = { ...claimed2, error: { message: 'timeout', code: 'ETIMEDOUT' } };
		const r2 = await runWorkflow(types, { items: [failedAgain], nodes: [queueNode('Record Failure', { operation: 'recordFailure' })] });
		expect(r2.output('Record Failure')[0].json.reviewResult).toMatchObject({ recorded: true, next: 'retry_scheduled', attempts: 2 });

		// Attempt 3 succeeds.
		const [claimed3] = await poll();
		expect(claimed3.review).toMatchObject({ attempt: 3 });
		const r3 = await runWorkflow(types, { items: [claimed3], nodes: [queueNode('Record Success', { operation: 'recordSuccess' })] });
		expect(r3.output('Record Success')[0].json.reviewResult).toMatchObject({ next: 'resolved', status: 'resolved', attempts: 3 });

		const metrics = await runWorkflow(types, { items: [{}], nodes: [queueNode('Metrics', { operation: 'metrics', metricFilters: { mappingId: 'm' } })] });
		expect(metrics.output('Metrics')[0].json).toMatchObject({ retrySuccessRate: 1, retry: { attemptedItems: 1, resolvedItems: 1, attempts: 3 }, review: { byStatus: { resolved: 1 } } });
	});

	test('a retry failure fed to the Error Policy is recorded on the same review item', async () => {
		await runWorkflow(types, { items: [failed('8', 'CONNECTION_TIMEOUT')], nodes: [policyNode({ retryDelay: 'fixed', fixedDelaySeconds: 0 })] });
		const [claimed] = await poll();
		// The vendor node's failed item carries the trigger's item as its record (review.itemId inside).
		const vendorFailure = failedItem('hubspot', 'HubSpot', claimed as IDataObject, [classifiedError('CONNECTION_TIMEOUT', { message: 'again' })]);
		const res = await runWorkflow(types, { items: [vendorFailure], nodes: [policyNode({ retryDelay: 'fixed', fixedDelaySeconds: 0 })] });
		expect(res.output('Error Policy', 0)[0].json).toMatchObject({ decision: { reviewItemId: (claimed.review as IDataObject).itemId, attempt: 2 } });
		expect(await store.countReviewItems()).toBe(1);
	});

	test('manual "fetch test event" peeks without leasing; a mapping filter leaves other mappings alone', async () => {
		await runWorkflow(types, { items: [failed('1', 'CONNECTION_TIMEOUT')], nodes: [policyNode({ mappingId: 'a', retryDelay: 'fixed', fixedDelaySeconds: 0 })] });
		await runWorkflow(types, { items: [failed('2', 'CONNECTION_TIMEOUT')], nodes: [policyNode({ mappingId: 'b', retryDelay: 'fixed', fixedDelaySeconds: 0 })] });
		expect(await poll({}, undefined, 'manual')).toHaveLength(2);
		const onlyB = await poll({ mappingId: 'b' });
		expect(onlyB.map((r) => r.id)).toEqual(['2']);
		const rest = await poll({ output: 'item' });
		expect(rest).toMatchObject([{ recordId: '1', mappingId: 'a', attempt: 2, status: 'retry_scheduled' }]);
	});
});

describe('Review Queue operations', () => {
	async function seed() {
		await runWorkflow(types, {
			items: [failed('1', 'INVALID_EMAIL', { field: 'email', value: 'bob@@x' }), failed('2', 'VALUE_TOO_LONG', { field: 'firstname' }), failed('3', 'CONNECTION_TIMEOUT')],
			nodes: [policyNode({ mappingId: 'm', manualReviewMode: true })],
		});
		const all = (await store.listReviewItems({}, { order: 'oldest' })).items;
		return Object.fromEntries(all.map((i) => [i.recordId!, i.id]));
	}

	test('Add parks failed items as open (and does not park an Error Policy item twice)', async () => {
		const res = await runWorkflow(types, { items: [failed('10', 'INVALID_FORMAT'), { ...contact('11'), error: 'Email is required' }], nodes: [queueNode('Add', { operation: 'add', mappingId: 'm2' })] });
		const out = res.output('Add');
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }]);
		expect(out[1].json).toMatchObject({ errors: [{ code: 'REQUIRED_FIELD_MISSING' }], decision: { strategy: 'review', reviewStatus: 'open', created: true } });
		const again = await runWorkflow(types, { items: out.map((i) => i.json), nodes: [queueNode('Add', { operation: 'add' })] });
		expect(again.output('Add')[0].json.reviewItem).toMatchObject({ occurrences: 1 });
		expect(await store.countReviewItems({ mappingId: 'm2' })).toBe(2);
	});

	test('List with filters and paging, Get with attempts', async () => {
		const ids = await seed();
		const data = await runWorkflow(types, { items: [{}], nodes: [queueNode('List', { operation: 'list', filters: { category: ['Data'], mappingId: 'm' }, limit: 1 })] });
		const page = data.output('List');
		expect(page).toHaveLength(1);
		expect(page[0].json.nextCursor).toBeTruthy();
		const all = await runWorkflow(types, { items: [{}], nodes: [queueNode('List', { operation: 'list', filters: { category: ['Data'] }, returnAll: true })] });
		expect(all.output('List').map((i) => i.json.recordId).sort()).toEqual(['1', '2']);
		const byCode = await runWorkflow(types, { items: [{}], nodes: [queueNode('List', { operation: 'list', filters: { code: ['CONNECTION_TIMEOUT'], status: ['retry_scheduled'] }, returnAll: true })] });
		expect(byCode.output('List').map((i) => i.json.recordId)).toEqual(['3']);
		const got = await runWorkflow(types, { items: [{}], nodes: [queueNode('Get', { operation: 'get', itemId: ids['3'] })] });
		expect(got.output('Get')[0].json).toMatchObject({ id: ids['3'], attemptLog: [{ attempt: 1, outcome: 'failed' }] });
	});

	test('Edit Data (fields) then approve; Discard; Retry selected (queue) and all (emit)', async () => {
		const ids = await seed();
		const edit = await runWorkflow(types, {
			items: [{ id: ids['1'] }],
			nodes: [queueNode('Edit', { operation: 'editData', dataSource: 'fields', fields: { field: [{ path: 'fields.email', value: 'bob@example.com' }] } })],
		});
		expect(edit.output('Edit')[0].json).toMatchObject({ status: 'approved', data: { fields: { email: 'bob@example.com', firstname: 'Person 1' } } });

		const discard = await runWorkflow(types, { items: [{}], nodes: [queueNode('Discard', { operation: 'discard', itemId: ids['2'], note: 'not a customer' })] });
		expect(discard.output('Discard')[0].json).toMatchObject({ status: 'discarded', resolutionNote: 'not a customer' });

		const queued = await runWorkflow(types, { items: [{}], nodes: [queueNode('Retry', { operation: 'retry', retryScope: 'selected', itemIds: `${ids['3']}, ${ids['2']}`, retryMode: 'queue' })] });
		// The discarded one is closed: only the other is queued.
		expect(queued.output('Retry').map((i) => [i.json.recordId, i.json.status])).toEqual([['3', 'approved']]);

		// Retry All takes the open, scheduled and failed records (approved ones are already queued for the worker).
		await store.setReviewStatus(ids['3'], 'failed');
		const emitted = await runWorkflow(types, { items: [{}], nodes: [queueNode('Retry', { operation: 'retry', retryScope: 'all', retryMode: 'emit', filters: { mappingId: 'm' } })] });
		const out = emitted.output('Retry');
		expect(out.map((i) => i.json)).toMatchObject([{ system: 'hubspot', id: '3', review: { itemId: ids['3'], attempt: 2, status: 'retry_scheduled' } }]);
		// Held from the worker meanwhile (15 minutes by default).
		const held = (await store.getReviewItem(ids['3']))!;
		expect(Date.parse(held.nextRetryAt!) - Date.now()).toBeGreaterThan(14 * 60_000);
		// The worker gets the approved (edited) record, not the held one.
		expect((await poll()).map((r) => [r.id, (r.review as IDataObject).status])).toEqual([['1', 'approved']]);
	});

	test('Approve refuses a closed item with a clear message (continue on fail keeps going)', async () => {
		const ids = await seed();
		await store.setReviewStatus(ids['1'], 'discarded');
		const res = await runWorkflow(types, {
			items: [{ id: ids['1'] }, { id: ids['2'] }],
			nodes: [{ ...queueNode('Approve', { operation: 'approve' }), onError: 'continueRegularOutput' }],
		});
		const out = res.output('Approve');
		expect(out[0].json.error).toMatch(/is discarded; only open, scheduled or failed items can be approved/);
		expect(out[1].json).toMatchObject({ status: 'approved' });
	});

	test('Resolve Conflict: per field, with the writes each side needs', async () => {
		const conflictItem = {
			route: 'conflict',
			reason: 'conflict',
			message: 'Both sides changed',
			mappingId: 'mc',
			source: { system: 'hubspot', object: 'contacts', id: '1' },
			target: { system: 'jobber', object: 'clients', id: 'c1' },
			conflicts: [
				{ field: 'emails[0].address', sourceField: 'email', sourceValue: 'a@x.io', targetValue: 'b@x.io', resolution: 'manual', rule: 'manual' },
				{ field: 'firstName', sourceField: 'firstname', sourceValue: 'Ann', targetValue: 'Anne', resolution: 'manual', rule: 'manual' },
			],
			records: { source: { id: '1' }, target: { id: 'c1' } },
		};
		const added = await runWorkflow(types, { items: [conflictItem], nodes: [queueNode('Add', { operation: 'add' })] });
		const id = (added.output('Add')[0].json.decision as IDataObject).reviewItemId as string;
		expect((await store.getReviewItem(id))!.kind).toBe('conflict');
		const res = await runWorkflow(types, {
			items: [{}],
			nodes: [
				queueNode('Resolve', {
					operation: 'resolveConflict',
					itemId: id,
					resolution: 'perField',
					fieldChoices: { choice: [{ field: 'emails[0].address', take: 'target' }, { field: 'firstName', take: 'value', value: 'Annie' }] },
				}),
			],
		});
		expect(res.output('Resolve')[0].json).toMatchObject({
			status: 'resolved',
			toTarget: { firstName: 'Annie' },
			toSource: { email: 'b@x.io', firstname: 'Annie' },
			resolution: [
				{ field: 'emails[0].address', take: 'target', value: 'b@x.io' },
				{ field: 'firstName', take: 'value', value: 'Annie' },
			],
		});
	});

	test('Metrics: error rate from runs, breakdown by category and code', async () => {
		await seed();
		await store.startRun({ id: 'run-1', mappingId: 'm', trigger: 'test' });
		await store.finishRun('run-1', 'partial', { counts: { fetched: 20, created: 17, failed: 3 } });
		const res = await runWorkflow(types, { items: [{}], nodes: [queueNode('Metrics', { operation: 'metrics', metricFilters: { mappingId: 'm' } })] });
		expect(res.output('Metrics')[0].json).toMatchObject({
			errorRate: 0.15,
			errorRatePercent: 15,
			byCategory: { Data: 2, Connection: 1 },
			byCode: { INVALID_EMAIL: 1, VALUE_TOO_LONG: 1, CONNECTION_TIMEOUT: 1 },
			review: { total: 3, open: 3 },
		});
	});

	test('Render Dashboard returns an escaped, self-contained page for Respond to Webhook', async () => {
		await runWorkflow(types, {
			items: [failedItem('hubspot', 'HubSpot', contact('66', { firstname: '<script>alert(1)</script>', apiToken: 'tok-secret' }), [classifiedError('INVALID_EMAIL', { message: 'bad', field: 'email' })])],
			nodes: [policyNode({ manualReviewMode: true })],
		});
		const res = await runWorkflow(types, { items: [{ headers: { authorization: 'Basic c2VjcmV0' } }], nodes: [queueNode('Dash', { operation: 'renderDashboard', formSecret: 's3cret-form-key' })] });
		const json = res.output('Dash')[0].json;
		const page = json.html as string;
		expect(json.contentType).toBe('text/html; charset=utf-8');
		expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
		expect(page).not.toContain('<script>alert(1)</script>');
		expect(page).not.toMatch(/tok-secret|s3cret-form-key|c2VjcmV0/);
		expect(page).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/i);
		expect(Object.keys(json).sort()).toEqual(['contentType', 'headers', 'html', 'statusCode']);
	});
});

describe('conservation through the Error Policy node (fast-check)', () => {
	test('random mixes of failure shapes: every input item leaves exactly once — skipped with a reason, or parked in the store', async () => {
		const codes = ['INVALID_EMAIL', 'CONNECTION_TIMEOUT', 'RATE_LIMIT_EXCEEDED', 'DUPLICATE_RECORD', 'FIELD_NOT_FOUND', 'TRANSFORM_FAILED', 'AUTHENTICATION_FAILED'] as const;
		const shape = fc.oneof(
			fc.record({ kind: fc.constant('ours' as const), code: fc.constantFrom(...codes) }),
			fc.record({ kind: fc.constant('http' as const), status: fc.constantFrom('400', '401', '403', '404', '409', '422', '429', '500', '503') }),
			fc.record({ kind: fc.constant('message' as const), text: fc.constantFrom('Email is required', 'socket hang up', 'value too long', 'weird failure', 'Duplicate key violation') }),
		);
		let runNo = 0;
		await fc.assert(
			fc.asyncProperty(
				fc.array(fc.tuple(shape, fc.integer({ min: 1, max: 6 })), { minLength: 1, maxLength: 20 }),
				fc.record({ autoRetry: fc.boolean(), manualReviewMode: fc.boolean(), maxRetries: fc.integer({ min: 0, max: 3 }) }),
				async (mix, settings) => {
					const mappingId = `prop-${++runNo}`;
					const items = mix.map(([s, n]) => {
						const id = String(n);
						if (s.kind === 'ours') return failed(id, s.code);
						if (s.kind === 'http') return { ...contact(id), error: { message: `HTTP ${s.status}`, httpCode: s.status } };
						return { ...contact(id), error: s.text };
					});
					const res = await runWorkflow(types, { items, nodes: [policyNode({ mappingId, ...settings })] });
					expect(res.error()).toBeUndefined();
					const outs = [0, 1, 2].map((o) => res.output('Error Policy', o));
					const seen = outs.flat().map((i) => (i.pairedItem as { item: number }).item).sort((a, b) => a - b);
					expect(seen).toEqual(items.map((_, i) => i));
					for (const i of outs[2]) expect(String((i.json.decision as IDataObject).reason).length).toBeGreaterThan(10);
					const parked = [...outs[0], ...outs[1]].map((i) => i.json.decision as IDataObject);
					for (const d of parked) expect(d.reviewItemId).toMatch(/^rev_/);
					// Duplicates within the batch share one review item; each parked item is in the store.
					const distinct = new Set(parked.map((d) => d.reviewItemId));
					expect(await store.countReviewItems({ mappingId })).toBe(distinct.size);
				},
			),
			{ numRuns: 25 },
		);
	});
});
