/**
 * Everything the HubSpot sandbox holds, and the write operations every route shares: creating, updating,
 * archiving and merging records (server-side stamps, unique values, webhook events, the lagging search index),
 * rendering records in HubSpot's wire shape, and associations.
 */
import type { VendorContext } from '../core/vendor';
import { HubspotAuth } from './auth';
import { fail, propertyValidationError, type PropertyProblem } from './errors';
import { HubspotLimits } from './limits';
import type { ResolvedOptions } from './options';
import { PropertyRegistry, validateProperties, type ValidationContext } from './properties';
import {
	instant as iso,
	ASSOCIATION_BY_ID,
	defaultPipelines,
	OBJECT_KEYS,
	OBJECT_TYPES,
	type ObjectKey,
	type PipelineDef,
} from './schema';
import { AssociationStore, ObjectStore, type IndexedState, type RecordSource, type StoredRecord } from './store';
import { HubspotWebhooks, type ChangeOrigin } from './webhooks';

export interface Owner {
	id: string;
	email: string;
	firstName: string;
	lastName: string;
	userId: number;
	createdAt: number;
	updatedAt: number;
	archived: boolean;
	teams: Array<{ id: string; name: string; primary: boolean }>;
}

/** Which properties a rendered record carries. */
export type PropertySelection = { mode: 'default' } | { mode: 'all' } | { mode: 'list'; names: string[] };

export interface RenderOptions {
	selection: PropertySelection;
	history?: string[];
	associations?: ObjectKey[];
	isNew?: boolean;
	objectWriteTraceId?: string;
}

export interface WriteOrigin extends ChangeOrigin {
	source: RecordSource;
}

export interface Conflict {
	prop: string;
	existingId: number;
}


/** A record as stored, or as the lagging search index last saw it. */
export interface RecordView extends IndexedState {
	id: number;
	source: RecordSource;
	sourceId: string;
}

export class HubspotState {
	readonly stores: Record<ObjectKey, ObjectStore>;
	readonly associations = new AssociationStore();
	readonly registry: PropertyRegistry;
	readonly pipelines = new Map<ObjectKey, PipelineDef[]>();
	readonly owners: Owner[] = [];
	readonly auth: HubspotAuth;
	readonly limits: HubspotLimits;
	readonly webhooks: HubspotWebhooks;
	private nextPipelineId = 1;
	/** Records locked by the admin API until a vendor time (HubSpot answers 423 while a record is locked). */
	readonly locks = new Map<string, number>();

	constructor(
		readonly ctx: VendorContext,
		readonly options: ResolvedOptions,
	) {
		this.stores = { contacts: new ObjectStore(OBJECT_TYPES.contacts), companies: new ObjectStore(OBJECT_TYPES.companies), deals: new ObjectStore(OBJECT_TYPES.deals) };
		this.registry = new PropertyRegistry(ctx.faults);
		this.auth = new HubspotAuth(ctx, options);
		this.limits = new HubspotLimits(ctx.clock, options);
		this.webhooks = new HubspotWebhooks(ctx.clock, options);
		this.reset();
	}

	reset(): void {
		for (const key of OBJECT_KEYS) {
			this.stores[key].clear();
			this.pipelines.set(key, defaultPipelines(key));
		}
		// Custom unique indexes go with the custom properties.
		for (const key of OBJECT_KEYS) for (const prop of [...this.stores[key].unique.keys()]) this.stores[key].dropUniqueIndex(prop);
		this.associations.clear();
		this.registry.reset();
		this.limits.reset();
		this.webhooks.reset();
		this.nextPipelineId = 1;
		this.locks.clear();
		this.owners.length = 0;
		const created = Date.parse('2023-03-01T15:04:05.123Z');
		const people: Array<[string, string, string]> = [
			['Dana', 'Whitfield', 'dana.whitfield@fluxcascade.test'],
			['Marco', 'Alvarez', 'marco.alvarez@fluxcascade.test'],
			['Priya', 'Raman', 'priya.raman@fluxcascade.test'],
		];
		people.forEach(([firstName, lastName, email], i) =>
			this.owners.push({
				id: String(61_234_567 + i * 1_111),
				email,
				firstName,
				lastName,
				userId: 76_070_032 + i,
				createdAt: created + i * 86_400_000,
				updatedAt: created + i * 86_400_000,
				archived: false,
				teams: i === 0 ? [{ id: '4127839', name: 'Field Service', primary: true }] : [],
			}),
		);
	}

