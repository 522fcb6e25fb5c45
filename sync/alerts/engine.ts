/**
 * The Sync Alert rule engine. State lives in the store's alert_state (compare-and-set), so rules survive a
 * restart and several n8n workers share them: a dedupe window claimed by one worker holds for all.
 *
 * Every alert comes back with `release()`: when its delivery fails, the caller releases what the alert claimed
 * (dedupe window, streak or rate "already alerted" mark, digest period) so the next run alerts again.
 */
import { createHash } from 'node:crypto';
import { addFailure, addRun, BUCKET_MS, bucketStart, currentPeriod, DIGEST_RETENTION_DAYS, emptyBucket, endedPeriods, summarise, validTimeZone, type DigestBucket, type DigestPeriod } from './digest';
import { consecutiveMessage, errorRateMessage, failureMessage, overflowMessage, runFailedMessage, digestMessage, type MessageContext, type RateFigures } from './message';
import type { AlertConfig, AlertError, AlertEvent, AlertMessage, AlertRule, FailureEvent, RunEvent, SuccessEvent } from './types';
import type { SyncStore } from '../store/types';

export type AlertStore = Pick<SyncStore, 'getAlertState' | 'setAlertState' | 'compareAndSetAlertState' | 'mutateAlertState' | 'deleteAlertState' | 'listAlertState' | 'runTotals'>;

export interface PendingAlert {
	message: AlertMessage;
	/** Indexes of the input items this alert is about. */
	sources: number[];
	/** Undoes what the alert claimed in the store, so a failed delivery is alerted again next time. */
	release(): Promise<void>;
}

export interface ProcessStats {
	events: number;
	failures: number;
	successes: number;
	runs: number;
	ignored: number;
	/** Failures left quiet because their automatic retry is still scheduled. */
	retryPending: number;
	/** Errors left quiet because the same error was alerted within the dedupe window. */
	deduplicated: number;
	/** Failures and runs counted into the daily digest. */
	recordedForDigest: number;
}

export interface ProcessResult {
	alerts: PendingAlert[];
	stats: ProcessStats;
}

export interface DigestRequest {
	/** Mappings to digest; empty: every mapping with recorded errors. */
	mappings?: string[];
	/** `ended` (default): every period that ended and was not sent yet; `current`: the period so far (a preview, not marked sent). */
	period?: 'ended' | 'current';
	/** Send a "no errors" digest for the latest period when nothing failed. Default false. */
	sendEmpty?: boolean;
	/** Send again periods already sent. */
	force?: boolean;
}

export class AlertConfigError extends Error {}

const PREFIX = 'alert:';
const MAX_DEDUPE_MINUTES = 7 * 24 * 60;
const PRUNE_EVERY_MS = 60 * 60 * 1000;
const RECENT_ERRORS = 5;
const noop = async () => undefined;

interface DedupeState {
	at: string;
	/** Occurrences suppressed since `at`. */
	suppressed: number;
}

interface StreakState {
	count: number;
	recent: AlertError[];
	alerted: boolean;
	lastAlertAt: string | null;
}

interface RateState {
	/** Bucket start (epoch ms) → [processed, failed]. */
	buckets: Record<string, [number, number]>;
	firing: boolean;
	lastAlertAt: string | null;
}

interface SentState {
	at: string;
	alertId: string;
}

const enc = (s: string) => encodeURIComponent(s);
const keys = {
	dedupe: (mapping: string, signature: string) => `${PREFIX}dedupe:${enc(mapping)}:${createHash('sha256').update(signature).digest('hex').slice(0, 32)}`,
	streak: (mapping: string) => `${PREFIX}streak:${enc(mapping)}`,
	rate: (mapping: string, source: string) => `${PREFIX}rate:${source}:${enc(mapping)}`,
	digestPrefix: (mapping?: string) => `${PREFIX}digest:${mapping === undefined ? '' : `${enc(mapping)}:`}`,
	digest: (mapping: string, bucket: Date) => `${PREFIX}digest:${enc(mapping)}:${bucket.getTime()}`,
	sentPrefix: () => `${PREFIX}digest-sent:`,
	sent: (mapping: string, end: string) => `${PREFIX}digest-sent:${enc(mapping)}:${end}`,
	pruned: () => `${PREFIX}meta:pruned`,
};

