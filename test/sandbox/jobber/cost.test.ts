/**
 * Rate limits: the query-cost leaky bucket (requestedQueryCost per the documented rules, actualQueryCost refunds,
 * THROTTLED exactly as documented, recovery with time) and the 2,500 requests / 5 minutes DDoS guard (HTTP 429).
 */
import { CLIENT_FIELDS, startJobber, VERSION, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
	h = await startJobber();
	await h.admin('POST', '/_sandbox/seed', { count: 120, seed: 5 });
	await h.admin('POST', '/_sandbox/seed', { object: 'quotes', count: 4, seed: 5 });
});
afterAll(() => h.close());

async function requested(query: string, variables?: Record<string, unknown>): Promise<number> {
	await h.admin('PUT', '/_sandbox/jobber/throttle', { currentlyAvailable: 10_000 });
	const res = await h.gql(query, variables);
	expect(res.body.errors).toBeUndefined();
	return res.body.extensions.cost.requestedQueryCost;
}

describe('requestedQueryCost', () => {
	it('prices the documented example at 50', async () => {
		expect(await requested('{ quotes(first: 10) { edges { node { id cost quoteNumber quoteStatus title } } } }')).toBe(50);
	});

	it('prices a connection without first/last at 100 nodes', async () => {
		expect(await requested('{ clients { nodes { id } } }')).toBe(100);
		expect(await requested('{ clients(last: 7) { nodes { id name } } }')).toBe(14);
	});

	it('multiplies nested connections and counts pageInfo/totalCount once', async () => {
		expect(await requested('{ clients(first: 10) { nodes { id clientProperties(first: 5) { nodes { id } } } } }')).toBe(10 * (1 + 5));
		expect(await requested('{ clients(first: 10) { nodes { id } pageInfo { hasNextPage endCursor } totalCount } }')).toBe(10 + 3 + 1);
	});

	it('counts objects and plain lists as one field plus their selections, and reads first from variables', async () => {
		expect(await requested('{ account { id name } }')).toBe(3);
		expect(await requested('query($n: Int) { clients(first: $n) { nodes { emails { address primary } billingAddress { city } } } }', { n: 4 })).toBe(4 * (3 + 2));
	});

	it('prices fragments, aliases and __typename', async () => {
		const query = `query { a: clients(first: 2) { nodes { ...C __typename } } b: clients(first: 3) { edges { cursor node { ...C } } } }
			fragment C on Client { id name }`;
		expect(await requested(query)).toBe(2 * 2 + 3 * (1 + 2));
	});

	it('prices mutations with the same rules', async () => {
		await h.admin('PUT', '/_sandbox/jobber/throttle', { currentlyAvailable: 10_000 });
		const res = await h.gql('mutation($input: ClientCreateInput!) { clientCreate(input: $input) { client { id name } userErrors { message path } } }', { input: { firstName: 'Cost', lastName: 'Probe' } });
		expect(res.body.extensions.cost.requestedQueryCost).toBe(1 + (1 + 2) + (1 + 2));
	});
});

