import { SVGRenderer } from 'echarts/renderers';
import { echarts, type ChartOption } from './echarts';

// Tests draw charts server-side, as SVG (the app itself draws on canvas).
echarts.use([SVGRenderer]);

/**
 * Draws the options as ECharts would (server-side rendering, 600 × 400) and returns the series types it drew: a
 * series of a kind no module registered is dropped (or ECharts throws), so a test comparing this with the options'
 * series fails when an option builder forgot its `echarts.use`.
 */
export function drawnSeriesTypes(option: object): string[] {
	const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width: 600, height: 400 });
	try {
		chart.setOption(option as ChartOption);
		const model = (chart as unknown as { getModel(): { getSeries(): { type: string }[] } }).getModel();
		return model.getSeries().map((s) => s.type.replace(/^series\./, ''));
	} finally {
		chart.dispose();
	}
}

/** The series types the options ask for. */
export function askedSeriesTypes(option: object): string[] {
	const series = (option as { series?: { type?: string }[] | { type?: string } }).series;
	return (Array.isArray(series) ? series : series ? [series] : []).map((s) => s.type ?? '');
}
