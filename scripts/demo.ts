/**
 * npm start — the demo: the four vendor sandboxes with seeded (partly dirty) data, and a real n8n with this
 * package installed from its packed tarball. Prints the editor URL and login; Ctrl-C stops everything.
 * Data lives in .n8n-data/demo, so a second start keeps the workflows you built.
 */
import * as path from 'node:path';
import { startSandbox, VENDORS } from '../sandbox';
import { installPackage, OWNER, packProject, ROOT, startN8n } from './n8n/runtime';

async function main(): Promise<void> {
	const port = Number(process.env.N8N_PORT ?? 5678);
	const userFolder = path.join(ROOT, '.n8n-data', 'demo');

	const sandbox = await startSandbox({ ports: { hubspot: 4010, pipedrive: 4011, salesforce: 4012, jobber: 4013 } });
	for (const name of VENDORS) sandbox.vendors[name]!.definition.seed({ count: 50, dirtyShare: 0.1, seed: 1 });

	installPackage(userFolder, packProject(path.join(userFolder, 'pack')));
	const n8n = await startN8n({ userFolder, port });

	console.log('\nFluxCascade demo is running\n');
	console.log(`  n8n editor   ${n8n.url}`);
	console.log(`  login        ${OWNER.email} / ${OWNER.password}`);
	console.log(`  n8n log      ${n8n.logFile}\n`);
	console.log('  Vendor sandboxes (sandbox-only credentials):');
	for (const name of VENDORS) console.log(`    ${name.padEnd(11)} ${sandbox.url(name)}   (${sandbox.url(name)}/_sandbox/info)`);
	console.log('\nCtrl-C stops n8n and the sandboxes.');

	let stopping = false;
	const stop = async () => {
		if (stopping) return;
		stopping = true;
		console.log('\nstopping…');
		await Promise.allSettled([n8n.stop(), sandbox.stop()]);
		process.exit(0);
	};
	process.on('SIGINT', stop);
	process.on('SIGTERM', stop);
	// However this process ends, n8n (in its own process group) must not outlive it.
	process.on('exit', () => {
		try {
			process.kill(-n8n.process.pid!, 'SIGKILL');
		} catch {
			// already gone
		}
	});
	n8n.process.on('exit', () => {
		if (!stopping) {
			console.error(`n8n exited unexpectedly; see ${n8n.logFile}`);
			void stop();
		}
	});
}

main().catch((err) => {
	console.error(err instanceof Error ? err.message : err);
	process.exit(1);
});
