/**
 * One sandbox Pipedrive company: the stored persons, organizations, deals, stages and pipelines, their
 * relationship indexes, the field registry, and the v2/v1 renderings of each record.
 */
import type { VendorContext } from '../core/vendor';
import { customSearchText, customToV1, FieldRegistry, type EntityKind, type FieldDef } from './fields';
import type { ResolvedOptions } from './options';
import { Table, type Row } from './store';
import { v1Time, v2Time } from './time';

export type Json = Record<string, unknown>;
export type EntityName = 'person' | 'organization' | 'deal' | 'stage' | 'pipeline';
export type ChangeSource = 'api' | 'app';

export interface Contact {
	value: string;
	primary: boolean;
	label: string;
}

/**
 * A stored contact list. The usual single primary "work" entry is kept as its bare string: an array plus an
 * object per list costs ~100 bytes, which is ~20 MB across 100,000 persons' emails and phones.
 */
export type Contacts = readonly Contact[] | string;

const NO_CONTACTS: readonly Contact[] = Object.freeze([]);

export function contactList(c: Contacts): readonly Contact[] {
	return typeof c === 'string' ? [{ value: c, primary: true, label: 'work' }] : c;
}

export function compactContacts(list: readonly Contact[]): Contacts {
	if (list.length === 0) return NO_CONTACTS;
	if (list.length === 1 && list[0].primary && list[0].label === 'work') return list[0].value;
	return list;
}

export interface PersonRow extends Row {
	name: string;
	firstName: string | null;
	lastName: string | null;
	ownerId: number;
	orgId: number | null;
	emails: Contacts;
	phones: Contacts;
	im: Contacts;
	visibleTo: number;
	labelIds: number[];
	pictureId: number | null;
	notes: string | null;
	birthday: string | null;
	jobTitle: string | null;
	postalAddress: Json | null;
	/** Set custom values only (v2 shapes), keyed by field hash. */
	custom: Json;
}

export interface OrgRow extends Row {
	name: string;
	ownerId: number;
	address: Json | null;
	visibleTo: number;
	labelIds: number[];
	custom: Json;
}

export type DealStatus = 'open' | 'won' | 'lost';

export interface DealRow extends Row {
	title: string;
	creatorUserId: number;
	ownerId: number;
	personId: number | null;
	orgId: number | null;
	pipelineId: number;
	stageId: number;
	value: number;
	currency: string;
	stageChangeTime: number | null;
	status: DealStatus;
	probability: number | null;
	lostReason: string | null;
	visibleTo: number;
	closeTime: number | null;
	wonTime: number | null;
	firstWonTime: number | null;
	lostTime: number | null;
	expectedCloseDate: string | null;
	labelIds: number[];
	isArchived: boolean;
	archiveTime: number | null;
	origin: string;
	originId: string | null;
	channel: number | null;
	channelId: string | null;
	custom: Json;
}

export interface StageRow extends Row {
	name: string;
	pipelineId: number;
	orderNr: number;
	dealProbability: number;
	rotEnabled: boolean;
	daysToRotten: number | null;
}

export interface PipelineRow extends Row {
	name: string;
	orderNr: number;
	probabilityEnabled: boolean;
	isSelected: boolean;
}

export type AnyRow = PersonRow | OrgRow | DealRow | StageRow | PipelineRow;

export interface ChangeEvent {
	entity: EntityName;
	action: 'create' | 'change' | 'delete';
	id: number;
	source: ChangeSource;
	userId: number;
	/** Snapshots (deep copies) before and after the write; null where the record did not / no longer exist. */
	before: AnyRow | null;
	after: AnyRow | null;
	/** Set on merge events (delete of the merged-away record / change of the surviving one). */
	mergedToId?: number;
	mergedFromId?: number;
}

export interface UserInfo {
	id: number;
	name: string;
	email: string;
}

/** Soft-deleted records stay readable for 30 days, then they are purged. */
export const PURGE_AFTER_MS = 30 * 24 * 3600 * 1000;

export const ENTITY_LABEL: Record<EntityName, string> = {
	person: 'Person',
	organization: 'Organization',
	deal: 'Deal',
	stage: 'Stage',
	pipeline: 'Pipeline',
};