/** The dedupe signature of one error: mapping + code + field + record id. */
export function errorSignature(mapping: string, error: AlertError, record?: { id?: string }): string {
	return JSON.stringify([mapping, error.code, error.field ?? '', error.record?.id ?? record?.id ?? '']);
}

export function validateRule(rule: AlertRule): void {
	if (rule.kind === 'consecutive' && !(Number.isInteger(rule.count) && rule.count >= 1)) throw new AlertConfigError('N (failures in a row) must be a whole number of at least 1');
	if (rule.kind === 'error_rate') {
		if (!(rule.thresholdPercent > 0 && rule.thresholdPercent <= 100)) throw new AlertConfigError('The error rate threshold must be a percentage above 0 and at most 100');
		if (!(rule.windowMinutes > 0)) throw new AlertConfigError('The error rate window must be at least 1 minute');
		if (!(rule.minRecords >= 0)) throw new AlertConfigError('Minimum records must be 0 or more');
	}
	if (rule.kind === 'daily_digest') {
		if (!validTimeZone(rule.timeZone)) throw new AlertConfigError(`"${rule.timeZone}" is not a time zone (use an IANA name such as Europe/Berlin)`);
		try {
			endedPeriods(new Date(), rule.time, rule.timeZone, 1);
		} catch (err) {
			throw new AlertConfigError((err as Error).message);
		}
	}
}

export class AlertEngine {
	private readonly now: () => Date;
	private readonly dedupeMs: number;
	private readonly quiet: boolean;
	private readonly maxAlerts: number;

	constructor(
		private readonly store: AlertStore,
		private readonly config: AlertConfig,
		options: { now?: () => Date } = {},
	) {
		validateRule(config.rule);
		this.now = options.now ?? (() => new Date());
		const minutes = config.dedupeWindowMinutes ?? 60;
		if (!(minutes >= 0)) throw new AlertConfigError('The dedupe window must be 0 (off) or more minutes');
		this.dedupeMs = Math.min(minutes, MAX_DEDUPE_MINUTES) * 60_000;
		this.quiet = config.quietWhileRetryPending ?? true;
		this.maxAlerts = Math.max(1, config.maxAlertsPerBatch ?? 20);
	}

	private ctx(now: Date, id?: string): MessageContext {
		return { now, ...(this.config.dashboardUrl ? { dashboardUrl: this.config.dashboardUrl } : {}), ...(id ? { id } : {}) };
	}

	/** Whether a failure counts now (its retry is not pending, or quiet-while-retrying is off). */
	private isFinal(e: FailureEvent): boolean {
		return !(this.quiet && e.retry?.pending);
	}

	/**
	 * Applies the rule to a batch of events (in order). `alsoEvaluate`: mappings to evaluate even without events
	 * (the error rate read from the store's runs, on a schedule).
	 */
	async process(events: AlertEvent[], alsoEvaluate: string[] = []): Promise<ProcessResult> {
		const now = this.now();
		const stats: ProcessStats = { events: events.length, failures: 0, successes: 0, runs: 0, ignored: 0, retryPending: 0, deduplicated: 0, recordedForDigest: 0 };
		const counted: Array<FailureEvent | SuccessEvent | RunEvent> = [];
		for (const e of events) {
			if (e.kind === 'ignored') stats.ignored++;
			else if (e.kind === 'success') {
				stats.successes++;
				counted.push(e);
			} else if (e.kind === 'run') {
				stats.runs++;
				counted.push(e);
			} else if (this.isFinal(e)) {
				stats.failures++;
				counted.push(e);
			} else stats.retryPending++;
		}
		const rule = this.config.rule;
		let alerts: PendingAlert[];
		if (rule.kind === 'every_error') alerts = await this.everyError(counted, now, stats);
		else if (rule.kind === 'consecutive') alerts = await this.consecutive(counted, rule.count, now);
		else if (rule.kind === 'error_rate') alerts = await this.errorRate(counted, rule, now, alsoEvaluate);
		else alerts = await this.recordDigest(counted, now, stats);
		await this.pruneDedupe(now);
		return { alerts, stats };
	}

