/**
 * The Pipedrive objects this connector syncs, their names in every form we meet them (API paths, webhook
 * `meta.entity`, user input), and the standard fields of each: which are writable in API v2 and how to
 * coerce values so v2's strict validation (no string→number coercion) does not reject plain n8n values.
 */
import type { FieldInfo, ObjectInfo } from '../core/types';

/** The object names used in envelopes (`object`) and API paths. */
export type PipedriveObject = 'persons' | 'organizations' | 'deals';
/** The v2 entity names (webhook `meta.entity`, field-definition endpoints). */
export type PipedriveEntity = 'person' | 'organization' | 'deal';

export const OBJECTS: readonly PipedriveObject[] = ['persons', 'organizations', 'deals'];

export const ENTITY: Record<PipedriveObject, PipedriveEntity> = { persons: 'person', organizations: 'organization', deals: 'deal' };
export const OBJECT_OF: Record<PipedriveEntity, PipedriveObject> = { person: 'persons', organization: 'organizations', deal: 'deals' };
export const LABEL: Record<PipedriveObject, string> = { persons: 'Person', organizations: 'Organization', deals: 'Deal' };
/** The field definition endpoint per object (v2 Fields API; v1 has the same names). */
export const FIELDS_PATH: Record<PipedriveObject, string> = { persons: 'personFields', organizations: 'organizationFields', deals: 'dealFields' };

/** Accepts `person`, `persons`, `people`, `org`, `organization(s)`, `deal(s)` in any case. */
export function toObject(name: string): PipedriveObject {
	switch (String(name).trim().toLowerCase()) {
		case 'person':
		case 'persons':
		case 'people':
			return 'persons';
		case 'org':
		case 'orgs':
		case 'organization':
		case 'organizations':
			return 'organizations';
		case 'deal':
		case 'deals':
			return 'deals';
		default:
			throw new Error(`Unknown Pipedrive object "${name}" (persons, organizations or deals)`);
	}
}

export function objectInfo(object: PipedriveObject): ObjectInfo {
	// No batch endpoint exists in Pipedrive: every write is one request.
	return { name: object, label: LABEL[object], incremental: true, maxBatch: 1 };
}

/** How a standard field's value is coerced before it is sent to v2. */
export type Coercion = 'string' | 'int' | 'number' | 'boolean' | 'intArray' | 'contacts' | 'address' | 'date' | 'datetime' | 'enum';

export interface StandardField {
	key: string;
	label: string;
	type: FieldInfo['type'];
	coerce: Coercion;
	required?: boolean;
	/** Only on create (add_time: historical migrations keep the original creation time). */
	createOnly?: boolean;
	/** Allowed values of an `enum` coercion. */
	values?: readonly string[];
	maxLength?: number;
}

const COMMON_TAIL: StandardField[] = [
	{ key: 'owner_id', label: 'Owner', type: 'reference', coerce: 'int' },
	{ key: 'visible_to', label: 'Visible To', type: 'enum', coerce: 'int' },
	{ key: 'label_ids', label: 'Labels', type: 'multi_enum', coerce: 'intArray' },
	{ key: 'add_time', label: 'Created', type: 'datetime', coerce: 'datetime', createOnly: true },
];

