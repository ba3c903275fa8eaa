import type { Storage } from '$lib/server/db/storage';
import type { RiskModelRow } from '$lib/server/db/schema';
import { countsOver, currentModel, scoresAt, scoresOver } from '$lib/server/risk';
import { riskReasonLabel } from '$lib/risk-labels';
import { poissonUpperTail } from './detectors';
import type { Finding } from './evaluate';
import { VIP_SEGMENTS, type RiskScoreSpec, type Rule } from './rules';

/**
 * The alert rule kind "risk score" (DOMAIN.md "Acting on what is measured", issue 19): the complaint-escalation
 * scores of the latest model run (risk training, nightly and on demand) feeding the alert lifecycle.
 *
 * - customer mode: one finding per customer whose current probability (of a complaint, or of a regulator
 *   complaint) is at or above `minScore`, scoped `customer:<id>`. The lifecycle (store.ts) opens one alert when a
 *   customer crosses, keeps it while they stay above, resolves it once they have been below for the rule's
 *   `resolveAfterMinutes`, and opens a new one when they cross again. At most MAX_CUSTOMERS customers (the highest
 *   scores) are watched at once.
 * - count mode: the count of customers at or above `minScore` now against its usual level: the mean count the same
 *   model gives at the scoring moment 1…`baselineWeeks` weeks earlier (features of the 14 days before each). Judged
 *   like the other count rules (complaint spikes, risk words): it fires when the count is at least `value`, at
 *   least `ratio` times the usual level, and the one-sided Poisson p-value P(X ≥ count | usual) is below `alpha`.
 *
 * Both see only the rule's teams (a customer's team is the team of their latest contact in the scoring window) and,
 * for VIP rules, the VIP segments. Without a model the rule says so (state `insufficient`) and never fires.
 */

const WEEK = 7 * 86_400_000;
/** Customers watched at once by a customer-mode rule: the highest scores. */
export const MAX_CUSTOMERS = 200;
const NO_MODEL_SCOPE = '*';

type RiskScoreRule = Rule & RiskScoreSpec;

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

function segmentsOf(rule: RiskScoreRule): readonly string[] | null {
	return rule.customers === 'vip' ? VIP_SEGMENTS : null;
}

function noModel(rule: RiskScoreRule): Finding[] {
	return [
		{
			scope: NO_MODEL_SCOPE,
			teams: rule.teams,
			state: 'insufficient',
			value: null,
			summary: 'No risk model yet: this rule cannot fire until the risk model has been trained',
			details: { kind: 'risk_score', mode: rule.mode, status: 'no_model' }
		}
	];
}

async function customerFindings(db: Storage, rule: RiskScoreRule, model: RiskModelRow): Promise<Finding[]> {
	const rows = await scoresOver(db, {
		outcome: rule.outcome,
		minScore: rule.minScore,
		teams: rule.teams,
		segments: segmentsOf(rule),
		limit: MAX_CUSTOMERS
	});
	const who = rule.customers === 'vip' ? 'VIP customer' : 'Customer';
	const what = rule.outcome === 'regulator' ? 'regulator (12378) complaint risk' : 'complaint risk';
	return rows.map((r) => {
		const score = rule.outcome === 'regulator' ? r.regulatorScore : r.score;
		const reasons = r.reasons.map((x) => riskReasonLabel(x.feature, 'en'));
		return {
			scope: `customer:${r.customerId}`,
			teams: r.teamId ? [r.teamId] : rule.teams,
			state: 'firing' as const,
			value: score,
			summary:
				`${who} ${r.customerId}${r.teamId ? ` (team ${r.teamId})` : ''}: ${what} ${pct(score)} ≥ ` +
				`${pct(rule.minScore)} in the next 14 days` +
				(reasons.length ? `; top reasons: ${reasons.join(', ')}` : ''),
			details: {
				kind: 'risk_score',
				mode: 'customer',
				outcome: rule.outcome,
				customers: rule.customers,
				customerId: r.customerId,
				team: r.teamId,
				segment: r.segment,
				score,
				minScore: rule.minScore,
				reasons: r.reasons,
				modelId: model.id,
				scoredAt: r.scoredAt
			}
		};
	});
}

/** Count per group ('' without a team grouping; teams by id, '-' for none). */
type GroupCounts = Map<string, number>;

function groupKey(rule: RiskScoreRule, teamId: string | null): string {
	return rule.perTeam ? (teamId ?? '-') : '';
}

interface UsualLevel {
	/** Anchors (ms) that had any scored customer. */
	anchors: number[];
	/** Per group, the counts at those anchors (zeros included). */
	counts: Map<string, number[]>;
}

/** Per storage, rule → the usual level under one model (recomputed when the model or the rule changes). */
const usualCache = new WeakMap<object, Map<string, { modelId: number; ref: number; usual: UsualLevel }>>();

