import {
	FAMILY_ALPHA,
	benjaminiHochberg,
	npsChangeZ,
	npsInterval,
	twoProportionZ,
	twoSidedP,
	wilson
} from '$lib/server/stats';

/**
 * The agent table without ranking noise: each agent is compared with the rest of their team (the team without
 * them, so the two samples are independent), and only differences that are significant after Benjamini–Hochberg at
 * 5% over every agent of the table are marked above or below. Everyone else is "no significant difference",
 * whatever their raw order. Agents under the minimum n get no number at all.
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

/** Compares every agent with the rest of their team; agents without a team are compared with everyone else. */
export function compareAgents(
	kpi: AgentKpi,
	agents: readonly AgentCounts[],
	minN: number,
	alpha = FAMILY_ALPHA
): AgentComparison[] {
	const teams = new Map<string, { n: number; x: number; detractors: number }>();
	for (const a of agents) {
		const key = a.team ?? '';
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
		if (own && restEstimate)
			z =
				kpi === 'nps'
					? npsChangeZ(own.value, own.se, restEstimate.value, restEstimate.se)
					: twoProportionZ(a.x, a.n, rest.x, rest.n);
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
