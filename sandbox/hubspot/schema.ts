/**
 * Static HubSpot metadata: the three CRM object types, their built-in properties (the registry that drives
 * validation and GET /crm/v3/properties), association type ids and the default pipelines.
 */

export type ObjectKey = 'contacts' | 'companies' | 'deals';

export interface ObjectTypeInfo {
	key: ObjectKey;
	singular: 'contact' | 'company' | 'deal';
	upper: 'CONTACT' | 'COMPANY' | 'DEAL';
	typeId: '0-1' | '0-2' | '0-3';
	/** Path names HubSpot accepts for the type. */
	aliases: string[];
	/** Server-side modified stamp: `lastmodifieddate` on contacts, `hs_lastmodifieddate` elsewhere. */
	modifiedProp: 'lastmodifieddate' | 'hs_lastmodifieddate';
	/** Properties returned when the request names none. */
	defaultProps: string[];
	/** Properties a free-text `query` searches. */
	searchable: string[];
	/** First id handed out; ranges differ per type and exceed 2^32 as real ids do. */
	idBase: number;
	label: { singular: string; plural: string };
	primaryDisplayProperty: string;
}

export const OBJECT_TYPES: Record<ObjectKey, ObjectTypeInfo> = {
	contacts: {
		key: 'contacts',
		singular: 'contact',
		upper: 'CONTACT',
		typeId: '0-1',
		aliases: ['contacts', 'contact', '0-1'],
		modifiedProp: 'lastmodifieddate',
		defaultProps: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
		searchable: ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company', 'hs_additional_emails'],
		idBase: 170_000_000_001,
		label: { singular: 'Contact', plural: 'Contacts' },
		primaryDisplayProperty: 'firstname',
	},
	companies: {
		key: 'companies',
		singular: 'company',
		upper: 'COMPANY',
		typeId: '0-2',
		aliases: ['companies', 'company', '0-2'],
		modifiedProp: 'hs_lastmodifieddate',
		defaultProps: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
		searchable: ['name', 'domain', 'website', 'phone'],
		idBase: 29_000_000_001,
		label: { singular: 'Company', plural: 'Companies' },
		primaryDisplayProperty: 'name',
	},
	deals: {
		key: 'deals',
		singular: 'deal',
		upper: 'DEAL',
		typeId: '0-3',
		aliases: ['deals', 'deal', '0-3'],
		modifiedProp: 'hs_lastmodifieddate',
		defaultProps: ['amount', 'closedate', 'createdate', 'dealname', 'dealstage', 'hs_lastmodifieddate', 'hs_object_id', 'pipeline'],
		searchable: ['dealname', 'pipeline', 'dealstage', 'description', 'dealtype'],
		idBase: 41_000_000_001,
		label: { singular: 'Deal', plural: 'Deals' },
		primaryDisplayProperty: 'dealname',
	},
};

export const OBJECT_KEYS: ObjectKey[] = ['contacts', 'companies', 'deals'];

const ALIAS = new Map<string, ObjectKey>();
for (const info of Object.values(OBJECT_TYPES)) for (const a of info.aliases) ALIAS.set(a, info.key);
ALIAS.set('CONTACT', 'contacts');
ALIAS.set('COMPANY', 'companies');
ALIAS.set('DEAL', 'deals');

export function objectKeyOf(name: string): ObjectKey | undefined {
	return ALIAS.get(name) ?? ALIAS.get(name.toLowerCase());
}

// ---------------------------------------------------------------- properties

export interface OptionDef {
	label: string;
	value: string;
	description?: string;
	displayOrder: number;
	hidden: boolean;
}

export interface PropertyDef {
	name: string;
	label: string;
	type: 'string' | 'number' | 'date' | 'datetime' | 'enumeration' | 'bool' | 'phone_number' | 'object_coordinates';
	fieldType: string;
	description: string;
	groupName: string;
	options: OptionDef[];
	displayOrder: number;
	calculated: boolean;
	externalOptions: boolean;
	hasUniqueValue: boolean;
	hidden: boolean;
	hubspotDefined: boolean;
	readOnlyValue: boolean;
	readOnlyDefinition: boolean;
	formField: boolean;
	dataSensitivity: 'non_sensitive' | 'sensitive' | 'highly_sensitive';
	referencedObjectType?: string;
	createdAt: number;
	updatedAt: number;
	archived: boolean;
	archivedAt?: number;
	createdUserId?: string;
	updatedUserId?: string;
	/** Value computed by the server, never stored (hs_object_id, counts, …). */
	derived?: boolean;
	/** Options are filled at read time (owners, pipelines, stages). */
	dynamicOptions?: 'owners' | 'pipelines' | 'stages';
}

