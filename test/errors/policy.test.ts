/** The policy engine: one test per strategy, overrides, and the backoff schedule with Retry-After. */
import { classifiedError, type ErrorCode } from '../../errors/taxonomy';
import { chooseStrategy, decide, parseSchedule, planRetry, policyConfig, retryDelaySeconds, retryPlan } from '../../sync/errors';

const NOW = new Date('2025-03-01T12:00:00.000Z');
const err = (code: ErrorCode, extra: { retryAfter?: number; field?: string } = {}) => classifiedError(code, { message: code, now: NOW, ...extra });
const at = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();

describe('strategies', () => {
	test('skip and continue is the default for data and mapping errors, with the reason', () => {
		const d = decide([err('INVALID_EMAIL', { field: 'email' })], policyConfig(), { now: NOW });
		expect(d).toMatchObject({ strategy: 'skip', status: 'skipped', code: 'INVALID_EMAIL', category: 'Data' });
		expect(d.reason).toMatch(/Invalid Email is a data error; the default strategy is skip \(email\)/);
		expect(decide([err('TRANSFORM_FAILED')], policyConfig(), { now: NOW }).strategy).toBe('skip');
	});

	test('retry with backoff: transient errors retry automatically, the first retry after 1 minute', () => {
		for (const code of ['CONNECTION_TIMEOUT', 'RATE_LIMIT_EXCEEDED'] as const) {
			const d = decide([err(code)], policyConfig(), { now: NOW });
			expect(d).toMatchObject({ strategy: 'retry', status: 'retry_scheduled', attempt: 1, nextAttempt: 2, nextRetryAt: at(60), delaySeconds: 60, maxRetries: 3 });
		}
	});

	test('data and mapping errors never auto-retry, even with Auto Retry on', () => {
		for (const code of ['REQUIRED_FIELD_MISSING', 'INVALID_FORMAT', 'DUPLICATE_RECORD', 'VALUE_TOO_LONG', 'INVALID_EMAIL', 'FIELD_NOT_FOUND', 'TRANSFORM_FAILED', 'OBJECT_TYPE_CHANGED'] as const) {
			expect(decide([err(code)], policyConfig({ autoRetry: true }), { now: NOW }).strategy).not.toBe('retry');
		}
		// Authentication and permission errors are Connection errors but not transient: a person must reconnect.
		expect(decide([err('AUTHENTICATION_FAILED')], policyConfig(), { now: NOW }).strategy).toBe('skip');
	});

	test('Auto Retry off: transient errors follow the default strategy', () => {
		expect(decide([err('CONNECTION_TIMEOUT')], policyConfig({ autoRetry: false }), { now: NOW }).strategy).toBe('skip');
	});

	test('fail fast: Stop on Error stops on every error no override covers', () => {
		const config = policyConfig({ stopOnError: true, byCode: { DUPLICATE_RECORD: 'review' } });
		expect(decide([err('INVALID_EMAIL')], config, { now: NOW })).toMatchObject({ strategy: 'fail_fast', status: 'stopped', reason: expect.stringMatching(/Stop on Error is on/) });
		expect(decide([err('CONNECTION_TIMEOUT')], config, { now: NOW }).strategy).toBe('fail_fast');
		expect(decide([err('DUPLICATE_RECORD')], config, { now: NOW }).strategy).toBe('review');
	});

	test('manual review: Manual Review Mode sends everything that is not transient to review', () => {
		const config = policyConfig({ manualReviewMode: true });
		expect(decide([err('INVALID_EMAIL')], config, { now: NOW })).toMatchObject({ strategy: 'review', status: 'open' });
		expect(decide([err('AUTHENTICATION_FAILED')], config, { now: NOW }).strategy).toBe('review');
		expect(decide([err('RATE_LIMIT_EXCEEDED')], config, { now: NOW }).strategy).toBe('retry');
	});

	test('overrides: code beats category beats the switches', () => {
		const config = policyConfig({ byCategory: { Data: 'review' }, byCode: { INVALID_EMAIL: 'skip', CONNECTION_TIMEOUT: 'fail_fast' } });
		expect(decide([err('VALUE_TOO_LONG')], config, { now: NOW }).strategy).toBe('review');
		expect(decide([err('INVALID_EMAIL')], config, { now: NOW }).strategy).toBe('skip');
		expect(decide([err('CONNECTION_TIMEOUT')], config, { now: NOW }).strategy).toBe('fail_fast');
	});

	test('several errors on one record: the strongest wins (a retry cannot fix a data error beside a timeout)', () => {
		expect(chooseStrategy([err('CONNECTION_TIMEOUT'), err('INVALID_EMAIL')], policyConfig()).strategy).toBe('skip');
		expect(chooseStrategy([err('CONNECTION_TIMEOUT'), err('INVALID_EMAIL')], policyConfig({ byCode: { INVALID_EMAIL: 'review' } })).strategy).toBe('review');
	});

	test('conflicts always go to a person (or stop the run under Stop on Error)', () => {
		expect(decide([], policyConfig(), { kind: 'conflict' }).strategy).toBe('review');
		expect(decide([], policyConfig({ stopOnError: true }), { kind: 'conflict' }).strategy).toBe('fail_fast');
	});

	test('bad settings are refused with a readable message', () => {
		expect(() => policyConfig({ maxRetries: -1 })).toThrow(/Max Retries/);
		expect(() => parseSchedule('1m, soon')).toThrow(/cannot read "soon"/);
		expect(() => policyConfig({ retryDelay: 'schedule', schedule: [] })).toThrow(/schedule is empty/);
	});
});

