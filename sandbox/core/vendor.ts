import { Clock } from './clock';
import { Faults, type FaultConfig } from './faults';
import { RequestLog } from './requestLog';
import { Router, startVendorServer, type RunningServer, type VendorErrorShapes } from './server';
import type { WebhookBehaviour, WebhookSender } from './webhooks';
import type { DirtyKind } from './people';

/** What every vendor server shares: one clock, fault switchboard, request log and webhook sender. */
export interface VendorContext {
	clock: Clock;
	faults: Faults;
	log: RequestLog;
	/** Set by startVendor once the port is known: the vendor's own base URL (for `Location`, `nextRecordsUrl`, `instance_url`). */
	baseUrl: string;
}

export interface SeedOptions {
	/** Object to seed (vendor naming: `contacts`, `persons`, `Contact`, `clients`); default the vendor's people object. */
	object?: string;
	count: number;
	dirtyShare?: number;
	dirtyKinds?: DirtyKind[];
	seed?: number;
}

export interface SeedSummary {
	object: string;
	created: number;
	ids: string[];
	dirty: Record<string, number>;
}

/** A vendor implementation: routes, error shapes, and the admin operations every vendor supports. */
export interface VendorDefinition {
	name: 'hubspot' | 'pipedrive' | 'salesforce' | 'jobber';
	router: Router;
	errors: VendorErrorShapes;
	webhooks?: WebhookSender;
	/** Tokens, client ids and secrets a user or test needs to talk to this server. */
	info(): Record<string, unknown>;
	reset(): void;
	seed(options: SeedOptions): SeedSummary;
	/** The stored records of one object, in the vendor's own shape, for assertions (the admin route pages them). */
	records(object: string): unknown[];
}

export interface StartedVendor extends RunningServer {
	definition: VendorDefinition;
	context: VendorContext;
}

/**
 * Seeds in chunks of `chunk` records, each with its own derived seed: a 100,000-record seed never holds the
 * whole generated data set and its vendor-side copies at once, which keeps the process's peak memory (and
 * so its RSS) low. Deterministic for a seed; ids and emails stay unique because vendors continue their
 * numbering from the store's size.
 */
export function seedInChunks(definition: VendorDefinition, options: SeedOptions, chunk = 10_000): SeedSummary {
	const total: SeedSummary = { object: options.object ?? '', created: 0, ids: [], dirty: {} };
	const base = options.seed ?? 42;
	for (let done = 0, i = 0; done < options.count; done += chunk, i++) {
		const part = definition.seed({ ...options, count: Math.min(chunk, options.count - done), seed: (base + i * 7919) >>> 0 });
		total.object = part.object;
		total.created += part.created;
		for (const id of part.ids) total.ids.push(id);
		for (const [kind, n] of Object.entries(part.dirty)) total.dirty[kind] = (total.dirty[kind] ?? 0) + n;
	}
	return total;
}

export function createContext(options: { timeScale?: number; logCapacity?: number } = {}): VendorContext {
	return {
		clock: new Clock(options.timeScale ?? 1),
		faults: new Faults(),
		log: new RequestLog(options.logCapacity),
		baseUrl: '',
	};
}

/**
 * Adds the admin API shared by every vendor under /_sandbox and starts the server:
 * requests log and counters, faults, clock, reset, seed, records, webhook behaviour and deliveries.
 */
export async function startVendor(
	definition: VendorDefinition,
	context: VendorContext,
	options: { port?: number; host?: string } = {},
): Promise<StartedVendor> {
	const r = definition.router;
	const ok = (body: unknown) => ({ status: 200, body });
	r.get('/_sandbox/info', 'admin.info', () => ok({ vendor: definition.name, baseUrl: context.baseUrl, ...definition.info() }));
	r.get('/_sandbox/requests', 'admin.requests', (req) =>
		ok(
			context.log.list({
				route: req.query.get('route') ?? undefined,
				since: req.query.has('since') ? Number(req.query.get('since')) : undefined,
				status: req.query.has('status') ? Number(req.query.get('status')) : undefined,
			}),
		),
	);
	r.get('/_sandbox/counters', 'admin.counters', () => ok(context.log.counters()));
	r.post('/_sandbox/requests/reset', 'admin.requests.reset', () => {
		context.log.reset();
		return ok({ ok: true });
	});
	r.put('/_sandbox/faults', 'admin.faults.set', (req) => {
		context.faults.set(req.json<FaultConfig>());
		return ok(context.faults.current);
	});
	r.delete('/_sandbox/faults', 'admin.faults.clear', () => {
		context.faults.clear();
		return ok({ ok: true });
	});
	r.post('/_sandbox/clock/advance', 'admin.clock.advance', (req) => {
		context.clock.advance(Number(req.json<{ ms: number }>().ms) || 0);
		return ok({ now: context.clock.iso() });
	});
	r.post('/_sandbox/reset', 'admin.reset', () => {
		definition.reset();
		context.log.reset();
		context.faults.clear();
		definition.webhooks?.reset();
		return ok({ ok: true });
	});
	// A bad seed request or an unknown object is the caller's mistake: 400/404 with the reason, never a 500.
	r.post('/_sandbox/seed', 'admin.seed', (req) => {
		try {
			return ok(seedInChunks(definition, req.json<SeedOptions>()));
		} catch (err) {
			return { status: 400, body: { message: (err as Error).message } };
		}
	});
	r.get('/_sandbox/records/:object', 'admin.records', (req) => {
		// ?offset=&limit= pages through large stores: only the page is serialised.
		const offset = Number(req.query.get('offset') ?? 0);
		const limit = req.query.has('limit') ? Number(req.query.get('limit')) : undefined;
		let all: unknown[];
		try {
			all = definition.records(req.params.object);
		} catch (err) {
			return { status: 404, body: { message: (err as Error).message } };
		}
		return ok(limit === undefined && offset === 0 ? all : all.slice(offset, limit === undefined ? undefined : offset + limit));
	});
	r.put('/_sandbox/webhooks/behaviour', 'admin.webhooks.behaviour', (req) => {
		definition.webhooks?.setBehaviour(req.json<WebhookBehaviour>());
		return ok({ ok: true });
	});
	r.get('/_sandbox/webhooks/deliveries', 'admin.webhooks.deliveries', () => ok(definition.webhooks?.deliveries ?? []));
	r.post('/_sandbox/webhooks/settle', 'admin.webhooks.settle', async () => {
		await definition.webhooks?.settle();
		return ok({ ok: true });
	});

	const server = await startVendorServer({
		name: definition.name,
		router: r,
		errors: definition.errors,
		clock: context.clock,
		faults: context.faults,
		log: context.log,
		port: options.port,
		host: options.host,
	});
	context.baseUrl = server.url;
	return { ...server, definition, context };
}