/** Pipedrive's default pipeline for a new company. */
const DEFAULT_STAGES = ['Qualified', 'Contact Made', 'Demo Scheduled', 'Proposal Made', 'Negotiations Started'];

function addToIndex(index: Map<number, Set<number>>, key: number | null, id: number): void {
	if (key === null) return;
	let set = index.get(key);
	if (!set) index.set(key, (set = new Set()));
	set.add(id);
}

function removeFromIndex(index: Map<number, Set<number>>, key: number | null, id: number): void {
	if (key === null) return;
	const set = index.get(key);
	if (!set) return;
	set.delete(id);
	if (set.size === 0) index.delete(key);
}

function snapshot<T extends AnyRow>(row: T): T {
	return structuredClone(row);
}

export class Company {
	readonly persons = new Table<PersonRow>();
	readonly organizations = new Table<OrgRow>();
	readonly deals = new Table<DealRow>();
	readonly stages = new Table<StageRow>();
	readonly pipelines = new Table<PipelineRow>();
	readonly fields: FieldRegistry;
	/**
	 * Lower-cased email → person id(s) (exact email search is the upsert path of every sync). A bare number
	 * for the usual single owner: a Set per email would cost ~240 bytes × 100,000.
	 */
	readonly emailIndex = new Map<string, number | number[]>();
	readonly personsByOrg = new Map<number, Set<number>>();
	readonly dealsByPerson = new Map<number, Set<number>>();
	readonly dealsByOrg = new Map<number, Set<number>>();
	/** Called synchronously on every API or app write (not on seeding). */
	listener: ((event: ChangeEvent) => void) | null = null;
	readonly users: UserInfo[];
	private lastWrite = 0;

	constructor(
		private readonly ctx: VendorContext,
		readonly opts: ResolvedOptions,
	) {
		const c = opts.credentials;
		this.users = [
			{ id: c.userId, name: c.userName, email: c.userEmail },
			{ id: c.appUserId, name: c.appUserName, email: `${c.appUserName.toLowerCase().replace(/[^a-z]+/g, '.')}@${c.companyDomain}.example` },
		];
		this.fields = new FieldRegistry(opts.seed, () => this.now(), (entity, def) => this.fieldRemoved(entity, def));
		this.reset();
	}

	/**
	 * Vendor time in ms. Stored times keep ms so every write moves update_time forward; the API renders whole
	 * seconds, as the real one does (two writes in one second show the same update_time there too).
	 */
	now(): number {
		return this.ctx.clock.now();
	}

	/** The "a field removed from the schema" fault, matched by object (plural or singular) and key or name. */
	private fieldRemoved(entity: EntityKind, def: FieldDef): boolean {
		const objects = entity === 'organization' ? ['organizations', 'organization', 'orgs'] : [`${entity}s`, entity];
		return objects.some((o) => this.ctx.faults.isFieldRemoved(o, def.key) || this.ctx.faults.isFieldRemoved(o, def.name));
	}

	/**
	 * The time of a write: vendor now, but strictly after the previous write, so `sort_by=update_time` and
	 * /recents list writes in the order they happened even when two land in the same millisecond.
	 */
	stamp(): number {
		this.lastWrite = Math.max(this.now(), this.lastWrite + 1);
		return this.lastWrite;
	}

	/** Seeding writes its own (past) timeline; later API writes still come after it. */
	noteWrite(t: number): void {
		if (t > this.lastWrite) this.lastWrite = t;
	}

	reset(): void {
		this.lastWrite = 0;
		this.persons.clear();
		this.organizations.clear();
		this.deals.clear();
		this.stages.clear();
		this.pipelines.clear();
		this.emailIndex.clear();
		this.personsByOrg.clear();
		this.dealsByPerson.clear();
		this.dealsByOrg.clear();
		this.fields.reset();
		const t = this.now();
		const pipeline = this.pipelines.insert({
			id: this.pipelines.allocateId(),
			addTime: t,
			updateTime: t,
			deleted: false,
			deleteTime: null,
			name: 'Pipeline',
			orderNr: 1,
			probabilityEnabled: false,
			isSelected: true,
		});
		DEFAULT_STAGES.forEach((name, i) =>
			this.stages.insert({
				id: this.stages.allocateId(),
				addTime: t,
				updateTime: t,
				deleted: false,
				deleteTime: null,
				name,
				pipelineId: pipeline.id,
				orderNr: i + 1,
				dealProbability: 100,
				rotEnabled: false,
				daysToRotten: null,
			}),
		);
	}

