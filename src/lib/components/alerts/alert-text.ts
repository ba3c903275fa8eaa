import { m } from '$lib/paraglide/messages';
import { formatKpiValue, type KpiUnit } from '$lib/kpi-format';
import { riskReasonLabel } from '$lib/risk-labels';
import { clockTime } from '$lib/components/dashboards/format';

/** Screens' words for alerts and cases, built from an alert's details in the current language. */

export interface KpiLabel {
	zh: string;
	en: string;
	/** The registry's unit: percent, nps, seconds, per_10k, index. */
	unit: string;
}
export type KpiLabels = Record<string, KpiLabel>;

const SEVERITY: Record<string, () => string> = {
	info: m.alerts_severity_info,
	warning: m.alerts_severity_warning,
	critical: m.alerts_severity_critical
};
const STATUS: Record<string, () => string> = {
	open: m.alerts_status_open,
	acknowledged: m.alerts_status_acknowledged,
	resolved: m.alerts_status_resolved
};
const KIND: Record<string, () => string> = {
	threshold: m.alerts_kind_threshold,
	anomaly: m.alerts_kind_anomaly,
	risk: m.alerts_kind_risk,
	risk_score: m.alerts_kind_risk_score
};
const SIGNAL: Record<string, () => string> = {
	regulator: m.alerts_signal_regulator,
	complaint_spike: m.alerts_signal_complaint_spike,
	risk_words: m.alerts_signal_risk_words,
	case_sla: m.alerts_signal_case_sla,
	emerging_topic: m.alerts_signal_emerging_topic
};
const METHOD: Record<string, () => string> = {
	ewma: m.alerts_method_ewma,
	pchart: m.alerts_method_pchart,
	cusum: m.alerts_method_cusum
};
const OP: Record<string, () => string> = {
	'<': m.alerts_op_lt,
	'<=': m.alerts_op_le,
	'>': m.alerts_op_gt,
	'>=': m.alerts_op_ge
};
const CASE_STATUS: Record<string, () => string> = {
	open: m.cases_status_open,
	contacted: m.cases_status_contacted,
	resolved: m.cases_status_resolved,
	unreachable: m.cases_status_unreachable
};
const CASE_REASON: Record<string, () => string> = {
	detractor: m.cases_reason_detractor,
	regulator_complaint: m.cases_reason_regulator
};

const label = (table: Record<string, () => string>, key: string | null | undefined) =>
	key ? (table[key]?.() ?? key) : '—';

export const severityLabel = (s: string) => label(SEVERITY, s);
export const statusLabel = (s: string) => label(STATUS, s);
export const kindLabel = (s: string) => label(KIND, s);
export const signalLabel = (s: string) => label(SIGNAL, s);
export const methodLabel = (s: string) => label(METHOD, s);
export const opLabel = (s: string) => label(OP, s);
export const caseStatusLabel = (s: string) => label(CASE_STATUS, s);
export const caseReasonLabel = (s: string) => label(CASE_REASON, s);

export function kpiName(labels: KpiLabels, key: string, locale: string): string {
	const l = labels[key];
	return l ? (locale.startsWith('zh') ? l.zh : l.en) : key;
}

function kpiUnit(unit: string | undefined): KpiUnit {
	if (unit === 'per_10k') return 'per10k';
	if (unit === 'percent' || unit === 'nps' || unit === 'seconds' || unit === 'index') return unit;
	return 'score';
}

export function formatKpi(labels: KpiLabels, key: string, value: unknown, locale: string): string {
	return typeof value === 'number' ? formatKpiValue(kpiUnit(labels[key]?.unit), value, locale) : '—';
}

const num = (v: unknown) => (typeof v === 'number' ? v : 0);

/** A 95% interval as "lo–hi", or a dash when there is none. */
function intervalText(ci: unknown, format: (v: number) => string): string {
	return Array.isArray(ci) && typeof ci[0] === 'number' && typeof ci[1] === 'number'
		? `${format(ci[0])}–${format(ci[1])}`
		: '—';
}

/** A p-value with two significant digits ("0.0031", "2.1e-7"); "< 1e-12" below what is worth printing. */
function pValueText(p: number, locale: string): string {
	if (p < 1e-12) return '< 1e-12';
	if (p < 1e-4) return p.toExponential(1);
	return new Intl.NumberFormat(locale, { maximumSignificantDigits: 2 }).format(p);
}