export interface PropertyGroupDef {
	name: string;
	label: string;
	displayOrder: number;
	archived: boolean;
}

const BUILTIN_CREATED = Date.parse('2019-08-06T02:41:08.304Z');
const BUILTIN_UPDATED = Date.parse('2024-09-12T14:22:56.844Z');

type Spec = [
	name: string,
	label: string,
	type: PropertyDef['type'],
	fieldType: string,
	extra?: Partial<PropertyDef> & { opts?: Array<[string, string]> },
];

function build(group: string, specs: Spec[]): PropertyDef[] {
	return specs.map(([name, label, type, fieldType, extra = {}], i) => {
		const { opts, ...rest } = extra;
		return {
			name,
			label,
			type,
			fieldType,
			description: '',
			groupName: group,
			options: (opts ?? []).map(([value, optLabel], n) => ({ label: optLabel, value, displayOrder: n, hidden: false })),
			displayOrder: i,
			calculated: false,
			externalOptions: false,
			hasUniqueValue: false,
			hidden: false,
			hubspotDefined: true,
			readOnlyValue: false,
			readOnlyDefinition: true,
			formField: type !== 'datetime',
			dataSensitivity: 'non_sensitive',
			createdAt: BUILTIN_CREATED,
			updatedAt: BUILTIN_UPDATED,
			archived: false,
			...rest,
		};
	});
}

const RO = { readOnlyValue: true, formField: false } as const;
const CALC = { readOnlyValue: true, calculated: true, formField: false, derived: true } as const;
const BOOL_OPTS: Array<[string, string]> = [
	['true', 'True'],
	['false', 'False'],
];

export const LIFECYCLE_STAGES: Array<[string, string]> = [
	['subscriber', 'Subscriber'],
	['lead', 'Lead'],
	['marketingqualifiedlead', 'Marketing Qualified Lead'],
	['salesqualifiedlead', 'Sales Qualified Lead'],
	['opportunity', 'Opportunity'],
	['customer', 'Customer'],
	['evangelist', 'Evangelist'],
	['other', 'Other'],
];

const LEAD_STATUS: Array<[string, string]> = [
	['NEW', 'New'],
	['OPEN', 'Open'],
	['IN_PROGRESS', 'In Progress'],
	['OPEN_DEAL', 'Open Deal'],
	['UNQUALIFIED', 'Unqualified'],
	['ATTEMPTED_TO_CONTACT', 'Attempted to Contact'],
	['CONNECTED', 'Connected'],
	['BAD_TIMING', 'Bad Timing'],
];

// A subset of HubSpot's ~150 industry values: the ones a field-service CRM meets.
const INDUSTRIES: Array<[string, string]> = [
	['ACCOUNTING', 'Accounting'],
	['ARCHITECTURE_PLANNING', 'Architecture & Planning'],
	['AUTOMOTIVE', 'Automotive'],
	['BUILDING_MATERIALS', 'Building Materials'],
	['CIVIL_ENGINEERING', 'Civil Engineering'],
	['COMPUTER_SOFTWARE', 'Computer Software'],
	['CONSTRUCTION', 'Construction'],
	['CONSUMER_SERVICES', 'Consumer Services'],
	['ELECTRICAL_ELECTRONIC_MANUFACTURING', 'Electrical/Electronic Manufacturing'],
	['ENVIRONMENTAL_SERVICES', 'Environmental Services'],
	['FACILITIES_SERVICES', 'Facilities Services'],
	['FINANCIAL_SERVICES', 'Financial Services'],
	['HOSPITAL_HEALTH_CARE', 'Hospital & Health Care'],
	['HOSPITALITY', 'Hospitality'],
	['INFORMATION_TECHNOLOGY_AND_SERVICES', 'Information Technology and Services'],
	['INSURANCE', 'Insurance'],
	['MECHANICAL_OR_INDUSTRIAL_ENGINEERING', 'Mechanical or Industrial Engineering'],
	['OIL_ENERGY', 'Oil & Energy'],
	['REAL_ESTATE', 'Real Estate'],
	['RENEWABLES_ENVIRONMENT', 'Renewables & Environment'],
	['RETAIL', 'Retail'],
	['UTILITIES', 'Utilities'],
	['WHOLESALE', 'Wholesale'],
];

