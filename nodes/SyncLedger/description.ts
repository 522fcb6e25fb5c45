import type { INodeProperties } from 'n8n-workflow';
import { mappingProperties } from '../shared/mappingParams';
import { storeProperties } from '../shared/store';
import { keyProperties } from './keys';

/** The Sync Ledger's parameters: the operation, the mapping (shared with Field Mapper), sync rules and the store. */

const plan = { operation: ['plan'] };
const withMapping = { operation: ['plan', 'unlink', 'stats', 'getPair', 'getCheckpoints'] };
const byRecord = { operation: ['unlink', 'getPair'] };

const SYSTEMS = [
	{ name: 'HubSpot', value: 'hubspot' },
	{ name: 'Jobber', value: 'jobber' },
	{ name: 'Pipedrive', value: 'pipedrive' },
	{ name: 'Salesforce', value: 'salesforce' },
];

/** The two-input Plan, the one-input others: evaluated by n8n from the parameters (as its Merge node does). */
export function configuredInputs(parameters: { operation?: string }) {
	if (parameters.operation === 'plan' || parameters.operation === undefined) {
		return [
			{ type: 'main', displayName: 'Source Records' },
			{ type: 'main', displayName: 'Target Records' },
		];
	}
	return [{ type: 'main', displayName: parameters.operation === 'commit' ? 'Write Results' : 'Items' }];
}

export function configuredOutputs(parameters: { operation?: string }) {
	const names =
		parameters.operation === 'commit'
			? ['Committed', 'Failed']
			: parameters.operation === 'getPair'
				? ['Paired', 'Not Paired']
				: parameters.operation === 'unlink' || parameters.operation === 'stats' || parameters.operation === 'claimKeys' || parameters.operation === 'releaseKeys'
					? ['Result']
					: parameters.operation === 'getCheckpoints'
						? ['Checkpoints']
					: ['To Target', 'To Source', 'Unchanged', 'Conflict', 'Invalid', 'Summary'];
	return names.map((displayName) => ({ type: 'main', displayName }));
}

export const PLAN_OUTPUTS = ['toTarget', 'toSource', 'unchanged', 'conflict', 'invalid', 'summary'] as const;

