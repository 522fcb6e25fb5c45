/** A SOQL failure, reported as the real API does: the query line, a caret, `ERROR at Row:r:Column:c`, the text. */
export class SoqlError extends Error {
	constructor(
		readonly errorCode: 'MALFORMED_QUERY' | 'INVALID_FIELD' | 'INVALID_TYPE' | 'INVALID_QUERY_FILTER_OPERATOR' | 'NUMBER_OUTSIDE_VALID_RANGE',
		readonly detail: string,
		readonly query: string,
		readonly pos: number,
	) {
		super(detail);
		this.name = 'SoqlError';
	}

	/** The message body exactly as the API puts it in `message`. */
	apiMessage(): string {
		const before = this.query.slice(0, Math.max(0, Math.min(this.pos, this.query.length)));
		const lines = before.split('\n');
		const row = lines.length;
		const col = lines[lines.length - 1].length + 1;
		const lineStart = before.length - lines[lines.length - 1].length;
		let lineEnd = this.query.indexOf('\n', lineStart);
		if (lineEnd < 0) lineEnd = this.query.length;
		const line = this.query.slice(lineStart, lineEnd);
		// Long lines are shown as a window ending a little after the error, as the API does.
		let from = 0;
		if (col - 1 > 60) {
			from = col - 1 - 40;
			const space = line.indexOf(' ', from);
			if (space >= 0 && space < col - 1) from = space + 1;
		}
		const snippet = line.slice(from, Math.max(col - 1 + 20, Math.min(line.length, from + 80)));
		return `\n${snippet}\n${' '.repeat(col - 1 - from)}^\nERROR at Row:${row}:Column:${col}\n${this.detail}`;
	}
}
