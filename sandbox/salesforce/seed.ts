/** Seeded data: people from the core generator, turned into Salesforce records the way an import would store them. */
import { generatePeople, type Person } from '../core/people';
import { Rng } from '../core/rng';
import type { SeedOptions, SeedSummary } from '../core/vendor';
import { JOB_STATUSES, LEAD_STATUSES, OPPORTUNITY_STAGES } from './schema';
import type { Database, ObjectStore, Rec } from './store';
import { blankRecord } from './write';
import { msToDate, truncateToSecond } from './values';

const ALIASES: Record<string, string> = {
	contact: 'Contact',
	contacts: 'Contact',
	account: 'Account',
	accounts: 'Account',
	lead: 'Lead',
	leads: 'Lead',
	opportunity: 'Opportunity',
	opportunities: 'Opportunity',
	service_job__c: 'Service_Job__c',
	jobs: 'Service_Job__c',
};

export function seedObjectName(name: string | undefined): string | undefined {
	if (!name) return 'Contact';
	return ALIASES[name.toLowerCase()];
}

export interface SeedEnv {
	db: Database;
	now: number;
	ownerId: string;
}

/** Clips like the Data Loader's "allow field truncation": a real org cannot hold an over-long value. */
function clip(store: ObjectStore, field: string, value: string | null): string | null {
	if (value === null) return null;
	const f = store.meta.field(field);
	return f && f.length && value.length > f.length ? value.slice(0, f.length) : value;
}

function baseRecord(store: ObjectStore, env: SeedEnv, at: number): Rec {
	const rec = blankRecord(store);
	rec.Id = env.db.ids.next(store.meta.def.keyPrefix);
	rec.IsDeleted = false;
	rec.OwnerId = env.ownerId;
	rec.CreatedDate = at;
	rec.CreatedById = env.ownerId;
	rec.LastModifiedDate = at;
	rec.LastModifiedById = env.ownerId;
	rec.SystemModstamp = at;
	return rec;
}

/**
 * Puts dirt the way it would exist in a real org: bad phones, duplicates, Unicode and stray whitespace are
 * stored as they are; an invalid email cannot be saved, so it ends up in Description with Email empty;
 * over-long values are truncated to the field length.
 */
function personFields(store: ObjectStore, p: Person, rec: Rec, prefix: 'Mailing' | ''): void {
	rec.FirstName = clip(store, 'FirstName', p.firstName);
	rec.LastName = clip(store, 'LastName', p.lastName);
	rec.Name = [p.firstName, p.lastName].filter(Boolean).join(' ');
	if (p.dirty === 'bad_email') {
		rec.Email = null;
		rec.Description = `Email on the paper form: ${p.email}`;
	} else rec.Email = p.email === null ? null : p.email.trim();
	rec.Phone = p.phone;
	rec.Title = clip(store, 'Title', p.jobTitle);
	rec[`${prefix}Street`] = p.street;
	rec[`${prefix}City`] = p.city;
	rec[`${prefix}State`] = p.state;
	rec[`${prefix}PostalCode`] = p.postalCode;
	rec[`${prefix}Country`] = p.country;
}

