/**
 * Validates sandbox requests and responses against the vendors' official OpenAPI documents in
 * ../shared/reference/specs, so "faithful to the spec" is checked rather than claimed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse as parseYaml } from 'yaml';

export const SPECS_DIR = path.resolve(__dirname, '../../../shared/reference/specs');
export const RECORDED_DIR = path.resolve(__dirname, '../../../shared/reference/recorded');

const ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false, validateFormats: true });
addFormats(ajv);
const loaded = new Set<string>();
const compiled = new Map<string, ValidateFunction>();

/** Loads a spec (JSON or YAML) by its path under specs/, e.g. `hubspot/contacts-v3.json`. */
function ensureSpec(spec: string): Record<string, any> {
	const id = `spec:${spec}`;
	if (!loaded.has(spec)) {
		const text = fs.readFileSync(path.join(SPECS_DIR, spec), 'utf8');
		const doc = spec.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
		ajv.addSchema(doc, id);
		loaded.add(spec);
	}
	return ajv.getSchema(id)?.schema as Record<string, any>;
}

function pointer(...parts: string[]): string {
	return parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

function raw(spec: string): Record<string, any> {
	const text = fs.readFileSync(path.join(SPECS_DIR, spec), 'utf8');
	return spec.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
}
const rawCache = new Map<string, Record<string, any>>();
function doc(spec: string): Record<string, any> {
	if (!rawCache.has(spec)) rawCache.set(spec, raw(spec));
	return rawCache.get(spec)!;
}

function validatorFor(spec: string, ref: string): ValidateFunction {
	ensureSpec(spec);
	const key = `${spec}#${ref}`;
	let fn = compiled.get(key);
	if (!fn) {
		fn = ajv.compile({ $ref: `spec:${spec}#/${ref}` });
		compiled.set(key, fn);
	}
	return fn;
}

function explain(fn: ValidateFunction): string[] {
	return (fn.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/**
 * Errors of a response body against the spec's schema for (method, path template, status); [] when valid.
 * Throws when the spec documents no JSON schema for that response, so a typo cannot pass silently.
 */
export function validateResponse(spec: string, method: string, pathTemplate: string, status: number | string, body: unknown): string[] {
	const op = doc(spec).paths?.[pathTemplate]?.[method.toLowerCase()];
	if (!op) throw new Error(`${spec} has no operation ${method} ${pathTemplate}`);
	const statusKey = op.responses?.[String(status)] ? String(status) : op.responses?.default ? 'default' : undefined;
	if (!statusKey) throw new Error(`${spec} ${method} ${pathTemplate} documents no response ${status}`);
	const content = op.responses[statusKey].content;
	const mediaType = content && Object.keys(content).find((t) => t.includes('json'));
	if (!mediaType || !content[mediaType].schema) throw new Error(`${spec} ${method} ${pathTemplate} ${status} has no JSON schema`);
	const fn = validatorFor(spec, pointer('paths', pathTemplate, method.toLowerCase(), 'responses', statusKey, 'content', mediaType, 'schema'));
	return fn(body) ? [] : explain(fn);
}

/** Errors of a request body against the spec's requestBody schema; [] when valid. */
export function validateRequest(spec: string, method: string, pathTemplate: string, body: unknown): string[] {
	const op = doc(spec).paths?.[pathTemplate]?.[method.toLowerCase()];
	if (!op) throw new Error(`${spec} has no operation ${method} ${pathTemplate}`);
	const content = op.requestBody?.content;
	const mediaType = content && Object.keys(content).find((t) => t.includes('json'));
	if (!mediaType) throw new Error(`${spec} ${method} ${pathTemplate} has no JSON request body`);
	const fn = validatorFor(spec, pointer('paths', pathTemplate, method.toLowerCase(), 'requestBody', 'content', mediaType, 'schema'));
	return fn(body) ? [] : explain(fn);
}

/** A recorded real response from ../shared/reference/recorded, e.g. `hubspot/contacts-batch-read.json`. */
export function recorded<T = any>(file: string): T {
	return JSON.parse(fs.readFileSync(path.join(RECORDED_DIR, file), 'utf8')) as T;
}

/**
 * The "shape" of a JSON value: keys and value types, recursively (arrays by their first element).
 * Used to assert that the sandbox reproduces a recorded response's keys, types and envelope.
 */
export function shapeOf(value: unknown): unknown {
	if (value === null) return 'null';
	if (Array.isArray(value)) return value.length ? [shapeOf(value[0])] : [];
	if (typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const key of Object.keys(value as object).sort()) out[key] = shapeOf((value as Record<string, unknown>)[key]);
		return out;
	}
	return typeof value;
}

/** Keys (dotted paths) present in `expected` but missing in `actual`, comparing shapes recursively. */
export function missingKeys(expected: unknown, actual: unknown, prefix = ''): string[] {
	if (expected === null || typeof expected !== 'object') return [];
	if (Array.isArray(expected)) {
		if (!Array.isArray(actual)) return [`${prefix || '(root)'} (expected array)`];
		return expected.length && actual.length ? missingKeys(expected[0], actual[0], `${prefix}[0]`) : [];
	}
	if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return [`${prefix || '(root)'} (expected object)`];
	const out: string[] = [];
	for (const key of Object.keys(expected)) {
		const p = prefix ? `${prefix}.${key}` : key;
		if (!(key in (actual as object))) out.push(p);
		else out.push(...missingKeys((expected as any)[key], (actual as any)[key], p));
	}
	return out;
}
