import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Storage } from '$lib/server/db/storage';
import { testEngines } from '$lib/server/testing/postgres';
import { riskStores, type NewRiskModel, type NewRiskScore } from './store';
import * as risk from './index';

/**
 * The risk list's keyset paging (`listRisk`) with scores tied in large groups, as a logistic model gives every
 * customer with the same counts: walking the `next` cursors returns each matching customer exactly once, in the
 * order score descending then customer descending, for every filter the page offers, on both engines.
 */

const MODEL: NewRiskModel = {
	trainedAt: 0,
	trainFrom: 0,
	trainTo: 1,
	testFrom: 1,
	testTo: 2,
	model: {},
	quality: {}
};

/** 600 customers over 4 scores (most on the lowest), teams a/b/c and none, in an order unlike the list's. */
const SCORES: NewRiskScore[] = Array.from({ length: 600 }, (_, i) => {
	const k = (i * 7919) % 600;
	return {
		customerId: `cust-${String(k).padStart(4, '0')}`,
		score: k % 10 === 0 ? 0.4 : k % 5 === 0 ? 0.125 : k % 3 === 0 ? 0.03 : 0.0025,
		regulatorScore: k % 7 === 0 ? 0.05 : 0.001,
		teamId: k % 4 === 3 ? null : ['a', 'b', 'c'][k % 4],
		segment: k % 2 ? 'mass' : 'private',
		reasons: []
	};
});

/** The expected list, computed here: matching customers by score descending, then customer id descending. */
function expected(filter: { teams: string[] | null; minScore?: number }): string[] {
	return SCORES.filter(
		(s) =>
			s.score >= (filter.minScore ?? 0) &&
			(filter.teams === null || (s.teamId !== null && filter.teams.includes(s.teamId)))
	)
		.sort((x, y) => y.score - x.score || (x.customerId < y.customerId ? 1 : -1))
		.map((s) => s.customerId);
}

async function walk(
	storage: Storage,
	filter: { teams: string[] | null; minScore?: number },
	limit: number
): Promise<{ ids: string[]; pages: number }> {
	const ids: string[] = [];
	let cursor: string | null = null;
	let pages = 0;
	do {
		const page: risk.RiskListPage = await risk.listRisk(storage, { ...filter, limit, cursor });
		ids.push(...page.customers.map((c) => c.customerId));
		cursor = page.next;
		pages++;
		expect(pages).toBeLessThan(1000);
	} while (cursor);
	return { ids, pages };
}

describe.each(testEngines)('the risk list’s paging on $engine', ({ open }) => {
	let storage: Storage;
	let close: () => Promise<void>;

	beforeAll(async () => {
		({ storage, close } = await open());
		await riskStores[storage.engine](storage.db as never).saveModel(MODEL, SCORES, 0);
	});
	afterAll(() => close());

	it('has the ties the test needs: 320 customers on the lowest score, 60 on each of the top two', () => {
		expect(expected({ teams: null }).length).toBe(600);
		expect(SCORES.filter((s) => s.score === 0.0025).length).toBe(320);
		expect(SCORES.filter((s) => s.score === 0.4).length).toBe(60);
		expect(SCORES.filter((s) => s.score === 0.125).length).toBe(60);
	});

	const cases: [string, { teams: string[] | null; minScore?: number }, number][] = [
		['the whole center', { teams: null }, 600],
		['one team', { teams: ['b'] }, 150],
		['a manager’s two teams', { teams: ['a', 'c'] }, 300],
		['a team nobody has', { teams: ['z'] }, 0],
		['no team at all', { teams: [] }, 0],
		['risk ≥ 10%', { teams: null, minScore: 0.1 }, 120],
		['risk ≥ 12.5% (a tied score itself)', { teams: null, minScore: 0.125 }, 120],
		// Team a is k ≡ 0 (mod 4); of its 150, 30 are multiples of 5 and 50 of 3, 10 of both: 70 at 3% or more.
		['one team, risk ≥ 3%', { teams: ['a'], minScore: 0.03 }, 70],
		['two teams, risk ≥ 3%', { teams: ['b', 'c'], minScore: 0.03 }, 140],
		['risk ≥ 50%', { teams: null, minScore: 0.5 }, 0]
	];
	it.each(cases)('returns every customer of %s once, in order, page by page', async (_, filter, n) => {
		const want = expected(filter);
		expect(want.length).toBe(n);
		for (const limit of [7, 50, 500]) {
			const { ids, pages } = await walk(storage, filter, limit);
			expect(ids).toEqual(want);
			expect(new Set(ids).size).toBe(n);
			expect(pages).toBe(Math.max(1, Math.ceil(n / limit)));
		}
	});

	it('gives an alert rule the highest scores, ties by customer descending, and counts per team, per model', async () => {
		const vip = await risk.scoresOver(storage, {
			outcome: 'regulator',
			minScore: 0.01,
			teams: ['a', 'b'],
			segments: ['private'],
			limit: 1000
		});
		// Regulator 5% for multiples of 7; private for even k; teams a, b for k ≡ 0, 1 (mod 4): even, so k ≡ 0 (mod 4).
		const want = SCORES.filter((s) => Number(s.customerId.slice(5)) % 28 === 0)
			.map((s) => s.customerId)
			.sort()
			.reverse();
		expect(want.length).toBe(22);
		expect(vip.map((r) => r.customerId)).toEqual(want);
		const count = (outcome: 'complaint' | 'regulator', minScore: number) =>
			risk.countsOver(storage, { outcome, minScore, teams: null, segments: null });
		const byTeam = (rows: { teamId: string | null; n: number }[]) =>
			Object.fromEntries(rows.map((r) => [r.teamId ?? '-', r.n]));
		// At 10% or more: k a multiple of 5, 30 of each residue mod 4.
		expect(byTeam(await count('complaint', 0.1))).toEqual({ a: 30, b: 30, c: 30, '-': 30 });
		expect(byTeam(await count('regulator', 0.01))).toEqual(
			byTeam(
				['a', 'b', 'c', null].map((t) => ({
					teamId: t,
					n: SCORES.filter((s) => s.teamId === t && s.regulatorScore >= 0.01).length
				}))
			)
		);
		// A new model replaces every score: the counts follow it (they are kept per model).
		const store = riskStores[storage.engine](storage.db as never);
		try {
			await store.saveModel(MODEL, SCORES.slice(0, 10), 0);
			const now = SCORES.slice(0, 10).filter((s) => s.score >= 0.1);
			expect((await count('complaint', 0.1)).reduce((n, r) => n + r.n, 0)).toBe(now.length);
		} finally {
			await store.saveModel(MODEL, SCORES, 0);
		}
		expect((await count('complaint', 0.1)).reduce((n, r) => n + r.n, 0)).toBe(120);
	});

	it('continues a page that ended inside a tie with the rest of the tie', async () => {
		const first = await risk.listRisk(storage, { teams: null, limit: 70 });
		// 60 customers at 40%, then 10 of the 60 at 12.5%: the next page starts with the 11th of those.
		expect(first.customers.slice(59).map((c) => c.score)).toEqual([0.4, ...Array(10).fill(0.125)]);
		const second = await risk.listRisk(storage, { teams: null, limit: 5, cursor: first.next });
		expect(second.customers.map((c) => c.customerId)).toEqual(expected({ teams: null }).slice(70, 75));
	});
});
