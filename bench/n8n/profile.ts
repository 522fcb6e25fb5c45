/**
 * Summarises a V8 .cpuprofile (node --cpu-prof): self and total time per function and per file, heaviest first.
 *
 *     npx tsx bench/n8n/profile.ts /tmp/prof/CPU.….cpuprofile [--top 40] [--filter fluxcascade]
 *
 * Total time counts a function once per sample even when it recurses. `--filter` keeps functions whose file path
 * contains the text (e.g. `n8n-nodes-fluxcascade` for this package's code inside n8n).
 */
import * as fs from 'node:fs';

interface CallFrame {
	functionName: string;
	url: string;
	lineNumber: number;
}
interface ProfileNode {
	id: number;
	callFrame: CallFrame;
	children?: number[];
}
interface Profile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

function main(): void {
	const argv = process.argv.slice(2);
	const file = argv.find((a) => !a.startsWith('--') && !/^\d+$/.test(a));
	if (!file) throw new Error('usage: profile.ts FILE.cpuprofile [--top N] [--filter TEXT]');
	const top = Number(argv[argv.indexOf('--top') + 1]) || 40;
	const filter = argv.includes('--filter') ? argv[argv.indexOf('--filter') + 1] : undefined;
	const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;

	const byId = new Map(profile.nodes.map((n) => [n.id, n]));
	const parent = new Map<number, number>();
	for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
	const shortUrl = (url: string) => url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, '');
	const label = (f: CallFrame) => `${f.functionName || '(anonymous)'} ${shortUrl(f.url)}:${f.lineNumber + 1}`;

	// Time per sample: the delta to the next sample (V8 records the delta before each sample).
	const self = new Map<string, number>();
	const total = new Map<string, number>();
	const fileSelf = new Map<string, number>();
	const fileTotal = new Map<string, number>();
	let all = 0;
	for (let i = 0; i < profile.samples.length; i++) {
		const dt = (profile.timeDeltas[i + 1] ?? 0) / 1000;
		all += dt;
		const leaf = byId.get(profile.samples[i])!;
		const f = leaf.callFrame;
		self.set(label(f), (self.get(label(f)) ?? 0) + dt);
		fileSelf.set(shortUrl(f.url) || f.functionName, (fileSelf.get(shortUrl(f.url) || f.functionName) ?? 0) + dt);
		const seen = new Set<string>();
		const seenFiles = new Set<string>();
		for (let id: number | undefined = leaf.id; id !== undefined; id = parent.get(id)) {
			const cf = byId.get(id)!.callFrame;
			const key = label(cf);
			if (!seen.has(key)) {
				seen.add(key);
				total.set(key, (total.get(key) ?? 0) + dt);
			}
			const fk = shortUrl(cf.url) || cf.functionName;
			if (!seenFiles.has(fk)) {
				seenFiles.add(fk);
				fileTotal.set(fk, (fileTotal.get(fk) ?? 0) + dt);
			}
		}
	}
	const keep = (key: string) => !filter || key.includes(filter);
	const table = (title: string, m: Map<string, number>) => {
		console.log(`\n${title}`);
		for (const [k, ms] of [...m].filter(([k]) => keep(k)).sort((a, b) => b[1] - a[1]).slice(0, top)) {
			console.log(`${ms.toFixed(0).padStart(8)} ms ${((ms / all) * 100).toFixed(1).padStart(5)}%  ${k}`);
		}
	};
	console.log(`${file}: ${(all / 1000).toFixed(1)} s sampled, ${profile.samples.length} samples`);
	table('self time by function', self);
	table('total time by function', total);
	table('self time by file', fileSelf);
	table('total time by file', fileTotal);
}

main();
