/**
 * Generators of hostile input for the reliability suite: values an attacker, a broken vendor or a careless
 * import can put in a record (query-language fragments, markup, n8n expressions, prototype keys, control
 * characters, huge and odd strings, wrong types), and records built from them.
 */
import fc from 'fast-check';
import { ERROR_CODES, isErrorCode, type ClassifiedError } from '../../errors/taxonomy';

/** Injection payloads per query language the connectors speak, plus markup and template syntax. */
export const INJECTIONS = {
	soql: ["x' OR Name != '", "' OR '1'='1", "\\' OR Id != null OR Email = \\'", "a%' OR Email LIKE '%", "'; DELETE FROM Contact; --", "x') OR (Email != null"],
	graphql: ['"}) { id } clients { nodes { id } } #', '") { nodes { id emails { address } } } q: clients(searchTerm: "', '... on Client { id }', '\\" } __typename', '$searchTerm', 'query { __schema { types { name } } }'],
	hubspot: ['NEQ', 'x" , "operator": "HAS_PROPERTY', '*', '%', 'a@b.c OR email HAS_PROPERTY', '{"propertyName":"email","operator":"NEQ","value":""}'],
	markup: ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "javascript:alert('x')", '{{ $json.password }}', '={{ $env.N8N_ENCRYPTION_KEY }}', '${process.env.HOME}'],
	odd: ['__proto__', 'constructor', 'prototype', '\u0000\u0007\u001b[31m', '\ud800lonely', '\u200b\u200d\ufeff', 'שלום', '👩‍🔧🚐', ' ', '', 'null', 'undefined', 'NaN', '-0', '1e309'],
} as const;

export const hostileString: fc.Arbitrary<string> = fc.oneof(
	{ weight: 4, arbitrary: fc.constantFrom(...Object.values(INJECTIONS).flat()) },
	{ weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
	{ weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 60 }) },
	{ weight: 1, arbitrary: fc.emailAddress() },
	{ weight: 1, arbitrary: fc.constantFrom('(555) ABC-1234', '+1 217-555-0143', '217.555.0143 x12', '2024-02-30', '13/45/2020', 'not-an-email@', 'a@b', 'USA', 'Deutschland') },
	{ weight: 1, arbitrary: fc.nat({ max: 20_000 }).map((n) => 'x'.repeat(n)) },
);

/** Anything JSON can carry, hostile strings included, nested a little. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
	value: fc.oneof(
		{ depthSize: 'small', withCrossShrink: true },
		{ weight: 6, arbitrary: hostileString },
		{ weight: 1, arbitrary: fc.constantFrom(null, true, false, 0, -1, 1.5, Number.MAX_SAFE_INTEGER, 1e308) },
		{ weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 3 }) },
		// Objects as JSON.parse makes them (plain prototype), keys that shadow Object.prototype included.
		{ weight: 1, arbitrary: fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'toString', 'valueOf', 'address')), tie('value'), { maxKeys: 3, noNullPrototype: true }) },
	),
})).value;

/** A record whose keys are mostly the mapping's own fields (so the values reach the transforms) plus strangers. */
export function hostileFields(knownKeys: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
	return fc
		.tuple(
			fc.dictionary(fc.constantFrom(...knownKeys), hostileValue, { maxKeys: knownKeys.length, noNullPrototype: true }),
			fc.dictionary(fc.oneof(hostileString, fc.constantFrom('__proto__', 'constructor', 'prototype', 'hasOwnProperty', 'toString')), hostileValue, { maxKeys: 3, noNullPrototype: true }),
			fc.boolean(),
		)
		.map(([known, extra, protoKey]) => {
			const out = { ...extra, ...known } as Record<string, unknown>;
			// JSON.parse is how records arrive (webhooks, vendor answers): there `__proto__` is an own key.
			if (protoKey) {
				const parsed = JSON.parse('{"__proto__": {"polluted": true}, "constructor": {"prototype": {"polluted": true}}}') as Record<string, unknown>;
				for (const [k, v] of Object.entries(parsed)) Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
			}
			return out;
		});
}

/** Vendor-looking timestamps and the garbage a broken export contains instead. */
export const hostileTimestamp: fc.Arbitrary<unknown> = fc.oneof(
	{ weight: 4, arbitrary: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2035-01-01T00:00:00Z'), noInvalidDate: true }).map((d) => d.toISOString()) },
	{ weight: 1, arbitrary: fc.constantFrom(null, undefined, '', 'yesterday', '2024-13-45T99:99:99Z', 0, -1, '1970-01-01T00:00:00.000Z', '2013-05-20T20:49:32.000+0000') },
	{ weight: 1, arbitrary: hostileString },
);

/** Record ids, mostly sane, sometimes absent, empty, numeric or hostile. */
export const hostileId: fc.Arbitrary<unknown> = fc.oneof(
	{ weight: 6, arbitrary: fc.nat({ max: 40 }).map((n) => `r${n}`) },
	{ weight: 1, arbitrary: fc.constantFrom(null, undefined, '', 0, 7, '0') },
	{ weight: 1, arbitrary: hostileString },
);

/** A ClassifiedError as the taxonomy defines it: known code, its category, label and retryability, a message. */
export function expectClassified(e: ClassifiedError): void {
	expect(isErrorCode(e.code)).toBe(true);
	const info = ERROR_CODES[e.code];
	expect({ code: e.code, category: e.category, error: e.error, retryable: e.retryable }).toEqual({ code: e.code, category: info.category, error: info.label, retryable: info.retryable });
	expect(typeof e.message).toBe('string');
	expect(e.message.length).toBeGreaterThan(0);
	expect(Number.isNaN(Date.parse(e.timestamp))).toBe(false);
}

/** True when nothing reached Object.prototype (a `__proto__` key written through as a property). */
export function prototypeIsClean(): boolean {
	const probe = {} as Record<string, unknown>;
	return probe.polluted === undefined && Object.keys(Object.prototype).length === 0;
}

/** A value as it reaches a node: through JSON, like every n8n item, webhook body and vendor answer. */
export function asJson<T>(value: T): T {
	return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