const pctOf = (v: unknown, locale: string) =>
	typeof v === 'number'
		? new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 1 }).format(v)
		: '—';
const riskOutcome = (v: unknown) =>
	v === 'regulator' ? m.alerts_rs_outcome_regulator() : m.alerts_rs_outcome_complaint();
const riskWho = (v: unknown) => (v === 'vip' ? m.alerts_rs_who_vip() : m.alerts_rs_who_any());

/** A risk-score alert (alerts/risk-score.ts) in words: the customer, the score and the top reasons, or the count. */
function describeRiskScore(d: Record<string, unknown>, locale: string): string {
	if (d.status === 'no_model') return m.alerts_text_risk_score_no_model();
	if (d.mode === 'count') {
		const nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
		return m.alerts_text_risk_score_count({
			count: nf.format(num(d.count)),
			who: riskWho(d.customers),
			level: pctOf(d.minScore, locale),
			outcome: riskOutcome(d.outcome),
			expected: typeof d.expected === 'number' ? nf.format(d.expected) : '—',
			p: typeof d.pValue === 'number' ? pValueText(d.pValue, locale) : '—'
		});
	}
	const reasons = Array.isArray(d.reasons)
		? (d.reasons as { feature?: unknown }[]).map((r) => riskReasonLabel(String(r.feature)))
		: [];
	return m.alerts_text_risk_score_customer({
		who: riskWho(d.customers),
		customer: String(d.customerId ?? '—'),
		team: typeof d.team === 'string' ? m.alerts_text_risk_score_team({ team: d.team }) : '',
		outcome: riskOutcome(d.outcome),
		score: pctOf(d.score, locale),
		level: pctOf(d.minScore, locale),
		reasons: reasons.length ? reasons.join(locale.startsWith('zh') ? '、' : ', ') : '—'
	});
}

/** One sentence about what an alert found, from its details, in the current language. */
export function describeAlert(
	alert: { kind: string; summary: string; details: Record<string, unknown> },
	labels: KpiLabels,
	locale: string
): string {
	const d = alert.details;
	const nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });
	const minutes = nf.format(num(d.windowMinutes));
	// Expected counts and usual rates of rare events are small: two significant digits, not one decimal.
	const small = new Intl.NumberFormat(locale, { maximumSignificantDigits: 2 });
	if (d.kind === 'threshold') {
		const kpi = String(d.kpi);
		return m.alerts_text_threshold({
			kpi: kpiName(labels, kpi, locale),
			value: formatKpi(labels, kpi, d.value, locale),
			ci: intervalText(d.ci95, (v) => formatKpi(labels, kpi, v, locale)),
			op: opLabel(String(d.op)),
			threshold: formatKpi(labels, kpi, d.threshold, locale),
			minutes,
			n: nf.format(num(d.n))
		});
	}
	if (d.kind === 'risk_score') return describeRiskScore(d, locale);
	if (d.kind === 'anomaly') {
		const kpi = String(d.kpi);
		const methods = Array.isArray(d.methods) ? d.methods.map((x) => methodLabel(String(x))).join(', ') : '';
		return m.alerts_text_anomaly({
			kpi: kpiName(labels, kpi, locale),
			value: formatKpi(labels, kpi, d.value, locale),
			baseline: formatKpi(labels, kpi, d.baseline, locale),
			methods: methods || '—'
		});
	}
	switch (d.signal) {
		case 'regulator':
			return m.alerts_text_regulator({ count: nf.format(num(d.count)), minutes });
		case 'risk_words':
			return m.alerts_text_risk_words({
				count: nf.format(num(d.count)),
				minutes,
				expected: d.expected === null || d.expected === undefined ? '—' : nf.format(num(d.expected))
			});
		case 'complaint_spike':
			return m.alerts_text_complaint_spike({
				count: nf.format(num(d.count)),
				minutes,
				contacts: nf.format(num(d.contacts)),
				rate: typeof d.rate === 'number' ? nf.format(d.rate) : '—',
				ci: intervalText(d.ci95, (v) => nf.format(v)),
				usual: typeof d.baselineRate === 'number' ? small.format(d.baselineRate) : '—',
				expected: typeof d.expected === 'number' ? small.format(d.expected) : '—',
				p: typeof d.pValue === 'number' ? pValueText(d.pValue, locale) : '—'
			});
		case 'case_sla':
			return m.alerts_text_case_sla({ count: nf.format(num(d.count)) });
		case 'emerging_topic':
			return m.alerts_text_emerging_topic({
				count: nf.format(num(d.count)),
				topics: Array.isArray(d.topics)
					? (d.topics as { label?: unknown; previous?: unknown; current?: unknown }[])
							.slice(0, 5)
							.map((t) => `${String(t.label)} (${nf.format(num(t.previous))} → ${nf.format(num(t.current))})`)
							.join(', ')
					: '—'
			});
	}
	return alert.summary;
}

