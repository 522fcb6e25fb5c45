/**
 * Test helpers for the Jobber sandbox: start a server on port 0 and talk to it over real HTTP. Every GraphQL
 * document a test sends is first validated with graphql-js against a schema built from the official introspection
 * dump itself (not the sandbox's executable schema), so the tests only ever send documents the real API knows.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { buildClientSchema, extendSchema, parse, validate, type GraphQLSchema } from 'graphql';
import { createContext, startVendor, type StartedVendor, type VendorContext } from '../../../sandbox/core/vendor';
import { createJobber, type JobberOptions } from '../../../sandbox/jobber';

export const SCHEMA_JSON = path.resolve(__dirname, '../../../../shared/reference/specs/jobber/schema.json');

let reference: GraphQLSchema | undefined;
let reference2025: GraphQLSchema | undefined;

/** The 2023 introspection dump as graphql-js builds it, untouched. */
export function referenceSchema(): GraphQLSchema {
	reference ??= buildClientSchema(JSON.parse(fs.readFileSync(SCHEMA_JSON, 'utf8')).data);
	return reference;
}

/**
 * The dump plus only what crm-apis.md §4.4 documents as newer than it (webhookEndpointCreate/Delete), written
 * here from the reference text, independently of the sandbox's overlay.
 */
export function referenceSchema2025(): GraphQLSchema {
	reference2025 ??= extendSchema(
		referenceSchema(),
		parse(`
			type WebhookEndpoint { id: EncodedId! topic: WebHookTopicEnum! url: String! createdAt: ISO8601DateTime! }
			input WebhookEndpointCreateInput { topic: WebHookTopicEnum! url: String! }
			type WebhookEndpointCreatePayload { webhookEndpoint: WebhookEndpoint userErrors: [MutationErrors!]! }
			type WebhookEndpointDeletePayload { deletedWebhookEndpoints: [WebhookEndpoint!] userErrors: [MutationErrors!]! }
			extend type Mutation {
				webhookEndpointCreate(input: WebhookEndpointCreateInput!): WebhookEndpointCreatePayload!
				webhookEndpointDelete(webhookEndpointsIds: [EncodedId!]!): WebhookEndpointDeletePayload!
			}
		`),
		{ assumeValidSDL: true },
	);
	return reference2025;
}

export const VERSION = '2026-05-12';

export interface GqlOptions {
	token?: string | null;
	version?: string | null;
	headers?: Record<string, string>;
	/** The document is expected to fail validation (skips the conformance check). */
	invalid?: boolean;
	/** Validate against the dump plus the documented 2025 additions. */
	era2025?: boolean;
	operationName?: string;
}

export interface GqlResult {
	status: number;
	headers: Headers;
	body: any;
}

export interface Harness {
	server: StartedVendor;
	ctx: VendorContext;
	url: string;
	info: Record<string, any>;
	gql(query: string, variables?: Record<string, unknown>, options?: GqlOptions): Promise<GqlResult>;
	/** Calls the admin API; answers { status, body } (body parsed when JSON). */
	admin(method: string, route: string, body?: unknown): Promise<{ status: number; body: any }>;
	close(): Promise<void>;
}

export const sentDocuments: string[] = [];

export function assertConforms(query: string, era2025 = false): void {
	const errors = validate(era2025 ? referenceSchema2025() : referenceSchema(), parse(query));
	if (errors.length) throw new Error(`Test document does not validate against the introspected Jobber schema: ${errors.map((e) => e.message).join('; ')}\n${query}`);
	sentDocuments.push(query);
}

export async function startJobber(options: JobberOptions = {}, contextOptions: { timeScale?: number } = {}): Promise<Harness> {
	const ctx = createContext(contextOptions);
	const server = await startVendor(createJobber(ctx, options), ctx);
	const url = server.url;
	const info = (await (await fetch(`${url}/_sandbox/info`)).json()) as Record<string, any>;
	const harness: Harness = {
		server,
		ctx,
		url,
		info,
		async gql(query, variables, o = {}) {
			if (!o.invalid) assertConforms(query, o.era2025);
			const headers: Record<string, string> = { 'Content-Type': 'application/json', ...o.headers };
			const token = o.token === undefined ? harness.info.accessToken : o.token;
			if (token !== null) headers.Authorization = `Bearer ${token}`;
			const version = o.version === undefined ? VERSION : o.version;
			if (version !== null) headers['X-JOBBER-GRAPHQL-VERSION'] = version;
			const res = await fetch(`${url}/api/graphql`, { method: 'POST', headers, body: JSON.stringify({ query, variables, operationName: o.operationName }) });
			const text = await res.text();
			let body: unknown = text;
			try {
				body = JSON.parse(text);
			} catch {
				// Non-JSON answers (429 text, injected malformed JSON) are returned as text.
			}
			return { status: res.status, headers: res.headers, body };
		},
		async admin(method, route, body) {
			const res = await fetch(`${url}${route}`, { method, headers: { 'Content-Type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
			const text = await res.text();
			try {
				return { status: res.status, body: JSON.parse(text) };
			} catch {
				return { status: res.status, body: text };
			}
		},
		close: () => server.close(),
	};
	return harness;
}

export interface Received {
	headers: http.IncomingHttpHeaders;
	raw: Buffer;
	body: any;
}

/** A local webhook receiver; `delayMs` makes it answer slowly, `status` picks the answer. */
export async function startReceiver(behaviour: { delayMs?: number; status?: number } = {}) {
	const received: Received[] = [];
	const waiters: Array<() => void> = [];
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const raw = Buffer.concat(chunks);
			received.push({ headers: req.headers, raw, body: JSON.parse(raw.toString('utf8')) });
			waiters.splice(0).forEach((w) => w());
			setTimeout(() => {
				res.writeHead(behaviour.status ?? 200);
				res.end('ok');
			}, behaviour.delayMs ?? 0);
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
	return {
		url,
		received,
		async waitFor(n: number, timeoutMs = 5000): Promise<void> {
			const until = Date.now() + timeoutMs;
			while (received.length < n) {
				if (Date.now() > until) throw new Error(`Expected ${n} webhook deliveries, got ${received.length}`);
				await new Promise<void>((r) => {
					waiters.push(r);
					setTimeout(r, 50);
				});
			}
		},
		close: () => new Promise<void>((r) => server.close(() => r())),
	};
}

export const CLIENT_FIELDS = `id firstName lastName companyName isCompany isLead isArchived name updatedAt createdAt
	emails { id address description primary }
	phones { id number description primary smsAllowed }
	billingAddress { street1 street2 city province postalCode country }`;