	user(id: number): UserInfo | undefined {
		return this.users.find((u) => u.id === id);
	}

	isPurged(row: Row): boolean {
		return row.deleted && row.deleteTime !== null && row.deleteTime + PURGE_AFTER_MS <= this.now();
	}

	/** A record that exists (deleted ones included until purged). */
	find<T extends Row>(table: Table<T>, id: number): T | undefined {
		const row = table.get(id);
		if (!row) return undefined;
		if (this.isPurged(row)) {
			table.purge(row);
			return undefined;
		}
		return row;
	}

	/** A record that exists and is not deleted. */
	live<T extends Row>(table: Table<T>, id: number): T | undefined {
		const row = this.find(table, id);
		return row && !row.deleted ? row : undefined;
	}

	tableOf(entity: EntityName): Table<AnyRow> {
		switch (entity) {
			case 'person':
				return this.persons as unknown as Table<AnyRow>;
			case 'organization':
				return this.organizations as unknown as Table<AnyRow>;
			case 'deal':
				return this.deals as unknown as Table<AnyRow>;
			case 'stage':
				return this.stages as unknown as Table<AnyRow>;
			default:
				return this.pipelines as unknown as Table<AnyRow>;
		}
	}

	defaultPipeline(): PipelineRow | undefined {
		for (const p of this.pipelines.values()) if (!p.deleted) return p;
		return undefined;
	}

	firstStage(pipelineId: number): StageRow | undefined {
		let best: StageRow | undefined;
		for (const s of this.stages.values()) if (!s.deleted && s.pipelineId === pipelineId && (!best || s.orderNr < best.orderNr)) best = s;
		return best;
	}

	// ---- index maintenance ---------------------------------------------------------------------------

	indexPerson(row: PersonRow): void {
		for (const e of contactList(row.emails)) {
			// Reuse the stored string as the key when it is already normalised (saves a copy per person).
			const norm = e.value.trim().toLowerCase();
			const k = norm === e.value ? e.value : norm;
			if (!k) continue;
			const cur = this.emailIndex.get(k);
			if (cur === undefined) this.emailIndex.set(k, row.id);
			else if (typeof cur === 'number') {
				if (cur !== row.id) this.emailIndex.set(k, [cur, row.id]);
			} else if (!cur.includes(row.id)) cur.push(row.id);
		}
		addToIndex(this.personsByOrg, row.orgId, row.id);
	}

	unindexPerson(row: PersonRow): void {
		for (const e of contactList(row.emails)) {
			const k = e.value.trim().toLowerCase();
			const cur = this.emailIndex.get(k);
			if (cur === undefined) continue;
			if (typeof cur === 'number') {
				if (cur === row.id) this.emailIndex.delete(k);
				continue;
			}
			const rest = cur.filter((id) => id !== row.id);
			if (rest.length === 0) this.emailIndex.delete(k);
			else this.emailIndex.set(k, rest.length === 1 ? rest[0] : rest);
		}
		removeFromIndex(this.personsByOrg, row.orgId, row.id);
	}

	personsWithEmail(email: string): number[] {
		const cur = this.emailIndex.get(email.trim().toLowerCase());
		return cur === undefined ? [] : typeof cur === 'number' ? [cur] : [...cur];
	}

	indexDeal(row: DealRow): void {
		addToIndex(this.dealsByPerson, row.personId, row.id);
		addToIndex(this.dealsByOrg, row.orgId, row.id);
	}

	unindexDeal(row: DealRow): void {
		removeFromIndex(this.dealsByPerson, row.personId, row.id);
		removeFromIndex(this.dealsByOrg, row.orgId, row.id);
	}

	// ---- writes ----------------------------------------------------------------------------------------

	private emit(event: ChangeEvent): void {
		this.listener?.(event);
	}

	/** Inserts a new row (id already allocated) and emits `create`. */
	created<T extends AnyRow>(entity: EntityName, row: T, source: ChangeSource, userId: number, silent = false): T {
		this.noteWrite(row.updateTime);
		this.tableOf(entity).insert(row);
		if (entity === 'person') this.indexPerson(row as PersonRow);
		if (entity === 'deal') this.indexDeal(row as DealRow);
		if (!silent && this.listener) this.emit({ entity, action: 'create', id: row.id, source, userId, before: null, after: snapshot(row) });
		return row;
	}

