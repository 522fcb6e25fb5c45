/** SOQL tokenizer/parser unit tests, and the engine's semantics against a small known data set. */
import { parseSoql, tokenize } from '../../../sandbox/salesforce/soql/parser';
import { SoqlError } from '../../../sandbox/salesforce/soql/errors';
import { compileQuery, execute } from '../../../sandbox/salesforce/soql/engine';
import { Database } from '../../../sandbox/salesforce/store';
import { IdFactory } from '../../../sandbox/salesforce/ids';
import { OBJECT_DEFS, ObjectMeta } from '../../../sandbox/salesforce/schema';
import { blankRecord } from '../../../sandbox/salesforce/write';
import type { Condition } from '../../../sandbox/salesforce/soql/ast';

function soqlError(q: string): SoqlError {
	try {
		parseSoql(q);
	} catch (err) {
		if (err instanceof SoqlError) return err;
		throw err;
	}
	throw new Error(`expected ${q} to fail`);
}

describe('SOQL tokenizer', () => {
	it('reads string literals with every documented backslash escape', () => {
		const [t] = tokenize(String.raw`'O\'Brien \\ \"q\" \n\t \_ \%'`);
		expect(t.type).toBe('string');
		expect(t.value).toBe('O\'Brien \\ "q" \n\t _ %');
	});

	it('rejects an undocumented escape and an unterminated string', () => {
		expect(() => tokenize(String.raw`'a\x'`)).toThrow(/Illegal character sequence '\\x'/);
		expect(() => tokenize(`'abc`)).toThrow(SoqlError);
	});

	it('reads datetime, date, number and date-literal tokens', () => {
		const types = tokenize('2025-01-01T00:00:00Z 2025-01-01T10:00:00.123+02:00 2025-01-01 -12.5 LAST_N_DAYS:30 TODAY').map((t) => t.type);
		expect(types).toEqual(['datetime', 'datetime', 'date', 'number', 'dateLiteral', 'ident', 'eof']);
		const [, offset] = tokenize('2025-01-01T00:00:00Z 2025-01-01T10:00:00.123+02:00');
		expect(offset.num).toBe(Date.UTC(2025, 0, 1, 8, 0, 0, 123));
	});

	it('refuses a datetime without a zone, as the API does', () => {
		expect(() => tokenize('SELECT Id FROM Contact WHERE CreatedDate > 2016-07-31T04:17:54')).toThrow(/no viable alternative at character '<EOF>'/);
	});
});

describe('SOQL parser', () => {
	it('parses the full clause set', () => {
		const q = parseSoql(
			"SELECT Id, Name, Account.Name, Account.Owner.Name FROM Contact c WHERE (Email LIKE '%@example.com' OR Email = null) AND SystemModstamp >= 2025-01-01T00:00:00Z ORDER BY SystemModstamp ASC NULLS LAST, Id DESC LIMIT 500 OFFSET 10",
		);
		expect(q.select.map((s) => (s.kind === 'field' ? s.path.parts.join('.') : s.kind))).toEqual(['Id', 'Name', 'Account.Name', 'Account.Owner.Name']);
		expect(q.from.name).toBe('Contact');
		expect(q.alias).toBe('c');
		expect(q.where?.kind).toBe('and');
		expect(q.orderBy).toEqual([
			expect.objectContaining({ descending: false, nullsLast: true }),
			expect.objectContaining({ descending: true, nullsLast: false }),
		]);
		expect(q.limit).toBe(500);
		expect(q.offset).toBe(10);
	});

	it('is case-insensitive for keywords and accepts IN / NOT IN / <> / NOT', () => {
		const q = parseSoql("select id from contact where not (LastName in ('a','b') or Title not in ('x')) and Email <> 'z'");
		const w = q.where as Extract<Condition, { kind: 'and' }>;
		expect(w.kind).toBe('and');
		expect(w.items[0].kind).toBe('not');
		expect((w.items[1] as Extract<Condition, { kind: 'compare' }>).op).toBe('!=');
	});

	it('groups with parentheses and keeps AND/OR chains flat', () => {
		const q = parseSoql("SELECT Id FROM Contact WHERE A__c = 1 AND (B__c = 2 OR C__c = 3 OR D__c = 4) AND E__c = 5");
		const w = q.where as Extract<Condition, { kind: 'and' }>;
		expect(w.items.map((i) => i.kind)).toEqual(['compare', 'or', 'compare']);
		expect((w.items[1] as Extract<Condition, { kind: 'or' }>).items).toHaveLength(3);
	});

	it('rejects AND mixed with OR at one level (SOQL has no implicit precedence)', () => {
		const e = soqlError("SELECT Id, Email FROM Contact WHERE AccountId = '0014000000p6XlS' AND LastName LIKE 'test' OR Email LIKE 'test'");
		expect(e.errorCode).toBe('MALFORMED_QUERY');
		expect(e.detail).toBe("unexpected token: 'OR'");
		expect(e.apiMessage()).toMatch(/ERROR at Row:1:Column:\d+\nunexpected token: 'OR'$/);
	});

	it('allows NOT only at the start of a condition or a parenthesis', () => {
		expect(() => parseSoql('SELECT Id FROM Account WHERE Name != null AND (NOT AnnualRevenue > 0)')).not.toThrow();
		expect(soqlError('SELECT Id FROM Account WHERE Name != null AND NOT (AnnualRevenue > 0)').detail).toBe("unexpected token: 'NOT'");
	});

	it('reports syntax errors with row, column and caret like the API', () => {
		const e = soqlError('SELECT Id, FROM Contact');
		expect(e.detail).toBe("unexpected token: 'FROM'");
		expect(e.apiMessage()).toBe("\nSELECT Id, FROM Contact\n           ^\nERROR at Row:1:Column:12\nunexpected token: 'FROM'");
		expect(soqlError('SELECT Id FROM Contact WHERE').detail).toBe("unexpected token: '<EOF>'");
		const multi = soqlError('SELECT Id\nFROM Contact\nWHERE Name = = 1');
		expect(multi.apiMessage()).toContain('ERROR at Row:3:Column:14');
		expect(soqlError('SELECT Id FROM Contact LIMIT x').errorCode).toBe('MALFORMED_QUERY');
		expect(soqlError('SELECT Id FROM Contact ORDER Name').detail).toBe("unexpected token: 'Name'");
	});

	it('keeps an injected quote inside a literal as data', () => {
		// What a node must send for the value  x' OR Name != '  : both quotes escaped.
		const q = parseSoql(String.raw`SELECT Id FROM Contact WHERE Name = 'x\' OR Name != \''`);
		const w = q.where as Extract<Condition, { kind: 'compare' }>;
		expect(w.kind).toBe('compare');
		expect(w.value).toMatchObject({ kind: 'string', value: "x' OR Name != '" });
		// Unescaped, the same text is a syntax error, never a wider query.
		expect(() => parseSoql("SELECT Id FROM Contact WHERE Name = 'x' OR Name != ''")).not.toThrow();
		expect(soqlError("SELECT Id FROM Contact WHERE Name = 'x' OR Name != '' AND Id = null").detail).toBe("unexpected token: 'AND'");
	});
});

