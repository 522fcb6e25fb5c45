/**
 * The alert message (what failed, which record and field, the error, what to do, counts, dashboard link) and
 * its renderings: plain text, HTML, Slack Block Kit and the signed webhook's JSON body.
 */
import { randomUUID } from 'node:crypto';
import type { AlertError, AlertLink, AlertMessage, AlertRuleKind, DigestSummary, FailureEvent, RecordRef, RunEvent, Severity } from './types';

/** Errors listed in one message (the rest are counted in `moreErrors`). */
export const MAX_LISTED_ERRORS = 10;

export interface MessageContext {
	now: Date;
	dashboardUrl?: string;
	id?: string;
}

function base(rule: AlertRuleKind, severity: Severity, mapping: string, ctx: MessageContext, parts: Pick<AlertMessage, 'title' | 'summary'> & Partial<AlertMessage>): AlertMessage {
	const links: AlertLink[] = [];
	if (ctx.dashboardUrl) links.push({ label: 'Error dashboard', url: ctx.dashboardUrl });
	const errors = parts.errors ?? [];
	return {
		id: ctx.id ?? `alert_${randomUUID()}`,
		rule,
		severity,
		mapping,
		createdAt: ctx.now.toISOString(),
		title: parts.title,
		summary: parts.summary,
		errors: errors.slice(0, MAX_LISTED_ERRORS),
		moreErrors: (parts.moreErrors ?? 0) + Math.max(0, errors.length - MAX_LISTED_ERRORS),
		counts: parts.counts ?? {},
		links: [...links, ...(parts.links ?? [])],
		...(ctx.dashboardUrl ? { dashboardUrl: ctx.dashboardUrl } : {}),
		...(parts.digest ? { digest: parts.digest } : {}),
	};
}

export function describeRecord(ref: RecordRef | undefined): string {
	if (!ref) return 'a record';
	const parts = [ref.system, ref.object, ref.id].filter((p): p is string => typeof p === 'string' && p !== '');
	return parts.length ? parts.join(' / ') : 'a record';
}

function plural(n: number, one: string, many = `${one}s`): string {
	return `${n} ${n === 1 ? one : many}`;
}

function stageText(event: FailureEvent): string {
	const where = [event.stage ? `at the ${event.stage} stage` : '', event.node ? `(${event.node})` : ''].filter(Boolean).join(' ');
	return where ? ` ${where}` : '';
}

/** One failed record (every-error rule). `errors` are the ones not suppressed by the dedupe window. */
export function failureMessage(event: FailureEvent, errors: AlertError[], repeats: number, ctx: MessageContext): AlertMessage {
	const first = errors[0];
	const record = event.record ?? first.record;
	const attempts = event.retry?.exhausted && event.retry.attempts ? ` after ${plural(event.retry.attempts, 'attempt')}` : '';
	const title = `Sync error in ${event.mapping}: ${first.label}${errors.length > 1 ? ` (+${errors.length - 1} more)` : ''}`;
	const summary =
		first.code === 'WORKFLOW_FAILED'
			? `The n8n workflow failed${event.node ? ` in node ${event.node}` : ''}: ${first.message}`
			: `${describeRecord(record)} failed${stageText(event)}${attempts} with ${plural(errors.length, 'error')}.`;
	const counts: Record<string, number> = { errors: errors.length };
	if (repeats > 0) counts.repeatsSinceLastAlert = repeats;
	if (event.retry?.attempts) counts.attempts = event.retry.attempts;
	return base('every_error', 'error', event.mapping, ctx, { title, summary, errors, counts, links: event.links });
}

export function runFailedMessage(event: RunEvent, ctx: MessageContext): AlertMessage {
	const title = `Sync run failed: ${event.mapping}`;
	const summary = `Run ${event.runId ?? ''} ended ${event.status}${event.error ? `: ${event.error}` : ''}. ${event.failed} of ${event.processed} records failed.`.replace('Run  ', 'The run ');
	const error: AlertError = {
		category: 'Run',
		code: 'RUN_FAILED',
		label: 'Run Failed',
		message: event.error ?? `The run ended ${event.status}`,
		suggestedFix: 'Open the run in n8n and the error dashboard; fix the cause, then retry the failed records.',
	};
	return base('every_error', 'error', event.mapping, ctx, { title, summary, errors: [error], counts: { processed: event.processed, failed: event.failed } });
}

