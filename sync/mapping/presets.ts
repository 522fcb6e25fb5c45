import type { MappingSpec } from './spec';

/**
 * Ready mappings for the FluxCascade guides. Field names are each vendor's own (the record envelope's
 * `fields`): HubSpot internal property names, Salesforce API names, Pipedrive v2 keys, Jobber GraphQL inputs.
 */
export interface MappingPreset {
	id: string;
	name: string;
	description: string;
	source: { system: string; object: string };
	target: { system: string; object: string };
	mapping: MappingSpec;
}

const JOBBER_ADDRESS_FROM_FLAT = (prefix: string, names: { street: string; city: string; state: string; zip: string; country: string }) => [
	{ source: names.street, target: `${prefix}.street1`, transform: 'trim' },
	{ source: names.city, target: `${prefix}.city`, transform: 'trim' },
	{ source: names.state, target: `${prefix}.province`, transform: 'trim' },
	{ source: names.zip, target: `${prefix}.postalCode`, transform: 'trim | uppercase' },
	{ source: names.country, target: `${prefix}.country`, transform: 'country_code' },
];

export const PRESETS: MappingPreset[] = [
	{
		id: 'hubspot_contact_to_jobber_client',
		name: 'HubSpot Contact → Jobber Client',
		description: 'Names, email, E.164 phone, company and billing address from a HubSpot contact into a Jobber client.',
		source: { system: 'hubspot', object: 'contacts' },
		target: { system: 'jobber', object: 'clients' },
		mapping: {
			name: 'HubSpot Contact → Jobber Client',
			direction: 'source_to_target',
			pairs: [
				{ source: 'firstname', target: 'firstName', transform: 'trim' },
				{ source: 'lastname', target: 'lastName', transform: 'trim' },
				{ source: 'company', target: 'companyName', transform: 'trim | truncate(maxLength=255)' },
				{ source: 'email', target: 'emails[0].address', transform: 'email_validate' },
				{ source: 'phone', target: 'phones[0].number', transform: 'phone_e164(defaultCountry=US)' },
				...JOBBER_ADDRESS_FROM_FLAT('billingAddress', { street: 'address', city: 'city', state: 'state', zip: 'zip', country: 'country' }),
			],
		},
	},
	{
		id: 'salesforce_contact_hubspot_contact',
		name: 'Salesforce Contact ⇄ HubSpot Contact',
		description: 'Two-way contact sync; values are normalised both ways and cut to Salesforce field lengths on the way back.',
		source: { system: 'salesforce', object: 'Contact' },
		target: { system: 'hubspot', object: 'contacts' },
		mapping: {
			name: 'Salesforce Contact ⇄ HubSpot Contact',
			direction: 'bidirectional',
			pairs: [
				{ source: 'FirstName', target: 'firstname', transform: 'trim', reverseTransform: 'trim | truncate(maxLength=40)' },
				{ source: 'LastName', target: 'lastname', transform: 'trim', reverseTransform: 'trim | truncate(maxLength=80)', required: true },
				{ source: 'Email', target: 'email', transform: 'email_validate' },
				{ source: 'Phone', target: 'phone', transform: 'phone_e164(defaultCountry=US)' },
				{ source: 'Title', target: 'jobtitle', transform: 'trim', reverseTransform: 'trim | truncate(maxLength=128)' },
				{ source: 'MailingStreet', target: 'address', transform: 'trim' },
				{ source: 'MailingCity', target: 'city', transform: 'trim', reverseTransform: 'trim | truncate(maxLength=40)' },
				{ source: 'MailingState', target: 'state', transform: 'trim' },
				{ source: 'MailingPostalCode', target: 'zip', transform: 'trim', reverseTransform: 'trim | truncate(maxLength=20)' },
				{ source: 'MailingCountry', target: 'country', transform: 'trim' },
			],
		},
	},
	{
		id: 'pipedrive_person_jobber_client',
		name: 'Pipedrive Person ⇄ Jobber Client',
		description: "Two-way person ⇄ client sync; Pipedrive's single-line postal address is parsed into Jobber's nested address and rebuilt on the way back.",
		source: { system: 'pipedrive', object: 'persons' },
		target: { system: 'jobber', object: 'clients' },
		mapping: {
			name: 'Pipedrive Person ⇄ Jobber Client',
			direction: 'bidirectional',
			pairs: [
				{ source: 'first_name', target: 'firstName', transform: 'trim' },
				{ source: 'last_name', target: 'lastName', transform: 'trim' },
				{ source: 'emails[0].value', target: 'emails[0].address', transform: 'email_validate' },
				{ source: 'phones[0].value', target: 'phones[0].number', transform: 'phone_e164(defaultCountry=US)' },
				{ source: 'postal_address.value', target: 'billingAddress.street1', transform: 'address_parse_street', direction: 'source_only' },
				{ source: 'postal_address.value', target: 'billingAddress.city', transform: 'address_parse_city', direction: 'source_only' },
				{ source: 'postal_address.value', target: 'billingAddress.province', transform: 'address_parse_state', direction: 'source_only' },
				{ source: 'postal_address.value', target: 'billingAddress.postalCode', transform: 'address_parse_zip', direction: 'source_only' },
				{ source: 'postal_address.value', target: 'billingAddress', transform: 'address_single_line', direction: 'target_only' },
			],
		},
	},
	{
		id: 'hubspot_deal_jobber_job',
		name: 'HubSpot Deal → Jobber Job',
		description: 'A won deal becomes a fixed-price job; the client and property come from the pairing of the deal\'s contact.',
		source: { system: 'hubspot', object: 'deals' },
		target: { system: 'jobber', object: 'jobs' },
		mapping: {
			name: 'HubSpot Deal → Jobber Job',
			direction: 'source_to_target',
			pairs: [
				{ source: 'dealname', target: 'title', transform: 'trim | truncate(maxLength=255)', required: true },
				{ source: 'description', target: 'instructions', transform: 'trim' },
				{ source: 'dealname', target: 'lineItems[0].name', transform: 'trim | truncate(maxLength=255)' },
				{ source: 'amount', target: 'lineItems[0].unitPrice', default: 0 },
				{ target: 'lineItems[0].quantity', default: 1 },
				{ target: 'lineItems[0].saveToProductsAndServices', default: false },
				{ source: 'closedate', target: 'timeframe.startAt', transform: 'date_iso(output=date)' },
				{ target: 'invoicing.invoicingType', default: 'FIXED_PRICE' },
				{ target: 'invoicing.invoicingSchedule', default: 'ON_COMPLETION' },
				{ target: 'scheduling.createVisits', default: true },
				{ target: 'scheduling.notifyTeam', default: false },
				{ target: 'scheduling.assignedTo', default: [] },
			],
		},
	},
	{
		id: 'address_flat_to_nested',
		name: 'Flat CRM address ⇄ Jobber nested address',
		description: 'HubSpot-style flat address fields (address, city, state, zip, country) ⇄ Jobber billingAddress.',
		source: { system: 'hubspot', object: 'contacts' },
		target: { system: 'jobber', object: 'clients' },
		mapping: {
			name: 'Flat address ⇄ nested address',
			direction: 'bidirectional',
			pairs: JOBBER_ADDRESS_FROM_FLAT('billingAddress', { street: 'address', city: 'city', state: 'state', zip: 'zip', country: 'country' }),
		},
	},
];

export function getPreset(id: string): MappingPreset {
	const preset = PRESETS.find((p) => p.id === id);
	if (!preset) throw new Error(`Unknown mapping preset "${id}". Known presets: ${PRESETS.map((p) => p.id).join(', ')}`);
	return preset;
}