	// ------------------------------------------------------------------------------------------ every error

	private async everyError(events: Array<FailureEvent | SuccessEvent | RunEvent>, now: Date, stats: ProcessStats): Promise<PendingAlert[]> {
		const alerts: Array<PendingAlert & { event?: FailureEvent }> = [];
		for (const e of events) {
			if (e.kind === 'success') continue;
			if (e.kind === 'run') {
				if (e.status !== 'failed') continue;
				const claim = e.runId ? await this.claim(e.mapping, JSON.stringify([e.mapping, 'RUN_FAILED', e.runId]), now) : { claimed: true as const, repeats: 0, release: noop };
				if (!claim.claimed) {
					stats.deduplicated++;
					continue;
				}
				alerts.push({ message: runFailedMessage(e, this.ctx(now)), sources: [e.index], release: claim.release });
				continue;
			}
			const kept: AlertError[] = [];
			const releases: Array<() => Promise<void>> = [];
			let repeats = 0;
			for (const error of e.errors) {
				const claim = await this.claim(e.mapping, errorSignature(e.mapping, error, e.record), now);
				if (!claim.claimed) {
					stats.deduplicated++;
					continue;
				}
				kept.push(error);
				repeats += claim.repeats;
				releases.push(claim.release);
			}
			if (kept.length === 0) continue;
			alerts.push({
				message: failureMessage(e, kept, repeats, this.ctx(now)),
				sources: [e.index],
				release: async () => {
					for (const r of releases) await r();
				},
				event: { ...e, errors: kept },
			});
		}
		if (alerts.length <= this.maxAlerts) return alerts;
		// Beyond the limit the rest become one summary alert, grouped under the first one's mapping.
		const head = alerts.slice(0, this.maxAlerts - 1);
		const tail = alerts.slice(this.maxAlerts - 1);
		const tailEvents = tail.map((a) => a.event).filter((e): e is FailureEvent => e !== undefined);
		const mappings = [...new Set(tail.map((a) => a.message.mapping))];
		const folded: PendingAlert = {
			message: overflowMessage(mappings.length === 1 ? mappings[0] : mappings.join(', '), tailEvents, this.ctx(now)),
			sources: tail.flatMap((a) => a.sources),
			release: async () => {
				for (const a of tail) await a.release();
			},
		};
		return [...head, folded];
	}

	/** Claims the dedupe window for one signature (compare-and-set, so two workers cannot both claim it). */
	private async claim(mapping: string, signature: string, now: Date): Promise<{ claimed: true; repeats: number; release: () => Promise<void> } | { claimed: false }> {
		if (this.dedupeMs <= 0) return { claimed: true, repeats: 0, release: noop };
		const key = keys.dedupe(mapping, signature);
		const at = now.toISOString();
		for (let round = 0; round < 20; round++) {
			const current = await this.store.getAlertState<DedupeState>(key);
			if (current && Date.parse(current.value.at) + this.dedupeMs > now.getTime()) {
				const counted = await this.store.compareAndSetAlertState<DedupeState>(key, { ...current.value, suppressed: current.value.suppressed + 1 }, current.version);
				if (!counted.ok) continue;
				return { claimed: false };
			}
			const res = await this.store.compareAndSetAlertState<DedupeState>(key, { at, suppressed: 0 }, current ? current.version : null);
			if (!res.ok) continue;
			const previous = current?.value;
			return {
				claimed: true,
				repeats: previous?.suppressed ?? 0,
				// Back to the previous window (or an expired one), keeping what was suppressed meanwhile.
				release: async () => {
					await this.store.mutateAlertState<DedupeState>(key, (cur) =>
						cur && cur.at === at ? { at: previous?.at ?? new Date(0).toISOString(), suppressed: (previous?.suppressed ?? 0) + cur.suppressed } : (cur ?? { at: new Date(0).toISOString(), suppressed: 0 }),
					);
				},
			};
		}
		throw new Error(`Alert state ${key} kept changing; gave up`);
	}

