/**
 * Match key claims: which records of a run (a migration in chunks, each chunk its own n8n execution) hold which
 * normalised match value, kept in the store so that a later chunk finds the twins of an earlier one without
 * anyone holding every record in memory. One store row per value (the cursors table, keyed
 * `matchkeys:<namespace>:<field>:<value>`, value = the ids as JSON), so memory stays per chunk and the rows go
 * when the run releases its namespace.
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

function keyOf(namespace: string, field: string, value: string): string {
	return `${PREFIX}${namespace}:${field}:${value}`;
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
	const out: KeyTwin[][] = [];
	for (const claim of claims) {
		const twins: KeyTwin[] = [];
		const id = String(claim.id);
		for (const [field, raw] of Object.entries(claim.keys ?? {})) {
			if (raw === undefined || raw === null) continue;
			const value = String(raw).trim();
			if (!value) continue;
			const key = keyOf(ns, field, value);
			// The usual case, a value nobody holds: one insert.
			let expected: string | null = null;
			let before: string[] = [];
			for (let attempt = 0; ; attempt++) {
				const res = await store.advanceCursor(key, JSON.stringify([...before, id]), expected);
				if (res.ok) break;
				before = idsOf(res.current?.value);
				if (before.includes(id) || attempt >= 10) break;
				expected = res.current?.value ?? null;
			}
			const others = before.filter((other) => other !== id);
			if (others.length) twins.push({ field, value, ids: others });
		}
		out.push(twins);
	}
	return out;
}

/** Forgets every claim of a namespace (the run is over); returns how many values were held. */
export async function releaseMatchKeys(store: SyncStore, namespace: string): Promise<number> {
	const ns = checkNamespace(namespace);
	const rows = await store.listCursors(`${PREFIX}${ns}:`);
	let released = 0;
	for (const row of rows) if (await store.deleteCursor(row.key)) released++;
	return released;
}
