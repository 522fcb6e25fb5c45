import type { IDataObject, INodePropertyOptions } from 'n8n-workflow';
import { ConnectorError } from '../../connectors/core/errors';
import { classifiedError } from '../../errors/taxonomy';

/**
 * "As Planned": a batch write does what each item's Sync Ledger decision says (create, update, delete/archive), so
 * a template needs no IF node and no per-item expression to route the Plan's output — both cost n8n an
 * expression evaluation per item, which is most of a large sync's time outside the vendors' limits.
 */
export const PLANNED = 'planned';

export const plannedOption: INodePropertyOptions = {
	name: 'As Planned (Sync Ledger Decision)',
	value: PLANNED,
	description:
		"What each item's Sync Ledger Plan decision says: create (as an upsert by the match key, unless the decision says the Plan saw every record), update by its ID, or delete/archive",
};

export type PlannedWrite = 'create' | 'upsert' | 'update' | 'delete';

/**
 * The write an item's decision asks for. A create becomes an upsert by the match key (a record with that key may
 * exist without the Plan having seen it: a webhook or incremental run reads one side only), unless the node says
 * creates are safe as they are (`createsAreChecked`: the Plan was given every target record) and the ledger
 * does not flag the create as possibly done before (`upsert`: an interrupted earlier attempt).
 */
export function plannedWrite(json: IDataObject, options: { canUpsert: boolean; createsAreChecked?: boolean }): PlannedWrite {
	const action = json.action;
	if (action === 'create') {
		if (!options.canUpsert) return 'create';
		return json.upsert === true || !options.createsAreChecked ? 'upsert' : 'create';
	}
	if (action === 'update') return 'update';
	if (action === 'delete' || action === 'archive') return 'delete';
	// A record-level failure: the item goes to the Failed output with the field named, never lost.
	throw new ConnectorError(
		classifiedError('INVALID_FORMAT', {
			message: `Write "As Planned" needs the Sync Ledger Plan's decision on each item, but this item's "action" is ${JSON.stringify(action ?? null)} (expected create, update, delete or archive): connect a Plan output, or choose what to write`,
			field: 'action',
			value: action === undefined ? null : (action as never),
		}),
	);
}
