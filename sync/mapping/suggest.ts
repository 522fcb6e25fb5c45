/**
 * Suggests field pairs from field names: `FirstName` ↔ `firstname` ↔ `first_name`, `zip` ↔ `postalCode`,
 * `emails[0].value` ↔ `email`. A suggestion is a starting point the user confirms, so it errs towards precision.
 */

export interface PairSuggestion {
	source: string;
	target: string;
	/** 0..1: 1 for the same normalised name, 0.9 for a known synonym, lower for similar names. */
	score: number;
	/** A transform that fits the concept (phone_e164 for phones, email_validate for emails…). */
	transform?: string;
	concept?: string;
}

/** Concepts and the normalised names that mean them across HubSpot, Salesforce, Pipedrive and Jobber. */
const CONCEPTS: Record<string, { names: string[]; transform?: string }> = {
	first_name: { names: ['firstname', 'first', 'givenname', 'fname'], transform: 'trim' },
	last_name: { names: ['lastname', 'last', 'surname', 'familyname', 'lname'], transform: 'trim' },
	full_name: { names: ['name', 'fullname', 'contactname'], transform: 'trim' },
	email: { names: ['email', 'emailaddress', 'emails0address', 'emails0value', 'primaryemail', 'mail'], transform: 'email_validate' },
	phone: { names: ['phone', 'phonenumber', 'phones0number', 'phones0value', 'telephone', 'tel', 'workphone', 'primaryphone'], transform: 'phone_e164' },
	mobile: { names: ['mobile', 'mobilephone', 'cellphone', 'cell'], transform: 'phone_e164' },
	company: { names: ['company', 'companyname', 'organization', 'organisation', 'orgname', 'accountname', 'business'], transform: 'trim' },
	job_title: { names: ['title', 'jobtitle', 'position', 'role'], transform: 'trim' },
	street: { names: ['street', 'street1', 'address', 'address1', 'addressline1', 'streetaddress', 'mailingstreet', 'billingstreet', 'billingaddressstreet1', 'route'], transform: 'trim' },
	street2: { names: ['street2', 'address2', 'addressline2', 'unit', 'billingaddressstreet2'], transform: 'trim' },
	city: { names: ['city', 'town', 'locality', 'mailingcity', 'billingcity', 'billingaddresscity'], transform: 'trim' },
	state: { names: ['state', 'province', 'region', 'stateprovince', 'mailingstate', 'billingstate', 'billingaddressprovince', 'adminarealevel1'], transform: 'trim' },
	postal_code: { names: ['zip', 'zipcode', 'postalcode', 'postcode', 'mailingpostalcode', 'billingpostalcode', 'billingaddresspostalcode'], transform: 'trim' },
	country: { names: ['country', 'countrycode', 'mailingcountry', 'billingcountry', 'billingaddresscountry'], transform: 'country_code' },
	created_at: { names: ['createdate', 'createdat', 'createddate', 'addtime'], transform: 'date_iso' },
	updated_at: { names: ['lastmodifieddate', 'hslastmodifieddate', 'updatedat', 'updatetime', 'lastmodified', 'systemmodstamp'], transform: 'date_iso' },
	deal_name: { names: ['dealname', 'opportunityname', 'dealtitle'], transform: 'trim' },
	amount: { names: ['amount', 'value', 'dealvalue', 'total'] },
	close_date: { names: ['closedate', 'expectedclosedate'], transform: 'date_iso' },
	notes: { names: ['notes', 'description', 'instructions', 'comments'], transform: 'trim' },
};

const CONCEPT_BY_NAME = new Map<string, string>();
for (const [concept, { names }] of Object.entries(CONCEPTS)) for (const n of names) CONCEPT_BY_NAME.set(n, concept);

/** `billingAddress.postalCode` → `billingaddresspostalcode`; `emails[0].address` → `emails0address`. */
export function normaliseFieldName(name: string): string {
	return name.toLowerCase().replace(/__c$/, '').replace(/^hs_/, '').replace(/[^a-z0-9]/g, '');
}

function conceptOf(name: string): string | undefined {
	const n = normaliseFieldName(name);
	const direct = CONCEPT_BY_NAME.get(n);
	if (direct) return direct;
	// `properties.firstname`, `data.email`: judge the last segment too.
	const last = name.split(/[.[\]]/).filter(Boolean).pop();
	return last ? CONCEPT_BY_NAME.get(normaliseFieldName(last)) : undefined;
}

function bigrams(s: string): Map<string, number> {
	const out = new Map<string, number>();
	for (let i = 0; i < s.length - 1; i++) {
		const g = s.slice(i, i + 2);
		out.set(g, (out.get(g) ?? 0) + 1);
	}
	return out;
}

/** Dice coefficient over character bigrams of the normalised names. */
function similarity(a: string, b: string): number {
	const x = normaliseFieldName(a);
	const y = normaliseFieldName(b);
	if (x === y) return 1;
	if (x.length < 2 || y.length < 2) return 0;
	const bx = bigrams(x);
	const by = bigrams(y);
	let overlap = 0;
	for (const [g, n] of bx) overlap += Math.min(n, by.get(g) ?? 0);
	return (2 * overlap) / (x.length - 1 + (y.length - 1));
}

/**
 * One-to-one suggestions, best first: each source and each target is used at most once.
 * `minScore` (default 0.75) keeps weak look-alikes out.
 */
export function suggestPairs(sourceFields: string[], targetFields: string[], minScore = 0.75): PairSuggestion[] {
	const candidates: PairSuggestion[] = [];
	for (const source of sourceFields) {
		const sc = conceptOf(source);
		for (const target of targetFields) {
			const tc = conceptOf(target);
			let score: number;
			let concept: string | undefined;
			if (normaliseFieldName(source) === normaliseFieldName(target)) {
				score = 1;
				concept = sc ?? tc;
			} else if (sc && sc === tc) {
				score = 0.9;
				concept = sc;
			} else if (sc && tc && sc !== tc) {
				continue; // Known, different concepts (city vs state) never pair, however alike the names.
			} else {
				score = similarity(source, target) * 0.85;
			}
			if (score >= minScore) {
				const transform = concept ? CONCEPTS[concept].transform : undefined;
				candidates.push({ source, target, score: Math.round(score * 100) / 100, ...(transform ? { transform } : {}), ...(concept ? { concept } : {}) });
			}
		}
	}
	candidates.sort((a, b) => b.score - a.score || a.source.localeCompare(b.source) || a.target.localeCompare(b.target));
	const usedSources = new Set<string>();
	const usedTargets = new Set<string>();
	const out: PairSuggestion[] = [];
	for (const c of candidates) {
		if (usedSources.has(c.source) || usedTargets.has(c.target)) continue;
		usedSources.add(c.source);
		usedTargets.add(c.target);
		out.push(c);
	}
	return out;
}
