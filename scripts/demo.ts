/**
 * npm start — the demo: the four vendor sandboxes with seeded (partly dirty) data, a local receiver for signed
 * alerts, and a real n8n with this package installed from its packed tarball, opened with everything loaded
 * (scripts/n8n/demoSetup.ts): owner and API key, a credential for every name the templates reference (pointing
 * at the sandboxes; OAuth2 ones connected), every template imported (error workflow first) and activated where
 * it can run. Prints the editor URL, the login and what was loaded; Ctrl-C stops everything it started.
 * Data lives in .n8n-data/demo: a second start finds its credentials and workflows again instead of adding new
 * ones (credentials are pointed at this start's sandboxes again; workflows you changed are left as they are).
 */
import * as path from 'node:path';
import { startSandbox, VENDORS, type Sandbox } from '../sandbox';
import { demoSandboxOptions, formatReport, readState, setupDemo, startAlertSink, type AlertSink } from './n8n/demoSetup';
import { installPackage, OWNER, packProject, ROOT, startN8n, type RunningN8n } from './n8n/runtime';

const SANDBOX_PORTS = { hubspot: 4010, pipedrive: 4011, salesforce: 4012, jobber: 4013 } as const;

async function main(): Promise<void> {
	const port = Number(process.env.N8N_PORT ?? 5678);
	const n8nUrl = `http://127.0.0.1:${port}`;
	const userFolder = path.join(ROOT, '.n8n-data', 'demo');
	const stateFile = path.join(userFolder, 'fluxcascade-demo.json');

	let sandbox: Sandbox | undefined;
	let sink: AlertSink | undefined;
	let n8n: RunningN8n | undefined;
	let stopping = false;
	const stop = async (code: number) => {
		if (stopping) return;
		stopping = true;
		console.log('\nstopping…');
		await Promise.allSettled([n8n?.stop(), sandbox?.stop(), sink?.close()]);
		process.exit(code);
	};
	process.on('SIGINT', () => void stop(0));
	process.on('SIGTERM', () => void stop(0));
	// However this process ends, n8n (in its own process group, with its task runners) must not outlive it.
	process.on('exit', () => {
		if (!n8n?.process.pid) return;
		try {
			process.kill(-n8n.process.pid, 'SIGKILL');
		} catch {
			// already gone
		}
	});

	try {
		sandbox = await startSandbox({ ports: SANDBOX_PORTS, ...demoSandboxOptions(n8nUrl) });
		for (const name of VENDORS) sandbox.vendors[name]!.definition.seed({ count: 50, dirtyShare: 0.1, seed: 1 });
		const state = readState(stateFile);
		sink = await startAlertSink({ port: Number(process.env.FLUX_ALERT_SINK_PORT ?? 4019), secret: state.alertSecret, log: (line) => console.log(`[alerts] ${line}`) });

		installPackage(userFolder, packProject(path.join(userFolder, 'pack')));
		n8n = await startN8n({ userFolder, port });
		const running = n8n;
		running.process.on('exit', () => {
			if (!stopping) {
				console.error(`n8n exited unexpectedly; see ${running.logFile}`);
				void stop(1);
			}
		});
		const report = await setupDemo({ n8n: running, sandbox, stateFile, alertSinkUrl: sink.url });

		console.log('\nFluxCascade demo is running\n');
		console.log(`  n8n editor   ${running.url}`);
		console.log(`  login        ${OWNER.email} / ${OWNER.password}`);
		console.log(`  n8n log      ${running.logFile}`);
		for (const line of formatReport(report)) console.log(line);
		console.log('\n  Open a workflow:');
		for (const w of report.workflows) console.log(`    ${running.url}/workflow/${w.id}   ${w.name}`);
		console.log(`\n  Alerts (Sync Alert's signed webhook) arrive at ${sink.url}/alerts and are printed here.`);
		console.log('\n  Vendor sandboxes (sandbox-only credentials):');
		for (const name of VENDORS) console.log(`    ${name.padEnd(11)} ${sandbox.url(name)}   (${sandbox.url(name)}/_sandbox/info)`);
		console.log('\nCtrl-C stops n8n, the sandboxes and the alert receiver.');
	} catch (err) {
		console.error(err instanceof Error ? err.message : err);
		await stop(1);
	}
}

void main();
