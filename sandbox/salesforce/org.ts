/**
 * The simulated org: REST routes under /services/data/vXX.X, OAuth under /services/oauth2, the daily API
 * allocation, query cursors, and the Salesforce-specific admin routes under /_sandbox/salesforce.
 */
import { Rng } from '../core/rng';
import { Router, type SandboxRequest, type SandboxResponse } from '../core/server';
import type { VendorContext } from '../core/vendor';
import { Auth, type Credentials, type Session } from './auth';
import { basicInfo, describeGlobal, describeSObject } from './describe';
import { entityDeleted, MSG, notFound, SfError, saveError, toRest, type RestError, type SaveError } from './errors';
import { IdFactory, locatorId, normalizeId, to18 } from './ids';
import { RollingDailyCounter } from './limits';
import { OBJECT_DEFS, ObjectMeta } from './schema';
import { attributes, compileQuery, execute, outputValue, project, type CompiledQuery, type OutputNode } from './soql/engine';
import { SoqlError } from './soql/errors';
import { Database, type ObjectStore, type Rec } from './store';
import { formatDateTime, httpDate, parseDateTimeValue, truncateToSecond } from './values';
import { createRecord, deleteRecord, updateRecord, type DuplicateRuleMode, type SaveResult, type WriteEnv } from './write';

export interface SalesforceOptions {
	/**
	 * API calls allowed per rolling 24 h. Default 15,000: the Developer Edition allocation. Enterprise orgs get
	 * 100,000 + 1,000 per licence; pass 100,000 or more for benchmarks.
	 */
	dailyApiLimit?: number;
	/** API versions accepted in `/services/data/vXX.X`. Default 31.0 … 66.0 (21.0–30.0 were retired in 2025). */
	apiVersions?: string[];
	/** Session timeout: an access token dies this long after its last use. Default 2 h (the org default). */
	sessionTimeoutMs?: number;
	/** Refresh-token rotation on the connected app. Default off, as on a new connected app. */
	refreshTokenRotation?: boolean;
	/** Standard duplicate rules: false (default), 'alert' (bypassed by allowSave=true) or 'block'. */
	duplicateRule?: DuplicateRuleMode;
	/** Sandbox credentials; every one has a documented default (see `info()`). */
	credentials?: Partial<Credentials>;
	/** Open query cursors per user before the oldest is closed. Default 10, as on the real API. */
	maxOpenCursors?: number;
	/** Idle time after which a query locator expires. Default 15 min. */
	queryLocatorIdleMs?: number;
}

export const DEFAULT_CREDENTIALS: Credentials = {
	clientId: '3MVG9SandboxFluxCascadeConnectedAppConsumerKeyNotARealKey0000000000000000000',
	clientSecret: 'SANDBOXFLUXCASCADE0000000000000000000000000000000000000000000000',
	username: 'integration@fluxcascade.sandbox',
	password: 'sandbox-password',
	refreshToken: '5Aep861SandboxFluxCascadeRefreshToken000000000000000000000000000000000000000',
	accessToken: '00Dak00000SANDBOX!AQSandboxFluxCascadeInitialAccessToken.SandboxOnly.NotARealSalesforceToken',
	redirectUris: ['http://localhost:5678/rest/oauth2-credential/callback'],
};

function defaultVersions(): string[] {
	const out: string[] = [];
	for (let v = 31; v <= 66; v++) out.push(`${v}.0`);
	return out;
}

/** Release label of an API version: v20.0 was Winter '11, and there are three releases a year. */
function releaseLabel(version: string): string {
	const i = Math.floor(Number(version)) - 20;
	const season = ['Winter', 'Spring', 'Summer'][((i % 3) + 3) % 3];
	const year = 11 + Math.floor(i / 3);
	return `${season} '${String(year).padStart(2, '0')}`;
}

interface Call {
	version: string;
	session: Session;
	req: SandboxRequest;
}

type ApiHandler = (req: SandboxRequest, call: Call) => SandboxResponse;

interface Locator {
	ids: string[];
	pos: number;
	output: OutputNode;
	store: ObjectStore;
	batch: number;
	lastUsed: number;
	userId: string;
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): SandboxResponse => ({ status, headers, body });
const noContent = (): SandboxResponse => ({ status: 204 });

export class SalesforceOrg {
	readonly router = new Router();
	/** The same API routes without auth/limit wrapping: composite subrequests are dispatched through it. */
	private readonly inner = new Router();
	private readonly calls = new WeakMap<SandboxRequest, Call>();
	readonly metas: ObjectMeta[];
	readonly db: Database;
	readonly auth: Auth;
	readonly limit: RollingDailyCounter;
	readonly versions: string[];
	readonly orgId = to18('00Dak00000SBX01');
	readonly integrationUserId = to18('005ak000005hvjJ');
	readonly humanUserId = to18('005ak000005hvk2');
	duplicateRule: DuplicateRuleMode;
	private readonly locators = new Map<string, Locator>();
	private locatorCounter = 0;
	private readonly maxOpenCursors: number;
	private readonly locatorIdleMs: number;
	private readonly users = new Set<string>();
	/** Remaining forced row locks, and a rate, for UNABLE_TO_LOCK_ROW injection. */
	private lockRows = 0;
	private lockRowRate = 0;
	private lockRng = new Rng(7);
	private schemaSignature = '';
	private schemaModified: number;

	constructor(
		private readonly ctx: VendorContext,
		options: SalesforceOptions = {},
	) {
		this.metas = OBJECT_DEFS.map((d) => new ObjectMeta(d));
		this.db = new Database(this.metas, new IdFactory());
		this.versions = (options.apiVersions ?? defaultVersions()).map((v) => v.replace(/^v/, ''));
		this.limit = new RollingDailyCounter(ctx.clock, options.dailyApiLimit ?? 15_000);
		this.duplicateRule = options.duplicateRule ?? false;
		this.maxOpenCursors = options.maxOpenCursors ?? 10;
		this.locatorIdleMs = options.queryLocatorIdleMs ?? 15 * 60_000;
		this.auth = new Auth(
			ctx,
			{ ...DEFAULT_CREDENTIALS, ...options.credentials },
			{ sessionTimeoutMs: options.sessionTimeoutMs ?? 2 * 3_600_000, refreshTokenRotation: options.refreshTokenRotation ?? false },
			this.orgId,
			this.integrationUserId,
		);
		this.schemaModified = truncateToSecond(ctx.clock.now());
		this.insertUsers();
		this.routes();
	}

	// ---------------------------------------------------------------- state

	private insertUsers(): void {
		const users = this.db.store('User')!;
		const now = truncateToSecond(this.ctx.clock.now()) - 90 * 86_400_000;
		const make = (id: string, first: string, last: string, username: string) => {
			users.insert({
				Id: id,
				Username: username,
				LastName: last,
				FirstName: first,
				Name: `${first} ${last}`,
				Email: username,
				IsActive: true,
				UserType: 'Standard',
				CreatedDate: now,
				LastModifiedDate: now,
				SystemModstamp: now,
			});
			this.users.add(id);
		};
		make(this.integrationUserId, 'Integration', 'User', this.auth.credentials.username);
		make(this.humanUserId, 'Dana', 'Dispatcher', 'dana.dispatcher@fluxcascade.sandbox');
	}

