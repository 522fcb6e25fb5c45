/**
 * The property registry per object (built-ins plus custom properties created through the properties API) and
 * the write validation it drives: PROPERTY_DOESNT_EXIST, READ_ONLY_VALUE, INVALID_OPTION, INVALID_EMAIL,
 * INVALID_LONG, INVALID_DATE. Values are normalised to HubSpot's wire form (every value a string).
 */
import type { Faults } from '../core/faults';
import type { PropertyProblem } from './errors';
import { builtinGroups, builtinProperties, instant, OBJECT_KEYS, type ObjectKey, type OptionDef, type PipelineDef, type PropertyDef, type PropertyGroupDef } from './schema';

export const MAX_STRING_LENGTH = 65_536;

export class PropertyRegistry {
	readonly props = new Map<ObjectKey, Map<string, PropertyDef>>();
	readonly groups = new Map<ObjectKey, Map<string, PropertyGroupDef>>();

	constructor(private readonly faults: Faults) {
		this.reset();
	}

	reset(): void {
		for (const key of OBJECT_KEYS) {
			this.props.set(key, new Map(builtinProperties(key).map((p) => [p.name, p])));
			this.groups.set(key, new Map(builtinGroups(key).map((g) => [g.name, g])));
		}
	}

	/** A live property, unless archived or removed from the schema by an injected fault. */
	get(key: ObjectKey, name: string): PropertyDef | undefined {
		const p = this.props.get(key)!.get(name);
		if (!p || p.archived || this.faults.isFieldRemoved(key, name)) return undefined;
		return p;
	}

	/** Any property, archived included (for the properties API with archived=true). */
	getAny(key: ObjectKey, name: string): PropertyDef | undefined {
		const p = this.props.get(key)!.get(name);
		if (!p || this.faults.isFieldRemoved(key, name)) return undefined;
		return p;
	}

	list(key: ObjectKey, archived: boolean): PropertyDef[] {
		return [...this.props.get(key)!.values()].filter((p) => p.archived === archived && !this.faults.isFieldRemoved(key, p.name));
	}

	uniqueProps(key: ObjectKey): PropertyDef[] {
		return [...this.props.get(key)!.values()].filter((p) => p.hasUniqueValue && !p.archived);
	}
}

/** What validation needs from the rest of the server. */
export interface ValidationContext {
	ownerIds: Set<string>;
	pipelines: PipelineDef[];
	/** The deal's pipeline after this write (for dealstage checks). */
	dealPipelineId?: string;
}

