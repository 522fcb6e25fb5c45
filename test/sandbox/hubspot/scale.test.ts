/**
 * Scale: 100,000 seeded contacts, 200 list pages. Figures are printed; the assertions are deliberately
 * generous so a loaded machine cannot make them flake.
 */
import { startHub, type Hub } from './helpers';

function median(values: number[]): number {
	const s = [...values].sort((a, b) => a - b);
	return s[Math.floor(s.length / 2)];
}

describe('HubSpot sandbox at 100,000 contacts', () => {
	let hub: Hub;
	beforeAll(async () => {
		hub = await startHub({ tenSecondLimit: 1_000_000_000, dailyLimit: 1_000_000_000, searchPerSecond: 1_000_000 });
	});
	afterAll(() => hub.close());

	test('seed, page through 200 list pages, search, and report latency and memory', async () => {
		const rssBefore = process.memoryUsage().rss;
		const heapBefore = process.memoryUsage().heapUsed;
		let t = performance.now();
		const summary = hub.def.seed({ count: 100_000, dirtyShare: 0.1, seed: 2024 });
		const seedMs = performance.now() - t;
		expect(summary.created).toBe(100_000);

		const client: number[] = [];
		let after: string | undefined;
		let seen = 0;
		await fetch(`${hub.url}/_sandbox/requests/reset`, { method: 'POST' });
		for (let page = 0; page < 200; page++) {
			t = performance.now();
			const res = await hub.call('GET', `/crm/v3/objects/contacts?limit=100${after ? `&after=${after}` : ''}`);
			client.push(performance.now() - t);
			expect(res.status).toBe(200);
			seen += res.body.results.length;
			after = res.body.paging?.next?.after;
		}
		expect(seen).toBe(20_000);
		const server = ((await (await fetch(`${hub.url}/_sandbox/requests?route=contacts.list`)).json()) as Array<{ ms: number }>).map((e) => e.ms);

		t = performance.now();
		const since = new Date(hub.server.context.clock.now() - 30 * 86_400_000).toISOString();
		const search = await hub.call('POST', '/crm/v3/objects/contacts/search', {
			filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: since }] }],
			sorts: [{ propertyName: 'lastmodifieddate', direction: 'ASCENDING' }],
			limit: 200,
		});
		const searchMs = performance.now() - t;
		expect(search.body.total).toBeGreaterThan(1000);

		const rss = process.memoryUsage().rss;
		const heap = process.memoryUsage().heapUsed;
		console.log(
			[
				`HubSpot sandbox, 100,000 contacts (+${hub.def.state.stores.companies.live.length} companies, ${hub.def.state.stores.deals.live.length} deals):`,
				`  seed ${seedMs.toFixed(0)} ms`,
				`  list page (limit 100) median: server ${median(server).toFixed(2)} ms, client round trip ${median(client).toFixed(2)} ms over 200 pages`,
				`  modified-since search over 100,000 (limit 200, sorted): ${searchMs.toFixed(1)} ms, total ${search.body.total}`,
				`  RSS ${(rss / 1e6).toFixed(0)} MB (before seeding ${(rssBefore / 1e6).toFixed(0)} MB); heap used +${((heap - heapBefore) / 1e6).toFixed(0)} MB`,
			].join('\n'),
		);
		expect(median(server)).toBeLessThan(5);
		expect(median(client)).toBeLessThan(25);
		expect(rss).toBeLessThan(1_500_000_000);
	}, 120_000);
});