export function seed(options: SeedOptions, env: SeedEnv): SeedSummary {
	const objectName = seedObjectName(options.object);
	const store = objectName ? env.db.store(objectName) : undefined;
	if (!store) throw new Error(`Cannot seed object ${options.object}: use Contact, Account, Lead, Opportunity or Service_Job__c`);
	const count = Math.max(0, Math.floor(options.count));
	const seedValue = options.seed ?? 42;
	const rng = new Rng(seedValue ^ 0x5f0c);
	// People are generated in chunks (each with its own derived seed) so seeding 100,000 records never holds
	// a second full copy of the data set in memory.
	const CHUNK = 5000;
	const firstIndex = store.order.length;
	let chunk: Person[] = [];
	const personAt = (i: number): Person => {
		if (i % CHUNK === 0) {
			chunk = generatePeople({
				count: Math.min(CHUNK, count - i),
				dirtyShare: options.dirtyShare,
				dirtyKinds: options.dirtyKinds,
				seed: (seedValue + Math.floor(i / CHUNK) * 7919) >>> 0,
				startIndex: firstIndex + i,
				domain: 'example.com',
			});
		}
		return chunk[i % CHUNK];
	};
	// Spread stamps over the past 20 days, oldest first, so ORDER BY SystemModstamp matches creation order.
	const span = 20 * 86_400_000;
	const step = count > 0 ? Math.max(1, Math.floor(span / count)) : 0;
	const start = env.now - span;
	const ids: string[] = [];
	const dirty: Record<string, number> = {};
	const accounts = env.db.store('Account')!;
	const accountByKey = new Map<string, string>();
	for (const id of accounts.order) {
		const a = accounts.get(id)!;
		if (a.IsDeleted !== true) accountByKey.set(`${a.Name}|${a.BillingCity}`, id);
	}
	const accountFor = (p: Person, at: number): string => {
		const name = clip(accounts, 'Name', p.company) as string;
		const key = `${name}|${p.city}`;
		let id = accountByKey.get(key);
		if (!id) {
			const a = baseRecord(accounts, env, at);
			a.Name = name;
			a.BillingCity = p.city;
			a.BillingState = p.state;
			a.BillingCountry = p.country;
			a.Type = 'Customer - Direct';
			accounts.insert(a);
			id = a.Id as string;
			accountByKey.set(key, id);
		}
		return id;
	};
	const contacts = env.db.store('Contact')!;
	for (let i = 0; i < count; i++) {
		const p = personAt(i);
		const at = truncateToSecond(start + i * step);
		if (p.dirty) dirty[p.dirty] = (dirty[p.dirty] ?? 0) + 1;
		let rec: Rec;
		switch (store.meta.name) {
			case 'Contact':
				rec = baseRecord(store, env, at);
				personFields(store, p, rec, 'Mailing');
				rec.AccountId = accountFor(p, at);
				rec.LeadSource = rng.pick(['Web', 'Phone Inquiry', 'Partner Referral', 'Other']);
				if (rng.chance(0.3)) rec.MobilePhone = p.phone;
				break;
			case 'Lead':
				rec = baseRecord(store, env, at);
				personFields(store, p, rec, '');
				rec.Company = clip(store, 'Company', p.company);
				rec.Status = rng.pick(LEAD_STATUSES.slice(0, 2));
				break;
			case 'Account':
				rec = baseRecord(store, env, at);
				rec.Name = clip(store, 'Name', `${p.company} – ${p.lastName}`);
				rec.Phone = p.phone;
				rec.BillingStreet = p.street;
				rec.BillingCity = p.city;
				rec.BillingState = p.state;
				rec.BillingPostalCode = p.postalCode;
				rec.BillingCountry = p.country;
				rec.Industry = rng.pick(['Construction', 'Utilities', 'Hospitality', 'Retail']);
				break;
			case 'Opportunity': {
				rec = baseRecord(store, env, at);
				const [stage, probability, closed, won] = rng.pick(OPPORTUNITY_STAGES);
				rec.Name = clip(store, 'Name', `${p.company} – ${p.lastName} service contract`);
				rec.AccountId = accountFor(p, at);
				rec.StageName = stage;
				rec.Probability = probability;
				rec.IsClosed = closed;
				rec.IsWon = won;
				rec.Amount = rng.int(5, 500) * 100;
				rec.CloseDate = msToDate(env.now + rng.int(-60, 120) * 86_400_000);
				break;
			}
			default: {
				rec = baseRecord(store, env, at);
				const contactIds = contacts.order;
				const contactId = contactIds.length ? contactIds[rng.int(0, contactIds.length - 1)] : null;
				const startAt = truncateToSecond(env.now + rng.int(-30, 30) * 86_400_000);
				rec.Name = clip(store, 'Name', `${p.jobTitle === 'Homeowner' ? 'Home visit' : 'Site visit'} – ${p.lastName}`);
				rec.Contact__c = contactId;
				rec.Account__c = contactId ? (contacts.get(contactId)!.AccountId as string | null) : null;
				rec.Status__c = rng.pick(JOB_STATUSES);
				rec.Scheduled_Start__c = startAt;
				rec.Scheduled_End__c = startAt + 2 * 3_600_000;
				rec.Amount__c = rng.int(1, 40) * 25;
				rec.Service_Street__c = p.street;
				rec.Service_City__c = p.city;
				rec.Service_Postal_Code__c = p.postalCode;
				break;
			}
		}
		store.insert(rec);
		ids.push(rec.Id as string);
	}
	return { object: store.meta.name, created: count, ids, dirty };
}
