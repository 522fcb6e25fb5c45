/**
 * npm run sandbox — starts the four vendor API sandboxes on loopback and prints their base URLs,
 * sandbox credentials and webhook secrets. Options: --seed N (records per vendor, default 50),
 * --dirty 0.1 (share of dirty records), --time-scale 1, --port-base 4010 (hubspot, +1 pipedrive, +2 salesforce, +3 jobber).
 */
import { startSandbox, VENDORS } from './index';

function arg(name: string, fallback: number): number {
	const at = process.argv.indexOf(`--${name}`);
	return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}

async function main(): Promise<void> {
	const base = arg('port-base', 4010);
	const seed = arg('seed', 50);
	const sandbox = await startSandbox({
		timeScale: arg('time-scale', 1),
		ports: { hubspot: base, pipedrive: base + 1, salesforce: base + 2, jobber: base + 3 },
	});
	console.log('FluxCascade vendor sandbox (sandbox-only credentials; loopback only)\n');
	for (const name of VENDORS) {
		const vendor = sandbox.vendors[name]!;
		const summary = seed > 0 ? vendor.definition.seed({ count: seed, dirtyShare: arg('dirty', 0.1), seed: 1 }) : undefined;
		console.log(`${name.padEnd(11)} ${vendor.url}${summary ? `   seeded ${summary.created} ${summary.object}` : ''}`);
		for (const [key, value] of Object.entries(vendor.definition.info())) console.log(`  ${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`);
	}
	console.log('\nAdmin API on every vendor: /_sandbox/info, /_sandbox/counters, /_sandbox/requests, /_sandbox/faults, /_sandbox/seed, /_sandbox/reset');
	console.log('Ctrl-C stops the sandbox.');
	const stop = async () => {
		await sandbox.stop();
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
}

main().catch((err) => {
	console.error(err);
	process.exit(1);
});
