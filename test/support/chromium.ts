/**
 * Headless Chromium for the browser tests (Debian's /usr/bin/chromium through playwright-core), with the flags
 * this offline machine needs (no background networking, a fresh profile per launch).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function chromiumAvailable(): { ok: boolean; reason: string } {
	if (!fs.existsSync(CHROMIUM)) return { ok: false, reason: `${CHROMIUM} is missing (run scripts/ensure-chromium.sh)` };
	try {
		require.resolve('playwright-core');
	} catch {
		return { ok: false, reason: 'playwright-core is not installed (npm install)' };
	}
	return { ok: true, reason: '' };
}

export interface Browser {
	context: BrowserContext;
	page: Page;
	/** Uncaught exceptions in the page. */
	pageErrors: string[];
	close(): Promise<void>;
}

/** A fresh headless Chromium profile (launchPersistentContext is how playwright-core takes a --user-data-dir). */
export async function launchBrowser(options: { viewport?: { width: number; height: number }; extraHTTPHeaders?: Record<string, string> } = {}): Promise<Browser> {
	const { chromium } = await import('playwright-core');
	const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'flux-chromium-'));
	const context = await chromium.launchPersistentContext(userDataDir, {
		executablePath: CHROMIUM,
		headless: true,
		args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
		viewport: options.viewport ?? { width: 1600, height: 1000 },
		...(options.extraHTTPHeaders ? { extraHTTPHeaders: options.extraHTTPHeaders } : {}),
	});
	const page = context.pages()[0] ?? (await context.newPage());
	const pageErrors: string[] = [];
	page.on('pageerror', (e) => pageErrors.push(e.message));
	return {
		context,
		page,
		pageErrors,
		close: async () => {
			await context.close();
			fs.rmSync(userDataDir, { recursive: true, force: true });
		},
	};
}