describe('SOQL engine', () => {
	const metas = OBJECT_DEFS.map((d) => new ObjectMeta(d));
	const db = new Database(metas, new IdFactory());
	const contacts = db.store('Contact')!;
	const accounts = db.store('Account')!;
	const t0 = Date.UTC(2025, 0, 1);
	const acme = blankRecord(accounts);
	Object.assign(acme, { Id: db.ids.next('001'), Name: 'Acme', SystemModstamp: t0, CreatedDate: t0, LastModifiedDate: t0 });
	accounts.insert(acme);
	const rows: Array<[string | null, string, string | null, number]> = [
		['Ada', 'Lovelace', 'ada@example.com', 0],
		['Alan', 'Turing', null, 1],
		['Grace', 'Hopper', 'GRACE@navy.mil', 2],
		[null, "O'Brien", 'ob@example.com', 3],
		['Linus', 'Torvalds', 'x@linux.org', 3],
	];
	for (const [first, last, email, sec] of rows) {
		const r = blankRecord(contacts);
		Object.assign(r, {
			Id: db.ids.next('003'),
			FirstName: first,
			LastName: last,
			Email: email,
			AccountId: last === 'Hopper' ? acme.Id : null,
			SystemModstamp: t0 + sec * 1000,
			CreatedDate: t0,
			LastModifiedDate: t0 + sec * 1000,
			IsDeleted: last === 'Torvalds',
		});
		contacts.insert(r);
	}
	const env = { db, now: t0 + 86_400_000, isFieldRemoved: () => false };
	const run = (q: string, all = false) => {
		const c = compileQuery(q, env);
		return execute(c, all).map((id) => contacts.get(id)!.LastName);
	};
	const fails = (q: string) => {
		try {
			compileQuery(q, env);
		} catch (err) {
			return err as SoqlError;
		}
		throw new Error('expected failure');
	};

	it('filters with case-insensitive equality, LIKE and IN', () => {
		expect(run("SELECT Id FROM Contact WHERE Email = 'grace@NAVY.mil'")).toEqual(['Hopper']);
		expect(run("SELECT Id FROM Contact WHERE Email LIKE '%@example.com'")).toEqual(['Lovelace', "O'Brien"]);
		expect(run("SELECT Id FROM Contact WHERE LastName IN ('turing', 'hopper')")).toEqual(['Turing', 'Hopper']);
		expect(run(String.raw`SELECT Id FROM Contact WHERE LastName = 'O\'Brien'`)).toEqual(["O'Brien"]);
	});

	it('treats null like SOQL: != and NOT IN keep nulls, < and > drop them', () => {
		expect(run("SELECT Id FROM Contact WHERE FirstName != 'Ada'")).toEqual(['Turing', 'Hopper', "O'Brien"]);
		expect(run('SELECT Id FROM Contact WHERE Email = null')).toEqual(['Turing']);
		expect(run("SELECT Id FROM Contact WHERE Email = ''")).toEqual(['Turing']);
		expect(run("SELECT Id FROM Contact WHERE FirstName > 'A'")).toEqual(['Lovelace', 'Turing', 'Hopper']);
	});

	it('evaluates NOT, AND and OR with parentheses', () => {
		expect(run("SELECT Id FROM Contact WHERE NOT (LastName = 'Turing' OR LastName = 'Hopper')")).toEqual(['Lovelace', "O'Brien"]);
		expect(run("SELECT Id FROM Contact WHERE (FirstName = 'Ada' OR FirstName = 'Alan') AND Email != null")).toEqual(['Lovelace']);
		expect(run("SELECT Id FROM Contact WHERE FirstName = 'Ada' OR (FirstName = 'Alan' AND Email = null)")).toEqual(['Lovelace', 'Turing']);
	});

	it('an escaped injection attempt matches nothing extra', () => {
		expect(run(String.raw`SELECT Id FROM Contact WHERE LastName = 'x\' OR LastName != \''`)).toEqual([]);
	});

	it('compares datetimes and date literals; excludes deleted rows unless queryAll', () => {
		expect(run('SELECT Id FROM Contact WHERE SystemModstamp > 2025-01-01T00:00:01Z')).toEqual(['Hopper', "O'Brien"]);
		expect(run('SELECT Id FROM Contact WHERE SystemModstamp >= 2025-01-01T01:00:02+01:00')).toEqual(['Hopper', "O'Brien"]);
		expect(run('SELECT Id FROM Contact WHERE SystemModstamp > 2025-01-01T00:00:01Z', true)).toEqual(['Hopper', "O'Brien", 'Torvalds']);
		expect(run('SELECT Id FROM Contact WHERE CreatedDate = YESTERDAY')).toHaveLength(4);
		expect(run('SELECT Id FROM Contact WHERE CreatedDate = LAST_N_DAYS:3')).toHaveLength(4);
		expect(run('SELECT Id FROM Contact WHERE CreatedDate = TODAY')).toHaveLength(0);
	});

	it('orders by several keys with ASC/DESC and NULLS FIRST (default) / LAST', () => {
		expect(run('SELECT Id FROM Contact ORDER BY FirstName')).toEqual(["O'Brien", 'Lovelace', 'Turing', 'Hopper']);
		expect(run('SELECT Id FROM Contact ORDER BY FirstName DESC NULLS LAST')).toEqual(['Hopper', 'Turing', 'Lovelace', "O'Brien"]);
		expect(run('SELECT Id FROM Contact ORDER BY SystemModstamp DESC, Id')).toEqual(["O'Brien", 'Hopper', 'Turing', 'Lovelace']);
		expect(run('SELECT Id FROM Contact ORDER BY Id LIMIT 2 OFFSET 1')).toEqual(['Turing', 'Hopper']);
	});

	it('filters and sorts through relationship fields', () => {
		expect(run("SELECT Id FROM Contact WHERE Account.Name = 'acme'")).toEqual(['Hopper']);
		expect(run("SELECT Id FROM Contact WHERE c.LastName = 'Turing'".replace('Contact', 'Contact c'))).toEqual(['Turing']);
	});

	it('type-checks literals against fields with the API wording', () => {
		const quoted = fails("SELECT Id FROM Contact WHERE SystemModstamp > '2025-01-01T00:00:00Z'");
		expect(quoted.errorCode).toBe('INVALID_FIELD');
		expect(quoted.detail).toBe("value of filter criterion for field 'SystemModstamp' must be of type dateTime and should not be enclosed in quotes");
		expect(fails('SELECT Id FROM Contact WHERE LastName = 5').detail).toMatch(/must be of type string/);
		expect(fails("SELECT Id FROM Contact WHERE Id = 'abc'").detail).toBe('invalid ID field: abc');
		expect(fails("SELECT Id FROM Contact WHERE HasOptedOutOfEmail = 'true'").detail).toMatch(/must be of type boolean/);
	});

	it('reports unknown objects, fields and relationships', () => {
		const t = fails('SELECT Id FROM Contac');
		expect(t.errorCode).toBe('INVALID_TYPE');
		expect(t.apiMessage()).toBe(
			"\nSELECT Id FROM Contac\n               ^\nERROR at Row:1:Column:16\nsObject type 'Contac' is not supported. If you are attempting to use a custom object, be sure to append the '__c' after the entity name. Please reference your WSDL or the describe call for the appropriate names.",
		);
		const f = fails('SELECT Id, Nope__c FROM Contact');
		expect(f.errorCode).toBe('INVALID_FIELD');
		expect(f.detail).toMatch(/^No such column 'Nope__c' on entity 'Contact'\./);
		expect(fails('SELECT Acount.Name FROM Contact').detail).toMatch(/^Didn't understand relationship 'Acount' in field path/);
		expect(fails('SELECT Id, Id FROM Contact').detail).toBe('duplicate field selected: Id');
		expect(fails('SELECT FIELDS(ALL) FROM Contact').detail).toBe('The SOQL FIELDS function must have a LIMIT of at most 200');
		expect(fails('SELECT Id FROM Contact OFFSET 2001').errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
	});
});
