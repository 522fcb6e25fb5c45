/** Shared setup for the HubSpot sandbox tests: a server on port 0, a small HTTP client, a webhook receiver. */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createContext, startVendor, type StartedVendor } from '../../../sandbox/core/vendor';
import { createHubspot, type HubspotDefinition, type HubspotOptions } from '../../../sandbox/hubspot';

export interface Hub {
	server: StartedVendor;
	def: HubspotDefinition;
	url: string;
	token: string;
	call: (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Reply>;
	close: () => Promise<void>;
}

export interface Reply {
	status: number;
	headers: Headers;
	body: any;
	text: string;
}

export async function startHub(options: HubspotOptions = {}, contextOptions: { timeScale?: number } = {}): Promise<Hub> {
	const ctx = createContext(contextOptions);
	const def = createHubspot(ctx, options);
	const server = await startVendor(def, ctx);
	const token = String(def.info().privateAppToken);
	const call = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Reply> => {
		const h: Record<string, string> = { Authorization: `Bearer ${token}`, ...headers };
		let payload: string | undefined;
		if (body !== undefined) {
			payload = typeof body === 'string' ? body : JSON.stringify(body);
			h['Content-Type'] ??= 'application/json';
		}
		const res = await fetch(server.url + path, { method, headers: h, body: payload });
		const text = await res.text();
		let parsed: unknown = undefined;
		try {
			parsed = text ? JSON.parse(text) : undefined;
		} catch {
			parsed = undefined;
		}
		return { status: res.status, headers: res.headers, body: parsed, text };
	};
	return { server, def, url: server.url, token, call, close: () => server.close() };
}

export interface ReceivedRequest {
	method: string;
	url: string;
	headers: http.IncomingHttpHeaders;
	body: string;
}

export interface Receiver {
	url: string;
	received: ReceivedRequest[];
	/** Status to answer (per call index); default 200. */
	respond: (index: number) => number | { status: number; headers?: Record<string, string> };
	close: () => Promise<void>;
}

/** A loopback HTTP server that records webhook requests. */
export async function startReceiver(path = '/hubspot/webhook'): Promise<Receiver> {
	const received: ReceivedRequest[] = [];
	const receiver: Receiver = { url: '', received, respond: () => 200, close: async () => undefined };
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			const index = received.length;
			received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
			const answer = receiver.respond(index);
			const { status, headers } = typeof answer === 'number' ? { status: answer, headers: {} } : answer;
			res.writeHead(status, headers);
			res.end();
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
	receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
	receiver.close = () => new Promise<void>((r) => server.close(() => r()));
	return receiver;
}

export function dev(def: HubspotDefinition): { appId: number; key: string } {
	const info = def.info();
	return { appId: Number(info.appId), key: String(info.developerApiKey) };
}
