import { describe, expect, it } from 'vitest';
import { agentOrder, agentOverdispersion, compareAgents, type AgentCounts } from './agents';

const agent = (id: string, team: string | null, n: number, x: number, detractors = 0): AgentCounts => ({
	agent: id,
	name: id.toUpperCase(),
	team,
	n,
	x,
	detractors
});

describe('agent significance marking', () => {
	it('marks only agents significantly above or below the rest of their team', () => {
		const rows = compareAgents(
			'csat',
			[
				agent('a', 't1', 200, 190), // 95% vs the rest ≈ 79%: above
				agent('b', 't1', 200, 120), // 60%: below
				agent('c', 't1', 200, 162), // 81%: noise, not ranked
				agent('d', 't1', 200, 158), // 79%
				agent('e', 't1', 10, 10) // under the minimum n: no number
			],
			30
		);
		const marks = Object.fromEntries(rows.map((r) => [r.agent, r.mark]));
		expect(marks).toEqual({ a: 'above', b: 'below', c: 'same', d: 'same', e: 'insufficient' });
		const a = rows.find((r) => r.agent === 'a');
		expect(a?.value).toBeCloseTo(95, 10);
		expect(a?.restN).toBe(610);
		expect(a?.restValue).toBeCloseTo((450 / 610) * 100, 10);
		expect(a?.teamValue).toBeCloseTo((640 / 810) * 100, 10);
		expect(a?.ci95?.[0]).toBeLessThan(95);
		expect(rows.find((r) => r.agent === 'e')).toMatchObject({ value: null, ci95: null, z: null });
	});

	it('does not flag a difference that Benjamini–Hochberg over the table removes', () => {
		// 12 agents, one with p ≈ 0.03 on its own: significant alone, not after correcting for 12 tests.
		const agents = Array.from({ length: 11 }, (_, i) => agent(`x${i}`, 't1', 100, 80));
		agents.push(agent('lucky', 't1', 100, 89));
		const rows = compareAgents('csat', agents, 30);
		const lucky = rows.find((r) => r.agent === 'lucky');
		expect(lucky?.p).toBeLessThan(0.05);
		expect(lucky?.mark).toBe('same');
	});

	it('compares NPS with the NPS standard error, and teams separately', () => {
		const rows = compareAgents(
			'nps',
			[
				agent('p', 't1', 150, 90, 15), // NPS +50
				agent('q', 't1', 150, 30, 60), // NPS −20
				agent('r', 't2', 150, 30, 60), // −20, but the only agent of t2: nothing to compare with
				agent('s', 't1', 150, 55, 40)
			],
			30
		);
		const byId = Object.fromEntries(rows.map((r) => [r.agent, r]));
		expect(byId.p.value).toBeCloseTo(50, 10);
		expect(byId.p.mark).toBe('above');
		expect(byId.q.mark).toBe('below');
		expect(byId.r).toMatchObject({ mark: 'same', restN: 0, z: null, difference: null });
	});

	it('orders marked agents first, then by team and name, never by raw value', () => {
		const rows = compareAgents(
			'fcr',
			[
				agent('z', 't1', 100, 70),
				agent('b', 't1', 200, 120),
				agent('a', 't1', 200, 190),
				agent('m', 't1', 5, 5)
			],
			30
		).sort(agentOrder);
		expect(rows.map((r) => r.agent)).toEqual(['a', 'b', 'z', 'm']);
	});
});

describe('agent comparisons with the overdispersion allowance', () => {
	it('does not mark an agent whose difference is within day-to-day variation', () => {
		// Agent a: 860 of 1,000 (86%) over 10 days against the rest 7,800 of 10,000 (78%) over 100 agent-days.
		const team = [
			{ ...agent('a', 't1', 1_000, 860), days: 10 },
			...Array.from({ length: 10 }, (_, i) => ({ ...agent(`r${i}`, 't1', 1_000, 780), days: 10 }))
		];
		const plain = compareAgents('csat', team, 30).find((r) => r.agent === 'a');
		// Pooled z on sampling noise alone: 8 / √(p(1−p)·(1/1000 + 1/10000)·10⁴) with p = 8660/11000.
		const pooled = 8_660 / 11_000;
		const z0 = 8 / Math.sqrt(pooled * (1 - pooled) * 1e4 * (1 / 1_000 + 1 / 10_000));
		expect(plain?.z).toBeCloseTo(z0, 10);
		expect(plain?.mark).toBe('above');
		// An agent's days vary by SD 20 points (τ² = 400): the agent's mean of 10 days carries 400/10, the rest's
		// 400/100: z = 8 / √(5.85 + 40 + 4) = 1.13, no significant difference.
		const wobbly = compareAgents('csat', team, 30, 0.05, 400).find((r) => r.agent === 'a');
		const z1 = 8 / Math.sqrt(pooled * (1 - pooled) * 1e4 * (1 / 1_000 + 1 / 10_000) + 400 / 10 + 400 / 100);
		expect(wobbly?.z).toBeCloseTo(z1, 10);
		expect(wobbly?.mark).toBe('same');
	});

	it('estimates τ² from agent-day cells: none for binomial days, the extra variance for wobbly ones', () => {
		// 20 days of 100 answers at exactly 80%: no variation at all beyond sampling → τ² = 0.
		const flat = Array.from({ length: 20 }, () => ({ agent: 'a', n: 100, x: 80, detractors: 0 }));
		expect(agentOverdispersion('csat', flat)).toBe(0);
		// Days alternating 60% and 100% (±20 points around 80%): robust variance 1.4826²·20² = 879 points², minus the
		// sampling variance 80·20/100 = 16 → 863.
		const wobbly = Array.from({ length: 20 }, (_, i) => ({
			agent: 'a',
			n: 100,
			x: i % 2 ? 100 : 60,
			detractors: 0
		}));
		expect(agentOverdispersion('csat', wobbly)).toBeCloseTo((1.4826 * 20) ** 2 - 16, 6);
	});
});
