/**
 * Child process of scale.test.ts: vendor servers in one plain Node process (as `npm run sandbox` runs them),
 * 100,000 people records each, then the retained memory. Usage: scale-server.ts <count> [vendor…]
 */
import { startSandbox, VENDORS, type VendorName } from '../../sandbox';
import { seedInChunks } from '../../sandbox/core/vendor';

async function main() {
	const count = Number(process.argv[2] ?? 100_000);
	const vendors = process.argv.length > 3 ? (process.argv.slice(3) as VendorName[]) : VENDORS;
	const sandbox = await startSandbox({ vendors });
	const seeded: Record<string, number> = {};
	for (const name of vendors) seeded[name] = seedInChunks(sandbox.vendors[name]!.definition, { count, dirtyShare: 0.1, seed: 3 }).created;
	// Settle as a server at rest does: a few full collections let V8 compact and give pages back.
	for (let i = 0; i < 3; i++) {
		(globalThis as { gc?: () => void }).gc?.();
		await new Promise((r) => setTimeout(r, 200));
	}
	const mem = process.memoryUsage();
	process.stdout.write(JSON.stringify({ seeded, rssMb: mem.rss / 2 ** 20, heapMb: mem.heapUsed / 2 ** 20 }));
	await sandbox.stop();
}

void main();