	/**
	 * Applies a mutation to a row, bumps update_time (every write changes it) and emits `change` with the
	 * before/after snapshots the webhook payloads are built from.
	 */
	update<T extends AnyRow>(entity: EntityName, row: T, mutate: (row: T) => void, source: ChangeSource, userId: number, extra: Partial<ChangeEvent> = {}): T {
		const before = this.listener ? snapshot(row) : null;
		if (entity === 'person') this.unindexPerson(row as PersonRow);
		if (entity === 'deal') this.unindexDeal(row as DealRow);
		mutate(row);
		if (entity === 'person') this.indexPerson(row as PersonRow);
		if (entity === 'deal') this.indexDeal(row as DealRow);
		// Strictly later than the previous write, even within the same ms, so `sort_by=update_time` order is the write order.
		this.tableOf(entity).touch(row, Math.max(this.stamp(), row.updateTime + 1));
		if (before) this.emit({ entity, action: 'change', id: row.id, source, userId, before, after: snapshot(row), ...extra });
		return row;
	}

	/** Soft delete: `is_deleted` true, kept 30 days, then purged. */
	remove(entity: EntityName, row: AnyRow, source: ChangeSource, userId: number, extra: Partial<ChangeEvent> = {}): void {
		const before = this.listener ? snapshot(row) : null;
		row.deleted = true;
		row.deleteTime = this.stamp();
		this.tableOf(entity).touch(row, Math.max(row.deleteTime, row.updateTime + 1));
		if (entity === 'person') removeFromIndex(this.personsByOrg, (row as PersonRow).orgId, row.id);
		if (before) this.emit({ entity, action: 'delete', id: row.id, source, userId, before, after: null, ...extra });
	}

	// ---- counts ------------------------------------------------------------------------------------------

	dealCounts(index: Map<number, Set<number>>, key: number): { open: number; won: number; lost: number } {
		const out = { open: 0, won: 0, lost: 0 };
		const set = index.get(key);
		if (!set) return out;
		for (const id of set) {
			const d = this.deals.get(id);
			if (d && !d.deleted) out[d.status]++;
		}
		return out;
	}

	peopleCount(orgId: number): number {
		let n = 0;
		for (const id of this.personsByOrg.get(orgId) ?? []) {
			const p = this.persons.get(id);
			if (p && !p.deleted) n++;
		}
		return n;
	}

	// ---- v2 renderings -----------------------------------------------------------------------------------

	/** `custom_fields` object: every active custom field (null when unset), or only the requested keys. */
	customV2(defs: FieldDef[], custom: Json, only: Set<string> | null): Json {
		const out: Json = {};
		for (const d of defs) {
			if (only && !only.has(d.key)) continue;
			const v = custom[d.key];
			out[d.key] = v === undefined ? null : v;
		}
		return out;
	}

	personV2(row: PersonRow, defs: FieldDef[], only: Set<string> | null = null, include: string[] = []): Json {
		const out: Json = {
			id: row.id,
			name: row.name,
			first_name: row.firstName,
			last_name: row.lastName,
			owner_id: row.ownerId,
			org_id: row.orgId,
			add_time: v2Time(row.addTime),
			update_time: v2Time(row.updateTime),
			emails: contactList(row.emails).map((e) => ({ value: e.value, primary: e.primary, label: e.label })),
			phones: contactList(row.phones).map((e) => ({ value: e.value, primary: e.primary, label: e.label })),
			is_deleted: row.deleted,
			visible_to: row.visibleTo,
			label_ids: [...row.labelIds],
			picture_id: row.pictureId,
			custom_fields: this.customV2(defs, row.custom, only),
		};
		if (this.opts.contactSync) {
			out.notes = row.notes;
			out.im = contactList(row.im).map((e) => ({ value: e.value, primary: e.primary, label: e.label }));
			out.birthday = row.birthday;
			out.job_title = row.jobTitle;
			out.postal_address = row.postalAddress ? { ...row.postalAddress } : null;
		}
		if (include.length) this.includeCounts(out, include, this.dealsByPerson, row.id);
		return out;
	}

