/**
 * Cursor storage in n8n's workflow static data (the n8n poll convention). It sits behind the CursorStore
 * interface of connectors/salesforce/cursor.ts, the same shape as the durable store's cursor API, so the
 * trigger can switch to sync/store (crash-safe, shared across workers) by swapping this one class.
 */
import type { IDataObject } from 'n8n-workflow';
import type { CursorStore } from '../../connectors/salesforce';

export class StaticDataCursorStore implements CursorStore {
	constructor(private readonly data: IDataObject) {}

	private get cursors(): IDataObject {
		if (!this.data.cursors || typeof this.data.cursors !== 'object') this.data.cursors = {};
		return this.data.cursors as IDataObject;
	}

	async get(key: string): Promise<{ value: string } | null> {
		const value = this.cursors[key];
		return typeof value === 'string' ? { value } : null;
	}

	async set(key: string, value: string): Promise<void> {
		this.cursors[key] = value;
	}
}