	now(): number {
		return this.ctx.clock.now();
	}

	apiOrigin(): WriteOrigin {
		return { source: 'INTEGRATION', changeSource: this.options.apiChangeSource, sourceId: String(this.options.credentials.appId) };
	}

	uiOrigin(userId?: number): WriteOrigin {
		return { source: 'CRM_UI', changeSource: 'CRM_UI', sourceId: `userId:${userId ?? this.owners[0]?.userId ?? this.options.credentials.userId}` };
	}

	newPipelineId(): string {
		// Custom pipelines and stages get numeric ids in current portals.
		return String(this.options.credentials.portalId * 10 + this.nextPipelineId++);
	}

	// ------------------------------------------------------------ reading values

	/** Stored or server-computed value of one property (undefined when unset). */
	value(key: ObjectKey, rec: RecordView, name: string): string | undefined {
		const stored = rec.props[name];
		if (stored !== undefined) return stored;
		switch (name) {
			case 'hs_object_id':
				return String(rec.id);
			case 'createdate':
				return iso(rec.createdAt);
			case 'lastmodifieddate':
				return key === 'contacts' ? iso(rec.updatedAt) : undefined;
			case 'hs_lastmodifieddate':
				return key !== 'contacts' ? iso(rec.updatedAt) : undefined;
			case 'hs_object_source':
			case 'hs_object_source_label':
				return rec.source;
			case 'hs_object_source_id':
				return rec.sourceId;
		}
		if (key === 'contacts') {
			switch (name) {
				case 'hs_all_contact_vids':
					return String(rec.id);
				case 'hs_email_domain': {
					const email = rec.props.email;
					const at = email?.lastIndexOf('@') ?? -1;
					return email && at >= 0 ? email.slice(at + 1) : undefined;
				}
				case 'hs_full_name_or_email': {
					const full = [rec.props.firstname, rec.props.lastname].filter(Boolean).join(' ').trim();
					return full || rec.props.email;
				}
				case 'hs_is_contact':
				case 'hs_is_unworked':
					return 'true';
				case 'num_notes':
				case 'hs_associated_target_accounts':
				case 'hs_prospecting_agent_actively_enrolled_count':
				case 'hs_prospecting_agent_total_enrolled_count':
				case 'hs_membership_has_accessed_private_content':
				case 'hs_registered_member':
				case 'hs_sequences_actively_enrolled_count':
					return '0';
				case 'hs_currently_enrolled_in_prospecting_agent':
					return 'false';
				case 'hs_lifecyclestage_lead_date':
					// Printed as epoch milliseconds, as captured; the sandbox dates the stage from creation.
					return rec.props.lifecyclestage ? String(rec.createdAt) : undefined;
				case 'associatedcompanyid': {
					const targets = this.associations.targets('contacts', rec.id, 'companies');
					if (targets) for (const [toId, types] of targets) if (types.includes(1)) return String(toId);
					return undefined;
				}
			}
		} else if (key === 'companies') {
			if (name === 'num_associated_contacts') return String(this.associations.count('companies', rec.id, 'contacts'));
			if (name === 'num_associated_deals') return String(this.associations.count('companies', rec.id, 'deals'));
		} else {
			if (name === 'num_associated_contacts') return String(this.associations.count('deals', rec.id, 'contacts'));
			if (name === 'hs_is_closed' || name === 'hs_is_closed_won' || name === 'hs_deal_stage_probability') {
				const stage = this.stageOf(rec.props.pipeline, rec.props.dealstage);
				if (!stage) return name === 'hs_deal_stage_probability' ? undefined : 'false';
				if (name === 'hs_is_closed') return stage.metadata.isClosed ?? 'false';
				if (name === 'hs_is_closed_won') return String(stage.metadata.isClosed === 'true' && Number(stage.metadata.probability) >= 1);
				return stage.metadata.probability;
			}
		}
		return undefined;
	}

