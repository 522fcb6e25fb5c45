/**
 * Client-side estimate of Jobber's requestedQueryCost (crm-apis.md §4.6), so the connector can take the points
 * from its CostBucket before sending and never send a document the bucket cannot pay for.
 *
 * Rules: every field costs 1; `nodes`, `edges`, `node` and `__typename` cost 0; a connection (a field whose
 * selection holds `nodes` or `edges`) costs `first` (or `last`, or 100) times its per-node selection, and what
 * sits beside nodes/edges (`pageInfo{…}`, `totalCount`) is counted once; inline fragments are all counted (an
 * upper bound for unions). Without the schema a connection is recognised by its `nodes`/`edges` selection, which
 * is how every Jobber connection is queried. The estimate is corrected by what Jobber reports (see transport.ts).
 */
import { Kind, parse, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode, type ValueNode } from 'graphql';

export const DEFAULT_CONNECTION_SIZE = 100;

const parsed = new Map<string, DocumentNode | null>();

/** Parsed documents are cached: the connector sends the same few documents over and over. */
export function parseDocument(query: string): DocumentNode | null {
	if (parsed.has(query)) return parsed.get(query)!;
	let doc: DocumentNode | null;
	try {
		doc = parse(query, { noLocation: true });
	} catch {
		doc = null;
	}
	if (parsed.size > 500) parsed.clear();
	parsed.set(query, doc);
	return doc;
}

function intValue(node: ValueNode | undefined, variables: Record<string, unknown>): number | undefined {
	if (!node) return undefined;
	if (node.kind === Kind.INT) return Number(node.value);
	if (node.kind === Kind.VARIABLE) {
		const v = variables[node.name.value];
		return typeof v === 'number' ? v : undefined;
	}
	return undefined;
}

class Walker {
	private readonly fragments = new Map<string, FragmentDefinitionNode>();
	constructor(
		doc: DocumentNode,
		private readonly variables: Record<string, unknown>,
	) {
		for (const def of doc.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(def.name.value, def);
	}

	/** Flattens fragments so a selection set reads as its fields. */
	private fields(set: SelectionSetNode): FieldNode[] {
		const out: FieldNode[] = [];
		for (const sel of set.selections) {
			if (sel.kind === Kind.FIELD) out.push(sel);
			else if (sel.kind === Kind.INLINE_FRAGMENT) out.push(...this.fields(sel.selectionSet));
			else {
				const frag = this.fragments.get(sel.name.value);
				if (frag) out.push(...this.fields(frag.selectionSet));
			}
		}
		return out;
	}

	set(set: SelectionSetNode): number {
		let cost = 0;
		for (const f of this.fields(set)) cost += this.field(f);
		return cost;
	}

	private field(f: FieldNode): number {
		const name = f.name.value;
		if (name === '__typename') return 0;
		if (!f.selectionSet) return 1;
		const inner = this.fields(f.selectionSet);
		const isConnection = inner.some((x) => (x.name.value === 'nodes' || x.name.value === 'edges') && x.selectionSet);
		if (!isConnection) return 1 + this.set(f.selectionSet);
		const arg = (n: string) => f.arguments?.find((a) => a.name.value === n)?.value;
		const size = intValue(arg('first'), this.variables) ?? intValue(arg('last'), this.variables) ?? DEFAULT_CONNECTION_SIZE;
		let cost = 0;
		for (const x of inner) {
			if (x.name.value === 'nodes' && x.selectionSet) cost += size * this.set(x.selectionSet);
			else if (x.name.value === 'edges' && x.selectionSet) cost += size * this.edge(x.selectionSet);
			else cost += this.field(x);
		}
		return cost;
	}

	private edge(set: SelectionSetNode): number {
		let cost = 0;
		for (const x of this.fields(set)) cost += x.name.value === 'node' && x.selectionSet ? this.set(x.selectionSet) : this.field(x);
		return cost;
	}
}

/** Estimated requestedQueryCost of one operation of a document; undefined when the document does not parse. */
export function estimateCost(query: string, variables: Record<string, unknown> = {}, operationName?: string): number | undefined {
	const doc = parseDocument(query);
	if (!doc) return undefined;
	const ops = doc.definitions.filter((d) => d.kind === Kind.OPERATION_DEFINITION);
	const op = operationName ? ops.find((o) => o.name?.value === operationName) : ops[0];
	if (!op) return undefined;
	return new Walker(doc, variables).set(op.selectionSet);
}
