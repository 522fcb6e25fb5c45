/**
 * Object and field metadata. One source of truth: describe is generated from it, and writes and SOQL are
 * validated against it, so what describe promises is exactly what the API enforces.
 */

export type FieldType =
	| 'id'
	| 'string'
	| 'textarea'
	| 'email'
	| 'phone'
	| 'url'
	| 'picklist'
	| 'reference'
	| 'boolean'
	| 'datetime'
	| 'date'
	| 'double'
	| 'currency'
	| 'percent'
	| 'int'
	| 'address';

export interface FieldDef {
	name: string;
	label: string;
	type: FieldType;
	length: number;
	nillable: boolean;
	createable: boolean;
	updateable: boolean;
	defaultedOnCreate: boolean;
	externalId: boolean;
	unique: boolean;
	idLookup: boolean;
	caseSensitive: boolean;
	custom: boolean;
	calculated: boolean;
	nameField: boolean;
	precision: number;
	scale: number;
	picklist?: { values: string[]; defaultValue?: string; restricted: boolean };
	referenceTo: string[];
	relationshipName: string | null;
	compoundFieldName: string | null;
	extraTypeInfo: string | null;
	/** Compound address fields: the prefix of their component fields (`Mailing` → MailingStreet …). */
	addressPrefix?: string;
	defaultValue?: string | number | boolean | null;
}

export interface ObjectDef {
	name: string;
	label: string;
	labelPlural: string;
	keyPrefix: string;
	custom: boolean;
	createable: boolean;
	updateable: boolean;
	deletable: boolean;
	fields: FieldDef[];
	/** Duplicate-rule name and the fields it matches on (Standard_*_Duplicate_Rule). */
	duplicateRule?: string;
	childRelationships: Array<{ childSObject: string; field: string; relationshipName: string; cascadeDelete: boolean }>;
	supportedScopes: Array<{ label: string; name: string }>;
}

/** A resolved object: the definition plus case-insensitive lookups the API needs on every request. */
export class ObjectMeta {
	readonly byName = new Map<string, FieldDef>();
	readonly byRelationship = new Map<string, FieldDef>();
	readonly uniqueFields: FieldDef[];
	readonly externalIdFields: FieldDef[];
	readonly writableFields: FieldDef[];
	constructor(readonly def: ObjectDef) {
		for (const f of def.fields) {
			this.byName.set(f.name.toLowerCase(), f);
			if (f.relationshipName) this.byRelationship.set(f.relationshipName.toLowerCase(), f);
		}
		this.uniqueFields = def.fields.filter((f) => f.unique);
		this.externalIdFields = def.fields.filter((f) => f.externalId);
		this.writableFields = def.fields.filter((f) => f.createable || f.updateable);
	}
	get name(): string {
		return this.def.name;
	}
	get fields(): FieldDef[] {
		return this.def.fields;
	}
	field(name: string): FieldDef | undefined {
		return this.byName.get(name.toLowerCase());
	}
}

type Opts = Partial<FieldDef>;

function base(name: string, label: string, type: FieldType, o: Opts = {}): FieldDef {
	const custom = name.endsWith('__c');
	return {
		name,
		label,
		type,
		length: 0,
		nillable: true,
		createable: true,
		updateable: true,
		defaultedOnCreate: false,
		externalId: false,
		unique: false,
		idLookup: false,
		caseSensitive: false,
		custom,
		calculated: false,
		nameField: false,
		precision: 0,
		scale: 0,
		referenceTo: [],
		relationshipName: null,
		compoundFieldName: null,
		extraTypeInfo: null,
		...o,
	};
}

const readOnly: Opts = { createable: false, updateable: false };
const str = (name: string, label: string, length: number, o: Opts = {}) => base(name, label, 'string', { length, ...o });
const text = (name: string, label: string, length: number, o: Opts = {}) => base(name, label, 'textarea', { length, ...o });
const phone = (name: string, label: string, o: Opts = {}) => base(name, label, 'phone', { length: 40, ...o });
const email = (name: string, label: string, o: Opts = {}) => base(name, label, 'email', { length: 80, idLookup: true, ...o });
const url = (name: string, label: string, o: Opts = {}) => base(name, label, 'url', { length: 255, ...o });
const bool = (name: string, label: string, o: Opts = {}) =>
	base(name, label, 'boolean', { nillable: false, defaultedOnCreate: true, defaultValue: false, ...o });
