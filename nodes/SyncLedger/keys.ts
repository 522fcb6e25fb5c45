import { NodeOperationError, type IDataObject, type IExecuteFunctions, type INodeExecutionData, type INodeProperties } from 'n8n-workflow';
import { claimMatchKeys, releaseMatchKeys, type KeyClaim } from '../../sync/ledger';
import type { SyncStore } from '../../sync/store';

/**
 * Claim Match Keys / Release Match Keys: the store remembers which record of a run holds which normalised
 * match value, so a run split over several executions (a migration in chunks) still finds the records that
 * share an email or a phone across them. Kept apart from Plan and Commit: it pairs nothing and writes no snapshot.
 */

export const KEY_OPERATIONS = ['claimKeys', 'releaseKeys'] as const;

export const keyProperties: INodeProperties[] = [
	{
		displayName: 'Namespace',
		name: 'keyNamespace',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. hubspot-jobber-migration-1',
		displayOptions: { show: { operation: [...KEY_OPERATIONS] } },
		description: 'The run the claims belong to: the same text in every execution of the run, a new one for a new run',
	},
	{
		displayName: 'Record ID',
		name: 'keyRecordId',
		type: 'string',
		default: '={{ $json.id }}',
		required: true,
		displayOptions: { show: { operation: ['claimKeys'] } },
	},
	{
		displayName: 'Match Keys',
		name: 'matchKeys',
		type: 'json',
		default: '={{ $json.matchKeys }}',
		displayOptions: { show: { operation: ['claimKeys'] } },
		description:
			'An object of normalised values by field, e.g. {"email": "ann@example.com", "phone": "+12175550100"}; empty values are skipped. Each item comes out with keyTwins: the earlier records holding one of its values.',
	},
];

function keysAt(ctx: IExecuteFunctions, i: number): Record<string, unknown> {
	const raw = ctx.getNodeParameter('matchKeys', i, {}) as unknown;
	if (raw === undefined || raw === null || raw === '') return {};
	const value = typeof raw === 'string' ? (JSON.parse(raw) as unknown) : raw;
	if (typeof value !== 'object' || value === null || Array.isArray(value)) {
		throw new NodeOperationError(ctx.getNode(), 'Match Keys must be an object of values by field', { itemIndex: i });
	}
	return value as Record<string, unknown>;
}

/** Every item, in order, with `keyTwins` (one store row per value: memory stays per call). */
export async function runClaimKeys(ctx: IExecuteFunctions, store: SyncStore): Promise<INodeExecutionData[][]> {
	const items = ctx.getInputData();
	const namespace = String(ctx.getNodeParameter('keyNamespace', 0, '') ?? '');
	const claims: KeyClaim[] = items.map((_, i) => ({ id: String(ctx.getNodeParameter('keyRecordId', i, '') ?? ''), keys: keysAt(ctx, i) }));
	const twins = await claimMatchKeys(store, namespace, claims);
	return [items.map((item, i) => ({ json: { ...item.json, keyTwins: twins[i] as unknown as IDataObject[] }, pairedItem: { item: i } }))];
}

/** One item per input: how many values the namespace held. */
export async function runReleaseKeys(ctx: IExecuteFunctions, store: SyncStore, i: number): Promise<IDataObject> {
	const namespace = String(ctx.getNodeParameter('keyNamespace', i, '') ?? '');
	return { namespace, released: await releaseMatchKeys(store, namespace) };
}