	reset(): void {
		this.db.clear();
		this.locators.clear();
		this.users.clear();
		this.insertUsers();
		this.limit.reset();
		this.lockRows = 0;
		this.lockRowRate = 0;
		this.auth.armInitialToken();
	}

	private now(): number {
		return truncateToSecond(this.ctx.clock.now());
	}

	private isFieldRemoved = (object: string, field: string): boolean => this.ctx.faults.isFieldRemoved(object, field);

	writeEnv(call: { version: string; userId: string; allowSave: boolean }): WriteEnv {
		return {
			db: this.db,
			now: this.now(),
			userId: call.userId,
			version: call.version,
			allowSave: call.allowSave,
			duplicateRule: this.duplicateRule,
			isFieldRemoved: this.isFieldRemoved,
			users: this.users,
		};
	}

	private envFor(call: Call): WriteEnv {
		const header = call.req.headers['sforce-duplicate-rule-header'] ?? '';
		return this.writeEnv({ version: call.version, userId: call.session.userId, allowSave: /allowSave\s*=\s*true/i.test(header) });
	}

	/** Injected UNABLE_TO_LOCK_ROW, as a SaveError for one record. */
	private lockError(id?: string): SaveError | undefined {
		let hit = false;
		if (this.lockRows > 0) {
			this.lockRows--;
			hit = true;
		} else if (this.lockRowRate > 0 && this.lockRng.chance(this.lockRowRate)) hit = true;
		if (!hit) return undefined;
		return saveError('UNABLE_TO_LOCK_ROW', `unable to obtain exclusive access to this record or 1 records: ${id ?? ''}`.trim(), []);
	}

	settings(): Record<string, unknown> {
		return {
			dailyApiLimit: this.limit.limit,
			apiUsage: this.limit.used(),
			duplicateRule: this.duplicateRule,
			refreshTokenRotation: this.auth.settings.refreshTokenRotation,
			sessionTimeoutMs: this.auth.settings.sessionTimeoutMs,
			lockRows: this.lockRows,
			lockRowRate: this.lockRowRate,
		};
	}

	applySettings(s: Record<string, unknown>): void {
		if (typeof s.dailyApiLimit === 'number') this.limit.limit = s.dailyApiLimit;
		if (typeof s.apiUsage === 'number') this.limit.setUsed(s.apiUsage);
		if (s.duplicateRule === false || s.duplicateRule === 'alert' || s.duplicateRule === 'block') this.duplicateRule = s.duplicateRule;
		if (typeof s.refreshTokenRotation === 'boolean') this.auth.settings.refreshTokenRotation = s.refreshTokenRotation;
		if (typeof s.sessionTimeoutMs === 'number') this.auth.settings.sessionTimeoutMs = s.sessionTimeoutMs;
		if (typeof s.lockRows === 'number') this.lockRows = s.lockRows;
		if (typeof s.lockRowRate === 'number') {
			this.lockRowRate = s.lockRowRate;
			this.lockRng = new Rng(typeof s.seed === 'number' ? s.seed : 7);
		}
	}

	/** The stored record in API shape (all fields, attributes first). */
	recordJson(store: ObjectStore, rec: Rec, version: string, fields?: string[]): Record<string, unknown> {
		const out: Record<string, unknown> = { attributes: attributes(store.meta.name, rec.Id as string, version) };
		if (fields) {
			for (const name of fields) {
				const f = store.meta.field(name)!;
				out[f.name] = outputValue(rec, f);
			}
			return out;
		}
		for (const f of store.meta.fields) {
			if (this.isFieldRemoved(store.meta.name, f.name)) continue;
			out[f.name] = outputValue(rec, f);
		}
		return out;
	}

	latestVersion(): string {
		return this.versions[this.versions.length - 1];
	}

	// ---------------------------------------------------------------- plumbing

	private version(param: string): string | undefined {
		const m = /^v(\d+\.\d)$/.exec(param);
		return m && this.versions.includes(m[1]) ? m[1] : undefined;
	}

	private limitHeader(): Record<string, string> {
		return { 'Sforce-Limit-Info': `api-usage=${this.limit.used()}/${this.limit.limit}` };
	}

	/** An authenticated, counted REST call: 401 without a live session, 403 past the allocation, limit header always. */
	private api(method: string, pattern: string, name: string, handler: ApiHandler): void {
		const full = `/services/data/:version${pattern}`;
		const run = (req: SandboxRequest): SandboxResponse => {
			const call = this.calls.get(req);
			if (!call) throw new Error('missing call context');
			try {
				return handler(req, call);
			} catch (err) {
				if (err instanceof SfError) return err.response();
				if (err instanceof SoqlError) return json([{ message: err.apiMessage(), errorCode: err.errorCode }], 400);
				throw err;
			}
		};
		this.inner.add(method, full, name, run);
		this.router.add(method, full, name, (req) => {
			const session = this.auth.validate(Auth.bearer(req));
			if (!session) return json([{ message: MSG.sessionInvalid, errorCode: 'INVALID_SESSION_ID' }], 401, { 'WWW-Authenticate': 'Token' });
			if (!this.limit.tryUse()) {
				return json([{ message: MSG.limitExceeded, errorCode: 'REQUEST_LIMIT_EXCEEDED' }], 403, this.limitHeader());
			}
			const version = this.version(req.params.version);
			if (!version) return json([{ errorCode: 'NOT_FOUND', message: MSG.notFound }], 404, this.limitHeader());
			this.calls.set(req, { version, session, req });
			const res = run(req);
			return { ...res, headers: { ...res.headers, ...this.limitHeader() } };
		});
	}

	private storeOr404(name: string): ObjectStore {
		const s = this.db.store(name);
		if (!s) throw notFound();
		return s;
	}

	private bodyObject(req: SandboxRequest, type = 'SObject'): Record<string, unknown> {
		if (req.rawBody.length === 0) throw SfError.of(400, 'JSON_PARSER_ERROR', MSG.noBody);
		const body = req.json<unknown>();
		if (body === null || typeof body !== 'object' || Array.isArray(body)) {
			throw SfError.of(400, 'JSON_PARSER_ERROR', `Cannot deserialize instance of ${type} from ${Array.isArray(body) ? 'START_ARRAY' : 'VALUE_STRING'} value ${Array.isArray(body) ? '[' : String(body)} or request may be missing a required field at [line:1, column:1]`);
		}
		return body as Record<string, unknown>;
	}

	/** A SaveResult failure as a single-record REST response. */
	private failure(errors: SaveError[]): SandboxResponse {
		const first = errors[0];
		const status = first?.statusCode === 'ENTITY_IS_DELETED' ? 404 : 400;
		return json(toRest(errors), status);
	}

	private recordUrl(version: string, object: string, id: string): string {
		return `/services/data/v${version}/sobjects/${object}/${id}`;
	}

