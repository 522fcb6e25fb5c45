import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ERROR_CODES, type ErrorCategory, type ErrorCode } from '../../errors/taxonomy';
import { REVIEW_KINDS, REVIEW_STATUSES, type ReviewFilter, type ReviewItem, type ReviewMetrics, type ReviewStatus, type SyncStore } from '../store';
import { html, queryString, trusted, type Html } from './html';
import { CATEGORIES, humanSeconds } from './policy';
import { redactSecrets } from './redact';

/**
 * The error dashboard (SPEC §2 Review Queue, seed "Error Dashboard"): a self-contained HTML page served by a
 * Webhook → Review Queue → Respond to Webhook workflow. A list with filters (status, category, code, mapping,
 * date), a record view (errors, field, value, suggested fix, data, attempts) and buttons (retry selected, retry
 * all matching, approve, discard, edit data) that post back to the same webhook with a signed form token.
 *
 * Every record value goes through the escaping `html` template; secret-looking keys are hidden; the page loads
 * nothing from outside (inline CSS and one inline script with a nonce).
 */

export const ACTIVE_STATUSES: readonly ReviewStatus[] = ['open', 'retry_scheduled', 'approved', 'failed'];
const STATUS_LABEL: Record<ReviewStatus, string> = {
	open: 'Open (needs review)',
	retry_scheduled: 'Retry scheduled',
	approved: 'Queued for retry',
	resolved: 'Resolved',
	discarded: 'Discarded',
	failed: 'Failed (retries used up)',
};
const TOKEN_TTL_MS = 12 * 3600 * 1000;
const RETRY_ALL_CAP = 5000;

// ------------------------------------------------------------------------------------------------ form token

/** Used when the node has no Form Secret: forms then stop working after a restart (the page says so). */
const processSecret = randomBytes(32).toString('hex');

function secretOf(secret: string | undefined): string {
	return secret && secret.length > 0 ? secret : processSecret;
}

function sign(secret: string, issued: string): string {
	return createHmac('sha256', secretOf(secret)).update(`fluxcascade-review-dashboard|${issued}`).digest('base64url');
}

/** A CSRF-style form token: the issue time and an HMAC of it under the secret. */
export function dashboardToken(secret: string | undefined, now = new Date()): string {
	const issued = String(now.getTime());
	return `${issued}.${sign(secret ?? '', issued)}`;
}

export function verifyDashboardToken(secret: string | undefined, token: unknown, now = new Date()): boolean {
	if (typeof token !== 'string') return false;
	const [issued, mac] = token.split('.');
	if (!issued || !mac || !/^\d+$/.test(issued)) return false;
	const age = now.getTime() - Number(issued);
	if (age < -60_000 || age > TOKEN_TTL_MS) return false;
	const expected = Buffer.from(sign(secret ?? '', issued));
	const given = Buffer.from(mac);
	return expected.length === given.length && timingSafeEqual(expected, given);
}

// ------------------------------------------------------------------------------------------------ request

export type DashboardActionName = 'retry' | 'retry_all' | 'approve' | 'discard' | 'edit' | 'edit_approve';
const ACTIONS: readonly DashboardActionName[] = ['retry', 'retry_all', 'approve', 'discard', 'edit', 'edit_approve'];

export interface DashboardQuery {
	status: string;
	kind: string;
	category: string;
	code: string;
	mapping: string;
	from: string;
	to: string;
	cursor: string;
	limit: number;
	item: string;
}