/** One line about what a rule watches, in the current language. */
export function describeRule(rule: Record<string, unknown>, labels: KpiLabels, locale: string): string {
	const nf = new Intl.NumberFormat(locale, { maximumFractionDigits: 2 });
	const kpi = typeof rule.kpi === 'string' ? rule.kpi : '';
	if (rule.kind === 'threshold')
		return m.alerts_rule_threshold({
			kpi: kpiName(labels, kpi, locale),
			op: opLabel(String(rule.op)),
			value: formatKpi(labels, kpi, rule.value, locale),
			minutes: nf.format(num(rule.windowMinutes)),
			n: nf.format(num(rule.minN))
		});
	if (rule.kind === 'anomaly')
		return m.alerts_rule_anomaly({
			kpi: kpiName(labels, kpi, locale),
			methods: Array.isArray(rule.methods) ? rule.methods.map((x) => methodLabel(String(x))).join(', ') : '',
			lambda: nf.format(num(rule.lambda)),
			L: nf.format(num(rule.L)),
			weeks: nf.format(num(rule.baselineWeeks))
		});
	if (rule.kind === 'risk_score')
		return rule.mode === 'count'
			? m.alerts_rule_risk_score_count({
					who: riskWho(rule.customers),
					outcome: riskOutcome(rule.outcome),
					level: pctOf(rule.minScore, locale),
					value: nf.format(num(rule.value)),
					ratio: nf.format(num(rule.ratio)),
					weeks: nf.format(num(rule.baselineWeeks)),
					alpha: typeof rule.alpha === 'number' ? pValueText(rule.alpha, locale) : '—'
				})
			: m.alerts_rule_risk_score_customer({
					who: riskWho(rule.customers),
					outcome: riskOutcome(rule.outcome),
					level: pctOf(rule.minScore, locale)
				});
	if (rule.signal === 'complaint_spike')
		return m.alerts_rule_complaint_spike({
			signal: signalLabel('complaint_spike'),
			value: nf.format(num(rule.value)),
			minutes: nf.format(num(rule.windowMinutes)),
			ratio: nf.format(num(rule.ratio)),
			alpha: typeof rule.alpha === 'number' ? pValueText(rule.alpha, locale) : '—'
		});
	if (rule.signal === 'emerging_topic')
		return m.alerts_rule_emerging_topic({
			signal: signalLabel('emerging_topic'),
			value: nf.format(num(rule.value)),
			ratio: nf.format(num(rule.ratio)),
			alpha: typeof rule.alpha === 'number' ? pValueText(rule.alpha, locale) : '—'
		});
	if (rule.signal === 'case_sla')
		return m.alerts_rule_case_sla({ signal: signalLabel('case_sla'), value: nf.format(num(rule.value)) });
	return m.alerts_rule_risk({
		signal: signalLabel(String(rule.signal)),
		value: nf.format(num(rule.value)),
		minutes: nf.format(num(rule.windowMinutes))
	});
}

/**
 * The demo incident switch's "on since 14:05 by admin@bank.cn" (China time), or null when it is off or nobody ever
 * switched it: the state every server process shares (demo/incident.ts).
 */
export function incidentSince(
	state: { incident: boolean; since: number | null; by: string | null },
	locale: string
): string | null {
	if (!state.incident || state.since === null) return null;
	const time = clockTime(state.since, locale);
	return state.by ? m.alerts_incident_since({ time, by: state.by }) : m.alerts_incident_since_time({ time });
}