/** The alerts beyond a batch's limit, folded into one. */
export function overflowMessage(mapping: string, events: FailureEvent[], ctx: MessageContext): AlertMessage {
	const errors = events.flatMap((e) => e.errors);
	const byCode: Record<string, number> = {};
	for (const e of errors) byCode[e.label] = (byCode[e.label] ?? 0) + 1;
	const breakdown = Object.entries(byCode)
		.sort((a, b) => b[1] - a[1])
		.map(([label, n]) => `${label} ×${n}`)
		.join(', ');
	return base('every_error', 'error', mapping, ctx, {
		title: `${plural(events.length, 'more failed record')} in ${mapping}`,
		summary: `Folded into one alert to keep the channel readable: ${breakdown}.`,
		errors,
		counts: { failedRecords: events.length, errors: errors.length },
	});
}

export function consecutiveMessage(mapping: string, streak: number, threshold: number, recent: AlertError[], ctx: MessageContext): AlertMessage {
	const last = recent[recent.length - 1];
	return base('consecutive', 'error', mapping, ctx, {
		title: `${streak} failures in a row in ${mapping}`,
		summary: `The last ${plural(streak, 'record')} of ${mapping} all failed (alert threshold ${threshold} in a row)${last ? `; the latest: ${last.label}` : ''}. Nothing synced successfully in between.`,
		errors: [...recent].reverse(),
		counts: { consecutiveFailures: streak, threshold },
	});
}

export interface RateFigures {
	processed: number;
	failed: number;
	thresholdPercent: number;
	windowMinutes: number;
	source: 'items' | 'runs';
	runs?: number;
}

export function ratePercent(failed: number, processed: number): number {
	return processed > 0 ? Math.round((failed / processed) * 1000) / 10 : 0;
}

export function errorRateMessage(mapping: string, f: RateFigures, ctx: MessageContext): AlertMessage {
	const rate = ratePercent(f.failed, f.processed);
	const window = f.windowMinutes % 60 === 0 ? plural(f.windowMinutes / 60, 'hour') : plural(f.windowMinutes, 'minute');
	const counts: Record<string, number> = { errorRatePercent: rate, thresholdPercent: f.thresholdPercent, processed: f.processed, failed: f.failed, windowMinutes: f.windowMinutes };
	if (f.runs !== undefined) counts.runs = f.runs;
	return base('error_rate', 'warning', mapping, ctx, {
		title: `Error rate ${rate}% in ${mapping} (threshold ${f.thresholdPercent}%)`,
		summary: `${f.failed} of ${f.processed} records failed in the last ${window}${f.source === 'runs' ? ` (${plural(f.runs ?? 0, 'run')})` : ''}.`,
		errors: [
			{
				category: 'Rate',
				code: 'ERROR_RATE',
				label: 'Error Rate Above Threshold',
				message: `${rate}% of records failed in the last ${window}, at or above the ${f.thresholdPercent}% threshold.`,
				suggestedFix: 'Open the error dashboard: the breakdown by category and code shows the cause of most failures.',
			},
		],
		counts,
	});
}

export function digestMessage(mapping: string, d: DigestSummary, ctx: MessageContext): AlertMessage {
	const title = d.errors === 0 ? `Daily sync digest · ${mapping}: no errors (${d.label})` : `Daily sync digest · ${mapping}: ${plural(d.errors, 'error')} (${d.label})`;
	const categories = Object.entries(d.byCategory)
		.sort((a, b) => b[1] - a[1])
		.map(([c, n]) => `${c} ${n}`)
		.join(', ');
	const summary =
		d.errors === 0
			? `No sync errors in ${mapping} between ${d.label} (${d.timeZone}).`
			: `${plural(d.errors, 'error')} on ${plural(d.failedRecords, 'failed record')} in ${mapping}, ${d.label} (${d.timeZone}): ${categories}.`;
	const counts: Record<string, number> = { errors: d.errors, failedRecords: d.failedRecords };
	for (const [c, n] of Object.entries(d.byCategory)) counts[`category${c}`] = n;
	if (d.runs.total) Object.assign(counts, { runs: d.runs.total, failedRuns: d.runs.failed, processed: d.runs.processed });
	const links = d.topRecords.flatMap((r) => r.links ?? []).slice(0, 5);
	return base('daily_digest', d.errors === 0 ? 'info' : 'warning', mapping, ctx, { title, summary, errors: [], counts, digest: d, links });
}

// ---------------------------------------------------------------------------------------------- renderings

const RULE_NAMES: Record<AlertRuleKind, string> = {
	every_error: 'every error',
	consecutive: 'failures in a row',
	error_rate: 'error rate',
	daily_digest: 'daily digest',
};

