// ECharts, tree-shaken: this module registers the core, the canvas renderer, the grid and the tooltip that every chart
// uses; each option builder registers the series and components it draws (`echarts.use([LineChart, …])` beside it),
// so a route bundles only the chart kinds it shows (the wallboard: lines).
import * as echarts from 'echarts/core';
import { GridComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([GridComponent, TooltipComponent, CanvasRenderer]);

export { echarts };
export type { EChartsCoreOption as ChartOption } from 'echarts/core';

/** What a click on a chart element tells the page, for drill-down. */
export interface ChartClick {
	seriesName?: string;
	name?: string;
	dataIndex?: number;
	value?: unknown;
	data?: unknown;
}
