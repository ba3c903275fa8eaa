import type { Measure, Measures } from './measures';
import {
	adjustedProportionVariance,
	dispersedZ,
	dispersionFactor,
	FAMILY_ALPHA,
	tTwoSidedP,
	twoSidedP,
	isWiderThan,
	LOW_CONFIDENCE_HALF_WIDTH,
	meanInterval,
	MIN_N,
	npsInterval,
	poissonRatesTest,
	rateInterval,
	twoProportionZ,
	welch,
	wilson,
	Z95,
	type Interval
} from '$lib/server/stats';

/**
 * The KPI registry (DOMAIN.md): one entry per KPI. A formula is data over the measures of measures.ts (where the
 * operational definitions are written down), so adding a KPI is adding one entry here.
 */

export const KPI_KEYS = [
	'nps',
	'csat',
	'ces',
	'fcr',
	'aht_s',
	'asa_s',
	'service_level',
	'answer_rate',
	'abandonment_rate',
	'transfer_rate',
	'repeat_contact_rate',
	'complaint_rate',
	'regulator_share',
	'containment_rate',
	'sentiment',
	'cx_index'
] as const;
export type KpiKey = (typeof KPI_KEYS)[number];

export type Formula =
	/** numerator ÷ denominator × 100, Wilson interval. */
	| { kind: 'proportion'; numerator: Measure; denominator: Measure }
	/** (positive − negative) ÷ n × 100, NPS standard error. */
	| { kind: 'balance'; n: Measure; positive: Measure; negative: Measure }
	/** Σx ÷ n, mean ± 1.96·s/√n. */
	| { kind: 'mean'; n: Measure; sum: Measure; sumsq: Measure }
	/** numerator ÷ denominator × per (e.g. per 10,000 contacts). */
	| { kind: 'rate'; numerator: Measure; denominator: Measure; per: number }
	/** The composite CX index (cx-index.ts), from the other KPIs. */
	| { kind: 'composite' };

export type Unit = 'percent' | 'nps' | 'seconds' | 'per_10k' | 'index';
export type Direction = 'higher' | 'lower';
export type IntervalMethod = 'wilson' | 'nps' | 'mean' | 'rate' | 'delta';

export interface Thresholds {
	/** The goal shown on charts. */
	target: number;
	/** Worse than this (in the KPI's direction) turns amber. */
	amber: number;
	/** Worse than this turns red. */
	red: number;
}

export interface KpiDefinition {
	key: KpiKey;
	label: { zh: string; en: string };
	description: { zh: string; en: string };
	formula: Formula;
	/** A second figure shown beside the value (CES: the mean score). */
	mean?: { n: Measure; sum: Measure; sumsq: Measure };
	unit: Unit;
	direction: Direction;
	minN: number;
	interval: IntervalMethod;
	defaults: Thresholds;
	/** Half-width (display units) beyond which the value is flagged low confidence; null: never flagged. */
	lowConfidenceHalfWidth: number | null;
}

const P = LOW_CONFIDENCE_HALF_WIDTH.proportion;