	orgV2(row: OrgRow, defs: FieldDef[], only: Set<string> | null = null, include: string[] = []): Json {
		const out: Json = {
			id: row.id,
			name: row.name,
			owner_id: row.ownerId,
			add_time: v2Time(row.addTime),
			update_time: v2Time(row.updateTime),
			is_deleted: row.deleted,
			visible_to: row.visibleTo,
			address: row.address ? { ...row.address } : null,
			label_ids: [...row.labelIds],
			custom_fields: this.customV2(defs, row.custom, only),
		};
		if (include.length) {
			this.includeCounts(out, include, this.dealsByOrg, row.id);
			if (include.includes('people_count')) out.people_count = this.peopleCount(row.id);
		}
		return out;
	}

	dealV2(row: DealRow, defs: FieldDef[], only: Set<string> | null = null, include: string[] = []): Json {
		const out: Json = {
			id: row.id,
			title: row.title,
			creator_user_id: row.creatorUserId,
			owner_id: row.ownerId,
			value: row.value,
			person_id: row.personId,
			org_id: row.orgId,
			stage_id: row.stageId,
			pipeline_id: row.pipelineId,
			currency: row.currency,
			archive_time: v2Time(row.archiveTime),
			add_time: v2Time(row.addTime),
			update_time: v2Time(row.updateTime),
			stage_change_time: v2Time(row.stageChangeTime),
			status: row.status,
			is_archived: row.isArchived,
			is_deleted: row.deleted,
			probability: row.probability,
			lost_reason: row.lostReason,
			visible_to: row.visibleTo,
			close_time: v2Time(row.closeTime),
			won_time: v2Time(row.wonTime),
			lost_time: v2Time(row.lostTime),
			local_won_date: row.wonTime === null ? null : v2Time(row.wonTime).slice(0, 10),
			local_lost_date: row.lostTime === null ? null : v2Time(row.lostTime).slice(0, 10),
			local_close_date: row.closeTime === null ? null : v2Time(row.closeTime).slice(0, 10),
			expected_close_date: row.expectedCloseDate,
			label_ids: [...row.labelIds],
			origin: row.origin,
			origin_id: row.originId,
			channel: row.channel,
			channel_id: row.channelId,
			acv: null,
			arr: null,
			mrr: null,
			custom_fields: this.customV2(defs, row.custom, only),
		};
		for (const f of include) {
			if (f === 'first_won_time') out.first_won_time = v2Time(row.firstWonTime);
			else if (f === 'smart_bcc_email') out.smart_bcc_email = `${this.opts.credentials.companyDomain}+deal${row.id}@pipedrivemail.com`;
			else if (f.endsWith('_time')) out[f] = null;
			else if (f.endsWith('_id')) out[f] = null;
			else out[f] = 0;
		}
		return out;
	}

	stageV2(row: StageRow): Json {
		return {
			id: row.id,
			order_nr: row.orderNr,
			name: row.name,
			is_deleted: row.deleted,
			deal_probability: row.dealProbability,
			pipeline_id: row.pipelineId,
			is_deal_rot_enabled: row.rotEnabled,
			days_to_rotten: row.daysToRotten,
			add_time: v2Time(row.addTime),
			update_time: v2Time(row.updateTime),
		};
	}

	pipelineV2(row: PipelineRow): Json {
		return {
			id: row.id,
			name: row.name,
			order_nr: row.orderNr,
			is_deleted: row.deleted,
			is_deal_probability_enabled: row.probabilityEnabled,
			add_time: v2Time(row.addTime),
			update_time: v2Time(row.updateTime),
			is_selected: row.isSelected,
		};
	}

	/** `include_fields` counters: deal counts are real, the rest (activities, files, mail) are 0 / null. */
	private includeCounts(out: Json, include: string[], index: Map<number, Set<number>>, id: number): void {
		const counts = this.dealCounts(index, id);
		for (const f of include) {
			if (f === 'open_deals_count' || f === 'related_open_deals_count') out[f] = counts.open;
			else if (f === 'closed_deals_count' || f === 'related_closed_deals_count') out[f] = counts.won + counts.lost;
			else if (f === 'won_deals_count' || f === 'related_won_deals_count') out[f] = counts.won;
			else if (f === 'lost_deals_count' || f === 'related_lost_deals_count') out[f] = counts.lost;
			else if (f === 'people_count') continue;
			else if (f.endsWith('_time') || f.endsWith('_id') || f === 'marketing_status' || f === 'doi_status') out[f] = null;
			else out[f] = 0;
		}
	}

