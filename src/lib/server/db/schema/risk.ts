import { index, integer, real, sqliteTable, text } from 'drizzle-orm/sqlite-core';

/**
 * Complaint-escalation risk (src/lib/server/risk, DOMAIN.md "Acting on what is measured"). One row per training:
 * the fitted models (complaint and regulator complaint) and their held-out quality; the newest row is the current
 * model. Never a score without its model's quality: scores name the model they came from.
 */
export const riskModels = sqliteTable('risk_models', {
	id: integer('id').primaryKey(),
	trainedAt: integer('trained_at').notNull(),
	/** The anchors (ms) of the training windows' first and last, and of the held-out test windows. */
	trainFrom: integer('train_from').notNull(),
	trainTo: integer('train_to').notNull(),
	testFrom: integer('test_from').notNull(),
	testTo: integer('test_to').notNull(),
	/** Feature names, means, standard deviations, coefficients and intercept of each model (`RiskModelBody`). */
	model: text('model', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
	/** Held-out quality of each model: n, positives, auc, auc95, brier, calibration (`RiskQualities`). */
	quality: text('quality', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
	/** Customers scored with it. */
	scored: integer('scored').notNull().default(0)
});

/** The current score of every customer active in the 14 days before the last scoring. */
export const riskScores = sqliteTable(
	'risk_scores',
	{
		customerId: text('customer_id').primaryKey(),
		modelId: integer('model_id').notNull(),
		scoredAt: integer('scored_at').notNull(),
		/** Probability (0–1) of a complaint in the next 14 days, and of a regulator (12378) complaint. */
		score: real('score').notNull(),
		regulatorScore: real('regulator_score').notNull(),
		/** The team of the customer's latest contact in the window (managers see their teams' customers). */
		teamId: text('team_id'),
		segment: text('segment'),
		/** Top reasons: [{feature, contribution}] (coefficient × standardised value), largest first. */
		reasons: text('reasons', { mode: 'json' }).$type<{ feature: string; contribution: number }[]>().notNull()
	},
	(t) => [
		index('risk_scores_score').on(t.score, t.customerId),
		index('risk_scores_team_score').on(t.teamId, t.score, t.customerId),
		// The risk-score alert rule on the regulator probability (its highest scores, read backwards).
		index('risk_scores_regulator_score').on(t.regulatorScore, t.customerId)
	]
);

export type RiskModelRow = typeof riskModels.$inferSelect;
export type RiskScoreRow = typeof riskScores.$inferSelect;