	stageOf(pipelineId: string | undefined, stageId: string | undefined): PipelineDef['stages'][number] | undefined {
		if (!stageId) return undefined;
		const pipeline = this.pipelines.get('deals')!.find((p) => p.id === (pipelineId ?? 'default'));
		return pipeline?.stages.find((s) => s.id === stageId);
	}

	/** Names of the properties a record currently has a value for (stored and derived). */
	private allNames(key: ObjectKey): string[] {
		return [...this.registry.props.get(key)!.values()].filter((p) => !p.archived).map((p) => p.name);
	}

	render(key: ObjectKey, rec: StoredRecord, o: RenderOptions): Record<string, unknown> {
		const info = OBJECT_TYPES[key];
		const faults = this.ctx.faults;
		let names: string[];
		let includeNulls = true;
		if (o.selection.mode === 'default') names = info.defaultProps;
		else if (o.selection.mode === 'all') {
			names = this.allNames(key);
			includeNulls = false;
		} else {
			// Requested properties plus the three HubSpot always returns; unknown names are silently dropped.
			const wanted = new Set(o.selection.names);
			wanted.add('hs_object_id');
			wanted.add('createdate');
			wanted.add(info.modifiedProp);
			names = [...wanted].filter((n) => this.registry.get(key, n) !== undefined);
		}
		const properties: Record<string, string | null> = {};
		for (const name of [...names].sort()) {
			if (faults.isFieldRemoved(key, name)) continue;
			const v = this.value(key, rec, name);
			if (v !== undefined) properties[name] = v;
			else if (includeNulls) properties[name] = null;
		}
		const out: Record<string, unknown> = { id: String(rec.id), properties };
		if (o.history && o.history.length) {
			const h: Record<string, unknown[]> = {};
			for (const name of o.history) {
				if (!this.registry.get(key, name)) continue;
				const v = this.value(key, rec, name);
				h[name] = v === undefined ? [] : [{ value: v, timestamp: iso(rec.updatedAt), sourceType: rec.source, sourceId: rec.sourceId }];
			}
			out.propertiesWithHistory = h;
		}
		out.createdAt = iso(rec.createdAt);
		out.updatedAt = iso(rec.updatedAt);
		out.archived = rec.archived;
		if (rec.archived && rec.archivedAt !== undefined) out.archivedAt = iso(rec.archivedAt);
		if (o.isNew !== undefined) out.new = o.isNew;
		if (o.associations && o.associations.length) {
			const assoc: Record<string, unknown> = {};
			for (const to of o.associations) {
				const targets = this.associations.targets(key, rec.id, to);
				if (!targets || targets.size === 0) continue;
				const results: Array<{ id: string; type: string }> = [];
				for (const [toId, types] of targets) for (const t of types) results.push({ id: String(toId), type: ASSOCIATION_BY_ID.get(t)?.name ?? String(t) });
				assoc[to] = { results };
			}
			if (Object.keys(assoc).length) out.associations = assoc;
		}
		if (o.objectWriteTraceId !== undefined) out.objectWriteTraceId = o.objectWriteTraceId;
		out.url = `https://app.hubspot.com/contacts/${this.options.credentials.portalId}/record/${info.typeId}/${rec.id}`;
		return out;
	}

