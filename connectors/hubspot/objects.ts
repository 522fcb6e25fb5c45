/**
 * The HubSpot CRM objects this connector syncs, with the facts that differ per object (crm-apis.md §1.3,
 * §1.7): the server-side modified stamp, the sync-relevant properties, and the association type ids.
 */

export type HubSpotObject = 'contacts' | 'companies' | 'deals';

export const HUBSPOT_OBJECTS: readonly HubSpotObject[] = ['contacts', 'companies', 'deals'];

export interface ObjectFacts {
	singular: 'contact' | 'company' | 'deal';
	label: string;
	plural: string;
	/** Object type id (`0-1`), used in record URLs and webhook payloads. */
	typeId: string;
	/** Contacts stamp `lastmodifieddate`, companies and deals `hs_lastmodifieddate`. */
	modifiedProperty: 'lastmodifieddate' | 'hs_lastmodifieddate';
	/** Read when the caller names no properties: the fields a CRM ⇄ field-service sync uses. */
	syncProperties: string[];
	/** Natural match key (upsert idProperty) when the caller names none. */
	defaultMatchKey?: string;
}

export const OBJECT_FACTS: Record<HubSpotObject, ObjectFacts> = {
	contacts: {
		singular: 'contact',
		label: 'Contact',
		plural: 'Contacts',
		typeId: '0-1',
		modifiedProperty: 'lastmodifieddate',
		syncProperties: [
			'email', 'firstname', 'lastname', 'phone', 'mobilephone', 'company', 'jobtitle', 'address', 'city', 'state', 'zip', 'country',
			'lifecyclestage', 'hs_lead_status', 'hubspot_owner_id', 'createdate', 'lastmodifieddate',
		],
		defaultMatchKey: 'email',
	},
	companies: {
		singular: 'company',
		label: 'Company',
		plural: 'Companies',
		typeId: '0-2',
		modifiedProperty: 'hs_lastmodifieddate',
		syncProperties: ['name', 'domain', 'phone', 'address', 'city', 'state', 'zip', 'country', 'industry', 'hubspot_owner_id', 'createdate', 'hs_lastmodifieddate'],
	},
	deals: {
		singular: 'deal',
		label: 'Deal',
		plural: 'Deals',
		typeId: '0-3',
		modifiedProperty: 'hs_lastmodifieddate',
		syncProperties: ['dealname', 'amount', 'pipeline', 'dealstage', 'closedate', 'hubspot_owner_id', 'createdate', 'hs_lastmodifieddate'],
	},
};

/** Resolves `contact`, `Contacts`, `0-1` … to the object key; undefined for anything else. */
export function hubspotObject(name: string): HubSpotObject | undefined {
	const n = name.trim().toLowerCase();
	for (const key of HUBSPOT_OBJECTS) {
		const f = OBJECT_FACTS[key];
		if (n === key || n === f.singular || n === f.typeId) return key;
	}
	return undefined;
}

/**
 * HUBSPOT_DEFINED association type ids (crm-apis.md §1.7): the unlabeled ("default") type and the
 * Primary label, per direction. Pairs without a Primary label have none.
 */
export const ASSOCIATION_TYPES: Record<string, { unlabeled: number; primary?: number }> = {
	'contacts->companies': { unlabeled: 279, primary: 1 },
	'companies->contacts': { unlabeled: 280, primary: 2 },
	'deals->contacts': { unlabeled: 3 },
	'contacts->deals': { unlabeled: 4 },
	'deals->companies': { unlabeled: 341, primary: 5 },
	'companies->deals': { unlabeled: 342, primary: 6 },
};

export function associationTypeId(from: HubSpotObject, to: HubSpotObject, primary = false): number {
	const t = ASSOCIATION_TYPES[`${from}->${to}`];
	if (!t) throw new Error(`HubSpot has no association between ${from} and ${to}`);
	if (primary) {
		if (t.primary === undefined) throw new Error(`HubSpot has no Primary association from ${from} to ${to}`);
		return t.primary;
	}
	return t.unlabeled;
}
