// Keeps package.json's `n8n` section equal to what the build produced: every dist/nodes/**/*.node.js and
// dist/credentials/*.credentials.js, sorted. n8n loads exactly these lists, so a node that builds is a node
// that ships; no one edits the lists by hand. Runs at the end of `npm run build`.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
function walk(dir, suffix) {
	const abs = path.join(root, dir);
	if (!fs.existsSync(abs)) return [];
	return fs
		.readdirSync(abs, { recursive: true })
		.map((f) => path.join(dir, f).split(path.sep).join('/'))
		.filter((f) => f.endsWith(suffix))
		.sort();
}

const manifestPath = path.join(root, 'package.json');
const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
const next = {
	...manifest.n8n,
	credentials: walk('dist/credentials', '.credentials.js'),
	nodes: walk('dist/nodes', '.node.js'),
};
if (JSON.stringify(next) !== JSON.stringify(manifest.n8n)) {
	manifest.n8n = next;
	fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2) + '\n');
	console.log(`package.json n8n section: ${next.nodes.length} nodes, ${next.credentials.length} credentials`);
}