	/** Throws HubSpot's 423 when a record is locked (locks last ~2 s on the real API). */
	assertUnlocked(key: ObjectKey, rec: StoredRecord | undefined): void {
		if (!rec) return;
		const until = this.locks.get(`${key}:${rec.id}`);
		if (until === undefined) return;
		if (this.now() >= until) {
			this.locks.delete(`${key}:${rec.id}`);
			return;
		}
		fail(423, { message: `${OBJECT_TYPES[key].upper} ${rec.id} is locked by another operation. Wait at least 2 seconds and retry.`, category: 'LOCKED' });
	}

	// ------------------------------------------------------------ validation

	validationContext(key: ObjectKey, input: Record<string, unknown>, existing?: StoredRecord): ValidationContext {
		const ctx: ValidationContext = { ownerIds: new Set(this.owners.filter((o) => !o.archived).map((o) => o.id)), pipelines: this.pipelines.get(key === 'deals' ? 'deals' : key)! };
		if (key === 'deals') {
			const given = input.pipeline;
			ctx.dealPipelineId = typeof given === 'string' && given ? given : (existing?.props.pipeline ?? 'default');
		}
		return ctx;
	}

	/** Validates and normalises a write; property problems are returned for batch-wide reporting. */
	validate(key: ObjectKey, input: Record<string, unknown>, existing?: StoredRecord): { values: Map<string, string | null>; problems: PropertyProblem[] } {
		const result = validateProperties(this.registry, key, input, this.validationContext(key, input, existing));
		// Writing associatedcompanyid sets the primary company, which must exist.
		const company = result.values.get('associatedcompanyid');
		if (key === 'contacts' && company && !this.stores.companies.getLive(Number(company))) {
			result.values.delete('associatedcompanyid');
			result.problems.push({ name: 'associatedcompanyid', error: 'INVALID_OPTION', message: `${company} is not a valid company ID` });
		}
		return result;
	}

	/** A unique value (contact email, custom `hasUniqueValue` property) already held by another live record. */
	conflict(key: ObjectKey, values: Map<string, string | null>, exceptId?: number, pending?: Map<string, Map<string, number>>): Conflict | undefined {
		const store = this.stores[key];
		for (const [prop, index] of store.unique) {
			const v = values.get(prop);
			if (v === undefined || v === null) continue;
			const owner = index.get(v.toLowerCase());
			if (owner !== undefined && owner !== exceptId) return { prop, existingId: owner };
			const batchOwner = pending?.get(prop)?.get(v.toLowerCase());
			if (batchOwner !== undefined && batchOwner !== exceptId) return { prop, existingId: batchOwner };
		}
		return undefined;
	}

	conflictMessage(key: ObjectKey, c: Conflict, withId = true): string {
		if (key === 'contacts' && c.prop === 'email') return withId ? `Contact already exists. Existing ID: ${c.existingId}` : 'Contact already exists';
		return `A ${OBJECT_TYPES[key].singular} with the unique value for ${c.prop} already exists. Existing ID: ${c.existingId}`;
	}

	// ------------------------------------------------------------ writes

	private markIndexLag(rec: StoredRecord, previous: IndexedState | null): void {
		const delay = this.options.searchConsistencyDelayMs;
		if (!delay) return;
		const now = this.now();
		// While a change is still pending, the index keeps showing the state before the first pending change.
		if (rec.visibleAt === undefined || now >= rec.visibleAt) rec.indexed = previous;
		rec.visibleAt = now + delay;
	}

	/** What search sees of a record right now (null: not in the index). */
	indexedView(rec: StoredRecord): RecordView | null {
		if (rec.visibleAt !== undefined && this.now() < rec.visibleAt) {
			return rec.indexed ? { ...rec.indexed, id: rec.id, source: rec.source, sourceId: rec.sourceId } : null;
		}
		return rec.archived ? null : rec;
	}

	/** Builds the next props object without `delete`, so records keep V8's fast property layout. */
	private nextProps(current: Record<string, string>, values: Map<string, string | null>): Record<string, string> {
		const next: Record<string, string> = {};
		for (const k in current) if (!values.has(k)) next[k] = current[k];
		for (const [k, v] of values) if (v !== null) next[k] = v;
		return next;
	}

