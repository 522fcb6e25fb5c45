import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Clock } from './clock';
import { Faults } from './faults';
import { RequestLog } from './requestLog';

/** One incoming request as vendor handlers see it. The raw body is kept: webhook signatures are over raw bytes. */
export interface SandboxRequest {
	method: string;
	path: string;
	url: URL;
	query: URLSearchParams;
	/** Header names lower-cased; repeated headers joined with ", ". */
	headers: Record<string, string>;
	rawBody: Buffer;
	params: Record<string, string>;
	/** The route's name, used in the request log and counters ("contacts.batch.upsert"). */
	routeName: string;
	text(): string;
	/** Parses the body as JSON; throws BodyParseError, which the server answers in the vendor's own format. */
	json<T = unknown>(): T;
}

export interface SandboxResponse {
	status: number;
	headers?: Record<string, string | number>;
	/** Objects and arrays are sent as JSON; strings and buffers as they are. */
	body?: unknown;
}

export type Handler = (req: SandboxRequest) => SandboxResponse | Promise<SandboxResponse>;

export class BodyParseError extends Error {
	constructor(message: string) {
		super(message);
		this.name = 'BodyParseError';
	}
}

/** Each vendor answers these cases in its own envelope; the server never invents a shape of its own. */
export interface VendorErrorShapes {
	notFound(req: SandboxRequest): SandboxResponse;
	badJson(req: SandboxRequest, err: BodyParseError): SandboxResponse;
	internal(req: SandboxRequest, err: unknown): SandboxResponse;
	/** What an injected 5xx looks like for this vendor. */
	unavailable(req: SandboxRequest): SandboxResponse;
	/** What an injected (forced) rate-limit response looks like for this vendor. */
	rateLimited(req: SandboxRequest): SandboxResponse;
}

interface Route {
	method: string;
	regex: RegExp;
	keys: string[];
	name: string;
	handler: Handler;
	/** Admin routes (/_sandbox/…) skip faults and are not counted as API calls. */
	admin: boolean;
}

export class Router {
	private readonly routes: Route[] = [];

	/**
	 * Adds a route. Patterns use `:name` segments (`/crm/v3/objects/:type/:id`) and a trailing `*rest`
	 * segment that captures the remainder of the path.
	 */
	add(method: string, pattern: string, name: string, handler: Handler): this {
		const keys: string[] = [];
		const source = pattern
			.split('/')
			.map((segment) => {
				if (segment.startsWith(':')) {
					keys.push(segment.slice(1));
					return '([^/]+)';
				}
				if (segment.startsWith('*')) {
					keys.push(segment.slice(1));
					return '(.*)';
				}
				return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
			})
			.join('/');
		this.routes.push({
			method: method.toUpperCase(),
			regex: new RegExp(`^${source}/?$`),
			keys,
			name,
			handler,
			admin: pattern.startsWith('/_sandbox'),
		});
		return this;
	}

	get(pattern: string, name: string, handler: Handler): this {
		return this.add('GET', pattern, name, handler);
	}
	post(pattern: string, name: string, handler: Handler): this {
		return this.add('POST', pattern, name, handler);
	}
	patch(pattern: string, name: string, handler: Handler): this {
		return this.add('PATCH', pattern, name, handler);
	}
	put(pattern: string, name: string, handler: Handler): this {
		return this.add('PUT', pattern, name, handler);
	}
	delete(pattern: string, name: string, handler: Handler): this {
		return this.add('DELETE', pattern, name, handler);
	}

	match(method: string, path: string): { route: Route; params: Record<string, string> } | undefined {
		for (const route of this.routes) {
			if (route.method !== method) continue;
			const m = route.regex.exec(path);
			if (!m) continue;
			const params: Record<string, string> = {};
			try {
				route.keys.forEach((key, i) => {
					params[key] = decodeURIComponent(m[i + 1]);
				});
			} catch {
				// Bad percent-encoding (`%E0%A4%A`): no route matches, so the vendor's own 404 answers.
				return undefined;
			}
			return { route, params };
		}
		return undefined;
	}
}

export interface VendorServerOptions {
	name: string;
	router: Router;
	errors: VendorErrorShapes;
	clock: Clock;
	faults: Faults;
	log: RequestLog;
	port?: number;
	host?: string;
	/** Largest request body accepted (bytes). */
	maxBodyBytes?: number;
}

export interface RunningServer {
	name: string;
	url: string;
	port: number;
	close(): Promise<void>;
}

function send(res: http.ServerResponse, response: SandboxResponse): void {
	const headers: Record<string, string | number> = { ...(response.headers ?? {}) };
	let payload: Buffer | string | undefined;
	if (response.body === undefined || response.body === null) payload = undefined;
	else if (Buffer.isBuffer(response.body) || typeof response.body === 'string') payload = response.body;
	else {
		payload = JSON.stringify(response.body);
		if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) {
			headers['Content-Type'] = 'application/json;charset=utf-8';
		}
	}
	res.writeHead(response.status, headers);
	res.end(payload);
}