	renderV2(entity: EntityName, row: AnyRow): Json {
		switch (entity) {
			case 'person':
				return this.personV2(row as PersonRow, this.fields.custom('person'));
			case 'organization':
				return this.orgV2(row as OrgRow, this.fields.custom('organization'));
			case 'deal':
				return this.dealV2(row as DealRow, this.fields.custom('deal'));
			case 'stage':
				return this.stageV2(row as StageRow);
			default:
				return this.pipelineV2(row as PipelineRow);
		}
	}

	// ---- v1 renderings -----------------------------------------------------------------------------------

	/** v1 user reference. `has_pic` is 0/1 on persons/organizations but a boolean on deals (per the spec examples). */
	userV1(id: number, boolHasPic = false): Json {
		const u = this.user(id) ?? { id, name: 'Unknown user', email: '' };
		return { id: u.id, name: u.name, email: u.email, has_pic: boolHasPic ? false : 0, pic_hash: null, active_flag: true, value: u.id };
	}

	private addressV1(address: Json | null): string | null {
		return address ? ((address.value as string | null) ?? null) : null;
	}

	orgRefV1(orgId: number | null): Json | null {
		if (orgId === null) return null;
		const org = this.organizations.get(orgId);
		if (!org) return null;
		return {
			name: org.name,
			people_count: this.peopleCount(org.id),
			owner_id: org.ownerId,
			address: this.addressV1(org.address),
			active_flag: !org.deleted,
			cc_email: `${this.opts.credentials.companyDomain}@pipedrivemail.com`,
			value: org.id,
		};
	}

	/** v1 contact arrays: an empty list is sent as one empty primary entry, as the v1 API does. */
	contactsV1(contacts: Contacts): Json[] {
		const list = contactList(contacts);
		if (list.length === 0) return [{ value: '', primary: true }];
		return list.map((e) => ({ label: e.label, value: e.value, primary: e.primary }));
	}

	private customV1(entity: EntityKind, custom: Json, out: Json): void {
		for (const def of this.fields.custom(entity)) customToV1(def, custom[def.key] ?? null, out);
	}

	personV1(row: PersonRow): Json {
		const counts = this.dealCounts(this.dealsByPerson, row.id);
		const org = row.orgId === null ? undefined : this.organizations.get(row.orgId);
		const owner = this.user(row.ownerId);
		const primaryEmail = contactList(row.emails).find((e) => e.primary)?.value ?? null;
		const out: Json = {
			id: row.id,
			company_id: this.opts.credentials.companyId,
			owner_id: this.userV1(row.ownerId),
			org_id: this.orgRefV1(row.orgId),
			name: row.name,
			first_name: row.firstName,
			last_name: row.lastName,
			open_deals_count: counts.open,
			related_open_deals_count: 0,
			closed_deals_count: counts.won + counts.lost,
			related_closed_deals_count: 0,
			participant_open_deals_count: 0,
			participant_closed_deals_count: 0,
			email_messages_count: 0,
			activities_count: 0,
			done_activities_count: 0,
			undone_activities_count: 0,
			files_count: 0,
			notes_count: 0,
			followers_count: 1,
			won_deals_count: counts.won,
			related_won_deals_count: 0,
			lost_deals_count: counts.lost,
			related_lost_deals_count: 0,
			active_flag: !row.deleted,
			phone: this.contactsV1(row.phones),
			email: this.contactsV1(row.emails),
			primary_email: primaryEmail,
			first_char: row.name.trim().charAt(0).toLowerCase() || null,
			update_time: v1Time(row.updateTime),
			delete_time: v1Time(row.deleteTime),
			add_time: v1Time(row.addTime),
			visible_to: String(row.visibleTo),
			picture_id: null,
			next_activity_date: null,
			next_activity_time: null,
			next_activity_id: null,
			last_activity_id: null,
			last_activity_date: null,
			last_incoming_mail_time: null,
			last_outgoing_mail_time: null,
			label: row.labelIds[0] ?? null,
			label_ids: [...row.labelIds],
			org_name: org ? org.name : null,
			owner_name: owner ? owner.name : null,
			cc_email: `${this.opts.credentials.companyDomain}@pipedrivemail.com`,
		};
		if (this.opts.contactSync) {
			out.im = this.contactsV1(row.im);
			out.notes = row.notes;
			out.birthday = row.birthday;
			out.job_title = row.jobTitle;
			out.postal_address = this.addressV1(row.postalAddress);
			for (const s of ['subpremise', 'street_number', 'route', 'sublocality', 'locality', 'admin_area_level_1', 'admin_area_level_2', 'country', 'postal_code', 'formatted_address']) {
				out[`postal_address_${s}`] = row.postalAddress ? (row.postalAddress[s] ?? null) : null;
			}
		}
		this.customV1('person', row.custom, out);
		return out;
	}

