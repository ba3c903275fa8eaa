import { m } from '$lib/paraglide/messages';

/** Words for the rule and outcome kinds of an audience (the codes stay in the API). */

export interface RuleLike {
	kind: string;
	journey?: string;
	step?: string;
	minDays?: number;
	days?: number;
	minScore?: number;
}

export function describeRule(rule: RuleLike): string {
	if (rule.kind === 'breakpoint')
		return m.outreach_describe_breakpoint({
			journey: rule.journey ?? '',
			step: rule.step ?? '',
			days: rule.minDays ?? 0
		});
	if (rule.kind === 'detractors') return m.outreach_describe_detractors({ days: rule.days ?? 0 });
	return m.outreach_describe_risk({ score: rule.minScore ?? 0 });
}

export function ruleKindLabel(kind: string): string {
	if (kind === 'breakpoint') return m.outreach_kind_breakpoint();
	if (kind === 'detractors') return m.outreach_kind_detractors();
	return m.outreach_kind_risk();
}

export function outcomeLabel(kind: string): string {
	if (kind === 'journey_completed') return m.outreach_outcome_journey_completed();
	if (kind === 'no_complaint') return m.outreach_outcome_no_complaint();
	return m.outreach_outcome_not_detractor();
}
