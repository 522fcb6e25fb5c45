import { z } from 'zod';
import { classifiedError } from '../errors/taxonomy';
import {
	addressParseCity,
	addressParseState,
	addressParseStreet,
	addressParseZip,
	addressSingleLine,
} from './address';
import { countryCode } from './country';
import { dateIso } from './date';
import { OptionProblem, type OptionField, type TransformDefinition, type TransformInfo } from './definition';
import { emailValidate } from './email';
import { splitNameTransform } from './name';
import { phoneE164 } from './phone';
import { concatenate, defaultValue, lowercase, trim, truncate, uppercase } from './text';
import {
	TRANSFORM_NAMES,
	TransformConfigError,
	type CompiledTransform,
	type TransformContext,
	type TransformName,
	type TransformResult,
	type TransformSpec,
} from './types';
import { show } from './util';
import { valueMap } from './valueMap';

export const DEFINITIONS: Record<TransformName, TransformDefinition> = {
	trim,
	lowercase,
	uppercase,
	phone_e164: phoneE164,
	date_iso: dateIso,
	split_name: splitNameTransform,
	concatenate,
	value_map: valueMap,
	truncate,
	default: defaultValue,
	address_single_line: addressSingleLine,
	address_parse_street: addressParseStreet,
	address_parse_city: addressParseCity,
	address_parse_state: addressParseState,
	address_parse_zip: addressParseZip,
	country_code: countryCode,
	email_validate: emailValidate,
};

/** Peels wrappers off a zod field to find its default and whether it may be left out. */
function fieldFacts(schema: z.ZodTypeAny): { default: unknown; required: boolean } {
	let current: z.ZodTypeAny = schema;
	for (;;) {
		if (current instanceof z.ZodDefault) return { default: current._def.defaultValue(), required: false };
		if (current instanceof z.ZodOptional) return { default: undefined, required: false };
		if (current instanceof z.ZodEffects) current = current._def.schema;
		else return { default: undefined, required: true };
	}
}

function objectShape(schema: z.ZodTypeAny): Record<string, z.ZodTypeAny> {
	let current: z.ZodTypeAny = schema;
	while (current instanceof z.ZodEffects) current = current._def.schema;
	return current instanceof z.ZodObject ? (current.shape as Record<string, z.ZodTypeAny>) : {};
}

const ALLOWED_BY_TYPE: Record<OptionField['type'], string> = {
	string: 'text',
	number: 'a number',
	boolean: 'true or false',
	options: '',
	json: 'any JSON value',
};

function describeTransform(def: TransformDefinition): TransformInfo {
	const shape = objectShape(def.options);
	const optionFields: OptionField[] = def.optionFields.map((decl) => {
		const facts = shape[decl.name] ? fieldFacts(shape[decl.name]) : { default: undefined, required: false };
		const allowed =
			decl.allowed ??
			(decl.type === 'options' && decl.options ? `one of ${decl.options.map((o) => o.value).join(', ')}` : ALLOWED_BY_TYPE[decl.type]);
		return { ...decl, allowed, default: facts.default, required: facts.required };
	});
	return { name: def.name, displayName: def.displayName, description: def.description, options: def.options, optionFields };
}

/** Metadata of every transform, for UIs: option forms are generated from optionFields. */
export const TRANSFORMS: Readonly<Record<TransformName, TransformInfo>> = Object.freeze(
	Object.fromEntries(TRANSFORM_NAMES.map((name) => [name, describeTransform(DEFINITIONS[name])])) as Record<TransformName, TransformInfo>,
);

export function isTransformName(name: unknown): name is TransformName {
	return typeof name === 'string' && Object.prototype.hasOwnProperty.call(DEFINITIONS, name);
}

function unknownTransform(name: unknown): TransformConfigError {
	const shown = typeof name === 'string' ? `"${name}"` : show(name);
	return new TransformConfigError(
		`Unknown transform ${shown}. Allowed: ${TRANSFORM_NAMES.join(', ')}`,
		typeof name === 'string' ? name : String(name),
	);
}