export function renderText(m: AlertMessage): string {
	const lines = [m.title, '', m.summary];
	for (const e of m.errors) {
		lines.push('');
		lines.push(`• ${e.label} (${e.category})${e.record ? ` — ${describeRecord(e.record)}` : ''}${e.field ? ` — field ${e.field}` : ''}`);
		lines.push(`  ${e.message}`);
		if (e.suggestedFix) lines.push(`  What to do: ${e.suggestedFix}`);
	}
	if (m.moreErrors > 0) lines.push('', `…and ${plural(m.moreErrors, 'more error')}.`);
	if (m.digest) lines.push(...digestText(m.digest));
	const counts = Object.entries(m.counts);
	if (counts.length && !m.digest) lines.push('', `Counts: ${counts.map(([k, v]) => `${k} ${v}`).join(', ')}`);
	if (m.links.length) lines.push('');
	for (const l of m.links) lines.push(`${l.label}: ${l.url}`);
	lines.push('', `Mapping ${m.mapping} · rule: ${RULE_NAMES[m.rule]} · ${m.createdAt}`);
	return lines.join('\n');
}

function digestText(d: DigestSummary): string[] {
	const out: string[] = [];
	if (d.byCode.length) {
		out.push('', 'By error:');
		for (const c of d.byCode) out.push(`  ${c.label} (${c.category}): ${c.count}`);
	}
	if (d.topRecords.length) {
		out.push('', 'Top failing records:');
		for (const r of d.topRecords) out.push(`  ${describeRecord(r)}: ${plural(r.count, 'error')}, last ${r.lastLabel} — ${r.lastMessage}`);
	}
	if (d.runs.total) out.push('', `Runs: ${d.runs.total} (${d.runs.failed} failed), ${d.runs.processed} records processed, ${d.runs.failedRecords} failed.`);
	return out;
}

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

function safeUrl(url: string): string | undefined {
	return /^https?:\/\//i.test(url) ? url : undefined;
}

export function renderHtml(m: AlertMessage): string {
	const h = escapeHtml;
	const parts = [`<h2>${h(m.title)}</h2>`, `<p>${h(m.summary)}</p>`];
	if (m.errors.length) {
		parts.push('<table border="1" cellpadding="6" cellspacing="0"><tr><th>Error</th><th>Record</th><th>Field</th><th>Message</th><th>What to do</th></tr>');
		for (const e of m.errors) {
			parts.push(
				`<tr><td>${h(e.label)} (${h(e.category)})</td><td>${h(describeRecord(e.record))}</td><td>${h(e.field ?? '')}</td><td>${h(e.message)}</td><td>${h(e.suggestedFix ?? '')}</td></tr>`,
			);
		}
		parts.push('</table>');
		if (m.moreErrors > 0) parts.push(`<p>…and ${h(plural(m.moreErrors, 'more error'))}.</p>`);
	}
	if (m.digest) {
		const d = m.digest;
		if (d.byCode.length) parts.push(`<h3>By error</h3><ul>${d.byCode.map((c) => `<li>${h(c.label)} (${h(c.category)}): ${c.count}</li>`).join('')}</ul>`);
		if (d.topRecords.length) {
			parts.push(`<h3>Top failing records</h3><ul>${d.topRecords.map((r) => `<li>${h(describeRecord(r))}: ${h(plural(r.count, 'error'))}, last ${h(r.lastLabel)} — ${h(r.lastMessage)}</li>`).join('')}</ul>`);
		}
		if (d.runs.total) parts.push(`<p>Runs: ${d.runs.total} (${d.runs.failed} failed), ${d.runs.processed} records processed, ${d.runs.failedRecords} failed.</p>`);
	} else if (Object.keys(m.counts).length) {
		parts.push(`<p>${Object.entries(m.counts).map(([k, v]) => `${h(k)}: ${v}`).join(' · ')}</p>`);
	}
	const links = m.links.map((l) => [l.label, safeUrl(l.url)] as const).filter((l): l is readonly [string, string] => l[1] !== undefined);
	if (links.length) parts.push(`<p>${links.map(([label, url]) => `<a href="${h(url)}">${h(label)}</a>`).join(' · ')}</p>`);
	parts.push(`<p style="color:#666">Mapping ${h(m.mapping)} · rule: ${h(RULE_NAMES[m.rule])} · ${h(m.createdAt)}</p>`);
	return parts.join('\n');
}

