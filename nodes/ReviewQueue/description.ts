import type { INodeProperties } from 'n8n-workflow';
import { ERROR_CODES } from '../../errors/taxonomy';
import { REVIEW_STATUSES } from '../../sync/store';
import { reviewStoreProperties } from '../ErrorPolicy/params';

/** The Review Queue's parameters: one operation per thing a person (or a workflow) does with parked records. */

const show = (...operation: string[]) => ({ show: { operation } });

const STATUS_NAMES: Record<string, string> = {
	open: 'Open (Needs Review)',
	retry_scheduled: 'Retry Scheduled',
	approved: 'Approved (Queued for Retry)',
	resolved: 'Resolved',
	discarded: 'Discarded',
	failed: 'Failed (Retries Used Up)',
};

function filterCollection(name: string, displayName: string, operations: string[]): INodeProperties {
	return {
		displayName,
		name,
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: show(...operations),
		options: [
			{
				displayName: 'Category',
				name: 'category',
				type: 'multiOptions',
				options: [
					{ name: 'Connection', value: 'Connection' },
					{ name: 'Data', value: 'Data' },
					{ name: 'Mapping', value: 'Mapping' },
				],
				default: [],
			},
			{
				displayName: 'Created After',
				name: 'from',
				type: 'dateTime',
				default: '',
			},
			{
				displayName: 'Created Before',
				name: 'to',
				type: 'dateTime',
				default: '',
			},
			{
				displayName: 'Error Names or IDs',
				name: 'code',
				type: 'multiOptions',
				options: Object.entries(ERROR_CODES).map(([value, info]) => ({ name: info.label, value })),
				default: [],
				description: 'Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>',
			},
			{
				displayName: 'Kind',
				name: 'kind',
				type: 'options',
				options: [
					{ name: 'Any', value: '' },
					{ name: 'Error', value: 'error' },
					{ name: 'Conflict', value: 'conflict' },
				],
				default: '',
			},
			{
				displayName: 'Mapping ID',
				name: 'mappingId',
				type: 'string',
				default: '',
			},
			{
				displayName: 'Record ID',
				name: 'recordId',
				type: 'string',
				default: '',
			},
			{
				displayName: 'Status',
				name: 'status',
				type: 'multiOptions',
				options: REVIEW_STATUSES.map((s) => ({ name: STATUS_NAMES[s], value: s })),
				default: [],
				description: 'Empty: every status (Retry: every status a retry applies to)',
			},
		],
	};
}

