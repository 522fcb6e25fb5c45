/**
 * Webhook and dashboard secrets are compared in constant time. Rather than grepping for timingSafeEqual, this
 * watches the comparisons each verifier actually makes (a spy on node:crypto's timingSafeEqual, which the
 * verifiers call through the module at call time) and checks what a timing attacker would exploit:
 *  - the right value passes, through timingSafeEqual;
 *  - a value of the same length that differs in its first byte and one that differs in its last byte are
 *    both refused, and both make exactly the same comparisons (same number of calls, same buffer lengths):
 *    no early exit at the first differing byte, as `===` or a hand-written loop would have;
 *  - a value of another length is refused too, and still costs a constant-time comparison (HubSpot, Jobber,
 *    Pipedrive), so the length check does not answer faster than the comparison.
 */
import { signatureV3, verifySignatureV3 } from '../../connectors/hubspot';
import { jobberSignature, verifyJobberSignature } from '../../connectors/jobber';
import { checkBasicAuth, webhookCredentials } from '../../connectors/pipedrive/webhooks';
import { dashboardToken, verifyDashboardToken } from '../../sync/errors';

// The module object itself (an `import * as` namespace has read-only bindings that cannot be spied on).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const crypto = require('node:crypto') as typeof import('node:crypto');

let spy: jest.SpyInstance;
beforeEach(() => {
	spy = jest.spyOn(crypto, 'timingSafeEqual');
});
afterEach(() => spy.mockRestore());

/** The comparisons one call made: the byte lengths of each timingSafeEqual's two buffers. */
function comparisons(run: () => boolean): { result: boolean; calls: Array<[number, number]> } {
	spy.mockClear();
	const result = run();
	return { result, calls: spy.mock.calls.map(([a, b]) => [(a as Buffer).length, (b as Buffer).length]) };
}

/** Same length, one character changed at `at` (to another character of the same alphabet). */
function flip(value: string, at: number): string {
	const i = at < 0 ? value.length + at : at;
	const alphabet = /^[0-9a-f]+$/.test(value) ? '0123456789abcdef' : 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
	const c = value[i];
	const next = alphabet[(alphabet.indexOf(c) + 1) % alphabet.length] ?? 'A';
	return value.slice(0, i) + next + value.slice(i + 1);
}

function expectConstantTime(name: string, verify: (candidate: string) => boolean, good: string, options: { lengthMismatchCompared: boolean }): void {
	const ok = comparisons(() => verify(good));
	expect({ name, result: ok.result }).toEqual({ name, result: true });
	expect(ok.calls.length).toBeGreaterThan(0);
	for (const [a, b] of ok.calls) expect(a).toBe(b);

	const first = comparisons(() => verify(flip(good, 0)));
	// -4, not -1: a base64 MAC ends in padding and a character whose low bits carry no data.
	const last = comparisons(() => verify(flip(good, -4)));
	expect({ name, first: first.result, last: last.result }).toEqual({ name, first: false, last: false });
	expect(first.calls.length).toBeGreaterThan(0);
	// Where the difference sits changes nothing about the work done.
	expect(first.calls).toEqual(last.calls);
	expect(first.calls).toEqual(ok.calls);

	for (const other of [good.slice(0, -4), `${good}AAAA`, '']) {
		const r = comparisons(() => verify(other));
		expect({ name, other, result: r.result }).toEqual({ name, other, result: false });
		if (options.lengthMismatchCompared && other !== '') {
			expect(r.calls.length).toBeGreaterThan(0);
			for (const [a, b] of r.calls) expect(a).toBe(b);
		}
	}
}

test('HubSpot v3 signature (X-HubSpot-Signature-v3)', () => {
	const secret = 'hubspot-client-secret-5b0c';
	const uri = 'https://n8n.example.com/webhook/abc/webhook';
	const body = '[{"eventId":1,"subscriptionType":"contact.creation","objectId":5}]';
	const now = Date.now();
	const ts = String(now - 1000);
	const good = signatureV3(secret, 'POST', uri, body, ts);
	expectConstantTime('hubspot', (signature) => verifySignatureV3({ clientSecret: secret, method: 'POST', uris: [uri], rawBody: body, signature, timestamp: ts, now }).ok, good, { lengthMismatchCompared: true });
});

test('Jobber signature (X-Jobber-Hmac-SHA256)', () => {
	const secret = 'jobber-client-secret-77d1';
	const body = Buffer.from('{"data":{"webHookEvent":{"topic":"CLIENT_UPDATE","itemId":"Z2lk","occurredAt":"2025-01-01T00:00:00Z"}}}');
	const good = jobberSignature(secret, body);
	expectConstantTime('jobber', (signature) => verifyJobberSignature(secret, body, signature), good, { lengthMismatchCompared: true });
});

test('Pipedrive Basic credentials of a subscription', () => {
	const expected = webhookCredentials('pipedrive-api-token-91aa', 'wf1:node1');
	const header = (userPass: string) => `Basic ${Buffer.from(userPass).toString('base64')}`;
	const good = `${expected.user}:${expected.password}`;
	expectConstantTime('pipedrive', (candidate) => checkBasicAuth(header(candidate), expected), good, { lengthMismatchCompared: true });
	// Wrong user with the right password, and no header at all: refused, and still one comparison of equal lengths.
	const noHeader = comparisons(() => checkBasicAuth(undefined, expected));
	expect(noHeader.result).toBe(false);
	expect(noHeader.calls).toEqual(comparisons(() => checkBasicAuth(header(good), expected)).calls);
});

test('error dashboard form token (signed with the Form Secret)', () => {
	const secret = 'dashboard-form-secret-1f2e3d';
	const now = new Date();
	const token = dashboardToken(secret, now);
	const [issued, mac] = token.split('.');
	// The issue time is public; the MAC is what must be compared in constant time.
	expectConstantTime('dashboard', (candidate) => verifyDashboardToken(secret, `${issued}.${candidate}`, now), mac, { lengthMismatchCompared: false });
});
