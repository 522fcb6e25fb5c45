/** Test support for Sync Alert: failed-item fixtures in this package's shapes, and a local HTTP sink. */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { IDataObject } from 'n8n-workflow';
import { classifiedError, type ClassifiedError, type ErrorCode } from '../../errors/taxonomy';
import { failedItem } from '../../nodes/shared/records';

export function err(code: ErrorCode, message: string, extra: { field?: string; id?: string; system?: string; object?: string; at?: string } = {}): ClassifiedError {
	return classifiedError(code, {
		message,
		...(extra.field ? { field: extra.field } : {}),
		record: { system: extra.system ?? 'hubspot', object: extra.object ?? 'contacts', id: extra.id ?? '501' },
		now: new Date(extra.at ?? '2025-03-10T09:00:00.000Z'),
	});
}

/** A failed item as the Field Mapper and the vendor nodes emit it (nodes/shared/records.ts). */
export function failed(id: string, errors: ClassifiedError[], extra: IDataObject = {}, record: IDataObject = {}): IDataObject {
	return failedItem('mapping', 'Field Mapper', { system: 'hubspot', object: 'contacts', id, fields: { email: 'x' }, ...record }, errors, { mappingId: 'people', ...extra });
}

/** An Error Policy item: the failed item plus its decision (sync/errors Decision shape). */
export function decided(item: IDataObject, decision: IDataObject): IDataObject {
	return { ...item, decision: { strategy: 'retry', attempt: 1, maxRetries: 3, nextAttempt: null, nextRetryAt: null, delaySeconds: null, code: null, category: null, reason: 'test', ...decision } };
}

export const envelope = (id: string): IDataObject => ({ system: 'hubspot', object: 'contacts', id, fields: { email: `${id}@example.com` }, action: 'updated', mappingId: 'people' });

export interface SinkRequest {
	method: string;
	url: string;
	headers: IncomingHttpHeaders;
	/** The body exactly as received. */
	raw: string;
	at: number;
}

export interface Sink {
	url: string;
	requests: SinkRequest[];
	/** Statuses to answer with, in order; 200 once they run out. */
	respond: number[];
	close(): Promise<void>;
}

/** A node:http server that records every request's raw body and answers with the queued statuses. */
export async function startSink(): Promise<Sink> {
	const requests: SinkRequest[] = [];
	const sink = { respond: [] as number[] };
	const server: Server = createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, raw: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
			const status = sink.respond.shift() ?? 200;
			res.writeHead(status, { 'content-type': 'text/plain' });
			res.end(status < 300 ? 'ok' : 'nope');
		});
	});
	await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
	const { port } = server.address() as AddressInfo;
	return Object.assign(sink, {
		url: `http://127.0.0.1:${port}`,
		requests,
		close: () =>
			new Promise<void>((r) => {
				server.closeAllConnections();
				server.close(() => r());
			}),
	});
}
