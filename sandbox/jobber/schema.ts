/**
 * The executable Jobber schema: the official 2023 introspection dump (shared/reference/specs/jobber/schema.json)
 * with the documented 2025 changes applied on top, so type, field, argument and enum names are Jobber's own and an
 * unknown field fails validation exactly as graphql-js reports it. Built once per process (about 0.4 s) and shared
 * by every server instance: resolvers read all state from the execution context.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
	GraphQLScalarType,
	Kind,
	buildASTSchema,
	buildClientSchema,
	parse,
	printSchema,
	type DefinitionNode,
	type DocumentNode,
	type GraphQLSchema,
	type IntrospectionQuery,
	type ValueNode,
} from 'graphql';
import { isEncodedId } from './ids';

export const DEFAULT_SCHEMA_PATH = path.resolve(__dirname, '../../../shared/reference/specs/jobber/schema.json');

/** Fields the live API no longer has (specs README: a 2025 introspection shows them gone). */
const REMOVED_FIELDS: Record<string, string[]> = {
	Client: ['properties', 'workObjects'],
	// Re-declared below with changed arguments or types.
	Query: ['clients'],
	ClientCreateInput: ['customFields'],
	ClientEditInput: ['customFields'],
	JobCreateAttributes: ['scheduling', 'customFields'],
	JobEditInput: ['customFields'],
	QuoteCreateAttributes: ['customFields'],
};

/** Whole definitions replaced by their current shape. */
const REPLACED_TYPES = ['CustomFieldUnion', 'CustomFieldLink', 'RequestCreateInput'];

/**
 * The 2025 overlay. Sources: crm-apis.md §4.2–4.7 and the specs README (partial 2025 introspection), plus a recent
 * public codegen of Jobber's schema for exact names of the types below. Only additions the sandbox needs are made.
 */