function contactProperties(): PropertyDef[] {
	return [
		...build('contactinformation', [
			['email', 'Email', 'string', 'text', { description: "A contact's email address" }],
			['firstname', 'First Name', 'string', 'text'],
			['lastname', 'Last Name', 'string', 'text'],
			['phone', 'Phone Number', 'string', 'phonenumber'],
			['mobilephone', 'Mobile Phone Number', 'string', 'phonenumber', { description: "A contact's mobile phone number" }],
			['fax', 'Fax Number', 'string', 'phonenumber'],
			['company', 'Company Name', 'string', 'text'],
			['jobtitle', 'Job Title', 'string', 'text'],
			['website', 'Website URL', 'string', 'text'],
			['address', 'Street Address', 'string', 'text', { description: "Contact's street address, including apartment or unit number." }],
			['city', 'City', 'string', 'text'],
			['state', 'State/Region', 'string', 'text'],
			['zip', 'Postal Code', 'string', 'text'],
			['country', 'Country/Region', 'string', 'text'],
			['message', 'Message', 'string', 'textarea'],
			['hs_additional_emails', 'Additional email addresses', 'enumeration', 'checkbox', { readOnlyValue: true, formField: false }],
			['lifecyclestage', 'Lifecycle Stage', 'enumeration', 'radio', { opts: LIFECYCLE_STAGES }],
			['hs_lead_status', 'Lead Status', 'enumeration', 'radio', { opts: LEAD_STATUS }],
			['hubspot_owner_id', 'Contact owner', 'enumeration', 'select', { externalOptions: true, referencedObjectType: 'OWNER', dynamicOptions: 'owners' }],
			['associatedcompanyid', 'Primary Associated Company ID', 'number', 'number', { hidden: true, formField: false, externalOptions: true, referencedObjectType: 'COMPANY', derived: true }],
			['hs_pipeline', 'Pipeline', 'enumeration', 'select', { formField: false, opts: [['contacts-lifecycle-pipeline', 'Lifecycle Stage Pipeline']] }],
			['createdate', 'Create Date', 'datetime', 'date'],
			['lastmodifieddate', 'Last Modified Date', 'datetime', 'date', { ...RO, derived: true }],
			['hs_object_id', 'Record ID', 'number', 'number', { ...RO, derived: true }],
			['hs_all_contact_vids', 'All vids for a contact', 'enumeration', 'checkbox', { ...CALC }],
			['hs_email_domain', 'Email Domain', 'string', 'text', { ...CALC }],
			['hs_full_name_or_email', 'Full name or email', 'string', 'text', { ...CALC }],
			['hs_is_contact', 'Is a contact', 'bool', 'booleancheckbox', { ...CALC, opts: BOOL_OPTS }],
			['hs_is_unworked', 'Contact unworked', 'bool', 'calculation_equation', { ...CALC, opts: BOOL_OPTS }],
			['hs_object_source', 'Record source', 'string', 'text', { ...RO, derived: true }],
			['hs_object_source_id', 'Record source detail 1', 'string', 'text', { ...RO, derived: true }],
			['hs_object_source_label', 'Record source label', 'enumeration', 'select', { ...RO, derived: true }],
			['num_notes', 'Number of Sales Activities', 'number', 'number', { ...CALC }],
			['hs_lifecyclestage_lead_date', 'Date entered "Lead (Lifecycle Stage Pipeline)"', 'datetime', 'calculation_read_time', { ...CALC }],
			['hs_currently_enrolled_in_prospecting_agent', 'Currently enrolled in prospecting agent', 'bool', 'booleancheckbox', { ...CALC, opts: BOOL_OPTS }],
			['hs_prospecting_agent_actively_enrolled_count', 'Prospecting agent actively enrolled count', 'number', 'number', { ...CALC }],
			['hs_prospecting_agent_total_enrolled_count', 'Prospecting agent total enrolled count', 'number', 'number', { ...CALC }],
			['hs_membership_has_accessed_private_content', 'Has accessed private content', 'number', 'number', { ...CALC }],
			['hs_registered_member', 'Registered member', 'number', 'number', { ...CALC }],
			['hs_sequences_actively_enrolled_count', 'Number of sequences actively enrolled', 'number', 'number', { ...CALC }],
			['hs_associated_target_accounts', 'Associated Target Accounts', 'number', 'calculation_rollup', { ...CALC, readOnlyDefinition: false }],
			['hubspotscore', 'HubSpot Score', 'number', 'calculation_score', { ...CALC }],
		]),
	];
}

