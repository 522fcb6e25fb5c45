/**
 * Runs one Jobber sandbox in its own plain Node process for the scale test: jest's module sandbox makes graphql-js
 * several times slower than it is under `npm run sandbox`, so latency is measured against a real deployment.
 * Prints {"url": …} on stdout once listening.
 */
import { createContext, startVendor } from '../../../sandbox/core/vendor';
import { createJobber } from '../../../sandbox/jobber';

void (async () => {
	const ctx = createContext();
	const server = await startVendor(createJobber(ctx), ctx);
	process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
	process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
})();