	// ---------------------------------------------------------------- routes

	private routes(): void {
		const r = this.router;
		r.get('/services/data', 'versions', () =>
			json(this.versions.map((v) => ({ label: releaseLabel(v), url: `/services/data/v${v}`, version: v }))),
		);
		r.post('/services/oauth2/token', 'oauth.token', (req) => this.auth.token(req));
		r.get('/services/oauth2/authorize', 'oauth.authorize', (req) => this.auth.authorize(req));
		r.post('/services/oauth2/revoke', 'oauth.revoke', (req) => this.auth.revoke(req));
		r.get('/services/oauth2/revoke', 'oauth.revoke', (req) => this.auth.revoke(req));
		r.get('/services/oauth2/userinfo', 'oauth.userinfo', (req) => this.userinfo(req));
		r.post('/services/oauth2/userinfo', 'oauth.userinfo', (req) => this.userinfo(req));
		r.get('/id/:org/:user', 'oauth.identity', (req) => this.userinfo(req));

		this.api('GET', '', 'resources', (_req, call) => {
			const v = `/services/data/v${call.version}`;
			return json({
				tooling: `${v}/tooling`,
				metadata: `${v}/metadata`,
				jobs: `${v}/jobs`,
				composite: `${v}/composite`,
				query: `${v}/query`,
				queryAll: `${v}/queryAll`,
				recent: `${v}/recent`,
				search: `${v}/search`,
				sobjects: `${v}/sobjects`,
				limits: `${v}/limits`,
				identity: `${this.ctx.baseUrl}/id/${this.orgId}/${call.session.userId}`,
			});
		});
		this.api('GET', '/limits', 'limits', () => json(this.limitsBody()));
		this.api('GET', '/sobjects', 'sobjects.global', (req, call) => this.withSchemaCache(req, describeGlobal(this.metas, call.version)));
		this.api('GET', '/sobjects/:object', 'sobjects.info', (req, call) => json(basicInfo(this.storeOr404(req.params.object).meta, call.version)));
		this.api('POST', '/sobjects/:object', 'sobjects.create', (req, call) => this.create(req, call));
		this.api('GET', '/sobjects/:object/describe', 'sobjects.describe', (req, call) =>
			this.withSchemaCache(req, describeSObject(this.storeOr404(req.params.object).meta, { version: call.version, isFieldRemoved: this.isFieldRemoved })),
		);
		this.api('GET', '/sobjects/:object/updated', 'sobjects.updated', (req) => this.updated(req));
		this.api('GET', '/sobjects/:object/deleted', 'sobjects.deleted', (req) => this.deleted(req));
		this.api('GET', '/sobjects/:object/:id', 'sobjects.get', (req, call) => this.getRecord(req, call));
		this.api('PATCH', '/sobjects/:object/:id', 'sobjects.update', (req, call) => this.update(req, call));
		this.api('DELETE', '/sobjects/:object/:id', 'sobjects.delete', (req, call) => this.remove(req, call));
		this.api('GET', '/sobjects/:object/:field/:value', 'sobjects.getByExternalId', (req, call) => this.byExternalId(req, call, 'GET'));
		this.api('PATCH', '/sobjects/:object/:field/:value', 'sobjects.upsert', (req, call) => this.upsert(req, call));
		this.api('DELETE', '/sobjects/:object/:field/:value', 'sobjects.deleteByExternalId', (req, call) => this.byExternalId(req, call, 'DELETE'));
		this.api('GET', '/query', 'query', (req, call) => this.query(req, call, false));
		this.api('GET', '/queryAll', 'queryAll', (req, call) => this.query(req, call, true));
		this.api('GET', '/query/:locator', 'query.more', (req, call) => this.queryMore(req, call));
		this.api('GET', '/queryAll/:locator', 'queryAll.more', (req, call) => this.queryMore(req, call));
		this.api('POST', '/composite/sobjects', 'composite.sobjects.create', (req, call) => this.collectionCreate(req, call));
		this.api('PATCH', '/composite/sobjects', 'composite.sobjects.update', (req, call) => this.collectionUpdate(req, call));
		this.api('DELETE', '/composite/sobjects', 'composite.sobjects.delete', (req, call) => this.collectionDelete(req, call));
		this.api('GET', '/composite/sobjects/:object', 'composite.sobjects.read', (req, call) => this.collectionRead(req, call));
		this.api('POST', '/composite/sobjects/:object', 'composite.sobjects.read', (req, call) => this.collectionRead(req, call));
		this.api('PATCH', '/composite/sobjects/:object/:field', 'composite.sobjects.upsert', (req, call) => this.collectionUpsert(req, call));
		this.api('POST', '/composite', 'composite', (req, call) => this.composite(req, call));

		// Salesforce-specific admin routes (the shared ones are added by startVendor).
		r.post('/_sandbox/salesforce/edit', 'admin.salesforce.edit', (req) => this.humanEdit(req));
		r.get('/_sandbox/salesforce/settings', 'admin.salesforce.settings', () => json(this.settings()));
		r.put('/_sandbox/salesforce/settings', 'admin.salesforce.settings.set', (req) => {
			this.applySettings(req.json<Record<string, unknown>>());
			return json(this.settings());
		});
	}