	orgV1(row: OrgRow): Json {
		const counts = this.dealCounts(this.dealsByOrg, row.id);
		const owner = this.user(row.ownerId);
		const out: Json = {
			id: row.id,
			company_id: this.opts.credentials.companyId,
			owner_id: this.userV1(row.ownerId),
			name: row.name,
			open_deals_count: counts.open,
			related_open_deals_count: 0,
			closed_deals_count: counts.won + counts.lost,
			related_closed_deals_count: 0,
			email_messages_count: 0,
			people_count: this.peopleCount(row.id),
			activities_count: 0,
			done_activities_count: 0,
			undone_activities_count: 0,
			files_count: 0,
			notes_count: 0,
			followers_count: 1,
			won_deals_count: counts.won,
			related_won_deals_count: 0,
			lost_deals_count: counts.lost,
			related_lost_deals_count: 0,
			active_flag: !row.deleted,
			picture_id: null,
			country_code: null,
			first_char: row.name.trim().charAt(0).toLowerCase() || null,
			update_time: v1Time(row.updateTime),
			delete_time: v1Time(row.deleteTime),
			add_time: v1Time(row.addTime),
			visible_to: String(row.visibleTo),
			next_activity_date: null,
			next_activity_time: null,
			next_activity_id: null,
			last_activity_id: null,
			last_activity_date: null,
			label: row.labelIds[0] ?? null,
			label_ids: [...row.labelIds],
			address: this.addressV1(row.address),
		};
		for (const s of ['subpremise', 'street_number', 'route', 'sublocality', 'locality', 'admin_area_level_1', 'admin_area_level_2', 'country', 'postal_code', 'formatted_address']) {
			out[`address_${s}`] = row.address ? (row.address[s] ?? null) : null;
		}
		out.owner_name = owner ? owner.name : null;
		out.cc_email = `${this.opts.credentials.companyDomain}@pipedrivemail.com`;
		this.customV1('organization', row.custom, out);
		return out;
	}

