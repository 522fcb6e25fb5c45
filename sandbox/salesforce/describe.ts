/** sObject describe, describeGlobal and basic info, generated from the same metadata that validates writes. */
import { isLongText, SOAP_TYPES, type FieldDef, type ObjectMeta } from './schema';

export interface DescribeEnv {
	version: string;
	isFieldRemoved(object: string, field: string): boolean;
}

function byteLength(f: FieldDef): number {
	if (f.type === 'id' || f.type === 'reference') return 18;
	if (f.length && f.type !== 'address') return f.length * 3;
	return 0;
}

export function describeField(f: FieldDef): Record<string, unknown> {
	const filterable = !isLongText(f) && f.type !== 'address';
	const sortable = filterable && f.type !== 'boolean' ? true : f.type === 'boolean';
	return {
		aggregatable: filterable && f.type !== 'boolean',
		aiPredictionField: false,
		autoNumber: false,
		byteLength: byteLength(f),
		calculated: f.calculated,
		calculatedFormula: null,
		cascadeDelete: false,
		caseSensitive: f.caseSensitive,
		compoundFieldName: f.compoundFieldName,
		controllerName: null,
		createable: f.createable,
		custom: f.custom,
		defaultValue: f.type === 'boolean' ? (f.defaultValue ?? false) : (f.picklist?.defaultValue ?? null),
		defaultValueFormula: null,
		defaultedOnCreate: f.defaultedOnCreate,
		dependentPicklist: false,
		deprecatedAndHidden: false,
		digits: f.type === 'int' ? 9 : 0,
		displayLocationInDecimal: false,
		encrypted: false,
		externalId: f.externalId,
		extraTypeInfo: f.extraTypeInfo,
		filterable,
		filteredLookupInfo: null,
		formulaTreatNullNumberAsZero: false,
		groupable: filterable && !['datetime', 'double', 'currency', 'percent'].includes(f.type),
		highScaleNumber: false,
		htmlFormatted: false,
		idLookup: f.idLookup,
		inlineHelpText: null,
		label: f.label,
		length: f.type === 'reference' || f.type === 'id' ? 18 : f.length,
		mask: null,
		maskType: null,
		name: f.name,
		nameField: f.nameField,
		namePointing: false,
		nillable: f.nillable,
		permissionable: f.nillable && (f.createable || f.updateable) && f.custom,
		picklistValues: (f.picklist?.values ?? []).map((value) => ({
			active: true,
			defaultValue: value === f.picklist?.defaultValue,
			label: value,
			validFor: null,
			value,
		})),
		polymorphicForeignKey: false,
		precision: f.precision,
		queryByDistance: false,
		referenceTargetField: null,
		referenceTo: f.referenceTo,
		relationshipName: f.relationshipName,
		relationshipOrder: null,
		restrictedDelete: false,
		restrictedPicklist: f.picklist?.restricted ?? false,
		scale: f.scale,
		searchPrefilterable: false,
		soapType: SOAP_TYPES[f.type],
		sortable,
		type: f.type,
		unique: f.unique,
		updateable: f.updateable,
		writeRequiresMasterRead: false,
	};
}

function urls(meta: ObjectMeta, version: string, full: boolean): Record<string, string> {
	const base = `/services/data/v${version}/sobjects/${meta.name}`;
	const u: Record<string, string> = {};
	if (full) {
		u.compactLayouts = `${base}/describe/compactLayouts`;
		u.rowTemplate = `${base}/{ID}`;
		u.approvalLayouts = `${base}/describe/approvalLayouts`;
		u.defaultValues = `${base}/defaultValues?recordTypeId&fields`;
		u.listviews = `${base}/listviews`;
		u.describe = `${base}/describe`;
		u.quickActions = `${base}/quickActions`;
		u.layouts = `${base}/describe/layouts`;
		u.sobject = base;
	} else {
		u.rowTemplate = `${base}/{ID}`;
		u.defaultValues = `${base}/defaultValues?recordTypeId&fields`;
		u.describe = `${base}/describe`;
		u.sobject = base;
	}
	return u;
}

