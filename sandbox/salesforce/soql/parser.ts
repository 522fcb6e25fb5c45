/**
 * SOQL tokenizer and recursive-descent parser. Values only ever become Literal nodes: a quote inside a
 * properly escaped string literal cannot end it, so data can never turn into query syntax.
 */
import type { CompareOp, Condition, FieldPath, Literal, OrderItem, Query, SelectItem } from './ast';
import { SoqlError } from './errors';

export type TokenType = 'ident' | 'string' | 'number' | 'datetime' | 'date' | 'dateLiteral' | 'op' | 'punct' | 'eof';

export interface Token {
	type: TokenType;
	/** Raw text for identifiers/ops/punct; the unescaped value for strings. */
	value: string;
	pos: number;
	/** Strings: regex source for LIKE. */
	like?: string;
	/** datetime: epoch ms. number: numeric value. dateLiteral: N. */
	num?: number;
	raw: string;
}

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(?![\dT:])/;
const NUMBER = /^[+-]?\d+(\.\d+)?(?![\w.])/;
const IDENT = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Date literals SOQL resolves relative to now; the `_N_` ones take `:n`. */
export const DATE_LITERALS = new Set([
	'YESTERDAY', 'TODAY', 'TOMORROW', 'LAST_WEEK', 'THIS_WEEK', 'NEXT_WEEK', 'LAST_MONTH', 'THIS_MONTH', 'NEXT_MONTH',
	'LAST_90_DAYS', 'NEXT_90_DAYS', 'THIS_YEAR', 'LAST_YEAR', 'NEXT_YEAR',
]);
export const N_DATE_LITERALS = new Set(['LAST_N_DAYS', 'NEXT_N_DAYS', 'N_DAYS_AGO', 'LAST_N_WEEKS', 'NEXT_N_WEEKS', 'LAST_N_MONTHS', 'NEXT_N_MONTHS']);

const RESERVED = new Set([
	'AND', 'ASC', 'DESC', 'EXCLUDES', 'FIRST', 'FROM', 'GROUP', 'HAVING', 'IN', 'INCLUDES', 'LAST', 'LIKE', 'LIMIT', 'NOT', 'NULL',
	'NULLS', 'OR', 'SELECT', 'WHERE', 'WITH', 'OFFSET', 'ORDER', 'BY', 'TRUE', 'FALSE', 'USING', 'FOR', 'TYPEOF', 'END', 'ELSE', 'WHEN', 'THEN',
]);

