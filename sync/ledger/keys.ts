/**
 * Match key claims: which records of a run (a migration in chunks, each chunk its own n8n execution) hold which
 * normalised match value, kept in the store so that a later chunk finds the twins of an earlier one without
 * anyone holding every record in memory. One store row per value (the cursors table, keyed
 * `matchkeys:<namespace>:<field>:<value>`, value = the ids as JSON), so memory stays per call; a call's claims go
 * to the store in one transaction per round (not one commit per value), and the rows go when the run releases
 * its namespace.
 */
import type { SyncStore } from '../store';

const PREFIX = 'matchkeys:';

export interface KeyClaim {
	/** The record's id in its system. */
	id: string;
	/** Normalised match values by field (e.g. `{ email: 'ann@example.com', phone: '+12175550100' }`); blanks are skipped. */
	keys: Record<string, unknown>;
}

export interface KeyTwin {
	field: string;
	value: string;
	/** Other records that claimed the same value before this one (earlier chunks, or earlier in this call). */
	ids: string[];
}

function checkNamespace(namespace: string): string {
	const ns = namespace.trim();
	if (!ns) throw new Error('A namespace is needed for match key claims (e.g. the migration run id)');
	return ns;
}

function idsOf(text: string | null | undefined): string[] {
	if (!text) return [];
	try {
		const parsed = JSON.parse(text) as unknown;
		return Array.isArray(parsed) ? parsed.map(String) : [];
	} catch {
		return [];
	}
}

/**
 * Claims every record's values in the namespace, in order, and returns per record the values other records
 * claimed before it. Claiming again (the same record read twice) is harmless: a record is never its own twin.
 */
export async function claimMatchKeys(store: SyncStore, namespace: string, claims: KeyClaim[]): Promise<KeyTwin[][]> {
	const ns = checkNamespace(namespace);
	interface Pending {
		record: number;
		/** The value's place among the record's values (twins come out in the order the keys were given). */
		slot: number;
		id: string;
		field: string;
		value: string;
		key: string;
		/** The ids the row held when this claim was last tried (null: no row). */
		expected: string | null;
		before: string[];
	}
	const out: KeyTwin[][] = claims.map(() => []);
	let pending: Pending[] = [];
	claims.forEach((claim, record) => {
		Object.entries(claim.keys ?? {}).forEach(([field, raw], slot) => {
			const value = raw === undefined || raw === null ? '' : String(raw).trim();
			if (value) pending.push({ record, slot, id: String(claim.id), field, value, key: `${PREFIX}${ns}:${field}:${value}`, expected: null, before: [] });
		});
	});
	const done: Pending[] = [];
	// Round 1 inserts every value nobody holds (the usual case) in one transaction; values already held come back
	// with their holders and are appended to in the next round, in record order (a value shared inside the call
	// takes two more rounds per sharer).
	for (let round = 0; pending.length; round++) {
		if (round > 100_000) throw new Error('Match key claims kept conflicting (another run claiming the same values?)');
		const seen = new Set<string>();
		const now: Pending[] = [];
		const later: Pending[] = [];
		for (const p of pending) {
			if (seen.has(p.key)) later.push(p);
			else {
				seen.add(p.key);
				now.push(p);
			}
		}
		const results = await store.advanceCursors(now.map((p) => ({ key: p.key, value: JSON.stringify([...p.before, p.id]), expected: p.expected })));
		const retry: Pending[] = [];
		results.forEach((res, k) => {
			const p = now[k];
			const held = res.ok ? p.before : idsOf(res.current?.value);
			if (res.ok || held.includes(p.id)) done.push({ ...p, before: held });
			else retry.push({ ...p, expected: res.current?.value ?? null, before: held });
		});
		pending = [...retry, ...later].sort((a, b) => a.record - b.record);
	}
	for (const p of done.sort((a, b) => a.record - b.record || a.slot - b.slot)) {
		const others = p.before.filter((other) => other !== p.id);
		if (others.length) out[p.record].push({ field: p.field, value: p.value, ids: others });
	}
	return out;
}

/** Forgets every claim of a namespace (the run is over); returns how many values were held. */
export async function releaseMatchKeys(store: SyncStore, namespace: string): Promise<number> {
	return store.deleteCursorsWithPrefix(`${PREFIX}${checkNamespace(namespace)}:`);
}
