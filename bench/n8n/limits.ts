/** The vendors' limits as each sandbox reports them at rest (read right after it starts, before any call). */
import type { VendorName } from '../../sandbox';
import type { Stack } from './harness';

/** The limits as the sandbox reports them at rest (read before anything is sent). */
export interface Limits {
	hubspot?: { tenSecond: number; searchPerSecond: number };
	pipedrive?: { burst: number; burstWindowMs: number; searchBurst: number };
	jobber?: { maximumAvailable: number; restoreRate: number; ddosLimit: number; ddosWindowMs: number };
	salesforce?: { dailyApiLimit: number };
}

export async function readLimits(stack: Stack, vendors: VendorName[]): Promise<Limits> {
	const out: Limits = {};
	if (vendors.includes('hubspot')) {
		const l = await stack.admin('hubspot', 'GET', '/_sandbox/hubspot/limits');
		out.hubspot = { tenSecond: l.tenSecondRemaining, searchPerSecond: l.searchRemaining };
	}
	if (vendors.includes('pipedrive')) {
		const l = (await stack.admin('pipedrive', 'GET', '/_sandbox/info')).limits;
		out.pipedrive = { burst: l.burstLimitApiToken, burstWindowMs: l.burstWindowMs, searchBurst: l.searchBurstLimit };
	}
	if (vendors.includes('jobber')) {
		const l = (await stack.admin('jobber', 'GET', '/_sandbox/info')).limits;
		out.jobber = { maximumAvailable: l.costBucket.maximumAvailable, restoreRate: l.costBucket.restoreRate, ddosLimit: l.ddos.limit, ddosWindowMs: l.ddos.windowMs };
	}
	if (vendors.includes('salesforce')) out.salesforce = { dailyApiLimit: (await stack.admin('salesforce', 'GET', '/_sandbox/salesforce/settings')).dailyApiLimit };
	return out;
}
