import {
	FAMILY_ALPHA,
	benjaminiHochberg,
	dispersedZ,
	extraVariance,
	npsInterval,
	npsStandardError,
	twoSidedP,
	wilson
} from '$lib/server/stats';

/**
 * The agent table without ranking noise: each agent is compared with the rest of their team (the team without
 * them, so the two samples are independent), and only differences that are significant after Benjamini–Hochberg at
 * 5% over every agent of the table are marked above or below. Everyone else is "no significant difference",
 * whatever their raw order. Agents under the minimum n get no number at all. The tests carry the detectors'
 * overdispersion allowance: τ², an agent's day-to-day variation beyond sampling noise (estimated over the table's
 * agent-day cells by `stats.extraVariance`), adds τ²/days to the agent's side and τ²/agent-days to the rest's.
 */

export type AgentKpi = 'csat' | 'fcr' | 'nps';

export interface AgentCounts {
	agent: string;
	name: string;
	team: string | null;
	/** Answers (csat, nps) or first contacts (fcr). */
	n: number;
	/** Proportions: successes (top-2-box, resolved first contacts). NPS: promoters. */
	x: number;
	/** NPS: detractors (0 for proportions). */
	detractors: number;
	/** Days (time units of τ²) with data in the period; default 1. */
	days?: number;
}

export type AgentMark = 'above' | 'below' | 'same' | 'insufficient';

export interface AgentComparison {
	agent: string;
	name: string;
	team: string | null;
	n: number;
	value: number | null;
	ci95: [number, number] | null;
	/** The team's value with the agent included (what a manager knows as "the team"). */
	teamValue: number | null;
	/** The rest of the team (the comparison), value and n. */
	restValue: number | null;
	restN: number;
	/** value − restValue (points). */
	difference: number | null;
	z: number | null;
	/** Two-sided p-value of the comparison, before correction. */
	p: number | null;
	mark: AgentMark;
}

function estimate(kpi: AgentKpi, c: { n: number; x: number; detractors: number }) {
	if (c.n <= 0) return null;
	if (kpi === 'nps') {
		const r = npsInterval(c.x, c.detractors, c.n);
		return r ? { value: r.value, se: r.se, ci95: r.ci95 } : null;
	}
	const ci = wilson(c.x, c.n);
	const p = c.x / c.n;
	return {
		value: p * 100,
		se: Math.sqrt((p * (1 - p)) / c.n) * 100,
		ci95: ci ? ([ci[0] * 100, ci[1] * 100] as [number, number]) : null
	};
}

/**
 * The variance of one observation on the display scale (points²): proportions the pooled p(1 − p) of agent and rest
 * (under "no difference", as the pooled two-proportion z), NPS its own n·SE².
 */
function perObservation(
	kpi: AgentKpi,
	c: { n: number; x: number; detractors: number },
	team: { n: number; x: number; detractors: number }
): number {
	if (kpi === 'nps') return (npsStandardError(c.x, c.detractors, c.n) ?? 0) ** 2 * c.n * 100 * 100;
	const p = team.x / team.n;
	return p * (1 - p) * 100 * 100;
}

/**
 * τ² of an agent table (points², per day): the agents' day-to-day variation beyond sampling noise, from each
 * agent-day cell's difference to the agent's own period value (cells under 5 answers left out), by the alert
 * detectors' estimator. 0 with fewer than 12 usable cells.
 */
export function agentOverdispersion(
	kpi: AgentKpi,
	cells: readonly { agent: string; n: number; x: number; detractors: number }[]
): number {
	const totals = new Map<string, { n: number; x: number; detractors: number }>();
	for (const c of cells) {
		const t = totals.get(c.agent) ?? { n: 0, x: 0, detractors: 0 };
		t.n += c.n;
		t.x += c.x;
		t.detractors += c.detractors;
		totals.set(c.agent, t);
	}
	const value = (c: { n: number; x: number; detractors: number }) =>
		((kpi === 'nps' ? c.x - c.detractors : c.x) / c.n) * 100;
	const residuals = cells.flatMap((c) => {
		const t = totals.get(c.agent);
		if (!t || c.n < 5 || c.n === t.n) return [];
		return [{ diff: value(c) - value(t), samplingVariance: perObservation(kpi, t, t) / c.n }];
	});
	return extraVariance(residuals);
}

/** Compares every agent with the rest of their team; agents without a team are compared with everyone else. */
export function compareAgents(
	kpi: AgentKpi,
	agents: readonly AgentCounts[],
	minN: number,
	alpha = FAMILY_ALPHA,
	tau2 = 0
): AgentComparison[] {
	const teams = new Map<string, { n: number; x: number; detractors: number }>();
	const teamDays = new Map<string, number>();
	for (const a of agents) {
		const key = a.team ?? '';
		teamDays.set(key, (teamDays.get(key) ?? 0) + Math.max(1, a.days ?? 1));
		const t = teams.get(key) ?? { n: 0, x: 0, detractors: 0 };
		t.n += a.n;
		t.x += a.x;
		t.detractors += a.detractors;
		teams.set(key, t);
	}
	const rows: AgentComparison[] = agents.map((a) => {
		const team = teams.get(a.team ?? '') ?? { n: 0, x: 0, detractors: 0 };
		const rest = { n: team.n - a.n, x: team.x - a.x, detractors: team.detractors - a.detractors };
		const own = a.n >= minN ? estimate(kpi, a) : null;
		const restEstimate = rest.n >= minN ? estimate(kpi, rest) : null;
		const teamEstimate = team.n >= minN ? estimate(kpi, team) : null;
		let z: number | null = null;
		if (own && restEstimate) {
			const days = Math.max(1, a.days ?? 1);
			const restDays = Math.max(1, (teamDays.get(a.team ?? '') ?? 0) - days);
			z = dispersedZ(
				{ mean: own.value, variance: perObservation(kpi, a, team), n: a.n, hours: days },
				{ mean: restEstimate.value, variance: perObservation(kpi, rest, team), n: rest.n, hours: restDays },
				tau2
			);
		}
		return {
			agent: a.agent,
			name: a.name,
			team: a.team,
			n: a.n,
			value: own?.value ?? null,
			ci95: own?.ci95 ?? null,
			teamValue: teamEstimate?.value ?? null,
			restValue: restEstimate?.value ?? null,
			restN: rest.n,
			difference: own && restEstimate ? own.value - restEstimate.value : null,
			z,
			p: z === null ? null : twoSidedP(z),
			mark: own ? 'same' : 'insufficient'
		};
	});
	// Benjamini–Hochberg at 5% across the whole table: a manager reads every agent row as one family of discoveries.
	const tested = rows.filter((r) => r.p !== null);
	const significant = benjaminiHochberg(
		tested.map((r) => r.p as number),
		alpha
	);
	tested.forEach((r, i) => {
		if (significant[i]) r.mark = (r.difference ?? 0) > 0 ? 'above' : 'below';
	});
	return rows;
}

/** Display order: no ranking by raw value. Marked agents first (above, then below), then by team and name. */
export function agentOrder(a: AgentComparison, b: AgentComparison): number {
	const rank: Record<AgentMark, number> = { above: 0, below: 1, same: 2, insufficient: 3 };
	return (
		rank[a.mark] - rank[b.mark] ||
		(a.team ?? '').localeCompare(b.team ?? '') ||
		a.name.localeCompare(b.name) ||
		a.agent.localeCompare(b.agent)
	);
}
