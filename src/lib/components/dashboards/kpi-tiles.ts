import { formatInterval, formatKpiValue, type KpiUnit } from '$lib/kpi-format';
import type { KpiTileData } from '$lib/components/kpi/types';
import type { KpiMeta, RegistryUnit, WallboardKpi } from './types';

/** From the server's KPI readings to what a KpiTile shows, in the viewer's language. */

export function tileUnit(unit: RegistryUnit): KpiUnit {
	return unit === 'per_10k' ? 'per10k' : unit;
}

export function localized(text: { zh: string; en: string }, locale: string): string {
	return locale.startsWith('zh') ? text.zh : text.en;
}

export function tileStatus(status: WallboardKpi['status']): KpiTileData['status'] {
	return status === 'green' ? 'good' : status;
}

export function toTile(
	key: string,
	kpi: WallboardKpi,
	meta: Pick<KpiMeta, 'label' | 'description'>,
	locale: string,
	note?: string
): KpiTileData {
	const unit = tileUnit(kpi.unit);
	const mean =
		kpi.mean && kpi.mean.value !== null
			? `${locale.startsWith('zh') ? '平均分' : 'Mean score'} ${formatKpiValue('score', kpi.mean.value, locale)}${
					kpi.mean.ci95 ? ` (${formatInterval('score', kpi.mean.ci95, locale)})` : ''
				}`
			: null;
	return {
		key,
		label: localized(meta.label, locale),
		description: localized(meta.description, locale),
		unit,
		direction: kpi.direction,
		value: kpi.value,
		n: kpi.n,
		ci95: kpi.ci95,
		minN: kpi.minN,
		target: kpi.target,
		status: tileStatus(kpi.status),
		change: kpi.change,
		// Only where a test ran ("no significant difference" is a finding, not the absence of one).
		significant: kpi.significant ?? undefined,
		lowConfidence: kpi.lowConfidence,
		pending: kpi.pending,
		unattributed: kpi.unattributed,
		missing: kpi.missing?.map((c) => localized(c.label, locale)),
		spark: kpi.spark,
		note: [mean, note].filter(Boolean).join('\n') || undefined
	};
}
