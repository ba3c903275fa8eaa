/**
 * Synthetic risk scores for the risk list benchmark (bench/risk.ts, BENCH_RISK_PARTS=list): a stored model and
 * `n` customers' scores shaped like a trained model's, without the ≈ 13 minutes of training on 10M events.
 *
 * A logistic model gives every customer with the same feature counts the same score to the last bit, and most
 * customers of a center look alike (one contact, nothing else), so the scores tie in large groups: here each
 * customer draws small counts (contacts, repeat chains, transfers, long waits, prior complaints) and a segment, and
 * the score is the sigmoid of a fixed linear function of them. That gives ≈ 40% of customers one exact score, most
 * below 1%, a tail to ≈ 40%, and ties at every level. Customers are `c<k>` (as the metrics bench names them),
 * spread over 20 teams of unequal size (t01 largest) and no team (15%, customers seen only on digital channels);
 * segments mass 80%, affluent 16%, private 4% (the VIPs).
 */
import type { NewRiskModel, NewRiskScore } from '$lib/server/risk/store';
import { seeded } from '$lib/server/risk/testing';

export const SYNTHETIC_TEAMS = Array.from({ length: 20 }, (_, k) => `t${String(k + 1).padStart(2, '0')}`);

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** How many of 0, 1, 2, … with P(k) ∝ ratio^k, at most `max`. */
function geometric(rnd: () => number, ratio: number, max: number): number {
	let k = 0;
	while (k < max && rnd() < ratio) k++;
	return k;
}

export function syntheticScores(n: number, seed = 19): { model: NewRiskModel; scores: NewRiskScore[] } {
	const rnd = seeded(seed);
	// Team weights 1/(1 + 0.15k): the largest team is ≈ 3.9× the smallest.
	const weights = SYNTHETIC_TEAMS.map((_, k) => 1 / (1 + 0.15 * k));
	const total = weights.reduce((a, b) => a + b, 0);
	const cumulative = weights.map((_, k) => weights.slice(0, k + 1).reduce((a, b) => a + b, 0) / total);
	const scores: NewRiskScore[] = new Array(n);
	for (let i = 0; i < n; i++) {
		const u = rnd();
		const teamId = u < 0.15 ? null : SYNTHETIC_TEAMS[cumulative.findIndex((c) => (u - 0.15) / 0.85 <= c)];
		const v = rnd();
		const segment = v < 0.8 ? 'mass' : v < 0.96 ? 'affluent' : 'private';
		const contacts = 1 + geometric(rnd, 0.3, 12);
		const repeatChains = geometric(rnd, 0.12, 4);
		const transfers = geometric(rnd, 0.1, 3);
		const longWaits = geometric(rnd, 0.15, 4);
		const priorComplaints = geometric(rnd, 0.01, 2);
		const parts: [string, number][] = [
			['contacts', 0.3 * (contacts - 1)],
			['repeatChains', 0.8 * repeatChains],
			['transfers', 0.45 * transfers],
			['longWaits', 0.35 * longWaits],
			['priorComplaints', 1.9 * priorComplaints],
			['segment:private', segment === 'private' ? 0.4 : 0]
		];
		const z = -6 + parts.reduce((s, [, c]) => s + c, 0);
		scores[i] = {
			customerId: `c${i}`,
			score: sigmoid(z),
			regulatorScore: sigmoid(z - 2.2),
			teamId,
			segment,
			reasons: parts
				.filter(([, c]) => c > 0)
				.sort((a, b) => b[1] - a[1])
				.slice(0, 3)
				.map(([feature, contribution]) => ({ feature, contribution }))
		};
	}
	const day = 86_400_000;
	const end = Date.UTC(2026, 2, 1);
	const quality = {
		n: Math.round(n * 0.9),
		positives: Math.round(n * 0.005),
		auc: 0.71,
		auc95: [0.7, 0.72],
		brier: 0.0049,
		calibration: Array.from({ length: 10 }, (_, k) => ({
			bin: k + 1,
			predicted: 0.002 * (k + 1),
			observed: 0.002 * (k + 1),
			n: Math.round(n * 0.09)
		}))
	};
	const coefficient = { features: ['contacts'], means: [1], sds: [1], coefficients: [0.3], intercept: -6 };
	return {
		model: {
			trainedAt: end,
			trainFrom: end - 70 * day,
			trainTo: end - 28 * day,
			testFrom: end - 28 * day,
			testTo: end,
			model: { complaint: coefficient, regulator: coefficient, trainAnchors: [], testAnchors: [] },
			quality: { complaint: quality, regulator: quality, trainRows: 400_000, trainPositives: 2_000 }
		},
		scores
	};
}