const OVERLAY_SDL = /* GraphQL */ `
extend type Client {
  billingAddressPresent: Boolean!
  defaultPhones: [String!]!
  messages(after: String, before: String, first: Int, last: Int): MessageInterfaceConnection!
  receivesFollowUps: Boolean!
  receivesInvoiceFollowUps: Boolean!
  receivesQuoteFollowUps: Boolean!
  receivesReminders: Boolean!
  receivesReviewRequests: Boolean!
  sampleData: Boolean!
  scheduledItems(after: String, before: String, first: Int, last: Int): ScheduledItemInterfaceConnection!
}

enum ClientsSortKey { FIRST_NAME LAST_NAME PRIMARY_NAME UPDATED_AT }
input ClientsSortInput { key: ClientsSortKey! direction: SortDirectionEnum! }
extend input ClientFilterAttributes { tags: [String!] }

extend type Query {
  clients(filter: ClientFilterAttributes, searchTerm: String, sort: ClientsSortInput, after: String, before: String, first: Int, last: Int): ClientConnection!
}

input CustomFieldValueAreaInput { length: Float width: Float }
input CustomFieldValueLinkInput { text: String url: String }
input CustomFieldCreateInput {
  customFieldConfigurationId: EncodedId
  valueArea: CustomFieldValueAreaInput
  valueDropdown: String
  valueLink: CustomFieldValueLinkInput
  valueNumeric: Float
  valueText: String
  valueTrueFalse: Boolean
}
input CustomFieldEditInput {
  customFieldConfigurationId: EncodedId
  id: EncodedId
  valueArea: CustomFieldValueAreaInput
  valueDropdown: String
  valueLink: CustomFieldValueLinkInput
  valueNumeric: Float
  valueText: String
  valueTrueFalse: Boolean
}

extend input ClientCreateInput {
  customFields: [CustomFieldCreateInput!]
  receivesFollowUps: Boolean
  receivesInvoiceFollowUps: Boolean
  receivesQuoteFollowUps: Boolean
  receivesReminders: Boolean
  receivesReviewRequests: Boolean
}
extend input ClientEditInput {
  customFields: [CustomFieldEditInput!]
  receivesFollowUps: Boolean
  receivesInvoiceFollowUps: Boolean
  receivesQuoteFollowUps: Boolean
  receivesReminders: Boolean
  receivesReviewRequests: Boolean
  tagsToAdd: [String!]
  tagsToDelete: [String!]
}

type CustomFieldLinkValue { text: String! url: String! }
type CustomFieldLink {
  customFieldConfiguration: CustomFieldConfigurationLink!
  id: EncodedId
  label: String!
  valueLink: CustomFieldLinkValue!
}
type CustomFieldDropdown {
  customFieldConfiguration: CustomFieldConfigurationDropdown!
  dropdownOptions: [String!]!
  id: EncodedId
  label: String!
  valueDropdown: String!
}
type CustomFieldNumeric {
  customFieldConfiguration: CustomFieldConfigurationNumeric!
  id: EncodedId
  label: String!
  unit: String!
  valueNumeric: Float!
}
type CustomFieldTrueFalse {
  customFieldConfiguration: CustomFieldConfigurationTrueFalse!
  id: EncodedId
  label: String!
  valueTrueFalse: Boolean!
}
union CustomFieldUnion = CustomFieldArea | CustomFieldDropdown | CustomFieldLink | CustomFieldNumeric | CustomFieldText | CustomFieldTrueFalse

extend interface CustomFieldConfigurationInterface { archived: Boolean! }
extend type CustomFieldConfigurationArea { archived: Boolean! }
extend type CustomFieldConfigurationDropdown { archived: Boolean! }
extend type CustomFieldConfigurationLink { archived: Boolean! }
extend type CustomFieldConfigurationNumeric { archived: Boolean! }
extend type CustomFieldConfigurationText { archived: Boolean! }
extend type CustomFieldConfigurationTrueFalse { archived: Boolean! }
extend input CustomFieldConfigurationsFilterInput { createdByThisApp: Boolean }

extend input JobCreateAttributes {
  scheduling: JobSchedulingAttributes
  customFields: [CustomFieldCreateInput!]
}
extend input JobEditInput { customFields: [CustomFieldEditInput!] }
extend input QuoteCreateAttributes { customFields: [CustomFieldCreateInput!] }
input RequestCreateInput {
  assessment: AssessmentCreateInput
  clientId: EncodedId!
  formIds: [EncodedId!]
  propertyId: EncodedId
  referringClientId: EncodedId
  title: String
}

extend enum JobStatusTypeEnum { expiring_within_30_days }
extend enum JobSortKey { JOB_NUMBER JOB_STATUS SCHEDULE TOTAL_COST VISIT_START_DATE }
extend enum InvoiceOrigin { INTEGRATIONS }
extend enum WebHookTopicEnum {
  EXPENSE_CREATE EXPENSE_DESTROY EXPENSE_UPDATE JOB_CLOSED MARKETING_ITEM_UPDATE ON_MY_WAY_TRACKING_LINK_REQUEST
  QUOTE_APPROVED QUOTE_SENT TIMESHEET_CREATE TIMESHEET_DESTROY TIMESHEET_UPDATE USER_CREATE USER_UPDATE
}

type WebhookEndpoint {
  account: Account!
  app: Application!
  createdAt: ISO8601DateTime!
  id: EncodedId!
  topic: WebHookTopicEnum!
  updatedAt: ISO8601DateTime!
  url: String!
}
input WebhookEndpointCreateInput { topic: WebHookTopicEnum! url: String! }
type WebhookEndpointCreatePayload { userErrors: [MutationErrors!]! webhookEndpoint: WebhookEndpoint }
type WebhookEndpointDeletePayload { deletedWebhookEndpoints: [WebhookEndpoint!] userErrors: [MutationErrors!]! }
extend type Mutation {
  webhookEndpointCreate(input: WebhookEndpointCreateInput!): WebhookEndpointCreatePayload!
  webhookEndpointDelete(webhookEndpointsIds: [EncodedId!]!): WebhookEndpointDeletePayload!
}
`;

const ISO_DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}(?::?\d{2})?)?)?$/;

/** Parses what Ruby's Time.iso8601 accepts (seconds required when a time is given; no zone means UTC). */
export function parseIsoDateTime(value: unknown): number | null {
	if (typeof value !== 'string') return null;
	const m = ISO_DATETIME.exec(value);
	if (!m) return null;
	let text = value;
	if (m[4] === undefined) text = `${value}T00:00:00Z`;
	else if (m[8] === undefined) text = `${value}Z`;
	const ms = Date.parse(text);
	return Number.isNaN(ms) ? null : ms;
}

