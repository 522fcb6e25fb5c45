/**
 * POST /api/graphql, in the order the live API applies its checks: the DDoS guard (Rack::Attack, 2,500 requests per
 * 5 minutes → HTTP 429), content type, bearer token (401), version header, then GraphQL: parse, validate, variable
 * coercion (graphql-ruby's error shape), query cost against the leaky bucket (THROTTLED, nothing executed), execution,
 * and `extensions.cost` / `extensions.versioning` on every GraphQL answer.
 */
import {
	GraphQLError,
	Kind,
	execute,
	getNamedType,
	isEnumType,
	isInputObjectType,
	isListType,
	isNonNullType,
	isScalarType,
	parse,
	print,
	specifiedRules,
	typeFromAST,
	validate,
	type DocumentNode,
	type GraphQLFormattedError,
	type GraphQLInputType,
	type GraphQLSchema,
	type OperationDefinitionNode,
	type ValidationRule,
} from 'graphql';
import type { Clock } from '../core/clock';
import type { Faults } from '../core/faults';
import type { LeakyBucket } from '../core/ratelimit';
import type { SandboxRequest, SandboxResponse } from '../core/server';
import type { TokenService } from './auth';
import type { JobberContext } from './context';
import { actualCost, requestedCost } from './cost';
import { fieldResolver } from './resolvers';
import { scalarProblem } from './schema';

export type ErrorDialect = 'graphql-js' | 'graphql-ruby';

export interface VersionPolicy {
	/** Accepted versions, oldest first. */
	supported: string[];
	/** Accepted, but answered with a warning (past their 12-month support window). */
	deprecated: string[];
	/** When false a missing header is served with the oldest supported version (with a warning). */
	requireHeader: boolean;
}

/** Fixed-window counter as Rack::Attack keeps it: windows aligned to multiples of the period on the vendor clock. */
export class FixedWindow {
	private windowStart = -1;
	used = 0;
	constructor(
		private readonly clock: Clock,
		readonly limit: number,
		readonly periodMs: number,
	) {}
	/** Counts the request (throttled ones too, as Rack::Attack does) and says whether it is over the limit. */
	hit(): boolean {
		const now = this.clock.now();
		const start = Math.floor(now / this.periodMs) * this.periodMs;
		if (start !== this.windowStart) {
			this.windowStart = start;
			this.used = 0;
		}
		this.used++;
		return this.used > this.limit;
	}
	resetInMs(): number {
		return Math.max(0, this.windowStart + this.periodMs - this.clock.now());
	}
	reset(): void {
		this.windowStart = -1;
		this.used = 0;
	}
}

export interface GraphqlDeps {
	schema: GraphQLSchema;
	clock: Clock;
	faults: Faults;
	bucket: LeakyBucket;
	ddos: FixedWindow;
	tokens: TokenService;
	versions: VersionPolicy;
	dialect: ErrorDialect;
	context: JobberContext;
}

type Formatted = GraphQLFormattedError & { extensions?: Record<string, unknown> };

/** Rack::Attack's default throttled answer; Jobber documents only "429 Too Many Requests" [U]. */
export function ddosResponse(): SandboxResponse {
	return { status: 429, headers: { 'Content-Type': 'text/plain' }, body: 'Retry later\n' };
}

