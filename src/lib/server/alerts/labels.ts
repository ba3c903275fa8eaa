import * as metrics from '$lib/server/metrics';

/** KPI names and units for screens (the registry's labels, both languages). */
export function kpiLabels(): Record<string, { zh: string; en: string; unit: string }> {
	return Object.fromEntries(
		metrics.REGISTRY.map((d) => [d.key, { zh: d.label.zh, en: d.label.en, unit: d.unit }])
	);
}
