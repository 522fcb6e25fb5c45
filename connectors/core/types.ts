import type { ClassifiedError } from '../../errors/taxonomy';

/**
 * The record envelope between nodes (ARCHITECTURE.md): vendor field names under `fields` (custom fields by
 * their readable key), the vendor's own id and modified time, optional links to related records.
 */
export interface RecordEnvelope {
	system: 'hubspot' | 'pipedrive' | 'salesforce' | 'jobber';
	object: string;
	id: string;
	/** ISO 8601 UTC. */
	updatedAt: string;
	fields: Record<string, unknown>;
	links?: Record<string, string | string[]>;
	/** Set when the vendor says the record is archived/deleted (delete sync). */
	deleted?: boolean;
}

export type WriteOperation = 'create' | 'update' | 'upsert' | 'delete';

export interface WriteInput {
	/** Target id for update/delete; for upsert the match key value when `matchKey` is set. */
	id?: string;
	fields: Record<string, unknown>;
}

/** One result per input, in input order: a bad record never fails its batch-mates. */
export type WriteResult =
	| { index: number; ok: true; action: 'created' | 'updated' | 'unchanged' | 'deleted'; record: RecordEnvelope }
	| { index: number; ok: false; error: ClassifiedError; input: WriteInput };

export interface WriteOptions {
	/** Upsert/find key: `email`, an external-id field, or any unique field. */
	matchKey?: string;
	/** An update whose target was deleted creates it instead ("Create if missing"). */
	createIfMissing?: boolean;
}

export interface ChangesOptions {
	/** ISO timestamp to read from (inclusive); absent = full sync. */
	since?: string;
	/** Re-read this many ms before `since`, because vendor clocks and search indexes lag; duplicates are removed. */
	overlapMs?: number;
	/** Fields to read (default: the object's sync-relevant fields). */
	fields?: string[];
	pageSize?: number;
}

export interface ChangesPage {
	records: RecordEnvelope[];
	/** The checkpoint to store once these records are processed: the newest updatedAt seen so far. */
	checkpoint: string | undefined;
	done: boolean;
}

export interface FieldInfo {
	/** The key used in `fields` (vendor API name; Pipedrive custom fields by their readable key). */
	name: string;
	label: string;
	type: 'string' | 'number' | 'boolean' | 'date' | 'datetime' | 'enum' | 'multi_enum' | 'email' | 'phone' | 'reference' | 'object' | 'array' | 'other';
	required: boolean;
	readOnly: boolean;
	unique: boolean;
	custom: boolean;
	maxLength?: number;
	options?: Array<{ value: string; label: string }>;
	/** The vendor's own key when it differs from `name` (Pipedrive's 40-char hash). */
	vendorKey?: string;
}

export interface ObjectInfo {
	name: string;
	label: string;
	/** Whether the vendor lets us read changes since a time for this object. */
	incremental: boolean;
	/** Largest batch the vendor accepts for writes (1 when it has no batch endpoint). */
	maxBatch: number;
}
