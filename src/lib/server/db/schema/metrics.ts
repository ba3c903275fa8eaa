import { integer, real, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

/**
 * The metrics engine's tables (src/lib/server/metrics). Rollups are hour cells of additive measures in a few
 * cuboids (sets of dimensions); see rollups.ts for why the key is packed.
 */

/**
 * One combination of dimension values of one cuboid, e.g. (cuboid team×channel, 'team-03', 'phone'); v3 only for
 * the three-dimension cuboid (team × agent × reason).
 */
export const metricCombos = sqliteTable(
	'metric_combos',
	{
		id: integer('id').primaryKey(),
		cuboid: integer('cuboid').notNull(),
		/** Dimension values in the cuboid's order; '' stands for "no value" (e.g. a bot contact has no team). */
		v1: text('v1').notNull().default(''),
		v2: text('v2').notNull().default(''),
		v3: text('v3').notNull().default('')
	},
	(t) => [uniqueIndex('metric_combos_values').on(t.cuboid, t.v1, t.v2, t.v3)]
);

/** The measures of measures.ts, one column each (the same in hour and day cells). */
const measureColumns = () => ({
	contacts: integer('contacts').notNull().default(0),
	agentRequests: integer('agent_requests').notNull().default(0),
	offered: integer('offered').notNull().default(0),
	answered: integer('answered').notNull().default(0),
	answered20s: integer('answered_20s').notNull().default(0),
	abandoned: integer('abandoned').notNull().default(0),
	shortAbandons: integer('short_abandons').notNull().default(0),
	handleN: integer('handle_n').notNull().default(0),
	handleSum: real('handle_sum').notNull().default(0),
	handleSumsq: real('handle_sumsq').notNull().default(0),
	waitN: integer('wait_n').notNull().default(0),
	offeredWaitKnown: integer('offered_wait_known').notNull().default(0),
	waitSum: real('wait_sum').notNull().default(0),
	waitSumsq: real('wait_sumsq').notNull().default(0),
	transferred: integer('transferred').notNull().default(0),
	firstContacts: integer('first_contacts').notNull().default(0),
	firstResolved: integer('first_resolved').notNull().default(0),
	repeated48h: integer('repeated_48h').notNull().default(0),
	contained: integer('contained').notNull().default(0),
	chains: integer('chains').notNull().default(0),
	chainsJudged: integer('chains_judged').notNull().default(0),
	complaints: integer('complaints').notNull().default(0),
	regulatorComplaints: integer('regulator_complaints').notNull().default(0),
	unattributedComplaints: integer('unattributed_complaints').notNull().default(0),
	npsN: integer('nps_n').notNull().default(0),
	npsPromoters: integer('nps_promoters').notNull().default(0),
	npsDetractors: integer('nps_detractors').notNull().default(0),
	csatN: integer('csat_n').notNull().default(0),
	csatTop2: integer('csat_top2').notNull().default(0),
	csatSum: real('csat_sum').notNull().default(0),
	csatSumsq: real('csat_sumsq').notNull().default(0),
	cesN: integer('ces_n').notNull().default(0),
	cesTop3: integer('ces_top3').notNull().default(0),
	cesSum: real('ces_sum').notNull().default(0),
	cesSumsq: real('ces_sumsq').notNull().default(0),
	textsScored: integer('texts_scored').notNull().default(0),
	textsPositive: integer('texts_positive').notNull().default(0),
	textsNegative: integer('texts_negative').notNull().default(0)
});

/**
 * One hour of one combination: `key` = (cuboid × 2²¹ + UTC hour number) × 2²⁶ + combo id (see rollups.ts), so one
 * hour of a cuboid and a range of hours of a cuboid are contiguous in the table's own B-tree (no second index).
 */
export const metricCells = sqliteTable('metric_cells', {
	key: integer('key').primaryKey(),
	...measureColumns()
});

/**
 * One China-time day (UTC+8) of one combination, the sum of its hour cells, kept in the same transactions: long
 * ranges read 24× fewer rows. `key` = (cuboid × 2²¹ + day number since 1970-01-01) × 2²⁶ + combo id.
 */
export const metricDayCells = sqliteTable('metric_day_cells', {
	key: integer('key').primaryKey(),
	...measureColumns()
});

/** Admin overrides of KPI targets and amber/red thresholds; a missing row or a null column keeps the default. */
export const kpiSettings = sqliteTable('kpi_settings', {
	key: text('key').primaryKey(),
	target: real('target'),
	amber: real('amber'),
	red: real('red'),
	updatedAt: integer('updated_at').notNull(),
	updatedBy: text('updated_by')
});

/** Admin overrides of the CX index weights (layers and components); a missing row keeps the default. */
export const cxIndexWeights = sqliteTable('cx_index_weights', {
	component: text('component').primaryKey(),
	weight: real('weight').notNull(),
	updatedAt: integer('updated_at').notNull(),
	updatedBy: text('updated_by')
});
