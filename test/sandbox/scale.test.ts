/**
 * Issue "Vendor API sandbox", scale: each vendor server holds 100,000 records of its people object within
 * 500 MB RSS (measured in a plain Node process, as `npm run sandbox` runs; jest's own memory would blur it).
 * The four together in one process are measured and printed too.
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { VENDORS } from '../../sandbox';

function measure(...vendors: string[]): { seeded: Record<string, number>; rssMb: number; heapMb: number } {
	// tsx as a loader in this very process (its CLI would start another one without --expose-gc).
	const out = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', path.join(__dirname, 'scale-server.ts'), '100000', ...vendors], {
		encoding: 'utf8',
		timeout: 240_000,
		cwd: path.resolve(__dirname, '../..'),
	});
	return JSON.parse(out.slice(out.indexOf('{')));
}

test.each(VENDORS)('%s holds 100,000 people within 500 MB RSS', (vendor) => {
	const result = measure(vendor);
	console.log(`sandbox scale, ${vendor}: ${result.seeded[vendor]} records → RSS ${result.rssMb.toFixed(0)} MB, heap after GC ${result.heapMb.toFixed(0)} MB`);
	expect(result.seeded[vendor]).toBe(100_000);
	expect(result.rssMb).toBeLessThan(500);
}, 300_000);

test('all four vendors in one process: 400,000 records, memory printed', () => {
	const result = measure();
	console.log(`sandbox scale, all four: ${JSON.stringify(result.seeded)} → RSS ${result.rssMb.toFixed(0)} MB, heap after GC ${result.heapMb.toFixed(0)} MB`);
	expect(Object.values(result.seeded)).toEqual([100_000, 100_000, 100_000, 100_000]);
	// Live data must stay well under a gigabyte; RSS above the heap is V8's reserve after seeding.
	expect(result.heapMb).toBeLessThan(450);
}, 300_000);
