import {
	NodeOperationError,
	type ICredentialTestFunctions,
	type ICredentialsDecrypted,
	type IDataObject,
	type IExecuteFunctions,
	type INodeCredentialTestResult,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import { LedgerConfigError } from '../../sync/ledger';
import { MappingConfigError } from '../../sync/mapping';
import { configuredInputs, configuredOutputs, properties } from './description';
import { runCommit, runGetCheckpoints, runGetPair, runPlan, runStats, runUnlink } from './operations';
import { openNodeStore, postgresConfig } from '../shared/store';
import { runClaimKeys, runReleaseKeys } from './keys';

/**
 * The bidirectional core of a sync: Plan pairs and compares records of both sides and routes the writes,
 * the vendor nodes write, Commit stores what they confirmed. The engine is sync/ledger; this is its adapter.
 */
export class SyncLedger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Sync Ledger',
		name: 'syncLedger',
		icon: 'file:syncLedger.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"]}}',
		description: 'Two-way sync core: pair records, detect changes, suppress echoes, resolve conflicts, dry run',
		defaults: { name: 'Sync Ledger' },
		inputs: `={{(${configuredInputs})($parameter)}}`,
		outputs: `={{(${configuredOutputs})($parameter)}}`,
		credentials: [{ name: 'fluxSyncStoreApi', required: true, displayOptions: { show: { store: ['postgres'] } }, testedBy: 'fluxSyncStoreTest' }],
		properties,
	};

	methods = {
		credentialTest: {
			async fluxSyncStoreTest(this: ICredentialTestFunctions, credential: ICredentialsDecrypted): Promise<INodeCredentialTestResult> {
				const { Client } = await import('pg');
				const config = postgresConfig((credential.data ?? {}) as IDataObject);
				const client = new Client({ ...(config.kind === 'postgres' ? config.pool : {}), connectionTimeoutMillis: 5000 });
				client.on('error', () => undefined);
				try {
					await client.connect();
					await client.query('SELECT 1');
					return { status: 'OK', message: 'Connected' };
				} catch (err) {
					return { status: 'Error', message: (err as Error).message };
				} finally {
					await client.end().catch(() => undefined);
				}
			},
		},
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const operation = this.getNodeParameter('operation', 0) as string;
		const outputs = operation === 'plan' ? 6 : operation === 'commit' || operation === 'getPair' ? 2 : 1;
		let store;
		try {
			store = await openNodeStore(this);
		} catch (err) {
			return fail(this, err, outputs, 'The sync store could not be opened');
		}
		try {
			if (operation === 'plan') return await runPlan(this, store);
			if (operation === 'commit') return await runCommit(this, store);
			if (operation === 'getPair') return await runGetPair(this, store);
			if (operation === 'claimKeys') return await runClaimKeys(this, store);
			const items = this.getInputData();
			const out: INodeExecutionData[] = [];
			for (let i = 0; i < items.length; i++) {
				try {
					const json =
						operation === 'unlink'
							? await runUnlink(this, store, i)
							: operation === 'getCheckpoints'
								? await runGetCheckpoints(this, store, i)
								: operation === 'releaseKeys'
									? await runReleaseKeys(this, store, i)
									: await runStats(this, store, i);
					out.push({ json, pairedItem: { item: i } });
				} catch (err) {
					if (!this.continueOnFail()) throw asNodeError(this, err, i);
					out.push({ json: { error: (err as Error).message }, pairedItem: { item: i } });
				}
			}
			return [out];
		} catch (err) {
			return fail(this, err, outputs);
		} finally {
			await store.close();
		}
	}
}

function asNodeError(ctx: IExecuteFunctions, err: unknown, itemIndex = 0, description?: string): Error {
	if (err instanceof NodeOperationError) return err;
	const config = err instanceof MappingConfigError || err instanceof LedgerConfigError;
	return new NodeOperationError(ctx.getNode(), err as Error, {
		itemIndex,
		description: description ?? (config ? 'The mapping or the ledger settings need fixing; nothing was planned or stored.' : undefined),
	});
}

/** A batch operation failed as a whole (settings, store): fail the node, or emit one error item under Continue. */
function fail(ctx: IExecuteFunctions, err: unknown, outputs: number, description?: string): INodeExecutionData[][] {
	const error = asNodeError(ctx, err, 0, description);
	if (!ctx.continueOnFail()) throw error;
	const out: INodeExecutionData[][] = Array.from({ length: outputs }, () => []);
	out[0].push({ json: { error: error.message }, error: error as NodeOperationError, pairedItem: { item: 0 } });
	return out;
}