/** Turns the first zod issue into a sentence naming the transform, the option and what is allowed. */
function optionError(name: TransformName, error: z.ZodError): TransformConfigError {
	const info = TRANSFORMS[name];
	const issue = error.issues[0];
	const allowedOptions = info.optionFields.map((f) => f.name);
	if (issue.code === z.ZodIssueCode.unrecognized_keys) {
		const option = issue.keys[0];
		const allowed = allowedOptions.length > 0 ? `Allowed options: ${allowedOptions.join(', ')}` : 'It takes no options';
		return new TransformConfigError(`Transform "${name}": unknown option "${option}". ${allowed}`, name, option);
	}
	const option = issue.path.length > 0 ? String(issue.path[0]) : undefined;
	if (option === undefined) {
		return new TransformConfigError(`Transform "${name}": options must be an object (${issue.message})`, name);
	}
	const fieldInfo = info.optionFields.find((f) => f.name === option);
	const allowed = fieldInfo ? ` Allowed: ${fieldInfo.allowed}.` : '';
	const problem =
		issue.code === z.ZodIssueCode.invalid_type && issue.received === 'undefined'
			? 'is required'
			: `is invalid: ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`;
	return new TransformConfigError(`Transform "${name}": option "${option}" ${problem}.${allowed}`, name, option);
}

function validateOptions(name: TransformName, options: unknown): unknown {
	const parsed = DEFINITIONS[name].options.safeParse(options ?? {});
	if (!parsed.success) throw optionError(name, parsed.error);
	return parsed.data;
}

/** Checks a spec's options without compiling (for parseChain); returns the validated options. */
export function checkSpec(spec: TransformSpec): unknown {
	if (!isTransformName(spec.name)) throw unknownTransform(spec.name);
	return validateOptions(spec.name, spec.options);
}

/**
 * Validates the options once and returns a function that never throws: a value the transform cannot
 * handle becomes a classified error naming the field and the value.
 */
export function compileTransform(spec: TransformSpec): CompiledTransform {
	if (typeof spec !== 'object' || spec === null) {
		throw new TransformConfigError(`A transform must be an object {name, options}, got ${show(spec)}`, String(spec));
	}
	const name = spec.name;
	if (!isTransformName(name)) throw unknownTransform(name);
	const options = validateOptions(name, spec.options);
	let impl: ReturnType<TransformDefinition['compile']>;
	try {
		impl = DEFINITIONS[name].compile(options);
	} catch (err) {
		if (err instanceof OptionProblem) {
			throw new TransformConfigError(`Transform "${name}": option "${err.option}" is invalid: ${err.message}`, name, err.option);
		}
		throw new TransformConfigError(`Transform "${name}": options are invalid: ${(err as Error).message}`, name);
	}
	return (value: unknown, ctx: TransformContext): TransformResult => {
		const field = ctx?.field ?? '';
		try {
			return impl(value, field);
		} catch (err) {
			// A bug or an exotic value must cost one record, never the batch.
			return {
				ok: false,
				error: classifiedError('TRANSFORM_FAILED', {
					message: `Field "${field}": transform ${name} failed on ${show(value)}: ${(err as Error)?.message ?? String(err)}`,
					field,
					value,
				}),
			};
		}
	};
}

const identity: CompiledTransform = (value) => ({ ok: true, value });

/** Applies the steps in order and stops at the first failure (whose error names the value that step received). */
export function compileChain(specs: readonly TransformSpec[]): CompiledTransform {
	if (!Array.isArray(specs)) {
		throw new TransformConfigError(`A transform chain must be an array of {name, options}, got ${show(specs)}`, String(specs));
	}
	const steps = specs.map((spec, i) => {
		try {
			return compileTransform(spec);
		} catch (err) {
			if (err instanceof TransformConfigError && specs.length > 1) {
				throw new TransformConfigError(`Step ${i + 1} of the chain: ${err.message}`, err.transform, err.option);
			}
			throw err;
		}
	});
	if (steps.length === 0) return identity;
	if (steps.length === 1) return steps[0];
	return (value, ctx) => {
		let current = value;
		for (const step of steps) {
			const result = step(current, ctx);
			if (!result.ok) return result;
			current = result.value;
		}
		return { ok: true, value: current };
	};
}

const applyCache = new Map<string, CompiledTransform>();

/** One-off application; compiled transforms are cached by spec so loops over it stay cheap. */
export function applyTransform(spec: TransformSpec, value: unknown, field: string): TransformResult {
	let key: string | undefined;
	try {
		key = JSON.stringify(spec);
	} catch {
		key = undefined;
	}
	let compiled = key === undefined ? undefined : applyCache.get(key);
	if (!compiled) {
		compiled = compileTransform(spec);
		if (key !== undefined) {
			if (applyCache.size >= 256) applyCache.clear();
			applyCache.set(key, compiled);
		}
	}
	return compiled(value, { field });
}
