/**
 * Deterministic seeding: persons from the shared realistic-people generator (with its controlled share of dirty
 * data), the organizations they work for, and deals in the default pipeline. Seeding is a bulk import: no
 * webhooks, no rate-limit charge; timestamps spread over the recent past so `updated_since` has something to cut.
 */
import { generatePeople, type Person } from '../core/people';
import { Rng } from '../core/rng';
import type { SeedOptions, SeedSummary } from '../core/vendor';
import { compactContacts, type Company, type DealRow, type Json, type OrgRow, type PersonRow } from './company';
import type { Row } from './store';

const EMPTY: never[] = Object.freeze([]) as unknown as never[];
const JOB_TYPES = ['Installation', 'Repair', 'Maintenance', 'Inspection'];

export function normaliseObject(object: string | undefined): 'persons' | 'organizations' | 'deals' | null {
	switch ((object ?? 'persons').toLowerCase()) {
		case 'persons':
		case 'person':
		case 'people':
			return 'persons';
		case 'organizations':
		case 'organization':
		case 'orgs':
			return 'organizations';
		case 'deals':
		case 'deal':
			return 'deals';
		default:
			return null;
	}
}

/** Times for n new rows: increasing, up to now, never before the table's newest update (so inserts append). */
function timeline(company: Company, table: { byUpdateTime(): readonly Row[] }, n: number): (i: number) => number {
	const now = company.now();
	const newest = table.byUpdateTime().at(-1)?.updateTime ?? -Infinity;
	const start = Math.max(now - n * 1000, newest + 1);
	const step = n > 0 ? Math.max(0, now - start) / n : 0;
	return (i) => Math.floor(start + i * step);
}

/** One shared copy of each repeated string (street names, numbers): a copy per row adds up at 100k rows. */
const interned = new Map<string, string>();
function intern(s: string): string {
	const hit = interned.get(s);
	if (hit !== undefined) return hit;
	interned.set(s, s);
	return s;
}

function address(p: Person): Json {
	const [num, ...rest] = p.street.split(' ');
	const number = intern(num);
	return {
		// join() builds a flat string; a template literal leaves a chain of cons strings (~3× the memory at 100k rows).
		value: [p.street, p.city, [p.state, p.postalCode].join(' '), p.country === 'US' ? 'USA' : 'Canada'].join(', '),
		subpremise: null,
		street_number: /^\d+$/.test(number) ? number : null,
		route: intern(/^\d+$/.test(number) ? rest.join(' ') : p.street),
		sublocality: null,
		locality: p.city,
		admin_area_level_1: p.state,
		admin_area_level_2: null,
		country: p.country === 'US' ? 'United States' : 'Canada',
		postal_code: intern(p.postalCode),
	};
}

export function seed(company: Company, options: SeedOptions): SeedSummary {
	const object = normaliseObject(options.object);
	if (!object) throw new Error(`Unknown object "${options.object}" (use persons, organizations or deals)`);
	const count = Math.max(0, Math.floor(options.count));
	if (object === 'persons') return seedPersons(company, count, options);
	if (object === 'organizations') return seedOrganizations(company, count, options);
	return seedDeals(company, count, options);
}

function customDefs(company: Company, entity: 'person' | 'organization' | 'deal') {
	const byName = (name: string) => company.fields.byName(entity, name);
	return byName;
}

function seedPersons(company: Company, count: number, options: SeedOptions): SeedSummary {
	const rng = new Rng((options.seed ?? 42) ^ 0x5eed);
	const people = generatePeople({ count, dirtyShare: options.dirtyShare, dirtyKinds: options.dirtyKinds, seed: options.seed, startIndex: company.persons.size });
	const def = customDefs(company, 'person');
	const customerType = def('Customer Type');
	const serviceAddress = def('Service Address');
	const preferred = def('Preferred Contact');
	const ltv = def('Lifetime Value');
	const lastService = def('Last Service Date');
	const orgByName = new Map<string, number>();
	for (const o of company.organizations.values()) if (!o.deleted) orgByName.set(o.name, o.id);
	const owners = company.users.map((u) => u.id);
	const at = timeline(company, company.persons, count);
	const orgAt = timeline(company, company.organizations, count);
	const ids: string[] = [];
	const dirty: Record<string, number> = {};
	people.forEach((p, i) => {
		const t = at(i);
		let orgId: number | null = null;
		// Most customers belong to a local branch of a company; homeowners often have none.
		if (rng.chance(0.7)) {
			const orgName = intern([p.company, p.city].join(' – '));
			orgId = orgByName.get(orgName) ?? null;
			if (orgId === null) {
				const org = newSeedOrg(company, orgName, address(p), owners[0], orgAt(i));
				orgByName.set(orgName, org.id);
				orgId = org.id;
			}
		}
		const addr = address(p);
		const custom: Json = {};
		if (customerType?.options) custom[customerType.key] = rng.pick(customerType.options).id;
		if (serviceAddress) custom[serviceAddress.key] = addr;
		if (preferred?.options && rng.chance(0.4)) custom[preferred.key] = [rng.pick(preferred.options).id];
		if (ltv && rng.chance(0.5)) custom[ltv.key] = { value: rng.int(100, 25_000), currency: p.country === 'US' ? 'USD' : 'CAD' };
		if (lastService && rng.chance(0.3)) custom[lastService.key] = intern(new Date(t - rng.int(1, 365) * 86_400_000).toISOString().slice(0, 10));
		const name = [p.firstName, p.lastName].join(' ');
		const row: PersonRow = {
			id: company.persons.allocateId(),
			addTime: t,
			updateTime: t,
			deleted: false,
			deleteTime: null,
			name,
			firstName: p.firstName,
			lastName: p.lastName,
			ownerId: owners[i % owners.length],
			orgId,
			emails: p.email === null ? EMPTY : compactContacts([{ value: p.email, primary: true, label: 'work' }]),
			phones: p.phone === null ? EMPTY : compactContacts([{ value: p.phone, primary: true, label: rng.chance(0.3) ? 'mobile' : 'work' }]),
			im: EMPTY,
			visibleTo: 3,
			labelIds: EMPTY,
			pictureId: null,
			notes: null,
			birthday: null,
			jobTitle: p.jobTitle,
			postalAddress: addr,
			custom,
		};
		company.created('person', row, 'app', row.ownerId, true);
		ids.push(String(row.id));
		if (p.dirty) dirty[p.dirty] = (dirty[p.dirty] ?? 0) + 1;
	});
	return { object: 'persons', created: people.length, ids, dirty };
}

