// The one place that registers ECharts modules: tree-shaken so the wallboard bundle stays small.
import * as echarts from 'echarts/core';
import {
	BarChart,
	HeatmapChart,
	LineChart,
	PieChart,
	SankeyChart,
	ScatterChart,
	TreemapChart
} from 'echarts/charts';
import {
	DatasetComponent,
	GridComponent,
	LegendComponent,
	MarkAreaComponent,
	MarkLineComponent,
	TitleComponent,
	TooltipComponent,
	VisualMapComponent
} from 'echarts/components';
import { CanvasRenderer, SVGRenderer } from 'echarts/renderers';

echarts.use([
	BarChart,
	HeatmapChart,
	LineChart,
	PieChart,
	SankeyChart,
	ScatterChart,
	TreemapChart,
	DatasetComponent,
	GridComponent,
	LegendComponent,
	MarkAreaComponent,
	MarkLineComponent,
	TitleComponent,
	TooltipComponent,
	VisualMapComponent,
	CanvasRenderer,
	SVGRenderer
]);

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
