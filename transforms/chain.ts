import { checkSpec, isTransformName, TRANSFORMS } from './registry';
import { TRANSFORM_NAMES, TransformConfigError, type TransformName, type TransformSpec } from './types';

/*
 * Compact chain syntax for UIs and presets:
 *   trim | lowercase
 *   phone_e164(defaultCountry=CA)
 *   date_iso(inputFormat=MM/dd/yyyy, zone=America/Chicago)
 *   truncate(maxLength=40, ellipsis="…")
 *   value_map({"map": {"Lead": "lead"}, "fallback": "other"})
 * Values are text unless the option is numeric or boolean; "quoted" values are JSON strings (for commas,
 * parentheses or pipes), and values starting with { or [ are JSON.
 */

interface Piece {
	text: string;
	/** Offset of text[0] in the whole chain. */
	at: number;
}

function chainError(message: string, at: number, transform = '', option?: string): TransformConfigError {
	return new TransformConfigError(`Transform chain, column ${at + 1}: ${message}`, transform, option);
}

/** Splits on a separator outside quotes and brackets; reports unbalanced brackets and quotes where they are. */
function splitTopLevel(text: string, separator: string, offset: number): Piece[] {
	const pieces: Piece[] = [];
	const stack: Array<{ close: string; at: number }> = [];
	let start = 0;
	for (let i = 0; i < text.length; i++) {
		const c = text[i];
		if (c === '"') {
			const open = i;
			for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
			if (i >= text.length) throw chainError('unterminated quoted value', offset + open);
		} else if (c === '(' || c === '{' || c === '[') stack.push({ close: c === '(' ? ')' : c === '{' ? '}' : ']', at: i });
		else if (c === ')' || c === '}' || c === ']') {
			const top = stack.pop();
			if (!top || top.close !== c) throw chainError(`unexpected "${c}"`, offset + i);
		} else if (c === separator && stack.length === 0) {
			pieces.push({ text: text.slice(start, i), at: offset + start });
			start = i + 1;
		}
	}
	if (stack.length > 0) {
		const open = stack[stack.length - 1];
		throw chainError(`"${text[open.at]}" is never closed`, offset + open.at);
	}
	pieces.push({ text: text.slice(start), at: offset + start });
	return pieces;
}