function newSeedOrg(company: Company, name: string, addr: Json, ownerId: number, t: number): OrgRow {
	const def = customDefs(company, 'organization');
	const industry = def('Industry');
	const custom: Json = {};
	if (industry?.options) custom[industry.key] = industry.options[name.length % industry.options.length].id;
	const row: OrgRow = {
		id: company.organizations.allocateId(),
		addTime: t,
		updateTime: Math.max(t, company.organizations.byUpdateTime().at(-1)?.updateTime ?? t),
		deleted: false,
		deleteTime: null,
		name,
		ownerId,
		address: { ...addr, formatted_address: addr.value },
		visibleTo: 3,
		labelIds: EMPTY,
		custom,
	};
	return company.created('organization', row, 'app', ownerId, true);
}

function seedOrganizations(company: Company, count: number, options: SeedOptions): SeedSummary {
	const people = generatePeople({ count, dirtyShare: options.dirtyShare, dirtyKinds: options.dirtyKinds, seed: options.seed, startIndex: company.organizations.size });
	const at = timeline(company, company.organizations, count);
	const ids: string[] = [];
	const dirty: Record<string, number> = {};
	people.forEach((p, i) => {
		const org = newSeedOrg(company, `${p.company} ${p.city}${i >= 10 ? ` #${company.organizations.size + 1}` : ''}`, address(p), company.users[0].id, at(i));
		ids.push(String(org.id));
		if (p.dirty === 'too_long' || p.dirty === 'unicode') dirty[p.dirty] = (dirty[p.dirty] ?? 0) + 1;
	});
	return { object: 'organizations', created: count, ids, dirty };
}

function seedDeals(company: Company, count: number, options: SeedOptions): SeedSummary {
	const rng = new Rng((options.seed ?? 42) ^ 0xdea1);
	const live: PersonRow[] = [];
	for (const p of company.persons.values()) if (!p.deleted) live.push(p);
	// Deals need contacts: seed persons first when there are none.
	if (live.length === 0) {
		seedPersons(company, Math.max(1, Math.ceil(count / 2)), options);
		for (const p of company.persons.values()) if (!p.deleted) live.push(p);
	}
	const pipeline = company.defaultPipeline();
	const stages = [...company.stages.values()].filter((s) => !s.deleted && s.pipelineId === pipeline?.id);
	if (!pipeline || stages.length === 0) throw new Error('No pipeline with stages to seed deals into');
	const def = customDefs(company, 'deal');
	const jobType = def('Job Type');
	const estimate = def('Estimate Amount');
	const at = timeline(company, company.deals, count);
	const ids: string[] = [];
	for (let i = 0; i < count; i++) {
		const person = rng.pick(live);
		const t = at(i);
		const stage = rng.pick(stages);
		const roll = rng.next();
		const status: DealRow['status'] = roll < 0.75 ? 'open' : roll < 0.9 ? 'won' : 'lost';
		const job = rng.pick(JOB_TYPES);
		const value = rng.int(2, 400) * 50;
		const custom: Json = {};
		if (jobType?.options) custom[jobType.key] = jobType.options.find((o) => o.label === job)?.id ?? jobType.options[0].id;
		if (estimate) custom[estimate.key] = { value, currency: 'USD' };
		const row: DealRow = {
			id: company.deals.allocateId(),
			addTime: t,
			updateTime: t,
			deleted: false,
			deleteTime: null,
			title: `${person.name.trim()} – ${job}`,
			creatorUserId: person.ownerId,
			ownerId: person.ownerId,
			personId: person.id,
			orgId: person.orgId,
			pipelineId: pipeline.id,
			stageId: stage.id,
			value,
			currency: 'USD',
			stageChangeTime: null,
			status,
			probability: null,
			lostReason: status === 'lost' ? rng.pick(['Price too high', 'Went with competitor', 'No response']) : null,
			visibleTo: 3,
			closeTime: status === 'open' ? null : t,
			wonTime: status === 'won' ? t : null,
			firstWonTime: status === 'won' ? t : null,
			lostTime: status === 'lost' ? t : null,
			expectedCloseDate: new Date(t + rng.int(7, 90) * 86_400_000).toISOString().slice(0, 10),
			labelIds: EMPTY,
			isArchived: false,
			archiveTime: null,
			origin: 'ManuallyCreated',
			originId: null,
			channel: null,
			channelId: null,
			custom,
		};
		company.created('deal', row, 'app', row.ownerId, true);
		ids.push(String(row.id));
	}
	return { object: 'deals', created: count, ids, dirty: {} };
}
