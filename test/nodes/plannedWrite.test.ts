/** "As Planned" batch writes: what a Sync Ledger decision turns into for a vendor node. */
import { ConnectorError } from '../../connectors/core/errors';
import { plannedWrite } from '../../nodes/shared/plannedWrite';

describe('plannedWrite', () => {
	it('a create is an upsert by the match key unless the Plan saw every target record', () => {
		expect(plannedWrite({ action: 'create', upsert: false }, { canUpsert: true })).toBe('upsert');
		expect(plannedWrite({ action: 'create', upsert: false }, { canUpsert: true, createsAreChecked: true })).toBe('create');
	});

	it('a create the ledger flags as possibly done before stays an upsert even when the Plan saw everything', () => {
		expect(plannedWrite({ action: 'create', upsert: true }, { canUpsert: true, createsAreChecked: true })).toBe('upsert');
	});

	it('without a match key to upsert by, a create is a create', () => {
		expect(plannedWrite({ action: 'create', upsert: true }, { canUpsert: false })).toBe('create');
	});

	it('updates update; deletes and archives delete', () => {
		expect(plannedWrite({ action: 'update' }, { canUpsert: true })).toBe('update');
		expect(plannedWrite({ action: 'delete' }, { canUpsert: true })).toBe('delete');
		expect(plannedWrite({ action: 'archive' }, { canUpsert: false })).toBe('delete');
	});

	it('an item that is no decision is a record-level Invalid Format naming the action field and its value', () => {
		for (const json of [{ name: 'plain' }, { action: 'created' }, { action: null }]) {
			let thrown: unknown;
			try {
				plannedWrite(json, { canUpsert: true });
			} catch (err) {
				thrown = err;
			}
			expect(thrown).toBeInstanceOf(ConnectorError);
			expect((thrown as ConnectorError).classified).toMatchObject({ code: 'INVALID_FORMAT', field: 'action', retryable: false });
			expect((thrown as ConnectorError).classified.message).toContain(JSON.stringify(json.action ?? null));
		}
	});
});
