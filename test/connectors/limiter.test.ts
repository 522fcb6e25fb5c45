/**
 * The in-process limiters (connectors/core/limiter.ts): one latency margin rule for every vendor, the rolling
 * window with that margin, and the points bucket that reserves a call's requested cost and gets back what the
 * vendor did not charge.
 */
import { CostBucket, LocalKeyLocks, latencyMarginMs, WindowLimiter, windowBudget, bucketBudget, type PointsBudget } from '../../connectors/core/limiter';

const pending = async (p: Promise<unknown>, ms: number): Promise<boolean> => {
	let done = false;
	void p.then(() => (done = true));
	await new Promise((r) => setTimeout(r, ms));
	return !done;
};

describe('latency margin', () => {
	const env = process.env.FLUX_LIMITER_MARGIN_MS;
	afterEach(() => {
		if (env === undefined) delete process.env.FLUX_LIMITER_MARGIN_MS;
		else process.env.FLUX_LIMITER_MARGIN_MS = env;
	});

	it('is 5 % of the real window, at least 40 ms and at most 100 ms, whatever the vendor', () => {
		delete process.env.FLUX_LIMITER_MARGIN_MS;
		expect(latencyMarginMs(10_000)).toBe(100); // HubSpot's 10-s window, real time
		expect(latencyMarginMs(2_000)).toBe(100); // Pipedrive's 2-s burst window
		expect(latencyMarginMs(1_000)).toBe(50); // HubSpot search, 5 per second
		expect(latencyMarginMs(200)).toBe(40); // Pipedrive's window on a 10× sandbox clock
		expect(latencyMarginMs(300_000)).toBe(100); // Jobber's 5-minute window
	});

	it('an explicit margin wins, then FLUX_LIMITER_MARGIN_MS', () => {
		process.env.FLUX_LIMITER_MARGIN_MS = '250';
		expect(latencyMarginMs(10_000)).toBe(250);
		expect(latencyMarginMs(10_000, 0)).toBe(0);
		process.env.FLUX_LIMITER_MARGIN_MS = 'nonsense';
		expect(latencyMarginMs(10_000)).toBe(100);
	});

	it('the window limiter waits the vendor window plus the margin, in real time on a compressed clock', async () => {
		// 3 per 1,000 vendor ms at 5× = 200 real ms, plus the 40-ms floor.
		const w = new WindowLimiter(3, 1000, 5, 0);
		expect(w.marginMs).toBe(40);
		expect(w.realWindow).toBe(240);
		const t0 = Date.now();
		for (let i = 0; i < 3; i++) await w.acquire();
		expect(Date.now() - t0).toBeLessThan(50);
		expect(w.recent(1000)).toBe(3);
		await w.acquire();
		expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
	});

	it('every vendor connector gets its window from the same factory: one margin rule', () => {
		const a = windowBudget(`margin-test-${process.pid}`, { limit: 100, windowMs: 10_000, scale: 1 }) as WindowLimiter;
		const b = windowBudget(`margin-test-${process.pid}`, { limit: 5, windowMs: 1, scale: 1 });
		expect(b).toBe(a); // one per key: every execution of the process shares it
		expect(a.realWindow).toBe(10_100);
	});
});

describe('points bucket', () => {
	it('a call reserves its requested cost; what the vendor did not charge comes back at once', async () => {
		// 1,000 points restoring 100/s: a second 900-point call would wait 8 s if the first kept its reservation.
		const bucket = new CostBucket(1000, 100, 1);
		await bucket.acquire(900);
		const second = bucket.acquire(900);
		expect(await pending(second, 100)).toBe(true);
		const t0 = Date.now();
		bucket.settle(900, 40); // the vendor priced the first at 40 points
		await second;
		expect(Date.now() - t0).toBeLessThan(50);
		// 1,000 − 40 charged − 900 reserved for the second, and a few points of refill.
		expect(bucket.current).toBeGreaterThanOrEqual(60);
		expect(bucket.current).toBeLessThan(80);
	});

	it('after a refund, a new call goes out without waiting', async () => {
		const bucket = new CostBucket(1000, 100, 1);
		await bucket.acquire(900);
		bucket.settle(900, 40);
		const t0 = Date.now();
		await bucket.acquire(900);
		expect(Date.now() - t0).toBeLessThan(50);
	});

	it('a call the vendor charged more than reserved costs the difference', async () => {
		const bucket = new CostBucket(1000, 0.001, 1);
		await bucket.acquire(100);
		bucket.settle(100, 300);
		expect(Math.round(bucket.current)).toBe(700);
	});

	it("the vendor's figure: exact when nothing is in flight, otherwise it may only lower ours", async () => {
		const bucket = new CostBucket(1000, 0.001, 1);
		await bucket.acquire(500);
		bucket.settle(500, 500, { currentlyAvailable: 800 }); // nothing in flight: the vendor knows best
		expect(Math.round(bucket.current)).toBe(800);
		await bucket.acquire(300); // in flight, not yet seen by the vendor
		bucket.observe({ currentlyAvailable: 800 });
		expect(Math.round(bucket.current)).toBe(500);
		bucket.observe({ currentlyAvailable: 200 }); // someone else spends the account's points
		expect(Math.round(bucket.current)).toBe(200);
		bucket.observe({ maximumAvailable: 2000, restoreRate: 50 });
		expect(bucket.maximum).toBe(2000);
		expect(bucket.restorePerSecond).toBe(50);
	});

	it('one bucket per key in the process', () => {
		const a: PointsBudget = bucketBudget(`bucket-test-${process.pid}`, { maximum: 10, restorePerSecond: 1 });
		expect(bucketBudget(`bucket-test-${process.pid}`, { maximum: 99, restorePerSecond: 9 })).toBe(a);
		expect(a.maximum).toBe(10);
	});
});

describe('key locks', () => {
	it('holders of overlapping keys run one after the other, in the order they asked; disjoint keys run together', async () => {
		const locks = new LocalKeyLocks();
		const log: string[] = [];
		const job = (name: string, keys: string[], ms: number) =>
			locks.hold(keys, async () => {
				log.push(`${name}+`);
				await new Promise((r) => setTimeout(r, ms));
				log.push(`${name}-`);
			});
		await Promise.all([job('a', ['x@example.com', 'y@example.com'], 60), job('b', ['y@example.com', 'x@example.com'], 10), job('c', ['z@example.com'], 10)]);
		expect(log.indexOf('b+')).toBeGreaterThan(log.indexOf('a-'));
		expect(log.indexOf('c-')).toBeLessThan(log.indexOf('a-'));
	});

	it('a holder that throws lets go of its keys', async () => {
		const locks = new LocalKeyLocks();
		await expect(locks.hold(['k'], async () => Promise.reject(new Error('vendor down')))).rejects.toThrow('vendor down');
		const t0 = Date.now();
		await locks.hold(['k'], async () => undefined);
		expect(Date.now() - t0).toBeLessThan(50);
	});
});
