/**
 * Match key claims (the historical migration's duplicate pre-flight across chunks): a record learns which earlier
 * records of the same run hold one of its normalised values, in any later call (a later chunk = a later n8n
 * execution); claiming again is harmless, namespaces are separate, and releasing a run forgets only its claims.
 */
import { claimMatchKeys, releaseMatchKeys } from '../../sync/ledger';
import type { SyncStore } from '../../sync/store';
import { backends, type LedgerDb } from './support';

describe.each(backends())('match key claims on $name', ({ create }) => {
	let db: LedgerDb;
	let store: SyncStore;
	beforeEach(async () => {
		db = await create();
		store = await db.open();
	});
	afterEach(async () => {
		await store.close();
		await db.dispose();
	});

	test('twins across calls, never itself, per namespace; release forgets one namespace', async () => {
		const first = await claimMatchKeys(store, 'run-1', [
			{ id: '1', keys: { email: 'ann@example.com', phone: '+12175550100' } },
			{ id: '2', keys: { email: 'bo@example.com', phone: '' } },
			{ id: '3', keys: { email: 'ann@example.com' } },
		]);
		expect(first).toEqual([[], [], [{ field: 'email', value: 'ann@example.com', ids: ['1'] }]]);
		// A later chunk: the phone of 1, the email of 2; record 1 read again (a chunk border) is no twin of itself.
		const later = await claimMatchKeys(store, 'run-1', [
			{ id: '4', keys: { email: 'cy@example.com', phone: '+12175550100' } },
			{ id: '5', keys: { email: 'bo@example.com', phone: null } },
			{ id: '1', keys: { email: 'ann@example.com', phone: '+12175550100' } },
		]);
		expect(later).toEqual([
			[{ field: 'phone', value: '+12175550100', ids: ['1'] }],
			[{ field: 'email', value: 'bo@example.com', ids: ['2'] }],
			[
				{ field: 'email', value: 'ann@example.com', ids: ['3'] },
				{ field: 'phone', value: '+12175550100', ids: ['4'] },
			],
		]);
		expect(await claimMatchKeys(store, 'run-2', [{ id: '9', keys: { email: 'ann@example.com' } }])).toEqual([[]]);
		expect(await releaseMatchKeys(store, 'run-1')).toBe(4);
		expect(await claimMatchKeys(store, 'run-1', [{ id: '9', keys: { email: 'ann@example.com' } }])).toEqual([[]]);
		expect(await claimMatchKeys(store, 'run-2', [{ id: '8', keys: { email: 'ann@example.com' } }])).toEqual([[{ field: 'email', value: 'ann@example.com', ids: ['9'] }]]);
		await expect(claimMatchKeys(store, ' ', [])).rejects.toThrow(/namespace/);
		// Three sharers in one call and one more later: each sees the ones before it, in order.
		expect(
			await claimMatchKeys(store, 'run-3', [
				{ id: 'a', keys: { phone: '+1' } },
				{ id: 'b', keys: { phone: '+1', email: 'x' } },
				{ id: 'c', keys: { phone: '+1', email: 'x' } },
			]),
		).toEqual([
			[],
			[{ field: 'phone', value: '+1', ids: ['a'] }],
			[
				{ field: 'phone', value: '+1', ids: ['a', 'b'] },
				{ field: 'email', value: 'x', ids: ['b'] },
			],
		]);
		expect(await claimMatchKeys(store, 'run-3', [{ id: 'd', keys: { phone: '+1' } }])).toEqual([[{ field: 'phone', value: '+1', ids: ['a', 'b', 'c'] }]]);
	});
});