function companyProperties(): PropertyDef[] {
	return build('companyinformation', [
		['name', 'Company name', 'string', 'text'],
		['domain', 'Company Domain Name', 'string', 'text'],
		['website', 'Website URL', 'string', 'text'],
		['phone', 'Phone Number', 'string', 'phonenumber'],
		['address', 'Street Address', 'string', 'text'],
		['address2', 'Street Address 2', 'string', 'text'],
		['city', 'City', 'string', 'text'],
		['state', 'State/Region', 'string', 'text'],
		['zip', 'Postal Code', 'string', 'text'],
		['country', 'Country/Region', 'string', 'text'],
		['industry', 'Industry', 'enumeration', 'select', { opts: INDUSTRIES }],
		['type', 'Type', 'enumeration', 'select', { opts: [['PROSPECT', 'Prospect'], ['PARTNER', 'Partner'], ['RESELLER', 'Reseller'], ['VENDOR', 'Vendor'], ['OTHER', 'Other']] }],
		['description', 'Description', 'string', 'textarea'],
		['numberofemployees', 'Number of Employees', 'number', 'number'],
		['annualrevenue', 'Annual Revenue', 'number', 'number'],
		['lifecyclestage', 'Lifecycle Stage', 'enumeration', 'radio', { opts: LIFECYCLE_STAGES }],
		['hubspot_owner_id', 'Company owner', 'enumeration', 'select', { externalOptions: true, referencedObjectType: 'OWNER', dynamicOptions: 'owners' }],
		['createdate', 'Create Date', 'datetime', 'date'],
		['hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', { ...RO, derived: true }],
		['hs_object_id', 'Record ID', 'number', 'number', { ...RO, derived: true }],
		['num_associated_contacts', 'Number of Associated Contacts', 'number', 'number', { ...CALC }],
		['num_associated_deals', 'Number of Associated Deals', 'number', 'number', { ...CALC }],
		['hs_object_source', 'Record source', 'string', 'text', { ...RO, derived: true }],
		['hs_object_source_id', 'Record source detail 1', 'string', 'text', { ...RO, derived: true }],
		['hs_object_source_label', 'Record source label', 'enumeration', 'select', { ...RO, derived: true }],
	]);
}

function dealProperties(): PropertyDef[] {
	return build('dealinformation', [
		['dealname', 'Deal Name', 'string', 'text'],
		['amount', 'Amount', 'number', 'number'],
		['pipeline', 'Pipeline', 'enumeration', 'select', { dynamicOptions: 'pipelines' }],
		['dealstage', 'Deal Stage', 'enumeration', 'radio', { dynamicOptions: 'stages' }],
		['closedate', 'Close Date', 'datetime', 'date'],
		['dealtype', 'Deal Type', 'enumeration', 'radio', { opts: [['newbusiness', 'New Business'], ['existingbusiness', 'Existing Business']] }],
		['description', 'Deal Description', 'string', 'textarea'],
		['hubspot_owner_id', 'Deal owner', 'enumeration', 'select', { externalOptions: true, referencedObjectType: 'OWNER', dynamicOptions: 'owners' }],
		['createdate', 'Create Date', 'datetime', 'date'],
		['hs_lastmodifieddate', 'Last Modified Date', 'datetime', 'date', { ...RO, derived: true }],
		['hs_object_id', 'Record ID', 'number', 'number', { ...RO, derived: true }],
		['hs_is_closed', 'Is Deal Closed?', 'bool', 'booleancheckbox', { ...CALC, opts: BOOL_OPTS }],
		['hs_is_closed_won', 'Is Closed Won', 'bool', 'booleancheckbox', { ...CALC, opts: BOOL_OPTS }],
		['hs_deal_stage_probability', 'Deal probability', 'number', 'number', { ...CALC }],
		['num_associated_contacts', 'Number of Contacts', 'number', 'number', { ...CALC }],
		['hs_object_source', 'Record source', 'string', 'text', { ...RO, derived: true }],
		['hs_object_source_id', 'Record source detail 1', 'string', 'text', { ...RO, derived: true }],
		['hs_object_source_label', 'Record source label', 'enumeration', 'select', { ...RO, derived: true }],
	]);
}

export function builtinProperties(key: ObjectKey): PropertyDef[] {
	if (key === 'contacts') return contactProperties();
	if (key === 'companies') return companyProperties();
	return dealProperties();
}

export function builtinGroups(key: ObjectKey): PropertyGroupDef[] {
	const own = { contacts: ['contactinformation', 'Contact information'], companies: ['companyinformation', 'Company information'], deals: ['dealinformation', 'Deal information'] }[key];
	return [
		{ name: own[0], label: own[1], displayOrder: 0, archived: false },
		{ name: 'analyticsinformation', label: 'Analytics information', displayOrder: 1, archived: false },
	];
}

