/** Display helpers of the dashboards (browser and server). */

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
		hourCycle: 'h23',
		timeZone: 'Asia/Shanghai'
	}).format(ts);
}

/** A date and time in China time, for record tables. */
export function dateTime(ts: number, locale: string, seconds = false): string {
	return new Intl.DateTimeFormat(locale, {
		year: 'numeric',
		month: '2-digit',
		day: '2-digit',
		hour: '2-digit',
		minute: '2-digit',
		...(seconds ? { second: '2-digit' } : {}),
		hourCycle: 'h23',
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
