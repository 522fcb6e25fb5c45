/**
 * All four vendor sandboxes at once: `startSandbox()` for tests, the demo and benchmarks;
 * `npm run sandbox` (sandbox/cli.ts) for a person.
 */
import { createContext, startVendor, type StartedVendor, type VendorContext, type VendorDefinition } from './core/vendor';
import { createHubspot } from './hubspot';
import { createJobber } from './jobber';
import { createPipedrive } from './pipedrive';
import { createSalesforce } from './salesforce';

export type VendorName = 'hubspot' | 'pipedrive' | 'salesforce' | 'jobber';
export const VENDORS: readonly VendorName[] = ['hubspot', 'pipedrive', 'salesforce', 'jobber'];

export interface SandboxOptions {
	/** Vendor milliseconds per real millisecond, for every vendor (benchmarks compress rate-limit windows). */
	timeScale?: number;
	/** Fixed ports per vendor; 0 or absent picks a free one. */
	ports?: Partial<Record<VendorName, number>>;
	/** Which vendors to start (default all four). */
	vendors?: readonly VendorName[];
	/** Options passed to each vendor's factory. */
	hubspot?: Parameters<typeof createHubspot>[1];
	pipedrive?: Parameters<typeof createPipedrive>[1];
	salesforce?: Parameters<typeof createSalesforce>[1];
	jobber?: Parameters<typeof createJobber>[1];
}

export interface Sandbox {
	vendors: Partial<Record<VendorName, StartedVendor>>;
	url(vendor: VendorName): string;
	stop(): Promise<void>;
}

const FACTORIES: Record<VendorName, (ctx: VendorContext, options: SandboxOptions) => VendorDefinition> = {
	hubspot: (ctx, o) => createHubspot(ctx, o.hubspot),
	pipedrive: (ctx, o) => createPipedrive(ctx, o.pipedrive),
	salesforce: (ctx, o) => createSalesforce(ctx, o.salesforce),
	jobber: (ctx, o) => createJobber(ctx, o.jobber),
};

export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
	const vendors: Partial<Record<VendorName, StartedVendor>> = {};
	try {
		for (const name of options.vendors ?? VENDORS) {
			const ctx = createContext({ timeScale: options.timeScale });
			vendors[name] = await startVendor(FACTORIES[name](ctx, options), ctx, { port: options.ports?.[name] });
		}
	} catch (err) {
		await Promise.all(Object.values(vendors).map((v) => v!.close()));
		throw err;
	}
	return {
		vendors,
		url(vendor) {
			const v = vendors[vendor];
			if (!v) throw new Error(`The ${vendor} sandbox was not started`);
			return v.url;
		},
		stop: async () => {
			await Promise.all(Object.values(vendors).map((v) => v!.close()));
		},
	};
}
