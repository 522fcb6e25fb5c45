import { Rng } from './rng';
import type { SandboxRequest } from './server';

/** Faults a test can switch on through the admin API. All random choices come from a seeded generator. */
export interface FaultConfig {
	/** Added delay before every answer (real milliseconds). */
	latencyMs?: number;
	/** Share of requests (0..1) answered with the vendor's 5xx. */
	errorRate?: number;
	/** Share of requests (0..1) that get no answer at all. */
	timeoutRate?: number;
	/** The next N requests get the vendor's rate-limit answer. */
	force429?: number;
	/** The next N requests get the vendor's 5xx answer. */
	force5xx?: number;
	/** Only requests whose route name starts with this prefix are affected. */
	routePrefix?: string;
	/** Every access token issued so far stops working (the vendor answers 401). */
	revokeTokens?: boolean;
	/** Fields that vanished from the vendor schema, per object: writes naming them fail as unknown fields. */
	removedFields?: Record<string, string[]>;
	/** Vendor answers with a body that is not valid JSON. */
	malformedRate?: number;
	seed?: number;
}

export type FaultOutcome = 'none' | 'timeout' | 'unavailable' | 'rateLimited';

export class Faults {
	private config: FaultConfig = {};
	private rng = new Rng(1);
	/** Bumped on every revokeTokens: vendors compare it with the generation a token was issued in. */
	tokenGeneration = 0;

	set(config: FaultConfig): void {
		this.config = { ...config };
		this.rng = new Rng(config.seed ?? 1);
		if (config.revokeTokens) this.tokenGeneration++;
	}

	clear(): void {
		this.config = {};
	}

	get current(): Readonly<FaultConfig> {
		return this.config;
	}

	isFieldRemoved(object: string, field: string): boolean {
		return this.config.removedFields?.[object]?.includes(field) ?? false;
	}

	/** Decides the fate of one API request before its handler runs. */
	async before(req: SandboxRequest): Promise<FaultOutcome> {
		const c = this.config;
		if (c.routePrefix && !req.routeName.startsWith(c.routePrefix)) return 'none';
		if (c.latencyMs) await new Promise((r) => setTimeout(r, c.latencyMs));
		if (c.force429 && c.force429 > 0) {
			c.force429--;
			return 'rateLimited';
		}
		if (c.force5xx && c.force5xx > 0) {
			c.force5xx--;
			return 'unavailable';
		}
		if (c.timeoutRate && this.rng.chance(c.timeoutRate)) return 'timeout';
		if (c.errorRate && this.rng.chance(c.errorRate)) return 'unavailable';
		return 'none';
	}

	/** True when this response should be replaced by malformed JSON (vendors call it for JSON bodies). */
	malformNow(): boolean {
		return !!this.config.malformedRate && this.rng.chance(this.config.malformedRate);
	}
}