	create(key: ObjectKey, values: Map<string, string | null>, origin: WriteOrigin, at = this.now()): StoredRecord {
		const store = this.stores[key];
		const props: Record<string, string> = {};
		let createdAt = at;
		for (const [k, v] of values) {
			if (v === null) continue;
			if (k === 'createdate') createdAt = Date.parse(v);
			else if (k !== 'associatedcompanyid') props[k] = v;
		}
		if (key === 'contacts') {
			props.lifecyclestage ??= 'lead';
			props.hs_pipeline ??= 'contacts-lifecycle-pipeline';
		}
		if (key === 'deals' && props.dealstage && !props.pipeline) props.pipeline = 'default';
		const rec: StoredRecord = { id: store.allocateId(), props, createdAt, updatedAt: at, archived: false, source: origin.source, sourceId: origin.sourceId };
		store.insert(rec);
		this.markIndexLag(rec, null);
		const company = values.get('associatedcompanyid');
		if (key === 'contacts' && company) this.associate('contacts', rec.id, 'companies', Number(company), [1, 279], origin);
		if (this.webhooks.listening(key)) {
			this.webhooks.creation(key, rec.id, origin, at);
			const changes = new Map<string, string | null>();
			for (const [k, v] of Object.entries(props)) changes.set(k, v);
			this.webhooks.propertyChanges(key, rec.id, changes, origin, at);
		}
		return rec;
	}

	update(key: ObjectKey, rec: StoredRecord, values: Map<string, string | null>, origin: WriteOrigin): StoredRecord {
		const store = this.stores[key];
		const at = this.now();
		const previous: IndexedState = { props: rec.props, createdAt: rec.createdAt, updatedAt: rec.updatedAt };
		const changes = new Map<string, string | null>();
		const propValues = new Map<string, string | null>();
		for (const [k, v] of values) {
			if (k === 'createdate') {
				if (v !== null) rec.createdAt = Date.parse(v);
				continue;
			}
			if (k === 'associatedcompanyid') {
				if (v) this.associate('contacts', rec.id, 'companies', Number(v), [1, 279], origin);
				continue;
			}
			propValues.set(k, v);
			if ((rec.props[k] ?? null) !== v) changes.set(k, v);
		}
		store.setProps(rec, this.nextProps(rec.props, propValues));
		// The modified stamp moves on every write, even one that changes no value.
		rec.updatedAt = at;
		this.markIndexLag(rec, previous);
		if (changes.size && this.webhooks.listening(key)) this.webhooks.propertyChanges(key, rec.id, changes, origin, at);
		return rec;
	}

	archive(key: ObjectKey, rec: StoredRecord, origin: WriteOrigin): void {
		if (rec.archived) return;
		const at = this.now();
		const previous: IndexedState = { props: rec.props, createdAt: rec.createdAt, updatedAt: rec.updatedAt };
		this.stores[key].archive(rec, at);
		if (this.options.searchConsistencyDelayMs) {
			this.markIndexLag(rec, previous);
			this.stores[key].pendingArchived.add(rec.id);
		}
		this.associations.dropRecord(key, rec.id);
		if (this.webhooks.listening(key)) this.webhooks.deletion(key, rec.id, origin, at);
	}

	/** GDPR delete: the record disappears entirely (not even listed as archived). */
	purge(key: ObjectKey, rec: StoredRecord, origin: WriteOrigin): void {
		const at = this.now();
		this.associations.dropRecord(key, rec.id);
		this.stores[key].purge(rec);
		if (key === 'contacts' && this.webhooks.listening(key)) this.webhooks.deletion(key, rec.id, origin, at, true);
	}

