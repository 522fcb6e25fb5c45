import {
	UserError,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
} from 'n8n-workflow';
import type { ClassifiedError } from '../../errors/taxonomy';
import { classifiedError } from '../../errors/taxonomy';
import { compileTransform } from '../../transforms';
import type { CompiledTransform, TransformName } from '../../transforms/types';
import { getAt, hasAt, parsePath, setAt, deleteAt, PathSyntaxError } from '../../sync/mapping/path';
import { itemConfig } from '../shared/itemConfig';
import { failedItem, fieldsOf, isEnvelope, withFields } from '../shared/records';
import { readTransformOptions, transformOptionParams, transformOptions } from '../shared/transformParams';

interface StepParams {
	fields: string;
	transform: TransformName;
	outputField?: string;
	skipInvalid?: boolean;
	[option: string]: unknown;
}

interface CompiledStep {
	label: string;
	paths: Array<{ text: string; from: ReturnType<typeof parsePath>; to: ReturnType<typeof parsePath> }>;
	run: CompiledTransform;
	skipInvalid: boolean;
}

export class FluxTransform implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'FluxCascade Transform',
		name: 'fluxTransform',
		icon: 'file:fluxTransform.svg',
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["steps"]?.step?.length ?? 0}} step(s)',
		description: 'Normalise fields: phone to E.164, dates to ISO, names, addresses, countries, emails and more',
		defaults: { name: 'FluxCascade Transform' },
		inputs: ['main'],
		// eslint-disable-next-line n8n-nodes-base/node-class-description-outputs-wrong -- two outputs: Valid and Invalid
		outputs: ['main', 'main'],
		outputNames: ['Valid', 'Invalid'],
		usableAsTool: true,
		properties: [
			{
				displayName:
					'Items whose values a transform cannot process go to the Invalid output with every field error listed; the others continue on Valid',
				name: 'notice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Steps',
				name: 'steps',
				type: 'fixedCollection',
				placeholder: 'Add Step',
				typeOptions: { multipleValues: true, sortable: true },
				default: {},
				options: [
					{
						name: 'step',
						displayName: 'Step',
						values: [
							{
								displayName: 'Fields',
								name: 'fields',
								type: 'string',
								default: '',
								required: true,
								placeholder: 'phone, mobilephone',
								description:
									'Comma-separated field paths to transform; dotted and indexed paths work (billing_address.postal_code, emails[0].address). For an envelope item the paths are inside its fields.',
							},
							{
								displayName: 'Transform',
								name: 'transform',
								type: 'options',
								options: transformOptions,
								default: 'trim',
							},
							...transformOptionParams,
							{
								displayName: 'Output Field',
								name: 'outputField',
								type: 'string',
								default: '',
								description: 'Write the result to this path instead of replacing the field (one field only)',
							},
							{
								displayName: 'Skip Invalid',
								name: 'skipInvalid',
								type: 'boolean',
								default: false,
								description:
									'Whether to drop a value the transform cannot process and keep the item valid (the drop is listed in its warnings) instead of sending the item to the Invalid output',
							},
						],
					},
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Missing Fields',
						name: 'missingFields',
						type: 'options',
						default: 'skip',
						options: [
							{ name: 'Skip', value: 'skip', description: 'A field the item does not have is left out (partial records stay partial)' },
							{ name: 'Report as Field Not Found', value: 'error', description: 'A field the item does not have is a Field Not Found error' },
						],
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const valid: INodeExecutionData[] = [];
		const invalid: INodeExecutionData[] = [];
		const nodeName = this.getNode().name;
		const stepsFor = itemConfig(
			this,
			(i) => ((this.getNodeParameter('steps', i, {}) as IDataObject).step ?? []) as StepParams[],
			compileSteps,
			'Fix the transform step named in the message; no item was processed with it.',
		);

		for (let i = 0; i < items.length; i++) {
			const json = items[i].json;
			const config = stepsFor(i);
			if ('errorItem' in config) {
				valid.push(config.errorItem);
				continue;
			}
			const steps = config.value;
			const missing = (this.getNodeParameter('options.missingFields', i, 'skip') as string) === 'error';
			const fields = structuredClone(fieldsOf(json)) as IDataObject;
			const errors: ClassifiedError[] = [];
			const warnings: ClassifiedError[] = [];
			for (const step of steps) {
				for (const path of step.paths) {
					if (!hasAt(fields, path.from)) {
						if (missing) {
							errors.push(classifiedError('FIELD_NOT_FOUND', { field: path.text, message: `Field "${path.text}" is not in the item (step ${step.label})` }));
						}
						continue;
					}
					const result = step.run(getAt(fields, path.from), { field: path.text });
					if (result.ok) setAt(fields, path.to, result.value);
					else if (step.skipInvalid) {
						warnings.push({ ...result.error, message: `${result.error.message} (value dropped: Skip invalid is on)` });
						deleteAt(fields, path.to);
					} else errors.push(result.error);
				}
			}
			if (errors.length > 0) {
				invalid.push({ json: failedItem('transform', nodeName, json, errors), pairedItem: { item: i } });
				continue;
			}
			const extra: IDataObject = warnings.length ? { [isEnvelope(json) ? 'warnings' : '_warnings']: warnings as unknown as IDataObject[] } : {};
			valid.push({ json: withFields(json, fields, extra), pairedItem: { item: i } });
		}
		return [valid, invalid];
	}
}

function compileSteps(params: StepParams[]): CompiledStep[] {
	return params.map((p, index) => {
		const label = `#${index + 1} (${p.transform} on ${p.fields || 'no fields'})`;
		const names = String(p.fields ?? '')
			.split(',')
			.map((s) => s.trim())
			.filter(Boolean);
		if (names.length === 0) throw new UserError(`Step ${label}: choose at least one field`);
		const output = String(p.outputField ?? '').trim();
		if (output && names.length > 1) throw new UserError(`Step ${label}: Output Field works with one field, but ${names.length} are listed`);
		let run: CompiledTransform;
		try {
			run = compileTransform({ name: p.transform, options: readTransformOptions(p.transform, p) });
		} catch (err) {
			// TransformConfigError, or bad JSON in an option field: both are mistakes in this step.
			throw new UserError(`Step ${label}: ${(err as Error).message}`);
		}
		try {
			return {
				label,
				run,
				skipInvalid: !!p.skipInvalid,
				paths: names.map((text) => ({ text, from: parsePath(text), to: parsePath(output || text) })),
			};
		} catch (err) {
			if (err instanceof PathSyntaxError) throw new UserError(`Step ${label}: ${err.message}`);
			throw err;
		}
	});
}
