/**
 * The conservation check of a template run, counted rather than assumed: every record a Get Changes node
 * fetched (read from the execution's own data, checked against the sandbox's records and the run the ledger
 * recorded) ends in exactly one of
 *  - parked:  an active review item of the mapping refers to it (review, or retry scheduled);
 *  - synced:  the ledger store pairs it, and its partner exists at the other vendor with the same email;
 *  - skipped: an output that states a reason for it (the Error Policy's Skipped output, logged; or the ledger's
 *             Unchanged output for a record it cannot pair yet);
 * and `lost` — fetched and in none of these — must be empty.
 */
import type { Pair, ReviewItem, SyncStore } from '../../sync/store';
import { outputOf, type RunData } from './support';

export const MAPPING = 'salesforce-hubspot-contacts';
export const NODES = {
	sfRead: 'Salesforce: Get Changes',
	hsRead: 'HubSpot: Get Changes',
	plan: 'Sync Ledger: Plan',
	policy: 'Error Policy',
} as const;

export type Side = 'salesforce' | 'hubspot';
export type Fate = 'synced' | 'skipped' | 'parked' | 'lost';

export interface VendorRecords {
	salesforce: any[];
	hubspot: any[];
}

export interface Conservation {
	fetched: { salesforce: number; hubspot: number; total: number };
	synced: number;
	skipped: number;
	parked: number;
	lost: Array<{ side: Side; id: string; email: string | null }>;
	/** Records fetched twice in one read (a page overlap the connector should have removed). */
	duplicatesInRead: number;
	/** Emails held by more than one record on one side after the run (a duplicate written by the sync). */
	duplicateEmails: { salesforce: string[]; hubspot: string[] };
	skippedReasons: Record<string, number>;
	parkedCodes: Record<string, number>;
}

const ACTIVE = ['open', 'retry_scheduled', 'approved', 'failed'] as const;

/** Every record id a review item refers to, wherever it sits (the record, its sync context, the conflict's sides). */
function referencedIds(item: ReviewItem): Set<string> {
	const ids = new Set<string>();
	if (item.recordId) ids.add(item.recordId);
	const walk = (v: unknown, depth: number) => {
		if (depth > 6 || v === null || typeof v !== 'object') return;
		if (Array.isArray(v)) {
			for (const x of v) walk(x, depth + 1);
			return;
		}
		for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
			if ((k === 'id' || k === 'recordId' || k === 'targetId' || k === 'Id') && (typeof x === 'string' || typeof x === 'number')) ids.add(String(x));
			else walk(x, depth + 1);
		}
	};
	walk(item.data, 0);
	walk(item.meta, 0);
	return ids;
}

export async function activeReviewItems(store: SyncStore): Promise<ReviewItem[]> {
	const out: ReviewItem[] = [];
	let cursor: string | null = null;
	do {
		const page = await store.listReviewItems({ mappingId: MAPPING, status: ACTIVE }, { limit: 1000, cursor });
		out.push(...page.items);
		cursor = page.next;
	} while (cursor);
	return out;
}

const emailOf = (side: Side, r: any): string | null => {
	const e = side === 'salesforce' ? r.Email : (r.properties ?? r).email;
	return typeof e === 'string' && e ? e.toLowerCase() : null;
};
const idOf = (side: Side, r: any): string => String(side === 'salesforce' ? r.Id : r.id);

export function duplicateEmails(records: VendorRecords): Conservation['duplicateEmails'] {
	const dup = (side: Side) => {
		const seen = new Map<string, number>();
		for (const r of records[side]) {
			const e = emailOf(side, r);
			if (e) seen.set(e, (seen.get(e) ?? 0) + 1);
		}
		return [...seen].filter(([, n]) => n > 1).map(([e]) => e);
	};
	return { salesforce: dup('salesforce'), hubspot: dup('hubspot') };
}

export async function conservation(run: RunData, store: SyncStore, after: VendorRecords): Promise<Conservation> {
	const fetched = {
		salesforce: outputOf(run, NODES.sfRead).filter((j) => j.id !== undefined && !j.failed),
		hubspot: outputOf(run, NODES.hsRead).filter((j) => j.id !== undefined && !j.failed),
	};
	const reviews = await activeReviewItems(store);
	const parkedIds = new Set<string>();
	const parkedCodes: Record<string, number> = {};
	for (const item of reviews) for (const id of referencedIds(item)) parkedIds.add(id);
	const byId: Record<Side, Map<string, any>> = {
		salesforce: new Map(after.salesforce.map((r) => [idOf('salesforce', r), r])),
		hubspot: new Map(after.hubspot.map((r) => [idOf('hubspot', r), r])),
	};
	// Reasons stated by the run itself: the Error Policy's Skipped output and the ledger's Unchanged output.
	const skippedReasons: Record<string, number> = {};
	const skippedIds = new Map<string, string>();
	for (const item of outputOf(run, NODES.policy, 2)) {
		const reason = String(item.decision?.reason ?? 'skipped');
		for (const id of [item.record?.id, item.record?.sync?.source?.id, item.record?.sync?.target?.id, item.record?.targetId].filter(Boolean)) skippedIds.set(String(id), reason);
	}
	for (const item of outputOf(run, NODES.plan, 2)) {
		if (item.source?.id && item.target?.id) continue; // paired records: synced, not skipped
		for (const ref of [item.source, item.target]) if (ref?.id) skippedIds.set(String(ref.id), `ledger: ${item.reason}`);
	}

	let synced = 0;
	let skipped = 0;
	let parked = 0;
	const lost: Conservation['lost'] = [];
	const seen = new Set<string>();
	let duplicatesInRead = 0;
	for (const side of ['salesforce', 'hubspot'] as const) {
		const storeSide = side === 'salesforce' ? 'source' : 'target';
		const other: Side = side === 'salesforce' ? 'hubspot' : 'salesforce';
		const ids = fetched[side].map((j) => String(j.id));
		const pairs = new Map<string, Pair>();
		for (let i = 0; i < ids.length; i += 500) for (const p of await store.getPairs(MAPPING, storeSide, ids.slice(i, i + 500))) pairs.set(p[storeSide].id, p);
		for (const j of fetched[side]) {
			const id = String(j.id);
			if (seen.has(`${side}:${id}`)) {
				duplicatesInRead++;
				continue;
			}
			seen.add(`${side}:${id}`);
			const email = emailOf(side, { Email: j.fields?.Email, properties: { email: j.fields?.email } });
			if (parkedIds.has(id)) {
				parked++;
				const item = reviews.find((r) => referencedIds(r).has(id))!;
				parkedCodes[item.code ?? item.kind] = (parkedCodes[item.code ?? item.kind] ?? 0) + 1;
				continue;
			}
			const pair = pairs.get(id);
			if (pair) {
				const partner = byId[other].get(pair[storeSide === 'source' ? 'target' : 'source'].id);
				const own = byId[side].get(id);
				if (partner && own && emailOf(side, own) === emailOf(other, partner)) {
					synced++;
					continue;
				}
			}
			const reason = skippedIds.get(id);
			if (reason) {
				skipped++;
				skippedReasons[reason] = (skippedReasons[reason] ?? 0) + 1;
				continue;
			}
			lost.push({ side, id, email });
		}
	}
	return {
		fetched: { salesforce: fetched.salesforce.length, hubspot: fetched.hubspot.length, total: fetched.salesforce.length + fetched.hubspot.length },
		synced,
		skipped,
		parked,
		lost,
		duplicatesInRead,
		duplicateEmails: duplicateEmails(after),
		skippedReasons,
		parkedCodes,
	};
}