describe('backoff schedule', () => {
	test('the FluxCascade schedule: immediately → 1 min → 5 min → 30 min → failed', () => {
		const config = policyConfig();
		expect(retryPlan(config)).toEqual([60, 300, 1800]);
		expect(planRetry(1, [err('CONNECTION_TIMEOUT')], config, NOW)).toMatchObject({ scheduled: true, nextAttempt: 2, nextRetryAt: at(60) });
		expect(planRetry(2, [err('CONNECTION_TIMEOUT')], config, NOW)).toMatchObject({ scheduled: true, nextAttempt: 3, nextRetryAt: at(300) });
		expect(planRetry(3, [err('CONNECTION_TIMEOUT')], config, NOW)).toMatchObject({ scheduled: true, nextAttempt: 4, nextRetryAt: at(1800) });
		const last = planRetry(4, [err('CONNECTION_TIMEOUT')], config, NOW);
		expect(last).toMatchObject({ scheduled: false, nextRetryAt: null });
		expect(last.reason).toMatch(/4 attempts made, Max Retries \(3\) used up/);
		expect(decide([err('CONNECTION_TIMEOUT')], config, { attempt: 4, now: NOW }).status).toBe('failed');
	});

	test('exponential beyond the documented steps grows ×6, at most a day', () => {
		const config = policyConfig({ maxRetries: 6 });
		expect(retryPlan(config)).toEqual([60, 300, 1800, 10800, 64800, 86400]);
	});

	test('Retry-After wins when it asks for longer, never when shorter', () => {
		const config = policyConfig();
		const longer = planRetry(1, [err('RATE_LIMIT_EXCEEDED', { retryAfter: 600 })], config, NOW);
		expect(longer).toMatchObject({ delaySeconds: 600, nextRetryAt: at(600), retryAfter: 600 });
		expect(longer.reason).toMatch(/vendor asked to wait 600s/);
		expect(planRetry(1, [err('RATE_LIMIT_EXCEEDED', { retryAfter: 5 })], config, NOW).delaySeconds).toBe(60);
	});

	test('custom schedule as the docs write it, and Max Retries repeats its last wait', () => {
		expect(parseSchedule('immediately, 1m, 5m, 30m')).toEqual([60, 300, 1800]);
		expect(parseSchedule('immediately → 10s → 2 min → 1h')).toEqual([10, 120, 3600]);
		expect(parseSchedule('30, 90')).toEqual([30, 90]);
		const config = policyConfig({ retryDelay: 'schedule', schedule: parseSchedule('0, 10s, 20s'), maxRetries: 4 });
		expect(retryPlan(config)).toEqual([10, 20, 20, 20]);
	});

	test('fixed delay', () => {
		expect(retryDelaySeconds(3, policyConfig({ retryDelay: 'fixed', fixedDelaySeconds: 42 }))).toBe(42);
	});

	test('Max Retries 0 marks a transient failure failed at once', () => {
		expect(decide([err('CONNECTION_TIMEOUT')], policyConfig({ maxRetries: 0 }), { now: NOW })).toMatchObject({ strategy: 'retry', status: 'failed' });
	});
});
