/**
 * The metrics engine (issue 5), imported as a namespace: `import * as metrics from '$lib/server/metrics'`, then
 * `metrics.kpis(db, query)`. KPI registry, pure arithmetic, rollups kept in the writer's transaction, queries,
 * the composite CX index and driver analysis.
 */
export {
	kpis,
	kpiMeasures,
	measuresFromRaw,
	overdispersion,
	type KpiAnswer,
	type KpiResult,
	type KpiRow,
	type Path
} from './kpis';
export {
	cxQuery,
	cxQueryToParams,
	parseCxQuery,
	previousPeriod,
	type CxQuery,
	type QueryError,
	type Scope
} from './query';
export { applySentimentScores, applyToRollups, CUBOIDS, rebuildRollups, type InsertedEvent } from './rollups';
export { acceptDriverWeights, drivers, type Driver, type DriverAnalysis } from './drivers';
export { getIndexWeights, getKpiSettings, setIndexWeights, setKpiSettings, SettingsError } from './settings';
export { KPI_KEYS, KPIS, REGISTRY, STANDARDISED, type KpiDefinition, type KpiKey } from './registry';
export { DEFAULT_INDEX_WEIGHTS, INDEX_COMPONENTS, type IndexWeights } from './cx-index';
export { DIMENSIONS, type Dimension } from './measures';
export { metricsOpenApi } from './openapi';