	private async pruneDedupe(now: Date): Promise<void> {
		if (this.dedupeMs <= 0) return;
		const marker = await this.store.getAlertState<{ at: string }>(keys.pruned());
		if (marker && Date.parse(marker.value.at) + PRUNE_EVERY_MS > now.getTime()) return;
		const res = await this.store.compareAndSetAlertState(keys.pruned(), { at: now.toISOString() }, marker ? marker.version : null);
		if (!res.ok) return; // another worker prunes
		const horizon = now.getTime() - MAX_DEDUPE_MINUTES * 60_000;
		for (const entry of await this.store.listAlertState<DedupeState>(`${PREFIX}dedupe:`)) {
			if (Date.parse(entry.value.at) < horizon) await this.store.deleteAlertState(entry.key);
		}
	}

	// ------------------------------------------------------------------------------------------ N in a row

	private async consecutive(events: Array<FailureEvent | SuccessEvent | RunEvent>, threshold: number, now: Date): Promise<PendingAlert[]> {
		const alerts: PendingAlert[] = [];
		for (const [mapping, list] of groupBy(events, (e) => e.mapping)) {
			const at = now.toISOString();
			let found: { streak: number; recent: AlertError[]; sources: number[]; previous: StreakState } | undefined;
			await this.store.mutateAlertState<StreakState>(keys.streak(mapping), (cur) => {
				found = undefined;
				const st: StreakState = cur ? structuredClone(cur) : { count: 0, recent: [], alerted: false, lastAlertAt: null };
				const previous = structuredClone(st);
				let sources: number[] = [];
				for (const e of list) {
					const failure = e.kind === 'failure' || (e.kind === 'run' && (e.status === 'failed' || e.status === 'partial'));
					const success = e.kind === 'success' || (e.kind === 'run' && e.status === 'completed');
					if (success) {
						st.count = 0;
						st.recent = [];
						st.alerted = false;
						sources = [];
						continue;
					}
					if (!failure) continue;
					st.count++;
					sources.push(e.index);
					const errors = e.kind === 'failure' ? e.errors.slice(0, 1) : [{ category: 'Run', code: 'RUN_FAILED', label: 'Run Failed', message: e.error ?? `The run ended ${e.status}` }];
					st.recent = [...st.recent, ...errors].slice(-RECENT_ERRORS);
				}
				// Once per streak when it reaches N; while it lasts, again at most once per dedupe window.
				const due = !st.alerted || (this.dedupeMs > 0 && st.lastAlertAt !== null && Date.parse(st.lastAlertAt) + this.dedupeMs <= now.getTime());
				if (st.count >= threshold && due && sources.length > 0) {
					st.alerted = true;
					st.lastAlertAt = at;
					found = { streak: st.count, recent: st.recent, sources, previous };
				}
				return st;
			});
			if (!found) continue;
			const f = found as { streak: number; recent: AlertError[]; sources: number[]; previous: StreakState };
			alerts.push({
				message: consecutiveMessage(mapping, f.streak, threshold, f.recent, this.ctx(now)),
				sources: f.sources,
				release: async () => {
					await this.store.mutateAlertState<StreakState>(keys.streak(mapping), (cur) =>
						cur && cur.lastAlertAt === at ? { ...cur, alerted: cur.alerted && f.previous.alerted, lastAlertAt: f.previous.lastAlertAt } : cur!,
					);
				},
			});
		}
		return alerts;
	}

	// ------------------------------------------------------------------------------------------ error rate

