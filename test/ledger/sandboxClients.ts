/**
 * Minimal test-only clients for the Salesforce and HubSpot sandboxes over their HTTP APIs: read every contact
 * as a record envelope, make "human" edits through the sandboxes' UI routes, and carry out Sync Ledger write
 * decisions the way a vendor node would (batch writes, upsert by e-mail, the written record read back).
 * The vendor connectors are being built in parallel; these stay deliberately small.
 */
import type { LedgerRecord, WriteDecision, WriteOutcome } from '../../sync/ledger';

export const SF_FIELDS = ['FirstName', 'LastName', 'Email', 'Phone', 'Title', 'MailingStreet', 'MailingCity', 'MailingState', 'MailingPostalCode', 'MailingCountry'];
export const HS_FIELDS = ['firstname', 'lastname', 'email', 'phone', 'jobtitle', 'address', 'city', 'state', 'zip', 'country'];

async function call(url: string, init: RequestInit & { json?: unknown } = {}): Promise<any> {
	const headers: Record<string, string> = { ...(init.headers as Record<string, string>) };
	let body = init.body;
	if (init.json !== undefined) {
		body = JSON.stringify(init.json);
		headers['content-type'] = 'application/json';
	}
	const res = await fetch(url, { ...init, headers, body });
	const text = await res.text();
	const parsed = text ? JSON.parse(text) : null;
	if (res.status >= 400) throw new Error(`${init.method ?? 'GET'} ${url} → ${res.status}: ${text.slice(0, 300)}`);
	return parsed;
}

export class SalesforceClient {
	writes = 0;
	private constructor(
		private readonly base: string,
		private readonly token: string,
		private readonly version: string,
	) {}

	static async connect(base: string): Promise<SalesforceClient> {
		const info = await call(`${base}/_sandbox/info`);
		return new SalesforceClient(base, info.accessToken, `v${info.apiVersion}`);
	}

	private api(path: string, init: RequestInit & { json?: unknown } = {}) {
		return call(`${this.base}/services/data/${this.version}${path}`, { ...init, headers: { Authorization: `Bearer ${this.token}` } });
	}

	private envelope(r: Record<string, unknown>): LedgerRecord {
		return {
			system: 'salesforce',
			object: 'Contact',
			id: String(r.Id),
			updatedAt: new Date(String(r.LastModifiedDate)).toISOString(),
			fields: Object.fromEntries(SF_FIELDS.map((f) => [f, r[f] ?? null])),
		};
	}

	async query(where = ''): Promise<LedgerRecord[]> {
		const out: LedgerRecord[] = [];
		let page = await this.api(`/query?q=${encodeURIComponent(`SELECT Id, ${SF_FIELDS.join(', ')}, LastModifiedDate FROM Contact ${where}`)}`);
		for (;;) {
			for (const r of page.records) out.push(this.envelope(r));
			if (page.done || !page.nextRecordsUrl) break;
			page = await call(`${this.base}${page.nextRecordsUrl}`, { headers: { Authorization: `Bearer ${this.token}` } });
		}
		return out;
	}

	all(): Promise<LedgerRecord[]> {
		return this.query();
	}

	async seed(records: Array<Record<string, unknown>>): Promise<string[]> {
		const ids: string[] = [];
		for (let i = 0; i < records.length; i += 200) {
			const res = await this.api('/composite/sobjects', {
				method: 'POST',
				json: { allOrNone: true, records: records.slice(i, i + 200).map((f) => ({ attributes: { type: 'Contact' }, ...f })) },
			});
			for (const r of res) ids.push(r.id);
		}
		return ids;
	}

	/** A person edits (or creates) a contact in the Salesforce UI. */
	async humanEdit(id: string | null, fields: Record<string, unknown>): Promise<string> {
		const res = await call(`${this.base}/_sandbox/salesforce/edit`, { method: 'POST', json: { object: 'Contact', ...(id ? { id } : {}), fields } });
		if (!res.success) throw new Error(`Salesforce edit failed: ${JSON.stringify(res.errors)}`);
		return res.id;
	}

	/** Carries out ledger decisions: creates (find-then-write by e-mail when an upsert), updates in collections of 200. */
	async apply(decisions: WriteDecision[]): Promise<WriteOutcome[]> {
		const ids: Array<string | null> = [];
		const errors: Array<unknown> = [];
		const updates: Array<{ index: number; record: Record<string, unknown> }> = [];
		for (const [index, d] of decisions.entries()) {
			ids[index] = null;
			if (d.action === 'update') {
				updates.push({ index, record: { attributes: { type: 'Contact' }, id: d.targetId, ...d.fields } });
				continue;
			}
			if (d.action !== 'create') throw new Error(`not supported here: ${d.action}`);
			let id: string | null = null;
			if (d.upsert && d.matchKey) {
				const found = await this.query(`WHERE Email = '${d.matchKey.value.replace(/'/g, "\\'")}'`);
				if (found.length === 1) id = String(found[0].id);
			}
			if (id) {
				await this.api(`/sobjects/Contact/${id}`, { method: 'PATCH', json: d.fields });
			} else {
				const res = await this.api('/sobjects/Contact', { method: 'POST', json: d.fields });
				id = res.id;
			}
			this.writes++;
			ids[index] = id;
		}
		for (let i = 0; i < updates.length; i += 200) {
			const part = updates.slice(i, i + 200);
			const res = await this.api('/composite/sobjects', { method: 'PATCH', json: { allOrNone: false, records: part.map((u) => u.record) } });
			this.writes++;
			res.forEach((r: { id: string; success: boolean; errors: unknown[] }, k: number) => {
				if (r.success) ids[part[k].index] = r.id;
				else errors[part[k].index] = r.errors;
			});
		}
		// Read the written records back: the answer carries the vendor's values and LastModifiedDate.
		const written = ids.filter((x): x is string => x !== null);
		const back = new Map<string, LedgerRecord>();
		for (let i = 0; i < written.length; i += 200) {
			const list = written.slice(i, i + 200).map((x) => `'${x}'`);
			for (const r of await this.query(`WHERE Id IN (${list.join(', ')})`)) back.set(String(r.id), r);
		}
		return decisions.map((d, index) => {
			const id = ids[index];
			if (!id) return { sync: d.sync, ok: false, error: errors[index] };
			const r = back.get(id)!;
			return { sync: d.sync, ok: true, id, updatedAt: r.updatedAt, fields: r.fields ?? null };
		});
	}
}