/** Trims a piece, keeping its offset right. */
function trimPiece(piece: Piece): Piece {
	const lead = piece.text.length - piece.text.trimStart().length;
	return { text: piece.text.trim(), at: piece.at + lead };
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const NUMBER = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?$/i;

function parseJson(text: string, at: number, name: string, option?: string): unknown {
	try {
		return JSON.parse(text);
	} catch (err) {
		throw chainError(`invalid JSON for ${option ? `option "${option}"` : name}: ${(err as Error).message}`, at, name, option);
	}
}

/** Raw text to a value: numeric and boolean options get numbers and booleans when the text says so. */
function coerce(name: TransformName, option: string, raw: string): unknown {
	const field = TRANSFORMS[name].optionFields.find((f) => f.name === option);
	if (field?.type === 'number' && NUMBER.test(raw)) return Number(raw);
	if (field?.type === 'boolean' && /^(true|false)$/i.test(raw)) return raw.toLowerCase() === 'true';
	return raw;
}

function parseArguments(name: TransformName, args: Piece): Record<string, unknown> | undefined {
	if (args.text === '') return undefined;
	if (args.text.startsWith('{')) {
		const options = parseJson(args.text, args.at, name);
		if (typeof options !== 'object' || options === null || Array.isArray(options)) {
			throw chainError(`the options of ${name} must be a JSON object`, args.at, name);
		}
		return options as Record<string, unknown>;
	}
	const options: Record<string, unknown> = {};
	for (const rawPiece of splitTopLevel(args.text, ',', args.at)) {
		const piece = trimPiece(rawPiece);
		const eq = piece.text.indexOf('=');
		if (eq < 0) throw chainError(`expected option=value in ${name}(…), got "${piece.text}"`, piece.at, name);
		const key = piece.text.slice(0, eq).trim();
		if (!KEY.test(key)) throw chainError(`"${key}" is not an option name`, piece.at, name);
		if (Object.prototype.hasOwnProperty.call(options, key)) throw chainError(`option "${key}" is given twice`, piece.at, name, key);
		const valuePiece = trimPiece({ text: piece.text.slice(eq + 1), at: piece.at + eq + 1 });
		const raw = valuePiece.text;
		const first = raw.charAt(0);
		options[key] = first === '"' || first === '{' || first === '[' ? parseJson(raw, valuePiece.at, name, key) : coerce(name, key, raw);
	}
	return options;
}

/** Parses the compact chain syntax; throws TransformConfigError naming the step and the column at fault. */
export function parseChain(text: string): TransformSpec[] {
	if (typeof text !== 'string') throw new TransformConfigError('A transform chain must be text', '');
	if (text.trim() === '') return [];
	const specs: TransformSpec[] = [];
	const steps = splitTopLevel(text, '|', 0);
	steps.forEach((rawStep, index) => {
		const step = trimPiece(rawStep);
		const where = `step ${index + 1}`;
		if (step.text === '') throw chainError(`${where} is empty`, step.at);
		const nameMatch = NAME.exec(step.text);
		const name = nameMatch ? nameMatch[0] : '';
		if (!isTransformName(name)) {
			const shown = name || step.text;
			throw chainError(`${where}: unknown transform "${shown}". Allowed: ${TRANSFORM_NAMES.join(', ')}`, step.at, shown);
		}
		const rest = step.text.slice(name.length).trimStart();
		const restAt = step.at + step.text.length - rest.length;
		let options: Record<string, unknown> | undefined;
		if (rest !== '') {
			if (rest[0] !== '(' || rest[rest.length - 1] !== ')') {
				throw chainError(`${where}: expected "(" after ${name} or "|" before the next step`, restAt, name);
			}
			options = parseArguments(name, trimPiece({ text: rest.slice(1, -1), at: restAt + 1 }));
		}
		const spec: TransformSpec = options === undefined || Object.keys(options).length === 0 ? { name } : { name, options };
		try {
			checkSpec(spec);
		} catch (err) {
			if (err instanceof TransformConfigError) throw chainError(`${where}: ${err.message}`, step.at, err.transform, err.option);
			throw err;
		}
		specs.push(spec);
	});
	return specs;
}

// A bare value must survive the trip back: no quotes, brackets, separators or edge whitespace.
const BARE = /^[^\s"{}[\](),|][^"{}[\](),|]*$/;

function formatValue(name: TransformName, option: string, value: unknown): string | undefined {
	const type = TRANSFORMS[name].optionFields.find((f) => f.name === option)?.type;
	if (typeof value === 'string') {
		const bare = BARE.test(value) && value.trimEnd() === value && type !== 'number' && type !== 'boolean';
		return bare ? value : JSON.stringify(value);
	}
	if (typeof value === 'number' && type === 'number' && Number.isFinite(value)) return String(value);
	if (typeof value === 'boolean' && type === 'boolean') return String(value);
	if (typeof value === 'object' && value !== null) return JSON.stringify(value);
	return undefined;
}

/** The inverse of parseChain: parseChain(formatChain(specs)) gives specs back. */
export function formatChain(specs: readonly TransformSpec[]): string {
	return specs
		.map((spec) => {
			if (!isTransformName(spec.name)) throw new TransformConfigError(`Unknown transform "${String(spec.name)}"`, String(spec.name));
			const entries = Object.entries(spec.options ?? {}).filter(([, v]) => v !== undefined);
			if (entries.length === 0) return spec.name;
			const formatted = entries.map(([k, v]) => [k, formatValue(spec.name, k, v)] as const);
			if (formatted.every(([k, v]) => v !== undefined && KEY.test(k))) {
				return `${spec.name}(${formatted.map(([k, v]) => `${k}=${v}`).join(', ')})`;
			}
			// Values the key=value form cannot carry (null, a number as a JSON default) go as one JSON object.
			return `${spec.name}(${JSON.stringify(Object.fromEntries(entries))})`;
		})
		.join(' | ');
}