function validDate(y: number, m: number, d: number): boolean {
	const t = new Date(Date.UTC(y, m - 1, d));
	return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

function escapeRegex(c: string): string {
	return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function tokenize(q: string): Token[] {
	const tokens: Token[] = [];
	let i = 0;
	const fail = (pos: number, detail: string): never => {
		throw new SoqlError('MALFORMED_QUERY', detail, q, pos);
	};
	while (i < q.length) {
		const c = q[i];
		if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
			i++;
			continue;
		}
		const rest = q.slice(i, i + 64);
		if (c === "'") {
			// String literal with the documented backslash escapes; anything else after a backslash is an error.
			const start = i;
			let value = '';
			let like = '';
			i++;
			for (;;) {
				if (i >= q.length) fail(start, `line 1:${start} mismatched character '<EOF>' expecting '''`);
				const ch = q[i];
				if (ch === "'") {
					i++;
					break;
				}
				if (ch === '\\') {
					const e = q[i + 1];
					const map: Record<string, string> = { n: '\n', N: '\n', r: '\r', R: '\r', t: '\t', T: '\t', b: '\b', B: '\b', f: '\f', F: '\f', '"': '"', "'": "'", '\\': '\\' };
					if (e !== undefined && e in map) {
						value += map[e];
						like += escapeRegex(map[e]);
					} else if (e === '_' || e === '%') {
						// Literal wildcard characters (meaningful in LIKE; plain characters elsewhere).
						value += e;
						like += escapeRegex(e);
					} else {
						fail(start, `Invalid string literal '${q.slice(start + 1, Math.min(q.length, i + 2))}'. Illegal character sequence '\\${e ?? ''}' in string literal.`);
					}
					i += 2;
					continue;
				}
				value += ch;
				like += ch === '%' ? '.*' : ch === '_' ? '.' : escapeRegex(ch);
				i++;
			}
			tokens.push({ type: 'string', value, like, pos: start, raw: q.slice(start, i) });
			continue;
		}
		if ((c >= '0' && c <= '9') || ((c === '-' || c === '+') && q[i + 1] >= '0' && q[i + 1] <= '9')) {
			let m = c !== '-' && c !== '+' ? DATETIME.exec(rest) : null;
			if (m) {
				const [, y, mo, d, h, mi, s, frac, tz] = m;
				if (!validDate(+y, +mo, +d) || +h > 23 || +mi > 59 || +s > 59) fail(i, `line 1:${i} no viable alternative at character '${m[0]}'`);
				let ms = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, frac ? Math.round(Number(`0${frac}`) * 1000) : 0);
				if (tz !== 'Z') {
					const sign = tz[0] === '-' ? -1 : 1;
					const digits = tz.slice(1).replace(':', '');
					ms -= sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
				}
				tokens.push({ type: 'datetime', value: m[0], num: ms, pos: i, raw: m[0] });
				i += m[0].length;
				continue;
			}
			m = c !== '-' && c !== '+' ? DATE.exec(rest) : null;
			if (m) {
				if (!validDate(+m[1], +m[2], +m[3])) fail(i, `line 1:${i} no viable alternative at character '${m[0]}'`);
				tokens.push({ type: 'date', value: m[0], pos: i, raw: m[0] });
				i += m[0].length;
				continue;
			}
			m = NUMBER.exec(rest);
			if (m) {
				tokens.push({ type: 'number', value: m[0], num: Number(m[0]), pos: i, raw: m[0] });
				i += m[0].length;
				continue;
			}
			// A datetime without a zone or a stray digit run: the API's lexer gives up at the end of the text.
			fail(q.length, `line 1:${q.length} no viable alternative at character '<EOF>'`);
		}
		const id = IDENT.exec(rest.length < 64 ? rest : q.slice(i));
		if (id) {
			const word = id[0];
			const upper = word.toUpperCase();
			if (N_DATE_LITERALS.has(upper) && q[i + word.length] === ':') {
				const n = /^\d+/.exec(q.slice(i + word.length + 1));
				if (!n) fail(i + word.length + 1, `unexpected token: '${q.slice(i + word.length + 1).split(/\s/)[0] || '<EOF>'}'`);
				const raw = `${word}:${n![0]}`;
				tokens.push({ type: 'dateLiteral', value: upper, num: Number(n![0]), pos: i, raw });
				i += raw.length;
				continue;
			}
			tokens.push({ type: 'ident', value: word, pos: i, raw: word });
			i += word.length;
			continue;
		}
		const two = q.slice(i, i + 2);
		if (two === '!=' || two === '<>' || two === '<=' || two === '>=') {
			tokens.push({ type: 'op', value: two === '<>' ? '!=' : two, pos: i, raw: two });
			i += 2;
			continue;
		}
		if (c === '=' || c === '<' || c === '>') {
			tokens.push({ type: 'op', value: c, pos: i, raw: c });
			i++;
			continue;
		}
		if (c === ',' || c === '(' || c === ')' || c === '.') {
			tokens.push({ type: 'punct', value: c, pos: i, raw: c });
			i++;
			continue;
		}
		fail(i, `line 1:${i} no viable alternative at character '${c}'`);
	}
	tokens.push({ type: 'eof', value: '<EOF>', pos: q.length, raw: '<EOF>' });
	return tokens;
}

class Parser {
	private i = 0;
	constructor(
		private readonly q: string,
		private readonly tokens: Token[],
	) {}