const datetime = (name: string, label: string, o: Opts = {}) => base(name, label, 'datetime', o);
const date = (name: string, label: string, o: Opts = {}) => base(name, label, 'date', o);
const currency = (name: string, label: string, o: Opts = {}) => base(name, label, 'currency', { precision: 18, scale: 2, ...o });
const percent = (name: string, label: string, o: Opts = {}) => base(name, label, 'percent', { precision: 3, scale: 0, ...o });
const int = (name: string, label: string, o: Opts = {}) => base(name, label, 'int', { ...o });
const picklist = (name: string, label: string, values: string[], o: Omit<Opts, 'defaultValue'> & { restricted?: boolean; defaultValue?: string } = {}) => {
	const { restricted = false, defaultValue, ...rest } = o;
	return base(name, label, 'picklist', {
		length: 255,
		picklist: { values, defaultValue, restricted },
		defaultedOnCreate: defaultValue !== undefined,
		...rest,
	});
};
const ref = (name: string, label: string, to: string, relationshipName: string, o: Opts = {}) =>
	base(name, label, 'reference', { length: 18, referenceTo: [to], relationshipName, ...o });
const address = (name: string, label: string, prefix: string) =>
	base(name, label, 'address', { ...readOnly, addressPrefix: prefix });
const addressParts = (prefix: string, labelPrefix: string, street = 'Street') => [
	text(`${prefix}${street}`, `${labelPrefix} Street`, 255, { compoundFieldName: `${prefix}Address` }),
	str(`${prefix}City`, `${labelPrefix} City`, 40, { compoundFieldName: `${prefix}Address` }),
	str(`${prefix}State`, `${labelPrefix} State/Province`, 80, { compoundFieldName: `${prefix}Address` }),
	str(`${prefix}PostalCode`, `${labelPrefix} Zip/Postal Code`, 20, { compoundFieldName: `${prefix}Address` }),
	str(`${prefix}Country`, `${labelPrefix} Country`, 80, { compoundFieldName: `${prefix}Address` }),
	address(`${prefix}Address`, `${labelPrefix} Address`, prefix),
];

/** Id, IsDeleted first; the audit fields every record carries. */
function head(objectLabel: string): FieldDef[] {
	return [
		base('Id', `${objectLabel} ID`, 'id', { length: 18, nillable: false, ...readOnly, defaultedOnCreate: true, idLookup: true, caseSensitive: false }),
		bool('IsDeleted', 'Deleted', { ...readOnly }),
	];
}
function audit(): FieldDef[] {
	return [
		ref('OwnerId', 'Owner ID', 'User', 'Owner', { nillable: false, defaultedOnCreate: true }),
		datetime('CreatedDate', 'Created Date', { nillable: false, ...readOnly, defaultedOnCreate: true }),
		ref('CreatedById', 'Created By ID', 'User', 'CreatedBy', { nillable: false, ...readOnly, defaultedOnCreate: true }),
		datetime('LastModifiedDate', 'Last Modified Date', { nillable: false, ...readOnly, defaultedOnCreate: true }),
		ref('LastModifiedById', 'Last Modified By ID', 'User', 'LastModifiedBy', { nillable: false, ...readOnly, defaultedOnCreate: true }),
		datetime('SystemModstamp', 'System Modstamp', { nillable: false, ...readOnly, defaultedOnCreate: true }),
	];
}
const extId = () => str('Ext_Id__c', 'External Id', 255, { externalId: true, unique: true, idLookup: true });
const legacyId = () => str('Legacy_Id__c', 'Legacy Id', 80, { externalId: true, idLookup: true });

const LEAD_SOURCES = ['Web', 'Phone Inquiry', 'Partner Referral', 'Purchased List', 'Other'];
const SALUTATIONS = ['Mr.', 'Ms.', 'Mrs.', 'Dr.', 'Prof.', 'Mx.'];
const INDUSTRIES = ['Agriculture', 'Construction', 'Consulting', 'Education', 'Energy', 'Healthcare', 'Hospitality', 'Manufacturing', 'Retail', 'Utilities', 'Other'];
export const OPPORTUNITY_STAGES: Array<[string, number, boolean, boolean]> = [
	// [stage, default probability, closed, won]
	['Prospecting', 10, false, false],
	['Qualification', 10, false, false],
	['Needs Analysis', 20, false, false],
	['Value Proposition', 50, false, false],
	['Id. Decision Makers', 60, false, false],
	['Perception Analysis', 70, false, false],
	['Proposal/Price Quote', 75, false, false],
	['Negotiation/Review', 90, false, false],
	['Closed Won', 100, true, true],
	['Closed Lost', 0, true, false],
];
export const LEAD_STATUSES = ['Open - Not Contacted', 'Working - Contacted', 'Closed - Converted', 'Closed - Not Converted'];
export const JOB_STATUSES = ['Scheduled', 'In Progress', 'Completed', 'Cancelled'];

