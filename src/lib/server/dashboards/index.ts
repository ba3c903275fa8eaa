/**
 * Dashboards (issue 7): the executive wallboard, TV mode boards, the manager's trends and the drill-down records.
 * Import as a namespace: `import * as dashboards from '$lib/server/dashboards'`.
 */
export { dashboardQuery, parseStreamParams, type DashboardQuery, type StreamParams } from './query';
export { lastSeq, wallboardMeta, wallboardSnapshot, SPARK_DAYS } from './wallboard';
export { alertsBoard, channelBoard, journeyBoard } from './boards';
export { wallboardView, type WallboardTv } from './wallboard-view';
export {
	agentTable,
	controlChart,
	satisfaction,
	teamTable,
	CONTROL_KPIS,
	TREND_KPIS,
	type AgentTable,
	type ControlChart,
	type ControlKpi,
	type TeamRow,
	type TrendGrain,
	type TrendKpi,
	type TrendPoint,
	type TrendSeries
} from './trends';
export { compareAgents, type AgentComparison, type AgentKpi, type AgentMark } from './agents';
export { pChart, pChartLimits, type PChart, type PChartPoint } from './control-chart';
export {
	eventsCsv,
	listEvents,
	parseEventsQuery,
	EVENT_CSV_COLUMNS,
	KPI_RECORDS,
	type DrillEvent,
	type EventsPage,
	type EventsQuery
} from './events';
export { filterOptions } from './options';