	/** 405 for a known path with another method, else the vendor's 404 (401 first when no session). */
	notFoundResponse(req: SandboxRequest): SandboxResponse {
		const allowed = ['GET', 'POST', 'PATCH', 'PUT', 'DELETE'].filter((m) => this.router.match(m, req.path));
		if (req.path.startsWith('/services/data/v')) {
			const session = this.auth.validate(Auth.bearer(req));
			if (!session) return json([{ message: MSG.sessionInvalid, errorCode: 'INVALID_SESSION_ID' }], 401);
			if (!this.limit.tryUse()) return json([{ message: MSG.limitExceeded, errorCode: 'REQUEST_LIMIT_EXCEEDED' }], 403, this.limitHeader());
			if (allowed.length) {
				if (allowed.includes('GET')) allowed.unshift('HEAD');
				return json([{ errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${req.method}' not allowed. Allowed are ${allowed.join(',')}` }], 405, this.limitHeader());
			}
			return json([{ errorCode: 'NOT_FOUND', message: MSG.notFound }], 404, this.limitHeader());
		}
		if (allowed.length) {
			return json([{ errorCode: 'METHOD_NOT_ALLOWED', message: `HTTP Method '${req.method}' not allowed. Allowed are ${allowed.join(',')}` }], 405);
		}
		return json([{ errorCode: 'NOT_FOUND', message: MSG.notFound }], 404);
	}

	// ---------------------------------------------------------------- identity and limits

	private userinfo(req: SandboxRequest): SandboxResponse {
		const session = this.auth.validate(Auth.bearer(req));
		if (!session) return { status: 403, headers: { 'Content-Type': 'text/plain' }, body: 'Bad_OAuth_Token' };
		const user = this.db.store('User')!.get(session.userId)!;
		const base = this.ctx.baseUrl;
		const v = this.latestVersion();
		return json({
			sub: `${base}/id/${this.orgId}/${user.Id}`,
			user_id: user.Id,
			organization_id: this.orgId,
			preferred_username: user.Username,
			nickname: String(user.Username).split('@')[0],
			name: user.Name,
			email: user.Email,
			email_verified: true,
			given_name: user.FirstName,
			family_name: user.LastName,
			zoneinfo: 'America/New_York',
			photos: { picture: `${base}/img/userprofile/default_profile_200_v2.png`, thumbnail: `${base}/img/userprofile/default_profile_45_v2.png` },
			profile: `${base}/${user.Id}`,
			picture: `${base}/img/userprofile/default_profile_200_v2.png`,
			address: { country: 'US' },
			is_salesforce_integration_user: user.Id === this.integrationUserId,
			urls: {
				enterprise: `${base}/services/Soap/c/${v}/${this.orgId}`,
				partner: `${base}/services/Soap/u/${v}/${this.orgId}`,
				rest: `${base}/services/data/v${v}/`,
				sobjects: `${base}/services/data/v${v}/sobjects/`,
				query: `${base}/services/data/v${v}/query/`,
				recent: `${base}/services/data/v${v}/recent/`,
				profile: `${base}/${user.Id}`,
				custom_domain: base,
			},
			active: true,
			user_type: 'STANDARD',
			language: 'en_US',
			locale: 'en_US',
			utcOffset: -18000000,
			updated_at: new Date(user.LastModifiedDate as number).toISOString().replace('.000Z', 'Z'),
			is_app_installed: true,
		});
	}

	private limitsBody(): Record<string, { Max: number; Remaining: number }> {
		const max = this.limit.limit;
		const used = this.limit.used();
		const developer = max <= 15_000;
		const fixed = (n: number) => ({ Max: n, Remaining: n });
		return {
			ConcurrentAsyncGetReportInstances: fixed(200),
			ConcurrentSyncReportRuns: fixed(20),
			DailyApiRequests: { Max: max, Remaining: Math.max(0, max - used) },
			DailyAsyncApexExecutions: fixed(250_000),
			DailyBulkApiBatches: fixed(15_000),
			DailyBulkV2QueryFileStorageMB: fixed(976_562),
			DailyBulkV2QueryJobs: fixed(10_000),
			DailyDurableStreamingApiEvents: fixed(10_000),
			DailyGenericStreamingApiEvents: fixed(10_000),
			DailyStandardVolumePlatformEvents: fixed(10_000),
			DailyStreamingApiEvents: fixed(10_000),
			DailyWorkflowEmails: fixed(developer ? 1_000 : 2_000_000),
			DataStorageMB: fixed(developer ? 5 : 10_240),
			FileStorageMB: fixed(developer ? 20 : 10_240),
			HourlyAsyncReportRuns: fixed(1_200),
			HourlyODataCallout: fixed(10_000),
			HourlyPublishedPlatformEvents: fixed(50_000),
			HourlySyncReportRuns: fixed(500),
			HourlyTimeBasedWorkflow: fixed(50),
			MassEmail: fixed(developer ? 10 : 5_000),
			SingleEmail: fixed(developer ? 15 : 5_000),
		};
	}

	/** describe / describeGlobal honour If-Modified-Since (304) and carry ETag + Last-Modified. */
	private withSchemaCache(req: SandboxRequest, body: Record<string, unknown>): SandboxResponse {
		const removed = JSON.stringify(this.ctx.faults.current.removedFields ?? {});
		if (removed !== this.schemaSignature) {
			this.schemaSignature = removed;
			this.schemaModified = this.now();
		}
		const lastModified = httpDate(this.schemaModified);
		const etag = `"${Buffer.from(`${removed}:${this.schemaModified}`).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(-8).toLowerCase()}"`;
		const since = req.headers['if-modified-since'];
		if (since) {
			const t = Date.parse(since);
			if (!Number.isNaN(t) && this.schemaModified <= t) return { status: 304, headers: { ETag: etag, 'Last-Modified': lastModified } };
		}
		return json(body, 200, { ETag: etag, 'Last-Modified': lastModified });
	}

	// ---------------------------------------------------------------- sObject rows

	private create(req: SandboxRequest, call: Call): SandboxResponse {
		const store = this.storeOr404(req.params.object);
		const body = this.bodyObject(req, store.meta.name);
		const lock = this.lockError();
		if (lock) return this.failure([lock]);
		const result = createRecord(store, body, this.envFor(call));
		if (!result.success) return this.failure(result.errors);
		return json({ id: result.id, success: true, errors: [] }, 201, { Location: this.recordUrl(call.version, store.meta.name, result.id!) });
	}

	/** Resolves `:id` of /sobjects/{o}/{id}: a malformed id reads as an unknown external-id field name, as on the real API. */
	private existing(store: ObjectStore, raw: string): Rec {
		const id = normalizeId(raw);
		if (!id) throw notFound(MSG.unknownExternalIdField(raw));
		const rec = id.slice(0, 3) === store.meta.def.keyPrefix ? store.get(id) : undefined;
		if (!rec) throw notFound();
		if (rec.IsDeleted === true) throw entityDeleted();
		return rec;
	}

	private fieldsParam(store: ObjectStore, req: SandboxRequest): string[] | undefined {
		const p = req.query.get('fields');
		if (p === null) return undefined;
		const names = p.split(',').map((s) => s.trim()).filter(Boolean);
		for (const n of names) {
			const f = store.meta.field(n);
			if (!f || this.isFieldRemoved(store.meta.name, f.name)) throw SfError.of(400, 'INVALID_FIELD', MSG.noSuchColumnQuery(n, store.meta.name));
		}
		return names;
	}

	private getRecord(req: SandboxRequest, call: Call): SandboxResponse {
		const store = this.storeOr404(req.params.object);
		const rec = this.existing(store, req.params.id);
		const since = req.headers['if-modified-since'];
		if (since && !Number.isNaN(Date.parse(since)) && (rec.LastModifiedDate as number) <= Date.parse(since)) return { status: 304 };
		return json(this.recordJson(store, rec, call.version, this.fieldsParam(store, req)));
	}

	private update(req: SandboxRequest, call: Call): SandboxResponse {
		const store = this.storeOr404(req.params.object);
		const rec = this.existing(store, req.params.id);
		const body = this.bodyObject(req, store.meta.name);
		const idKey = Object.keys(body).find((k) => k.toLowerCase() === 'id');
		if (idKey !== undefined && normalizeId(String(body[idKey])) !== rec.Id) {
			throw SfError.of(400, 'INVALID_FIELD', 'The Id field should not be specified in the sobject data.');
		}
		const lock = this.lockError(rec.Id as string);
		if (lock) return this.failure([lock]);
		const result = updateRecord(store, rec.Id as string, body, this.envFor(call), ['id']);
		return result.success ? noContent() : this.failure(result.errors);
	}

	private remove(req: SandboxRequest, call: Call): SandboxResponse {
		const store = this.storeOr404(req.params.object);
		const rec = this.existing(store, req.params.id);
		const lock = this.lockError(rec.Id as string);
		if (lock) return this.failure([lock]);
		const result = deleteRecord(store, rec.Id as string, this.envFor(call));
		return result.success ? noContent() : this.failure(result.errors);
	}

	/** Live records whose external-id field (or Id) equals value. */
	private matchExternal(store: ObjectStore, fieldName: string, value: string): string[] {
		const f = store.meta.field(fieldName)!;
		if (f.type === 'id') {
			const id = normalizeId(value);
			const rec = id ? store.get(id) : undefined;
			return rec && rec.IsDeleted !== true ? [id!] : [];
		}
		return store.lookup(f.name, value);
	}

	private externalField(store: ObjectStore, name: string) {
		const f = store.meta.field(name);
		if (!f || !(f.externalId || f.type === 'id') || this.isFieldRemoved(store.meta.name, f.name)) throw notFound(MSG.unknownExternalIdField(name));
		return f;
	}

	private multipleChoices(store: ObjectStore, ids: string[], version: string): SandboxResponse {
		return json(ids.map((id) => this.recordUrl(version, store.meta.name, id)), 300);
	}

	private byExternalId(req: SandboxRequest, call: Call, method: 'GET' | 'DELETE'): SandboxResponse {
		const store = this.storeOr404(req.params.object);
		const f = this.externalField(store, req.params.field);
		const ids = this.matchExternal(store, f.name, req.params.value);
		if (ids.length === 0) throw notFound();
		if (ids.length > 1) return this.multipleChoices(store, ids, call.version);
		if (method === 'GET') return json(this.recordJson(store, store.get(ids[0])!, call.version, this.fieldsParam(store, req)));
		const lock = this.lockError(ids[0]);
		if (lock) return this.failure([lock]);
		const result = deleteRecord(store, ids[0], this.envFor(call));
		return result.success ? noContent() : this.failure(result.errors);
	}

	/** PATCH /sobjects/{o}/{extField}/{value}: 201 created, 200 updated (204 before v46), 300 on several matches. */
	private upsert(req: SandboxRequest, call: Call): SandboxResponse {
		const store = this.storeOr404(req.params.object);
		const f = this.externalField(store, req.params.field);
		const body = this.bodyObject(req, store.meta.name);
		for (const key of Object.keys(body)) {
			if (key.toLowerCase() === 'id') throw SfError.of(400, 'INVALID_FIELD', 'The Id field should not be specified in the sobject data.');
			if (key.toLowerCase() === f.name.toLowerCase()) {
				throw SfError.of(400, 'INVALID_FIELD', `The external ID field ${f.name} should not be specified in the sobject data.`);
			}
		}
		const value = req.params.value;
		const ids = this.matchExternal(store, f.name, value);
		if (ids.length > 1) return this.multipleChoices(store, ids, call.version);
		const withCreated = Number(call.version) >= 46;
		const env = this.envFor(call);
		if (ids.length === 1) {
			const lock = this.lockError(ids[0]);
			if (lock) return this.failure([lock]);
			const result = updateRecord(store, ids[0], body, env);
			if (!result.success) return this.failure(result.errors);
			return withCreated ? json({ id: ids[0], success: true, errors: [], created: false }) : noContent();
		}
		if (req.query.get('updateOnly') === 'true' || f.type === 'id') throw notFound();
		const lock = this.lockError();
		if (lock) return this.failure([lock]);
		const result = createRecord(store, body, env, new Map([[f, value]]));
		if (!result.success) return this.failure(result.errors);
		const out: Record<string, unknown> = { id: result.id, success: true, errors: [] };
		if (withCreated) out.created = true;
		return json(out, 201, { Location: this.recordUrl(call.version, store.meta.name, result.id!) });
	}

	// ---------------------------------------------------------------- replication

	private replicationWindow(req: SandboxRequest, maxDays: number): { start: number; end: number } {
		const startRaw = req.query.get('start');
		const endRaw = req.query.get('end');
		if (!startRaw || !endRaw) throw SfError.of(400, 'MISSING_ARGUMENT', `${!startRaw ? 'start' : 'end'}: parameter is required`);
		const start = parseDateTimeValue(startRaw.replace(' ', '+'));
		const end = parseDateTimeValue(endRaw.replace(' ', '+'));
		if (start === undefined || end === undefined) {
			throw SfError.of(400, 'INVALID_REPLICATION_DATE', `Invalid date/time: ${start === undefined ? startRaw : endRaw}`);
		}
		const now = this.ctx.clock.now();
		if (start > end) throw SfError.of(400, 'INVALID_REPLICATION_DATE', 'start date must be before end date');
		if (start < now - maxDays * 86_400_000) throw SfError.of(400, 'INVALID_REPLICATION_DATE', `startDate cannot be more than ${maxDays} days ago`);
		// Whole minutes only, and never past the present.
		const minute = 60_000;
		return { start: Math.floor(start / minute) * minute, end: Math.floor(Math.min(end, now) / minute) * minute };
	}

	private updated(req: SandboxRequest): SandboxResponse {
		const store = this.storeOr404(req.params.object);
		const { start, end } = this.replicationWindow(req, 30);
		const ids: string[] = [];
		for (const id of store.order) {
			const rec = store.byId.get(id)!;
			const t = rec.SystemModstamp as number;
			if (rec.IsDeleted !== true && t >= start && t < end) ids.push(id);
		}
		if (ids.length > 600_000) throw SfError.of(400, 'EXCEEDED_ID_LIMIT', 'too many ids: more than 600,000 results');
		return json({ ids, latestDateCovered: formatDateTime(end) });
	}

	private deleted(req: SandboxRequest): SandboxResponse {
		const store = this.storeOr404(req.params.object);
		const { start, end } = this.replicationWindow(req, 15);
		const deletedRecords = store.deletions
			.filter((d) => d.at >= start && d.at < end && store.get(d.id)?.IsDeleted === true)
			.map((d) => ({ id: d.id, deletedDate: formatDateTime(d.at) }));
		const earliest = Math.floor((this.ctx.clock.now() - 15 * 86_400_000) / 60_000) * 60_000;
		return json({ deletedRecords, earliestDateAvailable: formatDateTime(earliest), latestDateCovered: formatDateTime(end) });
	}

	// ---------------------------------------------------------------- SOQL

	private batchSize(req: SandboxRequest, fallback = 2000): number {
		const m = /batchSize\s*=\s*(\d+)/i.exec(req.headers['sforce-query-options'] ?? '');
		if (!m) return fallback;
		return Math.min(2000, Math.max(200, Number(m[1])));
	}

	private query(req: SandboxRequest, call: Call, all: boolean): SandboxResponse {
		const q = req.query.get('q');
		if (q === null || q.trim() === '') throw SfError.of(400, 'MALFORMED_QUERY', 'A query string has to be specified');
		let compiled: CompiledQuery;
		try {
			compiled = compileQuery(q, { db: this.db, now: this.ctx.clock.now(), isFieldRemoved: this.isFieldRemoved });
		} catch (err) {
			if (err instanceof SoqlError) return json([{ message: err.apiMessage(), errorCode: err.errorCode }], 400);
			throw err;
		}
		const ids = execute(compiled, all);
		if (compiled.countOnly) return json({ totalSize: ids.length, done: true, records: [] });
		const batch = this.batchSize(req);
		const loc: Locator = { ids, pos: 0, output: compiled.output, store: compiled.store, batch, lastUsed: this.ctx.clock.now(), userId: call.session.userId };
		return json(this.page(loc, call.version, undefined));
	}

	/** Serves the next batch; keeps a cursor (ids only, never copied) while rows remain. */
	private page(loc: Locator, version: string, key: string | undefined): Record<string, unknown> {
		const end = Math.min(loc.ids.length, loc.pos + loc.batch);
		const records: unknown[] = new Array(end - loc.pos);
		for (let i = loc.pos; i < end; i++) {
			records[i - loc.pos] = project(loc.output, loc.store, loc.store.get(loc.ids[i])!, version, this.db);
		}
		loc.pos = end;
		const done = end >= loc.ids.length;
		const out: Record<string, unknown> = { totalSize: loc.ids.length, done };
		if (!done) {
			let id = key;
			if (!id) {
				id = locatorId(this.locatorCounter++);
				this.openCursor(id, loc);
			}
			loc.lastUsed = this.ctx.clock.now();
			out.nextRecordsUrl = `/services/data/v${version}/query/${id}-${end}`;
		} else if (key) this.locators.delete(key);
		out.records = records;
		return out;
	}

	private openCursor(id: string, loc: Locator): void {
		const now = this.ctx.clock.now();
		for (const [k, l] of this.locators) if (now - l.lastUsed > this.locatorIdleMs) this.locators.delete(k);
		const mine = [...this.locators].filter(([, l]) => l.userId === loc.userId);
		// Too many open cursors: the oldest one is closed, as the real API does.
		if (mine.length >= this.maxOpenCursors) this.locators.delete(mine[0][0]);
		this.locators.set(id, loc);
	}

	private queryMore(req: SandboxRequest, call: Call): SandboxResponse {
		const m = /^(01g[A-Za-z0-9]{15})-(\d+)$/.exec(req.params.locator);
		const loc = m ? this.locators.get(m[1]) : undefined;
		const now = this.ctx.clock.now();
		if (!m || !loc || now - loc.lastUsed > this.locatorIdleMs || Number(m[2]) > loc.ids.length) {
			if (m && loc) this.locators.delete(m[1]);
			throw SfError.of(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
		}
		loc.pos = Number(m[2]);
		loc.batch = this.batchSize(req, loc.batch);
		loc.lastUsed = now;
		return json(this.page(loc, call.version, m[1]));
	}

	// ---------------------------------------------------------------- sObject Collections

	private collectionBody(req: SandboxRequest): { allOrNone: boolean; records: Record<string, unknown>[] } {
		const body = this.bodyObject(req, 'SObjectCollectionRequest');
		const records = body.records;
		if (!Array.isArray(records) || records.length === 0) throw new SfError(400, [{ message: 'At least 1 record is required', errorCode: 'REQUIRED_FIELD_MISSING' }]);
		if (records.length > 200) {
			throw new SfError(400, [{ message: 'Number of records in the collection exceeded the limit of 200', errorCode: 'EXCEEDED_ID_LIMIT' }]);
		}
		for (const r of records) {
			if (r === null || typeof r !== 'object' || Array.isArray(r)) throw SfError.of(400, 'JSON_PARSER_ERROR', 'Cannot deserialize instance of SObject from VALUE_STRING or request may be missing a required field at [line:1, column:1]');
			const type = (r as { attributes?: { type?: unknown } }).attributes?.type;
			if (typeof type !== 'string' || type === '') throw new SfError(400, [{ message: 'Must send a concrete entity type.', errorCode: 'INVALID_TYPE' }]);
		}
		return { allOrNone: body.allOrNone === true || body.allOrNone === 'true', records: records as Record<string, unknown>[] };
	}

	/** Runs per-record operations; with allOrNone a single failure rolls every write back. */
	private runCollection(allOrNone: boolean, items: Array<() => SaveResult>): SaveResult[] {
		const results = this.db.transaction(
			() => items.map((fn) => fn()),
			(rs) => !allOrNone || rs.every((r) => r.success),
		);
		if (allOrNone && results.some((r) => !r.success)) {
			return results.map((r) => (r.success ? { success: false, errors: [saveError('ALL_OR_NONE_OPERATION_ROLLED_BACK', MSG.rolledBack, [])] } : r));
		}
		return results;
	}

	private typeOf(r: Record<string, unknown>): string {
		return String((r.attributes as { type: string }).type);
	}

	private collectionCreate(req: SandboxRequest, call: Call): SandboxResponse {
		const { allOrNone, records } = this.collectionBody(req);
		const env = this.envFor(call);
		const results = this.runCollection(
			allOrNone,
			records.map((r) => () => {
				const store = this.db.store(this.typeOf(r));
				if (!store) return { success: false, errors: [saveError('INVALID_TYPE', MSG.invalidType(this.typeOf(r)), [])] };
				const lock = this.lockError();
				if (lock) return { success: false, errors: [lock] };
				return createRecord(store, r, env);
			}),
		);
		return json(results.map((r) => (r.success ? { id: r.id, success: true, errors: [] } : { success: false, errors: r.errors })));
	}

	private collectionUpdate(req: SandboxRequest, call: Call): SandboxResponse {
		const { allOrNone, records } = this.collectionBody(req);
		const env = this.envFor(call);
		const results = this.runCollection(
			allOrNone,
			records.map((r) => (): SaveResult => {
				const idKey = Object.keys(r).find((k) => k.toLowerCase() === 'id');
				const raw = idKey === undefined ? undefined : r[idKey];
				if (raw === undefined || raw === null || raw === '') {
					return { success: false, errors: [saveError('MISSING_ARGUMENT', 'Id not specified in an update call', [])] };
				}
				const store = this.db.store(this.typeOf(r));
				const id = normalizeId(String(raw));
				if (!store) return { id: String(raw), success: false, errors: [saveError('INVALID_TYPE', MSG.invalidType(this.typeOf(r)), [])] };
				if (!id || id.slice(0, 3) !== store.meta.def.keyPrefix) return { id: String(raw), success: false, errors: [saveError('MALFORMED_ID', `malformed id ${raw}`, [])] };
				const lock = this.lockError(id);
				if (lock) return { id, success: false, errors: [lock] };
				return updateRecord(store, id, r, env, ['id']);
			}),
		);
		return json(results.map((r) => (r.success ? { id: r.id, success: true, errors: [] } : { ...(r.id ? { id: r.id } : {}), success: false, errors: r.errors })));
	}

	private collectionDelete(req: SandboxRequest, call: Call): SandboxResponse {
		const ids = (req.query.get('ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
		if (ids.length === 0) throw new SfError(400, [{ message: 'At least 1 record is required', errorCode: 'REQUIRED_FIELD_MISSING' }]);
		if (ids.length > 200) throw new SfError(400, [{ message: 'Number of records in the collection exceeded the limit of 200', errorCode: 'EXCEEDED_ID_LIMIT' }]);
		const allOrNone = req.query.get('allOrNone') === 'true';
		const env = this.envFor(call);
		const results = this.runCollection(
			allOrNone,
			ids.map((raw) => (): SaveResult => {
				const id = normalizeId(raw);
				const store = id ? this.db.storeForId(id) : undefined;
				if (!id || !store) return { id: raw, success: false, errors: [saveError('MALFORMED_ID', `malformed id ${raw}`, [])] };
				const rec = store.get(id);
				if (!rec) return { id, success: false, errors: [saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [])] };
				const lock = this.lockError(id);
				if (lock) return { id, success: false, errors: [lock] };
				return deleteRecord(store, id, env);
			}),
		);
		return json(results.map((r, i) => (r.success ? { id: r.id, success: true, errors: [] } : { id: r.id ?? ids[i], success: false, errors: r.errors })));
	}

	private collectionRead(req: SandboxRequest, call: Call): SandboxResponse {
		const store = this.storeOr404(req.params.object);
		let idsRaw: string[];
		let fieldsRaw: string[];
		if (req.method === 'POST') {
			const body = this.bodyObject(req, 'SObjectCollectionRetrieveRequest');
			idsRaw = Array.isArray(body.ids) ? body.ids.map(String) : [];
			fieldsRaw = Array.isArray(body.fields) ? body.fields.map(String) : [];
		} else {
			idsRaw = (req.query.get('ids') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
			fieldsRaw = (req.query.get('fields') ?? '').split(',').map((s) => s.trim()).filter(Boolean);
		}
		if (idsRaw.length === 0) throw SfError.of(400, 'MISSING_ARGUMENT', 'ids: parameter is required');
		if (fieldsRaw.length === 0) throw SfError.of(400, 'MISSING_ARGUMENT', 'fields: parameter is required');
		if (idsRaw.length > 2000) throw SfError.of(400, 'EXCEEDED_ID_LIMIT', 'Number of ids exceeded the limit of 2000');
		for (const n of fieldsRaw) {
			const f = store.meta.field(n);
			if (!f || this.isFieldRemoved(store.meta.name, f.name)) throw SfError.of(400, 'INVALID_FIELD', MSG.noSuchColumnQuery(n, store.meta.name));
		}
		return json(
			idsRaw.map((raw) => {
				const id = normalizeId(raw);
				if (!id) throw SfError.of(400, 'MALFORMED_ID', `malformed id ${raw}`);
				const rec = store.get(id);
				return rec && rec.IsDeleted !== true ? this.recordJson(store, rec, call.version, fieldsRaw) : null;
			}),
		);
	}

	private collectionUpsert(req: SandboxRequest, call: Call): SandboxResponse {
		const store = this.storeOr404(req.params.object);
		const f = this.externalField(store, req.params.field);
		const { allOrNone, records } = this.collectionBody(req);
		const env = this.envFor(call);
		const valueOf = (r: Record<string, unknown>) => {
			const k = Object.keys(r).find((x) => x.toLowerCase() === f.name.toLowerCase());
			const v = k === undefined ? undefined : r[k];
			return v === undefined || v === null || v === '' ? undefined : String(v);
		};
		const seen = new Map<string, number>();
		for (const r of records) {
			const v = valueOf(r);
			if (v !== undefined) seen.set(v.toLowerCase(), (seen.get(v.toLowerCase()) ?? 0) + 1);
		}
		const results = this.runCollection(
			allOrNone,
			records.map((r) => (): SaveResult => {
				if (this.typeOf(r).toLowerCase() !== store.meta.name.toLowerCase()) {
					return { success: false, errors: [saveError('INVALID_TYPE', `sObject type '${this.typeOf(r)}' does not match the collection type ${store.meta.name}`, [])] };
				}
				const value = valueOf(r);
				if (value === undefined) {
					if (f.type === 'id') return createRecord(store, stripKey(r, 'id'), env);
					return { success: false, errors: [saveError('MISSING_ARGUMENT', `${f.name} not specified`, [])] };
				}
				if ((seen.get(value.toLowerCase()) ?? 0) > 1) {
					return { success: false, errors: [saveError('DUPLICATE_EXTERNAL_ID', `Duplicate external id specified: ${value}`, [f.name])] };
				}
				const ids = this.matchExternal(store, f.name, value);
				if (ids.length > 1) {
					return { success: false, errors: [saveError('DUPLICATE_EXTERNAL_ID', `${f.name}: more than one record found for external id field: [${ids.join(', ')}]`, [])] };
				}
				const lock = this.lockError(ids[0]);
				if (lock) return { success: false, errors: [lock] };
				if (ids.length === 1) {
					const res = updateRecord(store, ids[0], r, env, [f.name.toLowerCase(), 'id']);
					return res.success ? { ...res, created: false } : res;
				}
				if (f.type === 'id') return { success: false, errors: [saveError('INVALID_CROSS_REFERENCE_KEY', 'invalid cross reference id', [])] };
				const res = createRecord(store, r, env);
				return res.success ? { ...res, created: true } : res;
			}),
		);
		return json(
			results.map((r) => (r.success ? { id: r.id, success: true, errors: [], created: r.created ?? false } : { success: false, errors: r.errors })),
		);
	}

	// ---------------------------------------------------------------- Composite

	private composite(req: SandboxRequest, call: Call): SandboxResponse {
		const body = this.bodyObject(req, 'CompositeRequest');
		const subs = body.compositeRequest;
		if (!Array.isArray(subs) || subs.length === 0) {
			throw SfError.of(400, 'JSON_PARSER_ERROR', 'compositeRequest: Required fields are missing: [compositeRequest]');
		}
		if (subs.length > 25) throw SfError.of(400, 'LIMIT_EXCEEDED', 'Received more than the maximum number of subrequests (25) allowed.');
		const refIds = new Set<string>();
		for (const s of subs as Array<Record<string, unknown>>) {
			if (!s || typeof s.method !== 'string' || typeof s.url !== 'string' || typeof s.referenceId !== 'string') {
				throw SfError.of(400, 'JSON_PARSER_ERROR', 'Each subrequest needs method, url and referenceId');
			}
			if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(s.referenceId)) {
				throw SfError.of(400, 'INVALID_INPUT', `Invalid referenceId (${s.referenceId}). Reference IDs can only contain alphanumeric characters and underscores, and must begin with a letter.`);
			}
			if (refIds.has(s.referenceId)) throw SfError.of(400, 'INVALID_INPUT', `Duplicate referenceId provided in the request: ${s.referenceId}`);
			refIds.add(s.referenceId);
		}
		const allOrNone = body.allOrNone === true;
		const results = new Map<string, { status: number; body: unknown }>();
		const out: Array<{ body: unknown; httpHeaders: Record<string, string>; httpStatusCode: number; referenceId: string }> = [];
		const tx = this.db.begin();
		let failed = false;
		const halted = (message: string) => [{ errorCode: 'PROCESSING_HALTED', message }];
		for (const s of subs as Array<{ method: string; url: string; referenceId: string; body?: unknown; httpHeaders?: Record<string, string> }>) {
			if (failed && allOrNone) {
				out.push({ body: halted('The transaction was rolled back since another operation in the same transaction failed.'), httpHeaders: {}, httpStatusCode: 400, referenceId: s.referenceId });
				continue;
			}
			let res: SandboxResponse;
			try {
				const url = resolveReferences(s.url, results, true) as string;
				const subBody = s.body === undefined ? undefined : resolveReferences(s.body, results, false);
				res = this.dispatch(call, s.method.toUpperCase(), url, subBody, s.httpHeaders ?? {});
			} catch (err) {
				if (!(err instanceof ReferenceError_)) throw err;
				res = { status: 400, body: halted(err.message) };
			}
			const headers: Record<string, string> = {};
			for (const [k, v] of Object.entries(res.headers ?? {})) if (['Location', 'ETag', 'Last-Modified'].includes(k)) headers[k] = String(v);
			const entry = { body: res.body === undefined || res.body === '' ? null : res.body, httpHeaders: headers, httpStatusCode: res.status, referenceId: s.referenceId };
			out.push(entry);
			results.set(s.referenceId, { status: res.status, body: entry.body });
			if (res.status >= 400) failed = true;
		}
		if (allOrNone && failed) {
			tx.rollback();
			for (const e of out) {
				if (e.httpStatusCode < 400) {
					e.body = halted('The transaction was rolled back since another operation in the same transaction failed.');
					e.httpHeaders = {};
					e.httpStatusCode = 400;
				}
			}
		} else tx.commit();
		return json({ compositeResponse: out });
	}

	/** Runs one composite subrequest through the unwrapped routes: it shares the parent's session and API call. */
	private dispatch(call: Call, method: string, url: string, body: unknown, headers: Record<string, string>): SandboxResponse {
		const parsed = new URL(url, this.ctx.baseUrl || 'http://localhost');
		const notFoundRes = json([{ errorCode: 'NOT_FOUND', message: MSG.notFound }], 404);
		if (!parsed.pathname.startsWith('/services/data/v') || /\/composite\/?$/.test(parsed.pathname)) return notFoundRes;
		const found = this.inner.match(method, parsed.pathname);
		if (!found) return notFoundRes;
		const version = this.version(found.params.version);
		if (!version) return notFoundRes;
		const raw = Buffer.from(body === undefined ? '' : JSON.stringify(body));
		const lowered: Record<string, string> = { ...call.req.headers };
		for (const [k, v] of Object.entries(headers)) lowered[k.toLowerCase()] = String(v);
		const sub: SandboxRequest = {
			method,
			path: parsed.pathname,
			url: parsed,
			query: parsed.searchParams,
			headers: lowered,
			rawBody: raw,
			params: found.params,
			routeName: found.route.name,
			text: () => raw.toString('utf8'),
			json: <T>() => body as T,
		};
		this.calls.set(sub, { version, session: call.session, req: sub });
		return found.route.handler(sub) as SandboxResponse;
	}

	// ---------------------------------------------------------------- admin

	/** A change made by a person in the Salesforce UI: same validation, but LastModifiedById is the human user. */
	private humanEdit(req: SandboxRequest): SandboxResponse {
		const body = req.json<{ object?: string; id?: string; fields?: Record<string, unknown>; op?: 'create' | 'update' | 'delete'; userId?: string }>();
		const store = body.object ? this.db.store(body.object) : undefined;
		if (!store) return json({ error: `unknown object ${body.object}` }, 400);
		const userId = body.userId ? normalizeId(body.userId) ?? body.userId : this.humanUserId;
		const env = this.writeEnv({ version: this.latestVersion(), userId, allowSave: true });
		const op = body.op ?? (body.id ? 'update' : 'create');
		let result: SaveResult;
		try {
			if (op === 'create') result = createRecord(store, body.fields ?? {}, env);
			else {
				const id = body.id ? normalizeId(body.id) : undefined;
				if (!id) return json({ error: 'id is required' }, 400);
				result = op === 'delete' ? deleteRecord(store, id, env) : updateRecord(store, id, body.fields ?? {}, env, ['id']);
			}
		} catch (err) {
			if (err instanceof SfError) return json({ success: false, errors: err.errors }, err.status);
			throw err;
		}
		const rec = result.id ? store.get(result.id) : undefined;
		return json({ ...result, record: rec ? this.recordJson(store, rec, this.latestVersion()) : null }, result.success ? 200 : 400);
	}
}

function stripKey(r: Record<string, unknown>, key: string): Record<string, unknown> {
	const out: Record<string, unknown> = {};
	for (const [k, v] of Object.entries(r)) if (k.toLowerCase() !== key) out[k] = v;
	return out;
}

class ReferenceError_ extends Error {}

/** Replaces `@{ref.path}` in composite URLs and bodies with values from earlier subresponses. */
function resolveReferences(value: unknown, results: Map<string, { status: number; body: unknown }>, inUrl: boolean): unknown {
	const lookup = (expr: string): unknown => {
		const m = /^([A-Za-z][A-Za-z0-9_]*)((?:\.[A-Za-z0-9_]+|\[\d+\])*)$/.exec(expr);
		const refId = m?.[1] ?? expr.split('.')[0];
		const prior = results.get(refId);
		if (!m || !prior || prior.status >= 400) {
			throw new ReferenceError_(`Invalid reference specified. No value for ${expr} found in ${refId}. Provided referenceId (${refId}) must match a previous subrequest that succeeded.`);
		}
		let cur: unknown = prior.body;
		for (const part of m[2].match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
			if (cur === null || typeof cur !== 'object') {
				cur = undefined;
				break;
			}
			cur = part.startsWith('[') ? (cur as unknown[])[Number(part.slice(1, -1))] : (cur as Record<string, unknown>)[part.slice(1)];
		}
		if (cur === undefined) throw new ReferenceError_(`Invalid reference specified. No value for ${expr} found in ${refId}.`);
		return cur;
	};
	if (typeof value === 'string') {
		const whole = /^@\{([^}]+)\}$/.exec(value);
		if (whole && !inUrl) return lookup(whole[1]);
		return value.replace(/@\{([^}]+)\}/g, (_, expr: string) => {
			const v = lookup(expr);
			return inUrl ? encodeURIComponent(String(v)) : String(v);
		});
	}
	if (Array.isArray(value)) return value.map((v) => resolveReferences(v, results, inUrl));
	if (value !== null && typeof value === 'object') {
		const out: Record<string, unknown> = {};
		for (const [k, v] of Object.entries(value)) out[k] = resolveReferences(v, results, inUrl);
		return out;
	}
	return value;
}

export type { RestError };
