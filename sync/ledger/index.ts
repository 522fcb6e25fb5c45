/**
 * The Sync Ledger engine (SPEC §5), pure TypeScript with no n8n imports: record pairing, change detection
 * against per-side snapshots, echo suppression, field-level merge and conflict resolution, crash-safe creates
 * and dry runs. See README.md for the semantics.
 */
export * from './types';
export { plan, prepare, later, LedgerConfigError, TARGET_INTENT_PREFIX } from './plan';
export { commit, isSyncContext, type CommitOptions } from './commit';
export { unlink, forget, stats } from './admin';
export { merge, resolveConflict, type Resolver } from './merge';
export { normaliseKey, compileMatchKey } from './matchKey';
export { sameValue, FieldModel, fieldModel } from './fields';
export {
	getCheckpoints,
	resetCheckpoints,
	newestCheckpoint,
	workKey,
	recordPlanCheckpoints,
	finishCheckpointWork,
	type PlanCheckpoints,
	type CheckpointsForRun,
} from './checkpoint';
export { claimMatchKeys, releaseMatchKeys, type KeyClaim, type KeyTwin } from './keys';
