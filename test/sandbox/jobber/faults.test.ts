/**
 * Injected faults and malformed traffic: the vendor's own 5xx, hung requests, revoked tokens, a field removed from
 * the schema, malformed JSON both ways, latency. The sandbox answers every one in Jobber's shape and never crashes.
 */
import { startJobber, VERSION, type Harness } from './helpers';

let h: Harness;
beforeAll(async () => {
	h = await startJobber();
	await h.admin('POST', '/_sandbox/seed', { count: 5, seed: 9 });
});
afterEach(() => h.admin('DELETE', '/_sandbox/faults'));
afterAll(() => h.close());

const ME = '{ account { id } }';

it('answers injected 5xx with Jobber\'s maintenance body, only on the targeted routes', async () => {
	await h.admin('PUT', '/_sandbox/faults', { force5xx: 1 });
	const res = await h.gql(ME);
	expect(res).toMatchObject({ status: 503, body: { message: 'Service temporarily unavailable' } });
	expect((await h.gql(ME)).status).toBe(200);
	await h.admin('PUT', '/_sandbox/faults', { errorRate: 1, routePrefix: 'oauth' });
	expect((await h.gql(ME)).status).toBe(200);
	const token = await fetch(`${h.url}/api/oauth/token`, { method: 'POST', body: 'grant_type=refresh_token' });
	expect(token.status).toBe(503);
});

it('hangs on an injected timeout until the client gives up', async () => {
	await h.admin('PUT', '/_sandbox/faults', { timeoutRate: 1 });
	const started = Date.now();
	await expect(
		fetch(`${h.url}/api/graphql`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${h.info.accessToken}`, 'X-JOBBER-GRAPHQL-VERSION': VERSION },
			body: JSON.stringify({ query: ME }),
			signal: AbortSignal.timeout(300),
		}),
	).rejects.toThrow();
	expect(Date.now() - started).toBeGreaterThanOrEqual(250);
	const log = (await h.admin('GET', '/_sandbox/requests?status=-1')).body;
	expect(log.length).toBeGreaterThanOrEqual(1);
});

it('adds latency', async () => {
	await h.admin('PUT', '/_sandbox/faults', { latencyMs: 150 });
	const started = Date.now();
	expect((await h.gql(ME)).status).toBe(200);
	expect(Date.now() - started).toBeGreaterThanOrEqual(140);
});

it('revokes every token issued so far (for good: clearing faults does not revive them)', async () => {
	const r = await startJobber();
	try {
		await r.admin('PUT', '/_sandbox/faults', { revokeTokens: true });
		expect(await r.gql(ME)).toMatchObject({ status: 401, body: { error: 'invalid_request', message: 'Invalid Token Error' } });
		await r.admin('DELETE', '/_sandbox/faults');
		expect((await r.gql(ME)).status).toBe(401);
	} finally {
		await r.close();
	}
});

describe('a field removed from the schema', () => {
	it('fails selections of the field like an unknown field', async () => {
		await h.admin('PUT', '/_sandbox/faults', { removedFields: { Client: ['companyName'] } });
		const res = await h.gql('{ clients(first: 1) { nodes { id companyName } } }');
		expect(res.body.errors).toEqual([{ message: 'Cannot query field "companyName" on type "Client".', locations: [{ line: 1, column: 34 }] }]);
		await h.admin('DELETE', '/_sandbox/faults');
		expect((await h.gql('{ clients(first: 1) { nodes { id companyName } } }')).body.errors).toBeUndefined();
	});

	it('fails writes that name it, in variables and in literals', async () => {
		await h.admin('PUT', '/_sandbox/faults', { removedFields: { ClientCreateInput: ['companyName'] } });
		const viaVariables = await h.gql('mutation($input: ClientCreateInput!) { clientCreate(input: $input) { client { id } userErrors { message path } } }', { input: { firstName: 'A', companyName: 'Gone Inc' } });
		expect(viaVariables.body.errors[0]).toMatchObject({
			message: 'Variable $input of type ClientCreateInput! was provided invalid value for companyName (Field is not defined on ClientCreateInput)',
			extensions: { value: { firstName: 'A', companyName: 'Gone Inc' }, problems: [{ path: ['companyName'], explanation: 'Field is not defined on ClientCreateInput' }] },
		});
		const literal = await h.gql('mutation { clientCreate(input: { firstName: "A", companyName: "Gone Inc" }) { client { id } userErrors { message path } } }');
		expect(literal.body.errors[0].message).toBe('Field "companyName" is not defined by type "ClientCreateInput".');
		expect((await h.admin('GET', '/_sandbox/records/clients')).body).toHaveLength(5);
	});
});

describe('malformed JSON', () => {
	it('answers a malformed request body with a 400 error, not a crash', async () => {
		const res = await fetch(`${h.url}/api/graphql`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${h.info.accessToken}`, 'X-JOBBER-GRAPHQL-VERSION': VERSION },
			body: '{"query": "{ account { id } }"',
		});
		expect(res.status).toBe(400);
		expect(((await res.json()) as any).errors[0].message).toMatch(/^Invalid JSON in request body/);
		expect((await h.gql(ME)).status).toBe(200);
	});

	it('can answer with a body cut off mid-JSON', async () => {
		await h.admin('PUT', '/_sandbox/faults', { malformedRate: 1 });
		const res = await h.gql(ME);
		expect(res.status).toBe(200);
		expect(typeof res.body).toBe('string');
		expect(() => JSON.parse(res.body)).toThrow();
	});

	it('answers variables of the wrong shape with a GraphQL error', async () => {
		const res = await fetch(`${h.url}/api/graphql`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${h.info.accessToken}`, 'X-JOBBER-GRAPHQL-VERSION': VERSION },
			body: JSON.stringify({ query: 'query($n: Int) { clients(first: $n) { nodes { id } } }', variables: { n: 'ten' } }),
		});
		const body = (await res.json()) as any;
		expect(res.status).toBe(200);
		expect(body.errors[0]).toMatchObject({ message: 'Variable $n of type Int was provided invalid value', extensions: { problems: [{ path: [], explanation: 'Could not coerce value "ten" to Int' }] } });
	});
});
