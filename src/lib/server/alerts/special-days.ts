import { dayOf } from './detectors';

/**
 * Special days (DOMAIN.md): public holidays (春节, 国庆 …), the weekend days worked in their place (调休) and the
 * card statement and repayment dates. An anomaly baseline compares like with like: a statement day with earlier
 * statement days, a holiday with Sundays, an ordinary Wednesday with ordinary Wednesdays; special days never
 * enter the baselines of ordinary days. Edit the lists below as the State Council publishes each year's schedule.
 */

/** Public holidays (days off), China local dates. */
export const HOLIDAYS: readonly string[] = [
	// 2025
	'2025-01-01',
	...range('2025-01-28', '2025-02-04'),
	...range('2025-04-04', '2025-04-06'),
	...range('2025-05-01', '2025-05-05'),
	...range('2025-05-31', '2025-06-02'),
	...range('2025-10-01', '2025-10-08'),
	// 2026
	...range('2026-01-01', '2026-01-03'),
	...range('2026-02-15', '2026-02-23'),
	...range('2026-04-04', '2026-04-06'),
	...range('2026-05-01', '2026-05-05'),
	...range('2026-06-19', '2026-06-21'),
	...range('2026-09-25', '2026-09-27'),
	...range('2026-10-01', '2026-10-07'),
	// 2027 (the festival dates; the official schedule adds bridge days when published)
	'2027-01-01',
	...range('2027-02-06', '2027-02-12'),
	'2027-04-05',
	'2027-05-01',
	'2027-06-09',
	'2027-09-15',
	...range('2027-10-01', '2027-10-07')
];

/** Weekend days worked instead (调休上班). */
export const MAKEUP_WORKDAYS: readonly string[] = [
	'2025-01-26',
	'2025-02-08',
	'2025-04-27',
	'2025-09-28',
	'2025-10-11',
	'2026-01-04',
	'2026-02-14',
	'2026-02-28',
	'2026-05-09',
	'2026-09-20',
	'2026-10-10'
];

/** Days of the month around which card statements go out and repayments fall due (calls about bills peak). */
export const STATEMENT_DAYS: readonly number[] = [5, 6, 7];
export const REPAYMENT_DAYS: readonly number[] = [24, 25, 26];

function range(from: string, to: string): string[] {
	const out: string[] = [];
	for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000)
		out.push(new Date(t).toISOString().slice(0, 10));
	return out;
}

const holidayDays = new Set(HOLIDAYS.map(localDay));
const makeupDays = new Set(MAKEUP_WORKDAYS.map(localDay));

/** Day number (China local) of a YYYY-MM-DD date. */
function localDay(date: string): number {
	return Math.floor(Date.parse(`${date}T00:00:00Z`) / 86_400_000);
}

export type DayKind = 'holiday' | 'makeup' | 'statement' | 'repayment' | 'ordinary';

/** What kind of day a China-local day number is. Holidays win over statement dates. */
export function dayKind(day: number): DayKind {
	if (holidayDays.has(day)) return 'holiday';
	if (makeupDays.has(day)) return 'makeup';
	const dom = new Date(day * 86_400_000).getUTCDate();
	if (STATEMENT_DAYS.includes(dom)) return 'statement';
	if (REPAYMENT_DAYS.includes(dom)) return 'repayment';
	return 'ordinary';
}

/**
 * The baseline class of an hour's day: `wd0`…`wd6` for ordinary days by weekday (0 = Sunday); holidays only with
 * earlier holidays (`hol`: usually too few within the baseline weeks, so anomaly rules stay quiet on holidays
 * and threshold rules speak alone); 调休 workdays with Mondays (they carry a weekend's backlog); statement and
 * repayment days with their own kind, weekdays and weekends apart.
 */
export function dayType(hour: number): string {
	const day = dayOf(hour);
	const weekday = (day + 4) % 7;
	const weekend = weekday === 0 || weekday === 6;
	switch (dayKind(day)) {
		case 'holiday':
			return 'hol';
		case 'makeup':
			return 'wd1';
		case 'statement':
			return weekend ? 'stmt-we' : 'stmt-wd';
		case 'repayment':
			return weekend ? 'repay-we' : 'repay-wd';
		default:
			return `wd${weekday}`;
	}
}
