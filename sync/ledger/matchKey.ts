import { compileTransform } from '../../transforms';
import type { CompiledTransform } from '../../transforms/types';
import { getAt, parsePath, type PathSegment } from '../mapping';
import type { MatchKeyConfig, MatchNormalisation } from './types';

/**
 * The match key pairs records that were never synced (a migration, or a create whose commit was lost): the
 * same person has the same e-mail or phone on both sides once both are normalised the same way.
 */
export interface CompiledMatchKey {
	config: MatchKeyConfig;
	source: PathSegment[];
	target: PathSegment[];
	normalise(value: unknown): string | null;
}

const phoneCache = new Map<string, CompiledTransform>();

function phone(defaultCountry: string): CompiledTransform {
	let t = phoneCache.get(defaultCountry);
	if (!t) phoneCache.set(defaultCountry, (t = compileTransform({ name: 'phone_e164', options: { defaultCountry } })));
	return t;
}

export function normaliseKey(value: unknown, mode: MatchNormalisation, defaultCountry = 'US'): string | null {
	if (value === null || value === undefined) return null;
	if (Array.isArray(value)) return value.length === 1 ? normaliseKey(value[0], mode, defaultCountry) : null;
	if (typeof value === 'object') return null;
	const text = String(value).trim();
	if (text === '') return null;
	switch (mode) {
		case 'email':
			return text.toLowerCase();
		case 'phone': {
			// A number that is not a real number is no key: it cannot identify anybody.
			const res = phone(defaultCountry)(text, { field: 'match key' });
			return res.ok && typeof res.value === 'string' && res.value !== '' ? res.value : null;
		}
		default:
			return text;
	}
}

export function compileMatchKey(config: MatchKeyConfig | null | undefined): CompiledMatchKey | null {
	if (!config || !config.source || !config.target) return null;
	const country = config.defaultCountry || 'US';
	if (config.normalise === 'phone') phone(country);
	return {
		config,
		source: parsePath(config.source),
		target: parsePath(config.target),
		normalise: (value) => normaliseKey(value, config.normalise, country),
	};
}

export function keyOf(key: CompiledMatchKey, side: 'source' | 'target', fields: Record<string, unknown>): string | null {
	return key.normalise(getAt(fields, side === 'source' ? key.source : key.target));
}
