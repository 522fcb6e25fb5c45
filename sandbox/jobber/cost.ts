/**
 * Jobber query cost (crm-apis.md §4.6): every field costs 1; `edges`, `nodes` and `node` cost 0; a connection costs
 * `first` (or `last`, or 100 when neither is given) times the cost of what is selected per node; `filter` and `sort`
 * are free. Documented example: `quotes(first:10){edges{node{id cost quoteNumber quoteStatus title}}}` = 50.
 *
 * Choices where the documentation is silent [U]: the connection field itself adds nothing beyond that product
 * (this is what makes the example 50, not 51); connection-level fields outside nodes/edges (`pageInfo{…}`,
 * `totalCount`) are counted once, not per node; plain lists (`emails{…}`) count like single objects; `__typename` is
 * free. The actual cost uses the number of nodes really returned, so a short last page refunds the difference.
 */
import {
	Kind,
	SchemaMetaFieldDef,
	TypeMetaFieldDef,
	getNamedType,
	isInterfaceType,
	isObjectType,
	type DocumentNode,
	type FieldNode,
	type FragmentDefinitionNode,
	type GraphQLField,
	type GraphQLNamedType,
	type GraphQLSchema,
	type OperationDefinitionNode,
	type SelectionSetNode,
} from 'graphql';

export const DEFAULT_CONNECTION_SIZE = 100;

/** Marker for "no response data": the requested (a priori) cost. */
const PLAN = Symbol('plan');
type Data = unknown;

function isConnection(type: GraphQLNamedType): boolean {
	if (!isObjectType(type) || !type.name.endsWith('Connection')) return false;
	const fields = type.getFields();
	return 'pageInfo' in fields && ('nodes' in fields || 'edges' in fields);
}

class CostWalker {
	private readonly fragments = new Map<string, FragmentDefinitionNode>();

	constructor(
		private readonly schema: GraphQLSchema,
		doc: DocumentNode,
		private readonly variables: Record<string, unknown>,
	) {
		for (const def of doc.definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) this.fragments.set(def.name.value, def);
	}

	private fieldDef(parent: GraphQLNamedType, name: string): GraphQLField<unknown, unknown> | undefined {
		if (name === '__schema' && parent === this.schema.getQueryType()) return SchemaMetaFieldDef;
		if (name === '__type' && parent === this.schema.getQueryType()) return TypeMetaFieldDef;
		if (isObjectType(parent) || isInterfaceType(parent)) return parent.getFields()[name];
		return undefined;
	}

	private intArg(field: FieldNode, name: string): number | undefined {
		const arg = field.arguments?.find((a) => a.name.value === name);
		if (!arg) return undefined;
		if (arg.value.kind === Kind.INT) return Number(arg.value.value);
		if (arg.value.kind === Kind.VARIABLE) {
			const v = this.variables[arg.value.name.value];
			return typeof v === 'number' ? v : undefined;
		}
		return undefined;
	}

	selectionSet(parent: GraphQLNamedType, set: SelectionSetNode, data: Data): number {
		let cost = 0;
		for (const sel of set.selections) {
			if (sel.kind === Kind.FIELD) cost += this.field(parent, sel, data);
			else if (sel.kind === Kind.INLINE_FRAGMENT) {
				const type = sel.typeCondition ? this.schema.getType(sel.typeCondition.name.value) : parent;
				if (type) cost += this.selectionSet(type, sel.selectionSet, data);
			} else {
				const frag = this.fragments.get(sel.name.value);
				const type = frag ? this.schema.getType(frag.typeCondition.name.value) : undefined;
				if (frag && type) cost += this.selectionSet(type, frag.selectionSet, data);
			}
		}
		return cost;
	}