	dealV1(row: DealRow): Json {
		const person = row.personId === null ? undefined : this.persons.get(row.personId);
		const org = row.orgId === null ? undefined : this.organizations.get(row.orgId);
		const stage = this.stages.get(row.stageId);
		const owner = this.user(row.ownerId);
		const out: Json = {
			id: row.id,
			creator_user_id: this.userV1(row.creatorUserId, true),
			user_id: this.userV1(row.ownerId, true),
			person_id: person
				? {
						active_flag: !person.deleted,
						name: person.name,
						email: this.contactsV1(person.emails),
						phone: this.contactsV1(person.phones),
						owner_id: person.ownerId,
						value: person.id,
					}
				: null,
			org_id: this.orgRefV1(row.orgId),
			stage_id: row.stageId,
			title: row.title,
			value: row.value,
			acv: null,
			mrr: null,
			arr: null,
			currency: row.currency,
			add_time: v1Time(row.addTime),
			update_time: v1Time(row.updateTime),
			stage_change_time: v1Time(row.stageChangeTime),
			active: row.status === 'open' && !row.deleted,
			deleted: row.deleted,
			is_archived: row.isArchived,
			archive_time: v1Time(row.archiveTime),
			status: row.deleted ? 'deleted' : row.status,
			probability: row.probability,
			next_activity_date: null,
			next_activity_time: null,
			next_activity_id: null,
			last_activity_id: null,
			last_activity_date: null,
			lost_reason: row.lostReason,
			visible_to: String(row.visibleTo),
			close_time: v1Time(row.closeTime),
			pipeline_id: row.pipelineId,
			won_time: v1Time(row.wonTime),
			first_won_time: v1Time(row.firstWonTime),
			lost_time: v1Time(row.lostTime),
			products_count: 0,
			files_count: 0,
			notes_count: 0,
			followers_count: 1,
			email_messages_count: 0,
			activities_count: 0,
			done_activities_count: 0,
			undone_activities_count: 0,
			participants_count: person ? 1 : 0,
			expected_close_date: row.expectedCloseDate,
			last_incoming_mail_time: null,
			last_outgoing_mail_time: null,
			label: row.labelIds.length ? row.labelIds.join(',') : null,
			label_ids: [...row.labelIds],
			stage_order_nr: stage ? stage.orderNr : null,
			person_name: person ? person.name : null,
			org_name: org ? org.name : null,
			next_activity_subject: null,
			next_activity_type: null,
			next_activity_duration: null,
			next_activity_note: null,
			formatted_value: formatMoney(row.value, row.currency),
			weighted_value: row.value,
			formatted_weighted_value: formatMoney(row.value, row.currency),
			weighted_value_currency: row.currency,
			rotten_time: null,
			owner_name: owner ? owner.name : null,
			cc_email: `${this.opts.credentials.companyDomain}+deal${row.id}@pipedrivemail.com`,
			org_hidden: false,
			person_hidden: false,
			origin: row.origin,
			origin_id: row.originId,
			channel: row.channel,
			channel_id: row.channelId,
		};
		this.customV1('deal', row.custom, out);
		return out;
	}

	stageV1(row: StageRow): Json {
		const p = this.pipelines.get(row.pipelineId);
		return {
			id: row.id,
			order_nr: row.orderNr,
			name: row.name,
			active_flag: !row.deleted,
			deal_probability: row.dealProbability,
			pipeline_id: row.pipelineId,
			rotten_flag: row.rotEnabled,
			rotten_days: row.daysToRotten,
			add_time: v1Time(row.addTime),
			update_time: v1Time(row.updateTime),
			pipeline_name: p ? p.name : null,
			pipeline_deal_probability: p ? p.probabilityEnabled : false,
		};
	}

	pipelineV1(row: PipelineRow): Json {
		return {
			id: row.id,
			name: row.name,
			url_title: row.name.toLowerCase().replace(/[^a-z0-9]+/g, '-'),
			order_nr: row.orderNr,
			active: !row.deleted,
			deal_probability: row.probabilityEnabled,
			add_time: v1Time(row.addTime),
			update_time: v1Time(row.updateTime),
			selected: row.isSelected,
		};
	}

	renderV1(entity: EntityName, row: AnyRow): Json {
		switch (entity) {
			case 'person':
				return this.personV1(row as PersonRow);
			case 'organization':
				return this.orgV1(row as OrgRow);
			case 'deal':
				return this.dealV1(row as DealRow);
			case 'stage':
				return this.stageV1(row as StageRow);
			default:
				return this.pipelineV1(row as PipelineRow);
		}
	}

	/** The flat v1 form /recents uses: related records as plain ids instead of expanded objects. */
	flatV1(entity: EntityName, row: AnyRow): Json {
		const out = this.renderV1(entity, row);
		for (const k of ['owner_id', 'org_id', 'person_id', 'user_id', 'creator_user_id']) {
			const v = out[k];
			if (v !== null && typeof v === 'object' && 'value' in (v as Json)) out[k] = (v as Json).value;
		}
		return out;
	}

	/** Search text of a record's custom values (searchable field types only). */
	customSearch(entity: EntityKind, custom: Json): Array<{ text: string }> {
		const out: Array<{ text: string }> = [];
		for (const def of this.fields.custom(entity)) {
			const text = customSearchText(def, custom[def.key]);
			if (text) out.push({ text });
		}
		return out;
	}
}

export function formatMoney(value: number, currency: string): string {
	try {
		return new Intl.NumberFormat('en-US', { style: 'currency', currency, maximumFractionDigits: 0 }).format(value);
	} catch {
		return `${value} ${currency}`;
	}
}