export const REGISTRY: readonly KpiDefinition[] = [
	{
		key: 'nps',
		label: { zh: '净推荐值', en: 'Net Promoter Score' },
		description: {
			zh: '推荐者（9–10分）占比减去贬损者（0–6分）占比，范围 −100…100。',
			en: '% promoters (9–10) − % detractors (0–6) of NPS answers, −100…100.'
		},
		formula: { kind: 'balance', n: 'npsN', positive: 'npsPromoters', negative: 'npsDetractors' },
		unit: 'nps',
		direction: 'higher',
		minN: MIN_N,
		interval: 'nps',
		defaults: { target: 20, amber: 20, red: 10 },
		lowConfidenceHalfWidth: LOW_CONFIDENCE_HALF_WIDTH.nps
	},
	{
		key: 'csat',
		label: { zh: '满意度', en: 'Customer satisfaction' },
		description: {
			zh: '满意度调查（1–5分）中回答4或5分的占比。',
			en: 'Top-2-box: answers 4 or 5 on the 1–5 scale ÷ answers.'
		},
		formula: { kind: 'proportion', numerator: 'csatTop2', denominator: 'csatN' },
		unit: 'percent',
		direction: 'higher',
		minN: MIN_N,
		interval: 'wilson',
		defaults: { target: 85, amber: 85, red: 80 },
		lowConfidenceHalfWidth: P
	},
	{
		key: 'ces',
		label: { zh: '客户费力度', en: 'Customer effort' },
		description: {
			zh: '“办理很容易”7分量表中回答5–7分的占比（同时给出平均分）。',
			en: 'Share answering 5–7 on the 7-point “made it easy” scale (the mean is shown too).'
		},
		formula: { kind: 'proportion', numerator: 'cesTop3', denominator: 'cesN' },
		mean: { n: 'cesN', sum: 'cesSum', sumsq: 'cesSumsq' },
		unit: 'percent',
		direction: 'higher',
		minN: MIN_N,
		interval: 'wilson',
		defaults: { target: 75, amber: 75, red: 65 },
		lowConfidenceHalfWidth: P
	},
	{
		key: 'fcr',
		label: { zh: '一次解决率', en: 'First-contact resolution' },
		description: {
			zh: '首次联络链（7天内无同一原因的联络链；转接的各段算一次联络）中，之后7天内同一客户未因同一原因再次联络的占比；只计7天窗口已结束的联络链，按最后一段的团队和坐席归属。',
			en: 'First contact chains (no chain for the same reason in the 7 days before; transferred legs are one contact) with no repeat by the same customer for the same reason within 7 days ÷ first chains; only chains whose 7-day window has closed, credited to the last leg’s team and agent.'
		},
		formula: { kind: 'proportion', numerator: 'firstResolved', denominator: 'firstContacts' },
		unit: 'percent',
		direction: 'higher',
		minN: MIN_N,
		interval: 'wilson',
		defaults: { target: 80, amber: 80, red: 71 },
		lowConfidenceHalfWidth: P
	},
	{
		key: 'aht_s',
		label: { zh: '平均处理时长', en: 'Average handle time' },
		description: {
			zh: '人工处理的联络的（通话+保持+话后处理）时长之和 ÷ 人工处理量，单位秒。',
			en: '(talk + hold + after-call work) of agent-handled contacts ÷ agent-handled contacts, seconds.'
		},
		formula: { kind: 'mean', n: 'handleN', sum: 'handleSum', sumsq: 'handleSumsq' },
		unit: 'seconds',
		direction: 'lower',
		minN: MIN_N,
		interval: 'mean',
		defaults: { target: 300, amber: 300, red: 360 },
		lowConfidenceHalfWidth: null
	},
	{
		key: 'asa_s',
		label: { zh: '平均应答速度', en: 'Average speed of answer' },
		description: {
			zh: '人工接通的联络的排队等待时长之和 ÷ 人工接通量，单位秒；未报告等待时长的联络不计入（未知，不按0秒）。',
			en: 'Total queue wait of agent-answered contacts ÷ agent-answered contacts, seconds; contacts without a wait are left out (unknown, not 0 s).'
		},
		formula: { kind: 'mean', n: 'waitN', sum: 'waitSum', sumsq: 'waitSumsq' },
		unit: 'seconds',
		direction: 'lower',
		minN: MIN_N,
		interval: 'mean',
		defaults: { target: 15, amber: 15, red: 30 },
		lowConfidenceHalfWidth: null
	},
	{
		key: 'service_level',
		label: { zh: '20秒服务水平', en: '20-second service level' },
		description: {
			zh: '20秒内人工接通量 ÷ 人工呼入量（排队放弃计入呼入量，5秒内放弃除外；未报告等待时长的联络不计入）。',
			en: 'Answered within 20 s ÷ offered. Abandons count as offered (abandons under 5 s excluded; contacts without a wait left out).'
		},
		formula: { kind: 'proportion', numerator: 'answered20s', denominator: 'offeredWaitKnown' },
		unit: 'percent',
		direction: 'higher',
		minN: MIN_N,
		interval: 'wilson',
		defaults: { target: 80, amber: 80, red: 70 },
		lowConfidenceHalfWidth: P
	},
	{
		key: 'answer_rate',
		label: { zh: '人工接通率', en: 'Agent answer rate' },
		description: {
			zh: '人工接通量 ÷ 转人工请求量（含5秒内放弃）。',
			en: 'Agent-answered ÷ requests for an agent (short abandons included).'
		},
		formula: { kind: 'proportion', numerator: 'answered', denominator: 'agentRequests' },
		unit: 'percent',
		direction: 'higher',
		minN: MIN_N,
		interval: 'wilson',
		defaults: { target: 95, amber: 95, red: 88 },
		lowConfidenceHalfWidth: P
	},
	{
		key: 'abandonment_rate',
		label: { zh: '放弃率（呼损率）', en: 'Abandonment rate' },
		description: {
			zh: '排队放弃量 ÷ 人工呼入量（5秒内放弃不计入分子和分母）。',
			en: 'Abandoned in queue ÷ offered (abandons under 5 s excluded from both).'
		},
		formula: { kind: 'proportion', numerator: 'abandoned', denominator: 'offered' },
		unit: 'percent',
		direction: 'lower',
		minN: MIN_N,
		interval: 'wilson',
		defaults: { target: 5, amber: 5, red: 10 },
		lowConfidenceHalfWidth: P
	},
	{
		key: 'transfer_rate',
		label: { zh: '转接率', en: 'Transfer rate' },
		description: {
			zh: '转给其他坐席或团队的人工处理段 ÷ 人工处理段。',
			en: 'Agent legs transferred to another agent or team ÷ agent-handled legs.'
		},
		formula: { kind: 'proportion', numerator: 'transferred', denominator: 'answered' },
		unit: 'percent',
		direction: 'lower',
		minN: MIN_N,
		interval: 'wilson',
		defaults: { target: 10, amber: 10, red: 15 },
		lowConfidenceHalfWidth: P
	},
	{
		key: 'repeat_contact_rate',
		label: { zh: '重复来电率', en: 'Repeat-contact rate' },
		description: {
			zh: '48小时内同一客户再次联络（任意原因、任意渠道；同一联络链内的转接不算）的联络链 ÷ 联络链；只计48小时窗口已结束的联络链。',
			en: 'Contact chains followed by another chain of the same customer (any reason, any channel; a transfer inside a chain is no repeat) within 48 h ÷ chains; only chains whose 48 h window has closed.'
		},
		formula: { kind: 'proportion', numerator: 'repeated48h', denominator: 'chainsJudged' },
		unit: 'percent',
		direction: 'lower',
		minN: MIN_N,
		interval: 'wilson',
		defaults: { target: 15, amber: 15, red: 20 },
		lowConfidenceHalfWidth: P
	},
	{
		key: 'complaint_rate',
		label: { zh: '投诉率', en: 'Complaint rate' },
		description: {
			zh: '每万条联络链的投诉量；投诉归属于其指明的联络，否则归属于客户此前7天内最后一条联络链，都没有的为“未归属”，只计入不筛选的总数。',
			en: 'Complaints per 10,000 contact chains; a complaint belongs to the contact it names, else to the customer’s last chain in the 7 days before it; one with neither is unattributed and counts only in unfiltered totals.'
		},
		formula: { kind: 'rate', numerator: 'complaints', denominator: 'chains', per: 10_000 },
		unit: 'per_10k',
		direction: 'lower',
		minN: MIN_N,
		interval: 'rate',
		defaults: { target: 5, amber: 5, red: 10 },
		// Low confidence when the interval is wider than ± 2.5 per 10,000 (half the default target of 5).
		lowConfidenceHalfWidth: 2.5
	},
	{
		key: 'regulator_share',
		label: { zh: '监管转送率', en: 'Regulator-referred share' },
		description: {
			zh: '经监管渠道（如12378）转送的投诉 ÷ 投诉量；风险指标。',
			en: 'Complaints via a regulator channel (e.g. 12378) ÷ complaints; a risk flag.'
		},
		formula: { kind: 'proportion', numerator: 'regulatorComplaints', denominator: 'complaints' },
		unit: 'percent',
		direction: 'lower',
		minN: MIN_N,
		interval: 'wilson',
		// A risk flag with no published norm: placeholders for the admin to set.
		defaults: { target: 10, amber: 10, red: 20 },
		lowConfidenceHalfWidth: P
	},
	{
		key: 'containment_rate',
		label: { zh: '自助分流率', en: 'Self-service containment' },
		description: {
			zh: '由语音导航或智能客服解决、没有人工段且48小时内未再次联络的联络链 ÷ 联络链；只计48小时窗口已结束的联络链。',
			en: 'Contact chains resolved by IVR or bot with no agent leg and no repeat within 48 h ÷ chains; only chains whose 48 h window has closed.'
		},
		formula: { kind: 'proportion', numerator: 'contained', denominator: 'chainsJudged' },
		unit: 'percent',
		direction: 'higher',
		minN: MIN_N,
		interval: 'wilson',
		defaults: { target: 70, amber: 70, red: 50 },
		lowConfidenceHalfWidth: P
	},
	{
		key: 'sentiment',
		label: { zh: '情绪指数', en: 'Sentiment index' },
		description: {
			zh: '（正面文本 − 负面文本）÷ 已评分文本 × 100（正面 > 0.25，负面 < −0.25）。',
			en: '(positive − negative) ÷ scored texts × 100 (positive > 0.25, negative < −0.25 on −1…1).'
		},
		formula: { kind: 'balance', n: 'textsScored', positive: 'textsPositive', negative: 'textsNegative' },
		unit: 'nps',
		direction: 'higher',
		minN: MIN_N,
		interval: 'nps',
		defaults: { target: 20, amber: 20, red: 0 },
		lowConfidenceHalfWidth: LOW_CONFIDENCE_HALF_WIDTH.nps
	},
	{
		key: 'cx_index',
		label: { zh: '远程银行体验指数', en: 'CX index' },
		description: {
			zh: '感知层（满意度、费力度、NPS）与运营层（服务水平、一次解决率、1−重复来电率、1−转接率、投诉率）加权合成，0–100。',
			en: 'Composite 0–100 of a perception layer (CSAT, CES, NPS) and an operations layer (service level, FCR, 1 − repeat-contact rate, 1 − transfer rate, complaint rate).'
		},
		formula: { kind: 'composite' },
		unit: 'index',
		direction: 'higher',
		minN: MIN_N,
		interval: 'delta',
		defaults: { target: 80, amber: 80, red: 70 },
		lowConfidenceHalfWidth: P
	}
];