// ---------------------------------------------------------------- associations

export interface AssociationTypeDef {
	typeId: number;
	from: ObjectKey;
	to: ObjectKey;
	/** v3 `type` name in `associations.<to>.results[].type`. */
	name: string;
	label: string | null;
	inverse: number;
}

export const ASSOCIATION_TYPES: AssociationTypeDef[] = [
	{ typeId: 1, from: 'contacts', to: 'companies', name: 'contact_to_company', label: 'Primary', inverse: 2 },
	{ typeId: 279, from: 'contacts', to: 'companies', name: 'contact_to_company_unlabeled', label: null, inverse: 280 },
	{ typeId: 2, from: 'companies', to: 'contacts', name: 'company_to_contact', label: 'Primary', inverse: 1 },
	{ typeId: 280, from: 'companies', to: 'contacts', name: 'company_to_contact_unlabeled', label: null, inverse: 279 },
	{ typeId: 3, from: 'deals', to: 'contacts', name: 'deal_to_contact', label: null, inverse: 4 },
	{ typeId: 4, from: 'contacts', to: 'deals', name: 'contact_to_deal', label: null, inverse: 3 },
	{ typeId: 5, from: 'deals', to: 'companies', name: 'deal_to_company', label: 'Primary', inverse: 6 },
	{ typeId: 341, from: 'deals', to: 'companies', name: 'deal_to_company_unlabeled', label: null, inverse: 342 },
	{ typeId: 6, from: 'companies', to: 'deals', name: 'company_to_deal', label: 'Primary', inverse: 5 },
	{ typeId: 342, from: 'companies', to: 'deals', name: 'company_to_deal_unlabeled', label: null, inverse: 341 },
];

export const ASSOCIATION_BY_ID = new Map(ASSOCIATION_TYPES.map((a) => [a.typeId, a]));

/** The unlabeled ("default") association type between two object types. */
export function defaultAssociationType(from: ObjectKey, to: ObjectKey): AssociationTypeDef | undefined {
	return ASSOCIATION_TYPES.find((a) => a.from === from && a.to === to && a.label === null);
}

// ---------------------------------------------------------------- pipelines

export interface StageDef {
	id: string;
	label: string;
	displayOrder: number;
	metadata: Record<string, string>;
	createdAt: number;
	updatedAt: number;
	archived: boolean;
}

export interface PipelineDef {
	id: string;
	label: string;
	displayOrder: number;
	stages: StageDef[];
	createdAt: number;
	updatedAt: number;
	archived: boolean;
}

function stage(id: string, label: string, displayOrder: number, metadata: Record<string, string>): StageDef {
	return { id, label, displayOrder, metadata, createdAt: 0, updatedAt: 0, archived: false };
}

export function defaultPipelines(key: ObjectKey): PipelineDef[] {
	if (key === 'deals') {
		const s: Array<[string, string, string, boolean]> = [
			['appointmentscheduled', 'Appointment Scheduled', '0.2', false],
			['qualifiedtobuy', 'Qualified To Buy', '0.4', false],
			['presentationscheduled', 'Presentation Scheduled', '0.6', false],
			['decisionmakerboughtin', 'Decision Maker Bought-In', '0.8', false],
			['contractsent', 'Contract Sent', '0.9', false],
			['closedwon', 'Closed Won', '1.0', true],
			['closedlost', 'Closed Lost', '0.0', true],
		];
		return [
			{
				id: 'default',
				label: 'Sales Pipeline',
				displayOrder: 0,
				stages: s.map(([id, label, probability, closed], i) => stage(id, label, i, { isClosed: String(closed), probability })),
				createdAt: 0,
				updatedAt: 0,
				archived: false,
			},
		];
	}
	const id = key === 'contacts' ? 'contacts-lifecycle-pipeline' : 'companies-lifecycle-pipeline';
	return [
		{
			id,
			label: 'Lifecycle Stage Pipeline',
			displayOrder: 0,
			stages: LIFECYCLE_STAGES.map(([value, label], i) =>
				stage(value, label, i, value === 'other' ? { isClosed: 'true', state: 'CLOSED' } : { isClosed: 'false', state: 'OPEN' }),
			),
			createdAt: 0,
			updatedAt: 0,
			archived: false,
		},
	];
}

/** HubSpot prints instants the way Java's Instant.toString does: milliseconds only when non-zero. */
export function instant(ms: number): string {
	const s = new Date(ms).toISOString();
	return s.endsWith('.000Z') ? `${s.slice(0, -5)}Z` : s;
}