/** Writable v2 fields per object (from the v2 OpenAPI request bodies). */
export const STANDARD_FIELDS: Record<PipedriveObject, StandardField[]> = {
	persons: [
		{ key: 'name', label: 'Name', type: 'string', coerce: 'string', required: true, maxLength: 255 },
		{ key: 'first_name', label: 'First Name', type: 'string', coerce: 'string', maxLength: 255 },
		{ key: 'last_name', label: 'Last Name', type: 'string', coerce: 'string', maxLength: 255 },
		{ key: 'emails', label: 'Emails', type: 'email', coerce: 'contacts' },
		{ key: 'phones', label: 'Phones', type: 'phone', coerce: 'contacts' },
		{ key: 'org_id', label: 'Organization', type: 'reference', coerce: 'int' },
		{ key: 'job_title', label: 'Job Title', type: 'string', coerce: 'string', maxLength: 255 },
		{ key: 'postal_address', label: 'Postal Address', type: 'object', coerce: 'address' },
		{ key: 'birthday', label: 'Birthday', type: 'date', coerce: 'date' },
		{ key: 'notes', label: 'Notes', type: 'string', coerce: 'string', maxLength: 10_000 },
		{ key: 'im', label: 'Instant Messengers', type: 'array', coerce: 'contacts' },
		{ key: 'marketing_status', label: 'Marketing Status', type: 'enum', coerce: 'enum', values: ['no_consent', 'unsubscribed', 'subscribed', 'archived'] },
		...COMMON_TAIL,
	],
	organizations: [
		{ key: 'name', label: 'Name', type: 'string', coerce: 'string', required: true, maxLength: 255 },
		{ key: 'address', label: 'Address', type: 'object', coerce: 'address' },
		...COMMON_TAIL,
	],
	deals: [
		{ key: 'title', label: 'Title', type: 'string', coerce: 'string', required: true, maxLength: 255 },
		{ key: 'value', label: 'Value', type: 'number', coerce: 'number' },
		{ key: 'currency', label: 'Currency', type: 'string', coerce: 'string' },
		{ key: 'person_id', label: 'Contact Person', type: 'reference', coerce: 'int' },
		{ key: 'org_id', label: 'Organization', type: 'reference', coerce: 'int' },
		{ key: 'pipeline_id', label: 'Pipeline', type: 'reference', coerce: 'int' },
		{ key: 'stage_id', label: 'Stage', type: 'reference', coerce: 'int' },
		{ key: 'status', label: 'Status', type: 'enum', coerce: 'enum', values: ['open', 'won', 'lost'] },
		{ key: 'probability', label: 'Probability', type: 'number', coerce: 'number' },
		{ key: 'lost_reason', label: 'Lost Reason', type: 'string', coerce: 'string' },
		{ key: 'expected_close_date', label: 'Expected Close Date', type: 'date', coerce: 'date' },
		{ key: 'close_time', label: 'Closed On', type: 'datetime', coerce: 'datetime' },
		{ key: 'won_time', label: 'Won Time', type: 'datetime', coerce: 'datetime' },
		{ key: 'lost_time', label: 'Lost Time', type: 'datetime', coerce: 'datetime' },
		{ key: 'is_archived', label: 'Archived', type: 'boolean', coerce: 'boolean' },
		{ key: 'archive_time', label: 'Archive Time', type: 'datetime', coerce: 'datetime' },
		{ key: 'origin_id', label: 'Origin ID', type: 'string', coerce: 'string' },
		{ key: 'channel', label: 'Channel', type: 'number', coerce: 'int' },
		{ key: 'channel_id', label: 'Channel ID', type: 'string', coerce: 'string' },
		...COMMON_TAIL,
	],
};

/**
 * Keys Pipedrive returns but never accepts: dropped silently on writes, so an envelope read from Pipedrive
 * can be written back as is.
 */
export const READ_ONLY_KEYS = new Set([
	'id',
	'update_time',
	'is_deleted',
	'picture_id',
	'creator_user_id',
	'stage_change_time',
	'local_won_date',
	'local_lost_date',
	'local_close_date',
	'first_won_time',
	'origin',
	'acv',
	'arr',
	'mrr',
	'company_id',
	'cc_email',
	'people_count',
	'next_activity_id',
	'last_activity_id',
	'open_deals_count',
	'related_open_deals_count',
	'closed_deals_count',
	'related_closed_deals_count',
	'participant_open_deals_count',
	'participant_closed_deals_count',
	'email_messages_count',
	'activities_count',
	'done_activities_count',
	'undone_activities_count',
	'files_count',
	'notes_count',
	'followers_count',
	'won_deals_count',
	'related_won_deals_count',
	'lost_deals_count',
	'related_lost_deals_count',
	'last_incoming_mail_time',
	'last_outgoing_mail_time',
	'products_count',
	'participants_count',
	'smart_bcc_email',
	'doi_status',
]);

/** v1-style singular names accepted from plain field objects. */
export const ALIASES: Record<PipedriveObject, Record<string, string>> = {
	persons: { email: 'emails', phone: 'phones', ims: 'im' },
	organizations: {},
	deals: {},
};

export function standardField(object: PipedriveObject, key: string): StandardField | undefined {
	return STANDARD_FIELDS[object].find((f) => f.key === key);
}

/** The field that names a record: `title` for deals, `name` otherwise. */
export function nameField(object: PipedriveObject): string {
	return object === 'deals' ? 'title' : 'name';
}
