import {
	applyTransform,
	compileChain,
	compileTransform,
	TRANSFORM_NAMES,
	TransformConfigError,
	TRANSFORMS,
	type TransformSpec,
} from '../../transforms';

function configError(spec: unknown): TransformConfigError {
	try {
		compileTransform(spec as TransformSpec);
	} catch (err) {
		expect(err).toBeInstanceOf(TransformConfigError);
		return err as TransformConfigError;
	}
	throw new Error('expected a TransformConfigError');
}

describe('configuration errors', () => {
	it('unknown transform name lists the allowed ones', () => {
		const e = configError({ name: 'phone_e165' });
		expect(e.transform).toBe('phone_e165');
		expect(e.message).toContain('Unknown transform "phone_e165"');
		expect(e.message).toContain('phone_e164');
		expect(configError({ name: '__proto__' }).message).toContain('Unknown transform');
		expect(configError({ name: 42 }).message).toContain('Unknown transform 42');
		expect(configError(null).message).toContain('must be an object');
	});

	it('missing required option', () => {
		const e = configError({ name: 'truncate' });
		expect(e.transform).toBe('truncate');
		expect(e.option).toBe('maxLength');
		expect(e.message).toBe('Transform "truncate": option "maxLength" is required. Allowed: a positive integer.');
		expect(configError({ name: 'value_map', options: {} }).option).toBe('map');
	});

	it('bad option type', () => {
		const e = configError({ name: 'truncate', options: { maxLength: '40' } });
		expect(e.option).toBe('maxLength');
		expect(e.message).toContain('Transform "truncate": option "maxLength" is invalid: expected number, received string');
		expect(configError({ name: 'truncate', options: { maxLength: 0 } }).option).toBe('maxLength');
		expect(configError({ name: 'truncate', options: { maxLength: 2.5 } }).option).toBe('maxLength');
		expect(configError({ name: 'trim', options: { collapseWhitespace: 'yes' } }).message).toContain('Allowed: true or false');
		expect(configError({ name: 'trim', options: 'nope' }).message).toContain('options must be an object');
	});

	it('bad option values name what is allowed', () => {
		const phone = configError({ name: 'phone_e164', options: { defaultCountry: 'XX' } });
		expect(phone.option).toBe('defaultCountry');
		expect(phone.message).toContain('ISO 3166-1 alpha-2');
		const zone = configError({ name: 'date_iso', options: { zone: 'Mars/Olympus_Mons' } });
		expect(zone.option).toBe('zone');
		expect(zone.message).toContain('not a known IANA time zone');
		expect(configError({ name: 'date_iso', options: { zone: 'local' } }).option).toBe('zone');
		const output = configError({ name: 'date_iso', options: { output: 'unix' } });
		expect(output.option).toBe('output');
		expect(output.message).toContain('Allowed: one of datetime, date, datetime_local');
		const ellipsis = configError({ name: 'truncate', options: { maxLength: 2, ellipsis: '...' } });
		expect(ellipsis.option).toBe('ellipsis');
	});

	it('unknown options are refused (typos do not pass silently)', () => {
		const e = configError({ name: 'phone_e164', options: { defaultcountry: 'CA' } });
		expect(e.option).toBe('defaultcountry');
		expect(e.message).toBe('Transform "phone_e164": unknown option "defaultcountry". Allowed options: defaultCountry, extension');
		expect(configError({ name: 'lowercase', options: { locale: 'tr' } }).message).toContain('It takes no options');
	});

	it('conflicting value_map keys', () => {
		const e = configError({ name: 'value_map', options: { map: { Lead: 'lead', LEAD: 'other' } } });
		expect(e.option).toBe('map');
		expect(e.message).toContain('"Lead" and "LEAD"');
		// Same target is harmless; different keys when case matters are fine.
		expect(() => compileTransform({ name: 'value_map', options: { map: { Lead: 'lead', LEAD: 'lead' } } })).not.toThrow();
		expect(() => compileTransform({ name: 'value_map', options: { map: { Lead: 'a', LEAD: 'b' }, caseInsensitive: false } })).not.toThrow();
	});

	it('compileChain names the step at fault', () => {
		expect(() => compileChain([{ name: 'trim' }, { name: 'truncate' }])).toThrow(/Step 2 of the chain: Transform "truncate"/);
	});

	it('applyTransform throws config errors too (they are mapping mistakes, not record errors)', () => {
		expect(() => applyTransform({ name: 'truncate' }, 'x', 'f')).toThrow(TransformConfigError);
	});
});

