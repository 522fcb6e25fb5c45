/**
 * The Sync Alert rule engine over a real store: every error, dedupe window, quiet while a retry is pending,
 * N in a row, error rate over a window (items and the store's runs), daily digest in a non-UTC time zone,
 * state that survives a restart and is shared by two workers.
 */
import { AlertEngine, eventFromItem, eventsFromItems, type AlertConfig, type AlertEvent, type AlertStore } from '../../sync/alerts';
import { endedPeriods, parseDigestTime } from '../../sync/alerts/digest';
import type { SqlStore } from '../../sync/store';
import { backendMatrix, describeSkipped, TestClock, type StoreTarget } from '../store/harness';
import { decided, envelope, err, failed } from './support';

const { run, skipped } = backendMatrix();
describeSkipped('alert engine', skipped);

const events = (items: Array<Record<string, unknown>>, mapping = ''): AlertEvent[] => eventsFromItems(items, mapping);

describe.each(run)('alert engine on $name', (backend) => {
	let target: StoreTarget;
	let store: SqlStore;
	let clock: TestClock;
	const engine = (config: Partial<AlertConfig> = {}, s: AlertStore = store) =>
		new AlertEngine(s, { rule: { kind: 'every_error' }, dashboardUrl: 'https://n8n.example.com/webhook/errors', ...config } as AlertConfig, { now: clock.now });

	beforeAll(async () => {
		target = await backend.create('alerts');
	});
	beforeEach(async () => {
		await target.reset();
		clock = new TestClock('2025-03-10T09:00:00.000Z');
		store = await target.open({ clock: clock.now });
	});
	afterEach(async () => {
		await store.close();
	});
	afterAll(async () => {
		await target.dispose();
	});

	describe('every error', () => {
		test('one alert per failed record: what failed, which record and field, the error, what to do, dashboard link', async () => {
			const res = await engine().process(
				events([
					failed('501', [err('INVALID_EMAIL', 'Invalid email "ann@"', { field: 'email' }), err('INVALID_FORMAT', 'Invalid phone number format', { field: 'phone' })]),
					envelope('502'),
					{ timestamp: '2025-03-10T09:00:00Z', 'Day of week': 'Monday' },
				]),
			);
			expect(res.stats).toMatchObject({ events: 3, failures: 1, successes: 1, ignored: 1, deduplicated: 0 });
			expect(res.alerts).toHaveLength(1);
			const [a] = res.alerts;
			expect(a.sources).toEqual([0]);
			expect(a.message).toMatchObject({
				rule: 'every_error',
				severity: 'error',
				mapping: 'people',
				title: 'Sync error in people: Invalid Email (+1 more)',
				summary: 'hubspot / contacts / 501 failed at the mapping stage (Field Mapper) with 2 errors.',
				dashboardUrl: 'https://n8n.example.com/webhook/errors',
				links: [{ label: 'Error dashboard', url: 'https://n8n.example.com/webhook/errors' }],
				counts: { errors: 2 },
			});
			expect(a.message.errors[0]).toMatchObject({
				category: 'Data',
				code: 'INVALID_EMAIL',
				label: 'Invalid Email',
				message: 'Invalid email "ann@"',
				field: 'email',
				record: { system: 'hubspot', object: 'contacts', id: '501' },
				suggestedFix: expect.stringContaining('Skip invalid'),
			});
		});

		test('the same error at most once per window; another record or field is another error; the window expires', async () => {
			const e = engine({ dedupeWindowMinutes: 60 });
			const item = failed('501', [err('INVALID_EMAIL', 'bad', { field: 'email' })]);
			expect((await e.process(events([item]))).alerts).toHaveLength(1);
			clock.advance(10 * 60_000);
			let res = await e.process(events([item, item, failed('502', [err('INVALID_EMAIL', 'bad', { field: 'email', id: '502' })]), failed('501', [err('INVALID_EMAIL', 'bad', { field: 'email2' })])]));
			expect(res.alerts.map((a) => a.sources)).toEqual([[2], [3]]);
			expect(res.stats.deduplicated).toBe(2);
			// Another mapping is another signature.
			res = await e.process(events([item], 'other mapping'));
			expect(res.alerts).toHaveLength(1);
			clock.advance(51 * 60_000);
			res = await e.process(events([item]));
			expect(res.alerts).toHaveLength(1);
			// It tells how often the error came back while it was quiet.
			expect(res.alerts[0].message.counts).toMatchObject({ repeatsSinceLastAlert: 2 });
		});

		test('dedupe window 0 alerts every occurrence', async () => {
			const item = failed('501', [err('INVALID_EMAIL', 'bad', { field: 'email' })]);
			const res = await engine({ dedupeWindowMinutes: 0 }).process(events([item, item, item]));
			expect(res.alerts).toHaveLength(3);
		});

		test('a failed delivery releases the window: the next occurrence alerts again', async () => {
			const e = engine();
			const item = failed('501', [err('DUPLICATE_RECORD', 'dup')]);
			const [first] = (await e.process(events([item]))).alerts;
			await first.release();
			clock.advance(60_000);
			expect((await e.process(events([item]))).alerts).toHaveLength(1);
			clock.advance(60_000);
			expect((await e.process(events([item]))).alerts).toHaveLength(0);
		});

		test('quiet while an automatic retry is pending; alerted once the retries are used up', async () => {
			const e = engine();
			const base = failed('777', [err('RATE_LIMIT_EXCEEDED', 'HTTP 429 Too Many Requests', { id: '777' })]);
			const pending = decided(base, { strategy: 'retry', status: 'retry_scheduled', attempt: 1, nextAttempt: 2, nextRetryAt: '2025-03-10T09:01:00.000Z' });
			let res = await e.process(events([pending]));
			expect(res.alerts).toHaveLength(0);
			expect(res.stats.retryPending).toBe(1);
			clock.advance(60_000);
			res = await e.process(events([decided(base, { strategy: 'retry', status: 'retry_scheduled', attempt: 2, nextAttempt: 3, nextRetryAt: '2025-03-10T09:06:00.000Z' })]));
			expect(res.alerts).toHaveLength(0);
			clock.advance(35 * 60_000);
			res = await e.process(events([decided(base, { strategy: 'retry', status: 'failed', attempt: 4 })]));
			expect(res.alerts).toHaveLength(1);
			expect(res.alerts[0].message.summary).toBe('hubspot / contacts / 777 failed at the mapping stage (Field Mapper) after 4 attempts with 1 error.');
			expect(res.alerts[0].message.counts.attempts).toBe(4);
			// A Review Queue item scheduled for retry is quiet too; with the option off it alerts at once.
			const reviewItem = { id: 'r1', kind: 'error', status: 'retry_scheduled', mappingId: 'people', system: 'jobber', object: 'clients', recordId: 'J1', errors: [err('CONNECTION_TIMEOUT', 'timeout', { id: 'J1' })], nextRetryAt: '2025-03-10T10:00:00Z' };
			expect((await e.process(events([reviewItem]))).alerts).toHaveLength(0);
			expect((await engine({ quietWhileRetryPending: false }).process(events([reviewItem]))).alerts).toHaveLength(1);
		});

		test("n8n's Error Trigger payload alerts with the execution link; a failed run summary alerts once per run", async () => {
			const trigger = {
				execution: { id: '231', url: 'http://localhost:5678/execution/231', error: { message: 'Stop on Error: Authentication Failed' }, lastNodeExecuted: 'HubSpot Sync', mode: 'trigger' },
				workflow: { id: '1', name: 'HubSpot → Jobber' },
			};
			const run = { id: 'run-9', mappingId: 'people', status: 'failed', counts: { fetched: 40, created: 0, updated: 0, skipped: 0, failed: 40 }, error: 'Jobber answered 503' };
			const res = await engine().process(events([trigger, run, run]));
			expect(res.alerts.map((a) => a.message.title)).toEqual(['Sync error in HubSpot → Jobber: Workflow Failed', 'Sync run failed: people']);
			expect(res.alerts[0].message.links).toContainEqual({ label: 'n8n execution', url: 'http://localhost:5678/execution/231' });
			expect(res.alerts[0].message.summary).toContain('HubSpot Sync');
			expect(res.alerts[1].message.counts).toEqual({ processed: 40, failed: 40 });
		});

		test('beyond the per-batch limit the rest is folded into one summary alert', async () => {
			const items = Array.from({ length: 25 }, (_, i) => failed(String(i), [err('REQUIRED_FIELD_MISSING', 'Email is required', { id: String(i), field: 'email' })]));
			const res = await engine({ maxAlertsPerBatch: 20 }).process(events(items));
			expect(res.alerts).toHaveLength(20);
			const last = res.alerts[19].message;
			expect(last.title).toBe('6 more failed records in people');
			expect(last.summary).toContain('Required Field Missing ×6');
			expect(res.alerts[19].sources).toEqual([19, 20, 21, 22, 23, 24]);
		});
	});

	describe('restart and workers', () => {
		test('state survives a restart: the dedupe window and the streak continue with a new store handle', async () => {
			const item = failed('501', [err('INVALID_EMAIL', 'bad', { field: 'email' })]);
			expect((await engine().process(events([item]))).alerts).toHaveLength(1);
			await engine({ rule: { kind: 'consecutive', count: 3 } }).process(events([item, item]));
			await store.close();
			store = await target.open({ clock: clock.now });
			clock.advance(5 * 60_000);
			expect((await engine().process(events([item]))).alerts).toHaveLength(0);
			const res = await engine({ rule: { kind: 'consecutive', count: 3 } }).process(events([item]));
			expect(res.alerts.map((a) => a.message.counts.consecutiveFailures)).toEqual([3]);
		});

		test('two workers on one database: the same error is alerted once', async () => {
			const other = await target.open({ clock: clock.now });
			try {
				const items = Array.from({ length: 10 }, (_, i) => failed(String(i), [err('DUPLICATE_RECORD', 'dup', { id: String(i) })]));
				const [a, b] = await Promise.all([engine({}, store).process(events(items)), engine({}, other).process(events(items))]);
				const alerted = [...a.alerts, ...b.alerts].map((x) => x.sources[0]).sort((x, y) => x - y);
				expect(alerted).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
				expect(a.stats.deduplicated + b.stats.deduplicated).toBe(10);
			} finally {
				await other.close();
			}
		});
	});

	describe('N in a row', () => {
		const rule = { rule: { kind: 'consecutive' as const, count: 3 } };
		const bad = (id: string) => failed(id, [err('VALUE_TOO_LONG', 'Value too long', { id, field: 'notes' })]);

		test('alerts when the streak reaches N (across executions), once per streak; a success resets it', async () => {
			const e = engine(rule);
			expect((await e.process(events([bad('1'), bad('2')]))).alerts).toHaveLength(0);
			let res = await e.process(events([bad('3')]));
			expect(res.alerts).toHaveLength(1);
			expect(res.alerts[0].message).toMatchObject({ rule: 'consecutive', title: '3 failures in a row in people', counts: { consecutiveFailures: 3, threshold: 3 } });
			expect(res.alerts[0].message.errors).toHaveLength(3);
			expect((await e.process(events([bad('4'), bad('5')]))).alerts).toHaveLength(0);
			// A success resets; two more failures are not three in a row.
			res = await e.process(events([envelope('6'), bad('7'), bad('8')]));
			expect(res.alerts).toHaveLength(0);
			res = await e.process(events([bad('9')]));
			expect(res.alerts.map((a) => a.sources)).toEqual([[0]]);
		});

		test('in one batch: a success in the middle breaks the streak; streaks are per mapping', async () => {
			const e = engine(rule);
			let res = await e.process(events([bad('1'), bad('2'), envelope('3'), bad('4'), bad('5')]));
			expect(res.alerts).toHaveLength(0);
			res = await e.process([...events([bad('6')]), ...events([bad('x'), bad('y'), bad('z')], 'billing')]);
			expect(res.alerts.map((a) => [a.message.mapping, a.message.counts.consecutiveFailures, a.sources])).toEqual([
				['people', 3, [0]],
				['billing', 3, [0, 1, 2]],
			]);
		});

		test('while the streak lasts it reminds at most once per dedupe window; pending retries neither count nor reset', async () => {
			const e = engine({ ...rule, dedupeWindowMinutes: 30 });
			await e.process(events([bad('1'), bad('2'), bad('3')]));
			const pending = decided(bad('4'), { status: 'retry_scheduled', nextRetryAt: '2025-03-10T10:00:00Z' });
			clock.advance(31 * 60_000);
			expect((await e.process(events([pending]))).alerts).toHaveLength(0);
			const res = await e.process(events([bad('5')]));
			expect(res.alerts.map((a) => a.message.counts.consecutiveFailures)).toEqual([4]);
		});

		test('run summaries count too: failed and partial runs fail, a completed run resets', async () => {
			const e = engine({ rule: { kind: 'consecutive', count: 2 } });
			const runItem = (status: string, failedCount: number) => ({ mappingId: 'people', status, counts: { fetched: 10, failed: failedCount } });
			expect((await e.process(events([runItem('partial', 2), runItem('completed', 0), runItem('failed', 10)]))).alerts).toHaveLength(0);
			expect((await e.process(events([runItem('partial', 1)]))).alerts).toHaveLength(1);
		});
	});

	describe('error rate', () => {
		const rate = (source: 'items' | 'runs' = 'items', extra: Partial<AlertConfig> = {}) => engine({ rule: { kind: 'error_rate', thresholdPercent: 10, windowMinutes: 60, minRecords: 20, source }, ...extra });
		const ok = (n: number) => Array.from({ length: n }, (_, i) => envelope(`ok${i}`));
		const bad = (n: number) => Array.from({ length: n }, (_, i) => failed(`bad${i}`, [err('INVALID_FORMAT', 'bad', { id: `bad${i}` })]));

		test('alerts when failed / processed over the window reaches the threshold, after the minimum records', async () => {
			const e = rate();
			// 2 of 10: 20 %, but fewer than 20 records.
			expect((await e.process(events([...ok(8), ...bad(2)]))).alerts).toHaveLength(0);
			clock.advance(10 * 60_000);
			// 2 of 19 = 10.5 %, still under the minimum of 20 records.
			expect((await e.process(events(ok(9)))).alerts).toHaveLength(0);
			clock.advance(60_000);
			// 2 of 20 = 10 %: at the threshold ("≥ X %") with enough records.
			const hit = await e.process(events(ok(1)));
			expect(hit.alerts).toHaveLength(1);
			expect(hit.alerts[0].message).toMatchObject({ rule: 'error_rate', severity: 'warning', title: 'Error rate 10% in people (threshold 10%)', counts: { processed: 20, failed: 2, errorRatePercent: 10 } });
			expect(hit.alerts[0].message.summary).toBe('2 of 20 records failed in the last 1 hour.');
		});

		test('under the threshold nothing fires', async () => {
			const res = await rate().process(events([...ok(95), ...bad(9)]));
			expect(res.alerts).toHaveLength(0);
		});

		test('fires on crossing, stays quiet while above (within the dedupe window), and counts only the window', async () => {
			const e = rate('items', { dedupeWindowMinutes: 120 });
			await e.process(events([...ok(15), ...bad(5)]));
			clock.advance(5 * 60_000);
			expect((await e.process(events(bad(5)))).alerts).toHaveLength(0);
			// An hour later the old counts left the window: 20 fresh successes, rate 0 → resets.
			clock.advance(61 * 60_000);
			expect((await e.process(events(ok(20)))).alerts).toHaveLength(0);
			clock.advance(60_000);
			const res = await e.process(events(bad(4)));
			expect(res.alerts).toHaveLength(1);
			expect(res.alerts[0].message.counts).toMatchObject({ processed: 24, failed: 4 });
		});

		test('run summaries add their counts', async () => {
			const res = await rate().process(events([{ id: 'r1', mappingId: 'people', status: 'partial', counts: { fetched: 100, created: 80, updated: 5, failed: 15 } }]));
			expect(res.alerts[0].message.counts).toMatchObject({ processed: 100, failed: 15, errorRatePercent: 15 });
		});

		test("from the store's runs: runs started in the window, evaluated on a schedule tick without items", async () => {
			await store.startRun({ id: 'old', mappingId: 'people', trigger: 't', startedAt: '2025-03-10T07:00:00.000Z' });
			await store.finishRun('old', 'partial', { counts: { fetched: 100, failed: 90 } });
			await store.startRun({ id: 'a', mappingId: 'people', trigger: 't', startedAt: '2025-03-10T08:30:00.000Z' });
			await store.finishRun('a', 'completed', { counts: { fetched: 100, failed: 5 } });
			await store.startRun({ id: 'dry', mappingId: 'people', trigger: 't', dryRun: true, startedAt: '2025-03-10T08:40:00.000Z' });
			await store.finishRun('dry', 'partial', { counts: { fetched: 100, failed: 100 } });
			const e = rate('runs');
			expect((await e.process(events([{ tick: 1 }]), ['people'])).alerts).toHaveLength(0);
			await store.startRun({ id: 'b', mappingId: 'people', trigger: 't', startedAt: '2025-03-10T08:50:00.000Z' });
			await store.finishRun('b', 'partial', { counts: { fetched: 50, failed: 20 } });
			const res = await e.process([], ['people']);
			expect(res.alerts).toHaveLength(1);
			expect(res.alerts[0].message.counts).toMatchObject({ processed: 150, failed: 25, runs: 2, errorRatePercent: 16.7 });
			expect(res.alerts[0].message.summary).toBe('25 of 150 records failed in the last 1 hour (2 runs).');
		});
	});

	describe('daily digest', () => {
		const digestRule = (time: string, timeZone: string): Partial<AlertConfig> => ({ rule: { kind: 'daily_digest', time, timeZone } });

		test("groups a day's errors in Asia/Kolkata (UTC+5:30) into one message: counts by category and code, top records", async () => {
			const e = engine(digestRule('00:00', 'Asia/Kolkata'));
			const at = async (iso: string, items: Array<Record<string, unknown>>) => {
				clock.set(iso);
				const res = await e.process(events(items));
				expect(res.alerts).toHaveLength(0);
			};
			// 9 Mar 23:50 IST: the day before.
			await at('2025-03-09T18:20:00.000Z', [failed('9', [err('INVALID_EMAIL', 'bad', { id: '9' })])]);
			// 10 Mar 00:05 … 23:55 IST.
			await at('2025-03-09T18:35:00.000Z', [failed('501', [err('INVALID_EMAIL', 'bad email', { id: '501', field: 'email' }), err('INVALID_FORMAT', 'bad phone', { id: '501', field: 'phone' })])]);
			await at('2025-03-10T04:00:00.000Z', [failed('501', [err('INVALID_EMAIL', 'bad email again', { id: '501', field: 'email' })]), failed('502', [err('RATE_LIMIT_EXCEEDED', '429', { id: '502' })])]);
			await at('2025-03-10T12:00:00.000Z', [failed('503', [err('FIELD_NOT_FOUND', 'no such field', { id: '503', field: 'lifecyclestage' })])]);
			await at('2025-03-10T18:25:00.000Z', [
				failed('501', [err('INVALID_EMAIL', 'last one', { id: '501', field: 'email' })]),
				{ id: 'run1', mappingId: 'people', status: 'partial', counts: { fetched: 200, failed: 6 } },
				decided(failed('504', [err('CONNECTION_TIMEOUT', 'timeout', { id: '504' })]), { status: 'retry_scheduled', nextRetryAt: '2025-03-10T18:26:00Z' }),
			]);
			// 11 Mar 00:00 IST: the next day.
			await at('2025-03-10T18:30:00.000Z', [failed('600', [err('DUPLICATE_RECORD', 'dup', { id: '600' })])]);

			clock.set('2025-03-11T02:30:00.000Z'); // 11 Mar 08:00 IST
			const alerts = await e.digest({ mappings: ['people'] });
			// 9 Mar (older) first, then 10 Mar; 11 Mar has not ended.
			expect(alerts.map((a) => a.message.digest!.label)).toEqual(['Sun 9 Mar 2025', 'Mon 10 Mar 2025']);
			const d = alerts[1].message.digest!;
			expect(d).toMatchObject({ from: '2025-03-09T18:30:00.000Z', to: '2025-03-10T18:30:00.000Z', timeZone: 'Asia/Kolkata', errors: 6, failedRecords: 5, untrackedRecords: 0 });
			expect(d.byCategory).toEqual({ Data: 4, Connection: 1, Mapping: 1 });
			expect(d.byCode.map((c) => [c.code, c.count])).toEqual([
				['INVALID_EMAIL', 3],
				['FIELD_NOT_FOUND', 1],
				['INVALID_FORMAT', 1],
				['RATE_LIMIT_EXCEEDED', 1],
			]);
			expect(d.topRecords[0]).toMatchObject({ system: 'hubspot', object: 'contacts', id: '501', count: 4, lastLabel: 'Invalid Email', lastMessage: 'last one' });
			expect(d.topRecords.map((r) => r.id)).toEqual(['501', '503', '502']);
			expect(d.runs).toEqual({ total: 1, failed: 0, processed: 200, failedRecords: 6 });
			expect(alerts[1].message.title).toBe('Daily sync digest · people: 6 errors (Mon 10 Mar 2025)');
			expect(alerts[1].message.id).toMatch(/^digest_[0-9a-f]{24}$/);

			// Sent once: the next run has nothing; a failed delivery releases the day.
			expect(await e.digest({ mappings: ['people'] })).toHaveLength(0);
			await alerts[1].release();
			expect((await e.digest({ mappings: ['people'] })).map((a) => a.message.digest!.errors)).toEqual([6]);
			expect(await e.digest({ mappings: ['people'], force: true })).toHaveLength(2);
			// The current day so far is a preview.
			const preview = await e.digest({ mappings: ['people'], period: 'current' });
			expect(preview.map((a) => a.message.digest!.errors)).toEqual([1]);
		});

		test('across a daylight-saving change (America/New_York, 08:00): a 23-hour day, nothing lost at the edges', async () => {
			const e = engine(digestRule('08:00', 'America/New_York'));
			const record = async (iso: string, id: string) => {
				clock.set(iso);
				await e.process(events([failed(id, [err('INVALID_FORMAT', 'x', { id })])]));
			};
			await record('2025-03-08T12:59:00.000Z', 'before'); // 07:59 EST 8 Mar: previous digest day
			await record('2025-03-08T13:00:00.000Z', 'first'); // 08:00 EST 8 Mar
			await record('2025-03-09T11:59:00.000Z', 'last'); // 07:59 EDT 9 Mar (clocks went forward at 02:00)
			await record('2025-03-09T12:00:00.000Z', 'next'); // 08:00 EDT 9 Mar: next digest day
			clock.set('2025-03-09T12:00:30.000Z');
			const alerts = await e.digest({ mappings: ['people'] });
			const d = alerts[alerts.length - 1].message.digest!;
			expect(d).toMatchObject({ from: '2025-03-08T13:00:00.000Z', to: '2025-03-09T12:00:00.000Z', label: 'Sat 8 Mar 08:00 – Sun 9 Mar 08:00' });
			expect(d.topRecords.map((r) => r.id).sort()).toEqual(['first', 'last']);
			expect((Date.parse(d.to) - Date.parse(d.from)) / 3600_000).toBe(23);
		});

		test('empty days are skipped unless asked; every mapping with errors when none is named', async () => {
			const e = engine(digestRule('00:00', 'Europe/Berlin'));
			expect(await e.digest({})).toHaveLength(0);
			const empty = await e.digest({ mappings: ['people'], sendEmpty: true });
			expect(empty.map((a) => a.message.title)).toEqual(['Daily sync digest · people: no errors (Sun 9 Mar 2025)']);
			await e.process([...events([failed('1', [err('INVALID_EMAIL', 'x', { id: '1' })])]), ...events([failed('2', [err('INVALID_EMAIL', 'x', { id: '2' })])], 'billing: EU')]);
			clock.advance(24 * 3600_000);
			expect((await e.digest({})).map((a) => a.message.mapping).sort()).toEqual(['billing: EU', 'people']);
		});

		test('digest time is HH:MM on a quarter hour, in a real time zone', () => {
			expect(parseDigestTime('8:30')).toEqual({ hour: 8, minute: 30 });
			expect(() => parseDigestTime('08:10')).toThrow(/quarter hour/);
			expect(() => engine(digestRule('25:00', 'UTC'))).toThrow(/not a time of day/);
			expect(() => engine(digestRule('08:00', 'Mars/Olympus'))).toThrow(/not a time zone/);
			const [last] = endedPeriods(new Date('2025-03-10T07:59:00Z'), '08:00', 'UTC', 1);
			expect(last.end.toUTC().toISO()).toBe('2025-03-09T08:00:00.000Z');
		});
	});
});

