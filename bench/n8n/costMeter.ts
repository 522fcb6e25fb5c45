/**
 * A transparent pass-through in front of the Jobber sandbox that reads what the sandbox's counters cannot:
 * Jobber's limit is a query-cost bucket, and its throttle answer (THROTTLED) comes with HTTP 200. Every GraphQL
 * answer's `extensions.cost.actualQueryCost` is summed, and THROTTLED answers are counted. Requests and answers
 * are forwarded byte for byte (status, headers, body).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CostTotals {
	requests: number;
	points: number;
	throttled: number;
	/** Points and documents by the document's first root field (clientEmails, clientCreate, propertyCreate…). */
	byField: Record<string, { documents: number; points: number }>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'content-encoding', 'host']);

export class CostMeter {
	totals: CostTotals = { requests: 0, points: 0, throttled: 0, byField: {} };
	private constructor(
		private readonly server: Server,
		readonly url: string,
	) {}

	static async start(target: string): Promise<CostMeter> {
		let meter: CostMeter | undefined;
		const server = createServer((req, res) => {
			void forward(target, req, res, (request, body) => meter?.account(req, request, body)).catch((err) => {
				res.writeHead(502, { 'content-type': 'application/json' });
				res.end(JSON.stringify({ errors: [{ message: `bench cost meter: ${(err as Error).message}` }] }));
			});
		});
		server.keepAliveTimeout = 65_000;
		await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
		meter = new CostMeter(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
		return meter;
	}

	reset(): void {
		this.totals = { requests: 0, points: 0, throttled: 0, byField: {} };
	}

	private account(req: IncomingMessage, request: string, body: string): void {
		if (!req.url?.startsWith('/api/graphql')) return;
		this.totals.requests++;
		let field = 'unknown';
		try {
			const query = String((JSON.parse(request) as { query?: unknown }).query ?? '');
			// The first field inside the operation's braces, past an alias (`a0: clientCreate(…)`).
			field = /\{\s*(?:\w+\s*:\s*)?(\w+)/.exec(query)?.[1] ?? 'unknown';
		} catch {
			// not JSON
		}
		try {
			const parsed = JSON.parse(body) as { errors?: Array<{ extensions?: { code?: string } }>; extensions?: { cost?: { actualQueryCost?: number } } };
			const points = Number(parsed.extensions?.cost?.actualQueryCost ?? 0);
			this.totals.points += points;
			const f = (this.totals.byField[field] ??= { documents: 0, points: 0 });
			f.documents++;
			f.points += points;
			if (parsed.errors?.some((e) => e.extensions?.code === 'THROTTLED')) this.totals.throttled++;
		} catch {
			// not JSON (a 429 page, say): no cost to add
		}
	}

	close(): Promise<void> {
		this.server.closeAllConnections();
		return new Promise((r) => this.server.close(() => r()));
	}
}

async function forward(target: string, req: IncomingMessage, res: ServerResponse, onBody: (request: string, body: string) => void): Promise<void> {
	const chunks: Buffer[] = [];
	for await (const c of req) chunks.push(c as Buffer);
	const headers: Record<string, string> = {};
	for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
	const requestBody = Buffer.concat(chunks);
	const upstream = await fetch(`${target}${req.url}`, {
		method: req.method,
		headers,
		body: req.method === 'GET' || req.method === 'HEAD' ? undefined : requestBody,
		redirect: 'manual',
	});
	const text = await upstream.text();
	onBody(requestBody.toString('utf8'), text);
	const out: Record<string, string | string[]> = {};
	upstream.headers.forEach((value, key) => {
		if (!HOP_BY_HOP.has(key)) out[key] = value;
	});
	const setCookie = upstream.headers.getSetCookie();
	if (setCookie.length) out['set-cookie'] = setCookie;
	res.writeHead(upstream.status, out);
	res.end(text);
}