describe('bucket', () => {
	it('deducts only the actual cost of a short page', async () => {
		await h.admin('PUT', '/_sandbox/jobber/throttle', { currentlyAvailable: 5000 });
		const res = await h.gql('{ quotes(first: 100) { nodes { id title } } }');
		const cost = res.body.extensions.cost;
		expect(cost.requestedQueryCost).toBe(200);
		expect(cost.actualQueryCost).toBe(8);
		expect(cost.throttleStatus.currentlyAvailable).toBeGreaterThanOrEqual(5000 - 8);
		expect(cost.throttleStatus.currentlyAvailable).toBeLessThan(5000 - 8 + 100);
	});

	it('answers THROTTLED exactly as documented when requested > available, without executing', async () => {
		await h.admin('PUT', '/_sandbox/jobber/throttle', { currentlyAvailable: 0 });
		const before = (await h.admin('GET', '/_sandbox/records/clients')).body.length;
		// Priced 1 + (1 + 1 + 50 × 3) + 3 = 156: the bucket needs 0.3 s to refill that much.
		const res = await h.gql(
			'mutation($input: ClientCreateInput!) { clientCreate(input: $input) { client { id clientProperties(first: 50) { nodes { id address { street1 } } } } userErrors { message path } } }',
			{ input: { firstName: 'Never', lastName: 'Written' } },
		);
		expect(res.status).toBe(200);
		expect(res.body).toEqual({
			errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits' } }],
			extensions: { cost: { requestedQueryCost: 156, actualQueryCost: 0, throttleStatus: { maximumAvailable: 10000, currentlyAvailable: expect.any(Number), restoreRate: 500 } } },
		});
		expect((await h.admin('GET', '/_sandbox/records/clients')).body.length).toBe(before);
	});

	it('refuses a query that can never fit (requested above the maximum)', async () => {
		await h.admin('PUT', '/_sandbox/jobber/throttle', { currentlyAvailable: 10_000 });
		const res = await h.gql('{ clients(first: 100) { nodes { id clientProperties(first: 100) { nodes { id } } } } }');
		expect(res.body.extensions.cost).toMatchObject({ requestedQueryCost: 100 * 101, actualQueryCost: 0, throttleStatus: { currentlyAvailable: 10000 } });
		expect(res.body.errors[0].extensions.code).toBe('THROTTLED');
	});

	it('drains under real traffic and recovers after the clock advances', async () => {
		await h.admin('PUT', '/_sandbox/jobber/throttle', { currentlyAvailable: 10_000 });
		const page = `{ clients(first: 100) { nodes { ${CLIENT_FIELDS} } } }`;
		let throttled = 0;
		let ok = 0;
		for (let i = 0; i < 6; i++) {
			const res = await h.gql(page);
			if (res.body.errors?.[0]?.extensions?.code === 'THROTTLED') throttled++;
			else ok++;
		}
		expect(ok).toBe(3);
		expect(throttled).toBe(3);
		// Jobber's template strategy: wait (max - available) / restoreRate seconds; here on vendor time.
		const status = (await h.admin('GET', '/_sandbox/jobber/throttle')).body;
		h.ctx.clock.advance(((status.maximumAvailable - status.currentlyAvailable) / status.restoreRate) * 1000);
		const after = await h.gql(page);
		expect(after.body.errors).toBeUndefined();
		expect(after.body.data.clients.nodes).toHaveLength(100);
	});
});

describe('DDoS guard', () => {
	it('answers HTTP 429 past 2,500 requests in a 5-minute window, then lets traffic through in the next one', async () => {
		const g = await startJobber();
		try {
			// Start at a window boundary so the fixed 5-minute window cannot roll over mid-test.
			g.ctx.clock.advance(300_000 - (g.ctx.clock.now() % 300_000) + 1);
			const send = () =>
				fetch(`${g.url}/api/graphql`, {
					method: 'POST',
					headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${g.info.accessToken}`, 'X-JOBBER-GRAPHQL-VERSION': VERSION },
					body: JSON.stringify({ query: '{ __typename }' }),
				}).then(async (r) => ({ status: r.status, text: await r.text() }));
			const statuses: number[] = [];
			for (let batch = 0; batch < 50; batch++) statuses.push(...(await Promise.all(Array.from({ length: 50 }, send))).map((r) => r.status));
			expect(statuses.filter((s) => s === 200)).toHaveLength(2500);
			const over = await send();
			expect(over).toEqual({ status: 429, text: 'Retry later\n' });
			g.ctx.clock.advance(300_000);
			expect((await send()).status).toBe(200);
			const counters = (await g.admin('GET', '/_sandbox/counters')).body;
			expect(counters.byStatus['429']).toBe(1);
		} finally {
			await g.close();
		}
	});

	it('answers an injected 429 the same way', async () => {
		await h.admin('PUT', '/_sandbox/faults', { force429: 1 });
		const res = await h.gql('{ account { id } }');
		expect(res.status).toBe(429);
		expect(res.body).toBe('Retry later\n');
		await h.admin('DELETE', '/_sandbox/faults');
		expect((await h.gql('{ account { id } }')).status).toBe(200);
	});
});