export const properties: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Add', value: 'add', action: 'Add failed records', description: 'Park failed items (any node\'s) for review' },
			{ name: 'Approve', value: 'approve', action: 'Approve a record', description: 'Queue a parked record for retry now' },
			{ name: 'Discard', value: 'discard', action: 'Discard a record', description: 'Close a parked record without retrying it' },
			{ name: 'Edit Data', value: 'editData', action: 'Edit a record s data', description: "Correct a parked record's data (and approve it)" },
			{ name: 'Get', value: 'get', action: 'Get a review item', description: 'One parked record with its errors and attempts' },
			{
				name: 'Handle Dashboard Request',
				value: 'handleDashboard',
				action: 'Handle a dashboard request',
				description: 'From a Webhook: apply the posted action, then render the page for Respond to Webhook',
			},
			{ name: 'List', value: 'list', action: 'List review items', description: 'Filter by status, kind, category, error, mapping, date' },
			{ name: 'Metrics', value: 'metrics', action: 'Get error metrics', description: 'Error rate, breakdown by category and error, resolution time, retry success' },
			{ name: 'Record Retry Failure', value: 'recordFailure', action: 'Record a failed retry', description: 'Reschedule with backoff, back to review, or mark failed' },
			{ name: 'Record Retry Success', value: 'recordSuccess', action: 'Record a successful retry', description: 'Resolve the review item a retry worker succeeded on' },
			{ name: 'Render Dashboard', value: 'renderDashboard', action: 'Render the error dashboard', description: 'The HTML error dashboard (read the filters from parameters)' },
			{ name: 'Resolve Conflict', value: 'resolveConflict', action: 'Resolve a conflict', description: 'Choose the source, the target or a value per field' },
			{ name: 'Retry', value: 'retry', action: 'Retry records', description: 'Retry one, selected or all matching records (Retry Selected, Retry All)' },
		],
		default: 'list',
	},

	// ---------------------------------------------------------------- item id
	{
		displayName: 'Review Item ID',
		name: 'itemId',
		type: 'string',
		default: '',
		placeholder: 'rev_…',
		displayOptions: show('get', 'editData', 'approve', 'discard', 'resolveConflict', 'recordSuccess', 'recordFailure'),
		description:
			"Empty: taken from the input item (the Review Queue Trigger's review.itemId, a failed item's record.review.itemId, or the Error Policy's decision.reviewItemId)",
	},

	// ---------------------------------------------------------------- add
	{
		displayName: 'Mapping ID',
		name: 'mappingId',
		type: 'string',
		default: '',
		displayOptions: show('add'),
		description: 'Tags the parked records with this mapping; empty: the mapping the item names, if any',
	},

	// ---------------------------------------------------------------- list / retry filters
	filterCollection('filters', 'Filters', ['list', 'retry']),
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		default: false,
		displayOptions: show('list'),
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 50,
		displayOptions: { show: { operation: ['list'], returnAll: [false] } },
		description: 'Max number of results to return',
	},
	{
		displayName: 'Options',
		name: 'listOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show('list'),
		options: [
			{ displayName: 'Page Cursor', name: 'cursor', type: 'string', default: '', description: 'The nextCursor of a previous page' },
			{
				displayName: 'Order',
				name: 'order',
				type: 'options',
				options: [
					{ name: 'Newest First', value: 'newest' },
					{ name: 'Oldest First', value: 'oldest' },
				],
				default: 'newest',
			},
		],
	},

	// ---------------------------------------------------------------- edit data
	{
		displayName: 'Data Source',
		name: 'dataSource',
		type: 'options',
		options: [
			{ name: 'JSON', value: 'json', description: 'Replace the whole record' },
			{ name: 'Fields', value: 'fields', description: 'Set some fields (dotted paths), keep the rest' },
		],
		default: 'fields',
		displayOptions: show('editData'),
	},
	{
		displayName: 'Data (JSON)',
		name: 'dataJson',
		type: 'json',
		default: '{}',
		displayOptions: { show: { operation: ['editData'], dataSource: ['json'] } },
	},
	{
		displayName: 'Fields',
		name: 'fields',
		type: 'fixedCollection',
		placeholder: 'Add Field',
		typeOptions: { multipleValues: true },
		default: {},
		displayOptions: { show: { operation: ['editData'], dataSource: ['fields'] } },
		options: [
			{
				name: 'field',
				displayName: 'Field',
				values: [
					{ displayName: 'Path', name: 'path', type: 'string', default: '', placeholder: 'fields.email', description: 'Dotted path in the record' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '', description: 'Text; JSON values (numbers, true, null, objects) are parsed' },
				],
			},
		],
	},
	{
		displayName: 'Approve After Edit',
		name: 'approveAfterEdit',
		type: 'boolean',
		default: true,
		displayOptions: show('editData'),
		description: 'Whether to queue the corrected record for retry right away (edit and approve)',
	},
	{
		displayName: 'Note',
		name: 'note',
		type: 'string',
		default: '',
		displayOptions: show('approve', 'discard', 'editData', 'recordSuccess', 'resolveConflict'),
		description: 'Kept with the item (why it was discarded, what was corrected)',
	},

	// ---------------------------------------------------------------- resolve conflict
	{
		displayName: 'Resolution',
		name: 'resolution',
		type: 'options',
		options: [
			{ name: 'Source Wins', value: 'source', description: "Every conflicting field takes the source's value" },
			{ name: 'Target Wins', value: 'target', description: "Every conflicting field takes the target's value" },
			{ name: 'Per Field', value: 'perField', description: 'Choose for each field' },
		],
		default: 'source',
		displayOptions: show('resolveConflict'),
	},
	{
		displayName: 'Field Choices',
		name: 'fieldChoices',
		type: 'fixedCollection',
		placeholder: 'Add Field',
		typeOptions: { multipleValues: true },
		default: {},
		displayOptions: { show: { operation: ['resolveConflict'], resolution: ['perField'] } },
		description: 'Fields not listed take the source value',
		options: [
			{
				name: 'choice',
				displayName: 'Field',
				values: [
					{ displayName: 'Field', name: 'field', type: 'string', default: '', description: 'The conflicting field (target path, as the conflict lists it)' },
					{
						displayName: 'Take',
						name: 'take',
						type: 'options',
						options: [
							{ name: 'Source Value', value: 'source' },
							{ name: 'Target Value', value: 'target' },
							{ name: 'This Value', value: 'value' },
						],
						default: 'source',
					},
					{ displayName: 'Value', name: 'value', type: 'string', default: '', displayOptions: { show: { take: ['value'] } }, description: 'Text; JSON values are parsed' },
				],
			},
		],
	},

	// ---------------------------------------------------------------- retry
	{
		displayName: 'Retry',
		name: 'retryScope',
		type: 'options',
		options: [
			{ name: 'One Record', value: 'one' },
			{ name: 'Selected Records', value: 'selected', description: 'Retry Selected: a list of review item IDs' },
			{ name: 'All Matching', value: 'all', description: 'Retry All: every active record that matches the filters' },
		],
		default: 'selected',
		displayOptions: show('retry'),
	},
	{
		displayName: 'Review Item IDs',
		name: 'itemIds',
		type: 'string',
		default: '',
		placeholder: 'rev_1, rev_2',
		displayOptions: { show: { operation: ['retry'], retryScope: ['one', 'selected'] } },
		description: 'Comma-separated; empty: taken from the input item (review.itemId, decision.reviewItemId, ID or IDs)',
	},
	{
		displayName: 'Retry Mode',
		name: 'retryMode',
		type: 'options',
		options: [
			{ name: 'Queue for the Retry Worker', value: 'queue', description: 'Mark them approved: the Review Queue Trigger emits them on its next poll' },
			{ name: 'Emit Now', value: 'emit', description: 'Output the records here for a retry path; they are held from the worker meanwhile' },
		],
		default: 'queue',
		displayOptions: show('retry'),
	},
	{
		displayName: 'Hold (Minutes)',
		name: 'holdMinutes',
		type: 'number',
		typeOptions: { minValue: 1 },
		default: 15,
		displayOptions: { show: { operation: ['retry'], retryMode: ['emit'] } },
		description: 'If no Record Retry Success/Failure arrives within this time, the retry worker retries the record itself',
	},

	// ---------------------------------------------------------------- metrics
	{
		displayName: 'Filters',
		name: 'metricFilters',
		type: 'collection',
		placeholder: 'Add Filter',
		default: {},
		displayOptions: show('metrics'),
		options: [
			{ displayName: 'Mapping ID', name: 'mappingId', type: 'string', default: '' },
			{ displayName: 'From', name: 'from', type: 'dateTime', default: '' },
			{ displayName: 'To', name: 'to', type: 'dateTime', default: '' },
		],
	},

	// ---------------------------------------------------------------- dashboard
	{
		displayName:
			'Protect the dashboard Webhook with Basic Auth or Header Auth (its Authentication setting): anyone who can open the page can retry and discard records',
		name: 'dashboardNotice',
		type: 'notice',
		default: '',
		displayOptions: show('handleDashboard', 'renderDashboard'),
	},
	{
		displayName: 'Form Secret',
		name: 'formSecret',
		type: 'string',
		typeOptions: { password: true },
		default: '',
		displayOptions: show('handleDashboard', 'renderDashboard'),
		description: 'Signs the form token that every button posts back (any long random text). Empty: a per-process secret, so forms stop working after a restart.',
	},
	{
		displayName: 'Dashboard Options',
		name: 'dashboardOptions',
		type: 'collection',
		placeholder: 'Add Option',
		default: {},
		displayOptions: show('handleDashboard', 'renderDashboard'),
		options: [
			{ displayName: 'Category', name: 'category', type: 'string', default: '', description: 'Default category filter (Connection, Data, Mapping)' },
			{ displayName: 'Mapping ID', name: 'mapping', type: 'string', default: '', description: 'Default mapping filter' },
			{ displayName: 'Page Size', name: 'pageSize', type: 'number', typeOptions: { minValue: 1 }, default: 50, description: 'Records per page (at most 200)' },
			{ displayName: 'Read Only', name: 'readOnly', type: 'boolean', default: false, description: 'Whether to hide the effect of the buttons (list and inspect only)' },
			{ displayName: 'Status', name: 'status', type: 'string', default: 'active', description: 'Default status filter: active, all, or one status' },
			{ displayName: 'Title', name: 'title', type: 'string', default: 'FluxCascade · Sync errors' },
		],
	},

	...reviewStoreProperties,
];
