/**
 * Small display helpers of the journey screens, shared by server and browser (no server imports).
 */

/** A value with its n; null value means "insufficient data" (under the minimum n). */
export interface MeasuredLike {
	value: number | null;
	n: number;
	ci95: [number, number] | null;
}

export interface Labelled {
	zh: string;
	en: string;
}

export type Lang = 'zh' | 'en';

/** Paraglide locale → the key of `{ zh, en }` labels. */
export function langOf(locale: string): Lang {
	return locale.startsWith('zh') ? 'zh' : 'en';
}

/** The label of a step event in a definition (the event name when it has none). */
export function eventName(labels: Record<string, Labelled> | undefined, event: string, lang: Lang): string {
	return labels?.[event]?.[lang] ?? event;
}

/** A step key (`approved|declined`) as labels joined by ` | `. */
export function stepName(labels: Record<string, Labelled> | undefined, step: string, lang: Lang): string {
	return step
		.split('|')
		.map((e) => eventName(labels, e, lang))
		.join(' | ');
}

/** Seconds as a short duration: 45 s, 12 min, 3.5 h, 4.2 d. */
export function formatDuration(seconds: number | null, lang: Lang): string {
	if (seconds === null || !Number.isFinite(seconds)) return '—';
	const zh = lang === 'zh';
	const s = Math.abs(seconds);
	const fmt = (v: number) => (v >= 10 ? Math.round(v).toString() : (Math.round(v * 10) / 10).toString());
	if (s < 90) return `${fmt(seconds)}${zh ? ' 秒' : ' s'}`;
	if (s < 5400) return `${fmt(seconds / 60)}${zh ? ' 分钟' : ' min'}`;
	if (s < 172_800) return `${fmt(seconds / 3600)}${zh ? ' 小时' : ' h'}`;
	return `${fmt(seconds / 86_400)}${zh ? ' 天' : ' d'}`;
}

/** A percentage with one decimal. */
export function formatPercent(value: number | null, digits = 1): string {
	return value === null ? '—' : `${value.toFixed(digits)}%`;
}

/** An NPS value with its sign. */
export function formatNps(value: number | null): string {
	if (value === null) return '—';
	const r = Math.round(value);
	return r > 0 ? `+${r}` : String(r);
}

export function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The parts of a path token (`channel:event`, `channel:event:failed`, `channel:contact`). */
export function parseTokenParts(token: string): { channel: string | null; what: string; failed: boolean } {
	const [channel, what = '', flag] = token.split(':');
	return {
		channel: channel === 'back_office' || channel === '~' ? null : channel,
		what,
		failed: flag === 'failed'
	};
}

/** `?…` of the current parameters with some changed (null removes one), or '' when none are left. */
export function queryString(current: URLSearchParams, changes: Record<string, string | null> = {}): string {
	const params = new URLSearchParams(current);
	for (const [k, v] of Object.entries(changes)) {
		if (v === null) params.delete(k);
		else params.set(k, v);
	}
	const qs = params.toString();
	return qs ? `?${qs}` : '';
}