describe('compileChain', () => {
	it('applies steps in order', () => {
		const chain = compileChain([{ name: 'trim' }, { name: 'lowercase' }, { name: 'email_validate' }]);
		expect(chain('  John@Example.COM ', { field: 'email' })).toEqual({ ok: true, value: 'john@example.com' });
	});

	it('stops at the first failing step', () => {
		const chain = compileChain([{ name: 'trim' }, { name: 'phone_e164' }, { name: 'truncate', options: { maxLength: 3 } }]);
		const r = chain('  call me ', { field: 'phone' });
		expect(r.ok).toBe(false);
		if (!r.ok) {
			expect(r.error.code).toBe('INVALID_FORMAT');
			expect(r.error.value).toBe('call me');
			expect(r.error.message).toBe('Field "phone": "call me" is not a valid phone number for default country US');
		}
	});

	it('an empty chain is the identity', () => {
		expect(compileChain([])({ a: 1 }, { field: 'f' })).toEqual({ ok: true, value: { a: 1 } });
	});

	it('default then a parser: empty string instead of null', () => {
		const chain = compileChain([{ name: 'default', options: { value: '' } }, { name: 'phone_e164' }]);
		expect(chain(null, { field: 'phone' })).toEqual({ ok: true, value: '' });
	});
});

describe('TRANSFORMS metadata', () => {
	it('describes every transform with option fields whose defaults come from the schema', () => {
		expect(Object.keys(TRANSFORMS).sort()).toEqual([...TRANSFORM_NAMES].sort());
		for (const name of TRANSFORM_NAMES) {
			const info = TRANSFORMS[name];
			expect(info.name).toBe(name);
			expect(info.displayName).not.toBe('');
			expect(info.description).not.toBe('');
			for (const f of info.optionFields) {
				expect(['string', 'number', 'boolean', 'options', 'json']).toContain(f.type);
				expect(f.description).not.toBe('');
				expect(f.allowed).not.toBe('');
				if (f.type === 'options') expect(f.options?.map((o) => o.value)).toContain(f.default);
			}
			// The schema accepts exactly the declared fields.
			const schema = info.options as unknown as { shape?: object; _def: { schema?: { shape: object } } };
			const shape = Object.keys(schema.shape ?? schema._def.schema?.shape ?? {});
			expect(shape.sort()).toEqual(info.optionFields.map((f) => f.name).sort());
		}
	});

	it('exposes defaults and required flags', () => {
		const phone = TRANSFORMS.phone_e164.optionFields.find((f) => f.name === 'defaultCountry');
		expect(phone).toMatchObject({ default: 'US', required: false, type: 'string' });
		expect(TRANSFORMS.truncate.optionFields.find((f) => f.name === 'maxLength')).toMatchObject({ required: true, default: undefined });
		expect(TRANSFORMS.trim.optionFields[0]).toMatchObject({ name: 'collapseWhitespace', default: true, type: 'boolean' });
		expect(TRANSFORMS.default.optionFields[0]).toMatchObject({ name: 'value', default: '', type: 'json' });
		expect(TRANSFORMS.date_iso.optionFields.map((f) => [f.name, f.default])).toEqual([
			['inputFormat', 'auto'],
			['zone', 'UTC'],
			['output', 'datetime'],
		]);
		expect(TRANSFORMS.value_map.optionFields.find((f) => f.name === 'fallback')).toMatchObject({ required: false, default: undefined });
	});

	it('the defaults compile', () => {
		for (const name of TRANSFORM_NAMES) {
			const options = Object.fromEntries(
				TRANSFORMS[name].optionFields.filter((f) => f.default !== undefined).map((f) => [f.name, f.default]),
			);
			if (name === 'truncate') options.maxLength = 10;
			if (name === 'value_map') options.map = {};
			expect(() => compileTransform({ name, options })).not.toThrow();
		}
	});
});
