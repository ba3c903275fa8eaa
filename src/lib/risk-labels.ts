import { m } from '$lib/paraglide/messages';
import type { Locale } from '$lib/paraglide/runtime';

const SEGMENT_PREFIX = 'segment:';

type Label = (inputs: Record<string, never>, options?: { locale?: Locale }) => string;

const FEATURE_LABELS: Record<string, Label> = {
	contacts: m.risk_feature_contacts,
	repeatChains: m.risk_feature_repeatChains,
	transfers: m.risk_feature_transfers,
	abandoned: m.risk_feature_abandoned,
	longWaits: m.risk_feature_longWaits,
	negativeTexts: m.risk_feature_negativeTexts,
	riskWords: m.risk_feature_riskWords,
	stuckJourneys: m.risk_feature_stuckJourneys,
	detractors: m.risk_feature_detractors,
	priorComplaints: m.risk_feature_priorComplaints
};

/** A risk model feature (a reason of a score) in words, in the current language or the one given. */
export function riskReasonLabel(feature: string, locale?: Locale): string {
	const options = locale ? { locale } : {};
	if (feature.startsWith(SEGMENT_PREFIX))
		return m.risk_feature_segment({ segment: feature.slice(SEGMENT_PREFIX.length) }, options);
	return FEATURE_LABELS[feature]?.({}, options) ?? feature;
}
