/**
 * Scale: 100,000 clients in memory, paged 100 at a time over HTTP. Prints the seed time, the median and p95 page
 * latency over 200 pages, and memory; asserts only generous bounds so a loaded machine cannot flake it.
 *
 * The server runs in its own plain Node process (scale-server.ts): inside jest's module sandbox graphql-js runs
 * several times slower than under `npm run sandbox`, which would measure jest rather than the sandbox.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { assertConforms, VERSION } from './helpers';

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../../..');
let child: ChildProcess | undefined;
afterAll(() => {
	child?.kill('SIGTERM');
});

// The page a sync sends (crm-apis.md §4.3).
const PAGE = `query Clients($first: Int, $after: String) {
	clients(first: $first, after: $after) {
		nodes { id firstName lastName companyName isCompany updatedAt
			emails { id address description primary } phones { id number description primary }
			billingAddress { street1 street2 city province postalCode country } }
		pageInfo { hasNextPage endCursor }
		totalCount
	}
}`;

function percentile(sorted: number[], p: number): number {
	return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];
}

async function startChild(): Promise<string> {
	child = spawn(process.execPath, ['--expose-gc', '-r', require.resolve('tsx/cjs'), path.join(__dirname, 'scale-server.ts')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
	const lines = createInterface({ input: child.stdout! });
	for await (const line of lines) {
		const parsed = JSON.parse(line) as { url?: string };
		if (parsed.url) return parsed.url;
	}
	throw new Error('scale server exited before listening');
}

it('serves 100-client pages of a 100,000-client account in under 5 ms (median)', async () => {
	const url = await startChild();
	const admin = async (method: string, route: string, body?: unknown) =>
		(await fetch(`${url}${route}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) })).json() as Promise<any>;
	const info = await admin('GET', '/_sandbox/info');
	const idle = await admin('GET', '/_sandbox/jobber/memory');
	const seedStart = performance.now();
	const summary = await admin('POST', '/_sandbox/seed', { count: 100_000, seed: 1, dirtyShare: 0.1 });
	const seedMs = performance.now() - seedStart;
	expect(summary.created).toBe(100_000);
	const seeded = await admin('GET', '/_sandbox/jobber/memory');

	// Validated against the dump once; the timed loop is plain HTTP, as a node would send it.
	assertConforms(PAGE);
	const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${info.accessToken}`, 'X-JOBBER-GRAPHQL-VERSION': VERSION };
	const post = async (variables: Record<string, unknown>) => {
		// Each page costs 2,304 points: move the vendor clock on so the bucket never throttles the measurement.
		await admin('POST', '/_sandbox/clock/advance', { ms: 5_000 });
		const started = performance.now();
		const res = await fetch(`${url}/api/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: PAGE, variables }) });
		const body = (await res.json()) as any;
		return { ms: performance.now() - started, body };
	};
	// Warm-up: the parse/validate cache and JIT, as a long-running sync would have them.
	await post({ first: 100 });
	await admin('POST', '/_sandbox/requests/reset');

	const times: number[] = [];
	let after: string | null = null;
	let seen = 0;
	for (let i = 0; i < 200; i++) {
		const { ms, body } = await post({ first: 100, after });
		times.push(ms);
		const conn = body.data.clients;
		expect(conn.nodes).toHaveLength(100);
		seen += conn.nodes.length;
		after = conn.pageInfo.endCursor;
	}
	expect(seen).toBe(20_000);
	// The far end of the list costs the same as the start: cursors are offsets, not scans.
	const deep: number[] = [];
	for (let i = 0; i < 20; i++) {
		const { ms, body } = await post({ first: 100, after: Buffer.from(String(99_000 + i * 10)).toString('base64url') });
		deep.push(ms);
		expect(body.data.clients.totalCount).toBe(100_000);
	}
	const log = (await admin('GET', '/_sandbox/requests')) as Array<{ route: string; ms: number }>;
	const serverSide = log.filter((e) => e.route === 'graphql.query.clients').map((e) => e.ms).sort((a, b) => a - b);
	expect(serverSide).toHaveLength(220);
	times.sort((a, b) => a - b);
	deep.sort((a, b) => a - b);
	const figures = {
		seedMs: Math.round(seedMs),
		pageMedianMs: +percentile(times, 0.5).toFixed(2),
		pageP95Ms: +percentile(times, 0.95).toFixed(2),
		serverMedianMs: +percentile(serverSide, 0.5).toFixed(2),
		deepPageMedianMs: +percentile(deep, 0.5).toFixed(2),
		idleRssMB: idle.rssMB,
		rssMB: seeded.rssMB,
		heapUsedMB: seeded.heapUsedMB,
		heapFor100kMB: seeded.heapUsedMB - idle.heapUsedMB,
	};
	console.log(`Jobber sandbox at 100,000 clients: ${JSON.stringify(figures)}`);
	expect(figures.pageMedianMs).toBeLessThan(5);
	expect(figures.rssMB).toBeLessThan(500);
});
