/** The dashboard engine without a browser: request parsing, form tokens, actions, escaping and paging. */
import { classifiedError } from '../../errors/taxonomy';
import { failedItem } from '../../nodes/shared/records';
import { classify, dashboardToken, decide, escapeHtml, handleDashboardRequest, html, park, parseDashboardRequest, policyConfig, verifyDashboardToken } from '../../sync/errors';
import { openSqliteStore, type SqlStore } from '../../sync/store';

const SECRET = 'unit-test-secret';
let store: SqlStore;
let ids: string[];

beforeEach(async () => {
	store = await openSqliteStore({ kind: 'sqlite', path: ':memory:' });
	const policy = policyConfig({ manualReviewMode: true });
	ids = [];
	for (let n = 0; n < 7; n++) {
		const f = classify(failedItem('hubspot', 'HubSpot', { system: 'hubspot', object: 'contacts', id: `c${n}`, fields: { firstname: `Ann ${n}`, email: 'x@@y' } }, [classifiedError('INVALID_EMAIL', { message: 'bad', field: 'email', value: 'x@@y' })]));
		ids.push((await park(store, f, decide(f.errors, policy), { policy, mappingId: 'm' })).item!.id);
	}
});
afterEach(() => store.close());

const post = (body: Record<string, unknown>) => parseDashboardRequest({ query: {}, body: { token: dashboardToken(SECRET), ...body } });

test('escaping is the default of the html template', () => {
	const name = '<img src=x onerror="alert(1)">\'`&';
	expect(html`<td title="${name}">${name}</td>`.text).toBe('<td title="&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&#96;&amp;">&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&#96;&amp;</td>');
	expect(escapeHtml('</script>')).toBe('&lt;/script&gt;');
});

test('form tokens: signed by the secret, expire, refuse tampering', () => {
	const now = new Date('2025-03-01T12:00:00Z');
	const token = dashboardToken(SECRET, now);
	expect(verifyDashboardToken(SECRET, token, now)).toBe(true);
	expect(verifyDashboardToken('other', token, now)).toBe(false);
	expect(verifyDashboardToken(SECRET, token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')), now)).toBe(false);
	expect(verifyDashboardToken(SECRET, token, new Date(now.getTime() + 13 * 3600_000))).toBe(false);
	expect(verifyDashboardToken(SECRET, undefined, now)).toBe(false);
});

test('request parsing: filters from the query, repeated or comma-separated ids from the form', () => {
	const r = parseDashboardRequest({ query: { category: 'Data', status: 'open', cursor: 'abc' }, body: { action: 'retry', ids: [ids[0], `${ids[1]},${ids[2]}`], token: 't' } });
	expect(r.query).toMatchObject({ category: 'Data', status: 'open', cursor: 'abc' });
	expect(r.action).toMatchObject({ name: 'retry', ids: [ids[0], ids[1], ids[2]] });
	expect(parseDashboardRequest({ body: { action: 'drop_tables' } }).badAction).toBe('drop_tables');
});

test('edit and approve from the record view; bad JSON saves nothing', async () => {
	const bad = await handleDashboardRequest(store, post({ action: 'edit_approve', item: ids[0], ids: ids[0], data: '{nope' }), { secret: SECRET });
	expect(bad.action).toMatchObject({ ok: false, message: expect.stringMatching(/not valid JSON/) });
	const good = await handleDashboardRequest(store, post({ action: 'edit_approve', item: ids[0], ids: ids[0], data: '{"fields":{"email":"ann@example.com"}}' }), { secret: SECRET });
	expect(good.action).toMatchObject({ ok: true, message: 'Data saved and the record queued for retry.' });
	expect(await store.getReviewItem(ids[0])).toMatchObject({ status: 'approved', data: { fields: { email: 'ann@example.com' } } });
	// The re-rendered page is the record view, with the new data escaped inside it.
	expect(good.html).toContain('id="detail"');
	expect(good.html).toContain('&quot;ann@example.com&quot;');
});

test('an action without a valid token changes nothing and answers 403', async () => {
	const res = await handleDashboardRequest(store, parseDashboardRequest({ body: { action: 'discard', ids: ids[1], token: 'forged' } }), { secret: SECRET });
	expect(res.statusCode).toBe(403);
	expect((await store.getReviewItem(ids[1]))!.status).toBe('open');
});

test('read-only dashboards refuse actions and disable buttons', async () => {
	const res = await handleDashboardRequest(store, post({ action: 'discard', ids: ids[1] }), { secret: SECRET, readOnly: true });
	expect(res.action).toMatchObject({ ok: false });
	expect(res.html).toMatch(/id="discard-selected"[^>]*disabled/);
});

test('paging: a next-page link, and the page after it', async () => {
	const first = await handleDashboardRequest(store, parseDashboardRequest({ query: { limit: '5' } }), { secret: SECRET });
	expect(first.html).toContain('id="next-page"');
	const href = /href="([^"]+)" id="next-page"/.exec(first.html)![1].replace(/&amp;/g, '&');
	const query = Object.fromEntries(new URLSearchParams(href.slice(1)));
	const second = await handleDashboardRequest(store, parseDashboardRequest({ query: { ...query, limit: '5' } }), { secret: SECRET });
	expect((first.html.match(/<tr data-id=/g) ?? []).length).toBe(5);
	expect((second.html.match(/<tr data-id=/g) ?? []).length).toBe(2);
	expect(second.html).toContain('id="first-page"');
});

test('without a Form Secret the page warns that buttons stop working after a restart', async () => {
	const res = await handleDashboardRequest(store, parseDashboardRequest({}), {});
	expect(res.html).toContain('No Form Secret is set');
});