const CONTACT: ObjectDef = {
	name: 'Contact',
	label: 'Contact',
	labelPlural: 'Contacts',
	keyPrefix: '003',
	custom: false,
	createable: true,
	updateable: true,
	deletable: true,
	duplicateRule: 'Standard_Contact_Duplicate_Rule',
	childRelationships: [
		{ childSObject: 'Opportunity', field: 'ContactId', relationshipName: 'Opportunities', cascadeDelete: false },
		{ childSObject: 'Service_Job__c', field: 'Contact__c', relationshipName: 'Service_Jobs__r', cascadeDelete: false },
	],
	supportedScopes: [
		{ label: 'All contacts', name: 'everything' },
		{ label: 'My contacts', name: 'mine' },
	],
	fields: [
		...head('Contact'),
		ref('MasterRecordId', 'Master Record ID', 'Contact', 'MasterRecord', readOnly),
		ref('AccountId', 'Account ID', 'Account', 'Account'),
		str('LastName', 'Last Name', 80, { nillable: false, compoundFieldName: 'Name' }),
		str('FirstName', 'First Name', 40, { compoundFieldName: 'Name' }),
		picklist('Salutation', 'Salutation', SALUTATIONS, { compoundFieldName: 'Name' }),
		str('Name', 'Full Name', 121, { ...readOnly, nillable: false, nameField: true, extraTypeInfo: 'personname' }),
		...addressParts('Mailing', 'Mailing'),
		phone('Phone', 'Business Phone'),
		phone('MobilePhone', 'Mobile Phone'),
		email('Email', 'Email'),
		str('Title', 'Title', 128),
		str('Department', 'Department', 80),
		str('AssistantName', "Assistant's Name", 40),
		picklist('LeadSource', 'Lead Source', LEAD_SOURCES),
		date('Birthdate', 'Birthdate'),
		text('Description', 'Contact Description', 32000),
		bool('HasOptedOutOfEmail', 'Email Opt Out'),
		bool('DoNotCall', 'Do Not Call'),
		...audit(),
		extId(),
		legacyId(),
	],
};