export const KPIS: Readonly<Record<KpiKey, KpiDefinition>> = Object.fromEntries(
	REGISTRY.map((d) => [d.key, d])
) as Record<KpiKey, KpiDefinition>;

/** A KPI computed from measures: the fixed API fields plus what tests of change and the index need. */
export interface KpiEstimate {
	/** Null under the minimum n. */
	value: number | null;
	n: number;
	ci95: Interval | null;
	/** Standard error in display units (normal approximation), for the composite index and tests of change. */
	se: number | null;
	lowConfidence: boolean;
	/** CES: the mean score with its interval. */
	mean?: { value: number | null; ci95: Interval | null };
}

const scale = (ci: Interval | null, k: number): Interval | null => (ci ? [ci[0] * k, ci[1] * k] : null);

/** Evaluates one (non-composite) KPI from summed measures. */
export function evaluate(def: KpiDefinition, m: Measures): KpiEstimate {
	const f = def.formula;
	let n = 0;
	let value: number | null = null;
	let ci95: Interval | null = null;
	let se: number | null = null;
	switch (f.kind) {
		case 'proportion': {
			n = m[f.denominator];
			if (n > 0) {
				const p = m[f.numerator] / n;
				value = p * 100;
				ci95 = scale(wilson(m[f.numerator], n), 100);
				se = Math.sqrt((p * (1 - p)) / n) * 100;
			}
			break;
		}
		case 'balance': {
			n = m[f.n];
			const r = npsInterval(m[f.positive], m[f.negative], n);
			if (r) ({ value, ci95, se } = r);
			break;
		}
		case 'mean': {
			n = m[f.n];
			const r = meanInterval(n, m[f.sum], m[f.sumsq]);
			if (r) ({ mean: value, ci95, se } = r);
			break;
		}
		case 'rate': {
			n = m[f.denominator];
			const r = rateInterval(m[f.numerator], n, f.per);
			if (r) ({ value, ci95, se } = r);
			break;
		}
		case 'composite':
			throw new Error('The composite index is evaluated by cx-index.ts');
	}
	const enough = n >= def.minN && value !== null;
	const estimate: KpiEstimate = {
		value: enough ? value : null,
		n,
		ci95: enough ? ci95 : null,
		se: enough ? se : null,
		lowConfidence:
			enough && def.lowConfidenceHalfWidth !== null && isWiderThan(ci95, def.lowConfidenceHalfWidth)
	};
	if (def.mean) {
		const r = meanInterval(m[def.mean.n], m[def.mean.sum], m[def.mean.sumsq]);
		estimate.mean = enough && r ? { value: r.mean, ci95: r.ci95 } : { value: null, ci95: null };
	}
	return estimate;
}