	private field(parent: GraphQLNamedType, node: FieldNode, parentData: Data): number {
		const name = node.name.value;
		if (name === '__typename') return 0;
		const def = this.fieldDef(parent, name);
		if (!def) return 0;
		if (!node.selectionSet) return 1;
		const type = getNamedType(def.type);
		const key = node.alias?.value ?? name;
		let data: Data = PLAN;
		if (parentData !== PLAN) {
			data = parentData !== null && typeof parentData === 'object' && !Array.isArray(parentData) ? (parentData as Record<string, unknown>)[key] : PLAN;
			if (data === null || data === undefined) return isConnection(type) ? 0 : 1;
			// Plain lists are costed like one object, so their elements are walked as a plan.
			if (Array.isArray(data)) data = PLAN;
		}
		if (isConnection(type)) return this.connection(type, node, data);
		return 1 + this.selectionSet(type, node.selectionSet, data);
	}

	private connection(type: GraphQLNamedType, node: FieldNode, data: Data): number {
		const fields = isObjectType(type) ? type.getFields() : {};
		const size = this.intArg(node, 'first') ?? this.intArg(node, 'last') ?? DEFAULT_CONNECTION_SIZE;
		let cost = 0;
		const walk = (set: SelectionSetNode, connType: GraphQLNamedType) => {
			for (const sel of set.selections) {
				if (sel.kind !== Kind.FIELD) {
					const inner = sel.kind === Kind.INLINE_FRAGMENT ? sel.selectionSet : this.fragments.get(sel.name.value)?.selectionSet;
					if (inner) walk(inner, connType);
					continue;
				}
				const name = sel.name.value;
				const key = sel.alias?.value ?? name;
				if ((name === 'nodes' || name === 'edges') && sel.selectionSet && fields[name]) {
					const itemType = getNamedType(fields[name].type);
					const items = data === PLAN ? PLAN : ((data as Record<string, unknown>)?.[key] as unknown[] | null | undefined);
					const perItem = (item: Data) =>
						name === 'nodes' ? this.selectionSet(itemType, sel.selectionSet!, item) : this.edge(itemType, sel.selectionSet!, item);
					if (items === PLAN) cost += size * perItem(PLAN);
					else for (const item of items ?? []) cost += perItem(item);
				} else cost += this.field(connType, sel, data);
			}
		};
		walk(node.selectionSet!, type);
		return cost;
	}

	/** An edge: `node` is free, its selections are not; `cursor` costs 1. */
	private edge(edgeType: GraphQLNamedType, set: SelectionSetNode, data: Data): number {
		let cost = 0;
		for (const sel of set.selections) {
			if (sel.kind === Kind.FIELD && sel.name.value === 'node' && sel.selectionSet && isObjectType(edgeType)) {
				const nodeType = getNamedType(edgeType.getFields().node.type);
				const item = data === PLAN ? PLAN : (data as Record<string, unknown>)?.[sel.alias?.value ?? 'node'];
				cost += this.selectionSet(nodeType, sel.selectionSet, item === undefined ? PLAN : item);
			} else if (sel.kind === Kind.FIELD) cost += this.field(edgeType, sel, data);
			else {
				const inner = sel.kind === Kind.INLINE_FRAGMENT ? sel.selectionSet : this.fragments.get(sel.name.value)?.selectionSet;
				if (inner) cost += this.edge(edgeType, inner, data);
			}
		}
		return cost;
	}
}

function rootType(schema: GraphQLSchema, op: OperationDefinitionNode): GraphQLNamedType | null | undefined {
	return op.operation === 'mutation' ? schema.getMutationType() : op.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
}

/** The cost Jobber computes before running a query (requestedQueryCost). */
export function requestedCost(schema: GraphQLSchema, doc: DocumentNode, op: OperationDefinitionNode, variables: Record<string, unknown>): number {
	const root = rootType(schema, op);
	return root ? new CostWalker(schema, doc, variables).selectionSet(root, op.selectionSet, PLAN) : 0;
}

/** The cost of what was actually returned (actualQueryCost): connections count the nodes they really hold. */
export function actualCost(schema: GraphQLSchema, doc: DocumentNode, op: OperationDefinitionNode, variables: Record<string, unknown>, data: unknown): number {
	const root = rootType(schema, op);
	if (!root || data === null || data === undefined) return 0;
	return new CostWalker(schema, doc, variables).selectionSet(root, op.selectionSet, data);
}
