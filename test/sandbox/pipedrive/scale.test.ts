/** Scale: 100,000 persons, 200 list pages over HTTP, median page latency and RSS (printed; bounds generous). */
import * as v8 from 'node:v8';
import * as vm from 'node:vm';
import { startPipedrive, type Sandbox } from './helpers';

// A real GC between measurements, so retained heap is not confused with garbage.
v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

jest.setTimeout(120_000);

let sb: Sandbox;
afterAll(() => sb?.close());

function median(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
}
function p95(xs: number[]): number {
	const s = [...xs].sort((a, b) => a - b);
	return s[Math.floor(s.length * 0.95)];
}

test('100,000 persons: list pages in < 5 ms median, memory bounded', async () => {
	gc();
	const { rss: rssBefore, heapUsed: heapBefore } = process.memoryUsage();
	sb = await startPipedrive({ rateLimiting: false });
	const t0 = performance.now();
	const summary = sb.server.definition.seed({ count: 100_000, seed: 1, dirtyShare: 0.1 });
	const seedMs = performance.now() - t0;
	expect(summary.created).toBe(100_000);
	gc();
	const { rss: rssAfter, heapUsed: heapAfter } = process.memoryUsage();

	const timed = async (path: string) => {
		const t = performance.now();
		const res = await sb.call('GET', path);
		const ms = performance.now() - t;
		expect(res.status).toBe(200);
		return { ms, body: res.body };
	};
	// Warm-up (JIT), then 200 consecutive pages of the default size, cursor to cursor.
	for (let i = 0; i < 20; i++) await timed('/api/v2/persons?limit=100');
	const lat100: number[] = [];
	let cursor: string | null = null;
	let seen = 0;
	for (let i = 0; i < 200; i++) {
		const { ms, body } = await timed(`/api/v2/persons?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
		lat100.push(ms);
		seen += body.data.length;
		cursor = body.additional_data.next_cursor;
	}
	expect(seen).toBe(20_000);
	const lat500: number[] = [];
	cursor = null;
	for (let i = 0; i < 50; i++) {
		const { ms, body } = await timed(`/api/v2/persons?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
		lat500.push(ms);
		cursor = body.additional_data.next_cursor;
	}
	// Deep pages cost the same as the first: the cursor is a binary search, not a scan.
	const deep: number[] = [];
	const deepCursor = Buffer.from(JSON.stringify({ field: 'id', fieldValue: 99_000, sortDirection: 'asc', id: 99_000 })).toString('base64url');
	for (let i = 0; i < 50; i++) deep.push((await timed(`/api/v2/persons?limit=100&cursor=${deepCursor}`)).ms);
	const sinceMark = new Date(sb.server.context.clock.now() - 60_000).toISOString().slice(0, 19) + 'Z';
	const incr: number[] = [];
	for (let i = 0; i < 50; i++) incr.push((await timed(`/api/v2/persons?updated_since=${sinceMark}&sort_by=update_time&limit=100`)).ms);
	const search: number[] = [];
	for (let i = 0; i < 20; i++) search.push((await timed(`/api/v2/persons/search?term=${encodeURIComponent(`james.smith.${i}@example.com`)}&fields=email&exact_match=true`)).ms);
	const fullScan: number[] = [];
	for (let i = 0; i < 5; i++) fullScan.push((await timed('/api/v2/persons/search?term=tremblay&fields=name&limit=10')).ms);

	const mb = (b: number) => Math.round(b / 1024 / 1024);
	console.log(
		[
			`pipedrive scale: seeded 100,000 persons (+${(sb.server.definition.records('organizations') as unknown[]).length} orgs) in ${Math.round(seedMs)} ms`,
			`  list limit=100: median ${median(lat100).toFixed(2)} ms, p95 ${p95(lat100).toFixed(2)} ms over ${lat100.length} pages`,
			`  list limit=500: median ${median(lat500).toFixed(2)} ms, p95 ${p95(lat500).toFixed(2)} ms over ${lat500.length} pages`,
			`  deep cursor (id 99,000): median ${median(deep).toFixed(2)} ms`,
			`  updated_since + sort_by=update_time: median ${median(incr).toFixed(2)} ms`,
			`  exact email search (index): median ${median(search).toFixed(2)} ms; name search (full scan): median ${median(fullScan).toFixed(2)} ms`,
			`  retained heap for the vendor ${mb(heapAfter - heapBefore)} MB; RSS ${mb(rssBefore)} MB before, ${mb(rssAfter)} MB after seeding (Δ ${mb(rssAfter - rssBefore)} MB, includes freed seed garbage not yet returned to the OS)`,
		].join('\n'),
	);
	expect(median(lat100)).toBeLessThan(5);
	expect(median(deep)).toBeLessThan(5);
	expect(heapAfter - heapBefore).toBeLessThan(150 * 1024 * 1024);
	expect(rssAfter - rssBefore).toBeLessThan(400 * 1024 * 1024);
});
