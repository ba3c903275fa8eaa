/** Display of KPI values by unit, shared by tiles, tables and tooltips (server and browser). */

export type KpiUnit = 'percent' | 'nps' | 'seconds' | 'per10k' | 'index' | 'score';

export interface KpiReading {
	value: number | null;
	n: number;
	ci95: [number, number] | null;
}

function decimalsFor(unit: KpiUnit, value: number): number {
	if (unit === 'seconds') return value >= 100 ? 0 : 1;
	if (unit === 'nps') return 0;
	if (unit === 'per10k') return value >= 10 ? 1 : 2;
	return 1;
}

/** A bare number in the unit's precision, e.g. 82.3, +18, 14.2. */
export function formatKpiNumber(unit: KpiUnit, value: number, locale: string): string {
	const digits = decimalsFor(unit, Math.abs(value));
	const formatted = new Intl.NumberFormat(locale, {
		minimumFractionDigits: digits,
		maximumFractionDigits: digits,
		signDisplay: unit === 'nps' ? 'exceptZero' : 'auto'
	}).format(value);
	return formatted;
}

const UNIT_SUFFIX: Record<KpiUnit, { zh: string; en: string }> = {
	percent: { zh: '%', en: '%' },
	nps: { zh: '', en: '' },
	seconds: { zh: ' 秒', en: ' s' },
	per10k: { zh: ' /万', en: ' /10k' },
	index: { zh: '', en: '' },
	score: { zh: '', en: '' }
};

export function unitSuffix(unit: KpiUnit, locale: string): string {
	return UNIT_SUFFIX[unit][locale.startsWith('zh') ? 'zh' : 'en'];
}

/** The value with its unit, e.g. "82.3%", "+18", "14.2 s", "3.25 /万". */
export function formatKpiValue(unit: KpiUnit, value: number, locale: string): string {
	return formatKpiNumber(unit, value, locale) + unitSuffix(unit, locale);
}

/** The 95% interval as "80.1–84.2%". */
export function formatInterval(unit: KpiUnit, ci: [number, number], locale: string): string {
	return `${formatKpiNumber(unit, ci[0], locale)}–${formatKpiNumber(unit, ci[1], locale)}${unitSuffix(unit, locale)}`;
}

/** A change against the previous period in the unit's own terms: points for rates and NPS, seconds for times. */
export function formatChange(unit: KpiUnit, change: number, locale: string): string {
	const digits = unit === 'nps' ? 0 : 1;
	const number = new Intl.NumberFormat(locale, {
		minimumFractionDigits: digits,
		maximumFractionDigits: digits,
		signDisplay: 'exceptZero'
	}).format(change);
	const zh = locale.startsWith('zh');
	if (unit === 'percent' || unit === 'nps' || unit === 'index') return `${number}${zh ? ' 个点' : ' pts'}`;
	return number + unitSuffix(unit, locale);
}
