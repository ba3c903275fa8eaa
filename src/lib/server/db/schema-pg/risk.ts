// Derived from ../schema/risk.ts by scripts/derive-pg-schema.js (npm run db:schema-pg); do not edit by hand.
import { bigint, doublePrecision, index, pgTable, text } from 'drizzle-orm/pg-core';
import { jsonText } from './column-types';

export const riskModels = pgTable('risk_models', {
	id: bigint('id', { mode: 'number' }).primaryKey().generatedByDefaultAsIdentity(),
	trainedAt: bigint('trained_at', { mode: 'number' }).notNull(),
	/** The anchors (ms) of the training windows' first and last, and of the held-out test windows. */
	trainFrom: bigint('train_from', { mode: 'number' }).notNull(),
	trainTo: bigint('train_to', { mode: 'number' }).notNull(),
	testFrom: bigint('test_from', { mode: 'number' }).notNull(),
	testTo: bigint('test_to', { mode: 'number' }).notNull(),
	/** Feature names, means, standard deviations, coefficients and intercept of each model (`RiskModelBody`). */
	model: jsonText('model').$type<Record<string, unknown>>().notNull(),
	/** Held-out quality of each model: n, positives, auc, auc95, brier, calibration (`RiskQualities`). */
	quality: jsonText('quality').$type<Record<string, unknown>>().notNull(),
	/** Customers scored with it. */
	scored: bigint('scored', { mode: 'number' }).notNull().default(0)
});

/** The current score of every customer active in the 14 days before the last scoring. */
export const riskScores = pgTable(
	'risk_scores',
	{
		customerId: text('customer_id').primaryKey(),
		modelId: bigint('model_id', { mode: 'number' }).notNull(),
		scoredAt: bigint('scored_at', { mode: 'number' }).notNull(),
		/** Probability (0–1) of a complaint in the next 14 days, and of a regulator (12378) complaint. */
		score: doublePrecision('score').notNull(),
		regulatorScore: doublePrecision('regulator_score').notNull(),
		/** The team of the customer's latest contact in the window (managers see their teams' customers). */
		teamId: text('team_id'),
		segment: text('segment'),
		/** Top reasons: [{feature, contribution}] (coefficient × standardised value), largest first. */
		reasons: jsonText('reasons').$type<{ feature: string; contribution: number }[]>().notNull()
	},
	(t) => [
		index('risk_scores_score').on(t.score, t.customerId),
		index('risk_scores_team_score').on(t.teamId, t.score, t.customerId),
		// The risk-score alert rule on the regulator probability (its highest scores, read backwards).
		index('risk_scores_regulator_score').on(t.regulatorScore, t.customerId)
	]
);