	/** Merges `loser` into `primary`: values the primary lacks move over, associations follow. */
	merge(key: ObjectKey, primary: StoredRecord, loser: StoredRecord, origin: WriteOrigin): StoredRecord {
		const moved = new Map<string, string | null>();
		for (const [k, v] of Object.entries(loser.props)) {
			if (primary.props[k] === undefined && !this.stores[key].unique.has(k)) moved.set(k, v);
		}
		for (const to of OBJECT_KEYS) {
			const targets = this.associations.targets(key, loser.id, to);
			if (!targets) continue;
			for (const [toId, types] of targets) this.associate(key, primary.id, to, toId, [...types].filter((t) => t !== 1 || !this.hasPrimary(key, primary.id, to)), origin, false);
		}
		this.associations.dropRecord(key, loser.id);
		this.stores[key].purge(loser);
		this.update(key, primary, moved, origin);
		if (this.webhooks.listening(key)) this.webhooks.merge(key, primary.id, [loser.id], moved.size, origin, this.now());
		return primary;
	}

	private hasPrimary(key: ObjectKey, id: number, to: ObjectKey): boolean {
		const targets = this.associations.targets(key, id, to);
		if (!targets) return false;
		for (const types of targets.values()) if (types.some((t) => ASSOCIATION_BY_ID.get(t)?.label === 'Primary')) return true;
		return false;
	}

	// ------------------------------------------------------------ associations

	/**
	 * Associates two records with the given type ids (from → to), storing the inverse types too.
	 * A new primary replaces the previous primary of the `from` record (one primary company per contact).
	 */
	associate(from: ObjectKey, fromId: number, to: ObjectKey, toId: number, typeIds: number[], origin: WriteOrigin, emit = true): void {
		const inverse = typeIds.map((t) => ASSOCIATION_BY_ID.get(t)?.inverse).filter((t): t is number => t !== undefined);
		const primaryTypes = typeIds.filter((t) => ASSOCIATION_BY_ID.get(t)?.label === 'Primary');
		if (primaryTypes.length) {
			const targets = this.associations.targets(from, fromId, to);
			if (targets) {
				for (const [otherId, types] of targets) {
					if (otherId === toId) continue;
					const drop = types.filter((t) => primaryTypes.includes(t));
					if (drop.length) {
						this.associations.remove(from, fromId, to, otherId, drop);
						this.associations.remove(to, otherId, from, fromId, drop.map((t) => ASSOCIATION_BY_ID.get(t)!.inverse));
					}
				}
			}
		}
		const changed = this.associations.add(from, fromId, to, toId, typeIds);
		this.associations.add(to, toId, from, fromId, inverse);
		if (changed && emit) {
			const at = this.now();
			const primary = primaryTypes.length > 0;
			if (this.webhooks.listening(from)) this.webhooks.associationChange(from, fromId, to, toId, primary, false, origin, at);
			if (this.webhooks.listening(to)) this.webhooks.associationChange(to, toId, from, fromId, primary, false, origin, at);
		}
	}

	/** Removes association types (all when omitted) both ways; returns whether anything was removed. */
	disassociate(from: ObjectKey, fromId: number, to: ObjectKey, toId: number, typeIds: number[] | undefined, origin: WriteOrigin): boolean {
		const removed = this.associations.remove(from, fromId, to, toId, typeIds);
		if (removed.length === 0) return false;
		this.associations.remove(to, toId, from, fromId, removed.map((t) => ASSOCIATION_BY_ID.get(t)?.inverse ?? -1));
		const at = this.now();
		const primary = removed.some((t) => ASSOCIATION_BY_ID.get(t)?.label === 'Primary');
		if (this.webhooks.listening(from)) this.webhooks.associationChange(from, fromId, to, toId, primary, true, origin, at);
		if (this.webhooks.listening(to)) this.webhooks.associationChange(to, toId, from, fromId, primary, true, origin, at);
		return true;
	}

	/** Throws HubSpot's 400 for a property problem list (single-record writes). */
	static throwIfProblems(problems: PropertyProblem[]): void {
		if (problems.length) propertyValidationError(problems);
	}
}
