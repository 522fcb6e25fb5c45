import { Rng } from './rng';

/**
 * Realistic, seeded customer records with a controlled share of dirty data, in a vendor-neutral shape.
 * Each vendor turns them into its own records, so every sandbox holds the same kinds of mess users have.
 */
export type DirtyKind = 'bad_phone' | 'missing_email' | 'bad_email' | 'duplicate' | 'too_long' | 'unicode' | 'whitespace';

export const DIRTY_KINDS: readonly DirtyKind[] = ['bad_phone', 'missing_email', 'bad_email', 'duplicate', 'too_long', 'unicode', 'whitespace'];

export interface Person {
	firstName: string;
	lastName: string;
	email: string | null;
	phone: string | null;
	company: string;
	jobTitle: string;
	street: string;
	city: string;
	state: string;
	postalCode: string;
	country: 'US' | 'CA';
	/** Which kind of dirt this record carries, if any (for assertions; never sent by a vendor API). */
	dirty: DirtyKind | null;
}

const FIRST = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Carlos', 'Maria', 'Wei', 'Priya', 'Ahmed', 'Fatima', 'Olivia', 'Liam', 'Noah', 'Emma', 'Chloé', 'Mathieu'];
const LAST = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Tremblay', 'Gagnon', 'Roy', 'Chen', 'Patel', 'Nguyen', "O'Brien", 'McDonald', 'van der Berg', 'Kowalski'];
const UNICODE_NAMES: Array<[string, string]> = [['Zoë', 'Núñez'], ['李', '雷'], ['שרה', 'כהן'], ['Łukasz', 'Żółć'], ['Ängel', 'Øster'], ['José', 'Muñoz-García'], ['Nguyễn', 'Thị Minh']];
const COMPANIES = ['Acme Plumbing', 'Bright HVAC', 'Green Lawn Care', 'Northside Electric', 'Clearview Windows', 'Summit Roofing', 'Blue Wave Pools', 'Maple Pest Control', 'Evergreen Landscaping', 'Precision Appliance Repair'];
const TITLES = ['Owner', 'Office Manager', 'Facilities Lead', 'Homeowner', 'Property Manager', 'Operations Director'];
const STREETS = ['Main St', 'Oak Ave', 'Maple Dr', 'Cedar Ln', 'Pine St', 'Elm St', 'Washington Blvd', 'Lakeview Rd', 'Sunset Ave', 'Park Pl'];
const US_PLACES: Array<[string, string, string]> = [['Springfield', 'IL', '627'], ['Austin', 'TX', '787'], ['Denver', 'CO', '802'], ['Portland', 'OR', '972'], ['Columbus', 'OH', '432'], ['Raleigh', 'NC', '276'], ['Phoenix', 'AZ', '850'], ['Boston', 'MA', '021']];
const CA_PLACES: Array<[string, string, string]> = [['Toronto', 'ON', 'M5V'], ['Montréal', 'QC', 'H3B'], ['Vancouver', 'BC', 'V6B'], ['Calgary', 'AB', 'T2P'], ['Ottawa', 'ON', 'K1P']];
// Area codes with valid exchanges, so clean phones pass a real phone-number validator.
const US_AREA = ['217', '512', '303', '503', '614', '919', '602', '617'];
const CA_AREA = ['416', '514', '604', '403', '613'];
const BAD_PHONES = ['(555) ABC-1234', 'call me maybe', '12', 'n/a', '+1 (000) 000-0000 x', 'ask for Bob'];
const BAD_EMAILS = ['jane@@example.com', 'no-at-sign.example.com', 'bob@', 'spaces in@example.com', 'x@y'];

export interface GenerateOptions {
	count: number;
	/** Share (0..1) of records carrying one kind of dirt. Default 0. */
	dirtyShare?: number;
	/** Restrict dirt to these kinds (default all). */
	dirtyKinds?: DirtyKind[];
	seed?: number;
	/** Offset into the deterministic sequence, so two seeds of N do not repeat emails. */
	startIndex?: number;
	/** Email domain for generated addresses. */
	domain?: string;
}

export function generatePeople(options: GenerateOptions): Person[] {
	const rng = new Rng(options.seed ?? 42);
	const kinds = options.dirtyKinds ?? DIRTY_KINDS;
	const out: Person[] = [];
	// Clean records with an email, kept as we go: a duplicate copies one of them (no rescans of `out`).
	const twins: Person[] = [];
	const start = options.startIndex ?? 0;
	for (let i = 0; i < options.count; i++) {
		const n = start + i;
		const canada = rng.chance(0.25);
		const [city, state, zipPrefix] = canada ? rng.pick(CA_PLACES) : rng.pick(US_PLACES);
		const first = rng.pick(FIRST);
		const last = rng.pick(LAST);
		const area = canada ? rng.pick(CA_AREA) : rng.pick(US_AREA);
		const local = `${rng.int(2, 9)}${rng.int(10, 99)}-${String(rng.int(0, 9999)).padStart(4, '0')}`;
		const person: Person = {
			firstName: first,
			lastName: last,
			email: `${first}.${last}.${n}@${options.domain ?? 'example.com'}`.toLowerCase().replace(/[^a-z0-9.@-]/g, ''),
			phone: rng.chance(0.5) ? `(${area}) ${local}` : `${area}-${local}`,
			company: rng.pick(COMPANIES),
			jobTitle: rng.pick(TITLES),
			street: `${rng.int(1, 9999)} ${rng.pick(STREETS)}${rng.chance(0.2) ? ` Apt ${rng.int(1, 40)}` : ''}`,
			city,
			state,
			postalCode: canada
				? `${zipPrefix} ${rng.int(1, 9)}${String.fromCharCode(65 + rng.int(0, 25))}${rng.int(1, 9)}`
				: `${zipPrefix}${String(rng.int(0, 99)).padStart(2, '0')}`,
			country: canada ? 'CA' : 'US',
			dirty: null,
		};
		if (options.dirtyShare && rng.chance(options.dirtyShare)) {
			const kind = rng.pick(kinds);
			person.dirty = kind;
			switch (kind) {
				case 'bad_phone':
					person.phone = rng.pick(BAD_PHONES);
					break;
				case 'missing_email':
					person.email = null;
					break;
				case 'bad_email':
					person.email = rng.pick(BAD_EMAILS);
					break;
				case 'duplicate': {
					// Same person entered twice, with the email in other case: the classic duplicate.
					if (twins.length > 0) {
						const twin = rng.pick(twins);
						Object.assign(person, { ...twin, email: twin.email!.toUpperCase(), dirty: 'duplicate' as const });
					} else person.dirty = null;
					break;
				}
				case 'too_long':
					person.company = `${person.company} `.repeat(40).trim();
					person.jobTitle = 'Senior '.repeat(30).trim();
					break;
				case 'unicode': {
					const [f, l] = rng.pick(UNICODE_NAMES);
					person.firstName = f;
					person.lastName = l;
					break;
				}
				case 'whitespace':
					person.firstName = `  ${person.firstName} `;
					person.email = ` ${person.email!.toUpperCase()}  `;
					break;
			}
		}
		out.push(person);
		if (!person.dirty && person.email) twins.push(person);
	}
	return out;
}
