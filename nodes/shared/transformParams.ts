import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { TRANSFORMS } from '../../transforms';
import type { TransformName } from '../../transforms/types';

/**
 * n8n parameters generated from the transform registry: a dropdown of transforms and, per transform, its
 * option fields (shown only when that transform is chosen). Defaults come from the zod schemas, so the form
 * and the validator never disagree.
 */
const infos = Object.values(TRANSFORMS);

export const transformOptions: INodePropertyOptions[] = infos.map((t) => ({ name: t.displayName, value: t.name, description: t.description }));

/** Parameter name of one transform option: unique per transform, as two transforms may share an option name. */
export function optionParamName(transform: string, option: string): string {
	return `${transform}_${option}`;
}

export const transformOptionParams: INodeProperties[] = infos.flatMap((t) =>
	t.optionFields.map((f): INodeProperties => {
		const base = {
			displayName: f.displayName,
			name: optionParamName(t.name, f.name),
			description: f.description,
			displayOptions: { show: { transform: [t.name] } },
			required: f.required,
		};
		switch (f.type) {
			case 'number':
				return { ...base, type: 'number', default: (f.default as number | undefined) ?? 0 };
			case 'boolean':
				return { ...base, type: 'boolean', default: (f.default as boolean | undefined) ?? false };
			case 'options':
				return { ...base, type: 'options', options: f.options ?? [], default: (f.default as string | undefined) ?? f.options?.[0]?.value ?? '' };
			case 'json':
				return { ...base, type: 'json', default: f.default === undefined ? '' : JSON.stringify(f.default, null, 2) };
			default:
				return { ...base, type: 'string', default: (f.default as string | undefined) ?? '' };
		}
	}),
);

/** Collects a step's options from its parameter values (JSON options parsed; empty optional values left out). */
export function readTransformOptions(transform: TransformName, values: Record<string, unknown>): Record<string, unknown> {
	const info = TRANSFORMS[transform];
	const options: Record<string, unknown> = {};
	for (const f of info?.optionFields ?? []) {
		const raw = values[optionParamName(transform, f.name)];
		if (raw === undefined || (raw === '' && f.type !== 'string')) continue;
		if (raw === '' && !f.required && f.default === undefined) continue;
		if (f.type === 'json' && typeof raw === 'string') {
			if (raw.trim() === '') continue;
			try {
				options[f.name] = JSON.parse(raw);
			} catch (err) {
				throw new Error(`Option "${f.displayName}" of transform ${transform} is not valid JSON: ${(err as Error).message}`);
			}
		} else options[f.name] = raw;
	}
	return options;
}
