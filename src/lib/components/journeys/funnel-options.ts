import { BarChart } from 'echarts/charts';
import { echarts, type ChartOption } from '$lib/components/charts/echarts';

// The chart kinds these options draw (charts/echarts.ts registers only what every chart shares).
echarts.use([BarChart]);

/**
 * ECharts options of the funnel: one horizontal bar per step (customers who reached it in order), labelled with the
 * conversion from the start when the start has the minimum n. Pure.
 */
export interface FunnelStepData {
	step: string;
	customers: number;
	conversionFromStart: number | null;
	/** Its 95% interval in percent. */
	conversionFromStartCi95?: [number, number] | null;
	lost: number;
	inProgress: number;
}

export interface FunnelLabels {
	step: (step: string) => string;
	customers: string;
	lost: string;
	inProgress: string;
	conversion: string;
	insufficient: string;
	/** The 95% interval, e.g. "95% interval 43.6% – 97.0%". */
	ci95: (lo: string, hi: string) => string;
}

function conversionText(s: FunnelStepData, labels: FunnelLabels): string {
	if (s.conversionFromStart === null) return labels.insufficient;
	const value = `${s.conversionFromStart.toFixed(1)}%`;
	const ci = s.conversionFromStartCi95;
	return ci ? `${value} (${labels.ci95(`${ci[0].toFixed(1)}%`, `${ci[1].toFixed(1)}%`)})` : value;
}

export function funnelOptions(
	steps: readonly FunnelStepData[],
	options: { labels: FunnelLabels; formatCount?: (n: number) => string }
): ChartOption {
	const { labels } = options;
	const count = options.formatCount ?? ((n: number) => String(n));
	const names = steps.map((s) => labels.step(s.step));
	const text = (s: FunnelStepData) =>
		s.conversionFromStart === null
			? `${count(s.customers)} · ${labels.insufficient}`
			: `${count(s.customers)} · ${s.conversionFromStart.toFixed(1)}%`;
	return {
		grid: { left: 8, right: 150, top: 8, bottom: 8, containLabel: true },
		tooltip: {
			trigger: 'axis',
			axisPointer: { type: 'shadow' },
			confine: true,
			formatter: (params: unknown) => {
				const list = Array.isArray(params) ? (params as { dataIndex: number }[]) : [];
				const s = steps[list[0]?.dataIndex ?? -1];
				if (!s) return '';
				return [
					names[steps.indexOf(s)],
					`${labels.customers}: ${count(s.customers)}`,
					`${labels.conversion}: ${conversionText(s, labels)}`,
					`${labels.lost}: ${count(s.lost)}`,
					`${labels.inProgress}: ${count(s.inProgress)}`
				].join('<br/>');
			}
		},
		xAxis: { type: 'value', show: false, max: Math.max(1, ...steps.map((s) => s.customers)) },
		yAxis: {
			type: 'category',
			inverse: true,
			data: names,
			axisTick: { show: false },
			axisLabel: { width: 170, overflow: 'truncate' }
		},
		series: [
			{
				type: 'bar',
				name: labels.customers,
				data: steps.map((s) => s.customers),
				barMaxWidth: 26,
				itemStyle: { color: '#0f5c8c', borderRadius: [0, 4, 4, 0] },
				label: {
					show: true,
					position: 'right',
					formatter: (p: { dataIndex: number }) => text(steps[p.dataIndex])
				}
			}
		]
	};
}
