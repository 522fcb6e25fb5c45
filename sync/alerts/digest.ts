/**
 * Daily digest bookkeeping. Errors are counted into 15-minute buckets (UTC) in the store as they arrive, so
 * the day a digest covers can be chosen when it is sent, in any time zone: every time zone's offset is a
 * multiple of 15 minutes, so a local day always starts and ends on a bucket boundary.
 */
import { DateTime, IANAZone } from 'luxon';
import type { AlertError, DigestRecordLine, DigestSummary, FailureEvent, RecordRef, RunEvent } from './types';

export const BUCKET_MS = 15 * 60 * 1000;
/** Records tracked per bucket for "top failing records"; beyond it they are only counted. */
const RECORDS_PER_BUCKET = 200;
/** How far back unsent periods are still sent, and how long buckets are kept. */
export const DIGEST_RETENTION_DAYS = 8;

export interface DigestBucket {
	errors: number;
	failedRecords: number;
	byCategory: Record<string, number>;
	byCode: Record<string, { label: string; category: string; count: number }>;
	records: Record<string, DigestRecordLine>;
	untrackedRecords: number;
	runs: number;
	failedRuns: number;
	processed: number;
	failedInRuns: number;
}

export function emptyBucket(): DigestBucket {
	return { errors: 0, failedRecords: 0, byCategory: {}, byCode: {}, records: {}, untrackedRecords: 0, runs: 0, failedRuns: 0, processed: 0, failedInRuns: 0 };
}

export function bucketStart(at: Date): Date {
	return new Date(Math.floor(at.getTime() / BUCKET_MS) * BUCKET_MS);
}

export function recordKey(ref: RecordRef | undefined): string {
	return ref ? [ref.system ?? '', ref.object ?? '', ref.id ?? ''].join('/') : '';
}

/** Adds a final failure to a bucket (a pure function: the store may call it again on contention). */
export function addFailure(bucket: DigestBucket, event: FailureEvent, at: string): DigestBucket {
	const b: DigestBucket = structuredClone(bucket);
	b.failedRecords++;
	for (const e of event.errors) {
		b.errors++;
		b.byCategory[e.category] = (b.byCategory[e.category] ?? 0) + 1;
		const code = (b.byCode[e.code] ??= { label: e.label, category: e.category, count: 0 });
		code.count++;
	}
	const ref = event.record ?? event.errors.find((e) => e.record)?.record;
	const key = recordKey(ref);
	if (key !== '') {
		const last: AlertError = event.errors[event.errors.length - 1];
		const existing = b.records[key];
		if (existing || Object.keys(b.records).length < RECORDS_PER_BUCKET) {
			const line: DigestRecordLine = existing ?? { ...(ref ?? {}), count: 0, lastLabel: '', lastMessage: '', lastAt: at };
			line.count += event.errors.length;
			line.lastLabel = last.label;
			line.lastMessage = last.message.slice(0, 300);
			line.lastAt = at;
			const links = event.links.filter((l) => l.label !== 'n8n execution').slice(0, 3);
			if (links.length) line.links = links;
			b.records[key] = line;
		} else {
			b.untrackedRecords++;
		}
	}
	return b;
}

export function addRun(bucket: DigestBucket, event: RunEvent): DigestBucket {
	const b: DigestBucket = structuredClone(bucket);
	b.runs++;
	if (event.status === 'failed') b.failedRuns++;
	b.processed += event.processed;
	b.failedInRuns += event.failed;
	return b;
}

export interface DigestPeriod {
	start: DateTime;
	end: DateTime;
}

export function validTimeZone(zone: string): boolean {
	return IANAZone.isValidZone(zone);
}

/** "HH:MM" on a quarter hour (buckets are 15 minutes). */
export function parseDigestTime(time: string): { hour: number; minute: number } {
	const m = /^\s*(\d{1,2}):(\d{2})\s*$/.exec(time);
	if (!m) throw new RangeError(`Digest time "${time}" is not HH:MM (for example 08:00)`);
	const hour = Number(m[1]);
	const minute = Number(m[2]);
	if (hour > 23 || minute > 59) throw new RangeError(`Digest time "${time}" is not a time of day`);
	if (minute % 15 !== 0) throw new RangeError(`Digest time "${time}" must be on a quarter hour (:00, :15, :30 or :45)`);
	return { hour, minute };
}