export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{
				name: 'Claim Match Keys',
				value: 'claimKeys',
				action: 'Claim match keys of records',
				description: 'Remember which record holds which email / phone in a run and tell each record which earlier ones hold the same (duplicates across executions)',
			},
			{
				name: 'Commit',
				value: 'commit',
				action: 'Commit written records',
				description: "Store pairs and snapshots from the vendor node's answers (after the writes)",
			},
			{
				name: 'Get Checkpoints',
				value: 'getCheckpoints',
				action: 'Get read checkpoints',
				description: "Where this run's Get Changes read from: each side's last checkpoint whose run finished every write (empty: read everything)",
			},
			{
				name: 'Get Pair',
				value: 'getPair',
				action: 'Get the pair of a record',
				description: 'Look up the partner of a record on the other side (e.g. the Jobber client paired with a HubSpot contact)',
			},
			{
				name: 'Plan',
				value: 'plan',
				action: 'Plan a sync',
				description: 'Pair records of both sides, detect changes against the last sync and route creates, updates, conflicts',
			},
			{
				name: 'Release Match Keys',
				value: 'releaseKeys',
				action: 'Release the match keys of a run',
				description: 'Forget every match key claimed under a namespace (the run is over)',
			},
			{ name: 'Stats', value: 'stats', action: 'Get sync stats', description: 'Pairs, last sync, open intents, review items and run counts' },
			{ name: 'Unlink', value: 'unlink', action: 'Unlink a pair', description: 'Forget the pair of a record (either side); the records stay' },
		],
		default: 'plan',
	},
	{
		displayName:
			'Wire the <b>Source Records</b> input to records of the mapping\'s source system and <b>Target Records</b> to the target system (either may be empty). Write the <b>To Target</b> and <b>To Source</b> outputs with the vendor nodes, then send their results to a Sync Ledger <b>Commit</b>.',
		name: 'planNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: plan },
	},
	{
		displayName:
			'Outputs one item with <b>source</b> and <b>target</b>: put them in the Since of each side\'s <b>Get Changes</b> (incremental), e.g. <code>{{ $json.source }}</code>. Plan records what the reads reached; it becomes the next checkpoint once every write of the run is committed, so a run that died half way is read again. Use the same mapping ID as the Plan.',
		name: 'checkpointsNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { operation: ['getCheckpoints'] } },
	},
	{
		displayName: 'Full Re-Sync',
		name: 'fullResync',
		type: 'boolean',
		default: false,
		displayOptions: { show: { operation: ['getCheckpoints'] } },
		description:
			'Whether to ignore the checkpoints: both sides are read in full this run (e.g. after changing the mapping or restoring a backup); turn it off again afterwards. Checkpoints are still kept.',
	},
	...mappingProperties(withMapping, { preset: 'salesforce_contact_hubspot_contact' }),
	{
		displayName: 'Source System',
		name: 'sourceSystem',
		type: 'options',
		options: SYSTEMS,
		default: 'hubspot',
		displayOptions: { show: { ...plan, mappingSource: ['pairs', 'json'] } },
		description: 'The system of the mapping\'s source side (presets know theirs)',
	},
	{
		displayName: 'Source Object',
		name: 'sourceObject',
		type: 'string',
		default: 'contacts',
		displayOptions: { show: { ...plan, mappingSource: ['pairs', 'json'] } },
		description: 'The object of the source side, as the vendor node names it (contacts, persons, Contact, clients)',
	},
	{
		displayName: 'Target System',
		name: 'targetSystem',
		type: 'options',
		options: SYSTEMS,
		default: 'jobber',
		displayOptions: { show: { ...plan, mappingSource: ['pairs', 'json'] } },
	},
	{
		displayName: 'Target Object',
		name: 'targetObject',
		type: 'string',
		default: 'clients',
		displayOptions: { show: { ...plan, mappingSource: ['pairs', 'json'] } },
	},
	{
		displayName: 'Mapping ID',
		name: 'mappingId',
		type: 'string',
		default: '',
		placeholder: 'e.g. contacts-sync',
		displayOptions: { show: withMapping },
		description:
			'Pairs are kept per mapping ID. Leave empty for "&lt;workflow ID&gt;:&lt;preset ID or mapping name&gt;" (custom pairs without a name: "&lt;workflow ID&gt;:custom"). Set one to share pairs between workflows, or when two ledgers in one workflow use unnamed custom pairs.',
	},
	{
		displayName: 'Conflict Strategy',
		name: 'strategy',
		type: 'options',
		options: [
			{ name: 'Newest Wins', value: 'newest_wins', description: 'The side with the later modified time wins the field' },
			{ name: 'Source Wins', value: 'source_wins' },
			{ name: 'Target Wins', value: 'target_wins' },
			{ name: 'Manual Review', value: 'manual', description: 'Send the field to the Conflict output with both values; write nothing for it' },
		],
		default: 'newest_wins',
		displayOptions: { show: plan },
		description: 'For a field changed on both sides to different values since the last sync',
	},
	{
		displayName: 'Tie-Break Winner',
		name: 'hub',
		type: 'options',
		options: [
			{ name: 'Source (Hub)', value: 'source' },
			{ name: 'Target', value: 'target' },
		],
		default: 'source',
		displayOptions: { show: { ...plan, strategy: ['newest_wins'] } },
		description: 'Which side wins when both records have the same (or an unknown) modified time',
	},
	{
		displayName: 'Field Priority',
		name: 'fieldPriority',
		type: 'fixedCollection',
		placeholder: 'Add Field Priority',
		typeOptions: { multipleValues: true },
		default: {},
		displayOptions: { show: plan },
		description: 'Fields that one side always wins, whatever the strategy',
		options: [
			{
				name: 'field',
				displayName: 'Field',
				values: [
					{
						displayName: 'Field',
						name: 'field',
						type: 'string',
						default: '',
						placeholder: 'phone',
						description: 'Target field path (or the source field path of the same pair)',
					},
					{
						displayName: 'Winner',
						name: 'side',
						type: 'options',
						options: [
							{ name: 'Source', value: 'source' },
							{ name: 'Target', value: 'target' },
						],
						default: 'source',
					},
				],
			},
		],
	},
	{
		displayName: 'Match Key',
		name: 'matchKey',
		type: 'options',
		options: [
			{ name: 'Email', value: 'email', description: 'Trimmed and lower-cased' },
			{ name: 'Phone (E.164)', value: 'phone', description: 'Normalised to E.164 (+15551234567)' },
			{ name: 'Exact Value', value: 'exact', description: 'Any field, e.g. an external ID' },
			{ name: 'None', value: 'none', description: 'Unpaired records are always created (no migration pairing, no upsert)' },
		],
		default: 'email',
		displayOptions: { show: plan },
		description: 'Pairs records that were never synced (migration) and makes creates safe to repeat (upsert)',
	},
	{
		displayName: 'Source Key Field',
		name: 'matchSourceField',
		type: 'string',
		default: '',
		placeholder: 'Email',
		displayOptions: { show: { ...plan, matchKey: ['email', 'phone', 'exact'] } },
		description: 'Path of the key in source records. Empty: the field of the pair that validates emails (or phones).',
	},
	{
		displayName: 'Target Key Field',
		name: 'matchTargetField',
		type: 'string',
		default: '',
		placeholder: 'email',
		displayOptions: { show: { ...plan, matchKey: ['email', 'phone', 'exact'] } },
		description: 'Path of the key in target records. Empty: the target of the same pair.',
	},
	{
		displayName: 'Default Country',
		name: 'matchDefaultCountry',
		type: 'string',
		default: 'US',
		displayOptions: { show: { ...plan, matchKey: ['phone'] } },
		description: 'ISO country code for numbers written without a country code',
	},
	{
		displayName: 'Records Without the Key',
		name: 'missingKey',
		type: 'options',
		options: [
			{ name: 'Send to Review (Conflict Output)', value: 'review' },
			{ name: 'Create', value: 'create', description: 'Create them anyway (a crash before Commit then needs review)' },
		],
		default: 'review',
		displayOptions: { show: { ...plan, matchKey: ['email', 'phone', 'exact'] } },
	},
	{
		displayName: 'Deletes',
		name: 'deletes',
		type: 'options',
		options: [
			{ name: 'Ignore', value: 'ignore', description: 'A deleted record changes nothing on the other side' },
			{ name: 'Archive', value: 'archive', description: 'Archive the paired record on the other side' },
			{ name: 'Delete', value: 'delete', description: 'Delete the paired record on the other side' },
		],
		default: 'ignore',
		displayOptions: { show: plan },
		description: 'What a record marked deleted: true does to its pair',
	},
	{
		displayName: 'Dry Run',
		name: 'dryRun',
		type: 'boolean',
		default: false,
		displayOptions: { show: plan },
		description:
			'Whether to only route and count (see the Summary output) without storing anything; the write outputs carry dryRun: true so a Commit stores nothing either',
	},
	{
		displayName: 'Sync Context',
		name: 'syncContext',
		type: 'json',
		default: '',
		displayOptions: { show: { operation: ['commit'] } },
		description:
			'Leave empty: Commit finds the "sync" field the Plan put on each write by itself — on the vendor node\'s answer, in a failed item\'s record, or through paired items on the Plan item the write came from. Set an expression only for a path that loses all three (e.g. a Code node without paired items); it is evaluated only for items the automatic lookup found nothing for.',
		hint: "Only if needed, e.g. {{ $('Sync Ledger').item.json.sync }}",
	},
	{
		displayName: 'Side',
		name: 'side',
		type: 'options',
		options: [
			{ name: 'Source', value: 'source' },
			{ name: 'Target', value: 'target' },
		],
		default: 'source',
		displayOptions: { show: byRecord },
		description: 'Which system the record ID belongs to',
	},
	{
		displayName: 'Record ID',
		name: 'recordId',
		type: 'string',
		default: '={{ $json.id }}',
		required: true,
		displayOptions: { show: byRecord },
	},
	{
		displayName: 'Options',
		name: 'pairOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: { show: { operation: ['getPair'] } },
		options: [
			{
				displayName: 'Not Paired Message',
				name: 'notPairedMessage',
				type: 'string',
				default: '',
				placeholder: "e.g. The deal's contact is not in Jobber yet",
				description:
					'The reason given on the Not Paired output (and in the review queue); empty says which record has no pair in which mapping',
			},
		],
	},
	...keyProperties,
	...storeProperties('Where pairs and snapshots are kept. Plan and Commit of one sync must use the same store.'),
];
