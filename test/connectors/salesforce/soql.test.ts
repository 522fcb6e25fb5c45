/** SOQL safety: values only become escaped literals, identifiers are validated, and Salesforce agrees. */
import { buildSelect, soqlCondition, soqlDateTime, soqlIdent, soqlLiteral, soqlString, SoqlInputError } from '../../../connectors/salesforce';
import { parseSoql } from '../../../sandbox/salesforce';
import { startSalesforce, type SfEnv } from './helpers';

describe('SOQL literals and identifiers', () => {
	it('escapes backslashes first, then quotes and control characters', () => {
		expect(soqlString("O'Brien")).toBe("'O\\'Brien'");
		expect(soqlString('back\\slash')).toBe("'back\\\\slash'");
		expect(soqlString("x\\' OR Name != '")).toBe("'x\\\\\\' OR Name != \\''");
		expect(soqlString('a"b\nc\rd\te\ff')).toBe("'a\\\"b\\nc\\rd\\te\\ff'");
	});

	it("an injection attempt stays one string literal for Salesforce's own parser", () => {
		const hostile = ["x' OR Name != '", "\\' OR Id != null OR Name = '\\", "a\\\\' OR '1'='1", "'; DELETE FROM Contact; --", "%' OR LastName LIKE '%"];
		for (const value of hostile) {
			const q = buildSelect({ object: 'Contact', fields: ['Id'], where: [soqlCondition({ field: 'LastName', op: '=', value })] });
			const ast = parseSoql(q) as any;
			// One comparison of LastName with a string literal whose value is exactly the input.
			expect(ast.where).toMatchObject({ kind: 'compare', op: '=', field: { parts: ['LastName'] }, value: { kind: 'string', value } });
		}
	});

	it('types literals from the describe type; refuses what cannot be that type', () => {
		expect(soqlLiteral(12.5, 'currency')).toBe('12.5');
		expect(soqlLiteral('7', 'int')).toBe('7');
		expect(soqlLiteral('true', 'boolean')).toBe('true');
		expect(soqlLiteral('2024-02-29', 'date')).toBe('2024-02-29');
		expect(soqlLiteral('2024-01-02T03:04:05.678+0000', 'datetime')).toBe('2024-01-02T03:04:05Z');
		expect(soqlLiteral(null, 'string')).toBe('null');
		expect(() => soqlLiteral('1 OR 1=1', 'int')).toThrow(SoqlInputError);
		expect(() => soqlLiteral('2024-01-01) OR (1=1', 'date')).toThrow(SoqlInputError);
		expect(() => soqlLiteral('yes', 'boolean')).toThrow(SoqlInputError);
		expect(soqlDateTime(Date.UTC(2025, 0, 1, 0, 0, 0, 999))).toBe('2025-01-01T00:00:00Z');
	});

	it('validates identifiers instead of escaping them', () => {
		expect(soqlIdent('Service_Job__c')).toBe('Service_Job__c');
		expect(soqlIdent('ns__Thing__c')).toBe('ns__Thing__c');
		for (const bad of ['Contact WHERE', 'Id,Name', "Name'", '', '1abc', 'a.b', 'x)']) expect(() => soqlIdent(bad)).toThrow(SoqlInputError);
		expect(() => buildSelect({ object: 'Contact', fields: ['Id', 'Name FROM User'] })).toThrow(SoqlInputError);
		expect(buildSelect({ object: 'Contact', fields: ['Id', 'Account.Name'], orderBy: [{ field: 'SystemModstamp' }, { field: 'Id' }], limit: 5 })).toBe(
			'SELECT Id, Account.Name FROM Contact ORDER BY SystemModstamp ASC, Id ASC LIMIT 5',
		);
	});

	it('CONTAINS escapes LIKE wildcards so they match literally', () => {
		expect(soqlCondition({ field: 'Name', op: 'CONTAINS', value: "50%_off'" })).toBe("Name LIKE '%50\\%\\_off\\'%'");
		expect(soqlCondition({ field: 'Name', op: 'STARTS_WITH', value: 'Ab' })).toBe("Name LIKE 'Ab%'");
	});
});

describe('escaping against the sandbox: hostile values match only literally', () => {
	let sf: SfEnv;
	beforeAll(async () => {
		sf = await startSalesforce();
	});
	afterAll(() => sf.close());

	it('find() with quotes and backslashes matches exactly the record holding that value, nothing else', async () => {
		const c = sf.connector();
		const values = ["x' OR Name != '", 'back\\slash', "trailing\\", "O'Brien", 'plain', "\\' OR LastName != '"];
		const ids: string[] = [];
		for (const v of values) {
			const r = await c.create('Contact', { LastName: v.slice(0, 80), Ext_Id__c: `esc-${ids.length}` });
			expect(r.ok).toBe(true);
			ids.push(r.ok ? r.record.id : '');
		}
		for (let i = 0; i < values.length; i++) {
			const found = await c.find('Contact', 'LastName', values[i]);
			expect(found.map((f) => f.id)).toEqual([ids[i]]);
			expect(found[0].fields.LastName).toBe(values[i]);
		}
		expect(await c.find('Contact', 'LastName', "nobody' OR LastName != '")).toEqual([]);
		// LIKE wildcards in a CONTAINS value are literal characters.
		await c.create('Contact', { LastName: '100% sure' });
		await c.create('Contact', { LastName: '1000 sure' });
		const contains = [];
		for await (const page of c.getMany('Contact', { conditions: [{ field: 'LastName', op: 'CONTAINS', value: '0% s' }] })) contains.push(...page);
		expect(contains.map((r) => r.fields.LastName)).toEqual(['100% sure']);
	});
});