	private async errorRate(
		events: Array<FailureEvent | SuccessEvent | RunEvent>,
		rule: Extract<AlertRule, { kind: 'error_rate' }>,
		now: Date,
		alsoEvaluate: string[],
	): Promise<PendingAlert[]> {
		const windowMs = rule.windowMinutes * 60_000;
		const bucketMs = Math.max(60_000, Math.floor(windowMs / 60));
		const groups = groupBy(events, (e) => e.mapping);
		for (const m of alsoEvaluate) if (!groups.has(m)) groups.set(m, []);
		const alerts: PendingAlert[] = [];
		for (const [mapping, list] of groups) {
			let figures: RateFigures;
			if (rule.source === 'runs') {
				const totals = await this.store.runTotals({ mappingId: mapping, from: new Date(now.getTime() - windowMs), dryRun: false });
				figures = { processed: totals.counts.fetched, failed: totals.counts.failed, thresholdPercent: rule.thresholdPercent, windowMinutes: rule.windowMinutes, source: 'runs', runs: totals.runs };
			} else {
				figures = { processed: 0, failed: 0, thresholdPercent: rule.thresholdPercent, windowMinutes: rule.windowMinutes, source: 'items' };
			}
			let processed = 0;
			let failed = 0;
			for (const e of list) {
				if (e.kind === 'run') {
					processed += e.processed;
					failed += e.failed;
				} else {
					processed++;
					if (e.kind === 'failure') failed++;
				}
			}
			const at = now.toISOString();
			let fire = false;
			let previous: RateState | undefined;
			await this.store.mutateAlertState<RateState>(keys.rate(mapping, rule.source), (cur) => {
				const st: RateState = cur ? structuredClone(cur) : { buckets: {}, firing: false, lastAlertAt: null };
				previous = cur ? structuredClone(cur) : undefined;
				fire = false;
				if (rule.source === 'items') {
					const bucket = String(Math.floor(now.getTime() / bucketMs) * bucketMs);
					const b = st.buckets[bucket] ?? [0, 0];
					st.buckets[bucket] = [b[0] + processed, b[1] + failed];
					let p = 0;
					let f = 0;
					for (const [start, [bp, bf]] of Object.entries(st.buckets)) {
						// A bucket counts while any of it is inside the window.
						if (Number(start) + bucketMs <= now.getTime() - windowMs) delete st.buckets[start];
						else {
							p += bp;
							f += bf;
						}
					}
					figures.processed = p;
					figures.failed = f;
				}
				const above = figures.processed > 0 && (figures.failed / figures.processed) * 100 >= rule.thresholdPercent;
				if (above && figures.processed >= rule.minRecords) {
					const due = !st.firing || (this.dedupeMs > 0 && st.lastAlertAt !== null && Date.parse(st.lastAlertAt) + this.dedupeMs <= now.getTime());
					if (due) {
						fire = true;
						st.firing = true;
						st.lastAlertAt = at;
					}
				} else if (!above) st.firing = false;
				return st;
			});
			if (!fire) continue;
			const prev = previous;
			alerts.push({
				message: errorRateMessage(mapping, { ...figures }, this.ctx(now)),
				sources: list.map((e) => e.index),
				release: async () => {
					await this.store.mutateAlertState<RateState>(keys.rate(mapping, rule.source), (cur) =>
						cur && cur.lastAlertAt === at ? { ...cur, firing: prev?.firing ?? false, lastAlertAt: prev?.lastAlertAt ?? null } : cur!,
					);
				},
			});
		}
		return alerts;
	}

	// ------------------------------------------------------------------------------------------ daily digest

	private async recordDigest(events: Array<FailureEvent | SuccessEvent | RunEvent>, now: Date, stats: ProcessStats): Promise<PendingAlert[]> {
		const bucket = bucketStart(now);
		const at = now.toISOString();
		for (const [mapping, list] of groupBy(events, (e) => e.mapping)) {
			const relevant = list.filter((e): e is FailureEvent | RunEvent => e.kind !== 'success');
			if (relevant.length === 0) continue;
			await this.store.mutateAlertState<DigestBucket>(keys.digest(mapping, bucket), (cur) => {
				let b = cur ?? emptyBucket();
				for (const e of relevant) b = e.kind === 'failure' ? addFailure(b, e, at) : addRun(b, e);
				return b;
			});
			stats.recordedForDigest += relevant.length;
		}
		return [];
	}