/**
 * The overdispersion allowance of a test of change (DOMAIN.md "Significance on tiles and tables"): τ², the variance
 * of the KPI from one time unit to the next beyond sampling noise (display units², the estimator of the alert
 * detectors, `stats.extraVariance`), and the length of each period in those units. Each period's value then carries
 * τ²/units beyond its sampling variance (`stats.dispersedZ`); counts (complaints) are divided by the dispersion
 * factor φ before the exact test.
 */
export interface Dispersion {
	tau2: number;
	currentUnits: number;
	previousUnits: number;
}

/**
 * The two-sided p-value of the change between two periods. Proportions: pooled two-proportion z; NPS-like balances:
 * the NPS z of DOMAIN.md; means: Welch's t (Student's t p-value); rates (complaints, rare counts): the exact
 * conditional Poisson test; the composite: a z on the delta-method SEs; each with the overdispersion allowance when
 * one is given. Null when either period has no value (no test ran).
 */
export function changeTest(
	def: KpiDefinition,
	current: { measures: Measures; estimate: KpiEstimate },
	previous: { measures: Measures; estimate: KpiEstimate },
	dispersion: Dispersion | null = null
): number | null {
	const a = current.estimate;
	const b = previous.estimate;
	if (a.value === null || b.value === null) return null;
	const f = def.formula;
	const m1 = current.measures;
	const m2 = previous.measures;
	const tau2 = dispersion && dispersion.tau2 > 0 ? dispersion.tau2 : 0;
	const units = (u: number | undefined) => Math.max(1, u ?? 1);
	/** z of two values with the given sampling variances of their means, plus τ²/units each. */
	const z = (v1: number, var1: number, v2: number, var2: number) =>
		dispersedZ(
			{ mean: v1, variance: var1, n: 1, hours: units(dispersion?.currentUnits) },
			{ mean: v2, variance: var2, n: 1, hours: units(dispersion?.previousUnits) },
			tau2
		);
	const p = (statistic: number | null) => (statistic === null ? null : twoSidedP(statistic));
	switch (f.kind) {
		case 'proportion': {
			const [x1, n1, x2, n2] = [m1[f.numerator], m1[f.denominator], m2[f.numerator], m2[f.denominator]];
			if (tau2 === 0) return p(twoProportionZ(x1, n1, x2, n2));
			const pooled = (x1 + x2) / (n1 + n2);
			const variance = pooled * (1 - pooled) * 100 * 100;
			return p(z((x1 / n1) * 100, variance / n1, (x2 / n2) * 100, variance / n2));
		}
		case 'balance':
		case 'composite':
			return p(z(a.value, (a.se ?? 0) ** 2, b.value, (b.se ?? 0) ** 2));
		case 'mean': {
			const r = welch(
				{ n: m1[f.n], sum: m1[f.sum], sumsq: m1[f.sumsq] },
				{ n: m2[f.n], sum: m2[f.sum], sumsq: m2[f.sumsq] }
			);
			if (!r) return null;
			if (tau2 === 0) return r.p;
			const se = (e: KpiEstimate) => (e.se ?? 0) ** 2;
			const statistic = z(a.value, se(a), b.value, se(b));
			return statistic === null ? null : tTwoSidedP(statistic, r.df);
		}
		case 'rate': {
			// Rare counts (complaints): the exact conditional test of two Poisson counts, not a normal z; with the
			// allowance, both counts divided by φ = 1 + τ²·exposure per unit ÷ rate (quasi-Poisson).
			const [x1, e1, x2, e2] = [m1[f.numerator], m1[f.denominator], m2[f.numerator], m2[f.denominator]];
			let phi = 1;
			if (tau2 > 0 && dispersion) {
				const rate = (x1 + x2) / (e1 + e2);
				const perUnit = (e1 + e2) / (units(dispersion.currentUnits) + units(dispersion.previousUnits));
				phi = dispersionFactor(tau2 / (f.per * f.per), rate, perUnit);
			}
			return poissonRatesTest(x1, e1, x2, e2, phi);
		}
	}
}

