/**
 * Deterministic seeding from the shared people generator: contacts (with the share of dirty data asked for),
 * the companies they work for, deals for some of them, and the associations between all three. Records look
 * imported over the past year (spread create and modify stamps), and seeding sends no webhooks.
 */
import { generatePeople, type DirtyKind } from '../core/people';
import { Rng } from '../core/rng';
import type { SeedOptions, SeedSummary } from '../core/vendor';
import { objectKeyOf, type ObjectKey } from './schema';
import type { HubspotState, WriteOrigin } from './state';
import type { StoredRecord } from './store';

const DAY = 86_400_000;
const SERVICES = ['Annual maintenance plan', 'Emergency repair', 'Installation', 'Seasonal inspection', 'Equipment upgrade', 'Service contract renewal'];
const INDUSTRY_OF: Record<string, string> = {
	'Acme Plumbing': 'CONSTRUCTION',
	'Bright HVAC': 'FACILITIES_SERVICES',
	'Green Lawn Care': 'CONSUMER_SERVICES',
	'Northside Electric': 'ELECTRICAL_ELECTRONIC_MANUFACTURING',
	'Clearview Windows': 'BUILDING_MATERIALS',
	'Summit Roofing': 'CONSTRUCTION',
	'Blue Wave Pools': 'CONSUMER_SERVICES',
	'Maple Pest Control': 'ENVIRONMENTAL_SERVICES',
	'Evergreen Landscaping': 'CONSUMER_SERVICES',
	'Precision Appliance Repair': 'CONSUMER_SERVICES',
};

function domainOf(company: string): string {
	return `${company.toLowerCase().replace(/[^a-z0-9]+/g, '').slice(0, 40)}.example.com`;
}

/** Inserts a record directly: no validation, no events, stamps chosen by the seed. */
function insert(state: HubspotState, key: ObjectKey, props: Record<string, string>, createdAt: number, updatedAt: number, origin: WriteOrigin): StoredRecord {
	const store = state.stores[key];
	const rec: StoredRecord = { id: store.allocateId(), props, createdAt, updatedAt, archived: false, source: origin.source, sourceId: origin.sourceId };
	store.insert(rec);
	return rec;
}

export function seedHubspot(state: HubspotState, options: SeedOptions): SeedSummary {
	const key = objectKeyOf(options.object ?? 'contacts');
	if (!key) throw new Error(`Unknown HubSpot object to seed: ${options.object}`);
	const rng = new Rng((options.seed ?? 42) ^ 0x5eed);
	const now = state.now();
	const origin: WriteOrigin = { source: 'IMPORT', changeSource: 'IMPORT', sourceId: 'sandbox-seed' };
	const stamps = (): [number, number] => {
		const created = now - rng.int(1, 365) * DAY - rng.int(0, DAY - 1);
		const modified = created + Math.floor(rng.next() * (now - created));
		return [created, modified];
	};
	const owners = state.owners.map((o) => o.id);
	const companiesByName = new Map<string, number>();
	for (const id of state.stores.companies.live) {
		const name = state.stores.companies.byId.get(id)!.props.name;
		if (name) companiesByName.set(name, id);
	}
	const companyFor = (name: string, city: string, state_: string, country: string): number => {
		let id = companiesByName.get(name);
		if (id === undefined) {
			const [c, m] = stamps();
			const props: Record<string, string> = { name, domain: domainOf(name), city, state: state_, country, industry: INDUSTRY_OF[name] ?? 'CONSUMER_SERVICES', lifecyclestage: 'customer' };
			id = insert(state, 'companies', props, c, m, origin).id;
			companiesByName.set(name, id);
		}
		return id;
	};
	const dealFor = (dealname: string, contactId?: number, companyId?: number): number => {
		const stages = state.pipelines.get('deals')![0].stages;
		const [c, m] = stamps();
		const props: Record<string, string> = {
			dealname,
			amount: String(rng.int(2, 400) * 25),
			pipeline: state.pipelines.get('deals')![0].id,
			dealstage: rng.pick(stages).id,
			closedate: new Date(c + rng.int(7, 120) * DAY).toISOString(),
			dealtype: rng.chance(0.7) ? 'newbusiness' : 'existingbusiness',
		};
		if (rng.chance(0.8)) props.hubspot_owner_id = rng.pick(owners);
		const id = insert(state, 'deals', props, c, m, origin).id;
		if (contactId !== undefined) state.associate('deals', id, 'contacts', contactId, [3], origin, false);
		if (companyId !== undefined) state.associate('deals', id, 'companies', companyId, [5, 341], origin, false);
		return id;
	};

	const ids: string[] = [];
	const dirty: Record<string, number> = {};
	if (key === 'contacts') {
		const people = generatePeople({
			count: options.count,
			dirtyShare: options.dirtyShare,
			dirtyKinds: options.dirtyKinds as DirtyKind[] | undefined,
			seed: options.seed,
			startIndex: state.stores.contacts.allocatedCount(),
		});
		const emails = state.stores.contacts.unique.get('email')!;
		for (const p of people) {
			if (p.dirty) dirty[p.dirty] = (dirty[p.dirty] ?? 0) + 1;
			const [c, m] = stamps();
			const props: Record<string, string> = {
				firstname: p.firstName,
				lastname: p.lastName,
				company: p.company,
				jobtitle: p.jobTitle,
				address: p.street,
				city: p.city,
				state: p.state,
				zip: p.postalCode,
				country: p.country,
				lifecyclestage: rng.pick(['lead', 'lead', 'subscriber', 'opportunity', 'customer']),
				hs_pipeline: 'contacts-lifecycle-pipeline',
			};
			if (p.phone) props.phone = p.phone;
			if (rng.chance(0.6)) props.hubspot_owner_id = rng.pick(owners);
			if (p.email) {
				// HubSpot keeps emails trimmed and lower-cased and unique: an imported twin of an existing
				// contact ends up as a second contact without the email (a duplicate by name and phone),
				// while malformed legacy addresses stay as they were imported.
				const email = p.dirty === 'bad_email' ? p.email : p.email.trim().toLowerCase();
				if (!emails.has(email.toLowerCase())) props.email = email;
			}
			const contact = insert(state, 'contacts', props, c, m, origin);
			ids.push(String(contact.id));
			const companyId = companyFor(p.company, p.city, p.state, p.country);
			state.associate('contacts', contact.id, 'companies', companyId, [1, 279], origin, false);
			if (rng.chance(0.1)) dealFor(`${p.company} - ${rng.pick(SERVICES)}`, contact.id, companyId);
		}
	} else if (key === 'companies') {
		const people = generatePeople({ count: options.count, seed: options.seed, startIndex: state.stores.companies.allocatedCount() });
		people.forEach((p, i) => {
			const name = `${p.lastName} ${p.company.split(' ').slice(1).join(' ') || 'Services'} ${state.stores.companies.allocatedCount() + i}`;
			ids.push(String(companyFor(name, p.city, p.state, p.country)));
		});
	} else {
		const contacts = state.stores.contacts.live;
		for (let i = 0; i < options.count; i++) {
			const contactId = contacts.length ? contacts[rng.int(0, contacts.length - 1)] : undefined;
			let companyId: number | undefined;
			const targets = contactId !== undefined ? state.associations.targets('contacts', contactId, 'companies') : undefined;
			if (targets) companyId = targets.keys().next().value;
			ids.push(String(dealFor(`${rng.pick(SERVICES)} #${i + 1}`, contactId, companyId)));
		}
	}
	return { object: key, created: ids.length, ids, dirty };
}
