/** The service checks the suites rely on: skip locally with a reason, fail under CI. */
import { createServer, type Server } from 'node:net';
import {
	describeUrl,
	isCI,
	postgresAvailable,
	postgresAvailableSync,
	redisAvailable,
	redisAvailableSync,
	requireService,
	type ServiceCheck,
} from '../support/services';

const CLOSED_PORT = 1;

function withEnv<T>(name: string, value: string | undefined, fn: () => T): T {
	const before = process.env[name];
	if (value === undefined) delete process.env[name];
	else process.env[name] = value;
	try {
		return fn();
	} finally {
		if (before === undefined) delete process.env[name];
		else process.env[name] = before;
	}
}

/** A TCP server that answers every line with `reply`, to fake a Redis that is not quite Redis. */
async function fakeServer(reply: string): Promise<{ server: Server; port: number }> {
	const server = createServer((socket) => socket.on('data', () => socket.write(reply)));
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	return { server, port: (server.address() as { port: number }).port };
}

describe('service checks', () => {
	test('CI is on for any value but empty, 0 and false', () => {
		for (const [value, expected] of [
			[undefined, false],
			['', false],
			['0', false],
			['false', false],
			['FALSE', false],
			['1', true],
			['true', true],
		] as const) {
			expect(withEnv('CI', value, isCI)).toBe(expected);
		}
	});

	test('requireService: true when available; skip (false, reason printed) locally; throw under CI', () => {
		const down: ServiceCheck = { service: 'postgres', available: false, reason: 'PostgreSQL not reachable at x: ECONNREFUSED' };
		const up: ServiceCheck = { service: 'redis', available: true, reason: 'Redis at x' };
		const write = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
		try {
			expect(withEnv('CI', undefined, () => requireService(up))).toBe(true);
			expect(withEnv('CI', '1', () => requireService(up))).toBe(true);
			expect(withEnv('CI', undefined, () => requireService(down))).toBe(false);
			expect(String(write.mock.calls[0][0])).toContain('ECONNREFUSED');
			expect(() => withEnv('CI', 'true', () => requireService(down))).toThrow(/CI is set, so tests that need postgres fail/);
		} finally {
			write.mockRestore();
		}
	});

	test('an unreachable PostgreSQL is reported with the reason and without the password', async () => {
		const url = `postgres://postgres:hunter2@127.0.0.1:${CLOSED_PORT}/test`;
		const check = await postgresAvailable(url);
		expect(check.available).toBe(false);
		expect(check.reason).toMatch(/ECONNREFUSED/);
		expect(check.reason).not.toContain('hunter2');
		const sync = postgresAvailableSync(url);
		expect(sync.available).toBe(false);
		expect(sync.reason).toMatch(/ECONNREFUSED/);
		expect(describeUrl(url)).toBe(`127.0.0.1:${CLOSED_PORT}/test as postgres`);
	});

	test('Redis: a raw PING needs +PONG', async () => {
		const closed = await redisAvailable('127.0.0.1', CLOSED_PORT);
		expect(closed).toMatchObject({ service: 'redis', available: false });
		expect(closed.reason).toMatch(/ECONNREFUSED/);
		expect(redisAvailableSync('127.0.0.1', CLOSED_PORT).available).toBe(false);

		// The sync check blocks this process, so it cannot talk to a fake server here: it must agree with the async one.
		const local = await redisAvailable();
		expect(redisAvailableSync().available).toBe(local.available);

		const pong = await fakeServer('+PONG\r\n');
		const auth = await fakeServer('-NOAUTH Authentication required.\r\n');
		try {
			expect(await redisAvailable('127.0.0.1', pong.port)).toMatchObject({ available: true });
			const denied = await redisAvailable('127.0.0.1', auth.port);
			expect(denied.available).toBe(false);
			expect(denied.reason).toContain('NOAUTH');
		} finally {
			pong.server.close();
			auth.server.close();
		}
	});
});
