/**
 * The n8n editor in headless Chromium (Debian's /usr/bin/chromium through playwright-core): log in as a person
 * does, open a workflow, and read what its canvas shows for each node.
 *
 * How n8n 2.40's canvas (Vue Flow) marks a node, read from its DOM:
 *  - every node, sticky notes included, is a `.vue-flow__node[data-id=<node id>]`, holding an element with
 *    `data-node-name` and `data-node-type`;
 *  - the node's icon sits in `.n8n-node-icon`: an <img> (community nodes: `/icons/<package>/dist/...svg`) or an
 *    inline <svg> (n8n's own nodes);
 *  - a node whose type n8n does not know gets `data-test-id="node-not-installed"` and a "?" placeholder
 *    (`[class*=nodeIconPlaceholder]`) instead of the icon;
 *  - a known type at a version n8n does not have still renders, with an icon URL that does not load;
 *  - `data-test-id="node-issues"` is the red warning a node shows for missing parameters or credentials.
 */
import type { Page } from 'playwright-core';
import { OWNER } from '../../scripts/n8n/runtime';

export { chromiumAvailable, launchBrowser, type Browser } from '../support/chromium';

/*
 * The functions passed to page.evaluate / waitForFunction run inside Chromium. The project compiles without the
 * DOM library, so the little of the DOM they touch is declared here, for this module only.
 */
interface DomElement {
	style: { visibility: string };
	complete: boolean;
	naturalWidth: number;
	getAttribute(name: string): string | null;
	querySelector(selector: string): DomElement | null;
	getBoundingClientRect(): { width: number };
}
declare const document: { querySelectorAll(selector: string): Iterable<DomElement> };

export const PACKAGE = 'n8n-nodes-fluxcascade';
const STICKY = 'n8n-nodes-base.stickyNote';

/** Signs in on n8n's sign-in page with the owner's email and password. */
export async function signIn(page: Page, n8nUrl: string): Promise<void> {
	await page.goto(`${n8nUrl}/signin`);
	await page.locator('[data-test-id="emailOrLdapLoginId"] input').fill(OWNER.email);
	await page.locator('[data-test-id="password"] input').fill(OWNER.password);
	await page.locator('[data-test-id="form-submit-button"]').click();
	await page.waitForURL((u) => !u.pathname.startsWith('/signin'), { timeout: 60_000 });
}

/** What the canvas shows for one node. */
export interface CanvasNode {
	id: string;
	name: string | null;
	type: string | null;
	visible: boolean;
	sticky: boolean;
	notInstalled: boolean;
	iconPlaceholder: boolean;
	/** The icon image, if the icon is an <img>: its src and whether it loaded. */
	iconImage: { src: string; loaded: boolean } | null;
	iconSvg: boolean;
	issues: boolean;
}

interface WorkflowShape {
	nodes: Array<{ id?: string; name: string; type: string }>;
}

/**
 * Opens a workflow in the editor and reads its canvas once the expected number of nodes are drawn and every icon
 * has settled (or after 45 s, so a broken canvas yields a readable failure, not a timeout).
 */
export async function openCanvas(page: Page, n8nUrl: string, workflowId: string, expectedNodes: number): Promise<CanvasNode[]> {
	await page.goto(`${n8nUrl}/workflow/${workflowId}`);
	try {
		await page.waitForFunction(
			(n) => {
				const nodes = [...document.querySelectorAll('.vue-flow__node')];
				if (nodes.length < n || nodes.some((e) => e.style.visibility === 'hidden')) return false;
				// Icons arrive asynchronously: each node (but sticky notes) settled on an image that finished
				// loading, an inline svg, or the placeholder.
				return nodes.every((e) => {
					if (e.querySelector('[data-test-id="sticky"]')) return true;
					const img = e.querySelector('.n8n-node-icon img');
					if (img) return img.complete;
					return !!e.querySelector('.n8n-node-icon svg, [class*="nodeIconPlaceholder"]');
				});
			},
			expectedNodes,
			{ timeout: 45_000, polling: 250 },
		);
	} catch {
		// read whatever is there
	}
	return page.evaluate(() =>
		[...document.querySelectorAll('.vue-flow__node')].map((e) => {
			const inner = e.querySelector('[data-node-name]');
			const img = e.querySelector('.n8n-node-icon img');
			return {
				id: e.getAttribute('data-id') ?? '',
				name: inner?.getAttribute('data-node-name') ?? null,
				type: inner?.getAttribute('data-node-type') ?? null,
				visible: e.style.visibility !== 'hidden' && e.getBoundingClientRect().width > 0,
				sticky: !!e.querySelector('[data-test-id="sticky"]'),
				notInstalled: !!e.querySelector('[data-test-id="node-not-installed"]'),
				iconPlaceholder: !!e.querySelector('[class*="nodeIconPlaceholder"]'),
				iconImage: img ? { src: img.getAttribute('src') ?? '', loaded: img.complete && img.naturalWidth > 0 } : null,
				iconSvg: !!e.querySelector('.n8n-node-icon svg'),
				issues: !!e.querySelector('[data-test-id="node-issues"]'),
			};
		}),
	);
}

/**
 * Everything a person would see wrong on the canvas, one line each (empty when the canvas is right):
 * nodes missing or extra, n8n's "not installed" placeholder, an icon that is missing or does not load, a
 * FluxCascade node without its own icon, a node with issues.
 */
export function canvasProblems(canvas: CanvasNode[], workflow: WorkflowShape): string[] {
	const problems: string[] = [];
	const byName = new Map(canvas.map((c) => [c.name, c]));
	for (const node of workflow.nodes) {
		const c = byName.get(node.name);
		if (!c) {
			problems.push(`${node.name}: not drawn on the canvas`);
			continue;
		}
		if (c.type !== node.type) problems.push(`${node.name}: drawn as ${c.type}, expected ${node.type}`);
		if (!c.visible) problems.push(`${node.name}: not visible`);
		if (node.type === STICKY) continue;
		if (c.notInstalled) problems.push(`${node.name}: n8n shows "node not installed" for ${node.type}`);
		if (c.iconPlaceholder) problems.push(`${node.name}: "?" placeholder instead of an icon`);
		if (!c.iconImage && !c.iconSvg) problems.push(`${node.name}: no icon`);
		if (c.iconImage && !c.iconImage.loaded) problems.push(`${node.name}: icon ${c.iconImage.src} does not load`);
		if (node.type.startsWith(`${PACKAGE}.`) && !c.iconImage?.src.includes(`/icons/${PACKAGE}/`)) problems.push(`${node.name}: not the package's own icon (${c.iconImage?.src ?? 'none'})`);
		if (c.issues) problems.push(`${node.name}: shows node issues (missing parameter or credential)`);
	}
	const expected = new Set(workflow.nodes.map((n) => n.name));
	for (const c of canvas) if (!expected.has(c.name ?? '')) problems.push(`${c.name ?? c.id}: on the canvas but not in the workflow`);
	return problems;
}