/** Is the change between two periods significant at 5% on its own (no correction over a board)? */
export function significantChange(
	def: KpiDefinition,
	current: { measures: Measures; estimate: KpiEstimate },
	previous: { measures: Measures; estimate: KpiEstimate },
	dispersion: Dispersion | null = null
): boolean | null {
	const p = changeTest(def, current, previous, dispersion);
	return p === null ? null : p < FAMILY_ALPHA;
}

export type Status = 'green' | 'amber' | 'red';

/** Green when at least as good as `amber`, red when worse than `red`, amber between; null without a value. */
export function statusOf(direction: Direction, value: number | null, t: Thresholds): Status | null {
	if (value === null) return null;
	const higher = direction === 'higher';
	if (higher ? value >= t.amber : value <= t.amber) return 'green';
	if (higher ? value >= t.red : value <= t.red) return 'amber';
	return 'red';
}

/** Reason-standardised variants (against Simpson's paradox): key, and the KPI they standardise. */
export const STANDARDISED = [
	{ key: 'fcr_std', base: 'fcr' },
	{ key: 'aht_s_std', base: 'aht_s' },
	{ key: 'csat_std', base: 'csat' }
] as const satisfies readonly { key: string; base: KpiKey }[];
export type StandardisedKey = (typeof STANDARDISED)[number]['key'];

