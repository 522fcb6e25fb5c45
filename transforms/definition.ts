import type { z } from 'zod';
import type { TransformName } from './types';
import type { Impl } from './util';

export type OptionFieldType = 'string' | 'number' | 'boolean' | 'options' | 'json';

/** One option as a UI renders it (n8n node parameters map onto this one to one). */
export interface OptionField {
	name: string;
	displayName: string;
	type: OptionFieldType;
	/** Taken from the zod schema, so the UI and the validator cannot disagree. undefined when required or optional without a default. */
	default: unknown;
	description: string;
	/** True when the option has no default and must be set. */
	required: boolean;
	/** What values are allowed, in words; used in TransformConfigError messages and as a UI hint. */
	allowed: string;
	/** Choices for type 'options' (n8n's {name, value} shape). */
	options?: Array<{ name: string; value: string }>;
}

/** An option field as a transform declares it; default and required come from the schema. */
export type OptionFieldDecl = Omit<OptionField, 'default' | 'required' | 'allowed'> & { allowed?: string };

/** Metadata of one transform, for UIs. */
export interface TransformInfo {
	name: TransformName;
	displayName: string;
	description: string;
	/** The zod schema that compileTransform validates options with (strict: unknown options are refused). */
	options: z.ZodTypeAny;
	optionFields: OptionField[];
}

/** A transform as implemented: metadata plus a compiler from validated options to a body. */
export interface TransformDefinition<S extends z.ZodTypeAny = z.ZodTypeAny> {
	name: TransformName;
	displayName: string;
	description: string;
	options: S;
	optionFields: OptionFieldDecl[];
	compile(options: z.output<S>): Impl;
}

/** Keeps each definition's option type precise while the registry stores them uniformly. */
export function defineTransform<S extends z.ZodTypeAny>(def: TransformDefinition<S>): TransformDefinition {
	return def as unknown as TransformDefinition;
}

/** Thrown by a compile() that finds a problem zod cannot express (conflicting map keys); becomes a TransformConfigError. */
export class OptionProblem extends Error {
	constructor(
		readonly option: string,
		message: string,
	) {
		super(message);
		this.name = 'OptionProblem';
	}
}
