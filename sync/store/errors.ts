export type StoreErrorCode =
	/** A caller passed something the store cannot use (bad timestamp, bad cursor, unknown status). */
	| 'INVALID_INPUT'
	/** The operation does not apply to the record's current state (editing a resolved review item). */
	| 'INVALID_STATE'
	/** A uniqueness rule refused the write (e.g. reopening a review item whose dedupe key is active again). */
	| 'CONFLICT'
	/** The database was migrated by a newer version of this package. */
	| 'SCHEMA_TOO_NEW'
	/** The backend cannot be used here (no node:sqlite, database unreachable). */
	| 'UNAVAILABLE'
	/** The store handle was closed. */
	| 'CLOSED';

export class StoreError extends Error {
	constructor(
		readonly code: StoreErrorCode,
		message: string,
		options?: { cause?: unknown },
	) {
		super(message, options);
		this.name = 'StoreError';
	}
}