function unauthorized(reason: string): SandboxResponse {
	if (reason === 'disconnected') {
		// Jobber's documented answer for a token of a disconnected app (crm-apis.md §4.1).
		return { status: 401, body: { message: 'User has disconnected this app from their account. Please delete this token' } };
	}
	// Documented as 401 "invalid_request" / "Invalid Token Error"; the body layout is an assumption [U].
	return { status: 401, headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' }, body: { error: 'invalid_request', message: 'Invalid Token Error' } };
}

function versionOf(req: SandboxRequest, policy: VersionPolicy): { version: string; warning?: string } | { error: string } {
	const header = req.headers['x-jobber-graphql-version'];
	const oldest = policy.supported[0];
	const newest = policy.supported[policy.supported.length - 1];
	if (header === undefined || header.trim() === '') {
		if (policy.requireHeader) return { error: 'The X-JOBBER-GRAPHQL-VERSION header is required. See https://developer.getjobber.com/docs/using_jobbers_api/api_versioning' };
		return { version: oldest, warning: `No X-JOBBER-GRAPHQL-VERSION header was sent; the request was served with the oldest supported version ${oldest}.` };
	}
	const v = header.trim();
	if (policy.supported.includes(v)) {
		if (policy.deprecated.includes(v)) {
			return { version: v, warning: `API version ${v} is no longer supported and may be removed at any time. Please upgrade to ${newest}.` };
		}
		return { version: v };
	}
	if (/^\d{4}-\d{2}-\d{2}$/.test(v) && v < oldest) {
		// Removed versions are silently upgraded to the oldest supported one (crm-apis.md §4.1).
		return { version: oldest, warning: `API version ${v} has been removed; the request was served with the oldest supported version ${oldest}. Please upgrade to ${newest}.` };
	}
	return { error: `Unsupported X-JOBBER-GRAPHQL-VERSION "${v}". Supported versions: ${policy.supported.join(', ')}.` };
}

/** graphql-ruby's wording for the most common validation error, when that dialect is chosen. */
function rubyDialect(error: GraphQLError): Formatted {
	const f = error.toJSON() as Formatted;
	const m = /^Cannot query field "([^"]+)" on type "([^"]+)"\./.exec(error.message);
	if (m) return { ...f, message: `Field '${m[1]}' doesn't exist on type '${m[2]}'`, extensions: { code: 'undefinedField', typeName: m[2], fieldName: m[1] } };
	return f;
}

/** "A field removed from the schema" fault: the field fails validation exactly like a field that never existed. */
function removedFieldsRule(faults: Faults): ValidationRule {
	return (context) => ({
		Field(node) {
			const parent = context.getParentType();
			if (parent && faults.isFieldRemoved(parent.name, node.name.value)) {
				context.reportError(new GraphQLError(`Cannot query field "${node.name.value}" on type "${parent.name}".`, { nodes: node }));
			}
		},
		ObjectField(node) {
			const parent = context.getParentInputType();
			const named = parent ? getNamedType(parent) : undefined;
			if (named && faults.isFieldRemoved(named.name, node.name.value)) {
				context.reportError(new GraphQLError(`Field "${node.name.value}" is not defined by type "${named.name}".`, { nodes: node }));
			}
		},
	});
}

interface Problem {
	path: Array<string | number>;
	explanation: string;
	message?: string;
}

/** Checks a variable value the way graphql-ruby does, collecting its `problems` (path + explanation). */
function inputProblems(type: GraphQLInputType, value: unknown, path: Array<string | number>, out: Problem[], faults: Faults): void {
	if (isNonNullType(type)) {
		if (value === null || value === undefined) {
			out.push({ path, explanation: 'Expected value to not be null' });
			return;
		}
		inputProblems(type.ofType, value, path, out, faults);
		return;
	}
	if (value === null || value === undefined) return;
	if (isListType(type)) {
		if (Array.isArray(value)) value.forEach((item, i) => inputProblems(type.ofType, item, [...path, i], out, faults));
		else inputProblems(type.ofType, value, path, out, faults);
		return;
	}
	if (isInputObjectType(type)) {
		if (typeof value !== 'object' || Array.isArray(value)) {
			out.push({ path, explanation: `Expected ${JSON.stringify(value)} to be a key-value object.` });
			return;
		}
		const fields = type.getFields();
		const given = value as Record<string, unknown>;
		for (const key of Object.keys(given)) {
			if (!fields[key] || faults.isFieldRemoved(type.name, key)) out.push({ path: [...path, key], explanation: `Field is not defined on ${type.name}` });
		}
		for (const [name, field] of Object.entries(fields)) {
			if (faults.isFieldRemoved(type.name, name)) continue;
			if (given[name] === undefined) {
				if (isNonNullType(field.type) && field.defaultValue === undefined) out.push({ path: [...path, name], explanation: 'Expected value to not be null' });
				continue;
			}
			inputProblems(field.type, given[name], [...path, name], out, faults);
		}
		return;
	}
	if (isEnumType(type)) {
		if (typeof value !== 'string' || !type.getValue(value)) {
			out.push({ path, explanation: `Expected ${JSON.stringify(value)} to be one of: ${type.getValues().map((v) => v.name).join(', ')}` });
		}
		return;
	}
	if (isScalarType(type)) {
		const problem = scalarProblem(type.name, value);
		if (problem) out.push({ path, explanation: problem, message: problem });
	}
}

/** graphql-ruby's VariableValidationError for each invalid variable (crm-apis.md §4.5 shows the EncodedId case). */
function variableErrors(schema: GraphQLSchema, op: OperationDefinitionNode, variables: Record<string, unknown>, faults: Faults): Formatted[] {
	const errors: Formatted[] = [];
	for (const def of op.variableDefinitions ?? []) {
		const name = def.variable.name.value;
		const type = typeFromAST(schema, def.type) as GraphQLInputType | undefined;
		if (!type) continue;
		const has = Object.prototype.hasOwnProperty.call(variables, name);
		if (!has && def.defaultValue) continue;
		const value = has ? variables[name] : null;
		const problems: Problem[] = [];
		inputProblems(type, value, [], problems, faults);
		if (problems.length === 0) continue;
		const located = problems.filter((p) => p.path.length > 0).map((p) => `${p.path.join('.')} (${p.explanation})`);
		const loc = def.loc ? def.loc.startToken : undefined;
		errors.push({
			message: `Variable $${name} of type ${print(def.type)} was provided invalid value${located.length ? ` for ${located.join(', ')}` : ''}`,
			locations: loc ? [{ line: loc.line, column: loc.column }] : [],
			extensions: { value: has ? variables[name] : null, problems },
		});
	}
	return errors;
}

interface Prepared {
	doc?: DocumentNode;
	errors?: Formatted[];
}

export class GraphqlEndpoint {
	private readonly cache = new Map<string, Prepared>();

	constructor(private readonly deps: GraphqlDeps) {}

	private costExtension(requested: number, actual: number) {
		const { bucket } = this.deps;
		return {
			requestedQueryCost: requested,
			actualQueryCost: actual,
			throttleStatus: { maximumAvailable: bucket.maximum, currentlyAvailable: Math.floor(bucket.current()), restoreRate: bucket.restorePerSecond },
		};
	}

	/** Parsed and validated documents are cached: a sync sends the same query text for every page. */
	private prepare(query: string): Prepared {
		const { schema, faults, dialect } = this.deps;
		const key = `${JSON.stringify(faults.current.removedFields ?? null)}\n${query}`;
		const hit = this.cache.get(key);
		if (hit) return hit;
		let prepared: Prepared;
		try {
			const doc = parse(query);
			const errors = validate(schema, doc, [...specifiedRules, removedFieldsRule(faults)]);
			prepared = errors.length ? { errors: errors.map((e) => (dialect === 'graphql-ruby' ? rubyDialect(e) : (e.toJSON() as Formatted))) } : { doc };
		} catch (err) {
			prepared = { errors: [(err as GraphQLError).toJSON() as Formatted] };
		}
		if (this.cache.size >= 500) this.cache.delete(this.cache.keys().next().value as string);
		this.cache.set(key, prepared);
		return prepared;
	}

	async handle(req: SandboxRequest): Promise<SandboxResponse> {
		const d = this.deps;
		if (d.ddos.hit()) return ddosResponse();
		const contentType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
		if (contentType !== 'application/json') {
			// Form and multipart bodies are refused since 2024-04-02 (crm-apis.md §4.1); exact answer undocumented [U].
			return { status: 415, body: { errors: [{ message: `Unsupported content type ${JSON.stringify(contentType || 'none')}: GraphQL requests must use application/json` }] } };
		}
		const auth = d.tokens.verify(req.headers.authorization);
		if (!auth.ok) return unauthorized(auth.reason);
		const version = versionOf(req, d.versions);
		if ('error' in version) return { status: 400, body: { errors: [{ message: version.error }] } };
		const versioning = version.warning ? { version: version.version, warning: version.warning } : { version: version.version };

		const body = req.json<Record<string, unknown>>();
		const answer = (payload: Record<string, unknown>, requested: number, actual: number): SandboxResponse => ({
			status: 200,
			body: { ...payload, extensions: { cost: this.costExtension(requested, actual), versioning } },
		});
		if (body === null || typeof body !== 'object' || Array.isArray(body)) return answer({ errors: [{ message: 'No query string was present' }] }, 0, 0);
		const query = body.query;
		if (typeof query !== 'string' || query.trim() === '') return answer({ errors: [{ message: 'No query string was present' }] }, 0, 0);
		const variables = (body.variables && typeof body.variables === 'object' ? body.variables : {}) as Record<string, unknown>;
		const operationName = typeof body.operationName === 'string' ? body.operationName : undefined;

		const prepared = this.prepare(query);
		if (!prepared.doc) return answer({ errors: prepared.errors }, 0, 0);
		const doc = prepared.doc;
		const ops = doc.definitions.filter((x): x is OperationDefinitionNode => x.kind === Kind.OPERATION_DEFINITION);
		const op = operationName ? ops.find((o) => o.name?.value === operationName) : ops.length === 1 ? ops[0] : undefined;
		if (!op) {
			const message = operationName ? `Unknown operation named "${operationName}".` : 'Must provide operation name if query contains multiple operations.';
			return answer({ errors: [{ message }] }, 0, 0);
		}
		// Name the request after its operation in the request log ("graphql.query.clients"), so tests and benchmarks can
		// count calls per root field; the "graphql" prefix keeps route-prefix faults working.
		const roots = op.selectionSet.selections.map((sel) => (sel.kind === Kind.FIELD ? sel.name.value : '…'));
		req.routeName = `graphql.${op.operation}.${roots.join('+')}`;
		const varErrors = variableErrors(d.schema, op, variables, d.faults);
		if (varErrors.length) return answer({ errors: varErrors }, 0, 0);

		const requested = requestedCost(d.schema, doc, op, variables);
		if (!d.bucket.tryTake(requested)) {
			// Refused before execution; the body is exactly Jobber's documented THROTTLED answer (crm-apis.md §4.5):
			// no "data" key and only the cost extension.
			return {
				status: 200,
				body: {
					errors: [{ message: 'Throttled', extensions: { code: 'THROTTLED', documentation: 'https://developer.getjobber.com/docs/using_jobbers_api/api_rate_limits' } }],
					extensions: { cost: this.costExtension(requested, 0) },
				},
			};
		}
		const result = await execute({ schema: d.schema, document: doc, operationName, variableValues: variables, contextValue: d.context, fieldResolver });
		const actual = Math.min(requested, actualCost(d.schema, doc, op, variables, result.data));
		d.bucket.refund(requested - actual);
		const payload: Record<string, unknown> = {};
		if (result.errors?.length) payload.errors = result.errors.map((e) => e.toJSON());
		payload.data = result.data ?? null;
		return answer(payload, requested, actual);
	}

	clearCache(): void {
		this.cache.clear();
	}
}