/** The object-level keys shared by describe and describeGlobal entries. */
function objectHeader(meta: ObjectMeta, version: string, full: boolean): Record<string, unknown> {
	const d = meta.def;
	return {
		activateable: false,
		associateEntityType: null,
		associateParentEntity: null,
		createable: d.createable,
		custom: d.custom,
		customSetting: false,
		deepCloneable: false,
		deletable: d.deletable,
		deprecatedAndHidden: false,
		feedEnabled: !d.custom,
		hasSubtypes: false,
		isInterface: false,
		isSubtype: false,
		keyPrefix: d.keyPrefix,
		label: d.label,
		labelPlural: d.labelPlural,
		layoutable: true,
		mergeable: ['Account', 'Contact', 'Lead'].includes(d.name),
		mruEnabled: true,
		name: d.name,
		queryable: true,
		replicateable: true,
		retrieveable: true,
		searchable: true,
		triggerable: true,
		undeletable: d.deletable,
		updateable: d.updateable,
		urls: urls(meta, version, full),
	};
}

export function describeSObject(meta: ObjectMeta, env: DescribeEnv): Record<string, unknown> {
	const d = meta.def;
	const header = objectHeader(meta, env.version, true);
	const out: Record<string, unknown> = {
		actionOverrides: [],
		activateable: header.activateable,
		associateEntityType: null,
		associateParentEntity: null,
		childRelationships: d.childRelationships.map((c) => ({
			cascadeDelete: c.cascadeDelete,
			childSObject: c.childSObject,
			deprecatedAndHidden: false,
			field: c.field,
			junctionIdListNames: [],
			junctionReferenceTo: [],
			relationshipName: c.relationshipName,
			restrictedDelete: false,
		})),
		compactLayoutable: true,
		createable: d.createable,
		custom: d.custom,
		customSetting: false,
		deepCloneable: false,
		defaultImplementation: null,
		deletable: d.deletable,
		deprecatedAndHidden: false,
		extendedBy: null,
		extendsInterfaces: null,
		feedEnabled: header.feedEnabled,
		fields: meta.fields.filter((f) => !env.isFieldRemoved(d.name, f.name)).map(describeField),
		hasSubtypes: false,
		implementedBy: null,
		implementsInterfaces: null,
		isInterface: false,
		isSubtype: false,
		keyPrefix: d.keyPrefix,
		label: d.label,
		labelPlural: d.labelPlural,
		layoutable: true,
		listviewable: null,
		lookupLayoutable: null,
		mergeable: header.mergeable,
		mruEnabled: true,
		name: d.name,
		namedLayoutInfos: [],
		networkScopeFieldName: null,
		queryable: true,
		recordTypeInfos: [
			{
				active: true,
				available: true,
				defaultRecordTypeMapping: true,
				developerName: 'Master',
				master: true,
				name: 'Master',
				recordTypeId: '012000000000000AAA',
				urls: { layout: `/services/data/v${env.version}/sobjects/${d.name}/describe/layouts/012000000000000AAA` },
			},
		],
		replicateable: true,
		retrieveable: true,
		searchLayoutable: true,
		searchable: true,
		sobjectDescribeOption: 'FULL',
		supportedScopes: d.supportedScopes,
		triggerable: true,
		undeletable: d.deletable,
		updateable: d.updateable,
		urls: urls(meta, env.version, true),
	};
	return out;
}

export function describeGlobal(metas: ObjectMeta[], version: string): Record<string, unknown> {
	return {
		encoding: 'UTF-8',
		maxBatchSize: 200,
		sobjects: metas.map((m) => objectHeader(m, version, false)),
	};
}

/** GET /sobjects/{o}: basic info plus the user's recently viewed records (none here). */
export function basicInfo(meta: ObjectMeta, version: string): Record<string, unknown> {
	return { objectDescribe: objectHeader(meta, version, false), recentItems: [] };
}