const ACCOUNT: ObjectDef = {
	name: 'Account',
	label: 'Account',
	labelPlural: 'Accounts',
	keyPrefix: '001',
	custom: false,
	createable: true,
	updateable: true,
	deletable: true,
	duplicateRule: 'Standard_Account_Duplicate_Rule',
	childRelationships: [
		{ childSObject: 'Account', field: 'ParentId', relationshipName: 'ChildAccounts', cascadeDelete: false },
		// Deleting an account deletes its contacts and opportunities (they show up in /deleted and queryAll).
		{ childSObject: 'Contact', field: 'AccountId', relationshipName: 'Contacts', cascadeDelete: true },
		{ childSObject: 'Opportunity', field: 'AccountId', relationshipName: 'Opportunities', cascadeDelete: true },
		{ childSObject: 'Service_Job__c', field: 'Account__c', relationshipName: 'Service_Jobs__r', cascadeDelete: false },
	],
	supportedScopes: [
		{ label: 'All accounts', name: 'everything' },
		{ label: 'My accounts', name: 'mine' },
	],
	fields: [
		...head('Account'),
		ref('MasterRecordId', 'Master Record ID', 'Account', 'MasterRecord', readOnly),
		str('Name', 'Account Name', 255, { nillable: false, nameField: true, compoundFieldName: 'Name', extraTypeInfo: 'switchablepersonname' }),
		picklist('Type', 'Account Type', ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Channel Partner / Reseller', 'Installation Partner', 'Technology Partner', 'Other']),
		ref('ParentId', 'Parent Account ID', 'Account', 'Parent'),
		...addressParts('Billing', 'Billing'),
		...addressParts('Shipping', 'Shipping'),
		phone('Phone', 'Account Phone'),
		url('Website', 'Website'),
		url('PhotoUrl', 'Photo URL', { ...readOnly, extraTypeInfo: 'imageurl' }),
		picklist('Industry', 'Industry', INDUSTRIES),
		int('NumberOfEmployees', 'Employees'),
		currency('AnnualRevenue', 'Annual Revenue'),
		str('AccountNumber', 'Account Number', 40),
		text('Description', 'Account Description', 32000),
		...audit(),
		extId(),
		legacyId(),
	],
};

const LEAD: ObjectDef = {
	name: 'Lead',
	label: 'Lead',
	labelPlural: 'Leads',
	keyPrefix: '00Q',
	custom: false,
	createable: true,
	updateable: true,
	deletable: true,
	duplicateRule: 'Standard_Lead_Duplicate_Rule',
	childRelationships: [],
	supportedScopes: [
		{ label: 'All leads', name: 'everything' },
		{ label: 'My leads', name: 'mine' },
	],
	fields: [
		...head('Lead'),
		ref('MasterRecordId', 'Master Record ID', 'Lead', 'MasterRecord', readOnly),
		str('LastName', 'Last Name', 80, { nillable: false, compoundFieldName: 'Name' }),
		str('FirstName', 'First Name', 40, { compoundFieldName: 'Name' }),
		picklist('Salutation', 'Salutation', SALUTATIONS, { compoundFieldName: 'Name' }),
		str('Name', 'Full Name', 121, { ...readOnly, nillable: false, nameField: true, extraTypeInfo: 'personname' }),
		str('Title', 'Title', 128),
		str('Company', 'Company', 255, { nillable: false }),
		...addressParts('', ''),
		phone('Phone', 'Phone'),
		phone('MobilePhone', 'Mobile Phone'),
		email('Email', 'Email'),
		url('Website', 'Website'),
		text('Description', 'Description', 32000),
		picklist('LeadSource', 'Lead Source', LEAD_SOURCES),
		picklist('Status', 'Status', LEAD_STATUSES, { restricted: true, defaultValue: 'Open - Not Contacted', nillable: false }),
		picklist('Industry', 'Industry', INDUSTRIES),
		picklist('Rating', 'Rating', ['Hot', 'Warm', 'Cold']),
		bool('IsConverted', 'Converted', { ...readOnly }),
		date('ConvertedDate', 'Converted Date', readOnly),
		ref('ConvertedAccountId', 'Converted Account ID', 'Account', 'ConvertedAccount', readOnly),
		ref('ConvertedContactId', 'Converted Contact ID', 'Contact', 'ConvertedContact', readOnly),
		ref('ConvertedOpportunityId', 'Converted Opportunity ID', 'Opportunity', 'ConvertedOpportunity', readOnly),
		bool('HasOptedOutOfEmail', 'Email Opt Out'),
		bool('DoNotCall', 'Do Not Call'),
		...audit(),
		extId(),
	],
};
// Lead's address components have no prefix; give them their real labels and compound name.
for (const f of LEAD.fields) {
	if (f.compoundFieldName === 'Address') f.label = f.label.trim();
	if (f.name === 'Address') f.label = 'Address';
}

const OPPORTUNITY: ObjectDef = {
	name: 'Opportunity',
	label: 'Opportunity',
	labelPlural: 'Opportunities',
	keyPrefix: '006',
	custom: false,
	createable: true,
	updateable: true,
	deletable: true,
	childRelationships: [{ childSObject: 'Service_Job__c', field: 'Opportunity__c', relationshipName: 'Service_Jobs__r', cascadeDelete: false }],
	supportedScopes: [
		{ label: 'All opportunities', name: 'everything' },
		{ label: 'My opportunities', name: 'mine' },
	],
	fields: [
		...head('Opportunity'),
		ref('AccountId', 'Account ID', 'Account', 'Account'),
		ref('ContactId', 'Contact ID', 'Contact', 'Contact'),
		str('Name', 'Name', 120, { nillable: false, nameField: true }),
		text('Description', 'Description', 32000),
		picklist('StageName', 'Stage', OPPORTUNITY_STAGES.map((s) => s[0]), { restricted: true, nillable: false }),
		currency('Amount', 'Amount'),
		percent('Probability', 'Probability (%)', { defaultedOnCreate: true }),
		date('CloseDate', 'Close Date', { nillable: false }),
		picklist('Type', 'Opportunity Type', ['Existing Customer - Upgrade', 'Existing Customer - Replacement', 'Existing Customer - Downgrade', 'New Customer']),
		picklist('LeadSource', 'Lead Source', LEAD_SOURCES),
		bool('IsClosed', 'Closed', readOnly),
		bool('IsWon', 'Won', readOnly),
		...audit(),
		extId(),
	],
};

/** The custom object: field-service jobs, with the unique external id a sync keys on. */
const SERVICE_JOB: ObjectDef = {
	name: 'Service_Job__c',
	label: 'Service Job',
	labelPlural: 'Service Jobs',
	keyPrefix: 'a0X',
	custom: true,
	createable: true,
	updateable: true,
	deletable: true,
	childRelationships: [],
	supportedScopes: [
		{ label: 'All service jobs', name: 'everything' },
		{ label: 'My service jobs', name: 'mine' },
	],
	fields: [
		...head('Record'),
		// Text Name on a custom object: not required by the API; left blank it becomes the record's id.
		str('Name', 'Service Job Name', 80, { nameField: true, defaultedOnCreate: true }),
		...audit(),
		extId(),
		ref('Contact__c', 'Contact', 'Contact', 'Contact__r'),
		ref('Account__c', 'Account', 'Account', 'Account__r'),
		ref('Opportunity__c', 'Opportunity', 'Opportunity', 'Opportunity__r'),
		picklist('Status__c', 'Status', JOB_STATUSES, { restricted: true, defaultValue: 'Scheduled' }),
		datetime('Scheduled_Start__c', 'Scheduled Start'),
		datetime('Scheduled_End__c', 'Scheduled End'),
		currency('Amount__c', 'Amount'),
		text('Description__c', 'Description', 32768),
		str('Service_Street__c', 'Service Street', 255),
		str('Service_City__c', 'Service City', 40),
		str('Service_Postal_Code__c', 'Service Postal Code', 20),
	],
};

/** Users exist so OwnerId / LastModifiedById resolve and `Owner.Name`, `LastModifiedBy.Name` can be queried. */
const USER: ObjectDef = {
	name: 'User',
	label: 'User',
	labelPlural: 'Users',
	keyPrefix: '005',
	custom: false,
	createable: false,
	updateable: false,
	deletable: false,
	childRelationships: [],
	supportedScopes: [{ label: 'All users', name: 'everything' }],
	fields: [
		base('Id', 'User ID', 'id', { length: 18, nillable: false, ...readOnly, defaultedOnCreate: true, idLookup: true }),
		str('Username', 'Username', 80, { ...readOnly, nillable: false, unique: true, idLookup: true }),
		str('LastName', 'Last Name', 80, { ...readOnly, nillable: false }),
		str('FirstName', 'First Name', 40, readOnly),
		str('Name', 'Full Name', 121, { ...readOnly, nameField: true }),
		email('Email', 'Email', { ...readOnly, nillable: false, idLookup: false }),
		bool('IsActive', 'Active', readOnly),
		picklist('UserType', 'User Type', ['Standard'], { createable: false, updateable: false }),
		datetime('CreatedDate', 'Created Date', { nillable: false, ...readOnly, defaultedOnCreate: true }),
		datetime('LastModifiedDate', 'Last Modified Date', { nillable: false, ...readOnly, defaultedOnCreate: true }),
		datetime('SystemModstamp', 'System Modstamp', { nillable: false, ...readOnly, defaultedOnCreate: true }),
	],
};

export const OBJECT_DEFS: ObjectDef[] = [ACCOUNT, CONTACT, LEAD, OPPORTUNITY, SERVICE_JOB, USER];

export const SOAP_TYPES: Record<FieldType, string> = {
	id: 'tns:ID',
	reference: 'tns:ID',
	string: 'xsd:string',
	textarea: 'xsd:string',
	email: 'xsd:string',
	phone: 'xsd:string',
	url: 'xsd:string',
	picklist: 'xsd:string',
	boolean: 'xsd:boolean',
	datetime: 'xsd:dateTime',
	date: 'xsd:date',
	double: 'xsd:double',
	currency: 'xsd:double',
	percent: 'xsd:double',
	int: 'xsd:int',
	address: 'urn:address',
};

export const STRING_TYPES = new Set<FieldType>(['id', 'string', 'textarea', 'email', 'phone', 'url', 'picklist', 'reference']);
export const NUMBER_TYPES = new Set<FieldType>(['double', 'currency', 'percent', 'int']);

/** Long text areas cannot be filtered, grouped or sorted on. */
export function isLongText(f: FieldDef): boolean {
	return f.type === 'textarea' && f.length > 255;
}
