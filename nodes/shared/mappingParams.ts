import { UserError, type IDataObject, type IExecuteFunctions, type INodeProperties } from 'n8n-workflow';
import { getPreset, PRESETS, type FieldPair, type MappingSpec } from '../../sync/mapping';
import { TRANSFORM_NAMES } from '../../transforms/types';

/**
 * The mapping parameters every mapping-aware node shows the same way (Field Mapper, Sync Ledger): a preset, field
 * pairs built in the form, or a whole mapping as JSON; and the one reader that turns them into a MappingSpec.
 */

interface PairParams {
	source?: string;
	target?: string;
	transform?: string;
	reverseTransform?: string;
	required?: boolean;
	defaultType?: 'none' | 'text' | 'empty' | 'json';
	defaultValue?: string;
	direction?: FieldPair['direction'];
	skipInvalid?: boolean;
}

type Show = NonNullable<NonNullable<INodeProperties['displayOptions']>['show']>;

/** The mapping parameters, shown when `show` matches (e.g. `{ operation: ['map'] }`). */
export function mappingProperties(show: Show = {}, defaults: { preset?: string } = {}): INodeProperties[] {
	const props: INodeProperties[] = [
		{
			displayName: 'Mapping Source',
			name: 'mappingSource',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show },
			options: [
				{ name: 'Preset', value: 'preset', description: 'A ready mapping from the FluxCascade guides' },
				{ name: 'Field Pairs', value: 'pairs', description: 'Define pairs in this node' },
				{ name: 'JSON', value: 'json', description: 'A whole mapping as JSON (for example from Suggest Field Pairs)' },
			],
			default: 'preset',
		},
		{
			displayName: 'Preset',
			name: 'preset',
			type: 'options',
			displayOptions: { show: { ...show, mappingSource: ['preset'] } },
			options: PRESETS.map((p) => ({ name: p.name, value: p.id, description: p.description })),
			default: 'hubspot_contact_to_jobber_client',
		},
		{
			displayName: 'Mapping Direction',
			name: 'mappingDirection',
			type: 'options',
			displayOptions: { show: { ...show, mappingSource: ['pairs'] } },
			options: [
				{ name: 'Source to Target', value: 'source_to_target' },
				{ name: 'Target to Source', value: 'target_to_source' },
				{ name: 'Bidirectional', value: 'bidirectional' },
			],
			default: 'source_to_target',
		},
		{
			displayName: 'Field Pairs',
			name: 'pairs',
			type: 'fixedCollection',
			placeholder: 'Add Field Pair',
			typeOptions: { multipleValues: true, sortable: true },
			displayOptions: { show: { ...show, mappingSource: ['pairs'] } },
			default: {},
			options: [
				{
					name: 'pair',
					displayName: 'Pair',
					values: [
						{
							displayName: 'Default',
							name: 'defaultType',
							type: 'options',
							default: 'none',
							options: [
								{ name: 'None', value: 'none' },
								{ name: 'Text', value: 'text' },
								{ name: 'Empty String', value: 'empty', description: 'Send "" instead of null' },
								{ name: 'JSON Value', value: 'json', description: 'A number, boolean, array or object' },
							],
							description: 'Value used when the field is missing or empty after the transforms',
						},
						{
							displayName: 'Default Value',
							name: 'defaultValue',
							type: 'string',
							default: '',
							displayOptions: { show: { defaultType: ['text', 'json'] } },
						},
						{
							displayName: 'Direction',
							name: 'direction',
							type: 'options',
							default: 'bidirectional',
							options: [
								{ name: 'Bidirectional', value: 'bidirectional' },
								{ name: 'Source Only', value: 'source_only', description: 'Flows source → target only' },
								{ name: 'Target Only', value: 'target_only', description: 'Flows target → source only' },
							],
						},
						{
							displayName: 'Required',
							name: 'required',
							type: 'boolean',
							default: false,
							description: 'Whether a record without a value here is invalid (Required Field Missing)',
						},
						{
							displayName: 'Reverse Transforms',
							name: 'reverseTransform',
							type: 'string',
							default: '',
							placeholder: 'trim | truncate(maxLength=40)',
							description:
								'Chain for the way back (target → source) of a bidirectional pair; by default the same chain when it is safe to reuse',
						},
						{
							displayName: 'Skip Invalid',
							name: 'skipInvalid',
							type: 'boolean',
							default: false,
							description:
								'Whether to drop a value that fails its transforms and keep syncing the record (the drop is listed in its warnings)',
						},
						{
							displayName: 'Source Field',
							name: 'source',
							type: 'string',
							default: '',
							placeholder: 'billing_address.postal_code',
							description:
								'Path in the source record; join several with " + " for many-to-one (firstname + lastname). Leave empty for a constant (then set a default).',
						},
						{
							displayName: 'Target Field',
							name: 'target',
							type: 'string',
							default: '',
							required: true,
							placeholder: 'emails[0].address',
							description:
								'Path in the target record. For one-to-many, list output keys and paths: firstName=first_name, lastName=last_name.',
						},
						{
							displayName: 'Transforms',
							name: 'transform',
							type: 'string',
							default: '',
							placeholder: 'trim | phone_e164(defaultCountry=CA)',
							description: `Chain applied in the pair's flow direction, steps separated by "|". Transforms: ${TRANSFORM_NAMES.join(', ')}.`,
						},
					],
				},
			],
		},
		{
			displayName: 'Mapping (JSON)',
			name: 'mappingJson',
			type: 'json',
			displayOptions: { show: { ...show, mappingSource: ['json'] } },
			default: '{\n  "direction": "source_to_target",\n  "pairs": [\n    { "source": "email", "target": "emails[0].address", "transform": "email_validate", "required": true }\n  ]\n}',
		},
	];
	return defaults.preset ? props.map((p) => (p.name === 'preset' ? { ...p, default: defaults.preset } : p)) : props;
}