describe('events read by shape', () => {
	test('failed items, Error Policy decisions, review items, n8n error outputs, runs, records, other items', () => {
		const f = eventFromItem(failed('1', [err('INVALID_EMAIL', 'x')]), 0);
		expect(f).toMatchObject({ kind: 'failure', mapping: 'people', stage: 'mapping', node: 'Field Mapper', record: { system: 'hubspot', object: 'contacts', id: '1' } });
		expect(eventFromItem(decided(failed('1', [err('CONNECTION_TIMEOUT', 'x')]), { status: 'retry_scheduled', nextRetryAt: '2025-03-10T10:00:00Z', attempt: 2 }), 0)).toMatchObject({
			kind: 'failure',
			retry: { pending: true, exhausted: false, attempts: 2, maxAttempts: 4, nextRetryAt: '2025-03-10T10:00:00.000Z' },
		});
		expect(eventFromItem(decided(failed('1', [err('INVALID_EMAIL', 'x')]), { strategy: 'skip', status: 'skipped' }), 0)).toMatchObject({ kind: 'failure' });
		expect((eventFromItem(decided(failed('1', [err('INVALID_EMAIL', 'x')]), { strategy: 'skip', status: 'skipped' }), 0) as { retry?: unknown }).retry).toBeUndefined();
		expect(eventFromItem({ error: 'Request failed with status code 500', name: 'Ann' }, 3, 'm')).toMatchObject({ kind: 'failure', index: 3, mapping: 'm', errors: [{ code: 'UNCLASSIFIED', message: 'Request failed with status code 500' }] });
		expect(eventFromItem({ id: 'r', kind: 'error', status: 'resolved', recordId: '5', errors: [] }, 0)).toMatchObject({ kind: 'success' });
		expect(eventFromItem({ run: { id: 'r1', mappingId: 'x', status: 'completed', counts: { fetched: 0, created: 3, updated: 2, failed: 1 } } }, 0)).toMatchObject({ kind: 'run', mapping: 'x', processed: 6, failed: 1 });
		expect(eventFromItem(envelope('9'), 0)).toMatchObject({ kind: 'success', record: { id: '9' } });
		expect(eventFromItem({ timestamp: '2025-03-10T09:00:00Z' }, 0)).toMatchObject({ kind: 'ignored' });
	});
});
