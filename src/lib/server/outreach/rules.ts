import { z } from 'zod';
import { DEFAULT_HOLDOUT_PERCENT } from './split';

/**
 * What an audience is built from (DESIGN.md "Risk and outreach"): a rule, the share held out, and the outcome
 * measured in both groups within a window of days after creation.
 */

export const RULE_KINDS = ['breakpoint', 'detractors', 'risk'] as const;
export type RuleKind = (typeof RULE_KINDS)[number];
export const OUTCOME_KINDS = ['journey_completed', 'no_complaint', 'not_detractor'] as const;
export type OutcomeKind = (typeof OUTCOME_KINDS)[number];

export const audienceRule = z.discriminatedUnion('kind', [
	/** Stuck at a journey step: in progress, the last step reached is `step`, nothing since for ≥ minDays. */
	z.object({
		kind: z.literal('breakpoint'),
		journey: z.string().trim().min(1).max(100),
		step: z.string().trim().min(1).max(100),
		minDays: z.number().int().min(1).max(365)
	}),
	/** Detractor answers in the last `days` whose follow-up case is still open and uncontacted. */
	z.object({ kind: z.literal('detractors'), days: z.number().int().min(1).max(365) }),
	/** Complaint risk score at or above minScore (0–1), from the risk model. */
	z.object({ kind: z.literal('risk'), minScore: z.number().min(0).max(1) })
]);
export type AudienceRule = z.infer<typeof audienceRule>;

export const audienceOutcome = z.object({
	kind: z.enum(OUTCOME_KINDS),
	days: z.number().int().min(1).max(180).default(14)
});
export type AudienceOutcome = z.infer<typeof audienceOutcome>;

export const audienceInput = z
	.object({
		name: z.string().trim().min(1).max(120),
		rule: audienceRule,
		holdoutPercent: z.number().gt(0).max(50).default(DEFAULT_HOLDOUT_PERCENT),
		outcome: audienceOutcome,
		/** Only the customers of these teams (a manager's audiences are always limited to their teams). */
		teams: z.array(z.string().trim().min(1).max(100)).max(100).optional()
	})
	.refine((a) => a.outcome.kind !== 'journey_completed' || a.rule.kind === 'breakpoint', {
		message: 'journey_completed needs a breakpoint rule (it names the journey)',
		path: ['outcome', 'kind']
	});
export type AudienceInput = z.infer<typeof audienceInput>;

/** A validation failure: the field (dotted path) and what is wrong with it. */
export class AudienceInputError extends Error {
	constructor(
		readonly field: string,
		message: string
	) {
		super(`${field}: ${message}`);
	}
}

export function parseAudienceInput(body: unknown): AudienceInput {
	const parsed = audienceInput.safeParse(body);
	if (parsed.success) return parsed.data;
	const issue = parsed.error.issues[0];
	throw new AudienceInputError(issue.path.map(String).join('.') || '(body)', issue.message);
}