	/** Builds the digest message(s) and claims their periods; deliver, then `release()` on failure. */
	async digest(request: DigestRequest = {}): Promise<PendingAlert[]> {
		const rule = this.config.rule;
		if (rule.kind !== 'daily_digest') throw new AlertConfigError('Send Digest Now needs the daily digest rule (time and time zone)');
		const now = this.now();
		let mappings = request.mappings?.filter((m) => m !== '') ?? [];
		if (mappings.length === 0) {
			const all = await this.store.listAlertState(keys.digestPrefix());
			mappings = [...new Set(all.map((e) => decodeURIComponent(e.key.slice(keys.digestPrefix().length).split(':')[0])))].sort();
		}
		const alerts: PendingAlert[] = [];
		for (const mapping of mappings) {
			const entries = await this.store.listAlertState<DigestBucket>(keys.digestPrefix(mapping));
			const buckets = entries.map((e) => ({ start: Number(e.key.slice(keys.digestPrefix(mapping).length)), value: e.value, key: e.key }));
			const inPeriod = (p: DigestPeriod) => buckets.filter((b) => b.start >= p.start.toMillis() && b.start < p.end.toMillis());
			if (request.period === 'current') {
				const p = currentPeriod(now, rule.time, rule.timeZone);
				const found = inPeriod(p);
				if (found.length === 0 && !request.sendEmpty) continue;
				const summary = summarise(found.map((b) => b.value), p, rule.timeZone, this.config.topRecords ?? 5);
				alerts.push({ message: digestMessage(mapping, summary, this.ctx(now)), sources: [], release: noop });
				continue;
			}
			const periods = endedPeriods(now, rule.time, rule.timeZone);
			// Oldest first: a missed day (n8n was down at digest time) goes out before the latest one.
			for (const [i, p] of [...periods.entries()].reverse()) {
				const found = inPeriod(p);
				if (found.length === 0 && !(request.sendEmpty && i === 0)) continue;
				const end = p.end.toUTC().toISO()!;
				const id = `digest_${createHash('sha256').update(JSON.stringify([mapping, end])).digest('hex').slice(0, 24)}`;
				const sentKey = keys.sent(mapping, end);
				const claimed = await this.store.compareAndSetAlertState<SentState>(sentKey, { at: now.toISOString(), alertId: id }, null);
				if (!claimed.ok) {
					if (!request.force) continue;
					await this.store.setAlertState<SentState>(sentKey, { at: now.toISOString(), alertId: id });
				}
				const summary = summarise(found.map((b) => b.value), p, rule.timeZone, this.config.topRecords ?? 5);
				alerts.push({
					message: digestMessage(mapping, summary, this.ctx(now, id)),
					sources: [],
					release: async () => {
						await this.store.deleteAlertState(sentKey);
					},
				});
			}
		}
		await this.pruneDigests(now);
		return alerts;
	}

	private async pruneDigests(now: Date): Promise<void> {
		const horizon = now.getTime() - DIGEST_RETENTION_DAYS * 24 * 3600_000;
		for (const e of await this.store.listAlertState(keys.digestPrefix())) {
			const start = Number(e.key.slice(e.key.lastIndexOf(':') + 1));
			if (Number.isFinite(start) && start + BUCKET_MS < horizon) await this.store.deleteAlertState(e.key);
		}
		for (const e of await this.store.listAlertState<SentState>(keys.sentPrefix())) {
			if (Date.parse(e.value.at) < horizon) await this.store.deleteAlertState(e.key);
		}
	}
}

function groupBy<T>(list: readonly T[], key: (t: T) => string): Map<string, T[]> {
	const out = new Map<string, T[]>();
	for (const item of list) {
		const k = key(item);
		const group = out.get(k);
		if (group) group.push(item);
		else out.set(k, [item]);
	}
	return out;
}