// Slack: &, < and > are control characters in mrkdwn (links, mentions); escaping them also stops data from
// pinging @channel.
function mrkdwn(text: string, max = 2900): string {
	const t = text.length > max ? `${text.slice(0, max)}…` : text;
	return t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function code(text: string): string {
	return '`' + mrkdwn(text.replace(/`/g, "'"), 500) + '`';
}

function slackLink(l: AlertLink): string | undefined {
	const url = safeUrl(l.url);
	return url ? `<${url.replace(/[|>]/g, encodeURIComponent)}|${mrkdwn(l.label, 200)}>` : undefined;
}

export type SlackBlock = Record<string, unknown>;

/** Slack Block Kit: header, the summary, one section of fields per error with what to do, counts, links in a context. */
export function renderSlack(m: AlertMessage): { text: string; blocks: SlackBlock[] } {
	const blocks: SlackBlock[] = [];
	const emoji = m.severity === 'error' ? ':rotating_light:' : m.severity === 'warning' ? ':warning:' : ':white_check_mark:';
	blocks.push({ type: 'header', text: { type: 'plain_text', text: m.title.length > 150 ? `${m.title.slice(0, 147)}…` : m.title, emoji: true } });
	blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `${emoji} ${mrkdwn(m.summary)}` } });
	for (const e of m.errors.slice(0, 5)) {
		blocks.push({ type: 'divider' });
		const fields = [
			{ type: 'mrkdwn', text: `*Error*\n${mrkdwn(e.label)} (${mrkdwn(e.category)})` },
			{ type: 'mrkdwn', text: `*Record*\n${e.record ? code(describeRecord(e.record)) : '—'}` },
		];
		if (e.field) fields.push({ type: 'mrkdwn', text: `*Field*\n${code(e.field)}` });
		if (e.timestamp) fields.push({ type: 'mrkdwn', text: `*When*\n${mrkdwn(e.timestamp)}` });
		blocks.push({ type: 'section', text: { type: 'mrkdwn', text: mrkdwn(e.message, 1500) }, fields });
		if (e.suggestedFix) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*What to do:* ${mrkdwn(e.suggestedFix, 1500)}` } });
	}
	const more = m.moreErrors + Math.max(0, m.errors.length - 5);
	if (more > 0) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${plural(more, 'more error')}` }] });
	if (m.digest) blocks.push(...digestBlocks(m.digest));
	else {
		const counts = Object.entries(m.counts).slice(0, 10);
		if (counts.length) blocks.push({ type: 'section', fields: counts.map(([k, v]) => ({ type: 'mrkdwn', text: `*${mrkdwn(humanKey(k))}*\n${v}` })) });
	}
	const links = m.links.map(slackLink).filter((l): l is string => l !== undefined);
	const context = [...links, `Mapping *${mrkdwn(m.mapping, 200)}*`, `rule: ${RULE_NAMES[m.rule]}`, mrkdwn(m.createdAt)].join(' · ');
	blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: context }] });
	// The fallback text (notifications, old clients) is mrkdwn too.
	return { text: mrkdwn(`${m.title}: ${m.summary}`, 2900), blocks: blocks.slice(0, 50) };
}

function digestBlocks(d: DigestSummary): SlackBlock[] {
	const blocks: SlackBlock[] = [{ type: 'divider' }];
	const fields = [
		{ type: 'mrkdwn', text: `*Errors*\n${d.errors}` },
		{ type: 'mrkdwn', text: `*Failed records*\n${d.failedRecords}` },
		...Object.entries(d.byCategory)
			.sort((a, b) => b[1] - a[1])
			.map(([c, n]) => ({ type: 'mrkdwn', text: `*${mrkdwn(c)}*\n${n}` })),
	].slice(0, 10);
	blocks.push({ type: 'section', fields });
	if (d.byCode.length) {
		blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*By error*\n${d.byCode.slice(0, 12).map((c) => `• ${mrkdwn(c.label)} (${mrkdwn(c.category)}): ${c.count}`).join('\n')}` } });
	}
	if (d.topRecords.length) {
		const lines = d.topRecords.map((r) => {
			const link = r.links?.[0] ? ` ${slackLink(r.links[0]) ?? ''}` : '';
			return `• ${code(describeRecord(r))}: ${plural(r.count, 'error')}, last ${mrkdwn(r.lastLabel)} — ${mrkdwn(r.lastMessage, 200)}${link}`;
		});
		blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Top failing records*\n${lines.join('\n')}` } });
	}
	if (d.runs.total) {
		blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `Runs: ${d.runs.total} (${d.runs.failed} failed) · ${d.runs.processed} records processed · ${d.runs.failedRecords} failed` }] });
	}
	return blocks;
}

function humanKey(key: string): string {
	const spaced = key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
	return spaced.charAt(0).toUpperCase() + spaced.slice(1);
}

export const WEBHOOK_EVENT_TYPE = 'fluxcascade.sync_alert';

/** The signed webhook's JSON body: the message itself, with a type and version for receivers. */
export function webhookBody(m: AlertMessage): Record<string, unknown> {
	return { type: WEBHOOK_EVENT_TYPE, version: 1, ...m };
}
