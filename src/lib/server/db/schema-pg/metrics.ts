// Derived from ../schema/metrics.ts by scripts/derive-pg-schema.js (npm run db:schema-pg); do not edit by hand.
import { bigint, doublePrecision, pgTable, text, uniqueIndex } from 'drizzle-orm/pg-core';

export const metricCombos = pgTable(
	'metric_combos',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
		cuboid: bigint('cuboid', { mode: 'number' }).notNull(),
		/** Dimension values in the cuboid's order; '' stands for "no value" (e.g. a bot contact has no team). */
		v1: text('v1').notNull().default(''),
		v2: text('v2').notNull().default(''),
		v3: text('v3').notNull().default('')
	},
	(t) => [uniqueIndex('metric_combos_values').on(t.cuboid, t.v1, t.v2, t.v3)]
);

/** The measures of measures.ts, one column each (the same in hour and day cells). */
const measureColumns = () => ({
	contacts: bigint('contacts', { mode: 'number' }).notNull().default(0),
	agentRequests: bigint('agent_requests', { mode: 'number' }).notNull().default(0),
	offered: bigint('offered', { mode: 'number' }).notNull().default(0),
	answered: bigint('answered', { mode: 'number' }).notNull().default(0),
	answered20s: bigint('answered_20s', { mode: 'number' }).notNull().default(0),
	abandoned: bigint('abandoned', { mode: 'number' }).notNull().default(0),
	shortAbandons: bigint('short_abandons', { mode: 'number' }).notNull().default(0),
	handleN: bigint('handle_n', { mode: 'number' }).notNull().default(0),
	handleSum: doublePrecision('handle_sum').notNull().default(0),
	handleSumsq: doublePrecision('handle_sumsq').notNull().default(0),
	waitN: bigint('wait_n', { mode: 'number' }).notNull().default(0),
	offeredWaitKnown: bigint('offered_wait_known', { mode: 'number' }).notNull().default(0),
	waitSum: doublePrecision('wait_sum').notNull().default(0),
	waitSumsq: doublePrecision('wait_sumsq').notNull().default(0),
	transferred: bigint('transferred', { mode: 'number' }).notNull().default(0),
	firstContacts: bigint('first_contacts', { mode: 'number' }).notNull().default(0),
	firstResolved: bigint('first_resolved', { mode: 'number' }).notNull().default(0),
	repeated48h: bigint('repeated_48h', { mode: 'number' }).notNull().default(0),
	contained: bigint('contained', { mode: 'number' }).notNull().default(0),
	chains: bigint('chains', { mode: 'number' }).notNull().default(0),
	chainsJudged: bigint('chains_judged', { mode: 'number' }).notNull().default(0),
	complaints: bigint('complaints', { mode: 'number' }).notNull().default(0),
	regulatorComplaints: bigint('regulator_complaints', { mode: 'number' }).notNull().default(0),
	unattributedComplaints: bigint('unattributed_complaints', { mode: 'number' }).notNull().default(0),
	npsN: bigint('nps_n', { mode: 'number' }).notNull().default(0),
	npsPromoters: bigint('nps_promoters', { mode: 'number' }).notNull().default(0),
	npsDetractors: bigint('nps_detractors', { mode: 'number' }).notNull().default(0),
	csatN: bigint('csat_n', { mode: 'number' }).notNull().default(0),
	csatTop2: bigint('csat_top2', { mode: 'number' }).notNull().default(0),
	csatSum: doublePrecision('csat_sum').notNull().default(0),
	csatSumsq: doublePrecision('csat_sumsq').notNull().default(0),
	cesN: bigint('ces_n', { mode: 'number' }).notNull().default(0),
	cesTop3: bigint('ces_top3', { mode: 'number' }).notNull().default(0),
	cesSum: doublePrecision('ces_sum').notNull().default(0),
	cesSumsq: doublePrecision('ces_sumsq').notNull().default(0),
	textsScored: bigint('texts_scored', { mode: 'number' }).notNull().default(0),
	textsPositive: bigint('texts_positive', { mode: 'number' }).notNull().default(0),
	textsNegative: bigint('texts_negative', { mode: 'number' }).notNull().default(0)
});

/**
 * One hour of one combination: `key` = (cuboid × 2²¹ + UTC hour number) × 2²⁶ + combo id (see rollups.ts), so one
 * hour of a cuboid and a range of hours of a cuboid are contiguous in the table's own B-tree (no second index).
 */
export const metricCells = pgTable('metric_cells', {
	key: bigint('key', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	...measureColumns()
});

/**
 * One China-time day (UTC+8) of one combination, the sum of its hour cells, kept in the same transactions: long
 * ranges read 24× fewer rows. `key` = (cuboid × 2²¹ + day number since 1970-01-01) × 2²⁶ + combo id.
 */
export const metricDayCells = pgTable('metric_day_cells', {
	key: bigint('key', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	...measureColumns()
});

/** Admin overrides of KPI targets and amber/red thresholds; a missing row or a null column keeps the default. */
export const kpiSettings = pgTable('kpi_settings', {
	key: text('key').primaryKey(),
	target: doublePrecision('target'),
	amber: doublePrecision('amber'),
	red: doublePrecision('red'),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
	updatedBy: text('updated_by')
});

/** Admin overrides of the CX index weights (layers and components); a missing row keeps the default. */
export const cxIndexWeights = pgTable('cx_index_weights', {
	component: text('component').primaryKey(),
	weight: doublePrecision('weight').notNull(),
	updatedAt: bigint('updated_at', { mode: 'number' }).notNull(),
	updatedBy: text('updated_by')
});
