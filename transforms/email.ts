import { z } from 'zod';
import { defineTransform } from './definition';
import { fail, isBlank, notText, ok, textOf } from './util';

// RFC 5321 dot-atom local part and a host name with a top-level domain; letters may be non-ASCII
// (internationalised addresses, RFC 6531). Quoted local parts and IP literals are refused: no CRM accepts them.
// Marks (\p{M}) are allowed after a letter because lower-casing "İ" yields "i" plus a combining dot.
const ATOM = "[\\p{L}\\p{M}\\p{N}!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[\\p{L}\\p{N}](?:[\\p{L}\\p{M}\\p{N}-]{0,61}[\\p{L}\\p{M}\\p{N}])?';
const EMAIL = new RegExp(`^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+(?:\\p{L}[\\p{L}\\p{M}]{1,62}|xn--[a-z0-9-]{1,59})$`, 'u');
const MAX_LENGTH = 254;
const MAX_LOCAL = 64;

export const emailValidate = defineTransform({
	name: 'email_validate',
	displayName: 'Email Validate',
	description: 'Trims and lower-cases an email address and checks its form; an invalid address is an "Invalid Email" error.',
	options: z.object({ lowercase: z.boolean().default(true) }).strict(),
	optionFields: [
		{
			name: 'lowercase',
			displayName: 'Lowercase',
			type: 'boolean',
			description: 'Whether to lower-case the part before the @ too (the domain is always lower-cased: it is case-insensitive)',
		},
	],
	compile: ({ lowercase }) =>
		(value, field) => {
			if (value === null || value === undefined) return ok(value);
			const text = textOf(value);
			if (text === undefined) return notText(field, value);
			if (isBlank(text)) return ok('');
			const trimmed = text.trim();
			if (trimmed.length > MAX_LENGTH) return fail('INVALID_EMAIL', field, value, 'is not a valid email address (too long)');
			const at = trimmed.lastIndexOf('@');
			// The normalised form is what gets checked, so the transform gives the same verdict on its own output.
			const email = lowercase ? trimmed.toLowerCase() : trimmed.slice(0, at + 1) + trimmed.slice(at + 1).toLowerCase();
			const localLength = email.lastIndexOf('@');
			if (email.length > MAX_LENGTH || localLength < 1 || localLength > MAX_LOCAL || !EMAIL.test(email)) {
				return fail('INVALID_EMAIL', field, value, 'is not a valid email address');
			}
			return ok(email);
		},
});