export interface ValidatedWrite {
	/** Normalised values; null clears the property. */
	values: Map<string, string | null>;
	problems: PropertyProblem[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@.]{2,}$/;
const NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

/** Parses a datetime the way HubSpot accepts it: epoch milliseconds or ISO 8601. */
export function parseDateTime(value: string): number | undefined {
	const s = value.trim();
	if (/^-?\d+$/.test(s)) return Number(s);
	if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return undefined;
	const t = Date.parse(s);
	return Number.isNaN(t) ? undefined : t;
}

function optionsOf(def: PropertyDef, ctx: ValidationContext): OptionDef[] {
	if (def.dynamicOptions === 'owners') return [...ctx.ownerIds].map((id, i) => ({ label: id, value: id, displayOrder: i, hidden: false }));
	if (def.dynamicOptions === 'pipelines') return ctx.pipelines.map((p, i) => ({ label: p.label, value: p.id, displayOrder: i, hidden: false }));
	if (def.dynamicOptions === 'stages') {
		const pipeline = ctx.pipelines.find((p) => p.id === (ctx.dealPipelineId ?? 'default')) ?? ctx.pipelines[0];
		return (pipeline?.stages ?? []).map((s) => ({ label: s.label, value: s.id, displayOrder: s.displayOrder, hidden: false }));
	}
	return def.options;
}

function invalidOption(name: string, value: string, options: OptionDef[]): PropertyProblem {
	return { name, error: 'INVALID_OPTION', message: `${value} was not one of the allowed options: [${options.map((o) => o.value).join(', ')}]` };
}

/** Normalises one value to its stored string, or returns the problem. */
function normalise(def: PropertyDef, raw: string, ctx: ValidationContext): string | PropertyProblem {
	const name = def.name;
	if (raw.length > MAX_STRING_LENGTH) {
		return { name, error: 'INVALID_STRING_LENGTH', message: `Property value for ${name} is ${raw.length} characters long; the maximum is ${MAX_STRING_LENGTH}` };
	}
	if (name === 'email') {
		// HubSpot stores contact emails trimmed and lower-cased; uniqueness is case-insensitive.
		const email = raw.trim().toLowerCase();
		if (!EMAIL.test(email)) return { name, error: 'INVALID_EMAIL', message: `Email address ${raw} is invalid` };
		return email;
	}
	switch (def.type) {
		case 'number': {
			const s = raw.trim();
			if (!NUMBER.test(s)) return { name, error: 'INVALID_LONG', message: `${raw} was not a valid long.` };
			return String(Number(s));
		}
		case 'datetime': {
			const t = parseDateTime(raw);
			if (t === undefined) return { name, error: 'INVALID_DATE', message: `${raw} was not a valid date.` };
			return instant(t);
		}
		case 'date': {
			const t = /^\d{4}-\d{2}-\d{2}$/.test(raw.trim()) ? Date.parse(`${raw.trim()}T00:00:00Z`) : parseDateTime(raw);
			if (t === undefined || Number.isNaN(t)) return { name, error: 'INVALID_DATE', message: `${raw} was not a valid date.` };
			const d = new Date(t);
			if (t % 86_400_000 !== 0) {
				return { name, error: 'INVALID_DATE', message: `${raw} is at ${d.getUTCHours()}:${d.getUTCMinutes()}:${d.getUTCSeconds()}.${d.getUTCMilliseconds()} UTC, not midnight!` };
			}
			return d.toISOString().slice(0, 10);
		}
		case 'bool': {
			const s = raw.trim().toLowerCase();
			if (s !== 'true' && s !== 'false') return invalidOption(name, raw, def.options);
			return s;
		}
		case 'enumeration': {
			const options = optionsOf(def, ctx);
			// Multi-select values are ';'-joined; each part must be an option's internal value (not its label).
			const parts = def.fieldType === 'checkbox' ? raw.split(';') : [raw];
			for (const part of parts) {
				if (!options.some((o) => o.value === part)) return invalidOption(name, part, options);
			}
			return raw;
		}
		default:
			return raw;
	}
}

/**
 * Validates a `properties` object of a write. Values may be strings, numbers or booleans (stored as text);
 * `""` and null clear. Problems are collected, not thrown, so a batch can report all of them.
 */
export function validateProperties(
	registry: PropertyRegistry,
	key: ObjectKey,
	input: Record<string, unknown>,
	ctx: ValidationContext,
): ValidatedWrite {
	const values = new Map<string, string | null>();
	const problems: PropertyProblem[] = [];
	for (const [name, rawValue] of Object.entries(input)) {
		const def = registry.get(key, name);
		if (!def) {
			problems.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
			continue;
		}
		if (def.readOnlyValue || (def.derived && name !== 'associatedcompanyid')) {
			problems.push({
				name,
				error: 'READ_ONLY_VALUE',
				message: def.calculated ? `"${name}" is a calculated property; its value cannot be set.` : `${name} is a read only property; its value cannot be set.`,
			});
			continue;
		}
		if (rawValue === null || rawValue === '') {
			values.set(name, null);
			continue;
		}
		if (typeof rawValue === 'object') {
			problems.push({ name, error: 'INVALID_TYPE', message: `Property values must be strings, numbers or booleans; ${name} is an ${Array.isArray(rawValue) ? 'array' : 'object'}` });
			continue;
		}
		const result = normalise(def, String(rawValue), ctx);
		if (typeof result === 'string') values.set(name, result);
		else problems.push(result);
	}
	return { values, problems };
}

/** The public JSON of a property definition; `batchShape` mirrors the trimmed batch-create result. */
export function renderProperty(def: PropertyDef, ctx: ValidationContext, batchShape = false): Record<string, unknown> {
	const custom = !def.hubspotDefined;
	const out: Record<string, unknown> = {};
	if (!batchShape) {
		out.updatedAt = instant(def.updatedAt);
		out.createdAt = instant(def.createdAt);
		if (def.archivedAt !== undefined) out.archivedAt = instant(def.archivedAt);
	}
	out.name = def.name;
	out.label = def.label;
	out.type = def.type;
	out.fieldType = def.fieldType;
	out.description = def.description;
	out.groupName = def.groupName;
	out.options = optionsOf(def, ctx).map((o) => {
		const opt: Record<string, unknown> = { label: o.label, value: o.value };
		if (o.description !== undefined) opt.description = o.description;
		opt.displayOrder = o.displayOrder;
		opt.hidden = o.hidden;
		return opt;
	});
	if (def.referencedObjectType) out.referencedObjectType = def.referencedObjectType;
	if (custom && !batchShape) {
		out.createdUserId = def.createdUserId;
		out.updatedUserId = def.updatedUserId;
	}
	out.displayOrder = def.displayOrder;
	out.calculated = def.calculated;
	out.externalOptions = def.externalOptions;
	if (custom && !batchShape) out.archived = def.archived;
	out.hasUniqueValue = def.hasUniqueValue;
	out.hidden = def.hidden;
	if (!custom) out.hubspotDefined = true;
	out.modificationMetadata = { archivable: true, readOnlyDefinition: def.readOnlyDefinition, readOnlyValue: def.readOnlyValue };
	out.formField = def.formField;
	out.dataSensitivity = def.dataSensitivity;
	return out;
}