export class HubspotClient {
	writes = 0;
	private constructor(
		private readonly base: string,
		private readonly token: string,
	) {}

	static async connect(base: string): Promise<HubspotClient> {
		const info = await call(`${base}/_sandbox/info`);
		return new HubspotClient(base, String(info.privateAppToken));
	}

	private api(path: string, init: RequestInit & { json?: unknown } = {}) {
		return call(`${this.base}${path}`, { ...init, headers: { Authorization: `Bearer ${this.token}` } });
	}

	private envelope(r: { id: string; updatedAt: string; properties: Record<string, unknown> }): LedgerRecord {
		return { system: 'hubspot', object: 'contacts', id: String(r.id), updatedAt: r.updatedAt, fields: Object.fromEntries(HS_FIELDS.map((f) => [f, r.properties[f] ?? null])) };
	}

	async all(): Promise<LedgerRecord[]> {
		const out: LedgerRecord[] = [];
		let after: string | undefined;
		do {
			const page = await this.api(`/crm/v3/objects/contacts?limit=100&properties=${HS_FIELDS.join(',')}${after ? `&after=${after}` : ''}`);
			for (const r of page.results) out.push(this.envelope(r));
			after = page.paging?.next?.after;
		} while (after);
		return out;
	}

	/** HubSpot clears a property with "", and property values are strings. */
	private static props(fields: Record<string, unknown>): Record<string, string> {
		return Object.fromEntries(Object.entries(fields).map(([k, v]) => [k, v === null || v === undefined ? '' : String(v)]));
	}

	async seed(records: Array<Record<string, unknown>>): Promise<string[]> {
		const ids: string[] = [];
		for (const r of records) ids.push((await this.api('/crm/v3/objects/contacts', { method: 'POST', json: { properties: HubspotClient.props(r) } })).id);
		return ids;
	}

	/** A person edits (or creates) a contact in the HubSpot UI. */
	async humanEdit(id: string | null, fields: Record<string, unknown>): Promise<string> {
		const res = await call(`${this.base}/_sandbox/hubspot/ui/contacts`, { method: 'POST', json: { ...(id ? { id } : {}), properties: HubspotClient.props(fields) } });
		return String(res.id);
	}

	async apply(decisions: WriteDecision[]): Promise<WriteOutcome[]> {
		const out: WriteOutcome[] = new Array(decisions.length);
		const updates: Array<{ index: number; d: WriteDecision }> = [];
		for (const [index, d] of decisions.entries()) {
			if (d.action === 'update') {
				updates.push({ index, d });
				continue;
			}
			if (d.action !== 'create') throw new Error(`not supported here: ${d.action}`);
			this.writes++;
			if (d.upsert && d.matchKey) {
				const res = await this.api('/crm/v3/objects/contacts/batch/upsert', {
					method: 'POST',
					json: { inputs: [{ idProperty: d.matchKey.field, id: d.matchKey.value, properties: HubspotClient.props(d.fields) }] },
				});
				out[index] = this.outcome(d, res.results[0]);
			} else {
				out[index] = this.outcome(d, await this.api('/crm/v3/objects/contacts', { method: 'POST', json: { properties: HubspotClient.props(d.fields) } }));
			}
		}
		for (let i = 0; i < updates.length; i += 100) {
			const part = updates.slice(i, i + 100);
			const res = await this.api('/crm/v3/objects/contacts/batch/update', {
				method: 'POST',
				json: { inputs: part.map(({ d }) => ({ id: d.targetId, properties: HubspotClient.props(d.fields) })) },
			});
			this.writes++;
			const byId = new Map<string, any>(res.results.map((r: { id: string }) => [String(r.id), r]));
			for (const { index, d } of part) {
				const r = byId.get(String(d.targetId));
				out[index] = r ? this.outcome(d, r) : { sync: d.sync, ok: false, error: res.errors };
			}
		}
		return out;
	}

	private outcome(d: WriteDecision, r: { id: string; updatedAt: string; properties: Record<string, unknown> }): WriteOutcome {
		const e = this.envelope(r);
		return { sync: d.sync, ok: true, id: String(e.id), updatedAt: e.updatedAt, fields: Object.fromEntries(Object.keys(HubspotClient.props(d.fields)).map((k) => [k, r.properties[k] ?? null])) };
	}
}
