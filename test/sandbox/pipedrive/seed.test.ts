/** Seeding (deterministic, dirty data), reset, records() and info(). */
import { createContext } from '../../../sandbox/core/vendor';
import { createPipedrive } from '../../../sandbox/pipedrive';
import { startPipedrive, TOKEN } from './helpers';

type P = { name: string; emails: Array<{ value: string }>; phones: Array<{ value: string }>; org_id: number | null; custom_fields: Record<string, unknown>; job_title: string };
const strip = (p: P) => ({ name: p.name, emails: p.emails, phones: p.phones, org_id: p.org_id, custom_fields: p.custom_fields, job_title: p.job_title });

test('the same seed gives the same records; custom field keys are stable per seed and differ across seeds', () => {
	const a = createPipedrive(createContext());
	const b = createPipedrive(createContext());
	a.seed({ count: 200, seed: 99, dirtyShare: 0.2 });
	b.seed({ count: 200, seed: 99, dirtyShare: 0.2 });
	expect((a.records('persons') as P[]).map(strip)).toEqual((b.records('persons') as P[]).map(strip));
	const keysA = (a.info().customFields as { person: Array<{ key: string }> }).person.map((f) => f.key);
	const keysB = (b.info().customFields as { person: Array<{ key: string }> }).person.map((f) => f.key);
	expect(keysA).toEqual(keysB);
	const c = createPipedrive(createContext(), { seed: 2 });
	const keysC = (c.info().customFields as { person: Array<{ key: string }> }).person.map((f) => f.key);
	expect(keysC).not.toEqual(keysA);
	for (const k of [...keysA, ...keysC]) expect(k).toMatch(/^[0-9a-f]{40}$/);
});

test('dirty data: the controlled share shows up as bad phones, missing emails, duplicates, unicode, long strings', () => {
	const v = createPipedrive(createContext());
	const summary = v.seed({ count: 2000, seed: 3, dirtyShare: 0.25 });
	expect(summary.created).toBe(2000);
	expect(summary.ids).toHaveLength(2000);
	const dirtyTotal = Object.values(summary.dirty).reduce((s, n) => s + n, 0);
	expect(dirtyTotal).toBeGreaterThan(350);
	expect(dirtyTotal).toBeLessThan(650);
	const persons = v.records('persons') as P[];
	expect(persons.filter((p) => p.emails.length === 0).length).toBe(summary.dirty.missing_email);
	expect(persons.some((p) => /[^\x00-\x7F]/.test(p.name))).toBe(true);
	expect(persons.some((p) => p.phones.some((ph) => /[a-z]/i.test(ph.value)))).toBe(true);
	const emails = persons.flatMap((p) => p.emails.map((e) => e.value.trim().toLowerCase()));
	expect(new Set(emails).size).toBeLessThan(emails.length);
	expect(persons.some((p) => p.job_title.length > 100)).toBe(true);
	// Organizations came with them, and deals can be seeded on top.
	expect((v.records('organizations') as unknown[]).length).toBeGreaterThan(5);
	const deals = v.seed({ object: 'deals', count: 50, seed: 3 });
	expect(deals.created).toBe(50);
	expect((v.records('deals') as Array<{ person_id: number }>).every((d) => d.person_id > 0)).toBe(true);
	expect(v.seed({ object: 'organizations', count: 5 }).created).toBe(5);
});

test('reset clears data but keeps credentials, the default pipeline and field keys', async () => {
	const sb = await startPipedrive({ rateLimiting: false });
	try {
		sb.server.definition.seed({ count: 50, seed: 1 });
		const fieldsBefore = (await sb.call('GET', '/_sandbox/pipedrive/fields')).body;
		await sb.call('POST', '/v1/webhooks', { subscription_url: 'https://example.com/x', event_action: '*', event_object: '*', name: 'x' });
		await sb.call('POST', '/_sandbox/reset');
		expect((await sb.call('GET', '/api/v2/persons')).body.data).toEqual([]);
		expect((await sb.call('GET', '/v1/webhooks')).body.data).toEqual([]);
		expect((await sb.call('GET', '/api/v2/pipelines')).body.data).toHaveLength(1);
		expect((await sb.call('GET', '/api/v2/stages')).body.data).toHaveLength(5);
		expect((await sb.call('GET', '/_sandbox/pipedrive/fields')).body).toEqual(fieldsBefore);
		const info = (await sb.call('GET', '/_sandbox/info')).body;
		expect(info).toMatchObject({ vendor: 'pipedrive', auth: { apiToken: TOKEN, apiTokenHeader: 'x-api-token', oauth: { apiDomain: sb.url } }, webhookBasicAuth: { user: expect.any(String), password: expect.any(String) } });
		expect((await sb.call('POST', '/api/v2/persons', { name: 'After reset' })).body.data.id).toBe(1);
		const records = (await sb.call('GET', '/_sandbox/records/persons')).body;
		expect(records).toEqual([expect.objectContaining({ id: 1, name: 'After reset', is_deleted: false, custom_fields: expect.any(Object) })]);
		expect((await sb.call('GET', '/_sandbox/records/personFields')).body.length).toBeGreaterThan(10);
		expect((await sb.call('POST', '/_sandbox/seed', { object: 'widgets', count: 1 })).status).toBeGreaterThanOrEqual(400);
	} finally {
		await sb.close();
	}
});