	private peek(offset = 0): Token {
		return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)];
	}
	private next(): Token {
		const t = this.peek();
		if (t.type !== 'eof') this.i++;
		return t;
	}
	private unexpected(t: Token = this.peek()): never {
		throw new SoqlError('MALFORMED_QUERY', `unexpected token: '${t.raw}'`, this.q, t.pos);
	}
	private isKeyword(word: string, t: Token = this.peek()): boolean {
		return t.type === 'ident' && t.value.toUpperCase() === word;
	}
	private expectKeyword(word: string): Token {
		const t = this.peek();
		if (!this.isKeyword(word, t)) this.unexpected(t);
		return this.next();
	}
	private acceptKeyword(word: string): boolean {
		if (this.isKeyword(word)) {
			this.i++;
			return true;
		}
		return false;
	}
	private expectPunct(p: string): Token {
		const t = this.peek();
		if (t.type !== 'punct' || t.value !== p) this.unexpected(t);
		return this.next();
	}
	private isPunct(p: string, t: Token = this.peek()): boolean {
		return t.type === 'punct' && t.value === p;
	}

	parseQuery(): Query {
		this.expectKeyword('SELECT');
		const select = this.parseSelectList();
		this.expectKeyword('FROM');
		const fromTok = this.peek();
		if (fromTok.type !== 'ident' || RESERVED.has(fromTok.value.toUpperCase())) this.unexpected(fromTok);
		this.next();
		const query: Query = { text: this.q, select, from: { name: fromTok.value, pos: fromTok.pos }, orderBy: [] };
		// Optional alias: `FROM Contact c`.
		const maybeAlias = this.peek();
		if (maybeAlias.type === 'ident' && !RESERVED.has(maybeAlias.value.toUpperCase())) {
			query.alias = maybeAlias.value;
			this.next();
		}
		if (this.acceptKeyword('WHERE')) query.where = this.parseCondition(true);
		if (this.isKeyword('WITH')) {
			// `WITH SECURITY_ENFORCED` / `WITH USER_MODE`: accepted, the integration user sees everything anyway.
			this.next();
			const t = this.next();
			if (t.type !== 'ident' || !['SECURITY_ENFORCED', 'USER_MODE', 'SYSTEM_MODE'].includes(t.value.toUpperCase())) this.unexpected(t);
		}
		if (this.isKeyword('ORDER')) {
			this.next();
			this.expectKeyword('BY');
			query.orderBy = this.parseOrderList();
		}
		if (this.isKeyword('LIMIT')) {
			const kw = this.next();
			const t = this.next();
			if (t.type !== 'number' || !/^\d+$/.test(t.value)) this.unexpected(t);
			query.limit = Number(t.value);
			query.limitPos = kw.pos;
		}
		if (this.isKeyword('OFFSET')) {
			const kw = this.next();
			const t = this.next();
			if (t.type !== 'number' || !/^\d+$/.test(t.value)) this.unexpected(t);
			query.offset = Number(t.value);
			query.offsetPos = kw.pos;
		}
		if (this.isKeyword('FOR')) {
			this.next();
			const t = this.next();
			if (t.type !== 'ident' || !['VIEW', 'REFERENCE', 'UPDATE'].includes(t.value.toUpperCase())) this.unexpected(t);
		}
		const end = this.peek();
		if (end.type !== 'eof') this.unexpected(end);
		return query;
	}

	private parseSelectList(): SelectItem[] {
		const items: SelectItem[] = [];
		for (;;) {
			const t = this.peek();
			if (t.type === 'ident' && t.value.toUpperCase() === 'COUNT' && this.isPunct('(', this.peek(1))) {
				this.next();
				this.next();
				if (!this.isPunct(')')) {
					// COUNT(field) is an aggregate query; the sandbox only implements COUNT().
					throw new SoqlError('MALFORMED_QUERY', 'The sandbox supports COUNT() only (aggregate queries are not implemented)', this.q, this.peek().pos);
				}
				this.next();
				items.push({ kind: 'count', pos: t.pos });
			} else if (t.type === 'ident' && t.value.toUpperCase() === 'FIELDS' && this.isPunct('(', this.peek(1))) {
				this.next();
				this.next();
				const w = this.next();
				const which = w.type === 'ident' ? w.value.toUpperCase() : '';
				if (which !== 'ALL' && which !== 'STANDARD' && which !== 'CUSTOM') this.unexpected(w);
				this.expectPunct(')');
				items.push({ kind: 'fields', which: which as 'ALL' | 'STANDARD' | 'CUSTOM', pos: t.pos });
			} else if (this.isPunct('(')) {
				throw new SoqlError('MALFORMED_QUERY', 'Relationship subqueries are not implemented by the sandbox', this.q, t.pos);
			} else {
				items.push({ kind: 'field', path: this.parseFieldPath() });
			}
			if (this.isPunct(',')) {
				this.next();
				continue;
			}
			return items;
		}
	}

	private parseFieldPath(): FieldPath {
		const first = this.peek();
		if (first.type !== 'ident' || RESERVED.has(first.value.toUpperCase())) this.unexpected(first);
		this.next();
		const parts = [first.value];
		while (this.isPunct('.')) {
			this.next();
			const t = this.peek();
			if (t.type !== 'ident') this.unexpected(t);
			this.next();
			parts.push(t.value);
		}
		return { parts, pos: first.pos };
	}

	/**
	 * condition := factor ((AND factor)* | (OR factor)*). Mixing AND and OR at one level without parentheses is
	 * a syntax error in SOQL ("unexpected token: 'OR'"), and NOT may only open a condition or a parenthesis.
	 */
	private parseCondition(allowNot: boolean): Condition {
		const items: Condition[] = [this.parseFactor(allowNot)];
		let op: 'AND' | 'OR' | undefined;
		while (this.isKeyword('AND') || this.isKeyword('OR')) {
			const t = this.peek();
			const word = t.value.toUpperCase() as 'AND' | 'OR';
			if (op && op !== word) this.unexpected(t);
			op = word;
			this.next();
			items.push(this.parseFactor(false));
		}
		if (!op) return items[0];
		return { kind: op === 'AND' ? 'and' : 'or', items };
	}

	private parseFactor(allowNot: boolean): Condition {
		const t = this.peek();
		if (this.isKeyword('NOT', t)) {
			if (!allowNot) this.unexpected(t);
			this.next();
			return { kind: 'not', item: this.parseFactor(false) };
		}
		if (this.isPunct('(', t)) {
			this.next();
			const inner = this.parseCondition(true);
			this.expectPunct(')');
			return inner;
		}
		return this.parseSimple();
	}

	private parseSimple(): Condition {
		const field = this.parseFieldPath();
		const t = this.peek();
		if (t.type === 'op') {
			this.next();
			return { kind: 'compare', field, op: t.value as CompareOp, value: this.parseLiteral() };
		}
		if (this.isKeyword('LIKE', t)) {
			this.next();
			return { kind: 'like', field, value: this.parseLiteral() };
		}
		let negate = false;
		if (this.isKeyword('NOT', t) && this.isKeyword('IN', this.peek(1))) {
			this.next();
			negate = true;
		}
		if (this.isKeyword('IN')) {
			const inTok = this.next();
			this.expectPunct('(');
			if (this.isKeyword('SELECT')) {
				throw new SoqlError('MALFORMED_QUERY', 'Semi-join subqueries are not implemented by the sandbox', this.q, this.peek().pos);
			}
			const values: Literal[] = [this.parseLiteral()];
			while (this.isPunct(',')) {
				this.next();
				values.push(this.parseLiteral());
			}
			this.expectPunct(')');
			return { kind: 'in', field, negate, values, pos: inTok.pos };
		}
		return this.unexpected(t);
	}

	private parseLiteral(): Literal {
		const t = this.next();
		switch (t.type) {
			case 'string':
				return { kind: 'string', value: t.value, like: t.like ?? '', pos: t.pos };
			case 'number':
				return { kind: 'number', value: t.num ?? Number(t.value), pos: t.pos };
			case 'datetime':
				return { kind: 'datetime', ms: t.num ?? 0, text: t.value, pos: t.pos };
			case 'date':
				return { kind: 'date', text: t.value, pos: t.pos };
			case 'dateLiteral':
				return { kind: 'dateLiteral', name: t.value, n: t.num ?? 0, pos: t.pos, text: t.raw };
			case 'ident': {
				const u = t.value.toUpperCase();
				if (u === 'NULL') return { kind: 'null', pos: t.pos };
				if (u === 'TRUE' || u === 'FALSE') return { kind: 'boolean', value: u === 'TRUE', pos: t.pos };
				if (DATE_LITERALS.has(u)) return { kind: 'dateLiteral', name: u, n: 0, pos: t.pos, text: t.raw };
				return this.unexpected(t);
			}
			default:
				return this.unexpected(t);
		}
	}

	private parseOrderList(): OrderItem[] {
		const items: OrderItem[] = [];
		for (;;) {
			const path = this.parseFieldPath();
			let descending = false;
			if (this.acceptKeyword('ASC')) descending = false;
			else if (this.acceptKeyword('DESC')) descending = true;
			// Documented default: nulls first, whatever the direction.
			let nullsLast = false;
			if (this.acceptKeyword('NULLS')) {
				if (this.acceptKeyword('LAST')) nullsLast = true;
				else this.expectKeyword('FIRST');
			}
			items.push({ path, descending, nullsLast });
			if (this.isPunct(',')) {
				this.next();
				continue;
			}
			return items;
		}
	}
}

export function parseSoql(q: string): Query {
	return new Parser(q, tokenize(q)).parseQuery();
}
