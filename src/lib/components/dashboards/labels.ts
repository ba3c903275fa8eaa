import { m } from '$lib/paraglide/messages';
import type { DrillEvent } from './types';

/** Display words of the dashboards in the current language (the stored value when unknown). */

const handlers: Record<string, () => string> = {
	agent: m.drill_handled_agent,
	bot: m.drill_handled_bot,
	ivr: m.drill_handled_ivr
};
const outcomes: Record<string, () => string> = {
	resolved: m.drill_outcome_resolved,
	unresolved: m.drill_outcome_unresolved,
	transferred: m.drill_outcome_transferred,
	abandoned: m.drill_outcome_abandoned
};
const metrics: Record<string, () => string> = {
	nps: m.drill_metric_nps,
	csat: m.drill_metric_csat,
	ces: m.drill_metric_ces
};

export function metricLabel(value: string | null): string {
	return value ? (metrics[value]?.() ?? value) : '—';
}

/** One line saying what a record is: how a contact went, what a survey answered, what a complaint is about. */
export function eventDetail(e: DrillEvent, locale: string): string {
	const nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
	const parts: string[] = [];
	if (e.type === 'contact') {
		if (e.handledBy) parts.push(handlers[e.handledBy]?.() ?? e.handledBy);
		if (e.outcome) parts.push(outcomes[e.outcome]?.() ?? e.outcome);
		if (e.waitS !== null) parts.push(m.drill_wait({ seconds: nf.format(e.waitS) }));
		if (e.handleS !== null) parts.push(m.drill_handle({ seconds: nf.format(e.handleS) }));
		if (e.reason) parts.push(e.reason);
	} else if (e.type === 'feedback') {
		parts.push(`${metricLabel(e.metric)} ${e.score ?? '—'}`);
	} else if (e.type === 'complaint') {
		if (e.category) parts.push(e.category);
		if (e.severity) parts.push(e.severity);
		if (e.regulator) parts.push(m.drill_regulator());
	} else if (e.type === 'journey') {
		if (e.name) parts.push(e.name);
		if (e.journey) parts.push(e.journey);
	}
	return parts.join(' · ');
}
