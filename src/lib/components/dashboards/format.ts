/** Display helpers of the dashboards (browser and server). */

/**
 * A customer id as screens show it: enough to tell records apart, not enough to copy an id out of a screenshot.
 * The API keeps ids intact (links to the timeline use them); only the display is masked.
 */
export function maskId(id: string): string {
	const chars = [...id];
	if (chars.length <= 4) return `${chars[0] ?? ''}•••`;
	if (chars.length <= 6) return `${chars.slice(0, 2).join('')}•••${chars.slice(-1).join('')}`;
	if (chars.length <= 12) return `${chars.slice(0, 3).join('')}•••${chars.slice(-2).join('')}`;
	return `${chars.slice(0, 3).join('')}•••${chars.slice(-3).join('')}`;
}

/** The customer timeline of an id (journeys engineer's page). */
export function timelineHref(customerId: string): `/customers/${string}` {
	return `/customers/${encodeURIComponent(customerId)}`;
}

/** hh:mm in the viewer's locale and the China time zone the center works in. */
export function clockTime(ts: number, locale: string, seconds = false): string {
	return new Intl.DateTimeFormat(locale, {
		hour: '2-digit',
		minute: '2-digit',
		...(seconds ? { second: '2-digit' } : {}),
		hour12: false,
		timeZone: 'Asia/Shanghai'
	}).format(ts);
}

/** A date and time in China time, for record tables. */
export function dateTime(ts: number, locale: string): string {
	return new Intl.DateTimeFormat(locale, {
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		hour12: false,
		timeZone: 'Asia/Shanghai'
	}).format(ts);
}

/** An axis label for a time bucket (its start, ISO-8601): "3/5" or "Mar 5"; weeks read "wk 3/3". */
export function bucketLabel(iso: string, grain: 'hour' | 'day' | 'week', locale: string): string {
	const ts = Date.parse(iso);
	if (!Number.isFinite(ts)) return iso;
	if (grain === 'hour') return clockTime(ts, locale);
	const day = new Intl.DateTimeFormat(locale, {
		month: 'short',
		day: 'numeric',
		timeZone: 'Asia/Shanghai'
	}).format(ts);
	return grain === 'week' ? (locale.startsWith('zh') ? `${day}当周` : `wk ${day}`) : day;
}
