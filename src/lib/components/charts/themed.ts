import type { ChartPalette } from '$lib/state/theme.svelte';

// Option pieces the cartesian charts share, in the current theme's colours (ECharts cannot read CSS).

/** A tooltip for the whole category under the pointer; `describe` writes the HTML of that category's index. */
export function axisTooltip(palette: ChartPalette, describe: (index: number) => string) {
	return {
		trigger: 'axis',
		backgroundColor: palette.surface,
		borderColor: palette.border,
		textStyle: { color: palette.text },
		formatter: (params: unknown) => {
			const first = Array.isArray(params) ? params[0] : params;
			return describe((first as { dataIndex?: number } | undefined)?.dataIndex ?? 0);
		}
	};
}

/** The category axis below the chart, its labels thinned where they would overlap. */
export function categoryAxis(palette: ChartPalette, categories: string[]) {
	return {
		type: 'category',
		data: categories,
		axisLine: { lineStyle: { color: palette.border } },
		axisLabel: { color: palette.muted, hideOverlap: true }
	};
}

/** The value axis's grid lines. */
export const valueSplitLine = (palette: ChartPalette) => ({
	lineStyle: { color: palette.border, opacity: 0.6 }
});