/**
 * The digest periods that ended at or before `now`, newest first: each runs from `time` on one local day to
 * `time` on the next (23 or 25 hours across a daylight-saving change).
 */
export function endedPeriods(now: Date, time: string, timeZone: string, days = DIGEST_RETENTION_DAYS - 1): DigestPeriod[] {
	const { hour, minute } = parseDigestTime(time);
	const local = DateTime.fromJSDate(now, { zone: timeZone });
	let end = local.set({ hour, minute, second: 0, millisecond: 0 });
	if (end.toMillis() > now.getTime()) end = end.minus({ days: 1 }).set({ hour, minute });
	const periods: DigestPeriod[] = [];
	for (let i = 0; i < days; i++) {
		const start = end.minus({ days: 1 }).set({ hour, minute });
		periods.push({ start, end });
		end = start;
	}
	return periods;
}

/** The period running now (from the last digest time until now): a preview. */
export function currentPeriod(now: Date, time: string, timeZone: string): DigestPeriod {
	const [last] = endedPeriods(now, time, timeZone, 1);
	return { start: last.end, end: DateTime.fromJSDate(now, { zone: timeZone }) };
}

export function periodLabel(p: DigestPeriod): string {
	const midnight = p.start.hour === 0 && p.start.minute === 0 && p.end.hour === 0 && p.end.minute === 0;
	if (midnight && p.end.diff(p.start, 'days').days <= 1.1) return p.start.toFormat('ccc d LLL yyyy');
	return `${p.start.toFormat('ccc d LLL HH:mm')} – ${p.end.toFormat('ccc d LLL HH:mm')}`;
}

/** Sums the buckets of a period into the digest summary. */
export function summarise(buckets: DigestBucket[], period: DigestPeriod, timeZone: string, topRecords: number): DigestSummary {
	const total = emptyBucket();
	const records = new Map<string, DigestRecordLine>();
	for (const b of buckets) {
		total.errors += b.errors;
		total.failedRecords += b.failedRecords;
		total.untrackedRecords += b.untrackedRecords;
		total.runs += b.runs;
		total.failedRuns += b.failedRuns;
		total.processed += b.processed;
		total.failedInRuns += b.failedInRuns;
		for (const [k, v] of Object.entries(b.byCategory)) total.byCategory[k] = (total.byCategory[k] ?? 0) + v;
		for (const [k, v] of Object.entries(b.byCode)) {
			const c = (total.byCode[k] ??= { label: v.label, category: v.category, count: 0 });
			c.count += v.count;
		}
		for (const [k, line] of Object.entries(b.records)) {
			const prev = records.get(k);
			if (!prev) records.set(k, { ...line });
			else {
				prev.count += line.count;
				if (line.lastAt >= prev.lastAt) Object.assign(prev, { lastLabel: line.lastLabel, lastMessage: line.lastMessage, lastAt: line.lastAt, links: line.links ?? prev.links });
			}
		}
	}
	const byCode = Object.entries(total.byCode)
		.map(([code, v]) => ({ code, ...v }))
		.sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
	const top = [...records.values()].sort((a, b) => b.count - a.count || (b.lastAt > a.lastAt ? 1 : -1)).slice(0, topRecords);
	return {
		from: period.start.toUTC().toISO()!,
		to: period.end.toUTC().toISO()!,
		timeZone,
		label: periodLabel(period),
		errors: total.errors,
		failedRecords: total.failedRecords,
		byCategory: total.byCategory,
		byCode,
		topRecords: top,
		untrackedRecords: total.untrackedRecords,
		runs: { total: total.runs, failed: total.failedRuns, processed: total.processed, failedRecords: total.failedInRuns },
	};
}

