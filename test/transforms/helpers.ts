import { isErrorCode, ERROR_CODES, type ClassifiedError } from '../../errors/taxonomy';
import { applyTransform, type TransformName, type TransformResult } from '../../transforms';

export const FIELD = 'field_x';

export function run(name: TransformName, options: Record<string, unknown> | undefined, value: unknown, field = FIELD): TransformResult {
	return applyTransform(options === undefined ? { name } : { name, options }, value, field);
}

/** The value of a successful application; fails the test with the error message otherwise. */
export function value(name: TransformName, options: Record<string, unknown> | undefined, input: unknown): unknown {
	const result = run(name, options, input);
	if (!result.ok) throw new Error(`expected ok, got ${result.error.code}: ${result.error.message}`);
	return result.value;
}

/** The error of a failed application; fails the test when it succeeded. */
export function error(name: TransformName, options: Record<string, unknown> | undefined, input: unknown, field = FIELD): ClassifiedError {
	const result = run(name, options, input, field);
	if (result.ok) throw new Error(`expected an error, got ${JSON.stringify(result.value)}`);
	return result.error;
}

/** A failure must be classified by the taxonomy, name the field and carry it. */
export function expectClassified(result: TransformResult, field = FIELD): void {
	if (result.ok) return;
	const e = result.error;
	expect(isErrorCode(e.code)).toBe(true);
	expect(e.category).toBe(ERROR_CODES[e.code].category);
	expect(e.error).toBe(ERROR_CODES[e.code].label);
	expect(e.field).toBe(field);
	expect(e.message).toContain(`"${field}"`);
	expect(e.message).not.toContain('Invalid DateTime');
	expect(typeof e.timestamp).toBe('string');
}
