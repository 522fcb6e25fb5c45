import type { ClassifiedError } from '../errors/taxonomy';

/** The exact transform names of SPEC §4. */
export const TRANSFORM_NAMES = [
	'trim',
	'lowercase',
	'uppercase',
	'phone_e164',
	'date_iso',
	'split_name',
	'concatenate',
	'value_map',
	'truncate',
	'default',
	'address_single_line',
	'address_parse_street',
	'address_parse_city',
	'address_parse_state',
	'address_parse_zip',
	'country_code',
	'email_validate',
] as const;

export type TransformName = (typeof TRANSFORM_NAMES)[number];

/** One step of a chain as users configure it: a name and its options (validated by the transform's zod schema). */
export interface TransformSpec {
	name: TransformName;
	options?: Record<string, unknown>;
}

export type TransformResult = { ok: true; value: unknown } | { ok: false; error: ClassifiedError };

/** Context of one application: the field being transformed (named in every error). */
export interface TransformContext {
	field: string;
}

/** A transform whose options were validated once; applying it never throws. */
export type CompiledTransform = (value: unknown, ctx: TransformContext) => TransformResult;

/** Thrown at configuration time (unknown transform, bad option): a mistake in the mapping, not in a record. */
export class TransformConfigError extends Error {
	constructor(
		message: string,
		readonly transform: string,
		readonly option?: string,
	) {
		super(message);
		this.name = 'TransformConfigError';
	}
}

/** Output of split_name: one name → its parts. */
export interface NameParts {
	prefix: string;
	firstName: string;
	middleName: string;
	lastName: string;
	suffix: string;
	/** True when the input looks like a business name ("Acme Plumbing LLC"); then lastName holds it whole. */
	isCompany: boolean;
}

/** A postal address split into parts (US and Canadian formats). */
export interface AddressParts {
	street1: string;
	street2: string;
	city: string;
	/** State or province code where recognised (IL, QC), otherwise as written. */
	province: string;
	postalCode: string;
	/** ISO alpha-2 when recognised or implied by the postal code (US, CA), else as written, or ''. */
	country: string;
}