/** Problem text for a scalar value Jobber would refuse, or null when it is acceptable. */
export function scalarProblem(typeName: string, value: unknown): string | null {
	switch (typeName) {
		case 'EncodedId':
			return isEncodedId(value) ? null : `'${typeof value === 'string' ? value : JSON.stringify(value)}' is not a valid EncodedId`;
		case 'ISO8601DateTime':
			return parseIsoDateTime(value) !== null ? null : `${JSON.stringify(value)} is not a valid ISO8601DateTime`;
		case 'ISO8601Date':
			return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value))
				? null
				: `${JSON.stringify(value)} is not a valid ISO8601Date`;
		case 'String':
		case 'ID':
			return typeof value === 'string' || (typeName === 'ID' && Number.isInteger(value)) ? null : `Could not coerce value ${JSON.stringify(value)} to ${typeName}`;
		case 'Int':
			return Number.isInteger(value) && Math.abs(value as number) <= 2 ** 31 - 1 ? null : `Could not coerce value ${JSON.stringify(value)} to Int`;
		case 'Float':
			return typeof value === 'number' && Number.isFinite(value) ? null : `Could not coerce value ${JSON.stringify(value)} to Float`;
		case 'Boolean':
			return typeof value === 'boolean' ? null : `Could not coerce value ${JSON.stringify(value)} to Boolean`;
		default:
			return null;
	}
}

function literalValue(node: ValueNode): unknown {
	return node.kind === Kind.STRING || node.kind === Kind.ENUM ? node.value : node.kind === Kind.NULL ? null : undefined;
}

/** Gives a custom scalar Jobber's input checking, so literals and variables are refused as the API refuses them. */
function harden(schema: GraphQLSchema, name: string): void {
	const scalar = schema.getType(name);
	if (!(scalar instanceof GraphQLScalarType)) return;
	const check = (value: unknown) => {
		const problem = scalarProblem(name, value);
		// A plain Error: graphql-js then reports literals as `Expected value of type "EncodedId!", found "1"; <problem>`.
		if (problem) throw new Error(problem);
		return value;
	};
	// graphql-js keeps these as plain properties; replacing them is the supported way to customise a built scalar.
	Object.assign(scalar, {
		parseValue: check,
		parseLiteral: (node: ValueNode) => check(literalValue(node) ?? (node as { value?: string }).value),
	});
}

export function loadReferenceIntrospection(schemaPath = DEFAULT_SCHEMA_PATH): IntrospectionQuery {
	if (!fs.existsSync(schemaPath)) {
		throw new Error(`Jobber introspection schema not found at ${schemaPath} (expected shared/reference/specs/jobber/schema.json beside the repo)`);
	}
	const json = JSON.parse(fs.readFileSync(schemaPath, 'utf8')) as { data: IntrospectionQuery };
	return json.data;
}

/** Applies the overlay to the SDL of the reference schema. Exported for the schema unit test. */
export function overlayDocument(reference: GraphQLSchema): DocumentNode {
	// No locations: the 0.5 MB SDL's AST is only transformed and built, and locations would double its size.
	const base = parse(printSchema(reference), { noLocation: true });
	const overlay = parse(OVERLAY_SDL);
	const replaced = new Set(REPLACED_TYPES);
	const definitions: DefinitionNode[] = [];
	for (const def of base.definitions) {
		if ('name' in def && def.name && replaced.has(def.name.value)) continue;
		if (
			(def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INPUT_OBJECT_TYPE_DEFINITION) &&
			REMOVED_FIELDS[def.name.value]
		) {
			const drop = new Set(REMOVED_FIELDS[def.name.value]);
			const fields = (def.fields ?? []).filter((f: { name: { value: string } }) => !drop.has(f.name.value));
			definitions.push({ ...def, fields } as DefinitionNode);
			continue;
		}
		definitions.push(def);
	}
	return { kind: Kind.DOCUMENT, definitions: [...definitions, ...overlay.definitions] };
}

const cache = new Map<string, GraphQLSchema>();

/** The executable schema (without resolvers: those are attached by resolvers.ts). */
export function buildJobberSchema(schemaPath = DEFAULT_SCHEMA_PATH): GraphQLSchema {
	const hit = cache.get(schemaPath);
	if (hit) return hit;
	const reference = buildClientSchema(loadReferenceIntrospection(schemaPath));
	const schema = buildASTSchema(overlayDocument(reference));
	for (const name of ['EncodedId', 'ISO8601DateTime', 'ISO8601Date']) harden(schema, name);
	cache.set(schemaPath, schema);
	return schema;
}
