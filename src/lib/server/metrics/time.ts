/**
 * Time buckets. Rollup cells are UTC hours; days and weeks are China time (UTC+8, no daylight saving), built from
 * whole hours because the offset is a whole number of hours. Weeks start on Monday.
 */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;
export const CHINA_OFFSET_MS = 8 * HOUR_MS;

export const GRAINS = ['hour', 'day', 'week'] as const;
export type Grain = (typeof GRAINS)[number];

export function hourOf(ts: number): number {
	return Math.floor(ts / HOUR_MS);
}

/** Days since 1970-01-01 in China time. */
export function chinaDayOf(ts: number): number {
	return Math.floor((ts + CHINA_OFFSET_MS) / DAY_MS);
}

/** The bucket (an integer) an instant falls in. 1970-01-01 was a Thursday: +3 makes weeks start on Monday. */
export function bucketOf(ts: number, grain: Grain): number {
	if (grain === 'hour') return hourOf(ts);
	const day = chinaDayOf(ts);
	return grain === 'day' ? day : Math.floor((day + 3) / 7);
}

/** The instant a bucket starts, epoch ms. */
export function bucketStart(bucket: number, grain: Grain): number {
	if (grain === 'hour') return bucket * HOUR_MS;
	const day = grain === 'day' ? bucket : bucket * 7 - 3;
	return day * DAY_MS - CHINA_OFFSET_MS;
}

/** ISO-8601 in China time, e.g. 2025-01-06T00:00:00+08:00 (how buckets are labelled). */
export function chinaIso(ts: number): string {
	return new Date(ts + CHINA_OFFSET_MS).toISOString().slice(0, 19) + '+08:00';
}

/** Midnight (China time) of the day an instant falls in. */
export function chinaMidnight(ts: number): number {
	return chinaDayOf(ts) * DAY_MS - CHINA_OFFSET_MS;
}