function readBody(req: http.IncomingMessage, max: number): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > max) {
				reject(new BodyParseError(`Request body larger than ${max} bytes`));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks)));
		req.on('error', reject);
	});
}

function toRequest(req: http.IncomingMessage, rawBody: Buffer, baseUrl: string): SandboxRequest {
	const url = new URL(req.url ?? '/', baseUrl);
	const headers: Record<string, string> = {};
	for (const [key, value] of Object.entries(req.headers)) {
		if (value !== undefined) headers[key.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
	}
	let parsed: unknown;
	let parsedOnce = false;
	return {
		method: (req.method ?? 'GET').toUpperCase(),
		path: url.pathname,
		url,
		query: url.searchParams,
		headers,
		rawBody,
		params: {},
		routeName: 'unmatched',
		text: () => rawBody.toString('utf8'),
		json<T>(): T {
			if (!parsedOnce) {
				if (rawBody.length === 0) throw new BodyParseError('Request body is empty');
				try {
					parsed = JSON.parse(rawBody.toString('utf8'));
				} catch (err) {
					throw new BodyParseError((err as Error).message);
				}
				parsedOnce = true;
			}
			return parsed as T;
		},
	};
}

/** Starts one vendor's HTTP server on loopback. Every request is logged; handler failures never crash it. */
export function startVendorServer(options: VendorServerOptions): Promise<RunningServer> {
	const host = options.host ?? '127.0.0.1';
	const maxBody = options.maxBodyBytes ?? 20 * 1024 * 1024;
	const sockets = new Set<import('node:net').Socket>();
	let baseUrl = `http://${host}`;

	const server = http.createServer(async (req, res) => {
		const started = performance.now();
		let request: SandboxRequest | undefined;
		let status = 0;
		let admin = false;
		try {
			let raw: Buffer;
			try {
				raw = await readBody(req, maxBody);
			} catch (err) {
				request = toRequest(req, Buffer.alloc(0), baseUrl);
				const response = options.errors.badJson(request, err as BodyParseError);
				status = response.status;
				send(res, response);
				return;
			}
			request = toRequest(req, raw, baseUrl);
			const found = options.router.match(request.method, request.path);
			if (!found) {
				const response = options.errors.notFound(request);
				status = response.status;
				send(res, response);
				return;
			}
			request.params = found.params;
			request.routeName = found.route.name;
			admin = found.route.admin;
			if (!admin) {
				const fault = await options.faults.before(request);
				if (fault === 'timeout') {
					// Hold the connection open and answer nothing, as a hung vendor would.
					status = -1;
					return;
				}
				if (fault === 'unavailable' || fault === 'rateLimited') {
					const response = fault === 'unavailable' ? options.errors.unavailable(request) : options.errors.rateLimited(request);
					status = response.status;
					send(res, response);
					return;
				}
			}
			let response: SandboxResponse;
			try {
				response = await found.route.handler(request);
			} catch (err) {
				response = err instanceof BodyParseError ? options.errors.badJson(request, err) : options.errors.internal(request, err);
			}
			if (!admin && options.faults.malformNow() && response.body !== null && typeof response.body === 'object' && !Buffer.isBuffer(response.body)) {
				// Injected fault: a vendor answer cut off mid-JSON.
				const text = JSON.stringify(response.body);
				response = { ...response, body: text.slice(0, Math.max(1, Math.floor(text.length / 2))), headers: { ...response.headers, 'Content-Type': 'application/json' } };
			}
			status = response.status;
			send(res, response);
		} catch (err) {
			// Last resort: a bug in an error shape itself. Answer 500 rather than leave the client hanging.
			status = 500;
			if (!res.headersSent) send(res, { status: 500, body: { message: String(err) } });
		} finally {
			if (request && !admin) {
				options.log.record({
					at: options.clock.now(),
					method: request.method,
					path: request.path,
					route: request.routeName,
					status,
					ms: performance.now() - started,
				});
			}
		}
	});
	server.keepAliveTimeout = 5000;
	server.on('connection', (socket) => {
		sockets.add(socket);
		socket.on('close', () => sockets.delete(socket));
	});

	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(options.port ?? 0, host, () => {
			const port = (server.address() as AddressInfo).port;
			baseUrl = `http://${host}:${port}`;
			resolve({
				name: options.name,
				url: baseUrl,
				port,
				close: () =>
					new Promise<void>((done) => {
						for (const socket of sockets) socket.destroy();
						server.close(() => done());
					}),
			});
		});
	});
}
