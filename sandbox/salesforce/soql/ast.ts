/** SOQL syntax tree for the subset the sandbox executes. `pos` is a 0-based offset into the query text. */

export interface FieldPath {
	parts: string[];
	pos: number;
}

export type SelectItem =
	| { kind: 'field'; path: FieldPath }
	| { kind: 'count'; pos: number }
	| { kind: 'fields'; which: 'ALL' | 'STANDARD' | 'CUSTOM'; pos: number };

export type Literal =
	| { kind: 'string'; value: string; pos: number; /** Regex source for LIKE (wildcards resolved, escapes honoured). */ like: string }
	| { kind: 'number'; value: number; pos: number }
	| { kind: 'boolean'; value: boolean; pos: number }
	| { kind: 'null'; pos: number }
	| { kind: 'datetime'; ms: number; text: string; pos: number }
	| { kind: 'date'; text: string; pos: number }
	| { kind: 'dateLiteral'; name: string; n: number; pos: number; text: string };

export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

export type Condition =
	| { kind: 'and'; items: Condition[] }
	| { kind: 'or'; items: Condition[] }
	| { kind: 'not'; item: Condition }
	| { kind: 'compare'; field: FieldPath; op: CompareOp; value: Literal }
	| { kind: 'like'; field: FieldPath; value: Literal }
	| { kind: 'in'; field: FieldPath; negate: boolean; values: Literal[]; pos: number };

export interface OrderItem {
	path: FieldPath;
	descending: boolean;
	nullsLast: boolean;
}

export interface Query {
	text: string;
	select: SelectItem[];
	from: { name: string; pos: number };
	alias?: string;
	where?: Condition;
	orderBy: OrderItem[];
	limit?: number;
	offset?: number;
	limitPos?: number;
	offsetPos?: number;
}
