export {
	AudienceError,
	TEAM_LOOKBACK_DAYS,
	audienceResults,
	canSeeAudience,
	createAudience,
	exportMembers,
	getAudience,
	listAudiences,
	treatmentCsv,
	type AudienceActor,
	type AudienceResults,
	type AudienceView,
	type ExportFormat
} from './audiences';
export { pushAudience, type PushResult } from './push';
export {
	AudienceInputError,
	OUTCOME_KINDS,
	RULE_KINDS,
	parseAudienceInput,
	type AudienceInput
} from './rules';
export type { RiskScoreSource } from './risk-source';
export { DEFAULT_HOLDOUT_PERCENT, groupOf, splitMembers, splitPoint } from './split';
export { lift, liftOverTime, type Lift, type LiftOnDay } from './results';
