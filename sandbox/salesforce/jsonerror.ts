/**
 * Finds where a JSON text stops being valid, to word JSON_PARSER_ERROR like Salesforce's (Jackson) parser:
 * `Unexpected character ('x' (code 120)): … at [line:1, column:14]`.
 */
export function jsonErrorMessage(text: string): string {
	let i = 0;
	const ws = () => {
		while (i < text.length && ' \t\r\n'.includes(text[i])) i++;
	};
	const fail = (expect: string): never => {
		throw new Error(expect);
	};
	const value = (): void => {
		ws();
		const c = text[i];
		if (c === '{') {
			i++;
			ws();
			if (text[i] === '}') {
				i++;
				return;
			}
			for (;;) {
				ws();
				if (text[i] !== '"') fail('was expecting double-quote to start field name');
				str();
				ws();
				if (text[i] !== ':') fail("was expecting a colon to separate field name and value");
				i++;
				value();
				ws();
				if (text[i] === ',') {
					i++;
					continue;
				}
				if (text[i] === '}') {
					i++;
					return;
				}
				fail("was expecting comma to separate Object entries");
			}
		}
		if (c === '[') {
			i++;
			ws();
			if (text[i] === ']') {
				i++;
				return;
			}
			for (;;) {
				value();
				ws();
				if (text[i] === ',') {
					i++;
					continue;
				}
				if (text[i] === ']') {
					i++;
					return;
				}
				fail("was expecting comma to separate Array entries");
			}
		}
		if (c === '"') return str();
		const lit = /^(true|false|null|-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?)/.exec(text.slice(i, i + 64));
		if (lit) {
			i += lit[0].length;
			return;
		}
		fail("expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')");
	};
	const str = () => {
		i++;
		while (i < text.length && text[i] !== '"') {
			if (text[i] === '\\') i++;
			else if (text.charCodeAt(i) < 0x20) fail('Illegal unquoted character: has to be escaped using backslash to be included in string value');
			i++;
		}
		if (i >= text.length) fail('expected close marker for String');
		i++;
	};
	let detail: string;
	try {
		value();
		ws();
		if (i >= text.length) return 'Unexpected end-of-input';
		detail = 'expected end-of-input';
	} catch (err) {
		detail = (err as Error).message;
	}
	const before = text.slice(0, i).split('\n');
	const where = ` at [line:${before.length}, column:${before[before.length - 1].length + 1}]`;
	const ch = text[i];
	if (ch === undefined) return `Unexpected end-of-input: ${detail}\n${where}`;
	return `Unexpected character ('${ch}' (code ${ch.charCodeAt(0)})): ${detail}\n${where}`;
}