export interface DashboardRequest {
	query: DashboardQuery;
	action: { name: DashboardActionName; ids: string[]; token: unknown; data?: string } | null;
	/** An action that was asked for but is unknown. */
	badAction?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const one = (v: unknown): string => (Array.isArray(v) ? one(v[0]) : typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : '');

function list(v: unknown): string[] {
	const values = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
	return [
		...new Set(
			values
				.flatMap((x) => (typeof x === 'string' ? x.split(',') : []))
				.map((x) => x.trim())
				.filter(Boolean),
		),
	];
}

/** Reads a Webhook node's item ({ query, body }) into what the dashboard should show and do. */
export function parseDashboardRequest(json: Obj, defaults: Partial<DashboardQuery> = {}): DashboardRequest {
	const query = isObj(json.query) ? json.query : {};
	const body = isObj(json.body) ? json.body : {};
	// Filters come from the URL; a posted form repeats them as hidden fields so the list re-renders the same.
	const pick = (key: keyof DashboardQuery) => one(body[key]) || one(query[key]) || String(defaults[key] ?? '');
	const limit = Number(pick('limit')) || 50;
	const q: DashboardQuery = {
		status: pick('status') || 'active',
		kind: pick('kind'),
		category: pick('category'),
		code: pick('code'),
		mapping: pick('mapping'),
		from: pick('from'),
		to: pick('to'),
		cursor: one(query.cursor),
		limit: Math.max(1, Math.min(200, Math.floor(limit))),
		item: pick('item'),
	};
	const actionName = one(body.action);
	if (!actionName) return { query: q, action: null };
	if (!ACTIONS.includes(actionName as DashboardActionName)) return { query: q, action: null, badAction: actionName };
	const ids = list(body.ids);
	if (ids.length === 0 && q.item && actionName !== 'retry_all') ids.push(q.item);
	return { query: q, action: { name: actionName as DashboardActionName, ids, token: one(body.token), data: typeof body.data === 'string' ? body.data : undefined } };
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The store filter for the dashboard's query; unknown values are ignored rather than trusted. */
export function filterOf(q: DashboardQuery): ReviewFilter {
	const filter: ReviewFilter = {};
	if (q.status === 'active') filter.status = ACTIVE_STATUSES;
	else if ((REVIEW_STATUSES as readonly string[]).includes(q.status)) filter.status = q.status as ReviewStatus;
	if ((REVIEW_KINDS as readonly string[]).includes(q.kind)) filter.kind = q.kind as ReviewFilter['kind'];
	if ((CATEGORIES as readonly string[]).includes(q.category)) filter.category = q.category as ErrorCategory;
	if (Object.prototype.hasOwnProperty.call(ERROR_CODES, q.code)) filter.code = q.code as ErrorCode;
	if (q.mapping) filter.mappingId = q.mapping;
	if (DAY.test(q.from)) filter.from = `${q.from}T00:00:00.000Z`;
	if (DAY.test(q.to)) filter.to = new Date(Date.parse(`${q.to}T00:00:00.000Z`) + 86400_000).toISOString();
	return filter;
}

// ------------------------------------------------------------------------------------------------ actions

export interface ActionResult {
	ok: boolean;
	message: string;
	changed: string[];
}

export interface DashboardOptions {
	secret?: string;
	now?: Date;
	title?: string;
	/** Disables the action buttons (a read-only dashboard). */
	readOnly?: boolean;
}

async function allMatching(store: SyncStore, filter: ReviewFilter): Promise<string[]> {
	const ids: string[] = [];
	let cursor: string | null = null;
	do {
		const page = await store.listReviewItems(filter, { limit: 1000, cursor });
		ids.push(...page.items.map((i) => i.id));
		cursor = page.next;
	} while (cursor && ids.length < RETRY_ALL_CAP);
	return ids.slice(0, RETRY_ALL_CAP);
}

function activeOnly(filter: ReviewFilter): ReviewFilter {
	const wanted = filter.status === undefined ? ACTIVE_STATUSES : ([] as ReviewStatus[]).concat(filter.status as ReviewStatus | ReviewStatus[]);
	return { ...filter, status: wanted.filter((s) => ACTIVE_STATUSES.includes(s) && s !== 'approved') };
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Applies a dashboard action (after checking its token) and says what changed. */
export async function applyDashboardAction(store: SyncStore, request: DashboardRequest, options: DashboardOptions = {}): Promise<ActionResult | null> {
	if (request.badAction) return { ok: false, message: `Unknown action "${request.badAction}"`, changed: [] };
	const action = request.action;
	if (!action) return null;
	const now = options.now ?? new Date();
	if (options.readOnly) return { ok: false, message: 'This dashboard is read-only.', changed: [] };
	if (!verifyDashboardToken(options.secret, action.token, now)) {
		return { ok: false, message: 'The form expired or did not come from this dashboard. Nothing was changed; reload the page and try again.', changed: [] };
	}
	const retryable: ReviewStatus[] = ['open', 'retry_scheduled', 'failed'];
	switch (action.name) {
		case 'retry':
		case 'approve': {
			if (action.ids.length === 0) return { ok: false, message: 'Select at least one record.', changed: [] };
			const changed = await store.setReviewStatusMany(action.ids, 'approved', {
				nextRetryAt: now,
				expectedStatus: retryable,
				note: action.name === 'approve' ? 'Approved from the dashboard' : 'Retry requested from the dashboard',
			});
			const verb = action.name === 'approve' ? 'approved' : 'queued for retry';
			return { ok: true, message: `${plural(changed.length, 'record')} ${verb}${changed.length < action.ids.length ? ` (${action.ids.length - changed.length} already closed or queued)` : ''}.`, changed };
		}
		case 'retry_all': {
			const ids = await allMatching(store, activeOnly(filterOf(request.query)));
			const changed = await store.setReviewStatusMany(ids, 'approved', { nextRetryAt: now, expectedStatus: retryable, note: 'Retry all from the dashboard' });
			return { ok: true, message: `Retry all: ${plural(changed.length, 'record')} queued for retry.`, changed };
		}
		case 'discard': {
			if (action.ids.length === 0) return { ok: false, message: 'Select at least one record.', changed: [] };
			const changed = await store.setReviewStatusMany(action.ids, 'discarded', { expectedStatus: ACTIVE_STATUSES, note: 'Discarded from the dashboard' });
			return { ok: true, message: `${plural(changed.length, 'record')} discarded.`, changed };
		}
		case 'edit':
		case 'edit_approve': {
			const id = action.ids[0];
			if (!id) return { ok: false, message: 'No record to edit.', changed: [] };
			let data: unknown;
			try {
				data = JSON.parse(action.data ?? '');
			} catch (err) {
				return { ok: false, message: `The data is not valid JSON: ${(err as Error).message}. Nothing was saved.`, changed: [] };
			}
			try {
				const edited = await store.editReviewData(id, data, { note: 'Data edited from the dashboard' });
				if (!edited) return { ok: false, message: 'That record no longer exists.', changed: [] };
			} catch (err) {
				return { ok: false, message: (err as Error).message, changed: [] };
			}
			if (action.name === 'edit') return { ok: true, message: 'Data saved.', changed: [id] };
			await store.setReviewStatus(id, 'approved', { nextRetryAt: now, expectedStatus: retryable, note: 'Edited and approved from the dashboard' });
			return { ok: true, message: 'Data saved and the record queued for retry.', changed: [id] };
		}
	}
	return null;
}

// ------------------------------------------------------------------------------------------------ render

/** A person-readable name for a parked record: its name fields, else its email, else its id. */
export function recordName(item: ReviewItem): string {
	const data = item.data;
	const candidates: Obj[] = [];
	const push = (v: unknown) => {
		if (isObj(v)) candidates.push(isObj(v.fields) ? v.fields : v);
	};
	if (isObj(data)) {
		push(data);
		if (isObj(data.source)) push(data.source);
		if (isObj(data.target)) push(data.target);
	}
	for (const c of candidates) {
		// HubSpot, Jobber, Pipedrive and Salesforce (FirstName, Name, Email) spellings.
		const first = one(c.firstname ?? c.firstName ?? c.first_name ?? c.FirstName);
		const last = one(c.lastname ?? c.lastName ?? c.last_name ?? c.LastName);
		const full = [first, last].filter(Boolean).join(' ');
		if (full) return full;
		for (const key of ['name', 'Name', 'title', 'companyName', 'company', 'email', 'Email']) {
			const v = one(c[key]);
			if (v) return v;
		}
		if (Array.isArray(c.emails) && isObj(c.emails[0]) && one(c.emails[0].address)) return one(c.emails[0].address);
	}
	return item.recordId ?? item.id;
}

function refLine(item: ReviewItem): string {
	return [item.system, item.object, item.recordId].filter(Boolean).join(' / ') || '—';
}

function when(iso: string | null | undefined): string {
	return iso ? iso.replace('T', ' ').replace(/\.\d{3}Z$/, ' UTC') : '—';
}

function statusBadge(status: ReviewStatus): Html {
	return html`<span class="badge s-${status}" data-status="${status}">${STATUS_LABEL[status]}</span>`;
}

function pretty(value: unknown): string {
	try {
		return JSON.stringify(redactSecrets(value), null, 2) ?? 'null';
	} catch {
		return String(value);
	}
}

function valueText(value: unknown): string {
	if (value === undefined) return '';
	const v = redactSecrets(value);
	return typeof v === 'string' ? v : JSON.stringify(v);
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d2430;background:#f4f6f9}
header{background:#1f2a44;color:#fff;padding:14px 24px;display:flex;align-items:baseline;gap:16px;flex-wrap:wrap}
header h1{font-size:19px;margin:0}header .sub{opacity:.8}
main{padding:16px 24px;max-width:1400px}
.cards{display:flex;gap:10px;flex-wrap:wrap;margin-bottom:14px}
.card{background:#fff;border:1px solid #d9dee7;border-radius:8px;padding:8px 14px;min-width:120px}
.card b{display:block;font-size:20px}.card span{color:#5b6475;font-size:12px}
.flash{padding:10px 14px;border-radius:6px;margin-bottom:12px;background:#e6f4ea;border:1px solid #9fd3ad}
.flash.err{background:#fdecea;border-color:#f1a7a0}
.note{color:#5b6475;font-size:12px}
form.filters{display:flex;gap:10px;flex-wrap:wrap;align-items:flex-end;background:#fff;border:1px solid #d9dee7;border-radius:8px;padding:10px 12px;margin-bottom:12px}
form.filters label{display:flex;flex-direction:column;font-size:12px;color:#5b6475;gap:2px}
select,input[type=text],input[type=date],textarea{font:inherit;padding:5px 7px;border:1px solid #b9c1cf;border-radius:5px;background:#fff}
button{font:inherit;padding:6px 12px;border-radius:5px;border:1px solid #2f5bd3;background:#2f5bd3;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#2f5bd3}button.danger{border-color:#b42318;background:#fff;color:#b42318}
button:disabled{opacity:.5;cursor:default}
.toolbar{display:flex;gap:8px;align-items:center;margin:8px 0;flex-wrap:wrap}
table{border-collapse:collapse;width:100%;background:#fff;border:1px solid #d9dee7}
th,td{text-align:left;padding:7px 9px;border-bottom:1px solid #e7eaf0;vertical-align:top}
th{background:#eef1f6;font-size:12px;color:#3b4454;text-transform:uppercase;letter-spacing:.03em}
tr:hover td{background:#f8fafc}
.rec{font-weight:600}.ref{color:#5b6475;font-size:12px}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;font-size:12px;white-space:nowrap;border:1px solid}
.s-open{background:#fff4e5;border-color:#f5b46a}.s-retry_scheduled{background:#e8f0fe;border-color:#8ab4f8}
.s-approved{background:#ede7f6;border-color:#b39ddb}.s-resolved{background:#e6f4ea;border-color:#81c995}
.s-discarded{background:#f1f3f4;border-color:#bdc1c6}.s-failed{background:#fdecea;border-color:#f28b82}
.cat{font-size:12px;color:#3b4454}
pre{background:#0f172a;color:#e2e8f0;padding:12px;border-radius:6px;overflow:auto;max-height:420px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;background:#fff;border:1px solid #d9dee7;border-radius:8px;padding:12px}
dt{color:#5b6475}dd{margin:0}
h2{font-size:16px;margin:18px 0 8px}
a{color:#2f5bd3}
.pager{margin:10px 0;display:flex;gap:14px}
.empty{padding:24px;text-align:center;color:#5b6475;background:#fff;border:1px solid #d9dee7}
`;

const SCRIPT = `
(function(){
  var all=document.getElementById('select-all');
  var boxes=function(){return Array.prototype.slice.call(document.querySelectorAll('input[name=ids]'));};
  var count=document.getElementById('selected-count');
  function update(){var n=boxes().filter(function(b){return b.checked;}).length;
    if(count)count.textContent=n+' selected';
    Array.prototype.forEach.call(document.querySelectorAll('[data-needs-selection]'),function(b){b.disabled=n===0;});}
  if(all)all.addEventListener('change',function(){boxes().forEach(function(b){b.checked=all.checked;});update();});
  boxes().forEach(function(b){b.addEventListener('change',update);});
  update();
})();
`;

function hiddenFilters(q: DashboardQuery): Html {
	const keys: Array<keyof DashboardQuery> = ['status', 'kind', 'category', 'code', 'mapping', 'from', 'to'];
	return html`${keys.filter((k) => q[k] !== '' && q[k] !== undefined).map((k) => html`<input type="hidden" name="${k}" value="${q[k]}">`)}`;
}

function filterLink(q: DashboardQuery, extra: Partial<Record<keyof DashboardQuery, string>> = {}): string {
	return queryString({ status: q.status, kind: q.kind, category: q.category, code: q.code, mapping: q.mapping, from: q.from, to: q.to, ...extra });
}

function options(values: ReadonlyArray<readonly [string, string]>, selected: string): Html {
	return html`${values.map(([value, label]) => html`<option value="${value}"${selected === value ? trusted(' selected') : ''}>${label}</option>`)}`;
}

function filtersForm(q: DashboardQuery): Html {
	const statuses: Array<[string, string]> = [['active', 'Active (not closed)'], ['all', 'All'], ...REVIEW_STATUSES.map((s) => [s, STATUS_LABEL[s]] as [string, string])];
	const categories: Array<[string, string]> = [['', 'Any category'], ...CATEGORIES.map((c) => [c, c] as [string, string])];
	const codes: Array<[string, string]> = [['', 'Any error'], ...Object.entries(ERROR_CODES).map(([c, info]) => [c, `${info.label} (${info.category})`] as [string, string])];
	const kinds: Array<[string, string]> = [['', 'Errors and conflicts'], ['error', 'Errors'], ['conflict', 'Conflicts']];
	return html`<form class="filters" method="get" action="" id="filters">
<label>Status<select name="status" id="f-status">${options(statuses, q.status)}</select></label>
<label>Kind<select name="kind" id="f-kind">${options(kinds, q.kind)}</select></label>
<label>Category<select name="category" id="f-category">${options(categories, q.category)}</select></label>
<label>Error<select name="code" id="f-code">${options(codes, q.code)}</select></label>
<label>Mapping<input type="text" name="mapping" id="f-mapping" value="${q.mapping}" placeholder="mapping id"></label>
<label>From<input type="date" name="from" id="f-from" value="${q.from}"></label>
<label>To<input type="date" name="to" id="f-to" value="${q.to}"></label>
<button type="submit" id="apply-filters">Apply filters</button>
<a href="?" id="reset-filters">Reset</a>
</form>`;
}

function metricCards(m: ReviewMetrics): Html {
	const card = (id: string, value: string | number, label: string) => html`<div class="card" id="${id}"><b>${value}</b><span>${label}</span></div>`;
	const rate = m.retry.successRate === null ? '—' : `${Math.round(m.retry.successRate * 100)}%`;
	const mean = m.meanResolutionMs === null ? '—' : humanSeconds(m.meanResolutionMs / 1000);
	return html`<div class="cards">
${card('m-open', m.byStatus.open, 'open (needs review)')}
${card('m-retry', m.byStatus.retry_scheduled, 'retry scheduled')}
${card('m-approved', m.byStatus.approved, 'queued for retry')}
${card('m-failed', m.byStatus.failed, 'failed')}
${card('m-resolved', m.byStatus.resolved, 'resolved')}
${card('m-rate', rate, 'retry success')}
${card('m-mean', mean, 'mean resolution time')}
</div>`;
}

function page(title: string, body: Html, nonce: string): string {
	// The meta policy is defence in depth beside escaping: only this page's own nonce'd script may run.
	const csp = `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; img-src data:; base-uri 'none'`;
	return html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${title}</title>
<style>${trusted(STYLE)}</style></head>
<body>${body}
<script nonce="${nonce}">${trusted(SCRIPT)}</script>
</body></html>`.text;
}

function flashBox(result: ActionResult | null, warning: string | null): Html {
	return html`${result ? html`<div class="flash${result.ok ? '' : ' err'}" id="flash" role="status">${result.message}</div>` : ''}${
		warning ? html`<div class="flash err" id="warning">${warning}</div>` : ''
	}`;
}

async function renderList(store: SyncStore, q: DashboardQuery, token: string, options: DashboardOptions): Promise<Html> {
	const filter = filterOf(q);
	const [pageData, total, retryable] = await Promise.all([
		store.listReviewItems(filter, { limit: q.limit, cursor: q.cursor || null }),
		store.countReviewItems(filter),
		// What Retry All would queue: the matching records not already queued or closed.
		store.countReviewItems(activeOnly(filter)),
	]);
	const rows = pageData.items.map((item) => {
		const first = item.errors[0];
		const fields = [...new Set(item.errors.map((e) => e.field).filter(Boolean))].join(', ');
		const detail = filterLink(q, { item: item.id });
		return html`<tr data-id="${item.id}" data-status="${item.status}" data-category="${item.category ?? ''}" data-code="${item.code ?? ''}">
<td><input type="checkbox" name="ids" value="${item.id}" aria-label="Select ${recordName(item)}"></td>
<td><a class="rec" href="${detail}" data-open="${item.id}">${recordName(item)}</a><div class="ref">${refLine(item)}</div></td>
<td>${first ? first.error : item.kind === 'conflict' ? 'Conflict' : '—'}${item.errors.length > 1 ? html` <span class="note">+${item.errors.length - 1} more</span>` : ''}${fields ? html`<div class="ref">field: ${fields}</div>` : ''}</td>
<td class="cat">${item.category ?? '—'}</td>
<td class="cat">${item.code ?? '—'}</td>
<td class="cat">${item.mappingId ?? '—'}</td>
<td>${statusBadge(item.status)}</td>
<td>${item.attempts}</td>
<td class="ref">${item.status === 'retry_scheduled' || item.status === 'approved' ? when(item.nextRetryAt) : '—'}</td>
<td class="ref">${when(item.createdAt)}</td>
</tr>`;
	});
	const disabled = options.readOnly ? trusted(' disabled') : '';
	const table = rows.length
		? html`<table id="items"><thead><tr><th><input type="checkbox" id="select-all" aria-label="Select all on this page"></th><th>Record</th><th>Error</th><th>Category</th><th>Code</th><th>Mapping</th><th>Status</th><th>Attempts</th><th>Next retry</th><th>Created</th></tr></thead><tbody>${rows}</tbody></table>`
		: html`<div class="empty" id="empty">No records match these filters.</div>`;
	const pager = html`<div class="pager">${q.cursor ? html`<a href="${filterLink(q)}" id="first-page">← First page</a>` : ''}${
		pageData.next ? html`<a href="${filterLink(q, { cursor: pageData.next })}" id="next-page">Next page →</a>` : ''
	}</div>`;
	return html`${filtersForm(q)}
<p id="match-count"><b>${total}</b> matching record${total === 1 ? '' : 's'}${q.cursor ? ' (later page)' : ''}</p>
<form method="post" action="" id="bulk">
<input type="hidden" name="token" value="${token}">${hiddenFilters(q)}
<div class="toolbar">
<span id="selected-count" class="note">0 selected</span>
<button type="submit" name="action" value="retry" id="retry-selected" data-needs-selection${disabled}>Retry Selected</button>
<button type="submit" name="action" value="approve" id="approve-selected" class="secondary" data-needs-selection${disabled}>Approve Selected</button>
<button type="submit" name="action" value="discard" id="discard-selected" class="danger" data-needs-selection${disabled}>Discard Selected</button>
<button type="submit" name="action" value="retry_all" id="retry-all" class="secondary"${disabled}>Retry All (${retryable} matching)</button>
</div>
${table}
</form>${pager}`;
}

async function renderDetail(store: SyncStore, q: DashboardQuery, token: string, options: DashboardOptions): Promise<Html> {
	const item = await store.getReviewItem(q.item);
	const back = html`<p><a href="${filterLink(q)}" id="back">← Back to the list</a></p>`;
	if (!item) return html`${back}<div class="empty" id="not-found">No review item with that id.</div>`;
	const attempts = await store.listAttempts(item.id);
	const meta = isObj(item.meta) ? item.meta : {};
	const workflow = isObj(meta.workflow) ? meta.workflow : null;
	const execution = isObj(meta.execution) ? meta.execution : null;
	const conflict = isObj(meta.conflict) ? meta.conflict : null;
	const closed = item.status === 'resolved' || item.status === 'discarded';
	const disabled = options.readOnly || closed ? trusted(' disabled') : '';
	const errorsTable = item.errors.length
		? html`<table id="errors"><thead><tr><th>Error</th><th>Field</th><th>Value</th><th>Message</th><th>Suggested fix</th><th>When</th></tr></thead><tbody>${item.errors.map(
				(e) =>
					html`<tr><td><b>${e.error}</b><div class="ref">${e.category} · ${e.code}${e.retryable ? ' · transient' : ''}</div></td><td>${e.field ?? '—'}</td><td><code>${valueText(e.value)}</code></td><td>${e.message}</td><td>${e.suggestedFix}</td><td class="ref">${when(e.timestamp)}</td></tr>`,
			)}</tbody></table>`
		: html`<p class="note">No error details.</p>`;
	const conflictFields = conflict && Array.isArray(conflict.fields) ? conflict.fields.filter(isObj) : [];
	const conflictTable = conflictFields.length
		? html`<h2>Conflicting fields</h2><table id="conflict"><thead><tr><th>Field</th><th>Source value</th><th>Target value</th><th>Last synced value</th></tr></thead><tbody>${conflictFields.map(
				(f) => html`<tr><td>${one(f.field)}</td><td><code>${valueText(f.sourceValue)}</code></td><td><code>${valueText(f.targetValue)}</code></td><td><code>${valueText(f.baseValue)}</code></td></tr>`,
			)}</tbody></table>`
		: '';
	const attemptsTable = attempts.length
		? html`<table id="attempts"><thead><tr><th>Attempt</th><th>Outcome</th><th>Error</th><th>Worker</th><th>At</th></tr></thead><tbody>${attempts.map(
				(a) => html`<tr><td>${a.attempt}</td><td>${a.outcome}</td><td>${a.error ? `${a.error.error}: ${a.error.message}` : '—'}</td><td class="ref">${a.workerId ?? '—'}</td><td class="ref">${when(a.at)}</td></tr>`,
			)}</tbody></table>`
		: html`<p class="note">No retry attempts yet.</p>`;
	return html`${back}
<h2 id="detail-title">${recordName(item)}</h2>
<dl id="detail">
<dt>Status</dt><dd>${statusBadge(item.status)}</dd>
<dt>Record</dt><dd>${refLine(item)}</dd>
<dt>Kind</dt><dd>${item.kind}</dd>
<dt>Category / code</dt><dd>${item.category ?? '—'} / ${item.code ?? '—'}</dd>
<dt>Mapping</dt><dd>${item.mappingId ?? '—'}</dd>
<dt>Attempts</dt><dd>${item.attempts}</dd>
<dt>Occurrences</dt><dd>${item.occurrences}</dd>
<dt>Next retry</dt><dd>${when(item.nextRetryAt)}</dd>
<dt>Created / updated</dt><dd>${when(item.createdAt)} / ${when(item.updatedAt)}</dd>
${item.resolvedAt ? html`<dt>Closed</dt><dd>${when(item.resolvedAt)}</dd>` : ''}
${item.resolutionNote ? html`<dt>Note</dt><dd>${item.resolutionNote}</dd>` : ''}
${one(meta.reason) ? html`<dt>Policy decision</dt><dd>${one(meta.reason)}</dd>` : ''}
${one(meta.node) ? html`<dt>Failed at node</dt><dd>${one(meta.node)}</dd>` : ''}
${workflow ? html`<dt>Workflow</dt><dd>${one(workflow.name) || one(workflow.id)}</dd>` : ''}
${execution && one(execution.id) ? html`<dt>Execution</dt><dd>${one(execution.id)}</dd>` : ''}
</dl>
<h2>Errors</h2>${errorsTable}
${conflictTable}
<form method="post" action="" id="item-actions">
<input type="hidden" name="token" value="${token}"><input type="hidden" name="item" value="${item.id}"><input type="hidden" name="ids" value="${item.id}">${hiddenFilters(q)}
<div class="toolbar">
<button type="submit" name="action" value="retry" id="retry-one"${disabled}>Retry</button>
<button type="submit" name="action" value="approve" id="approve-one" class="secondary"${disabled}>Approve</button>
<button type="submit" name="action" value="discard" id="discard-one" class="danger"${disabled}>Discard</button>
</div>
</form>
<h2>Data</h2>
<pre id="data">${pretty(item.data)}</pre>
<form method="post" action="" id="edit-form">
<input type="hidden" name="token" value="${token}"><input type="hidden" name="item" value="${item.id}"><input type="hidden" name="ids" value="${item.id}">${hiddenFilters(q)}
<label for="edit-data" class="note">Correct the record (JSON), then save; “Save &amp; approve” queues it for retry.</label><br>
<textarea name="data" id="edit-data" rows="10" cols="100"${disabled}>${pretty(item.data)}</textarea>
<div class="toolbar"><button type="submit" name="action" value="edit" class="secondary" id="save-data"${disabled}>Save</button><button type="submit" name="action" value="edit_approve" id="save-approve"${disabled}>Save &amp; approve</button></div>
</form>
<h2>Attempts</h2>${attemptsTable}`;
}

export interface DashboardResponse {
	html: string;
	contentType: string;
	statusCode: number;
	/** Headers for Respond to Webhook (n8n adds its own sandbox policy on top). */
	headers: Record<string, string>;
	/** What the action did, when there was one (for logs and tests). */
	action: ActionResult | null;
}

/** Handles one dashboard request: applies the posted action, then renders the list or a record. */
export async function handleDashboardRequest(store: SyncStore, request: DashboardRequest, options: DashboardOptions = {}): Promise<DashboardResponse> {
	const now = options.now ?? new Date();
	const result = await applyDashboardAction(store, request, options);
	const q = request.query;
	const token = dashboardToken(options.secret, now);
	const nonce = randomBytes(16).toString('base64');
	const metrics = await store.reviewMetrics(q.mapping ? { mappingId: q.mapping } : {});
	const warning = options.secret ? null : 'No Form Secret is set on the Review Queue node: buttons stop working after n8n restarts or on another worker. Set one.';
	const main = q.item ? await renderDetail(store, q, token, options) : await renderList(store, q, token, options);
	const title = options.title || 'FluxCascade · Sync errors';
	const body = html`<header><h1>${title}</h1><span class="sub">${metrics.open} active · ${metrics.total} total${q.mapping ? ` · mapping ${q.mapping}` : ''}</span></header>
<main>${flashBox(result, warning)}${metricCards(metrics)}${main}</main>`;
	return {
		html: page(title, body, nonce),
		contentType: 'text/html; charset=utf-8',
		statusCode: result && !result.ok && result.message.startsWith('The form expired') ? 403 : 200,
		headers: {
			'content-type': 'text/html; charset=utf-8',
			'cache-control': 'no-store',
			'x-content-type-options': 'nosniff',
			'x-frame-options': 'DENY',
			'referrer-policy': 'no-referrer',
		},
		action: result,
	};
}