async function usualLevel(
	db: Storage,
	rule: RiskScoreRule,
	model: RiskModelRow,
	ref: number
): Promise<UsualLevel> {
	let cache = usualCache.get(db.db);
	if (!cache) usualCache.set(db.db, (cache = new Map()));
	const key = JSON.stringify([rule.id, rule.updatedAt]);
	const hit = cache.get(key);
	if (hit && hit.modelId === model.id && hit.ref === ref) return hit.usual;
	const segments = segmentsOf(rule);
	const anchors: number[] = [];
	const perAnchor: GroupCounts[] = [];
	for (let k = 1; k <= rule.baselineWeeks; k++) {
		const at = ref - k * WEEK;
		const scored = await scoresAt(db, model, at);
		// Before the data began nobody is active: that week says nothing about the usual level.
		if (scored.length === 0) continue;
		const counts: GroupCounts = new Map();
		for (const s of scored) {
			const score = rule.outcome === 'regulator' ? s.regulatorScore : s.score;
			if (score < rule.minScore) continue;
			if (rule.teams && !(s.teamId !== null && rule.teams.includes(s.teamId))) continue;
			if (segments && !(s.segment !== null && segments.includes(s.segment))) continue;
			const g = groupKey(rule, s.teamId);
			counts.set(g, (counts.get(g) ?? 0) + 1);
		}
		anchors.push(at);
		perAnchor.push(counts);
	}
	const groups = new Set(perAnchor.flatMap((c) => [...c.keys()]));
	if (!rule.perTeam) groups.add('');
	const usual: UsualLevel = {
		anchors,
		counts: new Map([...groups].map((g) => [g, perAnchor.map((c) => c.get(g) ?? 0)]))
	};
	cache.set(key, { modelId: model.id, ref, usual });
	return usual;
}

async function countFindings(db: Storage, rule: RiskScoreRule, model: RiskModelRow): Promise<Finding[]> {
	const filter = {
		outcome: rule.outcome,
		minScore: rule.minScore,
		teams: rule.teams,
		segments: segmentsOf(rule)
	};
	const now: GroupCounts = new Map();
	for (const c of await countsOver(db, filter)) {
		const g = groupKey(rule, c.teamId);
		now.set(g, (now.get(g) ?? 0) + c.n);
	}
	// The scoring moment of the current scores (the same for every row); the model's test window end without any.
	const [any] = await scoresOver(db, { ...filter, minScore: 0, segments: null, teams: null, limit: 1 });
	const ref = any?.scoredAt ?? model.testTo;
	const usual = await usualLevel(db, rule, model, ref);
	const groups = new Set([...now.keys(), ...usual.counts.keys()]);
	if (!rule.perTeam) groups.add('');
	const findings: Finding[] = [];
	for (const g of groups) {
		if (rule.perTeam && g === '') continue;
		const count = now.get(g) ?? 0;
		const history = usual.counts.get(g) ?? usual.anchors.map(() => 0);
		const weeks = history.length;
		const expected = weeks ? history.reduce((a, b) => a + b, 0) / weeks : null;
		const pValue = expected === null ? null : poissonUpperTail(count, expected);
		const firing =
			expected !== null &&
			pValue !== null &&
			count >= rule.value &&
			count >= rule.ratio * expected &&
			pValue < rule.alpha;
		const scope = rule.perTeam ? g : '*';
		const teams = rule.perTeam ? (g === '-' ? null : [g]) : rule.teams;
		const who = rule.customers === 'vip' ? 'VIP customers' : 'customers';
		const what = rule.outcome === 'regulator' ? 'regulator complaint risk' : 'complaint risk';
		findings.push({
			scope,
			teams,
			value: count,
			state: expected === null ? 'insufficient' : firing ? 'firing' : 'clear',
			summary:
				expected === null
					? `${count} ${who} with ${what} ≥ ${pct(rule.minScore)}; no earlier weeks to compare with`
					: `${count} ${who} with ${what} ≥ ${pct(rule.minScore)}, usually ${expected.toFixed(1)} ` +
						`(mean of ${weeks} earlier week(s), p=${pValue === null ? '–' : pValue.toPrecision(2)})`,
			details: {
				kind: 'risk_score',
				mode: 'count',
				outcome: rule.outcome,
				customers: rule.customers,
				count,
				expected,
				history,
				anchors: usual.anchors,
				pValue,
				alpha: rule.alpha,
				ratio: rule.ratio,
				threshold: rule.value,
				minScore: rule.minScore,
				modelId: model.id,
				scoredAt: ref
			}
		});
	}
	return findings;
}

/**
 * A risk-score rule's status for screens and the API: `no_model` until the risk model has been trained (the rule
 * cannot fire), then `ready`.
 */
export async function riskScoreStatus(db: Storage): Promise<'ready' | 'no_model'> {
	return (await currentModel(db)) ? 'ready' : 'no_model';
}

/** What a risk-score rule finds now (see the module comment). */
export async function evaluateRiskScore(db: Storage, rule: RiskScoreRule): Promise<Finding[]> {
	const model = await currentModel(db);
	if (!model) return noModel(rule);
	return rule.mode === 'count' ? countFindings(db, rule, model) : customerFindings(db, rule, model);
}