/** Reads the mapping parameters of item `i` into a MappingSpec (not yet validated: compileMapping does that). */
export function readMapping(this: IExecuteFunctions, i: number): MappingSpec {
	const source = this.getNodeParameter('mappingSource', i) as string;
	if (source === 'preset') return getPreset(this.getNodeParameter('preset', i) as string).mapping;
	if (source === 'json') {
		const raw = this.getNodeParameter('mappingJson', i) as string | IDataObject;
		if (typeof raw !== 'string') return raw as unknown as MappingSpec;
		try {
			return JSON.parse(raw) as MappingSpec;
		} catch (err) {
			throw new UserError(`Mapping (JSON) is not valid JSON: ${(err as Error).message}`);
		}
	}
	const params = ((this.getNodeParameter('pairs', i, {}) as IDataObject).pair ?? []) as PairParams[];
	return {
		direction: this.getNodeParameter('mappingDirection', i) as MappingSpec['direction'],
		pairs: params.map((p, index) => toPair(p, index)),
	};
}

/** Turns one row of the Field Pairs form into a FieldPair of the mapping spec. */
function toPair(p: PairParams, index: number): FieldPair {
	const pair: FieldPair = {};
	const sources = String(p.source ?? '')
		.split(' + ')
		.map((s) => s.trim())
		.filter(Boolean);
	if (sources.length === 1) pair.source = sources[0];
	else if (sources.length > 1) pair.source = sources;
	const target = String(p.target ?? '').trim();
	if (/^[^=,]+=[^=]+(,\s*[^=,]+=[^=]+)*$/.test(target)) {
		pair.targets = Object.fromEntries(target.split(',').map((part) => part.split('=').map((s) => s.trim()) as [string, string]));
	} else if (target) pair.target = target;
	if (p.transform?.trim()) pair.transform = p.transform.trim();
	if (p.reverseTransform?.trim()) pair.reverseTransform = p.reverseTransform.trim();
	if (p.required) pair.required = true;
	if (p.skipInvalid) pair.skipInvalid = true;
	if (p.direction) pair.direction = p.direction;
	switch (p.defaultType) {
		case 'text':
			pair.default = p.defaultValue ?? '';
			break;
		case 'empty':
			pair.default = '';
			break;
		case 'json':
			try {
				pair.default = JSON.parse(p.defaultValue ?? '');
			} catch {
				throw new UserError(`Field pair #${index + 1}: Default Value ${JSON.stringify(p.defaultValue)} is not valid JSON`);
			}
			break;
	}
	return pair;
}