/** A group's reason stratum with fewer contacts than this is pooled with its other small strata. */
export const MIN_STRATUM_N = 10;

/**
 * Direct standardisation on a reference reason mix: Σ w_r·KPI_r / Σ w_r, w_r = the reference population's share of
 * the KPI's denominator with reason r (its sample size for means). The weights are those of every reason of the
 * reference, not only the reasons a group happens to have: the group's strata under MIN_STRATUM_N are pooled into
 * one stratum that carries their summed weight (so a reason seen 3 times cannot swing the result with its full
 * weight); only when the group has no contact at all in the pooled reasons is their weight left out.
 * SE = √Σ (w_r/Σw)²·Var_r (strata independent); a proportion's Var_r is the Agresti–Coull variance, never zero at
 * p = 0 or 1; a stratum mean with n = 1 borrows the group's SD.
 */
export function evaluateStandardised(
	def: KpiDefinition,
	group: ReadonlyMap<string, Measures>,
	reference: ReadonlyMap<string, Measures>
): KpiEstimate {
	const f = def.formula;
	if (f.kind !== 'proportion' && f.kind !== 'mean') throw new Error(`${def.key} cannot be standardised`);
	const sizeKey = f.kind === 'proportion' ? f.denominator : f.n;
	const valueKeys = f.kind === 'proportion' ? [f.numerator] : [f.sum, f.sumsq];
	let n = 0;
	let groupSum = 0;
	let groupSumsq = 0;
	for (const m of group.values()) {
		n += m[sizeKey];
		if (f.kind === 'mean') {
			groupSum += m[f.sum];
			groupSumsq += m[f.sumsq];
		}
	}
	const groupSd = f.kind === 'mean' ? (meanInterval(n, groupSum, groupSumsq)?.sd ?? 0) : 0;
	// Strata: each reference reason the group has enough of, and one pool of the rest.
	const strata: { w: number; size: number; sums: number[] }[] = [];
	const pool = { w: 0, size: 0, sums: valueKeys.map(() => 0) };
	for (const [reason, ref] of reference) {
		const w = ref[sizeKey];
		if (!(w > 0)) continue;
		const m = group.get(reason);
		const size = m?.[sizeKey] ?? 0;
		if (m && size >= MIN_STRATUM_N) strata.push({ w, size, sums: valueKeys.map((k) => m[k]) });
		else {
			pool.w += w;
			pool.size += size;
			if (m) valueKeys.forEach((k, i) => (pool.sums[i] += m[k]));
		}
	}
	if (pool.size > 0) strata.push(pool);
	let weight = 0;
	let weighted = 0;
	const parts: { w: number; variance: number }[] = [];
	for (const { w, size, sums } of strata) {
		let estimate: number;
		let variance: number;
		if (f.kind === 'proportion') {
			estimate = (sums[0] / size) * 100;
			variance = (adjustedProportionVariance(sums[0], size) as number) * 10_000;
		} else {
			const r = meanInterval(size, sums[0], sums[1]);
			estimate = r?.mean ?? 0;
			const sd = r?.sd ?? groupSd;
			variance = (sd * sd) / size;
		}
		weight += w;
		weighted += w * estimate;
		parts.push({ w, variance });
	}
	if (n < def.minN || weight === 0) return { value: null, n, ci95: null, se: null, lowConfidence: false };
	const value = weighted / weight;
	const se = Math.sqrt(parts.reduce((acc, p) => acc + (p.w / weight) ** 2 * p.variance, 0));
	const lo = value - Z95 * se;
	const hi = value + Z95 * se;
	const ci95: Interval = def.unit === 'percent' ? [Math.max(0, lo), Math.min(100, hi)] : [lo, hi];
	return {
		value,
		n,
		ci95,
		se,
		lowConfidence: def.lowConfidenceHalfWidth !== null && isWiderThan(ci95, def.lowConfidenceHalfWidth)
	};
}
