import type { JobberType } from './ids';
import type { JobberStore } from './store';

/** Topics the sandbox emits; the full enum is in the schema (WebHookTopicEnum). */
export type WebhookTopic = string;

/** Everything a resolver may touch. One per server instance; the schema itself is shared. */
export interface JobberContext {
	store: JobberStore;
	account: { id: number; name: string; createdAt: number };
	app: { id: string; name: string; author: string };
	/** Offset of the account's time zone, used to render ISO8601DateTime values as the live API does. */
	utcOffsetMinutes: number;
	/** Announces a change to webhook subscribers. */
	emit(topic: WebhookTopic, type: JobberType, id: number): void;
	/** Called by appDisconnect: revokes every token of the app. */
	disconnect(): void;
	/** Lead source for records the API creates: the app's name ("Clients created via API get the app name"). */
	writeSource: string | null;
}

/** Formats vendor-clock milliseconds the way Rails renders times: seconds precision with the account's offset. */
export function formatTime(ms: number, offsetMinutes: number): string {
	const local = new Date(Math.floor(ms / 1000) * 1000 + offsetMinutes * 60_000).toISOString().slice(0, 19);
	if (offsetMinutes === 0) return `${local}Z`;
	const sign = offsetMinutes < 0 ? '-' : '+';
	const abs = Math.abs(offsetMinutes);
	return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Parses an offset such as "-06:00" into minutes. */
export function parseOffset(offset: string): number {
	const m = /^([+-])(\d{2}):?(\d{2})$/.exec(offset);
	if (!m) return 0;
	const minutes = Number(m[2]) * 60 + Number(m[3]);
	return m[1] === '-' ? -minutes : minutes;
}
